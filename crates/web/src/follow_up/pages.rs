//! Pages for the follow-up of sanctioned cadres (回访教育, M8).

#[allow(unused_imports)] // askama resolves `|zh` through this path
use crate::filters;
use askama::Template;
use askama_web::WebTemplate;
use axum::{extract::State, http::StatusCode, response::IntoResponse};
use dandang_app::{
    AppError,
    auth::SessionInfo,
    clock,
    follow_up::{self as fu, FollowUpListItem, FollowUpView},
};
use dandang_domain::{
    access::Permission,
    follow_up::{FollowUpState, UseDecision, VisitEvaluation},
};
use serde::Deserialize;
use uuid::Uuid;

use crate::extract::{Path, Query};
use crate::{
    AppState,
    auth::{CsrfForm, UiAuth},
    pages::{Flash, Layout, OrPage, PageResult, layout},
    routes::Routes,
};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/follow-ups", follow_up_list)
        .get("/follow-ups/{id}", follow_up_page)
        .post("/follow-ups/{id}/mentor", mentor)
        .post("/follow-ups/{id}/proposal", proposal)
        .post("/follow-ups/{id}/decision", decision)
        .post("/follow-up-visits/{id}", visit)
}

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
}

async fn follow_up_list(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Flash(ok): Flash,
    Query(q): Query<StateQ>,
) -> PageResult {
    let items = fu::list(&s.app, &info.actor, q.state.as_deref()).await.or_page(&info)?;
    let mut l = layout(&info, "回访教育", "/follow-ups");
    l.flash = ok;
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
    Flash(ok): Flash,
    Path(id): Path<Uuid>,
) -> PageResult {
    render_follow_up(&s, info, id, ok, None).await
}

/// Redirects on success; on a bad input or a step out of order, shows the
/// page again with the reason.
async fn after_step<T>(s: &AppState, info: SessionInfo, id: Uuid, r: Result<T, AppError>, ok: &str) -> PageResult {
    crate::pages::after_post(info, &format!("/follow-ups/{id}"), r, ok, |info, m| {
        render_follow_up(s, info, id, None, Some(m))
    })
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
