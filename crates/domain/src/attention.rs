//! The one order of every work list: what the viewer must do and is late
//! first, ended records last. Lists of cases, follow-ups and supervision
//! items all sort by [`Attention::key`], so an inbox never opens on closed or
//! withdrawn cases and two lists never disagree about what comes first.

use chrono::NaiveDate;

use crate::calendar::Urgency;

/// How much a record asks of the viewer now, most pressing first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Attention {
    /// The viewer owes the next step and it is late.
    MineLate,
    /// The viewer owes the next step and it is due within the warning window.
    MineDueSoon,
    /// The viewer owes the next step.
    Mine,
    /// Someone else owes a step that is late (the viewer may chase it).
    OthersLate,
    OthersDueSoon,
    /// Still open, nothing pressing.
    Open,
    /// Ended: decided, closed, withdrawn, refused. Never late.
    Ended,
}

impl Attention {
    /// `urgency` of an ended record is ignored: an ended case is never late.
    pub fn of(open: bool, mine: bool, urgency: Urgency) -> Attention {
        use Attention as A;
        match (open, mine, urgency) {
            (false, _, _) => A::Ended,
            (true, true, Urgency::Late) => A::MineLate,
            (true, true, Urgency::DueSoon) => A::MineDueSoon,
            (true, true, Urgency::OnTime) => A::Mine,
            (true, false, Urgency::Late) => A::OthersLate,
            (true, false, Urgency::DueSoon) => A::OthersDueSoon,
            (true, false, Urgency::OnTime) => A::Open,
        }
    }

    /// The sort key: attention, then the earliest deadline (none last), then
    /// the most recent record (`recent`, larger is newer) first.
    pub fn key<R: Ord>(
        self,
        due: Option<NaiveDate>,
        recent: R,
    ) -> (Attention, bool, Option<NaiveDate>, std::cmp::Reverse<R>) {
        // Ended records have no live deadline: newest first among them.
        let due = if self == Attention::Ended { None } else { due };
        (self, due.is_none(), due, std::cmp::Reverse(recent))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_viewers_late_step_comes_first_and_ended_records_last() {
        let mut rows = [
            ("closed long ago", Attention::of(false, true, Urgency::Late), Some(d("2026-01-01")), 1),
            ("someone else late", Attention::of(true, false, Urgency::Late), Some(d("2026-11-01")), 2),
            ("mine, due later", Attention::of(true, true, Urgency::OnTime), Some(d("2027-01-05")), 3),
            ("mine, late", Attention::of(true, true, Urgency::Late), Some(d("2026-11-20")), 4),
            ("mine, due soon", Attention::of(true, true, Urgency::DueSoon), Some(d("2026-12-08")), 5),
            ("open, no deadline", Attention::of(true, false, Urgency::OnTime), None, 6),
            ("open, deadline", Attention::of(true, false, Urgency::OnTime), Some(d("2027-02-01")), 7),
            ("withdrawn yesterday", Attention::of(false, false, Urgency::OnTime), None, 8),
        ];
        rows.sort_by_key(|r| r.1.key(r.2, r.3));
        let names: Vec<_> = rows.iter().map(|r| r.0).collect();
        assert_eq!(
            names,
            [
                "mine, late",
                "mine, due soon",
                "mine, due later",
                "someone else late",
                "open, deadline",
                "open, no deadline",
                "withdrawn yesterday",
                "closed long ago",
            ]
        );
    }

    proptest! {
        /// Whatever the deadline said, an ended record never ranks above an open one.
        #[test]
        fn ended_never_outranks_open(mine in any::<bool>(), late in 0u8..3, mine2 in any::<bool>(), late2 in 0u8..3) {
            let u = |n| [Urgency::OnTime, Urgency::DueSoon, Urgency::Late][n as usize];
            prop_assert!(Attention::of(true, mine, u(late)) < Attention::of(false, mine2, u(late2)));
        }
    }
}
