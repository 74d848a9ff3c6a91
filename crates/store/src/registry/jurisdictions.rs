//! Jurisdictions: a scope sees its own subtree; self-service scopes see none.

use dandang_domain::access::Scope;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    prelude::Expr,
    sea_query::{Condition, ExprTrait},
};
use uuid::Uuid;

use super::like_prefix;
use crate::{
    entity::jurisdiction,
    error::Result,
    scope::{InScope, nothing},
};

fn cond(scope: &Scope) -> Condition {
    if scope.cadre_id.is_some() {
        return nothing();
    }
    Condition::all().add(Expr::col(jurisdiction::Column::Path).like(like_prefix(&scope.jurisdiction_path)))
}

/// The jurisdictions in scope, in path order.
pub async fn jurisdictions(c: &impl ConnectionTrait, scope: &Scope) -> Result<Vec<InScope<jurisdiction::Model>>> {
    Ok(jurisdiction::Entity::find()
        .filter(cond(scope))
        .order_by_asc(jurisdiction::Column::Path)
        .all(c)
        .await?
        .into_iter()
        .map(InScope::new)
        .collect())
}

pub async fn jurisdiction_by_code(
    c: &impl ConnectionTrait,
    scope: &Scope,
    code: &str,
) -> Result<Option<InScope<jurisdiction::Model>>> {
    Ok(jurisdiction::Entity::find()
        .filter(cond(scope))
        .filter(jurisdiction::Column::Code.eq(code))
        .one(c)
        .await?
        .map(InScope::new))
}

/// The scope's own root (a scope whose root is the whole deployment has none).
pub async fn scope_root(c: &impl ConnectionTrait, scope: &Scope) -> Result<Option<InScope<jurisdiction::Model>>> {
    Ok(jurisdiction::Entity::find()
        .filter(cond(scope))
        .filter(jurisdiction::Column::Path.eq(scope.jurisdiction_path.clone()))
        .one(c)
        .await?
        .map(InScope::new))
}

/// Whether a division code is registered anywhere. Division codes are public
/// (GB/T 2260); a new jurisdiction must not reuse one.
pub async fn jurisdiction_code_taken(c: &impl ConnectionTrait, code: &str) -> Result<bool> {
    Ok(jurisdiction::Entity::find().filter(jurisdiction::Column::Code.eq(code)).one(c).await?.is_some())
}

pub async fn insert_jurisdiction(c: &impl ConnectionTrait, m: jurisdiction::Model) -> Result<()> {
    jurisdiction::Entity::insert(jurisdiction::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

/// By id, outside any scope: only for resolving a signed-in user's own scope
/// root and for the demo loader (see `crate::system`).
pub(crate) async fn jurisdiction_unscoped(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<jurisdiction::Model>> {
    Ok(jurisdiction::Entity::find_by_id(id).one(c).await?)
}
