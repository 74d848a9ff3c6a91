//! Registry pages: cadres, units, jurisdictions.

#[allow(unused_imports)] // askama resolves `|zh` through this path
use crate::filters;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{RawQuery, State},
    http::HeaderMap,
    response::{IntoResponse, Response},
};
use dandang_app::{
    AppError,
    registry::{
        Page,
        appointments::{self as ap, AppointmentInput, EndInput},
        cadres::{self, CadreDetail, CadreInput, CadreListItem, CadreQuery, CadreUpdate},
        jurisdictions::{self as js, JurisdictionInput, JurisdictionView},
        posts::{self, PostInput, PostView},
        units::{self, UnitInput, UnitQuery, UnitUpdate, UnitView},
    },
};
use dandang_domain::{
    access::Permission,
    registry::{Degree, Education, PostLevel, Rank, Sex, Tier, UnitType},
};
use serde::Deserialize;
use uuid::Uuid;

use crate::extract::{Path, Query};
use crate::pages::{AsOf, Flash, Layout, OrPage, PageError, PageResult, is_htmx, layout, multi, see_other};
use crate::{
    AppState,
    auth::{CsrfForm, UiAuth},
    routes::Routes,
};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/cadres", cadre_list)
        .post("/cadres", cadre_create)
        .get("/cadres/new", cadre_new)
        .get("/cadres/export.xlsx", cadre_export)
        .get("/cadres/{id}", cadre_page)
        .post("/cadres/{id}", cadre_update)
        .get("/cadres/{id}/edit", cadre_edit)
        .post("/cadres/{id}/appointments", appointment_create)
        .post("/appointments/{id}/end", appointment_end)
        .get("/me/record", my_record)
        .get("/units", unit_list)
        .post("/units", unit_create)
        .get("/units/new", unit_new)
        .get("/units/export.xlsx", unit_export)
        .get("/units/{id}", unit_page)
        .post("/units/{id}", unit_update)
        .get("/units/{id}/edit", unit_edit)
        .post("/units/{id}/posts", post_create)
        .get("/jurisdictions", jurisdiction_list)
        .post("/jurisdictions", jurisdiction_create)
        .get("/jurisdictions/export.xlsx", jurisdiction_export)
}

/// (code, label) pairs for selects.
pub struct Opt {
    pub value: String,
    pub label: String,
}

fn opts<T: Copy>(all: &[T], code: impl Fn(T) -> &'static str, label: impl Fn(T) -> &'static str) -> Vec<Opt> {
    all.iter().map(|v| Opt { value: code(*v).into(), label: label(*v).into() }).collect()
}

pub struct Choices {
    pub sexes: Vec<Opt>,
    pub managed: Vec<Opt>,
    pub tiers: Vec<Opt>,
    pub levels: Vec<Opt>,
    pub ranks: Vec<Opt>,
    pub educations: Vec<Opt>,
    pub degrees: Vec<Opt>,
    pub unit_types: Vec<Opt>,
    pub jurisdictions: Vec<JurisdictionView>,
    pub tags: Vec<Opt>,
}

async fn choices(s: &AppState, info: &dandang_app::auth::SessionInfo) -> Result<Choices, PageError> {
    let a = &info.actor;
    let jurisdictions = if a.can(Permission::RegistryRead) && a.scope.cadre_id.is_none() {
        js::list(&s.app, a).await.or_page(info)?
    } else {
        vec![]
    };
    let code = jurisdictions.first().map(|j| j.code.clone()).unwrap_or_default();
    // Tags of the pack in force for the actor's own area: the list users pick from.
    let pack = s.app.policy().pack_for(&code);
    let tags = s
        .app
        .policy()
        .experience_tags(pack, dandang_app::clock::today())
        .into_iter()
        .map(|(value, label)| Opt { value, label })
        .collect();
    Ok(Choices {
        sexes: opts(Sex::ALL, Sex::code, Sex::label_zh),
        managed: a
            .scope
            .managed_by
            .iter()
            .map(|m| Opt { value: m.code().into(), label: m.label_zh().into() })
            .collect(),
        tiers: opts(Tier::ALL, Tier::code, Tier::label_zh),
        levels: opts(PostLevel::ALL, PostLevel::code, PostLevel::label_zh),
        ranks: opts(Rank::ALL, Rank::code, Rank::label_zh),
        educations: opts(Education::ALL, Education::code, Education::label_zh),
        degrees: opts(Degree::ALL, Degree::code, Degree::label_zh),
        unit_types: opts(UnitType::ALL, UnitType::code, UnitType::label_zh),
        jurisdictions,
        tags,
    })
}

