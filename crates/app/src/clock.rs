//! Dates as seen in China (UTC+8, no daylight saving): "today", "in the
//! future" and deadlines are all judged on the Beijing calendar day.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&beijing()).date_naive()
}

pub fn local(at: DateTime<Utc>) -> String {
    at.with_timezone(&beijing()).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The Beijing calendar day of an instant.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&beijing()).date_naive()
}
