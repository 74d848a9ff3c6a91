//! Registry value objects (M1): jurisdictions, units, posts, cadres.
//!
//! Each enumerated value has a stable code (API, database) and the Chinese
//! label users see and type into spreadsheets; both parse.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::Problem;

macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = ($code:literal, $label:literal)),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name { $( #[serde(rename = $code)] $variant ),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }

            pub fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $label),* }
            }

            /// Accepts the code or the Chinese label.
            pub fn parse(s: &str) -> Result<Self, Problem> {
                let t = crate::text::normalize(s);
                if t.is_empty() {
                    return Err(Problem::Required);
                }
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.code() == t || v.label_zh() == t)
                    .ok_or_else(|| Problem::Unknown { allowed: Self::labels() })
            }

            pub fn labels() -> Vec<String> {
                Self::ALL.iter().map(|v| v.label_zh().to_string()).collect()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label_zh())
            }
        }
    };
}
pub(crate) use code_enum;

code_enum!(Sex { Male = ("male", "男"), Female = ("female", "女") });

code_enum!(
    /// Which level's organization department manages the cadre (管理权限).
    ManagedBy { Province = ("province", "省管"), City = ("city", "市管"), County = ("county", "县管") }
);

code_enum!(JurisdictionLevel {
    Province = ("province", "省"),
    City = ("city", "市"),
    County = ("county", "县"),
    Township = ("township", "乡镇"),
});

code_enum!(UnitType {
    PartyOrgan = ("party_organ", "党的机关"),
    GovernmentOrgan = ("government_organ", "政府机关"),
    CongressCppcc = ("congress_cppcc", "人大政协机关"),
    JudicialOrgan = ("judicial_organ", "审判检察机关"),
    MassOrganization = ("mass_organization", "群团机关"),
    PublicInstitution = ("public_institution", "事业单位"),
    Soe = ("soe", "国有企业"),
    University = ("university", "高等学校"),
});

code_enum!(
    /// 正职 / 副职 of a leadership post.
    PostLevel { Principal = ("principal", "正职"), Deputy = ("deputy", "副职") }
);

code_enum!(
    /// 领导职务层次 (公务员法 art. 18), without the national level.
    Tier {
        Provincial = ("provincial", "省部级"),
        Bureau = ("bureau", "厅局级"),
        County = ("county", "县处级"),
        Township = ("township", "乡科级"),
    }
);

code_enum!(
    /// 职级 under 公务员职务与职级并行规定 (2019).
    Rank {
        Inspector1 = ("inspector_1", "一级巡视员"),
        Inspector2 = ("inspector_2", "二级巡视员"),
        Researcher1 = ("researcher_1", "一级调研员"),
        Researcher2 = ("researcher_2", "二级调研员"),
        Researcher3 = ("researcher_3", "三级调研员"),
        Researcher4 = ("researcher_4", "四级调研员"),
        PrincipalStaff1 = ("principal_staff_1", "一级主任科员"),
        PrincipalStaff2 = ("principal_staff_2", "二级主任科员"),
        PrincipalStaff3 = ("principal_staff_3", "三级主任科员"),
        PrincipalStaff4 = ("principal_staff_4", "四级主任科员"),
        Staff1 = ("staff_1", "一级科员"),
        Staff2 = ("staff_2", "二级科员"),
    }
);

code_enum!(Education {
    Postgraduate = ("postgraduate", "研究生"),
    Undergraduate = ("undergraduate", "大学本科"),
    College = ("college", "大学专科"),
    Secondary = ("secondary", "中专"),
    HighSchool = ("high_school", "高中及以下"),
});

code_enum!(Degree {
    Doctor = ("doctor", "博士"),
    Master = ("master", "硕士"),
    Bachelor = ("bachelor", "学士"),
    NoDegree = ("none", "无"),
});

impl PostLevel {
    pub fn with_tier(self, tier: Tier) -> String {
        format!("{}{}", tier.label_zh(), self.label_zh())
    }
}

