//! The inbox of cases and the statistics of outcomes.

use super::*;

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
    /// What the caller has to do, in words (待我办理, or 待我送达决定书 when
    /// their only step is serving the letter while the unit corrects).
    pub todo_label: Option<String>,
    /// A decision letter whose service (送达) is not yet recorded.
    pub awaiting_service: bool,
    pub outcome: Option<String>,
}

/// Which cases the inbox lists.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
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
        let owes_step = owner.is_some_and(|o| actor.can(o.permission()));
        let owes_service = awaiting_service && actor.can(Permission::ToleranceHandle);
        let todo = owes_step || owes_service;
        if q.todo == Some(true) && !todo {
            continue;
        }
        let todo_label = match (owes_step, owes_service) {
            (true, _) => Some("待我办理"),
            (false, true) => Some("待我送达决定书"),
            (false, false) => None,
        };
        // Service still owed keeps a settled case open for the one who serves.
        let attention = Attention::of(owner.is_some() || owes_service, todo, urgency);
        out.push((
            attention.key(m.step_due, m.created_at),
            CaseSummary {
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
                todo_label: todo_label.map(str::to_string),
                awaiting_service,
                outcome: m
                    .decision
                    .as_deref()
                    .filter(|_| tolerance_audience(actor.role) != ToleranceAudience::Subject || m.served_on.is_some())
                    .and_then(|d| serde_json::from_str::<Decision>(d).ok())
                    .map(|d| d.outcome_title),
            },
        ));
    }
    out.sort_by_key(|a| a.0);
    Ok(out.into_iter().map(|(_, c)| c).collect())
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

pub(super) fn counts(mut m: BTreeMap<String, usize>, sort_by_count: bool) -> Vec<Count> {
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
