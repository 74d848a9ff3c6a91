//! Who may do what, and over which records.
//!
//! A user has one role and one scope. The role grants permissions; the scope
//! (a jurisdiction subtree, the management-authority levels handled, and for
//! some roles a unit subtree or a single cadre) limits the records. The same
//! scope drives record checks here and the SQL filters of list queries in the
//! store, so the two cannot drift apart.

pub mod audience;

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::{
    error::Problem,
    ids::{CadreId, UnitId, UserId},
    registry::ManagedBy,
};

macro_rules! roles {
    ($($variant:ident = ($code:literal, $label:literal)),* $(,)?) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum Role { $( #[serde(rename = $code)] $variant ),* }

        impl Role {
            pub const ALL: &'static [Role] = &[$(Role::$variant),*];
            pub fn code(self) -> &'static str { match self { $(Role::$variant => $code),* } }
            pub fn label_zh(self) -> &'static str { match self { $(Role::$variant => $label),* } }
            pub fn parse(s: &str) -> Result<Role, Problem> {
                let t = s.trim();
                Role::ALL.iter().copied().find(|r| r.code() == t || r.label_zh() == t)
                    .ok_or_else(|| Problem::Unknown { allowed: Role::ALL.iter().map(|r| r.label_zh().to_string()).collect() })
            }
        }
    };
}

roles!(
    Admin = ("admin", "系统管理员"),
    OrgCadre = ("org_cadre", "组织部干部科"),
    OrgSupervision = ("org_supervision", "组织部干部监督科"),
    DisciplineCommission = ("discipline_commission", "纪委监委"),
    SupervisionOffice = ("supervision_office", "督查室"),
    Leader = ("leader", "党委（政府）领导"),
    UnitPartyCommittee = ("unit_party_committee", "单位党委（党组）"),
    Cadre = ("cadre", "干部本人"),
    InspectionOffice = ("inspection_office", "巡察机构"),
    AuditBureau = ("audit_bureau", "审计部门"),
    Auditor = ("auditor", "审计员"),
);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Read jurisdictions, units, posts and cadres within scope.
    RegistryRead,
    /// See the unmasked ID number and other sensitive fields (audited).
    RegistryReadSensitive,
    RegistryWrite,
    RegistryImport,
    RegistryExport,
    AuditRead,
    UserAdmin,
    /// See measures, sanctions and eligibility on cadres within scope (audited).
    MeasureRead,
    /// Record measures and later tolerance outcomes on them.
    MeasureWrite,
    /// Name mentors, record visits and propose "no longer affects use" (回访教育).
    FollowUpRecord,
    /// Decide on those proposals (organization department).
    FollowUpDecide,
    /// See supervised items, reminders, interviews and escalation (督查问效).
    SupervisionRead,
    /// Record interviews, create items, plan interviews, issue reminders and recheck.
    SupervisionWrite,
    /// Ask for an interview or draft a reminder.
    SupervisionRequest,
    /// Approve or refuse a requested interview or reminder (principal leader).
    SupervisionApprove,
    /// Write the record of an interview held and file it (organization department).
    InterviewRecord,
    /// Report rectification plans and progress (the unit concerned).
    SupervisionReport,
    /// See tolerance cases within scope (容错纠错); which ones and how much of
    /// each is `audience::tolerance_audience`.
    ToleranceRead,
    /// Read a tolerance case's deliberation: the analysis, the suggestions,
    /// the joint-review opinions and the evidence (the handling and deciding
    /// bodies and the organization department).
    ToleranceDeliberate,
    /// Apply for tolerance or appeal a decision (the cadre, the unit's party organization).
    ToleranceApply,
    /// Accept, investigate, run joint reviews, sign off corrections (the handling body).
    ToleranceHandle,
    /// Record the collective decision and decide appeals (the deciding body).
    ToleranceDecide,
    /// Report correction after a decision (the unit).
    ToleranceReport,
    /// Receive copies of tolerance decision letters (抄送) without seeing the
    /// case file: inspection bodies and audit departments.
    ToleranceLetterRead,
    /// File a risky decision in advance (前瞻性决策风险事前报备).
    FilingCreate,
    /// Revoke a filing used as a shield (the discipline commission).
    FilingRevoke,
}

