//! Server-rendered Chinese pages. Full pages extend `base.html`; htmx
//! requests for lists get only the fragment they swap in.

mod admin;
mod imports;
mod measures;
mod policy;
mod registry;
mod supervision;
mod tolerance;

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Router,
    extract::{Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use dandang_app::{AppError, auth::SessionInfo};
use dandang_domain::access::{Actor, Permission, Role};
use serde::Deserialize;

use crate::{
    AppState,
    auth::{CsrfForm, SESSION_COOKIE, UiAuth},
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .merge(registry::routes())
        .merge(imports::routes())
        .merge(policy::routes())
        .merge(admin::routes())
        .merge(measures::routes())
        .merge(supervision::routes())
        .merge(tolerance::routes())
}

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

pub fn is_htmx(h: &HeaderMap) -> bool {
    h.contains_key("hx-request")
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    message: String,
    code: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "error_in.html")]
struct ErrorInLayout {
    l: Layout,
    status: u16,
    message: String,
    code: &'static str,
}

/// An error as a page (or a fragment for htmx), with the right status.
pub fn page_error(e: AppError, info: Option<&SessionInfo>) -> Response {
    crate::error::log(&e);
    let status = crate::error::status_of(&e);
    match info {
        Some(i) => {
            let page = ErrorInLayout {
                l: layout(i, "出错了", ""),
                status: status.as_u16(),
                message: e.message_zh(),
                code: e.code(),
            };
            (status, page).into_response()
        }
        None => {
            (status, ErrorPage { status: status.as_u16(), message: e.message_zh(), code: e.code() }).into_response()
        }
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

// ---- login -----------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    next: String,
    username: String,
    error: Option<String>,
    version: &'static str,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only same-site paths, so the login form cannot bounce users elsewhere.
fn safe_next(n: Option<&str>) -> String {
    match n {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains("\\") => p.to_string(),
        _ => "/".into(),
    }
}

async fn login_page(Query(q): Query<NextQuery>) -> impl IntoResponse {
    LoginPage {
        next: safe_next(q.next.as_deref()),
        username: String::new(),
        error: None,
        version: crate::assets::VERSION,
    }
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

fn session_cookie(value: &str, secure: bool, clear: bool) -> String {
    let mut c = format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax");
    if secure {
        c.push_str("; Secure");
    }
    if clear {
        c.push_str("; Max-Age=0");
    }
    c
}

async fn login(State(s): State<AppState>, headers: HeaderMap, axum::Form(f): axum::Form<LoginForm>) -> Response {
    let client = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(String::from);
    let rid = headers.get(&crate::REQUEST_ID).and_then(|v| v.to_str().ok()).map(String::from);
    let next = safe_next(f.next.as_deref());
    match dandang_app::auth::login(&s.app, &f.username, &f.password, client, rid).await {
        Ok(sess) => {
            let to = if sess.must_change_password { "/me".to_string() } else { next };
            (
                [(header::SET_COOKIE, session_cookie(&sess.token, s.app.config().cookie_secure, false))],
                Redirect::to(&to),
            )
                .into_response()
        }
        Err(e) => {
            crate::error::log(&e);
            let page =
                LoginPage { next, username: f.username, error: Some(e.message_zh()), version: crate::assets::VERSION };
            (crate::error::status_of(&e), page).into_response()
        }
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn logout(State(s): State<AppState>, UiAuth(info): UiAuth, CsrfForm(_, _): CsrfForm<Empty>) -> Response {
    let _ = dandang_app::auth::logout(&s.app, &info).await;
    ([(header::SET_COOKIE, session_cookie("", s.app.config().cookie_secure, true))], Redirect::to("/login"))
        .into_response()
}

// ---- home ------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    stats: Vec<(String, u64, String)>,
    today: String,
    today_kind: String,
    next_workdays: Vec<String>,
    calendar_until: String,
    packs_in_use: Vec<String>,
    self_cadre: Option<String>,
}

async fn home(State(s): State<AppState>, UiAuth(info): UiAuth) -> PageResult {
    let a = &info.actor;
    let mut stats = Vec::new();
    if a.can(Permission::RegistryRead) && a.scope.cadre_id.is_none() {
        let db = s.app.db().read();
        let f = dandang_store::registry::CadreFilter::default();
        let total = dandang_store::registry::count_cadres(db, &a.scope, &f).await.or_page(&info)?;
        stats.push(("在职干部".to_string(), total, "/cadres".to_string()));
        for m in a.scope.managed_by.iter() {
            let f = dandang_store::registry::CadreFilter { managed_by: Some(m.code().into()), ..Default::default() };
            let n = dandang_store::registry::count_cadres(db, &a.scope, &f).await.or_page(&info)?;
            stats.push((format!("其中{}", m.label_zh()), n, format!("/cadres?managed_by={}", m.code())));
        }
        let units = dandang_app::registry::units::list(&s.app, a, &Default::default()).await.or_page(&info)?;
        stats.push(("单位".into(), units.total, "/units".into()));
    }
    if a.can(Permission::MeasureRead) && a.scope.cadre_id.is_none() {
        let soon = dandang_app::follow_up::ending_within(&s.app, a, 30).await.or_page(&info)?;
        stats.push(("影响期 30 天内届满".into(), soon.len() as u64, "/impact?days=30#ending".into()));
        let fus = dandang_app::follow_up::list(&s.app, a, None).await.or_page(&info)?;
        let open = fus.iter().filter(|f| f.state != "decided" && f.state != "closed").count() as u64;
        stats.push(("回访教育中".into(), open, "/follow-ups".into()));
    }
    if a.can(Permission::SupervisionRead) && a.scope.cadre_id.is_none() {
        let q = dandang_app::supervision::cases::CaseQuery { todo: Some(true), ..Default::default() };
        let todo = dandang_app::supervision::cases::list(&s.app, a, &q).await.or_page(&info)?;
        let late = todo.iter().filter(|c| c.late).count() as u64;
        stats.push(("督查问效待我办理".into(), todo.len() as u64, "/supervision/cases?todo=1".into()));
        stats.push(("其中已逾期".into(), late, "/supervision/cases?todo=1".into()));
    }
    if a.can(Permission::ToleranceHandle) || a.can(Permission::ToleranceDecide) || a.can(Permission::ToleranceReport) {
        let q = dandang_app::tolerance::CaseQuery { state: None, todo: Some(true) };
        let todo = dandang_app::tolerance::list(&s.app, a, &q).await.or_page(&info)?;
        let count = |f: fn(&dandang_app::tolerance::CaseSummary) -> bool| todo.iter().filter(|c| f(c)).count() as u64;
        stats.push(("容错纠错待我办理".into(), todo.len() as u64, "/tolerance?todo=1".into()));
        stats.push(("其中即将到期".into(), count(|c| c.due_soon), "/tolerance?todo=1".into()));
        stats.push(("其中已逾期".into(), count(|c| c.late), "/tolerance?todo=1".into()));
    }
    // Bodies that only receive decision letters (巡察机构, 审计部门).
    if a.can(Permission::ToleranceLetterRead) && !a.can(Permission::ToleranceRead) {
        let copies = dandang_app::tolerance::copies(&s.app, a).await.or_page(&info)?;
        stats.push(("抄送的容错处理决定书".into(), copies.len() as u64, "/tolerance#tolerance-copies".into()));
    }
    let today = dandang_app::clock::today();
    let day = dandang_app::workdays::day(&s.app, today);
    let mut next = Vec::new();
    let mut d = today;
    for _ in 0..5 {
        if let Some(x) = s.app.calendar().add_working_days(d, 1) {
            next.push(format!("{}（{}）", x.value, weekday(x.value)));
            d = x.value;
        }
    }
    let policy = s.app.policy();
    let mut packs = vec![format!("默认：{}", pack_title(&s, &policy.default_pack))];
    for (prefix, p) in &policy.by_jurisdiction {
        packs.push(format!("代码 {prefix}*：{}", pack_title(&s, p)));
    }
    Ok(HomePage {
        l: layout(&info, "首页", "/"),
        stats,
        today: format!("{today}（{}）", weekday(today)),
        today_kind: day.result.kind_label.to_string(),
        next_workdays: next,
        calendar_until: s.app.calendar().loaded_years().map(|(_, b)| format!("{b} 年")).unwrap_or_else(|| "无".into()),
        packs_in_use: packs,
        self_cadre: a.scope.cadre_id.map(|c| c.to_string()),
    }
    .into_response())
}

fn pack_title(s: &AppState, id: &str) -> String {
    s.app.policy().set.packs.get(id).map(|p| format!("{}（{id}）", p.title)).unwrap_or_else(|| id.to_string())
}

pub fn weekday(d: chrono::NaiveDate) -> &'static str {
    use chrono::Datelike;
    ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][d.weekday().num_days_from_monday() as usize]
}

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

/// 303 to a page with a one-line confirmation.
pub fn see_other(to: &str, ok: &str) -> Response {
    let sep = if to.contains('?') { '&' } else { '?' };
    let url = format!("{to}{sep}ok={}", crate::auth::urlencode(ok));
    (StatusCode::SEE_OTHER, [(header::LOCATION, url)]).into_response()
}

#[derive(Deserialize, Default)]
pub struct Flash {
    pub ok: Option<String>,
    /// The cadre page's eligibility date.
    pub as_of: Option<String>,
}

/// Values of a repeated form field (checkbox groups).
pub fn multi(pairs: &[(String, String)], key: &str) -> Vec<String> {
    pairs.iter().filter(|(k, _)| k == key).map(|(_, v)| v.clone()).collect()
}
