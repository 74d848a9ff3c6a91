//! Pure types and logic of dandang: no IO, no async.
//!
//! Everything here is deterministic so it can be tested exhaustively and re-run
//! for any past date with the same answer.

pub mod access;
pub mod attention;
pub mod audit;
pub mod calendar;
pub mod error;
pub mod follow_up;
pub mod ids;
pub mod measures;
pub mod pack_schemas;
pub mod policy;
pub mod registry;
pub mod supervision;
pub mod text;
pub mod tolerance;

pub use chrono::NaiveDate;
