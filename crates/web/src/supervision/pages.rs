//! Pages for 督查问效 (M3): dashboard, reminders and interviews, supervision file.

#[allow(unused_imports)] // askama resolves `|zh` through this path
use crate::filters;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use dandang_app::{
    AppError,
    auth::SessionInfo,
    clock,
    registry::cadres::{self, CadreQuery},
    supervision::{
        self as sv, ItemView, TriggerView,
        cases::{self, CaseInput, CaseQuery, CaseSummary, CaseView, EscalationDecisionInput, TransitionInput},
        file::{self, Dashboard, Document, SupervisionFile},
    },
};
use dandang_domain::{
    access::Permission,
    measures::MeasureKind,
    supervision::{
        Light,
        case::{CaseKind, CaseState},
    },
};
use serde::Deserialize;
use uuid::Uuid;

use crate::extract::{Path, Query};
use crate::pages::{Flash, Layout, OrPage, PageError, PageResult, layout, see_other, some};
use crate::{
    AppState,
    auth::{CsrfForm, UiAuth},
    routes::Routes,
};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/supervision", dashboard_page)
        .get("/supervision/items/{id}", item_page)
        .get("/supervision/task-letters", letters_page)
        .post("/supervision/task-letters", letter_create)
        .get("/supervision/task-letters/{id}", letter_page)
        .post("/supervision/task-letters/{id}/reviews", letter_review)
        .post("/supervision/items/{id}/reports", item_report)
        .get("/supervision/cases", case_list)
        .post("/supervision/cases", case_create)
        .get("/supervision/cases/new", case_new)
        .get("/supervision/cases/{id}", case_page)
        .post("/supervision/cases/{id}/transitions", case_step)
        .post("/supervision/cases/{id}/escalation-decision", case_escalation)
        .get("/supervision/cases/{id}/documents", documents_page)
        .get("/supervision/cases/{id}/documents.pdf", documents_pdf)
        .get("/cadres/{id}/supervision-file", file_page)
        .get("/cadres/{id}/supervision-file.xlsx", file_export)
}

