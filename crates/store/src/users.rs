//! Users, sessions and API tokens. A user is in an actor's scope when it is
//! the actor, or the actor administers users and the user's scope lies within
//! the actor's own (`Scope::contains`, written here in SQL); a token or
//! session with its user.

use chrono::{DateTime, Utc};
use dandang_domain::{
    access::{Actor, Permission, Role, Scope},
    registry::ManagedBy,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    prelude::Expr,
    sea_query::{Condition, ExprTrait, Query},
};
use uuid::Uuid;

use crate::{
    entity::{api_token, app_user, session, unit},
    error::Result,
    registry::like_prefix,
    scope::{InScope, jurisdiction_ids},
};

/// Users whose scope `scope` contains.
fn contained_in(scope: &Scope) -> Condition {
    if let Some(only) = scope.cadre_id {
        return Condition::all()
            .add(app_user::Column::Role.eq(Role::Cadre.code()))
            .add(app_user::Column::CadreId.eq(only.0));
    }
    let mut cond = Condition::all();
    if scope.jurisdiction_path != "/" {
        cond = cond.add(app_user::Column::JurisdictionId.in_subquery(jurisdiction_ids(scope)));
    }
    let mut missing = false;
    for m in ManagedBy::ALL.iter().filter(|m| !scope.managed_by.contains(m)) {
        cond = cond.add(app_user::Column::ManagedBy.not_like(format!("%{}%", m.code())));
        missing = true;
    }
    if missing {
        // A user without levels reads every level's audit events (see `Scope::contains`).
        cond = cond.add(app_user::Column::ManagedBy.ne(""));
    }
    if let Some(p) = &scope.unit_path {
        let units = Query::select()
            .column(unit::Column::Id)
            .from(unit::Entity)
            .cond_where(Expr::col(unit::Column::Path).like(like_prefix(p)))
            .to_owned();
        let unit_roles: Vec<&str> = Role::ALL.iter().filter(|r| r.needs_unit()).map(|r| r.code()).collect();
        cond = cond.add(app_user::Column::Role.is_in(unit_roles)).add(app_user::Column::UnitId.in_subquery(units));
    }
    cond
}

/// The one scope condition of users.
fn user_cond(actor: &Actor) -> Condition {
    let own = Condition::all().add(app_user::Column::Id.eq(actor.user_id.0));
    if actor.can(Permission::UserAdmin) { Condition::any().add(own).add(contained_in(&actor.scope)) } else { own }
}

