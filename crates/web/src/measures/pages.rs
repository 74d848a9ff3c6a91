//! Pages for measures and eligibility (M4, M6): the panel on the cadre page, recording, the overview.

#[allow(unused_imports)] // askama resolves `|zh` through this path
use crate::filters;
use askama::Template;
use askama_web::WebTemplate;
use axum::{extract::State, response::IntoResponse};
use dandang_app::{
    AppError,
    auth::SessionInfo,
    clock,
    follow_up::{self as fu, FollowUpView, ImpactEnding, Statistics},
    measures::{self, MeasureInput, Panel},
    registry::cadres,
};
use dandang_domain::access::Permission;
use serde::Deserialize;
use uuid::Uuid;

use crate::extract::{Path, Query};
use crate::pages::{Layout, OrPage, PageError, PageResult, layout, see_other};
use crate::{
    AppState,
    auth::{CsrfForm, UiAuth},
    routes::Routes,
};

pub(crate) fn routes(r: Routes) -> Routes {
    r.post("/cadres/{id}/measures", measure_create)
        .post("/units/{id}/measures", unit_measure_create)
        .post("/measures/{id}/reply", reply)
        .get("/impact", impact_page)
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
    let opt = |v: &str| crate::pages::some(v.to_string());
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
            crate::registry::pages::render_cadre(&s, &info, c, None, None, imp).await
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
            crate::registry::pages::render_unit(&s, &info, id, None, None, Some(e.message_zh())).await
        }
        Err(e) => Err(PageError(e, Some(Box::new(info)))),
    }
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
