//! The shapes of 督查问效's pack values, checked when the packs load.

use chrono::NaiveDate;
use serde::Deserialize;

use super::{EscalationRule, case::StepDeadlines};
use crate::policy::{PackValue, Wording};

impl PackValue for EscalationRule {
    const IDS: &'static [&'static str] = &["supervision.escalation"];

    fn check(&self) -> Result<(), String> {
        if self.steps.is_empty() {
            return Err("steps 不能为空".into());
        }
        let mut counts: Vec<usize> = self.steps.iter().map(|s| s.count).collect();
        counts.sort_unstable();
        counts.dedup();
        if counts.len() != self.steps.len() || counts[0] == 0 {
            return Err("steps 的 count 应为互不相同的正整数".into());
        }
        Ok(())
    }
}

impl PackValue for StepDeadlines {
    const IDS: &'static [&'static str] = &["supervision.step_deadlines"];

    fn check(&self) -> Result<(), String> {
        let days = [self.approve, self.plan, self.issue, self.record, self.recheck];
        if days.iter().any(|d| *d == 0 || *d > 250) {
            return Err("各环节期限应在 1–250 个工作日之间".into());
        }
        if !(1..=12).contains(&self.report_months) {
            return Err("report_months 应在 1–12 之间".into());
        }
        Ok(())
    }
}

/// A day of the year, written "MM-DD" in the pack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct MonthDay {
    pub month: u32,
    pub day: u32,
}

impl TryFrom<String> for MonthDay {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        let bad = || format!("“{s}”不是 MM-DD 形式的日期");
        let (m, d) = s.split_once('-').ok_or_else(bad)?;
        let md = MonthDay { month: m.parse().map_err(|_| bad())?, day: d.parse().map_err(|_| bad())? };
        // Every year has the day (29 February does not qualify).
        if NaiveDate::from_ymd_opt(2025, md.month, md.day).is_none() {
            return Err(bad());
        }
        Ok(md)
    }
}

impl MonthDay {
    pub fn in_year(self, year: i32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(year, self.month, self.day)
    }
}

/// The days a task letter (任务书) is reviewed on: mid-year tracking and the
/// year-end reconciliation (`supervision.task_letter_checkpoints`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoints {
    pub midyear: MonthDay,
    pub year_end: MonthDay,
}

impl PackValue for Checkpoints {
    const IDS: &'static [&'static str] = &["supervision.task_letter_checkpoints"];

    fn check(&self) -> Result<(), String> {
        if (self.midyear.month, self.midyear.day) < (self.year_end.month, self.year_end.day) {
            Ok(())
        } else {
            Err("midyear 应早于 year_end".into())
        }
    }
}

/// How reminders are numbered (`supervision.reminder_number`), e.g.
/// `督查提醒〔{year}〕{n}号`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderNumber {
    pub format: Wording,
}

impl PackValue for ReminderNumber {
    const IDS: &'static [&'static str] = &["supervision.reminder_number"];

    fn check(&self) -> Result<(), String> {
        self.format.check(&["year", "n"])?;
        if !self.format.blanks()?.contains(&"n") {
            return Err("format 须含 {n}".into());
        }
        Ok(())
    }
}

/// A document's title, addressee and paragraphs, with the blanks it may use.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Letter {
    pub title: String,
    /// The number of the document; blank for the reminder letter itself.
    #[serde(default)]
    pub doc_no: Option<Wording>,
    pub addressee: Wording,
    pub paragraphs: Vec<Wording>,
}

impl Letter {
    fn check_blanks(&self, allowed: &[&str]) -> Result<(), String> {
        for w in self.doc_no.iter().chain([&self.addressee]).chain(&self.paragraphs) {
            w.check(allowed)?;
        }
        if self.paragraphs.is_empty() { Err("paragraphs 不能为空".into()) } else { Ok(()) }
    }
}

/// The reminder letter to the unit (工作提醒函).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct ReminderLetter(pub Letter);

impl PackValue for ReminderLetter {
    const IDS: &'static [&'static str] = &["supervision.wording.reminder_letter"];

    fn check(&self) -> Result<(), String> {
        self.0.check_blanks(&["unit", "situations", "facts", "due", "months"])
    }
}

/// The work notice to the unit's leader in charge (工作通知).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct WorkNotice(pub Letter);

impl PackValue for WorkNotice {
    const IDS: &'static [&'static str] = &["supervision.wording.work_notice"];

    fn check(&self) -> Result<(), String> {
        self.0.check_blanks(&["leader", "unit", "situations", "doc_no", "due"])
    }
}
