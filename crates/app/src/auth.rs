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
    entity::{api_token, app_user, session},
    registry, users,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    App, audit,
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

/// Builds the actor (role and scope) for a stored user.
pub async fn actor_for(app: &App, u: &app_user::Model, request_id: Option<String>) -> Result<Actor> {
    let db = app.db().read();
    let role = Role::parse(&u.role).map_err(|_| AppError::Internal(format!("unknown role {}", u.role)))?;
    let jurisdiction_path = match u.jurisdiction_id {
        Some(id) => registry::jurisdiction(db, id).await?.ok_or(AppError::Internal("user jurisdiction".into()))?.path,
        None => "/".to_string(),
    };
    let unit_path = match u.unit_id {
        Some(id) if role.needs_unit() => registry::unit(db, id).await?.map(|u| u.path),
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
    let username = username.trim();
    let Some(u) = users::user_by_name(app.db().read(), username).await? else {
        // Same work as a real check, so timing does not reveal which names exist.
        let _ = verify_password(DUMMY_HASH, password).await;
        let tx = app.db().write().await?;
        audit::record_anonymous(
            &tx,
            username,
            "auth.login_failed",
            "user",
            None,
            Some(serde_json::json!({"reason": "unknown_user"})),
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
    if !verify_password(&u.password_hash, password).await {
        let failed = u.failed_logins + 1;
        let lock = failed >= cfg.max_failed_logins;
        let until = lock.then(|| now + Duration::minutes(cfg.lockout_minutes));
        let tx = app.db().write().await?;
        users::record_login_result(&tx, u.id, if lock { 0 } else { failed }, until).await?;
        audit::record_anonymous(
            &tx,
            &u.username,
            if lock { "auth.locked" } else { "auth.login_failed" },
            "user",
            Some(u.id.to_string()),
            Some(serde_json::json!({"failed_logins": failed})),
            request_id,
        )
        .await?;
        tx.commit().await?;
        return Err(match until {
            Some(t) => AppError::Locked(t),
            None => AppError::BadCredentials,
        });
    }
    if !u.active {
        return Err(AppError::Conflict("该账号已停用，请联系管理员".into()));
    }
    let actor = actor_for(app, &u, request_id).await?;
    let token = random_token(32);
    let csrf = random_token(24);
    let tx = app.db().write().await?;
    users::record_login_result(&tx, u.id, 0, None).await?;
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
    audit::record(&tx, &actor, "auth.login", "user", Some(u.id.to_string()), None::<&()>, None::<&()>).await?;
    tx.commit().await?;
    Ok(LoginSession { token, csrf, actor, must_change_password: u.must_change_password })
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
    let Some(u) = users::user(db, s.user_id).await? else { return Err(AppError::Unauthenticated) };
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
        &tx,
        &info.actor,
        "auth.logout",
        "user",
        Some(info.actor.user_id.to_string()),
        None::<&()>,
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every session of the actor (e.g. after a lost laptop).
pub async fn logout_everywhere(app: &App, actor: &Actor) -> Result<u64> {
    let tx = app.db().write().await?;
    let n = users::delete_sessions_of(&tx, actor.user_id.0).await?;
    audit::record(
        &tx,
        actor,
        "auth.logout_everywhere",
        "user",
        Some(actor.user_id.to_string()),
        None::<&()>,
        Some(&serde_json::json!({"sessions": n})),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

pub async fn change_password(app: &App, actor: &Actor, current: &str, new: &str) -> Result<()> {
    let u = users::user(app.db().read(), actor.user_id.0).await?.ok_or(AppError::NotFound("用户"))?;
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
    let mut m = u.clone();
    m.password_hash = hash;
    m.must_change_password = false;
    m.password_changed_at = Utc::now();
    m.updated_at = Utc::now();
    users::update_user(&tx, m, u.version).await?;
    audit::record(&tx, actor, "auth.password_changed", "user", Some(u.id.to_string()), None::<&()>, None::<&()>)
        .await?;
    tx.commit().await?;
    Ok(())
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

/// Creates a token for `user`; the plain value is returned once and only its
/// hash is stored. Callers: the user themself, or an administrator.
pub async fn create_token(app: &App, actor: &Actor, username: &str, name: &str) -> Result<(String, TokenView)> {
    let u = users::user_by_name(app.db().read(), username).await?.ok_or(AppError::NotFound("用户"))?;
    if u.id != actor.user_id.0 && !actor.can(dandang_domain::access::Permission::UserAdmin) {
        return Err(AppError::Forbidden);
    }
    let name = dandang_domain::text::required(name, 64).map_err(|p| AppError::invalid("name", "令牌名称", p))?;
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
    let tx = app.db().write().await?;
    users::insert_token(&tx, m.clone()).await?;
    audit::record(
        &tx,
        actor,
        "token.create",
        "api_token",
        Some(m.id.to_string()),
        None::<&()>,
        Some(&serde_json::json!({"user": u.username, "name": m.name, "prefix": m.prefix})),
    )
    .await?;
    tx.commit().await?;
    Ok((plain, token_view(&m)))
}

pub async fn tokens(app: &App, actor: &Actor, user_id: Uuid) -> Result<Vec<TokenView>> {
    if user_id != actor.user_id.0 && !actor.can(dandang_domain::access::Permission::UserAdmin) {
        return Err(AppError::Forbidden);
    }
    Ok(users::tokens_of(app.db().read(), user_id).await?.iter().map(token_view).collect())
}

pub async fn revoke_token(app: &App, actor: &Actor, token_id: Uuid) -> Result<()> {
    let t = users::token(app.db().read(), token_id).await?.ok_or(AppError::NotFound("令牌"))?;
    if t.user_id != actor.user_id.0 && !actor.can(dandang_domain::access::Permission::UserAdmin) {
        return Err(AppError::Forbidden);
    }
    let tx = app.db().write().await?;
    users::revoke_token(&tx, token_id, Utc::now()).await?;
    audit::record(&tx, actor, "token.revoke", "api_token", Some(token_id.to_string()), None::<&()>, None::<&()>)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Resolves a bearer token to its user's actor.
pub async fn authenticate_token(app: &App, token: &str, request_id: Option<String>) -> Result<Actor> {
    let db = app.db().read();
    let Some(t) = users::token_by_hash(db, &sha256_hex(token.trim())).await? else {
        return Err(AppError::Unauthenticated);
    };
    if t.revoked_at.is_some() {
        return Err(AppError::Unauthenticated);
    }
    let Some(u) = users::user(db, t.user_id).await? else { return Err(AppError::Unauthenticated) };
    if !u.active {
        return Err(AppError::Unauthenticated);
    }
    let now = Utc::now();
    if t.last_used_at.is_none_or(|l| now - l > Duration::seconds(60)) {
        users::touch_token(db, t.id, now).await?;
    }
    actor_for(app, &u, request_id).await
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
