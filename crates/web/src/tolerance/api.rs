//! 容错纠错 (M2): cases, their steps, suggestions and the criteria in force.

use axum::{
    Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use dandang_app::{
    documents::Format,
    tolerance::{
        self as tol, CaseSummary, CaseView, Criteria, SuggestionsView,
        filings::{self, FilingView},
        library::{self as lib, LibraryCase},
    },
};
use serde::Deserialize;
use uuid::Uuid;

use crate::api::{ApiJson, ApiQuery, ApiResult};
use crate::extract::Path;
use crate::routes::Routes;
use crate::{AppState, auth::ApiAuth};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/tolerance/cases", list)
        .post("/api/v1/tolerance/cases", open)
        .get("/api/v1/tolerance/cases/{id}", get_case)
        .post("/api/v1/tolerance/cases/{id}/transitions", transition)
        .put("/api/v1/tolerance/cases/{id}/analysis", analysis)
        .get("/api/v1/tolerance/cases/{id}/suggestions", suggestions)
        .post("/api/v1/tolerance/cases/{id}/findings", finding)
        .get("/api/v1/tolerance/cases/{id}/letter.docx", letter_docx)
        .get("/api/v1/tolerance/cases/{id}/letter.pdf", letter_pdf)
        .get("/api/v1/tolerance/cases/{id}/attachments", attachments)
        .post("/api/v1/tolerance/cases/{id}/attachments", attach)
        .get("/api/v1/tolerance/cases/{id}/attachments/{aid}", attachment)
        .get("/api/v1/tolerance/copies", copies)
        .get("/api/v1/tolerance/criteria", criteria)
        .get("/api/v1/tolerance/statistics", statistics)
        .get("/api/v1/tolerance/library", library)
        .get("/api/v1/tolerance/lists", lists)
        .post("/api/v1/tolerance/lists", add_list_item)
        .post("/api/v1/tolerance/cases/{id}/publish", publish)
        .get("/api/v1/tolerance/filings", list_filings)
        .post("/api/v1/tolerance/filings", create_filing)
        .get("/api/v1/tolerance/filings/{id}", get_filing)
        .post("/api/v1/tolerance/filings/{id}/revoke", revoke_filing)
}

/// Starts a case (ex officio, on application, or from an advance filing).
#[utoipa::path(post, path = "/api/v1/tolerance/cases", tag = "容错纠错", request_body = tol::CaseInput,
    responses((status = 201, body = CaseView), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn open(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    ApiJson(input): ApiJson<tol::CaseInput>,
) -> ApiResult<Response> {
    Ok((StatusCode::CREATED, Json(tol::open(&s.app, &a, &input).await?)).into_response())
}

/// The decision letters copied to the caller's body (抄送), newest first;
/// for inspection bodies and audit departments the only way into the letters.
#[utoipa::path(get, path = "/api/v1/tolerance/copies", tag = "容错纠错",
    responses((status = 200, body = Vec<tol::CopyView>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn copies(State(s): State<AppState>, ApiAuth(a): ApiAuth) -> ApiResult<Json<Vec<tol::CopyView>>> {
    Ok(Json(tol::copies(&s.app, &a).await?))
}

/// Cases about cadres in scope, soonest deadline first, each with who owes
/// the next step, its deadline, and late / due-soon marks.
#[utoipa::path(get, path = "/api/v1/tolerance/cases", tag = "容错纠错", params(tol::CaseQuery),
    responses((status = 200, body = Vec<CaseSummary>)))]
pub async fn list(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    ApiQuery(q): ApiQuery<tol::CaseQuery>,
) -> ApiResult<Json<Vec<CaseSummary>>> {
    Ok(Json(tol::list(&s.app, &a, &q).await?))
}

/// A case with its state, the steps open to the caller and its history (audited).
#[utoipa::path(get, path = "/api/v1/tolerance/cases/{id}", operation_id = "get_tolerance_case", tag = "容错纠错",
    responses((status = 200, body = CaseView), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_case(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<CaseView>> {
    Ok(Json(tol::get(&s.app, &a, id).await?))
}

/// Moves a case: `{"action": …}`. An illegal step is 409 `illegal_transition`, a missing
/// field 422 naming it, an actor without the right 403.
#[utoipa::path(post, path = "/api/v1/tolerance/cases/{id}/transitions", operation_id = "tolerance_case_transition", tag = "容错纠错", request_body = tol::TransitionInput,
    responses((status = 200, body = CaseView), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn transition(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<tol::TransitionInput>,
) -> ApiResult<Json<CaseView>> {
    Ok(Json(tol::transition(&s.app, &a, id, &input).await?))
}

/// Records the answers to the fact questions, the analysis per factor and the cadre's statement.
#[utoipa::path(put, path = "/api/v1/tolerance/cases/{id}/analysis", tag = "容错纠错", request_body = tol::AnalysisInput,
    responses((status = 200, body = CaseView), (status = 422, body = crate::error::ErrorBody)))]
pub async fn analysis(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<tol::AnalysisInput>,
) -> ApiResult<Json<CaseView>> {
    Ok(Json(tol::record_analysis(&s.app, &a, id, &input).await?))
}

/// The situations, grounds, mitigations and exclusions that may apply, each with its source;
/// exclusions first, and an exclusion that applies blocks the exemption suggestion.
#[utoipa::path(get, path = "/api/v1/tolerance/cases/{id}/suggestions", tag = "容错纠错",
    responses((status = 200, body = SuggestionsView)))]
