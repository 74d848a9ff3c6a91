//! Measures on cadres' records and against units' party organizations, and
//! where each cadre's promotion bar ends. A measure about a cadre is in scope
//! when its cadre is; one against an organization when its unit is.

use chrono::{NaiveDate, Utc};
use dandang_domain::access::Scope;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, JoinType, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait,
    sea_query::{Condition, Expr, ExprTrait},
};
use uuid::Uuid;

use crate::{
    entity::{cadre, cadre_impact, measure, unit},
    error::Result,
    registry::{CadreRow, UnitRow},
    scope::{InScope, cadre_cond, cadre_in, unit_in},
};

/// The one scope condition of measures.
fn cond(scope: &Scope) -> Condition {
    Condition::any()
        .add(cadre_in(measure::Column::CadreId, scope))
        .add(Condition::all().add(measure::Column::CadreId.is_null()).add(unit_in(measure::Column::UnitId, scope)))
}

pub async fn insert_measure(c: &impl ConnectionTrait, m: measure::Model) -> Result<()> {
    measure::Entity::insert(measure::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

pub async fn insert_measures(c: &impl ConnectionTrait, ms: Vec<measure::Model>) -> Result<()> {
    crate::bulk::insert_models::<measure::Entity>(c, ms).await
}

/// One measure, if the scope covers its cadre (or its unit, for a measure
/// against an organization).
pub async fn measure(c: &impl ConnectionTrait, scope: &Scope, id: Uuid) -> Result<Option<InScope<measure::Model>>> {
    Ok(measure::Entity::find().filter(measure::Column::Id.eq(id)).filter(cond(scope)).one(c).await?.map(InScope::new))
}

/// A cadre's measures, oldest first.
pub async fn measures_of(c: &impl ConnectionTrait, cadre: &InScope<CadreRow>) -> Result<Vec<InScope<measure::Model>>> {
    Ok(measure::Entity::find()
        .filter(measure::Column::CadreId.eq(cadre.id))
        .order_by_asc(measure::Column::EffectiveOn)
        .order_by_asc(measure::Column::Id)
        .all(c)
        .await?
        .into_iter()
        .map(InScope::new)
        .collect())
}

/// Measures against the unit's party organization (no cadre), newest first.
pub async fn organization_measures(c: &impl ConnectionTrait, u: &InScope<UnitRow>) -> Result<Vec<measure::Model>> {
    Ok(measure::Entity::find()
        .filter(measure::Column::UnitId.eq(u.id))
        .filter(measure::Column::CadreId.is_null())
        .order_by_desc(measure::Column::EffectiveOn)
        .order_by_asc(measure::Column::Id)
        .all(c)
        .await?)
}

/// Replaces a measure if nobody changed it since `expected_version` was read.
pub async fn update_measure(
    c: &impl ConnectionTrait,
    target: &InScope<measure::Model>,
    mut m: measure::Model,
    expected_version: i32,
) -> Result<()> {
    m.id = target.id;
    crate::versioned::replace::<measure::Entity>(c, m, target.id, expected_version).await
}

/// Records where a cadre's promotion bar ends (null with `permanent` for never).
pub async fn set_cadre_impact(
    c: &impl ConnectionTrait,
    cadre: &InScope<CadreRow>,
    last_day: Option<NaiveDate>,
    permanent: bool,
) -> Result<()> {
    cadre_impact::Entity::delete_by_id(cadre.id).exec(c).await?;
    if last_day.is_some() || permanent {
        cadre_impact::Entity::insert(cadre_impact::ActiveModel {
            cadre_id: Set(cadre.id),
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
    crate::bulk::insert_models::<cadre_impact::Entity>(c, rows).await
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

/// Measures on cadres, with their names: what the statistics count.
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
    // The join reaches the cadre, so the cadre condition is the measure's.
    let mut cond = cadre_cond(scope);
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
        .filter(cadre_cond(scope))
        .filter(cadre::Column::Active.eq(true))
        .filter(cadre_impact::Column::LastDay.between(from, to))
        .order_by_asc(cadre_impact::Column::LastDay)
        .order_by_asc(cadre::Column::NamePinyin)
        .into_model::<ImpactEndRow>()
        .all(c)
        .await?)
}