impl Role {
    pub fn permits(self, p: Permission) -> bool {
        use Permission::*;
        use Role::*;
        // Whoever reads the case file reads its decision letter.
        if p == ToleranceLetterRead && self.permits(ToleranceRead) {
            return true;
        }
        match self {
            Admin => true,
            OrgCadre => matches!(
                p,
                RegistryRead
                    | RegistryReadSensitive
                    | RegistryWrite
                    | RegistryImport
                    | RegistryExport
                    | MeasureRead
                    | FollowUpDecide
                    | SupervisionRead
                    | InterviewRecord
                    | ToleranceRead
                    | ToleranceDeliberate
            ),
            // The cadre supervision section keeps the measures file and
            // decides on follow-up proposals with the cadre section.
            OrgSupervision => matches!(
                p,
                RegistryRead
                    | RegistryReadSensitive
                    | RegistryExport
                    | MeasureRead
                    | MeasureWrite
                    | FollowUpRecord
                    | FollowUpDecide
                    | SupervisionRead
                    | SupervisionWrite
                    | SupervisionRequest
                    | InterviewRecord
                    | ToleranceRead
                    | ToleranceDeliberate
                    | ToleranceHandle
                    | ToleranceDecide
            ),
            DisciplineCommission => {
                matches!(
                    p,
                    RegistryRead
                        | RegistryReadSensitive
                        | MeasureRead
                        | MeasureWrite
                        | FollowUpRecord
                        | SupervisionRead
                        | ToleranceRead
                        | ToleranceDeliberate
                        | ToleranceHandle
                        | ToleranceDecide
                        | FilingRevoke
                )
            }
            // The supervision office runs 督查问效; it does not see sanctions.
            SupervisionOffice => matches!(p, RegistryRead | SupervisionRead | SupervisionWrite | SupervisionRequest),
            // A principal leader asks for interviews and approves them.
            Leader => matches!(p, RegistryRead | SupervisionRead | SupervisionRequest | SupervisionApprove),
            // The unit's party committee names mentors, visits and proposes,
            // and reports its rectification.
            UnitPartyCommittee => {
                matches!(
                    p,
                    RegistryRead
                        | MeasureRead
                        | FollowUpRecord
                        | SupervisionRead
                        | SupervisionReport
                        | ToleranceRead
                        | ToleranceApply
                        | ToleranceReport
                        | FilingCreate
                )
            }
            // A cadre reads their own record, which the scope pins to one row.
            Cadre => matches!(
                p,
                RegistryRead | RegistryReadSensitive | MeasureRead | ToleranceRead | ToleranceApply | FilingCreate
            ),
            // Inspection bodies and audit departments receive the decision
            // letters copied to them (信息共享) and nothing of the case file.
            InspectionOffice | AuditBureau => matches!(p, RegistryRead | ToleranceLetterRead),
            Auditor => matches!(p, AuditRead),
        }
    }

    /// Roles whose scope is tied to a unit subtree or one cadre.
    pub fn needs_unit(self) -> bool {
        self == Role::UnitPartyCommittee
    }

    pub fn needs_cadre(self) -> bool {
        self == Role::Cadre
    }
}

/// The records a user acts on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// Materialized path of the root jurisdiction, e.g. "/420000/420500/".
    pub jurisdiction_path: String,
    pub managed_by: BTreeSet<ManagedBy>,
    /// Set for unit party committees: the unit subtree's path.
    pub unit_path: Option<String>,
    pub unit_id: Option<UnitId>,
    /// Set for self-service cadres: the only cadre they see.
    pub cadre_id: Option<CadreId>,
}

/// Where a cadre sits, as far as scope checks are concerned.
#[derive(Clone, Debug)]
pub struct CadreLocation<'a> {
    pub cadre_id: CadreId,
    pub jurisdiction_path: &'a str,
    pub unit_path: &'a str,
    pub managed_by: ManagedBy,
}

impl Scope {
    pub fn covers_jurisdiction(&self, path: &str) -> bool {
        path.starts_with(&self.jurisdiction_path)
    }

    /// Units are visible across the jurisdiction subtree; unit-bound scopes
    /// see only their unit subtree.
    pub fn covers_unit(&self, jurisdiction_path: &str, unit_path: &str) -> bool {
        if self.cadre_id.is_some() {
            return false;
        }
        self.covers_jurisdiction(jurisdiction_path)
            && self.unit_path.as_deref().is_none_or(|p| unit_path.starts_with(p))
    }

