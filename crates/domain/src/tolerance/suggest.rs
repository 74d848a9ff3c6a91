//! What dandang suggests for a tolerance case: from the facts the handler
//! ticks, the situations, grounds, mitigations and exclusions of the pack in
//! force that may apply — exclusions first, and any exclusion that applies
//! blocks the exemption suggestion. A person decides.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{error::Problem, registry::code_enum};

code_enum!(Answer {
    Yes = ("yes", "是"),
    No = ("no", "否"),
    Unknown = ("unknown", "未查清"),
});

code_enum!(
    /// The catalogues a suggestion draws on, in the order they are shown.
    Group {
        Exclusion = ("exclusion", "不予容错情形"),
        Situation = ("situation", "可以容错的情形"),
        Ground = ("ground", "不予或者免予问责的情形"),
        Mitigation = ("mitigation", "从轻、减轻的情形"),
        Support = ("support", "支持容错的依据"),
    }
);

impl Group {
    /// The pack catalogue holding the group's entries.
    pub fn catalogue(self) -> &'static str {
        match self {
            Group::Exclusion => "tolerance.exclusion",
            Group::Situation => "tolerance.situation",
            Group::Ground => "tolerance.ground",
            Group::Mitigation => "tolerance.mitigation",
            Group::Support => "tolerance.support",
        }
    }
}

/// When an entry applies, over fact ids (an entry's `value` in the pack).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// Every one of these is "yes".
    #[serde(default)]
    pub when_all: Vec<String>,
    /// At least one of these is "yes".
    #[serde(default)]
    pub when_any: Vec<String>,
    /// None of these is "yes".
    #[serde(default)]
    pub unless: Vec<String>,
}

code_enum!(Match {
    Applies = ("applies", "符合"),
    Possible = ("possible", "可能符合，尚有事实未查清"),
    NotApplicable = ("not_applicable", "不符合"),
});

impl Condition {
    /// Facts the condition names, for checking a pack against its fact catalogue.
    pub fn facts(&self) -> impl Iterator<Item = &String> {
        self.when_all.iter().chain(&self.when_any).chain(&self.unless)
    }

    /// Three-valued: "applies" needs every named fact answered; an unknown
    /// that could still make it apply gives "possible".
    pub fn evaluate(&self, facts: &BTreeMap<String, Answer>) -> Match {
        let get = |f: &String| facts.get(f).copied().unwrap_or(Answer::Unknown);
        if self.when_all.is_empty() && self.when_any.is_empty() {
            return Match::NotApplicable;
        }
        if self.unless.iter().any(|f| get(f) == Answer::Yes) || self.when_all.iter().any(|f| get(f) == Answer::No) {
            return Match::NotApplicable;
        }
        let any = if self.when_any.is_empty() || self.when_any.iter().any(|f| get(f) == Answer::Yes) {
            Some(true)
        } else if self.when_any.iter().all(|f| get(f) == Answer::No) {
            Some(false)
        } else {
            None
        };
        let all = if self.when_all.iter().all(|f| get(f) == Answer::Yes) { Some(true) } else { None };
        let unless_clear = self.unless.iter().all(|f| get(f) == Answer::No);
        match (all, any) {
            (_, Some(false)) => Match::NotApplicable,
            (Some(true), Some(true)) if unless_clear => Match::Applies,
            _ => Match::Possible,
        }
    }
}

/// One pack entry a suggestion may cite.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub group: Group,
    pub id: String,
    pub title: String,
    pub source: String,
    pub condition: Condition,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hit {
    pub group: Group,
    pub group_label: &'static str,
    pub id: String,
    pub title: String,
    pub source: String,
    pub matched: Match,
    pub matched_label: &'static str,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suggestions {
    /// Exclusions first, then situations, grounds, mitigations, support:
    /// those that apply, exclusions not yet ruled out, and other entries
    /// that a "yes" already points to.
    pub hits: Vec<Hit>,
    /// An exclusion applies: no exemption is suggested.
    pub exemption_blocked: bool,
    /// An exclusion may apply once the open facts are established.
    pub exclusion_possible: bool,
    /// A situation or ground applies and no exclusion does.
    pub exemption_suggested: bool,
    pub mitigation_suggested: bool,
    /// Facts still unanswered that some candidate names.
    pub open_facts: Vec<String>,
}

