//! Reminders (工作提醒) and interviews (工作约谈) from request to closure.
//! The domain's state machine says which step may follow; this module checks
//! who may take it, fills in what the step needs, fixes the next deadline in
//! working days from the pack, and writes the case, the step and the audit
//! event in one transaction.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use dandang_domain::{
    access::{Actor, Permission},
    attention::Attention,
    calendar::Urgency,
    error::{Invalid, Problem},
    policy::WorkingDays,
    supervision::{
        case::{self, Anchors, CaseAction, CaseKind, CaseState, StepDeadlines},
        params::ReminderNumber,
    },
    text,
};
use dandang_store::{
    InScope, ScopedIds,
    entity::{interview, supervision_case, supervision_step},
    registry::{self, CadreRow, UnitRow},
    supervision as store,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Basis, TriggerRef, UnitRef, basis, check_triggers, suggest};
use crate::{
    App,
    access::require,
    audit::{self, Event, Place},
    clock,
    error::{AppError, Result},
    measures::{self, jurisdiction_code},
};

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = SupervisionCaseInput)]
pub struct CaseInput {
    /// `interview` or `reminder`.
    pub kind: String,
    /// Interview: the cadre to be interviewed (required). Reminder: the leader
    /// in charge the work notice goes to (optional).
    #[serde(default)]
    pub cadre_id: Option<Uuid>,
    /// Reminder: the department reminded (required). Interview: defaults to the cadre's unit.
    #[serde(default)]
    pub unit_id: Option<Uuid>,
    /// Ids from `GET /api/v1/supervision/triggers`.
    #[serde(default)]
    pub triggers: Vec<String>,
    pub facts: String,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = SupervisionTransitionInput)]
pub struct TransitionInput {
    /// approve, reject, withdraw, plan, hold, issue, submit_plan, report, finish, pass, fail.
    pub action: String,
    /// Reasons, plan, progress or recheck opinion; required except for approve and issue.
    #[serde(default)]
    pub note: Option<String>,
    /// The version read; a stale one is refused.
    #[serde(default)]
    pub version: Option<i32>,
    /// plan: the interview date.
    #[serde(default)]
    pub scheduled_on: Option<String>,
    #[serde(default)]
    pub place: Option<String>,
    /// plan (hold may correct it): who leads the interview.
    #[serde(default)]
    pub lead_interviewer: Option<String>,
    /// plan: who attends for the discipline commission.
    #[serde(default)]
    pub commission_attendee: Option<String>,
    /// plan: who attends for the organization department.
    #[serde(default)]
    pub org_attendee: Option<String>,
    /// plan: topics to raise.
    #[serde(default)]
    pub topics: Option<String>,
    /// hold: the day it was held.
    #[serde(default)]
    pub held_on: Option<String>,
    /// hold: the record written by the organization department.
    #[serde(default)]
    pub record: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CadreRef {
    pub id: Uuid,
    pub name: String,
    pub rank: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = SupervisionActionRef)]
pub struct ActionRef {
    pub code: String,
    pub label: String,
    pub needs_note: bool,
    /// Set on steps that cannot be undone: what taking it settles. The
    /// pages ask the user to confirm these.
    pub consequence: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PlanView {
    pub scheduled_on: Option<NaiveDate>,
    pub place: Option<String>,
    pub lead_interviewer: Option<String>,
    pub commission_attendee: Option<String>,
    pub org_attendee: Option<String>,
    pub topics: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DecisionView {
    pub accepted: bool,
    pub reason: String,
    pub by: String,
    pub at: String,
    pub measure_id: Option<Uuid>,
}

/// The suggestion fixed when the interview was held, and what a person made of it.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EscalationState {
    pub interviews_in_window: usize,
    pub window_from: NaiveDate,
    pub window_to: NaiveDate,
    pub suggestion: Option<String>,
    pub suggestion_label: Option<String>,
    pub rule: String,
    pub rule_title: String,
    pub source: String,
    pub decision: Option<DecisionView>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = SupervisionStepView)]
pub struct StepView {
    pub action: String,
    pub action_label: String,
    pub state_after: String,
    pub state_label: String,
    pub note: Option<String>,
    pub actor: String,
    pub at: String,
    pub on_date: NaiveDate,
    pub due: Option<NaiveDate>,
    pub late: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = SupervisionCaseView)]
