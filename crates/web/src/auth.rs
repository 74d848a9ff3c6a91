//! Who is calling: a bearer token (integrations) or the session cookie (the
//! UI and htmx calls). Cookie-authenticated writes must carry the session's
//! CSRF token, in the `X-CSRF-Token` header or a `_csrf` form field.

use axum::{
    extract::{FromRequest, FromRequestParts, Request},
    http::{Method, header, request::Parts},
    response::{IntoResponse, Redirect, Response},
};
use dandang_app::{AppError, auth::SessionInfo};
use dandang_domain::access::Actor;
use serde::de::DeserializeOwned;

use crate::{AppState, REQUEST_ID, error::ApiError, pages::page_error};

pub const SESSION_COOKIE: &str = "dandang_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

pub fn request_id(parts: &Parts) -> Option<String> {
    parts.headers.get(&REQUEST_ID).and_then(|v| v.to_str().ok()).map(String::from)
}

pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    cookie_in(&parts.headers, name)
}

pub fn cookie_in(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn is_unsafe(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn csrf_header(parts: &Parts) -> Option<String> {
    parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(String::from)
}

/// Constant-time comparison, so the token cannot be guessed byte by byte.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The caller of an API endpoint. An account that must still change its
/// one-time password opens nothing through the API, by token or by session:
/// the forced change applies to every route, not only to pages.
pub struct ApiAuth(pub Actor);

impl FromRequestParts<AppState> for ApiAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Self::Rejection> {
        let rid = request_id(parts);
        if let Some(h) = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
            let token =
                h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")).ok_or(AppError::Unauthenticated)?;
            let t = dandang_app::auth::authenticate_token(&s.app, token, rid).await?;
            if t.must_change_password {
                return Err(AppError::PasswordChangeRequired.into());
            }
            return Ok(ApiAuth(t.actor));
        }
        let Some(c) = cookie(parts, SESSION_COOKIE) else { return Err(AppError::Unauthenticated.into()) };
        let info = dandang_app::auth::session(&s.app, &c, rid).await?;
        if is_unsafe(&parts.method) && !csrf_header(parts).is_some_and(|h| same(&h, &info.csrf)) {
            return Err(AppError::Csrf.into());
        }
        if info.must_change_password {
            return Err(AppError::PasswordChangeRequired.into());
        }
        Ok(ApiAuth(info.actor))
    }
}

/// The signed-in user of a UI page; anonymous visitors go to the login page.
pub struct UiAuth(pub SessionInfo);

pub enum UiReject {
    Login(String),
    ChangePassword,
    Error(AppError),
}

impl IntoResponse for UiReject {
    fn into_response(self) -> Response {
        match self {
            UiReject::Login(next) => {
                let to = format!("/login?next={}", urlencode(&next));
                ([("HX-Redirect", to.clone())], Redirect::to(&to)).into_response()
            }
            UiReject::ChangePassword => ([("HX-Redirect", "/me")], Redirect::to("/me")).into_response(),
            UiReject::Error(e) => page_error(e, None),
        }
    }
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl FromRequestParts<AppState> for UiAuth {
    type Rejection = UiReject;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Self::Rejection> {
        let next = parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
        let Some(c) = cookie(parts, SESSION_COOKIE) else { return Err(UiReject::Login(next)) };
        match dandang_app::auth::session(&s.app, &c, request_id(parts)).await {
            Ok(info) => {
                let path = parts.uri.path();
                if info.must_change_password && !(path == "/me" || path.starts_with("/me/") || path == "/logout") {
                    return Err(UiReject::ChangePassword);
                }
                if is_unsafe(&parts.method)
                    && let Some(h) = csrf_header(parts)
                    && !same(&h, &info.csrf)
                {
                    return Err(UiReject::Error(AppError::Csrf));
                }
                parts.extensions.insert(info.clone());
                Ok(UiAuth(info))
            }
            Err(AppError::Unauthenticated) => Err(UiReject::Login(next)),
            Err(e) => Err(UiReject::Error(e)),
        }
    }
}

/// A URL-encoded form whose CSRF token is checked: from the `X-CSRF-Token`
/// header (htmx) or the `_csrf` field (plain forms). Extract after `UiAuth`.
pub struct CsrfForm<T>(pub T, pub Vec<(String, String)>);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, s: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let info = match parts.extensions.get::<SessionInfo>().cloned() {
            Some(i) => i,
            None => match UiAuth::from_request_parts(&mut parts, s).await {
                Ok(UiAuth(i)) => i,
                Err(r) => return Err(r.into_response()),
            },
        };
        let header_ok = csrf_header(&parts).is_some_and(|h| same(&h, &info.csrf));
        let bytes = axum::body::to_bytes(body, 1024 * 1024)
            .await
            .map_err(|_| page_error(AppError::TooLarge { max_bytes: 1024 * 1024 }, Some(&info)))?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        let field_ok = pairs.iter().any(|(k, v)| k == "_csrf" && same(v, &info.csrf));
        if !(header_ok || field_ok) {
            return Err(page_error(AppError::Csrf, Some(&info)));
        }
        if let Some((field, p)) = crate::extract::refused_in_pairs(&pairs) {
            return Err(page_error(crate::extract::refused_field(&field, p), Some(&info)));
        }
        serde_urlencoded::from_bytes::<T>(&bytes).map(|t| CsrfForm(t, pairs)).map_err(|e| {
            page_error(
                AppError::BadRequest(format!("表单内容有误：{}", crate::error::translate_serde(&e.to_string()))),
                Some(&info),
            )
        })
    }
}
