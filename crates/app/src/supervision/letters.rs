//! Annual task letters (任务书): a leader's supervised items for a year, set
//! at the start, tracked at mid-year and reconciled at year end — the loop
//! "年初制定、年中跟踪、年末对账" over the same items the office supervises.

use chrono::{Datelike, NaiveDate, Utc};
use dandang_domain::{
    access::{Actor, Permission},
    error::{Invalid, Problem},
    supervision::{Outcome, checkpoint, outcome},
    text,
};
use dandang_store::{entity::task_letter, registry, supervision as store};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ItemView, file::Count, list_items};
use crate::{
    App, audit, clock,
    error::{AppError, Result},
    registry::require,
};

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct LetterInput {
    pub year: i32,
    pub leader_name: String,
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

async fn letter_in_scope(app: &App, actor: &Actor, id: Uuid) -> Result<task_letter::Model> {
    require(actor, Permission::SupervisionRead)?;
    let m = store::letter_by_id(app.db().read(), id).await?.ok_or(AppError::NotFound("任务书"))?;
    let j = registry::jurisdiction(app.db().read(), m.jurisdiction_id).await?.ok_or(AppError::NotFound("行政区划"))?;
    if !actor.scope.covers_jurisdiction(&j.path) || actor.scope.cadre_id.is_some() {
        return Err(AppError::OutOfScope);
    }
    Ok(m)
}

fn view(actor: &Actor, m: &task_letter::Model, items: Vec<ItemView>, today: NaiveDate) -> LetterView {
    let (mid, end) = (checkpoint(m.year, false, today), checkpoint(m.year, true, today));
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

async fn items_of(app: &App, actor: &Actor, letter_id: Uuid) -> Result<Vec<ItemView>> {
    let ids = store::letter_item_ids(app.db().read(), letter_id).await?;
    Ok(list_items(app, actor, None).await?.into_iter().filter(|i| ids.contains(&i.id)).collect())
}

pub async fn create(app: &App, actor: &Actor, input: &LetterInput) -> Result<LetterView> {
    require(actor, Permission::SupervisionWrite)?;
    let today = clock::today();
    let mut inv = Invalid::new();
    if !(2000..=today.year() + 1).contains(&input.year) {
        inv.push("year", "年度", Problem::OutOfRange { min: 2000, max: (today.year() + 1) as i64 });
    }
    let leader = inv.take("leader_name", "领导姓名", text::required(&input.leader_name, 32));
    let post = inv.take("leader_post", "职务", text::optional(input.leader_post.as_deref(), 64)).flatten();
    let title = inv.take("title", "任务书名称", text::required(&input.title, 200));
    if input.item_ids.is_empty() {
        inv.push("item_ids", "督查事项", Problem::Required);
    }
    let visible = list_items(app, actor, None).await?;
    let mut ids = Vec::new();
    for (i, id) in input.item_ids.iter().enumerate() {
        if !visible.iter().any(|v| v.id == *id) {
            inv.push(&format!("item_ids[{i}]"), "督查事项", Problem::NotFound);
        } else if !ids.contains(id) {
            ids.push(*id);
        }
    }
    inv.into_result()?;
    // The letter belongs to the office's jurisdiction; for a deployment-wide
    // account, to that of the first item's lead unit.
    let jurisdiction_id = match registry::jurisdiction_by_path(app.db().read(), &actor.scope.jurisdiction_path).await? {
        Some(j) => j.id,
        None => {
            let lead = visible.iter().find(|v| v.id == ids[0]).map(|v| v.lead_unit.id).expect("checked");
            registry::unit(app.db().read(), lead).await?.ok_or(AppError::NotFound("单位"))?.jurisdiction_id
        }
    };
    let m = task_letter::Model {
        id: Uuid::now_v7(),
        year: input.year,
        jurisdiction_id,
        leader_name: leader.expect("checked"),
        leader_post: post,
        title: title.expect("checked"),
        midyear: None,
        year_end: None,
        created_by: actor.user_id.0,
        created_at: Utc::now(),
        version: 1,
    };
    let tx = app.db().write().await?;
    store::insert_letter(&tx, m.clone(), &ids).await?;
    audit::record(
        &tx,
        actor,
        "task_letter.create",
        "task_letter",
        Some(m.id.to_string()),
        None::<&()>,
        Some(&serde_json::json!({"year": m.year, "leader": m.leader_name, "title": m.title, "items": ids})),
    )
    .await?;
    tx.commit().await?;
    let items = visible.into_iter().filter(|v| ids.contains(&v.id)).collect();
    Ok(view(actor, &m, items, today))
}

pub async fn get(app: &App, actor: &Actor, id: Uuid) -> Result<LetterView> {
    let m = letter_in_scope(app, actor, id).await?;
    let items = items_of(app, actor, id).await?;
    Ok(view(actor, &m, items, clock::today()))
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LetterSummary {
    pub id: Uuid,
    pub year: i32,
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
    let letters = store::letters_in_scope(app.db().read(), &actor.scope, year).await?;
    let all = if letters.is_empty() { Vec::new() } else { list_items(app, actor, None).await? };
    summarise(app, letters, &all).await
}

/// Letters in scope summarised over items the caller already listed.
pub(crate) async fn list_over(app: &App, actor: &Actor, items: &[ItemView]) -> Result<Vec<LetterSummary>> {
    require(actor, Permission::SupervisionRead)?;
    if actor.scope.cadre_id.is_some() {
        return Err(AppError::Forbidden);
    }
    summarise(app, store::letters_in_scope(app.db().read(), &actor.scope, None).await?, items).await
}

async fn summarise(app: &App, letters: Vec<task_letter::Model>, all: &[ItemView]) -> Result<Vec<LetterSummary>> {
    let today = clock::today();
    let mut out = Vec::new();
    for m in letters {
        let ids = store::letter_item_ids(app.db().read(), m.id).await?;
        let end = checkpoint(m.year, true, today);
        let mine: Vec<&ItemView> = all.iter().filter(|i| ids.contains(&i.id)).collect();
        let oc: Vec<Outcome> = mine.iter().map(|i| outcome(i.deadline, i.completed_on, end)).collect();
        out.push(LetterSummary {
            id: m.id,
            year: m.year,
            leader_name: m.leader_name.clone(),
            title: m.title.clone(),
            items: mine.len(),
            on_time: oc.iter().filter(|o| **o == Outcome::OnTime).count(),
            overdue: oc.iter().filter(|o| **o == Outcome::Overdue).count(),
            midyear_done: m.midyear.is_some(),
            year_end_done: m.year_end.is_some(),
        });
    }
    Ok(out)
}

/// Records the mid-year tracking or the year-end reconciliation, once each,
/// with the outcomes as they stand on the checkpoint.
pub async fn review(app: &App, actor: &Actor, id: Uuid, input: &ReviewInput) -> Result<LetterView> {
    require(actor, Permission::SupervisionWrite)?;
    let mut m = letter_in_scope(app, actor, id).await?;
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
    let items = items_of(app, actor, id).await?;
    let v = view(actor, &m, items, today);
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
    let tx = app.db().write().await?;
    store::update_letter(&tx, m.clone(), expected).await?;
    audit::record(
        &tx,
        actor,
        if year_end { "task_letter.year_end" } else { "task_letter.midyear" },
        "task_letter",
        Some(id.to_string()),
        None::<&()>,
        Some(&r),
    )
    .await?;
    tx.commit().await?;
    m.version = expected + 1;
    Ok(view(actor, &m, v.items.into_iter().map(|i| i.item).collect(), today))
}