#[derive(Template, WebTemplate)]
#[template(path = "supervision.html")]
struct DashboardPage {
    l: Layout,
    d: Dashboard,
    items: Vec<ItemView>,
    light: String,
    lights: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct LightQ {
    light: Option<String>,
}

async fn dashboard_page(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Flash(ok): Flash,
    Query(q): Query<LightQ>,
) -> PageResult {
    let d = file::dashboard(&s.app, &info.actor).await.or_page(&info)?;
    let items = sv::list_items(&s.app, &info.actor, q.light.as_deref()).await.or_page(&info)?;
    let mut l = layout(&info, "督查问效", "/supervision");
    l.flash = ok;
    Ok(DashboardPage {
        l,
        d,
        items,
        light: q.light.unwrap_or_default(),
        lights: Light::ALL.iter().map(|x| (x.code().to_string(), x.label_zh().to_string())).collect(),
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "supervision_cases.html")]
struct CasesPage {
    l: Layout,
    items: Vec<CaseSummary>,
    q_kind: String,
    q_state: String,
    q_todo: bool,
    kinds: Vec<(String, String)>,
    states: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct CasesQ {
    kind: Option<String>,
    state: Option<String>,
    todo: Option<String>,
    late: Option<String>,
}

async fn case_list(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Flash(ok): Flash,
    Query(q): Query<CasesQ>,
) -> PageResult {
    let todo = q.todo.as_deref() == Some("1");
    let query = CaseQuery {
        kind: q.kind.clone(),
        state: q.state.clone(),
        todo: Some(todo),
        late: Some(q.late.as_deref() == Some("1")),
        ..Default::default()
    };
    let items = cases::list(&s.app, &info.actor, &query).await.or_page(&info)?;
    let mut l = layout(&info, "工作提醒和工作约谈", "/supervision");
    l.flash = ok;
    let mut states = vec![("open".to_string(), "未办结".to_string())];
    states.extend(CaseState::ALL.iter().map(|s| (s.code().to_string(), s.label_zh().to_string())));
    Ok(CasesPage {
        l,
        items,
        q_kind: q.kind.unwrap_or_default(),
        q_state: q.state.unwrap_or_default(),
        q_todo: todo,
        kinds: CaseKind::ALL.iter().map(|k| (k.code().to_string(), k.label_zh().to_string())).collect(),
        states,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "supervision_case_new.html")]
struct NewCasePage {
    l: Layout,
    kind: String,
    cadre: Option<(Uuid, String, String)>,
    unit: Option<(Uuid, String)>,
    leaders: Vec<(Uuid, String)>,
    triggers: Vec<TriggerView>,
    f: CaseForm,
    error: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
struct NewQ {
    kind: Option<String>,
    cadre_id: Option<Uuid>,
    unit_id: Option<Uuid>,
}

/// The form as posted; `triggers` repeats, which the urlencoded parser does
/// not map to a field, so it is collected from the raw pairs.
#[derive(Clone, Debug, Default, Deserialize)]
struct CaseForm {
    kind: String,
    #[serde(default)]
    cadre_id: String,
    #[serde(default)]
    unit_id: String,
    #[serde(skip)]
    triggers: Vec<String>,
    #[serde(default)]
    facts: String,
}

async fn render_new(s: &AppState, info: SessionInfo, f: CaseForm, error: Option<String>) -> PageResult {
    let cadre_id = f.cadre_id.parse::<Uuid>().ok();
    let unit_id = f.unit_id.parse::<Uuid>().ok();
    let kind = CaseKind::parse(&f.kind).unwrap_or(CaseKind::Interview);
    let mut cadre = None;
    let mut unit = None;
    let mut leaders = Vec::new();
    if let Some(id) = cadre_id.filter(|_| kind == CaseKind::Interview) {
        let c = cadres::get(&s.app, &info.actor, id).await.or_page(&info)?;
        unit = Some((c.unit_id, c.unit_name.clone()));
        cadre = Some((c.id, c.name.clone(), c.unit_name.clone()));
    }
    if let Some(id) = unit_id.filter(|_| kind == CaseKind::Reminder) {
        let u = dandang_app::registry::units::get(&s.app, &info.actor, id).await.or_page(&info)?;
        unit = Some((u.id, u.name.clone()));
        let q = CadreQuery { unit: Some(id), per_page: Some(100), ..Default::default() };
        leaders = cadres::list(&s.app, &info.actor, &q)
            .await
            .or_page(&info)?
            .items
            .into_iter()
            .map(|c| {
                let post = c.current_posts.first().map(|p| format!("（{p}）")).unwrap_or_default();
                (c.id, format!("{}{post}", c.name))
            })
            .collect();
    }
    if unit.is_none() {
        return Err(PageError(
            AppError::BadRequest("请从干部页面提出约谈申请，或从单位页面拟写工作提醒".into()),
            Some(Box::new(info)),
        ));
    }
    let triggers = sv::triggers(&s.app, &info.actor).or_page(&info)?.items;
    let title = if kind == CaseKind::Interview { "提出工作约谈申请" } else { "拟写工作提醒" };
    let l = layout(&info, title, "/supervision");
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((
        status,
        NewCasePage {
            l,
            kind: kind.code().to_string(),
            cadre,
            unit,
            leaders,
            triggers,
            f: CaseForm { kind: kind.code().into(), ..f },
            error,
        },
    )
        .into_response())
}

async fn case_new(State(s): State<AppState>, UiAuth(info): UiAuth, Query(q): Query<NewQ>) -> PageResult {
    if !info.actor.can(Permission::SupervisionRequest) {
        return Err(PageError(AppError::Forbidden, Some(Box::new(info))));
    }
    let f = CaseForm {
        kind: q.kind.unwrap_or_else(|| "interview".into()),
        cadre_id: q.cadre_id.map(|x| x.to_string()).unwrap_or_default(),
        unit_id: q.unit_id.map(|x| x.to_string()).unwrap_or_default(),
        ..Default::default()
    };
    render_new(&s, info, f, None).await
}

async fn case_create(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    CsrfForm(mut f, pairs): CsrfForm<CaseForm>,
) -> PageResult {
    f.triggers = pairs.into_iter().filter(|(k, _)| k == "triggers").map(|(_, v)| v).collect();
    let input = CaseInput {
        kind: f.kind.clone(),
        cadre_id: f.cadre_id.parse().ok(),
        unit_id: f.unit_id.parse().ok(),
        triggers: f.triggers.clone(),
        facts: f.facts.clone(),
    };
    match cases::open(&s.app, &info.actor, &input).await {
        Ok(v) => Ok(see_other(&format!("/supervision/cases/{}", v.id), "已提交，等待主要领导审批")),
        Err(e @ AppError::Invalid(_)) => render_new(&s, info, f, Some(e.message_zh())).await,
        Err(e) => Err(PageError(e, Some(Box::new(info)))),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "supervision_case.html")]
struct CasePage {
    l: Layout,
    c: CaseView,
    today: String,
    error: Option<String>,
    /// The steps of this procedure, for the progress bar: (label, done, now).
    progress: Vec<(String, bool, bool)>,
    org_types: Vec<(String, String)>,
    /// The planned interview falls on a day off.
    plan_warning: Option<String>,
}

fn progress(c: &CaseView) -> Vec<(String, bool, bool)> {
    let kind = CaseKind::parse(&c.kind).unwrap_or(CaseKind::Interview);
    let order: Vec<CaseState> = match kind {
        CaseKind::Interview => vec![
            CaseState::Requested,
            CaseState::Approved,
            CaseState::Planned,
            CaseState::AwaitingPlan,
            CaseState::Rectifying,
            CaseState::Recheck,
            CaseState::Closed,
        ],
        CaseKind::Reminder => vec![
            CaseState::Requested,
            CaseState::Approved,
            CaseState::AwaitingPlan,
            CaseState::Rectifying,
            CaseState::Recheck,
            CaseState::Closed,
        ],
    };
    let labels = |s: CaseState| -> &'static str {
        match (kind, s) {
            (CaseKind::Interview, CaseState::Requested) => "申请",
            (CaseKind::Reminder, CaseState::Requested) => "拟稿",
            (_, CaseState::Approved) => "审批",
            (_, CaseState::Planned) => "制定方案",
            (CaseKind::Interview, CaseState::AwaitingPlan) => "约谈",
            (_, CaseState::AwaitingPlan) => "发出提醒",
            (_, CaseState::Rectifying) => "整改",
            (_, CaseState::Recheck) => "复查",
            _ => "办结",
        }
    };
    let now = CaseState::parse(&c.state).unwrap_or(CaseState::Requested);
    let pos = order.iter().position(|s| *s == now);
    order
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let done = pos.is_some_and(|p| i < p) || now == CaseState::Closed;
            (labels(*s).to_string(), done, Some(i) == pos)
        })
        .collect()
}

async fn render_case(
    s: &AppState,
    info: SessionInfo,
    id: Uuid,
    flash: Option<String>,
    error: Option<String>,
) -> PageResult {
    let c = cases::get(&s.app, &info.actor, id).await.or_page(&info)?;
    let title = match &c.cadre {
        Some(x) if c.kind == "interview" => format!("工作约谈：{}", x.name),
        _ => format!("工作提醒：{}", c.unit.name),
    };
    let mut l = layout(&info, &title, "/supervision");
    l.flash = flash;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((
        status,
        CasePage {
            l,
            progress: progress(&c),
            plan_warning: c
                .plan
                .as_ref()
                .filter(|_| c.held_on.is_none())
                .and_then(|p| p.scheduled_on)
                .and_then(|d| dandang_app::workdays::day_off_warning(&s.app, "约谈日期", d)),
            c,
            today: clock::today().to_string(),
            error,
            org_types: MeasureKind::OrgHandling.types().iter().map(|(c, t)| (c.to_string(), t.to_string())).collect(),
        },
    )
        .into_response())
}

async fn case_page(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    Flash(ok): Flash,
) -> PageResult {
    render_case(&s, info, id, ok, None).await
}

async fn after(s: &AppState, info: SessionInfo, id: Uuid, r: Result<CaseView, AppError>, ok: &str) -> PageResult {
    crate::pages::after_post(info, &format!("/supervision/cases/{id}"), r, ok, |info, m| {
        render_case(s, info, id, None, Some(m))
    })
    .await
}

/// Every step form posts here; empty fields are left out so the app names what is missing.
#[derive(Clone, Debug, Default, Deserialize)]
struct StepForm {
    action: String,
    #[serde(default)]
    version: Option<i32>,
    #[serde(default)]
    note: String,
    #[serde(default)]
    scheduled_on: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    lead_interviewer: String,
    #[serde(default)]
    commission_attendee: String,
    #[serde(default)]
    org_attendee: String,
    #[serde(default)]
    topics: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    record: String,
    #[serde(default)]
    confirmed: Option<String>,
}

async fn case_step(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(f, _): CsrfForm<StepForm>,
) -> PageResult {
    let action = dandang_domain::supervision::case::CaseAction::parse(&f.action).ok();
    let label = action.map(|a| format!("已{}", a.label_zh())).unwrap_or_else(|| "已保存".into());
    if let Some(a) = action
        && let Err(e) = crate::pages::confirmed(a.consequence_zh(), a.label_zh(), &f.confirmed)
    {
        return after(&s, info, id, Err(e), &label).await;
    }
    let input = TransitionInput {
        action: f.action,
        note: some(f.note),
        version: f.version,
        scheduled_on: some(f.scheduled_on),
        place: some(f.place),
        lead_interviewer: some(f.lead_interviewer),
        commission_attendee: some(f.commission_attendee),
        org_attendee: some(f.org_attendee),
        topics: some(f.topics),
        held_on: some(f.held_on),
        record: some(f.record),
    };
    let r = cases::transition(&s.app, &info.actor, id, &input).await;
    // A plan dated on a day off stands (people decide) but says so.
    let warning = match &r {
        Ok(c) if input.action == "plan" => c
            .plan
            .as_ref()
            .and_then(|p| p.scheduled_on)
            .and_then(|d| dandang_app::workdays::day_off_warning(&s.app, "约谈日期", d)),
        _ => None,
    };
    let label = match warning {
        Some(w) => format!("{label}。{w}"),
        None => label,
    };
    after(&s, info, id, r, &label).await
}

#[derive(Clone, Debug, Default, Deserialize)]
struct EscalationForm {
    decision: String,
    #[serde(default)]
    reason: String,
    #[serde(default, rename = "type")]
    measure_type: String,
    #[serde(default)]
    decided_on: String,
    #[serde(default)]
    deciding_body: String,
    #[serde(default)]
    document_ref: String,
}

async fn case_escalation(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(f, _): CsrfForm<EscalationForm>,
) -> PageResult {
    let accept = f.decision == "accept";
    let input = EscalationDecisionInput {
        accept,
        reason: f.reason,
        measure_type: some(f.measure_type),
        decided_on: some(f.decided_on),
        deciding_body: some(f.deciding_body),
        document_ref: some(f.document_ref),
    };
    let r = cases::decide_escalation(&s.app, &info.actor, id, &input).await;
    after(&s, info, id, r, if accept { "已采纳建议并记入干部档案" } else { "已记录不采纳的理由" }).await
}

#[derive(Template, WebTemplate)]
#[template(path = "supervision_docs.html")]
struct DocsPage {
    l: Layout,
    case_id: Uuid,
    docs: Vec<Document>,
}

async fn documents_page(State(s): State<AppState>, UiAuth(info): UiAuth, Path(id): Path<Uuid>) -> PageResult {
    let docs = file::reminder_documents(&s.app, &info.actor, id).await.or_page(&info)?;
    let l = layout(&info, "提醒函和工作通知", "/supervision");
    Ok(DocsPage { l, case_id: id, docs }.into_response())
}

async fn documents_pdf(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
) -> Result<axum::response::Response, PageError> {
    crate::supervision::api::documents_file(&s, &info.actor, id).await.or_page(&info)
}

#[derive(Template, WebTemplate)]
#[template(path = "supervision_file.html")]
struct FilePage {
    l: Layout,
    f: SupervisionFile,
    can_request: bool,
}

async fn file_page(State(s): State<AppState>, UiAuth(info): UiAuth, Path(id): Path<Uuid>) -> PageResult {
    let f = file::file(&s.app, &info.actor, id).await.or_page(&info)?;
    let l = layout(&info, &format!("{}的督查档案", f.cadre_name), "/supervision");
    Ok(FilePage { l, f, can_request: info.actor.can(Permission::SupervisionRequest) }.into_response())
}

async fn file_export(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    let (name, bytes) = file::export_file(&s.app, &info.actor, id).await.or_page(&info)?;
    Ok(crate::api::xlsx(&name, bytes))
}

#[derive(Template, WebTemplate)]
#[template(path = "supervision_item.html")]
struct ItemPage {
    l: Layout,
    i: ItemView,
    can_report: bool,
    today: String,
    error: Option<String>,
}

async fn render_item(
    s: &AppState,
    info: SessionInfo,
    id: Uuid,
    flash: Option<String>,
    error: Option<String>,
) -> PageResult {
    let i = sv::get_item(&s.app, &info.actor, id).await.or_page(&info)?;
    let mut l = layout(&info, &i.title, "/supervision");
    l.flash = flash;
    let a = &info.actor;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((
        status,
        ItemPage {
            l,
            can_report: a.can(Permission::SupervisionReport) || a.can(Permission::SupervisionWrite),
            i,
            today: clock::today().to_string(),
            error,
        },
    )
        .into_response())
}

async fn item_page(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    Flash(ok): Flash,
) -> PageResult {
    render_item(&s, info, id, ok, None).await
}

#[derive(Clone, Debug, Default, Deserialize)]
struct ReportForm {
    content: String,
    #[serde(default)]
    reported_on: String,
    #[serde(default)]
    milestone_id: String,
    #[serde(default)]
    completes: Option<String>,
}

async fn item_report(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(f, _): CsrfForm<ReportForm>,
) -> PageResult {
    let input = sv::ReportInput {
        content: f.content,
        reported_on: some(f.reported_on),
        milestone_id: f.milestone_id.parse().ok(),
        completes: f.completes.is_some(),
    };
    match sv::report_item(&s.app, &info.actor, id, &input).await {
        Ok(_) => Ok(see_other(&format!("/supervision/items/{id}"), "已报送进展")),
        Err(e @ AppError::Invalid(_)) => render_item(&s, info, id, None, Some(e.message_zh())).await,
        Err(e) => Err(PageError(e, Some(Box::new(info)))),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "task_letters.html")]
struct LettersPage {
    l: Layout,
    letters: Vec<sv::letters::LetterSummary>,
    items: Vec<ItemView>,
    leaders: Vec<sv::letters::LeaderRef>,
    can_write: bool,
    year: i32,
    error: Option<String>,
}

async fn render_letters(s: &AppState, info: SessionInfo, flash: Option<String>, error: Option<String>) -> PageResult {
    let letters = sv::letters::list(&s.app, &info.actor, None).await.or_page(&info)?;
    let can_write = info.actor.can(Permission::SupervisionWrite);
    let items = if can_write { sv::list_items(&s.app, &info.actor, None).await.or_page(&info)? } else { Vec::new() };
    let leaders = if can_write { sv::letters::leaders(&s.app, &info.actor).await.or_page(&info)? } else { Vec::new() };
    let mut l = layout(&info, "任务书", "/supervision");
    l.flash = flash;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    use chrono::Datelike;
    Ok((status, LettersPage { l, letters, items, leaders, can_write, year: clock::today().year(), error })
        .into_response())
}

async fn letters_page(State(s): State<AppState>, UiAuth(info): UiAuth, Flash(ok): Flash) -> PageResult {
    render_letters(&s, info, ok, None).await
}

#[derive(Clone, Debug, Default, Deserialize)]
struct LetterForm {
    year: String,
    #[serde(default)]
    leader_user_id: String,
    #[serde(default)]
    leader_post: String,
    title: String,
}

async fn letter_create(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    CsrfForm(f, pairs): CsrfForm<LetterForm>,
) -> PageResult {
    let input = sv::letters::LetterInput {
        year: f.year.trim().parse().unwrap_or(0),
        leader_user_id: f.leader_user_id.trim().parse().unwrap_or_default(),
        leader_post: some(f.leader_post),
        title: f.title,
        item_ids: pairs.iter().filter(|(k, _)| k == "item_ids").filter_map(|(_, v)| v.parse().ok()).collect(),
    };
    match sv::letters::create(&s.app, &info.actor, &input).await {
        Ok(v) => Ok(see_other(&format!("/supervision/task-letters/{}", v.id), "已下达任务书")),
        Err(e @ AppError::Invalid(_)) => render_letters(&s, info, None, Some(e.message_zh())).await,
        Err(e) => Err(PageError(e, Some(Box::new(info)))),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "task_letter.html")]
struct LetterPage {
    l: Layout,
    t: sv::letters::LetterView,
    /// (stage code, label, counts now, recorded review) for mid-year and year end.
    stages: Vec<(String, String, Vec<file::Count>, Option<sv::letters::Review>)>,
    error: Option<String>,
}

async fn render_letter(
    s: &AppState,
    info: SessionInfo,
    id: Uuid,
    flash: Option<String>,
    error: Option<String>,
) -> PageResult {
    let t = sv::letters::get(&s.app, &info.actor, id).await.or_page(&info)?;
    let mut l = layout(&info, &t.title, "/supervision");
    l.flash = flash;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let stages = vec![
        ("midyear".to_string(), "年中跟踪".to_string(), t.midyear_counts.clone(), t.midyear.clone()),
        ("year_end".to_string(), "年末对账".to_string(), t.year_end_counts.clone(), t.year_end.clone()),
    ];
    Ok((status, LetterPage { l, t, stages, error }).into_response())
}

async fn letter_page(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    Flash(ok): Flash,
) -> PageResult {
    render_letter(&s, info, id, ok, None).await
}

async fn letter_review(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(f, _): CsrfForm<sv::letters::ReviewInput>,
) -> PageResult {
    match sv::letters::review(&s.app, &info.actor, id, &f).await {
        Ok(_) => Ok(see_other(&format!("/supervision/task-letters/{id}"), "已记录")),
        Err(e @ (AppError::Invalid(_) | AppError::IllegalTransition(_) | AppError::Stale)) => {
            render_letter(&s, info, id, None, Some(e.message_zh())).await
        }
        Err(e) => Err(PageError(e, Some(Box::new(info)))),
    }
}