/// The current query string without paging, for links that keep filters.
fn keep(raw: &Option<String>, drop: &[&str]) -> String {
    raw.as_deref()
        .unwrap_or("")
        .split('&')
        .filter(|kv| !kv.is_empty() && !drop.iter().any(|d| kv.starts_with(&format!("{d}="))))
        .collect::<Vec<_>>()
        .join("&")
}

// ---- cadres ----------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "cadres.html")]
struct CadresPage {
    l: Layout,
    q: CadreQuery,
    page: Page<CadreListItem>,
    c: Choices,
    qs: String,
    can_write: bool,
    can_export: bool,
}

impl CadresPage {
    /// Whether any of the folded filters is in use, so the fold opens.
    fn more_filters(&self) -> bool {
        [&self.q.sex, &self.q.rank, &self.q.education, &self.q.tag, &self.q.age_min, &self.q.age_max]
            .iter()
            .any(|v| v.as_deref().is_some_and(|s| !s.trim().is_empty()))
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "cadres_rows.html")]
struct CadresRows {
    page: Page<CadreListItem>,
    qs: String,
}

async fn cadre_list(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    Query(q): Query<CadreQuery>,
) -> PageResult {
    let page = cadres::list(&s.app, &info.actor, &q).await.or_page(&info)?;
    let qs = keep(&raw, &["page"]);
    if is_htmx(&headers) && headers.get("hx-target").is_some_and(|t| t == "results") {
        return Ok(CadresRows { page, qs }.into_response());
    }
    let c = choices(&s, &info).await?;
    Ok(CadresPage {
        l: layout(&info, "干部", "/cadres"),
        can_write: info.actor.can(Permission::RegistryWrite),
        can_export: info.actor.can(Permission::RegistryExport),
        q,
        page,
        c,
        qs,
    }
    .into_response())
}

async fn cadre_export(State(s): State<AppState>, UiAuth(info): UiAuth, Query(q): Query<CadreQuery>) -> PageResult {
    let bytes = dandang_app::exports::cadres(&s.app, &info.actor, &q).await.or_page(&info)?;
    Ok(crate::api::xlsx("干部名册.xlsx", bytes))
}

#[derive(Template, WebTemplate)]
#[template(path = "cadre.html")]
struct CadrePage {
    l: Layout,
    c: CadreDetail,
    can_write: bool,
    units: Vec<UnitView>,
    ch: Choices,
    today: String,
    appt_error: Option<String>,
    imp: Option<crate::measures::pages::CadreImpact>,
    /// 督查问效: may read the supervision file / may ask for an interview.
    sv_read: bool,
    sv_request: bool,
    /// 容错纠错: may start a case or apply.
    tol_start: bool,
    /// The unit's page is one the viewer may open (a cadre reading their own
    /// record browses no units).
    unit_link: bool,
}

async fn unit_options(s: &AppState, info: &dandang_app::auth::SessionInfo) -> Result<Vec<UnitView>, PageError> {
    let mut out = Vec::new();
    let mut q = UnitQuery { per_page: Some(200), ..Default::default() };
    for p in 1..=25 {
        q.page = Some(p);
        let page = units::list(&s.app, &info.actor, &q).await.or_page(info)?;
        out.extend(page.items);
        if p >= page.pages {
            break;
        }
    }
    Ok(out)
}

