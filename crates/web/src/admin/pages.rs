//! Audit viewer, user administration, and the user's own account page.

#[allow(unused_imports)] // askama resolves `|zh` through this path
use crate::filters;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{RawQuery, State},
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
};
use dandang_app::registry::Paging;
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

use crate::extract::{Path, Query};
use crate::pages::{Empty, Flash, Layout, OrPage, PageError, PageResult, is_htmx, layout, multi, see_other};
use crate::{
    AppState,
    admin::api::{AuditQuery, VerifyView, verify_view},
    auth::{CsrfForm, UiAuth},
    routes::Routes,
};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/audit", audit_page)
        .post("/audit/verify", audit_verify)
        .get("/audit/export.xlsx", audit_export)
        .get("/admin/users/export.xlsx", users_export)
        .get("/admin/users", users_page)
        .post("/admin/users", user_create)
        .get("/admin/users/new", user_new)
        .get("/admin/users/{id}", user_edit)
        .post("/admin/users/{id}", user_update)
        .post("/admin/users/{id}/reset-password", user_reset)
        .post("/admin/users/{id}/unlock", user_unlock)
        .post("/admin/users/{id}/logout-everywhere", user_logout_everywhere)
        .post("/admin/users/{id}/tokens/{tid}/revoke", user_token_revoke)
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
    let paging = Paging::parse(q.page, None, Paging::MAX_PER_PAGE_AUDIT).or_page(&info)?;
    let (page, per) = (paging.page, paging.per_page);
    let (items, total) = audit::list(&s.app, &info.actor, &q.filter(), paging).await.or_page(&info)?;
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

async fn audit_verify(State(s): State<AppState>, UiAuth(info): UiAuth, CsrfForm(_, _): CsrfForm<Empty>) -> PageResult {
    let v = verify_view(audit::verify(&s.app, Some(&info.actor)).await.or_page(&info)?);
    let q = AuditQuery::default();
    let (items, total) = audit::list(&s.app, &info.actor, &q.filter(), Paging::first(50)).await.or_page(&info)?;
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

async fn users_page(State(s): State<AppState>, UiAuth(info): UiAuth, Flash(ok): Flash) -> PageResult {
    let list = users::list(&s.app, &info.actor).await.or_page(&info)?;
    let mut l = layout(&info, "用户管理", "/admin/users");
    l.flash = ok;
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
    flash: Option<String>,
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
            l: Layout { flash, ..layout(info, &title, "/admin/users") },
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
    user_form(&s, &info, f, vec!["county".into()], None, None, None, StatusCode::OK, None).await
}

async fn to_input(
    s: &AppState,
    info: &dandang_app::auth::SessionInfo,
    f: &UserFormData,
    managed: Vec<String>,
) -> Result<UserInput, AppError> {
    let (unit_id, cadre_id) =
        users::refs_by_name(&s.app, &info.actor, f.unit_name.as_deref(), f.cadre_id_number.as_deref()).await?;
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
    let r = async { users::create(&s.app, &info.actor, &to_input(&s, &info, &f, managed.clone()).await?).await }.await;
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
                None,
            )
            .await
        }
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            user_form(&s, &info, f, managed, None, Some(e), None, StatusCode::UNPROCESSABLE_ENTITY, None).await
        }
        Err(e) => Err(PageError(e, Some(Box::new(info)))),
    }
}

async fn user_edit(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    Flash(ok): Flash,
) -> PageResult {
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
    user_form(&s, &info, f, u.managed_by.clone(), Some(id), None, None, StatusCode::OK, ok).await
}

async fn user_update(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(f, pairs): CsrfForm<UserFormData>,
) -> PageResult {
    let managed = multi(&pairs, "managed_by");
    let r = async {
        let mut input = to_input(&s, &info, &f, managed.clone()).await?;
        if input.cadre_id.is_none() {
            input.cadre_id = users::get(&s.app, &info.actor, id).await?.cadre_id;
        }
        users::update(&s.app, &info.actor, id, &input, f.version.unwrap_or(0)).await
    }
    .await;
    match r {
        Ok(_) => Ok(see_other("/admin/users", "已保存用户")),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::Stale)) => {
            user_form(&s, &info, f, managed, Some(id), Some(e), None, StatusCode::UNPROCESSABLE_ENTITY, None).await
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
    user_form(s, info, f, u.managed_by.clone(), Some(id), None, secret, StatusCode::OK, None).await
}

async fn user_reset(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(_, _): CsrfForm<Empty>,
) -> PageResult {
    let (pw, ended) = users::reset_password(&s.app, &info.actor, id).await.or_page(&info)?;
    let label =
        format!("新的一次性密码（已退出该用户的 {} 个登录会话，吊销 {} 个接口令牌）", ended.sessions, ended.tokens);
    reload(&s, &info, id, Some((label, pw))).await
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

#[derive(Deserialize)]
struct EndForm {
    revoke_tokens: Option<String>,
}

async fn user_logout_everywhere(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(f, _): CsrfForm<EndForm>,
) -> PageResult {
    let e = users::end_sessions(&s.app, &info.actor, id, f.revoke_tokens.is_some()).await.or_page(&info)?;
    Ok(see_other(
        &format!("/admin/users/{id}"),
        &format!("已退出该用户的 {} 个登录会话，吊销 {} 个接口令牌", e.sessions, e.tokens),
    ))
}

async fn user_token_revoke(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path((id, tid)): Path<(Uuid, Uuid)>,
    CsrfForm(_, _): CsrfForm<Empty>,
) -> PageResult {
    users::get(&s.app, &info.actor, id).await.or_page(&info)?;
    auth::revoke_token(&s.app, &info.actor, tid).await.or_page(&info)?;
    Ok(see_other(&format!("/admin/users/{id}"), "已吊销令牌"))
}
