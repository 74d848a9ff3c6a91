//! 容错纠错 (M2): tolerance cases from start to sign-off. The domain's state
//! machine says which step may follow; this module checks who may take it and
//! over whom, records the analysis, suggests from the pack in force on the day
//! of the mistake, and carries a decision onto the related measure — the case,
//! its step, the measure and the audit events in one transaction.

pub mod filings;
pub mod library;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use dandang_domain::{
    access::{
        Actor, Permission,
        audience::{ToleranceAudience, tolerance_audience},
    },
    calendar::{Urgency, urgency},
    error::{Invalid, Problem},
    measures::Tolerance,
    policy::PackValue,
    text,
    tolerance::{
        CopyRecipient,
        case::{self, CaseAction, CaseState, Context, Origin},
        params::{
            AppealSentence, Deadlines, DecisionLetter, Effect, FastTrack, LetterCopies, OutcomeValue, RefusalNotice,
            Step,
        },
        suggest::{self, Answer, Candidate, Condition, Group, Suggestions},
    },
};
use dandang_store::{
    InScope,
    entity::{tolerance_case, tolerance_step},
    measures as measure_store,
    registry::{self, CadreRow},
    tolerance as store,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    App, access,
    access::require,
    audit::{self, Event, Place},
    clock,
    error::{AppError, Result},
    measures::{book_for, jurisdiction_code},
};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct EntryRef {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub source: String,
    pub confidence: String,
}

/// The pack's lists a handler works with, in force on the day of the mistake.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Criteria {
    pub pack: String,
    pub on: NaiveDate,
    pub facts: Vec<EntryRef>,
    pub factors: Vec<EntryRef>,
    pub situations: Vec<EntryRef>,
    pub situations_incomplete: bool,
    pub grounds: Vec<EntryRef>,
    pub exclusions: Vec<EntryRef>,
    pub exclusions_incomplete: bool,
    pub outcomes: Vec<EntryRef>,
}

fn entries(app: &App, pack: &str, catalogue: &str, on: NaiveDate) -> (Vec<EntryRef>, bool) {
    let r = app.policy().resolved(pack);
    match r.catalogue(catalogue, on) {
        None => (Vec::new(), false),
        Some(v) => (
            v.items
                .iter()
                .map(|h| EntryRef {
                    id: h.entry.id.clone(),
                    title: h.entry.title.clone(),
                    description: h.entry.description.clone(),
                    source: h.citation_zh(),
                    confidence: h.entry.confidence.label_zh().to_string(),
                })
                .collect(),
            v.incomplete,
        ),
    }
}

/// The mitigation grounds (从轻、减轻) of a pack on a date.
pub fn mitigations(app: &App, pack: &str, on: NaiveDate) -> Vec<EntryRef> {
    entries(app, pack, "tolerance.mitigation", on).0
}

/// Who receives a copy of the decision letter (容错处理决定书), from the pack
/// in force on the decision date; none when the pack names no copy list.
fn letter_copies(app: &App, pack: &str, on: NaiveDate) -> Result<Vec<CopyRecipient>> {
    Ok(rule::<LetterCopies>(app, pack, "tolerance.letter_copies", on)?.map(|c| c.copies).unwrap_or_default())
}

/// A rule's typed value in force on `on`, or `None` when the pack has no such
/// rule that day; each caller says what that means.
fn rule<T: PackValue>(app: &App, pack: &str, id: &str, on: NaiveDate) -> Result<Option<T>> {
    Ok(app.policy().resolved(pack).value::<T>(id, on).map_err(AppError::Config)?.map(|v| v.value))
}

/// A rule the procedure cannot go on without.
fn required<T: PackValue>(app: &App, pack: &str, id: &str, on: NaiveDate, what: &str) -> Result<T> {
    rule(app, pack, id, on)?.ok_or_else(|| AppError::Conflict(format!("规则包 {pack} 在 {on} 没有{what}")))
}

pub fn criteria(app: &App, pack: &str, on: NaiveDate) -> Criteria {
    let (situations, si) = entries(app, pack, "tolerance.situation", on);
    let (exclusions, ei) = entries(app, pack, "tolerance.exclusion", on);
    Criteria {
        pack: pack.to_string(),
        on,
        facts: entries(app, pack, "tolerance.fact", on).0,
        factors: entries(app, pack, "tolerance.factor", on).0,
        situations,
        situations_incomplete: si,
        grounds: entries(app, pack, "tolerance.ground", on).0,
        exclusions,
        exclusions_incomplete: ei,
        outcomes: entries(app, pack, "tolerance.outcome", on).0,
    }
}

/// Every entry of the suggestion groups with its condition.
fn candidates(app: &App, pack: &str, on: NaiveDate) -> Result<Vec<Candidate>> {
    let r = app.policy().resolved(pack);
    let mut out = Vec::new();
    for g in Group::ALL {
        let Some(view) = r.catalogue(g.catalogue(), on) else { continue };
        for h in &view.items {
            // An entry without a condition is never suggested: a person names it.
            let condition: Condition =
                r.value::<Condition>(&h.entry.id, on).map_err(AppError::Config)?.map(|v| v.value).unwrap_or_default();
            out.push(Candidate {
                group: *g,
                id: h.entry.id.clone(),
                title: h.entry.title.clone(),
                source: h.citation_zh(),
                condition,
            });
        }
    }
    Ok(out)
}

/// The suggestions for answers under a pack on a date.
pub fn suggest_for(app: &App, pack: &str, on: NaiveDate, answers: &BTreeMap<String, Answer>) -> Result<Suggestions> {
    Ok(suggest::suggest(&candidates(app, pack, on)?, answers))
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ToleranceCaseInput)]
pub struct CaseInput {
    pub cadre_id: Uuid,
    /// ex_officio / cadre_application / unit_application / advance_filing
    pub origin: String,
    /// The day of the mistake (YYYY-MM-DD): the rules in force then apply.
    pub event_on: String,
    /// What happened.
    pub facts: String,
    /// Situation or ground ids the applicant claims.
    #[serde(default)]
    pub claimed: Vec<String>,
    /// The accountability measure concerned, when accountability has been decided.
    #[serde(default)]
    pub measure_id: Option<Uuid>,
    /// The advance filing the case relies on.
    #[serde(default)]
    pub filing_id: Option<Uuid>,
    /// The cadre's own statement.
    #[serde(default)]
    pub statement: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ToleranceTransitionInput)]
pub struct TransitionInput {
    /// accept, refuse, invite_joint_review, record_opinion, end_joint_review, submit_for_decision,
    /// return_for_investigation, decide, report_correction, sign_off, send_back, appeal, uphold,
    /// redecide, withdraw, serve (record when the letter or refusal notice reached the cadre).
    pub action: String,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub version: Option<i32>,
    /// record_opinion: the department giving it (发改、经信、科技、审计 …).
    #[serde(default)]
    pub party: Option<String>,
    /// decide: an id of `tolerance.outcome`.
    #[serde(default)]
    pub outcome: Option<String>,
    /// decide: the situations, grounds and mitigations relied on.
    #[serde(default)]
    pub matched: Vec<String>,
    /// decide: correction requirements; when present the case goes to correction.
    #[serde(default)]
    pub corrections: Option<String>,
    /// decide: the body and the collective meeting that decided; refuse: the
    /// body in whose name the refusal notice goes out.
    #[serde(default)]
    pub deciding_body: Option<String>,
    #[serde(default)]
    pub meeting: Option<String>,
    /// decide: the decision letter's number.
    #[serde(default)]
    pub document_ref: Option<String>,
    /// send_back: the reported correction was false (虚假整改); kept on the case.
    #[serde(default)]
    pub false_correction: bool,
    /// serve: the day the decision letter reached the cadre (YYYY-MM-DD).
    #[serde(default)]
    pub served_on: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct AnalysisInput {
    /// fact id → yes / no / unknown.
    #[serde(default)]
    pub answers: BTreeMap<String, String>,
    /// factor id → the analysis on that factor.
    #[serde(default)]
    pub analysis: BTreeMap<String, String>,
    #[serde(default)]
    pub statement: Option<String>,
    #[serde(default)]
    pub version: Option<i32>,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Decision {
    pub outcome: String,
    pub outcome_title: String,
    /// exempted / mitigated / none
    pub effect: String,
    pub matched: Vec<MatchedRef>,
    pub corrections: Option<String>,
    pub deciding_body: String,
    pub meeting: String,
    pub document_ref: Option<String>,
    pub decided_on: NaiveDate,
    pub note: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MatchedRef {
    pub id: String,
    pub title: String,
    pub source: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ToleranceStepView)]
pub struct StepView {
    pub action: String,
    pub action_label: String,
    pub state_label: String,
    pub note: Option<String>,
    pub party: Option<String>,
    pub actor: String,
    pub at: String,
    pub due: Option<NaiveDate>,
    pub late: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ToleranceActionRef)]
pub struct ActionRef {
    pub code: String,
    pub label: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ToleranceCaseView)]
