//! Measures on cadres' records (M4) and what they mean for eligibility (M6).
//!
//! A measure is entered once — by form, import, or by the supervision and
//! tolerance procedures (`origin`) — and a later tolerance outcome is attached
//! to it rather than deleting it. After every change the cadre's impact end
//! is recomputed in the same transaction, so lists of "ends within 30 days"
//! never disagree with the eligibility panel.

use chrono::{NaiveDate, Utc};
use dandang_domain::{
    access::{Actor, Permission},
    error::{Invalid, Problem},
    follow_up::plan_visits,
    measures::{
        Eligibility, FourForms, ImpactBook, MeasureCode, MeasureFact, MeasureKind, Question, Tolerance, evaluate,
        input::parse_request,
    },
    text,
};
use dandang_store::{
    ConnectionTrait, InScope,
    entity::{follow_up, follow_up_visit, measure},
    follow_up as fu_store, measures as store,
    registry::{CadreRow, UnitRow},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    App, PolicyState, access,
    access::require,
    audit::{self, Event, Place},
    clock,
    error::{AppError, Result},
};

/// Where a measure came from.
pub fn origin_label(code: &str) -> &'static str {
    match code {
        "manual" => "手工登记",
        "import" => "批量导入",
        "supervision" => "督查问效",
        "tolerance" => "容错纠错",
        "demo" => "演示数据",
        _ => "其他",
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MeasureView {
    pub id: Uuid,
    pub cadre_id: Option<Uuid>,
    pub unit_id: Uuid,
    /// `kind` or `kind.type`, e.g. `state_sanction.demerit`.
    pub code: String,
    pub kind: String,
    pub measure_type: Option<String>,
    pub label: String,
    pub decided_on: NaiveDate,
    pub effective_on: NaiveDate,
    pub deciding_body: String,
    pub basis: String,
    pub document_ref: Option<String>,
    pub probation_years: Option<i32>,
    pub period_months: Option<i32>,
    pub via_accountability: bool,
    pub four_forms: Option<i32>,
    pub four_forms_label: Option<String>,
    pub tolerance: Option<String>,
    pub tolerance_label: Option<String>,
    pub tolerance_ref: Option<String>,
    pub reply_due: Option<NaiveDate>,
    pub replied_on: Option<NaiveDate>,
    pub reply: Option<String>,
    /// A letter inquiry or written explanation whose reply is late.
    pub reply_overdue: bool,
    pub origin: String,
    pub origin_label: String,
    pub version: i32,
}

fn code_of(m: &measure::Model) -> Option<MeasureCode> {
    let kind = MeasureKind::parse(&m.kind).ok()?;
    MeasureCode::new(kind, m.measure_type.as_deref()).ok()
}

pub fn view(m: &measure::Model, today: NaiveDate) -> MeasureView {
    let code = code_of(m);
    let tol = m.tolerance.as_deref().and_then(|t| Tolerance::parse(t).ok());
    MeasureView {
        id: m.id,
        cadre_id: m.cadre_id,
        unit_id: m.unit_id,
        code: code.map(|c| c.code()).unwrap_or_else(|| m.kind.clone()),
        kind: m.kind.clone(),
        measure_type: m.measure_type.clone(),
        label: code.map(|c| c.label_zh()).unwrap_or_else(|| m.kind.clone()),
        decided_on: m.decided_on,
        effective_on: m.effective_on,
        deciding_body: m.deciding_body.clone(),
        basis: m.basis.clone(),
        document_ref: m.document_ref.clone(),
        probation_years: m.probation_years,
        period_months: m.period_months,
        via_accountability: m.via_accountability,
        four_forms: m.four_forms,
        four_forms_label: m.four_forms.map(|f| FourForms(f as u8).label_zh().to_string()),
        tolerance: m.tolerance.clone(),
        tolerance_label: tol.map(|t| t.label_zh().to_string()),
        tolerance_ref: m.tolerance_ref.clone(),
        reply_due: m.reply_due,
        replied_on: m.replied_on,
        reply: m.reply.clone(),
        reply_overdue: m.replied_on.is_none() && m.reply_due.is_some_and(|d| d < today),
        origin: m.origin.clone(),
        origin_label: origin_label(&m.origin).to_string(),
        version: m.version,
    }
}

/// The engine's view of stored measures.
pub fn facts(ms: &[measure::Model]) -> (Vec<MeasureFact>, Vec<Uuid>) {
    let mut facts = Vec::with_capacity(ms.len());
    let mut ids = Vec::with_capacity(ms.len());
    for m in ms {
        if let Some(code) = code_of(m) {
            facts.push(MeasureFact {
                code,
                effective: m.effective_on,
                probation_years: m.probation_years.map(|y| y as u32),
                period_months: m.period_months.map(|y| y as u32),
                tolerance: m.tolerance.as_deref().and_then(|t| Tolerance::parse(t).ok()),
            });
            ids.push(m.id);
        }
    }
    (facts, ids)
}

/// The division code of the cadre's jurisdiction (the last path segment),
/// which picks the policy pack.
pub fn jurisdiction_code(path: &str) -> &str {
    path.trim_end_matches('/').rsplit('/').next().unwrap_or("")
}

pub fn book_for<'a>(policy: &'a PolicyState, r: &CadreRow) -> &'a ImpactBook {
    policy.book(policy.pack_for(jurisdiction_code(&r.jurisdiction_path)))
}

