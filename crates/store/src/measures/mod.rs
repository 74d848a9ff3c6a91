//! Measures, impact ends and follow-up of sanctioned cadres. Lists apply the
//! actor's scope in SQL through the cadre they belong to.

use chrono::{NaiveDate, Utc};
use dandang_domain::access::Scope;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, JoinType, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait,
    sea_query::{Condition, Expr, ExprTrait},
};
use uuid::Uuid;

use crate::{
    entity::{cadre, cadre_impact, follow_up, follow_up_visit, measure, unit},
    error::Result,
    registry::cadre_scope,
};

pub async fn insert_measure(c: &impl ConnectionTrait, m: measure::Model) -> Result<()> {
    measure::Entity::insert(measure::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

pub async fn insert_measures(c: &impl ConnectionTrait, ms: Vec<measure::Model>) -> Result<()> {
    for chunk in ms.chunks(500) {
        measure::Entity::insert_many(chunk.iter().cloned().map(measure::ActiveModel::from))
            .exec_without_returning(c)
            .await?;
    }
    Ok(())
}

pub async fn measure(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<measure::Model>> {
    Ok(measure::Entity::find_by_id(id).one(c).await?)
}

pub async fn measures_of(c: &impl ConnectionTrait, cadre_id: Uuid) -> Result<Vec<measure::Model>> {
    Ok(measure::Entity::find()
        .filter(measure::Column::CadreId.eq(cadre_id))
        .order_by_asc(measure::Column::EffectiveOn)
        .order_by_asc(measure::Column::Id)
        .all(c)
        .await?)
}

/// Measures against the unit's party organization (no cadre), newest first.
pub async fn organization_measures(c: &impl ConnectionTrait, unit_id: Uuid) -> Result<Vec<measure::Model>> {
    Ok(measure::Entity::find()
        .filter(measure::Column::UnitId.eq(unit_id))
        .filter(measure::Column::CadreId.is_null())
        .order_by_desc(measure::Column::EffectiveOn)
        .order_by_asc(measure::Column::Id)
        .all(c)
        .await?)
}

/// Replaces a measure if nobody changed it since `expected_version` was read.
pub async fn update_measure(c: &impl ConnectionTrait, m: measure::Model, expected_version: i32) -> Result<()> {
    let id = m.id;
    crate::versioned::replace::<measure::Entity>(c, m, id, expected_version).await
}

/// Records where a cadre's promotion bar ends (null with `permanent` for never).
pub async fn set_cadre_impact(
    c: &impl ConnectionTrait,
    cadre_id: Uuid,
    last_day: Option<NaiveDate>,
    permanent: bool,
) -> Result<()> {
    cadre_impact::Entity::delete_by_id(cadre_id).exec(c).await?;
    if last_day.is_some() || permanent {
        cadre_impact::Entity::insert(cadre_impact::ActiveModel {
            cadre_id: Set(cadre_id),
            last_day: Set(last_day),
            permanent: Set(permanent),
            refreshed_at: Set(Utc::now()),
        })
        .exec_without_returning(c)
        .await?;
    }
    Ok(())
}

pub async fn insert_cadre_impacts(c: &impl ConnectionTrait, rows: Vec<cadre_impact::Model>) -> Result<()> {
    for chunk in rows.chunks(500) {
        cadre_impact::Entity::insert_many(chunk.iter().cloned().map(cadre_impact::ActiveModel::from))
            .exec_without_returning(c)
            .await?;
    }
    Ok(())
}

/// A measure with the names a list shows.
#[derive(Clone, Debug, FromQueryResult)]
pub struct MeasureRow {
    pub id: Uuid,
    pub cadre_id: Option<Uuid>,
    pub kind: String,
    pub measure_type: Option<String>,
    pub decided_on: NaiveDate,
    pub effective_on: NaiveDate,
    pub deciding_body: String,
    pub four_forms: Option<i32>,
    pub tolerance: Option<String>,
    pub via_accountability: bool,
    pub cadre_name: String,
    pub unit_id: Uuid,
    pub unit_name: String,
}

#[derive(Clone, Debug, Default)]
pub struct MeasureFilter {
    pub kind: Option<String>,
    pub four_forms: Option<i32>,
    pub year: Option<i32>,
    pub unit_path: Option<String>,
}

fn measure_select() -> sea_orm::Select<measure::Entity> {
    measure::Entity::find()
        .select_only()
        .columns([
            measure::Column::Id,
            measure::Column::CadreId,
            measure::Column::Kind,
            measure::Column::MeasureType,
            measure::Column::DecidedOn,
            measure::Column::EffectiveOn,
            measure::Column::DecidingBody,
            measure::Column::FourForms,
            measure::Column::Tolerance,
            measure::Column::ViaAccountability,
        ])
        .join(JoinType::InnerJoin, measure::Relation::Cadre.def())
        .join(JoinType::InnerJoin, cadre::Relation::Unit.def())
        .join(JoinType::InnerJoin, unit::Relation::Jurisdiction.def())
        .column_as(cadre::Column::Name, "cadre_name")
        .column_as(unit::Column::Id, "unit_id")
        .column_as(unit::Column::Name, "unit_name")
}

fn measure_filter(scope: &Scope, f: &MeasureFilter) -> Condition {
    let mut cond = cadre_scope(scope);
    if let Some(k) = &f.kind {
        cond = cond.add(measure::Column::Kind.eq(k.clone()));
    }
    if let Some(ff) = f.four_forms {
        cond = cond.add(measure::Column::FourForms.eq(ff));
    }
    if let Some(y) = f.year {
        let from = NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(NaiveDate::MIN);
        let to = NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or(NaiveDate::MAX);
        cond = cond.add(measure::Column::EffectiveOn.between(from, to));
    }
    if let Some(p) = &f.unit_path {
        cond = cond.add(Expr::col((unit::Entity, unit::Column::Path)).like(crate::registry::like_prefix(p)));
    }
    cond
}

pub async fn list_measures(
    c: &impl ConnectionTrait,
    scope: &Scope,
    f: &MeasureFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<MeasureRow>, u64)> {
    let q = measure_select().filter(measure_filter(scope, f));
    let total = q.clone().count(c).await?;
    let rows = q
        .order_by_desc(measure::Column::EffectiveOn)
        .order_by_asc(measure::Column::Id)
        .offset(offset)
        .limit(limit)
        .into_model::<MeasureRow>()
        .all(c)
        .await?;
    Ok((rows, total))
}

/// Every measure in scope, for statistics.
pub async fn all_measures(c: &impl ConnectionTrait, scope: &Scope, f: &MeasureFilter) -> Result<Vec<MeasureRow>> {
    Ok(measure_select().filter(measure_filter(scope, f)).into_model::<MeasureRow>().all(c).await?)
}

/// A cadre whose promotion bar ends on `last_day`.
#[derive(Clone, Debug, FromQueryResult)]
pub struct ImpactEndRow {
    pub cadre_id: Uuid,
    pub last_day: NaiveDate,
    pub cadre_name: String,
    pub unit_name: String,
    pub managed_by: String,
}

/// Cadres in scope whose bar ends between `from` and `to` (inclusive), soonest first.
pub async fn impact_ending(
    c: &impl ConnectionTrait,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ImpactEndRow>> {
    Ok(cadre_impact::Entity::find()
        .select_only()
        .column(cadre_impact::Column::CadreId)
        .column(cadre_impact::Column::LastDay)
        .join(JoinType::InnerJoin, cadre_impact::Relation::Cadre.def())
        .join(JoinType::InnerJoin, cadre::Relation::Unit.def())
        .join(JoinType::InnerJoin, unit::Relation::Jurisdiction.def())
        .column_as(cadre::Column::Name, "cadre_name")
        .column_as(unit::Column::Name, "unit_name")
        .column_as(cadre::Column::ManagedBy, "managed_by")
        .filter(cadre_scope(scope))
        .filter(cadre::Column::Active.eq(true))
        .filter(cadre_impact::Column::LastDay.between(from, to))
        .order_by_asc(cadre_impact::Column::LastDay)
        .order_by_asc(cadre::Column::NamePinyin)
        .into_model::<ImpactEndRow>()
        .all(c)
        .await?)
}

// ---- follow-up -------------------------------------------------------------

pub async fn insert_follow_up(c: &impl ConnectionTrait, m: follow_up::Model) -> Result<()> {
    follow_up::Entity::insert(follow_up::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

pub async fn insert_follow_ups(c: &impl ConnectionTrait, ms: Vec<follow_up::Model>) -> Result<()> {
    for chunk in ms.chunks(500) {
        follow_up::Entity::insert_many(chunk.iter().cloned().map(follow_up::ActiveModel::from))
            .exec_without_returning(c)
            .await?;
    }
    Ok(())
}

pub async fn follow_up(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<follow_up::Model>> {
    Ok(follow_up::Entity::find_by_id(id).one(c).await?)
}

pub async fn follow_ups_of(c: &impl ConnectionTrait, cadre_id: Uuid) -> Result<Vec<follow_up::Model>> {
    Ok(follow_up::Entity::find()
        .filter(follow_up::Column::CadreId.eq(cadre_id))
        .order_by_asc(follow_up::Column::CreatedAt)
        .all(c)
        .await?)
}

pub async fn update_follow_up(c: &impl ConnectionTrait, m: follow_up::Model, expected_version: i32) -> Result<()> {
    let id = m.id;
    crate::versioned::replace::<follow_up::Entity>(c, m, id, expected_version).await
}

/// Refreshes the bar's end on every open follow-up of a cadre.
pub async fn set_follow_up_impact(
    c: &impl ConnectionTrait,
    cadre_id: Uuid,
    last_day: Option<NaiveDate>,
    permanent: bool,
) -> Result<()> {
    follow_up::Entity::update_many()
        .col_expr(follow_up::Column::ImpactLastDay, Expr::value(last_day))
        .col_expr(follow_up::Column::ImpactPermanent, Expr::value(permanent))
        .filter(follow_up::Column::CadreId.eq(cadre_id))
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
        .filter(cadre_scope(scope));
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

pub async fn visits_of(c: &impl ConnectionTrait, follow_up_ids: &[Uuid]) -> Result<Vec<follow_up_visit::Model>> {
    if follow_up_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(follow_up_visit::Entity::find()
        .filter(follow_up_visit::Column::FollowUpId.is_in(follow_up_ids.to_vec()))
        .order_by_asc(follow_up_visit::Column::DueOn)
        .all(c)
        .await?)
}

pub async fn visit(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<follow_up_visit::Model>> {
    Ok(follow_up_visit::Entity::find_by_id(id).one(c).await?)
}

pub async fn insert_visits(c: &impl ConnectionTrait, ms: Vec<follow_up_visit::Model>) -> Result<()> {
    for chunk in ms.chunks(500) {
        follow_up_visit::Entity::insert_many(chunk.iter().cloned().map(follow_up_visit::ActiveModel::from))
            .exec_without_returning(c)
            .await?;
    }
    Ok(())
}

pub async fn update_visit(c: &impl ConnectionTrait, m: follow_up_visit::Model) -> Result<()> {
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
        .filter(cadre_scope(scope))
        .into_model::<VisitStat>()
        .all(c)
        .await?)
}
