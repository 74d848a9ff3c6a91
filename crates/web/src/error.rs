//! AppError → HTTP, in one place: JSON for the API, a page for the UI.

use axum::{
    Json,
    extract::rejection::QueryRejection,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use dandang_app::AppError;
use serde::Serialize;

#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `invalid_input`, `forbidden`.
    pub code: &'static str,
    /// Chinese message for people.
    pub message: String,
    /// Per-field problems for `invalid_input`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldProblem>,
    /// Problems found beyond those listed in `fields` (at most 100 are listed).
    #[serde(skip_serializing_if = "is_zero")]
    pub omitted: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub label: String,
    pub code: &'static str,
    pub message: String,
}

pub fn status_of(e: &AppError) -> StatusCode {
    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

pub fn body_of(e: &AppError) -> ErrorBody {
    let fields = match e {
        AppError::Invalid(inv) => inv
            .errors
            .iter()
            .map(|f| FieldProblem {
                field: f.field.clone(),
                label: f.label.clone(),
                code: f.problem.code(),
                message: f.message.clone(),
            })
            .collect(),
        _ => vec![],
    };
    let omitted = if let AppError::Invalid(inv) = e { inv.omitted } else { 0 };
    ErrorBody { error: ErrorDetail { code: e.code(), message: e.message_zh(), fields, omitted } }
}

pub fn log(e: &AppError) {
    match e {
        AppError::Internal(m) | AppError::Config(m) => tracing::error!(code = e.code(), detail = %m, "request failed"),
        AppError::Busy => tracing::warn!(code = e.code(), "database busy"),
        _ => tracing::debug!(code = e.code(), "request rejected"),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        log(&self.0);
        (status_of(&self.0), Json(body_of(&self.0))).into_response()
    }
}

/// The last line of defence: a handler that panics answers 500 in the error
/// shape and is logged, instead of dropping the connection. Every panic that
/// reaches here is a bug; the malformed-input walk and schemathesis fail on
/// the 500.
pub fn panicked(payload: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("panic");
    let e = AppError::Internal(format!("handler panicked: {detail}"));
    log(&e);
    (status_of(&e), Json(body_of(&e))).into_response()
}

/// serde's English messages, put into Chinese with the field path kept.
pub fn translate_serde(msg: &str) -> String {
    let field_of = |s: &str| s.split('`').nth(1).unwrap_or("").to_string();
    let (path, rest) = match msg.split_once(": ") {
        Some((p, r)) if !p.contains(' ') => (p.to_string(), r),
        _ => (String::new(), msg),
    };
    let at = if path.is_empty() || path == "." { String::new() } else { format!("字段 {path}：") };
    let rest = rest.split(" at line").next().unwrap_or(rest);
    let expected = rest.split("expected ").nth(1).map(expected_zh);
    if rest.starts_with("missing field") {
        format!("缺少必填字段 {}", field_of(rest))
    } else if rest.starts_with("unknown field") {
        format!("{at}不认识的字段 {}", field_of(rest))
    } else if rest.starts_with("unknown variant") {
        format!("{at}取值 {} 无法识别", field_of(rest))
    } else if rest.starts_with("invalid value: integer") {
        format!("{at}数值超出范围（应为 {}）", expected.unwrap_or("整数"))
    } else if rest.starts_with("invalid type")
        || rest.starts_with("invalid value")
        || rest.starts_with("invalid length")
    {
        format!("{at}类型不正确（应为 {}）", expected.unwrap_or("其他类型"))
    } else if rest.contains("UUID") || rest.contains("uuid") {
        format!("{at}不是有效的标识（UUID）")
    } else if rest.contains("too large") || rest.contains("too small") || rest.contains("out of range") {
        format!("{at}数值超出范围")
    } else if rest.contains("invalid digit") || rest.contains("empty string") {
        format!("{at}不是有效的整数")
    } else if rest.contains("premature end") || rest.contains("invalid characters") || rest.contains("trailing input") {
        format!("{at}日期格式不正确（应为 YYYY-MM-DD）")
    } else if rest.is_ascii() {
        // An English message from a library this table does not know yet.
        format!("{at}格式不正确")
    } else {
        format!("{at}{rest}")
    }
}

/// serde's "expected …" in Chinese.
pub(crate) fn expected_zh(e: &str) -> &'static str {
    let e = e.trim();
    if e.starts_with("struct") || e.starts_with("a map") || e.contains("with") && e.contains("elements") {
        "JSON 对象"
    } else if e.contains("UUID") {
        "标识（UUID）"
    } else if e.contains("date") || e.contains("Date") {
        "日期字符串 YYYY-MM-DD"
    } else if e.contains("string") || e == "a character" {
        "字符串"
    } else if e.contains("sequence") || e.contains("array") || e.starts_with("a vec") {
        "数组"
    } else if e.contains("bool") {
        "true 或 false"
    } else if ["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "usize", "isize"].contains(&e)
        || e.contains("integer")
    {
        "整数"
    } else if e.starts_with('f') || e.contains("float") || e.contains("number") {
        "数字"
    } else if e.contains('`') {
        "列出的取值之一"
    } else {
        "其他类型"
    }
}

impl ApiError {
    pub fn from_query(r: QueryRejection) -> Self {
        let t = r.body_text();
        let detail = t.strip_prefix("Failed to deserialize query string: ").unwrap_or(&t);
        ApiError(AppError::BadRequest(format!("查询参数有误：{}", translate_serde(detail))))
    }
}

pub fn not_found_json() -> Response {
    (StatusCode::NOT_FOUND, Json(body_of(&AppError::NotFound("该接口")))).into_response()
}

#[cfg(test)]
mod tests {
    use super::translate_serde;

    #[test]
    fn serde_messages_in_chinese() {
        assert_eq!(translate_serde("missing field `name` at line 1 column 2"), "缺少必填字段 name");
        assert_eq!(
            translate_serde("unit_id: invalid type: integer `5`, expected a UUID at line 1"),
            "字段 unit_id：类型不正确（应为 标识（UUID））"
        );
        assert_eq!(
            translate_serde("invalid length 0, expected struct CadreInput with 13 elements at line 1 column 2"),
            "类型不正确（应为 JSON 对象）"
        );
        assert_eq!(translate_serde("invalid type: null, expected struct CadreInput"), "类型不正确（应为 JSON 对象）");
        assert_eq!(
            translate_serde("version: invalid value: integer `99999999999`, expected i32"),
            "字段 version：数值超出范围（应为 整数）"
        );
        assert_eq!(translate_serde("page: number too large to fit in target type"), "字段 page：数值超出范围");
        assert_eq!(translate_serde("per_page: invalid digit found in string"), "字段 per_page：不是有效的整数");
        assert_eq!(translate_serde("from: input is out of range"), "字段 from：数值超出范围");
        assert_eq!(
            translate_serde("x: invalid type: sequence, expected a formatted UUID string"),
            "字段 x：类型不正确（应为 标识（UUID））"
        );
        assert_eq!(
            translate_serde("x: invalid type: sequence, expected a string"),
            "字段 x：类型不正确（应为 字符串）"
        );
        assert!(!translate_serde("something new from a library").is_ascii());
        assert!(translate_serde("sex: unknown variant `x`, expected `male`").contains("x"));
    }
}
