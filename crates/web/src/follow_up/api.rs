//! Follow-up of sanctioned cadres (回访教育, M8) in the JSON API.

use axum::{Json, extract::State};
use dandang_app::follow_up::{self as fu, FollowUpListItem, FollowUpView};
use serde::Deserialize;
use uuid::Uuid;

use crate::extract::Path;
use crate::{
    AppState,
    api::{ApiJson, ApiQuery, ApiResult},
    auth::ApiAuth,
    routes::Routes,
};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/cadres/{id}/follow-ups", cadre_follow_ups)
        .get("/api/v1/follow-ups", list_follow_ups)
        .get("/api/v1/follow-ups/{id}", get_follow_up)
        .post("/api/v1/follow-ups/{id}/mentor", name_mentor)
        .post("/api/v1/follow-ups/{id}/proposal", propose)
        .post("/api/v1/follow-ups/{id}/decision", decide)
        .post("/api/v1/follow-up-visits/{id}", record_visit)
}

#[derive(Deserialize)]
pub struct StateQuery {
    state: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/follow-ups", tag = "回访教育",
    params(("state" = Option<String>, Query, description = "mentor_pending / visiting / proposed / decided")),
    responses((status = 200, body = Vec<FollowUpListItem>)))]
pub async fn list_follow_ups(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    ApiQuery(q): ApiQuery<StateQuery>,
) -> ApiResult<Json<Vec<FollowUpListItem>>> {
    Ok(Json(fu::list(&s.app, &a, q.state.as_deref()).await?))
}

#[utoipa::path(get, path = "/api/v1/cadres/{id}/follow-ups", tag = "回访教育", responses((status = 200, body = Vec<FollowUpView>)))]
pub async fn cadre_follow_ups(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Vec<FollowUpView>>> {
    Ok(Json(fu::of_cadre(&s.app, &a, id).await?))
}

#[utoipa::path(get, path = "/api/v1/follow-ups/{id}", tag = "回访教育", responses((status = 200, body = FollowUpView)))]
pub async fn get_follow_up(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<FollowUpView>> {
    Ok(Json(fu::get(&s.app, &a, id).await?))
}

#[utoipa::path(post, path = "/api/v1/follow-ups/{id}/mentor", tag = "回访教育", request_body = fu::MentorInput,
    responses((status = 200, body = FollowUpView), (status = 409, body = crate::error::ErrorBody)))]
pub async fn name_mentor(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<fu::MentorInput>,
) -> ApiResult<Json<FollowUpView>> {
    Ok(Json(fu::name_mentor(&s.app, &a, id, &input).await?))
}

#[utoipa::path(post, path = "/api/v1/follow-up-visits/{id}", tag = "回访教育", request_body = fu::VisitInput,
    responses((status = 200, body = FollowUpView), (status = 409, body = crate::error::ErrorBody)))]
pub async fn record_visit(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<fu::VisitInput>,
) -> ApiResult<Json<FollowUpView>> {
    Ok(Json(fu::record_visit(&s.app, &a, id, &input).await?))
}

#[utoipa::path(post, path = "/api/v1/follow-ups/{id}/proposal", tag = "回访教育", request_body = fu::ProposalInput,
    responses((status = 200, body = FollowUpView), (status = 409, body = crate::error::ErrorBody)))]
pub async fn propose(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<fu::ProposalInput>,
) -> ApiResult<Json<FollowUpView>> {
    Ok(Json(fu::propose(&s.app, &a, id, &input).await?))
}

#[utoipa::path(post, path = "/api/v1/follow-ups/{id}/decision", tag = "回访教育", request_body = fu::DecisionInput,
    responses((status = 200, body = FollowUpView), (status = 409, body = crate::error::ErrorBody)))]
pub async fn decide(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<fu::DecisionInput>,
) -> ApiResult<Json<FollowUpView>> {
    Ok(Json(fu::decide(&s.app, &a, id, &input).await?))
}
