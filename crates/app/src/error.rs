//! The app layer's one error type: a stable code, an HTTP status and a
//! Chinese message, decided here for every caller.

use chrono::{DateTime, Utc};
use dandang_domain::error::Invalid;
use dandang_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("unauthenticated")]
    Unauthenticated,
    #[error("bad credentials")]
    BadCredentials,
    #[error("locked until {0}")]
    Locked(DateTime<Utc>),
    #[error("forbidden")]
    Forbidden,
    #[error("csrf")]
    Csrf,
    /// The one-time password must be changed before anything else.
    #[error("password change required")]
    PasswordChangeRequired,
    /// Too many attempts from one address.
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("not found: {0}")]
    NotFound(&'static str),
    #[error("invalid: {0}")]
    Invalid(Invalid),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("illegal transition: {0}")]
    IllegalTransition(String),
    #[error("stale")]
    Stale,
    #[error("too large")]
    TooLarge { max_bytes: usize },
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("busy")]
    Busy,
    #[error("config: {0}")]
    Config(String),
    #[error("internal: {0}")]
    Internal(String),
}

pub type Result<T> = std::result::Result<T, AppError>;

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::BadCredentials => "bad_credentials",
            AppError::Locked(_) => "account_locked",
            AppError::Forbidden => "forbidden",
            AppError::Csrf => "csrf_failed",
            AppError::PasswordChangeRequired => "password_change_required",
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::NotFound(_) => "not_found",
            AppError::Invalid(_) => "invalid_input",
            AppError::Conflict(_) => "conflict",
            AppError::IllegalTransition(_) => "illegal_transition",
            AppError::Stale => "stale_write",
            AppError::TooLarge { .. } => "too_large",
            AppError::BadRequest(_) => "bad_request",
            AppError::Busy => "busy",
            AppError::Config(_) => "config",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated | AppError::BadCredentials => 401,
            AppError::Locked(_) => 423,
            AppError::Forbidden | AppError::Csrf | AppError::PasswordChangeRequired => 403,
            AppError::NotFound(_) => 404,
            AppError::Invalid(_) => 422,
            AppError::Conflict(_) | AppError::IllegalTransition(_) | AppError::Stale => 409,
            AppError::TooLarge { .. } => 413,
            AppError::TooManyRequests { .. } => 429,
            AppError::BadRequest(_) => 400,
            AppError::Busy => 503,
            AppError::Config(_) | AppError::Internal(_) => 500,
        }
    }

    pub fn message_zh(&self) -> String {
        match self {
            AppError::Unauthenticated => "请先登录".into(),
            AppError::BadCredentials => "用户名或密码错误".into(),
            AppError::Locked(until) => {
                format!("连续登录失败次数过多，账号已锁定至 {}", crate::clock::local(*until))
            }
            AppError::Forbidden => "您的角色无权执行此操作".into(),
            AppError::Csrf => "页面已过期或请求来源不明，请刷新页面后重试".into(),
            AppError::PasswordChangeRequired => "请先修改初始密码（“我的账号”页面），再进行其他操作".into(),
            AppError::TooManyRequests { retry_after_secs } => {
                format!("尝试过于频繁，请 {retry_after_secs} 秒后再试")
            }
            AppError::NotFound(what) => format!("找不到{what}"),
            AppError::Invalid(inv) => inv.summary_zh(),
            AppError::Conflict(m) | AppError::IllegalTransition(m) => m.clone(),
            AppError::Stale => "该记录已被他人修改，请刷新后重新填写".into(),
            AppError::TooLarge { max_bytes } => {
                format!("上传的文件过大，不能超过 {} MB", max_bytes / (1024 * 1024))
            }
            AppError::BadRequest(m) => m.clone(),
            AppError::Busy => "系统繁忙，请稍后重试".into(),
            AppError::Config(m) => format!("配置错误：{m}"),
            AppError::Internal(_) => "系统内部错误，请联系管理员".into(),
        }
    }

    pub fn invalid(field: &str, label: &str, p: dandang_domain::error::Problem) -> AppError {
        AppError::Invalid(Invalid::single(field, label, p))
    }
}

impl From<Invalid> for AppError {
    fn from(v: Invalid) -> Self {
        AppError::Invalid(v)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unique(_) => AppError::Conflict("已存在相同的记录".into()),
            StoreError::ForeignKey(_) => AppError::Conflict("引用的记录不存在或仍被其他记录使用".into()),
            StoreError::Stale => AppError::Stale,
            StoreError::Busy => AppError::Busy,
            StoreError::BadUrl(m) => AppError::Config(m),
            StoreError::Db(e) => AppError::Internal(e.to_string()),
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> Self {
        StoreError::from(e).into()
    }
}
