//! 容错纠错 queries: cases with their steps, scoped through the cadre; advance filings.

use dandang_domain::access::Scope;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, RelationTrait,
    sea_query::{Condition, Expr, ExprTrait},
};
use uuid::Uuid;

use crate::{
    entity::{advance_filing, cadre, jurisdiction, tolerance_case, tolerance_step, unit},
    error::Result,
    registry::{cadre_scope, like_prefix},
};

pub async fn insert_case(c: &impl ConnectionTrait, m: tolerance_case::Model) -> Result<()> {
    tolerance_case::Entity::insert(tolerance_case::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

/// Replaces a case if nobody moved it since `expected_version` was read.
pub async fn update_case(c: &impl ConnectionTrait, m: tolerance_case::Model, expected_version: i32) -> Result<()> {
    let id = m.id;
    crate::versioned::replace::<tolerance_case::Entity>(c, m, id, expected_version).await
}

pub async fn insert_step(c: &impl ConnectionTrait, m: tolerance_step::Model) -> Result<()> {
    tolerance_step::Entity::insert(tolerance_step::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

pub async fn case_by_id(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<tolerance_case::Model>> {
    Ok(tolerance_case::Entity::find_by_id(id).one(c).await?)
}

pub async fn steps_of(c: &impl ConnectionTrait, case_id: Uuid) -> Result<Vec<tolerance_step::Model>> {
    Ok(tolerance_step::Entity::find()
        .filter(tolerance_step::Column::CaseId.eq(case_id))
        .order_by_asc(tolerance_step::Column::At)
        .order_by_asc(tolerance_step::Column::Id)
        .all(c)
        .await?)
}

/// Cases about cadres in scope, optionally in some states, soonest deadline first.
pub async fn cases_in_scope(
    c: &impl ConnectionTrait,
    scope: &Scope,
    states: &[String],
) -> Result<Vec<tolerance_case::Model>> {
    let mut q = tolerance_case::Entity::find()
        .join(JoinType::InnerJoin, tolerance_case::Relation::Cadre.def())
        .join(JoinType::InnerJoin, cadre::Relation::Unit.def())
        .join(JoinType::InnerJoin, unit::Relation::Jurisdiction.def())
        .filter(cadre_scope(scope));
    if !states.is_empty() {
        q = q.filter(tolerance_case::Column::State.is_in(states.to_vec()));
    }
    Ok(q.order_by_asc(tolerance_case::Column::StepDue).order_by_desc(tolerance_case::Column::CreatedAt).all(c).await?)
}

/// Decided cases (a decision letter exists) about cadres in scope, each with its cadre.
pub async fn decided_in_scope(
    c: &impl ConnectionTrait,
    scope: &Scope,
) -> Result<Vec<(tolerance_case::Model, crate::registry::CadreRow)>> {
    let cases = tolerance_case::Entity::find()
        .join(JoinType::InnerJoin, tolerance_case::Relation::Cadre.def())
        .join(JoinType::InnerJoin, cadre::Relation::Unit.def())
        .join(JoinType::InnerJoin, unit::Relation::Jurisdiction.def())
        .filter(cadre_scope(scope))
        .filter(tolerance_case::Column::Decision.is_not_null())
        .all(c)
        .await?;
    let ids: Vec<Uuid> = cases.iter().map(|m| m.cadre_id).collect();
    let rows = crate::registry::cadres_by_ids(c, &ids).await?;
    Ok(cases
        .into_iter()
        .filter_map(|m| {
            let r = rows.iter().find(|r| r.id == m.cadre_id)?.clone();
            Some((m, r))
        })
        .collect())
}

pub async fn insert_filing(c: &impl ConnectionTrait, m: advance_filing::Model) -> Result<()> {
    advance_filing::Entity::insert(advance_filing::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

pub async fn filing_by_id(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<advance_filing::Model>> {
    Ok(advance_filing::Entity::find_by_id(id).one(c).await?)
}

pub async fn update_filing(c: &impl ConnectionTrait, m: advance_filing::Model, expected_version: i32) -> Result<()> {
    let id = m.id;
    crate::versioned::replace::<advance_filing::Entity>(c, m, id, expected_version).await
}

/// Filings of units in scope (the unit subtree for unit-bound scopes), newest first.
pub async fn filings_in_scope(c: &impl ConnectionTrait, scope: &Scope) -> Result<Vec<advance_filing::Model>> {
    let mut cond = Condition::all()
        .add(Expr::col((jurisdiction::Entity, jurisdiction::Column::Path)).like(like_prefix(&scope.jurisdiction_path)));
    if let Some(p) = &scope.unit_path {
        cond = cond.add(Expr::col((unit::Entity, unit::Column::Path)).like(like_prefix(p)));
    }
    if let Some(only) = scope.cadre_id {
        cond = cond.add(advance_filing::Column::CadreId.eq(only.0));
    }
    Ok(advance_filing::Entity::find()
        .join(JoinType::InnerJoin, advance_filing::Relation::Unit.def())
        .join(JoinType::InnerJoin, unit::Relation::Jurisdiction.def())
        .filter(cond)
        .order_by_desc(advance_filing::Column::FiledOn)
        .all(c)
        .await?)
}

// ---- case library ----------------------------------------------------------------

pub async fn insert_library_case(c: &impl ConnectionTrait, m: crate::entity::library_case::Model) -> Result<()> {
    use crate::entity::library_case;
    library_case::Entity::insert(library_case::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

/// Every library case with its jurisdiction's path; the caller filters by scope
/// (a case is visible below and above where it was published) and ranks.
pub async fn library(c: &impl ConnectionTrait) -> Result<Vec<(crate::entity::library_case::Model, String)>> {
    use crate::entity::library_case;
    let cases = library_case::Entity::find().order_by_desc(library_case::Column::PublishedAt).all(c).await?;
    let ids: Vec<Uuid> = cases.iter().map(|m| m.jurisdiction_id).collect();
    let paths: std::collections::HashMap<Uuid, String> = jurisdiction::Entity::find()
        .filter(jurisdiction::Column::Id.is_in(ids))
        .all(c)
        .await?
        .into_iter()
        .map(|j| (j.id, j.path))
        .collect();
    Ok(cases
        .into_iter()
        .map(|m| {
            let p = paths.get(&m.jurisdiction_id).cloned().unwrap_or_default();
            (m, p)
        })
        .collect())
}

// ---- departments' positive and negative lists --------------------------------------

pub async fn insert_list_item(c: &impl ConnectionTrait, m: crate::entity::tolerance_list_item::Model) -> Result<()> {
    use crate::entity::tolerance_list_item;
    tolerance_list_item::Entity::insert(tolerance_list_item::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

/// List items of units in the scope's jurisdiction subtree (all units' lists
/// are guidance for everyone handling tolerance there).
pub async fn list_items_in_scope(
    c: &impl ConnectionTrait,
    scope: &Scope,
) -> Result<Vec<(crate::entity::tolerance_list_item::Model, String)>> {
    use crate::entity::tolerance_list_item;
    let rows = tolerance_list_item::Entity::find()
        .join(JoinType::InnerJoin, tolerance_list_item::Relation::Unit.def())
        .join(JoinType::InnerJoin, unit::Relation::Jurisdiction.def())
        .filter(
            Expr::col((jurisdiction::Entity, jurisdiction::Column::Path)).like(like_prefix(&scope.jurisdiction_path)),
        )
        .order_by_asc(tolerance_list_item::Column::UnitId)
        .order_by_asc(tolerance_list_item::Column::CreatedAt)
        .all(c)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.unit_id).collect();
    let names: std::collections::HashMap<Uuid, String> = unit::Entity::find()
        .filter(unit::Column::Id.is_in(ids))
        .all(c)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let n = names.get(&r.unit_id).cloned().unwrap_or_default();
            (r, n)
        })
        .collect())
}

// ---- evidence ------------------------------------------------------------------------

pub async fn insert_attachment(c: &impl ConnectionTrait, m: crate::entity::tolerance_attachment::Model) -> Result<()> {
    use crate::entity::tolerance_attachment;
    tolerance_attachment::Entity::insert(tolerance_attachment::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

/// A case's attachments without their content.
pub async fn attachments_of(
    c: &impl ConnectionTrait,
    case_id: Uuid,
) -> Result<Vec<crate::entity::tolerance_attachment::Model>> {
    use crate::entity::tolerance_attachment as a;
    let mut rows =
        a::Entity::find().filter(a::Column::CaseId.eq(case_id)).order_by_asc(a::Column::UploadedAt).all(c).await?;
    for r in &mut rows {
        r.content.clear();
    }
    Ok(rows)
}

pub async fn attachment(
    c: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<crate::entity::tolerance_attachment::Model>> {
    use crate::entity::tolerance_attachment as a;
    Ok(a::Entity::find_by_id(id).one(c).await?)
}
