//! Template filters. Pages write dates one way, the Chinese way
//! (2026年12月9日, times as 2026年12月5日 09:30); forms, the API and
//! exports keep ISO 8601 (a date input needs it, a program reads it).
//! Templates say `{{ x|zh }}` wherever a date may be shown: the filter
//! rewrites the ISO dates inside the text and leaves anything else alone, so
//! applying it to a value that is not a date does no harm.

use std::fmt::Display;

#[askama::filter_fn]
pub fn zh(value: impl Display, _: &dyn askama::Values) -> askama::Result<String> {
    Ok(zh_dates(&value.to_string()))
}

/// Every `YYYY-MM-DD` (with an optional ` HH:MM[:SS]`) in `s`, in Chinese.
pub fn zh_dates(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len() + 8);
    let mut i = 0;
    let mut last = 0;
    while i + 10 <= b.len() {
        // A date is not part of a longer run of digits (an id, a number).
        let boundary = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        if boundary && let Some((text, len)) = date_at(&b[i..]) {
            out.push_str(&s[last..i]);
            out.push_str(&text);
            i += len;
            last = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&s[last..]);
    out
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
}

/// The Chinese form of the date (and time) at the start of `b`, and how many
/// bytes it took.
fn date_at(b: &[u8]) -> Option<(String, usize)> {
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?);
    chrono::NaiveDate::from_ymd_opt(y as i32, m, d)?;
    if b.get(10).is_some_and(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let mut text = format!("{y}年{m}月{d}日");
    let mut len = 10;
    // " HH:MM" or " HH:MM:SS": minutes are enough for a person.
    if b.len() >= 16
        && (b[10] == b' ' || b[10] == b'T')
        && b[13] == b':'
        && let (Some(h), Some(mi)) = (digits(&b[11..13]), digits(&b[14..16]))
        && h < 24
        && mi < 60
    {
        text.push_str(&format!(" {h:02}:{mi:02}"));
        len = 16;
        if b.len() >= 19 && b[16] == b':' && digits(&b[17..19]).is_some() {
            len = 19;
        }
    }
    Some((text, len))
}

#[cfg(test)]
mod tests {
    use super::zh_dates;

    #[test]
    fn dates_in_text_read_the_chinese_way_and_nothing_else_changes() {
        assert_eq!(zh_dates("2026-12-09"), "2026年12月9日");
        assert_eq!(zh_dates("2026-12-05（周六）"), "2026年12月5日（周六）");
        assert_eq!(zh_dates("宜昌市委督查室，2026-11-23 09:00:00"), "宜昌市委督查室，2026年11月23日 09:00");
        assert_eq!(zh_dates("2026-11-23 09:05"), "2026年11月23日 09:05");
        assert_eq!(zh_dates("截至 2027-01-04 前"), "截至 2027年1月4日 前");
        // Not dates: ids, numbers, impossible days, plain text.
        for s in ["01a24238-8e28-72a3", "12026-12-09", "2026-13-01", "2026-02-30", "宜纪容〔2026〕5号", "", "2026-12-0"]
        {
            assert_eq!(zh_dates(s), s);
        }
    }
}