pub struct CaseView {
    pub id: Uuid,
    pub cadre_id: Uuid,
    pub cadre_name: String,
    pub unit_name: String,
    pub origin: String,
    pub origin_label: String,
    pub state: String,
    pub state_label: String,
    pub event_on: NaiveDate,
    pub pack: String,
    pub facts: String,
    pub claimed: Vec<MatchedRef>,
    pub measure_id: Option<Uuid>,
    pub filing_id: Option<Uuid>,
    pub priority: bool,
    pub answers: BTreeMap<String, String>,
    pub analysis: BTreeMap<String, String>,
    pub statement: Option<String>,
    pub decision: Option<Decision>,
    pub step_due: Option<NaiveDate>,
    pub late: bool,
    /// A reported correction was found false.
    pub false_correction: bool,
    /// The decision letter is to be served (送达) by this day …
    pub service_due: Option<NaiveDate>,
    /// … and was served on this one; the appeal window runs from it.
    pub served_on: Option<NaiveDate>,
    /// Not served and past its day.
    pub service_late: bool,
    pub actions: Vec<ActionRef>,
    pub steps: Vec<StepView>,
    pub version: i32,
}

struct Loaded {
    /// The case as loaded (the witness for writes) …
    target: InScope<tolerance_case::Model>,
    /// … and as it is being changed.
    m: tolerance_case::Model,
    cadre: InScope<CadreRow>,
    pack: String,
}

fn pack_of(app: &App, c: &CadreRow) -> String {
    app.policy().pack_for(jurisdiction_code(&c.jurisdiction_path)).to_string()
}

/// The pack that governs a cadre's cases (their jurisdiction's).
pub async fn pack_for_cadre(app: &App, actor: &Actor, cadre_id: Uuid) -> Result<String> {
    let c = access::cadre(app, actor, cadre_id).await?;
    Ok(pack_of(app, &c))
}

/// A case the actor's audience sees, or "not found".
async fn load(app: &App, actor: &Actor, id: Uuid) -> Result<Loaded> {
    require(actor, Permission::ToleranceRead)?;
    let target = store::case(app.db().read(), actor, id).await?.ok_or(AppError::NotFound("容错案件"))?;
    loaded(app, actor, target).await
}

async fn loaded(app: &App, actor: &Actor, target: InScope<tolerance_case::Model>) -> Result<Loaded> {
    let cadre =
        registry::cadre(app.db().read(), &actor.scope, target.cadre_id).await?.ok_or(AppError::NotFound("容错案件"))?;
    let pack = pack_of(app, &cadre);
    Ok(Loaded { m: target.get().clone(), target, cadre, pack })
}

/// Whether the actor reads the case's deliberation (analysis, suggestions,
/// joint-review opinions, others' evidence).
fn deliberating(actor: &Actor) -> bool {
    tolerance_audience(actor.role) == ToleranceAudience::Deliberating
}

/// The steps a party to the case (the cadre, the unit) sees: what was asked,
/// decided, served and reported; never the handling body's inner steps.
fn step_shown_to_parties(action: &str) -> bool {
    !matches!(
        action,
        "analysis"
            | "invite_joint_review"
            | "record_opinion"
            | "end_joint_review"
            | "submit_for_decision"
            | "return_for_investigation"
            | "finding_good_faith"
            | "finding_abuse"
    )
}

fn parse_state(s: &str) -> Result<CaseState> {
    CaseState::parse(s).map_err(|_| AppError::Internal(format!("tolerance state {s}")))
}

fn context(m: &tolerance_case::Model, corrections: bool) -> Context {
    Context {
        corrections,
        appeal_from: m.appeal_from.as_deref().and_then(|s| CaseState::parse(s).ok()),
        awaiting_service: m.service_due.is_some() && m.served_on.is_none(),
    }
}

/// Whether the actor may take the action on this case: the permission, and
/// for applications and appeals, being the cadre or their unit.
fn may(actor: &Actor, m: &tolerance_case::Model, a: CaseAction) -> bool {
    if !actor.can(a.permission()) {
        return false;
    }
    match a {
        CaseAction::Withdraw => actor.user_id.0 == m.created_by,
        CaseAction::Appeal => actor.scope.cadre_id.is_none_or(|c| c.0 == m.cadre_id),
        _ => true,
    }
}

fn view(app: &App, actor: &Actor, l: &Loaded, steps: &[tolerance_step::Model], today: NaiveDate) -> Result<CaseView> {
    view_of(app, actor, &l.m, &l.cadre, &l.pack, steps, today)
}