/// Splits `kind.type` (as forms and demo data write it) into the input's two fields.
pub fn split_code(code: &str) -> (String, Option<String>) {
    match code.split_once('.') {
        Some((k, t)) => (k.to_string(), Some(t.to_string())),
        None => (code.to_string(), None),
    }
}

/// Accepts a JSON number, a numeric string, or nothing (empty form fields).
pub fn de_opt_u32<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match v {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}

fn parse_u32(s: Option<&str>, min: u32, max: u32) -> std::result::Result<Option<u32>, Problem> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(t) => match t.parse::<u32>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
            Ok(_) => Err(Problem::OutOfRange { min: min as i64, max: max as i64 }),
            Err(_) => Err(Problem::BadFormat { expected: "整数".into() }),
        },
    }
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct MeasureInput {
    /// e.g. `state_sanction`, `admonishment` (code or Chinese label).
    pub kind: String,
    /// e.g. `demerit`; required for sanctions, handling and assessment grades.
    #[serde(default, rename = "type")]
    pub measure_type: Option<String>,
    pub decided_on: String,
    /// Defaults to the decision date.
    #[serde(default)]
    pub effective_on: Option<String>,
    pub deciding_body: String,
    /// Facts and grounds, e.g. 问责条例 article and the conduct.
    pub basis: String,
    #[serde(default)]
    pub document_ref: Option<String>,
    /// 留党察看 only: 1 or 2.
    #[serde(default, deserialize_with = "de_opt_u32")]
    #[schema(value_type = Option<u32>)]
    pub probation_years: Option<String>,
    /// State sanctions only: one period fixed for several sanctions decided together.
    #[serde(default, deserialize_with = "de_opt_u32")]
    #[schema(value_type = Option<u32>)]
    pub period_months: Option<String>,
    #[serde(default)]
    pub via_accountability: bool,
    /// Accountability only: whether tolerance may apply (谁追责问责、谁认定容错) —
    /// `possible` starts a tolerance case ex officio with the measure, `none`
    /// records that the handler found none. Required when `via_accountability`.
    #[serde(default)]
    pub tolerance_check: Option<String>,
    /// Letter inquiries and written explanations: the reply deadline.
    #[serde(default)]
    pub reply_due: Option<String>,
}

pub(crate) struct Parsed {
    pub(crate) code: MeasureCode,
    decided: NaiveDate,
    effective: NaiveDate,
    deciding_body: String,
    basis: String,
    document_ref: Option<String>,
    probation_years: Option<u32>,
    period_months: Option<u32>,
    reply_due: Option<NaiveDate>,
}

pub(crate) fn parse_input(
    book: &ImpactBook,
    input: &MeasureInput,
    today: NaiveDate,
) -> std::result::Result<Parsed, Invalid> {
    parse_for(book, input, today, false)
}

