//! What every server-rendered Chinese page shares: the layout and
//! navigation, error pages, and the after-post rules. Full pages extend
//! `base.html`; htmx requests for lists get only the fragment they swap in.

#[allow(unused_imports)] // askama resolves `|zh` through this path
use crate::filters;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use dandang_app::{AppError, auth::SessionInfo};
use dandang_domain::access::{Actor, Permission, Role};
use serde::Deserialize;

/// A form with no fields but its CSRF token.
#[derive(Deserialize)]
pub struct Empty {}

#[derive(Clone, Debug)]
pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
    pub active: bool,
}

/// What every page needs: who is signed in, the CSRF token, the navigation.
#[derive(Clone, Debug)]
pub struct Layout {
    pub title: String,
    pub user: String,
    pub role_label: String,
    pub scope_label: String,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    pub version: &'static str,
    pub flash: Option<String>,
}

/// The navigation shows only the modules the role can use.
pub fn nav_for(actor: &Actor, current: &str) -> Vec<NavItem> {
    let mut v = vec![NavItem { label: "首页", href: "/", active: current == "/" }];
    let mut push = |label, href: &'static str, ok: bool| {
        if ok {
            v.push(NavItem { label, href, active: current.starts_with(href) && href != "/" });
        }
    };
    let read = actor.can(Permission::RegistryRead);
    let self_service = actor.role == Role::Cadre;
    push("我的档案", "/me/record", self_service);
    push("干部", "/cadres", read && !self_service);
    push("单位", "/units", read && !self_service);
    push("行政区划", "/jurisdictions", read && !self_service);
    let measures = actor.can(Permission::MeasureRead) && !self_service;
    push("处分与影响期", "/impact", measures);
    push("回访教育", "/follow-ups", measures);
    push("容错纠错", "/tolerance", actor.can(Permission::ToleranceLetterRead));
    push("督查问效", "/supervision", actor.can(Permission::SupervisionRead) && !self_service);
    push("数据导入", "/imports", !dandang_app::imports::ImportKind::allowed(actor).is_empty());
    push("规则库", "/policy", true);
    push("工作日计算", "/workdays", true);
    push("审计记录", "/audit", actor.can(Permission::AuditRead));
    push("用户管理", "/admin/users", actor.can(Permission::UserAdmin));
    push("我的账号", "/me", true);
    // One item is current: the longest address that prefixes the page's
    // (/me/record is 我的档案, not also 我的账号).
    let best = v.iter().filter(|n| n.active).map(|n| n.href.len()).max();
    for n in &mut v {
        n.active = n.active && Some(n.href.len()) == best;
    }
    v
}

pub fn layout(info: &SessionInfo, title: &str, current: &str) -> Layout {
    let a = &info.actor;
    let scope_label = if a.scope.cadre_id.is_some() {
        "本人档案".to_string()
    } else {
        let mb = a.scope.managed_by_label();
        if mb.is_empty() { String::new() } else { format!("管理权限：{mb}") }
    };
    Layout {
        title: title.into(),
        user: a.display_name.clone(),
        role_label: a.role.label_zh().into(),
        scope_label,
        csrf: info.csrf.clone(),
        nav: nav_for(a, current),
        version: crate::assets::VERSION,
        flash: None,
    }
}

/// An htmx request that wants a fragment. htmx restoring a page on Back
/// (`HX-History-Restore-Request`; its local history cache is off, so every
/// Back between two searches asks the server) swaps in the whole body and
/// must get the full page, whatever else the request says.
pub fn is_htmx(h: &HeaderMap) -> bool {
    h.contains_key("hx-request") && !h.contains_key("hx-history-restore-request")
}

/// A list page answers htmx with a fragment at the page's own address, so
/// every dynamic response varies on the htmx headers and is never stored:
/// Back, reload and a pasted address then always fetch the full page (and
/// personnel records do not linger in a shared browser's cache).
pub async fn no_store_vary_htmx(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let is_static = req.uri().path().starts_with("/static/");
    let had_flash = !is_static && crate::auth::cookie_in(req.headers(), FLASH_COOKIE).is_some();
    let mut res = next.run(req).await;
    if had_flash && !res.status().is_redirection() {
        // Shown now (or refused): a reload must not show it again.
        let clear = format!("{FLASH_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
        if let Ok(v) = header::HeaderValue::from_str(&clear) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    if !is_static {
        let h = res.headers_mut();
        h.append(header::VARY, header::HeaderValue::from_static("HX-Request, HX-Target, HX-History-Restore-Request"));
        if !h.contains_key(header::CACHE_CONTROL) {
            h.insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
        }
    }
    res
}

/// Error pages speak to an official: what happened in words and a way back.
/// The stable code stays in the markup (`data-code`) and in the log for whoever
/// supports the deployment; the request number ties the two together.
#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    heading: &'static str,
    message: String,
    code: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "error_in.html")]
struct ErrorInLayout {
    l: Layout,
    heading: &'static str,
    message: String,
    code: &'static str,
    reference: Option<String>,
}

