//! The login page, logging out, and "我的账号".
//!
//! Login is protected like any other form, before there is a session: the
//! page sets a one-use cookie and puts the same value in the form (a forged
//! cross-site post carries neither), a request from another origin is
//! refused, and each address has a pace of attempts on top of the
//! per-account lockout.

#[allow(unused_imports)] // askama resolves `|zh` through this path
use crate::filters;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{ConnectInfo, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use dandang_app::{
    AppError,
    auth::{self, TokenView},
};
use serde::Deserialize;
use uuid::Uuid;

use crate::extract::{Path, Query};
use crate::{
    AppState,
    auth::{CsrfForm, SESSION_COOKIE, UiAuth, cookie_in, same},
    pages::{Empty, Flash, Layout, OrPage, PageError, PageResult, layout, see_other},
    routes::Routes,
};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/login", login_page)
        .post("/login", login)
        .post("/logout", logout)
        .get("/me", me_page)
        .post("/me/password", me_password)
        .post("/me/logout-everywhere", me_logout_everywhere)
        .post("/me/tokens", me_token)
        .post("/me/tokens/{id}/revoke", me_revoke)
}

/// The login form's own CSRF cookie (there is no session yet).
const LOGIN_COOKIE: &str = "dandang_login";

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    next: String,
    username: String,
    error: Option<String>,
    version: &'static str,
    login_csrf: String,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only same-site paths, so the login form cannot bounce users elsewhere.
/// Where to go after login: a path on this site only. Browsers drop tabs and
/// newlines from a URL and read `\\` as `/`, so `/\t/evil` would leave the
/// site; any control character, whitespace or backslash sends the user home.
fn safe_next(n: Option<&str>) -> String {
    match n {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && p.len() <= 2048
                && !p.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\') =>
        {
            p.to_string()
        }
        _ => "/".into(),
    }
}

fn login_cookie(value: &str, secure: bool) -> String {
    let mut c = format!("{LOGIN_COOKIE}={value}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600");
    if secure {
        c.push_str("; Secure");
    }
    c
}

/// The login page with a fresh form token (and its cookie).
fn render_login(s: &AppState, status: StatusCode, next: String, username: String, error: Option<String>) -> Response {
    let token = auth::random_token(24);
    (
        status,
        [(header::SET_COOKIE, login_cookie(&token, s.app.config().cookie_secure))],
        LoginPage { next, username, error, version: crate::assets::VERSION, login_csrf: token },
    )
        .into_response()
}

async fn login_page(State(s): State<AppState>, Query(q): Query<NextQuery>) -> Response {
    render_login(&s, StatusCode::OK, safe_next(q.next.as_deref()), String::new(), None)
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
    #[serde(default)]
    login_csrf: String,
}

fn session_cookie(value: &str, secure: bool, clear: bool) -> String {
    let mut c = format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax");
    if secure {
        c.push_str("; Secure");
    }
    if clear {
        c.push_str("; Max-Age=0");
    }
    c
}

/// A request another site made the browser send: a foreign `Origin`, or the
/// browser's own `Sec-Fetch-Site: cross-site`.
pub(crate) fn cross_site(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let foreign_origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()).is_some_and(|o| {
        let authority = o.split_once("://").map(|(_, a)| a).unwrap_or(o);
        o == "null" || authority != host
    });
    let cross = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()).is_some_and(|v| v == "cross-site");
    foreign_origin || cross
}

/// The peer address, when the server was started with it (tests call the
/// router without one).
struct Peer(Option<std::net::IpAddr>);

impl axum::extract::FromRequestParts<AppState> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Peer(parts.extensions.get::<ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip())))
    }
}

