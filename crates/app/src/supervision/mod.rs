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

pub mod cases;
pub mod file;
pub mod letters;

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

pub(crate) fn triggers_in(app: &App, pack: &str, on: NaiveDate) -> Triggers {
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

pub(crate) fn basis(app: &App, pack: &str, id: &str, on: NaiveDate) -> Option<(Basis, serde_json::Value)> {
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

/// The chosen triggers, checked against the catalogue in force on `on`;
/// problems name `triggers[i]`.
pub(crate) fn check_triggers(
    app: &App,
    pack: &str,
    on: NaiveDate,
    chosen: &[String],
    inv: &mut Invalid,
) -> Vec<TriggerRef> {
    let known = triggers_in(app, pack, on);
    let mut refs = Vec::new();
    if known.items.is_empty() {
        inv.push(
            "triggers",
            "督查问效情形",
            Problem::Conflict { detail: format!("规则包 {pack} 在 {on} 没有督查问效情形清单") },
        );
        return refs;
    }
    if chosen.is_empty() {
        inv.push("triggers", "督查问效情形", Problem::Required);
    }
    for (i, t) in chosen.iter().enumerate() {
        match known.items.iter().find(|k| k.id == *t) {
            Some(k) if !refs.iter().any(|r: &TriggerRef| r.id == k.id) => {
                refs.push(TriggerRef { id: k.id.clone(), title: k.title.clone() })
            }
            Some(_) => {}
            None => inv.push(
                &format!("triggers[{i}]"),
                "督查问效情形",
                Problem::Unknown { allowed: known.items.iter().map(|k| k.id.clone()).collect() },
            ),
        }
    }
    refs
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
    let refs = match held {
        Some(h) => check_triggers(app, &pack, h, &input.triggers, &mut inv),
        None => Vec::new(),
    };
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

/// What interviews held on `held` suggest on `as_of`, by the pack's rule in force then.
pub(crate) fn suggest(
    app: &App,
    pack: &str,
    held: &[NaiveDate],
    as_of: NaiveDate,
) -> Result<(dandang_domain::supervision::Escalation, Basis)> {
    let Some((b, value)) = basis(app, pack, "supervision.escalation", as_of) else {
        return Err(AppError::Conflict(format!("规则包 {pack} 在 {as_of} 没有约谈升级规则")));
    };
    let rule: EscalationRule = serde_json::from_value(value)
        .map_err(|e| AppError::Config(format!("supervision.escalation 的 value 无法解析：{e}")))?;
    Ok((rule.escalate(held, as_of), b))
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
    let held: Vec<NaiveDate> =
        store::interviews_of(app.db().read(), cadre_id).await?.into_iter().map(|i| i.held_on).collect();
    let (e, b) = suggest(app, &pack, &held, as_of)?;
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

// ---- supervised items ----------------------------------------------------------

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct MilestoneInput {
    pub title: String,
    pub due: String,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ResponsibleInput {
    #[serde(default)]
    pub principal: Option<String>,
    #[serde(default)]
    pub leader_in_charge: Option<String>,
    #[serde(default)]
    pub direct_responsible: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ItemInput {
    pub title: String,
    /// Meeting or document number, e.g. 市委常委会（2025年第12次）、宜办发〔2025〕5号.
    pub source: String,
    pub lead_unit_id: Uuid,
    #[serde(default)]
    pub co_unit_ids: Vec<Uuid>,
    #[serde(default)]
    pub responsible: ResponsibleInput,
    pub deadline: String,
    #[serde(default)]
    pub milestones: Vec<MilestoneInput>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct UnitRef {
    pub id: Uuid,
    pub name: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MilestoneView {
    pub id: Uuid,
    pub title: String,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
    pub status: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ItemView {
    pub id: Uuid,
    pub title: String,
    pub source: String,
    pub lead_unit: UnitRef,
    pub co_units: Vec<UnitRef>,
    pub principal: Option<String>,
    pub leader_in_charge: Option<String>,
    pub direct_responsible: Option<String>,
    pub deadline: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    pub milestones: Vec<MilestoneView>,
    /// green / yellow / red / done
    pub status: String,
    pub status_label: String,
    pub reports: Vec<ReportView>,
    pub last_report_on: Option<NaiveDate>,
    /// Open, and the lead unit has reported nothing within the pack's report interval.
    pub silent: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ReportView {
    pub unit: String,
    pub reported_on: NaiveDate,
    pub content: String,
    pub milestone: Option<String>,
    pub completes: bool,
    pub actor: String,
    pub at: String,
}

/// The last day a due date still shows yellow, from the pack's warning window.
pub(crate) fn warn_until(app: &App, pack: &str, today: NaiveDate) -> NaiveDate {
    crate::workdays::warn_until(app, pack, "supervision.warning_window", today)
}

async fn unit_ref(app: &App, id: Uuid) -> Result<Option<(UnitRef, registry::UnitRow)>> {
    Ok(registry::unit(app.db().read(), id).await?.map(|u| (UnitRef { id: u.id, name: u.name.clone() }, u)))
}

pub async fn create_item(app: &App, actor: &Actor, input: &ItemInput) -> Result<ItemView> {
    create_item_at(app, actor, input, Utc::now()).await
}

pub(crate) async fn create_item_at(
    app: &App,
    actor: &Actor,
    input: &ItemInput,
    at: chrono::DateTime<Utc>,
) -> Result<ItemView> {
    let (item, ms) = check_item(app, actor, input, at).await?;
    let tx = app.db().write().await?;
    let v = insert_item_in(app, &tx, actor, item, ms).await?;
    tx.commit().await?;
    Ok(v)
}

/// Inserts a checked item with its audit event in the caller's transaction.
pub(crate) async fn insert_item_in(
    app: &App,
    tx: &impl sea_orm::ConnectionTrait,
    actor: &Actor,
    item: dandang_store::entity::supervised_item::Model,
    ms: Vec<dandang_store::entity::item_milestone::Model>,
) -> Result<ItemView> {
    store::insert_item(tx, item.clone(), ms.clone()).await?;
    let v = item_view(app, &mut Lookups::default(), &item, &ms, &[]).await?;
    audit::record(
        tx,
        actor,
        "supervised_item.create",
        "supervised_item",
        Some(item.id.to_string()),
        None::<&()>,
        Some(&v),
    )
    .await?;
    Ok(v)
}

/// Checks an item and builds its rows; problems name `title`, `lead_unit_id`,
/// `co_unit_ids[i]`, `milestones[i].due` ….
pub(crate) async fn check_item(
    app: &App,
    actor: &Actor,
    input: &ItemInput,
    at: chrono::DateTime<Utc>,
) -> Result<(dandang_store::entity::supervised_item::Model, Vec<dandang_store::entity::item_milestone::Model>)> {
    use dandang_store::entity::{item_milestone, supervised_item};
    require(actor, Permission::SupervisionWrite)?;
    let mut inv = Invalid::new();
    let title = inv.take("title", "督查事项", text::required(&input.title, 200));
    let source = inv.take("source", "事项来源", text::required(&input.source, 200));
    let deadline = inv.take("deadline", "完成时限", text::parse_date(&input.deadline));
    let mut person = |field: &str, label: &str, v: &Option<String>| {
        inv.take(field, label, text::optional(v.as_deref(), 32)).flatten()
    };
    let principal = person("responsible.principal", "主要负责人", &input.responsible.principal);
    let leader = person("responsible.leader_in_charge", "分管负责人", &input.responsible.leader_in_charge);
    let direct = person("responsible.direct_responsible", "直接责任人", &input.responsible.direct_responsible);
    let lead = unit_ref(app, input.lead_unit_id).await?;
    match &lead {
        None => inv.push("lead_unit_id", "牵头单位", Problem::NotFound),
        Some((_, u)) if !crate::registry::covers_unit(actor, u) => {
            inv.push("lead_unit_id", "牵头单位", Problem::Conflict { detail: "不在您的管理范围内".into() })
        }
        _ => {}
    }
    let mut co = Vec::new();
    for (i, id) in input.co_unit_ids.iter().enumerate() {
        match unit_ref(app, *id).await? {
            Some((r, _)) if *id == input.lead_unit_id => inv.push(
                &format!("co_unit_ids[{i}]"),
                "配合单位",
                Problem::Conflict { detail: format!("{}已是牵头单位", r.name) },
            ),
            Some((r, _)) => co.push(r),
            None => inv.push(&format!("co_unit_ids[{i}]"), "配合单位", Problem::NotFound),
        }
    }
    let mut milestones = Vec::new();
    for (i, m) in input.milestones.iter().enumerate() {
        let t = inv.take(&format!("milestones[{i}].title"), "节点", text::required(&m.title, 200));
        let due = inv.take(&format!("milestones[{i}].due"), "节点时限", text::parse_date(&m.due));
        if let (Some(d), Some(dl)) = (due, deadline)
            && d > dl
        {
            inv.push(
                &format!("milestones[{i}].due"),
                "节点时限",
                Problem::Conflict { detail: format!("不能晚于完成时限 {dl}") },
            );
        }
        if let (Some(t), Some(d)) = (t, due) {
            milestones.push((t, d));
        }
    }
    inv.into_result()?;
    let ((lead_ref, _), deadline) = (lead.expect("checked"), deadline.expect("checked"));
    let item = supervised_item::Model {
        id: Uuid::now_v7(),
        title: title.expect("checked"),
        source: source.expect("checked"),
        lead_unit_id: lead_ref.id,
        co_unit_ids: serde_json::to_string(&co.iter().map(|c| c.id).collect::<Vec<_>>())
            .map_err(|e| AppError::Internal(e.to_string()))?,
        principal,
        leader_in_charge: leader,
        direct_responsible: direct,
        deadline,
        completed_on: None,
        created_by: actor.user_id.0,
        created_at: at,
        version: 1,
    };
    let ms: Vec<item_milestone::Model> = milestones
        .into_iter()
        .map(|(title, due_on)| item_milestone::Model {
            id: Uuid::now_v7(),
            item_id: item.id,
            title,
            due_on,
            done_on: None,
        })
        .collect();
    Ok((item, ms))
}

/// Per pack: the last day a due date shows yellow, and the report interval in months.
/// What item views look up again and again: per pack the warning day and the
/// report interval, per unit its name and jurisdiction. A list reads each once.
#[derive(Default)]
struct Lookups {
    packs: std::collections::HashMap<String, (NaiveDate, u32)>,
    units: std::collections::HashMap<Uuid, Option<(UnitRef, registry::UnitRow)>>,
}

impl Lookups {
    async fn unit(&mut self, app: &App, id: Uuid) -> Result<Option<(UnitRef, registry::UnitRow)>> {
        if let Some(u) = self.units.get(&id) {
            return Ok(u.clone());
        }
        let u = unit_ref(app, id).await?;
        self.units.insert(id, u.clone());
        Ok(u)
    }
}

/// `packs` caches the pack's days, so a list builds each calendar once.
async fn item_view(
    app: &App,
    look: &mut Lookups,
    item: &dandang_store::entity::supervised_item::Model,
    ms: &[dandang_store::entity::item_milestone::Model],
    reports: &[dandang_store::entity::item_report::Model],
) -> Result<ItemView> {
    use dandang_domain::supervision::{Light, light};
    let today = clock::today();
    let (lead, lead_row) = look.unit(app, item.lead_unit_id).await?.ok_or(AppError::NotFound("单位"))?;
    // The windows of the lead unit's jurisdiction, so every viewer sees the same light.
    let pack = app.policy().pack_for(jurisdiction_code(&lead_row.jurisdiction_path)).to_string();
    let (warn, months) = match look.packs.get(&pack) {
        Some(v) => *v,
        None => {
            let months = basis(app, &pack, "supervision.step_deadlines", today)
                .and_then(|(_, v)| v.get("report_months").and_then(|x| x.as_u64()))
                .unwrap_or(1) as u32;
            *look.packs.entry(pack.clone()).or_insert((warn_until(app, &pack, today), months))
        }
    };
    let co_ids: Vec<Uuid> = serde_json::from_str(&item.co_unit_ids).unwrap_or_default();
    let mut co = Vec::new();
    for id in co_ids {
        if let Some((r, _)) = look.unit(app, id).await? {
            co.push(r);
        }
    }
    let done = item.completed_on.is_some();
    let open: Vec<NaiveDate> =
        ms.iter().filter(|m| m.done_on.is_none()).map(|m| m.due_on).chain(std::iter::once(item.deadline)).collect();
    let status = light(open, done, today, warn);
    let last_report_on = reports.iter().filter(|r| r.unit_id == item.lead_unit_id).map(|r| r.reported_on).max();
    let since = today.checked_sub_months(chrono::Months::new(months.max(1))).unwrap_or(today);
    let silent = !done && clock::local_date(item.created_at) < since && last_report_on.is_none_or(|d| d < since);
    let mut report_views = Vec::new();
    for r in reports {
        let unit = look.unit(app, r.unit_id).await?.map(|(u, _)| u.name).unwrap_or_default();
        report_views.push(ReportView {
            unit,
            reported_on: r.reported_on,
            content: r.content.clone(),
            milestone: r.milestone_id.and_then(|id| ms.iter().find(|m| m.id == id)).map(|m| m.title.clone()),
            completes: r.completes,
            actor: r.actor_name.clone(),
            at: clock::local(r.at),
        });
    }
    Ok(ItemView {
        id: item.id,
        title: item.title.clone(),
        source: item.source.clone(),
        lead_unit: lead,
        co_units: co,
        principal: item.principal.clone(),
        leader_in_charge: item.leader_in_charge.clone(),
        direct_responsible: item.direct_responsible.clone(),
        deadline: item.deadline,
        completed_on: item.completed_on,
        milestones: ms
            .iter()
            .map(|m| MilestoneView {
                id: m.id,
                title: m.title.clone(),
                due_on: m.due_on,
                done_on: m.done_on,
                status: light([m.due_on], m.done_on.is_some() || done, today, warn).code().to_string(),
            })
            .collect(),
        status_label: status.label_zh().to_string(),
        status: if status == Light::Done { "done".into() } else { status.code().to_string() },
        reports: report_views,
        last_report_on,
        silent,
    })
}

/// Items in the actor's scope, optionally only those of one light.
pub async fn list_items(app: &App, actor: &Actor, status: Option<&str>) -> Result<Vec<ItemView>> {
    use dandang_domain::supervision::Light;
    require(actor, Permission::SupervisionRead)?;
    let want = match status.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(Light::parse(s).map_err(|p| AppError::invalid("status", "状态", p))?),
    };
    let items = store::items_in_scope(app.db().read(), &actor.scope).await?;
    let ids: Vec<Uuid> = items.iter().map(|i| i.id).collect();
    let ms = store::milestones_of(app.db().read(), &ids).await?;
    let reports = store::reports_of(app.db().read(), &ids).await?;
    let mut out = Vec::new();
    let mut look = Lookups::default();
    for i in &items {
        let mine: Vec<_> = ms.iter().filter(|m| m.item_id == i.id).cloned().collect();
        let rs: Vec<_> = reports.iter().filter(|r| r.item_id == i.id).cloned().collect();
        let v = item_view(app, &mut look, i, &mine, &rs).await?;
        if want.is_none_or(|w| w.code() == v.status) {
            out.push(v);
        }
    }
    Ok(out)
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ReportInput {
    pub content: String,
    /// Defaults to today.
    #[serde(default)]
    pub reported_on: Option<String>,
    /// A milestone this report marks done.
    #[serde(default)]
    pub milestone_id: Option<Uuid>,
    /// The lead unit (or the office) reports the item completed.
    #[serde(default)]
    pub completes: bool,
}

/// An item with its reports, if the actor's scope covers its lead unit or a co-unit.
async fn item_in_scope(
    app: &App,
    actor: &Actor,
    id: Uuid,
) -> Result<(dandang_store::entity::supervised_item::Model, Vec<(registry::UnitRow, bool)>)> {
    require(actor, Permission::SupervisionRead)?;
    let item = store::item_by_id(app.db().read(), id).await?.ok_or(AppError::NotFound("督查事项"))?;
    let co_ids: Vec<Uuid> = serde_json::from_str(&item.co_unit_ids).unwrap_or_default();
    let mut covered = Vec::new();
    for (uid, lead) in std::iter::once((item.lead_unit_id, true)).chain(co_ids.into_iter().map(|u| (u, false))) {
        if let Some(u) = registry::unit(app.db().read(), uid).await?
            && crate::registry::covers_unit(actor, &u)
        {
            covered.push((u, lead));
        }
    }
    if covered.is_empty() {
        return Err(AppError::OutOfScope);
    }
    Ok((item, covered))
}

pub async fn get_item(app: &App, actor: &Actor, id: Uuid) -> Result<ItemView> {
    let (item, _) = item_in_scope(app, actor, id).await?;
    let ms = store::milestones_of(app.db().read(), &[id]).await?;
    let rs = store::reports_of(app.db().read(), &[id]).await?;
    item_view(app, &mut Lookups::default(), &item, &ms, &rs).await
}

/// A unit reports progress on an item (the office may record it for the lead
/// unit); a report may mark a milestone done or, from the lead unit, the item complete.
pub async fn report_item(app: &App, actor: &Actor, id: Uuid, input: &ReportInput) -> Result<ItemView> {
    report_item_at(app, actor, id, input, Utc::now()).await
}

pub(crate) async fn report_item_at(
    app: &App,
    actor: &Actor,
    id: Uuid,
    input: &ReportInput,
    at: chrono::DateTime<Utc>,
) -> Result<ItemView> {
    use dandang_store::entity::item_report;
    if !(actor.can(Permission::SupervisionReport) || actor.can(Permission::SupervisionWrite)) {
        return Err(AppError::Forbidden);
    }
    let (item, covered) = item_in_scope(app, actor, id).await?;
    let today = clock::local_date(at);
    let mut inv = Invalid::new();
    let content = inv.take("content", "进展情况", text::required(&input.content, 4000));
    let on = match input.reported_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(today),
        Some(s) => inv.take("reported_on", "报送日期", text::parse_date(s).and_then(|d| text::not_future(d, today))),
    };
    let ms = store::milestones_of(app.db().read(), &[id]).await?;
    if let Some(mid) = input.milestone_id
        && !ms.iter().any(|m| m.id == mid)
    {
        inv.push("milestone_id", "节点", Problem::NotFound);
    }
    // The lead unit reports for itself; the office records on its behalf.
    let lead = covered.iter().find(|(_, lead)| *lead);
    let unit_id = match lead {
        Some((u, _)) => u.id,
        None => covered[0].0.id,
    };
    if item.completed_on.is_some() {
        inv.push("completes", "完成", Problem::Conflict { detail: "该事项已完成，不再报送进展".into() });
    } else if input.completes {
        if lead.is_none() {
            inv.push("completes", "完成", Problem::Conflict { detail: "只有牵头单位可以报告事项完成".into() });
        } else if ms.iter().any(|m| m.done_on.is_none() && Some(m.id) != input.milestone_id) {
            inv.push("completes", "完成", Problem::Conflict { detail: "尚有未完成的节点".into() });
        }
    }
    inv.into_result()?;
    let on = on.expect("checked");
    let r = item_report::Model {
        id: Uuid::now_v7(),
        item_id: id,
        unit_id,
        reported_on: on,
        content: content.expect("checked"),
        milestone_id: input.milestone_id,
        completes: input.completes,
        actor_id: actor.user_id.0,
        actor_name: actor.display_name.clone(),
        at,
    };
    let tx = app.db().write().await?;
    store::insert_report(&tx, r.clone()).await?;
    if let Some(mid) = input.milestone_id {
        store::milestone_done(&tx, mid, on).await?;
    }
    if input.completes {
        store::item_completed(&tx, id, on).await?;
    }
    audit::record(
        &tx,
        actor,
        "supervised_item.report",
        "supervised_item",
        Some(id.to_string()),
        None::<&()>,
        Some(&serde_json::json!({
            "unit_id": unit_id, "reported_on": on, "milestone_id": input.milestone_id, "completes": input.completes,
        })),
    )
    .await?;
    let item = store::item_by_id(&tx, id).await?.ok_or(AppError::NotFound("督查事项"))?;
    let ms = store::milestones_of(&tx, &[id]).await?;
    let rs = store::reports_of(&tx, &[id]).await?;
    let v = item_view(app, &mut Lookups::default(), &item, &ms, &rs).await?;
    tx.commit().await?;
    Ok(v)
}