async fn cadre_page(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    Query(f): Query<AsOf>,
    Flash(ok): Flash,
) -> PageResult {
    let c = cadres::get(&s.app, &info.actor, id).await.or_page(&info)?;
    let imp = crate::measures::pages::cadre_impact(&s, &info, id, f.as_of.as_deref(), None).await?;
    render_cadre(&s, &info, c, ok, None, imp).await
}

pub(crate) async fn render_cadre(
    s: &AppState,
    info: &dandang_app::auth::SessionInfo,
    c: CadreDetail,
    flash: Option<String>,
    appt_error: Option<String>,
    imp: Option<crate::measures::pages::CadreImpact>,
) -> PageResult {
    let can_write = info.actor.can(Permission::RegistryWrite);
    let units = if can_write { unit_options(s, info).await? } else { vec![] };
    let mut l = layout(info, &c.name, if info.actor.scope.cadre_id.is_some() { "/me/record" } else { "/cadres" });
    l.flash = flash;
    let failed = appt_error.is_some() || imp.as_ref().is_some_and(|i| i.error.is_some());
    let status = if failed { axum::http::StatusCode::UNPROCESSABLE_ENTITY } else { axum::http::StatusCode::OK };
    Ok((
        status,
        CadrePage {
            l,
            can_write,
            units,
            ch: choices(s, info).await?,
            today: dandang_app::clock::today().to_string(),
            appt_error,
            c,
            imp,
            sv_read: info.actor.can(Permission::SupervisionRead) && info.actor.scope.cadre_id.is_none(),
            sv_request: info.actor.can(Permission::SupervisionRequest),
            tol_start: info.actor.can(Permission::ToleranceHandle) || info.actor.can(Permission::ToleranceApply),
            unit_link: info.actor.scope.cadre_id.is_none(),
        },
    )
        .into_response())
}

async fn my_record(UiAuth(info): UiAuth) -> Response {
    match info.actor.scope.cadre_id {
        Some(id) => axum::response::Redirect::to(&format!("/cadres/{id}")).into_response(),
        None => crate::pages::page_error(AppError::NotFound("与您的账号关联的干部档案"), Some(&info)),
    }
}

/// The cadre form as posted: unit by name, tags as a checkbox group.
#[derive(Deserialize, Default, Clone)]
struct CadreFormData {
    name: String,
    sex: String,
    birth_date: String,
    id_number: Option<String>,
    ethnicity: String,
    party_join_date: Option<String>,
    education: Option<String>,
    degree: Option<String>,
    unit_name: String,
    rank: Option<String>,
    managed_by: String,
    note: Option<String>,
    active: Option<String>,
    version: Option<i32>,
}

#[derive(Template, WebTemplate)]
#[template(path = "cadre_form.html")]
struct CadreFormPage {
    l: Layout,
    f: CadreFormData,
    tags: Vec<String>,
    id: Option<Uuid>,
    c: Choices,
    units: Vec<UnitView>,
    errors: Vec<(String, String)>,
    summary: Option<String>,
}

impl CadreFormPage {
    fn err(&self, field: &str) -> String {
        self.errors.iter().filter(|(f, _)| f == field).map(|(_, m)| m.clone()).collect::<Vec<_>>().join("；")
    }

    fn has_tag(&self, t: &str) -> bool {
        self.tags.iter().any(|x| x == t)
    }
}

fn errors_of(e: &AppError) -> (Vec<(String, String)>, Option<String>) {
    match e {
        AppError::Invalid(inv) => (
            inv.errors.iter().map(|f| (form_field(&f.field).to_string(), f.message.clone())).collect(),
            Some(inv.summary_zh()),
        ),
        other => (vec![], Some(other.message_zh())),
    }
}

