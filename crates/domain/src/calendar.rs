//! Chinese working-day calendar: weekends off, statutory holidays off, and
//! the weekend make-up workdays (调休) on. The schedule is data from the
//! national policy pack; outside the loaded years the calendar falls back to
//! weekends only and marks every answer that touched such a day provisional.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Answer<T> {
    pub value: T,
    /// True when a day outside the loaded years was involved, so weekends-only
    /// was assumed for it.
    pub provisional: bool,
}

#[derive(Clone, Debug, Default)]
pub struct WorkCalendar {
    off: BTreeSet<NaiveDate>,
    on: BTreeSet<NaiveDate>,
    years: Option<(i32, i32)>,
}

/// Upper bound on N and on ranges, so a typo cannot make a request spin.
pub const MAX_SPAN_DAYS: u32 = 36_600;

impl WorkCalendar {
    pub fn weekends_only() -> Self {
        Self::default()
    }

    /// Records that a year's schedule is loaded (its notice was applied).
    pub fn cover_year(&mut self, year: i32) {
        self.years = Some(match self.years {
            None => (year, year),
            Some((a, b)) => (a.min(year), b.max(year)),
        });
    }

    pub fn add_holiday(&mut self, d: NaiveDate) {
        self.on.remove(&d);
        self.off.insert(d);
    }

    pub fn add_workday(&mut self, d: NaiveDate) {
        self.off.remove(&d);
        self.on.insert(d);
    }

    /// A later notice can cancel a make-up workday (2020: the extended Spring
    /// Festival turned 2 February back into a day off).
    pub fn cancel_workday(&mut self, d: NaiveDate) {
        self.on.remove(&d);
    }

    pub fn loaded_years(&self) -> Option<(i32, i32)> {
        self.years
    }

    fn covers(&self, d: NaiveDate) -> bool {
        matches!(self.years, Some((a, b)) if (a..=b).contains(&d.year()))
    }

    fn working(&self, d: NaiveDate) -> bool {
        if self.on.contains(&d) {
            return true;
        }
        if self.off.contains(&d) {
            return false;
        }
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
    }

    pub fn is_working_day(&self, d: NaiveDate) -> Answer<bool> {
        Answer { value: self.working(d), provisional: !self.covers(d) }
    }

    /// Whether the day is a make-up workday or a holiday, for display.
    pub fn kind(&self, d: NaiveDate) -> DayKind {
        if self.on.contains(&d) {
            DayKind::MakeUpWorkday
        } else if self.off.contains(&d) {
            DayKind::Holiday
        } else if matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            DayKind::Weekend
        } else {
            DayKind::Workday
        }
    }

    /// The n-th working day strictly after `from` (n ≥ 1). `None` only when
    /// the result would leave the representable date range.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> Option<Answer<NaiveDate>> {
        let mut d = from;
        let mut left = n;
        let mut provisional = false;
        while left > 0 {
            d = d.checked_add_days(Days::new(1))?;
            provisional |= !self.covers(d);
            if self.working(d) {
                left -= 1;
            }
        }
        Some(Answer { value: d, provisional })
    }

    /// How many working days d satisfy from < d <= to (0 when to <= from).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Answer<u32> {
        let mut count = 0;
        let mut provisional = false;
        let mut d = from;
        while d < to {
            d = match d.checked_add_days(Days::new(1)) {
                Some(x) => x,
                None => break,
            };
            provisional |= !self.covers(d);
            if self.working(d) {
                count += 1;
            }
        }
        Answer { value: count, provisional }
    }

    pub fn holidays_in(&self, year: i32) -> Vec<NaiveDate> {
        self.off.iter().copied().filter(|d| d.year() == year).collect()
    }

    pub fn workdays_in(&self, year: i32) -> Vec<NaiveDate> {
        self.on.iter().copied().filter(|d| d.year() == year).collect()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Workday,
    Weekend,
    Holiday,
    MakeUpWorkday,
}

impl DayKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            DayKind::Workday => "工作日",
            DayKind::Weekend => "周末",
            DayKind::Holiday => "法定节假日",
            DayKind::MakeUpWorkday => "调休上班",
        }
    }
}

/// The day of the week as officials write it (周一 … 周日).
pub fn weekday_zh(d: NaiveDate) -> &'static str {
    use chrono::Datelike;
    ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][d.weekday().num_days_from_monday() as usize]
}

/// How an open step stands against its deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Urgency {
    OnTime,
    /// The deadline falls on or before the last day of the warning window.
    DueSoon,
    /// The deadline has passed.
    Late,
}