pub fn suggest(candidates: &[Candidate], facts: &BTreeMap<String, Answer>) -> Suggestions {
    let mut hits: Vec<Hit> = candidates
        .iter()
        .filter_map(|c| {
            let m = c.condition.evaluate(facts);
            // A situation nothing points to yet is noise; an exclusion not yet
            // ruled out is a question the handler must still answer.
            let pointed = c.condition.facts().any(|f| facts.get(f) == Some(&Answer::Yes));
            let shown = m == Match::Applies || (m == Match::Possible && (c.group == Group::Exclusion || pointed));
            shown.then(|| Hit {
                group: c.group,
                group_label: c.group.label_zh(),
                id: c.id.clone(),
                title: c.title.clone(),
                source: c.source.clone(),
                matched: m,
                matched_label: m.label_zh(),
            })
        })
        .collect();
    // Stable: within a group, the pack's order is kept.
    hits.sort_by_key(|h| (h.group, h.matched != Match::Applies));
    let applies = |g: Group| hits.iter().any(|h| h.group == g && h.matched == Match::Applies);
    let exemption_blocked = applies(Group::Exclusion);
    let exclusion_possible = hits.iter().any(|h| h.group == Group::Exclusion && h.matched == Match::Possible);
    let mut open_facts: Vec<String> = candidates
        .iter()
        .flat_map(|c| c.condition.facts())
        .filter(|f| facts.get(*f).is_none_or(|a| *a == Answer::Unknown))
        .cloned()
        .collect();
    open_facts.sort();
    open_facts.dedup();
    Suggestions {
        exemption_suggested: !exemption_blocked && (applies(Group::Situation) || applies(Group::Ground)),
        mitigation_suggested: !exemption_blocked && applies(Group::Mitigation),
        exemption_blocked,
        exclusion_possible,
        hits,
        open_facts,
    }
}

