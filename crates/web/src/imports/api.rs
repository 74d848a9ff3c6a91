use axum::{
    Json,
    extract::{Multipart, State, multipart::MultipartRejection},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use dandang_app::{
    AppError,
    imports::{self, BatchView, ImportKind, ImportReport},
};
use serde::Deserialize;
use uuid::Uuid;

use crate::api::{ApiQuery, ApiResult, xlsx};
use crate::extract::Path;
use crate::routes::Routes;
use crate::{AppState, auth::ApiAuth};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/imports", recent)
        .post("/api/v1/imports", upload)
        .post("/api/v1/imports/{id}/commit", commit)
        .get("/api/v1/imports/templates/{kind}", template)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KindQuery {
    /// cadres / units / appointments / measures / supervised_items
    pub kind: String,
}

/// A 422 from an import: the report when rows have problems, the error shape
/// when the file itself is refused (unreadable, too large a sheet, wrong kind).
#[derive(serde::Serialize, utoipa::ToSchema)]
#[allow(dead_code)] // describes the document only
#[serde(untagged)]
pub enum ImportRefusal {
    Report(ImportReport),
    Refused(crate::error::ErrorBody),
}

/// Reads the `file` part of a multipart upload, enforcing the size limit.
pub async fn read_upload(
    mp: Result<Multipart, MultipartRejection>,
    max: usize,
) -> Result<(String, Vec<u8>, Vec<(String, String)>), AppError> {
    let mut mp = mp.map_err(|_| AppError::BadRequest("请以 multipart/form-data 上传文件（字段名 file）".into()))?;
    let mut file = None;
    let mut fields = Vec::new();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(AppError::TooLarge { max_bytes: max }),
            Err(_) => return Err(AppError::BadRequest("上传内容不完整或格式有误".into())),
        };
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("upload.xlsx").to_string();
            dandang_domain::text::check_chars(&file_name).map_err(|p| AppError::invalid("file", "文件名", p))?;
            let bytes = field.bytes().await.map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::TooLarge { max_bytes: max }
                } else {
                    AppError::BadRequest("文件上传中断".into())
                }
            })?;
            if bytes.len() > max {
                return Err(AppError::TooLarge { max_bytes: max });
            }
            file = Some((file_name, bytes.to_vec()));
        } else {
            let v = field.text().await.unwrap_or_default();
            fields.push((name, v));
        }
    }
    if let Some((field, p)) = crate::extract::refused_in_pairs(&fields) {
        return Err(crate::extract::refused_field(&field, p));
    }
    let (n, b) = file.ok_or_else(|| AppError::invalid("file", "上传文件", dandang_domain::error::Problem::Required))?;
    if b.is_empty() {
        return Err(AppError::invalid("file", "上传文件", dandang_domain::error::Problem::Required));
    }
    Ok((n, b, fields))
}

/// Phase one: upload and validate. The report lists every problem with row
/// and column; nothing is written to the registry.
#[utoipa::path(post, path = "/api/v1/imports", tag = "导入导出", params(KindQuery),
    request_body(content_type = "multipart/form-data", description = "字段 file：.xlsx 或 .xls 文件"),
    responses((status = 200, body = ImportReport), (status = 413, body = crate::error::ErrorBody), (status = 422, body = ImportRefusal)))]
pub async fn upload(
    State(s): State<AppState>,
    ApiAuth(a): ApiAuth,
    ApiQuery(q): ApiQuery<KindQuery>,
    mp: Result<Multipart, MultipartRejection>,
) -> ApiResult<Response> {
    let kind = ImportKind::parse(&q.kind)?;
    if !a.can(kind.permission()) {
        return Err(AppError::Forbidden.into());
    }
    let (name, bytes, _) = read_upload(mp, s.app.config().upload_max_bytes).await?;
    let report = imports::validate(&s.app, &a, kind, &name, bytes).await?;
    let code = if report.ok { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((code, Json(report)).into_response())
}

/// Phase two: all rows or none.
#[utoipa::path(post, path = "/api/v1/imports/{id}/commit", tag = "导入导出",
    responses((status = 200, body = ImportReport), (status = 409, body = crate::error::ErrorBody), (status = 422, body = ImportRefusal)))]
pub async fn commit(State(s): State<AppState>, ApiAuth(a): ApiAuth, Path(id): Path<Uuid>) -> ApiResult<Response> {
    let report = imports::commit(&s.app, &a, id).await?;
    let code = if report.ok { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((code, Json(report)).into_response())
}

#[utoipa::path(get, path = "/api/v1/imports", tag = "导入导出", responses((status = 200, body = Vec<BatchView>)))]
pub async fn recent(State(s): State<AppState>, ApiAuth(a): ApiAuth) -> ApiResult<Json<Vec<BatchView>>> {
    Ok(Json(imports::recent(&s.app, &a).await?))
}

#[utoipa::path(get, path = "/api/v1/imports/templates/{kind}", tag = "导入导出",
    params(("kind" = String, Path, description = "cadres / units / appointments / measures / supervised_items，可带 .xlsx")), responses((status = 200, description = ".xlsx 模板")))]
pub async fn template(ApiAuth(a): ApiAuth, Path(kind): Path<String>) -> ApiResult<Response> {
    // A template that does not exist is a path that does not exist.
    let kind = ImportKind::parse(kind.trim_end_matches(".xlsx")).map_err(|_| AppError::NotFound("导入模板"))?;
    Ok(xlsx(&format!("{}导入模板.xlsx", kind.label_zh()), imports::template(&a, kind)?))
}