async fn login(
    State(s): State<AppState>,
    Peer(peer): Peer,
    headers: HeaderMap,
    axum::Form(f): axum::Form<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    let client_ip = s.throttle.client(&headers, peer);
    if let Err(wait) = s.throttle.check(&client_ip) {
        let e = AppError::TooManyRequests { retry_after_secs: wait };
        crate::error::log(&e);
        let mut r = render_login(&s, crate::error::status_of(&e), next, f.username, Some(e.message_zh()));
        if let Ok(v) = header::HeaderValue::from_str(&wait.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return r;
    }
    let token_ok = cookie_in(&headers, LOGIN_COOKIE).is_some_and(|c| !c.is_empty() && same(&c, &f.login_csrf));
    if cross_site(&headers) || !token_ok {
        let e = AppError::Csrf;
        crate::error::log(&e);
        return render_login(&s, crate::error::status_of(&e), next, f.username, Some(e.message_zh()));
    }
    let client = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(String::from);
    let rid = headers.get(&crate::REQUEST_ID).and_then(|v| v.to_str().ok()).map(String::from);
    match auth::login(&s.app, &f.username, &f.password, client, rid).await {
        Ok(sess) => {
            let to = if sess.must_change_password { "/me".to_string() } else { next };
            let secure = s.app.config().cookie_secure;
            let spent = format!("{LOGIN_COOKIE}=; Path=/login; HttpOnly; SameSite=Strict; Max-Age=0");
            let mut r = Redirect::to(&to).into_response();
            for c in [session_cookie(&sess.token, secure, false), spent] {
                if let Ok(v) = header::HeaderValue::from_str(&c) {
                    r.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            r
        }
        Err(e) => {
            crate::error::log(&e);
            render_login(&s, crate::error::status_of(&e), next, f.username, Some(e.message_zh()))
        }
    }
}

async fn logout(State(s): State<AppState>, UiAuth(info): UiAuth, CsrfForm(_, _): CsrfForm<Empty>) -> Response {
    let _ = auth::logout(&s.app, &info).await;
    ([(header::SET_COOKIE, session_cookie("", s.app.config().cookie_secure, true))], Redirect::to("/login"))
        .into_response()
}

// ---- my account ------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "me.html")]
struct MePage {
    l: Layout,
    must_change: bool,
    sessions: usize,
    tokens: Vec<TokenView>,
    error: Option<String>,
    secret: Option<String>,
    username: String,
}

async fn me_render(
    s: &AppState,
    info: &auth::SessionInfo,
    error: Option<String>,
    secret: Option<String>,
    flash: Option<String>,
    status: StatusCode,
) -> PageResult {
    let sessions = auth::session_count(&s.app, &info.actor).await.or_page(info)?;
    let tokens = auth::tokens(&s.app, &info.actor, info.actor.user_id.0).await.or_page(info)?;
    let mut l = layout(info, "我的账号", "/me");
    l.flash = flash;
    Ok((
        status,
        MePage {
            l,
            must_change: info.must_change_password,
            sessions,
            tokens,
            error,
            secret,
            username: info.actor.username.clone(),
        },
    )
        .into_response())
}

async fn me_page(State(s): State<AppState>, UiAuth(info): UiAuth, Flash(ok): Flash) -> PageResult {
    me_render(&s, &info, None, None, ok, StatusCode::OK).await
}

#[derive(Deserialize)]
struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

async fn me_password(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    CsrfForm(f, _): CsrfForm<PasswordForm>,
) -> PageResult {
    if f.new_password != f.confirm_password {
        return me_render(
            &s,
            &info,
            Some("两次输入的新密码不一致".into()),
            None,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match auth::change_password(&s.app, &info.actor, Some(&info.session_id), &f.current_password, &f.new_password).await
    {
        Ok(e) => Ok(see_other(
            "/me",
            &format!("密码已修改；已退出其他设备上的 {} 个登录会话，吊销 {} 个接口令牌", e.sessions, e.tokens),
        )),
        Err(e @ AppError::Invalid(_)) => {
            me_render(&s, &info, Some(e.message_zh()), None, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(PageError(e, Some(Box::new(info)))),
    }
}

#[derive(Deserialize)]
struct EndForm {
    revoke_tokens: Option<String>,
}

async fn me_logout_everywhere(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    CsrfForm(f, _): CsrfForm<EndForm>,
) -> PageResult {
    auth::logout_everywhere(&s.app, &info.actor, f.revoke_tokens.is_some()).await.or_page(&info)?;
    Ok(Redirect::to("/login").into_response())
}

#[derive(Deserialize)]
struct TokenForm {
    name: String,
    #[serde(default)]
    password: String,
}

async fn me_token(State(s): State<AppState>, UiAuth(info): UiAuth, CsrfForm(f, _): CsrfForm<TokenForm>) -> PageResult {
    match auth::create_token(&s.app, &info.actor, &f.name, &f.password).await {
        Ok((token, _)) => me_render(&s, &info, None, Some(token), None, StatusCode::CREATED).await,
        Err(e @ AppError::Invalid(_)) => {
            me_render(&s, &info, Some(e.message_zh()), None, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e @ AppError::PasswordChangeRequired) => {
            me_render(&s, &info, Some(e.message_zh()), None, None, StatusCode::FORBIDDEN).await
        }
        Err(e) => Err(PageError(e, Some(Box::new(info)))),
    }
}

async fn me_revoke(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(_, _): CsrfForm<Empty>,
) -> PageResult {
    auth::revoke_token(&s.app, &info.actor, id).await.or_page(&info)?;
    Ok(see_other("/me", "已吊销令牌"))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/cadres?q=%E5%BC%A0")), "/cadres?q=%E5%BC%A0");
        for bad in [
            "//evil.example/",
            "/\t/evil.example/x",
            "/\\evil.example",
            "/\u{1}x",
            "/ x",
            "https://evil.example/",
            "evil",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
