//! Who sees a record in which state. Scope says which cadres and units an
//! actor's records may concern; these rules say which of those records are
//! still deliberations that their subject, or a party to them, may not read
//! yet. The store turns each rule into SQL; the property tests check the two
//! agree.

use super::{Permission, Role};
use crate::{supervision::case::CaseState as SupervisionState, tolerance::case::Origin};

/// The 督查问效 case states a role sees, besides the cases its user asked for.
///
/// A request for an interview or a reminder, and a leader's refusal with
/// reasons, are internal to the requester, the approving leader and the
/// supervision office. Other offices see a case once it is approved; the unit
/// concerned once it has been told (the interview held, the reminder issued),
/// which is when it has something to do.
pub fn supervision_states(role: Role) -> Option<&'static [SupervisionState]> {
    use SupervisionState as S;
    if role.permits(Permission::SupervisionApprove) || role.permits(Permission::SupervisionWrite) {
        return None;
    }
    if role.permits(Permission::SupervisionReport) {
        return Some(&[S::AwaitingPlan, S::Rectifying, S::Recheck, S::Closed]);
    }
    if role.permits(Permission::SupervisionRead) {
        return Some(&[S::Approved, S::Planned, S::AwaitingPlan, S::Rectifying, S::Recheck, S::Closed]);
    }
    Some(&[])
}

/// Whether a role sees a 督查问效 case in `state` (scope aside); `own`: the
/// user asked for it.
pub fn sees_supervision_case(role: Role, state: SupervisionState, own: bool) -> bool {
    own || supervision_states(role).is_none_or(|s| s.contains(&state))
}

/// How much of a tolerance case (容错纠错) a role reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToleranceAudience {
    /// The handling and deciding bodies and the organization department: the
    /// whole file, with the analysis, the suggestions, the joint-review
    /// opinions and the evidence.
    Deliberating,
    /// The unit's party organization: its own applications, and any case once
    /// decided (it reports the correction); never the analysis.
    Unit,
    /// The cadre: their own applications, and any case once a decision or
    /// refusal was served on them; never the analysis.
    Subject,
    /// Roles that read no tolerance case.
    None,
}

pub fn tolerance_audience(role: Role) -> ToleranceAudience {
    if role.permits(Permission::ToleranceDeliberate) {
        ToleranceAudience::Deliberating
    } else if !role.permits(Permission::ToleranceRead) {
        ToleranceAudience::None
    } else if role == Role::Cadre {
        ToleranceAudience::Subject
    } else {
        ToleranceAudience::Unit
    }
}

/// Whether an audience sees a tolerance case (scope aside).
pub fn sees_tolerance_case(a: ToleranceAudience, origin: Origin, decided: bool, served: bool) -> bool {
    match a {
        ToleranceAudience::Deliberating => true,
        ToleranceAudience::Unit => origin == Origin::UnitApplication || decided,
        ToleranceAudience::Subject => origin == Origin::CadreApplication || served,
        ToleranceAudience::None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_stay_with_requester_leader_and_office() {
        use SupervisionState as S;
        for r in [Role::Leader, Role::SupervisionOffice, Role::OrgSupervision, Role::Admin] {
            assert!(sees_supervision_case(r, S::Requested, false), "{r:?}");
        }
        for r in [Role::UnitPartyCommittee, Role::DisciplineCommission, Role::OrgCadre, Role::Cadre, Role::Auditor] {
            assert!(!sees_supervision_case(r, S::Requested, false), "{r:?}");
            assert!(!sees_supervision_case(r, S::Rejected, false), "{r:?}");
        }
        assert!(!sees_supervision_case(Role::UnitPartyCommittee, S::Planned, false));
        assert!(sees_supervision_case(Role::UnitPartyCommittee, S::AwaitingPlan, false));
        assert!(sees_supervision_case(Role::DisciplineCommission, S::Planned, false));
    }

    #[test]
    fn subjects_see_their_own_applications_and_what_was_served() {
        let s = tolerance_audience(Role::Cadre);
        assert_eq!(s, ToleranceAudience::Subject);
        assert!(sees_tolerance_case(s, Origin::CadreApplication, false, false));
        assert!(!sees_tolerance_case(s, Origin::ExOfficio, true, false));
        assert!(sees_tolerance_case(s, Origin::ExOfficio, true, true));
        let u = tolerance_audience(Role::UnitPartyCommittee);
        assert!(!sees_tolerance_case(u, Origin::ExOfficio, false, false));
        assert!(sees_tolerance_case(u, Origin::ExOfficio, true, false));
        assert_eq!(tolerance_audience(Role::DisciplineCommission), ToleranceAudience::Deliberating);
        assert_eq!(tolerance_audience(Role::InspectionOffice), ToleranceAudience::None);
    }
}