fn view_of(
    app: &App,
    actor: &Actor,
    m: &tolerance_case::Model,
    cadre: &CadreRow,
    pack: &str,
    steps: &[tolerance_step::Model],
    today: NaiveDate,
) -> Result<CaseView> {
    let state = parse_state(&m.state)?;
    let origin = Origin::parse(&m.origin).map_err(|_| AppError::Internal("origin".into()))?;
    let claimed_ids: Vec<String> = serde_json::from_str(&m.claimed).unwrap_or_default();
    let crit = criteria(app, pack, m.event_on);
    let claimed = claimed_ids
        .iter()
        .map(|id| {
            let e = crit.situations.iter().chain(&crit.grounds).find(|e| &e.id == id);
            MatchedRef {
                id: id.clone(),
                title: e.map(|e| e.title.clone()).unwrap_or_else(|| id.clone()),
                source: e.map(|e| e.source.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let cx = context(m, true);
    // Attributes reduced to the reader (as a service layer should, not the page):
    // parties see no analysis, and the cadre sees a decision once served on them.
    let full = deliberating(actor);
    let decision_shown = full || tolerance_audience(actor.role) == ToleranceAudience::Unit || m.served_on.is_some();
    Ok(CaseView {
        id: m.id,
        cadre_id: m.cadre_id,
        cadre_name: cadre.name.clone(),
        unit_name: cadre.unit_name.clone(),
        origin: origin.code().into(),
        origin_label: origin.label_zh().into(),
        state: state.code().into(),
        state_label: state.label_zh().into(),
        event_on: m.event_on,
        pack: pack.to_string(),
        facts: m.facts.clone(),
        claimed,
        measure_id: m.measure_id,
        filing_id: m.filing_id,
        priority: m.priority,
        answers: if full { serde_json::from_str(&m.answers).unwrap_or_default() } else { BTreeMap::new() },
        analysis: if full { serde_json::from_str(&m.analysis).unwrap_or_default() } else { BTreeMap::new() },
        statement: m.statement.clone(),
        decision: m.decision.as_deref().filter(|_| decision_shown).and_then(|d| serde_json::from_str(d).ok()),
        step_due: m.step_due,
        late: !state.is_settled() && m.step_due.is_some_and(|d| d < today),
        false_correction: m.false_correction,
        service_due: m.service_due,
        served_on: m.served_on,
        service_late: m.served_on.is_none() && m.service_due.is_some_and(|d| d < today),
        actions: case::actions(state, cx)
            .into_iter()
            .filter(|a| may(actor, m, *a))
            .map(|a| ActionRef { code: a.code().into(), label: a.label_zh().into() })
            .collect(),
        steps: steps
            .iter()
            .filter(|s| full || step_shown_to_parties(&s.action))
            .map(|s| StepView {
                action: s.action.clone(),
                action_label: CaseAction::parse(&s.action).map(|a| a.label_zh().to_string()).unwrap_or_else(
                    |_| match s.action.as_str() {
                        "open" => "启动容错程序".into(),
                        "analysis" => "记录核查研判".into(),
                        "finding_good_faith" => "复查：经办人员履职尽责，不予追究".into(),
                        "finding_abuse" => "复查：滥用容错，予以追究".into(),
                        other => other.into(),
                    },
                ),
                state_label: CaseState::parse(&s.state_after).map(|x| x.label_zh().to_string()).unwrap_or_default(),
                note: s.note.clone(),
                party: s.party.clone(),
                actor: s.actor_name.clone(),
                at: clock::local(s.at),
                due: s.due,
                late: s.late,
            })
            .collect(),
        version: m.version,
    })
}

/// The deadline of the step a case waits for, in working days from the pack;
/// a fast-tracked case uses the pack's shorter ones where it has them.
fn due_for(app: &App, pack: &str, state: CaseState, from: NaiveDate, fast: bool) -> Result<Option<NaiveDate>> {
    let step = match state {
        CaseState::Started => Step::Acceptance,
        CaseState::Investigating | CaseState::JointReview => Step::Investigation,
        CaseState::Deciding | CaseState::CorrectionReported => Step::Decision,
        CaseState::Correcting => Step::Rectification,
        CaseState::Appealed => Step::AppealDecision,
        CaseState::Closed | CaseState::Refused | CaseState::Withdrawn => return Ok(None),
    };
    deadline(app, pack, step, from, fast)
}

/// `from` plus the working days of one key of `tolerance.deadlines`, or of
/// `tolerance.fast_track`'s deadlines for a fast-tracked case.
fn deadline(app: &App, pack: &str, step: Step, from: NaiveDate, fast: bool) -> Result<Option<NaiveDate>> {
    let fast_days = match fast {
        true => {
            rule::<FastTrack>(app, pack, "tolerance.fast_track", from)?.and_then(|f| f.deadlines.get(&step).copied())
        }
        false => None,
    };
    let days = match fast_days {
        Some(d) => d,
        None => required::<Deadlines>(app, pack, "tolerance.deadlines", from, "容错纠错办理期限")?.days(step),
    };
    Ok(app.policy().resolved(pack).calendar().add_working_days(from, days).map(|a| a.value))
}

/// Whether a case begun this way is fast-tracked (优先受理、快速办理、及时反馈)
/// under the pack in force on the day it begins.
fn fast_track(app: &App, pack: &str, origin: Origin, on: NaiveDate) -> Result<bool> {
    Ok(rule::<FastTrack>(app, pack, "tolerance.fast_track", on)?.is_some_and(|f| f.origins.contains(&origin)))
}

/// The last day to appeal, counted from service of the decision letter or
/// refusal notice as the pack says. None while it is not yet served: the
/// window has not begun. (Cases from before service was recorded count from
/// the day of the decision.)
fn appeal_last_day(app: &App, pack: &str, m: &tolerance_case::Model) -> Result<Option<NaiveDate>> {
    let since = match (m.served_on, m.service_due) {
        (Some(s), _) => s,
        (None, Some(_)) => return Ok(None),
        (None, None) => m.decided_on.unwrap_or(m.event_on),
    };
    // No window in the pack is no window at all: an error, never "expired today".
    let days = appeal_days(app, pack, since)?;
    Ok(app.policy().resolved(pack).calendar().add_working_days(since, days).map(|a| a.value))
}

/// Starts a case: ex officio by the handling body, on application of the
/// cadre or their unit, or from an advance filing.
pub async fn open(app: &App, actor: &Actor, input: &CaseInput) -> Result<CaseView> {
    open_on(app, actor, input, clock::today(), Utc::now()).await
}

/// Starts a case on a day of the caller's choosing (history, the demo).
pub async fn open_on(
    app: &App,
    actor: &Actor,
    input: &CaseInput,
    today: NaiveDate,
    at: DateTime<Utc>,
) -> Result<CaseView> {
    let opened = build_open(app, actor, input, today, at, false).await?;
    let tx = app.db().write().await?;
    let v = insert_open(app, &tx, actor, opened, today).await?;
    tx.commit().await?;
    Ok(v)
}

/// A checked new case, ready to insert.
pub(crate) struct Opened {
    m: tolerance_case::Model,
    step: tolerance_step::Model,
    cadre: InScope<CadreRow>,
    pack: String,
}

/// Checks a start and builds its rows. `measure_pending`: the measure named in
/// `measure_id` is being recorded in the same transaction.
pub(crate) async fn build_open(
    app: &App,
    actor: &Actor,
    input: &CaseInput,
    today: NaiveDate,
    at: DateTime<Utc>,
    measure_pending: bool,
) -> Result<Opened> {
    crate::access::require_any(actor, &[Permission::ToleranceApply, Permission::ToleranceHandle])?;
    let origin = Origin::parse(&input.origin).map_err(|p| AppError::invalid("origin", "启动方式", p))?;
    let needed = match origin {
        Origin::ExOfficio => Permission::ToleranceHandle,
        Origin::CadreApplication | Origin::UnitApplication => Permission::ToleranceApply,
        Origin::AdvanceFiling if actor.can(Permission::ToleranceHandle) => Permission::ToleranceHandle,
        Origin::AdvanceFiling => Permission::ToleranceApply,
    };
    require(actor, needed)?;
    if origin == Origin::CadreApplication && actor.scope.cadre_id.is_some_and(|c| c.0 != input.cadre_id) {
        return Err(AppError::NotFound("干部"));
    }
    if origin == Origin::CadreApplication && actor.scope.cadre_id.is_none() && !actor.can(Permission::ToleranceHandle) {
        // A unit applies as the unit, not in the cadre's name.
        return Err(AppError::invalid(
            "origin",
            "启动方式",
            Problem::Conflict { detail: "单位党组织请选择“所在单位党组织申请”".into() },
        ));
    }
    let cadre = access::cadre(app, actor, input.cadre_id).await?;
    let pack = pack_of(app, &cadre);
    let mut inv = Invalid::new();
    let event_on = inv.take(
        "event_on",
        "失误发生日期",
        text::parse_date(&input.event_on).and_then(|d| text::not_future(d, today)),
    );
    let facts = inv.take("facts", "失误错误的事实", text::required(&input.facts, 4000));
    let statement = inv.take("statement", "本人陈述", text::optional(input.statement.as_deref(), 4000)).flatten();
    let mut claimed = Vec::new();
    if let Some(on) = event_on {
        let crit = criteria(app, &pack, on);
        if crit.situations.is_empty() && crit.grounds.is_empty() {
            inv.push(
                "event_on",
                "失误发生日期",
                Problem::Conflict { detail: format!("规则包 {pack} 在 {on} 没有容错情形") },
            );
        }
        let applying = matches!(origin, Origin::CadreApplication | Origin::UnitApplication);
        if applying && input.claimed.is_empty() {
            inv.push("claimed", "申请适用的容错情形", Problem::Required);
        }
        for (i, c) in input.claimed.iter().enumerate() {
            if !crit.situations.iter().chain(&crit.grounds).any(|e| &e.id == c) {
                inv.push(
                    &format!("claimed[{i}]"),
                    "申请适用的容错情形",
                    Problem::Unknown {
                        allowed: crit.situations.iter().chain(&crit.grounds).map(|e| e.id.clone()).collect(),
                    },
                );
            } else if !claimed.contains(c) {
                claimed.push(c.clone());
            }
        }
    }
    if let Some(mid) = input.measure_id.filter(|_| !measure_pending) {
        match measure_store::measure(app.db().read(), &actor.scope, mid).await? {
            Some(m) if m.cadre_id == Some(cadre.id) => {}
            _ => inv.push("measure_id", "相关问责措施", Problem::NotFound),
        }
    }
    let mut filed = false;
    match (origin, input.filing_id) {
        (Origin::AdvanceFiling, None) => inv.push("filing_id", "事前报备", Problem::Required),
        (_, Some(fid)) => match store::filing(app.db().read(), &actor.scope, fid).await? {
            Some(f) if f.state == "revoked" => inv.push(
                "filing_id",
                "事前报备",
                Problem::Conflict {
                    detail: format!("该报备已被撤销：{}", f.revoked_reason.clone().unwrap_or_default()),
                },
            ),
            Some(f) if f.unit_id == cadre.unit_id || f.cadre_id == Some(cadre.id) => filed = true,
            _ => inv.push("filing_id", "事前报备", Problem::NotFound),
        },
        _ => {}
    }
    inv.into_result()?;
    let state = CaseState::Started;
    let fast = fast_track(app, &pack, origin, today)?;
    let m = tolerance_case::Model {
        id: Uuid::now_v7(),
        cadre_id: cadre.id,
        unit_id: cadre.unit_id,
        origin: origin.code().into(),
        state: state.code().into(),
        appeal_from: None,
        measure_id: input.measure_id,
        filing_id: input.filing_id,
        event_on: event_on.expect("checked"),
        facts: facts.expect("checked"),
        claimed: serde_json::to_string(&claimed).map_err(|e| AppError::Internal(e.to_string()))?,
        priority: fast,
        // The filing is evidence: its fact is answered from the start where the pack asks it.
        answers: {
            let fact = "tolerance.fact.advance_filed";
            let asked = event_on.is_some_and(|on| criteria(app, &pack, on).facts.iter().any(|f| f.id == fact));
            if filed && asked { format!("{{\"{fact}\":\"yes\"}}") } else { "{}".into() }
        },
        analysis: "{}".into(),
        statement,
        decision: None,
        decided_on: None,
        step_due: due_for(app, &pack, state, today, fast)?,
        false_correction: false,
        service_due: None,
        served_on: None,
        created_by: actor.user_id.0,
        created_by_name: actor.display_name.clone(),
        created_at: at,
        updated_at: at,
        version: 1,
    };
    let step = step_by(actor, m.id, "open", state.code(), Some(origin.label_zh().into()), at, today, None);
    Ok(Opened { m, step, cadre, pack })
}

/// One entry of a case's history: who, when, on which day, and against
/// which deadline (late when the day is past it).
#[allow(clippy::too_many_arguments)]
fn step_by(
    actor: &Actor,
    case_id: Uuid,
    action: &str,
    state_after: &str,
    note: Option<String>,
    at: DateTime<Utc>,
    on: NaiveDate,
    due: Option<NaiveDate>,
) -> tolerance_step::Model {
    tolerance_step::Model {
        id: Uuid::now_v7(),
        case_id,
        action: action.into(),
        state_after: state_after.into(),
        note,
        party: None,
        actor_id: actor.user_id.0,
        actor_name: actor.display_name.clone(),
        at,
        on_date: on,
        due,
        late: due.is_some_and(|d| on > d),
    }
}

/// Inserts a built case with its first step and audit event in the caller's transaction.
pub(crate) async fn insert_open(
    app: &App,
    tx: &impl sea_orm::ConnectionTrait,
    actor: &Actor,
    o: Opened,
    today: NaiveDate,
) -> Result<CaseView> {
    store::insert_case(tx, o.m.clone()).await?;
    store::insert_step(tx, o.step.clone()).await?;
    let place = Place::of_cadre(&o.cadre);
    let v = view_of(app, actor, &o.m, &o.cadre, &o.pack, std::slice::from_ref(&o.step), today)?;
    audit::record(tx, actor, Event::new("tolerance_case.open", "tolerance_case", o.m.id, place).after(&v)).await?;
    Ok(v)
}

/// A case with its history; reading it is audited.
pub async fn get(app: &App, actor: &Actor, id: Uuid) -> Result<CaseView> {
    Ok(read(app, actor, id).await?.1)
}

async fn read(app: &App, actor: &Actor, id: Uuid) -> Result<(Loaded, CaseView)> {
    let l = load(app, actor, id).await?;
    let steps = store::steps_of(app.db().read(), &l.target).await?;
    audit::record_read(
        app,
        actor,
        "tolerance_case",
        id,
        Place::of_cadre(&l.cadre),
        &format!("{}的容错案件", l.cadre.name),
    )
    .await?;
    let v = view(app, actor, &l, &steps, clock::today())?;
    Ok((l, v))
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SuggestionsView {
    pub pack: String,
    pub on: NaiveDate,
    #[schema(value_type = Object)]
    pub suggestions: Suggestions,
    pub situations_incomplete: bool,
    pub exclusions_incomplete: bool,
}

/// What the pack in force on the day of the mistake suggests for the answers recorded so far.
/// The engine's hints are the handling body's working material: a party to
/// the case never sees them (they would read as a verdict).
pub async fn suggestions(app: &App, actor: &Actor, id: Uuid) -> Result<SuggestionsView> {
    require(actor, Permission::ToleranceDeliberate)?;
    let l = load(app, actor, id).await?;
    suggestions_of(app, &l)
}

/// The case page in one read: the case with its history (audited), what
/// the pack suggests (to those who deliberate), and the evidence the reader
/// may see.
pub async fn page(
    app: &App,
    actor: &Actor,
    id: Uuid,
) -> Result<(CaseView, Option<SuggestionsView>, Vec<AttachmentView>)> {
    let (l, v) = read(app, actor, id).await?;
    let attachments = visible_attachments(app, actor, &l).await?;
    let hints = if deliberating(actor) { Some(suggestions_of(app, &l)?) } else { None };
    Ok((v, hints, attachments))
}

/// The evidence a reader sees: all of it for those who deliberate, what they
/// uploaded themselves for a party to the case.
async fn visible_attachments(app: &App, actor: &Actor, l: &Loaded) -> Result<Vec<AttachmentView>> {
    let full = deliberating(actor);
    Ok(store::attachments_of(app.db().read(), &l.target)
        .await?
        .iter()
        .filter(|a| full || a.uploaded_by == actor.user_id.0)
        .map(attachment_view)
        .collect())
}

fn suggestions_of(app: &App, l: &Loaded) -> Result<SuggestionsView> {
    let raw: BTreeMap<String, String> = serde_json::from_str(&l.m.answers).unwrap_or_default();
    let answers: BTreeMap<String, Answer> =
        raw.into_iter().filter_map(|(k, v)| Answer::parse(&v).ok().map(|a| (k, a))).collect();
    let crit = criteria(app, &l.pack, l.m.event_on);
    Ok(SuggestionsView {
        pack: l.pack.clone(),
        on: l.m.event_on,
        suggestions: suggest_for(app, &l.pack, l.m.event_on, &answers)?,
        situations_incomplete: crit.situations_incomplete,
        exclusions_incomplete: crit.exclusions_incomplete,
    })
}

/// Records the answers to the fact questions, the analysis per factor and the
/// cadre's statement while the case is being investigated.
pub async fn record_analysis(app: &App, actor: &Actor, id: Uuid, input: &AnalysisInput) -> Result<CaseView> {
    require(actor, Permission::ToleranceHandle)?;
    let mut l = load(app, actor, id).await?;
    let state = parse_state(&l.m.state)?;
    if !matches!(state, CaseState::Investigating | CaseState::JointReview) {
        return Err(AppError::IllegalTransition(format!("容错案件当前为“{}”，不能修改核查研判", state.label_zh())));
    }
    if input.version.is_some_and(|v| v != l.m.version) {
        return Err(AppError::Stale);
    }
    let crit = criteria(app, &l.pack, l.m.event_on);
    let known: Vec<String> = crit.facts.iter().map(|f| f.id.clone()).collect();
    let mut inv = Invalid::new();
    let answers = match suggest::parse_facts(&input.answers, &known) {
        Ok(a) => Some(a),
        Err((field, p)) => {
            inv.push(&field, "事实", p);
            None
        }
    };
    let factor_ids: Vec<String> = crit.factors.iter().map(|f| f.id.clone()).collect();
    let mut analysis = BTreeMap::new();
    for (k, v) in &input.analysis {
        if !factor_ids.contains(k) {
            inv.push(&format!("analysis.{k}"), "研判因素", Problem::Unknown { allowed: factor_ids.clone() });
        } else if let Some(t) = inv.take(&format!("analysis.{k}"), "研判意见", text::optional(Some(v), 2000)).flatten()
        {
            analysis.insert(k.clone(), t);
        }
    }
    let statement = inv.take("statement", "本人陈述", text::optional(input.statement.as_deref(), 4000)).flatten();
    inv.into_result()?;
    let answers: BTreeMap<String, String> =
        answers.unwrap_or_default().into_iter().map(|(k, a)| (k, a.code().to_string())).collect();
    let before = l.m.version;
    l.m.answers = serde_json::to_string(&answers).map_err(|e| AppError::Internal(e.to_string()))?;
    l.m.analysis = serde_json::to_string(&analysis).map_err(|e| AppError::Internal(e.to_string()))?;
    if statement.is_some() {
        l.m.statement = statement;
    }
    let now = Utc::now();
    l.m.updated_at = now;
    let step = step_by(actor, id, "analysis", state.code(), None, now, clock::today(), None);
    let tx = app.db().write().await?;
    store::update_case(&tx, &l.target, l.m.clone(), before).await?;
    store::insert_step(&tx, step).await?;
    l.m.version = before + 1;
    audit::record(
        &tx,
        actor,
        Event::new("tolerance_case.analysis", "tolerance_case", id, Place::of_cadre(&l.cadre))
            .after(&serde_json::json!({"answers": answers, "analysis": analysis})),
    )
    .await?;
    let steps = store::steps_of(&tx, &l.target).await?;
    let v = view(app, actor, &l, &steps, clock::today())?;
    tx.commit().await?;
    Ok(v)
}

/// Takes one step of a case.
pub async fn transition(app: &App, actor: &Actor, id: Uuid, input: &TransitionInput) -> Result<CaseView> {
    transition_on(app, actor, id, input, clock::today(), Utc::now()).await
}

/// Takes a step on a day of the caller's choosing (history, the demo).
pub async fn transition_on(
    app: &App,
    actor: &Actor,
    id: Uuid,
    input: &TransitionInput,
    today: NaiveDate,
    at: DateTime<Utc>,
) -> Result<CaseView> {
    // Who may take no step at all learns nothing about the case.
    let acting: Vec<Permission> = CaseAction::ALL.iter().map(|a| a.permission()).collect();
    crate::access::require_any(actor, &acting)?;
    let mut l = load(app, actor, id).await?;
    let previous: Option<Decision> = l.m.decision.as_deref().and_then(|d| serde_json::from_str(d).ok());
    let state = parse_state(&l.m.state)?;
    let action = CaseAction::parse(&input.action).map_err(|p| AppError::invalid("action", "操作", p))?;
    if !may(actor, &l.m, action) {
        return Err(AppError::Forbidden);
    }
    let corrections = input.corrections.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let after = case::next(state, action, context(&l.m, corrections.is_some())).map_err(|p| match p {
        Problem::Conflict { detail } => AppError::IllegalTransition(detail),
        other => AppError::invalid("action", "操作", other),
    })?;
    if input.version.is_some_and(|v| v != l.m.version) {
        return Err(AppError::Stale);
    }
    let mut inv = Invalid::new();
    let note = if action.needs_note() {
        inv.take("note", "意见", text::required(input.note.as_deref().unwrap_or(""), 4000))
    } else {
        inv.take("note", "意见", text::optional(input.note.as_deref(), 4000)).flatten()
    };
    let party = match action {
        CaseAction::RecordOpinion => {
            inv.take("party", "会商部门", text::required(input.party.as_deref().unwrap_or(""), 64))
        }
        // The body in whose name the refusal notice goes out; the account's name if left out.
        CaseAction::Refuse => {
            inv.take("deciding_body", "受理机关", text::optional(input.deciding_body.as_deref(), 64)).flatten()
        }
        _ => None,
    };
    let crit = criteria(app, &l.pack, l.m.event_on);
    let mut decision = None;
    let mut served_on = None;
    match action {
        CaseAction::SubmitForDecision => {
            let analysis: BTreeMap<String, String> = serde_json::from_str(&l.m.analysis).unwrap_or_default();
            for f in &crit.factors {
                if !analysis.contains_key(&f.id) {
                    inv.push(
                        &format!("analysis.{}", f.id),
                        &f.title,
                        Problem::Conflict { detail: "提交集体研究前须对每个因素作出分析".into() },
                    );
                }
            }
        }
        CaseAction::Decide => {
            let outcome = match input.outcome.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => {
                    inv.push("outcome", "处理结果", Problem::Required);
                    None
                }
                Some(o) => match crit.outcomes.iter().find(|e| e.id == o || e.title == o) {
                    Some(e) => Some(e.clone()),
                    None => {
                        inv.push(
                            "outcome",
                            "处理结果",
                            Problem::Unknown { allowed: crit.outcomes.iter().map(|e| e.title.clone()).collect() },
                        );
                        None
                    }
                },
            };
            let effect = match &outcome {
                Some(o) => required::<OutcomeValue>(app, &l.pack, &o.id, l.m.event_on, "该处理结果的效力")?.effect,
                // No outcome chosen: the error is recorded above; nothing follows from it.
                None => Effect::Unaffected,
            };
            let raw: BTreeMap<String, String> = serde_json::from_str(&l.m.answers).unwrap_or_default();
            let answers: BTreeMap<String, Answer> =
                raw.into_iter().filter_map(|(k, v)| Answer::parse(&v).ok().map(|a| (k, a))).collect();
            let s = suggest_for(app, &l.pack, l.m.event_on, &answers)?;
            if effect == Effect::Exempted && s.exemption_blocked {
                let hit =
                    s.hits.iter().find(|h| h.group == Group::Exclusion).map(|h| h.title.clone()).unwrap_or_default();
                inv.push(
                    "outcome",
                    "处理结果",
                    Problem::Conflict {
                        detail: format!("已认定存在不予容错情形（{hit}），不能免予问责")
                    },
                );
            }
            let mitigations = entries(app, &l.pack, "tolerance.mitigation", l.m.event_on).0;
            let mut matched = Vec::new();
            for (i, id) in input.matched.iter().enumerate() {
                match crit.situations.iter().chain(&crit.grounds).chain(&mitigations).find(|e| &e.id == id) {
                    Some(e) => {
                        matched.push(MatchedRef { id: e.id.clone(), title: e.title.clone(), source: e.source.clone() })
                    }
                    None => inv.push(&format!("matched[{i}]"), "认定的情形", Problem::NotFound),
                }
            }
            if effect != Effect::Unaffected && matched.is_empty() {
                inv.push("matched", "认定的情形", Problem::Required);
            }
            let body =
                inv.take("deciding_body", "决定机关", text::required(input.deciding_body.as_deref().unwrap_or(""), 64));
            let meeting =
                inv.take("meeting", "集体研究会议", text::required(input.meeting.as_deref().unwrap_or(""), 128));
            let docref =
                inv.take("document_ref", "决定书文号", text::optional(input.document_ref.as_deref(), 64)).flatten();
            if l.m.measure_id.is_some() && effect != Effect::Unaffected && docref.is_none() {
                inv.push("document_ref", "决定书文号", Problem::Required);
            }
            if let (Some(o), Some(body), Some(meeting)) = (outcome, body, meeting) {
                decision = Some(Decision {
                    outcome: o.id,
                    outcome_title: o.title,
                    effect: effect.code().into(),
                    matched,
                    corrections: corrections.clone(),
                    deciding_body: body,
                    meeting,
                    document_ref: docref,
                    decided_on: today,
                    note: note.clone().unwrap_or_default(),
                });
            }
        }
        CaseAction::Serve => {
            let raw = input.served_on.as_deref().map(str::trim).unwrap_or("");
            if raw.is_empty() {
                inv.push("served_on", "送达日期", Problem::Required);
            } else {
                match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
                    Err(_) => inv.push("served_on", "送达日期", Problem::BadFormat { expected: "YYYY-MM-DD".into() }),
                    Ok(d) if d > today => {
                        inv.push("served_on", "送达日期", Problem::Conflict { detail: "不能晚于今天".into() })
                    }
                    Ok(d) if l.m.decided_on.is_some_and(|x| d < x) => {
                        inv.push("served_on", "送达日期", Problem::Conflict { detail: "不能早于决定日期".into() })
                    }
                    Ok(d) => served_on = Some(d),
                }
            }
        }
        _ => {}
    }
    inv.into_result()?;
    if action == CaseAction::Appeal
        && let Some(last) = appeal_last_day(app, &l.pack, &l.m)?
        && today > last
    {
        return Err(AppError::IllegalTransition(format!("申诉期限已于 {last} 届满")));
    }
    let before = l.m.version;
    if action == CaseAction::Refuse {
        l.m.decided_on = Some(today);
        // The refusal notice is served like a decision letter.
        l.m.service_due = deadline(app, &l.pack, Step::Feedback, today, l.m.priority)?;
        l.m.served_on = None;
    }
    if action == CaseAction::SendBack && input.false_correction {
        l.m.false_correction = true;
    }
    if action == CaseAction::Appeal {
        l.m.appeal_from = Some(state.code().into());
    }
    if matches!(action, CaseAction::Uphold | CaseAction::Redecide) {
        l.m.appeal_from = None;
    }
    let old_due = if action == CaseAction::Serve { l.m.service_due } else { l.m.step_due };
    l.m.state = after.code().into();
    // A step that leaves the state where it was (an opinion, a service)
    // answers the same deadline; only a new state starts a new one.
    if after != state {
        l.m.step_due = due_for(app, &l.pack, after, today, l.m.priority)?;
    }
    l.m.updated_at = at;
    if let Some(d) = &decision {
        l.m.decision = Some(serde_json::to_string(d).map_err(|e| AppError::Internal(e.to_string()))?);
        l.m.decided_on = Some(today);
        // Each decision letter is served anew, within the feedback deadline.
        l.m.service_due = deadline(app, &l.pack, Step::Feedback, today, l.m.priority)?;
        l.m.served_on = None;
    }
    if action == CaseAction::Redecide {
        l.m.service_due = None;
        l.m.served_on = None;
    }
    let step_day = served_on.unwrap_or(today);
    if served_on.is_some() {
        l.m.served_on = served_on;
    }
    let step =
        tolerance_step::Model { party, ..step_by(actor, id, action.code(), after.code(), note, at, step_day, old_due) };
    let tx = app.db().write().await?;
    // The decision flows onto the related measure: exemption removes its
    // effect, mitigation is recorded; the eligibility engine applies both.
    if let (Some(d), Some(mid)) = (&decision, l.m.measure_id) {
        let tol = match d.effect.as_str() {
            "exempted" => Some(Tolerance::Exempted),
            "mitigated" => Some(Tolerance::Mitigated),
            _ => None,
        };
        let mm = measure_store::measure(&tx, &actor.scope, mid).await?.ok_or(AppError::NotFound("措施记录"))?;
        // A re-decision that no longer tolerates takes back what this case's
        // earlier decision put on the measure.
        let ours = previous
            .as_ref()
            .is_some_and(|p| p.effect != "none" && mm.tolerance.is_some() && mm.tolerance_ref == p.document_ref);
        if tol.is_some() || ours {
            let book = book_for(app.policy(), &l.cadre);
            let tref = if tol.is_some() { d.document_ref.clone() } else { None };
            crate::measures::apply_tolerance_in(&tx, actor, book, &mm, &l.cadre, tol, tref).await?;
        }
    }
    store::update_case(&tx, &l.target, l.m.clone(), before).await?;
    store::insert_step(&tx, step).await?;
    l.m.version = before + 1;
    let steps = store::steps_of(&tx, &l.target).await?;
    let v = view(app, actor, &l, &steps, today)?;
    audit::record(
        &tx,
        actor,
        Event::new(format!("tolerance_case.{}", action.code()), "tolerance_case", id, Place::of_cadre(&l.cadre))
            .after(&v),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ToleranceCaseSummary)]
pub struct CaseSummary {
    pub id: Uuid,
    pub cadre_id: Uuid,
    pub cadre_name: String,
    pub unit_name: String,
    pub origin_label: String,
    pub state: String,
    pub state_label: String,
    pub event_on: NaiveDate,
    /// Who owes the next step (受理核查机关 / 决定机关 / 所在单位).
    pub owner: Option<String>,
    pub step_due: Option<NaiveDate>,
    pub late: bool,
    /// Due within the pack's warning window and not yet late.
    pub due_soon: bool,
    /// The caller stands for the owner of the next step, or handles cases
    /// and the decision letter still waits to be served.
    pub todo: bool,
    /// A decision letter whose service (送达) is not yet recorded.
    pub awaiting_service: bool,
    pub outcome: Option<String>,
}

/// Which cases the inbox lists.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct CaseQuery {
    /// started / investigating / … / closed
    pub state: Option<String>,
    /// Only the cases whose next step is the caller's.
    #[serde(default)]
    pub todo: Option<bool>,
}

/// The inbox: cases about cadres in scope, optionally in one state or only
/// those whose next step is the caller's.
pub async fn list(app: &App, actor: &Actor, q: &CaseQuery) -> Result<Vec<CaseSummary>> {
    require(actor, Permission::ToleranceRead)?;
    let states = match q.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Vec::new(),
        Some(s) => vec![CaseState::parse(s).map_err(|p| AppError::invalid("state", "状态", p))?.code().to_string()],
    };
    let today = clock::today();
    let cases = store::cases_in_scope(app.db().read(), actor, &states).await?;
    let ids: Vec<Uuid> = cases.iter().map(|m| m.cadre_id).collect();
    let cadres: BTreeMap<Uuid, InScope<CadreRow>> =
        registry::cadres_by_ids(app.db().read(), &actor.scope, &ids).await?.into_iter().map(|c| (c.id, c)).collect();
    let mut warn: BTreeMap<String, NaiveDate> = BTreeMap::new();
    let mut out = Vec::new();
    for m in cases {
        let st = parse_state(&m.state)?;
        let cadre = cadres.get(&m.cadre_id).ok_or(AppError::NotFound("干部"))?;
        let pack = pack_of(app, cadre);
        let warn_day = match warn.get(&pack) {
            Some(w) => *w,
            None => *warn.entry(pack.clone()).or_insert(crate::workdays::warn_until(
                app,
                &pack,
                "tolerance.warning_window",
                today,
            )?),
        };
        let owner = case::owner(st);
        // A settled case owes nothing, whatever its last deadline was.
        let urgency = owner.map(|_| urgency(m.step_due, today, warn_day)).unwrap_or(Urgency::OnTime);
        let awaiting_service = m.service_due.is_some() && m.served_on.is_none();
        let todo = owner.is_some_and(|o| actor.can(o.permission()))
            || (awaiting_service && actor.can(Permission::ToleranceHandle));
        if q.todo == Some(true) && !todo {
            continue;
        }
        out.push(CaseSummary {
            id: m.id,
            cadre_id: m.cadre_id,
            cadre_name: cadre.name.clone(),
            unit_name: cadre.unit_name.clone(),
            origin_label: Origin::parse(&m.origin).map(|o| o.label_zh().to_string()).unwrap_or_default(),
            state: st.code().into(),
            state_label: st.label_zh().into(),
            event_on: m.event_on,
            owner: owner.map(|o| o.label_zh().to_string()),
            step_due: m.step_due,
            late: urgency == Urgency::Late,
            due_soon: urgency == Urgency::DueSoon,
            todo,
            awaiting_service,
            outcome: m
                .decision
                .as_deref()
                .filter(|_| tolerance_audience(actor.role) != ToleranceAudience::Subject || m.served_on.is_some())
                .and_then(|d| serde_json::from_str::<Decision>(d).ok())
                .map(|d| d.outcome_title),
        });
    }
    Ok(out)
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ToleranceCount)]
pub struct Count {
    pub label: String,
    pub count: usize,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ToleranceStatistics)]
