//! The access matrix, generated from the router's own route table.
//!
//! Every route × every demo account (and nobody logged in) is called with a
//! record inside the account's scope and one outside it. An account the route
//! is not for gets 403; inside its scope it gets an answer; outside its scope
//! it gets exactly what a record that does not exist gets (404). Every answer
//! is searched for ids of records the account may not see and for ID numbers
//! it may not read. A route without an entry here fails the test, so a new
//! endpoint cannot ship without saying who may call it.
//!
//! "Inside" comes from the account's own list endpoints (a record is visible
//! exactly when it is in the scoped list); "all" comes from the database.
//! Request bodies for the JSON API come from the OpenAPI document's schemas,
//! so the document is exercised too; the pages get one form carrying every
//! field any page form has.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use axum::{
    body::Body,
    http::{Method, Request, header},
};
use dandang_domain::access::{Actor, Permission as P};
use dandang_store::entity::{
    advance_filing, api_token, app_user, appointment, cadre, follow_up, follow_up_visit, import_batch, measure,
    supervised_item, supervision_case, task_letter, tolerance_attachment, tolerance_case, unit,
};
use dandang_store::sea_orm::EntityTrait;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{Env, Resp, each_backend, xlsx_text};

const ACCOUNTS: &[&str] = &[
    "admin",
    "yl_admin",
    "sheng_ganbu",
    "yc_ganbu",
    "yc_jiandu",
    "yc_jiwei",
    "yc_ducha",
    "yc_lingdao",
    "yl_ganbu",
    "jz_ganbu",
    "yc_fgw",
    "yc_xuncha",
    "yc_shenji",
    "auditor",
    "ganbu_self",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    Cadre,
    Unit,
    Measure,
    Appointment,
    FollowUp,
    Visit,
    Item,
    SupCase,
    /// A 督查问效 reminder already issued (it has its letter and notice).
    Reminder,
    Letter,
    TolCase,
    /// A tolerance case with a served decision letter (or copied to the account).
    Decided,
    /// `{id}` a tolerance case, `{aid}` one of its attachments.
    Attachment,
    Filing,
    Import,
    /// One of the account's own API tokens (made fresh for each call).
    OwnToken,
    /// `{id}` a user made for this test, `{tid}` one of its tokens.
    User,
    Pack,
    Template,
    Asset,
}

/// Kinds whose ids must never appear in an answer to an account outside their scope.
const SCANNED: &[Kind] = &[
    Kind::Cadre,
    Kind::Measure,
    Kind::Appointment,
    Kind::FollowUp,
    Kind::Visit,
    Kind::Item,
    Kind::SupCase,
    Kind::Letter,
    Kind::TolCase,
    Kind::Attachment,
    Kind::Filing,
    Kind::Import,
];

/// Who may call a route at all; the record's scope is checked on top.
#[derive(Clone, Copy, Debug)]
enum Need {
    /// Anyone, logged in or not.
    Public,
    /// Any account.
    Login,
    Perm(P),
    Any(&'static [P]),
    /// The offices: `RegistryRead` without being a self-service cadre.
    Office(P),
    /// A self-service cadre's own pages.
    OwnRecord,
}

impl Need {
    /// Whether the route is meant for some account (all are, except public ones
    /// answered to nobody).
    fn allows_nobody(self) -> bool {
        !matches!(self, Need::Public)
    }

