//! 容错纠错 (M2): tolerance cases from start to sign-off. The domain's state
//! machine says which step may follow; this module checks who may take it and
//! over whom, records the analysis, suggests from the pack in force on the day
//! of the mistake, and carries a decision onto the related measure — the case,
//! its step, the measure and the audit events in one transaction.

pub mod filings;
pub mod library;

mod attachments;
mod deliberation;
mod letters;
mod lists;
mod open;
mod rules;
mod steps;

pub use attachments::*;
pub use deliberation::*;
pub use letters::*;
pub use lists::*;
pub use open::*;
pub use rules::*;
pub use steps::*;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use dandang_domain::{
    access::{
        Actor, Permission,
        audience::{ToleranceAudience, tolerance_audience},
    },
    attention::Attention,
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
    /// Set on steps that cannot be undone: what taking it settles. The
    /// pages ask the handler to confirm these.
    pub consequence: Option<String>,
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
    pub pack_title: String,
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
    // An appeal after its window would be refused; do not offer it.
    let appeal_open = rules::appeal_last_day(app, pack, m)?.is_none_or(|last| today <= last);
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
        pack_title: app.policy().pack_title(pack),
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
            .filter(|a| may(actor, m, *a) && (*a != CaseAction::Appeal || appeal_open))
            .map(|a| ActionRef {
                code: a.code().into(),
                label: a.label_zh().into(),
                consequence: a.consequence_zh().map(str::to_string),
            })
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
