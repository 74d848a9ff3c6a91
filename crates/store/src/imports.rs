//! Import batches: a batch is its uploader's own.

use dandang_domain::access::Actor;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, prelude::Expr};
use uuid::Uuid;

use crate::{entity::import_batch, error::Result, scope::InScope};

pub async fn insert(c: &impl ConnectionTrait, m: import_batch::Model) -> Result<()> {
    import_batch::Entity::insert(import_batch::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

/// One of the actor's own batches.
pub async fn batch(c: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> Result<Option<InScope<import_batch::Model>>> {
    Ok(import_batch::Entity::find()
        .filter(import_batch::Column::Id.eq(id))
        .filter(import_batch::Column::UploadedBy.eq(actor.user_id.0))
        .one(c)
        .await?
        .map(InScope::new))
}

/// The actor's recent batches without their file content.
pub async fn recent(c: &impl ConnectionTrait, actor: &Actor, limit: u64) -> Result<Vec<import_batch::Model>> {
    let mut rows = import_batch::Entity::find()
        .filter(import_batch::Column::UploadedBy.eq(actor.user_id.0))
        .order_by_desc(import_batch::Column::UploadedAt)
        .limit(limit)
        .all(c)
        .await?;
    for r in &mut rows {
        r.content.clear();
    }
    Ok(rows)
}

/// Moves a batch from `from` to `to` status; false if it was not in `from`.
pub async fn set_status(
    c: &impl ConnectionTrait,
    b: &InScope<import_batch::Model>,
    from: &str,
    to: &str,
    committed_at: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<bool> {
    let r = import_batch::Entity::update_many()
        .col_expr(import_batch::Column::Status, Expr::value(to))
        .col_expr(import_batch::Column::CommittedAt, Expr::value(committed_at))
        .filter(import_batch::Column::Id.eq(b.id))
        .filter(import_batch::Column::Status.eq(from))
        .exec(c)
        .await?;
    Ok(r.rows_affected == 1)
}
