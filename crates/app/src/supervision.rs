//! 督查问效 (M3): the trigger catalogue, interviews held, and the escalation
//! they suggest. Every number and list comes from the pack of the cadre's
//! jurisdiction, in force on the date of the event.

use chrono::{NaiveDate, Utc};
use dandang_domain::{
    access::{Actor, Permission},
    error::{Invalid, Problem},
    supervision::EscalationRule,
    text,
};
use dandang_store::{entity::interview, registry, supervision as store};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    App, audit, clock,
    error::{AppError, Result},
    measures::jurisdiction_code,
    registry::{covers_cadre, require},
};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TriggerView {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub source: String,
    pub confidence: String,
    pub confidence_zh: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Triggers {
    pub pack: String,
    pub on: NaiveDate,
    /// The pack says the list is incomplete.
    pub incomplete: bool,
    pub items: Vec<TriggerView>,
}

fn triggers_in(app: &App, pack: &str, on: NaiveDate) -> Triggers {
    let r = app.policy().resolved(pack);
    let view = r.catalogue("supervision.trigger", on);
    Triggers {
        pack: pack.to_string(),
        on,
        incomplete: view.as_ref().is_some_and(|v| v.incomplete),
        items: view
            .map(|v| {
                v.items
                    .iter()
                    .map(|h| TriggerView {
                        id: h.entry.id.clone(),
                        title: h.entry.title.clone(),
                        description: h.entry.description.clone(),
                        source: h.citation_zh(),
                        confidence: h.entry.confidence.code().to_string(),
                        confidence_zh: h.entry.confidence.label_zh().to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// The triggers in force today in the pack of the actor's jurisdiction.
pub fn triggers(app: &App, actor: &Actor) -> Result<Triggers> {
    require(actor, Permission::SupervisionRead)?;
    let pack = app.policy().pack_for(jurisdiction_code(&actor.scope.jurisdiction_path));
    Ok(triggers_in(app, pack, clock::today()))
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct InterviewInput {
    pub cadre_id: Uuid,
    pub held_on: String,
    /// Ids from `GET /api/v1/supervision/triggers`.
    #[serde(default)]
    pub triggers: Vec<String>,
    /// The facts and what was said (the interview record).
    pub record: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TriggerRef {
    pub id: String,
    pub title: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct InterviewView {
    pub id: Uuid,
    pub cadre_id: Uuid,
    pub held_on: NaiveDate,
    pub state: String,
    pub triggers: Vec<TriggerRef>,
    pub record: String,
    /// The rectification plan is due this many working days after the interview.
    pub rectification_plan_due: NaiveDate,
    /// True when the date lies past the loaded holiday calendar.
    pub provisional: bool,
    pub basis: Vec<Basis>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Basis {
    pub rule: String,
    pub title: String,
    pub source: String,
    pub confidence: String,
}

fn basis(app: &App, pack: &str, id: &str, on: NaiveDate) -> Option<(Basis, serde_json::Value)> {
    let r = app.policy().resolved(pack);
    let hit = r.entry(id, on)?;
    Some((
        Basis {
            rule: hit.entry.id.clone(),
            title: hit.entry.title.clone(),
            source: hit.citation_zh(),
            confidence: hit.entry.confidence.label_zh().to_string(),
        },
        hit.entry.value_json().unwrap_or(serde_json::Value::Null),
    ))
}

/// Records an interview that has been held (history and imports); the
/// rectification-plan deadline is computed in working days.
pub async fn record_interview(app: &App, actor: &Actor, input: &InterviewInput) -> Result<InterviewView> {
    require(actor, Permission::SupervisionWrite)?;
    let c = registry::cadre(app.db().read(), input.cadre_id).await?.ok_or(AppError::NotFound("干部"))?;
    if !covers_cadre(actor, &c) {
        return Err(AppError::OutOfScope);
    }
    let pack = app.policy().pack_for(jurisdiction_code(&c.jurisdiction_path)).to_string();
    let mut inv = Invalid::new();
    let held = inv.take(
        "held_on",
        "约谈日期",
        text::parse_date(&input.held_on).and_then(|d| text::not_future(d, clock::today())),
    );
    let record = inv.take("record", "约谈记录", text::required(&input.record, 4000));
    let mut refs = Vec::new();
    if let Some(h) = held {
        let known = triggers_in(app, &pack, h);
        if known.items.is_empty() {
            inv.push(
                "triggers",
                "督查问效情形",
                Problem::Conflict { detail: format!("规则包 {pack} 在 {h} 没有督查问效情形清单") },
            );
        } else if input.triggers.is_empty() {
            inv.push("triggers", "督查问效情形", Problem::Required);
        }
        for (i, t) in input.triggers.iter().enumerate() {
            match known.items.iter().find(|k| k.id == *t) {
                Some(k) => refs.push(TriggerRef { id: k.id.clone(), title: k.title.clone() }),
                None if !known.items.is_empty() => inv.push(
                    &format!("triggers[{i}]"),
                    "督查问效情形",
                    Problem::Unknown { allowed: known.items.iter().map(|k| k.id.clone()).collect() },
                ),
                None => {}
            }
        }
    }
    let due = held.and_then(|h| basis(app, &pack, "supervision.rectification_plan_due", h).map(|b| (h, b)));
    if held.is_some() && due.is_none() {
        inv.push("held_on", "约谈日期", Problem::Conflict { detail: format!("规则包 {pack} 在该日没有整改方案期限") });
    }
    inv.into_result()?;
    let (held, (rule, value)) = due.expect("checked");
    let days = value.get("working_days").and_then(|v| v.as_u64()).unwrap_or(0) as u32;
    let cal = app.policy().resolved(&pack).calendar();
    let answer = cal.add_working_days(held, days).ok_or_else(|| AppError::BadRequest("日期超出可计算范围".into()))?;
    let m = interview::Model {
        id: Uuid::now_v7(),
        cadre_id: c.id,
        state: "held".into(),
        held_on: held,
        triggers: serde_json::to_string(&refs.iter().map(|r| &r.id).collect::<Vec<_>>())
            .map_err(|e| AppError::Internal(e.to_string()))?,
        record: record.expect("checked"),
        rectification_plan_due: answer.value,
        origin: "record".into(),
        created_by: actor.user_id.0,
        created_at: Utc::now(),
        version: 1,
    };
    let v = InterviewView {
        id: m.id,
        cadre_id: m.cadre_id,
        held_on: m.held_on,
        state: m.state.clone(),
        triggers: refs,
        record: m.record.clone(),
        rectification_plan_due: m.rectification_plan_due,
        provisional: answer.provisional,
        basis: vec![rule],
    };
    let tx = app.db().write().await?;
    store::insert_interview(&tx, m.clone()).await?;
    audit::record(&tx, actor, "interview.record", "interview", Some(m.id.to_string()), None::<&()>, Some(&v)).await?;
    tx.commit().await?;
    Ok(v)
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct WindowView {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct EscalationView {
    pub cadre_id: Uuid,
    pub as_of: NaiveDate,
    pub interviews_in_window: usize,
    pub window: WindowView,
    /// circulated_notice / admonishment / org_handling, or null.
    pub suggestion: Option<String>,
    pub suggestion_label: Option<String>,
    pub basis: Vec<Basis>,
}

/// What the cadre's interviews suggest on a date; a person accepts or declines.
pub async fn escalation(app: &App, actor: &Actor, cadre_id: Uuid, as_of: Option<&str>) -> Result<EscalationView> {
    require(actor, Permission::SupervisionRead)?;
    let as_of = crate::measures::parse_as_of(as_of)?;
    let c = registry::cadre(app.db().read(), cadre_id).await?.ok_or(AppError::NotFound("干部"))?;
    if !covers_cadre(actor, &c) {
        return Err(AppError::OutOfScope);
    }
    let pack = app.policy().pack_for(jurisdiction_code(&c.jurisdiction_path)).to_string();
    let Some((b, value)) = basis(app, &pack, "supervision.escalation", as_of) else {
        return Err(AppError::Conflict(format!("规则包 {pack} 在 {as_of} 没有约谈升级规则")));
    };
    let rule: EscalationRule = serde_json::from_value(value)
        .map_err(|e| AppError::Config(format!("supervision.escalation 的 value 无法解析：{e}")))?;
    let held: Vec<NaiveDate> =
        store::interviews_of(app.db().read(), cadre_id).await?.into_iter().map(|i| i.held_on).collect();
    let e = rule.escalate(&held, as_of);
    audit::record_read(app, actor, "cadre", cadre_id.to_string(), &format!("{}的约谈升级研判（{as_of}）", c.name))
        .await?;
    Ok(EscalationView {
        cadre_id,
        as_of,
        interviews_in_window: e.interviews_in_window,
        window: WindowView { from: e.from, to: e.to },
        suggestion: e.suggestion.map(|s| s.code().to_string()),
        suggestion_label: e.suggestion.map(|s| s.label_zh().to_string()),
        basis: vec![b],
    })
}