pub async fn suggestions(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<SuggestionsView>> {
    Ok(Json(tol::suggestions(&s.app, &a, id).await?))
}

#[derive(Deserialize)]
pub struct CriteriaQuery {
    pack: Option<String>,
    on: Option<String>,
}

/// The facts, factors, situations, grounds, exclusions and outcomes of a pack on a date.
#[utoipa::path(get, path = "/api/v1/tolerance/criteria", tag = "容错纠错",
    params(("pack" = Option<String>, Query, description = "默认为本人辖区适用的规则包"), ("on" = Option<String>, Query, description = "YYYY-MM-DD，默认今天")),
    responses((status = 200, body = Criteria)))]
pub async fn criteria(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    ApiQuery(q): ApiQuery<CriteriaQuery>,
) -> ApiResult<Json<Criteria>> {
    dandang_app::registry::require(&a, dandang_domain::access::Permission::ToleranceRead)?;
    let on = dandang_app::measures::parse_as_of(q.on.as_deref())?;
    let pack = match q.pack {
        Some(p) if s.app.policy().set.packs.contains_key(&p) => p,
        Some(_) => return Err(dandang_app::AppError::NotFound("规则包").into()),
        None => {
            s.app.policy().pack_for(dandang_app::measures::jurisdiction_code(&a.scope.jurisdiction_path)).to_string()
        }
    };
    Ok(Json(tol::criteria(&s.app, &pack, on)))
}

/// Files a risky decision in advance (前瞻性决策风险事前报备).
#[utoipa::path(post, path = "/api/v1/tolerance/filings", tag = "容错纠错", request_body = filings::FilingInput,
    responses((status = 201, body = FilingView), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_filing(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    ApiJson(input): ApiJson<filings::FilingInput>,
) -> ApiResult<Response> {
    Ok((StatusCode::CREATED, Json(filings::create(&s.app, &a, &input).await?)).into_response())
}

/// Filings of units in scope, newest first.
#[utoipa::path(get, path = "/api/v1/tolerance/filings", tag = "容错纠错", responses((status = 200, body = Vec<FilingView>)))]
pub async fn list_filings(State(s): State<AppState>, ApiAuth(a): ApiAuth) -> ApiResult<Json<Vec<FilingView>>> {
    Ok(Json(filings::list(&s.app, &a).await?))
}

#[utoipa::path(get, path = "/api/v1/tolerance/filings/{id}", tag = "容错纠错", responses((status = 200, body = FilingView)))]
pub async fn get_filing(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<FilingView>> {
    Ok(Json(filings::get(&s.app, &a, id).await?))
}

/// The discipline commission revokes a filing used as a shield.
#[utoipa::path(post, path = "/api/v1/tolerance/filings/{id}/revoke", tag = "容错纠错", request_body = filings::RevokeInput,
    responses((status = 200, body = FilingView), (status = 409, body = crate::error::ErrorBody)))]
pub async fn revoke_filing(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<filings::RevokeInput>,
) -> ApiResult<Json<FilingView>> {
    Ok(Json(filings::revoke(&s.app, &a, id, &input).await?))
}

/// The case library: full-text search in Chinese with filters, scoped by jurisdiction.
#[utoipa::path(get, path = "/api/v1/tolerance/library", tag = "容错纠错", params(lib::LibraryQuery),
    responses((status = 200, body = Vec<LibraryCase>)))]
pub async fn library(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    ApiQuery(q): ApiQuery<lib::LibraryQuery>,
) -> ApiResult<Json<Vec<LibraryCase>>> {
    Ok(Json(lib::search(&s.app, &a, &q).await?))
}