/// Roster sort key of one post: higher tiers first, principals before
/// deputies (bureau principal 11, bureau deputy 12, county principal 21 …).
pub fn post_rank(tier: Option<Tier>, level: Option<PostLevel>) -> i32 {
    let t = match tier {
        Some(Tier::Provincial) => 0,
        Some(Tier::Bureau) => 10,
        Some(Tier::County) => 20,
        Some(Tier::Township) => 30,
        None => 40,
    };
    let l = match level {
        Some(PostLevel::Principal) => 1,
        Some(PostLevel::Deputy) => 2,
        None => 3,
    };
    t + l
}

/// A cadre's key: the best of their current posts, 99 without any.
pub fn roster_rank(current: impl IntoIterator<Item = (Option<Tier>, Option<PostLevel>)>) -> i32 {
    current.into_iter().map(|(t, l)| post_rank(t, l)).min().unwrap_or(99)
}

/// The 56 ethnic groups (GB/T 3304).
pub const ETHNICITIES: [&str; 56] = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
];

pub fn parse_ethnicity(s: &str) -> Result<String, Problem> {
    let t = crate::text::normalize(s);
    if t.is_empty() {
        return Err(Problem::Required);
    }
    let full = if t.ends_with('族') { t.clone() } else { format!("{t}族") };
    ETHNICITIES
        .iter()
        .find(|e| **e == full || **e == t)
        .map(|e| e.to_string())
        .ok_or(Problem::Unknown { allowed: vec![] })
}

/// 公民身份号码 (GB 11643-1999): 17 digits and a check character.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IdNumber(String);

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

impl IdNumber {
    pub fn parse(s: &str) -> Result<Self, Problem> {
        let t: String = crate::text::normalize(s).to_uppercase();
        if t.is_empty() {
            return Err(Problem::Required);
        }
        let chars: Vec<char> = t.chars().collect();
        if chars.len() != 18 || !chars[..17].iter().all(|c| c.is_ascii_digit()) {
            return Err(Problem::BadIdNumber);
        }
        if Self::check_char(&t[..17]) != chars[17] {
            return Err(Problem::BadIdNumber);
        }
        let id = Self(t);
        id.birth_date().ok_or(Problem::BadIdNumber)?;
        Ok(id)
    }

    /// Builds a number with a correct check character from its first 17 digits.
    pub fn from_body(body17: &str) -> Result<Self, Problem> {
        if body17.len() != 17 || !body17.chars().all(|c| c.is_ascii_digit()) {
            return Err(Problem::BadIdNumber);
        }
        Self::parse(&format!("{body17}{}", Self::check_char(body17)))
    }

