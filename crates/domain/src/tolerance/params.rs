//! The shapes of 容错纠错's pack values, checked when the packs load.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{CopyRecipient, case::Origin, suggest::Condition};
use crate::{
    error::Problem,
    policy::{PackValue, Wording},
    registry::code_enum,
};

code_enum!(
    /// The steps of a case with a deadline (`tolerance.deadlines`).
    Step {
        Acceptance = ("acceptance", "受理"),
        Investigation = ("investigation", "核查研判"),
        Decision = ("decision", "作出决定"),
        Feedback = ("feedback", "反馈送达"),
        Appeal = ("appeal", "申诉"),
        AppealDecision = ("appeal_decision", "申诉复查"),
        Rectification = ("rectification", "纠错整改"),
    }
);

/// Working days of each step (`tolerance.deadlines`); every step must have one.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deadlines {
    pub acceptance: u32,
    pub investigation: u32,
    pub decision: u32,
    pub feedback: u32,
    /// From service of the decision or refusal.
    pub appeal: u32,
    pub appeal_decision: u32,
    pub rectification: u32,
}

impl Deadlines {
    pub fn days(&self, s: Step) -> u32 {
        match s {
            Step::Acceptance => self.acceptance,
            Step::Investigation => self.investigation,
            Step::Decision => self.decision,
            Step::Feedback => self.feedback,
            Step::Appeal => self.appeal,
            Step::AppealDecision => self.appeal_decision,
            Step::Rectification => self.rectification,
        }
    }
}

impl PackValue for Deadlines {
    const IDS: &'static [&'static str] = &["tolerance.deadlines"];

    fn check(&self) -> Result<(), String> {
        for s in Step::ALL {
            let d = self.days(*s);
            if d == 0 || d > 250 {
                return Err(format!("{}（{}）的期限应在 1–250 个工作日之间", s.code(), s.label_zh()));
            }
        }
        Ok(())
    }
}

/// Applications handled first and faster (`tolerance.fast_track`): the
/// origins concerned and shorter deadlines for some steps.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FastTrack {
    pub origins: Vec<Origin>,
    pub deadlines: BTreeMap<Step, u32>,
}

impl PackValue for FastTrack {
    const IDS: &'static [&'static str] = &["tolerance.fast_track"];

    fn check(&self) -> Result<(), String> {
        if self.origins.is_empty() {
            return Err("origins 不能为空".into());
        }
        match self.deadlines.iter().find(|(_, d)| **d == 0 || **d > 250) {
            Some((s, _)) => Err(format!("{} 的期限应在 1–250 个工作日之间", s.code())),
            None => Ok(()),
        }
    }
}

/// Who receives a copy of the decision letter (`tolerance.letter_copies`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterCopies {
    pub copies: Vec<CopyRecipient>,
}

impl PackValue for LetterCopies {
    const IDS: &'static [&'static str] = &["tolerance.letter_copies"];

    fn check(&self) -> Result<(), String> {
        match self.copies.iter().find(|c| c.body.trim().is_empty() || c.roles.is_empty()) {
            Some(c) => Err(format!("抄送对象“{}”须写明名称和对应的角色", c.body)),
            None => Ok(()),
        }
    }
}

code_enum!(
    /// What an outcome does to the accountability measure it concerns.
    Effect {
        Exempted = ("exempted", "免予问责"),
        Mitigated = ("mitigated", "从轻减轻"),
        Unaffected = ("none", "不影响"),
    }
);

/// An outcome entry (`tolerance.outcome.*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeValue {
    pub effect: Effect,
}

impl PackValue for OutcomeValue {
    const IDS: &'static [&'static str] = &["tolerance.outcome."];
}

impl PackValue for Condition {
    const IDS: &'static [&'static str] = &[
        "tolerance.situation.",
        "tolerance.exclusion.",
        "tolerance.ground.",
        "tolerance.mitigation.",
        "tolerance.support.",
    ];

    fn check(&self) -> Result<(), String> {
        let facts = self.when_all.iter().chain(&self.when_any).chain(&self.unless);
        match facts.into_iter().find(|f| !f.starts_with("tolerance.fact.")) {
            Some(f) => Err(format!("{f} 不是事实条目（tolerance.fact.*）")),
            None => Ok(()),
        }
    }
}

const LETTER_BLANKS: &[&str] =
    &["cadre", "unit", "event_on", "body", "decided_on", "meeting", "outcome", "matched", "corrections", "copies"];

/// The decision letter (容错处理决定书): its title and sentences.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionLetter {
    pub title: String,
    pub addressee: Wording,
    /// What was decided, when and by whom.
    pub decision: Wording,
    /// The situations found and their sources, when there are any.
    pub matched: Wording,
    /// The corrections required, when there are any.
    pub corrections: Wording,
    /// The copy line, when the pack names a copy list.
    pub copies: Wording,
}

impl PackValue for DecisionLetter {
    const IDS: &'static [&'static str] = &["tolerance.wording.decision_letter"];

    fn check(&self) -> Result<(), String> {
        for w in [&self.addressee, &self.decision, &self.matched, &self.corrections, &self.copies] {
            w.check(LETTER_BLANKS)?;
        }
        Ok(())
    }
}

const NOTICE_BLANKS: &[&str] = &["cadre", "unit", "applied", "event_on", "opening", "reason"];

/// The notice that an application is not accepted (不予受理通知书).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefusalNotice {
    pub title: String,
    pub addressee: Wording,
    /// How the notice names the application, by who made it.
    pub opening_unit: Wording,
    pub opening_cadre: Wording,
    pub opening_ex_officio: Wording,
    pub refusal: Wording,
}

impl PackValue for RefusalNotice {
    const IDS: &'static [&'static str] = &["tolerance.wording.refusal_notice"];

    fn check(&self) -> Result<(), String> {
        for w in [&self.addressee, &self.opening_unit, &self.opening_cadre, &self.opening_ex_officio, &self.refusal] {
            w.check(NOTICE_BLANKS)?;
        }
        Ok(())
    }
}

/// The closing sentence on appeal, in both documents.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppealSentence {
    /// Once served: the window with its last day.
    pub with_last_day: Wording,
    /// Before service: the window only.
    pub before_service: Wording,
}

impl PackValue for AppealSentence {
    const IDS: &'static [&'static str] = &["tolerance.wording.appeal"];

    fn check(&self) -> Result<(), String> {
        self.with_last_day.check(&["days", "last_day", "body"])?;
        self.before_service.check(&["days", "body"])
    }
}
