use chrono::NaiveDate;

use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn file(pack: &str, name: &str, content: &str) -> SourceFile {
    SourceFile { path: format!("{pack}/{name}"), pack_dir: pack.into(), content: content.into() }
}

fn header(id: &str, parent: Option<&str>) -> String {
    match parent {
        Some(p) => format!("[pack]\nid = \"{id}\"\ntitle = \"{id}\"\nparent = \"{p}\"\n"),
        None => format!("[pack]\nid = \"{id}\"\ntitle = \"{id}\"\n"),
    }
}

const DOC: &str = "[[document]]\nid = \"doc.a\"\ntitle = \"甲文件\"\nissued = \"2020-01-01\"\n";

fn entry(id: &str, from: &str, to: Option<&str>, value: i64) -> String {
    let to = to.map(|t| format!("effective_to = \"{t}\"\n")).unwrap_or_default();
    format!(
        "[[entry]]\nid = \"{id}\"\ntitle = \"t\"\nsource = {{ document = \"doc.a\", article = \"第一条\" }}\nconfidence = \"text\"\neffective_from = \"{from}\"\n{to}value = {value}\n"
    )
}

/// Every pack shipped in policy/ loads and passes its own test cases.
pub(crate) fn shipped_packs() -> PolicySet {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policy");
    let mut files = Vec::new();
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let pack = dir.file_name().unwrap().to_string_lossy().to_string();
        for f in std::fs::read_dir(&dir).unwrap() {
            let p = f.unwrap().path();
            if p.extension().is_some_and(|e| e == "toml") {
                files.push(SourceFile {
                    path: format!("policy/{pack}/{}", p.file_name().unwrap().to_string_lossy()),
                    pack_dir: pack.clone(),
                    content: std::fs::read_to_string(&p).unwrap(),
                });
            }
        }
    }
    let set = match PolicySet::load(&files) {
        Ok(s) => s,
        Err(e) => panic!("{}", e.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("\n")),
    };
    let errors = check_values(&set, crate::pack_schemas::SCHEMAS);
    assert!(errors.is_empty(), "{}", errors.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("\n"));
    set
}

/// A rule whose value is missing a key, or has one of the wrong type, fails
/// the load with its file and line — it is never read as zero.
#[test]
fn a_malformed_rule_value_fails_the_load() {
    let body = |value: &str| {
        format!(
            "{}{DOC}[[entry]]\nid = \"tolerance.deadlines\"\ntitle = \"t\"\nsource = {{ document = \"doc.a\" }}\nconfidence = \"text\"\neffective_from = \"2020-01-01\"\n{value}\n",
            header("cn", None)
        )
    };
    let check = |value: &str| {
        let set = PolicySet::load(&[file("cn", "pack.toml", &body(value))]).unwrap();
        check_values(&set, crate::pack_schemas::SCHEMAS)
    };
    let full =
        "acceptance = 5, investigation = 30, decision = 10, feedback = 5, appeal_decision = 22, rectification = 20";
    assert!(check(&format!("value = {{ {full}, appeal = 22 }}")).is_empty());
    let missing = check(&format!("value = {{ {full} }}"));
    assert_eq!(missing.len(), 1);
    assert_eq!((missing[0].file.as_str(), missing[0].line), ("cn/pack.toml", Some(9)));
    assert!(missing[0].message.contains("appeal"), "{}", missing[0].message);
    assert!(!check(&format!("value = {{ {full}, appeal = \"22\" }}")).is_empty());
    assert!(!check(&format!("value = {{ {full}, appeal = 0 }}")).is_empty(), "a window of no days");
    assert!(!check(&format!("value = {{ {full}, appeal = 22, extra = 1 }}")).is_empty(), "an unknown key");
    assert!(!check("").is_empty(), "no value at all");
}

#[test]
fn shipped_packs_pass_their_tests() {
    let set = shipped_packs();
    let outcomes = run_pack_tests(&set);
    assert!(outcomes.len() >= 10);
    let failed: Vec<_> = outcomes.iter().filter(|o| !o.passed).collect();
    assert!(failed.is_empty(), "{failed:#?}");
    let r = set.resolve("cn-hb-yc").unwrap();
    assert_eq!(r.calendar().loaded_years(), Some((2015, 2026)));
}

#[test]
fn unknown_key_is_rejected_with_line() {
    let f = file("cn", "pack.toml", &format!("{}\n\n{DOC}colour = \"red\"\n", header("cn", None)));
    let errs = PolicySet::load(&[f]).unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].file, "cn/pack.toml");
    assert_eq!(errs[0].line, Some(10), "{:?}", errs[0]);
    assert!(errs[0].message.contains("colour"), "{}", errs[0].message);
}

