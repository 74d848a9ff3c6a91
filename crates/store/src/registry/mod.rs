//! Registry queries (M1). Each record type's scope condition is written once
//! and used by its list query and its loader by id alike (see `crate::scope`).

mod appointments;
mod cadres;
mod jurisdictions;
mod units;

pub use appointments::*;
pub use cadres::*;
pub use jurisdictions::*;
pub use units::*;

use sea_orm::sea_query::LikeExpr;

fn escape_like(s: &str) -> String {
    s.chars().flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] }).collect()
}

/// A user-typed fragment as a LIKE pattern matching it anywhere.
pub fn like_contains(s: &str) -> LikeExpr {
    LikeExpr::new(format!("%{}%", escape_like(s))).escape('\\')
}

pub fn like_prefix(s: &str) -> LikeExpr {
    LikeExpr::new(format!("{}%", escape_like(s))).escape('\\')
}
