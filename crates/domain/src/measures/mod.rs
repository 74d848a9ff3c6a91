//! Measures on a cadre's record and the impact periods they cast (M4, M6).
//!
//! Every number comes from the policy pack (`impact.*` entries); this module
//! only knows the shape of the rules: which measures exist, how periods are
//! counted, how measures on one track stack, and that tracks run in parallel.

pub mod book;
pub mod dates;
pub mod engine;
pub mod input;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::error::Problem;
use crate::registry::code_enum;

pub use book::{Cite, ImpactBook};
pub use dates::Convention;
pub use engine::{Answer, Eligibility, MeasureOutcome, Reason, TrackEnd, evaluate};

code_enum!(
    /// The statutory kinds of measure (问责条例, 纪律处分条例, 政务处分法,
    /// 组织处理规定, 公务员考核规定). A classification, not a rule: what each
    /// kind does to a career is in the pack.
    MeasureKind {
        ReminderTalk = ("reminder_talk", "提醒谈话"),
        Criticism = ("criticism", "批评教育"),
        OrderedSelfExamination = ("ordered_self_examination", "责令检查"),
        LetterInquiry = ("letter_inquiry", "函询"),
        WrittenExplanation = ("written_explanation", "书面说明"),
        Admonishment = ("admonishment", "诫勉"),
        CirculatedNotice = ("circulated_notice", "通报"),
        Accountability = ("accountability", "党组织问责"),
        OrgHandling = ("org_handling", "组织处理"),
        PartySanction = ("party_sanction", "党纪处分"),
        StateSanction = ("state_sanction", "政务处分"),
        Assessment = ("assessment", "年度考核"),
    }
);

impl MeasureKind {
    /// Types within the kind as (code, label); empty when the kind has none.
    pub fn types(self) -> &'static [(&'static str, &'static str)] {
        match self {
            MeasureKind::StateSanction => &[
                ("warning", "警告"),
                ("demerit", "记过"),
                ("major_demerit", "记大过"),
                ("grade_demotion", "降级"),
                ("dismissal_from_post", "撤职"),
                ("expulsion", "开除"),
            ],
            MeasureKind::PartySanction => &[
                ("warning", "警告"),
                ("serious_warning", "严重警告"),
                ("party_post_removal", "撤销党内职务"),
                ("probation", "留党察看"),
                ("expulsion", "开除党籍"),
            ],
            MeasureKind::OrgHandling => &[
                ("suspension", "停职检查"),
                ("reassignment", "调整职务"),
                ("ordered_resignation", "责令辞职"),
                ("removal", "免职"),
                ("demotion", "降职"),
            ],
            MeasureKind::Accountability => {
                &[("examination", "检查"), ("circulated_notice", "通报"), ("reorganization", "改组")]
            }
            MeasureKind::Assessment => &[
                ("excellent", "优秀"),
                ("competent", "称职"),
                ("basically_competent", "基本称职"),
                ("incompetent", "不称职"),
            ],
            _ => &[],
        }
    }

    /// Measures taken against a party organization rather than a person.
    pub fn targets_organization(self) -> bool {
        matches!(self, MeasureKind::Accountability)
    }
}

/// A kind with its type, e.g. `state_sanction.demerit`; the key of the pack
/// entry `impact.<code>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MeasureCode {
    pub kind: MeasureKind,
    ty: u8,
}

impl MeasureCode {
    pub fn new(kind: MeasureKind, ty: Option<&str>) -> Result<MeasureCode, Problem> {
        let types = kind.types();
        match (types.is_empty(), ty.map(crate::text::normalize).filter(|t| !t.is_empty())) {
            (true, None) => Ok(MeasureCode { kind, ty: u8::MAX }),
            (true, Some(_)) => {
                Err(Problem::Conflict { detail: format!("“{}”没有细分类型，不应填写", kind.label_zh()) })
            }
            (false, None) => Err(Problem::Required),
            (false, Some(t)) => types
                .iter()
                .position(|(c, l)| *c == t || *l == t)
                .map(|i| MeasureCode { kind, ty: i as u8 })
                .ok_or_else(|| Problem::Unknown {
                    allowed: types.iter().map(|(c, l)| format!("{c}（{l}）")).collect(),
                }),
        }
    }

    /// Parses `kind` or `kind.type`.
    pub fn parse(code: &str) -> Result<MeasureCode, Problem> {
        let (k, t) = match code.split_once('.') {
            Some((k, t)) => (k, Some(t)),
            None => (code, None),
        };
        MeasureCode::new(MeasureKind::parse(k)?, t)
    }

    pub fn all() -> impl Iterator<Item = MeasureCode> {
        MeasureKind::ALL.iter().flat_map(|&kind| {
            let n = kind.types().len();
            let tys: Vec<u8> = if n == 0 { vec![u8::MAX] } else { (0..n as u8).collect() };
            tys.into_iter().map(move |ty| MeasureCode { kind, ty })
        })
    }

