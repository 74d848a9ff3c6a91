//! 督查问效 (M3): escalation of interviews. The thresholds and the meaning of
//! "within one year" come from the pack (`supervision.escalation`).

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::Problem;
use crate::registry::code_enum;

pub mod case;
pub mod params;

code_enum!(Suggestion {
    CirculatedNotice = ("circulated_notice", "在一定范围内通报"),
    Admonishment = ("admonishment", "诫勉"),
    OrgHandling = ("org_handling", "组织处理"),
});

code_enum!(Light {
    Green = ("green", "绿灯：按期推进"),
    Yellow = ("yellow", "黄灯：临近期限"),
    Red = ("red", "红灯：已逾期"),
    Done = ("done", "已完成"),
});

/// The light of an item or milestone from its open due dates: red when one
/// has passed, yellow when one falls on or before `warn_until` (today plus
/// the pack's warning window in working days), green otherwise.
pub fn light(
    open_dues: impl IntoIterator<Item = NaiveDate>,
    completed: bool,
    today: NaiveDate,
    warn_until: NaiveDate,
) -> Light {
    if completed {
        return Light::Done;
    }
    match open_dues.into_iter().min() {
        Some(d) if d < today => Light::Red,
        Some(d) if d <= warn_until => Light::Yellow,
        _ => Light::Green,
    }
}

/// How "within one year" is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    /// The months ending on (and including) the latest interview.
    Rolling { months: u32 },
    /// The calendar year of the latest interview.
    Calendar,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub count: usize,
    pub suggestion: Suggestion,
}

/// `supervision.escalation` as written in the pack: `window = "rolling"`
/// needs `months`, `window = "calendar"` takes none.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEscalation {
    window: String,
    months: Option<u32>,
    steps: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawEscalation")]
pub struct EscalationRule {
    pub window: Window,
    pub steps: Vec<Step>,
}

impl TryFrom<RawEscalation> for EscalationRule {
    type Error = String;