    fn allows(self, a: &Actor) -> bool {
        match self {
            Need::Public | Need::Login => true,
            Need::Perm(p) => a.can(p),
            Need::Any(ps) => ps.iter().any(|p| a.can(*p)),
            Need::Office(p) => a.can(p) && a.can(P::RegistryRead) && a.scope.cadre_id.is_none(),
            Need::OwnRecord => a.scope.cadre_id.is_some(),
        }
    }
}

/// The call's record, inside the scope, may still be refused for what the
/// body asks (an action another role takes, a step the state does not allow).
const LAX: u8 = 1;
/// Ends the session or tokens it is called with: runs last, on a session of its own.
const LAST: u8 = 2;
/// A multipart upload.
const UPLOAD: u8 = 4;

struct Entry {
    route: &'static str,
    need: Need,
    kind: Option<Kind>,
    flags: u8,
}

const fn e(route: &'static str, need: Need, kind: Option<Kind>, flags: u8) -> Entry {
    Entry { route, need, kind, flags }
}

use Kind as K;
use Need::{Any, Login, Office, OwnRecord, Perm, Public};

const NONE: Option<Kind> = None;
const fn k(kind: Kind) -> Option<Kind> {
    Some(kind)
}

const TOL_ACT: &[P] = &[P::ToleranceApply, P::ToleranceHandle, P::ToleranceDecide, P::ToleranceReport];
const REPORT: &[P] = &[P::SupervisionReport, P::SupervisionWrite];
const IMPORT: &[P] = &[P::RegistryImport, P::MeasureWrite, P::SupervisionWrite];
const OPEN: &[P] = &[P::ToleranceApply, P::ToleranceHandle];
const LISTS: &[P] = &[P::ToleranceHandle, P::ToleranceReport];
const SUP_ACT: &[P] =
    &[P::SupervisionRequest, P::SupervisionApprove, P::SupervisionWrite, P::InterviewRecord, P::SupervisionReport];

/// The matrix. Keep it in the order of the route table's mechanisms.
const MATRIX: &[Entry] = &[
    // home and account
    e("GET /", Login, NONE, 0),
    e("GET /login", Public, NONE, 0),
    e("POST /login", Public, NONE, LAX),
    e("POST /logout", Login, NONE, LAST),
    e("GET /me", Login, NONE, 0),
    e("POST /me/password", Login, NONE, 0),
    e("POST /me/logout-everywhere", Login, NONE, LAST),
    e("POST /me/tokens", Login, NONE, 0),
    e("POST /me/tokens/{id}/revoke", Login, k(K::OwnToken), 0),
    e("GET /me/record", OwnRecord, NONE, 0),
    e("GET /api/v1/me", Login, NONE, 0),
    e("GET /api/v1/tokens", Login, NONE, 0),
    e("POST /api/v1/tokens", Login, NONE, 0),
    e("DELETE /api/v1/tokens/{id}", Login, k(K::OwnToken), 0),
    e("DELETE /api/v1/sessions", Login, NONE, LAST),
    // administration
    e("GET /admin/users", Perm(P::UserAdmin), NONE, 0),
    e("POST /admin/users", Perm(P::UserAdmin), NONE, 0),
    e("GET /admin/users/new", Perm(P::UserAdmin), NONE, 0),
    e("GET /admin/users/export.xlsx", Perm(P::UserAdmin), NONE, 0),
    e("GET /admin/users/{id}", Perm(P::UserAdmin), k(K::User), 0),
    e("POST /admin/users/{id}", Perm(P::UserAdmin), k(K::User), 0),
    e("POST /admin/users/{id}/logout-everywhere", Perm(P::UserAdmin), k(K::User), 0),
    e("POST /admin/users/{id}/reset-password", Perm(P::UserAdmin), k(K::User), 0),
    e("POST /admin/users/{id}/unlock", Perm(P::UserAdmin), k(K::User), 0),
    e("POST /admin/users/{id}/tokens/{tid}/revoke", Perm(P::UserAdmin), k(K::User), 0),
    e("GET /api/v1/users", Perm(P::UserAdmin), NONE, 0),
    e("POST /api/v1/users", Perm(P::UserAdmin), NONE, 0),
    e("GET /api/v1/users/export", Perm(P::UserAdmin), NONE, 0),
    e("GET /api/v1/users/{id}", Perm(P::UserAdmin), k(K::User), 0),
    e("PUT /api/v1/users/{id}", Perm(P::UserAdmin), k(K::User), 0),
    e("POST /api/v1/users/{id}/reset-password", Perm(P::UserAdmin), k(K::User), 0),
    e("DELETE /api/v1/users/{id}/sessions", Perm(P::UserAdmin), k(K::User), 0),
    e("POST /api/v1/users/{id}/unlock", Perm(P::UserAdmin), k(K::User), 0),
    e("GET /audit", Perm(P::AuditRead), NONE, 0),
    e("GET /audit/export.xlsx", Perm(P::AuditRead), NONE, 0),
    e("POST /audit/verify", Perm(P::AuditRead), NONE, 0),
    e("GET /api/v1/audit", Perm(P::AuditRead), NONE, 0),
    e("GET /api/v1/audit/export", Perm(P::AuditRead), NONE, 0),
    e("GET /api/v1/audit/verify", Perm(P::AuditRead), NONE, 0),
    // registry
    e("GET /cadres", Perm(P::RegistryRead), NONE, 0),
    e("POST /cadres", Perm(P::RegistryWrite), NONE, 0),
    e("GET /cadres/new", Perm(P::RegistryWrite), NONE, 0),
    e("GET /cadres/export.xlsx", Perm(P::RegistryExport), NONE, 0),
    e("GET /cadres/{id}", Perm(P::RegistryRead), k(K::Cadre), 0),
    e("POST /cadres/{id}", Perm(P::RegistryWrite), k(K::Cadre), 0),
    e("GET /cadres/{id}/edit", Perm(P::RegistryWrite), k(K::Cadre), 0),
    e("POST /cadres/{id}/appointments", Perm(P::RegistryWrite), k(K::Cadre), 0),
    e("POST /cadres/{id}/measures", Perm(P::MeasureWrite), k(K::Cadre), 0),
    e("GET /cadres/{id}/supervision-file", Perm(P::SupervisionRead), k(K::Cadre), 0),
    e("GET /cadres/{id}/supervision-file.xlsx", Perm(P::SupervisionRead), k(K::Cadre), 0),
    e("POST /appointments/{id}/end", Perm(P::RegistryWrite), k(K::Appointment), 0),
    e("GET /units", Office(P::RegistryRead), NONE, 0),
    e("POST /units", Perm(P::RegistryWrite), NONE, 0),
    e("GET /units/new", Perm(P::RegistryWrite), NONE, 0),
    e("GET /units/export.xlsx", Perm(P::RegistryExport), NONE, 0),
    e("GET /units/{id}", Office(P::RegistryRead), k(K::Unit), 0),
    e("POST /units/{id}", Perm(P::RegistryWrite), k(K::Unit), 0),
    e("GET /units/{id}/edit", Perm(P::RegistryWrite), k(K::Unit), 0),
    e("POST /units/{id}/measures", Perm(P::MeasureWrite), k(K::Unit), 0),
    e("POST /units/{id}/posts", Perm(P::RegistryWrite), k(K::Unit), 0),
    e("GET /jurisdictions", Office(P::RegistryRead), NONE, 0),
    e("POST /jurisdictions", Perm(P::RegistryWrite), NONE, 0),
    e("GET /jurisdictions/export.xlsx", Perm(P::RegistryExport), NONE, 0),
    e("GET /api/v1/cadres", Perm(P::RegistryRead), NONE, 0),
    e("POST /api/v1/cadres", Perm(P::RegistryWrite), NONE, 0),
    e("GET /api/v1/cadres/export", Perm(P::RegistryExport), NONE, 0),
    e("GET /api/v1/cadres/{id}", Perm(P::RegistryRead), k(K::Cadre), 0),
    e("PUT /api/v1/cadres/{id}", Perm(P::RegistryWrite), k(K::Cadre), 0),
    e("GET /api/v1/cadres/{id}/appointments", Perm(P::RegistryRead), k(K::Cadre), 0),
    e("POST /api/v1/cadres/{id}/appointments", Perm(P::RegistryWrite), k(K::Cadre), 0),
    e("GET /api/v1/cadres/{id}/eligibility", Office(P::MeasureRead), k(K::Cadre), 0),
    e("GET /api/v1/cadres/{id}/escalation", Perm(P::SupervisionRead), k(K::Cadre), LAX),
    e("GET /api/v1/cadres/{id}/follow-ups", Office(P::MeasureRead), k(K::Cadre), 0),
    e("GET /api/v1/cadres/{id}/measures", Perm(P::MeasureRead), k(K::Cadre), 0),
    e("POST /api/v1/cadres/{id}/measures", Perm(P::MeasureWrite), k(K::Cadre), 0),
    e("GET /api/v1/cadres/{id}/supervision-file", Perm(P::SupervisionRead), k(K::Cadre), 0),
    e("GET /api/v1/cadres/{id}/supervision-file/export", Perm(P::SupervisionRead), k(K::Cadre), 0),
    e("POST /api/v1/appointments/{id}/end", Perm(P::RegistryWrite), k(K::Appointment), 0),
    e("GET /api/v1/jurisdictions", Office(P::RegistryRead), NONE, 0),
    e("POST /api/v1/jurisdictions", Perm(P::RegistryWrite), NONE, 0),
    e("GET /api/v1/jurisdictions/export", Perm(P::RegistryExport), NONE, 0),
    e("GET /api/v1/units", Office(P::RegistryRead), NONE, 0),
    e("POST /api/v1/units", Perm(P::RegistryWrite), NONE, 0),
    e("GET /api/v1/units/export", Perm(P::RegistryExport), NONE, 0),
    e("GET /api/v1/units/{id}", Office(P::RegistryRead), k(K::Unit), 0),
    e("PUT /api/v1/units/{id}", Perm(P::RegistryWrite), k(K::Unit), 0),
    e("GET /api/v1/units/{id}/children", Office(P::RegistryRead), k(K::Unit), 0),
    e("GET /api/v1/units/{id}/measures", Perm(P::MeasureRead), k(K::Unit), 0),
    e("POST /api/v1/units/{id}/measures", Perm(P::MeasureWrite), k(K::Unit), 0),
    e("GET /api/v1/units/{id}/posts", Office(P::RegistryRead), k(K::Unit), 0),
    e("POST /api/v1/units/{id}/posts", Perm(P::RegistryWrite), k(K::Unit), 0),
    // imports
    e("GET /imports", Any(IMPORT), NONE, 0),
    e("POST /imports", Any(IMPORT), NONE, UPLOAD),
    e("GET /imports/template/{kind}", Perm(P::RegistryImport), k(K::Template), 0),
    e("POST /imports/{id}/commit", Any(IMPORT), k(K::Import), LAX),
    e("GET /api/v1/imports", Any(IMPORT), NONE, 0),
    e("POST /api/v1/imports", Any(IMPORT), NONE, UPLOAD),
    e("GET /api/v1/imports/templates/{kind}", Perm(P::RegistryImport), k(K::Template), 0),
    e("POST /api/v1/imports/{id}/commit", Any(IMPORT), k(K::Import), LAX),
    // policy and working days
    e("GET /policy", Login, NONE, 0),
    e("GET /workdays", Login, NONE, 0),
    e("GET /api/v1/policy/check", Login, NONE, 0),
    e("GET /api/v1/policy/packs", Login, NONE, 0),
    e("GET /api/v1/policy/packs/{id}", Login, k(K::Pack), 0),
    e("GET /api/v1/workdays/add", Login, NONE, 0),
    e("GET /api/v1/workdays/between", Login, NONE, 0),
    e("GET /api/v1/workdays/day", Login, NONE, 0),
    // measures and follow-up
    e("GET /impact", Office(P::MeasureRead), NONE, 0),
    e("POST /measures/{id}/reply", Perm(P::MeasureWrite), k(K::Measure), 0),
    e("GET /api/v1/impact/ending", Office(P::MeasureRead), NONE, 0),
    e("GET /api/v1/measures/statistics", Office(P::MeasureRead), NONE, 0),
    e("POST /api/v1/measures/{id}/reply", Perm(P::MeasureWrite), k(K::Measure), 0),
    e("POST /api/v1/eligibility/check", Login, NONE, 0),
    e("GET /follow-ups", Office(P::MeasureRead), NONE, 0),
    e("GET /follow-ups/{id}", Office(P::MeasureRead), k(K::FollowUp), 0),
    e("POST /follow-ups/{id}/mentor", Perm(P::FollowUpRecord), k(K::FollowUp), 0),
    e("POST /follow-ups/{id}/proposal", Perm(P::FollowUpRecord), k(K::FollowUp), 0),
    e("POST /follow-ups/{id}/decision", Perm(P::FollowUpDecide), k(K::FollowUp), 0),
    e("POST /follow-up-visits/{id}", Perm(P::FollowUpRecord), k(K::Visit), 0),
    e("GET /api/v1/follow-ups", Office(P::MeasureRead), NONE, 0),
    e("GET /api/v1/follow-ups/{id}", Office(P::MeasureRead), k(K::FollowUp), 0),
    e("POST /api/v1/follow-ups/{id}/mentor", Perm(P::FollowUpRecord), k(K::FollowUp), 0),
    e("POST /api/v1/follow-ups/{id}/proposal", Perm(P::FollowUpRecord), k(K::FollowUp), 0),
    e("POST /api/v1/follow-ups/{id}/decision", Perm(P::FollowUpDecide), k(K::FollowUp), 0),
    e("POST /api/v1/follow-up-visits/{id}", Perm(P::FollowUpRecord), k(K::Visit), 0),
    // 督查问效
    e("GET /supervision", Perm(P::SupervisionRead), NONE, 0),
    e("GET /supervision/cases", Perm(P::SupervisionRead), NONE, 0),
    e("POST /supervision/cases", Perm(P::SupervisionRequest), NONE, 0),
    e("GET /supervision/cases/new", Perm(P::SupervisionRequest), NONE, 0),
    e("GET /supervision/cases/{id}", Perm(P::SupervisionRead), k(K::SupCase), 0),
    e("GET /supervision/cases/{id}/documents", Perm(P::SupervisionRead), k(K::Reminder), 0),
    e("GET /supervision/cases/{id}/documents.pdf", Perm(P::SupervisionRead), k(K::Reminder), 0),
    e("POST /supervision/cases/{id}/transitions", Any(SUP_ACT), k(K::SupCase), LAX),
    e("POST /supervision/cases/{id}/escalation-decision", Perm(P::MeasureWrite), k(K::SupCase), LAX),
    e("GET /supervision/items/{id}", Perm(P::SupervisionRead), k(K::Item), 0),
    e("POST /supervision/items/{id}/reports", Any(REPORT), k(K::Item), LAX),
    e("GET /supervision/task-letters", Perm(P::SupervisionRead), NONE, 0),
    e("POST /supervision/task-letters", Perm(P::SupervisionWrite), NONE, 0),
    e("GET /supervision/task-letters/{id}", Perm(P::SupervisionRead), k(K::Letter), 0),
    e("POST /supervision/task-letters/{id}/reviews", Perm(P::SupervisionWrite), k(K::Letter), 0),
    e("GET /api/v1/supervision/dashboard", Perm(P::SupervisionRead), NONE, 0),
    e("GET /api/v1/supervision/triggers", Perm(P::SupervisionRead), NONE, 0),
    e("POST /api/v1/supervision/interviews", Perm(P::SupervisionWrite), NONE, 0),
    e("GET /api/v1/supervision/items", Perm(P::SupervisionRead), NONE, 0),
    e("POST /api/v1/supervision/items", Perm(P::SupervisionWrite), NONE, 0),
    e("GET /api/v1/supervision/items/{id}", Perm(P::SupervisionRead), k(K::Item), 0),
    e("POST /api/v1/supervision/items/{id}/reports", Any(REPORT), k(K::Item), LAX),
    e("GET /api/v1/supervision/cases", Perm(P::SupervisionRead), NONE, 0),
    e("POST /api/v1/supervision/cases", Perm(P::SupervisionRequest), NONE, 0),
    e("GET /api/v1/supervision/cases/{id}", Perm(P::SupervisionRead), k(K::SupCase), 0),
    e("GET /api/v1/supervision/cases/{id}/documents", Perm(P::SupervisionRead), k(K::Reminder), 0),
    e("GET /api/v1/supervision/cases/{id}/documents.pdf", Perm(P::SupervisionRead), k(K::Reminder), 0),
    e("POST /api/v1/supervision/cases/{id}/transitions", Any(SUP_ACT), k(K::SupCase), LAX),
    e("POST /api/v1/supervision/cases/{id}/escalation-decision", Perm(P::MeasureWrite), k(K::SupCase), LAX),
    e("GET /api/v1/supervision/task-letters", Perm(P::SupervisionRead), NONE, 0),
    e("POST /api/v1/supervision/task-letters", Perm(P::SupervisionWrite), NONE, 0),
    e("GET /api/v1/supervision/task-letters/{id}", Perm(P::SupervisionRead), k(K::Letter), 0),
    e("POST /api/v1/supervision/task-letters/{id}/reviews", Perm(P::SupervisionWrite), k(K::Letter), 0),
    // 容错纠错
    e("GET /tolerance", Any(&[P::ToleranceRead, P::ToleranceLetterRead]), NONE, 0),
    e("GET /tolerance/new", Any(OPEN), NONE, 0),
    e("POST /tolerance/cases", Any(OPEN), NONE, 0),
    e("GET /tolerance/cases/{id}", Perm(P::ToleranceRead), k(K::TolCase), 0),
    e("POST /tolerance/cases/{id}/analysis", Perm(P::ToleranceHandle), k(K::TolCase), LAX),
    e("POST /tolerance/cases/{id}/attachments", Perm(P::ToleranceRead), k(K::TolCase), LAX | UPLOAD),
    e("GET /tolerance/cases/{id}/attachments/{aid}", Perm(P::ToleranceRead), k(K::Attachment), 0),
    e("POST /tolerance/cases/{id}/findings", Perm(P::ToleranceDecide), k(K::TolCase), LAX),
    e("POST /tolerance/cases/{id}/transitions", Any(TOL_ACT), k(K::TolCase), LAX),
    e("POST /tolerance/cases/{id}/publish", Perm(P::ToleranceHandle), k(K::TolCase), LAX),
    e("GET /tolerance/cases/{id}/letter", Perm(P::ToleranceLetterRead), k(K::Decided), 0),
    e("GET /tolerance/cases/{id}/letter.docx", Perm(P::ToleranceLetterRead), k(K::Decided), 0),
    e("GET /tolerance/cases/{id}/letter.pdf", Perm(P::ToleranceLetterRead), k(K::Decided), 0),
    e("GET /tolerance/filings", Perm(P::ToleranceRead), NONE, 0),
    e("POST /tolerance/filings", Perm(P::FilingCreate), NONE, 0),
    e("POST /tolerance/filings/{id}/revoke", Perm(P::FilingRevoke), k(K::Filing), LAX),
    e("GET /tolerance/library", Perm(P::ToleranceRead), NONE, 0),
    e("POST /tolerance/lists", Any(LISTS), NONE, 0),
    e("GET /api/v1/tolerance/cases", Perm(P::ToleranceRead), NONE, 0),
    e("POST /api/v1/tolerance/cases", Any(OPEN), NONE, 0),
    e("GET /api/v1/tolerance/cases/{id}", Perm(P::ToleranceRead), k(K::TolCase), 0),
    e("PUT /api/v1/tolerance/cases/{id}/analysis", Perm(P::ToleranceHandle), k(K::TolCase), LAX),
    e("GET /api/v1/tolerance/cases/{id}/attachments", Perm(P::ToleranceRead), k(K::TolCase), 0),
    e("POST /api/v1/tolerance/cases/{id}/attachments", Perm(P::ToleranceRead), k(K::TolCase), LAX | UPLOAD),
    e("GET /api/v1/tolerance/cases/{id}/attachments/{aid}", Perm(P::ToleranceRead), k(K::Attachment), 0),
    e("POST /api/v1/tolerance/cases/{id}/findings", Perm(P::ToleranceDecide), k(K::TolCase), LAX),
    e("POST /api/v1/tolerance/cases/{id}/transitions", Any(TOL_ACT), k(K::TolCase), LAX),
    e("POST /api/v1/tolerance/cases/{id}/publish", Perm(P::ToleranceHandle), k(K::TolCase), LAX),
    e("GET /api/v1/tolerance/cases/{id}/suggestions", Perm(P::ToleranceDeliberate), k(K::TolCase), 0),
    e("GET /api/v1/tolerance/cases/{id}/letter.docx", Perm(P::ToleranceLetterRead), k(K::Decided), 0),
    e("GET /api/v1/tolerance/cases/{id}/letter.pdf", Perm(P::ToleranceLetterRead), k(K::Decided), 0),
    e("GET /api/v1/tolerance/copies", Perm(P::ToleranceLetterRead), NONE, 0),
    e("GET /api/v1/tolerance/criteria", Perm(P::ToleranceRead), NONE, 0),
    e("GET /api/v1/tolerance/statistics", Perm(P::ToleranceDeliberate), NONE, 0),
    e("GET /api/v1/tolerance/filings", Perm(P::ToleranceRead), NONE, 0),
    e("POST /api/v1/tolerance/filings", Perm(P::FilingCreate), NONE, 0),
    e("GET /api/v1/tolerance/filings/{id}", Perm(P::ToleranceRead), k(K::Filing), 0),
    e("POST /api/v1/tolerance/filings/{id}/revoke", Perm(P::FilingRevoke), k(K::Filing), LAX),
    e("GET /api/v1/tolerance/library", Perm(P::ToleranceRead), NONE, 0),
    e("GET /api/v1/tolerance/lists", Perm(P::ToleranceRead), NONE, 0),
    e("POST /api/v1/tolerance/lists", Any(LISTS), NONE, 0),
    // assets and telemetry
    e("GET /static/{*path}", Public, k(K::Asset), 0),
    e("GET /favicon.ico", Public, NONE, 0),
    e("GET /healthz", Public, NONE, 0),
    e("GET /metrics", Public, NONE, 0),
    e("GET /api/openapi.json", Public, NONE, 0),
];

/// The ids one account may see, and everything there is.
struct World {
    all: BTreeMap<Kind, Vec<String>>,
    /// Per kind, the rows' owners: attachment → case, token → user, visit → follow-up.
    parent: HashMap<String, String>,
    /// Cases with a served decision letter.
    served: HashSet<String>,
    /// Reminders issued.
    issued: HashSet<String>,
    /// ID number → cadre id.
    id_numbers: HashMap<String, String>,
    /// API token id → its user's id.
    tokens: Vec<(String, String)>,
}

async fn world(env: &Env) -> World {
    let db = env.app.db().read();
    let mut all: BTreeMap<Kind, Vec<String>> = BTreeMap::new();
    let mut parent = HashMap::new();
    let mut id_numbers = HashMap::new();
    let mut put = |k: Kind, id: Uuid| all.entry(k).or_default().push(id.to_string());
    for c in cadre::Entity::find().all(db).await.unwrap() {
        put(K::Cadre, c.id);
        if let Some(n) = c.id_number {
            id_numbers.insert(n, c.id.to_string());
        }
    }
    for u in unit::Entity::find().all(db).await.unwrap() {
        put(K::Unit, u.id);
    }
    let mut measure_owner = HashMap::new();
    for m in measure::Entity::find().all(db).await.unwrap() {
        put(K::Measure, m.id);
        measure_owner.insert(m.id.to_string(), (m.cadre_id.map(|c| c.to_string()), m.unit_id.to_string()));
    }
    for a in appointment::Entity::find().all(db).await.unwrap() {
        put(K::Appointment, a.id);
        parent.insert(a.id.to_string(), a.cadre_id.to_string());
    }
    for f in follow_up::Entity::find().all(db).await.unwrap() {
        put(K::FollowUp, f.id);
    }
    for v in follow_up_visit::Entity::find().all(db).await.unwrap() {
        put(K::Visit, v.id);
        parent.insert(v.id.to_string(), v.follow_up_id.to_string());
    }
    for i in supervised_item::Entity::find().all(db).await.unwrap() {
        put(K::Item, i.id);
    }
    let mut issued = HashSet::new();
    for c in supervision_case::Entity::find().all(db).await.unwrap() {
        put(K::SupCase, c.id);
        put(K::Reminder, c.id);
        if c.kind == "reminder" && c.doc_no.is_some() {
            issued.insert(c.id.to_string());
        }
    }
    for l in task_letter::Entity::find().all(db).await.unwrap() {
        put(K::Letter, l.id);
    }
    let mut served = HashSet::new();
    for c in tolerance_case::Entity::find().all(db).await.unwrap() {
        put(K::TolCase, c.id);
        put(K::Decided, c.id);
        if c.decision.is_some() && c.served_on.is_some() {
            served.insert(c.id.to_string());
        }
    }
    for a in tolerance_attachment::Entity::find().all(db).await.unwrap() {
        put(K::Attachment, a.id);
        parent.insert(a.id.to_string(), a.case_id.to_string());
    }
    for f in advance_filing::Entity::find().all(db).await.unwrap() {
        put(K::Filing, f.id);
    }
    for b in import_batch::Entity::find().all(db).await.unwrap() {
        put(K::Import, b.id);
    }
    for u in app_user::Entity::find().all(db).await.unwrap() {
        if u.username.starts_with("matrix_") {
            put(K::User, u.id);
        }
    }
    let tokens = api_token::Entity::find().all(db).await.unwrap();
    let tokens = tokens.into_iter().map(|t| (t.id.to_string(), t.user_id.to_string())).collect();
    for v in all.values_mut() {
        v.sort();
    }
    let mut w = World { all, parent, served, issued, id_numbers, tokens };
    // Measures are reached through their cadre or, for unit measures, their unit.
    for (id, (c, u)) in measure_owner {
        w.parent.insert(id, c.unwrap_or(u));
    }
    w
}

/// What one account sees: the ids its own list endpoints return.
struct Sight {
    inside: HashMap<Kind, BTreeSet<String>>,
    /// Every user the account administers (not only the test's own).
    users: BTreeSet<String>,
}

impl Sight {
    fn sees(&self, k: Kind, id: &str) -> bool {
        let has = |k: Kind| self.inside.get(&k).is_some_and(|s| s.contains(id));
        // A decision letter copied to the account names its case.
        has(k) || k == K::TolCase && has(K::Decided)
    }
}

async fn list_ids(env: &Env, token: &str, path: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut page = 1;
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let r = env.get(&format!("{path}{sep}per_page=200&page={page}"), token).await;
        if r.status == 403 {
            return out;
        }
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        let v = r.json();
        let items = if v.is_array() { v.clone() } else { v["items"].clone() };
        for i in items.as_array().unwrap_or_else(|| panic!("{path}: no list")) {
            out.insert(i["id"].as_str().unwrap_or_else(|| panic!("{path}: no id")).to_string());
        }
        match v["pages"].as_u64() {
            Some(p) if page < p => page += 1,
            _ => return out,
        }
    }
}

