//! User administration: roles and scopes, passwords, lockout, sessions.

use std::collections::BTreeSet;

use chrono::Utc;
use dandang_domain::{
    access::{Actor, Permission, Role, Scope},
    error::{Invalid, Problem},
    ids::CadreId,
    registry::ManagedBy,
    text,
};
use dandang_store::{InScope, entity::app_user, registry, system, users};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    App,
    audit::{self, Event},
    auth::{self, Ended, format_managed_by, parse_managed_by, user_place},
    error::{AppError, Result},
};

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    pub role: String,
    /// Division code of the scope root; empty for the whole deployment.
    #[serde(default)]
    pub jurisdiction_code: Option<String>,
    #[serde(default)]
    pub managed_by: Vec<String>,
    #[serde(default)]
    pub unit_id: Option<Uuid>,
    #[serde(default)]
    pub cadre_id: Option<Uuid>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub role_label: String,
    pub jurisdiction_code: Option<String>,
    pub jurisdiction_name: String,
    pub managed_by: Vec<String>,
    pub managed_by_label: String,
    pub unit_id: Option<Uuid>,
    pub unit_name: Option<String>,
    pub cadre_id: Option<Uuid>,
    pub active: bool,
    pub locked: bool,
    pub must_change_password: bool,
    pub version: i32,
}