async fn cadre_new(State(s): State<AppState>, UiAuth(info): UiAuth) -> PageResult {
    if !info.actor.can(Permission::RegistryWrite) {
        return Err(PageError(AppError::Forbidden, Some(Box::new(info))));
    }
    let f = CadreFormData { sex: "male".into(), ethnicity: "汉族".into(), ..Default::default() };
    form_page(&s, &info, f, vec![], None, vec![], None, axum::http::StatusCode::OK).await
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    s: &AppState,
    info: &dandang_app::auth::SessionInfo,
    f: CadreFormData,
    tags: Vec<String>,
    id: Option<Uuid>,
    errors: Vec<(String, String)>,
    summary: Option<String>,
    status: axum::http::StatusCode,
) -> PageResult {
    let title = if id.is_some() { format!("修改干部信息：{}", f.name) } else { "新增干部".into() };
    Ok((
        status,
        CadreFormPage {
            l: layout(info, &title, "/cadres"),
            c: choices(s, info).await?,
            units: unit_options(s, info).await?,
            f,
            tags,
            id,
            errors,
            summary,
        },
    )
        .into_response())
}

/// A unit named in a form. A name that finds nothing in scope becomes the nil
/// id, so the use case checks the actor and the record first and then
/// reports the unit with every other field.
async fn resolve_unit(s: &AppState, info: &dandang_app::auth::SessionInfo, name: &str) -> Result<Uuid, AppError> {
    match cadres::unit_id_by_name(&s.app, &info.actor, name).await {
        Ok(id) => Ok(id),
        Err(AppError::Invalid(_)) => Ok(Uuid::nil()),
        Err(e) => Err(e),
    }
}

/// Forms name units by name where the use case takes ids.
fn form_field(field: &str) -> &str {
    match field {
        "unit_id" => "unit_name",
        "parent_id" => "parent_name",
        f => f,
    }
}

/// Only writers reach the form's lookups.
fn may_write(info: &dandang_app::auth::SessionInfo) -> Result<(), PageError> {
    if info.actor.can(Permission::RegistryWrite) {
        Ok(())
    } else {
        Err(PageError(AppError::Forbidden, Some(Box::new(info.clone()))))
    }
}

fn to_input(f: &CadreFormData, unit_id: Uuid, tags: Vec<String>) -> CadreInput {
    CadreInput {
        name: f.name.clone(),
        sex: f.sex.clone(),
        birth_date: f.birth_date.clone(),
        id_number: f.id_number.clone(),
        ethnicity: f.ethnicity.clone(),
        party_join_date: f.party_join_date.clone(),
        education: f.education.clone(),
        degree: f.degree.clone(),
        unit_id,
        rank: f.rank.clone(),
        managed_by: f.managed_by.clone(),
        tags,
        note: f.note.clone(),
    }
}

