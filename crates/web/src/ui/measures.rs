//! Pages for measures, eligibility and follow-up (M4, M6, M8).

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::IntoResponse,
    routing::{get, post},
};
use dandang_app::{
    AppError,
    auth::SessionInfo,
    clock,
    follow_up::{self as fu, FollowUpListItem, FollowUpView, ImpactEnding, Statistics},
    measures::{self, MeasureInput, Panel},
    registry::cadres,
};
use dandang_domain::{
    access::Permission,
    follow_up::{FollowUpState, UseDecision, VisitEvaluation},
};
use serde::Deserialize;
use uuid::Uuid;

use super::{Layout, OrPage, PageError, PageResult, layout, see_other};
use crate::{
    AppState,
    auth::{CsrfForm, UiAuth},
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cadres/{id}/measures", post(measure_create))
        .route("/units/{id}/measures", post(unit_measure_create))
        .route("/measures/{id}/tolerance", post(tolerance))
        .route("/measures/{id}/reply", post(reply))
        .route("/impact", get(impact_page))
        .route("/follow-ups", get(follow_up_list))
        .route("/follow-ups/{id}", get(follow_up_page))
        .route("/follow-ups/{id}/mentor", post(mentor))
        .route("/follow-ups/{id}/proposal", post(proposal))
        .route("/follow-ups/{id}/decision", post(decision))
        .route("/follow-up-visits/{id}", post(visit))
}

/// The measure form as posted, kept to refill the form after an error.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct MeasureForm {
    pub code: String,
    pub decided_on: String,
    #[serde(default)]
    pub effective_on: String,
    pub deciding_body: String,
    pub basis: String,
    #[serde(default)]
    pub document_ref: String,
    #[serde(default)]
    pub probation_years: String,
    #[serde(default)]
    pub period_months: String,
    #[serde(default)]
    pub reply_due: String,
    #[serde(default)]
    pub via_accountability: Option<String>,
    /// 问责时是否存在容错情形: possible / none.
    #[serde(default)]
    pub tolerance_check: String,
}

/// Everything the cadre page shows about measures.
pub struct CadreImpact {
    pub panel: Panel,
    pub follow_ups: Vec<FollowUpView>,
    pub can_write: bool,
    pub choices: Vec<(String, String)>,
    pub as_of: String,
    pub today: String,
    pub error: Option<String>,
    pub form: MeasureForm,
}

pub async fn cadre_impact(
    s: &AppState,
    info: &SessionInfo,
    id: Uuid,
    as_of: Option<&str>,
    failed: Option<(String, MeasureForm)>,
) -> Result<Option<CadreImpact>, PageError> {
    let as_of = measures::parse_as_of(as_of).unwrap_or_else(|_| clock::today());
    let Some(panel) = measures::cadre_panel(&s.app, &info.actor, id, as_of).await.or_page(info)? else {
        return Ok(None);
    };
    let follow_ups = fu::of_cadre(&s.app, &info.actor, id).await.or_page(info)?;
    let (error, form) = match failed {
        Some((e, f)) => (Some(e), f),
        None => (None, MeasureForm::default()),
    };
    Ok(Some(CadreImpact {
        panel,
        follow_ups,
        can_write: info.actor.can(Permission::MeasureWrite),
        choices: fu::measure_choices(),
        as_of: as_of.to_string(),
        today: clock::today().to_string(),
        error,
        form,
    }))
}

