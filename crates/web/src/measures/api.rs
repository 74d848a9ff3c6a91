//! Measures and eligibility (M4, M6) in the JSON API.

use axum::{
    Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use dandang_app::{
    follow_up::{self as fu, ImpactEnding, Statistics},
    measures::{self, MeasureView},
};
use serde::Deserialize;
use uuid::Uuid;

use crate::api::{ApiJson, ApiQuery, ApiResult};
use crate::extract::Path;
use crate::routes::Routes;
use crate::{AppState, auth::ApiAuth};

pub(crate) fn routes(r: Routes) -> Routes {
    r.post("/api/v1/eligibility/check", check)
        .get("/api/v1/cadres/{id}/eligibility", cadre_eligibility)
        .get("/api/v1/cadres/{id}/measures", cadre_measures)
        .post("/api/v1/cadres/{id}/measures", create_measure)
        .get("/api/v1/units/{id}/measures", unit_measures)
        .post("/api/v1/units/{id}/measures", create_unit_measure)
        .get("/api/v1/measures/statistics", statistics)
        .post("/api/v1/measures/{id}/reply", record_reply)
        .get("/api/v1/impact/ending", ending)
}

/// The body of /eligibility/check, for the document: the domain's own
/// parser reads it, so that every bad field is named at once.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct CheckRequest {
    /// 查询日期 YYYY-MM-DD
    as_of: String,
    measures: Vec<CheckMeasure>,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct CheckMeasure {
    /// 措施种类代码（如 party_discipline、government_sanction、organizational）
    kind: String,
    /// 措施类型代码（如 warning、demerit）
    r#type: Option<String>,
    /// 生效日期 YYYY-MM-DD
    effective: String,
    /// 决定日期 YYYY-MM-DD
    decided: Option<String>,
    /// 留党察看年限
    probation_years: Option<u32>,
    /// 影响期月数（规则允许时）
    period_months: Option<u32>,
    /// 容错结果：exempted / mitigated
    tolerance: Option<String>,
    id: Option<String>,
    note: Option<String>,
    document_ref: Option<String>,
}

/// Eligibility for measures given in the request (no stored cadre): the
/// same computation as `dandang eligibility check`.
#[utoipa::path(post, path = "/api/v1/eligibility/check", operation_id = "check_eligibility", tag = "处分处理与影响期",
    request_body = CheckRequest,
    responses((status = 200, description = "promotion / further_use / candidate / award / pay_step，tracks，reasons"),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn check(
    State(s): State<AppState>,
    ApiAuth(_a): ApiAuth,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(measures::check(s.app.policy(), &body)?))
}

#[derive(Deserialize)]
pub struct AsOf {
    as_of: Option<String>,
}

/// A stored cadre's eligibility on a date (default today); the read is audited.
#[utoipa::path(get, path = "/api/v1/cadres/{id}/eligibility", tag = "处分处理与影响期",
    params(("as_of" = Option<String>, Query, description = "查询日期 YYYY-MM-DD，默认今天")),
    responses((status = 200, description = "与 /eligibility/check 相同，另含 cadre_id、措施 id"), (status = 403, body = crate::error::ErrorBody)))]
pub async fn cadre_eligibility(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
    ApiQuery(q): ApiQuery<AsOf>,
) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(measures::eligibility_json(&s.app, &a, id, q.as_of.as_deref()).await?))
}

#[utoipa::path(get, path = "/api/v1/cadres/{id}/measures", tag = "处分处理与影响期", responses((status = 200, body = Vec<MeasureView>)))]
pub async fn cadre_measures(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Vec<MeasureView>>> {
    Ok(Json(measures::list_for_cadre(&s.app, &a, id).await?))
}

#[utoipa::path(post, path = "/api/v1/cadres/{id}/measures", tag = "处分处理与影响期", request_body = measures::MeasureInput,
    responses((status = 201, body = MeasureView), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_measure(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<measures::MeasureInput>,
) -> ApiResult<Response> {
    Ok((StatusCode::CREATED, Json(measures::create(&s.app, &a, id, &input).await?)).into_response())
}

/// Accountability measures against the unit's party organization (检查、通报、改组).
#[utoipa::path(get, path = "/api/v1/units/{id}/measures", tag = "处分处理与影响期", responses((status = 200, body = Vec<MeasureView>)))]
pub async fn unit_measures(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Vec<MeasureView>>> {
    Ok(Json(measures::list_for_unit(&s.app, &a, id).await?))
}

#[utoipa::path(post, path = "/api/v1/units/{id}/measures", tag = "处分处理与影响期", request_body = measures::MeasureInput,
    responses((status = 201, body = MeasureView), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_unit_measure(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<measures::MeasureInput>,
) -> ApiResult<Response> {
    Ok((StatusCode::CREATED, Json(measures::create_for_unit(&s.app, &a, id, &input).await?)).into_response())
}

#[utoipa::path(post, path = "/api/v1/measures/{id}/reply", tag = "处分处理与影响期", request_body = measures::ReplyInput,
    responses((status = 200, body = MeasureView), (status = 409, body = crate::error::ErrorBody)))]
pub async fn record_reply(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<measures::ReplyInput>,
) -> ApiResult<Json<MeasureView>> {
    Ok(Json(measures::record_reply(&s.app, &a, id, &input).await?))
}

#[utoipa::path(get, path = "/api/v1/measures/statistics", operation_id = "measure_statistics", tag = "处分处理与影响期", responses((status = 200, body = Statistics)))]
pub async fn statistics(State(s): State<AppState>, ApiAuth(a): ApiAuth) -> ApiResult<Json<Statistics>> {
    Ok(Json(fu::statistics(&s.app, &a).await?))
}

#[derive(Deserialize)]
pub struct Days {
    days: Option<u32>,
}

/// Cadres whose promotion bar ends within the next `days` (default 30, at most 366).
#[utoipa::path(get, path = "/api/v1/impact/ending", tag = "处分处理与影响期",
    params(("days" = Option<u32>, Query, description = "天数，默认 30")), responses((status = 200, body = Vec<ImpactEnding>)))]
pub async fn ending(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    ApiQuery(q): ApiQuery<Days>,
) -> ApiResult<Json<Vec<ImpactEnding>>> {
    Ok(Json(fu::ending_within(&s.app, &a, q.days.unwrap_or(30).min(366)).await?))
}
