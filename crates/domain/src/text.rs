//! Text parsing shared by every input path (forms, JSON, Excel).

use chrono::NaiveDate;
use pinyin::ToPinyin;

use crate::error::Problem;

/// Characters no stored text may hold: control characters other than tab
/// and line breaks (PostgreSQL refuses NUL; BEL and the like are never
/// typed), and the bidi embedding, override and isolate controls, which make
/// a name or a file name display differently from what it is.
pub fn is_refused(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Invisible characters that only make equal names differ ("王\u{200B}小明"
/// would not find 王小明): removed, not refused, since they come in with
/// pasted text unseen.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}')
}

/// The first refused character, as the problem that names it.
pub fn check_chars(s: &str) -> Result<(), Problem> {
    match s.chars().find(|c| is_refused(*c)) {
        Some(c) => Err(Problem::BadCharacter { code_point: format!("U+{:04X}", c as u32) }),
        None => Ok(()),
    }
}

/// NFC, invisible characters removed, refused ones dropped (for text that
/// is only searched or shown, never stored as typed), inner whitespace
/// collapsed; full-width spaces count as spaces because spreadsheets typed
/// on Chinese input methods are full of them.
pub fn normalize(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let visible: String = s.chars().filter(|c| !is_invisible(*c) && !is_refused(*c)).nfc().collect();
    visible
        .split(|c: char| c.is_whitespace() || c == '\u{3000}')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn required(s: &str, max_chars: usize) -> Result<String, Problem> {
    check_chars(s)?;
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
    if let Some(v) = s {
        check_chars(v)?;
    }
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
    /// The usual reading (a surname's own reading for the first character):
    /// the sort key.
    pub pinyin: String,
    pub initials: String,
    /// Every spelling a user may type — each reading of the name's
    /// polyphonic characters, in full and as initials — as `|a|b|…|`, so a
    /// search is one `LIKE '%|key%'`.
    pub search: String,
}

/// Characters read more than one way in names, the reading usual in names
/// first (长 cháng as in 长江; the pinyin library says zhǎng) and a surname's
/// own reading first where the character is one (单 shàn, 解 xiè, 仇 qiú,
/// 区 ōu, 查 zhā, 曾 zēng, 朴 piáo, 盖 gě, 覃 qín, 尉 yù in 尉迟 …). Readings are
/// toneless, as they are typed. Only name-relevant readings are listed: the
/// pinyin library's full heteronym table would let "wj" find every 王强.
const POLYPHONES: &[(char, &[&str])] = &[
    ('长', &["chang", "zhang"]),
    ('重', &["chong", "zhong"]),
    ('曾', &["zeng", "ceng"]),
    ('单', &["shan", "dan", "chan"]),
    ('朝', &["chao", "zhao"]),
    ('解', &["xie", "jie"]),
    ('仇', &["qiu", "chou"]),
    ('区', &["ou", "qu"]),
    ('查', &["zha", "cha"]),
    ('乐', &["yue", "le"]),
    ('朴', &["piao", "pu"]),
    ('盖', &["ge", "gai"]),
    ('缪', &["miao", "mou", "miu"]),
    ('覃', &["qin", "tan"]),
    ('尉', &["yu", "wei"]),
    ('翟', &["zhai", "di"]),
    ('召', &["shao", "zhao"]),
    ('种', &["chong", "zhong"]),
    ('员', &["yun", "yuan"]),
    ('宓', &["mi", "fu"]),
    ('秘', &["bi", "mi"]),
    ('折', &["she", "zhe"]),
    ('繁', &["po", "fan"]),
    ('句', &["gou", "ju"]),
    ('万', &["wan", "mo"]),
    ('柏', &["bai", "bo"]),
    ('藏', &["zang", "cang"]),
    ('强', &["qiang", "jiang"]),
    ('传', &["chuan", "zhuan"]),
    ('行', &["xing", "hang"]),
    ('和', &["he", "huo"]),
    ('大', &["da", "dai"]),
    ('都', &["du", "dou"]),
    ('薄', &["bo", "bao"]),
    ('蔚', &["wei", "yu"]),
    ('率', &["shuai", "lv"]),
    ('莘', &["shen", "xin"]),
    ('参', &["shen", "can"]),
    ('调', &["diao", "tiao"]),
    ('会', &["hui", "kuai"]),
    ('贲', &["ben", "bi"]),
    ('角', &["jiao", "jue"]),
    ('降', &["jiang", "xiang"]),
    ('卜', &["bu", "bo"]),
    ('奇', &["qi", "ji"]),
    ('车', &["che", "ju"]),
    ('牟', &["mou", "mu"]),
    ('那', &["na", "nuo"]),
    ('吕', &["lv", "lu"]),
];

/// At most this many spellings of one name are indexed (a name of four
/// polyphonic characters has 16 or more); the usual reading always is.
const MAX_SPELLINGS: usize = 16;

pub fn name_keys(name: &str) -> NameKeys {
    // Each character's readings, the usual one first.
    let mut readings: Vec<Vec<String>> = Vec::new();
    for (ch, py) in name.chars().zip(name.to_pinyin()) {
        let usual = py.map(|p| p.plain().replace('ü', "v"));
        let listed = POLYPHONES.iter().find(|(c, _)| *c == ch).map(|(_, r)| *r);
        let mut r: Vec<String> = match (usual, listed) {
            (_, Some(listed)) => listed.iter().map(|s| s.to_string()).collect(),
            (Some(u), None) => vec![u],
            (None, _) => {
                let s: String = ch.to_lowercase().filter(|c| c.is_ascii_alphanumeric()).collect();
                if s.is_empty() { continue } else { vec![s] }
            }
        };
        r.dedup();
        readings.push(r);
    }
    let mut spellings: Vec<(String, String)> = vec![(String::new(), String::new())];
    for r in &readings {
        let mut next = Vec::with_capacity(spellings.len() * r.len());
        for (full, init) in &spellings {
            for reading in r {
                let mut f = full.clone();
                f.push_str(reading);
                let mut i = init.clone();
                i.extend(reading.chars().next());
                next.push((f, i));
            }
        }
        next.truncate(MAX_SPELLINGS);
        spellings = next;
    }
    let (pinyin, initials) = spellings[0].clone();
    let mut keys: Vec<&str> = Vec::new();
    for (f, i) in &spellings {
        for k in [f.as_str(), i.as_str()] {
            if !k.is_empty() && !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    let search = if keys.is_empty() { String::new() } else { format!("|{}|", keys.join("|")) };
    NameKeys { pinyin, initials, search }
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
    fn every_reading_of_a_polyphone_finds_the_name() {
        let k = name_keys("陈长江");
        assert_eq!((k.pinyin.as_str(), k.initials.as_str()), ("chenchangjiang", "ccj"));
        for typed in ["chenchangjiang", "chenzhangjiang", "ccj", "czj"] {
            assert!(k.search.contains(&format!("|{typed}|")), "{typed}: {}", k.search);
        }
        // A surname has its own reading, which is also the sort key.
        let k = name_keys("单雄信");
        assert_eq!(k.pinyin, "shanxiongxin");
        assert!(k.search.contains("|danxiongxin|") && k.search.contains("|sxx|"), "{}", k.search);
        assert_eq!(name_keys("曾国藩").pinyin, "zengguofan");
        assert_eq!(name_keys("解缙").pinyin, "xiejin");
        // Names without polyphones keep one spelling; ü is typed v.
        assert_eq!(name_keys("张三丰").search, "|zhangsanfeng|zsf|");
        assert_eq!(name_keys("吕布").pinyin, "lvbu");
        // Bounded however many polyphones a name has.
        let k = name_keys("单长重朝乐解");
        assert!(k.search.matches('|').count() <= 2 * MAX_SPELLINGS + 1, "{}", k.search);
        assert_eq!(k.pinyin, "shanchangchongchaoyuexie");
    }

    #[test]
    fn refused_and_removed_characters() {
        assert_eq!(normalize("王\u{200B}小\u{FEFF}明\u{200D}"), "王小明");
        // A decomposed é (e + combining acute) is stored composed.
        assert_eq!(normalize("Ame\u{301}lie"), "Am\u{E9}lie");
        for (s, cp) in
            [("王\u{0}五", "U+0000"), ("a\u{7}b", "U+0007"), ("gpj.\u{202E}xslx", "U+202E"), ("x\u{2066}", "U+2066")]
        {
            assert_eq!(required(s, 50), Err(Problem::BadCharacter { code_point: cp.into() }), "{s:?}");
            assert_eq!(optional(Some(s), 50), Err(Problem::BadCharacter { code_point: cp.into() }), "{s:?}");
            assert!(!normalize(s).chars().any(is_refused), "{s:?}");
        }
        assert_eq!(required("第一行\n第二行\t", 50).as_deref(), Ok("第一行 第二行"));
    }

    #[test]
    fn normalize_full_width_space() {
        assert_eq!(normalize("\u{3000}王\u{3000}五 "), "王 五");
        assert_eq!(required("  ", 5), Err(Problem::Required));
        assert_eq!(required("一二三四五六", 5), Err(Problem::TooLong { max: 5 }));
    }
}
