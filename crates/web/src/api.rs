//! What every JSON API handler shares (under /api/v1): extractors whose
//! rejections are Chinese 4xx errors, and file downloads. Every handler
//! authenticates, then calls one use case; errors come back as
//! `{"error": {"code", "message", "fields"}}`.

use axum::{
    extract::{FromRequest, FromRequestParts, Query, Request},
    http::{HeaderValue, header, request::Parts},
    response::{IntoResponse, Response},
};
use serde::de::DeserializeOwned;

use dandang_app::AppError;

use crate::{AppState, error::ApiError};

/// `Json<T>` whose rejections become Chinese 4xx errors.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, s: &AppState) -> Result<Self, Self::Rejection> {
        let json_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
            .is_some_and(|m| m == "application/json" || (m.starts_with("application/") && m.ends_with("+json")));
        if !json_type {
            return Err(ApiError(AppError::BadRequest("请求头 Content-Type 应为 application/json".into())));
        }
        let bytes = axum::body::Bytes::from_request(req, s)
            .await
            .map_err(|_| ApiError(AppError::BadRequest("请求内容读取失败或超过大小上限".into())))?;
        let v = crate::json_body::parse::<T>(&bytes).map_err(ApiError)?;
        Ok(ApiJson(v))
    }
}

/// `Query<T>` whose rejections become Chinese 4xx errors.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(e) = crate::extract::refused_query(parts) {
            return Err(ApiError(e));
        }
        Query::<T>::from_request_parts(parts, s).await.map(|Query(v)| ApiQuery(v)).map_err(ApiError::from_query)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// A file download with its content type and a Chinese file name.
pub fn download(name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let disposition =
        format!("attachment; filename=\"file\"; filename*=UTF-8''{}", crate::auth::urlencode(name).replace('/', "%2F"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// An .xlsx download with a Chinese file name.
pub fn xlsx(name: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!(
        "attachment; filename=\"export.xlsx\"; filename*=UTF-8''{}",
        crate::auth::urlencode(name).replace('/', "%2F")
    );
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        bytes,
    )
        .into_response()
}
