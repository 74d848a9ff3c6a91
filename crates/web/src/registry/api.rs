use axum::{
    Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use dandang_app::registry::{
    Page, appointments as ap, cadres, jurisdictions as js, posts,
    units::{self, UnitQuery},
};
use serde::Serialize;
use uuid::Uuid;

use crate::api::{ApiJson, ApiQuery, ApiResult, xlsx};
use crate::extract::Path;
use crate::routes::Routes;
use crate::{AppState, auth::ApiAuth};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/me", me)
        .get("/api/v1/jurisdictions", list_jurisdictions)
        .post("/api/v1/jurisdictions", create_jurisdiction)
        .get("/api/v1/jurisdictions/export", export_jurisdictions)
        .get("/api/v1/units", list_units)
        .post("/api/v1/units", create_unit)
        .get("/api/v1/units/export", export_units)
        .get("/api/v1/units/{id}", get_unit)
        .put("/api/v1/units/{id}", update_unit)
        .get("/api/v1/units/{id}/children", unit_children)
        .get("/api/v1/units/{id}/posts", unit_posts)
        .post("/api/v1/units/{id}/posts", create_post)
        .get("/api/v1/cadres", list_cadres)
        .post("/api/v1/cadres", create_cadre)
        .get("/api/v1/cadres/export", export_cadres)
        .get("/api/v1/cadres/{id}", get_cadre)
        .put("/api/v1/cadres/{id}", update_cadre)
        .get("/api/v1/cadres/{id}/appointments", cadre_appointments)
        .post("/api/v1/cadres/{id}/appointments", create_appointment)
        .post("/api/v1/appointments/{id}/end", end_appointment)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct MeView {
    pub user_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub role_label: String,
    pub jurisdiction_path: String,
    pub managed_by: Vec<String>,
    pub unit_id: Option<Uuid>,
    pub cadre_id: Option<Uuid>,
}

/// The caller, with role and scope.
#[utoipa::path(get, path = "/api/v1/me", tag = "会话", responses((status = 200, body = MeView)))]
pub async fn me(ApiAuth(a): ApiAuth) -> Json<MeView> {
    Json(MeView {
        user_id: a.user_id.0,
        username: a.username,
        display_name: a.display_name,
        role: a.role.code().into(),
        role_label: a.role.label_zh().into(),
        jurisdiction_path: a.scope.jurisdiction_path.clone(),
        managed_by: a.scope.managed_by.iter().map(|m| m.code().to_string()).collect(),
        unit_id: a.scope.unit_id.map(|u| u.0),
        cadre_id: a.scope.cadre_id.map(|c| c.0),
    })
}

/// Jurisdictions under the caller's scope, in tree order.
#[utoipa::path(get, path = "/api/v1/jurisdictions", tag = "干部信息库", responses((status = 200, body = Vec<js::JurisdictionView>)))]
pub async fn list_jurisdictions(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
) -> ApiResult<Json<Vec<js::JurisdictionView>>> {
    Ok(Json(js::list(&s.app, &a).await?))
}

#[utoipa::path(get, path = "/api/v1/jurisdictions/export", tag = "干部信息库", responses((status = 200, description = ".xlsx 文件")))]
pub async fn export_jurisdictions(State(s): State<AppState>, ApiAuth(a): ApiAuth) -> ApiResult<Response> {
    Ok(xlsx("行政区划.xlsx", dandang_app::exports::jurisdictions(&s.app, &a).await?))
}

#[utoipa::path(post, path = "/api/v1/jurisdictions", tag = "干部信息库", request_body = js::JurisdictionInput,
    responses((status = 201, body = js::JurisdictionView), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_jurisdiction(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    ApiJson(input): ApiJson<js::JurisdictionInput>,
) -> ApiResult<Response> {
    Ok((StatusCode::CREATED, Json(js::create(&s.app, &a, &input).await?)).into_response())
}

#[utoipa::path(get, path = "/api/v1/units", tag = "干部信息库", params(UnitQuery),
    responses((status = 200, body = Page<units::UnitView>)))]
pub async fn list_units(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    ApiQuery(q): ApiQuery<UnitQuery>,
) -> ApiResult<Json<Page<units::UnitView>>> {
    Ok(Json(units::list(&s.app, &a, &q).await?))
}

#[utoipa::path(get, path = "/api/v1/units/export", tag = "干部信息库", params(UnitQuery), responses((status = 200, description = ".xlsx 文件")))]
pub async fn export_units(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    ApiQuery(q): ApiQuery<UnitQuery>,
) -> ApiResult<Response> {
    let bytes = dandang_app::exports::units(&s.app, &a, &q).await?;
    Ok(xlsx("单位名册.xlsx", bytes))
}

