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
use dandang_store::{entity::app_user, registry, users};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    App, audit,
    auth::{self, format_managed_by, parse_managed_by},
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

async fn view(app: &App, u: &app_user::Model) -> Result<UserView> {
    let db = app.db().read();
    let j = match u.jurisdiction_id {
        Some(id) => registry::jurisdiction(db, id).await?,
        None => None,
    };
    let unit_name = match u.unit_id {
        Some(id) => registry::unit(db, id).await?.map(|x| x.name),
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
    for u in users::list_users(app.db().read()).await? {
        let v = view(app, &u).await?;
        let scope = scope_of(app, &u).await?;
        if actor.scope.contains(&scope) {
            out.push(v);
        }
    }
    Ok(out)
}

pub async fn get(app: &App, actor: &Actor, id: Uuid) -> Result<UserView> {
    require_admin(actor)?;
    let u = users::user(app.db().read(), id).await?.ok_or(AppError::NotFound("用户"))?;
    if !actor.scope.contains(&scope_of(app, &u).await?) {
        return Err(AppError::OutOfScope);
    }
    view(app, &u).await
}

async fn scope_of(app: &App, u: &app_user::Model) -> Result<Scope> {
    Ok(auth::actor_for(app, u, None).await?.scope)
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
    let db = app.db().read();
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
            Some(code) => match registry::jurisdiction_by_code(db, code).await? {
                Some(j) => (Some(j.id), j.path),
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
            Some(id) => match registry::unit(db, id).await? {
                Some(u) => {
                    unit_path = Some(u.path);
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
            Some(id) => match registry::cadre(db, id).await? {
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
    // A self-service scope is a single cadre, which must itself be in the
    // administrator's scope.
    let grantable = match cadre_id {
        Some(cid) => {
            let c = registry::cadre(db, cid).await?.ok_or(AppError::NotFound("干部"))?;
            let m = ManagedBy::parse(&c.managed_by).map_err(|_| AppError::Internal("managed_by".into()))?;
            actor.scope.covers_cadre(&dandang_domain::access::CadreLocation {
                cadre_id: CadreId(c.id),
                jurisdiction_path: &c.jurisdiction_path,
                unit_path: &c.unit_path,
                managed_by: m,
            })
        }
        None => actor.scope.contains(&scope),
    };
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
    if users::user_by_name(app.db().read(), &p.username).await?.is_some() {
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
    let tx = app.db().write().await?;
    users::insert_user(&tx, m.clone()).await?;
    let v = view(app, &m).await?;
    audit::record(&tx, actor, "user.create", "user", Some(m.id.to_string()), None::<&()>, Some(&audit_shape(&v)))
        .await?;
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
    require_admin(actor)?;
    let before = users::user(app.db().read(), id).await?.ok_or(AppError::NotFound("用户"))?;
    if !actor.scope.contains(&scope_of(app, &before).await?) {
        return Err(AppError::OutOfScope);
    }
    let mut input = input.clone();
    input.username = before.username.clone();
    let p = parse(app, actor, &input).await?;
    if id == actor.user_id.0 && (!input.active || p.role != actor.role) {
        return Err(AppError::Conflict("不能停用自己的账号或修改自己的角色".into()));
    }
    let mut m = before.clone();
    m.display_name = p.display_name;
    m.role = p.role.code().into();
    m.jurisdiction_id = p.jurisdiction_id;
    m.managed_by = format_managed_by(&p.managed_by);
    m.unit_id = p.unit_id;
    m.cadre_id = p.cadre_id;
    m.active = input.active;
    m.updated_at = Utc::now();
    let before_view = view(app, &before).await?;
    let tx = app.db().write().await?;
    users::update_user(&tx, m.clone(), expected_version).await?;
    if !m.active {
        users::delete_sessions_of(&tx, id).await?;
    }
    let mut after = m.clone();
    after.version = expected_version + 1;
    let after_view = view(app, &after).await?;
    audit::record(
        &tx,
        actor,
        "user.update",
        "user",
        Some(id.to_string()),
        Some(&audit_shape(&before_view)),
        Some(&audit_shape(&after_view)),
    )
    .await?;
    tx.commit().await?;
    Ok(after_view)
}

/// Issues a new one-time password and ends the user's sessions.
pub async fn reset_password(app: &App, actor: &Actor, id: Uuid) -> Result<String> {
    require_admin(actor)?;
    let u = users::user(app.db().read(), id).await?.ok_or(AppError::NotFound("用户"))?;
    if !actor.scope.contains(&scope_of(app, &u).await?) {
        return Err(AppError::OutOfScope);
    }
    let password = auth::generate_password();
    let hash = auth::hash_password(&app.config().password_hash, &password).await?;
    let tx = app.db().write().await?;
    let mut m = u.clone();
    m.password_hash = hash;
    m.must_change_password = true;
    m.failed_logins = 0;
    m.locked_until = None;
    m.password_changed_at = Utc::now();
    m.updated_at = Utc::now();
    users::update_user(&tx, m, u.version).await?;
    users::delete_sessions_of(&tx, id).await?;
    audit::record(&tx, actor, "user.reset_password", "user", Some(id.to_string()), None::<&()>, None::<&()>).await?;
    tx.commit().await?;
    Ok(password)
}

pub async fn unlock(app: &App, actor: &Actor, id: Uuid) -> Result<()> {
    require_admin(actor)?;
    let u = users::user(app.db().read(), id).await?.ok_or(AppError::NotFound("用户"))?;
    if !actor.scope.contains(&scope_of(app, &u).await?) {
        return Err(AppError::OutOfScope);
    }
    let tx = app.db().write().await?;
    users::record_login_result(&tx, id, 0, None).await?;
    audit::record(&tx, actor, "user.unlock", "user", Some(id.to_string()), None::<&()>, None::<&()>).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn end_sessions(app: &App, actor: &Actor, id: Uuid) -> Result<u64> {
    require_admin(actor)?;
    let u = users::user(app.db().read(), id).await?.ok_or(AppError::NotFound("用户"))?;
    if !actor.scope.contains(&scope_of(app, &u).await?) {
        return Err(AppError::OutOfScope);
    }
    let tx = app.db().write().await?;
    let n = users::delete_sessions_of(&tx, id).await?;
    audit::record(
        &tx,
        actor,
        "auth.logout_everywhere",
        "user",
        Some(id.to_string()),
        None::<&()>,
        Some(&serde_json::json!({"sessions": n})),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
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
        &tx,
        "system",
        "system.bootstrap",
        "user",
        Some(m.id.to_string()),
        Some(serde_json::json!({"username": "admin"})),
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
