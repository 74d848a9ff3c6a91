//! Audit viewer, user administration, and the user's own account page.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Router,
    extract::{Path, Query, RawQuery, State},
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
    routing::{get, post},
};
use dandang_app::{
    AppError,
    audit::{self, EventView},
    auth::{self, TokenView},
    registry::jurisdictions::{self as js, JurisdictionView},
    users::{self, UserInput, UserView},
};
use dandang_domain::{
    access::{Permission, Role},
    registry::ManagedBy,
};
use serde::Deserialize;
use uuid::Uuid;

use super::{Flash, Layout, OrPage, PageError, PageResult, is_htmx, layout, multi, see_other};
use crate::{
    AppState,
    api::admin::{AuditQuery, VerifyView, verify_view},
    auth::{CsrfForm, UiAuth},
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(audit_page))
        .route("/audit/verify", post(audit_verify))
        .route("/audit/export.xlsx", get(audit_export))
        .route("/admin/users/export.xlsx", get(users_export))
        .route("/admin/users", get(users_page).post(user_create))
        .route("/admin/users/new", get(user_new))
        .route("/admin/users/{id}", get(user_edit).post(user_update))
        .route("/admin/users/{id}/reset-password", post(user_reset))
        .route("/admin/users/{id}/unlock", post(user_unlock))
        .route("/admin/users/{id}/logout-everywhere", post(user_logout_everywhere))
        .route("/admin/users/{id}/tokens", post(user_token))
        .route("/me", get(me_page))
        .route("/me/password", post(me_password))
        .route("/me/logout-everywhere", post(me_logout_everywhere))
        .route("/me/tokens", post(me_token))
        .route("/me/tokens/{id}/revoke", post(me_revoke))
}

