//! Users, sessions and API tokens.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, prelude::Expr};
use uuid::Uuid;

use crate::{
    entity::{api_token, app_user, session},
    error::Result,
};

pub async fn user(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<app_user::Model>> {
    Ok(app_user::Entity::find_by_id(id).one(c).await?)
}

pub async fn user_by_name(c: &impl ConnectionTrait, username: &str) -> Result<Option<app_user::Model>> {
    Ok(app_user::Entity::find().filter(app_user::Column::Username.eq(username)).one(c).await?)
}

pub async fn list_users(c: &impl ConnectionTrait) -> Result<Vec<app_user::Model>> {
    Ok(app_user::Entity::find().order_by_asc(app_user::Column::Username).all(c).await?)
}

pub async fn count_users(c: &impl ConnectionTrait) -> Result<u64> {
    Ok(app_user::Entity::find().count(c).await?)
}

pub async fn insert_user(c: &impl ConnectionTrait, m: app_user::Model) -> Result<()> {
    app_user::Entity::insert(app_user::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

pub async fn update_user(c: &impl ConnectionTrait, m: app_user::Model, expected_version: i32) -> Result<()> {
    let id = m.id;
    crate::versioned::replace::<app_user::Entity>(c, m, id, expected_version).await
}

/// Login bookkeeping does not bump the version: it must not make an
/// administrator's open edit form stale.
pub async fn record_login_result(
    c: &impl ConnectionTrait,
    id: Uuid,
    failed_logins: i32,
    locked_until: Option<DateTime<Utc>>,
) -> Result<()> {
    app_user::Entity::update_many()
        .col_expr(app_user::Column::FailedLogins, Expr::value(failed_logins))
        .col_expr(app_user::Column::LockedUntil, Expr::value(locked_until))
        .filter(app_user::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}

pub async fn insert_session(c: &impl ConnectionTrait, m: session::Model) -> Result<()> {
    session::Entity::insert(session::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

pub async fn session(c: &impl ConnectionTrait, id: &str) -> Result<Option<session::Model>> {
    Ok(session::Entity::find_by_id(id.to_string()).one(c).await?)
}

pub async fn touch_session(c: &impl ConnectionTrait, id: &str, at: DateTime<Utc>) -> Result<()> {
    session::Entity::update_many()
        .col_expr(session::Column::LastSeenAt, Expr::value(at))
        .filter(session::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}

pub async fn delete_session(c: &impl ConnectionTrait, id: &str) -> Result<u64> {
    Ok(session::Entity::delete_by_id(id.to_string()).exec(c).await?.rows_affected)
}

pub async fn delete_sessions_of(c: &impl ConnectionTrait, user_id: Uuid) -> Result<u64> {
    Ok(session::Entity::delete_many().filter(session::Column::UserId.eq(user_id)).exec(c).await?.rows_affected)
}

pub async fn sessions_of(c: &impl ConnectionTrait, user_id: Uuid) -> Result<Vec<session::Model>> {
    Ok(session::Entity::find()
        .filter(session::Column::UserId.eq(user_id))
        .order_by_desc(session::Column::LastSeenAt)
        .all(c)
        .await?)
}

pub async fn delete_expired_sessions(
    c: &impl ConnectionTrait,
    idle_before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<u64> {
    Ok(session::Entity::delete_many()
        .filter(
            sea_orm::sea_query::Condition::any()
                .add(session::Column::LastSeenAt.lt(idle_before))
                .add(session::Column::ExpiresAt.lt(now)),
        )
        .exec(c)
        .await?
        .rows_affected)
}

pub async fn insert_token(c: &impl ConnectionTrait, m: api_token::Model) -> Result<()> {
    api_token::Entity::insert(api_token::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

pub async fn token_by_hash(c: &impl ConnectionTrait, hash: &str) -> Result<Option<api_token::Model>> {
    Ok(api_token::Entity::find().filter(api_token::Column::TokenHash.eq(hash)).one(c).await?)
}

pub async fn tokens_of(c: &impl ConnectionTrait, user_id: Uuid) -> Result<Vec<api_token::Model>> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .order_by_desc(api_token::Column::CreatedAt)
        .all(c)
        .await?)
}

pub async fn token(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<api_token::Model>> {
    Ok(api_token::Entity::find_by_id(id).one(c).await?)
}

pub async fn revoke_token(c: &impl ConnectionTrait, id: Uuid, at: DateTime<Utc>) -> Result<u64> {
    Ok(api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(Some(at)))
        .filter(api_token::Column::Id.eq(id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(c)
        .await?
        .rows_affected)
}

pub async fn touch_token(c: &impl ConnectionTrait, id: Uuid, at: DateTime<Utc>) -> Result<()> {
    api_token::Entity::update_many()
        .col_expr(api_token::Column::LastUsedAt, Expr::value(Some(at)))
        .filter(api_token::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}