/// Parses the handler's answers, naming `facts.<id>` for a bad one.
pub fn parse_facts(
    raw: &BTreeMap<String, String>,
    known: &[String],
) -> Result<BTreeMap<String, Answer>, (String, Problem)> {
    let mut out = BTreeMap::new();
    for (k, v) in raw {
        if !known.contains(k) {
            return Err((format!("facts.{k}"), Problem::Unknown { allowed: known.to_vec() }));
        }
        out.insert(k.clone(), Answer::parse(v).map_err(|p| (format!("facts.{k}"), p))?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cond(all: &[&str], any: &[&str], unless: &[&str]) -> Condition {
        let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect();
        Condition { when_all: v(all), when_any: v(any), unless: v(unless) }
    }

    fn facts(pairs: &[(&str, Answer)]) -> BTreeMap<String, Answer> {
        pairs.iter().map(|(k, a)| (k.to_string(), *a)).collect()
    }

    fn cand(group: Group, id: &str, c: Condition) -> Candidate {
        Candidate {
            group, id: id.into(), title: id.into(), source: "《问责条例》第十七条".into(), condition: c
        }
    }

    #[test]
    fn three_valued_conditions() {
        use Answer::*;
        let c = cond(&["a", "b"], &[], &[]);
        assert_eq!(c.evaluate(&facts(&[("a", Yes), ("b", Yes)])), Match::Applies);
        assert_eq!(c.evaluate(&facts(&[("a", Yes)])), Match::Possible);
        assert_eq!(c.evaluate(&facts(&[("a", Yes), ("b", No)])), Match::NotApplicable);
        let c = cond(&[], &["a", "b"], &["x"]);
        assert_eq!(c.evaluate(&facts(&[("b", Yes), ("x", No)])), Match::Applies);
        assert_eq!(c.evaluate(&facts(&[("b", Yes)])), Match::Possible, "x is still open");
        assert_eq!(c.evaluate(&facts(&[("b", Yes), ("x", Yes)])), Match::NotApplicable);
        assert_eq!(c.evaluate(&facts(&[("a", No), ("b", No)])), Match::NotApplicable);
        assert_eq!(Condition::default().evaluate(&facts(&[])), Match::NotApplicable);
    }

    #[test]
    fn an_exclusion_blocks_the_exemption_and_comes_first() {
        use Answer::*;
        let cs = vec![
            cand(Group::Ground, "ground.reform", cond(&[], &["reform"], &[])),
            cand(Group::Mitigation, "mitigation.remedy", cond(&[], &["remedied"], &[])),
            cand(Group::Exclusion, "exclusion.private_gain", cond(&[], &["private_gain"], &[])),
        ];
        let s = suggest(&cs, &facts(&[("reform", Yes), ("remedied", Yes), ("private_gain", No)]));
        assert!(s.exemption_suggested && s.mitigation_suggested && !s.exemption_blocked);
        assert_eq!(s.hits[0].id, "ground.reform");
        let s = suggest(&cs, &facts(&[("reform", Yes), ("private_gain", Yes)]));
        assert!(s.exemption_blocked && !s.exemption_suggested && !s.mitigation_suggested);
        assert_eq!(s.hits[0].id, "exclusion.private_gain", "exclusions are shown first");
        let s = suggest(&cs, &facts(&[("reform", Yes)]));
        assert!(s.exclusion_possible && s.exemption_suggested);
        assert_eq!(s.open_facts, ["private_gain", "remedied"]);
    }

    #[test]
    fn answers_are_parsed_and_named() {
        let known = vec!["tolerance.fact.private_gain".to_string()];
        let raw: BTreeMap<String, String> = [("tolerance.fact.private_gain".to_string(), "否".to_string())].into();
        assert_eq!(parse_facts(&raw, &known).unwrap()["tolerance.fact.private_gain"], Answer::No);
        let raw: BTreeMap<String, String> = [("tolerance.fact.x".to_string(), "yes".to_string())].into();
        assert_eq!(parse_facts(&raw, &known).unwrap_err().0, "facts.tolerance.fact.x");
    }

    fn answer() -> impl Strategy<Value = Answer> {
        prop_oneof![Just(Answer::Yes), Just(Answer::No), Just(Answer::Unknown)]
    }

    proptest! {
        /// Whatever the answers, an exclusion that applies blocks the
        /// exemption, and answering an open fact never turns "not applicable"
        /// into "applies".
        #[test]
        fn exclusions_always_block(
            answers in proptest::collection::vec(answer(), 4),
            extra in answer(),
        ) {
            let names = ["f0", "f1", "f2", "f3"];
            let f: BTreeMap<String, Answer> = names.iter().map(|n| n.to_string()).zip(answers.iter().copied()).collect();
            let cs = vec![
                cand(Group::Exclusion, "ex", cond(&[], &["f0"], &[])),
                cand(Group::Situation, "sit", cond(&["f1"], &["f2", "f3"], &["f0"])),
                cand(Group::Ground, "gr", cond(&[], &["f2"], &[])),
            ];
            let s = suggest(&cs, &f);
            if f["f0"] == Answer::Yes {
                prop_assert!(s.exemption_blocked && !s.exemption_suggested);
            }
            for c in &cs {
                if c.condition.evaluate(&f) == Match::NotApplicable {
                    for n in names {
                        if f[n] == Answer::Unknown {
                            let mut g = f.clone();
                            g.insert(n.to_string(), extra);
                            prop_assert_ne!(c.condition.evaluate(&g), Match::Applies);
                        }
                    }
                }
            }
        }
    }
}