/// `organization`: the measure is taken against a party organization (检查、通报、改组).
fn parse_for(
    book: &ImpactBook,
    input: &MeasureInput,
    today: NaiveDate,
    organization: bool,
) -> std::result::Result<Parsed, Invalid> {
    let mut inv = Invalid::new();
    let kind = inv.take("kind", "措施种类", MeasureKind::parse(&input.kind));
    match kind.map(|k| k.targets_organization()) {
        Some(true) if !organization => {
            inv.push("kind", "措施种类", Problem::Conflict { detail: "对党组织的问责应登记在单位名下".into() })
        }
        Some(false) if organization => inv.push(
            "kind",
            "措施种类",
            Problem::Conflict {
                detail: "单位名下只登记对党组织的问责（检查、通报、改组）".into()
            },
        ),
        _ => {}
    }
    let code = kind.and_then(|k| inv.take("type", "措施类型", MeasureCode::new(k, input.measure_type.as_deref())));
    let decided = inv.take(
        "decided_on",
        "决定日期",
        text::parse_date(&input.decided_on).and_then(|d| text::not_future(d, today)),
    );
    let effective = match input.effective_on.as_deref().filter(|s| !s.trim().is_empty()) {
        None => decided,
        Some(s) => inv.take("effective_on", "生效日期", text::parse_date(s).and_then(|d| text::not_future(d, today))),
    };
    if let (Some(d), Some(e)) = (decided, effective)
        && e < d
    {
        inv.push("effective_on", "生效日期", Problem::DateOrder { earlier: format!("决定日期 {d}") });
    }
    let deciding_body = inv.take("deciding_body", "决定机关", text::required(&input.deciding_body, 64));
    let basis = inv.take("basis", "事由和依据", text::required(&input.basis, 500));
    let document_ref = inv.take("document_ref", "决定文号", text::optional(input.document_ref.as_deref(), 64));
    let probation_years = inv.take("probation_years", "察看年限", parse_u32(input.probation_years.as_deref(), 1, 10));
    let period_months = inv.take("period_months", "处分期（月）", parse_u32(input.period_months.as_deref(), 1, 600));
    let reply_due = inv.take("reply_due", "回复期限", text::parse_optional_date(input.reply_due.as_deref()));
    if let (Some(code), Some(e)) = (code, effective) {
        if let Err(p) =
            dandang_domain::measures::input::check_probation(book.measure(code, e), code, probation_years.flatten())
        {
            inv.push("probation_years", "察看年限", p);
        }
        if period_months.flatten().is_some() && code.kind != MeasureKind::StateSanction {
            inv.push(
                "period_months",
                "处分期（月）",
                Problem::Conflict { detail: "只在合并确定政务处分期时填写".into() },
            );
        }
        let replies = matches!(code.kind, MeasureKind::LetterInquiry | MeasureKind::WrittenExplanation);
        match (replies, reply_due.flatten()) {
            (true, None) => inv.push("reply_due", "回复期限", Problem::Required),
            (true, Some(r)) if r < e => {
                inv.push("reply_due", "回复期限", Problem::DateOrder { earlier: format!("生效日期 {e}") })
            }
            (false, Some(_)) => {
                inv.push("reply_due", "回复期限", Problem::Conflict { detail: "只适用于函询和书面说明".into() })
            }
            _ => {}
        }
    }
    inv.into_result()?;
    Ok(Parsed {
        code: code.expect("checked"),
        decided: decided.expect("checked"),
        effective: effective.expect("checked"),
        deciding_body: deciding_body.expect("checked"),
        basis: basis.expect("checked"),
        document_ref: document_ref.flatten(),
        probation_years: probation_years.flatten(),
        period_months: period_months.flatten(),
        reply_due: reply_due.flatten(),
    })
}

/// Records a measure on a cadre; `origin` says which procedure produced it.
pub async fn create(app: &App, actor: &Actor, cadre_id: Uuid, input: &MeasureInput) -> Result<MeasureView> {
    create_from(app, actor, cadre_id, input, "manual", None).await
}

pub async fn create_from(
    app: &App,
    actor: &Actor,
    cadre_id: Uuid,
    input: &MeasureInput,
    origin: &str,
    origin_ref: Option<String>,
) -> Result<MeasureView> {
    require(actor, Permission::MeasureWrite)?;
    let possible = match input.tolerance_check.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None if input.via_accountability && origin == "manual" => {
            return Err(AppError::invalid("tolerance_check", "是否存在容错情形", Problem::Required));
        }
        None | Some("none") => false,
        Some("possible") => true,
        Some(_) => {
            return Err(AppError::invalid(
                "tolerance_check",
                "是否存在容错情形",
                Problem::Unknown { allowed: vec!["possible（可能存在）".into(), "none（不存在）".into()] },
            ));
        }
    };
    let (book, m, code, cadre) = prepare(app, actor, cadre_id, input, origin, origin_ref).await?;
    // The body pursuing accountability checks for tolerance at the same time:
    // a possible case starts ex officio, in the same transaction as the measure.
    let opened = if possible {
        let ci = crate::tolerance::CaseInput {
            cadre_id,
            origin: "ex_officio".into(),
            event_on: m.decided_on.to_string(),
            facts: m.basis.clone(),
            claimed: vec![],
            measure_id: Some(m.id),
            filing_id: None,
            statement: None,
        };
        Some(crate::tolerance::build_open(app, actor, &ci, clock::today(), Utc::now(), true).await?)
    } else {
        None
    };
    let tx = app.db().write().await?;
    let v = record_in(app, &tx, actor, book, m, code, &cadre).await?;
    if let Some(o) = opened {
        crate::tolerance::insert_open(app, &tx, actor, o, clock::today()).await?;
    }
    tx.commit().await?;
    Ok(v)
}