fn error_heading(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "请先登录",
        403 => "无权进行此操作",
        404 => "找不到该页面或记录",
        409 => "操作未能完成",
        413 => "文件太大",
        400 | 422 => "填写的内容有误",
        429 => "操作太频繁，请稍后再试",
        500..=599 => "系统出错了",
        _ => "出错了",
    }
}

/// An error as a page (or a fragment for htmx), with the right status.
pub fn page_error(e: AppError, info: Option<&SessionInfo>) -> Response {
    crate::error::log(&e);
    let status = crate::error::status_of(&e);
    match info {
        Some(i) => {
            let heading = error_heading(status);
            let page = ErrorInLayout {
                l: layout(i, heading, ""),
                heading,
                message: e.message_zh(),
                code: e.code(),
                reference: i.actor.request_id.clone(),
            };
            (status, page).into_response()
        }
        None => (status, ErrorPage { heading: error_heading(status), message: e.message_zh(), code: e.code() })
            .into_response(),
    }
}

pub struct PageError(pub AppError, pub Option<Box<SessionInfo>>);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        page_error(self.0, self.1.as_deref())
    }
}

pub type PageResult = Result<Response, PageError>;

pub trait OrPage<T> {
    fn or_page(self, info: &SessionInfo) -> Result<T, PageError>;
}

impl<T, E: Into<AppError>> OrPage<T> for Result<T, E> {
    fn or_page(self, info: &SessionInfo) -> Result<T, PageError> {
        self.map_err(|e| PageError(e.into(), Some(Box::new(info.clone()))))
    }
}

pub async fn not_found(headers: HeaderMap, uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::error::not_found_json();
    }
    let _ = headers;
    page_error(AppError::NotFound("该页面"), None)
}

pub use dandang_domain::calendar::weekday_zh as weekday;

/// A form field as an optional value: blank means absent.
pub fn some(s: String) -> Option<String> {
    if s.trim().is_empty() { None } else { Some(s) }
}

/// After a form posted on a record's page: back to the page with a notice,
/// or the page again with the message when the input, the state or a
/// concurrent change was the problem (the person can correct and resend).
pub async fn after_post<T, Fut>(
    info: SessionInfo,
    to: &str,
    r: Result<T, AppError>,
    ok: &str,
    again: impl FnOnce(SessionInfo, String) -> Fut,
) -> PageResult
where
    Fut: std::future::Future<Output = PageResult>,
{
    match r {
        Ok(_) => Ok(see_other(to, ok)),
        Err(e @ (AppError::Invalid(_) | AppError::IllegalTransition(_) | AppError::Conflict(_) | AppError::Stale)) => {
            again(info, e.message_zh()).await
        }
        Err(e) => Err(PageError(e, Some(Box::new(info)))),
    }
}

/// A step that cannot be undone needs the tick of `confirm_step.html`. The
/// browser already refuses the form without it; this is for a form posted
/// some other way. The JSON API has no such field: a client that calls it
/// has made its decision.
pub fn confirmed(consequence: Option<&str>, label: &str, ticked: &Option<String>) -> Result<(), AppError> {
    match (consequence, ticked.as_deref()) {
        (Some(_), Some("1")) | (None, _) => Ok(()),
        (Some(_), _) => Err(AppError::invalid(
            "confirmed",
            "确认",
            dandang_domain::error::Problem::Conflict {
                detail: format!("{label}后不能撤回，请勾选确认后再提交")
            },
        )),
    }
}

/// 303 to a page with a one-line confirmation.
pub fn see_other(to: &str, ok: &str) -> Response {
    let ok: String = ok.chars().take(FLASH_MAX_CHARS).collect();
    let cookie =
        format!("{FLASH_COOKIE}={}; Path=/; Max-Age=120; HttpOnly; SameSite=Strict", crate::auth::urlencode(&ok));
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string()), (header::SET_COOKIE, cookie)]).into_response()
}

/// The success message of the step just taken travels to the page it
/// redirects to in a cookie, not in the address: a reload, a bookmark or a
/// forwarded link then never repeats "已提交…" (and nobody can craft a link
/// that shows a message of their choosing). [`no_store_vary_htmx`] drops it
/// once a page has shown it.
pub const FLASH_COOKIE: &str = "dandang_flash";
const FLASH_MAX_CHARS: usize = 300;

/// The success message for this page, if the previous step left one.
pub struct Flash(pub Option<String>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Flash {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Flash(crate::auth::cookie(parts, FLASH_COOKIE).and_then(|v| flash_text(&v))))
    }
}

fn flash_text(cookie: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&format!("m={cookie}")).ok()?;
    let text = pairs.into_iter().next()?.1;
    let text: String = text.chars().filter(|c| !c.is_control()).take(FLASH_MAX_CHARS).collect();
    Some(text).filter(|t| !t.trim().is_empty())
}

/// The cadre page's eligibility date.
#[derive(Deserialize, Default)]
pub struct AsOf {
    pub as_of: Option<String>,
}

/// Values of a repeated form field (checkbox groups).
pub fn multi(pairs: &[(String, String)], key: &str) -> Vec<String> {
    pairs.iter().filter(|(k, _)| k == key).map(|(_, v)| v.clone()).collect()
}