    fn check_char(body17: &str) -> char {
        let sum: u32 = body17.chars().zip(ID_WEIGHTS).map(|(c, w)| c.to_digit(10).unwrap_or(0) * w).sum();
        ID_CHECK[(sum % 11) as usize]
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> Option<NaiveDate> {
        let y = self.0[6..10].parse().ok()?;
        let m = self.0[10..12].parse().ok()?;
        let d = self.0[12..14].parse().ok()?;
        NaiveDate::from_ymd_opt(y, m, d)
    }

    pub fn sex(&self) -> Sex {
        let digit = self.0.as_bytes()[16] - b'0';
        if digit % 2 == 1 { Sex::Male } else { Sex::Female }
    }

    /// Keeps region and check digits apart from the birth date, which is the
    /// identifying part: 420506********123X → shown to roles without the
    /// sensitive-read permission.
    /// The number as roles without the sensitive right see it: the issuing
    /// area only. Keeping any of digits 7–18 would, with the birth month
    /// those roles see, leave a few dozen candidates to try against the
    /// check digit; with these twelve hidden there are thousands.
    pub fn masked(&self) -> String {
        format!("{}{}", &self.0[..6], "*".repeat(12))
    }

    /// Consistency of the number with the separately entered sex and birth date.
    pub fn check_against(&self, sex: Sex, birth: NaiveDate) -> Result<(), Problem> {
        if self.birth_date() != Some(birth) {
            return Err(Problem::IdNumberMismatch { detail: "出生日期不同".into() });
        }
        if self.sex() != sex {
            return Err(Problem::IdNumberMismatch { detail: "性别不同".into() });
        }
        Ok(())
    }
}

/// 行政区划代码: 6 digits for province, city and county; 9 for township.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JurisdictionCode(String);

impl JurisdictionCode {
    pub fn parse(s: &str, level: JurisdictionLevel) -> Result<Self, Problem> {
        let t = crate::text::normalize(s);
        if t.is_empty() {
            return Err(Problem::Required);
        }
        let want = if level == JurisdictionLevel::Township { 9 } else { 6 };
        if t.len() != want || !t.chars().all(|c| c.is_ascii_digit()) {
            return Err(Problem::BadFormat { expected: format!("{want} 位数字的行政区划代码") });
        }
        let ok = match level {
            JurisdictionLevel::Province => t.ends_with("0000"),
            JurisdictionLevel::City => !t.ends_with("0000") && t.ends_with("00"),
            JurisdictionLevel::County => !t.ends_with("00"),
            JurisdictionLevel::Township => true,
        };
        if !ok {
            return Err(Problem::BadFormat { expected: format!("{}级行政区划代码", level.label_zh()) });
        }
        Ok(Self(t))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digits that children must start with: 42 for 420000, 4205 for
    /// 420500, the whole code below that.
    pub fn significant_prefix(&self) -> &str {
        if self.0.len() == 6 && self.0.ends_with("0000") {
            &self.0[..2]
        } else if self.0.len() == 6 && self.0.ends_with("00") {
            &self.0[..4]
        } else {
            &self.0
        }
    }

    pub fn is_child_of(&self, parent: &JurisdictionCode) -> bool {
        self.0 != parent.0 && self.0.starts_with(parent.significant_prefix())
    }
}

impl JurisdictionLevel {
    pub fn child(self) -> Option<JurisdictionLevel> {
        match self {
            JurisdictionLevel::Province => Some(JurisdictionLevel::City),
            JurisdictionLevel::City => Some(JurisdictionLevel::County),
            JurisdictionLevel::County => Some(JurisdictionLevel::Township),
            JurisdictionLevel::Township => None,
        }
    }
}

/// Materialized path of a jurisdiction ("/420000/420500/420506/"): subtree
/// checks are prefix tests, in Rust and in SQL alike, with no recursive query.
pub fn jurisdiction_path(parent_path: Option<&str>, code: &JurisdictionCode) -> String {
    format!("{}{}/", parent_path.unwrap_or("/"), code.as_str())
}

/// Path of a unit within the unit tree, built from unit ids.
pub fn unit_path(parent_path: Option<&str>, id: &crate::ids::UnitId) -> String {
    format!("{}{}/", parent_path.unwrap_or("/"), id.0.simple())
}

pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// Age counted in whole months: the completed years between the birth month
/// and the month of `on`, as if every birthday fell on the 1st.
pub fn age_by_month(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - birth.year();
    if on.month() < birth.month() {
        age -= 1;
    }
    age
}

/// The first day of the month after `on`'s month, `years` years earlier:
/// `age_by_month(b, on) <= a` exactly when `b >= month_after(on, a + 1)`.
pub fn month_after(on: NaiveDate, years: i32) -> Option<NaiveDate> {
    let (y, m) = if on.month() == 12 { (on.year() - years + 1, 1) } else { (on.year() - years, on.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1)
}

/// The last day of `on`'s month, `years` years earlier:
/// `age_by_month(b, on) >= a` exactly when `b <= month_end(on, a)`.
pub fn month_end(on: NaiveDate, years: i32) -> Option<NaiveDate> {
    month_after(on, years)?.pred_opt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_by_month_and_their_bounds_agree() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(age_by_month(d("1980-06-30"), d("2026-06-01")), 46);
        assert_eq!(age_by_month(d("1980-07-01"), d("2026-06-30")), 45);
        // The shown age and the filter bounds agree for every day of two years.
        for today in [d("2026-01-15"), d("2026-12-31"), d("2024-02-29")] {
            let mut b = d("1979-01-01");
            while b < d("1981-01-01") {
                let age = age_by_month(b, today);
                for a in 44..=47 {
                    assert_eq!(age <= a, b >= month_after(today, a + 1).unwrap(), "{b} {today} <= {a}");
                    assert_eq!(age >= a, b <= month_end(today, a).unwrap(), "{b} {today} >= {a}");
                }
                b = b.succ_opt().unwrap();
            }
        }
    }

    #[test]
    fn id_number_checksum_and_fields() {
        // GB 11643 example value.
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31));
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.masked(), "110105************");
        assert_eq!(IdNumber::parse("110105194912310021"), Err(Problem::BadIdNumber));
        assert_eq!(IdNumber::parse("11010519491331002X"), Err(Problem::BadIdNumber));
        assert_eq!(IdNumber::parse("1101051949123100"), Err(Problem::BadIdNumber));
        assert_eq!(IdNumber::parse("11010519491231002x").unwrap().as_str(), "11010519491231002X");
        let built = IdNumber::from_body("99050619800101123").unwrap();
        assert!(IdNumber::parse(built.as_str()).is_ok());
        assert_eq!(built.sex(), Sex::Male);
    }

    #[test]
    fn id_number_consistency() {
        let id = IdNumber::parse("11010519491231002X").unwrap();
        let birth = NaiveDate::from_ymd_opt(1949, 12, 31).unwrap();
        assert!(id.check_against(Sex::Female, birth).is_ok());
        assert!(matches!(id.check_against(Sex::Male, birth), Err(Problem::IdNumberMismatch { .. })));
    }

    #[test]
    fn enums_parse_code_or_label() {
        assert_eq!(ManagedBy::parse("市管"), Ok(ManagedBy::City));
        assert_eq!(ManagedBy::parse("city"), Ok(ManagedBy::City));
        assert!(matches!(ManagedBy::parse("乡管"), Err(Problem::Unknown { .. })));
        assert_eq!(Rank::parse("二级调研员"), Ok(Rank::Researcher2));
        assert_eq!(PostLevel::Principal.with_tier(Tier::County), "县处级正职");
    }

    #[test]
    fn ethnicity_short_form() {
        assert_eq!(parse_ethnicity("汉").unwrap(), "汉族");
        assert_eq!(parse_ethnicity("土家族").unwrap(), "土家族");
        assert!(parse_ethnicity("火星族").is_err());
    }

    #[test]
    fn jurisdiction_codes() {
        use JurisdictionLevel::*;
        let hb = JurisdictionCode::parse("420000", Province).unwrap();
        let yc = JurisdictionCode::parse("420500", City).unwrap();
        let yl = JurisdictionCode::parse("420506", County).unwrap();
        let xt = JurisdictionCode::parse("429004", County).unwrap();
        let town = JurisdictionCode::parse("420506100", Township).unwrap();
        assert!(yc.is_child_of(&hb) && yl.is_child_of(&yc) && town.is_child_of(&yl));
        assert!(xt.is_child_of(&hb) && !xt.is_child_of(&yc));
        assert!(JurisdictionCode::parse("420500", Province).is_err());
        assert!(JurisdictionCode::parse("4205", City).is_err());
        assert_eq!(jurisdiction_path(Some("/420000/"), &yc), "/420000/420500/");
    }

    #[test]
    fn roster_ranks() {
        assert!(
            post_rank(Some(Tier::Bureau), Some(PostLevel::Deputy))
                < post_rank(Some(Tier::County), Some(PostLevel::Principal))
        );
        assert!(
            post_rank(Some(Tier::County), Some(PostLevel::Principal))
                < post_rank(Some(Tier::County), Some(PostLevel::Deputy))
        );
        assert_eq!(roster_rank([(Some(Tier::Township), Some(PostLevel::Deputy)), (Some(Tier::County), None)]), 23);
        assert_eq!(roster_rank([]), 99);
    }

    #[test]
    fn ages() {
        let b = NaiveDate::from_ymd_opt(1980, 6, 15).unwrap();
        assert_eq!(age_on(b, NaiveDate::from_ymd_opt(2020, 6, 14).unwrap()), 39);
        assert_eq!(age_on(b, NaiveDate::from_ymd_opt(2020, 6, 15).unwrap()), 40);
    }
}
