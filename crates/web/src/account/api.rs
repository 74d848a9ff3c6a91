//! The caller's own API tokens and sessions.

use axum::{
    Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use dandang_app::auth::{self, Ended, TokenView};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::extract::Path;
use crate::{
    AppState,
    api::{ApiJson, ApiQuery, ApiResult},
    auth::ApiAuth,
    routes::Routes,
};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/tokens", list_tokens)
        .post("/api/v1/tokens", create_token)
        .delete("/api/v1/tokens/{id}", revoke_token)
        .delete("/api/v1/sessions", logout_everywhere)
}

#[utoipa::path(get, path = "/api/v1/tokens", tag = "会话", responses((status = 200, body = Vec<TokenView>)))]
pub async fn list_tokens(State(s): State<AppState>, ApiAuth(a): ApiAuth) -> ApiResult<Json<Vec<TokenView>>> {
    Ok(Json(auth::tokens(&s.app, &a, a.user_id.0).await?))
}

/// A new token for the caller. The password is asked again: a token outlives
/// any session, so an open session alone must not be enough to make one.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenInput {
    pub name: String,
    /// The caller's current password.
    pub password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    /// Shown once; only its hash is stored.
    pub token: String,
    pub info: TokenView,
}

#[utoipa::path(post, path = "/api/v1/tokens", tag = "会话", request_body = TokenInput,
    responses((status = 201, body = CreatedToken), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_token(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    ApiJson(input): ApiJson<TokenInput>,
) -> ApiResult<Response> {
    let (token, info) = auth::create_token(&s.app, &a, &input.name, &input.password).await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { token, info })).into_response())
}

/// Revokes one of the caller's tokens (an administrator: also of a user in scope).
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "会话", responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn revoke_token(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    auth::revoke_token(&s.app, &a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EndQuery {
    /// Also revoke every API token.
    #[serde(default)]
    pub revoke_tokens: Option<bool>,
}

/// Ends every session of the caller ("退出所有设备"), and with
/// `revoke_tokens=true` revokes their API tokens too.
#[utoipa::path(delete, path = "/api/v1/sessions", tag = "会话", params(EndQuery), responses((status = 200, body = Ended)))]
pub async fn logout_everywhere(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    ApiQuery(q): ApiQuery<EndQuery>,
) -> ApiResult<Json<Ended>> {
    Ok(Json(auth::logout_everywhere(&s.app, &a, q.revoke_tokens.unwrap_or(false)).await?))
}
