//! Text parsing shared by every input path (forms, JSON, Excel).

use chrono::NaiveDate;
use pinyin::ToPinyin;

use crate::error::Problem;

/// Trims and collapses inner whitespace; full-width spaces count as spaces
/// because spreadsheets typed on Chinese input methods are full of them.
pub fn normalize(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '\u{3000}').filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ")
}

pub fn required(s: &str, max_chars: usize) -> Result<String, Problem> {
    let v = normalize(s);
    if v.is_empty() {
        return Err(Problem::Required);
    }
    if v.chars().count() > max_chars {
        return Err(Problem::TooLong { max: max_chars });
    }
    Ok(v)
}

pub fn optional(s: Option<&str>, max_chars: usize) -> Result<Option<String>, Problem> {
    match s.map(normalize) {
        None => Ok(None),
        Some(v) if v.is_empty() => Ok(None),
        Some(v) if v.chars().count() > max_chars => Err(Problem::TooLong { max: max_chars }),
        Some(v) => Ok(Some(v)),
    }
}

/// Accepts 2024-03-01, 2024/3/1, 2024.3.1 and 2024年3月1日 — the forms found
/// in organization-department spreadsheets.
pub fn parse_date(s: &str) -> Result<NaiveDate, Problem> {
    let t = normalize(s);
    if t.is_empty() {
        return Err(Problem::Required);
    }
    let cleaned: String = t.replace(['年', '月', '/', '.'], "-").replace('日', "");
    let parts: Vec<&str> = cleaned.split('-').collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit())) {
        return Err(Problem::BadDate);
    }
    if parts[0].len() != 4 {
        return Err(Problem::BadDate);
    }
    let y: i32 = parts[0].parse().map_err(|_| Problem::BadDate)?;
    let m: u32 = parts[1].parse().map_err(|_| Problem::BadDate)?;
    let d: u32 = parts[2].parse().map_err(|_| Problem::BadDate)?;
    if !(1900..=2200).contains(&y) {
        return Err(Problem::BadDate);
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or(Problem::BadDate)
}

pub fn parse_optional_date(s: Option<&str>) -> Result<Option<NaiveDate>, Problem> {
    match s.map(normalize) {
        None => Ok(None),
        Some(v) if v.is_empty() => Ok(None),
        Some(v) => parse_date(&v).map(Some),
    }
}

pub fn not_future(d: NaiveDate, today: NaiveDate) -> Result<NaiveDate, Problem> {
    if d > today { Err(Problem::FutureDate) } else { Ok(d) }
}

/// Sort and search keys for a Chinese name. Sorting happens on this ASCII key
/// (lowercase letters and digits only) so no database collation is involved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameKeys {
    pub pinyin: String,
    pub initials: String,
}

pub fn name_keys(name: &str) -> NameKeys {
    let mut pinyin = String::new();
    let mut initials = String::new();
    for (ch, py) in name.chars().zip(name.to_pinyin()) {
        match py {
            Some(p) => {
                let plain = p.plain();
                pinyin.push_str(plain);
                if let Some(c) = plain.chars().next() {
                    initials.push(c);
                }
            }
            None => {
                for lc in ch.to_lowercase() {
                    if lc.is_ascii_alphanumeric() {
                        pinyin.push(lc);
                        initials.push(lc);
                    }
                }
            }
        }
    }
    NameKeys { pinyin, initials }
}

/// A search term reduced the same way as [`name_keys`] so "Zhang San",
/// "zhangsan" and "zs" all find 张三.
pub fn search_key(q: &str) -> String {
    q.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_spreadsheet_forms() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        for s in ["2024-03-01", "2024/3/1", "2024.3.1", "2024年3月1日", " 2024-3-01 "] {
            assert_eq!(parse_date(s), Ok(d), "{s}");
        }
        for s in ["2024-02-30", "24-3-1", "2024-3", "abc", "2024-03-01x", "1800-01-01"] {
            assert_eq!(parse_date(s), Err(Problem::BadDate), "{s}");
        }
        assert_eq!(parse_date(""), Err(Problem::Required));
    }

    #[test]
    fn pinyin_keys() {
        let k = name_keys("张三丰");
        assert_eq!(k.pinyin, "zhangsanfeng");
        assert_eq!(k.initials, "zsf");
        assert_eq!(name_keys("李 A").pinyin, "lia");
        assert_eq!(search_key("Zhang San"), "zhangsan");
    }

    #[test]
    fn normalize_full_width_space() {
        assert_eq!(normalize("\u{3000}王\u{3000}五 "), "王 五");
        assert_eq!(required("  ", 5), Err(Problem::Required));
        assert_eq!(required("一二三四五六", 5), Err(Problem::TooLong { max: 5 }));
    }
}