async fn sight(env: &Env, w: &World, token: &str, actor: &Actor) -> Sight {
    let mut inside: HashMap<Kind, BTreeSet<String>> = HashMap::new();
    let lists = [
        (K::Cadre, "/api/v1/cadres"),
        (K::Unit, "/api/v1/units"),
        (K::FollowUp, "/api/v1/follow-ups"),
        (K::Item, "/api/v1/supervision/items"),
        (K::SupCase, "/api/v1/supervision/cases"),
        (K::Letter, "/api/v1/supervision/task-letters"),
        (K::TolCase, "/api/v1/tolerance/cases"),
        (K::Filing, "/api/v1/tolerance/filings"),
        (K::Import, "/api/v1/imports"),
        (K::User, "/api/v1/users"),
    ];
    let mut users = BTreeSet::new();
    for (k, path) in lists {
        let mut ids = list_ids(env, token, path).await;
        if k == K::User {
            users = ids.clone();
            ids.retain(|id| w.all[&K::User].contains(id));
        }
        inside.insert(k, ids);
    }
    if actor.scope.cadre_id.is_some() {
        // A self-service cadre browses no units; their own unit's measures are not theirs.
        inside.insert(K::Unit, BTreeSet::new());
    }
    let child = |k: Kind, of: Kind, inside: &HashMap<Kind, BTreeSet<String>>| -> BTreeSet<String> {
        let empty = BTreeSet::new();
        let parents = inside.get(&of).unwrap_or(&empty);
        w.all.get(&k).into_iter().flatten().filter(|id| parents.contains(&w.parent[*id])).cloned().collect()
    };
    let appointments = child(K::Appointment, K::Cadre, &inside);
    let visits = child(K::Visit, K::FollowUp, &inside);
    inside.insert(K::Appointment, appointments);
    inside.insert(K::Visit, visits);
    let mut measures: BTreeSet<String> = BTreeSet::new();
    if actor.can(P::MeasureRead) {
        for id in w.all.get(&K::Measure).into_iter().flatten() {
            let owner = &w.parent[id];
            if inside[&K::Cadre].contains(owner) || inside[&K::Unit].contains(owner) {
                measures.insert(id.clone());
            }
        }
    }
    inside.insert(K::Measure, measures);
    // Attachments: the ones each visible case lists for this account.
    let mut attachments = BTreeSet::new();
    for case in inside[&K::TolCase].clone() {
        let r = env.get(&format!("/api/v1/tolerance/cases/{case}/attachments"), token).await;
        if r.status == 200 {
            for a in r.json().as_array().unwrap() {
                attachments.insert(a["id"].as_str().unwrap().to_string());
            }
        }
    }
    inside.insert(K::Attachment, attachments);
    // Decision letters: cases read with a served letter, and copies.
    let mut decided: BTreeSet<String> = inside[&K::TolCase].iter().filter(|c| w.served.contains(*c)).cloned().collect();
    let r = env.get("/api/v1/tolerance/copies", token).await;
    if r.status == 200 {
        for c in r.json().as_array().unwrap() {
            decided.insert(c["id"].as_str().unwrap().to_string());
        }
    }
    // A case visible without a letter is neither inside nor outside for letters.
    inside.insert(K::Decided, decided);
    let reminders = inside[&K::SupCase].iter().filter(|c| w.issued.contains(*c)).cloned().collect();
    inside.insert(K::Reminder, reminders);
    Sight { inside, users }
}