    pub fn type_code(self) -> Option<&'static str> {
        self.kind.types().get(self.ty as usize).map(|(c, _)| *c)
    }

    pub fn type_label(self) -> Option<&'static str> {
        self.kind.types().get(self.ty as usize).map(|(_, l)| *l)
    }

    pub fn code(self) -> String {
        match self.type_code() {
            Some(t) => format!("{}.{t}", self.kind.code()),
            None => self.kind.code().to_string(),
        }
    }

    pub fn label_zh(self) -> String {
        self.label().to_string()
    }

    /// "政务处分·记过", built once for every code so the engine never formats.
    pub fn label(self) -> &'static str {
        static LABELS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        let labels = LABELS.get_or_init(|| {
            MeasureCode::all()
                .map(|c| match c.type_label() {
                    Some(t) => format!("{}·{t}", c.kind.label_zh()),
                    None => c.kind.label_zh().to_string(),
                })
                .collect()
        });
        labels[self.index()].as_str()
    }

    /// Position in [`MeasureCode::all`]: a dense key for tables.
    pub fn index(self) -> usize {
        let mut i = 0;
        for k in MeasureKind::ALL {
            let n = k.types().len();
            if *k == self.kind {
                return i + if n == 0 { 0 } else { self.ty as usize };
            }
            i += n.max(1);
        }
        i
    }

    pub fn count() -> usize {
        MeasureKind::ALL.iter().map(|k| k.types().len().max(1)).sum()
    }
}

impl Track {
    pub fn index(self) -> usize {
        Track::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

impl Serialize for MeasureCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.code())
    }
}

code_enum!(
    /// Parallel lines of consequence; promotion waits until every track has ended.
    Track {
        State = ("state", "政务处分"),
        Party = ("party", "党纪处分"),
        Org = ("org", "组织处理"),
        Admonishment = ("admonishment", "诫勉"),
        Assessment = ("assessment", "年度考核"),
        None = ("none", "不产生影响期"),
    }
);

code_enum!(
    /// The questions other mechanisms ask of a cadre's record.
    Question {
        Promotion = ("promotion", "提拔晋升"),
        FurtherUse = ("further_use", "进一步使用"),
        Candidate = ("candidate", "列为考察对象"),
        Award = ("award", "评先评优和表彰奖励"),
        PayStep = ("pay_step", "晋升工资档次"),
    }
);

code_enum!(
    /// A tolerance (容错) outcome attached later to a measure.
    Tolerance {
        Exempted = ("exempted", "容错免责"),
        Mitigated = ("mitigated", "容错减责"),
    }
);

/// One measure as the engine sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeasureFact {
    pub code: MeasureCode,
    pub effective: chrono::NaiveDate,
    /// 留党察看 lasts one or two years; the pack adds them to the bar.
    pub probation_years: Option<u32>,
    /// A period fixed by the decision itself, e.g. one period for several
    /// sanctions of the same kind decided together.
    pub period_months: Option<u32>,
    pub tolerance: Option<Tolerance>,
}

/// Runs a pack test case: measures written `code@YYYY-MM-DD[+Ny][!exempted]`,
/// answer the first day promotion is possible, or `never`.
pub fn check_case(
    r: &crate::policy::Resolved<'_>,
    measures: &[String],
    as_of: chrono::NaiveDate,
) -> Result<String, String> {
    let book = ImpactBook::build(r).map_err(|e| e.join("；"))?;
    let mut facts = Vec::new();
    for m in measures {
        let (rest, exempted) = match m.strip_suffix("!exempted") {
            Some(x) => (x, true),
            None => (m.as_str(), false),
        };
        let (rest, years) = match rest.rsplit_once('+') {
            Some((x, y)) => {
                (x, Some(y.trim_end_matches('y').parse::<u32>().map_err(|_| format!("“{m}”的年限无法识别"))?))
            }
            None => (rest, None),
        };
        let (code, date) = rest.split_once('@').ok_or_else(|| format!("“{m}”应写作 措施代码@YYYY-MM-DD"))?;
        let code = MeasureCode::parse(code).map_err(|p| format!("“{m}”：{}", p.message_zh()))?;
        let effective = crate::text::parse_date(date).map_err(|p| format!("“{m}”：{}", p.message_zh()))?;
        facts.push(MeasureFact {
            code,
            effective,
            probation_years: years,
            period_months: None,
            tolerance: exempted.then_some(Tolerance::Exempted),
        });
    }
    let e = evaluate(&book, &facts, as_of);
    Ok(match e.promotion.eligible_from {
        Some(d) => d.to_string(),
        None => "never".into(),
    })
}

/// The "four forms" (四种形态) of supervision, 1 (lightest) to 4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FourForms(pub u8);

impl FourForms {
    pub fn label_zh(self) -> &'static str {
        match self.0 {
            1 => "第一种形态",
            2 => "第二种形态",
            3 => "第三种形态",
            _ => "第四种形态",
        }
    }
}