/// A measure checked for a cadre in scope, ready for [`record_in`].
pub(crate) type Prepared<'a> = (&'a ImpactBook, measure::Model, MeasureCode, InScope<CadreRow>);

/// Checks a measure for a cadre and builds its row, for callers that record it
/// in their own transaction with [`record_in`].
pub(crate) async fn prepare<'a>(
    app: &'a App,
    actor: &Actor,
    cadre_id: Uuid,
    input: &MeasureInput,
    origin: &str,
    origin_ref: Option<String>,
) -> Result<Prepared<'a>> {
    require(actor, Permission::MeasureWrite)?;
    let r = access::cadre(app, actor, cadre_id).await?;
    let book = book_for(app.policy(), &r);
    let p = parse_input(book, input, clock::today())?;
    let m = new_model(&p, &r, input.via_accountability, actor, origin, origin_ref, book);
    Ok((book, m, p.code, r))
}

pub(crate) fn new_model(
    p: &Parsed,
    r: &CadreRow,
    via_accountability: bool,
    actor: &Actor,
    origin: &str,
    origin_ref: Option<String>,
    book: &ImpactBook,
) -> measure::Model {
    measure::Model {
        id: Uuid::now_v7(),
        cadre_id: Some(r.id),
        unit_id: r.unit_id,
        kind: p.code.kind.code().to_string(),
        measure_type: p.code.type_code().map(str::to_string),
        decided_on: p.decided,
        effective_on: p.effective,
        deciding_body: p.deciding_body.clone(),
        basis: p.basis.clone(),
        document_ref: p.document_ref.clone(),
        probation_years: p.probation_years.map(|y| y as i32),
        period_months: p.period_months.map(|y| y as i32),
        via_accountability,
        four_forms: book.four_forms(p.code, p.effective).map(|f| f.0 as i32),
        tolerance: None,
        tolerance_ref: None,
        reply_due: p.reply_due,
        replied_on: None,
        reply: None,
        origin: origin.to_string(),
        origin_ref,
        created_by: actor.user_id.0,
        created_at: Utc::now(),
        version: 1,
    }
}

/// Inserts a measure with its audit event, recomputes the cadre's impact end
/// and opens (or extends) the follow-up, all in the caller's transaction.
pub(crate) async fn record_in(
    app: &App,
    tx: &impl ConnectionTrait,
    actor: &Actor,
    book: &ImpactBook,
    mut m: measure::Model,
    code: MeasureCode,
    cadre: &InScope<CadreRow>,
) -> Result<MeasureView> {
    m.cadre_id = Some(cadre.id);
    store::insert_measure(tx, m.clone()).await?;
    let v = view(&m, clock::today());
    audit::record(app, tx, actor, Event::new("measure.create", "measure", m.id, Place::of_cadre(cadre)).after(&v))
        .await?;
    let (last, permanent) = refresh_impact(tx, book, cadre).await?;
    if book.needs_follow_up(code, m.effective_on) && !permanent {
        open_follow_up(app, tx, actor, book, &m, code, last, cadre).await?;
    }
    Ok(v)
}

/// Recomputes the end of the cadre's promotion bar with every measure counted.
pub async fn refresh_impact(
    c: &impl ConnectionTrait,
    book: &ImpactBook,
    cadre: &InScope<CadreRow>,
) -> Result<(Option<NaiveDate>, bool)> {
    let ms = models(store::measures_of(c, cadre).await?);
    let (f, _) = facts(&ms);
    let e = evaluate(book, &f, NaiveDate::MAX);
    let (last, permanent) = (e.promotion.barred_until, e.promotion.never);
    store::set_cadre_impact(c, cadre, last, permanent).await?;
    fu_store::set_follow_up_impact(c, cadre, last, permanent).await?;
    Ok((last, permanent))
}

/// The rows behind measures in scope.
pub(crate) fn models(ms: Vec<InScope<measure::Model>>) -> Vec<measure::Model> {
    ms.into_iter().map(InScope::into_inner).collect()
}