/// A test user with a token, in a given place: the targets of the user routes.
async fn matrix_users(env: &Env) {
    let admin = dandang_app::users::actor_by_name(&env.app, "admin").await.unwrap();
    for (name, code, managed) in [("matrix_yl", "420506", "county"), ("matrix_jz", "421000", "city")] {
        let input: dandang_app::users::UserInput = serde_json::from_value(json!({
            "username": name, "display_name": name, "role": "org_cadre",
            "jurisdiction_code": code, "managed_by": [managed],
        }))
        .unwrap();
        dandang_app::users::create(&env.app, &admin, &input).await.unwrap();
        dandang_app::auth::create_token_as_operator(&env.app, name, "matrix").await.unwrap();
    }
}

/// Evidence on every case (uploaded by the handling side) and one the unit uploads itself.
async fn attachments(env: &Env) {
    let file = crate::support::xlsx_rows(&["证据"], &[vec!["矩阵".into()]]);
    for user in ["admin", "yc_fgw"] {
        let t = env.token(user).await;
        let cases = list_ids(env, &t, "/api/v1/tolerance/cases").await;
        assert!(!cases.is_empty(), "{user} sees tolerance cases");
        let mut added = 0;
        for case in &cases {
            let r = env.upload(&format!("/api/v1/tolerance/cases/{case}/attachments"), &t, "证据.xlsx", &file).await;
            // Closed cases take no more evidence.
            assert!(matches!(r.status, 201 | 409), "{user} attaches: {}", r.text());
            added += usize::from(r.status == 201);
            if user != "admin" && added > 0 {
                break;
            }
        }
        assert!(added > 0 || user != "admin", "{user} attached nothing");
    }
}

