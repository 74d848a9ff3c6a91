//! 督查问效 queries. Interviews are in scope with their cadre; supervised items
//! when the scope covers their lead unit or a co-unit; reminder and interview
//! cases when it covers their unit (and cadre), and the role may see the
//! case's state yet (`access::audience`); task letters by jurisdiction, a
//! leader only their own.

use dandang_domain::access::{Actor, Role, Scope, audience};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    sea_query::{Condition, Expr, ExprTrait, Query},
};
use uuid::Uuid;

use crate::{
    entity::{
        interview, item_milestone, item_report, supervised_item, supervised_item_co_unit, supervision_case,
        supervision_step, task_letter, task_letter_item,
    },
    error::{Result, StoreError},
    registry::CadreRow,
    scope::{InScope, ScopedIds, cadre_in, jurisdiction_ids, nothing, unit_in},
};

// ---- interviews held --------------------------------------------------------------

pub async fn insert_interview(c: &impl ConnectionTrait, m: interview::Model) -> Result<()> {
    interview::Entity::insert(interview::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

pub async fn interviews_of(c: &impl ConnectionTrait, cadre: &InScope<CadreRow>) -> Result<Vec<interview::Model>> {
    Ok(interview::Entity::find()
        .filter(interview::Column::CadreId.eq(cadre.id))
        .order_by_asc(interview::Column::HeldOn)
        .order_by_asc(interview::Column::Id)
        .all(c)
        .await?)
}

/// Interviews held between two dates with cadres in scope.
pub async fn interviews_in_scope(
    c: &impl ConnectionTrait,
    scope: &Scope,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<Vec<interview::Model>> {
    Ok(interview::Entity::find()
        .filter(cadre_in(interview::Column::CadreId, scope))
        .filter(interview::Column::HeldOn.between(from, to))
        .order_by_asc(interview::Column::HeldOn)
        .all(c)
        .await?)
}

// ---- supervised items -------------------------------------------------------------

/// The one scope condition of supervised items: led or co-handled by a unit in scope.
fn item_cond(scope: &Scope) -> Condition {
    let co = Query::select()
        .column(supervised_item_co_unit::Column::ItemId)
        .from(supervised_item_co_unit::Entity)
        .cond_where(unit_in(supervised_item_co_unit::Column::UnitId, scope))
        .to_owned();
    Condition::any()
        .add(unit_in(supervised_item::Column::LeadUnitId, scope))
        .add(supervised_item::Column::Id.in_subquery(co))
}

pub async fn insert_item(
    c: &impl ConnectionTrait,
    m: supervised_item::Model,
    co_units: &[Uuid],
    milestones: Vec<item_milestone::Model>,
) -> Result<()> {
    let id = m.id;
    supervised_item::Entity::insert(supervised_item::ActiveModel::from(m)).exec_without_returning(c).await?;
    if !co_units.is_empty() {
        supervised_item_co_unit::Entity::insert_many(
            co_units.iter().map(|u| supervised_item_co_unit::ActiveModel { item_id: Set(id), unit_id: Set(*u) }),
        )
        .exec_without_returning(c)
        .await?;
    }
    if !milestones.is_empty() {
        item_milestone::Entity::insert_many(milestones.into_iter().map(item_milestone::ActiveModel::from))
            .exec_without_returning(c)
            .await?;
    }
    Ok(())
}

/// Items in scope, earliest deadline first.
pub async fn items_in_scope(c: &impl ConnectionTrait, scope: &Scope) -> Result<Vec<InScope<supervised_item::Model>>> {
    Ok(supervised_item::Entity::find()
        .filter(item_cond(scope))
        .order_by_asc(supervised_item::Column::Deadline)
        .order_by_asc(supervised_item::Column::Id)
        .all(c)
        .await?
        .into_iter()
        .map(InScope::new)
        .collect())
}

pub async fn item(
    c: &impl ConnectionTrait,
    scope: &Scope,
    id: Uuid,
) -> Result<Option<InScope<supervised_item::Model>>> {
    Ok(supervised_item::Entity::find()
        .filter(supervised_item::Column::Id.eq(id))
        .filter(item_cond(scope))
        .one(c)
        .await?
        .map(InScope::new))
}

/// Items in scope by id (the items on a task letter); others are left out.
pub async fn items_by_ids(
    c: &impl ConnectionTrait,
    scope: &Scope,
    ids: &[Uuid],
) -> Result<Vec<InScope<supervised_item::Model>>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(supervised_item::Entity::find()
        .filter(supervised_item::Column::Id.is_in(ids.to_vec()))
        .filter(item_cond(scope))
        .order_by_asc(supervised_item::Column::Deadline)
        .all(c)
        .await?
        .into_iter()
        .map(InScope::new)
        .collect())
}

/// The co-units of items, as (item, unit) pairs.
pub async fn co_units_of(c: &impl ConnectionTrait, items: &ScopedIds) -> Result<Vec<(Uuid, Uuid)>> {
    let mut out = Vec::new();
    for chunk in items.as_slice().chunks(500) {
        out.extend(
            supervised_item_co_unit::Entity::find()
                .filter(supervised_item_co_unit::Column::ItemId.is_in(chunk.iter().copied()))
                .all(c)
                .await?
                .into_iter()
                .map(|r| (r.item_id, r.unit_id)),
        );
    }
    Ok(out)
}

pub async fn milestones_of(c: &impl ConnectionTrait, items: &ScopedIds) -> Result<Vec<item_milestone::Model>> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    Ok(item_milestone::Entity::find()
        .filter(item_milestone::Column::ItemId.is_in(items.as_slice().to_vec()))
        .order_by_asc(item_milestone::Column::DueOn)
        .all(c)
        .await?)
}

pub async fn insert_report(c: &impl ConnectionTrait, m: item_report::Model) -> Result<()> {
    item_report::Entity::insert(item_report::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

pub async fn reports_of(c: &impl ConnectionTrait, items: &ScopedIds) -> Result<Vec<item_report::Model>> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    Ok(item_report::Entity::find()
        .filter(item_report::Column::ItemId.is_in(items.as_slice().to_vec()))
        .order_by_asc(item_report::Column::ReportedOn)
        .order_by_asc(item_report::Column::At)
        .all(c)
        .await?)
}

/// Marks a milestone of an item done on a date (the first report that says so wins).
pub async fn milestone_done(
    c: &impl ConnectionTrait,
    item: &InScope<supervised_item::Model>,
    milestone: Uuid,
    on: chrono::NaiveDate,
) -> Result<()> {
    item_milestone::Entity::update_many()
        .col_expr(item_milestone::Column::DoneOn, Expr::value(on))
        .filter(item_milestone::Column::Id.eq(milestone))
        .filter(item_milestone::Column::ItemId.eq(item.id))
        .filter(item_milestone::Column::DoneOn.is_null())
        .exec(c)
        .await?;
    Ok(())
}

pub async fn item_completed(
    c: &impl ConnectionTrait,
    item: &InScope<supervised_item::Model>,
    on: chrono::NaiveDate,
) -> Result<()> {
    supervised_item::Entity::update_many()
        .col_expr(supervised_item::Column::CompletedOn, Expr::value(on))
        .col_expr(supervised_item::Column::Version, Expr::col(supervised_item::Column::Version).add(1))
        .filter(supervised_item::Column::Id.eq(item.id))
        .filter(supervised_item::Column::CompletedOn.is_null())
        .exec(c)
        .await?;
    Ok(())
}

// ---- reminders and interviews as procedures ------------------------------------

/// The one scope condition of cases: the unit (and the cadre, when about one)
/// in scope, and a state the role may see yet — or the user's own request.
fn case_cond(actor: &Actor) -> Condition {
    let scope = &actor.scope;
    let mut cond = Condition::all().add(unit_in(supervision_case::Column::UnitId, scope)).add(
        Condition::any()
            .add(supervision_case::Column::CadreId.is_null())
            .add(cadre_in(supervision_case::Column::CadreId, scope)),
    );
    if let Some(states) = audience::supervision_states(actor.role) {
        let codes: Vec<&str> = states.iter().map(|s| s.code()).collect();
        cond = cond.add(
            Condition::any()
                .add(supervision_case::Column::State.is_in(codes))
                .add(supervision_case::Column::RequestedBy.eq(actor.user_id.0)),
        );
    }
    cond
}

pub async fn insert_case(c: &impl ConnectionTrait, m: supervision_case::Model) -> Result<()> {
    supervision_case::Entity::insert(supervision_case::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

/// Replaces a case if nobody moved it since `expected_version` was read.
pub async fn update_case(
    c: &impl ConnectionTrait,
    target: &InScope<supervision_case::Model>,
    mut m: supervision_case::Model,
    expected_version: i32,
) -> Result<()> {
    m.id = target.id;
    crate::versioned::replace::<supervision_case::Entity>(c, m, target.id, expected_version).await
}

pub async fn insert_step(c: &impl ConnectionTrait, m: supervision_step::Model) -> Result<()> {
    supervision_step::Entity::insert(supervision_step::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

pub async fn case(
    c: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> Result<Option<InScope<supervision_case::Model>>> {
    Ok(supervision_case::Entity::find()
        .filter(supervision_case::Column::Id.eq(id))
        .filter(case_cond(actor))
        .one(c)
        .await?
        .map(InScope::new))
}

pub async fn steps_of(c: &impl ConnectionTrait, cases: &ScopedIds) -> Result<Vec<supervision_step::Model>> {
    if cases.is_empty() {
        return Ok(Vec::new());
    }
    Ok(supervision_step::Entity::find()
        .filter(supervision_step::Column::CaseId.is_in(cases.as_slice().to_vec()))
        .order_by_asc(supervision_step::Column::At)
        .order_by_asc(supervision_step::Column::Id)
        .all(c)
        .await?)
}

/// The interview record a case filed.
pub async fn interview_of_case(
    c: &impl ConnectionTrait,
    case: &InScope<supervision_case::Model>,
) -> Result<Option<interview::Model>> {
    match case.interview_id {
        Some(id) => Ok(interview::Entity::find_by_id(id).one(c).await?),
        None => Ok(None),
    }
}

#[derive(Clone, Debug, Default)]
pub struct CaseFilter {
    pub kind: Option<String>,
    pub states: Vec<String>,
    pub cadre_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
}

/// Cases in scope, the soonest deadline first.
pub async fn cases_in_scope(
    c: &impl ConnectionTrait,
    actor: &Actor,
    f: &CaseFilter,
) -> Result<Vec<InScope<supervision_case::Model>>> {
    let mut cond = case_cond(actor);
    if let Some(k) = &f.kind {
        cond = cond.add(supervision_case::Column::Kind.eq(k.clone()));
    }
    if !f.states.is_empty() {
        cond = cond.add(supervision_case::Column::State.is_in(f.states.clone()));
    }
    if let Some(id) = f.cadre_id {
        cond = cond.add(supervision_case::Column::CadreId.eq(id));
    }
    if let Some(id) = f.unit_id {
        cond = cond.add(supervision_case::Column::UnitId.eq(id));
    }
    Ok(supervision_case::Entity::find()
        .filter(cond)
        .order_by_asc(supervision_case::Column::StepDue)
        .order_by_desc(supervision_case::Column::CreatedAt)
        .all(c)
        .await?
        .into_iter()
        .map(InScope::new)
        .collect())
}

/// Reminders issued in a year, to number the next one.
const REMINDER_SERIES: &str = "supervision_reminder";

async fn bump_reminder_counter(c: &impl ConnectionTrait, year: i32) -> Result<u64> {
    use crate::entity::doc_counter;
    Ok(doc_counter::Entity::update_many()
        .col_expr(doc_counter::Column::Last, Expr::col(doc_counter::Column::Last).add(1))
        .filter(doc_counter::Column::Series.eq(REMINDER_SERIES))
        .filter(doc_counter::Column::Year.eq(year))
        .exec(c)
        .await?
        .rows_affected)
}

/// The next reminder number of a year. The counter row is updated first, so a
/// concurrent issue waits for this transaction (row lock on PostgreSQL, the
/// write lock on SQLite); reminders numbered before the counter existed are
/// counted once, when the year's row is made.
pub async fn next_reminder_number(c: &impl ConnectionTrait, year: i32) -> Result<i32> {
    use crate::entity::doc_counter;
    if bump_reminder_counter(c, year).await? == 0 {
        let issued = supervision_case::Entity::find()
            .filter(supervision_case::Column::Kind.eq("reminder"))
            .filter(supervision_case::Column::DocNo.like(format!("%〔{year}〕%")))
            .count(c)
            .await? as i32;
        let row = doc_counter::ActiveModel { series: Set(REMINDER_SERIES.into()), year: Set(year), last: Set(issued) };
        // Another transaction may have made the row meanwhile; either way it
        // exists now and is bumped under its lock.
        doc_counter::Entity::insert(row)
            .on_conflict(
                sea_orm::sea_query::OnConflict::columns([doc_counter::Column::Series, doc_counter::Column::Year])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(c)
            .await?;
        bump_reminder_counter(c, year).await?;
    }
    let row = doc_counter::Entity::find_by_id((REMINDER_SERIES.to_string(), year)).one(c).await?;
    row.map(|r| r.last).ok_or_else(|| StoreError::Db(sea_orm::DbErr::RecordNotFound("doc_counter".into())))
}

// ---- task letters ------------------------------------------------------------------

/// The one scope condition of task letters: the jurisdiction subtree, for
/// offices not bound to a unit; a leader only their own letters.
fn letter_cond(actor: &Actor) -> Condition {
    let scope = &actor.scope;
    if scope.unit_path.is_some() || scope.cadre_id.is_some() {
        return nothing();
    }
    let mut cond = Condition::all().add(task_letter::Column::JurisdictionId.in_subquery(jurisdiction_ids(scope)));
    if actor.role == Role::Leader {
        cond = cond.add(task_letter::Column::LeaderUserId.eq(actor.user_id.0));
    }
    cond
}

pub async fn insert_letter(c: &impl ConnectionTrait, m: task_letter::Model, items: &ScopedIds) -> Result<()> {
    let id = m.id;
    task_letter::Entity::insert(task_letter::ActiveModel::from(m)).exec_without_returning(c).await?;
    if !items.is_empty() {
        task_letter_item::Entity::insert_many(
            items
                .as_slice()
                .iter()
                .map(|i| task_letter_item::ActiveModel::from(task_letter_item::Model { letter_id: id, item_id: *i })),
        )
        .exec_without_returning(c)
        .await?;
    }
    Ok(())
}

pub async fn letter(c: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> Result<Option<InScope<task_letter::Model>>> {
    Ok(task_letter::Entity::find()
        .filter(task_letter::Column::Id.eq(id))
        .filter(letter_cond(actor))
        .one(c)
        .await?
        .map(InScope::new))
}

pub async fn update_letter(
    c: &impl ConnectionTrait,
    target: &InScope<task_letter::Model>,
    mut m: task_letter::Model,
    expected_version: i32,
) -> Result<()> {
    m.id = target.id;
    crate::versioned::replace::<task_letter::Entity>(c, m, target.id, expected_version).await
}

/// Letters in scope, newest year first.
pub async fn letters_in_scope(
    c: &impl ConnectionTrait,
    actor: &Actor,
    year: Option<i32>,
) -> Result<Vec<InScope<task_letter::Model>>> {
    let mut q = task_letter::Entity::find().filter(letter_cond(actor));
    if let Some(y) = year {
        q = q.filter(task_letter::Column::Year.eq(y));
    }
    Ok(q.order_by_desc(task_letter::Column::Year)
        .order_by_asc(task_letter::Column::CreatedAt)
        .all(c)
        .await?
        .into_iter()
        .map(InScope::new)
        .collect())
}

pub async fn letter_item_ids(c: &impl ConnectionTrait, letter: &InScope<task_letter::Model>) -> Result<Vec<Uuid>> {
    Ok(task_letter_item::Entity::find()
        .filter(task_letter_item::Column::LetterId.eq(letter.id))
        .all(c)
        .await?
        .into_iter()
        .map(|r| r.item_id)
        .collect())
}

/// The lead and co-units of items in scope, which the items name to whoever
/// reads them (a co-unit outside the reader's scope included).
pub async fn item_units(c: &impl ConnectionTrait, items: &ScopedIds) -> Result<Vec<crate::registry::UnitRow>> {
    use crate::entity::unit;
    let mut out = Vec::new();
    for chunk in items.as_slice().chunks(500) {
        let lead = Query::select()
            .column(supervised_item::Column::LeadUnitId)
            .from(supervised_item::Entity)
            .and_where(supervised_item::Column::Id.is_in(chunk.iter().copied()))
            .to_owned();
        let co = Query::select()
            .column(supervised_item_co_unit::Column::UnitId)
            .from(supervised_item_co_unit::Entity)
            .and_where(supervised_item_co_unit::Column::ItemId.is_in(chunk.iter().copied()))
            .to_owned();
        let cond = Condition::any()
            .add(Expr::col((unit::Entity, unit::Column::Id)).in_subquery(lead))
            .add(Expr::col((unit::Entity, unit::Column::Id)).in_subquery(co));
        out.extend(crate::registry::units_where(c, cond).await?);
    }
    Ok(out)
}

/// The items of a letter in scope: whoever reads the letter reads its items.
pub async fn letter_items(
    c: &impl ConnectionTrait,
    letter: &InScope<task_letter::Model>,
    ids: &[Uuid],
) -> Result<Vec<InScope<supervised_item::Model>>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let on_letter = Query::select()
        .column(task_letter_item::Column::ItemId)
        .from(task_letter_item::Entity)
        .and_where(task_letter_item::Column::LetterId.eq(letter.id))
        .to_owned();
    Ok(supervised_item::Entity::find()
        .filter(supervised_item::Column::Id.is_in(ids.to_vec()))
        .filter(supervised_item::Column::Id.in_subquery(on_letter))
        .order_by_asc(supervised_item::Column::Deadline)
        .all(c)
        .await?
        .into_iter()
        .map(InScope::new)
        .collect())
}