    pub fn covers_cadre(&self, c: &CadreLocation<'_>) -> bool {
        if let Some(only) = self.cadre_id {
            return only == c.cadre_id;
        }
        self.covers_jurisdiction(c.jurisdiction_path)
            && self.managed_by.contains(&c.managed_by)
            && self.unit_path.as_deref().is_none_or(|p| c.unit_path.starts_with(p))
    }

    /// Whether `inner` grants nothing beyond this scope: an administrator
    /// cannot create a user who sees more than the administrator does.
    pub fn contains(&self, inner: &Scope) -> bool {
        if self.cadre_id.is_some() {
            return inner.cadre_id == self.cadre_id;
        }
        // A scope without levels (an auditor's) reads the audit trail of every
        // level of its subtree, so only a scope holding every level contains it.
        let levels = if inner.managed_by.is_empty() {
            ManagedBy::ALL.iter().all(|m| self.managed_by.contains(m))
        } else {
            inner.managed_by.is_subset(&self.managed_by)
        };
        inner.jurisdiction_path.starts_with(&self.jurisdiction_path)
            && levels
            && match (&self.unit_path, &inner.unit_path) {
                (None, _) => true,
                (Some(a), Some(b)) => b.starts_with(a),
                (Some(_), None) => false,
            }
    }

    pub fn managed_by_label(&self) -> String {
        self.managed_by.iter().map(|m| m.label_zh()).collect::<Vec<_>>().join("、")
    }
}

/// The person behind a request, as the app layer sees them.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub scope: Scope,
    pub request_id: Option<String>,
}

impl Actor {
    pub fn can(&self, p: Permission) -> bool {
        self.role.permits(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(path: &str, m: &[ManagedBy]) -> Scope {
        Scope {
            jurisdiction_path: path.into(),
            managed_by: m.iter().copied().collect(),
            unit_path: None,
            unit_id: None,
            cadre_id: None,
        }
    }

    #[test]
    fn county_department_does_not_see_higher_managed_cadres() {
        let county = scope("/420000/420500/420506/", &[ManagedBy::County]);
        let id = CadreId::new();
        let loc = |m| CadreLocation {
            cadre_id: id,
            jurisdiction_path: "/420000/420500/420506/420506100/",
            unit_path: "/u1/",
            managed_by: m,
        };
        assert!(county.covers_cadre(&loc(ManagedBy::County)));
        assert!(!county.covers_cadre(&loc(ManagedBy::City)));
        assert!(!county.covers_cadre(&loc(ManagedBy::Province)));
        let other = CadreLocation { jurisdiction_path: "/420000/421000/", ..loc(ManagedBy::County) };
        assert!(!county.covers_cadre(&other));
    }

    #[test]
    fn self_service_sees_only_itself() {
        let me = CadreId::new();
        let s = Scope { cadre_id: Some(me), ..scope("/420000/", &[ManagedBy::County]) };
        let loc = |id| CadreLocation {
            cadre_id: id,
            jurisdiction_path: "/420000/",
            unit_path: "/u/",
            managed_by: ManagedBy::City,
        };
        assert!(s.covers_cadre(&loc(me)));
        assert!(!s.covers_cadre(&loc(CadreId::new())));
        assert!(!s.covers_unit("/420000/", "/u/"));
    }

    #[test]
    fn scope_containment() {
        let city = scope("/420000/420500/", &[ManagedBy::City, ManagedBy::County]);
        assert!(city.contains(&scope("/420000/420500/420506/", &[ManagedBy::County])));
        assert!(!city.contains(&scope("/420000/", &[ManagedBy::County])));
        assert!(!city.contains(&scope("/420000/420500/", &[ManagedBy::Province])));
        // An auditor's scope has no levels and reads every level's audit events.
        assert!(!city.contains(&scope("/420000/420500/420506/", &[])));
        let all = scope("/420000/420500/", &[ManagedBy::Province, ManagedBy::City, ManagedBy::County]);
        assert!(all.contains(&scope("/420000/420500/420506/", &[])));
    }

    #[test]
    fn permissions() {
        assert!(Role::Auditor.permits(Permission::AuditRead));
        assert!(!Role::Auditor.permits(Permission::RegistryRead));
        assert!(!Role::SupervisionOffice.permits(Permission::RegistryReadSensitive));
        assert!(!Role::OrgSupervision.permits(Permission::RegistryWrite));
        assert!(Role::OrgCadre.permits(Permission::RegistryImport));
        assert_eq!(Role::parse("督查室"), Ok(Role::SupervisionOffice));
    }
}