struct Caller {
    token: String,
    cookie: String,
    csrf: String,
}

async fn caller(env: &Env, user: &str) -> Caller {
    let token = env.token(user).await;
    let b = env.login(user, dandang_demo::DEMO_PASSWORD).await.unwrap_or_else(|r| panic!("{user} logs in: {r:?}"));
    Caller { token, cookie: b.cookie, csrf: b.csrf }
}

/// The values a request is built from: ids inside the account's scope.
struct Fill {
    cadre: String,
    unit: String,
    measure: String,
    follow_up: String,
    leader: String,
    /// What the account may import.
    import_kind: &'static str,
    n: std::cell::Cell<u32>,
}

impl Fill {
    fn uuid_for(&self, key: &str) -> Value {
        let v = match key {
            "cadre_id" => &self.cadre,
            "unit_id" | "lead_unit_id" => &self.unit,
            "measure_id" => &self.measure,
            "follow_up_id" => &self.follow_up,
            "leader_user_id" => &self.leader,
            _ => return json!(Uuid::nil()),
        };
        json!(v)
    }

    fn next(&self) -> u32 {
        self.n.set(self.n.get() + 1);
        self.n.get()
    }
}

/// A value that the schema accepts: required properties only, the first
/// enum value, ids from the account's scope.
fn sample(doc: &Value, s: &Value, key: &str, f: &Fill) -> Value {
    if let Some(r) = s["$ref"].as_str() {
        let target = doc.pointer(&r[1..]).unwrap_or_else(|| panic!("dangling {r}"));
        return sample(doc, target, key, f);
    }
    if let Some(parts) = s["allOf"].as_array() {
        let mut out = serde_json::Map::new();
        for p in parts {
            match sample(doc, p, key, f) {
                Value::Object(m) => out.extend(m),
                other if parts.len() == 1 => return other,
                _ => {}
            }
        }
        return Value::Object(out);
    }
    for combo in ["oneOf", "anyOf"] {
        if let Some(options) = s[combo].as_array() {
            let pick = options.iter().find(|o| o["type"] != "null").unwrap_or(&options[0]);
            return sample(doc, pick, key, f);
        }
    }
    if let Some(values) = s["enum"].as_array() {
        return values.iter().find(|v| !v.is_null()).cloned().unwrap_or(Value::Null);
    }
    let ty = match &s["type"] {
        Value::String(t) => t.as_str(),
        Value::Array(ts) => ts.iter().filter_map(|t| t.as_str()).find(|t| *t != "null").unwrap_or("null"),
        _ if s["properties"].is_object() => "object",
        _ => "string",
    };
    match ty {
        "object" => {
            let mut out = serde_json::Map::new();
            for r in s["required"].as_array().into_iter().flatten() {
                let name = r.as_str().unwrap();
                out.insert(name.into(), sample(doc, &s["properties"][name], name, f));
            }
            Value::Object(out)
        }
        "array" => {
            if s["minItems"].as_u64().unwrap_or(0) > 0 {
                json!([sample(doc, &s["items"], key, f)])
            } else {
                json!([])
            }
        }
        "integer" | "number" => json!(s["minimum"].as_i64().unwrap_or(1).max(1)),
        "boolean" => json!(false),
        "null" => Value::Null,
        _ => match s["format"].as_str() {
            Some("uuid") => f.uuid_for(key),
            Some("date") => json!("2026-11-02"),
            Some("date-time") => json!("2026-11-02T08:00:00Z"),
            _ if key.ends_with("_id") => f.uuid_for(key),
            _ if key == "username" || key == "name" => json!(format!("matrix_{}", f.next())),
            _ if is_date(key) => json!("2026-11-02"),
            _ if key == "n" => json!("5"),
            _ => json!("矩阵测试"),
        },
    }
}

