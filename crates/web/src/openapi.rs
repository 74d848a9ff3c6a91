//! The OpenAPI document of /api/v1, served at /api/openapi.json and printed
//! by `dandang openapi`.

use axum::{Json, response::IntoResponse};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};

use crate::api;

#[derive(OpenApi)]
#[openapi(
    info(title = "dandang 担当 API", description = "干部担当作为激励与约束管理系统接口。错误统一为 {\"error\": {\"code\", \"message\", \"fields\"}}，message 为中文。认证：Authorization: Bearer <令牌>（令牌由 `dandang token create --user 用户名` 或“我的账号”页面生成）。"),
    paths(
        api::registry::me,
        api::registry::list_jurisdictions, api::registry::create_jurisdiction, api::registry::export_jurisdictions,
        api::registry::list_units, api::registry::create_unit, api::registry::export_units, api::registry::get_unit,
        api::registry::update_unit, api::registry::unit_children, api::registry::unit_posts, api::registry::create_post,
        api::registry::list_cadres, api::registry::create_cadre, api::registry::export_cadres, api::registry::get_cadre,
        api::registry::update_cadre, api::registry::cadre_appointments, api::registry::create_appointment,
        api::registry::end_appointment,
        api::imports::upload, api::imports::commit, api::imports::recent, api::imports::template,
        api::admin::list_users, api::admin::create_user, api::admin::get_user, api::admin::update_user,
        api::admin::reset_password, api::admin::unlock, api::admin::end_sessions, api::admin::logout_everywhere,
        api::admin::list_tokens, api::admin::create_token, api::admin::revoke_token,
        api::admin::list_audit, api::admin::verify_audit, api::admin::export_audit, api::admin::export_users,
        api::policy::packs, api::policy::pack, api::policy::check,
        api::policy::add, api::policy::between, api::policy::day,
        api::measures::check, api::measures::cadre_eligibility, api::measures::cadre_measures,
        api::measures::create_measure, api::measures::unit_measures, api::measures::create_unit_measure, api::measures::set_tolerance, api::measures::record_reply,
        api::measures::statistics, api::measures::ending, api::measures::list_follow_ups,
        api::measures::cadre_follow_ups, api::measures::get_follow_up, api::measures::name_mentor,
        api::measures::record_visit, api::measures::propose, api::measures::decide,
        api::supervision::triggers, api::supervision::record_interview, api::supervision::escalation,
        api::supervision::list_items, api::supervision::create_item,
        api::supervision::open_case, api::supervision::list_cases, api::supervision::get_case,
        api::supervision::transition, api::supervision::decide_escalation, api::supervision::documents, api::supervision::documents_pdf,
        api::supervision::dashboard, api::supervision::supervision_file, api::supervision::export_file,
        api::supervision::get_item, api::supervision::report_item,
        api::supervision::list_letters, api::supervision::create_letter, api::supervision::get_letter,
        api::supervision::review_letter,
        api::tolerance::open, api::tolerance::list, api::tolerance::get_case, api::tolerance::transition,
        api::tolerance::analysis, api::tolerance::suggestions, api::tolerance::criteria,
        api::tolerance::create_filing, api::tolerance::list_filings, api::tolerance::get_filing,
        api::tolerance::revoke_filing, api::tolerance::library, api::tolerance::publish, api::tolerance::statistics, api::tolerance::lists, api::tolerance::add_list_item, api::tolerance::finding,
        api::tolerance::attach, api::tolerance::attachments, api::tolerance::attachment, api::tolerance::letter_docx, api::tolerance::letter_pdf, api::tolerance::copies,
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

pub fn openapi_json() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
}

pub async fn serve() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}
