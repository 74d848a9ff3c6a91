//! The two procedures of 督查问效 as one state machine: a work reminder
//! (工作提醒) to a department and a work interview (工作约谈) with a cadre.
//! They differ up to the moment the department is told (the reminder is
//! issued, the interview held); from there both run the same rectification:
//! plan, periodic progress reports, recheck, closure.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::{
    access::Permission,
    calendar::{Answer, WorkCalendar},
    error::Problem,
    registry::code_enum,
};

code_enum!(CaseKind {
    Interview = ("interview", "工作约谈"),
    Reminder = ("reminder", "工作提醒"),
});

code_enum!(CaseState {
    Requested = ("requested", "待审批"),
    Approved = ("approved", "已批准"),
    Planned = ("planned", "待约谈"),
    AwaitingPlan = ("awaiting_plan", "待报整改方案"),
    Rectifying = ("rectifying", "整改中"),
    Recheck = ("recheck", "待复查"),
    Closed = ("closed", "已办结"),
    Rejected = ("rejected", "未获批准"),
    Withdrawn = ("withdrawn", "已撤回"),
});

code_enum!(CaseAction {
    Approve = ("approve", "批准"),
    Reject = ("reject", "不予批准"),
    Withdraw = ("withdraw", "撤回"),
    // Hold comes before Plan: once planned, recording the interview is the
    // step expected, revising the plan the exception.
    Hold = ("hold", "记录约谈并归档"),
    Plan = ("plan", "制定约谈方案"),
    Issue = ("issue", "发出提醒函和工作通知"),
    SubmitPlan = ("submit_plan", "报送整改方案"),
    Report = ("report", "报送整改进展"),
    Finish = ("finish", "报告整改完成，申请复查"),
    Pass = ("pass", "复查通过，办结"),
    Fail = ("fail", "复查未通过，退回整改"),
});

code_enum!(
    /// Who acts next; the label is what the inbox shows.
    Owner {
        Leader = ("leader", "主要领导审批"),
        SupervisionOffice = ("supervision_office", "督查室"),
        OrgDepartment = ("org_department", "组织部"),
        Unit = ("unit", "责任单位"),
    }
);

impl Owner {
    /// The permission of the owner's step: holding it is what makes a case
    /// "待我办理" (revising a plan or withdrawing a request is possible
    /// without the case waiting on the viewer).
    pub fn permission(self) -> Permission {
        match self {
            Owner::Leader => Permission::SupervisionApprove,
            Owner::SupervisionOffice => Permission::SupervisionWrite,
            Owner::OrgDepartment => Permission::InterviewRecord,
            Owner::Unit => Permission::SupervisionReport,
        }
    }
}

impl CaseState {
    pub fn is_terminal(self) -> bool {
        matches!(self, CaseState::Closed | CaseState::Rejected | CaseState::Withdrawn)
    }

    /// The label in the context of a procedure ("已批准，待制定方案" reads
    /// differently for a reminder).
    pub fn label_for(self, kind: CaseKind) -> &'static str {
        match (kind, self) {
            (CaseKind::Interview, CaseState::Approved) => "已批准，待制定约谈方案",
            (CaseKind::Reminder, CaseState::Approved) => "已批准，待发出",
            (CaseKind::Reminder, CaseState::Requested) => "拟稿待审批",
            (_, s) => s.label_zh(),
        }
    }
}

impl CaseKind {
    pub fn start(self) -> CaseState {
        CaseState::Requested
    }
}

impl CaseAction {
    /// What cannot be undone once the step is taken, for steps that ask for
    /// confirmation (批准, 发出提醒函 …).
    pub fn consequence_zh(self) -> Option<&'static str> {
        use CaseAction as A;
        match self {
            A::Approve => Some("批准后交督查室组织实施，不能撤回"),
            A::Reject => Some("不予批准后本件办结"),
            A::Issue => Some("发出后提醒函即送责任单位，文书内容不再改变"),
            A::Pass => Some("复查通过后本件办结"),
            _ => None,
        }
    }

    /// The permission the actor needs; the scope check comes on top.
    pub fn permission(self) -> Permission {
        use CaseAction as A;
        match self {
            A::Approve | A::Reject => Permission::SupervisionApprove,
            A::Withdraw => Permission::SupervisionRequest,
            A::Plan | A::Issue | A::Pass | A::Fail => Permission::SupervisionWrite,
            A::Hold => Permission::InterviewRecord,
            A::SubmitPlan | A::Report | A::Finish => Permission::SupervisionReport,
        }
    }

    /// Actions whose note is required (a refusal, a plan, a report, a recheck);
    /// holding an interview carries its record instead.
    pub fn needs_note(self) -> bool {
        !matches!(self, CaseAction::Approve | CaseAction::Issue | CaseAction::Hold)
    }
}