fn is_date(key: &str) -> bool {
    key.ends_with("_on") || key.ends_with("_date") || ["date", "day", "from", "to", "on", "as_of"].contains(&key)
}

/// The required query parameters of an API route, from the OpenAPI document.
fn query_for(doc: &Value, route: &str, f: &Fill) -> String {
    let (m, template) = route.split_once(' ').unwrap();
    let op = &doc["paths"][template][m.to_lowercase()];
    let mut out = Vec::new();
    for p in op["parameters"].as_array().into_iter().flatten() {
        if p["in"] == "query" && p["required"] == true {
            let name = p["name"].as_str().unwrap();
            let v = if name == "kind" && route.contains("/imports") {
                json!(f.import_kind)
            } else {
                sample(doc, &p["schema"], name, f)
            };
            out.push(format!("{name}={}", v.as_str().map(String::from).unwrap_or_else(|| v.to_string())));
        }
    }
    if out.is_empty() { String::new() } else { format!("?{}", out.join("&")) }
}

/// One form carrying every field any page's form has (read from the
/// templates), so the form parses and the handler decides.
fn form_body(f: &Fill, csrf: &str) -> String {
    let mut names = BTreeSet::new();
    let dir = crate::support::workspace().join("crates/web/templates");
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for part in text.split("name=\"").skip(1) {
            let name: String = part.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
            if !name.is_empty() && part[name.len()..].starts_with('"') {
                names.insert(name);
            }
        }
    }
    let mut out = Vec::new();
    for n in names {
        let v = match n.as_str() {
            "_csrf" | "login_csrf" => csrf.to_string(),
            "viewport" | "file" | "revoke_tokens" => continue,
            "version" => "1".into(),
            "next" => "/".into(),
            _ if n.ends_with("_id") => f.uuid_for(&n).as_str().unwrap().to_string(),
            _ if is_date(&n) => "2026-11-02".into(),
            _ => "%E7%9F%A9%E9%98%B5".into(),
        };
        out.push(format!("{n}={v}"));
    }
    out.join("&")
}

fn upload(fields: &[(&str, &str)], file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "matrixboundary0123456789";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"矩阵.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

struct Call<'a> {
    method: Method,
    path: String,
    api: bool,
    entry: &'a Entry,
}

async fn send(env: &Env, doc: &Value, c: &Call<'_>, who: Option<&Caller>, f: &Fill) -> Resp {
    let uri = if c.api {
        format!("{}{}", c.path, query_for(doc, c.entry.route, f))
    } else {
        // Pages reached from a record carry it in the query.
        match c.entry.route {
            "GET /tolerance/new" => format!("{}?cadre_id={}", c.path, f.cadre),
            "GET /supervision/cases/new" => format!("{}?kind=interview&cadre_id={}", c.path, f.cadre),
            _ => c.path.clone(),
        }
    };
    let mut b = Request::builder().method(c.method.clone()).uri(&uri);
    if let Some(who) = who {
        b = if c.api {
            b.header(header::AUTHORIZATION, format!("Bearer {}", who.token))
        } else {
            b.header(header::COOKIE, &who.cookie).header("x-csrf-token", &who.csrf)
        };
    }
    let unsafe_method = c.method != Method::GET;
    let body = if !unsafe_method {
        Body::empty()
    } else if c.entry.flags & UPLOAD != 0 {
        let file = crate::support::xlsx_rows(&["姓名"], &[vec!["矩阵".into()]]);
        let csrf = who.map(|w| w.csrf.as_str()).unwrap_or("");
        let (ct, bytes) = upload(&[("kind", f.import_kind), ("label", "矩阵"), ("_csrf", csrf)], &file);
        b = b.header(header::CONTENT_TYPE, ct);
        Body::from(bytes)
    } else if c.api {
        match request_schema(doc, c) {
            Some(s) => {
                b = b.header(header::CONTENT_TYPE, "application/json");
                Body::from(sample(doc, &s, "", f).to_string())
            }
            None => Body::empty(),
        }
    } else {
        b = b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        Body::from(form_body(f, who.map(|w| w.csrf.as_str()).unwrap_or("")))
    };
    let r = env.request(b.body(body).unwrap()).await;
    // Every status an API call answers is one its operation documents.
    let (_, template) = c.entry.route.split_once(' ').unwrap();
    let responses = &doc["paths"][template][c.method.as_str().to_lowercase()]["responses"];
    if c.api && !responses.is_null() && responses.get(r.status.to_string()).is_none() {
        eprintln!(
            "UNDOCUMENTED {} {}: {}",
            c.entry.route,
            if who.is_some() { "signed in" } else { "nobody" },
            r.status
        );
        UNDOCUMENTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    r
}

/// API answers whose status the OpenAPI document does not give (each printed).
static UNDOCUMENTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The JSON body schema the OpenAPI document gives for a call, if it has one.
fn request_schema(doc: &Value, c: &Call<'_>) -> Option<Value> {
    let (_, template) = c.entry.route.split_once(' ').unwrap();
    let op = &doc["paths"][template][c.method.as_str().to_lowercase()];
    assert!(op.is_object(), "{} is missing from the OpenAPI document", c.entry.route);
    let s = &op["requestBody"]["content"]["application/json"]["schema"];
    if s.is_null() { None } else { Some(s.clone()) }
}

/// Every UUID in a text.
fn uuids(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 36 <= b.len() {
        let w = &b[i..i + 36];
        let ok = w.iter().enumerate().all(|(j, c)| match j {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        });
        if ok {
            out.push(&text[i..i + 36]);
            i += 36;
        } else {
            i += 1;
        }
    }
    out
}

/// Every run of 17 digits and a check character: a full ID number.
fn id_numbers(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 18 <= b.len() {
        let prev_digit = i > 0 && b[i - 1].is_ascii_digit();
        let w = &b[i..i + 18];
        let next_digit = b.get(i + 18).is_some_and(|c| c.is_ascii_alphanumeric());
        if !prev_digit
            && !next_digit
            && w[..17].iter().all(u8::is_ascii_digit)
            && (w[17].is_ascii_digit() || w[17] == b'X' || w[17] == b'x')
        {
            out.push(&text[i..i + 18]);
            i += 18;
        } else {
            i += 1;
        }
    }
    out
}

fn body_text(r: &Resp) -> String {
    let ct = r.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if ct.contains("spreadsheetml") {
        xlsx_text(&r.body)
    } else if ct.starts_with("application/pdf") || ct.contains("wordprocessingml") {
        // The same letter is scanned as the HTML page it is rendered from.
        String::new()
    } else {
        r.text()
    }
}

struct Checker<'a> {
    w: &'a World,
    failures: Vec<String>,
}

