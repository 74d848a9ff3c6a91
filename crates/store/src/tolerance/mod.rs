//! 容错纠错 queries. A case is in scope with its cadre, and then only if the
//! role's audience sees it (`access::audience::tolerance_audience`); an
//! advance filing with its unit (and its cadre, for a personal filing); the
//! case library up and down the jurisdiction tree.

use dandang_domain::access::{
    Actor, Scope,
    audience::{ToleranceAudience, tolerance_audience},
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, RelationTrait,
    sea_query::{Condition, Expr, ExprTrait},
};
use uuid::Uuid;

use crate::{
    entity::{
        advance_filing, jurisdiction, library_case, tolerance_attachment, tolerance_case, tolerance_list_item,
        tolerance_step, unit,
    },
    error::Result,
    registry::like_prefix,
    scope::{InScope, cadre_in, nothing, unit_in},
};

/// The one scope condition of tolerance cases.
fn case_cond(actor: &Actor) -> Condition {
    let base = cadre_in(tolerance_case::Column::CadreId, &actor.scope);
    match tolerance_audience(actor.role) {
        ToleranceAudience::Deliberating => base,
        ToleranceAudience::Unit => base.add(
            Condition::any()
                .add(tolerance_case::Column::Origin.eq("unit_application"))
                .add(tolerance_case::Column::Decision.is_not_null()),
        ),
        ToleranceAudience::Subject => base.add(
            Condition::any()
                .add(tolerance_case::Column::Origin.eq("cadre_application"))
                .add(tolerance_case::Column::ServedOn.is_not_null()),
        ),
        ToleranceAudience::None => nothing(),
    }
}