// ---- audit -----------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
struct AuditPage {
    l: Layout,
    q: AuditQuery,
    items: Vec<EventView>,
    total: u64,
    page: u64,
    pages: u64,
    qs: String,
    verify: Option<VerifyView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit_rows.html")]
struct AuditRows {
    items: Vec<EventView>,
    total: u64,
    page: u64,
    pages: u64,
    qs: String,
}

impl EventRender for AuditPage {}
impl EventRender for AuditRows {}

pub trait EventRender {
    fn pretty(&self, v: &Option<serde_json::Value>) -> String {
        v.as_ref().map(|x| serde_json::to_string_pretty(x).unwrap_or_default()).unwrap_or_default()
    }
}

async fn audit_page(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    Query(q): Query<AuditQuery>,
) -> PageResult {
    let page = q.page.unwrap_or(1).max(1);
    let per = 50;
    let (items, total) = audit::list(&s.app, &info.actor, &q.filter(), page, per).await.or_page(&info)?;
    let pages = total.div_ceil(per).max(1);
    let qs = raw
        .unwrap_or_default()
        .split('&')
        .filter(|kv| !kv.starts_with("page=") && !kv.is_empty())
        .collect::<Vec<_>>()
        .join("&");
    if is_htmx(&headers) && headers.get("hx-target").is_some_and(|t| t == "results") {
        return Ok(AuditRows { items, total, page, pages, qs }.into_response());
    }
    Ok(AuditPage { l: layout(&info, "审计记录", "/audit"), q, items, total, page, pages, qs, verify: None }
        .into_response())
}

#[derive(Deserialize)]
struct Empty {}

async fn audit_verify(State(s): State<AppState>, UiAuth(info): UiAuth, CsrfForm(_, _): CsrfForm<Empty>) -> PageResult {
    let v = verify_view(audit::verify(&s.app, Some(&info.actor)).await.or_page(&info)?);
    let q = AuditQuery::default();
    let (items, total) = audit::list(&s.app, &info.actor, &q.filter(), 1, 50).await.or_page(&info)?;
    Ok(AuditPage {
        l: layout(&info, "审计记录", "/audit"),
        q,
        items,
        total,
        page: 1,
        pages: total.div_ceil(50).max(1),
        qs: String::new(),
        verify: Some(v),
    }
    .into_response())
}

async fn audit_export(State(s): State<AppState>, UiAuth(info): UiAuth, Query(q): Query<AuditQuery>) -> PageResult {
    let bytes = dandang_app::exports::audit_events(&s.app, &info.actor, &q.filter()).await.or_page(&info)?;
    Ok(crate::api::xlsx("审计记录.xlsx", bytes))
}

async fn users_export(State(s): State<AppState>, UiAuth(info): UiAuth) -> PageResult {
    let bytes = dandang_app::exports::users(&s.app, &info.actor).await.or_page(&info)?;
    Ok(crate::api::xlsx("用户.xlsx", bytes))
}

// ---- users -----------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
struct UsersPage {
    l: Layout,
    users: Vec<UserView>,
}

async fn users_page(State(s): State<AppState>, UiAuth(info): UiAuth, Query(f): Query<Flash>) -> PageResult {
    let list = users::list(&s.app, &info.actor).await.or_page(&info)?;
    let mut l = layout(&info, "用户管理", "/admin/users");
    l.flash = f.ok;
    Ok(UsersPage { l, users: list }.into_response())
}

#[derive(Deserialize, Default, Clone)]
struct UserFormData {
    username: Option<String>,
    display_name: String,
    role: String,
    jurisdiction_code: Option<String>,
    unit_name: Option<String>,
    cadre_id_number: Option<String>,
    active: Option<String>,
    version: Option<i32>,
}

#[derive(Template, WebTemplate)]
#[template(path = "user_form.html")]
struct UserFormPage {
    l: Layout,
    f: UserFormData,
    managed: Vec<String>,
    id: Option<Uuid>,
    user: Option<UserView>,
    roles: Vec<(&'static str, &'static str)>,
    levels: Vec<(&'static str, &'static str)>,
    jurisdictions: Vec<JurisdictionView>,
    summary: Option<String>,
    secret: Option<(String, String)>,
    tokens: Vec<TokenView>,
}

impl UserFormPage {
    fn has_level(&self, l: &str) -> bool {
        self.managed.iter().any(|m| m == l)
    }
}

#[allow(clippy::too_many_arguments)]
async fn user_form(
    s: &AppState,
    info: &dandang_app::auth::SessionInfo,
    f: UserFormData,
    managed: Vec<String>,
    id: Option<Uuid>,
    err: Option<AppError>,
    secret: Option<(String, String)>,
    status: StatusCode,
) -> PageResult {
    let user = match id {
        Some(i) => Some(users::get(&s.app, &info.actor, i).await.or_page(info)?),
        None => None,
    };
    let tokens = match id {
        Some(i) => auth::tokens(&s.app, &info.actor, i).await.or_page(info)?,
        None => vec![],
    };
    let title = match &user {
        Some(u) => format!("用户：{}", u.username),
        None => "新建用户".into(),
    };
    Ok((
        status,
        UserFormPage {
            l: layout(info, &title, "/admin/users"),
            f,
            managed,
            id,
            user,
            roles: Role::ALL.iter().map(|r| (r.code(), r.label_zh())).collect(),
            levels: ManagedBy::ALL.iter().map(|m| (m.code(), m.label_zh())).collect(),
            jurisdictions: js::list(&s.app, &info.actor).await.unwrap_or_default(),
            summary: err.map(|e| e.message_zh()),
            secret,
            tokens,
        },
    )
        .into_response())
}

async fn user_new(State(s): State<AppState>, UiAuth(info): UiAuth) -> PageResult {
    if !info.actor.can(Permission::UserAdmin) {
        return Err(PageError(AppError::Forbidden, Some(Box::new(info))));
    }
    let f = UserFormData { role: "org_cadre".into(), active: Some("on".into()), ..Default::default() };
    user_form(&s, &info, f, vec!["county".into()], None, None, None, StatusCode::OK).await
}

async fn to_input(s: &AppState, f: &UserFormData, managed: Vec<String>) -> Result<UserInput, AppError> {
    let db = s.app.db().read();
    let unit_id = match f.unit_name.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
        Some(n) => Some(
            dandang_store::registry::unit_by_name(db, n)
                .await?
                .map(|u| u.id)
                .ok_or_else(|| AppError::invalid("unit_id", "所在单位", dandang_domain::error::Problem::NotFound))?,
        ),
        None => None,
    };
    let cadre_id = match f.cadre_id_number.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
        Some(n) => {
            Some(dandang_store::registry::cadre_by_id_number(db, &n.to_uppercase()).await?.map(|c| c.id).ok_or_else(
                || AppError::invalid("cadre_id", "对应干部（公民身份号码）", dandang_domain::error::Problem::NotFound),
            )?)
        }
        None => None,
    };
    Ok(UserInput {
        username: f.username.clone().unwrap_or_default(),
        display_name: f.display_name.clone(),
        role: f.role.clone(),
        jurisdiction_code: f.jurisdiction_code.clone(),
        managed_by: managed,
        unit_id,
        cadre_id,
        active: f.active.is_some(),
    })
}