impl Checker<'_> {
    fn fail(&mut self, msg: String) {
        self.failures.push(msg);
    }

    /// No id of a record outside the account's scope, no ID number it may not read.
    fn scan(&mut self, who: &str, actor: Option<&Actor>, s: Option<&Sight>, c: &Call<'_>, r: &Resp) {
        let text = body_text(r);
        let sensitive = actor.is_some_and(|a| a.can(P::RegistryReadSensitive));
        for n in id_numbers(&text) {
            let owner = self.w.id_numbers.get(n);
            let ok = sensitive && owner.is_some_and(|id| s.is_some_and(|s| s.sees(K::Cadre, id)));
            if !ok && owner.is_some() {
                self.fail(format!("{who} {} {}: shows ID number {n}", c.method, c.path));
            }
        }
        // The audit trail names records across the auditor's scope; it is
        // scoped by where events happened, which the audit tests check.
        let audit = c.path.contains("/audit");
        if audit && !actor.is_some_and(|a| a.can(P::RegistryRead)) {
            return;
        }
        let seen: HashSet<&str> = uuids(&text).into_iter().collect();
        for k in SCANNED {
            for id in self.w.all.get(k).into_iter().flatten() {
                if seen.contains(id.as_str()) && !s.is_some_and(|s| s.sees(*k, id)) && !c.path.contains(id.as_str()) {
                    self.fail(format!("{who} {} {}: shows {k:?} {id} outside its scope", c.method, c.path));
                }
            }
        }
    }
}

fn path_for(template: &str, id: Option<&str>, sub: Option<&str>) -> String {
    let mut p = template.to_string();
    if let Some(id) = id {
        p = p.replace("{id}", id).replace("{kind}", id).replace("{*path}", id);
    }
    if let Some(sub) = sub {
        p = p.replace("{aid}", sub).replace("{tid}", sub);
    }
    p
}

