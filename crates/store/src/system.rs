//! Reads outside any scope. Only for callers that act for the system rather
//! than for a person asking: turning a signed-in user's own jurisdiction and
//! unit into their scope, and checking which cadre a self-service account is
//! tied to. Everything a person asks for goes through a scoped loader; these
//! are listed in docs/access.md.

use uuid::Uuid;

use crate::{
    entity::jurisdiction,
    error::Result,
    registry::{CadreRow, UnitRow},
};

/// The jurisdiction a user's scope is rooted at.
pub async fn jurisdiction(c: &impl sea_orm::ConnectionTrait, id: Uuid) -> Result<Option<jurisdiction::Model>> {
    crate::registry::jurisdiction_unscoped(c, id).await
}

/// The unit a unit-bound user belongs to.
pub async fn unit(c: &impl sea_orm::ConnectionTrait, id: Uuid) -> Result<Option<UnitRow>> {
    crate::registry::unit_unscoped(c, id).await
}

/// The cadre a self-service user is tied to.
pub async fn cadre(c: &impl sea_orm::ConnectionTrait, id: Uuid) -> Result<Option<CadreRow>> {
    crate::registry::cadre_unscoped(c, id).await
}