#[utoipa::path(post, path = "/api/v1/units", tag = "干部信息库", request_body = units::UnitInput,
    responses((status = 201, body = units::UnitView), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_unit(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    ApiJson(input): ApiJson<units::UnitInput>,
) -> ApiResult<Response> {
    Ok((StatusCode::CREATED, Json(units::create(&s.app, &a, &input).await?)).into_response())
}

#[utoipa::path(get, path = "/api/v1/units/{id}", tag = "干部信息库", responses((status = 200, body = units::UnitView), (status = 403, body = crate::error::ErrorBody)))]
pub async fn get_unit(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<units::UnitView>> {
    Ok(Json(units::get(&s.app, &a, id).await?))
}

#[utoipa::path(put, path = "/api/v1/units/{id}", tag = "干部信息库", request_body = units::UnitUpdate,
    responses((status = 200, body = units::UnitView), (status = 409, body = crate::error::ErrorBody)))]
pub async fn update_unit(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<units::UnitUpdate>,
) -> ApiResult<Json<units::UnitView>> {
    Ok(Json(units::update(&s.app, &a, id, &input).await?))
}

#[utoipa::path(get, path = "/api/v1/units/{id}/children", tag = "干部信息库", responses((status = 200, body = Vec<units::UnitView>)))]
pub async fn unit_children(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Vec<units::UnitView>>> {
    Ok(Json(units::children(&s.app, &a, id).await?))
}

#[utoipa::path(get, path = "/api/v1/units/{id}/posts", tag = "干部信息库", responses((status = 200, body = Vec<posts::PostView>)))]
pub async fn unit_posts(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Vec<posts::PostView>>> {
    Ok(Json(posts::of_unit(&s.app, &a, id).await?))
}

#[utoipa::path(post, path = "/api/v1/units/{id}/posts", tag = "干部信息库", request_body = posts::PostInput,
    responses((status = 201, body = posts::PostView)))]
pub async fn create_post(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<posts::PostInput>,
) -> ApiResult<Response> {
    Ok((StatusCode::CREATED, Json(posts::create(&s.app, &a, id, &input).await?)).into_response())
}

#[utoipa::path(get, path = "/api/v1/cadres", tag = "干部信息库", params(cadres::CadreQuery),
    responses((status = 200, body = Page<cadres::CadreListItem>), (status = 422, body = crate::error::ErrorBody)))]
pub async fn list_cadres(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    ApiQuery(q): ApiQuery<cadres::CadreQuery>,
) -> ApiResult<Json<Page<cadres::CadreListItem>>> {
    Ok(Json(cadres::list(&s.app, &a, &q).await?))
}

#[utoipa::path(get, path = "/api/v1/cadres/export", tag = "干部信息库", params(cadres::CadreQuery), responses((status = 200, description = ".xlsx 文件，列与导入模板一致")))]
pub async fn export_cadres(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    ApiQuery(q): ApiQuery<cadres::CadreQuery>,
) -> ApiResult<Response> {
    Ok(xlsx("干部名册.xlsx", dandang_app::exports::cadres(&s.app, &a, &q).await?))
}

#[utoipa::path(post, path = "/api/v1/cadres", tag = "干部信息库", request_body = cadres::CadreInput,
    responses((status = 201, body = cadres::CadreDetail), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_cadre(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    ApiJson(input): ApiJson<cadres::CadreInput>,
) -> ApiResult<Response> {
    Ok((StatusCode::CREATED, Json(cadres::create(&s.app, &a, &input).await?)).into_response())
}

/// One cadre's record with appointments and timeline (the read is audited).
#[utoipa::path(get, path = "/api/v1/cadres/{id}", tag = "干部信息库",
    responses((status = 200, body = cadres::CadreDetail), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_cadre(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<cadres::CadreDetail>> {
    Ok(Json(cadres::get(&s.app, &a, id).await?))
}

#[utoipa::path(put, path = "/api/v1/cadres/{id}", tag = "干部信息库", request_body = cadres::CadreUpdate,
    responses((status = 200, body = cadres::CadreDetail), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn update_cadre(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<cadres::CadreUpdate>,
) -> ApiResult<Json<cadres::CadreDetail>> {
    Ok(Json(cadres::update(&s.app, &a, id, &input).await?))
}

#[utoipa::path(get, path = "/api/v1/cadres/{id}/appointments", tag = "干部信息库", responses((status = 200, body = Vec<ap::AppointmentView>)))]
pub async fn cadre_appointments(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Vec<ap::AppointmentView>>> {
    Ok(Json(cadres::get(&s.app, &a, id).await?.appointments))
}

#[utoipa::path(post, path = "/api/v1/cadres/{id}/appointments", tag = "干部信息库", request_body = ap::AppointmentInput,
    responses((status = 201, body = ap::AppointmentView), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_appointment(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<ap::AppointmentInput>,
) -> ApiResult<Response> {
    Ok((StatusCode::CREATED, Json(ap::create(&s.app, &a, id, &input).await?)).into_response())
}

#[utoipa::path(post, path = "/api/v1/appointments/{id}/end", tag = "干部信息库", request_body = ap::EndInput,
    responses((status = 200, body = ap::AppointmentView), (status = 409, body = crate::error::ErrorBody)))]
pub async fn end_appointment(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<ap::EndInput>,
) -> ApiResult<Json<ap::AppointmentView>> {
    Ok(Json(ap::end(&s.app, &a, id, &input).await?))
}
