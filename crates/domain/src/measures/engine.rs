//! The impact-period engine: from a cadre's measures to dated answers with reasons.
//!
//! Each measure is judged by the rules in force on its effective date; the
//! questions derived from others (candidacy, awards) by the rules in force on
//! the day asked. Tracks run in parallel; within a track the pack's stacking
//! rule combines measures in effective-date order.

use chrono::NaiveDate;
use serde::Serialize;

use super::book::{Cite, ImpactBook, Stacking};
use super::dates::{Convention, extend, months_then_days, next_day};
use super::{MeasureCode, MeasureFact, Question, Tolerance, Track};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "day")]
pub enum End {
    Day(NaiveDate),
    Never,
}

impl End {
    fn day(self) -> Option<NaiveDate> {
        match self {
            End::Day(d) => Some(d),
            End::Never => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureStatus {
    /// Counted by the engine.
    Applied,
    /// Has no impact period under the rule in force.
    NoPeriod,
    /// A tolerance decision exempted it; it has no effect.
    Exempted,
    /// Effective after the date asked.
    NotYetEffective,
    /// No rule in force on its effective date; not counted (shown to the user).
    NoRule,
}

impl MeasureStatus {
    pub fn label_zh(self) -> &'static str {
        match self {
            MeasureStatus::Applied => "计入影响期",
            MeasureStatus::NoPeriod => "不设影响期",
            MeasureStatus::Exempted => "已容错免责，不产生影响",
            MeasureStatus::NotYetEffective => "查询日尚未生效",
            MeasureStatus::NoRule => "生效日无对应规则，未计入",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct MeasureOutcome<'b> {
    pub index: usize,
    pub code: MeasureCode,
    pub label: &'static str,
    pub effective: NaiveDate,
    pub status: MeasureStatus,
    pub status_zh: &'static str,
    pub four_forms: Option<u8>,
    pub tolerance: Option<Tolerance>,
    pub rule: Option<&'b Cite>,
}

/// One bar one measure puts on one question, with the rule behind it.
#[derive(Clone, Debug, Serialize)]
pub struct Reason<'b> {
    pub question: Question,
    pub track: Track,
    /// Index of the measure in the input.
    pub measure: usize,
    pub code: MeasureCode,
    pub from: NaiveDate,
    /// The measure's own last day; null when permanent.
    pub to: Option<NaiveDate>,
    /// The track's last day after this measure was combined with earlier ones.
    pub combined_to: Option<NaiveDate>,
    pub permanent: bool,
    pub in_force_on_as_of: bool,
    pub rule: &'b str,
    pub title: &'b str,
    /// What the rule bars, in words.
    pub description: Option<&'b str>,
    pub source: &'b str,
    pub confidence: &'b str,
    /// The stacking rule used when this measure landed inside a running period.
    pub stacking: Option<Stacked<'b>>,
    /// For derived questions (candidacy, awards): the rule that extends the bar.
    pub derived_from: Option<&'b Cite>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Stacked<'b> {
    pub rule: &'b str,
    pub source: &'b str,
    pub remaining_months: u32,
    pub remaining_days: u64,
    pub capped: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Answer {
    pub question: Question,
    pub label: &'static str,
    pub eligible_on_as_of: bool,
    /// The first day the cadre is free of every bar on this question; null
    /// when a bar never ends.
    pub eligible_from: Option<NaiveDate>,
    pub never: bool,
    /// The last barred day, when there is one.
    pub barred_until: Option<NaiveDate>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TrackEnd<'b> {
    pub track: Track,
    pub label: &'static str,
    /// Last day of the track's longest bar; null when permanent.
    pub last_day: Option<NaiveDate>,
    pub permanent: bool,
    pub in_force_on_as_of: bool,
    pub rule: Option<&'b Cite>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Eligibility<'b> {
    pub as_of: NaiveDate,
    pub promotion: Answer,
    pub further_use: Answer,
    pub candidate: Answer,
    pub award: Answer,
    pub pay_step: Answer,
    pub tracks: Vec<TrackEnd<'b>>,
    pub measures: Vec<MeasureOutcome<'b>>,
    pub reasons: Vec<Reason<'b>>,
    /// Things the user should know, e.g. a measure with no rule in force.
    pub notes: Vec<String>,
}

impl Eligibility<'_> {
    pub fn answer(&self, q: Question) -> &Answer {
        match q {
            Question::Promotion => &self.promotion,
            Question::FurtherUse => &self.further_use,
            Question::Candidate => &self.candidate,
            Question::Award => &self.award,
            Question::PayStep => &self.pay_step,
        }
    }
}

struct Bar<'b> {
    track: Track,
    question: Question,
    fact: usize,
    effective: NaiveDate,
    own: End,
    cite: &'b Cite,
}

fn question_index(q: Question) -> usize {
    Question::ALL.iter().position(|x| *x == q).unwrap_or(0)
}

/// Answers every question for one cadre's measures on `as_of`.
pub fn evaluate<'b>(book: &'b ImpactBook, facts: &[MeasureFact], as_of: NaiveDate) -> Eligibility<'b> {
    let mut notes = Vec::new();
    let mut measures = Vec::with_capacity(facts.len());
    let mut bars: Vec<Bar<'b>> = Vec::new();
    for (i, f) in facts.iter().enumerate() {
        let rule = book.measure(f.code, f.effective);
        let exemption = match f.tolerance {
            Some(Tolerance::Exempted) => book.exemption.on(f.effective).or_else(|| book.exemption.on(as_of)),
            _ => None,
        };
        let status = if f.effective > as_of {
            MeasureStatus::NotYetEffective
        } else if f.tolerance == Some(Tolerance::Exempted) && exemption.is_some() {
            MeasureStatus::Exempted
        } else {
            match rule {
                None => {
                    notes.push(format!(
                        "第 {} 项措施（{}，{} 生效）：该日没有有效的影响期规则，未计入。",
                        i + 1,
                        f.code.label_zh(),
                        f.effective
                    ));
                    MeasureStatus::NoRule
                }
                Some(r) if r.rule.bars.is_empty() => MeasureStatus::NoPeriod,
                Some(_) => MeasureStatus::Applied,
            }
        };
        measures.push(MeasureOutcome {
            index: i,
            code: f.code,
            label: f.code.label(),
            effective: f.effective,
            status,
            status_zh: status.label_zh(),
            four_forms: book.four_forms(f.code, f.effective).map(|x| x.0),
            tolerance: f.tolerance,
            rule: match status {
                MeasureStatus::Exempted => exemption.map(|v| &v.cite),
                _ => rule.map(|v| &v.cite),
            },
        });
        if status != MeasureStatus::Applied {
            continue;
        }
        let r = rule.expect("applied measures have a rule");
        let convention = match book.convention.on(f.effective) {
            Some(c) => c.rule,
            None => {
                notes.push(format!("{} 没有有效的期间计算规则，按开始当日不计入计算。", f.effective));
                Convention::CivilCode
            }
        };
        for b in &r.rule.bars {
            let own = if b.permanent {
                End::Never
            } else {
                let mut months = f.period_months.unwrap_or(b.months.unwrap_or(0));
                if b.plus_probation {
                    months += f.probation_years.unwrap_or(0) * 12;
                }
                End::Day(convention.last_day(f.effective, months))
            };
            bars.push(Bar {
                track: r.rule.track,
                question: b.question,
                fact: i,
                effective: f.effective,
                own,
                cite: &r.cite,
            });
        }
    }
    bars.sort_by_key(|b| (b.track.index(), question_index(b.question), b.effective, b.fact));

    // Combined end per (track, question).
    let mut reasons: Vec<Reason<'b>> = Vec::with_capacity(bars.len() * 2);
    let mut ends: Vec<(Track, Question, End, usize)> = Vec::new();
    let mut i = 0;
    while i < bars.len() {
        let (track, question) = (bars[i].track, bars[i].question);
        let mut cur: Option<End> = None;
        while i < bars.len() && bars[i].track == track && bars[i].question == question {
            let b = &bars[i];
            let tr = book.track(track, b.effective);
            let stacking = tr.map(|t| t.rule.stacking).unwrap_or(Stacking::Longest);
            let mut stacked = None;
            let conv = book.convention.on(b.effective).map(|c| c.rule).unwrap_or(Convention::CivilCode);
            let (mut remaining, mut landed_inside) = ((0, 0), false);
            let combined = match (cur, b.own) {
                (None, own) => own,
                (Some(End::Never), _) | (_, End::Never) => End::Never,
                (Some(End::Day(old)), End::Day(own)) if b.effective > old => End::Day(own),
                (Some(End::Day(old)), End::Day(own)) => match stacking {
                    Stacking::Longest => End::Day(old.max(own)),
                    Stacking::RemainingPlusNew => {
                        let (m, d) = months_then_days(b.effective, old);
                        remaining = (m, d);
                        landed_inside = true;
                        End::Day(extend(own, m, d))
                    }
                },
            };
            // The cap bounds the whole track from the latest measure's effective day.
            let (combined, capped) = match (combined, tr.and_then(|t| t.rule.cap_months)) {
                (End::Day(last), Some(cap)) if last > conv.last_day(b.effective, cap) => {
                    (End::Day(conv.last_day(b.effective, cap)), true)
                }
                (c, _) => (c, false),
            };
            if let Some(t) = tr.filter(|_| landed_inside || capped) {
                stacked = Some(Stacked {
                    rule: &t.cite.rule,
                    source: &t.cite.source,
                    remaining_months: remaining.0,
                    remaining_days: remaining.1,
                    capped,
                });
            }
            cur = Some(combined);
            reasons.push(Reason {
                question,
                track,
                measure: b.fact,
                code: facts[b.fact].code,
                from: b.effective,
                to: b.own.day(),
                combined_to: combined.day(),
                permanent: b.own == End::Never,
                in_force_on_as_of: false,
                rule: &b.cite.rule,
                title: &b.cite.title,
                description: b.cite.description.as_deref(),
                source: &b.cite.source,
                confidence: b.cite.confidence.code(),
                stacking: stacked,
                derived_from: None,
            });
            i += 1;
        }
        let last_fact = reasons.last().map(|r| r.measure).unwrap_or(0);
        ends.push((track, question, cur.expect("group is not empty"), last_fact));
    }

    // Questions that follow another question's bar on some tracks.
    for d in &book.derived {
        let Some(v) = d.on(as_of) else { continue };
        for i in 0..ends.len() {
            let (track, question, end, fact) = ends[i];
            if question != v.rule.follows || !v.rule.tracks.contains(&track) {
                continue;
            }
            ends.push((track, v.rule.question, end, fact));
            let src = reasons.iter().rev().find(|r| r.track == track && r.question == question).cloned();
            if let Some(mut r) = src {
                r.question = v.rule.question;
                r.stacking = None;
                r.derived_from = Some(&v.cite);
                r.to = end.day();
                r.combined_to = end.day();
                r.permanent = end == End::Never;
                reasons.push(r);
            }
        }
    }

    let in_force = |e: End| match e {
        End::Never => true,
        End::Day(d) => as_of <= d,
    };
    for r in &mut reasons {
        r.in_force_on_as_of = as_of >= r.from && r.combined_to.is_none_or(|d| as_of <= d);
    }

    let answer = |q: Question| {
        let mut never = false;
        let mut last: Option<NaiveDate> = None;
        for &(_, question, end, _) in &ends {
            if question != q {
                continue;
            }
            match end {
                End::Never => never = true,
                End::Day(d) => last = Some(last.map_or(d, |l| l.max(d))),
            }
        }
        let eligible_on_as_of = !never && last.is_none_or(|l| l < as_of);
        Answer {
            question: q,
            label: q.label_zh(),
            eligible_on_as_of,
            eligible_from: if never { None } else { Some(last.map(next_day).unwrap_or(as_of)) },
            never,
            barred_until: if never { None } else { last },
        }
    };

    let mut tracks: Vec<TrackEnd<'b>> = Vec::new();
    for &(track, _, end, _) in &ends {
        match tracks.iter_mut().find(|t| t.track == track) {
            Some(t) => {
                let cur = if t.permanent { End::Never } else { End::Day(t.last_day.expect("set")) };
                let m = cur.max(end);
                t.permanent = m == End::Never;
                t.last_day = m.day();
                t.in_force_on_as_of = in_force(m);
            }
            None => tracks.push(TrackEnd {
                track,
                label: track.label_zh(),
                last_day: end.day(),
                permanent: end == End::Never,
                in_force_on_as_of: in_force(end),
                rule: book.track(track, as_of).map(|v| &v.cite),
            }),
        }
    }

    Eligibility {
        as_of,
        promotion: answer(Question::Promotion),
        further_use: answer(Question::FurtherUse),
        candidate: answer(Question::Candidate),
        award: answer(Question::Award),
        pay_step: answer(Question::PayStep),
        tracks,
        measures,
        reasons,
        notes,
    }
}
