//! `Path` and `Query` whose rejections are Chinese: JSON under /api, the
//! error page elsewhere. A path id that is not a UUID names no record, so it
//! is answered like any record that does not exist.

use axum::{
    extract::{FromRequestParts, OptionalFromRequestParts},
    http::request::Parts,
    response::{IntoResponse, Response},
};
use dandang_app::{AppError, auth::SessionInfo};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, translate_serde};

fn reject(parts: &Parts, e: AppError) -> Response {
    if parts.uri.path().starts_with("/api/") {
        ApiError(e).into_response()
    } else {
        crate::pages::page_error(e, parts.extensions.get::<SessionInfo>())
    }
}

pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Self::Rejection> {
        match <axum::extract::Path<T> as FromRequestParts<S>>::from_request_parts(parts, s).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(_) => Err(reject(parts, AppError::NotFound("记录"))),
        }
    }
}

pub struct Query<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Self::Rejection> {
        match <axum::extract::Query<T> as FromRequestParts<S>>::from_request_parts(parts, s).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(e) => {
                let t = e.body_text();
                let detail = t.strip_prefix("Failed to deserialize query string: ").unwrap_or(&t);
                Err(reject(parts, AppError::BadRequest(format!("查询参数有误：{}", translate_serde(detail)))))
            }
        }
    }
}

impl<T: DeserializeOwned + Send, S: Send + Sync> OptionalFromRequestParts<S> for Query<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Option<Self>, Self::Rejection> {
        <Query<T> as FromRequestParts<S>>::from_request_parts(parts, s).await.map(Some)
    }
}

/// A date field a form may send empty (`from=&to=`): empty means absent.
pub fn blank_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<chrono::NaiveDate>, D::Error> {
    let s: Option<String> = serde::Deserialize::deserialize(d)?;
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| serde::de::Error::custom("日期应写作 YYYY-MM-DD")),
    }
}
