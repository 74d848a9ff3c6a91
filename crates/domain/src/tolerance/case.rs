//! The tolerance procedure (容错纠错) as a state machine: start → acceptance
//! → investigation and analysis (with an optional joint review) → collective
//! decision → correction and sign-off, with appeal and re-review. Who may take
//! each step is a permission; the app layer checks scope, deadlines and fields.

use serde::{Deserialize, Serialize};

use crate::{access::Permission, error::Problem, registry::code_enum};

code_enum!(
    /// How a case began: ex officio when the body pursuing accountability
    /// finds possible tolerance (谁追责问责、谁认定容错), on application of
    /// the cadre or the unit's party organization, or from an advance filing.
    Origin {
        ExOfficio = ("ex_officio", "问责时依职权启动"),
        CadreApplication = ("cadre_application", "干部本人申请"),
        UnitApplication = ("unit_application", "所在单位党组织申请"),
        AdvanceFiling = ("advance_filing", "依事前报备启动"),
    }
);

code_enum!(CaseState {
    Started = ("started", "待受理"),
    Investigating = ("investigating", "核查研判"),
    JointReview = ("joint_review", "会商研判"),
    Deciding = ("deciding", "待集体研究决定"),
    Correcting = ("correcting", "纠错整改"),
    CorrectionReported = ("correction_reported", "待审核销号"),
    Closed = ("closed", "已办结"),
    Refused = ("refused", "不予受理"),
    Appealed = ("appealed", "申诉复核"),
    Withdrawn = ("withdrawn", "已撤回"),
});

code_enum!(CaseAction {
    Accept = ("accept", "受理"),
    Refuse = ("refuse", "不予受理"),
    InviteJointReview = ("invite_joint_review", "提请会商研判"),
    RecordOpinion = ("record_opinion", "记录部门意见"),
    EndJointReview = ("end_joint_review", "结束会商"),
    SubmitForDecision = ("submit_for_decision", "提交集体研究"),
    ReturnForInvestigation = ("return_for_investigation", "退回补充核查"),
    Decide = ("decide", "作出容错决定"),
    ReportCorrection = ("report_correction", "报告整改情况"),
    SignOff = ("sign_off", "审核销号"),
    SendBack = ("send_back", "退回整改"),
    Appeal = ("appeal", "提出申诉"),
    Uphold = ("uphold", "维持原决定"),
    Redecide = ("redecide", "撤销原决定，重新研究"),
    Withdraw = ("withdraw", "撤回申请"),
    Serve = ("serve", "登记文书送达"),
});

/// What `next` needs besides the state: whether the decision carries
/// correction requirements, and where an appeal came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Context {
    pub corrections: bool,
    pub appeal_from: Option<CaseState>,
    /// A decision letter or refusal notice exists and its service (送达) is
    /// not yet recorded.
    pub awaiting_service: bool,
}

impl CaseState {
    pub fn is_terminal(self) -> bool {
        matches!(self, CaseState::Withdrawn)
    }

    /// Settled for now: nothing is owed, though an appeal may still come.
    pub fn is_settled(self) -> bool {
        matches!(self, CaseState::Closed | CaseState::Refused | CaseState::Withdrawn)
    }
}

impl CaseAction {
    /// What cannot be undone once the step is taken, for steps that ask the
    /// handler to confirm (受理, 作出决定, 送达 …); None for steps that can be
    /// revisited in the procedure.
    pub fn consequence_zh(self) -> Option<&'static str> {
        use CaseAction as A;
        match self {
            A::Accept => Some("受理后案件进入核查研判，不能撤销受理"),
            A::Refuse => Some("不予受理后案件办结，申请人只能提出申诉"),
            A::Decide => Some("决定记入案件并生成容错处理决定书，只能经申诉复核改变"),
            A::Uphold => Some("维持原决定后申诉办结"),
            A::Redecide => Some("撤销原决定后须重新集体研究"),
            A::SignOff => Some("审核销号后案件办结"),
            A::Serve => Some("送达登记后申诉期开始计算，送达的文书不再改变"),
            _ => None,
        }
    }

    pub fn permission(self) -> Permission {
        use CaseAction as A;
        match self {
            A::Decide | A::Uphold | A::Redecide => Permission::ToleranceDecide,
            A::ReportCorrection => Permission::ToleranceReport,
            A::Appeal | A::Withdraw => Permission::ToleranceApply,
            _ => Permission::ToleranceHandle,
        }
    }

    /// Actions that need a written reason or content.
    pub fn needs_note(self) -> bool {
        !matches!(self, CaseAction::Accept | CaseAction::EndJointReview | CaseAction::Serve)
    }
}

