//! 督查问效 queries.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{entity::interview, error::Result};

pub async fn insert_interview(c: &impl ConnectionTrait, m: interview::Model) -> Result<()> {
    interview::Entity::insert(interview::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

pub async fn interviews_of(c: &impl ConnectionTrait, cadre_id: Uuid) -> Result<Vec<interview::Model>> {
    Ok(interview::Entity::find()
        .filter(interview::Column::CadreId.eq(cadre_id))
        .order_by_asc(interview::Column::HeldOn)
        .order_by_asc(interview::Column::Id)
        .all(c)
        .await?)
}
