use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, prelude::Expr};
use uuid::Uuid;

use crate::{entity::import_batch, error::Result};

pub async fn insert(c: &impl ConnectionTrait, m: import_batch::Model) -> Result<()> {
    import_batch::Entity::insert(import_batch::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

pub async fn get(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<import_batch::Model>> {
    Ok(import_batch::Entity::find_by_id(id).one(c).await?)
}

/// Recent batches without their file content.
pub async fn recent(
    c: &impl ConnectionTrait,
    uploaded_by: Option<Uuid>,
    limit: u64,
) -> Result<Vec<import_batch::Model>> {
    let mut q = import_batch::Entity::find().order_by_desc(import_batch::Column::UploadedAt).limit(limit);
    if let Some(u) = uploaded_by {
        q = q.filter(import_batch::Column::UploadedBy.eq(u));
    }
    let mut rows = q.all(c).await?;
    for r in &mut rows {
        r.content.clear();
    }
    Ok(rows)
}

/// Moves a batch from `from` to `to` status; false if it was not in `from`.
pub async fn set_status(
    c: &impl ConnectionTrait,
    id: Uuid,
    from: &str,
    to: &str,
    committed_at: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<bool> {
    let r = import_batch::Entity::update_many()
        .col_expr(import_batch::Column::Status, Expr::value(to))
        .col_expr(import_batch::Column::CommittedAt, Expr::value(committed_at))
        .filter(import_batch::Column::Id.eq(id))
        .filter(import_batch::Column::Status.eq(from))
        .exec(c)
        .await?;
    Ok(r.rows_affected == 1)
}