pub fn next(state: CaseState, action: CaseAction, cx: Context) -> Result<CaseState, Problem> {
    use CaseAction as A;
    use CaseState as S;
    let settled_or_correcting =
        |s: CaseState| matches!(s, S::Correcting | S::CorrectionReported | S::Closed | S::Refused);
    match (state, action) {
        (S::Started, A::Accept) => Ok(S::Investigating),
        (S::Started, A::Refuse) => Ok(S::Refused),
        (S::Investigating, A::InviteJointReview) => Ok(S::JointReview),
        (S::JointReview, A::RecordOpinion) => Ok(S::JointReview),
        (S::JointReview, A::EndJointReview) => Ok(S::Investigating),
        (S::Investigating, A::SubmitForDecision) => Ok(S::Deciding),
        (S::Deciding, A::ReturnForInvestigation) => Ok(S::Investigating),
        (S::Deciding, A::Decide) => Ok(if cx.corrections { S::Correcting } else { S::Closed }),
        (S::Correcting, A::ReportCorrection) => Ok(S::CorrectionReported),
        (S::CorrectionReported, A::SignOff) => Ok(S::Closed),
        (S::CorrectionReported, A::SendBack) => Ok(S::Correcting),
        (s, A::Appeal) if settled_or_correcting(s) => Ok(S::Appealed),
        (S::Appealed, A::Uphold) => cx
            .appeal_from
            .filter(|s| settled_or_correcting(*s))
            .ok_or(Problem::Conflict { detail: "找不到申诉前的状态".into() }),
        (S::Appealed, A::Redecide) => Ok(S::Deciding),
        (S::Started | S::Investigating | S::JointReview, A::Withdraw) => Ok(S::Withdrawn),
        // Serving the decision letter runs beside correction and appeal; it
        // is recorded once per decision and moves nothing.
        (s, A::Serve) if cx.awaiting_service && s != S::Withdrawn => Ok(s),
        (s, a) => Err(Problem::Conflict {
            detail: format!("容错案件当前为“{}”，不能“{}”", s.label_zh(), a.label_zh()),
        }),
    }
}

code_enum!(
    /// Who owes the next step of a case.
    Owner {
        HandlingBody = ("handling_body", "受理核查机关"),
        DecidingBody = ("deciding_body", "决定机关"),
        Unit = ("unit", "所在单位"),
    }
);

impl Owner {
    /// The permission that marks a user as standing for this owner.
    pub fn permission(self) -> Permission {
        match self {
            Owner::HandlingBody => Permission::ToleranceHandle,
            Owner::DecidingBody => Permission::ToleranceDecide,
            Owner::Unit => Permission::ToleranceReport,
        }
    }
}

/// Who owes the next step in a state; nobody once the case is settled (an
/// appeal is the cadre's right, not a duty).
pub fn owner(state: CaseState) -> Option<Owner> {
    use CaseState as S;
    match state {
        S::Started | S::Investigating | S::JointReview | S::CorrectionReported => Some(Owner::HandlingBody),
        S::Deciding | S::Appealed => Some(Owner::DecidingBody),
        S::Correcting => Some(Owner::Unit),
        S::Closed | S::Refused | S::Withdrawn => None,
    }
}