/// A user in the actor's scope.
pub async fn user(c: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> Result<Option<InScope<app_user::Model>>> {
    Ok(app_user::Entity::find()
        .filter(app_user::Column::Id.eq(id))
        .filter(user_cond(actor))
        .one(c)
        .await?
        .map(InScope::new))
}

/// The actor's own user.
pub async fn me(c: &impl ConnectionTrait, actor: &Actor) -> Result<Option<InScope<app_user::Model>>> {
    user(c, actor, actor.user_id.0).await
}

/// Users in the actor's scope, by user name.
pub async fn list_users(c: &impl ConnectionTrait, actor: &Actor) -> Result<Vec<InScope<app_user::Model>>> {
    Ok(app_user::Entity::find()
        .filter(user_cond(actor))
        .order_by_asc(app_user::Column::Username)
        .all(c)
        .await?
        .into_iter()
        .map(InScope::new)
        .collect())
}

/// Whether a user name is taken anywhere (names are unique per deployment).
pub async fn username_taken(c: &impl ConnectionTrait, username: &str) -> Result<bool> {
    Ok(app_user::Entity::find().filter(app_user::Column::Username.eq(username)).one(c).await?.is_some())
}

pub async fn count_users(c: &impl ConnectionTrait) -> Result<u64> {
    Ok(app_user::Entity::find().count(c).await?)
}

pub async fn insert_user(c: &impl ConnectionTrait, m: app_user::Model) -> Result<()> {
    app_user::Entity::insert(app_user::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

pub async fn update_user(
    c: &impl ConnectionTrait,
    target: &InScope<app_user::Model>,
    mut m: app_user::Model,
    expected_version: i32,
) -> Result<()> {
    m.id = target.id;
    crate::versioned::replace::<app_user::Entity>(c, m, target.id, expected_version).await
}

/// Clears a user's failed logins and lock. Login bookkeeping does not bump
/// the version: it must not make an administrator's open edit form stale.
pub async fn clear_failures(c: &impl ConnectionTrait, id: Uuid) -> Result<()> {
    app_user::Entity::update_many()
        .col_expr(app_user::Column::FailedLogins, Expr::value(0))
        .col_expr(app_user::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(app_user::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}

/// Counts one failed login in the database itself (concurrent failures all
/// count) and locks the account once `max` are reached; returns the count.
pub async fn record_failure(c: &impl ConnectionTrait, id: Uuid, max: i32, lock_until: DateTime<Utc>) -> Result<i32> {
    app_user::Entity::update_many()
        .col_expr(app_user::Column::FailedLogins, Expr::col(app_user::Column::FailedLogins).add(1))
        .filter(app_user::Column::Id.eq(id))
        .exec(c)
        .await?;
    let n = app_user::Entity::find_by_id(id).one(c).await?.map(|u| u.failed_logins).unwrap_or(0);
    if n >= max {
        app_user::Entity::update_many()
            .col_expr(app_user::Column::FailedLogins, Expr::value(0))
            .col_expr(app_user::Column::LockedUntil, Expr::value(Some(lock_until)))
            .filter(app_user::Column::Id.eq(id))
            .exec(c)
            .await?;
    }
    Ok(n)
}

// ---- authentication: the system resolving credentials, before there is an actor ----

/// A user by the name typed at login.
pub async fn user_by_name(c: &impl ConnectionTrait, username: &str) -> Result<Option<app_user::Model>> {
    Ok(app_user::Entity::find().filter(app_user::Column::Username.eq(username)).one(c).await?)
}

/// The user behind a session or token just resolved.
pub async fn user_of_credential(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<app_user::Model>> {
    Ok(app_user::Entity::find_by_id(id).one(c).await?)
}

pub async fn session(c: &impl ConnectionTrait, id: &str) -> Result<Option<session::Model>> {
    Ok(session::Entity::find_by_id(id.to_string()).one(c).await?)
}

pub async fn token_by_hash(c: &impl ConnectionTrait, hash: &str) -> Result<Option<api_token::Model>> {
    Ok(api_token::Entity::find().filter(api_token::Column::TokenHash.eq(hash)).one(c).await?)
}

pub async fn touch_session(c: &impl ConnectionTrait, id: &str, at: DateTime<Utc>) -> Result<()> {
    session::Entity::update_many()
        .col_expr(session::Column::LastSeenAt, Expr::value(at))
        .filter(session::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}

pub async fn touch_token(c: &impl ConnectionTrait, id: Uuid, at: DateTime<Utc>) -> Result<()> {
    api_token::Entity::update_many()
        .col_expr(api_token::Column::LastUsedAt, Expr::value(Some(at)))
        .filter(api_token::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}

pub async fn insert_session(c: &impl ConnectionTrait, m: session::Model) -> Result<()> {
    session::Entity::insert(session::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

pub async fn delete_session(c: &impl ConnectionTrait, id: &str) -> Result<u64> {
    Ok(session::Entity::delete_by_id(id.to_string()).exec(c).await?.rows_affected)
}

pub async fn delete_expired_sessions(
    c: &impl ConnectionTrait,
    idle_before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<u64> {
    Ok(session::Entity::delete_many()
        .filter(
            Condition::any().add(session::Column::LastSeenAt.lt(idle_before)).add(session::Column::ExpiresAt.lt(now)),
        )
        .exec(c)
        .await?
        .rows_affected)
}

// ---- a user's sessions and tokens ------------------------------------------------------

/// Ends a user's sessions, except `keep` (the one making the change).
pub async fn delete_sessions_of(
    c: &impl ConnectionTrait,
    u: &InScope<app_user::Model>,
    keep: Option<&str>,
) -> Result<u64> {
    let mut q = session::Entity::delete_many().filter(session::Column::UserId.eq(u.id));
    if let Some(k) = keep {
        q = q.filter(session::Column::Id.ne(k));
    }
    Ok(q.exec(c).await?.rows_affected)
}

pub async fn sessions_of(c: &impl ConnectionTrait, u: &InScope<app_user::Model>) -> Result<Vec<session::Model>> {
    Ok(session::Entity::find()
        .filter(session::Column::UserId.eq(u.id))
        .order_by_desc(session::Column::LastSeenAt)
        .all(c)
        .await?)
}

pub async fn insert_token(c: &impl ConnectionTrait, m: api_token::Model) -> Result<()> {
    api_token::Entity::insert(api_token::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

pub async fn tokens_of(c: &impl ConnectionTrait, u: &InScope<app_user::Model>) -> Result<Vec<api_token::Model>> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(u.id))
        .order_by_desc(api_token::Column::CreatedAt)
        .all(c)
        .await?)
}

/// A token of a user in the actor's scope.
pub async fn token(c: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> Result<Option<InScope<api_token::Model>>> {
    let users =
        Query::select().column(app_user::Column::Id).from(app_user::Entity).cond_where(user_cond(actor)).to_owned();
    Ok(api_token::Entity::find()
        .filter(api_token::Column::Id.eq(id))
        .filter(api_token::Column::UserId.in_subquery(users))
        .one(c)
        .await?
        .map(InScope::new))
}

pub async fn revoke_token(c: &impl ConnectionTrait, t: &InScope<api_token::Model>, at: DateTime<Utc>) -> Result<u64> {
    Ok(api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(Some(at)))
        .filter(api_token::Column::Id.eq(t.id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(c)
        .await?
        .rows_affected)
}

/// Revokes every live token of a user; returns how many.
pub async fn revoke_tokens_of(
    c: &impl ConnectionTrait,
    u: &InScope<app_user::Model>,
    at: DateTime<Utc>,
) -> Result<u64> {
    Ok(api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(Some(at)))
        .filter(api_token::Column::UserId.eq(u.id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(c)
        .await?
        .rows_affected)
}

/// Active leader accounts (党委（政府）领导) whose scope lies within `scope`:
/// whom an office may address a task letter to.
pub async fn leaders_within(c: &impl ConnectionTrait, scope: &Scope) -> Result<Vec<(Uuid, String)>> {
    use sea_orm::QuerySelect;
    Ok(app_user::Entity::find()
        .select_only()
        .column(app_user::Column::Id)
        .column(app_user::Column::DisplayName)
        .filter(app_user::Column::Role.eq(Role::Leader.code()))
        .filter(app_user::Column::Active.eq(true))
        .filter(contained_in(scope))
        .order_by_asc(app_user::Column::Username)
        .into_tuple()
        .all(c)
        .await?)
}
