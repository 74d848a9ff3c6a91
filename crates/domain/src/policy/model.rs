//! The loaded, validated form of a pack.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Read in the legal text itself.
    Text,
    /// Primary wording quoted by a public page.
    Quoted,
    /// Stated in a seed document.
    Seed,
    /// Secondary reports, likely.
    Reported,
    /// Commonly applied, not confirmed: a default the deployment may change.
    Unverified,
}

impl Confidence {
    pub const ALL: [Confidence; 5] =
        [Confidence::Text, Confidence::Quoted, Confidence::Seed, Confidence::Reported, Confidence::Unverified];

    pub fn code(self) -> &'static str {
        match self {
            Confidence::Text => "text",
            Confidence::Quoted => "quoted",
            Confidence::Seed => "seed",
            Confidence::Reported => "reported",
            Confidence::Unverified => "unverified",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            // Said for an official reading a citation, not for the pack's author.
            Confidence::Text => "依据原文",
            Confidence::Quoted => "依据权威引述的原文",
            Confidence::Seed => "依据本系统收录的政策材料",
            Confidence::Reported => "本条依据为公开报道，尚未核对原文",
            Confidence::Unverified => "系统默认值，尚无文件依据，使用前请核实",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Document {
    pub id: String,
    pub title: String,
    pub issuer: Option<String>,
    pub number: Option<String>,
    pub issued: Option<NaiveDate>,
    pub effective_from: Option<NaiveDate>,
    pub url: Option<String>,
    pub note: Option<String>,
    pub pack: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceRef {
    pub document: String,
    pub article: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Catalogue {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    /// The source names more items than are public here; the UI says so.
    pub incomplete: bool,
    pub incomplete_note: Option<String>,
    pub source: Option<SourceRef>,
    pub pack: String,
}

/// One version of a named entry; versions of one id never overlap in time.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EntryVersion {
    pub id: String,
    pub catalogue: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub source: SourceRef,
    pub confidence: Confidence,
    pub effective_from: NaiveDate,
    /// Last day in force, inclusive; open-ended when absent.
    pub effective_to: Option<NaiveDate>,
    #[serde(skip)]
    pub value: Option<toml::Value>,
    pub refs: Vec<String>,
    pub note: Option<String>,
    pub order: i64,
    /// A lower layer's way to take an upper layer's entry out of force: while
    /// this version is in force, the entry does not exist in this pack.
    pub repealed: bool,
    pub pack: String,
    pub file: String,
    pub line: usize,
}

impl EntryVersion {
    pub fn in_force(&self, on: NaiveDate) -> bool {
        self.effective_from <= on && self.effective_to.is_none_or(|t| on <= t)
    }

    pub fn value_json(&self) -> Option<serde_json::Value> {
        self.value.as_ref().and_then(|v| serde_json::to_value(v).ok())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HolidayRange {
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// A State Council notice (or an amendment to one) fixing a year's schedule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CalendarNotice {
    pub id: String,
    pub year: i32,
    pub source: SourceRef,
    pub confidence: Confidence,
    pub holidays: Vec<HolidayRange>,
    pub workdays: Vec<NaiveDate>,
    pub cancel_workdays: Vec<NaiveDate>,
    pub pack: String,
    pub file: String,
    pub line: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PackTest {
    pub name: String,
    pub kind: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub date: Option<NaiveDate>,
    pub n: Option<u32>,
    pub id: Option<String>,
    pub expect: Option<String>,
    #[serde(skip)]
    pub expect_value: Option<toml::Value>,
    /// For `eligibility` tests: `code@YYYY-MM-DD`, `+Ny` for probation years,
    /// `!exempted` for a tolerance exemption.
    pub measures: Vec<String>,
    pub file: String,
    pub line: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct Pack {
    pub id: String,
    pub title: String,
    pub parent: Option<String>,
    pub jurisdiction: Option<String>,
    pub description: Option<String>,
    pub documents: BTreeMap<String, Document>,
    pub catalogues: BTreeMap<String, Catalogue>,
    pub entries: BTreeMap<String, Vec<EntryVersion>>,
    pub calendar: Vec<CalendarNotice>,
    pub tests: Vec<PackTest>,
}