fn require_admin(actor: &Actor) -> Result<()> {
    if actor.can(Permission::UserAdmin) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// A user's own root and unit, read for the view of a user already in scope.
async fn view(app: &App, u: &app_user::Model) -> Result<UserView> {
    let db = app.db().read();
    let j = match u.jurisdiction_id {
        Some(id) => system::jurisdiction(db, id).await?,
        None => None,
    };
    let unit_name = match u.unit_id {
        Some(id) => system::unit(db, id).await?.map(|x| x.name),
        None => None,
    };
    let role = Role::parse(&u.role).ok();
    let mb = parse_managed_by(&u.managed_by);
    Ok(UserView {
        id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role.clone(),
        role_label: role.map(|r| r.label_zh().to_string()).unwrap_or_else(|| u.role.clone()),
        jurisdiction_code: j.as_ref().map(|j| j.code.clone()),
        jurisdiction_name: j.map(|j| j.name).unwrap_or_else(|| "全部".into()),
        managed_by: mb.iter().map(|m| m.code().to_string()).collect(),
        managed_by_label: mb.iter().map(|m| m.label_zh()).collect::<Vec<_>>().join("、"),
        unit_id: u.unit_id,
        unit_name,
        cadre_id: u.cadre_id,
        active: u.active,
        locked: u.locked_until.is_some_and(|t| t > Utc::now()),
        must_change_password: u.must_change_password,
        version: u.version,
    })
}

/// Users the administrator's own scope covers.
pub async fn list(app: &App, actor: &Actor) -> Result<Vec<UserView>> {
    require_admin(actor)?;
    let mut out = Vec::new();
    for u in users::list_users(app.db().read(), actor).await? {
        out.push(view(app, &u).await?);
    }
    Ok(out)
}

/// A user in the administrator's scope (or the administrator), or "not found".
async fn load(app: &App, actor: &Actor, id: Uuid) -> Result<InScope<app_user::Model>> {
    require_admin(actor)?;
    users::user(app.db().read(), actor, id).await?.ok_or(AppError::NotFound("用户"))
}

pub async fn get(app: &App, actor: &Actor, id: Uuid) -> Result<UserView> {
    let u = load(app, actor, id).await?;
    view(app, &u).await
}

struct Parsed {
    username: String,
    display_name: String,
    role: Role,
    jurisdiction_id: Option<Uuid>,
    managed_by: BTreeSet<ManagedBy>,
    unit_id: Option<Uuid>,
    cadre_id: Option<Uuid>,
    scope: Scope,
}

async fn parse(app: &App, actor: &Actor, input: &UserInput) -> Result<Parsed> {
    require_admin(actor)?;
    let db = app.db().read();
    let scope = &actor.scope;
    let mut inv = Invalid::new();
    let username = inv.take("username", "用户名", {
        let u = input.username.trim().to_lowercase();
        if u.len() < 3 || u.len() > 32 {
            Err(Problem::BadFormat { expected: "3–32 位小写字母、数字、点、下划线或连字符".into() })
        } else if !u.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')) {
            Err(Problem::BadFormat { expected: "小写字母、数字、点、下划线或连字符".into() })
        } else {
            Ok(u)
        }
    });
    let display_name = inv.take("display_name", "姓名", text::required(&input.display_name, 32));
    let role = inv.take("role", "角色", Role::parse(&input.role));
    let mut managed_by = BTreeSet::new();
    for m in &input.managed_by {
        if let Some(v) = inv.take("managed_by", "管理权限", ManagedBy::parse(m)) {
            managed_by.insert(v);
        }
    }
    if managed_by.is_empty() && role.is_some_and(|r| r != Role::Auditor) {
        inv.push("managed_by", "管理权限", Problem::Required);
    }
    let (jurisdiction_id, jurisdiction_path) =
        match input.jurisdiction_code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => (None, "/".to_string()),
            Some(code) => match registry::jurisdiction_by_code(db, scope, code).await? {
                Some(j) => (Some(j.id), j.path.clone()),
                None => {
                    inv.push("jurisdiction_code", "管辖范围", Problem::NotFound);
                    (None, "/".into())
                }
            },
        };
    let mut unit_path = None;
    let mut unit_id = None;
    if role.is_some_and(|r| r.needs_unit()) {
        match input.unit_id {
            None => inv.push("unit_id", "所在单位", Problem::Required),
            Some(id) => match registry::unit(db, scope, id).await? {
                Some(u) => {
                    unit_path = Some(u.path.clone());
                    unit_id = Some(id);
                }
                None => inv.push("unit_id", "所在单位", Problem::NotFound),
            },
        }
    }
    let mut cadre_id = None;
    if role.is_some_and(|r| r.needs_cadre()) {
        match input.cadre_id {
            None => inv.push("cadre_id", "对应干部", Problem::Required),
            Some(id) => match registry::cadre(db, scope, id).await? {
                Some(c) => cadre_id = Some(c.id),
                None => inv.push("cadre_id", "对应干部", Problem::NotFound),
            },
        }
    }
    inv.into_result()?;
    let role = role.expect("checked");
    let scope = Scope {
        jurisdiction_path,
        managed_by: managed_by.clone(),
        unit_path,
        unit_id: unit_id.map(dandang_domain::ids::UnitId),
        cadre_id: cadre_id.map(CadreId),
    };
    // A self-service scope is a single cadre, found above through the
    // administrator's own scope; any other must lie within that scope.
    let grantable = cadre_id.is_some() || actor.scope.contains(&scope);
    if !grantable {
        return Err(AppError::invalid(
            "jurisdiction_code",
            "管辖范围",
            Problem::Conflict { detail: "超出了您本人的管理范围，不能授予".into() },
        ));
    }
    Ok(Parsed {
        username: username.expect("checked"),
        display_name: display_name.expect("checked"),
        role,
        jurisdiction_id,
        managed_by,
        unit_id,
        cadre_id,
        scope,
    })
}

