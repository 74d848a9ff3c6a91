//! Import pages: upload → report → commit.

#[allow(unused_imports)] // askama resolves `|zh` through this path
use crate::filters;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Multipart, State, multipart::MultipartRejection},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use dandang_app::{
    AppError,
    imports::{self, BatchView, ImportKind, ImportReport},
};
use uuid::Uuid;

use crate::extract::Path;
use crate::pages::{Layout, OrPage, PageError, PageResult, layout};
use crate::{
    AppState,
    auth::{CsrfForm, UiAuth, same},
    routes::Routes,
};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/imports", page)
        .post("/imports", upload)
        .post("/imports/{id}/commit", commit)
        .get("/imports/template/{kind}", template)
}

pub struct KindInfo {
    pub code: &'static str,
    pub label: &'static str,
    pub columns: Vec<(&'static str, bool, &'static str)>,
}

fn kinds(actor: &dandang_domain::access::Actor) -> Vec<KindInfo> {
    ImportKind::allowed(actor)
        .iter()
        .map(|k| KindInfo {
            code: k.code(),
            label: k.label_zh(),
            columns: k.columns().iter().map(|c| (c.header, c.required, c.hint)).collect(),
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "imports.html")]
struct ImportsPage {
    l: Layout,
    kinds: Vec<KindInfo>,
    recent: Vec<BatchView>,
    report: Option<ImportReport>,
    max_mb: usize,
}

impl ImportsPage {
    /// The kind of the report just shown stays selected for the next upload.
    fn selected(&self, code: &str) -> bool {
        self.report.as_ref().is_some_and(|r| r.kind.code() == code)
    }
}

async fn render(
    s: &AppState,
    info: &dandang_app::auth::SessionInfo,
    report: Option<ImportReport>,
    status: StatusCode,
) -> PageResult {
    let recent = imports::recent(&s.app, &info.actor).await.or_page(info)?;
    Ok((
        status,
        ImportsPage {
            l: layout(info, "数据导入", "/imports"),
            kinds: kinds(&info.actor),
            recent,
            report,
            max_mb: s.app.config().upload_max_bytes / (1024 * 1024),
        },
    )
        .into_response())
}

async fn page(State(s): State<AppState>, UiAuth(info): UiAuth) -> PageResult {
    if ImportKind::allowed(&info.actor).is_empty() {
        return Err(PageError(AppError::Forbidden, Some(Box::new(info))));
    }
    render(&s, &info, None, StatusCode::OK).await
}

async fn upload(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    mp: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let (name, bytes, fields) =
        crate::imports::api::read_upload(mp, s.app.config().upload_max_bytes).await.or_page(&info)?;
    let csrf_ok = fields.iter().any(|(k, v)| k == "_csrf" && same(v, &info.csrf));
    if !csrf_ok {
        return Err(PageError(AppError::Csrf, Some(Box::new(info))));
    }
    let kind = fields.iter().find(|(k, _)| k == "kind").map(|(_, v)| v.as_str()).unwrap_or("");
    let kind = ImportKind::parse(kind).or_page(&info)?;
    let report = imports::validate(&s.app, &info.actor, kind, &name, bytes).await.or_page(&info)?;
    let status = if report.ok { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    render(&s, &info, Some(report), status).await
}

#[derive(serde::Deserialize)]
struct Empty {}

async fn commit(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(_, _): CsrfForm<Empty>,
) -> PageResult {
    let report = imports::commit(&s.app, &info.actor, id).await.or_page(&info)?;
    let status = if report.ok { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    render(&s, &info, Some(report), status).await
}

async fn template(UiAuth(info): UiAuth, Path(kind): Path<String>) -> Result<Response, PageError> {
    let kind = ImportKind::parse(kind.trim_end_matches(".xlsx")).or_page(&info)?;
    let bytes = imports::template(&info.actor, kind).or_page(&info)?;
    Ok(crate::api::xlsx(&format!("{}导入模板.xlsx", kind.label_zh()), bytes))
}
