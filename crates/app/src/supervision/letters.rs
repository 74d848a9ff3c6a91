//! Annual task letters (任务书): a leader's supervised items for a year, set
//! at the start, tracked at mid-year and reconciled at year end — the loop
//! "年初制定、年中跟踪、年末对账" over the same items the office supervises.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, Utc};
use dandang_domain::{
    access::{Actor, Permission},
    error::{Invalid, Problem},
    supervision::{Outcome, checkpoint, outcome, params::Checkpoints},
    text,
};
use dandang_store::{InScope, ScopedIds, entity::task_letter, registry, supervision as store, users};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ItemView, file::Count, item_views};
use crate::{
    App,
    access::require,
    audit::{self, Event, Place},
    clock,
    error::{AppError, Result},
};

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct LetterInput {
    pub year: i32,
    /// The leader's account (党委（政府）领导): the letter is theirs to read.
    pub leader_user_id: Uuid,
    #[serde(default)]
    pub leader_post: Option<String>,
    pub title: String,
    /// Supervised items this letter assigns.
    #[serde(default)]
    pub item_ids: Vec<Uuid>,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ReviewInput {
    /// `midyear` or `year_end`.
    pub stage: String,
    pub note: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Review {
    pub checkpoint: NaiveDate,
    pub note: String,
    pub by: String,
    pub at: String,
    /// The outcomes as they stood on the checkpoint when the review was recorded.
    pub counts: Vec<Count>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LetterItem {
    pub item: ItemView,
    pub midyear: String,
    pub midyear_label: String,
    pub year_end: String,
    pub year_end_label: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LetterView {
    pub id: Uuid,
    pub year: i32,
    pub leader_user_id: Option<Uuid>,
    pub leader_name: String,
    pub leader_post: Option<String>,
    pub title: String,
    pub midyear_checkpoint: NaiveDate,
    pub year_end_checkpoint: NaiveDate,
    pub items: Vec<LetterItem>,
    pub midyear_counts: Vec<Count>,
    pub year_end_counts: Vec<Count>,
    pub midyear: Option<Review>,
    pub year_end: Option<Review>,
    pub can_review: bool,
    pub version: i32,
}

fn counts(outcomes: &[Outcome]) -> Vec<Count> {
    Outcome::ALL
        .iter()
        .map(|o| Count {
            code: o.code().into(),
            label: o.label_zh().into(),
            count: outcomes.iter().filter(|x| *x == o).count(),
        })
        .collect()
}

async fn letter_in_scope(app: &App, actor: &Actor, id: Uuid) -> Result<InScope<task_letter::Model>> {
    require(actor, Permission::SupervisionRead)?;
    store::letter(app.db().read(), actor, id).await?.ok_or(AppError::NotFound("任务书"))
}

/// Where a letter's events belong: its jurisdiction.
async fn letter_place(app: &App, actor: &Actor, m: &task_letter::Model) -> Result<Place> {
    Ok(registry::jurisdictions(app.db().read(), &actor.scope)
        .await?
        .into_iter()
        .find(|j| j.id == m.jurisdiction_id)
        .map(|j| Place::at(&j.path))
        .unwrap_or_else(|| Place::of_actor(actor)))
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LeaderRef {
    pub id: Uuid,
    pub name: String,
}

/// The leader accounts a letter may be addressed to: leaders whose own scope
/// lies within the office's.
pub async fn leaders(app: &App, actor: &Actor) -> Result<Vec<LeaderRef>> {
    require(actor, Permission::SupervisionWrite)?;
    Ok(users::leaders_within(app.db().read(), &actor.scope)
        .await?
        .into_iter()
        .map(|(id, name)| LeaderRef { id, name })
        .collect())
}

/// The days a letter of this jurisdiction and year is reviewed on, from its
/// pack (as in force on 1 January of the letter's year).
async fn checkpoints(app: &App, actor: &Actor, m: &task_letter::Model) -> Result<Checkpoints> {
    let code = registry::jurisdictions(app.db().read(), &actor.scope)
        .await?
        .into_iter()
        .find(|j| j.id == m.jurisdiction_id)
        .map(|j| j.code.clone());
    checkpoints_for(app, code.as_deref(), m.year)
}

fn checkpoints_for(app: &App, code: Option<&str>, year: i32) -> Result<Checkpoints> {
    let p = app.policy();
    let pack = code.map(|c| p.pack_for(c)).unwrap_or(&p.default_pack);
    let on = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_else(clock::today);
    p.resolved(pack)
        .value::<Checkpoints>("supervision.task_letter_checkpoints", on)
        .map_err(AppError::Config)?
        .map(|v| v.value)
        .ok_or_else(|| AppError::Conflict(format!("规则包 {pack} 在 {year} 年没有任务书年中跟踪、年末对账的日期")))
}

fn view(actor: &Actor, m: &task_letter::Model, items: Vec<ItemView>, today: NaiveDate, cp: &Checkpoints) -> LetterView {
    let (mid, end) = (checkpoint(m.year, cp.midyear, today), checkpoint(m.year, cp.year_end, today));
    let rows: Vec<LetterItem> = items
        .into_iter()
        .map(|i| {
            let (a, b) = (outcome(i.deadline, i.completed_on, mid), outcome(i.deadline, i.completed_on, end));
            LetterItem {
                item: i,
                midyear: a.code().into(),
                midyear_label: a.label_zh().into(),
                year_end: b.code().into(),
                year_end_label: b.label_zh().into(),
            }
        })
        .collect();
    let of = |f: fn(&LetterItem) -> &str| -> Vec<Outcome> {
        rows.iter().filter_map(|r| Outcome::parse(f(r)).ok()).collect()
    };
    LetterView {
        id: m.id,
        year: m.year,
        leader_user_id: m.leader_user_id,
        leader_name: m.leader_name.clone(),
        leader_post: m.leader_post.clone(),
        title: m.title.clone(),
        midyear_checkpoint: mid,
        year_end_checkpoint: end,
        midyear_counts: counts(&of(|r| &r.midyear)),
        year_end_counts: counts(&of(|r| &r.year_end)),
        items: rows,
        midyear: m.midyear.as_deref().and_then(|s| serde_json::from_str(s).ok()),
        year_end: m.year_end.as_deref().and_then(|s| serde_json::from_str(s).ok()),
        can_review: actor.can(Permission::SupervisionWrite),
        version: m.version,
    }
}

/// The letter's items: a letter the actor reads shows all its items (a leader
/// reads their own letter's items even where no unit of theirs leads them).
async fn items_of(app: &App, actor: &Actor, letter: &InScope<task_letter::Model>) -> Result<Vec<ItemView>> {
    let ids = store::letter_item_ids(app.db().read(), letter).await?;
    let items = store::letter_items(app.db().read(), letter, &ids).await?;
    item_views(app, actor, &items).await
}

pub async fn create(app: &App, actor: &Actor, input: &LetterInput) -> Result<LetterView> {
    require(actor, Permission::SupervisionWrite)?;
    let today = clock::today();
    let mut inv = Invalid::new();
    if !(2000..=today.year() + 1).contains(&input.year) {
        inv.push("year", "年度", Problem::OutOfRange { min: 2000, max: (today.year() + 1) as i64 });
    }
    let db = app.db().read();
    let leader = users::leaders_within(db, &actor.scope).await?.into_iter().find(|(id, _)| *id == input.leader_user_id);
    if leader.is_none() {
        inv.push("leader_user_id", "领导", Problem::NotFound);
    }
    let post = inv.take("leader_post", "职务", text::optional(input.leader_post.as_deref(), 64)).flatten();
    let title = inv.take("title", "任务书名称", text::required(&input.title, 200));
    if input.item_ids.is_empty() {
        inv.push("item_ids", "督查事项", Problem::Required);
    }
    let visible = store::items_by_ids(db, &actor.scope, &input.item_ids).await?;
    let mut ids = Vec::new();
    for (i, id) in input.item_ids.iter().enumerate() {
        if !visible.iter().any(|v| v.id == *id) {
            inv.push(&format!("item_ids[{i}]"), "督查事项", Problem::NotFound);
        } else if !ids.contains(id) {
            ids.push(*id);
        }
    }
    inv.into_result()?;
    let (leader_user_id, leader_name) = leader.expect("checked");
    // The letter belongs to the office's jurisdiction; for a deployment-wide
    // account, to that of the first item's lead unit.
    let jurisdiction_id = match registry::scope_root(db, &actor.scope).await? {
        Some(j) => j.id,
        None => {
            let lead = visible.iter().find(|v| v.id == ids[0]).map(|v| v.lead_unit_id).expect("checked");
            registry::unit(db, &actor.scope, lead).await?.ok_or(AppError::NotFound("单位"))?.jurisdiction_id
        }
    };
    let m = task_letter::Model {
        id: Uuid::now_v7(),
        year: input.year,
        jurisdiction_id,
        leader_name,
        leader_user_id: Some(leader_user_id),
        leader_post: post,
        title: title.expect("checked"),
        midyear: None,
        year_end: None,
        created_by: actor.user_id.0,
        created_at: Utc::now(),
        version: 1,
    };
    let place = letter_place(app, actor, &m).await?;
    // A letter no pack gives review days for cannot be tracked: refuse it now.
    let cp = checkpoints(app, actor, &m).await?;
    let chosen: Vec<InScope<dandang_store::entity::supervised_item::Model>> =
        visible.into_iter().filter(|v| ids.contains(&v.id)).collect();
    let tx = app.db().write().await?;
    store::insert_letter(&tx, m.clone(), &ScopedIds::of(&chosen)).await?;
    audit::record(
        app,
        &tx,
        actor,
        Event::new("task_letter.create", "task_letter", m.id, place).after(&serde_json::json!({
            "year": m.year, "leader": m.leader_name, "leader_user_id": m.leader_user_id, "title": m.title, "items": ids,
        })),
    )
    .await?;
    tx.commit().await?;
    let items = item_views(app, actor, &chosen).await?;
    Ok(view(actor, &m, items, today, &cp))
}

pub async fn get(app: &App, actor: &Actor, id: Uuid) -> Result<LetterView> {
    let m = letter_in_scope(app, actor, id).await?;
    let items = items_of(app, actor, &m).await?;
    let cp = checkpoints(app, actor, &m).await?;
    Ok(view(actor, &m, items, clock::today(), &cp))
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LetterSummary {
    pub id: Uuid,
    pub year: i32,
    pub leader_user_id: Option<Uuid>,
    pub leader_name: String,
    pub title: String,
    pub items: usize,
    pub on_time: usize,
    pub overdue: usize,
    pub midyear_done: bool,
    pub year_end_done: bool,
}

pub async fn list(app: &App, actor: &Actor, year: Option<i32>) -> Result<Vec<LetterSummary>> {
    require(actor, Permission::SupervisionRead)?;
    if actor.scope.cadre_id.is_some() {
        return Err(AppError::Forbidden);
    }
    let letters = store::letters_in_scope(app.db().read(), actor, year).await?;
    let codes: HashMap<Uuid, String> = registry::jurisdictions(app.db().read(), &actor.scope)
        .await?
        .into_iter()
        .map(|j| (j.id, j.code.clone()))
        .collect();
    let mut out = Vec::with_capacity(letters.len());
    for m in &letters {
        let items = items_of(app, actor, m).await?;
        let cp = checkpoints_for(app, codes.get(&m.jurisdiction_id).map(String::as_str), m.year)?;
        out.push(summary(m, &items.iter().collect::<Vec<_>>(), &cp));
    }
    Ok(out)
}

/// Letters in scope summarised over items the caller already listed.
pub(crate) async fn list_over(app: &App, actor: &Actor, items: &[ItemView]) -> Result<Vec<LetterSummary>> {
    require(actor, Permission::SupervisionRead)?;
    if actor.scope.cadre_id.is_some() {
        return Err(AppError::Forbidden);
    }
    let mut out = Vec::new();
    let codes: HashMap<Uuid, String> = registry::jurisdictions(app.db().read(), &actor.scope)
        .await?
        .into_iter()
        .map(|j| (j.id, j.code.clone()))
        .collect();
    for m in store::letters_in_scope(app.db().read(), actor, None).await? {
        let ids = store::letter_item_ids(app.db().read(), &m).await?;
        let cp = checkpoints_for(app, codes.get(&m.jurisdiction_id).map(String::as_str), m.year)?;
        out.push(summary(&m, &items.iter().filter(|i| ids.contains(&i.id)).collect::<Vec<_>>(), &cp));
    }
    Ok(out)
}

fn summary(m: &task_letter::Model, mine: &[&ItemView], cp: &Checkpoints) -> LetterSummary {
    let today = clock::today();
    let end = checkpoint(m.year, cp.year_end, today);
    let oc: Vec<Outcome> = mine.iter().map(|i| outcome(i.deadline, i.completed_on, end)).collect();
    {
        LetterSummary {
            id: m.id,
            year: m.year,
            leader_user_id: m.leader_user_id,
            leader_name: m.leader_name.clone(),
            title: m.title.clone(),
            items: mine.len(),
            on_time: oc.iter().filter(|o| **o == Outcome::OnTime).count(),
            overdue: oc.iter().filter(|o| **o == Outcome::Overdue).count(),
            midyear_done: m.midyear.is_some(),
            year_end_done: m.year_end.is_some(),
        }
    }
}

/// Records the mid-year tracking or the year-end reconciliation, once each,
/// with the outcomes as they stand on the checkpoint.
pub async fn review(app: &App, actor: &Actor, id: Uuid, input: &ReviewInput) -> Result<LetterView> {
    require(actor, Permission::SupervisionWrite)?;
    let target = letter_in_scope(app, actor, id).await?;
    let mut m = target.get().clone();
    let year_end = match input.stage.trim() {
        "midyear" | "年中跟踪" => false,
        "year_end" | "年末对账" => true,
        _ => {
            return Err(AppError::invalid(
                "stage",
                "环节",
                Problem::Unknown {
                    allowed: vec!["midyear（年中跟踪）".into(), "year_end（年末对账）".into()]
                },
            ));
        }
    };
    let note = text::required(&input.note, 4000).map_err(|p| AppError::invalid("note", "意见", p))?;
    let done = if year_end { &m.year_end } else { &m.midyear };
    if done.is_some() {
        return Err(AppError::IllegalTransition(format!(
            "该任务书的{}已经记录",
            if year_end { "年末对账" } else { "年中跟踪" }
        )));
    }
    if year_end && m.midyear.is_none() {
        return Err(AppError::IllegalTransition("请先记录年中跟踪，再进行年末对账".into()));
    }
    let today = clock::today();
    let items = items_of(app, actor, &target).await?;
    let cp = checkpoints(app, actor, &m).await?;
    let v = view(actor, &m, items, today, &cp);
    let r = Review {
        checkpoint: if year_end { v.year_end_checkpoint } else { v.midyear_checkpoint },
        note,
        by: actor.display_name.clone(),
        at: clock::local(Utc::now()),
        counts: if year_end { v.year_end_counts.clone() } else { v.midyear_counts.clone() },
    };
    let json = serde_json::to_string(&r).map_err(|e| AppError::Internal(e.to_string()))?;
    if year_end {
        m.year_end = Some(json);
    } else {
        m.midyear = Some(json);
    }
    let expected = m.version;
    let place = letter_place(app, actor, &m).await?;
    let tx = app.db().write().await?;
    store::update_letter(&tx, &target, m.clone(), expected).await?;
    audit::record(
        app,
        &tx,
        actor,
        Event::new(if year_end { "task_letter.year_end" } else { "task_letter.midyear" }, "task_letter", id, place)
            .after(&r),
    )
    .await?;
    tx.commit().await?;
    m.version = expected + 1;
    Ok(view(actor, &m, v.items.into_iter().map(|i| i.item).collect(), today, &cp))
}
