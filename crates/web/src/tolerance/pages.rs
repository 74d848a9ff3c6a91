//! Pages for 容错纠错 (M2): inbox, start/application form, case page with the
//! analysis, suggestions and every step, and the decision letter.

use std::collections::BTreeMap;

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
    documents::Format,
    measures::{self, MeasureView},
    registry::cadres,
    tolerance::{self as tol, CaseInput, CaseSummary, CaseView, Criteria, SuggestionsView, TransitionInput},
};
use dandang_domain::{
    access::Permission,
    tolerance::{
        case::{CaseState, Origin},
        suggest::{Answer, Group, Match},
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
    r.get("/tolerance", inbox)
        .get("/tolerance/new", new_case)
        .post("/tolerance/cases", create)
        .get("/tolerance/cases/{id}", case_page)
        .post("/tolerance/cases/{id}/analysis", analysis)
        .post("/tolerance/cases/{id}/transitions", step)
        .get("/tolerance/cases/{id}/letter", letter)
        .get("/tolerance/cases/{id}/letter.docx", letter_docx)
        .get("/tolerance/cases/{id}/letter.pdf", letter_pdf)
        .get("/tolerance/library", library_page)
        .post("/tolerance/lists", list_add)
        .post("/tolerance/cases/{id}/publish", publish)
        .post("/tolerance/cases/{id}/findings", finding)
        .post("/tolerance/cases/{id}/attachments", attach)
        .get("/tolerance/cases/{id}/attachments/{aid}", download)
        .get("/tolerance/filings", filings_page)
        .post("/tolerance/filings", filing_create)
        .post("/tolerance/filings/{id}/revoke", filing_revoke)
}

#[derive(Template, WebTemplate)]
#[template(path = "tolerance_inbox.html")]
struct InboxPage {
    l: Layout,
    /// The cases, for those who read case files …
    cases: Option<Vec<CaseSummary>>,
    /// … and the statistics, for those who handle them.
    stats: Option<tol::Statistics>,
    copies: Vec<tol::CopyView>,
    state: String,
    todo: bool,
    states: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct InboxQ {
    state: Option<String>,
    /// "1": only the cases whose next step is mine.
    todo: Option<String>,
}

async fn inbox(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Flash(ok): Flash,
    Query(q): Query<InboxQ>,
) -> PageResult {
    let cases = if info.actor.can(Permission::ToleranceRead) {
        let query = tol::CaseQuery { state: q.state.clone(), todo: Some(q.todo.as_deref() == Some("1")) };
        Some(tol::list(&s.app, &info.actor, &query).await.or_page(&info)?)
    } else {
        None
    };
    // The statistics are the handling bodies' (they count what parties do not see).
    let stats = if info.actor.can(Permission::ToleranceDeliberate) {
        Some(tol::statistics(&s.app, &info.actor).await.or_page(&info)?)
    } else {
        None
    };
    let copies = tol::copies(&s.app, &info.actor).await.or_page(&info)?;
    let mut l = layout(&info, "容错纠错", "/tolerance");
    l.flash = ok;
    Ok(InboxPage {
        l,
        cases,
        stats,
        copies,
        todo: q.todo.as_deref() == Some("1"),
        state: q.state.unwrap_or_default(),
        states: CaseState::ALL.iter().map(|s| (s.code().to_string(), s.label_zh().to_string())).collect(),
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "tolerance_new.html")]
struct NewPage {
    l: Layout,
    cadre_id: Uuid,
    cadre_name: String,
    origins: Vec<(String, String)>,
    crit: Criteria,
    measures: Vec<MeasureView>,
    today: String,
    f: NewForm,
    error: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
struct NewForm {
    cadre_id: String,
    #[serde(default)]
    origin: String,
    #[serde(default)]
    event_on: String,
    #[serde(default)]
    facts: String,
    #[serde(default)]
    measure_id: String,
    #[serde(default)]
    statement: String,
    #[serde(skip)]
    claimed: Vec<String>,
}

/// The ways this actor may start a case.
fn origins(info: &SessionInfo) -> Vec<(String, String)> {
    let a = &info.actor;
    let mut v = Vec::new();
    if a.can(Permission::ToleranceHandle) {
        v.push(Origin::ExOfficio);
    }
    if a.can(Permission::ToleranceApply) {
        v.push(if a.scope.cadre_id.is_some() { Origin::CadreApplication } else { Origin::UnitApplication });
    }
    v.into_iter().map(|o| (o.code().to_string(), o.label_zh().to_string())).collect()
}

async fn render_new(s: &AppState, info: SessionInfo, f: NewForm, error: Option<String>) -> PageResult {
    if origins(&info).is_empty() {
        return Err(PageError(AppError::Forbidden, Some(Box::new(info))));
    }
    let cadre_id: Uuid = f
        .cadre_id
        .parse()
        .map_err(|_| PageError(AppError::BadRequest("请从干部页面申请容错".into()), Some(Box::new(info.clone()))))?;
    let c = cadres::get(&s.app, &info.actor, cadre_id).await.or_page(&info)?;
    let pack = tol::pack_for_cadre(&s.app, &info.actor, cadre_id).await.or_page(&info)?;
    let on = f.event_on.parse().unwrap_or_else(|_| clock::today());
    let ms = if info.actor.can(Permission::MeasureRead) {
        measures::list_for_cadre(&s.app, &info.actor, cadre_id).await.or_page(&info)?
    } else {
        Vec::new()
    };
    let origins = origins(&info);
    if origins.is_empty() {
        return Err(PageError(AppError::Forbidden, Some(Box::new(info))));
    }
    let l = layout(&info, &format!("{}：容错纠错", c.name), "/tolerance");
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((
        status,
        NewPage {
            l,
            cadre_id,
            cadre_name: c.name,
            origins,
            crit: tol::criteria(&s.app, &pack, on),
            measures: ms,
            today: clock::today().to_string(),
            f,
            error,
        },
    )
        .into_response())
}

#[derive(Deserialize)]
struct NewQ {
    cadre_id: Option<Uuid>,
}

async fn new_case(State(s): State<AppState>, UiAuth(info): UiAuth, Query(q): Query<NewQ>) -> PageResult {
    let f = NewForm { cadre_id: q.cadre_id.map(|x| x.to_string()).unwrap_or_default(), ..Default::default() };
    render_new(&s, info, f, None).await
}

async fn create(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    CsrfForm(mut f, pairs): CsrfForm<NewForm>,
) -> PageResult {
    f.claimed = pairs.iter().filter(|(k, _)| k == "claimed").map(|(_, v)| v.clone()).collect();
    let input = CaseInput {
        cadre_id: f.cadre_id.parse().unwrap_or_default(),
        origin: f.origin.clone(),
        event_on: f.event_on.clone(),
        facts: f.facts.clone(),
        claimed: f.claimed.clone(),
        measure_id: f.measure_id.parse().ok(),
        filing_id: None,
        statement: some(f.statement.clone()),
    };
    match tol::open(&s.app, &info.actor, &input).await {
        Ok(v) => Ok(see_other(&format!("/tolerance/cases/{}", v.id), "已提交，等待受理")),
        Err(e @ AppError::Invalid(_)) => render_new(&s, info, f, Some(e.message_zh())).await,
        Err(e) => Err(PageError(e, Some(Box::new(info)))),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "tolerance_case.html")]
struct CasePage {
    l: Layout,
    c: CaseView,
    /// Closed and decided, and the actor handles cases: offer publishing, anonymised.
    publish: Option<(String, String)>,
    /// The deciding body may record a later review's finding.
    can_find: bool,
    attachments: Vec<tol::AttachmentView>,
    can_attach: bool,
    /// Similar typical cases from the library.
    precedents: Vec<dandang_app::tolerance::library::LibraryCase>,
    crit: Criteria,
    sugg: Option<SuggestionsView>,
    mitigations: Vec<tol::EntryRef>,
    can_analyse: bool,
    answers: Vec<(String, String, String)>,
    answer_choices: Vec<(String, String)>,
    progress: Vec<(String, bool, bool)>,
    /// Situations, grounds and mitigations the analysis found to apply: ticked
    /// on the decision form for the meeting to confirm or untick.
    preticked: Vec<String>,
    /// The decision form's deciding body: the earlier decision's, else the
    /// account's own body.
    deciding_body: String,
    error: Option<String>,
}

fn progress(state: &str) -> Vec<(String, bool, bool)> {
    let order = [
        ("started", "受理"),
        ("investigating", "核查研判"),
        ("deciding", "集体决定"),
        ("correcting", "纠错整改"),
        ("correction_reported", "审核销号"),
        ("closed", "办结"),
    ];
    let now = match state {
        "joint_review" => "investigating",
        "appealed" => "closed",
        "refused" | "withdrawn" => "closed",
        s => s,
    };
    let pos = order.iter().position(|(c, _)| *c == now).unwrap_or(0);
    order.iter().enumerate().map(|(i, (_, t))| (t.to_string(), i < pos || now == "closed", i == pos)).collect()
}

async fn render_case(
    s: &AppState,
    info: SessionInfo,
    id: Uuid,
    flash: Option<String>,
    error: Option<String>,
) -> PageResult {
    let (c, sugg, attachments) = tol::page(&s.app, &info.actor, id).await.or_page(&info)?;
    let crit = tol::criteria(&s.app, &c.pack, c.event_on);
    let mitigations = tol::mitigations(&s.app, &c.pack, c.event_on);
    let mut precedents = dandang_app::tolerance::library::search(
        &s.app,
        &info.actor,
        &dandang_app::tolerance::library::LibraryQuery { q: Some(c.facts.clone()), ..Default::default() },
    )
    .await
    .or_page(&info)?;
    precedents.retain(|p| !c.facts.is_empty() && p.score > 0.0);
    precedents.truncate(3);
    let answers = crit
        .facts
        .iter()
        .map(|f| (f.id.clone(), f.title.clone(), c.answers.get(&f.id).cloned().unwrap_or_else(|| "unknown".into())))
        .collect();
    let preticked = sugg
        .as_ref()
        .map(|v| {
            v.suggestions
                .hits
                .iter()
                .filter(|h| h.matched == Match::Applies && !matches!(h.group, Group::Exclusion | Group::Support))
                .map(|h| h.id.clone())
                .collect()
        })
        .unwrap_or_default();
    let mut l = layout(&info, &format!("容错纠错：{}", c.cadre_name), "/tolerance");
    let deciding_body = c.decision.as_ref().map(|d| d.deciding_body.clone()).unwrap_or_else(|| l.user.clone());
    l.flash = flash;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let publish =
        (c.state == "closed" && c.decision.is_some() && info.actor.can(Permission::ToleranceHandle)).then(|| {
            let anon = |t: &str| dandang_app::tolerance::library::anonymise(t, &c.cadre_name, &c.unit_name);
            let reasoning = c.decision.as_ref().map(|d| anon(&d.note)).unwrap_or_default();
            (anon(&c.facts), reasoning)
        });
    Ok((
        status,
        CasePage {
            l,
            can_find: info.actor.can(Permission::ToleranceDecide),
            can_attach: (info.actor.can(Permission::ToleranceHandle) || info.actor.can(Permission::ToleranceApply))
                && !matches!(c.state.as_str(), "closed" | "refused" | "withdrawn"),
            attachments,
            precedents,
            publish,
            can_analyse: info.actor.can(Permission::ToleranceHandle)
                && (c.state == "investigating" || c.state == "joint_review"),
            progress: progress(&c.state),
            preticked,
            deciding_body,
            answers,
            answer_choices: Answer::ALL.iter().map(|a| (a.code().to_string(), a.label_zh().to_string())).collect(),
            c,
            crit,
            sugg,
            mitigations,
            error,
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

async fn after<T>(s: &AppState, info: SessionInfo, id: Uuid, r: Result<T, AppError>, ok: &str) -> PageResult {
    crate::pages::after_post(info, &format!("/tolerance/cases/{id}"), r, ok, |info, m| {
        render_case(s, info, id, None, Some(m))
    })
    .await
}

#[derive(Clone, Debug, Default, Deserialize)]
struct AnalysisForm {
    #[serde(default)]
    version: Option<i32>,
    #[serde(default)]
    statement: String,
}

/// `answer.<fact>` radios and `analysis.<factor>` text areas come as raw pairs.
async fn analysis(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(f, pairs): CsrfForm<AnalysisForm>,
) -> PageResult {
    let pick = |prefix: &str| -> BTreeMap<String, String> {
        pairs
            .iter()
            .filter_map(|(k, v)| k.strip_prefix(prefix).map(|k| (k.to_string(), v.clone())))
            .filter(|(_, v)| !v.trim().is_empty())
            .collect()
    };
    let input = tol::AnalysisInput {
        answers: pick("answer."),
        analysis: pick("analysis."),
        statement: some(f.statement),
        version: f.version,
    };
    let r = tol::record_analysis(&s.app, &info.actor, id, &input).await;
    after(&s, info, id, r, "已保存核查研判").await
}

#[derive(Clone, Debug, Default, Deserialize)]
struct StepForm {
    action: String,
    #[serde(default)]
    version: Option<i32>,
    #[serde(default)]
    note: String,
    #[serde(default)]
    party: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    corrections: String,
    #[serde(default)]
    deciding_body: String,
    #[serde(default)]
    meeting: String,
    #[serde(default)]
    document_ref: String,
    #[serde(default)]
    false_correction: Option<String>,
    #[serde(default)]
    served_on: String,
    #[serde(default)]
    confirmed: Option<String>,
}

async fn step(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(f, pairs): CsrfForm<StepForm>,
) -> PageResult {
    let action = dandang_domain::tolerance::case::CaseAction::parse(&f.action).ok();
    let ok = action.map(|a| format!("已{}", a.label_zh())).unwrap_or_else(|| "已保存".into());
    if let Some(a) = action
        && let Err(e) = crate::pages::confirmed(a.consequence_zh(), a.label_zh(), &f.confirmed)
    {
        return after(&s, info, id, Err::<(), _>(e), &ok).await;
    }
    let input = TransitionInput {
        action: f.action,
        note: some(f.note),
        version: f.version,
        party: some(f.party),
        outcome: some(f.outcome),
        matched: pairs.iter().filter(|(k, _)| k == "matched").map(|(_, v)| v.clone()).collect(),
        corrections: some(f.corrections),
        deciding_body: some(f.deciding_body),
        meeting: some(f.meeting),
        document_ref: some(f.document_ref),
        false_correction: f.false_correction.is_some(),
        served_on: some(f.served_on),
    };
    let r = tol::transition(&s.app, &info.actor, id, &input).await;
    after(&s, info, id, r, &ok).await
}

#[derive(Template, WebTemplate)]
#[template(path = "tolerance_letter.html")]
struct LetterPage {
    l: Layout,
    c: tol::LetterHead,
    d: dandang_app::documents::Letter,
}

async fn letter(State(s): State<AppState>, UiAuth(info): UiAuth, Path(id): Path<Uuid>) -> PageResult {
    let (c, d) = tol::letter(&s.app, &info.actor, id).await.or_page(&info)?;
    let l = layout(&info, &d.title, "/tolerance");
    Ok(LetterPage { l, c, d }.into_response())
}

async fn letter_docx(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    crate::tolerance::api::letter_file(&s, &info.actor, id, Format::Docx).await.or_page(&info)
}

async fn letter_pdf(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    crate::tolerance::api::letter_file(&s, &info.actor, id, Format::Pdf).await.or_page(&info)
}

#[derive(Template, WebTemplate)]
#[template(path = "tolerance_filings.html")]
struct FilingsPage {
    l: Layout,
    items: Vec<dandang_app::tolerance::filings::FilingView>,
    can_file: bool,
    error: Option<String>,
}

async fn render_filings(s: &AppState, info: SessionInfo, flash: Option<String>, error: Option<String>) -> PageResult {
    let items = dandang_app::tolerance::filings::list(&s.app, &info.actor).await.or_page(&info)?;
    let mut l = layout(&info, "前瞻性决策风险事前报备", "/tolerance");
    l.flash = flash;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let can_file = info.actor.can(Permission::FilingCreate);
    Ok((status, FilingsPage { l, items, can_file, error }).into_response())
}

async fn filings_page(State(s): State<AppState>, UiAuth(info): UiAuth, Flash(ok): Flash) -> PageResult {
    render_filings(&s, info, ok, None).await
}

async fn filing_create(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    CsrfForm(f, _): CsrfForm<dandang_app::tolerance::filings::FilingInput>,
) -> PageResult {
    match dandang_app::tolerance::filings::create(&s.app, &info.actor, &f).await {
        Ok(_) => Ok(see_other("/tolerance/filings", "已报备")),
        Err(e @ AppError::Invalid(_)) => render_filings(&s, info, None, Some(e.message_zh())).await,
        Err(e) => Err(PageError(e, Some(Box::new(info)))),
    }
}

async fn filing_revoke(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(f, _): CsrfForm<dandang_app::tolerance::filings::RevokeInput>,
) -> PageResult {
    match dandang_app::tolerance::filings::revoke(&s.app, &info.actor, id, &f).await {
        Ok(_) => Ok(see_other("/tolerance/filings", "已撤销报备")),
        Err(e @ (AppError::Invalid(_) | AppError::IllegalTransition(_) | AppError::Stale)) => {
            render_filings(&s, info, None, Some(e.message_zh())).await
        }
        Err(e) => Err(PageError(e, Some(Box::new(info)))),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "tolerance_library.html")]
struct LibraryPage {
    l: Layout,
    items: Vec<dandang_app::tolerance::library::LibraryCase>,
    lists: Vec<dandang_app::tolerance::library::ListItem>,
    can_list: bool,
    q: String,
    outcome: String,
    outcomes: Vec<String>,
}

#[derive(Deserialize)]
struct LibQ {
    q: Option<String>,
    outcome: Option<String>,
}

async fn library_page(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Flash(ok): Flash,
    Query(q): Query<LibQ>,
) -> PageResult {
    let query =
        dandang_app::tolerance::library::LibraryQuery { q: q.q.clone(), category: None, outcome: q.outcome.clone() };
    let items = dandang_app::tolerance::library::search(&s.app, &info.actor, &query).await.or_page(&info)?;
    let lists = dandang_app::tolerance::library::lists(&s.app, &info.actor).await.or_page(&info)?;
    let mut l = layout(&info, "容错典型案例库", "/tolerance");
    l.flash = ok;
    Ok(LibraryPage {
        l,
        items,
        lists,
        can_list: info.actor.can(Permission::ToleranceReport),
        q: q.q.unwrap_or_default(),
        outcome: q.outcome.unwrap_or_default(),
        outcomes: ["不予问责", "免予问责", "从轻问责", "减轻问责"].map(String::from).to_vec(),
    }
    .into_response())
}

async fn publish(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(f, _): CsrfForm<dandang_app::tolerance::library::PublishInput>,
) -> PageResult {
    match dandang_app::tolerance::library::publish(&s.app, &info.actor, id, &f).await {
        Ok(_) => Ok(see_other("/tolerance/library", "已发布典型案例")),
        Err(e @ (AppError::Invalid(_) | AppError::IllegalTransition(_) | AppError::Conflict(_))) => {
            render_case(&s, info, id, None, Some(e.message_zh())).await
        }
        Err(e) => Err(PageError(e, Some(Box::new(info)))),
    }
}

async fn list_add(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    CsrfForm(f, _): CsrfForm<dandang_app::tolerance::library::ListItemInput>,
) -> PageResult {
    dandang_app::tolerance::library::add_list_item(&s.app, &info.actor, &f).await.or_page(&info)?;
    Ok(see_other("/tolerance/library#lists", "已加入清单"))
}

async fn finding(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(f, _): CsrfForm<tol::FindingInput>,
) -> PageResult {
    let r = tol::record_finding(&s.app, &info.actor, id, &f).await;
    after(&s, info, id, r, "已记录复查结论").await
}

async fn attach(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    let (name, bytes, fields) =
        crate::imports::api::read_upload(mp, s.app.config().upload_max_bytes).await.or_page(&info)?;
    if !fields.iter().any(|(k, v)| k == "_csrf" && crate::auth::same(v, &info.csrf)) {
        return Err(PageError(AppError::Csrf, Some(Box::new(info))));
    }
    let r = tol::attach(&s.app, &info.actor, id, &name, bytes).await;
    after(&s, info, id, r, "已上传证据材料").await
}

async fn download(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path((id, aid)): Path<(Uuid, Uuid)>,
) -> Result<axum::response::Response, PageError> {
    let (v, bytes) = tol::attachment(&s.app, &info.actor, id, aid).await.or_page(&info)?;
    Ok(crate::api::download(&v.file_name, &v.content_type, bytes))
}