/// The actions open in a state.
pub fn actions(state: CaseState, cx: Context) -> Vec<CaseAction> {
    CaseAction::ALL.iter().copied().filter(|a| next(state, *a, cx).is_ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_owner_of_a_state_can_move_it_and_settled_states_have_none() {
        for s in CaseState::ALL.iter().copied() {
            for corrections in [false, true] {
                let cx = Context { corrections, appeal_from: Some(CaseState::Closed), awaiting_service: false };
                match owner(s) {
                    None => assert!(s.is_settled(), "{s:?} is open but owed by nobody"),
                    Some(o) => assert!(
                        actions(s, cx).iter().any(|a| a.permission() == o.permission() && *a != CaseAction::Withdraw),
                        "{s:?}: {o:?} has no step to take"
                    ),
                }
            }
        }
    }

    #[test]
    fn application_to_sign_off() {
        use CaseAction as A;
        let cx = Context { corrections: true, ..Context::default() };
        let mut s = CaseState::Started;
        for a in [
            A::Accept,
            A::InviteJointReview,
            A::RecordOpinion,
            A::RecordOpinion,
            A::EndJointReview,
            A::SubmitForDecision,
            A::Decide,
            A::ReportCorrection,
            A::SendBack,
            A::ReportCorrection,
            A::SignOff,
        ] {
            s = next(s, a, cx).unwrap();
        }
        assert_eq!(s, CaseState::Closed);
        assert_eq!(next(CaseState::Deciding, A::Decide, Context::default()).unwrap(), CaseState::Closed);
    }

    #[test]
    fn appeals_return_where_they_came_from_or_reopen_the_decision() {
        use CaseAction as A;
        let s = next(CaseState::Correcting, A::Appeal, Context::default()).unwrap();
        assert_eq!(s, CaseState::Appealed);
        let back = Context { corrections: false, appeal_from: Some(CaseState::Correcting), awaiting_service: false };
        assert_eq!(next(s, A::Uphold, back).unwrap(), CaseState::Correcting);
        assert!(next(s, A::Uphold, Context::default()).is_err());
        assert_eq!(next(s, A::Redecide, back).unwrap(), CaseState::Deciding);
        assert!(next(CaseState::Deciding, A::Appeal, back).is_err(), "no appeal before a decision");
        assert!(next(CaseState::Withdrawn, A::Appeal, back).is_err());
    }

    fn state() -> impl Strategy<Value = CaseState> {
        proptest::sample::select(CaseState::ALL.to_vec())
    }

    proptest! {
        /// From a start, no sequence of actions reaches a state the procedure
        /// forbids: a decision only from "deciding", sign-off only after a
        /// report, nothing after withdrawal, appeals only once decided, and a
        /// refused action leaves the case where it was.
        #[test]
        fn no_sequence_reaches_an_illegal_state(
            acts in proptest::collection::vec((0..CaseAction::ALL.len(), any::<bool>()), 0..60),
        ) {
            let mut s = CaseState::Started;
            let mut appeal_from: Option<CaseState> = None;
            let mut decided = false;
            let mut awaiting_service = false;
            for (i, corrections) in acts {
                let a = CaseAction::ALL[i];
                let cx = Context { corrections, appeal_from, awaiting_service };
                match next(s, a, cx) {
                    Ok(n) => {
                        prop_assert!(!s.is_terminal());
                        // Service is recorded once per decision letter and moves nothing.
                        if a == CaseAction::Serve {
                            prop_assert!(awaiting_service && n == s);
                            awaiting_service = false;
                            continue;
                        }
                        match n {
                            CaseState::Correcting => prop_assert!(matches!(s, CaseState::Deciding | CaseState::CorrectionReported | CaseState::Appealed)),
                            CaseState::CorrectionReported => prop_assert!(matches!(s, CaseState::Correcting | CaseState::Appealed)),
                            CaseState::Closed => prop_assert!(matches!(s, CaseState::Deciding | CaseState::CorrectionReported | CaseState::Appealed)),
                            CaseState::Appealed => prop_assert!(decided || s == CaseState::Refused),
                            CaseState::Withdrawn => prop_assert!(!decided),
                            _ => {}
                        }
                        if a == CaseAction::Decide { decided = true; }
                        // A decision letter or a refusal notice waits to be served.
                        if matches!(a, CaseAction::Decide | CaseAction::Refuse) { awaiting_service = true; }
                        if n == CaseState::Appealed { appeal_from = Some(s); }
                        // A re-decision supersedes the letter; the next one is served anew.
                        if n == CaseState::Deciding { decided = false; awaiting_service = false; }
                        s = n;
                    }
                    Err(_) => prop_assert!(!actions(s, cx).contains(&a)),
                }
            }
        }

        #[test]
        fn every_non_terminal_state_has_a_way_on(s in state()) {
            let cx = Context { corrections: true, appeal_from: Some(CaseState::Closed), awaiting_service: false };
            prop_assert_eq!(actions(s, cx).is_empty(), s.is_terminal());
        }
    }
}