pub struct CaseView {
    pub id: Uuid,
    pub kind: String,
    pub kind_label: String,
    pub state: String,
    pub state_label: String,
    pub terminal: bool,
    pub cadre: Option<CadreRef>,
    pub unit: UnitRef,
    pub triggers: Vec<TriggerRef>,
    pub facts: String,
    pub requested_by: String,
    pub requested_at: String,
    /// Who acts next, and by when.
    pub owner: Option<String>,
    pub step_due: Option<NaiveDate>,
    pub late: bool,
    /// The steps this actor may take now.
    pub actions: Vec<ActionRef>,
    pub plan: Option<PlanView>,
    pub held_on: Option<NaiveDate>,
    pub record: Option<String>,
    pub doc_no: Option<String>,
    pub rectification_plan_due: Option<NaiveDate>,
    pub escalation: Option<EscalationState>,
    /// Whether this actor may accept or decline the escalation suggestion.
    pub can_decide_escalation: bool,
    pub measure_id: Option<Uuid>,
    pub steps: Vec<StepView>,
    pub version: i32,
}

fn kind_of(m: &supervision_case::Model) -> Result<(CaseKind, CaseState)> {
    let k = CaseKind::parse(&m.kind).map_err(|_| AppError::Internal(format!("case kind {}", m.kind)))?;
    let s = CaseState::parse(&m.state).map_err(|_| AppError::Internal(format!("case state {}", m.state)))?;
    Ok((k, s))
}

/// The case's unit and cadre (both in scope: the case's scope condition says so).
struct Subject {
    unit: InScope<UnitRow>,
    cadre: Option<InScope<CadreRow>>,
}

impl Subject {
    fn pack<'a>(&self, app: &'a App) -> &'a str {
        app.policy().pack_for(jurisdiction_code(&self.unit.jurisdiction_path))
    }

    fn place(&self) -> Place {
        match &self.cadre {
            Some(c) => Place::of_cadre(c),
            None => Place::of_unit(&self.unit),
        }
    }
}

async fn subject(app: &App, actor: &Actor, m: &supervision_case::Model) -> Result<Subject> {
    let db = app.db().read();
    let unit = registry::unit(db, &actor.scope, m.unit_id).await?.ok_or(AppError::NotFound("督查问效事项"))?;
    let cadre = match m.cadre_id {
        Some(id) => Some(registry::cadre(db, &actor.scope, id).await?.ok_or(AppError::NotFound("督查问效事项"))?),
        None => None,
    };
    Ok(Subject { unit, cadre })
}

fn deadlines(app: &App, pack: &str, on: NaiveDate) -> Result<StepDeadlines> {
    basis::<StepDeadlines>(app, pack, "supervision.step_deadlines", on)?
        .map(|(_, d)| d)
        .ok_or_else(|| AppError::Conflict(format!("规则包 {pack} 在 {on} 没有督查问效各环节期限")))
}

/// The step deadlines in force for a unit's pack on a date.
pub(crate) async fn deadlines_for(app: &App, actor: &Actor, unit_id: Uuid, on: NaiveDate) -> Result<StepDeadlines> {
    deadlines(app, &pack_of_unit(app, actor, unit_id).await?, on)
}

/// The pack in force where a unit in scope sits.
pub(crate) async fn pack_of_unit(app: &App, actor: &Actor, unit_id: Uuid) -> Result<String> {
    let u = crate::access::unit(app, actor, unit_id).await?;
    Ok(app.policy().pack_for(jurisdiction_code(&u.jurisdiction_path)).to_string())
}

fn due_in(
    app: &App,
    pack: &str,
    kind: CaseKind,
    state: CaseState,
    at: Anchors,
    on: NaiveDate,
) -> Result<Option<NaiveDate>> {
    let d = deadlines(app, pack, on)?;
    let cal = app.policy().resolved(pack).calendar();
    Ok(case::due(kind, state, at, &d, &cal).map(|a| a.value))
}

/// Opens a reminder draft or an interview request.
pub async fn open(app: &App, actor: &Actor, input: &CaseInput) -> Result<CaseView> {
    open_on(app, actor, input, clock::today(), Utc::now()).await
}