#[tokio::test]
async fn every_route_for_every_account() {
    each_backend(|env| async move {
        env.demo().await;
        matrix_users(&env).await;
        attachments(&env).await;
        let doc: Value = serde_json::from_str(&dandang_web::openapi_json()).unwrap();

        // Every route has an entry, and every entry a route.
        let routes: BTreeSet<String> = dandang_web::route_table().iter().map(|r| r.to_string()).collect();
        let entries: BTreeSet<String> = MATRIX.iter().map(|e| e.route.to_string()).collect();
        let missing: Vec<_> = routes.difference(&entries).collect();
        let stale: Vec<_> = entries.difference(&routes).collect();
        assert!(missing.is_empty(), "routes without a matrix entry: {missing:#?}");
        assert!(stale.is_empty(), "matrix entries without a route: {stale:#?}");
        assert_eq!(entries.len(), MATRIX.len(), "a route is listed twice");
        // Every API route is in the OpenAPI document.
        for r in dandang_web::route_table() {
            if r.path.starts_with("/api/v1/") {
                let op = &doc["paths"][r.path][r.method.as_str().to_lowercase()];
                assert!(op.is_object(), "{r} is missing from the OpenAPI document");
            }
        }

        let w = world(&env).await;
        let mut ck = Checker { w: &w, failures: Vec::new() };
        // Routes some account got a real answer from, so none is only ever refused.
        let mut answered: BTreeSet<&str> = BTreeSet::new();
        let nobody_fill = Fill {
            cadre: Uuid::nil().to_string(),
            unit: Uuid::nil().to_string(),
            measure: Uuid::nil().to_string(),
            follow_up: Uuid::nil().to_string(),
            leader: Uuid::nil().to_string(),
            import_kind: "cadres",
            n: 0.into(),
        };
        let leader = dandang_app::users::actor_by_name(&env.app, "yc_lingdao").await.unwrap().user_id.0.to_string();

        // Nobody logged in: public routes answer, the others ask for a login.
        for entry in MATRIX {
            let (m, template) = entry.route.split_once(' ').unwrap();
            let id = match entry.kind {
                Some(K::Pack) => Some("cn-hb".to_string()),
                Some(K::Template) => Some("cadres".to_string()),
                Some(K::Asset) => Some("app.css".to_string()),
                Some(k) => w.all.get(&k).and_then(|v| v.first().cloned()).or(Some(Uuid::nil().to_string())),
                None => None,
            };
            let call = Call {
                method: m.parse().unwrap(),
                path: path_for(template, id.as_deref(), Some(&Uuid::nil().to_string())),
                api: template.starts_with("/api/"),
                entry,
            };
            let r = send(&env, &doc, &call, None, &nobody_fill).await;
            match entry.need {
                Need::Public => {
                    if r.status >= 500 || (r.status == 401 && entry.flags & LAX == 0) {
                        ck.fail(format!("nobody {}: {} (public)", entry.route, r.status));
                    }
                }
                _ if call.api => {
                    if r.status != 401 {
                        ck.fail(format!("nobody {}: {} (wants 401)", entry.route, r.status));
                    }
                }
                _ => {
                    let to_login = r
                        .headers
                        .get(header::LOCATION)
                        .and_then(|l| l.to_str().ok())
                        .is_some_and(|l| l.starts_with("/login"));
                    if !(r.status == 303 && to_login) {
                        ck.fail(format!("nobody {}: {} (wants a redirect to /login)", entry.route, r.status));
                    }
                }
            }
            ck.scan("nobody", None, None, &call, &r);
        }

        for user in ACCOUNTS {
            let actor = dandang_app::users::actor_by_name(&env.app, user).await.unwrap();
            let who = caller(&env, user).await;
            let s = sight(&env, &w, &who.token, &actor).await;
            let first = |k: Kind| s.inside.get(&k).and_then(|v| v.iter().next().cloned());
            let fill = Fill {
                cadre: first(K::Cadre).unwrap_or_else(|| Uuid::nil().to_string()),
                unit: first(K::Unit).unwrap_or_else(|| Uuid::nil().to_string()),
                measure: first(K::Measure).unwrap_or_else(|| Uuid::nil().to_string()),
                follow_up: first(K::FollowUp).unwrap_or_else(|| Uuid::nil().to_string()),
                leader: leader.clone(),
                import_kind: if actor.can(P::RegistryImport) {
                    "cadres"
                } else if actor.can(P::MeasureWrite) {
                    "measures"
                } else {
                    "supervised_items"
                },
                n: 0.into(),
            };
            let (last, now): (Vec<&Entry>, Vec<&Entry>) = MATRIX.iter().partition(|e| e.flags & LAST != 0);
            for entry in now.into_iter().chain(last) {
                let fresh;
                let who = if entry.flags & LAST != 0 {
                    fresh = caller(&env, user).await;
                    &fresh
                } else {
                    &who
                };
                let (m, template) = entry.route.split_once(' ').unwrap();
                let method: Method = m.parse().unwrap();
                let api = template.starts_with("/api/");
                let allowed = entry.need.allows(&actor);
                // (id, sub-id, expectation): true = inside, false = outside.
                let mut targets: Vec<(Option<String>, Option<String>, bool)> = Vec::new();
                match entry.kind {
                    None => targets.push((None, None, true)),
                    Some(K::Pack) => targets.push((Some("cn-hb".into()), None, true)),
                    Some(K::Template) => targets.push((Some("cadres".into()), None, true)),
                    Some(K::Asset) => targets.push((Some("app.css".into()), None, true)),
                    Some(K::OwnToken) => {
                        let (_, id) = dandang_app::auth::create_token_as_operator(&env.app, user, "matrix-own")
                            .await
                            .map(|(t, v)| (t, v.id))
                            .unwrap();
                        targets.push((Some(id.to_string()), None, true));
                        let me = actor.user_id.0.to_string();
                        if let Some((other, _)) = w.tokens.iter().find(|(_, u)| *u != me && !s.users.contains(u)) {
                            targets.push((Some(other.clone()), None, false));
                        }
                    }
                    Some(K::User) => {
                        for id in &w.all[&K::User] {
                            let token =
                                w.tokens.iter().find(|(_, u)| u == id).map(|(t, _)| t.clone()).unwrap_or_default();
                            targets.push((Some(id.clone()), Some(token), s.sees(K::User, id)));
                        }
                    }
                    Some(K::Attachment) => {
                        if let Some(a) = first(K::Attachment) {
                            targets.push((Some(w.parent[&a].clone()), Some(a), true));
                        }
                        if let Some(a) = w.all[&K::Attachment].iter().find(|a| !s.sees(K::TolCase, &w.parent[*a])) {
                            targets.push((Some(w.parent[a].clone()), Some(a.clone()), false));
                        }
                    }
                    Some(k) => {
                        if let Some(id) = first(k) {
                            targets.push((Some(id), None, true));
                        }
                        let outside: Vec<&String> = w
                            .all
                            .get(&k)
                            .into_iter()
                            .flatten()
                            .filter(|id| {
                                // A case seen without a letter (a reminder not yet issued)
                                // is neither inside nor outside.
                                let seen_case = match k {
                                    K::Decided => s.sees(K::TolCase, id),
                                    K::Reminder => s.sees(K::SupCase, id),
                                    _ => false,
                                };
                                !(s.sees(k, id) || seen_case)
                            })
                            .collect();
                        for id in [outside.first(), outside.last()].into_iter().flatten().collect::<BTreeSet<_>>() {
                            targets.push((Some((*id).clone()), None, false));
                        }
                    }
                }
                if entry.kind.is_some() && !matches!(entry.kind, Some(K::Pack | K::Template | K::Asset)) {
                    // A record that does not exist: the reference answer for "outside".
                    targets.push((Some(Uuid::now_v7().to_string()), Some(Uuid::now_v7().to_string()), false));
                }
                for (id, sub, inside) in targets {
                    let call = Call {
                        method: method.clone(),
                        path: path_for(template, id.as_deref(), sub.as_deref()),
                        api,
                        entry,
                    };
                    let r = send(&env, &doc, &call, Some(who), &fill).await;
                    let status = r.status;
                    let what = format!("{user} {} {}", call.method, call.path);
                    if !allowed {
                        // An account with no record of its own has none to show.
                        let want = if matches!(entry.need, Need::OwnRecord) { 404 } else { 403 };
                        if status != want {
                            ck.fail(format!("{what}: {status} (not for this role: wants {want}) {}", snippet(&r)));
                        }
                    } else if !inside {
                        if status != 404 {
                            ck.fail(format!("{what}: {status} (outside the scope: wants 404) {}", snippet(&r)));
                        }
                    } else {
                        let ok = match status {
                            200..400 => true,
                            400 | 403 | 409 | 422 => {
                                entry.flags & LAX != 0 || call.method != Method::GET && status != 403
                            }
                            _ => false,
                        };
                        if !ok {
                            ck.fail(format!("{what}: {status} (inside the scope) {}", snippet(&r)));
                        }
                        // Past the access checks: a page or file, or the body's own refusal.
                        if (200..400).contains(&status) || call.method != Method::GET && ok {
                            answered.insert(entry.route);
                        }
                    }
                    ck.scan(user, Some(&actor), Some(&s), &call, &r);
                }
            }
        }
        for entry in MATRIX {
            if entry.need.allows_nobody() && !answered.contains(entry.route) && entry.flags & LAX == 0 {
                ck.fail(format!("{}: no account got an answer (only refusals)", entry.route));
            }
        }
        if let Ok(out) = std::env::var("MATRIX_OUT") {
            std::fs::write(format!("{out}.{}", env.backend), ck.failures.join("\n")).unwrap();
        }
        let undocumented = UNDOCUMENTED.swap(0, std::sync::atomic::Ordering::Relaxed);
        assert!(
            undocumented == 0,
            "{undocumented} API answers with a status the OpenAPI document does not give (UNDOCUMENTED lines above)"
        );
        let n = ck.failures.len();
        assert!(n == 0, "{} {n} access matrix failures:\n{}", env.backend, ck.failures.join("\n"));
    })
    .await;
}

fn snippet(r: &Resp) -> String {
    let t = r.text();
    if let Some(i) = t.find("\"message\"") {
        return t[i..].chars().take(160).collect();
    }
    // A page: its alert, without the markup.
    let from = t.find("role=\"alert\"").map(|i| i + 13).unwrap_or(0);
    let mut out = String::new();
    let mut tag = false;
    for ch in t[from..].chars() {
        match ch {
            '<' => tag = true,
            '>' => tag = false,
            c if !tag && !c.is_whitespace() => out.push(c),
            _ => {}
        }
        if out.chars().count() >= 120 {
            break;
        }
    }
    out
}
