//! Any bytes uploaded as a roster: refused or read, never a panic, an abort
//! or an allocation beyond the import bounds (libFuzzer's -rss_limit_mb).
#![no_main]

use dandang_app::imports::{ImportKind, read_only};
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: {
        // The reader contains a panic raised inside the spreadsheet library
        // and answers it as a damaged file (imports::table::for_each_cell);
        // libFuzzer's own hook would abort on it first. Any other panic —
        // ours — still aborts and is reported.
        let report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info.location().is_some_and(|l| l.file().contains("/calamine-")) {
                return;
            }
            report(info);
            std::process::abort();
        }));
    },
    |data: &[u8]| {
        // The first byte picks the kind and the name's extension, so one
        // corpus reaches every column set and both readers' entry checks.
        let Some((&pick, bytes)) = data.split_first() else { return };
        let kind = ImportKind::ALL[pick as usize % ImportKind::ALL.len()];
        let name = if pick & 0x80 == 0 { "名册.xlsx" } else { "名册.xls" };
        let _ = read_only(kind, name, bytes);
    }
);