/// Where a step due on `due` stands on `today`, warned until `warn_until`
/// (today plus the pack's warning window in working days). A step with no
/// deadline is on time.
pub fn urgency(due: Option<NaiveDate>, today: NaiveDate, warn_until: NaiveDate) -> Urgency {
    match due {
        Some(d) if d < today => Urgency::Late,
        Some(d) if d <= warn_until => Urgency::DueSoon,
        _ => Urgency::OnTime,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// The 2025 schedule (国办发明电〔2024〕12号), enough to exercise every rule.
    fn cal2025() -> WorkCalendar {
        let mut c = WorkCalendar::default();
        c.cover_year(2025);
        let mut off = |a: NaiveDate, b: NaiveDate| {
            let mut x = a;
            while x <= b {
                c.add_holiday(x);
                x = x.succ_opt().unwrap();
            }
        };
        off(d(2025, 1, 1), d(2025, 1, 1));
        off(d(2025, 1, 28), d(2025, 2, 4));
        off(d(2025, 4, 4), d(2025, 4, 6));
        off(d(2025, 5, 1), d(2025, 5, 5));
        off(d(2025, 5, 31), d(2025, 6, 2));
        off(d(2025, 10, 1), d(2025, 10, 8));
        for w in [d(2025, 1, 26), d(2025, 2, 8), d(2025, 4, 27), d(2025, 9, 28), d(2025, 10, 11)] {
            c.add_workday(w);
        }
        c
    }

    #[test]
    fn national_day_week() {
        let c = cal2025();
        // Sunday 28 September is a make-up workday.
        assert_eq!(c.is_working_day(d(2025, 9, 28)), Answer { value: true, provisional: false });
        let a = c.add_working_days(d(2025, 9, 26), 1).unwrap();
        assert_eq!(a.value, d(2025, 9, 28));
        let a = c.add_working_days(d(2025, 9, 30), 1).unwrap();
        assert_eq!(a.value, d(2025, 10, 9));
        assert_eq!(c.add_working_days(d(2025, 9, 30), 3).unwrap().value, d(2025, 10, 11));
        assert_eq!(c.working_days_between(d(2025, 9, 30), d(2025, 10, 9)).value, 1);
        assert_eq!(c.working_days_between(d(2025, 10, 9), d(2025, 9, 30)).value, 0);
    }

    #[test]
    fn outside_loaded_years_is_provisional() {
        let c = cal2025();
        let a = c.add_working_days(d(2025, 12, 30), 3).unwrap();
        assert_eq!(a.value, d(2026, 1, 2));
        assert!(a.provisional);
        assert!(c.is_working_day(d(2027, 1, 1)).provisional);
        assert!(!c.working_days_between(d(2025, 3, 1), d(2025, 3, 31)).provisional);
        assert!(WorkCalendar::weekends_only().is_working_day(d(2025, 10, 1)).value);
    }

    #[test]
    fn urgency_against_the_warning_window() {
        let (today, warn) = (d(2025, 9, 26), d(2025, 10, 9));
        assert_eq!(urgency(Some(d(2025, 9, 25)), today, warn), Urgency::Late);
        assert_eq!(urgency(Some(today), today, warn), Urgency::DueSoon);
        assert_eq!(urgency(Some(warn), today, warn), Urgency::DueSoon);
        assert_eq!(urgency(Some(d(2025, 10, 10)), today, warn), Urgency::OnTime);
        assert_eq!(urgency(None, today, warn), Urgency::OnTime);
    }

    #[test]
    fn cancelled_workday_is_a_weekend_again() {
        let mut c = WorkCalendar::default();
        c.cover_year(2020);
        c.add_workday(d(2020, 2, 1));
        assert!(c.is_working_day(d(2020, 2, 1)).value);
        c.cancel_workday(d(2020, 2, 1));
        assert!(!c.is_working_day(d(2020, 2, 1)).value);
    }

    proptest! {
        #[test]
        fn add_then_between_round_trips(days in 0i64..900, n in 1u32..120) {
            let c = cal2025();
            let start = d(2024, 10, 1) + chrono::Duration::days(days);
            let end = c.add_working_days(start, n).unwrap().value;
            prop_assert_eq!(c.working_days_between(start, end).value, n);
            prop_assert!(c.is_working_day(end).value);
            prop_assert!(end > start);
            // Nothing before the answer qualifies as the n-th working day.
            prop_assert_eq!(c.working_days_between(start, end.pred_opt().unwrap()).value, n - 1);
        }

        #[test]
        fn between_is_additive(a in 0i64..400, b in 0i64..400, m in 0i64..400) {
            let c = cal2025();
            let base = d(2024, 12, 1);
            let mut v = [a, b, m];
            v.sort();
            let (x, y, z) = (base + chrono::Duration::days(v[0]), base + chrono::Duration::days(v[1]), base + chrono::Duration::days(v[2]));
            prop_assert_eq!(
                c.working_days_between(x, y).value + c.working_days_between(y, z).value,
                c.working_days_between(x, z).value
            );
        }
    }
}
