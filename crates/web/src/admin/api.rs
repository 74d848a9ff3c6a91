use axum::{
    Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use chrono::{NaiveDate, TimeZone};
use dandang_app::registry::Paging;
use dandang_app::{
    audit::{self, EventFilter, EventView, VerifyReport},
    auth::Ended,
    users::{self, UserInput, UserView},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::api::{ApiJson, ApiQuery, ApiResult};
use crate::extract::Path;
use crate::routes::Routes;
use crate::{AppState, auth::ApiAuth};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/users", list_users)
        .post("/api/v1/users", create_user)
        .get("/api/v1/users/{id}", get_user)
        .put("/api/v1/users/{id}", update_user)
        .post("/api/v1/users/{id}/reset-password", reset_password)
        .post("/api/v1/users/{id}/unlock", unlock)
        .delete("/api/v1/users/{id}/sessions", end_sessions)
        .get("/api/v1/audit", list_audit)
        .get("/api/v1/audit/verify", verify_audit)
        .get("/api/v1/audit/export", export_audit)
        .get("/api/v1/users/export", export_users)
}

#[utoipa::path(get, path = "/api/v1/users", tag = "用户与权限", responses((status = 200, body = Vec<UserView>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_users(State(s): State<AppState>, ApiAuth(a): ApiAuth) -> ApiResult<Json<Vec<UserView>>> {
    Ok(Json(users::list(&s.app, &a).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedUser {
    pub user: UserView,
    /// One-time password; the user must change it at first login.
    pub one_time_password: String,
}

#[utoipa::path(post, path = "/api/v1/users", tag = "用户与权限", request_body = UserInput,
    responses((status = 201, body = CreatedUser), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_user(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    ApiJson(input): ApiJson<UserInput>,
) -> ApiResult<Response> {
    let (user, pw) = users::create(&s.app, &a, &input).await?;
    Ok((StatusCode::CREATED, Json(CreatedUser { user, one_time_password: pw })).into_response())
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "用户与权限", responses((status = 200, body = UserView)))]
pub async fn get_user(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(users::get(&s.app, &a, id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct UserUpdate {
    #[serde(flatten)]
    pub fields: UserInput,
    pub version: i32,
}

#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "用户与权限", request_body = UserUpdate, responses((status = 200, body = UserView)))]
pub async fn update_user(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<UserUpdate>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(users::update(&s.app, &a, id, &input.fields, input.version).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OneTimePassword {
    pub one_time_password: String,
    /// The user's sessions ended and API tokens revoked by the reset.
    pub ended: Ended,
}

#[utoipa::path(post, path = "/api/v1/users/{id}/reset-password", tag = "用户与权限", responses((status = 200, body = OneTimePassword)))]
pub async fn reset_password(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<OneTimePassword>> {
    let (one_time_password, ended) = users::reset_password(&s.app, &a, id).await?;
    Ok(Json(OneTimePassword { one_time_password, ended }))
}

#[utoipa::path(post, path = "/api/v1/users/{id}/unlock", tag = "用户与权限", responses((status = 204)))]
pub async fn unlock(State(s): State<AppState>, ApiAuth(a): ApiAuth, Path(id): Path<Uuid>) -> ApiResult<StatusCode> {
    users::unlock(&s.app, &a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends every session of a user in scope (administrators); with
/// `revoke_tokens=true` also revokes the user's API tokens.
#[utoipa::path(delete, path = "/api/v1/users/{id}/sessions", tag = "用户与权限", params(crate::account::api::EndQuery), responses((status = 200, body = Ended)))]
pub async fn end_sessions(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
    ApiQuery(q): ApiQuery<crate::account::api::EndQuery>,
) -> ApiResult<Json<Ended>> {
    Ok(Json(users::end_sessions(&s.app, &a, id, q.revoke_tokens.unwrap_or(false)).await?))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// Beijing date, inclusive; empty means no bound.
    #[serde(default, deserialize_with = "crate::extract::blank_date")]
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    /// Beijing date, inclusive; empty means no bound.
    #[serde(default, deserialize_with = "crate::extract::blank_date")]
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
    /// 页码，默认 1
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u64>,
    /// 每页条数，默认 50
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u64>,
}

impl AuditQuery {
    pub fn filter(&self) -> EventFilter {
        let tz = dandang_app::clock::beijing();
        let at = |d: NaiveDate| {
            tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight")).single().map(|x| x.to_utc())
        };
        let nonempty = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from);
        EventFilter {
            actor: nonempty(&self.actor),
            action_prefix: nonempty(&self.action),
            entity_type: nonempty(&self.entity_type),
            entity_id: nonempty(&self.entity_id),
            from: self.from.and_then(at),
            to: self.to.and_then(|d| d.succ_opt()).and_then(at),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct EventPage {
    pub items: Vec<EventView>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "审计", params(AuditQuery), responses((status = 200, body = EventPage), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_audit(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<EventPage>> {
    let paging = Paging::parse(q.page, q.per_page, Paging::MAX_PER_PAGE_AUDIT)?;
    let (items, total) = audit::list(&s.app, &a, &q.filter(), paging).await?;
    Ok(Json(EventPage { items, total, page: paging.page, per_page: paging.per_page }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct VerifyView {
    pub ok: bool,
    pub checked: u64,
    pub head_seq: i64,
    pub message: String,
    /// The first failure, with the event it concerns; null when the chain is whole.
    #[schema(value_type = Option<Object>)]
    pub broken: Option<serde_json::Value>,
}

pub fn verify_view(r: VerifyReport) -> VerifyView {
    VerifyView {
        ok: r.broken.is_none(),
        checked: r.checked,
        head_seq: r.head_seq,
        message: match &r.broken {
            None => format!("审计链完整：已校验 {} 条记录", r.checked),
            Some(b) => b.message_zh(),
        },
        broken: r.broken.as_ref().and_then(|b| serde_json::to_value(b).ok()),
    }
}

#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "审计", responses((status = 200, body = VerifyView)))]
pub async fn verify_audit(State(s): State<AppState>, ApiAuth(a): ApiAuth) -> ApiResult<Json<VerifyView>> {
    Ok(Json(verify_view(audit::verify(&s.app, Some(&a)).await?)))
}

#[utoipa::path(get, path = "/api/v1/audit/export", tag = "审计", params(AuditQuery), responses((status = 200, description = ".xlsx 文件")))]
pub async fn export_audit(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<axum::response::Response> {
    Ok(crate::api::xlsx("审计记录.xlsx", dandang_app::exports::audit_events(&s.app, &a, &q.filter()).await?))
}

#[utoipa::path(get, path = "/api/v1/users/export", tag = "用户与权限", responses((status = 200, description = ".xlsx 文件")))]
pub async fn export_users(State(s): State<AppState>, ApiAuth(a): ApiAuth) -> ApiResult<axum::response::Response> {
    Ok(crate::api::xlsx("用户.xlsx", dandang_app::exports::users(&s.app, &a).await?))
}
