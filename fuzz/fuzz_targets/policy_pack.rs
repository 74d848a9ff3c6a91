//! Any text as one file of a policy pack beside the shipped national pack:
//! loaded or refused with located errors, never a panic.
#![no_main]

use dandang_domain::policy::{PolicySet, SourceFile};
use libfuzzer_sys::fuzz_target;

const NATIONAL: &[(&str, &str)] = &[
    ("cn/pack.toml", include_str!("../../policy/cn/pack.toml")),
    ("cn/calendar.toml", include_str!("../../policy/cn/calendar.toml")),
    ("cn/documents.toml", include_str!("../../policy/cn/documents.toml")),
    ("cn/impact.toml", include_str!("../../policy/cn/impact.toml")),
    ("cn/registry.toml", include_str!("../../policy/cn/registry.toml")),
    ("cn/tolerance.toml", include_str!("../../policy/cn/tolerance.toml")),
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut files: Vec<SourceFile> = NATIONAL
        .iter()
        .map(|(path, content)| SourceFile {
            path: format!("policy/{path}"),
            pack_dir: "cn".into(),
            content: (*content).into(),
        })
        .collect();
    files.push(SourceFile { path: "policy/cn-fz/pack.toml".into(), pack_dir: "cn-fz".into(), content: text.into() });
    // As the server loads packs: the set, then every value through its schema.
    let errors = match PolicySet::load(&files) {
        Ok(set) => dandang_domain::policy::check_values(&set, dandang_domain::pack_schemas::SCHEMAS),
        Err(errors) => errors,
    };
    for e in errors {
        assert!(!e.message.is_empty(), "{e:?}");
    }
});
