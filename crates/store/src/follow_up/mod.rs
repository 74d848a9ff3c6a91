//! Follow-up of sanctioned cadres (回访教育): in scope when its cadre is.

use chrono::NaiveDate;
use dandang_domain::access::Scope;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait,
    sea_query::{Condition, Expr, Query},
};
use uuid::Uuid;

use crate::{
    entity::{cadre, follow_up, follow_up_visit, unit},
    error::Result,
    registry::CadreRow,
    scope::{InScope, ScopedIds, cadre_cond, cadre_in},
};

/// The one scope condition of follow-ups.
fn cond(scope: &Scope) -> Condition {
    cadre_in(follow_up::Column::CadreId, scope)
}

pub async fn insert_follow_up(c: &impl ConnectionTrait, m: follow_up::Model) -> Result<()> {
    follow_up::Entity::insert(follow_up::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

pub async fn insert_follow_ups(c: &impl ConnectionTrait, ms: Vec<follow_up::Model>) -> Result<()> {
    crate::bulk::insert_models::<follow_up::Entity>(c, ms).await
}

pub async fn follow_up(c: &impl ConnectionTrait, scope: &Scope, id: Uuid) -> Result<Option<InScope<follow_up::Model>>> {
    Ok(follow_up::Entity::find()
        .filter(follow_up::Column::Id.eq(id))
        .filter(cond(scope))
        .one(c)
        .await?
        .map(InScope::new))
}

pub async fn follow_ups_of(
    c: &impl ConnectionTrait,
    cadre: &InScope<CadreRow>,
) -> Result<Vec<InScope<follow_up::Model>>> {
    Ok(follow_up::Entity::find()
        .filter(follow_up::Column::CadreId.eq(cadre.id))
        .order_by_asc(follow_up::Column::CreatedAt)
        .all(c)
        .await?
        .into_iter()
        .map(InScope::new)
        .collect())
}

pub async fn update_follow_up(
    c: &impl ConnectionTrait,
    target: &InScope<follow_up::Model>,
    mut m: follow_up::Model,
    expected_version: i32,
) -> Result<()> {
    m.id = target.id;
    crate::versioned::replace::<follow_up::Entity>(c, m, target.id, expected_version).await
}

/// Refreshes the bar's end on every open follow-up of a cadre.
pub async fn set_follow_up_impact(
    c: &impl ConnectionTrait,
    cadre: &InScope<CadreRow>,
    last_day: Option<NaiveDate>,
    permanent: bool,
) -> Result<()> {
    follow_up::Entity::update_many()
        .col_expr(follow_up::Column::ImpactLastDay, Expr::value(last_day))
        .col_expr(follow_up::Column::ImpactPermanent, Expr::value(permanent))
        .filter(follow_up::Column::CadreId.eq(cadre.id))
        .filter(follow_up::Column::DecidedOn.is_null())
        .exec(c)
        .await?;
    Ok(())
}

#[derive(Clone, Debug, FromQueryResult)]
pub struct FollowUpRow {
    pub id: Uuid,
    pub cadre_id: Uuid,
    pub measure_id: Uuid,
    pub state: String,
    pub mentor_due: NaiveDate,
    pub mentor_name: Option<String>,
    pub impact_last_day: Option<NaiveDate>,
    pub impact_permanent: bool,
    pub decision: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub cadre_name: String,
    pub unit_name: String,
}

pub async fn list_follow_ups(c: &impl ConnectionTrait, scope: &Scope, state: Option<&str>) -> Result<Vec<FollowUpRow>> {
    let mut q = follow_up::Entity::find()
        .select_only()
        .columns([
            follow_up::Column::Id,
            follow_up::Column::CadreId,
            follow_up::Column::MeasureId,
            follow_up::Column::State,
            follow_up::Column::MentorDue,
            follow_up::Column::MentorName,
            follow_up::Column::ImpactLastDay,
            follow_up::Column::ImpactPermanent,
            follow_up::Column::Decision,
            follow_up::Column::DecidedOn,
        ])
        .join(JoinType::InnerJoin, follow_up::Relation::Cadre.def())
        .join(JoinType::InnerJoin, cadre::Relation::Unit.def())
        .join(JoinType::InnerJoin, unit::Relation::Jurisdiction.def())
        .column_as(cadre::Column::Name, "cadre_name")
        .column_as(unit::Column::Name, "unit_name")
        // Joined to the cadre: the cadre condition is the follow-up's.
        .filter(cadre_cond(scope));
    if let Some(s) = state {
        q = q.filter(follow_up::Column::State.eq(s));
    }
    Ok(q.order_by_asc(follow_up::Column::ImpactLastDay)
        .order_by_asc(cadre::Column::NamePinyin)
        .order_by_asc(follow_up::Column::Id)
        .into_model::<FollowUpRow>()
        .all(c)
        .await?)
}

pub async fn visits_of(c: &impl ConnectionTrait, follow_ups: &ScopedIds) -> Result<Vec<follow_up_visit::Model>> {
    if follow_ups.is_empty() {
        return Ok(Vec::new());
    }
    Ok(follow_up_visit::Entity::find()
        .filter(follow_up_visit::Column::FollowUpId.is_in(follow_ups.as_slice().to_vec()))
        .order_by_asc(follow_up_visit::Column::DueOn)
        .all(c)
        .await?)
}

/// A planned visit of a follow-up in scope.
pub async fn visit(
    c: &impl ConnectionTrait,
    scope: &Scope,
    id: Uuid,
) -> Result<Option<InScope<follow_up_visit::Model>>> {
    let in_scope =
        Query::select().column(follow_up::Column::Id).from(follow_up::Entity).cond_where(cond(scope)).to_owned();
    Ok(follow_up_visit::Entity::find()
        .filter(follow_up_visit::Column::Id.eq(id))
        .filter(follow_up_visit::Column::FollowUpId.in_subquery(in_scope))
        .one(c)
        .await?
        .map(InScope::new))
}

pub async fn insert_visits(c: &impl ConnectionTrait, ms: Vec<follow_up_visit::Model>) -> Result<()> {
    crate::bulk::insert_models::<follow_up_visit::Entity>(c, ms).await
}

pub async fn update_visit(
    c: &impl ConnectionTrait,
    target: &InScope<follow_up_visit::Model>,
    mut m: follow_up_visit::Model,
) -> Result<()> {
    m.id = target.id;
    follow_up_visit::ActiveModel::from(m).reset_all().update(c).await?;
    Ok(())
}

/// Visit counts for statistics: (follow-up id, due, visited).
#[derive(Clone, Debug, FromQueryResult)]
pub struct VisitStat {
    pub follow_up_id: Uuid,
    pub due_on: NaiveDate,
    pub visited_on: Option<NaiveDate>,
}

pub async fn visit_stats(c: &impl ConnectionTrait, scope: &Scope) -> Result<Vec<VisitStat>> {
    Ok(follow_up_visit::Entity::find()
        .select_only()
        .columns([
            follow_up_visit::Column::FollowUpId,
            follow_up_visit::Column::DueOn,
            follow_up_visit::Column::VisitedOn,
        ])
        .join(JoinType::InnerJoin, follow_up_visit::Relation::FollowUp.def())
        .join(JoinType::InnerJoin, follow_up::Relation::Cadre.def())
        .join(JoinType::InnerJoin, cadre::Relation::Unit.def())
        .join(JoinType::InnerJoin, unit::Relation::Jurisdiction.def())
        .filter(cadre_cond(scope))
        .into_model::<VisitStat>()
        .all(c)
        .await?)
}
