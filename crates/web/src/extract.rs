//! `Path` and `Query` whose rejections are Chinese: JSON under /api, the
//! error page elsewhere. A path id that is not a UUID names no record, so it
//! is answered like any record that does not exist.

use axum::{
    extract::{FromRequestParts, OptionalFromRequestParts},
    http::request::Parts,
    response::{IntoResponse, Response},
};
use dandang_app::{AppError, auth::SessionInfo};
use dandang_domain::{error::Problem, text::check_chars};
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
        if let Some(e) = refused_query(parts) {
            return Err(reject(parts, e));
        }
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

/// The first value (or key) holding a character no stored text may hold,
/// with the path of its field (`measures[2].basis`), so that every input
/// path refuses it before any use case or database sees it: PostgreSQL
/// answers NUL with an error, and a bidi override disguises what is stored.
pub fn refused_in_json(v: &serde_json::Value, path: &str) -> Option<(String, Problem)> {
    use serde_json::Value;
    match v {
        Value::String(s) => check_chars(s).err().map(|p| (path.to_string(), p)),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, x)| refused_in_json(x, &format!("{path}[{i}]"))),
        Value::Object(m) => m.iter().find_map(|(k, x)| {
            let at = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
            match check_chars(k) {
                Err(p) => Some((at, p)),
                Ok(()) => refused_in_json(x, &at),
            }
        }),
        _ => None,
    }
}

/// The same for form fields and query parameters.
pub fn refused_in_pairs(pairs: &[(String, String)]) -> Option<(String, Problem)> {
    pairs.iter().find_map(|(k, v)| check_chars(k).and_then(|()| check_chars(v)).err().map(|p| (k.clone(), p)))
}

/// A refused character in a body field, as the field's problem.
pub fn refused_field(field: &str, p: Problem) -> AppError {
    AppError::Invalid(dandang_domain::error::Invalid::single(field, &format!("字段“{field}”"), p))
}

/// A refused character in the query string.
pub fn refused_query(parts: &Parts) -> Option<AppError> {
    let q = parts.uri.query()?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q).ok()?;
    refused_in_pairs(&pairs).map(|(k, p)| AppError::BadRequest(format!("查询参数“{k}”{}", p.message_zh())))
}