/// Opens a case on a day of the caller's choosing (history, the demo).
pub async fn open_on(
    app: &App,
    actor: &Actor,
    input: &CaseInput,
    on: NaiveDate,
    at: DateTime<Utc>,
) -> Result<CaseView> {
    require(actor, Permission::SupervisionRequest)?;
    let mut inv = Invalid::new();
    let kind = inv.take("kind", "类型", CaseKind::parse(&input.kind));
    let facts = inv.take("facts", "主要问题", text::required(&input.facts, 4000));
    let db = app.db().read();
    // A cadre or unit outside the scope reads as one that does not exist.
    let cadre = match input.cadre_id {
        Some(id) => match registry::cadre(db, &actor.scope, id).await? {
            Some(c) => Some(c),
            None => {
                inv.push("cadre_id", "干部", Problem::NotFound);
                None
            }
        },
        None => {
            if kind == Some(CaseKind::Interview) {
                inv.push("cadre_id", "约谈对象", Problem::Required);
            }
            None
        }
    };
    let unit_id = input.unit_id.or(cadre.as_ref().map(|c| c.unit_id));
    let unit = match unit_id {
        Some(id) => match registry::unit(db, &actor.scope, id).await? {
            Some(u) => Some(u),
            None => {
                inv.push("unit_id", "责任单位", Problem::NotFound);
                None
            }
        },
        None => {
            inv.push("unit_id", "责任单位", Problem::Required);
            None
        }
    };
    let refs = match &unit {
        Some(u) => {
            let pack = app.policy().pack_for(jurisdiction_code(&u.jurisdiction_path)).to_string();
            check_triggers(app, &pack, on, &input.triggers, &mut inv)
        }
        None => Vec::new(),
    };
    inv.into_result()?;
    let (kind, unit) = (kind.expect("checked"), unit.expect("checked"));
    let sub = Subject { unit, cadre };
    let pack = sub.pack(app).to_string();
    let state = kind.start();
    let step_due = due_in(app, &pack, kind, state, Anchors { entered: Some(on), ..Default::default() }, on)?;
    let m = supervision_case::Model {
        id: Uuid::now_v7(),
        kind: kind.code().into(),
        cadre_id: sub.cadre.as_ref().map(|c| c.id),
        unit_id: sub.unit.id,
        triggers: json(&refs.iter().map(|r| &r.id).collect::<Vec<_>>())?,
        facts: facts.expect("checked"),
        state: state.code().into(),
        step_due,
        requested_by: actor.user_id.0,
        requested_by_name: actor.display_name.clone(),
        scheduled_on: None,
        place: None,
        lead_interviewer: None,
        commission_attendee: None,
        org_attendee: None,
        topics: None,
        held_on: None,
        interview_id: None,
        doc_no: None,
        rectification_plan_due: None,
        escalation: None,
        measure_id: None,
        created_at: at,
        updated_at: at,
        version: 1,
    };
    let step = supervision_step::Model {
        id: Uuid::now_v7(),
        case_id: m.id,
        action: "open".into(),
        state_after: state.code().into(),
        note: None,
        actor_id: actor.user_id.0,
        actor_name: actor.display_name.clone(),
        at,
        on_date: on,
        due: None,
        late: false,
    };
    let tx = app.db().write().await?;
    store::insert_case(&tx, m.clone()).await?;
    store::insert_step(&tx, step.clone()).await?;
    let v = view(app, actor, &m, &sub, std::slice::from_ref(&step), None, on)?;
    audit::record(
        app,
        &tx,
        actor,
        Event::new("supervision_case.open", "supervision_case", m.id, sub.place()).after(&v),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| AppError::Internal(e.to_string()))
}

async fn load(app: &App, actor: &Actor, id: Uuid) -> Result<(InScope<supervision_case::Model>, Subject)> {
    require(actor, Permission::SupervisionRead)?;
    let m = store::case(app.db().read(), actor, id).await?.ok_or(AppError::NotFound("督查问效事项"))?;
    let sub = subject(app, actor, &m).await?;
    Ok((m, sub))
}

/// A case with its steps; reading an interview about a cadre is audited.
pub async fn get(app: &App, actor: &Actor, id: Uuid) -> Result<CaseView> {
    let (m, sub) = load(app, actor, id).await?;
    let steps = store::steps_of(app.db().read(), &ScopedIds::one(&m)).await?;
    let record = record_of(app, &m).await?;
    if let Some(c) = &sub.cadre {
        audit::record_read(
            app,
            actor,
            "supervision_case",
            m.id,
            Place::of_cadre(c),
            &format!("{}的督查问效事项", c.name),
        )
        .await?;
    }
    view(app, actor, &m, &sub, &steps, record, clock::today())
}

async fn record_of(app: &App, m: &InScope<supervision_case::Model>) -> Result<Option<String>> {
    Ok(store::interview_of_case(app.db().read(), m).await?.map(|i| i.record))
}

