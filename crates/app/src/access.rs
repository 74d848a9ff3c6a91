//! Where use cases check access, in one place: the role's permission first —
//! before any query about the record — then the record itself through the
//! store's scoped loaders. A record outside the actor's scope answers exactly
//! like one that does not exist: the same 404, the same words, no names.

use dandang_domain::access::{Actor, Permission};
use dandang_store::{
    InScope,
    entity::jurisdiction,
    registry::{self, CadreRow, UnitRow},
};
use uuid::Uuid;

use crate::{
    App,
    error::{AppError, Result},
};

pub fn require(actor: &Actor, p: Permission) -> Result<()> {
    if actor.can(p) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// Any one of several permissions.
pub fn require_any(actor: &Actor, ps: &[Permission]) -> Result<()> {
    if ps.iter().any(|p| actor.can(*p)) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// Units and jurisdictions are browsed by the offices, not by a cadre who
/// only reads their own record.
pub fn require_browse(actor: &Actor) -> Result<()> {
    require(actor, Permission::RegistryRead)?;
    if actor.scope.cadre_id.is_some() { Err(AppError::Forbidden) } else { Ok(()) }
}

/// A cadre in scope, or "not found".
pub async fn cadre(app: &App, actor: &Actor, id: Uuid) -> Result<InScope<CadreRow>> {
    registry::cadre(app.db().read(), &actor.scope, id).await?.ok_or(AppError::NotFound("干部"))
}

/// A unit in scope, or "not found".
pub async fn unit(app: &App, actor: &Actor, id: Uuid) -> Result<InScope<UnitRow>> {
    registry::unit(app.db().read(), &actor.scope, id).await?.ok_or(AppError::NotFound("单位"))
}

/// A jurisdiction in scope by division code, or "not found".
pub async fn jurisdiction(app: &App, actor: &Actor, code: &str) -> Result<InScope<jurisdiction::Model>> {
    registry::jurisdiction_by_code(app.db().read(), &actor.scope, code.trim())
        .await?
        .ok_or(AppError::NotFound("行政区划"))
}