async fn cadre_create(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    CsrfForm(f, pairs): CsrfForm<CadreFormData>,
) -> PageResult {
    may_write(&info)?;
    let tags = multi(&pairs, "tags");
    let result = match resolve_unit(&s, &info, &f.unit_name).await {
        Ok(uid) => cadres::create(&s.app, &info.actor, &to_input(&f, uid, tags.clone())).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(c) => Ok(see_other(&format!("/cadres/{}", c.id), "已新增干部")),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let (errors, summary) = errors_of(&e);
            form_page(&s, &info, f, tags, None, errors, summary, axum::http::StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(PageError(e, Some(Box::new(info)))),
    }
}

async fn cadre_edit(State(s): State<AppState>, UiAuth(info): UiAuth, Path(id): Path<Uuid>) -> PageResult {
    if !info.actor.can(Permission::RegistryWrite) {
        return Err(PageError(AppError::Forbidden, Some(Box::new(info))));
    }
    let c = cadres::get(&s.app, &info.actor, id).await.or_page(&info)?;
    let f = CadreFormData {
        name: c.name.clone(),
        sex: c.sex.clone(),
        birth_date: c.birth_date.map(|d| d.to_string()).unwrap_or_default(),
        id_number: c.id_number.clone(),
        ethnicity: c.ethnicity.clone(),
        party_join_date: c.party_join_date.map(|d| d.to_string()),
        education: c.education.clone(),
        degree: c.degree.clone(),
        unit_name: c.unit_name.clone(),
        rank: c.rank.clone(),
        managed_by: c.managed_by.clone(),
        note: c.note.clone(),
        active: c.active.then(|| "on".into()),
        version: Some(c.version),
    };
    let tags = c.tags.iter().map(|t| t.code.clone()).collect();
    form_page(&s, &info, f, tags, Some(id), vec![], None, axum::http::StatusCode::OK).await
}

async fn cadre_update(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(f, pairs): CsrfForm<CadreFormData>,
) -> PageResult {
    may_write(&info)?;
    let tags = multi(&pairs, "tags");
    let result = match resolve_unit(&s, &info, &f.unit_name).await {
        Ok(uid) => {
            let input = CadreUpdate {
                fields: to_input(&f, uid, tags.clone()),
                active: f.active.is_some(),
                version: f.version.unwrap_or(0),
            };
            cadres::update(&s.app, &info.actor, id, &input).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/cadres/{id}"), "已保存")),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::Stale)) => {
            let (errors, summary) = errors_of(&e);
            form_page(&s, &info, f, tags, Some(id), errors, summary, axum::http::StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(PageError(e, Some(Box::new(info)))),
    }
}

#[derive(Deserialize)]
struct AppointmentForm {
    unit_name: String,
    title: String,
    tier: Option<String>,
    level: Option<String>,
    rank: Option<String>,
    start_date: String,
    reason: String,
    document_ref: Option<String>,
    end_current: Option<String>,
}

async fn appointment_create(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(f, _): CsrfForm<AppointmentForm>,
) -> PageResult {
    may_write(&info)?;
    let r = match resolve_unit(&s, &info, &f.unit_name).await {
        Ok(unit_id) => {
            let input = AppointmentInput {
                unit_id,
                post_id: None,
                title: Some(f.title.clone()),
                tier: f.tier.clone(),
                level: f.level.clone(),
                rank: f.rank.clone(),
                start_date: f.start_date.clone(),
                reason: f.reason.clone(),
                document_ref: f.document_ref.clone(),
                end_current: f.end_current.is_some(),
            };
            ap::create(&s.app, &info.actor, id, &input).await
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => Ok(see_other(&format!("/cadres/{id}"), "已新增任职")),
        Err(e @ AppError::Invalid(_)) => {
            let c = cadres::get(&s.app, &info.actor, id).await.or_page(&info)?;
            let imp = crate::measures::pages::cadre_impact(&s, &info, c.id, None, None).await?;
            render_cadre(&s, &info, c, None, Some(e.message_zh()), imp).await
        }
        Err(e) => Err(PageError(e, Some(Box::new(info)))),
    }
}

#[derive(Deserialize)]
struct EndForm {
    end_date: String,
    end_reason: String,
    cadre_id: Uuid,
}

async fn appointment_end(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(f, _): CsrfForm<EndForm>,
) -> PageResult {
    match ap::end(&s.app, &info.actor, id, &EndInput { end_date: f.end_date, end_reason: f.end_reason }).await {
        Ok(_) => Ok(see_other(&format!("/cadres/{}", f.cadre_id), "已记录免职（离任）")),
        Err(e @ AppError::Invalid(_)) => {
            let c = cadres::get(&s.app, &info.actor, f.cadre_id).await.or_page(&info)?;
            let imp = crate::measures::pages::cadre_impact(&s, &info, c.id, None, None).await?;
            render_cadre(&s, &info, c, None, Some(e.message_zh()), imp).await
        }
        Err(e) => Err(PageError(e, Some(Box::new(info)))),
    }
}

// ---- units -----------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "units.html")]
struct UnitsPage {
    l: Layout,
    q: UnitQuery,
    page: Page<UnitView>,
    c: Choices,
    qs: String,
    can_write: bool,
    can_export: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "units_rows.html")]
struct UnitsRows {
    page: Page<UnitView>,
    qs: String,
}

async fn unit_list(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    Query(q): Query<UnitQuery>,
) -> PageResult {
    let page = units::list(&s.app, &info.actor, &q).await.or_page(&info)?;
    let qs = keep(&raw, &["page"]);
    if is_htmx(&headers) && headers.get("hx-target").is_some_and(|t| t == "results") {
        return Ok(UnitsRows { page, qs }.into_response());
    }
    Ok(UnitsPage {
        l: layout(&info, "单位", "/units"),
        c: choices(&s, &info).await?,
        can_write: info.actor.can(Permission::RegistryWrite),
        can_export: info.actor.can(Permission::RegistryExport),
        q,
        page,
        qs,
    }
    .into_response())
}

async fn unit_export(State(s): State<AppState>, UiAuth(info): UiAuth, Query(q): Query<UnitQuery>) -> PageResult {
    let bytes = dandang_app::exports::units(&s.app, &info.actor, &q).await.or_page(&info)?;
    Ok(crate::api::xlsx("单位名册.xlsx", bytes))
}

#[derive(Template, WebTemplate)]
#[template(path = "unit.html")]
struct UnitPage {
    l: Layout,
    u: UnitView,
    parent: Option<UnitView>,
    children: Vec<UnitView>,
    posts: Vec<PostView>,
    holders: Vec<(Uuid, String)>,
    cadres: Page<CadreListItem>,
    can_write: bool,
    c: Choices,
    post_error: Option<String>,
    /// Accountability of the unit's party organization, for roles that see measures.
    org_measures: Option<Vec<dandang_app::measures::MeasureView>>,
    can_record_measures: bool,
    measure_error: Option<String>,
    today: String,
    sv_request: bool,
}

impl UnitPage {
    fn holder_name(&self, id: &Uuid) -> String {
        self.holders.iter().find(|(i, _)| i == id).map(|(_, n)| n.clone()).unwrap_or_default()
    }
}

async fn unit_page(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    Flash(ok): Flash,
) -> PageResult {
    render_unit(&s, &info, id, ok, None, None).await
}

pub(crate) async fn render_unit(
    s: &AppState,
    info: &dandang_app::auth::SessionInfo,
    id: Uuid,
    flash: Option<String>,
    post_error: Option<String>,
    measure_error: Option<String>,
) -> PageResult {
    let a = &info.actor;
    let u = units::get(&s.app, a, id).await.or_page(info)?;
    let parent = match u.parent_id {
        Some(p) => units::get(&s.app, a, p).await.ok(),
        None => None,
    };
    let children = units::children(&s.app, a, id).await.or_page(info)?;
    let posts = posts::of_unit(&s.app, a, id).await.or_page(info)?;
    let q = CadreQuery { unit: Some(id), per_page: Some(100), ..Default::default() };
    let cadres = cadres::list(&s.app, a, &q).await.or_page(info)?;
    let holders = cadres.items.iter().map(|c| (c.id, c.name.clone())).collect();
    let mut l = layout(info, &u.name, "/units");
    l.flash = flash;
    let org_measures = if a.can(Permission::MeasureRead) {
        Some(dandang_app::measures::list_for_unit(&s.app, a, id).await.or_page(info)?)
    } else {
        None
    };
    let failed = post_error.is_some() || measure_error.is_some();
    let status = if failed { axum::http::StatusCode::UNPROCESSABLE_ENTITY } else { axum::http::StatusCode::OK };
    Ok((
        status,
        UnitPage {
            org_measures,
            can_record_measures: a.can(Permission::MeasureWrite),
            sv_request: a.can(Permission::SupervisionRequest),
            measure_error,
            today: dandang_app::clock::today().to_string(),
            l,
            can_write: a.can(Permission::RegistryWrite),
            c: choices(s, info).await?,
            u,
            parent,
            children,
            posts,
            holders,
            cadres,
            post_error,
        },
    )
        .into_response())
}

#[derive(Deserialize, Default, Clone)]
struct UnitFormData {
    name: String,
    short_name: Option<String>,
    unit_type: String,
    jurisdiction_code: Option<String>,
    parent_name: Option<String>,
    sort_order: Option<String>,
    active: Option<String>,
    version: Option<i32>,
}

#[derive(Template, WebTemplate)]
#[template(path = "unit_form.html")]
struct UnitFormPage {
    l: Layout,
    f: UnitFormData,
    id: Option<Uuid>,
    c: Choices,
    units: Vec<UnitView>,
    errors: Vec<(String, String)>,
    summary: Option<String>,
}

impl UnitFormPage {
    fn err(&self, field: &str) -> String {
        self.errors.iter().filter(|(f, _)| f == field).map(|(_, m)| m.clone()).collect::<Vec<_>>().join("；")
    }
}

async fn unit_form(
    s: &AppState,
    info: &dandang_app::auth::SessionInfo,
    f: UnitFormData,
    id: Option<Uuid>,
    err: Option<AppError>,
) -> PageResult {
    let (errors, summary) = err.as_ref().map(errors_of).unwrap_or_default();
    let status = if err.is_some() { axum::http::StatusCode::UNPROCESSABLE_ENTITY } else { axum::http::StatusCode::OK };
    let title = if id.is_some() { format!("修改单位：{}", f.name) } else { "新建单位".into() };
    Ok((
        status,
        UnitFormPage {
            l: layout(info, &title, "/units"),
            c: choices(s, info).await?,
            units: unit_options(s, info).await?,
            f,
            id,
            errors,
            summary,
        },
    )
        .into_response())
}

async fn unit_new(State(s): State<AppState>, UiAuth(info): UiAuth) -> PageResult {
    if !info.actor.can(Permission::RegistryWrite) {
        return Err(PageError(AppError::Forbidden, Some(Box::new(info))));
    }
    unit_form(&s, &info, UnitFormData { unit_type: "government_organ".into(), ..Default::default() }, None, None).await
}

fn parse_order(s: &Option<String>) -> Result<Option<i32>, AppError> {
    match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| {
            AppError::invalid(
                "sort_order",
                "排序号",
                dandang_domain::error::Problem::BadFormat { expected: "整数".into() },
            )
        }),
    }
}

async fn unit_create(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    CsrfForm(f, _): CsrfForm<UnitFormData>,
) -> PageResult {
    may_write(&info)?;
    let r = async {
        let parent_id = match f.parent_name.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(n) => Some(resolve_unit(&s, &info, n).await?),
            None => None,
        };
        let input = UnitInput {
            name: f.name.clone(),
            short_name: f.short_name.clone(),
            unit_type: f.unit_type.clone(),
            jurisdiction_code: f.jurisdiction_code.clone().unwrap_or_default(),
            parent_id,
            sort_order: parse_order(&f.sort_order)?,
        };
        units::create(&s.app, &info.actor, &input).await
    }
    .await;
    match r {
        Ok(u) => Ok(see_other(&format!("/units/{}", u.id), "已新建单位")),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => unit_form(&s, &info, f, None, Some(e)).await,
        Err(e) => Err(PageError(e, Some(Box::new(info)))),
    }
}

