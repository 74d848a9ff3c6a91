//! Passwords, sessions, API tokens, lockout — and turning a request's
//! credentials into an `Actor` with its scope.

use std::collections::BTreeSet;

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use base64::Engine;
use chrono::{Duration, Utc};
use dandang_domain::{
    access::{Actor, Role, Scope},
    error::Problem,
    ids::{CadreId, UnitId, UserId},
    registry::ManagedBy,
};
use dandang_store::{
    InScope,
    entity::{api_token, app_user, session},
    system, users,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    App,
    audit::{self, Event, Place},
    config::HashCost,
    error::{AppError, Result},
};

pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("OS random source");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn argon(cost: &HashCost) -> Result<Argon2<'static>> {
    let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
        .map_err(|e| AppError::Config(format!("password_hash: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Argon2id hashing, off the async executor because it is deliberately slow.
pub async fn hash_password(cost: &HashCost, password: &str) -> Result<String> {
    let a = argon(cost)?;
    let pw = password.to_string();
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| AppError::Internal(e.to_string()))?;
        a.hash_password_with_salt(pw.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(e.to_string()))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

pub async fn verify_password(hash: &str, password: &str) -> bool {
    let h = hash.to_string();
    let pw = password.to_string();
    tokio::task::spawn_blocking(move || Argon2::default().verify_password(pw.as_bytes(), h.as_str()).is_ok())
        .await
        .unwrap_or(false)
}

/// At least 10 characters with letters and digits; the message is shown as is.
pub fn check_password_strength(pw: &str) -> std::result::Result<(), Problem> {
    let long = pw.chars().count() >= 10;
    let letters = pw.chars().any(|c| c.is_alphabetic());
    let digits = pw.chars().any(|c| c.is_ascii_digit());
    if long && letters && digits && pw.chars().count() <= 128 { Ok(()) } else { Err(Problem::WeakPassword) }
}

/// A generated password that satisfies the strength rule.
pub fn generate_password() -> String {
    let raw = random_token(12).replace(['-', '_'], "x");
    format!("{raw}7a")
}

pub fn parse_managed_by(s: &str) -> BTreeSet<ManagedBy> {
    s.split(',').filter_map(|p| ManagedBy::parse(p).ok()).collect()
}

pub fn format_managed_by(set: &BTreeSet<ManagedBy>) -> String {
    set.iter().map(|m| m.code()).collect::<Vec<_>>().join(",")
}

/// Builds the actor (role and scope) for a stored user: the system reading
/// the user's own root and unit, before there is an actor to scope by.
pub async fn actor_for(app: &App, u: &app_user::Model, request_id: Option<String>) -> Result<Actor> {
    let db = app.db().read();
    let role = Role::parse(&u.role).map_err(|_| AppError::Internal(format!("unknown role {}", u.role)))?;
    let jurisdiction_path = match u.jurisdiction_id {
        Some(id) => system::jurisdiction(db, id).await?.ok_or(AppError::Internal("user jurisdiction".into()))?.path,
        None => "/".to_string(),
    };
    let unit_path = match u.unit_id {
        Some(id) if role.needs_unit() => system::unit(db, id).await?.map(|u| u.path),
        _ => None,
    };
    Ok(Actor {
        user_id: UserId(u.id),
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role,
        scope: Scope {
            jurisdiction_path,
            managed_by: parse_managed_by(&u.managed_by),
            unit_path,
            unit_id: u.unit_id.map(UnitId),
            cadre_id: if role.needs_cadre() { u.cadre_id.map(CadreId) } else { None },
        },
        request_id,
    })
}

/// A fresh login: the cookie value (shown once) and the CSRF token.
#[derive(Clone, Debug)]
pub struct LoginSession {
    pub token: String,
    pub csrf: String,
    pub actor: Actor,
    pub must_change_password: bool,
}

pub async fn login(
    app: &App,
    username: &str,
    password: &str,
    client: Option<String>,
    request_id: Option<String>,
) -> Result<LoginSession> {
    let cfg = &app.config().session;
    let now = Utc::now();
    // A name with a character no stored text may hold names nobody; it is
    // recorded with that character replaced (PostgreSQL refuses NUL).
    let typed = username.trim();
    let clean = dandang_domain::text::check_chars(typed).is_ok();
    let shown: String =
        typed.chars().map(|c| if dandang_domain::text::is_refused(c) { '\u{FFFD}' } else { c }).collect();
    let username = shown.as_str();
    let found = if clean { users::user_by_name(app.db().read(), username).await? } else { None };
    let Some(u) = found else {
        // Same work as a real check, so timing does not reveal which names exist.
        let _ = verify_password(DUMMY_HASH, password).await;
        let tx = app.db().write().await?;
        audit::record_anonymous(
            app,
            &tx,
            username,
            Event::new("auth.login_failed", "user", "", Place::deployment())
                .after(&serde_json::json!({"reason": "unknown_user"})),
            request_id,
        )
        .await?;
        tx.commit().await?;
        return Err(AppError::BadCredentials);
    };
    if let Some(until) = u.locked_until
        && until > now
    {
        return Err(AppError::Locked(until));
    }
    let place = Place::at(&user_root(app, &u).await?);
    if !verify_password(&u.password_hash, password).await {
        let until = now + Duration::minutes(cfg.lockout_minutes);
        let tx = app.db().write().await?;
        // Counted by the database: failures at the same moment all count.
        let failed = users::record_failure(&tx, u.id, cfg.max_failed_logins, until).await?;
        let lock = failed >= cfg.max_failed_logins;
        audit::record_anonymous(
            app,
            &tx,
            &u.username,
            Event::new(if lock { "auth.locked" } else { "auth.login_failed" }, "user", u.id, place)
                .after(&serde_json::json!({"failed_logins": failed})),
            request_id,
        )
        .await?;
        tx.commit().await?;
        return Err(if lock { AppError::Locked(until) } else { AppError::BadCredentials });
    }
    if !u.active {
        return Err(AppError::Conflict("该账号已停用，请联系管理员".into()));
    }
    let actor = actor_for(app, &u, request_id).await?;
    let token = random_token(32);
    let csrf = random_token(24);
    let tx = app.db().write().await?;
    users::clear_failures(&tx, u.id).await?;
    users::insert_session(
        &tx,
        session::Model {
            id: sha256_hex(&token),
            user_id: u.id,
            csrf_token: csrf.clone(),
            created_at: now,
            last_seen_at: now,
            expires_at: now + Duration::hours(cfg.absolute_hours),
            client: client.map(|c| c.chars().take(200).collect()),
        },
    )
    .await?;
    audit::record(app, &tx, &actor, Event::new("auth.login", "user", u.id, place)).await?;
    tx.commit().await?;
    Ok(LoginSession { token, csrf, actor, must_change_password: u.must_change_password })
}

/// Where a user's events belong: the root of the user's own scope.
async fn user_root(app: &App, u: &app_user::Model) -> Result<String> {
    Ok(match u.jurisdiction_id {
        Some(id) => system::jurisdiction(app.db().read(), id).await?.map(|j| j.path).unwrap_or_else(|| "/".into()),
        None => "/".into(),
    })
}

/// Where events about a user in scope belong.
pub(crate) async fn user_place(app: &App, u: &app_user::Model) -> Result<Place> {
    Ok(Place::at(&user_root(app, u).await?))
}

/// A valid Argon2id hash of a random string, used to equalize timing.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Qsk5ZbJ2Wf4FQ2Z7pD5yFqG5pHkVqJbK1m1bH4mXx5c";

#[derive(Clone, Debug)]
pub struct SessionInfo {
    pub actor: Actor,
    pub csrf: String,
    pub session_id: String,
    pub must_change_password: bool,
}

/// Resolves a session cookie; expired or idle sessions are removed.
pub async fn session(app: &App, token: &str, request_id: Option<String>) -> Result<SessionInfo> {
    let cfg = &app.config().session;
    let id = sha256_hex(token);
    let db = app.db().read();
    let Some(s) = users::session(db, &id).await? else { return Err(AppError::Unauthenticated) };
    let now = Utc::now();
    if s.expires_at < now || s.last_seen_at + Duration::minutes(cfg.idle_minutes) < now {
        let tx = app.db().write().await?;
        users::delete_session(&tx, &id).await?;
        tx.commit().await?;
        return Err(AppError::Unauthenticated);
    }
    let Some(u) = users::user_of_credential(db, s.user_id).await? else { return Err(AppError::Unauthenticated) };
    if !u.active {
        return Err(AppError::Unauthenticated);
    }
    // Refresh the idle clock at most once a minute, not on every request.
    if now - s.last_seen_at > Duration::seconds(60) {
        users::touch_session(app.db().read(), &id, now).await?;
    }
    Ok(SessionInfo {
        actor: actor_for(app, &u, request_id).await?,
        csrf: s.csrf_token,
        session_id: id,
        must_change_password: u.must_change_password,
    })
}

pub async fn logout(app: &App, info: &SessionInfo) -> Result<()> {
    let tx = app.db().write().await?;
    users::delete_session(&tx, &info.session_id).await?;
    audit::record(
        app,
        &tx,
        &info.actor,
        Event::new("auth.logout", "user", info.actor.user_id, Place::of_actor(&info.actor)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What ending sessions did, to say so on screen.
#[derive(Clone, Copy, Debug, Default, serde::Serialize, utoipa::ToSchema)]
pub struct Ended {
    pub sessions: u64,
    pub tokens: u64,
}

async fn me(app: &App, actor: &Actor) -> Result<InScope<app_user::Model>> {
    users::me(app.db().read(), actor).await?.ok_or(AppError::Unauthenticated)
}

/// Ends every session of the actor (e.g. after a lost laptop) and, if asked,
/// revokes their API tokens too.
pub async fn logout_everywhere(app: &App, actor: &Actor, revoke_tokens: bool) -> Result<Ended> {
    let u = me(app, actor).await?;
    let tx = app.db().write().await?;
    let sessions = users::delete_sessions_of(&tx, &u, None).await?;
    let tokens = if revoke_tokens { users::revoke_tokens_of(&tx, &u, Utc::now()).await? } else { 0 };
    audit::record(
        app,
        &tx,
        actor,
        Event::new("auth.logout_everywhere", "user", actor.user_id, Place::of_actor(actor))
            .after(&serde_json::json!({"sessions": sessions, "tokens": tokens})),
    )
    .await?;
    tx.commit().await?;
    Ok(Ended { sessions, tokens })
}

/// Changes the actor's own password. Every other session ends and every API
/// token is revoked: whoever knew the old password is out. `keep` is the
/// session making the change.
pub async fn change_password(app: &App, actor: &Actor, keep: Option<&str>, current: &str, new: &str) -> Result<Ended> {
    let u = me(app, actor).await?;
    if !verify_password(&u.password_hash, current).await {
        return Err(AppError::invalid("current_password", "当前密码", Problem::Conflict { detail: "不正确".into() }));
    }
    check_password_strength(new).map_err(|p| AppError::invalid("new_password", "新密码", p))?;
    if new == current {
        return Err(AppError::invalid(
            "new_password",
            "新密码",
            Problem::Conflict { detail: "不能与当前密码相同".into() },
        ));
    }
    let hash = hash_password(&app.config().password_hash, new).await?;
    let tx = app.db().write().await?;
    let mut m = u.get().clone();
    m.password_hash = hash;
    m.must_change_password = false;
    m.password_changed_at = Utc::now();
    m.updated_at = Utc::now();
    users::update_user(&tx, &u, m, u.version).await?;
    let sessions = users::delete_sessions_of(&tx, &u, keep).await?;
    let tokens = users::revoke_tokens_of(&tx, &u, Utc::now()).await?;
    audit::record(
        app,
        &tx,
        actor,
        Event::new("auth.password_changed", "user", u.id, Place::of_actor(actor))
            .after(&serde_json::json!({"sessions_ended": sessions, "tokens_revoked": tokens})),
    )
    .await?;
    tx.commit().await?;
    Ok(Ended { sessions, tokens })
}

// ---- API tokens ------------------------------------------------------------

#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TokenView {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked: bool,
}

fn token_view(t: &api_token::Model) -> TokenView {
    TokenView {
        id: t.id,
        name: t.name.clone(),
        prefix: t.prefix.clone(),
        created_at: crate::clock::local(t.created_at),
        last_used_at: t.last_used_at.map(crate::clock::local),
        revoked: t.revoked_at.is_some(),
    }
}

/// Creates an API token for the actor themself, after they typed their
/// password again: a token outlives the session, so a session left open must
/// not be enough to mint one. Nobody mints tokens for someone else. The plain
/// value is returned once and only its hash is stored.
pub async fn create_token(app: &App, actor: &Actor, name: &str, password: &str) -> Result<(String, TokenView)> {
    let u = me(app, actor).await?;
    // A one-time password buys a password change and nothing that outlives it.
    if u.must_change_password {
        return Err(AppError::PasswordChangeRequired);
    }
    let mut inv = dandang_domain::error::Invalid::new();
    let name = inv.take("name", "令牌名称", dandang_domain::text::required(name, 64));
    if !verify_password(&u.password_hash, password).await {
        inv.push("password", "当前密码", Problem::Conflict { detail: "不正确".into() });
    }
    inv.into_result()?;
    mint(app, actor, &u, name.expect("checked")).await
}

/// `dandang token create --user …`: the operator of the deployment, who holds
/// the database already, makes a token for a named account.
pub async fn create_token_as_operator(app: &App, username: &str, name: &str) -> Result<(String, TokenView)> {
    let u = users::user_by_name(app.db().read(), username).await?.ok_or(AppError::NotFound("用户"))?;
    let actor = actor_for(app, &u, None).await?;
    let me = me(app, &actor).await?;
    let name = dandang_domain::text::required(name, 64).map_err(|p| AppError::invalid("name", "令牌名称", p))?;
    mint(app, &actor, &me, name).await
}

async fn mint(app: &App, actor: &Actor, u: &InScope<app_user::Model>, name: String) -> Result<(String, TokenView)> {
    let plain = format!("ddt_{}", random_token(32));
    let m = api_token::Model {
        id: Uuid::now_v7(),
        user_id: u.id,
        name,
        token_hash: sha256_hex(&plain),
        prefix: plain[..10].to_string(),
        created_at: Utc::now(),
        last_used_at: None,
        revoked_at: None,
    };
    let place = user_place(app, u).await?;
    let tx = app.db().write().await?;
    users::insert_token(&tx, m.clone()).await?;
    audit::record(
        app,
        &tx,
        actor,
        Event::new("token.create", "api_token", m.id, place)
            .after(&serde_json::json!({"user": u.username, "name": m.name, "prefix": m.prefix})),
    )
    .await?;
    tx.commit().await?;
    Ok((plain, token_view(&m)))
}

/// A user's tokens: the actor's own, or a user's in an administrator's scope.
pub async fn tokens(app: &App, actor: &Actor, user_id: Uuid) -> Result<Vec<TokenView>> {
    let u = users::user(app.db().read(), actor, user_id).await?.ok_or(AppError::NotFound("用户"))?;
    Ok(users::tokens_of(app.db().read(), &u).await?.iter().map(token_view).collect())
}

/// Revokes a token of the actor's own, or of a user in an administrator's scope.
pub async fn revoke_token(app: &App, actor: &Actor, token_id: Uuid) -> Result<()> {
    let t = users::token(app.db().read(), actor, token_id).await?.ok_or(AppError::NotFound("令牌"))?;
    let u = users::user(app.db().read(), actor, t.user_id).await?.ok_or(AppError::NotFound("令牌"))?;
    let place = user_place(app, &u).await?;
    let tx = app.db().write().await?;
    users::revoke_token(&tx, &t, Utc::now()).await?;
    audit::record(app, &tx, actor, Event::new("token.revoke", "api_token", token_id, place)).await?;
    tx.commit().await?;
    Ok(())
}

/// A bearer token's actor, and whether its user must still change the
/// one-time password (then the token opens nothing but the password change).
pub struct TokenAuth {
    pub actor: Actor,
    pub must_change_password: bool,
}

/// Resolves a bearer token to its user's actor.
pub async fn authenticate_token(app: &App, token: &str, request_id: Option<String>) -> Result<TokenAuth> {
    let db = app.db().read();
    let Some(t) = users::token_by_hash(db, &sha256_hex(token.trim())).await? else {
        return Err(AppError::Unauthenticated);
    };
    if t.revoked_at.is_some() {
        return Err(AppError::Unauthenticated);
    }
    let Some(u) = users::user_of_credential(db, t.user_id).await? else { return Err(AppError::Unauthenticated) };
    if !u.active {
        return Err(AppError::Unauthenticated);
    }
    let now = Utc::now();
    if t.last_used_at.is_none_or(|l| now - l > Duration::seconds(60)) {
        users::touch_token(db, t.id, now).await?;
    }
    Ok(TokenAuth { actor: actor_for(app, &u, request_id).await?, must_change_password: u.must_change_password })
}

/// Removes sessions past their idle or absolute limit.
pub async fn purge_sessions(app: &App) -> Result<u64> {
    let now = Utc::now();
    let idle = now - Duration::minutes(app.config().session.idle_minutes);
    let tx = app.db().write().await?;
    let n = users::delete_expired_sessions(&tx, idle, now).await?;
    tx.commit().await?;
    Ok(n)
}

/// How many sessions the actor has open (the account page).
pub async fn session_count(app: &App, actor: &Actor) -> Result<usize> {
    let u = me(app, actor).await?;
    Ok(users::sessions_of(app.db().read(), &u).await?.len())
}
