//! Any text as one file of a policy pack beside the shipped national pack:
//! loaded or refused with located errors, never a panic.
#![no_main]

use dandang_domain::policy::{PolicySet, SourceFile};
use libfuzzer_sys::fuzz_target;

/// The national pack as the binary carries it (without its tests file).
fn national() -> &'static [SourceFile] {
    static FILES: std::sync::OnceLock<Vec<SourceFile>> = std::sync::OnceLock::new();
    FILES.get_or_init(|| {
        dandang_app::policy::embedded()
            .into_iter()
            .filter(|f| f.pack_dir == "cn" && !f.path.ends_with("/tests.toml"))
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut files: Vec<SourceFile> = national().to_vec();
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