pub async fn insert_case(c: &impl ConnectionTrait, m: tolerance_case::Model) -> Result<()> {
    tolerance_case::Entity::insert(tolerance_case::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

/// Replaces a case if nobody moved it since `expected_version` was read.
pub async fn update_case(
    c: &impl ConnectionTrait,
    target: &InScope<tolerance_case::Model>,
    mut m: tolerance_case::Model,
    expected_version: i32,
) -> Result<()> {
    m.id = target.id;
    crate::versioned::replace::<tolerance_case::Entity>(c, m, target.id, expected_version).await
}

pub async fn insert_step(c: &impl ConnectionTrait, m: tolerance_step::Model) -> Result<()> {
    tolerance_step::Entity::insert(tolerance_step::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

pub async fn case(c: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> Result<Option<InScope<tolerance_case::Model>>> {
    Ok(tolerance_case::Entity::find()
        .filter(tolerance_case::Column::Id.eq(id))
        .filter(case_cond(actor))
        .one(c)
        .await?
        .map(InScope::new))
}

pub async fn steps_of(
    c: &impl ConnectionTrait,
    case: &InScope<tolerance_case::Model>,
) -> Result<Vec<tolerance_step::Model>> {
    Ok(tolerance_step::Entity::find()
        .filter(tolerance_step::Column::CaseId.eq(case.id))
        .order_by_asc(tolerance_step::Column::At)
        .order_by_asc(tolerance_step::Column::Id)
        .all(c)
        .await?)
}

/// Cases in scope, optionally in some states, soonest deadline first.
pub async fn cases_in_scope(
    c: &impl ConnectionTrait,
    actor: &Actor,
    states: &[String],
) -> Result<Vec<InScope<tolerance_case::Model>>> {
    let mut q = tolerance_case::Entity::find().filter(case_cond(actor));
    if !states.is_empty() {
        q = q.filter(tolerance_case::Column::State.is_in(states.to_vec()));
    }
    Ok(q.order_by_asc(tolerance_case::Column::StepDue)
        .order_by_desc(tolerance_case::Column::CreatedAt)
        .all(c)
        .await?
        .into_iter()
        .map(InScope::new)
        .collect())
}

/// Decided cases (a decision letter exists) about cadres in scope: the
/// letters that may be copied to the bodies a pack names. Which of them an
/// actor reads is the copy list's decision, made by the caller.
pub async fn decided_in_scope(c: &impl ConnectionTrait, scope: &Scope) -> Result<Vec<InScope<tolerance_case::Model>>> {
    Ok(tolerance_case::Entity::find()
        .filter(cadre_in(tolerance_case::Column::CadreId, scope))
        .filter(tolerance_case::Column::Decision.is_not_null())
        .order_by_desc(tolerance_case::Column::DecidedOn)
        .all(c)
        .await?
        .into_iter()
        .map(InScope::new)
        .collect())
}

/// One decided case about a cadre in scope (its letter, for a copy recipient).
pub async fn decided_case(
    c: &impl ConnectionTrait,
    scope: &Scope,
    id: Uuid,
) -> Result<Option<InScope<tolerance_case::Model>>> {
    Ok(tolerance_case::Entity::find()
        .filter(tolerance_case::Column::Id.eq(id))
        .filter(cadre_in(tolerance_case::Column::CadreId, scope))
        .filter(tolerance_case::Column::Decision.is_not_null())
        .one(c)
        .await?
        .map(InScope::new))
}

// ---- advance filings ----------------------------------------------------------------

/// The one scope condition of filings: a personal filing with its cadre (the
/// management level counts), a unit's filing with its unit.
fn filing_cond(scope: &Scope) -> Condition {
    if scope.cadre_id.is_some() {
        return cadre_in(advance_filing::Column::CadreId, scope);
    }
    Condition::all().add(unit_in(advance_filing::Column::UnitId, scope)).add(
        Condition::any()
            .add(advance_filing::Column::CadreId.is_null())
            .add(cadre_in(advance_filing::Column::CadreId, scope)),
    )
}

pub async fn insert_filing(c: &impl ConnectionTrait, m: advance_filing::Model) -> Result<()> {
    advance_filing::Entity::insert(advance_filing::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

pub async fn filing(
    c: &impl ConnectionTrait,
    scope: &Scope,
    id: Uuid,
) -> Result<Option<InScope<advance_filing::Model>>> {
    Ok(advance_filing::Entity::find()
        .filter(advance_filing::Column::Id.eq(id))
        .filter(filing_cond(scope))
        .one(c)
        .await?
        .map(InScope::new))
}

pub async fn update_filing(
    c: &impl ConnectionTrait,
    target: &InScope<advance_filing::Model>,
    mut m: advance_filing::Model,
    expected_version: i32,
) -> Result<()> {
    m.id = target.id;
    crate::versioned::replace::<advance_filing::Entity>(c, m, target.id, expected_version).await
}

/// Filings in scope, newest first.
pub async fn filings_in_scope(c: &impl ConnectionTrait, scope: &Scope) -> Result<Vec<InScope<advance_filing::Model>>> {
    Ok(advance_filing::Entity::find()
        .filter(filing_cond(scope))
        .order_by_desc(advance_filing::Column::FiledOn)
        .all(c)
        .await?
        .into_iter()
        .map(InScope::new)
        .collect())
}

// ---- case library ----------------------------------------------------------------

/// The jurisdiction paths above a scope's root ("/420000/" for "/420000/420500/").
fn ancestors(path: &str) -> Vec<String> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').filter(|p| !p.is_empty()).collect();
    (1..parts.len()).map(|n| format!("/{}/", parts[..n].join("/"))).collect()
}

/// The one scope condition of the library: published in the scope's subtree
/// or above it (a province's typical cases guide every city and county).
fn library_cond(scope: &Scope) -> Condition {
    let mut any = Condition::any()
        .add(Expr::col((jurisdiction::Entity, jurisdiction::Column::Path)).like(like_prefix(&scope.jurisdiction_path)));
    let up = ancestors(&scope.jurisdiction_path);
    if !up.is_empty() {
        any = any.add(Expr::col((jurisdiction::Entity, jurisdiction::Column::Path)).is_in(up));
    }
    any
}

pub async fn insert_library_case(c: &impl ConnectionTrait, m: library_case::Model) -> Result<()> {
    library_case::Entity::insert(library_case::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

/// Library cases in scope, newest first; the caller ranks them.
pub async fn library(c: &impl ConnectionTrait, scope: &Scope) -> Result<Vec<InScope<library_case::Model>>> {
    Ok(library_case::Entity::find()
        .join(JoinType::InnerJoin, library_case::Relation::Jurisdiction.def())
        .filter(library_cond(scope))
        .order_by_desc(library_case::Column::PublishedAt)
        .all(c)
        .await?
        .into_iter()
        .map(InScope::new)
        .collect())
}

/// Whether a case was published already (one typical case per source case).
pub async fn published_from(c: &impl ConnectionTrait, case: &InScope<tolerance_case::Model>) -> Result<bool> {
    Ok(library_case::Entity::find().filter(library_case::Column::SourceCaseId.eq(case.id)).one(c).await?.is_some())
}

// ---- departments' positive and negative lists --------------------------------------

pub async fn insert_list_item(c: &impl ConnectionTrait, m: tolerance_list_item::Model) -> Result<()> {
    tolerance_list_item::Entity::insert(tolerance_list_item::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

/// List items of units in the scope's jurisdiction subtree (every unit's list
/// is guidance for everyone handling tolerance there), with the unit's name.
pub async fn list_items_in_scope(
    c: &impl ConnectionTrait,
    scope: &Scope,
) -> Result<Vec<(tolerance_list_item::Model, String)>> {
    let rows = tolerance_list_item::Entity::find()
        .join(JoinType::InnerJoin, tolerance_list_item::Relation::Unit.def())
        .join(JoinType::InnerJoin, unit::Relation::Jurisdiction.def())
        .filter(
            Expr::col((jurisdiction::Entity, jurisdiction::Column::Path)).like(like_prefix(&scope.jurisdiction_path)),
        )
        .column_as(unit::Column::Name, "unit_name")
        .order_by_asc(tolerance_list_item::Column::UnitId)
        .order_by_asc(tolerance_list_item::Column::CreatedAt)
        .into_model::<ListItemRow>()
        .all(c)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                tolerance_list_item::Model {
                    id: r.id,
                    unit_id: r.unit_id,
                    kind: r.kind,
                    text: r.text,
                    created_by: r.created_by,
                    created_at: r.created_at,
                },
                r.unit_name,
            )
        })
        .collect())
}

#[derive(sea_orm::FromQueryResult)]
struct ListItemRow {
    id: Uuid,
    unit_id: Uuid,
    kind: String,
    text: String,
    created_by: Uuid,
    created_at: chrono::DateTime<chrono::Utc>,
    unit_name: String,
}

// ---- evidence ------------------------------------------------------------------------

pub async fn insert_attachment(c: &impl ConnectionTrait, m: tolerance_attachment::Model) -> Result<()> {
    tolerance_attachment::Entity::insert(tolerance_attachment::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

/// A case's attachments without their content.
pub async fn attachments_of(
    c: &impl ConnectionTrait,
    case: &InScope<tolerance_case::Model>,
) -> Result<Vec<tolerance_attachment::Model>> {
    use tolerance_attachment as a;
    let mut rows =
        a::Entity::find().filter(a::Column::CaseId.eq(case.id)).order_by_asc(a::Column::UploadedAt).all(c).await?;
    for r in &mut rows {
        r.content.clear();
    }
    Ok(rows)
}

/// One attachment of a case.
pub async fn attachment(
    c: &impl ConnectionTrait,
    case: &InScope<tolerance_case::Model>,
    id: Uuid,
) -> Result<Option<tolerance_attachment::Model>> {
    use tolerance_attachment as a;
    Ok(a::Entity::find().filter(a::Column::Id.eq(id)).filter(a::Column::CaseId.eq(case.id)).one(c).await?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn ancestors_of_a_path() {
        assert_eq!(super::ancestors("/420000/420500/420506/"), vec!["/420000/", "/420000/420500/"]);
        assert!(super::ancestors("/420000/").is_empty());
        assert!(super::ancestors("/").is_empty());
    }
}
