//! The steps of a case after it starts: the handling body's analysis, every
//! transition of the procedure, and the discipline commission's finding on
//! a decision later reviewed.

use super::*;

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
        app,
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
            crate::measures::apply_tolerance_in(app, &tx, actor, book, &mm, &l.cadre, tol, tref).await?;
        }
    }
    store::update_case(&tx, &l.target, l.m.clone(), before).await?;
    store::insert_step(&tx, step).await?;
    l.m.version = before + 1;
    let steps = store::steps_of(&tx, &l.target).await?;
    let v = view(app, actor, &l, &steps, today)?;
    audit::record(
        app,
        &tx,
        actor,
        Event::new(format!("tolerance_case.{}", action.code()), "tolerance_case", id, Place::of_cadre(&l.cadre))
            .after(&v),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
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
        app,
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