/// The one transition function; everything else asks it.
pub fn next(kind: CaseKind, state: CaseState, action: CaseAction) -> Result<CaseState, Problem> {
    use CaseAction as A;
    use CaseKind as K;
    use CaseState as S;
    match (kind, state, action) {
        (_, S::Requested, A::Approve) => Ok(S::Approved),
        (_, S::Requested, A::Reject) => Ok(S::Rejected),
        (_, S::Requested, A::Withdraw) => Ok(S::Withdrawn),
        (K::Interview, S::Approved, A::Plan) => Ok(S::Planned),
        // A plan may be revised (date, attendees) until the interview is held.
        (K::Interview, S::Planned, A::Plan) => Ok(S::Planned),
        (K::Interview, S::Planned, A::Hold) => Ok(S::AwaitingPlan),
        (K::Reminder, S::Approved, A::Issue) => Ok(S::AwaitingPlan),
        (_, S::AwaitingPlan, A::SubmitPlan) => Ok(S::Rectifying),
        (_, S::Rectifying, A::Report) => Ok(S::Rectifying),
        (_, S::Rectifying, A::Finish) => Ok(S::Recheck),
        (_, S::Recheck, A::Pass) => Ok(S::Closed),
        (_, S::Recheck, A::Fail) => Ok(S::Rectifying),
        (k, s, a) => Err(Problem::Conflict {
            detail: format!("{}当前为“{}”，不能“{}”", k.label_zh(), s.label_for(k), a.label_zh()),
        }),
    }
}

/// The actions open in a state, in the order a form offers them.
pub fn actions(kind: CaseKind, state: CaseState) -> Vec<CaseAction> {
    CaseAction::ALL.iter().copied().filter(|a| next(kind, state, *a).is_ok()).collect()
}

pub fn owner(kind: CaseKind, state: CaseState) -> Option<Owner> {
    use CaseState as S;
    match state {
        S::Requested => Some(Owner::Leader),
        S::Approved | S::Recheck => Some(Owner::SupervisionOffice),
        // The organization department writes the record of the interview.
        S::Planned if kind == CaseKind::Interview => Some(Owner::OrgDepartment),
        S::Planned => None,
        S::AwaitingPlan | S::Rectifying => Some(Owner::Unit),
        S::Closed | S::Rejected | S::Withdrawn => None,
    }
}

/// Step deadlines from the pack (`supervision.step_deadlines`): working days
/// except the report interval, which is in months.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StepDeadlines {
    pub approve: u32,
    pub plan: u32,
    pub issue: u32,
    /// After the scheduled date, for the record to be filed.
    pub record: u32,
    pub recheck: u32,
    pub report_months: u32,
}

/// What a deadline is counted from.
#[derive(Clone, Copy, Debug, Default)]
pub struct Anchors {
    /// The day of the step that entered the state.
    pub entered: Option<NaiveDate>,
    /// The scheduled date of the interview.
    pub scheduled: Option<NaiveDate>,
    /// The rectification plan deadline fixed when the interview was held or
    /// the reminder issued.
    pub plan_due: Option<NaiveDate>,
}

/// The deadline of the step a case waits for in `state`; None when nothing is
/// owed (terminal states) or the anchor is missing.
pub fn due(
    kind: CaseKind,
    state: CaseState,
    at: Anchors,
    d: &StepDeadlines,
    cal: &WorkCalendar,
) -> Option<Answer<NaiveDate>> {
    use CaseState as S;
    let wd = |from: Option<NaiveDate>, n: u32| from.and_then(|f| cal.add_working_days(f, n));
    match state {
        S::Requested => wd(at.entered, d.approve),
        S::Approved if kind == CaseKind::Interview => wd(at.entered, d.plan),
        S::Approved => wd(at.entered, d.issue),
        S::Planned => wd(at.scheduled, d.record),
        S::AwaitingPlan => at.plan_due.map(|v| Answer { value: v, provisional: false }),
        S::Rectifying => at
            .entered
            .and_then(|f| f.checked_add_months(Months::new(d.report_months)))
            .map(|v| Answer { value: v, provisional: false }),
        S::Recheck => wd(at.entered, d.recheck),
        S::Closed | S::Rejected | S::Withdrawn => None,
    }
}

