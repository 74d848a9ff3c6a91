//! 督查问效 queries.

use dandang_domain::access::Scope;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, RelationTrait,
    sea_query::{Condition, Expr, ExprTrait},
};
use uuid::Uuid;

use crate::{
    entity::{interview, item_milestone, jurisdiction, supervised_item, unit},
    error::Result,
    registry::like_prefix,
};

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

pub async fn insert_item(
    c: &impl ConnectionTrait,
    m: supervised_item::Model,
    milestones: Vec<item_milestone::Model>,
) -> Result<()> {
    supervised_item::Entity::insert(supervised_item::ActiveModel::from(m)).exec_without_returning(c).await?;
    if !milestones.is_empty() {
        item_milestone::Entity::insert_many(milestones.into_iter().map(item_milestone::ActiveModel::from))
            .exec_without_returning(c)
            .await?;
    }
    Ok(())
}

/// Items whose lead unit lies in the scope's jurisdiction subtree (and unit
/// subtree for unit-bound scopes), earliest deadline first.
pub async fn items_in_scope(c: &impl ConnectionTrait, scope: &Scope) -> Result<Vec<supervised_item::Model>> {
    let mut cond = Condition::all()
        .add(Expr::col((jurisdiction::Entity, jurisdiction::Column::Path)).like(like_prefix(&scope.jurisdiction_path)));
    if let Some(p) = &scope.unit_path {
        cond = cond.add(Expr::col((unit::Entity, unit::Column::Path)).like(like_prefix(p)));
    }
    Ok(supervised_item::Entity::find()
        .join(JoinType::InnerJoin, supervised_item::Relation::LeadUnit.def())
        .join(JoinType::InnerJoin, unit::Relation::Jurisdiction.def())
        .filter(cond)
        .order_by_asc(supervised_item::Column::Deadline)
        .order_by_asc(supervised_item::Column::Id)
        .all(c)
        .await?)
}

pub async fn milestones_of(c: &impl ConnectionTrait, item_ids: &[Uuid]) -> Result<Vec<item_milestone::Model>> {
    if item_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(item_milestone::Entity::find()
        .filter(item_milestone::Column::ItemId.is_in(item_ids.to_vec()))
        .order_by_asc(item_milestone::Column::DueOn)
        .all(c)
        .await?)
}
