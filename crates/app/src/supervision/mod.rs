//! 督查问效 (M3): the trigger catalogue, interviews held, and the escalation
//! they suggest. Every number and list comes from the pack of the cadre's
//! jurisdiction, in force on the date of the event.

use chrono::{NaiveDate, Utc};
use dandang_domain::{
    access::{Actor, Permission},
    error::{Invalid, Problem},
    policy::{PackValue, WorkingDays},
    supervision::{EscalationRule, case::StepDeadlines},
    text,
};
use dandang_store::{
    InScope, ScopedIds,
    entity::{interview, item_milestone, item_report, supervised_item},
    registry::{self, UnitRow},
    supervision as store,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub mod cases;
pub mod file;
pub mod letters;

use crate::{
    App, access,
    access::require,
    audit::{self, Event, Place},
    clock,
    error::{AppError, Result},
    measures::jurisdiction_code,
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

pub fn triggers_in(app: &App, pack: &str, on: NaiveDate) -> Triggers {
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

/// A rule's typed value in force on `on`, with what cites it; `None` when
/// the pack has no such rule that day (each caller says what that means).
pub(crate) fn basis<T: PackValue>(app: &App, pack: &str, id: &str, on: NaiveDate) -> Result<Option<(Basis, T)>> {
    let r = app.policy().resolved(pack);
    let Some(v) = r.value::<T>(id, on).map_err(AppError::Config)? else { return Ok(None) };
    let hit = v.hit;
    Ok(Some((
        Basis {
            rule: hit.entry.id.clone(),
            title: hit.entry.title.clone(),
            source: hit.citation_zh(),
            confidence: hit.entry.confidence.label_zh().to_string(),
        },
        v.value,
    )))
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
    let c = access::cadre(app, actor, input.cadre_id).await?;
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
    let due = match held {
        Some(h) => basis::<WorkingDays>(app, &pack, "supervision.rectification_plan_due", h)?.map(|b| (h, b)),
        None => None,
    };
    if held.is_some() && due.is_none() {
        inv.push("held_on", "约谈日期", Problem::Conflict { detail: format!("规则包 {pack} 在该日没有整改方案期限") });
    }
    inv.into_result()?;
    let (held, (rule, WorkingDays { working_days: days })) = due.expect("checked");
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
    audit::record(app, &tx, actor, Event::new("interview.record", "interview", m.id, Place::of_cadre(&c)).after(&v))
        .await?;
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
    let Some((b, rule)) = basis::<EscalationRule>(app, pack, "supervision.escalation", as_of)? else {
        return Err(AppError::Conflict(format!("规则包 {pack} 在 {as_of} 没有约谈升级规则")));
    };
    Ok((rule.escalate(held, as_of), b))
}

/// What the cadre's interviews suggest on a date; a person accepts or declines.
pub async fn escalation(app: &App, actor: &Actor, cadre_id: Uuid, as_of: Option<&str>) -> Result<EscalationView> {
    require(actor, Permission::SupervisionRead)?;
    let as_of = crate::measures::parse_as_of(as_of)?;
    let c = access::cadre(app, actor, cadre_id).await?;
    let pack = app.policy().pack_for(jurisdiction_code(&c.jurisdiction_path)).to_string();
    let held: Vec<NaiveDate> =
        store::interviews_of(app.db().read(), &c).await?.into_iter().map(|i| i.held_on).collect();
    let (e, b) = suggest(app, &pack, &held, as_of)?;
    audit::record_read(
        app,
        actor,
        "cadre",
        cadre_id,
        Place::of_cadre(&c),
        &format!("{}的约谈升级研判（{as_of}）", c.name),
    )
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
pub(crate) fn warn_until(app: &App, pack: &str, today: NaiveDate) -> Result<NaiveDate> {
    crate::workdays::warn_until(app, pack, "supervision.warning_window", today)
}

pub async fn create_item(app: &App, actor: &Actor, input: &ItemInput) -> Result<ItemView> {
    create_item_at(app, actor, input, Utc::now()).await
}

/// Creates an item with a creation time of the caller's choosing (history
/// carried over from an older system, the demo).
pub async fn create_item_at(
    app: &App,
    actor: &Actor,
    input: &ItemInput,
    at: chrono::DateTime<Utc>,
) -> Result<ItemView> {
    let checked = check_item(app, actor, input, at).await?;
    let tx = app.db().write().await?;
    let v = insert_item_in(app, &tx, actor, checked).await?;
    tx.commit().await?;
    Ok(v)
}

/// An item checked against the actor's scope, ready to insert.
pub(crate) struct CheckedItem {
    item: supervised_item::Model,
    lead: InScope<UnitRow>,
    co: Vec<InScope<UnitRow>>,
    milestones: Vec<item_milestone::Model>,
}

/// Inserts a checked item with its audit event in the caller's transaction.
pub(crate) async fn insert_item_in(
    app: &App,
    tx: &impl sea_orm::ConnectionTrait,
    actor: &Actor,
    c: CheckedItem,
) -> Result<ItemView> {
    let co_ids: Vec<Uuid> = c.co.iter().map(|u| u.id).collect();
    store::insert_item(tx, c.item.clone(), &co_ids, c.milestones.clone()).await?;
    let mut look = Lookups::default();
    look.remember(&c.lead);
    for u in &c.co {
        look.remember(u);
    }
    let v = item_view(app, actor, &mut look, &c.item, &co_ids, &c.milestones, &[]).await?;
    audit::record(
        app,
        tx,
        actor,
        Event::new("supervised_item.create", "supervised_item", c.item.id, Place::of_unit(&c.lead)).after(&v),
    )
    .await?;
    Ok(v)
}

/// Checks an item and builds its rows; problems name `title`, `lead_unit_id`,
/// `co_unit_ids[i]`, `milestones[i].due` …. The lead unit and every co-unit
/// must be in the actor's scope: one outside it reads as one that does not
/// exist.
pub(crate) async fn check_item(
    app: &App,
    actor: &Actor,
    input: &ItemInput,
    at: chrono::DateTime<Utc>,
) -> Result<CheckedItem> {
    require(actor, Permission::SupervisionWrite)?;
    let db = app.db().read();
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
    let mut wanted: Vec<Uuid> = vec![input.lead_unit_id];
    wanted.extend(input.co_unit_ids.iter().copied());
    let found = registry::units_by_ids(db, &actor.scope, &wanted).await?;
    let find = |id: Uuid| found.iter().find(|u| u.id == id).cloned();
    let lead = find(input.lead_unit_id);
    if lead.is_none() {
        inv.push("lead_unit_id", "牵头单位", Problem::NotFound);
    }
    let mut co: Vec<InScope<UnitRow>> = Vec::new();
    for (i, id) in input.co_unit_ids.iter().enumerate() {
        match find(*id) {
            Some(u) if *id == input.lead_unit_id => inv.push(
                &format!("co_unit_ids[{i}]"),
                "配合单位",
                Problem::Conflict { detail: format!("{}已是牵头单位", u.name) },
            ),
            Some(u) if co.iter().any(|c| c.id == u.id) => {}
            Some(u) => co.push(u),
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
    let (lead, deadline) = (lead.expect("checked"), deadline.expect("checked"));
    let item = supervised_item::Model {
        id: Uuid::now_v7(),
        title: title.expect("checked"),
        source: source.expect("checked"),
        lead_unit_id: lead.id,
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
    Ok(CheckedItem { item, lead, co, milestones: ms })
}

/// What item views look up again and again: per pack the warning day and the
/// report interval, per unit its name and jurisdiction. A list reads each once.
#[derive(Default)]
struct Lookups {
    packs: std::collections::HashMap<String, (NaiveDate, Option<u32>)>,
    units: std::collections::HashMap<Uuid, UnitRow>,
}

impl Lookups {
    fn remember(&mut self, u: &UnitRow) {
        self.units.insert(u.id, u.clone());
    }

    /// The units an item names, read once for a whole list: a lead or co-unit
    /// outside the reader's scope is still named on an item the reader sees
    /// (the item itself says who leads and who cooperates).
    async fn load(&mut self, app: &App, items: &ScopedIds) -> Result<()> {
        for u in store::item_units(app.db().read(), items).await? {
            self.units.insert(u.id, u);
        }
        Ok(())
    }

    fn unit_ref(&self, id: Uuid) -> Option<UnitRef> {
        self.units.get(&id).map(|u| UnitRef { id: u.id, name: u.name.clone() })
    }
}

/// `packs` caches the pack's days, so a list builds each calendar once.
async fn item_view(
    app: &App,
    _actor: &Actor,
    look: &mut Lookups,
    item: &supervised_item::Model,
    co_ids: &[Uuid],
    ms: &[item_milestone::Model],
    reports: &[item_report::Model],
) -> Result<ItemView> {
    use dandang_domain::supervision::{Light, light};
    let today = clock::today();
    let lead_row = look.units.get(&item.lead_unit_id).cloned().ok_or(AppError::NotFound("单位"))?;
    let lead = UnitRef { id: lead_row.id, name: lead_row.name.clone() };
    // The windows of the lead unit's jurisdiction, so every viewer sees the same light.
    let pack = app.policy().pack_for(jurisdiction_code(&lead_row.jurisdiction_path)).to_string();
    let (warn, months) = match look.packs.get(&pack) {
        Some(v) => *v,
        None => {
            // A pack without step deadlines sets no reporting interval: nobody is "silent".
            let months =
                basis::<StepDeadlines>(app, &pack, "supervision.step_deadlines", today)?.map(|(_, d)| d.report_months);
            *look.packs.entry(pack.clone()).or_insert((warn_until(app, &pack, today)?, months))
        }
    };
    let co: Vec<UnitRef> = co_ids.iter().filter_map(|id| look.unit_ref(*id)).collect();
    let done = item.completed_on.is_some();
    let open: Vec<NaiveDate> =
        ms.iter().filter(|m| m.done_on.is_none()).map(|m| m.due_on).chain(std::iter::once(item.deadline)).collect();
    let status = light(open, done, today, warn);
    let last_report_on = reports.iter().filter(|r| r.unit_id == item.lead_unit_id).map(|r| r.reported_on).max();
    let silent = months.is_some_and(|m| {
        let since = today.checked_sub_months(chrono::Months::new(m)).unwrap_or(today);
        !done && clock::local_date(item.created_at) < since && last_report_on.is_none_or(|d| d < since)
    });
    let report_views = reports
        .iter()
        .map(|r| ReportView {
            unit: look.unit_ref(r.unit_id).map(|u| u.name).unwrap_or_default(),
            reported_on: r.reported_on,
            content: r.content.clone(),
            milestone: r.milestone_id.and_then(|id| ms.iter().find(|m| m.id == id)).map(|m| m.title.clone()),
            completes: r.completes,
            actor: r.actor_name.clone(),
            at: clock::local(r.at),
        })
        .collect();
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

/// Views of items in scope, each read once with its milestones, reports and units.
pub(crate) async fn item_views(
    app: &App,
    actor: &Actor,
    items: &[InScope<supervised_item::Model>],
) -> Result<Vec<ItemView>> {
    let ids = ScopedIds::of(items);
    let db = app.db().read();
    let ms = store::milestones_of(db, &ids).await?;
    let reports = store::reports_of(db, &ids).await?;
    let co = store::co_units_of(db, &ids).await?;
    let mut look = Lookups::default();
    look.load(app, &ids).await?;
    let mut out = Vec::with_capacity(items.len());
    for i in items {
        let mine: Vec<_> = ms.iter().filter(|m| m.item_id == i.id).cloned().collect();
        let rs: Vec<_> = reports.iter().filter(|r| r.item_id == i.id).cloned().collect();
        let co_ids: Vec<Uuid> = co.iter().filter(|(item, _)| *item == i.id).map(|(_, u)| *u).collect();
        out.push(item_view(app, actor, &mut look, i, &co_ids, &mine, &rs).await?);
    }
    Ok(out)
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
    Ok(item_views(app, actor, &items)
        .await?
        .into_iter()
        .filter(|v| want.is_none_or(|w| w.code() == v.status))
        .collect())
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

/// An item in scope, or "not found".
async fn item_in_scope(app: &App, actor: &Actor, id: Uuid) -> Result<InScope<supervised_item::Model>> {
    require(actor, Permission::SupervisionRead)?;
    store::item(app.db().read(), &actor.scope, id).await?.ok_or(AppError::NotFound("督查事项"))
}

pub async fn get_item(app: &App, actor: &Actor, id: Uuid) -> Result<ItemView> {
    let item = item_in_scope(app, actor, id).await?;
    Ok(item_views(app, actor, std::slice::from_ref(&item)).await?.remove(0))
}

/// A unit reports progress on an item (the office may record it for the lead
/// unit); a report may mark a milestone done or, from the lead unit, the item complete.
pub async fn report_item(app: &App, actor: &Actor, id: Uuid, input: &ReportInput) -> Result<ItemView> {
    report_item_at(app, actor, id, input, Utc::now()).await
}

/// A report with a time of the caller's choosing (history, the demo).
pub async fn report_item_at(
    app: &App,
    actor: &Actor,
    id: Uuid,
    input: &ReportInput,
    at: chrono::DateTime<Utc>,
) -> Result<ItemView> {
    crate::access::require_any(actor, &[Permission::SupervisionReport, Permission::SupervisionWrite])?;
    let item = item_in_scope(app, actor, id).await?;
    let db = app.db().read();
    // Which of the item's units the actor reports for: its own, the lead unit
    // first; the office records on the lead unit's behalf.
    let co: Vec<Uuid> = store::co_units_of(db, &ScopedIds::one(&item)).await?.into_iter().map(|(_, u)| u).collect();
    let mut mine: Vec<Uuid> = vec![item.lead_unit_id];
    mine.extend(co);
    let covered = registry::units_by_ids(db, &actor.scope, &mine).await?;
    let lead = covered.iter().find(|u| u.id == item.lead_unit_id);
    let today = clock::local_date(at);
    let mut inv = Invalid::new();
    let content = inv.take("content", "进展情况", text::required(&input.content, 4000));
    let on = match input.reported_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(today),
        Some(s) => inv.take("reported_on", "报送日期", text::parse_date(s).and_then(|d| text::not_future(d, today))),
    };
    let ms = store::milestones_of(db, &ScopedIds::one(&item)).await?;
    if let Some(mid) = input.milestone_id
        && !ms.iter().any(|m| m.id == mid)
    {
        inv.push("milestone_id", "节点", Problem::NotFound);
    }
    let unit = match (lead, covered.first()) {
        (Some(u), _) | (None, Some(u)) => u.clone(),
        (None, None) => return Err(AppError::NotFound("督查事项")),
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
        unit_id: unit.id,
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
        store::milestone_done(&tx, &item, mid, on).await?;
    }
    if input.completes {
        store::item_completed(&tx, &item, on).await?;
    }
    audit::record(
        app,
        &tx,
        actor,
        Event::new("supervised_item.report", "supervised_item", id, Place::of_unit(&unit)).after(&serde_json::json!({
            "unit_id": unit.id, "reported_on": on, "milestone_id": input.milestone_id, "completes": input.completes,
        })),
    )
    .await?;
    tx.commit().await?;
    get_item(app, actor, id).await
}
