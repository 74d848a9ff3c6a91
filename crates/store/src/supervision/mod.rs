//! 督查问效 queries.

use dandang_domain::access::Scope;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    RelationTrait,
    sea_query::{Condition, Expr, ExprTrait},
};
use uuid::Uuid;

use crate::{
    entity::{
        cadre, interview, item_milestone, item_report, jurisdiction, supervised_item, supervision_case,
        supervision_step, task_letter, task_letter_item, unit,
    },
    error::{Result, StoreError},
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

/// Items whose lead unit lies in the scope's jurisdiction subtree (and, for
/// unit-bound scopes, led or co-handled by the unit), earliest deadline first.
pub async fn items_in_scope(c: &impl ConnectionTrait, scope: &Scope) -> Result<Vec<supervised_item::Model>> {
    let mut cond = Condition::all()
        .add(Expr::col((jurisdiction::Entity, jurisdiction::Column::Path)).like(like_prefix(&scope.jurisdiction_path)));
    if let Some(p) = &scope.unit_path {
        // A unit sees the items it leads and those it cooperates on.
        let mut own = Condition::any().add(Expr::col((unit::Entity, unit::Column::Path)).like(like_prefix(p)));
        if let Some(u) = scope.unit_id {
            own = own.add(supervised_item::Column::CoUnitIds.like(format!("%{}%", u.0)));
        }
        cond = cond.add(own);
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

// ---- reminders and interviews as procedures ------------------------------------

pub async fn insert_case(c: &impl ConnectionTrait, m: supervision_case::Model) -> Result<()> {
    supervision_case::Entity::insert(supervision_case::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

/// Replaces a case if nobody moved it since `expected_version` was read.
pub async fn update_case(c: &impl ConnectionTrait, m: supervision_case::Model, expected_version: i32) -> Result<()> {
    let id = m.id;
    crate::versioned::replace::<supervision_case::Entity>(c, m, id, expected_version).await
}

pub async fn insert_step(c: &impl ConnectionTrait, m: supervision_step::Model) -> Result<()> {
    supervision_step::Entity::insert(supervision_step::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

pub async fn case_by_id(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<supervision_case::Model>> {
    Ok(supervision_case::Entity::find_by_id(id).one(c).await?)
}

pub async fn steps_of(c: &impl ConnectionTrait, case_ids: &[Uuid]) -> Result<Vec<supervision_step::Model>> {
    if case_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(supervision_step::Entity::find()
        .filter(supervision_step::Column::CaseId.is_in(case_ids.to_vec()))
        .order_by_asc(supervision_step::Column::At)
        .order_by_asc(supervision_step::Column::Id)
        .all(c)
        .await?)
}

#[derive(Clone, Debug, Default)]
pub struct CaseFilter {
    pub kind: Option<String>,
    pub states: Vec<String>,
    pub cadre_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
}

/// Cases whose unit lies in the scope (unit subtree for unit-bound scopes)
/// and, when about a cadre, whose cadre's management level the scope handles;
/// the soonest deadline first.
pub async fn cases_in_scope(
    c: &impl ConnectionTrait,
    scope: &Scope,
    f: &CaseFilter,
) -> Result<Vec<supervision_case::Model>> {
    let managed: Vec<String> = scope.managed_by.iter().map(|m| m.code().to_string()).collect();
    let mut cond = Condition::all()
        .add(Expr::col((jurisdiction::Entity, jurisdiction::Column::Path)).like(like_prefix(&scope.jurisdiction_path)))
        .add(
            Condition::any()
                .add(Expr::col((supervision_case::Entity, supervision_case::Column::CadreId)).is_null())
                .add(Expr::col((cadre::Entity, cadre::Column::ManagedBy)).is_in(managed)),
        );
    if let Some(p) = &scope.unit_path {
        cond = cond.add(Expr::col((unit::Entity, unit::Column::Path)).like(like_prefix(p)));
    }
    if let Some(only) = scope.cadre_id {
        cond = cond.add(supervision_case::Column::CadreId.eq(only.0));
    }
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
        .join(JoinType::InnerJoin, supervision_case::Relation::Unit.def())
        .join(JoinType::InnerJoin, unit::Relation::Jurisdiction.def())
        .join(JoinType::LeftJoin, supervision_case::Relation::Cadre.def())
        .filter(cond)
        .order_by_asc(supervision_case::Column::StepDue)
        .order_by_desc(supervision_case::Column::CreatedAt)
        .all(c)
        .await?)
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

/// Interviews held between two dates with cadres in scope.
pub async fn interviews_in_scope(
    c: &impl ConnectionTrait,
    scope: &Scope,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<Vec<interview::Model>> {
    Ok(interview::Entity::find()
        .join(JoinType::InnerJoin, interview::Relation::Cadre.def())
        .join(JoinType::InnerJoin, cadre::Relation::Unit.def())
        .join(JoinType::InnerJoin, unit::Relation::Jurisdiction.def())
        .filter(crate::registry::cadre_scope(scope))
        .filter(interview::Column::HeldOn.between(from, to))
        .order_by_asc(interview::Column::HeldOn)
        .all(c)
        .await?)
}

// ---- progress reports on items ---------------------------------------------------

pub async fn item_by_id(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<supervised_item::Model>> {
    Ok(supervised_item::Entity::find_by_id(id).one(c).await?)
}

pub async fn insert_report(c: &impl ConnectionTrait, m: item_report::Model) -> Result<()> {
    item_report::Entity::insert(item_report::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

pub async fn reports_of(c: &impl ConnectionTrait, item_ids: &[Uuid]) -> Result<Vec<item_report::Model>> {
    if item_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(item_report::Entity::find()
        .filter(item_report::Column::ItemId.is_in(item_ids.to_vec()))
        .order_by_asc(item_report::Column::ReportedOn)
        .order_by_asc(item_report::Column::At)
        .all(c)
        .await?)
}

/// Marks a milestone done on a date (the first report that says so wins).
pub async fn milestone_done(c: &impl ConnectionTrait, id: Uuid, on: chrono::NaiveDate) -> Result<()> {
    item_milestone::Entity::update_many()
        .col_expr(item_milestone::Column::DoneOn, Expr::value(on))
        .filter(item_milestone::Column::Id.eq(id))
        .filter(item_milestone::Column::DoneOn.is_null())
        .exec(c)
        .await?;
    Ok(())
}

pub async fn item_completed(c: &impl ConnectionTrait, id: Uuid, on: chrono::NaiveDate) -> Result<()> {
    supervised_item::Entity::update_many()
        .col_expr(supervised_item::Column::CompletedOn, Expr::value(on))
        .col_expr(supervised_item::Column::Version, Expr::col(supervised_item::Column::Version).add(1))
        .filter(supervised_item::Column::Id.eq(id))
        .filter(supervised_item::Column::CompletedOn.is_null())
        .exec(c)
        .await?;
    Ok(())
}

// ---- task letters ------------------------------------------------------------------

pub async fn insert_letter(c: &impl ConnectionTrait, m: task_letter::Model, item_ids: &[Uuid]) -> Result<()> {
    let id = m.id;
    task_letter::Entity::insert(task_letter::ActiveModel::from(m)).exec_without_returning(c).await?;
    if !item_ids.is_empty() {
        task_letter_item::Entity::insert_many(
            item_ids
                .iter()
                .map(|i| task_letter_item::ActiveModel::from(task_letter_item::Model { letter_id: id, item_id: *i })),
        )
        .exec_without_returning(c)
        .await?;
    }
    Ok(())
}

pub async fn letter_by_id(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<task_letter::Model>> {
    Ok(task_letter::Entity::find_by_id(id).one(c).await?)
}

pub async fn update_letter(c: &impl ConnectionTrait, m: task_letter::Model, expected_version: i32) -> Result<()> {
    let id = m.id;
    crate::versioned::replace::<task_letter::Entity>(c, m, id, expected_version).await
}

/// Letters of jurisdictions in the scope's subtree, newest year first.
pub async fn letters_in_scope(
    c: &impl ConnectionTrait,
    scope: &Scope,
    year: Option<i32>,
) -> Result<Vec<task_letter::Model>> {
    let mut q =
        task_letter::Entity::find().join(JoinType::InnerJoin, task_letter::Relation::Jurisdiction.def()).filter(
            Expr::col((jurisdiction::Entity, jurisdiction::Column::Path)).like(like_prefix(&scope.jurisdiction_path)),
        );
    if let Some(y) = year {
        q = q.filter(task_letter::Column::Year.eq(y));
    }
    Ok(q.order_by_desc(task_letter::Column::Year).order_by_asc(task_letter::Column::CreatedAt).all(c).await?)
}

pub async fn letter_item_ids(c: &impl ConnectionTrait, letter_id: Uuid) -> Result<Vec<Uuid>> {
    Ok(task_letter_item::Entity::find()
        .filter(task_letter_item::Column::LetterId.eq(letter_id))
        .all(c)
        .await?
        .into_iter()
        .map(|r| r.item_id)
        .collect())
}
