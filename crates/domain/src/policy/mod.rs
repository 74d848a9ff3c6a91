//! Policy packs: the rules as data.
//!
//! A pack is a directory of TOML files. Packs form layers — national (`cn`) →
//! province (`cn-zj`) → city (`cn-hb-yc`) — and a lower layer may add entries
//! or override an entry by id; nothing can be removed. Every entry carries its
//! source document and article, a confidence tag and the dates it is in force,
//! so any question can be answered with the rules of a given day.

mod check;
mod load;
mod model;
mod resolve;
mod values;

pub use check::{TestOutcome, run_pack_tests};
pub use load::{PolicyError, PolicySet, SourceFile};
pub use model::{
    CalendarNotice, Catalogue, Confidence, Document, EntryVersion, HolidayRange, Pack, PackTest, SourceRef,
};
pub use resolve::{CatalogueView, EntryHit, Resolved, citation as resolve_citation};
pub use values::{PackValue, Schema, Valued, Wording, WorkingDays, check_values};

#[cfg(test)]
pub(crate) mod tests;
