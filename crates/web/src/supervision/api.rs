//! 督查问效 (M3): triggers, interviews, escalation.

use axum::{
    Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use dandang_app::supervision::{
    self as sv, EscalationView, InterviewView, ItemView, Triggers,
    cases::{self, CaseSummary, CaseView},
    file::{self, Dashboard, Document, SupervisionFile},
    letters::{self, LetterSummary, LetterView},
};
use serde::Deserialize;
use uuid::Uuid;

use crate::api::{ApiJson, ApiQuery, ApiResult};
use crate::extract::Path;
use crate::routes::Routes;
use crate::{AppState, auth::ApiAuth};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/supervision/triggers", triggers)
        .post("/api/v1/supervision/interviews", record_interview)
        .get("/api/v1/supervision/items", list_items)
        .post("/api/v1/supervision/items", create_item)
        .get("/api/v1/supervision/items/{id}", get_item)
        .get("/api/v1/supervision/task-letters", list_letters)
        .post("/api/v1/supervision/task-letters", create_letter)
        .get("/api/v1/supervision/task-letters/{id}", get_letter)
        .post("/api/v1/supervision/task-letters/{id}/reviews", review_letter)
        .post("/api/v1/supervision/items/{id}/reports", report_item)
        .get("/api/v1/cadres/{id}/escalation", escalation)
        .get("/api/v1/supervision/cases", list_cases)
        .post("/api/v1/supervision/cases", open_case)
        .get("/api/v1/supervision/cases/{id}", get_case)
        .post("/api/v1/supervision/cases/{id}/transitions", transition)
        .post("/api/v1/supervision/cases/{id}/escalation-decision", decide_escalation)
        .get("/api/v1/supervision/cases/{id}/documents", documents)
        .get("/api/v1/supervision/cases/{id}/documents.pdf", documents_pdf)
        .get("/api/v1/supervision/dashboard", dashboard)
        .get("/api/v1/cadres/{id}/supervision-file", supervision_file)
        .get("/api/v1/cadres/{id}/supervision-file/export", export_file)
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
    responses((status = 200, body = EscalationView), (status = 403, body = crate::error::ErrorBody),
        (status = 409, description = "该日期适用的规则包没有约谈升级规则", body = crate::error::ErrorBody)))]
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

/// Opens an interview request or a reminder draft (state `requested`).
#[utoipa::path(post, path = "/api/v1/supervision/cases", tag = "督查问效", request_body = cases::CaseInput,
    responses((status = 201, body = CaseView), (status = 422, body = crate::error::ErrorBody)))]
pub async fn open_case(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    ApiJson(input): ApiJson<cases::CaseInput>,
) -> ApiResult<Response> {
    Ok((StatusCode::CREATED, Json(cases::open(&s.app, &a, &input).await?)).into_response())
}

/// Reminders and interviews in scope; `todo=true` for the caller's inbox.
#[utoipa::path(get, path = "/api/v1/supervision/cases", tag = "督查问效", params(cases::CaseQuery),
    responses((status = 200, body = Vec<CaseSummary>)))]
pub async fn list_cases(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    ApiQuery(q): ApiQuery<cases::CaseQuery>,
) -> ApiResult<Json<Vec<CaseSummary>>> {
    Ok(Json(cases::list(&s.app, &a, &q).await?))
}

/// A case with its state, owner, deadline, the steps open to the caller and its history.
#[utoipa::path(get, path = "/api/v1/supervision/cases/{id}", operation_id = "get_supervision_case", tag = "督查问效",
    responses((status = 200, body = CaseView), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_case(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<CaseView>> {
    Ok(Json(cases::get(&s.app, &a, id).await?))
}

/// Takes one step: `{"action": "approve" | "reject" | "withdraw" | "plan" | "hold" | "issue" |
/// "submit_plan" | "report" | "finish" | "pass" | "fail", ...}`. An illegal step is 409
/// `illegal_transition`; a missing field 422 naming it; a role without the right 403.
#[utoipa::path(post, path = "/api/v1/supervision/cases/{id}/transitions", operation_id = "supervision_case_transition", tag = "督查问效", request_body = cases::TransitionInput,
    responses((status = 200, body = CaseView), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn transition(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<cases::TransitionInput>,
) -> ApiResult<Json<CaseView>> {
    Ok(Json(cases::transition(&s.app, &a, id, &input).await?))
}

/// Accepts (recording the measure) or declines the escalation suggestion of a held interview.
#[utoipa::path(post, path = "/api/v1/supervision/cases/{id}/escalation-decision", tag = "督查问效",
    request_body = cases::EscalationDecisionInput,
    responses((status = 200, body = CaseView), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn decide_escalation(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<cases::EscalationDecisionInput>,
) -> ApiResult<Json<CaseView>> {
    Ok(Json(cases::decide_escalation(&s.app, &a, id, &input).await?))
}

/// The reminder letter and work notice of an issued reminder.
#[utoipa::path(get, path = "/api/v1/supervision/cases/{id}/documents", tag = "督查问效",
    responses((status = 200, body = Vec<Document>), (status = 409, body = crate::error::ErrorBody)))]
pub async fn documents(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Vec<Document>>> {
    Ok(Json(file::reminder_documents(&s.app, &a, id).await?))
}

/// The reminder letter and work notice as one PDF (GB/T 9704 layout, font embedded).
#[utoipa::path(get, path = "/api/v1/supervision/cases/{id}/documents.pdf", tag = "督查问效",
    responses((status = 200, description = "PDF 文件"), (status = 409, body = crate::error::ErrorBody)))]
pub async fn documents_pdf(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    Ok(documents_file(&s, &a, id).await?)
}

/// The reminder's documents as a PDF download, for the API and the pages.
pub async fn documents_file(
    s: &AppState,
    a: &dandang_domain::access::Actor,
    id: Uuid,
) -> dandang_app::error::Result<Response> {
    let (name, bytes) = file::reminder_documents_pdf(&s.app, a, id).await?;
    Ok(crate::api::download(&format!("{name}-提醒函和工作通知.pdf"), "application/pdf", bytes))
}

/// Items by light, units ranked by overdue, interviews this year, rectification, the caller's to-dos.
#[utoipa::path(get, path = "/api/v1/supervision/dashboard", tag = "督查问效", responses((status = 200, body = Dashboard)))]
pub async fn dashboard(State(s): State<AppState>, ApiAuth(a): ApiAuth) -> ApiResult<Json<Dashboard>> {
    Ok(Json(file::dashboard(&s.app, &a).await?))
}

/// A cadre's supervision file in time order (audited).
#[utoipa::path(get, path = "/api/v1/cadres/{id}/supervision-file", tag = "督查问效",
    responses((status = 200, body = SupervisionFile), (status = 403, body = crate::error::ErrorBody)))]