#[test]
fn overlapping_versions_are_rejected() {
    let body = format!(
        "{}{DOC}{}{}",
        header("cn", None),
        entry("x.period", "2020-01-01", Some("2023-12-31"), 6),
        entry("x.period", "2023-06-01", None, 12)
    );
    let errs = PolicySet::load(&[file("cn", "pack.toml", &body)]).unwrap_err();
    assert!(errs.iter().any(|e| e.message.contains("重叠") && e.line == Some(17)), "{errs:?}");
}

#[test]
fn dangling_references_are_rejected() {
    let body = format!(
        "{}{DOC}{}refs = [\"x.missing\"]\ncatalogue = \"nope\"\n",
        header("cn", None),
        entry("x.a", "2020-01-01", None, 1).replace("doc.a", "doc.b")
    );
    let errs = PolicySet::load(&[file("cn", "pack.toml", &body)]).unwrap_err();
    let msgs: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
    assert!(msgs.iter().any(|m| m.contains("doc.b")), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.contains("x.missing")), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.contains("nope")), "{msgs:?}");
    assert!(errs.iter().all(|e| e.line.is_some()));
}

#[test]
fn missing_parent_and_cycles_are_rejected() {
    let errs = PolicySet::load(&[file("a", "pack.toml", &header("a", Some("zz")))]).unwrap_err();
    assert!(errs[0].message.contains("zz"));
    let errs = PolicySet::load(&[
        file("a", "pack.toml", &header("a", Some("b"))),
        file("b", "pack.toml", &header("b", Some("a"))),
    ])
    .unwrap_err();
    assert!(errs.iter().any(|e| e.message.contains("循环")), "{errs:?}");
}

#[test]
fn lower_layer_overrides_only_where_it_is_in_force() {
    let national = format!("{}{DOC}{}", header("cn", None), entry("x.period", "2019-01-01", None, 6));
    let city = format!("{}{}", header("city", Some("cn")), entry("x.period", "2023-03-01", None, 9));
    let set = PolicySet::load(&[file("cn", "pack.toml", &national), file("city", "pack.toml", &city)]).unwrap();
    let r = set.resolve("city").unwrap();
    let before = r.entry("x.period", d("2022-12-31")).unwrap();
    assert_eq!(before.entry.value, Some(toml::Value::Integer(6)));
    assert_eq!(before.entry.pack, "cn");
    let after = r.entry("x.period", d("2023-03-01")).unwrap();
    assert_eq!(after.entry.value, Some(toml::Value::Integer(9)));
    assert_eq!(after.overrides, Some("cn"));
    assert!(r.entry("x.period", d("2018-12-31")).is_none());
    // The national pack itself is untouched by the city's override.
    let n = set.resolve("cn").unwrap();
    assert_eq!(n.entry("x.period", d("2024-01-01")).unwrap().entry.value, Some(toml::Value::Integer(6)));
    assert_eq!(after.citation_zh(), "《甲文件》第一条");
}

#[test]
fn documents_cannot_be_redefined_below() {
    let national = format!("{}{DOC}", header("cn", None));
    let city = format!("{}{DOC}", header("city", Some("cn")));
    let errs = PolicySet::load(&[file("cn", "pack.toml", &national), file("city", "pack.toml", &city)]).unwrap_err();
    assert!(errs.iter().any(|e| e.message.contains("doc.a")), "{errs:?}");
}

#[test]
fn make_up_workday_must_be_a_weekend() {
    let body = format!(
        "{}{DOC}[[calendar]]\nid = \"calendar.2025\"\nyear = 2025\nsource = {{ document = \"doc.a\" }}\nconfidence = \"quoted\"\nworkdays = [\"2025-09-29\"]\n",
        header("cn", None)
    );
    let errs = PolicySet::load(&[file("cn", "pack.toml", &body)]).unwrap_err();
    assert!(errs[0].message.contains("不是周末"), "{errs:?}");
    assert_eq!(errs[0].line, Some(13));
}

#[test]
fn bad_dates_and_confidence_are_named() {
    let body =
        format!("{}{DOC}{}", header("cn", None), entry("x.a", "2020-13-01", None, 1)).replace("\"text\"", "\"rumour\"");
    let errs = PolicySet::load(&[file("cn", "pack.toml", &body)]).unwrap_err();
    let all = errs.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n");
    assert!(all.contains("rumour") && all.contains("effective_from"), "{all}");
}

#[test]
fn bare_toml_dates_are_accepted() {
    let body = format!("{}{DOC}{}", header("cn", None), entry("x.a", "2020-01-01", None, 1))
        .replace("effective_from = \"2020-01-01\"", "effective_from = 2020-01-01");
    let set = PolicySet::load(&[file("cn", "pack.toml", &body)]).unwrap();
    assert!(set.resolve("cn").unwrap().entry("x.a", d("2021-01-01")).is_some());
}