async fn measure_create(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(f, _): CsrfForm<MeasureForm>,
) -> PageResult {
    let (kind, ty) = measures::split_code(&f.code);
    let opt = |v: &str| super::some(v.to_string());
    let input = MeasureInput {
        kind,
        measure_type: ty,
        decided_on: f.decided_on.clone(),
        effective_on: opt(&f.effective_on),
        deciding_body: f.deciding_body.clone(),
        basis: f.basis.clone(),
        document_ref: opt(&f.document_ref),
        probation_years: opt(&f.probation_years),
        period_months: opt(&f.period_months),
        via_accountability: f.via_accountability.is_some(),
        tolerance_check: opt(&f.tolerance_check),
        reply_due: opt(&f.reply_due),
    };
    match measures::create(&s.app, &info.actor, id, &input).await {
        Ok(m) => Ok(see_other(&format!("/cadres/{id}#measures"), &format!("已登记{}", m.label))),
        Err(e @ AppError::Invalid(_)) => {
            let c = cadres::get(&s.app, &info.actor, id).await.or_page(&info)?;
            let imp = cadre_impact(&s, &info, id, None, Some((e.message_zh(), f))).await?;
            super::registry::render_cadre(&s, &info, c, None, None, imp).await
        }
        Err(e) => Err(PageError(e, Some(Box::new(info)))),
    }
}

async fn unit_measure_create(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(f, _): CsrfForm<MeasureForm>,
) -> PageResult {
    let (kind, ty) = measures::split_code(&f.code);
    let input = MeasureInput {
        kind,
        measure_type: ty,
        decided_on: f.decided_on.clone(),
        deciding_body: f.deciding_body.clone(),
        basis: f.basis.clone(),
        document_ref: Some(f.document_ref.clone()).filter(|d| !d.trim().is_empty()),
        ..Default::default()
    };
    match measures::create_for_unit(&s.app, &info.actor, id, &input).await {
        Ok(m) => Ok(see_other(&format!("/units/{id}#org-measures"), &format!("已登记{}", m.label))),
        Err(e @ AppError::Invalid(_)) => {
            super::registry::render_unit(&s, &info, id, None, None, Some(e.message_zh())).await
        }
        Err(e) => Err(PageError(e, Some(Box::new(info)))),
    }
}

#[derive(Deserialize)]
struct ToleranceForm {
    cadre_id: Uuid,
    tolerance: String,
    tolerance_ref: String,
    version: i32,
}

async fn tolerance(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(f, _): CsrfForm<ToleranceForm>,
) -> PageResult {
    let input = measures::ToleranceInput {
        tolerance: Some(f.tolerance),
        tolerance_ref: Some(f.tolerance_ref),
        version: f.version,
    };
    measures::set_tolerance(&s.app, &info.actor, id, &input).await.or_page(&info)?;
    Ok(see_other(&format!("/cadres/{}#measures", f.cadre_id), "已记录容错结果，影响期已重新计算"))
}

#[derive(Deserialize)]
struct ReplyForm {
    cadre_id: Uuid,
    replied_on: String,
    reply: String,
    version: i32,
}

async fn reply(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(f, _): CsrfForm<ReplyForm>,
) -> PageResult {
    let input = measures::ReplyInput { replied_on: f.replied_on, reply: f.reply, version: f.version };
    measures::record_reply(&s.app, &info.actor, id, &input).await.or_page(&info)?;
    Ok(see_other(&format!("/cadres/{}#measures", f.cadre_id), "已登记回复"))
}

// ---- overview ----------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "impact.html")]
struct ImpactPage {
    l: Layout,
    st: Statistics,
    ending: Vec<ImpactEnding>,
    days: u32,
}

#[derive(Deserialize)]
struct DaysQ {
    days: Option<u32>,
}

async fn impact_page(State(s): State<AppState>, UiAuth(info): UiAuth, Query(q): Query<DaysQ>) -> PageResult {
    let days = if q.days == Some(90) { 90 } else { 30 };
    let st = fu::statistics(&s.app, &info.actor).await.or_page(&info)?;
    let ending = fu::ending_within(&s.app, &info.actor, days).await.or_page(&info)?;
    Ok(ImpactPage { l: layout(&info, "处分与影响期", "/impact"), st, ending, days }.into_response())
}

