//! Typed pack values. Each shape says which entry ids it is for; when the
//! packs load, every version of every such entry must carry a value of that
//! shape (a missing or malformed value fails the load, naming the file and
//! line), and readers get the typed value through [`Resolved::value`], so no
//! reader guesses a default for a rule that is not there.

use chrono::NaiveDate;
use serde::de::DeserializeOwned;

use super::{EntryHit, PolicyError, PolicySet, Resolved};

pub trait PackValue: DeserializeOwned {
    /// The entry ids of this shape; an id ending in '.' stands for every
    /// entry below it.
    const IDS: &'static [&'static str];

    /// What the value must satisfy beyond its shape.
    fn check(&self) -> Result<(), String> {
        Ok(())
    }
}

/// One shape, as the loader checks it.
pub struct Schema {
    pub ids: &'static [&'static str],
    /// Whether every entry must carry a value (an entry of a catalogue whose
    /// items may stand without one, like a situation no fact suggests, need not).
    required: bool,
    check: fn(&toml::Value) -> Result<(), String>,
}

impl Schema {
    pub const fn of<T: PackValue>() -> Schema {
        Schema { ids: T::IDS, required: true, check: parse_and_check::<T> }
    }

    pub const fn optional<T: PackValue>() -> Schema {
        Schema { ids: T::IDS, required: false, check: parse_and_check::<T> }
    }

    fn covers(&self, id: &str) -> bool {
        covers(self.ids, id)
    }
}

fn covers(ids: &[&str], id: &str) -> bool {
    ids.iter().any(|p| if p.ends_with('.') { id.len() > p.len() && id.starts_with(p) } else { id == *p })
}

fn parse<T: PackValue>(v: &toml::Value) -> Result<T, String> {
    v.clone().try_into().map_err(|e: toml::de::Error| e.message().trim().to_string())
}

fn parse_and_check<T: PackValue>(v: &toml::Value) -> Result<(), String> {
    parse::<T>(v)?.check()
}

/// Every version of every entry a schema covers, in every pack, has a value
/// of the schema's shape.
pub fn check_values(set: &PolicySet, schemas: &[Schema]) -> Vec<PolicyError> {
    let mut errors = Vec::new();
    for pack in set.packs.values() {
        for (id, versions) in &pack.entries {
            let Some(s) = schemas.iter().find(|s| s.covers(id)) else { continue };
            for v in versions.iter().filter(|v| !v.repealed) {
                let problem = match &v.value {
                    None if !s.required => None,
                    None => Some("缺少 value".to_string()),
                    Some(x) => (s.check)(x).err(),
                };
                if let Some(p) = problem {
                    errors.push(PolicyError {
                        file: v.file.clone(),
                        line: Some(v.line),
                        message: format!("条目 {id} 的 value 不符合规定：{p}"),
                    });
                }
            }
        }
    }
    errors
}

/// An entry's value, typed, with the entry it came from (for citing it).
pub struct Valued<'a, T> {
    pub value: T,
    pub hit: EntryHit<'a>,
}

impl<'a> Resolved<'a> {
    /// The value of the entry in force on `on`; `Ok(None)` when the pack has
    /// no such entry that day. An error means the shape was never checked
    /// (the id is not among `T::IDS`), which loading would have refused.
    pub fn value<T: PackValue>(&self, id: &str, on: NaiveDate) -> Result<Option<Valued<'a, T>>, String> {
        if !covers(T::IDS, id) {
            return Err(format!("条目 {id} 没有规定的 value 类型"));
        }
        let Some(hit) = self.entry(id, on) else { return Ok(None) };
        let v = hit.entry.value.as_ref().ok_or_else(|| format!("条目 {id} 缺少 value"))?;
        let value = parse::<T>(v).map_err(|e| format!("条目 {id} 的 value 不符合规定：{e}"))?;
        Ok(Some(Valued { value, hit }))
    }
}

/// A number of working days (`{ working_days = 5 }`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkingDays {
    pub working_days: u32,
}

impl PackValue for WorkingDays {
    const IDS: &'static [&'static str] =
        &["supervision.rectification_plan_due", "supervision.warning_window", "tolerance.warning_window"];

    fn check(&self) -> Result<(), String> {
        if self.working_days > 250 { Err("working_days 应在 0–250 之间".into()) } else { Ok(()) }
    }
}

/// A sentence with named blanks (`{unit}`), filled when a document is written.
/// The blanks a wording may use are checked when the packs load.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct Wording(pub String);

impl Wording {
    /// The names of the blanks, in order.
    pub fn blanks(&self) -> Result<Vec<&str>, String> {
        let mut out = Vec::new();
        let mut rest = self.0.as_str();
        while let Some(i) = rest.find('{') {
            let after = &rest[i + 1..];
            let j = after.find('}').ok_or_else(|| format!("“{}”中的 {{ 没有配对的 }}", self.0))?;
            out.push(&after[..j]);
            rest = &after[j + 1..];
        }
        if rest.contains('}') {
            return Err(format!("“{}”中的 }} 没有配对的 {{", self.0));
        }
        Ok(out)
    }

    /// Every blank is one of `allowed`.
    pub fn check(&self, allowed: &[&str]) -> Result<(), String> {
        for b in self.blanks()? {
            if !allowed.contains(&b) {
                return Err(format!("“{}”中的 {{{b}}} 不是可用的字段（可用：{}）", self.0, allowed.join("、")));
            }
        }
        Ok(())
    }

    /// The text with each blank filled; blanks are checked at load, so an
    /// unknown one (impossible) is left as written.
    pub fn fill(&self, values: &[(&str, &str)]) -> String {
        let mut out = String::with_capacity(self.0.len() + 32);
        let mut rest = self.0.as_str();
        while let Some(i) = rest.find('{') {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            match after.find('}') {
                Some(j) => {
                    let name = &after[..j];
                    match values.iter().find(|(k, _)| *k == name) {
                        Some((_, v)) => out.push_str(v),
                        None => {
                            out.push('{');
                            out.push_str(name);
                            out.push('}');
                        }
                    }
                    rest = &after[j + 1..];
                }
                None => {
                    out.push_str(&rest[i..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wordings_fill_and_check_their_blanks() {
        let w = Wording("请{unit}于{due}前报送。".into());
        assert_eq!(w.blanks().unwrap(), vec!["unit", "due"]);
        assert_eq!(w.fill(&[("unit", "市发改委"), ("due", "2026年12月8日")]), "请市发改委于2026年12月8日前报送。");
        assert!(w.check(&["unit", "due"]).is_ok());
        assert!(w.check(&["unit"]).unwrap_err().contains("{due}"));
        assert!(Wording("{unit".into()).blanks().is_err());
        assert!(Wording("unit}".into()).blanks().is_err());
    }

    #[test]
    fn ids_and_prefixes() {
        assert!(covers(&["a.b"], "a.b"));
        assert!(!covers(&["a.b"], "a.bc"));
        assert!(covers(&["a."], "a.b"));
        assert!(!covers(&["a."], "a."));
        assert!(!covers(&["a."], "ab"));
    }
}