fn view(
    app: &App,
    actor: &Actor,
    m: &supervision_case::Model,
    sub: &Subject,
    steps: &[supervision_step::Model],
    record: Option<String>,
    today: NaiveDate,
) -> Result<CaseView> {
    let (kind, state) = kind_of(m)?;
    let pack = sub.pack(app);
    let ids: Vec<String> = serde_json::from_str(&m.triggers).unwrap_or_default();
    let known = super::triggers_in(app, pack, clock::local_date(m.created_at));
    let triggers = ids
        .iter()
        .map(|id| TriggerRef {
            id: id.clone(),
            title: known.items.iter().find(|k| &k.id == id).map(|k| k.title.clone()).unwrap_or_else(|| id.clone()),
        })
        .collect();
    let may =
        |a: CaseAction| actor.can(a.permission()) && (a != CaseAction::Withdraw || actor.user_id.0 == m.requested_by);
    let escalation: Option<EscalationState> = m.escalation.as_deref().and_then(|s| serde_json::from_str(s).ok());
    Ok(CaseView {
        id: m.id,
        kind: kind.code().into(),
        kind_label: kind.label_zh().into(),
        state: state.code().into(),
        state_label: state.label_for(kind).into(),
        terminal: state.is_terminal(),
        cadre: sub.cadre.as_ref().map(|c| CadreRef { id: c.id, name: c.name.clone(), rank: c.rank.clone() }),
        unit: UnitRef { id: sub.unit.id, name: sub.unit.name.clone() },
        triggers,
        facts: m.facts.clone(),
        requested_by: m.requested_by_name.clone(),
        requested_at: clock::local(m.created_at),
        owner: case::owner(kind, state).map(|o| o.label_zh().to_string()),
        step_due: m.step_due,
        late: case::is_late(state, m.step_due, today),
        actions: case::actions(kind, state)
            .into_iter()
            .filter(|a| may(*a))
            .map(|a| ActionRef {
                code: a.code().into(),
                label: a.label_zh().into(),
                needs_note: a.needs_note(),
                consequence: a.consequence_zh().map(str::to_string),
            })
            .collect(),
        plan: (kind == CaseKind::Interview && m.scheduled_on.is_some()).then(|| PlanView {
            scheduled_on: m.scheduled_on,
            place: m.place.clone(),
            lead_interviewer: m.lead_interviewer.clone(),
            commission_attendee: m.commission_attendee.clone(),
            org_attendee: m.org_attendee.clone(),
            topics: m.topics.clone(),
        }),
        held_on: m.held_on,
        record,
        doc_no: m.doc_no.clone(),
        rectification_plan_due: m.rectification_plan_due,
        can_decide_escalation: actor.can(Permission::MeasureWrite)
            && escalation.as_ref().is_some_and(|e| e.decision.is_none() && e.suggestion.is_some()),
        escalation,
        measure_id: m.measure_id,
        steps: steps.iter().map(|s| step_view(kind, s)).collect(),
        version: m.version,
    })
}

pub(crate) fn step_view(kind: CaseKind, s: &supervision_step::Model) -> StepView {
    let label = match CaseAction::parse(&s.action) {
        Ok(a) => a.label_zh().to_string(),
        Err(_) if s.action == "open" && kind == CaseKind::Reminder => "拟稿".into(),
        Err(_) if s.action == "open" => "提出约谈申请".into(),
        Err(_) if s.action == "escalation" => "研判升级建议".into(),
        Err(_) => s.action.clone(),
    };
    StepView {
        action: s.action.clone(),
        action_label: label,
        state_after: s.state_after.clone(),
        state_label: CaseState::parse(&s.state_after).map(|st| st.label_for(kind).to_string()).unwrap_or_default(),
        note: s.note.clone(),
        actor: s.actor_name.clone(),
        at: clock::local(s.at),
        on_date: s.on_date,
        due: s.due,
        late: s.late,
    }
}

/// Takes one step of a case.
pub async fn transition(app: &App, actor: &Actor, id: Uuid, input: &TransitionInput) -> Result<CaseView> {
    transition_on(app, actor, id, input, clock::today(), Utc::now()).await
}

fn note_label(a: CaseAction) -> &'static str {
    match a {
        CaseAction::Reject | CaseAction::Withdraw => "理由",
        CaseAction::Plan => "约谈方案说明",
        CaseAction::Hold => "约谈情况摘要",
        CaseAction::SubmitPlan => "整改方案",
        CaseAction::Report | CaseAction::Finish => "整改进展",
        CaseAction::Pass | CaseAction::Fail => "复查意见",
        CaseAction::Approve => "批示",
        CaseAction::Issue => "说明",
    }
}

