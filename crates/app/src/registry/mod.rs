//! Registry use cases (M1).

pub mod appointments;
pub mod cadres;
pub mod jurisdictions;
pub mod posts;
pub mod units;

pub use crate::access::{require, require_browse};

use dandang_domain::error::{Invalid, Problem};

/// Page numbers from user input, checked: a page past [`Paging::MAX_PAGE`]
/// would only make the offset overflow, so it is refused with the field named
/// rather than clamped into something the caller did not ask for.
#[derive(Clone, Copy, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Paging {
    pub page: u64,
    pub per_page: u64,
}

impl Paging {
    pub const MAX_PAGE: u64 = 1_000_000;
    /// Rows per page of a list; the audit list allows more ([`Paging::MAX_PER_PAGE_AUDIT`]).
    pub const MAX_PER_PAGE: u64 = 200;
    pub const MAX_PER_PAGE_AUDIT: u64 = 500;

    pub fn parse(page: Option<u64>, per_page: Option<u64>, max_per_page: u64) -> crate::Result<Paging> {
        let mut inv = Invalid::new();
        let page = page.unwrap_or(1);
        if !(1..=Self::MAX_PAGE).contains(&page) {
            inv.push("page", "页码", Problem::OutOfRange { min: 1, max: Self::MAX_PAGE as i64 });
        }
        let per_page = per_page.unwrap_or(50);
        if !(1..=max_per_page).contains(&per_page) {
            inv.push("per_page", "每页条数", Problem::OutOfRange { min: 1, max: max_per_page as i64 });
        }
        inv.into_result()?;
        Ok(Paging { page, per_page })
    }

    /// A page the program chose itself.
    pub fn first(per_page: u64) -> Paging {
        Paging { page: 1, per_page }
    }

    pub fn next(self) -> Paging {
        Paging { page: self.page + 1, ..self }
    }

    pub fn offset(&self) -> u64 {
        (self.page - 1) * self.per_page
    }
}

#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub pages: u64,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, total: u64, p: Paging) -> Page<T> {
        Page { items, total, page: p.page, per_page: p.per_page, pages: total.div_ceil(p.per_page).max(1) }
    }
}
