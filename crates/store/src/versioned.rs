//! Optimistic concurrency for the tables that carry a `version` column:
//! a row is replaced only if nobody changed it since it was read.

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    entity::{advance_filing, app_user, cadre, follow_up, measure, supervision_case, task_letter, tolerance_case},
    error::{Result, StoreError},
};

/// A table with a UUID key, a creation time that never changes and a version.
pub(crate) trait Versioned: EntityTrait {
    const ID: Self::Column;
    const VERSION: Self::Column;
    const CREATED_AT: Self::Column;
}

macro_rules! versioned {
    ($($m:ident),* $(,)?) => {$(
        impl Versioned for $m::Entity {
            const ID: $m::Column = $m::Column::Id;
            const VERSION: $m::Column = $m::Column::Version;
            const CREATED_AT: $m::Column = $m::Column::CreatedAt;
        }
    )*};
}

versioned!(advance_filing, app_user, cadre, follow_up, measure, supervision_case, task_letter, tolerance_case);

/// Writes every column of `model` over row `id` if its version is still
/// `expected_version`, and moves the version on by one; otherwise nothing is
/// written and the caller gets [`StoreError::Stale`].
pub(crate) async fn replace<E>(c: &impl ConnectionTrait, model: E::Model, id: Uuid, expected_version: i32) -> Result<()>
where
    E: Versioned,
    E::ActiveModel: From<E::Model> + Send,
{
    // Every column is written: `from(Model)` alone marks them unchanged.
    let mut am = E::ActiveModel::from(model).reset_all();
    am.set(E::VERSION, (expected_version + 1).into());
    am.not_set(E::ID);
    am.not_set(E::CREATED_AT);
    let res = E::update_many().set(am).filter(E::ID.eq(id)).filter(E::VERSION.eq(expected_version)).exec(c).await?;
    if res.rows_affected == 0 { Err(StoreError::Stale) } else { Ok(()) }
}
