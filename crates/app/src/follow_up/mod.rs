//! Follow-up of sanctioned cadres (回访教育, M8), the impact-period watch
//! lists and the statistics of measures.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};
use dandang_domain::{
    access::{Actor, Permission},
    attention::Attention,
    calendar::Urgency,
    error::{Invalid, Problem},
    follow_up::{FollowUpAction, FollowUpState, UseDecision, VisitEvaluation, VisitStatus, visit_status},
    measures::{FourForms, MeasureCode, MeasureKind},
    text,
};
use dandang_store::{
    InScope, ScopedIds,
    entity::follow_up,
    follow_up as store, measures as measure_store,
    registry::{self, CadreRow},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    App, access,
    access::require,
    audit::{self, Event, Place},
    clock,
    error::{AppError, Result},
    measures::{book_for, view as measure_view},
};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct VisitView {
    pub id: Uuid,
    pub due_on: NaiveDate,
    pub visited_on: Option<NaiveDate>,
    pub visitor: Option<String>,
    pub notes: Option<String>,
    pub evaluation: Option<String>,
    pub evaluation_label: Option<String>,
    pub status: String,
    pub status_label: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct FollowUpView {
    pub id: Uuid,
    pub cadre_id: Uuid,
    pub cadre_name: String,
    pub unit_name: String,
    pub measure_id: Uuid,
    pub measure_label: String,
    pub measure_effective: NaiveDate,
    pub state: String,
    pub state_label: String,
    pub mentor_due: NaiveDate,
    pub mentor_overdue: bool,
    pub mentor_name: Option<String>,
    pub mentor_post: Option<String>,
    pub mentor_named_on: Option<NaiveDate>,
    pub visit_months: i32,
    pub visits: Vec<VisitView>,
    pub visits_done: usize,
    pub visits_overdue: usize,
    pub impact_last_day: Option<NaiveDate>,
    pub impact_permanent: bool,
    /// From this day the unit is reminded to propose on the cadre's use.
    pub alert_on: Option<NaiveDate>,
    pub alert_active: bool,
    pub proposal: Option<String>,
    pub proposed_on: Option<NaiveDate>,
    pub decision: Option<String>,
    pub decision_label: Option<String>,
    pub decision_note: Option<String>,
    pub decided_on: Option<NaiveDate>,
    /// Rules behind the mentor deadline, visit interval and alert.
    pub rules: Vec<String>,
    pub version: i32,
}

async fn build_view(
    app: &App,
    actor: &Actor,
    f: &InScope<follow_up::Model>,
    r: &InScope<CadreRow>,
) -> Result<FollowUpView> {
    let db = app.db().read();
    let today = clock::today();
    let m = measure_store::measure(db, &actor.scope, f.measure_id).await?.ok_or(AppError::NotFound("措施记录"))?;
    let book = book_for(app.policy(), r);
    let state = FollowUpState::parse(&f.state).unwrap_or(FollowUpState::MentorPending);
    let visits: Vec<VisitView> = store::visits_of(db, &ScopedIds::one(f))
        .await?
        .into_iter()
        .map(|v| {
            let st = visit_status(v.due_on, v.visited_on, today, state.is_open());
            VisitView {
                id: v.id,
                due_on: v.due_on,
                visited_on: v.visited_on,
                visitor: v.visitor,
                notes: v.notes,
                evaluation_label: v
                    .evaluation
                    .as_deref()
                    .and_then(|e| VisitEvaluation::parse(e).ok())
                    .map(|e| e.label_zh().to_string()),
                evaluation: v.evaluation,
                status: st.code().to_string(),
                status_label: st.label_zh().to_string(),
            }
        })
        .collect();
    let alert = book.expiry_alert.on(today);
    let alert_on =
        f.impact_last_day.zip(alert).and_then(|(d, a)| d.checked_sub_days(Days::new(a.rule.days_before as u64)));
    let mut rules = Vec::new();
    for c in [
        book.mentor_due.on(m.effective_on).map(|v| &v.cite),
        book.visit_interval.on(m.effective_on).map(|v| &v.cite),
        alert.map(|v| &v.cite),
    ]
    .into_iter()
    .flatten()
    {
        rules.push(format!("{}（{}，{}）", c.title, c.source, c.confidence_zh));
    }
    let mv = measure_view(&m, today);
    Ok(FollowUpView {
        id: f.id,
        cadre_id: f.cadre_id,
        cadre_name: r.name.clone(),
        unit_name: r.unit_name.clone(),
        measure_id: m.id,
        measure_label: mv.label,
        measure_effective: m.effective_on,
        state: state.code().to_string(),
        state_label: state.label_zh().to_string(),
        mentor_due: f.mentor_due,
        mentor_overdue: state.is_open() && f.mentor_named_on.is_none() && f.mentor_due < today,
        mentor_name: f.mentor_name.clone(),
        mentor_post: f.mentor_post.clone(),
        mentor_named_on: f.mentor_named_on,
        visit_months: f.visit_months,
        visits_done: visits.iter().filter(|v| v.status == VisitStatus::Done.code()).count(),
        visits_overdue: visits.iter().filter(|v| v.status == VisitStatus::Overdue.code()).count(),
        visits,
        impact_last_day: f.impact_last_day,
        impact_permanent: f.impact_permanent,
        alert_active: state == FollowUpState::Visiting && alert_on.is_some_and(|a| a <= today),
        alert_on,
        proposal: f.proposal.clone(),
        proposed_on: f.proposed_on,
        decision_label: f
            .decision
            .as_deref()
            .and_then(|d| UseDecision::parse(d).ok())
            .map(|d| d.label_zh().to_string()),
        decision: f.decision.clone(),
        decision_note: f.decision_note.clone(),
        decided_on: f.decided_on,
        rules,
        version: f.version,
    })
}

/// The follow-up work is the offices' and the unit's; a cadre reads their own
/// measures, not the file kept on their follow-up.
fn require_follow_up_read(actor: &Actor) -> Result<()> {
    require(actor, Permission::MeasureRead)?;
    if actor.scope.cadre_id.is_some() { Err(AppError::Forbidden) } else { Ok(()) }
}

async fn load(app: &App, actor: &Actor, id: Uuid) -> Result<(InScope<follow_up::Model>, InScope<CadreRow>)> {
    require_follow_up_read(actor)?;
    let f = store::follow_up(app.db().read(), &actor.scope, id).await?.ok_or(AppError::NotFound("回访教育记录"))?;
    let r = access::cadre(app, actor, f.cadre_id).await?;
    Ok((f, r))
}

pub async fn get(app: &App, actor: &Actor, id: Uuid) -> Result<FollowUpView> {
    let (f, r) = load(app, actor, id).await?;
    audit::record_read(app, actor, "cadre", r.id, Place::of_cadre(&r), &format!("{}的回访教育记录", r.name)).await?;
    build_view(app, actor, &f, &r).await
}

pub async fn of_cadre(app: &App, actor: &Actor, cadre_id: Uuid) -> Result<Vec<FollowUpView>> {
    require_follow_up_read(actor)?;
    let r = access::cadre(app, actor, cadre_id).await?;
    let mut out = Vec::new();
    for f in store::follow_ups_of(app.db().read(), &r).await? {
        out.push(build_view(app, actor, &f, &r).await?);
    }
    Ok(out)
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct FollowUpListItem {
    pub id: Uuid,
    pub cadre_id: Uuid,
    pub cadre_name: String,
    pub unit_name: String,
    pub state: String,
    pub state_label: String,
    pub mentor_name: Option<String>,
    pub mentor_overdue: bool,
    pub impact_last_day: Option<NaiveDate>,
    pub decision_label: Option<String>,
}

pub async fn list(app: &App, actor: &Actor, state: Option<&str>) -> Result<Vec<FollowUpListItem>> {
    require_follow_up_read(actor)?;
    let st = match state.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(FollowUpState::parse(s).map_err(|p| AppError::invalid("state", "状态", p))?),
    };
    let today = clock::today();
    let rows = store::list_follow_ups(app.db().read(), &actor.scope, st.map(|s| s.code())).await?;
    let mut items: Vec<_> = rows
        .into_iter()
        .map(|r| {
            let state = FollowUpState::parse(&r.state).unwrap_or(FollowUpState::MentorPending);
            let mentor_overdue = mentor_overdue(&r, today);
            // The step owed is the department's: naming a mentor, visiting, deciding.
            let mine = state.is_open() && actor.can(Permission::FollowUpRecord);
            let urgency = if mentor_overdue { Urgency::Late } else { Urgency::OnTime };
            let key = Attention::of(state.is_open(), mine, urgency).key(r.impact_last_day, r.mentor_due);
            let item = FollowUpListItem {
                id: r.id,
                cadre_id: r.cadre_id,
                cadre_name: r.cadre_name.clone(),
                unit_name: r.unit_name.clone(),
                state_label: state.label_zh().to_string(),
                state: r.state.clone(),
                mentor_overdue,
                mentor_name: r.mentor_name.clone(),
                impact_last_day: r.impact_last_day,
                decision_label: r
                    .decision
                    .as_deref()
                    .and_then(|d| UseDecision::parse(d).ok())
                    .map(|d| d.label_zh().into()),
            };
            (key, item)
        })
        .collect();
    items.sort_by_key(|a| a.0);
    Ok(items.into_iter().map(|(_, i)| i).collect())
}

/// In progress (回访教育中), the one definition the home page, the list and
/// the statistics share.
pub fn in_progress(rows: &[FollowUpListItem]) -> usize {
    rows.iter().filter(|f| is_open(&f.state)).count()
}

/// A stored state code in progress; an unknown code is not.
fn is_open(state: &str) -> bool {
    FollowUpState::parse(state).is_ok_and(FollowUpState::is_open)
}

fn mentor_overdue(r: &store::FollowUpRow, today: NaiveDate) -> bool {
    is_open(&r.state) && r.mentor_name.is_none() && r.mentor_due < today
}

fn advance(f: &follow_up::Model, action: FollowUpAction) -> Result<FollowUpState> {
    let s = FollowUpState::parse(&f.state).map_err(|_| AppError::Internal(format!("unknown state {}", f.state)))?;
    s.next(action).map_err(|p| AppError::Conflict(p.message_zh()))
}

async fn save(
    app: &App,
    actor: &Actor,
    (before, r): (&InScope<follow_up::Model>, &InScope<CadreRow>),
    after: follow_up::Model,
    version: i32,
    action: FollowUpAction,
) -> Result<FollowUpView> {
    let tx = app.db().write().await?;
    store::update_follow_up(&tx, before, after, version).await?;
    audit::record(
        app,
        &tx,
        actor,
        Event::new(format!("follow_up.{}", action.code()), "follow_up", before.id, Place::of_cadre(r))
            .before(&state_json(before))
            .after(&state_json(&after_of(&tx, actor, before).await?)),
    )
    .await?;
    tx.commit().await?;
    let saved =
        store::follow_up(app.db().read(), &actor.scope, before.id).await?.ok_or(AppError::NotFound("回访教育记录"))?;
    build_view(app, actor, &saved, r).await
}

/// The follow-up as the transaction has just written it.
async fn after_of(
    tx: &impl dandang_store::ConnectionTrait,
    actor: &Actor,
    f: &InScope<follow_up::Model>,
) -> Result<follow_up::Model> {
    Ok(store::follow_up(tx, &actor.scope, f.id).await?.ok_or(AppError::NotFound("回访教育记录"))?.into_inner())
}

fn state_json(f: &follow_up::Model) -> serde_json::Value {
    serde_json::json!({
        "state": f.state, "mentor_name": f.mentor_name, "mentor_post": f.mentor_post,
        "mentor_named_on": f.mentor_named_on, "proposal": f.proposal, "proposed_on": f.proposed_on,
        "decision": f.decision, "decision_note": f.decision_note, "decided_on": f.decided_on,
    })
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct MentorInput {
    pub mentor_name: String,
    #[serde(default)]
    pub mentor_post: Option<String>,
    pub named_on: String,
    pub version: i32,
}

/// The unit names the mentor (帮带责任人).
pub async fn name_mentor(app: &App, actor: &Actor, id: Uuid, input: &MentorInput) -> Result<FollowUpView> {
    require(actor, Permission::FollowUpRecord)?;
    let (f, r) = load(app, actor, id).await?;
    let next = advance(&f, FollowUpAction::NameMentor)?;
    let mut inv = Invalid::new();
    let name = inv.take("mentor_name", "帮带责任人", text::required(&input.mentor_name, 32));
    let post = inv.take("mentor_post", "帮带责任人职务", text::optional(input.mentor_post.as_deref(), 64));
    let on = inv.take(
        "named_on",
        "明确日期",
        text::parse_date(&input.named_on).and_then(|d| text::not_future(d, clock::today())),
    );
    let m = measure_store::measure(app.db().read(), &actor.scope, f.measure_id)
        .await?
        .ok_or(AppError::NotFound("措施记录"))?;
    if on.is_some_and(|d| d < m.decided_on) {
        inv.push("named_on", "明确日期", Problem::DateOrder { earlier: format!("处分处理决定日期 {}", m.decided_on) });
    }
    inv.into_result()?;
    let mut after = f.get().clone();
    after.state = next.code().to_string();
    after.mentor_name = name;
    after.mentor_post = post.flatten();
    after.mentor_named_on = on;
    save(app, actor, (&f, &r), after, input.version, FollowUpAction::NameMentor).await
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct VisitInput {
    pub visited_on: String,
    pub visitor: String,
    pub notes: String,
    /// good / fair / poor
    pub evaluation: String,
}

/// Records a planned visit as done.
pub async fn record_visit(app: &App, actor: &Actor, visit_id: Uuid, input: &VisitInput) -> Result<FollowUpView> {
    require(actor, Permission::FollowUpRecord)?;
    let v = store::visit(app.db().read(), &actor.scope, visit_id).await?.ok_or(AppError::NotFound("回访安排"))?;
    let (f, r) = load(app, actor, v.follow_up_id).await?;
    advance(&f, FollowUpAction::RecordVisit)?;
    if v.visited_on.is_some() {
        return Err(AppError::Conflict("这次回访已经登记".into()));
    }
    let m = measure_store::measure(app.db().read(), &actor.scope, f.measure_id)
        .await?
        .ok_or(AppError::NotFound("措施记录"))?;
    let mut inv = Invalid::new();
    let on = inv.take(
        "visited_on",
        "回访日期",
        text::parse_date(&input.visited_on).and_then(|d| text::not_future(d, clock::today())),
    );
    if on.is_some_and(|d| d < m.effective_on) {
        inv.push(
            "visited_on",
            "回访日期",
            Problem::DateOrder { earlier: format!("处分处理生效日期 {}", m.effective_on) },
        );
    }
    let visitor = inv.take("visitor", "回访人", text::required(&input.visitor, 64));
    let notes = inv.take("notes", "回访情况", text::required(&input.notes, 2000));
    let eval = inv.take("evaluation", "综合评价", VisitEvaluation::parse(&input.evaluation));
    inv.into_result()?;
    let mut after = v.get().clone();
    after.visited_on = on;
    after.visitor = visitor;
    after.notes = notes;
    after.evaluation = eval.map(|e| e.code().to_string());
    after.recorded_by = Some(actor.user_id.0);
    let tx = app.db().write().await?;
    store::update_visit(&tx, &v, after.clone()).await?;
    audit::record(
        app,
        &tx,
        actor,
        Event::new("follow_up.record_visit", "follow_up_visit", v.id, Place::of_cadre(&r))
            .after(&serde_json::json!({"follow_up_id": f.id, "due_on": v.due_on, "visited_on": after.visited_on,
            "visitor": after.visitor, "evaluation": after.evaluation})),
    )
    .await?;
    tx.commit().await?;
    build_view(app, actor, &f, &r).await
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ProposalInput {
    pub proposal: String,
    pub version: i32,
}

/// The unit proposes that the sanction no longer affects the cadre's use.
/// Possible from the alert date before the impact period ends.
pub async fn propose(app: &App, actor: &Actor, id: Uuid, input: &ProposalInput) -> Result<FollowUpView> {
    require(actor, Permission::FollowUpRecord)?;
    let (f, r) = load(app, actor, id).await?;
    let next = advance(&f, FollowUpAction::Propose)?;
    let view = build_view(app, actor, &f, &r).await?;
    let today = clock::today();
    if let Some(a) = view.alert_on.filter(|a| *a > today) {
        return Err(AppError::Conflict(format!("影响期满前提醒日为 {a}，届时方可提出使用建议")));
    }
    if view.visits_done == 0 {
        return Err(AppError::Conflict("尚未登记任何回访，不能提出使用建议".into()));
    }
    let proposal = text::required(&input.proposal, 1000).map_err(|p| AppError::invalid("proposal", "使用建议", p))?;
    let mut after = f.get().clone();
    after.state = next.code().to_string();
    after.proposal = Some(proposal);
    after.proposed_on = Some(today);
    after.proposed_by = Some(actor.user_id.0);
    save(app, actor, (&f, &r), after, input.version, FollowUpAction::Propose).await
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct DecisionInput {
    /// no_longer_affects / still_affects
    pub decision: String,
    pub note: String,
    pub version: i32,
}

/// The organization department decides on the unit's proposal.
pub async fn decide(app: &App, actor: &Actor, id: Uuid, input: &DecisionInput) -> Result<FollowUpView> {
    require(actor, Permission::FollowUpDecide)?;
    let (f, r) = load(app, actor, id).await?;
    let next = advance(&f, FollowUpAction::Decide)?;
    let mut inv = Invalid::new();
    let d = inv.take("decision", "决定", UseDecision::parse(&input.decision));
    let note = inv.take("note", "决定意见", text::required(&input.note, 1000));
    inv.into_result()?;
    let mut after = f.get().clone();
    after.state = next.code().to_string();
    after.decision = d.map(|d| d.code().to_string());
    after.decision_note = note;
    after.decided_on = Some(clock::today());
    after.decided_by = Some(actor.user_id.0);
    save(app, actor, (&f, &r), after, input.version, FollowUpAction::Decide).await
}

// ---- watch lists and statistics ----------------------------------------------

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ImpactEnding {
    pub cadre_id: Uuid,
    pub cadre_name: String,
    pub unit_name: String,
    pub last_day: NaiveDate,
    pub eligible_from: NaiveDate,
    pub days_left: i64,
}

/// Cadres in scope whose promotion bar ends within `days` from today.
pub async fn ending_within(app: &App, actor: &Actor, days: u32) -> Result<Vec<ImpactEnding>> {
    require(actor, Permission::MeasureRead)?;
    if actor.scope.cadre_id.is_some() {
        return Err(AppError::Forbidden);
    }
    let today = clock::today();
    let to = today.checked_add_days(Days::new(days as u64)).unwrap_or(today);
    let rows = measure_store::impact_ending(app.db().read(), &actor.scope, today, to).await?;
    Ok(rows
        .into_iter()
        .map(|r| ImpactEnding {
            cadre_id: r.cadre_id,
            cadre_name: r.cadre_name,
            unit_name: r.unit_name,
            last_day: r.last_day,
            eligible_from: r.last_day.succ_opt().unwrap_or(r.last_day),
            days_left: (r.last_day - today).num_days(),
        })
        .collect())
}

#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
#[schema(as = FollowUpCount)]
pub struct Count {
    pub key: String,
    pub label: String,
    pub count: u64,
}

#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
#[schema(as = FollowUpStatistics)]
pub struct Statistics {
    pub total: u64,
    pub by_four_forms: Vec<Count>,
    pub by_kind: Vec<Count>,
    pub by_unit: Vec<Count>,
    pub by_year: Vec<Count>,
    pub exempted: u64,
    pub under_follow_up: u64,
    pub visits_done: u64,
    pub visits_overdue: u64,
    pub mentor_overdue: u64,
    pub decided_no_longer_affects: u64,
    /// Cadres appointed to a higher post after their impact period ended.
    pub promoted_after_expiry: u64,
}

fn counts(map: BTreeMap<String, (String, u64)>) -> Vec<Count> {
    map.into_iter().map(|(key, (label, count))| Count { key, label, count }).collect()
}

/// Counts over the measures and follow-ups in the actor's scope.
pub async fn statistics(app: &App, actor: &Actor) -> Result<Statistics> {
    require(actor, Permission::MeasureRead)?;
    if actor.scope.cadre_id.is_some() {
        return Err(AppError::Forbidden);
    }
    let db = app.db().read();
    let today = clock::today();
    let rows = measure_store::all_measures(db, &actor.scope, &Default::default()).await?;
    let mut s = Statistics { total: rows.len() as u64, ..Default::default() };
    let (mut ff, mut kind, mut unit, mut year) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    for r in &rows {
        if r.tolerance.as_deref() == Some("exempted") {
            s.exempted += 1;
        }
        let f = r.four_forms.map(|f| f.to_string()).unwrap_or_else(|| "0".into());
        let fl = r.four_forms.map(|f| FourForms(f as u8).label_zh().to_string()).unwrap_or_else(|| "未归类".into());
        ff.entry(f).or_insert((fl, 0)).1 += 1;
        let kl = MeasureKind::parse(&r.kind).map(|k| k.label_zh()).unwrap_or("其他").to_string();
        kind.entry(r.kind.clone()).or_insert((kl, 0)).1 += 1;
        unit.entry(r.unit_id.to_string()).or_insert((r.unit_name.clone(), 0)).1 += 1;
        let y = r.effective_on.year().to_string();
        year.entry(y.clone()).or_insert((format!("{y}年"), 0)).1 += 1;
    }
    s.by_four_forms = counts(ff);
    s.by_kind = counts(kind);
    let mut by_unit = counts(unit);
    by_unit.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
    by_unit.truncate(20);
    s.by_unit = by_unit;
    s.by_year = counts(year);
    let fus = store::list_follow_ups(db, &actor.scope, None).await?;
    s.under_follow_up = fus.iter().filter(|f| is_open(&f.state)).count() as u64;
    s.mentor_overdue = fus.iter().filter(|f| mentor_overdue(f, today)).count() as u64;
    let open: std::collections::HashSet<Uuid> = fus.iter().filter(|f| is_open(&f.state)).map(|f| f.id).collect();
    s.decided_no_longer_affects =
        fus.iter().filter(|f| f.decision.as_deref() == Some(UseDecision::NoLongerAffects.code())).count() as u64;
    for v in store::visit_stats(db, &actor.scope).await? {
        match visit_status(v.due_on, v.visited_on, today, open.contains(&v.follow_up_id)) {
            VisitStatus::Done => s.visits_done += 1,
            VisitStatus::Overdue => s.visits_overdue += 1,
            VisitStatus::Planned | VisitStatus::Lapsed => {}
        }
    }
    // Promoted after expiry: a new post of a higher rank starting after the
    // bar ended, for cadres who had a follow-up.
    let mut promoted = 0;
    let mut seen = std::collections::HashSet::new();
    let ended: Vec<Uuid> =
        fus.iter().filter(|f| f.impact_last_day.is_some_and(|d| d < today)).map(|f| f.cadre_id).collect();
    let mut by_cadre: std::collections::HashMap<Uuid, Vec<_>> = std::collections::HashMap::new();
    let ended = ScopedIds::of(&registry::cadres_by_ids(db, &actor.scope, &ended).await?);
    for a in registry::appointments_of_many(db, &ended).await? {
        by_cadre.entry(a.cadre_id).or_default().push(a);
    }
    for f in &fus {
        let Some(last) = f.impact_last_day else { continue };
        if last >= today || !seen.insert(f.cadre_id) {
            continue;
        }
        let appts = by_cadre.get(&f.cadre_id).map(Vec::as_slice).unwrap_or_default();
        let rank_before = appts
            .iter()
            .filter(|a| a.start_date <= last)
            .filter(|a| a.tier.is_some())
            .map(|a| rank_of(a.tier.as_deref(), a.level.as_deref()))
            .min();
        let promoted_after = appts.iter().any(|a| {
            a.start_date > last
                && a.tier.is_some()
                && rank_before.is_none_or(|b| rank_of(a.tier.as_deref(), a.level.as_deref()) < b)
        });
        if promoted_after {
            promoted += 1;
        }
    }
    s.promoted_after_expiry = promoted;
    Ok(s)
}

fn rank_of(tier: Option<&str>, level: Option<&str>) -> i32 {
    use dandang_domain::registry::{PostLevel, Tier, post_rank};
    post_rank(tier.and_then(|t| Tier::parse(t).ok()), level.and_then(|l| PostLevel::parse(l).ok()))
}

/// Measure codes in the order the form offers them.
pub fn measure_choices() -> Vec<(String, String)> {
    MeasureCode::all().filter(|c| !c.kind.targets_organization()).map(|c| (c.code(), c.label_zh())).collect()
}