pub async fn supervision_file(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<SupervisionFile>> {
    Ok(Json(file::file(&s.app, &a, id).await?))
}

#[utoipa::path(get, path = "/api/v1/cadres/{id}/supervision-file/export", tag = "督查问效",
    responses((status = 200, description = ".xlsx 文件")))]
pub async fn export_file(State(s): State<AppState>, ApiAuth(a): ApiAuth, Path(id): Path<Uuid>) -> ApiResult<Response> {
    let (name, bytes) = file::export_file(&s.app, &a, id).await?;
    Ok(crate::api::xlsx(&name, bytes))
}

/// An item with its milestones and progress reports.
#[utoipa::path(get, path = "/api/v1/supervision/items/{id}", tag = "督查问效",
    responses((status = 200, body = ItemView), (status = 403, body = crate::error::ErrorBody)))]
pub async fn get_item(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<ItemView>> {
    Ok(Json(sv::get_item(&s.app, &a, id).await?))
}

/// A unit reports progress; it may mark a milestone done or (lead unit) the item complete.
#[utoipa::path(post, path = "/api/v1/supervision/items/{id}/reports", tag = "督查问效", request_body = sv::ReportInput,
    responses((status = 201, body = ItemView), (status = 422, body = crate::error::ErrorBody)))]
pub async fn report_item(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<sv::ReportInput>,
) -> ApiResult<Response> {
    Ok((StatusCode::CREATED, Json(sv::report_item(&s.app, &a, id, &input).await?)).into_response())
}

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
}

/// Task letters in scope, newest year first.
#[utoipa::path(get, path = "/api/v1/supervision/task-letters", tag = "督查问效",
    params(("year" = Option<i32>, Query, description = "年度")), responses((status = 200, body = Vec<LetterSummary>)))]
pub async fn list_letters(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> ApiResult<Json<Vec<LetterSummary>>> {
    Ok(Json(letters::list(&s.app, &a, q.year).await?))
}

/// Sets a leader's task letter for a year over supervised items.
#[utoipa::path(post, path = "/api/v1/supervision/task-letters", tag = "督查问效", request_body = letters::LetterInput,
    responses((status = 201, body = LetterView), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_letter(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    ApiJson(input): ApiJson<letters::LetterInput>,
) -> ApiResult<Response> {
    Ok((StatusCode::CREATED, Json(letters::create(&s.app, &a, &input).await?)).into_response())
}

/// A task letter with each item's outcome at mid-year and at year end.
#[utoipa::path(get, path = "/api/v1/supervision/task-letters/{id}", tag = "督查问效",
    responses((status = 200, body = LetterView), (status = 403, body = crate::error::ErrorBody)))]
pub async fn get_letter(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<LetterView>> {
    Ok(Json(letters::get(&s.app, &a, id).await?))
}

/// Records the mid-year tracking (`midyear`) or the year-end reconciliation (`year_end`), once each.
#[utoipa::path(post, path = "/api/v1/supervision/task-letters/{id}/reviews", tag = "督查问效", request_body = letters::ReviewInput,
    responses((status = 200, body = LetterView), (status = 409, body = crate::error::ErrorBody)))]
pub async fn review_letter(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<letters::ReviewInput>,
) -> ApiResult<Json<LetterView>> {
    Ok(Json(letters::review(&s.app, &a, id, &input).await?))
}