/// Opens the cadre's follow-up, or, when one is already running, extends its
/// visit plan to the new end of the impact period: one follow-up per cadre.
#[allow(clippy::too_many_arguments)] // one step of a caller's transaction: its context, then the facts
async fn open_follow_up(
    app: &App,
    tx: &impl ConnectionTrait,
    actor: &Actor,
    book: &ImpactBook,
    m: &measure::Model,
    code: MeasureCode,
    last: Option<NaiveDate>,
    cadre: &InScope<CadreRow>,
) -> Result<()> {
    let Some(mentor) = book.mentor_due.on(m.effective_on) else { return Ok(()) };
    let Some((months, _)) = book.visit_months(code, m.effective_on) else { return Ok(()) };
    let cadre_id = cadre.id;
    let running =
        fu_store::follow_ups_of(tx, cadre).await?.into_iter().find(|f| f.decided_on.is_none() && f.state != "closed");
    let visit = |follow_up_id: Uuid, due: NaiveDate| follow_up_visit::Model {
        id: Uuid::now_v7(),
        follow_up_id,
        due_on: due,
        visited_on: None,
        visitor: None,
        notes: None,
        evaluation: None,
        recorded_by: None,
    };
    if let Some(f) = running {
        let planned = fu_store::visits_of(tx, &dandang_store::ScopedIds::one(&f)).await?;
        let after = planned.iter().map(|v| v.due_on).max().unwrap_or(m.effective_on);
        let interval = (f.visit_months as u32).min(months);
        let extra: Vec<NaiveDate> = plan_visits(after, interval, last).into_iter().filter(|d| *d > after).collect();
        fu_store::insert_visits(tx, extra.iter().map(|d| visit(f.id, *d)).collect()).await?;
        return audit::record(
            app,
            tx,
            actor,
            Event::new("follow_up.extend", "follow_up", f.id, Place::of_cadre(cadre))
                .after(&serde_json::json!({"measure_id": m.id, "impact_last_day": last, "visits_added": extra})),
        )
        .await;
    }
    let f = follow_up::Model {
        id: Uuid::now_v7(),
        cadre_id,
        measure_id: m.id,
        state: dandang_domain::follow_up::FollowUpState::MentorPending.code().to_string(),
        mentor_due: dandang_domain::measures::dates::add_months(m.effective_on, mentor.rule.months),
        mentor_name: None,
        mentor_post: None,
        mentor_named_on: None,
        visit_months: months as i32,
        impact_last_day: last,
        impact_permanent: false,
        proposal: None,
        proposed_on: None,
        proposed_by: None,
        decision: None,
        decision_note: None,
        decided_on: None,
        decided_by: None,
        created_at: Utc::now(),
        version: 1,
    };
    fu_store::insert_follow_up(tx, f.clone()).await?;
    let plan = plan_visits(m.effective_on, months, last);
    fu_store::insert_visits(tx, plan.iter().map(|d| visit(f.id, *d)).collect()).await?;
    audit::record(app,
        tx,
        actor,
        Event::new("follow_up.open", "follow_up", f.id, Place::of_cadre(cadre)).after(
            &serde_json::json!({"measure_id": m.id, "mentor_due": f.mentor_due, "visit_months": months, "visits": plan}),
        ),
    )
    .await
}

/// An exemption ends the follow-up opened for that measure when no other
/// measure still bars the cadre.
async fn close_follow_ups_if_clear(
    app: &App,
    tx: &impl ConnectionTrait,
    actor: &Actor,
    cadre: &InScope<CadreRow>,
    last: Option<NaiveDate>,
    permanent: bool,
) -> Result<()> {
    if last.is_some() || permanent {
        return Ok(());
    }
    for f in fu_store::follow_ups_of(tx, cadre).await? {
        let Ok(state) = dandang_domain::follow_up::FollowUpState::parse(&f.state) else { continue };
        let Ok(next) = state.next(dandang_domain::follow_up::FollowUpAction::Close) else { continue };
        let mut after = f.get().clone();
        after.state = next.code().to_string();
        fu_store::update_follow_up(tx, &f, after, f.version).await?;
        audit::record(
            app,
            tx,
            actor,
            Event::new("follow_up.close", "follow_up", f.id, Place::of_cadre(cadre))
                .before(&serde_json::json!({"state": f.state}))
                .after(&serde_json::json!({"state": next.code(), "reason": "措施经容错免责，不再有影响期"})),
        )
        .await?;
    }
    Ok(())
}

/// A cadre's measures, oldest first; the read is audited.
pub async fn list_for_cadre(app: &App, actor: &Actor, cadre_id: Uuid) -> Result<Vec<MeasureView>> {
    require(actor, Permission::MeasureRead)?;
    let r = access::cadre(app, actor, cadre_id).await?;
    let ms = store::measures_of(app.db().read(), &r).await?;
    audit::record_read(app, actor, "cadre", cadre_id, Place::of_cadre(&r), &format!("{}的处分处理记录", r.name))
        .await?;
    let today = clock::today();
    Ok(ms.iter().map(|m| view(m, today)).collect())
}