/// Publishes a closed case, anonymised, as a typical case.
#[utoipa::path(post, path = "/api/v1/tolerance/cases/{id}/publish", tag = "容错纠错", request_body = lib::PublishInput,
    responses((status = 201, body = LibraryCase), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn publish(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<lib::PublishInput>,
) -> ApiResult<Response> {
    Ok((StatusCode::CREATED, Json(lib::publish(&s.app, &a, id, &input).await?)).into_response())
}

/// Cases by state, outcome, category, unit and month; handling time; late and false corrections.
#[utoipa::path(get, path = "/api/v1/tolerance/statistics", operation_id = "tolerance_statistics", tag = "容错纠错", responses((status = 200, body = tol::Statistics)))]
pub async fn statistics(State(s): State<AppState>, ApiAuth(a): ApiAuth) -> ApiResult<Json<tol::Statistics>> {
    Ok(Json(tol::statistics(&s.app, &a).await?))
}

/// Departments' positive and negative lists.
#[utoipa::path(get, path = "/api/v1/tolerance/lists", tag = "容错纠错", responses((status = 200, body = Vec<lib::ListItem>)))]
pub async fn lists(State(s): State<AppState>, ApiAuth(a): ApiAuth) -> ApiResult<Json<Vec<lib::ListItem>>> {
    Ok(Json(lib::lists(&s.app, &a).await?))
}

#[utoipa::path(post, path = "/api/v1/tolerance/lists", tag = "容错纠错", request_body = lib::ListItemInput,
    responses((status = 201, body = lib::ListItem), (status = 422, body = crate::error::ErrorBody)))]
pub async fn add_list_item(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    ApiJson(input): ApiJson<lib::ListItemInput>,
) -> ApiResult<Response> {
    Ok((StatusCode::CREATED, Json(lib::add_list_item(&s.app, &a, &input).await?)).into_response())
}

/// Records what a later review found: a flawed decision made in good faith, or abuse of tolerance.
#[utoipa::path(post, path = "/api/v1/tolerance/cases/{id}/findings", tag = "容错纠错", request_body = tol::FindingInput,
    responses((status = 200, body = CaseView), (status = 409, body = crate::error::ErrorBody)))]
pub async fn finding(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<tol::FindingInput>,
) -> ApiResult<Json<CaseView>> {
    Ok(Json(tol::record_finding(&s.app, &a, id, &input).await?))
}

/// Attaches evidence (multipart field `file`: .pdf .jpg .png .docx .xlsx .txt).
#[utoipa::path(post, path = "/api/v1/tolerance/cases/{id}/attachments", tag = "容错纠错",
    request_body(content_type = "multipart/form-data", description = "字段 file：.pdf .jpg .png .docx .xlsx .txt"),
    responses((status = 201, body = tol::AttachmentView), (status = 413, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn attach(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
    mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<Response> {
    let (name, bytes, _) = crate::imports::api::read_upload(mp, s.app.config().upload_max_bytes).await?;
    Ok((StatusCode::CREATED, Json(tol::attach(&s.app, &a, id, &name, bytes).await?)).into_response())
}

#[utoipa::path(get, path = "/api/v1/tolerance/cases/{id}/attachments", tag = "容错纠错",
    responses((status = 200, body = Vec<tol::AttachmentView>)))]
pub async fn attachments(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Vec<tol::AttachmentView>>> {
    Ok(Json(tol::attachments(&s.app, &a, id).await?))
}

/// Downloads one attachment (audited).
#[utoipa::path(get, path = "/api/v1/tolerance/cases/{id}/attachments/{aid}", tag = "容错纠错",
    responses((status = 200, description = "文件")))]
pub async fn attachment(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    Path((id, aid)): Path<(Uuid, Uuid)>,
) -> ApiResult<Response> {
    let (v, bytes) = tol::attachment(&s.app, &a, id, aid).await?;
    Ok(crate::api::download(&v.file_name, &v.content_type, bytes))
}

/// The decision letter (容错处理决定书), or for a refused application the
/// refusal notice, as a Word document laid out per GB/T 9704.
#[utoipa::path(get, path = "/api/v1/tolerance/cases/{id}/letter.docx", tag = "容错纠错",
    responses((status = 200, description = ".docx 文件"), (status = 409, body = crate::error::ErrorBody)))]
pub async fn letter_docx(State(s): State<AppState>, ApiAuth(a): ApiAuth, Path(id): Path<Uuid>) -> ApiResult<Response> {
    Ok(letter_file(&s, &a, id, Format::Docx).await?)
}

/// The decision letter (or refusal notice) as PDF on the GB/T 9704 grid, with its font embedded.
#[utoipa::path(get, path = "/api/v1/tolerance/cases/{id}/letter.pdf", tag = "容错纠错",
    responses((status = 200, description = "PDF 文件"), (status = 409, body = crate::error::ErrorBody)))]
pub async fn letter_pdf(State(s): State<AppState>, ApiAuth(a): ApiAuth, Path(id): Path<Uuid>) -> ApiResult<Response> {
    Ok(letter_file(&s, &a, id, Format::Pdf).await?)
}

/// The decision letter as a download, for the API and the pages.
pub async fn letter_file(
    s: &AppState,
    a: &dandang_domain::access::Actor,
    id: Uuid,
    f: Format,
) -> dandang_app::error::Result<Response> {
    let (c, d) = tol::letter(&s.app, a, id).await?;
    let bytes = f.render(&d)?;
    Ok(crate::api::download(&format!("{}-{}.{}", c.cadre_name, d.title, f.extension()), f.content_type(), bytes))
}