async fn user_create(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    CsrfForm(f, pairs): CsrfForm<UserFormData>,
) -> PageResult {
    let managed = multi(&pairs, "managed_by");
    let r = async { users::create(&s.app, &info.actor, &to_input(&s, &f, managed.clone()).await?).await }.await;
    match r {
        Ok((u, pw)) => {
            let f2 = UserFormData { username: Some(u.username.clone()), ..f };
            user_form(
                &s,
                &info,
                f2,
                managed,
                Some(u.id),
                None,
                Some(("一次性初始密码".into(), pw)),
                StatusCode::CREATED,
            )
            .await
        }
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            user_form(&s, &info, f, managed, None, Some(e), None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(PageError(e, Some(Box::new(info)))),
    }
}

async fn user_edit(State(s): State<AppState>, UiAuth(info): UiAuth, Path(id): Path<Uuid>) -> PageResult {
    let u = users::get(&s.app, &info.actor, id).await.or_page(&info)?;
    let f = UserFormData {
        username: Some(u.username.clone()),
        display_name: u.display_name.clone(),
        role: u.role.clone(),
        jurisdiction_code: u.jurisdiction_code.clone(),
        unit_name: u.unit_name.clone(),
        cadre_id_number: None,
        active: u.active.then(|| "on".into()),
        version: Some(u.version),
    };
    user_form(&s, &info, f, u.managed_by.clone(), Some(id), None, None, StatusCode::OK).await
}

async fn user_update(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(f, pairs): CsrfForm<UserFormData>,
) -> PageResult {
    let managed = multi(&pairs, "managed_by");
    let r = async {
        let mut input = to_input(&s, &f, managed.clone()).await?;
        if input.cadre_id.is_none() {
            input.cadre_id = users::get(&s.app, &info.actor, id).await?.cadre_id;
        }
        users::update(&s.app, &info.actor, id, &input, f.version.unwrap_or(0)).await
    }
    .await;
    match r {
        Ok(_) => Ok(see_other("/admin/users", "已保存用户")),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::Stale)) => {
            user_form(&s, &info, f, managed, Some(id), Some(e), None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(PageError(e, Some(Box::new(info)))),
    }
}

async fn reload(
    s: &AppState,
    info: &dandang_app::auth::SessionInfo,
    id: Uuid,
    secret: Option<(String, String)>,
) -> PageResult {
    let u = users::get(&s.app, &info.actor, id).await.or_page(info)?;
    let f = UserFormData {
        username: Some(u.username.clone()),
        display_name: u.display_name.clone(),
        role: u.role.clone(),
        jurisdiction_code: u.jurisdiction_code.clone(),
        unit_name: u.unit_name.clone(),
        cadre_id_number: None,
        active: u.active.then(|| "on".into()),
        version: Some(u.version),
    };
    user_form(s, info, f, u.managed_by.clone(), Some(id), None, secret, StatusCode::OK).await
}

async fn user_reset(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(_, _): CsrfForm<Empty>,
) -> PageResult {
    let pw = users::reset_password(&s.app, &info.actor, id).await.or_page(&info)?;
    reload(&s, &info, id, Some(("新的一次性密码".into(), pw))).await
}

async fn user_unlock(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(_, _): CsrfForm<Empty>,
) -> PageResult {
    users::unlock(&s.app, &info.actor, id).await.or_page(&info)?;
    reload(&s, &info, id, None).await
}

async fn user_logout_everywhere(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(_, _): CsrfForm<Empty>,
) -> PageResult {
    users::end_sessions(&s.app, &info.actor, id).await.or_page(&info)?;
    reload(&s, &info, id, None).await
}

#[derive(Deserialize)]
struct TokenForm {
    name: String,
}

async fn user_token(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(f, _): CsrfForm<TokenForm>,
) -> PageResult {
    let u = users::get(&s.app, &info.actor, id).await.or_page(&info)?;
    let (token, _) = auth::create_token(&s.app, &info.actor, &u.username, &f.name).await.or_page(&info)?;
    reload(&s, &info, id, Some(("新的接口令牌（只显示这一次）".into(), token))).await
}

// ---- my account ------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "me.html")]
struct MePage {
    l: Layout,
    must_change: bool,
    sessions: usize,
    tokens: Vec<TokenView>,
    error: Option<String>,
    secret: Option<String>,
    username: String,
}

async fn me_render(
    s: &AppState,
    info: &dandang_app::auth::SessionInfo,
    error: Option<String>,
    secret: Option<String>,
    flash: Option<String>,
    status: StatusCode,
) -> PageResult {
    let sessions =
        dandang_store::users::sessions_of(s.app.db().read(), info.actor.user_id.0).await.or_page(info)?.len();
    let tokens = auth::tokens(&s.app, &info.actor, info.actor.user_id.0).await.or_page(info)?;
    let mut l = layout(info, "我的账号", "/me");
    l.flash = flash;
    Ok((
        status,
        MePage {
            l,
            must_change: info.must_change_password,
            sessions,
            tokens,
            error,
            secret,
            username: info.actor.username.clone(),
        },
    )
        .into_response())
}

async fn me_page(State(s): State<AppState>, UiAuth(info): UiAuth, Query(f): Query<Flash>) -> PageResult {
    me_render(&s, &info, None, None, f.ok, StatusCode::OK).await
}

#[derive(Deserialize)]
struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

async fn me_password(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    CsrfForm(f, _): CsrfForm<PasswordForm>,
) -> PageResult {
    if f.new_password != f.confirm_password {
        return me_render(
            &s,
            &info,
            Some("两次输入的新密码不一致".into()),
            None,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match auth::change_password(&s.app, &info.actor, &f.current_password, &f.new_password).await {
        Ok(()) => Ok(see_other("/me", "密码已修改")),
        Err(e @ AppError::Invalid(_)) => {
            me_render(&s, &info, Some(e.message_zh()), None, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(PageError(e, Some(Box::new(info)))),
    }
}

async fn me_logout_everywhere(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    CsrfForm(_, _): CsrfForm<Empty>,
) -> PageResult {
    auth::logout_everywhere(&s.app, &info.actor).await.or_page(&info)?;
    Ok(axum::response::Redirect::to("/login").into_response())
}

async fn me_token(State(s): State<AppState>, UiAuth(info): UiAuth, CsrfForm(f, _): CsrfForm<TokenForm>) -> PageResult {
    match auth::create_token(&s.app, &info.actor, &info.actor.username, &f.name).await {
        Ok((token, _)) => me_render(&s, &info, None, Some(token), None, StatusCode::CREATED).await,
        Err(e @ AppError::Invalid(_)) => {
            me_render(&s, &info, Some(e.message_zh()), None, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(PageError(e, Some(Box::new(info)))),
    }
}

async fn me_revoke(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(_, _): CsrfForm<Empty>,
) -> PageResult {
    auth::revoke_token(&s.app, &info.actor, id).await.or_page(&info)?;
    Ok(see_other("/me", "已吊销令牌"))
}