/// Late when the deadline has passed on `today` and the step is still open.
pub fn is_late(state: CaseState, due: Option<NaiveDate>, today: NaiveDate) -> bool {
    !state.is_terminal() && due.is_some_and(|d| d < today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const KINDS: [CaseKind; 2] = [CaseKind::Interview, CaseKind::Reminder];

    #[test]
    fn interview_runs_from_request_to_closure() {
        use CaseAction as A;
        let mut s = CaseKind::Interview.start();
        for a in
            [A::Approve, A::Plan, A::Plan, A::Hold, A::SubmitPlan, A::Report, A::Finish, A::Fail, A::Finish, A::Pass]
        {
            s = next(CaseKind::Interview, s, a).unwrap();
        }
        assert_eq!(s, CaseState::Closed);
    }

    #[test]
    fn reminder_is_issued_not_held() {
        use CaseAction as A;
        let k = CaseKind::Reminder;
        let s = next(k, CaseState::Requested, A::Approve).unwrap();
        assert!(next(k, s, A::Plan).is_err());
        assert!(next(k, s, A::Hold).is_err());
        assert_eq!(next(k, s, A::Issue).unwrap(), CaseState::AwaitingPlan);
        assert!(next(CaseKind::Interview, s, A::Issue).is_err());
        let e = next(k, CaseState::Closed, A::Report).unwrap_err();
        assert!(matches!(e, Problem::Conflict { detail } if detail.contains("已办结")));
    }

    #[test]
    fn owners_and_actions_agree() {
        for k in KINDS {
            for s in CaseState::ALL.iter().copied() {
                if k == CaseKind::Reminder && s == CaseState::Planned {
                    continue; // unreachable: a reminder has no interview plan
                }
                let acts = actions(k, s);
                assert_eq!(s.is_terminal(), acts.is_empty(), "{k:?} {s:?}");
                if let Some(o) = owner(k, s) {
                    // Every open state's owner holds the permission of some action in it.
                    let perms: Vec<_> = acts.iter().map(|a| a.permission()).collect();
                    assert!(perms.contains(&o.permission()), "{k:?} {s:?} {o:?}");
                }
            }
        }
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn deadlines_count_working_days_and_report_months() {
        let mut cal = WorkCalendar::weekends_only();
        cal.cover_year(2025);
        for h in ["2025-10-01", "2025-10-02", "2025-10-03", "2025-10-06", "2025-10-07", "2025-10-08"] {
            cal.add_holiday(d(h));
        }
        cal.add_workday(d("2025-10-11"));
        let dl = StepDeadlines { approve: 3, plan: 5, issue: 3, record: 2, recheck: 10, report_months: 1 };
        let k = CaseKind::Interview;
        let at = Anchors { entered: Some(d("2025-09-29")), ..Default::default() };
        // Mon 29 Sep + 3 working days: 30 Sep, (holidays), 9 Oct, 10 Oct.
        assert_eq!(due(k, CaseState::Requested, at, &dl, &cal).unwrap().value, d("2025-10-10"));
        let at = Anchors { scheduled: Some(d("2025-10-10")), ..Default::default() };
        // Fri 10 Oct + 2: Sat 11 Oct is a make-up working day, then Mon 13.
        assert_eq!(due(k, CaseState::Planned, at, &dl, &cal).unwrap().value, d("2025-10-13"));
        let at = Anchors { entered: Some(d("2025-01-31")), ..Default::default() };
        assert_eq!(due(k, CaseState::Rectifying, at, &dl, &cal).unwrap().value, d("2025-02-28"));
        assert!(due(k, CaseState::Closed, at, &dl, &cal).is_none());
        assert!(is_late(CaseState::Rectifying, Some(d("2025-02-28")), d("2025-03-01")));
        assert!(!is_late(CaseState::Closed, Some(d("2025-02-28")), d("2025-03-01")));
        assert!(!is_late(CaseState::Rectifying, Some(d("2025-02-28")), d("2025-02-28")));
    }

    proptest! {
        /// Whatever actions are tried, only `next` moves a case, a refused
        /// action leaves it where it was, terminal states stay terminal, a
        /// reminder never has an interview plan and closure comes only from a
        /// recheck.
        #[test]
        fn no_sequence_reaches_an_illegal_state(
            interview in any::<bool>(),
            acts in proptest::collection::vec(0..CaseAction::ALL.len(), 0..40),
        ) {
            let k = if interview { CaseKind::Interview } else { CaseKind::Reminder };
            let mut s = k.start();
            for i in acts {
                let a = CaseAction::ALL[i];
                match next(k, s, a) {
                    Ok(n) => {
                        prop_assert!(!s.is_terminal());
                        prop_assert!(k == CaseKind::Interview || n != CaseState::Planned);
                        if n == CaseState::Closed { prop_assert_eq!(s, CaseState::Recheck); }
                        if n == CaseState::AwaitingPlan {
                            prop_assert!(matches!(a, CaseAction::Hold | CaseAction::Issue));
                        }
                        s = n;
                    }
                    Err(_) => prop_assert!(!actions(k, s).contains(&a)),
                }
            }
        }
    }
}