pub struct Statistics {
    pub total: usize,
    pub by_state: Vec<Count>,
    pub by_outcome: Vec<Count>,
    /// The first situation or ground relied on in each decision.
    pub by_category: Vec<Count>,
    pub by_unit: Vec<Count>,
    /// Cases started per month (YYYY-MM).
    pub by_month: Vec<Count>,
    /// Days from start to decision, over decided cases.
    pub average_days_to_decision: Option<f64>,
    pub late: usize,
    pub false_corrections: usize,
}

fn counts(mut m: BTreeMap<String, usize>, sort_by_count: bool) -> Vec<Count> {
    let mut v: Vec<Count> = std::mem::take(&mut m).into_iter().map(|(label, count)| Count { label, count }).collect();
    if sort_by_count {
        v.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
    }
    v
}

/// Statistics over the cases in scope: by state, outcome, category, unit, month, handling time.
pub async fn statistics(app: &App, actor: &Actor) -> Result<Statistics> {
    require(actor, Permission::ToleranceDeliberate)?;
    let today = clock::today();
    let rows = store::cases_in_scope(app.db().read(), actor, &[]).await?;
    let unit_ids: Vec<Uuid> = rows.iter().map(|m| m.unit_id).collect();
    let names: std::collections::HashMap<Uuid, String> =
        registry::units_by_ids(app.db().read(), &actor.scope, &unit_ids)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name.clone()))
            .collect();
    let (mut st, mut oc, mut cat, mut unit, mut month) =
        (BTreeMap::new(), BTreeMap::new(), BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    let mut days = Vec::new();
    let mut late = 0;
    for m in &rows {
        let s = parse_state(&m.state)?;
        *st.entry(s.label_zh().to_string()).or_insert(0) += 1;
        if !s.is_settled() && m.step_due.is_some_and(|d| d < today) {
            late += 1;
        }
        let opened = clock::local_date(m.created_at);
        *month.entry(opened.format("%Y-%m").to_string()).or_insert(0) += 1;
        // A case whose unit lies outside the scope (the cadre moved) counts under 其他单位.
        let name = names.get(&m.unit_id).cloned().unwrap_or_else(|| "其他单位".into());
        *unit.entry(name).or_insert(0) += 1;
        if let Some(d) = m.decision.as_deref().and_then(|d| serde_json::from_str::<Decision>(d).ok()) {
            *oc.entry(d.outcome_title.clone()).or_insert(0) += 1;
            let c = d.matched.first().map(|x| x.title.clone()).unwrap_or_else(|| "未认定情形".into());
            *cat.entry(c).or_insert(0) += 1;
            days.push((d.decided_on - opened).num_days() as f64);
        }
    }
    Ok(Statistics {
        total: rows.len(),
        by_state: counts(st, true),
        by_outcome: counts(oc, true),
        by_category: counts(cat, true),
        by_unit: counts(unit, true),
        by_month: counts(month, false),
        average_days_to_decision: (!days.is_empty()).then(|| days.iter().sum::<f64>() / days.len() as f64),
        late,
        false_corrections: rows.iter().filter(|m| m.false_correction).count(),
    })
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct FindingInput {
    /// `good_faith`: the decision was later found flawed but the reviewers acted
    /// in good faith, within the rules and without gain — no liability follows;
    /// `abuse`: tolerance was used to shield someone — recorded for pursuit.
    pub finding: String,
    pub note: String,
}

/// Records what a later review found about a decision (为容错者容错、对滥用者追责).
pub async fn record_finding(app: &App, actor: &Actor, id: Uuid, input: &FindingInput) -> Result<CaseView> {
    require(actor, Permission::ToleranceDecide)?;
    let l = load(app, actor, id).await?;
    if l.m.decision.is_none() {
        return Err(AppError::IllegalTransition("该案件尚未作出容错决定".into()));
    }
    let mut inv = Invalid::new();
    let label = match input.finding.trim() {
        "good_faith" => Some("事后发现决定有瑕疵，经办人员依规依纪依法履职、无主观故意，不予追究"),
        "abuse" => Some("借容错之名为本人或他人掩饰错误、逃避责任，依规依纪依法追究"),
        _ => {
            inv.push("finding", "复查结论", Problem::Unknown { allowed: vec!["good_faith".into(), "abuse".into()] });
            None
        }
    };
    let note = inv.take("note", "说明", text::required(&input.note, 2000));
    inv.into_result()?;
    let now = Utc::now();
    let step = step_by(
        actor,
        id,
        &format!("finding_{}", input.finding.trim()),
        &l.m.state,
        Some(format!("{}：{}", label.expect("checked"), note.expect("checked"))),
        now,
        clock::today(),
        None,
    );
    let tx = app.db().write().await?;
    store::insert_step(&tx, step.clone()).await?;
    audit::record(
        &tx,
        actor,
        Event::new("tolerance_case.finding", "tolerance_case", id, Place::of_cadre(&l.cadre)).after(&step.note),
    )
    .await?;
    let steps = store::steps_of(&tx, &l.target).await?;
    let v = view(app, actor, &l, &steps, clock::today())?;
    tx.commit().await?;
    Ok(v)
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AttachmentView {
    pub id: Uuid,
    pub file_name: String,
    pub content_type: String,
    pub size: i32,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

/// The evidence file types accepted, by extension.
const EVIDENCE_TYPES: &[(&str, &str)] = &[
    ("pdf", "application/pdf"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("png", "image/png"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("txt", "text/plain; charset=utf-8"),
];

fn attachment_view(m: &dandang_store::entity::tolerance_attachment::Model) -> AttachmentView {
    AttachmentView {
        id: m.id,
        file_name: m.file_name.clone(),
        content_type: m.content_type.clone(),
        size: m.size,
        sha256: m.sha256.clone(),
        uploaded_by: m.uploaded_by_name.clone(),
        uploaded_at: clock::local(m.uploaded_at),
    }
}

/// Evidence attached by the applicant or the handling body, while the case is
/// not settled; the file's hash is kept and the upload audited.
pub async fn attach(app: &App, actor: &Actor, id: Uuid, file_name: &str, bytes: Vec<u8>) -> Result<AttachmentView> {
    use sha2::{Digest, Sha256};
    let l = load(app, actor, id).await?;
    let may = actor.can(Permission::ToleranceHandle)
        || (actor.can(Permission::ToleranceApply) && actor.scope.cadre_id.is_none_or(|c| c.0 == l.m.cadre_id));
    if !may {
        return Err(AppError::Forbidden);
    }
    if parse_state(&l.m.state)?.is_settled() {
        return Err(AppError::IllegalTransition("案件已办结，不能再添加证据材料".into()));
    }
    let name: String = file_name.trim().chars().take(200).collect();
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let Some((_, ctype)) = EVIDENCE_TYPES.iter().find(|(e, _)| *e == ext) else {
        return Err(AppError::invalid(
            "file",
            "证据材料",
            Problem::Unknown { allowed: EVIDENCE_TYPES.iter().map(|(e, _)| format!(".{e}")).collect() },
        ));
    };
    if bytes.is_empty() {
        return Err(AppError::invalid("file", "证据材料", Problem::Required));
    }
    let m = dandang_store::entity::tolerance_attachment::Model {
        id: Uuid::now_v7(),
        case_id: id,
        file_name: name,
        content_type: ctype.to_string(),
        size: bytes.len() as i32,
        sha256: hex::encode(Sha256::digest(&bytes)),
        content: bytes,
        uploaded_by: actor.user_id.0,
        uploaded_by_name: actor.display_name.clone(),
        uploaded_at: Utc::now(),
    };
    let v = attachment_view(&m);
    let tx = app.db().write().await?;
    store::insert_attachment(&tx, m).await?;
    audit::record(
        &tx,
        actor,
        Event::new("tolerance_case.attach", "tolerance_case", id, Place::of_cadre(&l.cadre)).after(&v),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

pub async fn attachments(app: &App, actor: &Actor, id: Uuid) -> Result<Vec<AttachmentView>> {
    let l = load(app, actor, id).await?;
    visible_attachments(app, actor, &l).await
}

/// One attachment's content (audited as a read of the case).
pub async fn attachment(app: &App, actor: &Actor, id: Uuid, attachment_id: Uuid) -> Result<(AttachmentView, Vec<u8>)> {
    let l = load(app, actor, id).await?;
    let m = store::attachment(app.db().read(), &l.target, attachment_id)
        .await?
        .filter(|a| deliberating(actor) || a.uploaded_by == actor.user_id.0)
        .ok_or(AppError::NotFound("证据材料"))?;
    audit::record_read(
        app,
        actor,
        "tolerance_case",
        id,
        Place::of_cadre(&l.cadre),
        &format!("{}的证据材料 {}", l.cadre.name, m.file_name),
    )
    .await?;
    Ok((attachment_view(&m), m.content))
}

use crate::documents::cn_date;

/// The appeal window in working days (`tolerance.deadlines.appeal`) in force on a date.
fn appeal_days(app: &App, pack: &str, on: NaiveDate) -> Result<u32> {
    Ok(required::<Deadlines>(app, pack, "tolerance.deadlines", on, "容错纠错办理期限（含申诉期限）")?.appeal)
}

/// The letter's closing sentence: the pack's appeal window, from service,
/// with its last day once the service is recorded.
fn appeal_sentence(app: &App, pack: &str, m: &tolerance_case::Model, body: &str) -> Result<String> {
    let on = m.decided_on.unwrap_or(m.event_on);
    let w = required::<AppealSentence>(app, pack, "tolerance.wording.appeal", on, "申诉告知的措辞")?;
    let days = appeal_days(app, pack, on)?.to_string();
    Ok(match appeal_last_day(app, pack, m)? {
        Some(last) => w.with_last_day.fill(&[("days", &days), ("last_day", &cn_date(last)), ("body", body)]),
        None => w.before_service.fill(&[("days", &days), ("body", body)]),
    })
}

/// What the letter page needs besides the letter.
#[derive(Clone, Debug, Serialize)]
pub struct LetterHead {
    pub id: Uuid,
    pub cadre_name: String,
    /// The reader may open the case file (a copy recipient only gets the letter).
    pub case_visible: bool,
}

fn decision_of(m: &tolerance_case::Model) -> Result<Decision> {
    let d = m.decision.as_deref().ok_or_else(|| AppError::IllegalTransition("尚未作出容错决定".into()))?;
    serde_json::from_str(d).map_err(|e| AppError::Internal(format!("tolerance decision {}: {e}", m.id)))
}

/// The decision letter (容错处理决定书) of a decided case, for the page, the
/// .docx and the PDF. Whoever reads the case reads its letter; a body the
/// letter is copied to (巡察机构, 审计部门) reads the letter alone.
pub async fn letter(app: &App, actor: &Actor, id: Uuid) -> Result<(LetterHead, crate::documents::Letter)> {
    require(actor, Permission::ToleranceLetterRead)?;
    let db = app.db().read();
    // A reader of the case reads its letter and notices; a copy recipient
    // reads a decided case's letter if its body is on the copy list.
    let seen = if actor.can(Permission::ToleranceRead) { store::case(db, actor, id).await? } else { None };
    let case_visible = seen.is_some();
    let l = match seen {
        Some(t) => loaded(app, actor, t).await?,
        None => {
            let t = store::decided_case(db, &actor.scope, id).await?.ok_or(AppError::NotFound("容错处理决定书"))?;
            loaded(app, actor, t).await?
        }
    };
    let subject = tolerance_audience(actor.role) == ToleranceAudience::Subject;
    if subject && l.m.served_on.is_none() {
        // The cadre receives the document by service, not before.
        return Err(AppError::NotFound("容错处理决定书"));
    }
    if l.m.decision.is_none() && l.m.state == CaseState::Refused.code() {
        // The refusal notice goes to the applicant alone; it is not copied.
        if !case_visible {
            return Err(AppError::NotFound("容错处理决定书"));
        }
        let notice = refusal_notice(app, &l).await?;
        audit::record_read(
            app,
            actor,
            "tolerance_case",
            id,
            Place::of_cadre(&l.cadre),
            &format!("{}的不予受理通知书", l.cadre.name),
        )
        .await?;
        return Ok((LetterHead { id, cadre_name: l.cadre.name.clone(), case_visible }, notice));
    }
    let d = decision_of(&l.m)?;
    let copies = letter_copies(app, &l.pack, d.decided_on)?;
    if !case_visible && !copies.iter().any(|c| c.roles.contains(&actor.role)) {
        return Err(AppError::NotFound("容错处理决定书"));
    }
    audit::record_read(
        app,
        actor,
        "tolerance_case",
        id,
        Place::of_cadre(&l.cadre),
        &format!("{}的容错处理决定书", l.cadre.name),
    )
    .await?;
    let w =
        required::<DecisionLetter>(app, &l.pack, "tolerance.wording.decision_letter", d.decided_on, "决定书的措辞")?;
    let matched: Vec<String> = d.matched.iter().map(|m| format!("{}（{}）", m.title, m.source)).collect();
    let copy_bodies: Vec<&str> = copies.iter().map(|c| c.body.as_str()).collect();
    let (event_on, decided_on) = (cn_date(l.m.event_on), cn_date(d.decided_on));
    let (matched, copy_line) = (matched.join("；"), copy_bodies.join("、"));
    let blanks: [(&str, &str); 10] = [
        ("cadre", &l.cadre.name),
        ("unit", &l.cadre.unit_name),
        ("event_on", &event_on),
        ("body", &d.deciding_body),
        ("decided_on", &decided_on),
        ("meeting", &d.meeting),
        ("outcome", &d.outcome_title),
        ("matched", &matched),
        ("corrections", d.corrections.as_deref().unwrap_or("")),
        ("copies", &copy_line),
    ];
    let mut paragraphs = vec![w.decision.fill(&blanks)];
    if !d.matched.is_empty() {
        paragraphs.push(w.matched.fill(&blanks));
    }
    if d.corrections.is_some() {
        paragraphs.push(w.corrections.fill(&blanks));
    }
    paragraphs.push(appeal_sentence(app, &l.pack, &l.m, &d.deciding_body)?);
    let letter = crate::documents::Letter {
        title: w.title.clone(),
        doc_no: d.document_ref.clone(),
        addressee: w.addressee.fill(&blanks),
        paragraphs,
        issuer: d.deciding_body.clone(),
        date: decided_on.clone(),
        copies: (!copy_bodies.is_empty()).then(|| w.copies.fill(&blanks)),
    };
    Ok((LetterHead { id, cadre_name: l.cadre.name.clone(), case_visible }, letter))
}

/// The notice that an application was not accepted (不予受理通知书), with
/// the reason recorded at the refusal and the appeal window.
async fn refusal_notice(app: &App, l: &Loaded) -> Result<crate::documents::Letter> {
    let steps = store::steps_of(app.db().read(), &l.target).await?;
    let refusal = steps
        .iter()
        .rev()
        .find(|s| s.action == CaseAction::Refuse.code())
        .ok_or_else(|| AppError::Internal(format!("tolerance case {} refused without a step", l.m.id)))?;
    let applied = steps.first().map(|s| s.on_date).unwrap_or(l.m.event_on);
    let issuer = refusal.party.as_deref().unwrap_or(&refusal.actor_name);
    let w = required::<RefusalNotice>(
        app,
        &l.pack,
        "tolerance.wording.refusal_notice",
        refusal.on_date,
        "不予受理通知书的措辞",
    )?;
    let (applied, event_on) = (cn_date(applied), cn_date(l.m.event_on));
    let reason = refusal.note.as_deref().unwrap_or("").trim_end_matches('。').to_string() + "。";
    let mut blanks: Vec<(&str, &str)> = vec![
        ("cadre", &l.cadre.name),
        ("unit", &l.cadre.unit_name),
        ("applied", &applied),
        ("event_on", &event_on),
        ("reason", &reason),
    ];
    let opening = match Origin::parse(&l.m.origin) {
        Ok(Origin::UnitApplication) => w.opening_unit.fill(&blanks),
        Ok(Origin::CadreApplication) => w.opening_cadre.fill(&blanks),
        _ => w.opening_ex_officio.fill(&blanks),
    };
    blanks.push(("opening", &opening));
    Ok(crate::documents::Letter {
        title: w.title.clone(),
        doc_no: None,
        addressee: w.addressee.fill(&blanks),
        paragraphs: vec![w.refusal.fill(&blanks), appeal_sentence(app, &l.pack, &l.m, issuer)?],
        issuer: issuer.to_string(),
        date: cn_date(refusal.on_date),
        copies: None,
    })
}

/// A decided case as it appears among the letters copied to the reader.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CopyView {
    pub id: Uuid,
    pub cadre_name: String,
    pub unit_name: String,
    pub outcome: String,
    pub deciding_body: String,
    pub document_ref: Option<String>,
    pub decided_on: NaiveDate,
    /// The body of the copy list the reader stands for.
    pub copied_as: String,
}

/// The decision letters copied to the reader's body (抄送), newest first,
/// within the reader's scope.
pub async fn copies(app: &App, actor: &Actor) -> Result<Vec<CopyView>> {
    require(actor, Permission::ToleranceLetterRead)?;
    let mut out = Vec::new();
    let cases = store::decided_in_scope(app.db().read(), &actor.scope).await?;
    let ids: Vec<Uuid> = cases.iter().map(|m| m.cadre_id).collect();
    let cadres: BTreeMap<Uuid, InScope<CadreRow>> =
        registry::cadres_by_ids(app.db().read(), &actor.scope, &ids).await?.into_iter().map(|c| (c.id, c)).collect();
    for m in cases {
        let Some(cadre) = cadres.get(&m.cadre_id) else { continue };
        let pack = pack_of(app, cadre);
        let d = decision_of(&m)?;
        let Some(as_body) =
            letter_copies(app, &pack, d.decided_on)?.into_iter().find(|c| c.roles.contains(&actor.role))
        else {
            continue;
        };
        out.push(CopyView {
            id: m.id,
            cadre_name: cadre.name.clone(),
            unit_name: cadre.unit_name.clone(),
            outcome: d.outcome_title,
            deciding_body: d.deciding_body,
            document_ref: d.document_ref,
            decided_on: d.decided_on,
            copied_as: as_body.body,
        });
    }
    out.sort_by(|a, b| b.decided_on.cmp(&a.decided_on).then(b.id.cmp(&a.id)));
    Ok(out)
}
