//! Registry use cases (M1).

pub mod appointments;
pub mod cadres;
pub mod jurisdictions;
pub mod posts;
pub mod units;

use dandang_domain::access::{Actor, CadreLocation, Permission};
use dandang_domain::ids::CadreId;
use dandang_domain::registry::ManagedBy;
use dandang_store::registry::{CadreRow, UnitRow};

use crate::error::{AppError, Result};

pub fn require(actor: &Actor, p: Permission) -> Result<()> {
    if actor.can(p) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// Units and jurisdictions are browsed by the offices, not by a cadre who
/// only reads their own record.
pub fn require_browse(actor: &Actor) -> Result<()> {
    require(actor, Permission::RegistryRead)?;
    if actor.scope.cadre_id.is_some() { Err(AppError::Forbidden) } else { Ok(()) }
}

/// Whether a stored cadre row is inside the actor's scope.
pub fn covers_cadre(actor: &Actor, c: &CadreRow) -> bool {
    let Ok(m) = ManagedBy::parse(&c.managed_by) else { return false };
    actor.scope.covers_cadre(&CadreLocation {
        cadre_id: CadreId(c.id),
        jurisdiction_path: &c.jurisdiction_path,
        unit_path: &c.unit_path,
        managed_by: m,
    })
}

pub fn covers_unit(actor: &Actor, u: &UnitRow) -> bool {
    actor.scope.covers_unit(&u.jurisdiction_path, &u.path)
}

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
