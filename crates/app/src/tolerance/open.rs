//! Starting a case: ex officio, on application, or from an advance filing.

use super::*;

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
pub(super) fn step_by(
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
    audit::record(app, tx, actor, Event::new("tolerance_case.open", "tolerance_case", o.m.id, place).after(&v)).await?;
    Ok(v)
}