/// Whether the actor may see the eligibility verdict on this cadre: the
/// offices may; a cadre on themselves only where the deployment chose so
/// (`[access] cadre_sees_own_eligibility`, off by default).
fn may_see_eligibility(app: &App, actor: &Actor) -> bool {
    actor.can(Permission::MeasureRead)
        && (actor.scope.cadre_id.is_none() || app.config().access.cadre_sees_own_eligibility)
}

/// `POST /api/v1/eligibility/check` and `dandang eligibility check`: the
/// deployment's default pack answers a request that names no cadre.
pub fn check(policy: &PolicyState, body: &serde_json::Value) -> Result<serde_json::Value> {
    let book = policy.default_book();
    let req = parse_request(book, body)?;
    let e = evaluate(book, &req.measures, req.as_of);
    let mut v = serde_json::to_value(&e).map_err(|e| AppError::Internal(e.to_string()))?;
    v["pack"] = serde_json::Value::String(policy.default_pack.clone());
    Ok(v)
}

pub fn parse_as_of(s: Option<&str>) -> Result<NaiveDate> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(clock::today()),
        Some(s) => text::parse_date(s).map_err(|p| AppError::invalid("as_of", "查询日期", p)),
    }
}

/// Eligibility of a stored cadre on a date, as JSON with measure ids.
pub async fn eligibility_json(
    app: &App,
    actor: &Actor,
    cadre_id: Uuid,
    as_of: Option<&str>,
) -> Result<serde_json::Value> {
    if !may_see_eligibility(app, actor) {
        return Err(AppError::Forbidden);
    }
    let as_of = parse_as_of(as_of)?;
    let r = access::cadre(app, actor, cadre_id).await?;
    let book = book_for(app.policy(), &r);
    let ms = models(store::measures_of(app.db().read(), &r).await?);
    let (f, ids) = facts(&ms);
    let e = evaluate(book, &f, as_of);
    let mut v = serde_json::to_value(&e).map_err(|e| AppError::Internal(e.to_string()))?;
    if let Some(arr) = v.get_mut("measures").and_then(|m| m.as_array_mut()) {
        for (i, m) in arr.iter_mut().enumerate() {
            m["id"] = serde_json::json!(ids[i]);
        }
    }
    v["cadre_id"] = serde_json::json!(cadre_id);
    v["pack"] = serde_json::json!(app.policy().pack_for(jurisdiction_code(&r.jurisdiction_path)));
    audit::record_read(
        app,
        actor,
        "cadre",
        cadre_id,
        Place::of_cadre(&r),
        &format!("{}的任用资格研判（{as_of}）", r.name),
    )
    .await?;
    Ok(v)
}

// ---- the eligibility panel -------------------------------------------------