// ---- follow-up ----------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "follow_ups.html")]
struct FollowUpsPage {
    l: Layout,
    items: Vec<FollowUpListItem>,
    states: Vec<(String, String)>,
    state: String,
}

#[derive(Deserialize)]
struct StateQ {
    state: Option<String>,
    ok: Option<String>,
}

async fn follow_up_list(State(s): State<AppState>, UiAuth(info): UiAuth, Query(q): Query<StateQ>) -> PageResult {
    let items = fu::list(&s.app, &info.actor, q.state.as_deref()).await.or_page(&info)?;
    let mut l = layout(&info, "回访教育", "/follow-ups");
    l.flash = q.ok;
    Ok(FollowUpsPage {
        l,
        items,
        states: FollowUpState::ALL.iter().map(|s| (s.code().to_string(), s.label_zh().to_string())).collect(),
        state: q.state.unwrap_or_default(),
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "follow_up.html")]
struct FollowUpPage {
    l: Layout,
    f: FollowUpView,
    can_record: bool,
    can_decide: bool,
    today: String,
    error: Option<String>,
    evaluations: Vec<(String, String)>,
    decisions: Vec<(String, String)>,
}

async fn render_follow_up(
    s: &AppState,
    info: SessionInfo,
    id: Uuid,
    flash: Option<String>,
    error: Option<String>,
) -> PageResult {
    let f = fu::get(&s.app, &info.actor, id).await.or_page(&info)?;
    let mut l = layout(&info, &format!("{}的回访教育", f.cadre_name), "/follow-ups");
    l.flash = flash;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((
        status,
        FollowUpPage {
            l,
            f,
            can_record: info.actor.can(Permission::FollowUpRecord),
            can_decide: info.actor.can(Permission::FollowUpDecide),
            today: clock::today().to_string(),
            error,
            evaluations: VisitEvaluation::ALL.iter().map(|e| (e.code().into(), e.label_zh().into())).collect(),
            decisions: UseDecision::ALL.iter().map(|e| (e.code().into(), e.label_zh().into())).collect(),
        },
    )
        .into_response())
}

async fn follow_up_page(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    Query(q): Query<StateQ>,
) -> PageResult {
    render_follow_up(&s, info, id, q.ok, None).await
}

/// Redirects on success; on a bad input or a step out of order, shows the
/// page again with the reason.
async fn after_step<T>(s: &AppState, info: SessionInfo, id: Uuid, r: Result<T, AppError>, ok: &str) -> PageResult {
    super::after_post(info, &format!("/follow-ups/{id}"), r, ok, |info, m| render_follow_up(s, info, id, None, Some(m)))
        .await
}

async fn mentor(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(f, _): CsrfForm<fu::MentorInput>,
) -> PageResult {
    let r = fu::name_mentor(&s.app, &info.actor, id, &f).await;
    after_step(&s, info, id, r, "已明确帮带责任人").await
}

#[derive(Deserialize)]
struct VisitForm {
    follow_up_id: Uuid,
    visited_on: String,
    visitor: String,
    notes: String,
    evaluation: String,
}

async fn visit(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(f, _): CsrfForm<VisitForm>,
) -> PageResult {
    let input =
        fu::VisitInput { visited_on: f.visited_on, visitor: f.visitor, notes: f.notes, evaluation: f.evaluation };
    let r = fu::record_visit(&s.app, &info.actor, id, &input).await;
    after_step(&s, info, f.follow_up_id, r, "已登记回访").await
}

async fn proposal(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(f, _): CsrfForm<fu::ProposalInput>,
) -> PageResult {
    let r = fu::propose(&s.app, &info.actor, id, &f).await;
    after_step(&s, info, id, r, "已提出使用建议，待组织部门决定").await
}

async fn decision(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(f, _): CsrfForm<fu::DecisionInput>,
) -> PageResult {
    let r = fu::decide(&s.app, &info.actor, id, &f).await;
    after_step(&s, info, id, r, "已记录组织部门决定").await
}