async fn unit_edit(State(s): State<AppState>, UiAuth(info): UiAuth, Path(id): Path<Uuid>) -> PageResult {
    if !info.actor.can(Permission::RegistryWrite) {
        return Err(PageError(AppError::Forbidden, Some(Box::new(info))));
    }
    let u = units::get(&s.app, &info.actor, id).await.or_page(&info)?;
    let f = UnitFormData {
        name: u.name,
        short_name: u.short_name,
        unit_type: u.unit_type,
        jurisdiction_code: Some(u.jurisdiction_code),
        parent_name: None,
        sort_order: Some(u.sort_order.to_string()),
        active: u.active.then(|| "on".into()),
        version: Some(u.version),
    };
    unit_form(&s, &info, f, Some(id), None).await
}

async fn unit_update(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(f, _): CsrfForm<UnitFormData>,
) -> PageResult {
    may_write(&info)?;
    // The unit is in scope before the form is read.
    units::get(&s.app, &info.actor, id).await.or_page(&info)?;
    let r = async {
        let input = UnitUpdate {
            name: f.name.clone(),
            short_name: f.short_name.clone(),
            unit_type: f.unit_type.clone(),
            sort_order: parse_order(&f.sort_order)?,
            active: f.active.is_some(),
            version: f.version.unwrap_or(0),
        };
        units::update(&s.app, &info.actor, id, &input).await
    }
    .await;
    match r {
        Ok(_) => Ok(see_other(&format!("/units/{id}"), "已保存")),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::Stale)) => {
            unit_form(&s, &info, f, Some(id), Some(e)).await
        }
        Err(e) => Err(PageError(e, Some(Box::new(info)))),
    }
}