#[test]
fn incomplete_catalogue_is_flagged_through_layers() {
    let set = shipped_packs();
    let r = set.resolve("cn-zj").unwrap();
    let view = r.catalogue("tolerance.situation", d("2024-01-01")).unwrap();
    assert!(view.incomplete);
    assert_eq!(view.items.len(), 5);
    assert!(set.resolve("cn").unwrap().catalogue("tolerance.situation", d("2024-01-01")).is_none());
}

#[test]
fn tolerance_conditions_name_facts_the_pack_defines() {
    use crate::tolerance::suggest::{Condition, Group};
    let set = shipped_packs();
    for pack in ["cn", "cn-hb", "cn-hb-yc", "cn-zj"] {
        let r = set.resolve(pack).unwrap();
        for on in [d("2020-01-01"), d("2024-01-01")] {
            let facts: Vec<String> = r
                .catalogue("tolerance.fact", on)
                .map(|v| v.items.iter().map(|h| h.entry.id.clone()).collect())
                .unwrap_or_default();
            for g in Group::ALL {
                let Some(view) = r.catalogue(g.catalogue(), on) else { continue };
                for h in &view.items {
                    let v = h.entry.value_json().unwrap_or_else(|| panic!("{pack} {} has no condition", h.entry.id));
                    let c: Condition = serde_json::from_value(v)
                        .unwrap_or_else(|e| panic!("{pack} {}: condition does not parse: {e}", h.entry.id));
                    assert!(!(c.when_all.is_empty() && c.when_any.is_empty()), "{pack} {} never applies", h.entry.id);
                    for f in c.facts() {
                        assert!(facts.contains(f), "{pack} {} on {on}: unknown fact {f}", h.entry.id);
                    }
                }
            }
        }
    }
}

#[test]
fn letter_copy_lists_name_known_roles() {
    let set = shipped_packs();
    let mut seen = 0;
    for pack in ["cn", "cn-hb", "cn-hb-yc", "cn-zj"] {
        let r = set.resolve(pack).unwrap();
        if r.entry("tolerance.letter_copies", d("2024-01-01")).is_some() {
            let copies = r
                .value::<crate::tolerance::params::LetterCopies>("tolerance.letter_copies", d("2024-01-01"))
                .unwrap()
                .expect("in force")
                .value
                .copies;
            assert!(copies.iter().all(|c| !c.body.is_empty() && !c.roles.is_empty()), "{pack}: {copies:?}");
            seen += 1;
        }
    }
    assert_eq!(seen, 1, "only Yichang's measure names the copy list");
    let bad: Result<crate::tolerance::params::LetterCopies, _> =
        toml::from_str("copies = [{ body = \"巡察机构\", roles = [\"inspector\"] }]");
    assert!(bad.is_err(), "an unknown role");
}

#[test]
fn fast_track_names_origins_and_deadline_keys_that_exist() {
    use crate::tolerance::case::Origin;
    let set = shipped_packs();
    let r = set.resolve("cn-hb-yc").unwrap();
    let on = d("2024-01-01");
    use crate::tolerance::params::{Deadlines, FastTrack};
    let v = r.value::<FastTrack>("tolerance.fast_track", on).unwrap().expect("Yichang fast-tracks").value;
    let normal = r.value::<Deadlines>("tolerance.deadlines", on).unwrap().expect("deadlines").value;
    assert!(v.origins.contains(&Origin::CadreApplication) && v.origins.contains(&Origin::UnitApplication));
    for (step, days) in &v.deadlines {
        assert!(*days <= normal.days(*step), "{step:?}: the fast track is not slower");
    }
}

/// The fuzz corpus (fuzz/corpus/policy_pack) replayed as the target loads it:
/// each file as the pack file of a new pack beside the national one. The
/// minimal pack loads; every other file loads or is refused with located
/// errors, and none panics.
#[test]
fn the_pack_corpus_loads_or_is_refused() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let national: Vec<SourceFile> = std::fs::read_dir(root.join("policy/cn"))
        .unwrap()
        .map(|f| f.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml") && !p.ends_with("tests.toml"))
        .map(|p| SourceFile {
            path: format!("policy/cn/{}", p.file_name().unwrap().to_string_lossy()),
            pack_dir: "cn".into(),
            content: std::fs::read_to_string(&p).unwrap(),
        })
        .collect();
    let mut seen = 0;
    for f in std::fs::read_dir(root.join("fuzz/corpus/policy_pack")).unwrap() {
        let p = f.unwrap().path();
        let Ok(text) = std::fs::read_to_string(&p) else { continue };
        let mut files = national.clone();
        files.push(file("cn-fz", "pack.toml", &text));
        let errors = match PolicySet::load(&files) {
            Ok(set) => check_values(&set, crate::pack_schemas::SCHEMAS),
            Err(e) => e,
        };
        if p.ends_with("minimal.toml") {
            assert!(errors.is_empty(), "{errors:?}");
        }
        assert!(errors.iter().all(|e| !e.message.is_empty()), "{errors:?}");
        seen += 1;
    }
    assert!(seen >= 5, "only {seen} corpus files");
}
