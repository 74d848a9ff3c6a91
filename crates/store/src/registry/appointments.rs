//! Appointments: reached through the cadre they belong to.

use chrono::NaiveDate;
use dandang_domain::access::Scope;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, prelude::Expr};
use uuid::Uuid;

use super::CadreRow;
use crate::{
    StoreError,
    entity::appointment,
    error::Result,
    scope::{InScope, ScopedIds, cadre_in},
};

pub async fn appointments_of(c: &impl ConnectionTrait, cadre: &InScope<CadreRow>) -> Result<Vec<appointment::Model>> {
    Ok(appointment::Entity::find()
        .filter(appointment::Column::CadreId.eq(cadre.id))
        .order_by_asc(appointment::Column::StartDate)
        .order_by_asc(appointment::Column::Id)
        .all(c)
        .await?)
}

/// Every appointment of several cadres, in date order per cadre.
pub async fn appointments_of_many(c: &impl ConnectionTrait, cadres: &ScopedIds) -> Result<Vec<appointment::Model>> {
    let mut out = Vec::new();
    for chunk in cadres.as_slice().chunks(500) {
        out.extend(
            appointment::Entity::find()
                .filter(appointment::Column::CadreId.is_in(chunk.iter().copied()))
                .order_by_asc(appointment::Column::StartDate)
                .order_by_asc(appointment::Column::Id)
                .all(c)
                .await?,
        );
    }
    Ok(out)
}

pub async fn current_appointments(c: &impl ConnectionTrait, cadres: &ScopedIds) -> Result<Vec<appointment::Model>> {
    current_of(c, cadres.as_slice()).await
}

pub(crate) async fn current_of(c: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<appointment::Model>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        out.extend(
            appointment::Entity::find()
                .filter(appointment::Column::CadreId.is_in(chunk.iter().copied()))
                .filter(appointment::Column::EndDate.is_null())
                .order_by_asc(appointment::Column::StartDate)
                .all(c)
                .await?,
        );
    }
    Ok(out)
}

/// An appointment of a cadre in scope.
pub async fn appointment(
    c: &impl ConnectionTrait,
    scope: &Scope,
    id: Uuid,
) -> Result<Option<InScope<appointment::Model>>> {
    Ok(appointment::Entity::find()
        .filter(appointment::Column::Id.eq(id))
        .filter(cadre_in(appointment::Column::CadreId, scope))
        .one(c)
        .await?
        .map(InScope::new))
}

/// Inserts appointments and refreshes their cadres' roster order.
pub async fn insert_appointments(c: &impl ConnectionTrait, ms: Vec<appointment::Model>) -> Result<()> {
    let mut ids: Vec<Uuid> = ms.iter().map(|a| a.cadre_id).collect();
    ids.sort();
    ids.dedup();
    crate::bulk::insert_models::<appointment::Entity>(c, ms).await?;
    super::cadres::refresh_post_ranks(c, &ids).await
}

/// Appointments of cadres inserted in this same transaction whose roster
/// order was computed with them (`post_rank` from the same tier and level):
/// nothing to refresh, which saves a read and a write of every cadre in a
/// large import.
pub async fn insert_appointments_of_new_cadres(c: &impl ConnectionTrait, ms: Vec<appointment::Model>) -> Result<()> {
    crate::bulk::insert_models::<appointment::Entity>(c, ms).await
}

/// Ends an open appointment of a cadre in scope and refreshes the roster order.
pub async fn end_appointment(
    c: &impl ConnectionTrait,
    a: &InScope<appointment::Model>,
    end: NaiveDate,
    end_reason: Option<String>,
) -> Result<()> {
    let r = appointment::Entity::update_many()
        .col_expr(appointment::Column::EndDate, Expr::value(end))
        .col_expr(appointment::Column::EndReason, Expr::value(end_reason))
        .filter(appointment::Column::Id.eq(a.id))
        .filter(appointment::Column::EndDate.is_null())
        .exec(c)
        .await?;
    if r.rows_affected == 0 {
        return Err(StoreError::Stale);
    }
    super::cadres::refresh_post_ranks(c, &[a.cadre_id]).await
}

/// The current appointments of a cadre in scope, as records in scope
/// (to end them when a new post replaces them).
pub async fn current_of_cadre(
    c: &impl ConnectionTrait,
    cadre: &InScope<CadreRow>,
) -> Result<Vec<InScope<appointment::Model>>> {
    Ok(current_of(c, &[cadre.id]).await?.into_iter().map(InScope::new).collect())
}

/// The names of the units these cadres held posts in (their records name
/// them, wherever the units lie).
pub async fn appointment_unit_names(
    c: &impl ConnectionTrait,
    cadres: &ScopedIds,
) -> Result<std::collections::HashMap<Uuid, String>> {
    use crate::entity::unit;
    use sea_orm::{QuerySelect, sea_query::Query};
    let mut out = std::collections::HashMap::new();
    for chunk in cadres.as_slice().chunks(500) {
        let held = Query::select()
            .column(appointment::Column::UnitId)
            .from(appointment::Entity)
            .and_where(appointment::Column::CadreId.is_in(chunk.iter().copied()))
            .to_owned();
        let rows: Vec<(Uuid, String)> = unit::Entity::find()
            .select_only()
            .column(unit::Column::Id)
            .column(unit::Column::Name)
            .filter(unit::Column::Id.in_subquery(held))
            .into_tuple()
            .all(c)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}