#[derive(Deserialize)]
struct PostForm {
    title: String,
    level: String,
    tier: String,
}

async fn post_create(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    Path(id): Path<Uuid>,
    CsrfForm(f, _): CsrfForm<PostForm>,
) -> PageResult {
    match posts::create(
        &s.app,
        &info.actor,
        id,
        &PostInput { title: f.title, level: f.level, tier: f.tier, sort_order: None },
    )
    .await
    {
        Ok(_) => Ok(see_other(&format!("/units/{id}"), "已新增职务")),
        Err(e @ AppError::Invalid(_)) => render_unit(&s, &info, id, None, Some(e.message_zh()), None).await,
        Err(e) => Err(PageError(e, Some(Box::new(info)))),
    }
}

// ---- jurisdictions ---------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "jurisdictions.html")]
struct JurisdictionsPage {
    l: Layout,
    items: Vec<JurisdictionView>,
    can_write: bool,
    can_export: bool,
    f: JurisdictionFormData,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct JurisdictionFormData {
    code: String,
    name: String,
    level: String,
    parent_code: Option<String>,
}

async fn jurisdiction_list(State(s): State<AppState>, UiAuth(info): UiAuth, Flash(ok): Flash) -> PageResult {
    let items = js::list(&s.app, &info.actor).await.or_page(&info)?;
    let mut l = layout(&info, "行政区划", "/jurisdictions");
    l.flash = ok;
    Ok(JurisdictionsPage {
        l,
        items,
        can_write: info.actor.can(Permission::RegistryWrite),
        can_export: info.actor.can(Permission::RegistryExport),
        f: Default::default(),
        error: None,
    }
    .into_response())
}

async fn jurisdiction_export(State(s): State<AppState>, UiAuth(info): UiAuth) -> PageResult {
    let bytes = dandang_app::exports::jurisdictions(&s.app, &info.actor).await.or_page(&info)?;
    Ok(crate::api::xlsx("行政区划.xlsx", bytes))
}

async fn jurisdiction_create(
    State(s): State<AppState>,
    UiAuth(info): UiAuth,
    CsrfForm(f, _): CsrfForm<JurisdictionFormData>,
) -> PageResult {
    let input = JurisdictionInput {
        code: f.code.clone(),
        name: f.name.clone(),
        level: f.level.clone(),
        parent_code: f.parent_code.clone(),
        sort_order: None,
    };
    match js::create(&s.app, &info.actor, &input).await {
        Ok(j) => Ok(see_other("/jurisdictions", &format!("已新增行政区划：{}", j.name))),
        Err(e @ AppError::Invalid(_)) => {
            let items = js::list(&s.app, &info.actor).await.or_page(&info)?;
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                JurisdictionsPage {
                    l: layout(&info, "行政区划", "/jurisdictions"),
                    items,
                    can_write: true,
                    can_export: info.actor.can(Permission::RegistryExport),
                    f,
                    error: Some(e.message_zh()),
                },
            )
                .into_response())
        }
        Err(e) => Err(PageError(e, Some(Box::new(info)))),
    }
}
