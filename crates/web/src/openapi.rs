//! The OpenAPI document of /api/v1, served at /api/openapi.json and printed
//! by `dandang openapi`.

use axum::{Json, response::IntoResponse};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};

#[derive(OpenApi)]
#[openapi(
    info(title = "dandang 担当 API", description = "干部担当作为激励与约束管理系统接口。错误统一为 {\"error\": {\"code\", \"message\", \"fields\"}}，message 为中文。认证：Authorization: Bearer <令牌>（令牌由 `dandang token create --user 用户名` 或“我的账号”页面生成）。"),
    paths(
        crate::registry::api::me,
        crate::registry::api::list_jurisdictions, crate::registry::api::create_jurisdiction, crate::registry::api::export_jurisdictions,
        crate::registry::api::list_units, crate::registry::api::create_unit, crate::registry::api::export_units, crate::registry::api::get_unit,
        crate::registry::api::update_unit, crate::registry::api::unit_children, crate::registry::api::unit_posts, crate::registry::api::create_post,
        crate::registry::api::list_cadres, crate::registry::api::create_cadre, crate::registry::api::export_cadres, crate::registry::api::get_cadre,
        crate::registry::api::update_cadre, crate::registry::api::cadre_appointments, crate::registry::api::create_appointment,
        crate::registry::api::end_appointment,
        crate::imports::api::upload, crate::imports::api::commit, crate::imports::api::recent, crate::imports::api::template,
        crate::admin::api::list_users, crate::admin::api::create_user, crate::admin::api::get_user, crate::admin::api::update_user,
        crate::admin::api::reset_password, crate::admin::api::unlock, crate::admin::api::end_sessions, crate::account::api::logout_everywhere,
        crate::account::api::list_tokens, crate::account::api::create_token, crate::account::api::revoke_token,
        crate::admin::api::list_audit, crate::admin::api::verify_audit, crate::admin::api::export_audit, crate::admin::api::export_users,
        crate::policy::api::packs, crate::policy::api::pack, crate::policy::api::check,
        crate::policy::api::add, crate::policy::api::between, crate::policy::api::day,
        crate::measures::api::check, crate::measures::api::cadre_eligibility, crate::measures::api::cadre_measures,
        crate::measures::api::create_measure, crate::measures::api::unit_measures, crate::measures::api::create_unit_measure, crate::measures::api::record_reply,
        crate::measures::api::statistics, crate::measures::api::ending, crate::follow_up::api::list_follow_ups,
        crate::follow_up::api::cadre_follow_ups, crate::follow_up::api::get_follow_up, crate::follow_up::api::name_mentor,
        crate::follow_up::api::record_visit, crate::follow_up::api::propose, crate::follow_up::api::decide,
        crate::supervision::api::triggers, crate::supervision::api::record_interview, crate::supervision::api::escalation,
        crate::supervision::api::list_items, crate::supervision::api::create_item,
        crate::supervision::api::open_case, crate::supervision::api::list_cases, crate::supervision::api::get_case,
        crate::supervision::api::transition, crate::supervision::api::decide_escalation, crate::supervision::api::documents, crate::supervision::api::documents_pdf,
        crate::supervision::api::dashboard, crate::supervision::api::supervision_file, crate::supervision::api::export_file,
        crate::supervision::api::get_item, crate::supervision::api::report_item,
        crate::supervision::api::list_letters, crate::supervision::api::create_letter, crate::supervision::api::get_letter,
        crate::supervision::api::review_letter,
        crate::tolerance::api::open, crate::tolerance::api::list, crate::tolerance::api::get_case, crate::tolerance::api::transition,
        crate::tolerance::api::analysis, crate::tolerance::api::suggestions, crate::tolerance::api::criteria,
        crate::tolerance::api::create_filing, crate::tolerance::api::list_filings, crate::tolerance::api::get_filing,
        crate::tolerance::api::revoke_filing, crate::tolerance::api::library, crate::tolerance::api::publish, crate::tolerance::api::statistics, crate::tolerance::api::lists, crate::tolerance::api::add_list_item, crate::tolerance::api::finding,
        crate::tolerance::api::attach, crate::tolerance::api::attachments, crate::tolerance::api::attachment, crate::tolerance::api::letter_docx, crate::tolerance::api::letter_pdf, crate::tolerance::api::copies,
    ),
    components(schemas(crate::error::ErrorBody)),
    modifiers(&Bearer),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document as served: utoipa's, completed by [`crate::contract`].
pub fn document() -> serde_json::Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    crate::contract::complete(&mut doc);
    doc
}

pub fn openapi_json() -> String {
    serde_json::to_string_pretty(&document()).unwrap_or_default()
}

pub async fn serve() -> impl IntoResponse {
    Json(document())
}
