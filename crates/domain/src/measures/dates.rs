//! Periods counted in months, as the pack's date convention says.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Deserialize;

/// How a period of N months from an effective date is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Convention {
    /// 民法典 arts. 201–202: the effective day is not counted; the last day is
    /// the same day-of-month in the final month, or that month's last day.
    CivilCode,
    /// The effective day is day one, so the period ends the day before the
    /// corresponding day.
    Inclusive,
}

/// `d` plus `n` months; a day-of-month the target month lacks becomes its last day.
pub fn add_months(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_add_months(Months::new(n)).unwrap_or(NaiveDate::MAX)
}

pub fn add_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap_or(NaiveDate::MAX)
}

pub fn next_day(d: NaiveDate) -> NaiveDate {
    d.succ_opt().unwrap_or(d)
}

impl Convention {
    /// The last day on which a period of `months` starting at `effective` applies.
    pub fn last_day(self, effective: NaiveDate, months: u32) -> NaiveDate {
        let end = add_months(effective, months);
        match self {
            Convention::CivilCode => end,
            Convention::Inclusive => end.pred_opt().unwrap_or(end),
        }
    }
}

/// The time from `from` to `to` (not before `from`) as whole months and then
/// days: the largest m with from + m months <= to, and the days left over.
pub fn months_then_days(from: NaiveDate, to: NaiveDate) -> (u32, u64) {
    if to <= from {
        return (0, 0);
    }
    // Start from a lower bound and step up; never more than a couple of steps.
    let approx =
        ((to.year() as i64 - from.year() as i64) * 12 + to.month0() as i64 - from.month0() as i64).max(1) as u32 - 1;
    let mut m = approx;
    while add_months(from, m + 1) <= to {
        m += 1;
    }
    while m > 0 && add_months(from, m) > to {
        m -= 1;
    }
    let base = add_months(from, m);
    (m, (to - base).num_days() as u64)
}

/// Appends a remaining period (months then days) after `last`.
pub fn extend(last: NaiveDate, months: u32, days: u64) -> NaiveDate {
    add_days(add_months(last, months), days)
}
