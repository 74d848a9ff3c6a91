//! The impact rules of one pack chain, parsed once into typed, dated versions
//! so the engine never touches TOML or allocates keys while it runs.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Convention, FourForms, MeasureCode, Question, Tolerance, Track};
use crate::policy::{Confidence, EntryVersion, Resolved, resolve_citation as citation};

/// What a suggestion cites: the pack entry and the document behind it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cite {
    pub rule: String,
    pub title: String,
    pub description: Option<String>,
    pub source: String,
    pub document: String,
    pub confidence: Confidence,
    pub confidence_zh: &'static str,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub pack: String,
    pub note: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Version<T> {
    pub cite: Cite,
    pub rule: T,
}

/// All versions of one entry id, most specific layer first, so the first one
/// in force on a date is the one [`Resolved::entry`] would pick.
#[derive(Clone, Debug)]
pub struct Versions<T>(Vec<Version<T>>);

impl<T> Default for Versions<T> {
    fn default() -> Self {
        Versions(Vec::new())
    }
}

impl<T> Versions<T> {
    pub fn on(&self, d: NaiveDate) -> Option<&Version<T>> {
        self.0.iter().find(|v| v.cite.effective_from <= d && v.cite.effective_to.is_none_or(|t| d <= t))
    }

    pub fn all(&self) -> &[Version<T>] {
        &self.0
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bar {
    pub question: Question,
    #[serde(default)]
    pub months: Option<u32>,
    #[serde(default)]
    pub permanent: bool,
    #[serde(default)]
    pub plus_probation: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureRule {
    pub track: Track,
    #[serde(default)]
    pub bars: Vec<Bar>,
    #[serde(default)]
    pub probation_years_max: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stacking {
    /// A new measure inside a running period adds the old period's remainder.
    RemainingPlusNew,
    /// Overlapping periods: the later end wins.
    Longest,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackRule {
    pub stacking: Stacking,
    #[serde(default)]
    pub cap_months: Option<u32>,
    #[serde(default)]
    pub label: Option<String>,
}

/// A question whose bar lasts as long as another question's on some tracks
/// (e.g. no selection candidacy while promotion is barred).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DerivedRule {
    pub question: Question,
    pub follows: Question,
    pub tracks: Vec<Track>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConventionRule {
    convention: Convention,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExemptionRule {
    pub tolerance: Tolerance,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FourFormsRule {
    first: Vec<String>,
    second: Vec<String>,
    third: Vec<String>,
    fourth: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MentorDue {
    pub months: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VisitIntervalRaw {
    default_months: u32,
    heavier_months: u32,
    heavier: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct VisitInterval {
    pub default_months: u32,
    pub heavier_months: u32,
    pub heavier: Vec<MeasureCode>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpiryAlert {
    pub days_before: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUpScope {
    pub tracks: Vec<Track>,
}

#[derive(Clone, Debug, Default)]
pub struct ImpactBook {
    /// Indexed by [`MeasureCode::index`].
    pub measures: Vec<Versions<MeasureRule>>,
    /// Indexed by [`Track::index`].
    pub tracks: Vec<Versions<TrackRule>>,
    pub derived: Vec<Versions<DerivedRule>>,
    pub convention: Versions<Convention>,
    pub exemption: Versions<ExemptionRule>,
    /// Indexed by [`MeasureCode::index`].
    pub four_forms: Versions<Vec<Option<FourForms>>>,
    pub mentor_due: Versions<MentorDue>,
    pub visit_interval: Versions<VisitInterval>,
    pub expiry_alert: Versions<ExpiryAlert>,
    pub follow_up_scope: Versions<FollowUpScope>,
}

fn cite(resolved: &Resolved<'_>, v: &EntryVersion) -> Cite {
    let doc = resolved.document(&v.source.document);
    Cite {
        rule: v.id.clone(),
        title: v.title.clone(),
        description: v.description.clone(),
        source: citation(doc, &v.source),
        document: v.source.document.clone(),
        confidence: v.confidence,
        confidence_zh: v.confidence.label_zh(),
        effective_from: v.effective_from,
        effective_to: v.effective_to,
        pack: v.pack.clone(),
        note: v.note.clone(),
    }
}

struct Reader<'r, 'a> {
    resolved: &'r Resolved<'a>,
    errors: Vec<String>,
}

impl Reader<'_, '_> {
    fn read<R: for<'de> Deserialize<'de>, T>(&mut self, id: &str, map: impl Fn(R) -> Result<T, String>) -> Versions<T> {
        let mut out = Vec::new();
        let resolved = self.resolved;
        let versions: Vec<&EntryVersion> = resolved.chain.iter().filter_map(|p| p.entries.get(id)).flatten().collect();
        for v in versions {
            let parsed = match &v.value {
                None => Err("缺少 value".to_string()),
                Some(val) => val.clone().try_into::<R>().map_err(|e| e.to_string()).and_then(&map),
            };
            match parsed {
                Ok(rule) => out.push(Version { cite: cite(resolved, v), rule }),
                Err(e) => {
                    self.errors.push(format!("{}:{}: 条目 {} 的 value 无法解析：{}", v.file, v.line, v.id, e.trim()))
                }
            }
        }
        Versions(out)
    }
}

fn codes(list: &[String]) -> Result<Vec<MeasureCode>, String> {
    list.iter().map(|c| MeasureCode::parse(c).map_err(|p| format!("措施代码“{c}”{}", p.message_zh()))).collect()
}

impl ImpactBook {
    /// Reads every impact and follow-up entry of the chain. Errors name the
    /// file and line of the entry whose value does not fit.
    pub fn build(resolved: &Resolved<'_>) -> Result<ImpactBook, Vec<String>> {
        let mut r = Reader { resolved, errors: Vec::new() };
        let mut book = ImpactBook {
            measures: (0..MeasureCode::count()).map(|_| Versions::default()).collect(),
            tracks: Track::ALL.iter().map(|_| Versions::default()).collect(),
            ..ImpactBook::default()
        };
        for code in MeasureCode::all() {
            let vs = r.read::<MeasureRule, _>(&format!("impact.{}", code.code()), |m: MeasureRule| {
                for b in &m.bars {
                    if b.months.is_some() == b.permanent {
                        return Err(format!("{} 的期限须填写 months 或 permanent = true 之一", b.question.code()));
                    }
                    if b.plus_probation && m.probation_years_max.is_none() {
                        return Err("plus_probation 需要同时给出 probation_years_max".into());
                    }
                }
                Ok(m)
            });
            book.measures[code.index()] = vs;
        }
        for &t in Track::ALL {
            book.tracks[t.index()] = r.read::<TrackRule, _>(&format!("impact.track.{}", t.code()), Ok);
        }
        let mut derived_ids: Vec<String> = resolved
            .chain
            .iter()
            .flat_map(|p| p.entries.iter())
            .filter(|(id, vs)| {
                id.starts_with("impact.rule.")
                    && vs.iter().any(|v| v.value.as_ref().and_then(|x| x.get("follows")).is_some())
            })
            .map(|(id, _)| id.clone())
            .collect();
        derived_ids.sort();
        derived_ids.dedup();
        for id in derived_ids {
            book.derived.push(r.read::<DerivedRule, _>(&id, Ok));
        }
        book.convention = r.read::<ConventionRule, _>("impact.date_convention", |c| Ok(c.convention));
        book.exemption = r.read::<ExemptionRule, _>("impact.rule.exemption", Ok);
        book.four_forms = r.read::<FourFormsRule, _>("impact.four_forms", |f| {
            let mut m = vec![None; MeasureCode::count()];
            for (n, list) in [(1u8, &f.first), (2, &f.second), (3, &f.third), (4, &f.fourth)] {
                for c in codes(list)? {
                    m[c.index()] = Some(FourForms(n));
                }
            }
            Ok(m)
        });
        book.mentor_due = r.read::<MentorDue, _>("follow_up.mentor_due", Ok);
        book.visit_interval = r.read::<VisitIntervalRaw, _>("follow_up.visit_interval", |v| {
            Ok(VisitInterval {
                default_months: v.default_months,
                heavier_months: v.heavier_months,
                heavier: codes(&v.heavier)?,
            })
        });
        book.expiry_alert = r.read::<ExpiryAlert, _>("follow_up.expiry_alert", Ok);
        book.follow_up_scope = r.read::<FollowUpScope, _>("follow_up.applies_to", Ok);
        if r.errors.is_empty() { Ok(book) } else { Err(r.errors) }
    }

    pub fn measure(&self, code: MeasureCode, on: NaiveDate) -> Option<&Version<MeasureRule>> {
        self.measures.get(code.index()).and_then(|v| v.on(on))
    }

    pub fn track(&self, t: Track, on: NaiveDate) -> Option<&Version<TrackRule>> {
        self.tracks.get(t.index()).and_then(|v| v.on(on))
    }

    pub fn four_forms(&self, code: MeasureCode, on: NaiveDate) -> Option<FourForms> {
        self.four_forms.on(on).and_then(|v| v.rule.get(code.index()).copied().flatten())
    }

    /// Visits per year for a measure under follow-up, as months between visits.
    pub fn visit_months(&self, code: MeasureCode, on: NaiveDate) -> Option<(u32, &Cite)> {
        self.visit_interval.on(on).map(|v| {
            let m = if v.rule.heavier.contains(&code) { v.rule.heavier_months } else { v.rule.default_months };
            (m, &v.cite)
        })
    }

    /// Whether a measure on this track starts a follow-up (回访教育).
    pub fn needs_follow_up(&self, code: MeasureCode, on: NaiveDate) -> bool {
        let Some(m) = self.measure(code, on) else { return false };
        !m.rule.bars.is_empty() && self.follow_up_scope.on(on).is_some_and(|s| s.rule.tracks.contains(&m.rule.track))
    }
}