#[derive(Clone, Debug, Serialize)]
pub struct AnswerView {
    pub question: String,
    pub label: String,
    pub eligible: bool,
    pub never: bool,
    pub eligible_from: Option<NaiveDate>,
    pub barred_until: Option<NaiveDate>,
    pub sentence: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReasonView {
    pub question_label: String,
    pub measure_label: String,
    pub track_label: String,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    pub combined_to: Option<NaiveDate>,
    pub in_force: bool,
    pub rule: String,
    pub title: String,
    pub source: String,
    pub confidence: String,
    pub extra: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TrackView {
    pub label: String,
    pub last_day: Option<NaiveDate>,
    pub permanent: bool,
    pub in_force: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Panel {
    pub as_of: NaiveDate,
    pub pack: String,
    pub pack_title: String,
    pub promotion: AnswerView,
    pub others: Vec<AnswerView>,
    pub tracks: Vec<TrackView>,
    pub reasons: Vec<ReasonView>,
    pub notes: Vec<String>,
    /// Each measure with what the engine made of it on the date asked.
    pub rows: Vec<(MeasureView, String)>,
}

fn answer_view(e: &Eligibility<'_>, q: Question) -> AnswerView {
    let a = e.answer(q);
    let sentence = if a.never {
        format!("不能{}（影响期不会届满）", a.label)
    } else if a.eligible_on_as_of {
        format!("可以{}", a.label)
    } else {
        format!(
            "{} 前不能{}，{} 起可以",
            a.barred_until.map(|d| d.to_string()).unwrap_or_default(),
            a.label,
            a.eligible_from.map(|d| d.to_string()).unwrap_or_default()
        )
    };
    AnswerView {
        question: q.code().to_string(),
        label: a.label.to_string(),
        eligible: a.eligible_on_as_of,
        never: a.never,
        eligible_from: a.eligible_from,
        barred_until: a.barred_until,
        sentence,
    }
}

pub fn panel(book: &ImpactBook, pack: &str, pack_title: String, ms: &[measure::Model], as_of: NaiveDate) -> Panel {
    let (f, _) = facts(ms);
    let e = evaluate(book, &f, as_of);
    let reasons = e
        .reasons
        .iter()
        .map(|r| ReasonView {
            question_label: r.question.label_zh().to_string(),
            measure_label: r.code.label_zh(),
            track_label: r.track.label_zh().to_string(),
            from: r.from,
            to: r.to,
            combined_to: r.combined_to,
            in_force: r.in_force_on_as_of,
            rule: r.derived_from.map(|c| c.rule.clone()).unwrap_or_else(|| r.rule.to_string()),
            // The template adds its own punctuation after the text.
            title: match r.derived_from {
                Some(c) => c.description.as_deref().unwrap_or(&c.title).trim_end_matches('。').to_string(),
                None => r.description.unwrap_or(r.title).trim_end_matches('。').to_string(),
            },
            source: r.derived_from.map(|c| c.source.clone()).unwrap_or_else(|| r.source.to_string()),
            confidence: r.derived_from.map(|c| c.confidence_zh.to_string()).unwrap_or_else(|| {
                dandang_domain::policy::Confidence::parse(r.confidence).map(|c| c.label_zh()).unwrap_or("").to_string()
            }),
            extra: r.stacking.as_ref().map(|s| {
                let mut t = format!(
                    "落在原影响期内，原剩余 {} 个月 {} 天接续计算（{}）",
                    s.remaining_months, s.remaining_days, s.source
                );
                if s.capped {
                    t.push_str("；已按最长期限封顶");
                }
                t
            }),
        })
        .collect();
    let today = clock::today();
    Panel {
        as_of,
        pack: pack.to_string(),
        pack_title,
        promotion: answer_view(&e, Question::Promotion),
        others: [Question::FurtherUse, Question::Candidate, Question::Award, Question::PayStep]
            .into_iter()
            .map(|q| answer_view(&e, q))
            .collect(),
        tracks: e
            .tracks
            .iter()
            .map(|t| TrackView {
                label: t.label.to_string(),
                last_day: t.last_day,
                permanent: t.permanent,
                in_force: t.in_force_on_as_of,
            })
            .collect(),
        reasons,
        notes: e.notes.clone(),
        rows: ms.iter().zip(e.measures.iter()).map(|(m, o)| (view(m, today), o.status_zh.to_string())).collect(),
    }
}

/// The panel on the cadre page; `None` when the actor may not see the verdict.
pub async fn cadre_panel(app: &App, actor: &Actor, cadre_id: Uuid, as_of: NaiveDate) -> Result<Option<Panel>> {
    if !may_see_eligibility(app, actor) {
        return Ok(None);
    }
    let r = access::cadre(app, actor, cadre_id).await?;
    let ms = models(store::measures_of(app.db().read(), &r).await?);
    let pack = app.policy().pack_for(jurisdiction_code(&r.jurisdiction_path));
    Ok(Some(panel(app.policy().book(pack), pack, app.policy().pack_title(pack), &ms, as_of)))
}

// ---- tolerance outcome and replies -------------------------------------------

/// Attaches a tolerance outcome to a measure in the caller's transaction: the
/// impact end is recomputed and follow-ups close when nothing bars any more.
///
/// Only a tolerance decision calls this: exempting or mitigating a measure
/// outside the procedure would skip its exclusion checks.
#[allow(clippy::too_many_arguments)] // one step of a caller's transaction: its context, then the facts
pub(crate) async fn apply_tolerance_in(
    app: &App,
    tx: &impl ConnectionTrait,
    actor: &Actor,
    book: &ImpactBook,
    m: &InScope<measure::Model>,
    cadre: &InScope<CadreRow>,
    tol: Option<Tolerance>,
    tref: Option<String>,
) -> Result<MeasureView> {
    if m.cadre_id != Some(cadre.id) {
        return Err(AppError::Internal("measure of another cadre".into()));
    }
    let today = clock::today();
    let before = view(m, today);
    let mut after = m.get().clone();
    after.tolerance = tol.map(|t| t.code().to_string());
    after.tolerance_ref = tref;
    store::update_measure(tx, m, after.clone(), m.version).await?;
    after.version = m.version + 1;
    let v = view(&after, today);
    audit::record(
        app,
        tx,
        actor,
        Event::new("measure.tolerance", "measure", m.id, Place::of_cadre(cadre)).before(&before).after(&v),
    )
    .await?;
    let (last, permanent) = refresh_impact(tx, book, cadre).await?;
    close_follow_ups_if_clear(app, tx, actor, cadre, last, permanent).await?;
    Ok(v)
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ReplyInput {
    pub replied_on: String,
    pub reply: String,
    pub version: i32,
}

/// Records the reply to a letter inquiry or a written explanation.
pub async fn record_reply(app: &App, actor: &Actor, measure_id: Uuid, input: &ReplyInput) -> Result<MeasureView> {
    require(actor, Permission::MeasureWrite)?;
    let m = store::measure(app.db().read(), &actor.scope, measure_id).await?.ok_or(AppError::NotFound("措施记录"))?;
    let cadre_id = m.cadre_id.ok_or(AppError::NotFound("措施记录"))?;
    let cadre = access::cadre(app, actor, cadre_id).await?;
    if !matches!(m.kind.as_str(), "letter_inquiry" | "written_explanation") {
        return Err(AppError::Conflict("只有函询和书面说明需要登记回复".into()));
    }
    let today = clock::today();
    let mut inv = Invalid::new();
    let on = inv.take(
        "replied_on",
        "回复日期",
        text::parse_date(&input.replied_on).and_then(|d| text::not_future(d, today)),
    );
    let reply = inv.take("reply", "回复内容", text::required(&input.reply, 2000));
    if on.is_some_and(|d| d < m.effective_on) {
        inv.push("replied_on", "回复日期", Problem::DateOrder { earlier: format!("生效日期 {}", m.effective_on) });
    }
    inv.into_result()?;
    let before = view(&m, today);
    let mut after = m.get().clone();
    after.replied_on = on;
    after.reply = reply;
    let tx = app.db().write().await?;
    store::update_measure(&tx, &m, after.clone(), input.version).await?;
    after.version = input.version + 1;
    let v = view(&after, today);
    audit::record(
        app,
        &tx,
        actor,
        Event::new("measure.reply", "measure", m.id, Place::of_cadre(&cadre)).before(&before).after(&v),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

/// Records an accountability measure against a unit's party organization.
pub async fn create_for_unit(app: &App, actor: &Actor, unit_id: Uuid, input: &MeasureInput) -> Result<MeasureView> {
    require(actor, Permission::MeasureWrite)?;
    let u = access::unit(app, actor, unit_id).await?;
    let pack = app.policy().pack_for(jurisdiction_code(&u.jurisdiction_path));
    let book = app.policy().book(pack);
    let today = clock::today();
    let p = parse_for(book, input, today, true)?;
    let m = measure::Model {
        id: Uuid::now_v7(),
        cadre_id: None,
        unit_id,
        kind: p.code.kind.code().to_string(),
        measure_type: p.code.type_code().map(str::to_string),
        decided_on: p.decided,
        effective_on: p.effective,
        deciding_body: p.deciding_body,
        basis: p.basis,
        document_ref: p.document_ref,
        probation_years: None,
        period_months: None,
        via_accountability: true,
        four_forms: None,
        tolerance: None,
        tolerance_ref: None,
        reply_due: None,
        replied_on: None,
        reply: None,
        origin: "manual".into(),
        origin_ref: None,
        created_by: actor.user_id.0,
        created_at: Utc::now(),
        version: 1,
    };
    let tx = app.db().write().await?;
    store::insert_measure(&tx, m.clone()).await?;
    let v = view(&m, today);
    audit::record(app, &tx, actor, Event::new("measure.create", "measure", m.id, Place::of_unit(&u)).after(&v)).await?;
    tx.commit().await?;
    Ok(v)
}

/// Accountability measures against a unit's party organization, newest first.
pub async fn list_for_unit(app: &App, actor: &Actor, unit_id: Uuid) -> Result<Vec<MeasureView>> {
    require(actor, Permission::MeasureRead)?;
    let u: InScope<UnitRow> = access::unit(app, actor, unit_id).await?;
    let today = clock::today();
    Ok(store::organization_measures(app.db().read(), &u).await?.iter().map(|m| view(m, today)).collect())
}

/// Timeline lines for the cadre page.
pub async fn timeline(app: &App, cadre: &InScope<CadreRow>) -> Result<Vec<crate::registry::cadres::TimelineEvent>> {
    let ms = store::measures_of(app.db().read(), cadre).await?;
    Ok(ms
        .iter()
        .map(|m| {
            let label = code_of(m).map(|c| c.label_zh()).unwrap_or_else(|| m.kind.clone());
            crate::registry::cadres::TimelineEvent {
                date: m.effective_on,
                kind: format!("measure.{}", m.kind),
                kind_label: "处分处理".into(),
                text: format!(
                    "{}：{}{}",
                    m.deciding_body,
                    label,
                    match m.tolerance.as_deref() {
                        Some("exempted") => "（已容错免责）",
                        Some("mitigated") => "（容错减责）",
                        _ => "",
                    }
                ),
            }
        })
        .collect())
}