    fn try_from(r: RawEscalation) -> Result<Self, String> {
        let window = match (r.window.as_str(), r.months) {
            ("rolling", Some(m @ 1..=60)) => Window::Rolling { months: m },
            ("rolling", _) => return Err("window = \"rolling\" 须写明 months（1–60）".into()),
            ("calendar", None) => Window::Calendar,
            ("calendar", Some(_)) => return Err("window = \"calendar\" 按自然年计算，不写 months".into()),
            (w, _) => return Err(format!("window 应为 rolling 或 calendar，而不是 {w}")),
        };
        Ok(EscalationRule { window, steps: r.steps })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Escalation {
    pub interviews_in_window: usize,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub suggestion: Option<Suggestion>,
}

impl EscalationRule {
    /// Counts the interviews held on or before `as_of` inside the window that
    /// ends with the latest of them, and picks the heaviest step reached.
    pub fn escalate(&self, held: &[NaiveDate], as_of: NaiveDate) -> Escalation {
        let latest = held.iter().copied().filter(|d| *d <= as_of).max();
        let anchor = latest.unwrap_or(as_of);
        let (from, to) = match self.window {
            Window::Rolling { months } => {
                (anchor.checked_sub_months(Months::new(months)).and_then(|d| d.succ_opt()).unwrap_or(anchor), anchor)
            }
            Window::Calendar => (
                NaiveDate::from_ymd_opt(anchor.year(), 1, 1).unwrap_or(anchor),
                NaiveDate::from_ymd_opt(anchor.year(), 12, 31).unwrap_or(anchor).min(as_of),
            ),
        };
        let n = held.iter().filter(|d| **d >= from && **d <= to).count();
        let suggestion = if latest.is_none() {
            None
        } else {
            self.steps.iter().filter(|s| s.count <= n).max_by_key(|s| s.count).map(|s| s.suggestion)
        };
        Escalation { interviews_in_window: n, from, to, suggestion }
    }
}

code_enum!(
    /// Where an item of a task letter (任务书) stands at a checkpoint.
    Outcome {
        OnTime = ("on_time", "按期完成"),
        Late = ("late", "逾期完成"),
        InProgress = ("in_progress", "推进中"),
        Overdue = ("overdue", "逾期未完成"),
    }
);

/// The outcome of an item with `deadline` and `completed` at `checkpoint`
/// (the mid-year day, the year-end day, or today): completion after the
/// checkpoint does not count yet.
pub fn outcome(deadline: NaiveDate, completed: Option<NaiveDate>, checkpoint: NaiveDate) -> Outcome {
    match completed.filter(|c| *c <= checkpoint) {
        Some(c) if c <= deadline => Outcome::OnTime,
        Some(_) => Outcome::Late,
        None if deadline < checkpoint => Outcome::Overdue,
        None => Outcome::InProgress,
    }
}

/// The checkpoint of the letter's year on the pack's day
/// (`supervision.task_letter_checkpoints`) — or `today` if that comes first.
pub fn checkpoint(year: i32, day: params::MonthDay, today: NaiveDate) -> NaiveDate {
    day.in_year(year).map_or(today, |d| d.min(today))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_letter_outcomes_at_checkpoints() {
        let (dl, mid) = (d("2026-05-31"), d("2026-06-30"));
        assert_eq!(outcome(dl, Some(d("2026-05-20")), mid), Outcome::OnTime);
        assert_eq!(outcome(dl, Some(d("2026-06-10")), mid), Outcome::Late);
        assert_eq!(outcome(dl, None, mid), Outcome::Overdue);
        assert_eq!(outcome(dl, Some(d("2026-08-01")), mid), Outcome::Overdue, "completed after the checkpoint");
        assert_eq!(outcome(d("2026-11-30"), None, mid), Outcome::InProgress);
        assert_eq!(outcome(dl, None, dl), Outcome::InProgress, "due today is not yet overdue");
        let (june, december) = (params::MonthDay { month: 6, day: 30 }, params::MonthDay { month: 12, day: 31 });
        assert_eq!(checkpoint(2026, june, d("2026-11-22")), mid);
        assert_eq!(checkpoint(2026, december, d("2026-11-22")), d("2026-11-22"));
        assert_eq!(checkpoint(2025, december, d("2026-11-22")), d("2025-12-31"));
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn rule(window: Window) -> EscalationRule {
        EscalationRule {
            window,
            steps: vec![
                Step { count: 1, suggestion: Suggestion::CirculatedNotice },
                Step { count: 2, suggestion: Suggestion::Admonishment },
                Step { count: 3, suggestion: Suggestion::OrgHandling },
            ],
        }
    }

    /// Seed 003: first interview → notice; two within a year → admonishment;
    /// three or more → organizational handling.
    #[test]
    fn rolling_and_calendar_windows() {
        let held = [d("2025-01-04"), d("2025-06-01"), d("2026-01-05")];
        let r = rule(Window::Rolling { months: 12 }).escalate(&held, d("2026-01-05"));
        assert_eq!((r.interviews_in_window, r.from, r.to), (2, d("2025-01-06"), d("2026-01-05")));
        assert_eq!(r.suggestion, Some(Suggestion::Admonishment));
        let c = rule(Window::Calendar).escalate(&held, d("2026-01-05"));
        assert_eq!((c.interviews_in_window, c.from), (1, d("2026-01-01")));
        assert_eq!(c.suggestion, Some(Suggestion::CirculatedNotice));
        // Asked before the third interview, the answer is the one given then.
        let r = rule(Window::Rolling { months: 12 }).escalate(&held, d("2025-12-31"));
        assert_eq!((r.interviews_in_window, r.suggestion), (2, Some(Suggestion::Admonishment)));
        let three = [d("2025-02-01"), d("2025-06-01"), d("2026-01-31")];
        let r = rule(Window::Rolling { months: 12 }).escalate(&three, d("2026-02-01"));
        assert_eq!((r.interviews_in_window, r.suggestion), (3, Some(Suggestion::OrgHandling)));
        // The window includes the day twelve months back plus one.
        let edge = [d("2025-01-31"), d("2026-01-31")];
        assert_eq!(rule(Window::Rolling { months: 12 }).escalate(&edge, d("2026-01-31")).interviews_in_window, 1);
        assert_eq!(rule(Window::Rolling { months: 12 }).escalate(&[], d("2026-01-31")).suggestion, None);
    }

    #[test]
    fn lights() {
        let (today, warn) = (d("2025-09-26"), d("2025-10-01"));
        assert_eq!(light([d("2025-09-25")], false, today, warn), Light::Red);
        assert_eq!(light([d("2025-09-26"), d("2025-12-01")], false, today, warn), Light::Yellow);
        assert_eq!(light([d("2025-10-02")], false, today, warn), Light::Green);
        assert_eq!(light([d("2025-09-01")], true, today, warn), Light::Done);
    }

    #[test]
    fn the_shipped_rule_parses() {
        let set = crate::policy::tests::shipped_packs();
        let r = set.resolve("cn-hb-yc").unwrap();
        let hit = r.entry("supervision.escalation", d("2025-01-01")).unwrap();
        let rule: EscalationRule = hit.entry.value.clone().unwrap().try_into().unwrap();
        assert_eq!(rule, super::tests::rule(Window::Rolling { months: 12 }));
        assert_eq!(r.catalogue("supervision.trigger", d("2025-01-01")).unwrap().items.len(), 9);
    }
}
