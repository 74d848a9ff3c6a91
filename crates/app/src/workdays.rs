//! Working-day arithmetic as a use case: the deployment's calendar with a
//! flag when an answer leaves the loaded years.

use chrono::NaiveDate;
use dandang_domain::{
    calendar::{Answer, DayKind, MAX_SPAN_DAYS},
    error::Problem,
    policy::WorkingDays,
    text,
};
use serde::Serialize;

use crate::{
    App,
    error::{AppError, Result},
};

/// The last day of a pack's warning window seen from `today`: the entry
/// (`supervision.warning_window`, `tolerance.warning_window`) gives working
/// days. A pack without the entry gives no early warning — a due date is
/// only ever on time or late — rather than a number of days nobody chose.
pub fn warn_until(app: &App, pack: &str, entry: &str, today: NaiveDate) -> Result<NaiveDate> {
    let r = app.policy().resolved(pack);
    let Some(w) = r.value::<WorkingDays>(entry, today).map_err(AppError::Config)? else { return Ok(today) };
    Ok(r.calendar().add_working_days(today, w.value.working_days).map(|a| a.value).unwrap_or(today))
}

pub fn parse_date_arg(field: &str, label: &str, s: &str) -> Result<NaiveDate> {
    text::parse_date(s).map_err(|p| AppError::invalid(field, label, p))
}

pub fn parse_n(s: &str) -> Result<u32> {
    let n: i64 = s.trim().parse().map_err(|_| {
        AppError::invalid(
            "n",
            "工作日数 N",
            Problem::BadFormat { expected: format!("1 到 {MAX_SPAN_DAYS} 之间的整数") },
        )
    })?;
    if !(1..=MAX_SPAN_DAYS as i64).contains(&n) {
        return Err(AppError::invalid("n", "工作日数 N", Problem::OutOfRange { min: 1, max: MAX_SPAN_DAYS as i64 }));
    }
    Ok(n as u32)
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Computed<T: Serialize> {
    pub result: T,
    pub provisional: bool,
    /// The last year whose official schedule is loaded.
    pub loaded_until: Option<i32>,
    pub warning: Option<String>,
}

fn wrap<T: Serialize>(app: &App, a: Answer<T>) -> Computed<T> {
    let years = app.calendar().loaded_years();
    Computed {
        warning: a.provisional.then(|| provisional_warning(years)),
        result: a.value,
        provisional: a.provisional,
        loaded_until: years.map(|(_, b)| b),
    }
}

pub fn provisional_warning(years: Option<(i32, i32)>) -> String {
    match years {
        Some((a, b)) => {
            format!("涉及 {a}–{b} 年以外的日期：尚未载入国务院节假日安排，已按仅双休日计算，结果为临时结果")
        }
        None => "未载入任何节假日安排，已按仅双休日计算，结果为临时结果".into(),
    }
}

pub fn add(app: &App, from: NaiveDate, n: u32) -> Result<Computed<NaiveDate>> {
    let a = app.calendar().add_working_days(from, n).ok_or_else(|| {
        AppError::invalid("n", "工作日数 N", Problem::OutOfRange { min: 1, max: MAX_SPAN_DAYS as i64 })
    })?;
    Ok(wrap(app, a))
}

pub fn between(app: &App, from: NaiveDate, to: NaiveDate) -> Result<Computed<u32>> {
    if (to - from).num_days().abs() > MAX_SPAN_DAYS as i64 {
        return Err(AppError::invalid("to", "结束日期", Problem::OutOfRange { min: 0, max: MAX_SPAN_DAYS as i64 }));
    }
    Ok(wrap(app, app.calendar().working_days_between(from, to)))
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DayInfo {
    pub date: NaiveDate,
    pub working: bool,
    #[schema(value_type = String)]
    pub kind: DayKind,
    pub kind_label: &'static str,
}

pub fn day(app: &App, d: NaiveDate) -> Computed<DayInfo> {
    let a = app.calendar().is_working_day(d);
    let kind = app.calendar().kind(d);
    wrap(
        app,
        Answer {
            value: DayInfo { date: d, working: a.value, kind, kind_label: kind.label_zh() },
            provisional: a.provisional,
        },
    )
}

/// A warning for a plan dated on a day off (a meeting, an interview, a
/// deadline someone sets by hand): people decide, so the date stands, but
/// they are told before anyone is summoned on a Saturday. None on a working
/// day. Past the loaded holiday years only weekends are known, and it says so.
pub fn day_off_warning(app: &App, what: &str, d: NaiveDate) -> Option<String> {
    let a = app.calendar().is_working_day(d);
    if a.value {
        return None;
    }
    let kind = app.calendar().kind(d).label_zh();
    let weekday = dandang_domain::calendar::weekday_zh(d);
    let caveat = if a.provisional { "（该年节假日安排尚未载入，按双休日判断）" } else { "" };
    Some(format!("{what} {} 是{weekday}，{kind}，不是工作日{caveat}，请确认。", d.format("%Y年%-m月%-d日")))
}
