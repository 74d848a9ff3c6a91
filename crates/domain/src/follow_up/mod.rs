//! Follow-up of sanctioned cadres (回访教育, M8) as a state machine:
//! mentor named → visits → the unit proposes → the organization department decides.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::Problem;
use crate::registry::code_enum;

code_enum!(FollowUpState {
    MentorPending = ("mentor_pending", "待明确帮带责任人"),
    Visiting = ("visiting", "回访教育中"),
    Proposed = ("proposed", "单位已提出使用建议"),
    Decided = ("decided", "组织部门已决定"),
    Closed = ("closed", "已终止（措施经容错免责）"),
});

code_enum!(FollowUpAction {
    NameMentor = ("name_mentor", "明确帮带责任人"),
    RecordVisit = ("record_visit", "记录回访"),
    Propose = ("propose", "提出使用建议"),
    Decide = ("decide", "作出决定"),
    Close = ("close", "终止回访教育"),
});

code_enum!(VisitEvaluation {
    Good = ("good", "表现好"),
    Fair = ("fair", "表现一般"),
    Poor = ("poor", "表现较差"),
});

code_enum!(UseDecision {
    NoLongerAffects = ("no_longer_affects", "影响期满后不影响使用"),
    StillAffects = ("still_affects", "暂不建议使用"),
});

code_enum!(VisitStatus {
    Planned = ("planned", "待回访"),
    Overdue = ("overdue", "逾期未回访"),
    Done = ("done", "已回访"),
    Lapsed = ("lapsed", "回访教育已结束，未回访"),
});

impl FollowUpState {
    /// In progress (回访教育中): every count and list uses this one definition.
    /// A decided or closed follow-up is never flagged late.
    pub fn is_open(self) -> bool {
        matches!(self, FollowUpState::MentorPending | FollowUpState::Visiting | FollowUpState::Proposed)
    }

    /// The state after `action`, or why the action is not possible now.
    pub fn next(self, action: FollowUpAction) -> Result<FollowUpState, Problem> {
        use FollowUpAction as A;
        use FollowUpState as S;
        match (self, action) {
            (S::MentorPending | S::Visiting, A::NameMentor) => Ok(S::Visiting),
            (S::Visiting | S::Proposed, A::RecordVisit) => Ok(self),
            (S::Visiting, A::Propose) => Ok(S::Proposed),
            (S::Proposed, A::Decide) => Ok(S::Decided),
            (S::MentorPending | S::Visiting | S::Proposed, A::Close) => Ok(S::Closed),
            (s, a) => Err(Problem::Conflict {
                detail: format!("当前状态为“{}”，不能{}", s.label_zh(), a.label_zh())
            }),
        }
    }
}

/// A visit not made while the follow-up was open is overdue; once the
/// follow-up has ended (decided or closed) it is no longer owed.
pub fn visit_status(due: NaiveDate, visited: Option<NaiveDate>, today: NaiveDate, open: bool) -> VisitStatus {
    match visited {
        Some(_) => VisitStatus::Done,
        None if !open => VisitStatus::Lapsed,
        None if due < today => VisitStatus::Overdue,
        None => VisitStatus::Planned,
    }
}

/// Visit dates every `months` after `effective` up to the last day of the
/// impact period; at least one, on the last day, when the period is shorter.
pub fn plan_visits(effective: NaiveDate, months: u32, last_day: Option<NaiveDate>) -> Vec<NaiveDate> {
    let months = months.max(1);
    let end = last_day.unwrap_or_else(|| crate::measures::dates::add_months(effective, months * 4));
    let mut out = Vec::new();
    let mut k = 1;
    loop {
        let d = crate::measures::dates::add_months(effective, months * k);
        if d > end {
            break;
        }
        out.push(d);
        k += 1;
    }
    if out.is_empty() {
        out.push(end);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_procedure_runs_in_order() {
        let s = FollowUpState::MentorPending;
        assert!(s.next(FollowUpAction::Propose).is_err());
        assert!(s.next(FollowUpAction::RecordVisit).is_err());
        let s = s.next(FollowUpAction::NameMentor).unwrap();
        let s = s.next(FollowUpAction::RecordVisit).unwrap();
        assert!(s.next(FollowUpAction::Decide).is_err());
        let s = s.next(FollowUpAction::Propose).unwrap();
        let s = s.next(FollowUpAction::Decide).unwrap();
        assert_eq!(s, FollowUpState::Decided);
        assert!(s.next(FollowUpAction::Close).is_err());
        assert_eq!(FollowUpState::Visiting.next(FollowUpAction::Close), Ok(FollowUpState::Closed));
        for a in FollowUpAction::ALL {
            assert!(s.next(*a).is_err(), "{a:?} after the decision");
        }
    }

    #[test]
    fn visits_fill_the_period() {
        assert_eq!(plan_visits(d("2024-03-01"), 12, Some(d("2026-03-01"))), vec![d("2025-03-01"), d("2026-03-01")]);
        assert_eq!(plan_visits(d("2024-03-01"), 6, Some(d("2025-03-01"))), vec![d("2024-09-01"), d("2025-03-01")]);
        assert_eq!(plan_visits(d("2024-03-01"), 12, Some(d("2024-09-01"))), vec![d("2024-09-01")]);
        assert_eq!(visit_status(d("2024-09-01"), None, d("2024-09-02"), true), VisitStatus::Overdue);
        assert_eq!(visit_status(d("2024-09-01"), None, d("2024-09-01"), true), VisitStatus::Planned);
        // An ended follow-up owes no visit, whatever the date.
        assert_eq!(visit_status(d("2024-09-01"), None, d("2024-09-02"), false), VisitStatus::Lapsed);
        assert_eq!(visit_status(d("2024-09-01"), Some(d("2024-09-01")), d("2024-09-02"), false), VisitStatus::Done);
    }
}
