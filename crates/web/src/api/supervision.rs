//! 督查问效 (M3): triggers, interviews, escalation.

use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use dandang_app::supervision::{self as sv, EscalationView, InterviewView, ItemView, Triggers};
use serde::Deserialize;
use uuid::Uuid;

use super::{ApiJson, ApiQuery, ApiResult};
use crate::{AppState, auth::ApiAuth};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/supervision/triggers", get(triggers))
        .route("/supervision/interviews", post(record_interview))
        .route("/supervision/items", get(list_items).post(create_item))
        .route("/cadres/{id}/escalation", get(escalation))
}

/// The trigger catalogue in force today for the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/supervision/triggers", tag = "督查问效", responses((status = 200, body = Triggers)))]
pub async fn triggers(State(s): State<AppState>, ApiAuth(a): ApiAuth) -> ApiResult<Json<Triggers>> {
    Ok(Json(sv::triggers(&s.app, &a)?))
}

/// Records an interview that has been held; returns it with `rectification_plan_due`.
#[utoipa::path(post, path = "/api/v1/supervision/interviews", tag = "督查问效", request_body = sv::InterviewInput,
    responses((status = 201, body = InterviewView), (status = 422, body = crate::error::ErrorBody)))]
pub async fn record_interview(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    ApiJson(input): ApiJson<sv::InterviewInput>,
) -> ApiResult<Response> {
    Ok((StatusCode::CREATED, Json(sv::record_interview(&s.app, &a, &input).await?)).into_response())
}

#[derive(Deserialize)]
pub struct AsOf {
    as_of: Option<String>,
}

/// Interviews within the window and the suggestion they trigger, with the rule.
#[utoipa::path(get, path = "/api/v1/cadres/{id}/escalation", tag = "督查问效",
    params(("as_of" = Option<String>, Query, description = "YYYY-MM-DD，默认今天")),
    responses((status = 200, body = EscalationView), (status = 403, body = crate::error::ErrorBody)))]
pub async fn escalation(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
    ApiQuery(q): ApiQuery<AsOf>,
) -> ApiResult<Json<EscalationView>> {
    Ok(Json(sv::escalation(&s.app, &a, id, q.as_of.as_deref()).await?))
}

#[derive(Deserialize)]
pub struct StatusQuery {
    status: Option<String>,
}

/// Supervised items in the caller's scope, earliest deadline first.
#[utoipa::path(get, path = "/api/v1/supervision/items", tag = "督查问效",
    params(("status" = Option<String>, Query, description = "green / yellow / red / done")),
    responses((status = 200, body = Vec<ItemView>)))]
pub async fn list_items(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    ApiQuery(q): ApiQuery<StatusQuery>,
) -> ApiResult<Json<Vec<ItemView>>> {
    Ok(Json(sv::list_items(&s.app, &a, q.status.as_deref()).await?))
}

#[utoipa::path(post, path = "/api/v1/supervision/items", tag = "督查问效", request_body = sv::ItemInput,
    responses((status = 201, body = ItemView), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_item(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    ApiJson(input): ApiJson<sv::ItemInput>,
) -> ApiResult<Response> {
    Ok((StatusCode::CREATED, Json(sv::create_item(&s.app, &a, &input).await?)).into_response())
}
