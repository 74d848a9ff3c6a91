//! Registry use cases (M1).

pub mod appointments;
pub mod cadres;
pub mod jurisdictions;
pub mod posts;
pub mod units;

pub use crate::access::{require, require_browse};

/// Page numbers from user input, clamped.
#[derive(Clone, Copy, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Paging {
    pub page: u64,
    pub per_page: u64,
}

impl Paging {
    pub fn new(page: Option<u64>, per_page: Option<u64>) -> Paging {
        Paging { page: page.unwrap_or(1).max(1), per_page: per_page.unwrap_or(50).clamp(1, 200) }
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