/// Creates a user with a one-time password that must be changed at first login.
pub async fn create(app: &App, actor: &Actor, input: &UserInput) -> Result<(UserView, String)> {
    require_admin(actor)?;
    let p = parse(app, actor, input).await?;
    if users::username_taken(app.db().read(), &p.username).await? {
        return Err(AppError::invalid("username", "用户名", Problem::Duplicate));
    }
    let password = auth::generate_password();
    let hash = auth::hash_password(&app.config().password_hash, &password).await?;
    let now = Utc::now();
    let m = app_user::Model {
        id: Uuid::now_v7(),
        username: p.username,
        display_name: p.display_name,
        password_hash: hash,
        role: p.role.code().into(),
        jurisdiction_id: p.jurisdiction_id,
        managed_by: format_managed_by(&p.managed_by),
        unit_id: p.unit_id,
        cadre_id: p.cadre_id,
        active: input.active,
        failed_logins: 0,
        locked_until: None,
        must_change_password: true,
        password_changed_at: now,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let v = view(app, &m).await?;
    let place = user_place(app, &m).await?;
    let tx = app.db().write().await?;
    users::insert_user(&tx, m.clone()).await?;
    audit::record(app, &tx, actor, Event::new("user.create", "user", m.id, place).after(&audit_shape(&v))).await?;
    tx.commit().await?;
    let _ = p.scope;
    Ok((v, password))
}

fn audit_shape(v: &UserView) -> serde_json::Value {
    serde_json::json!({
        "username": v.username, "display_name": v.display_name, "role": v.role,
        "jurisdiction": v.jurisdiction_code, "managed_by": v.managed_by,
        "unit_id": v.unit_id, "cadre_id": v.cadre_id, "active": v.active,
    })
}

pub async fn update(app: &App, actor: &Actor, id: Uuid, input: &UserInput, expected_version: i32) -> Result<UserView> {
    let before = load(app, actor, id).await?;
    let mut input = input.clone();
    input.username = before.username.clone();
    let p = parse(app, actor, &input).await?;
    if id == actor.user_id.0 && (!input.active || p.role != actor.role) {
        return Err(AppError::Conflict("不能停用自己的账号或修改自己的角色".into()));
    }
    let mut m = before.get().clone();
    m.display_name = p.display_name;
    m.role = p.role.code().into();
    m.jurisdiction_id = p.jurisdiction_id;
    m.managed_by = format_managed_by(&p.managed_by);
    m.unit_id = p.unit_id;
    m.cadre_id = p.cadre_id;
    m.active = input.active;
    m.updated_at = Utc::now();
    let before_view = view(app, &before).await?;
    let mut after = m.clone();
    after.version = expected_version + 1;
    let after_view = view(app, &after).await?;
    let place = user_place(app, &after).await?;
    let tx = app.db().write().await?;
    users::update_user(&tx, &before, m.clone(), expected_version).await?;
    if !m.active {
        // A disabled account's sessions and tokens end with it.
        users::delete_sessions_of(&tx, &before, None).await?;
        users::revoke_tokens_of(&tx, &before, Utc::now()).await?;
    }
    audit::record(
        app,
        &tx,
        actor,
        Event::new("user.update", "user", id, place)
            .before(&audit_shape(&before_view))
            .after(&audit_shape(&after_view)),
    )
    .await?;
    tx.commit().await?;
    Ok(after_view)
}

/// Issues a new one-time password; the user's sessions end and their API
/// tokens are revoked.
pub async fn reset_password(app: &App, actor: &Actor, id: Uuid) -> Result<(String, Ended)> {
    let u = load(app, actor, id).await?;
    let password = auth::generate_password();
    let hash = auth::hash_password(&app.config().password_hash, &password).await?;
    let place = user_place(app, &u).await?;
    let tx = app.db().write().await?;
    let mut m = u.get().clone();
    m.password_hash = hash;
    m.must_change_password = true;
    m.failed_logins = 0;
    m.locked_until = None;
    m.password_changed_at = Utc::now();
    m.updated_at = Utc::now();
    users::update_user(&tx, &u, m, u.version).await?;
    let sessions = users::delete_sessions_of(&tx, &u, None).await?;
    let tokens = users::revoke_tokens_of(&tx, &u, Utc::now()).await?;
    audit::record(
        app,
        &tx,
        actor,
        Event::new("user.reset_password", "user", id, place)
            .after(&serde_json::json!({"sessions_ended": sessions, "tokens_revoked": tokens})),
    )
    .await?;
    tx.commit().await?;
    Ok((password, Ended { sessions, tokens }))
}

pub async fn unlock(app: &App, actor: &Actor, id: Uuid) -> Result<()> {
    let u = load(app, actor, id).await?;
    let place = user_place(app, &u).await?;
    let tx = app.db().write().await?;
    users::clear_failures(&tx, u.id).await?;
    audit::record(app, &tx, actor, Event::new("user.unlock", "user", id, place)).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends a user's sessions and, if asked, revokes their API tokens.
pub async fn end_sessions(app: &App, actor: &Actor, id: Uuid, revoke_tokens: bool) -> Result<Ended> {
    let u = load(app, actor, id).await?;
    let place = user_place(app, &u).await?;
    let tx = app.db().write().await?;
    let sessions = users::delete_sessions_of(&tx, &u, None).await?;
    let tokens = if revoke_tokens { users::revoke_tokens_of(&tx, &u, Utc::now()).await? } else { 0 };
    audit::record(
        app,
        &tx,
        actor,
        Event::new("auth.logout_everywhere", "user", id, place)
            .after(&serde_json::json!({"sessions": sessions, "tokens": tokens})),
    )
    .await?;
    tx.commit().await?;
    Ok(Ended { sessions, tokens })
}

/// On an empty database: creates `admin` over the whole deployment with a
/// one-time password, returned for printing.
pub async fn bootstrap_admin(app: &App) -> Result<Option<String>> {
    if users::count_users(app.db().read()).await? > 0 {
        return Ok(None);
    }
    let password = auth::generate_password();
    let hash = auth::hash_password(&app.config().password_hash, &password).await?;
    let now = Utc::now();
    let m = app_user::Model {
        id: Uuid::now_v7(),
        username: "admin".into(),
        display_name: "系统管理员".into(),
        password_hash: hash,
        role: Role::Admin.code().into(),
        jurisdiction_id: None,
        managed_by: "province,city,county".into(),
        unit_id: None,
        cadre_id: None,
        active: true,
        failed_logins: 0,
        locked_until: None,
        must_change_password: true,
        password_changed_at: now,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let tx = app.db().write().await?;
    users::insert_user(&tx, m.clone()).await?;
    audit::record_anonymous(
        app,
        &tx,
        "system",
        Event::new("system.bootstrap", "user", m.id, audit::Place::deployment())
            .after(&serde_json::json!({"username": "admin"})),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(Some(password))
}

/// The actor behind a CLI command run as a named user.
pub async fn actor_by_name(app: &App, username: &str) -> Result<Actor> {
    let u = users::user_by_name(app.db().read(), username).await?.ok_or(AppError::NotFound("用户"))?;
    if !u.active {
        return Err(AppError::Conflict("该账号已停用".into()));
    }
    auth::actor_for(app, &u, None).await
}

/// The unit (by full name) and the cadre (by ID number) a user form names,
/// looked for in the administrator's own scope — and only once the caller is
/// known to be an administrator, so the form answers nobody else about
/// whether a number exists.
pub async fn refs_by_name(
    app: &App,
    actor: &Actor,
    unit_name: Option<&str>,
    id_number: Option<&str>,
) -> Result<(Option<Uuid>, Option<Uuid>)> {
    require_admin(actor)?;
    let db = app.db().read();
    let mut inv = Invalid::new();
    let unit = match unit_name.map(str::trim).filter(|s| !s.is_empty()) {
        Some(n) => match registry::unit_by_name(db, &actor.scope, n).await? {
            Some(u) => Some(u.id),
            None => {
                inv.push("unit_id", "所在单位", Problem::NotFound);
                None
            }
        },
        None => None,
    };
    let cadre = match id_number.map(str::trim).filter(|s| !s.is_empty()) {
        Some(n) => match registry::cadres_by_id_numbers(db, &actor.scope, &[n.to_uppercase()]).await?.pop() {
            Some(c) => Some(c.id),
            None => {
                inv.push("cadre_id", "对应干部（公民身份号码）", Problem::NotFound);
                None
            }
        },
        None => None,
    };
    inv.into_result()?;
    Ok((unit, cadre))
}
