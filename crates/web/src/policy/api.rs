use axum::{Json, extract::State};
use chrono::NaiveDate;
use dandang_app::{
    AppError,
    policy::{PackDetail, PackSummary},
    workdays::{self, Computed, DayInfo},
};
use dandang_domain::policy::TestOutcome;
use serde::Deserialize;

use crate::api::{ApiQuery, ApiResult};
use crate::extract::Path;
use crate::routes::Routes;
use crate::{AppState, auth::ApiAuth};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/policy/packs", packs)
        .get("/api/v1/policy/packs/{id}", pack)
        .get("/api/v1/policy/check", check)
        .get("/api/v1/workdays/add", add)
        .get("/api/v1/workdays/between", between)
        .get("/api/v1/workdays/day", day)
}

#[utoipa::path(get, path = "/api/v1/policy/packs", tag = "规则库", responses((status = 200, body = Vec<PackSummary>)))]
pub async fn packs(State(s): State<AppState>, ApiAuth(_): ApiAuth) -> Json<Vec<PackSummary>> {
    Json(s.app.policy().summaries())
}

#[derive(Deserialize)]
pub struct OnQuery {
    pub on: Option<String>,
}

/// A pack with its layers as in force on `on` (default today): catalogues
/// with sources and confidence, documents, holiday notices.
#[utoipa::path(get, path = "/api/v1/policy/packs/{id}", tag = "规则库", params(("id" = String, Path, description = "规则包标识，如 cn、cn-hb、cn-hb-yc"), ("on" = Option<String>, Query, description = "YYYY-MM-DD")),
    responses((status = 200, body = PackDetail), (status = 404, body = crate::error::ErrorBody)))]
pub async fn pack(
    State(s): State<AppState>,
    ApiAuth(_): ApiAuth,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<OnQuery>,
) -> ApiResult<Json<PackDetail>> {
    let on = match q.on.as_deref().filter(|s| !s.is_empty()) {
        Some(d) => workdays::parse_date_arg("on", "查询日期", d)?,
        None => dandang_app::clock::today(),
    };
    Ok(Json(s.app.policy().detail(&id, on).ok_or(AppError::NotFound("规则包"))?))
}

/// Runs every pack's own test cases.
#[utoipa::path(get, path = "/api/v1/policy/check", operation_id = "check_packs", tag = "规则库", responses((status = 200, description = "各规则包自带测试用例的结果")))]
pub async fn check(State(s): State<AppState>, ApiAuth(_): ApiAuth) -> Json<Vec<TestOutcome>> {
    Json(s.app.policy().run_tests())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AddQuery {
    /// YYYY-MM-DD
    pub date: String,
    /// Working days to add (1–36600).
    pub n: String,
}

/// The n-th working day strictly after `date`.
#[utoipa::path(get, path = "/api/v1/workdays/add", tag = "工作日", params(AddQuery),
    responses((status = 200, body = Computed<NaiveDate>), (status = 422, body = crate::error::ErrorBody)))]
pub async fn add(
    State(s): State<AppState>,
    ApiAuth(_): ApiAuth,
    ApiQuery(q): ApiQuery<AddQuery>,
) -> ApiResult<Json<Computed<NaiveDate>>> {
    let d = workdays::parse_date_arg("date", "起始日期", &q.date)?;
    let n = workdays::parse_n(&q.n)?;
    Ok(Json(workdays::add(&s.app, d, n)?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BetweenQuery {
    pub from: String,
    pub to: String,
}

/// How many working days d satisfy from < d <= to.
#[utoipa::path(get, path = "/api/v1/workdays/between", tag = "工作日", params(BetweenQuery),
    responses((status = 200, body = Computed<u32>), (status = 422, body = crate::error::ErrorBody)))]
pub async fn between(
    State(s): State<AppState>,
    ApiAuth(_): ApiAuth,
    ApiQuery(q): ApiQuery<BetweenQuery>,
) -> ApiResult<Json<Computed<u32>>> {
    let from = workdays::parse_date_arg("from", "开始日期", &q.from)?;
    let to = workdays::parse_date_arg("to", "结束日期", &q.to)?;
    Ok(Json(workdays::between(&s.app, from, to)?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DayQuery {
    pub date: String,
}

#[utoipa::path(get, path = "/api/v1/workdays/day", tag = "工作日", params(DayQuery), responses((status = 200, body = Computed<DayInfo>)))]
pub async fn day(
    State(s): State<AppState>,
    ApiAuth(_): ApiAuth,
    ApiQuery(q): ApiQuery<DayQuery>,
) -> ApiResult<Json<Computed<DayInfo>>> {
    let d = workdays::parse_date_arg("date", "日期", &q.date)?;
    Ok(Json(workdays::day(&s.app, d)))
}