/// Takes a step on a day of the caller's choosing (history, the demo).
pub async fn transition_on(
    app: &App,
    actor: &Actor,
    id: Uuid,
    input: &TransitionInput,
    on: NaiveDate,
    at: DateTime<Utc>,
) -> Result<CaseView> {
    // Who may take no step at all learns nothing about the case.
    let acting: Vec<Permission> = CaseAction::ALL.iter().map(|a| a.permission()).collect();
    crate::access::require_any(actor, &acting)?;
    let (target, sub) = load(app, actor, id).await?;
    let mut m = target.get().clone();
    let (kind, state) = kind_of(&m)?;
    let action = CaseAction::parse(&input.action).map_err(|p| AppError::invalid("action", "操作", p))?;
    require(actor, action.permission())?;
    if action == CaseAction::Withdraw && actor.user_id.0 != m.requested_by && !actor.can(Permission::UserAdmin) {
        return Err(AppError::Forbidden);
    }
    let after = case::next(kind, state, action).map_err(|p| match p {
        Problem::Conflict { detail } => AppError::IllegalTransition(detail),
        other => AppError::invalid("action", "操作", other),
    })?;
    if input.version.is_some_and(|v| v != m.version) {
        return Err(AppError::Stale);
    }
    let pack = sub.pack(app).to_string();
    let mut inv = Invalid::new();
    let note = if action.needs_note() {
        inv.take("note", note_label(action), text::required(input.note.as_deref().unwrap_or(""), 4000))
    } else {
        inv.take("note", note_label(action), text::optional(input.note.as_deref(), 4000)).flatten()
    };
    let person = |inv: &mut Invalid, field: &str, label: &str, v: &Option<String>| {
        inv.take(field, label, text::required(v.as_deref().unwrap_or(""), 64))
    };
    let mut new_interview = None;
    let mut anchors = Anchors { entered: Some(on), scheduled: m.scheduled_on, plan_due: m.rectification_plan_due };
    match action {
        CaseAction::Plan => {
            let d = inv.take(
                "scheduled_on",
                "约谈日期",
                text::parse_date(input.scheduled_on.as_deref().unwrap_or("")).and_then(|d| {
                    if d < on { Err(Problem::Conflict { detail: format!("不能早于今天 {on}") }) } else { Ok(d) }
                }),
            );
            let lead = person(&mut inv, "lead_interviewer", "约谈人", &input.lead_interviewer);
            let jw = person(&mut inv, "commission_attendee", "纪委监委参加人员", &input.commission_attendee);
            let org = person(&mut inv, "org_attendee", "组织部参加人员", &input.org_attendee);
            let topics = inv.take("topics", "约谈要点", text::required(input.topics.as_deref().unwrap_or(""), 2000));
            let place = inv.take("place", "约谈地点", text::optional(input.place.as_deref(), 100)).flatten();
            inv.into_result()?;
            m.scheduled_on = d;
            anchors.scheduled = d;
            (m.lead_interviewer, m.commission_attendee, m.org_attendee, m.topics, m.place) =
                (lead, jw, org, topics, place);
        }
        CaseAction::Hold => {
            let held = inv.take(
                "held_on",
                "约谈日期",
                text::parse_date(input.held_on.as_deref().unwrap_or("")).and_then(|d| text::not_future(d, on)),
            );
            let record = inv.take("record", "约谈记录", text::required(input.record.as_deref().unwrap_or(""), 4000));
            let lead = inv.take("lead_interviewer", "约谈人", text::optional(input.lead_interviewer.as_deref(), 64));
            let due = match held {
                Some(h) => basis::<WorkingDays>(app, &pack, "supervision.rectification_plan_due", h)?.map(|b| (h, b)),
                None => None,
            };
            if held.is_some() && due.is_none() {
                inv.push(
                    "held_on",
                    "约谈日期",
                    Problem::Conflict { detail: format!("规则包 {pack} 在该日没有整改方案期限") },
                );
            }
            inv.into_result()?;
            let (held, (_, value)) = due.expect("checked");
            let plan_due = plan_due_after(app, &pack, held, &value)?;
            if let Some(Some(l)) = lead {
                m.lead_interviewer = Some(l);
            }
            let cadre = sub.cadre.as_ref().ok_or_else(|| AppError::Internal("interview without cadre".into()))?;
            let i = interview::Model {
                id: Uuid::now_v7(),
                cadre_id: cadre.id,
                state: "held".into(),
                held_on: held,
                triggers: m.triggers.clone(),
                record: record.expect("checked"),
                rectification_plan_due: plan_due,
                origin: "workflow".into(),
                created_by: actor.user_id.0,
                created_at: at,
                version: 1,
            };
            m.held_on = Some(held);
            m.interview_id = Some(i.id);
            m.rectification_plan_due = Some(plan_due);
            anchors.plan_due = Some(plan_due);
            new_interview = Some(i);
        }
        CaseAction::Issue => {
            inv.into_result()?;
            let (_, value) = basis::<WorkingDays>(app, &pack, "supervision.rectification_plan_due", on)?
                .ok_or_else(|| AppError::Conflict(format!("规则包 {pack} 在 {on} 没有整改方案期限")))?;
            let plan_due = plan_due_after(app, &pack, on, &value)?;
            m.rectification_plan_due = Some(plan_due);
            anchors.plan_due = Some(plan_due);
        }
        _ => inv.into_result()?,
    }
    let old_due = m.step_due;
    m.state = after.code().into();
    m.step_due = due_in(app, &pack, kind, after, anchors, on)?;
    m.updated_at = at;
    let step = supervision_step::Model {
        id: Uuid::now_v7(),
        case_id: m.id,
        action: action.code().into(),
        state_after: after.code().into(),
        note,
        actor_id: actor.user_id.0,
        actor_name: actor.display_name.clone(),
        at,
        on_date: on,
        due: old_due,
        late: old_due.is_some_and(|d| on > d),
    };
    let before_version = m.version;
    // The number's format is the pack's; read before the write lock is taken.
    let numbering = match action {
        CaseAction::Issue => Some(
            basis::<ReminderNumber>(app, &pack, "supervision.reminder_number", on)?
                .ok_or_else(|| AppError::Conflict(format!("规则包 {pack} 在 {on} 没有工作提醒函的文号格式")))?
                .1,
        ),
        _ => None,
    };
    let tx = app.db().write().await?;
    if let Some(numbering) = numbering {
        let year = on.year();
        let n = store::next_reminder_number(&tx, year).await?;
        m.doc_no = Some(numbering.format.fill(&[("year", &year.to_string()), ("n", &n.to_string())]));
    }
    let record = match new_interview {
        Some(i) => {
            store::insert_interview(&tx, i.clone()).await?;
            let cadre = sub.cadre.as_ref().ok_or_else(|| AppError::Internal("interview without cadre".into()))?;
            let held: Vec<NaiveDate> = store::interviews_of(&tx, cadre).await?.into_iter().map(|x| x.held_on).collect();
            let (e, b) = suggest(app, &pack, &held, i.held_on)?;
            m.escalation = Some(json(&escalation_state(&e, &b))?);
            Some(i.record)
        }
        None => record_of(app, &target).await?,
    };
    store::update_case(&tx, &target, m.clone(), before_version).await?;
    store::insert_step(&tx, step).await?;
    m.version = before_version + 1;
    let steps = store::steps_of(&tx, &ScopedIds::one(&target)).await?;
    let v = view(app, actor, &m, &sub, &steps, record, on)?;
    audit::record(
        app,
        &tx,
        actor,
        Event::new(format!("supervision_case.{}", action.code()), "supervision_case", m.id, sub.place()).after(&v),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

fn plan_due_after(app: &App, pack: &str, from: NaiveDate, value: &WorkingDays) -> Result<NaiveDate> {
    let days = value.working_days;
    let cal = app.policy().resolved(pack).calendar();
    cal.add_working_days(from, days).map(|a| a.value).ok_or_else(|| AppError::BadRequest("日期超出可计算范围".into()))
}

fn escalation_state(e: &dandang_domain::supervision::Escalation, b: &Basis) -> EscalationState {
    EscalationState {
        interviews_in_window: e.interviews_in_window,
        window_from: e.from,
        window_to: e.to,
        suggestion: e.suggestion.map(|s| s.code().to_string()),
        suggestion_label: e.suggestion.map(|s| s.label_zh().to_string()),
        rule: b.rule.clone(),
        rule_title: b.title.clone(),
        source: b.source.clone(),
        decision: None,
    }
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct EscalationDecisionInput {
    pub accept: bool,
    pub reason: String,
    /// Organizational handling: which one (e.g. `reassignment`, `removal`).
    #[serde(default, rename = "type")]
    pub measure_type: Option<String>,
    /// Defaults to today.
    #[serde(default)]
    pub decided_on: Option<String>,
    /// Accepting: the body that decides the measure.
    #[serde(default)]
    pub deciding_body: Option<String>,
    #[serde(default)]
    pub document_ref: Option<String>,
}

/// A person accepts or declines the escalation suggestion with a reason; an
/// accepted one becomes a measure on the cadre's record in the same transaction.
pub async fn decide_escalation(
    app: &App,
    actor: &Actor,
    id: Uuid,
    input: &EscalationDecisionInput,
) -> Result<CaseView> {
    require(actor, Permission::MeasureWrite)?;
    let (target, sub) = load(app, actor, id).await?;
    let mut m = target.get().clone();
    let today = clock::today();
    let mut esc: EscalationState = m
        .escalation
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .ok_or_else(|| AppError::IllegalTransition("该事项尚无约谈升级建议（约谈记录归档后才有）".into()))?;
    if esc.decision.is_some() {
        return Err(AppError::IllegalTransition("升级建议已经处理过".into()));
    }
    let Some(suggestion) = esc.suggestion.clone() else {
        return Err(AppError::IllegalTransition("本次约谈没有升级建议".into()));
    };
    let reason = text::required(&input.reason, 1000).map_err(|p| AppError::invalid("reason", "理由", p))?;
    let cadre = sub.cadre.as_ref().ok_or_else(|| AppError::Internal("interview without cadre".into()))?;
    let prepared = if input.accept {
        let mi = measures::MeasureInput {
            kind: suggestion.clone(),
            measure_type: input.measure_type.clone(),
            decided_on: input.decided_on.clone().filter(|s| !s.trim().is_empty()).unwrap_or_else(|| today.to_string()),
            effective_on: None,
            deciding_body: input.deciding_body.clone().unwrap_or_default(),
            basis: format!("{}（{}，{}）：{}", esc.rule_title, esc.source, m.facts, reason),
            document_ref: input.document_ref.clone(),
            ..Default::default()
        };
        Some(measures::prepare(app, actor, cadre.id, &mi, "supervision", Some(m.id.to_string())).await?)
    } else {
        None
    };
    let before_version = m.version;
    esc.decision = Some(DecisionView {
        accepted: input.accept,
        reason: reason.clone(),
        by: actor.display_name.clone(),
        at: clock::local(Utc::now()),
        measure_id: prepared.as_ref().map(|(_, mm, _, _)| mm.id),
    });
    m.escalation = Some(json(&esc)?);
    m.measure_id = prepared.as_ref().map(|(_, mm, _, _)| mm.id);
    m.updated_at = Utc::now();
    let (_, state) = kind_of(&m)?;
    let step = supervision_step::Model {
        id: Uuid::now_v7(),
        case_id: m.id,
        action: "escalation".into(),
        state_after: state.code().into(),
        note: Some(format!(
            "{}{}：{reason}",
            if input.accept { "采纳建议：" } else { "不采纳建议：" },
            esc.suggestion_label.clone().unwrap_or_default()
        )),
        actor_id: actor.user_id.0,
        actor_name: actor.display_name.clone(),
        at: Utc::now(),
        on_date: today,
        due: None,
        late: false,
    };
    let tx = app.db().write().await?;
    if let Some((book, mm, code, c)) = prepared {
        measures::record_in(app, &tx, actor, book, mm, code, &c).await?;
    }
    store::update_case(&tx, &target, m.clone(), before_version).await?;
    store::insert_step(&tx, step).await?;
    m.version = before_version + 1;
    let steps = store::steps_of(&tx, &ScopedIds::one(&target)).await?;
    let record = record_of(app, &target).await?;
    let v = view(app, actor, &m, &sub, &steps, record, today)?;
    audit::record(
        app,
        &tx,
        actor,
        Event::new("supervision_case.escalation_decision", "supervision_case", m.id, sub.place()).after(&esc),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// interview / reminder
    pub kind: Option<String>,
    /// A state code, or `open` for every state that still owes a step.
    pub state: Option<String>,
    pub cadre_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
    /// Only the cases where this user can take the next step.
    #[serde(default)]
    pub todo: Option<bool>,
    /// Only cases whose step is late.
    #[serde(default)]
    pub late: Option<bool>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = SupervisionCaseSummary)]
pub struct CaseSummary {
    pub id: Uuid,
    pub kind: String,
    pub kind_label: String,
    pub state: String,
    pub state_label: String,
    pub cadre: Option<CadreRef>,
    pub unit: UnitRef,
    pub facts: String,
    pub owner: Option<String>,
    pub step_due: Option<NaiveDate>,
    pub late: bool,
    /// Not late yet, but due within the pack's warning window (working days).
    pub due_soon: bool,
    /// The user can take the next step.
    pub todo: bool,
    pub held_on: Option<NaiveDate>,
    pub requested_at: String,
}

pub async fn list(app: &App, actor: &Actor, q: &CaseQuery) -> Result<Vec<CaseSummary>> {
    require(actor, Permission::SupervisionRead)?;
    let mut f = store::CaseFilter { cadre_id: q.cadre_id, unit_id: q.unit_id, ..Default::default() };
    if let Some(k) = q.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        f.kind = Some(CaseKind::parse(k).map_err(|p| AppError::invalid("kind", "类型", p))?.code().into());
    }
    match q.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {}
        Some("open") => {
            f.states = CaseState::ALL.iter().filter(|s| !s.is_terminal()).map(|s| s.code().to_string()).collect()
        }
        Some(s) => {
            f.states = vec![CaseState::parse(s).map_err(|p| AppError::invalid("state", "状态", p))?.code().into()]
        }
    }
    summaries(app, actor, &f, q.todo.unwrap_or(false), q.late.unwrap_or(false)).await
}

pub(crate) async fn summaries(
    app: &App,
    actor: &Actor,
    f: &store::CaseFilter,
    todo_only: bool,
    late_only: bool,
) -> Result<Vec<CaseSummary>> {
    let today = clock::today();
    let db = app.db().read();
    let rows = store::cases_in_scope(db, actor, f).await?;
    // Names read once for the list; every case's unit and cadre are in scope.
    let unit_ids: Vec<Uuid> = rows.iter().map(|m| m.unit_id).collect();
    let unit_rows: std::collections::HashMap<Uuid, InScope<UnitRow>> =
        registry::units_by_ids(db, &actor.scope, &unit_ids).await?.into_iter().map(|u| (u.id, u)).collect();
    let cadre_ids: Vec<Uuid> = rows.iter().filter_map(|m| m.cadre_id).collect();
    let cadres: std::collections::HashMap<Uuid, CadreRef> = registry::cadres_by_ids(db, &actor.scope, &cadre_ids)
        .await?
        .into_iter()
        .map(|c| (c.id, CadreRef { id: c.id, name: c.name.clone(), rank: c.rank.clone() }))
        .collect();
    let mut units: std::collections::HashMap<Uuid, (UnitRef, NaiveDate)> = std::collections::HashMap::new();
    let mut warn: std::collections::HashMap<String, NaiveDate> = std::collections::HashMap::new();
    let mut out = Vec::new();
    for m in rows {
        let (kind, state) = kind_of(&m)?;
        let late = case::is_late(state, m.step_due, today);
        // The case waits on the viewer only when they can take the owner's
        // step: revising a plan or withdrawing a request is not a task.
        let owner = case::owner(kind, state);
        let todo = owner.is_some_and(|o| actor.can(o.permission()));
        if (todo_only && !todo) || (late_only && !late) {
            continue;
        }
        let (unit, warn_day) = match units.get(&m.unit_id) {
            Some(u) => u.clone(),
            None => {
                let u = unit_rows.get(&m.unit_id).ok_or(AppError::NotFound("单位"))?;
                let pack = app.policy().pack_for(jurisdiction_code(&u.jurisdiction_path)).to_string();
                let w = match warn.get(&pack) {
                    Some(w) => *w,
                    None => *warn.entry(pack.clone()).or_insert(super::warn_until(app, &pack, today)?),
                };
                units.entry(m.unit_id).or_insert((UnitRef { id: u.id, name: u.name.clone() }, w)).clone()
            }
        };
        let cadre = m.cadre_id.and_then(|id| cadres.get(&id).cloned());
        let urgency = if state.is_terminal() {
            Urgency::OnTime
        } else {
            dandang_domain::calendar::urgency(m.step_due, today, warn_day)
        };
        let attention = Attention::of(!state.is_terminal(), todo, urgency);
        out.push((
            attention.key(m.step_due, m.created_at),
            CaseSummary {
                id: m.id,
                kind: kind.code().into(),
                kind_label: kind.label_zh().into(),
                state: state.code().into(),
                state_label: state.label_for(kind).into(),
                cadre,
                unit,
                facts: m.facts.clone(),
                owner: owner.map(|o| o.label_zh().to_string()),
                step_due: m.step_due,
                late,
                due_soon: urgency == Urgency::DueSoon,
                todo,
                held_on: m.held_on,
                requested_at: clock::local(m.created_at),
            },
        ));
    }
    out.sort_by_key(|a| a.0);
    Ok(out.into_iter().map(|(_, c)| c).collect())
}
