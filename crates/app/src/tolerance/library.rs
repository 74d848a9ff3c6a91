//! The tolerance case library (以案释规): handlers publish an anonymised
//! typical case from a closed one; everyone handling tolerance searches it in
//! Chinese to guide new cases.

use chrono::{Datelike, Utc};
use dandang_domain::{
    access::{Actor, Permission},
    error::{Invalid, Problem},
    text,
    tolerance::library::rank,
};
use dandang_store::{entity::library_case, tolerance as store};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    App, access,
    access::require,
    audit::{self, Event, Place},
    error::{AppError, Result},
};

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct PublishInput {
    pub title: String,
    /// Facts with names of people and units removed.
    pub facts: String,
    pub reasoning: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LibraryCase {
    pub id: Uuid,
    pub category: String,
    pub category_label: String,
    pub title: String,
    pub facts: String,
    pub reasoning: String,
    pub outcome: String,
    pub year: i32,
    pub published_by: String,
    pub score: f64,
}

fn view(m: &library_case::Model, score: f64) -> LibraryCase {
    LibraryCase {
        id: m.id,
        category: m.category.clone(),
        category_label: m.category_label.clone(),
        title: m.title.clone(),
        facts: m.facts.clone(),
        reasoning: m.reasoning.clone(),
        outcome: m.outcome.clone(),
        year: m.year,
        published_by: m.published_by.clone(),
        score,
    }
}

/// Replaces the cadre's name and the unit's name with neutral words.
pub fn anonymise(text: &str, cadre: &str, unit: &str) -> String {
    let mut t = text.to_string();
    if !unit.is_empty() {
        t = t.replace(unit, "某单位");
    }
    if !cadre.is_empty() {
        t = t.replace(cadre, "某干部");
    }
    t
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LibraryQuery {
    pub q: Option<String>,
    /// A situation or ground id.
    pub category: Option<String>,
    /// An outcome title, e.g. 免予问责.
    pub outcome: Option<String>,
}

/// Library cases the actor may read (published in their jurisdiction's subtree
/// or above it), best match first.
pub async fn search(app: &App, actor: &Actor, q: &LibraryQuery) -> Result<Vec<LibraryCase>> {
    require(actor, Permission::ToleranceRead)?;
    let all: Vec<library_case::Model> = store::library(app.db().read(), &actor.scope)
        .await?
        .into_iter()
        .map(|m| m.into_inner())
        .filter(|m| q.category.as_deref().is_none_or(|c| c.is_empty() || m.category == c))
        .filter(|m| q.outcome.as_deref().is_none_or(|o| o.is_empty() || m.outcome == o))
        .collect();
    let docs: Vec<String> =
        all.iter().map(|m| format!("{} {} {} {}", m.title, m.category_label, m.facts, m.reasoning)).collect();
    let scores = rank(q.q.as_deref().unwrap_or(""), &docs);
    let mut hits: Vec<LibraryCase> =
        all.iter().zip(scores).filter(|(_, s)| *s > 0.0).map(|(m, s)| view(m, s)).collect();
    hits.sort_by(|a, b| b.score.total_cmp(&a.score));
    Ok(hits)
}

/// Publishes a closed, decided case as a typical case; one per source case.
pub async fn publish(app: &App, actor: &Actor, case_id: Uuid, input: &PublishInput) -> Result<LibraryCase> {
    require(actor, Permission::ToleranceHandle)?;
    let c = crate::tolerance::get(app, actor, case_id).await?;
    let cadre = access::cadre(app, actor, c.cadre_id).await?;
    if c.state != "closed" {
        return Err(AppError::IllegalTransition("只有办结的案件才能作为典型案例发布".into()));
    }
    let d = c.decision.clone().ok_or_else(|| AppError::IllegalTransition("该案件没有容错决定".into()))?;
    let mut inv = Invalid::new();
    let title = inv.take("title", "案例标题", text::required(&input.title, 200));
    let facts = inv.take("facts", "基本案情", text::required(&input.facts, 4000));
    let reasoning = inv.take("reasoning", "研判要点", text::required(&input.reasoning, 4000));
    for (field, label, v) in
        [("facts", "基本案情", &facts), ("reasoning", "研判要点", &reasoning), ("title", "案例标题", &title)]
    {
        if let Some(t) = v
            && (t.contains(&c.cadre_name) || t.contains(&c.unit_name))
        {
            inv.push(field, label, Problem::Conflict { detail: "仍含有干部姓名或单位名称，请匿名化".into() });
        }
    }
    inv.into_result()?;
    let (category, category_label) =
        d.matched.first().map(|m| (m.id.clone(), m.title.clone())).unwrap_or_else(|| ("other".into(), "其他".into()));
    let m = library_case::Model {
        id: Uuid::now_v7(),
        jurisdiction_id: cadre.jurisdiction_id,
        source_case_id: Some(case_id),
        category,
        category_label,
        title: title.expect("checked"),
        facts: facts.expect("checked"),
        reasoning: reasoning.expect("checked"),
        outcome: d.outcome_title.clone(),
        year: d.decided_on.year(),
        published_by: actor.display_name.clone(),
        published_at: Utc::now(),
    };
    let tx = app.db().write().await?;
    store::insert_library_case(&tx, m.clone()).await?;
    audit::record(
        app,
        &tx,
        actor,
        Event::new("library_case.publish", "library_case", m.id, Place::at(&cadre.jurisdiction_path))
            .after(&view(&m, 0.0)),
    )
    .await?;
    tx.commit().await?;
    Ok(view(&m, 0.0))
}

/// Seeds a library case directly (demo data and migrations from older systems).
pub async fn insert(app: &App, m: library_case::Model) -> Result<()> {
    let tx = app.db().write().await?;
    store::insert_library_case(&tx, m).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ListItemInput {
    /// Defaults to the unit of a unit account.
    #[serde(default)]
    pub unit_id: Option<Uuid>,
    /// `positive` (may be tolerated) or `negative` (never tolerated).
    pub kind: String,
    pub text: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ListItem {
    pub unit_id: Uuid,
    pub unit_name: String,
    pub kind: String,
    pub kind_label: String,
    pub text: String,
}

fn kind_label(k: &str) -> &'static str {
    if k == "positive" { "正面清单（可以容错）" } else { "负面清单（不予容错）" }
}

/// Departments' positive and negative lists (容错正面、负面清单) shown beside the library.
pub async fn lists(app: &App, actor: &Actor) -> Result<Vec<ListItem>> {
    require(actor, Permission::ToleranceRead)?;
    Ok(store::list_items_in_scope(app.db().read(), &actor.scope)
        .await?
        .into_iter()
        .map(|(m, unit_name)| ListItem {
            unit_id: m.unit_id,
            unit_name,
            kind_label: kind_label(&m.kind).into(),
            kind: m.kind,
            text: m.text,
        })
        .collect())
}

/// A department adds to its own list (unit accounts), or the handling body for a unit in scope.
pub async fn add_list_item(app: &App, actor: &Actor, input: &ListItemInput) -> Result<ListItem> {
    if !(actor.can(Permission::ToleranceHandle) || actor.can(Permission::ToleranceReport)) {
        return Err(AppError::Forbidden);
    }
    let unit_id = input
        .unit_id
        .or(actor.scope.unit_id.map(|u| u.0))
        .ok_or_else(|| AppError::invalid("unit_id", "部门", Problem::Required))?;
    let unit = access::unit(app, actor, unit_id).await?;
    let mut inv = Invalid::new();
    let kind = match input.kind.trim() {
        "positive" | "正面清单" => Some("positive"),
        "negative" | "负面清单" => Some("negative"),
        _ => {
            inv.push("kind", "清单类别", Problem::Unknown { allowed: vec!["positive".into(), "negative".into()] });
            None
        }
    };
    let text = inv.take("text", "清单事项", text::required(&input.text, 500));
    inv.into_result()?;
    let m = dandang_store::entity::tolerance_list_item::Model {
        id: Uuid::now_v7(),
        unit_id,
        kind: kind.expect("checked").into(),
        text: text.expect("checked"),
        created_by: actor.user_id.0,
        created_at: Utc::now(),
    };
    let v = ListItem {
        unit_id,
        unit_name: unit.name.clone(),
        kind: m.kind.clone(),
        kind_label: kind_label(&m.kind).into(),
        text: m.text.clone(),
    };
    let tx = app.db().write().await?;
    store::insert_list_item(&tx, m.clone()).await?;
    audit::record(
        app,
        &tx,
        actor,
        Event::new("tolerance_list.add", "tolerance_list_item", m.id, Place::of_unit(&unit)).after(&v),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}
