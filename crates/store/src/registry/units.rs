//! Units and their posts. A scope sees the units of its jurisdiction subtree;
//! a unit-bound scope only its unit subtree; a self-service scope none.

use dandang_domain::access::Scope;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, JoinType, Order, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, RelationTrait,
    prelude::Expr,
    sea_query::{Condition, ExprTrait},
};
use uuid::Uuid;

use super::{like_contains, like_prefix};
use crate::{
    StoreError,
    entity::{appointment, jurisdiction, post, unit},
    error::Result,
    scope::{InScope, ScopedIds, unit_cond},
};

#[derive(Clone, Debug, PartialEq, FromQueryResult)]
pub struct UnitRow {
    pub id: Uuid,
    pub name: String,
    pub short_name: Option<String>,
    pub unit_type: String,
    pub jurisdiction_id: Uuid,
    pub parent_id: Option<Uuid>,
    pub path: String,
    pub sort_order: i32,
    pub active: bool,
    pub version: i32,
    pub jurisdiction_name: String,
    pub jurisdiction_path: String,
    pub jurisdiction_code: String,
}

#[derive(Clone, Debug, Default)]
pub struct UnitFilter {
    pub q: Option<String>,
    pub jurisdiction_path: Option<String>,
    pub unit_type: Option<String>,
    pub parent_path: Option<String>,
    pub include_inactive: bool,
}

fn unit_select() -> sea_orm::Select<unit::Entity> {
    unit::Entity::find()
        .join(JoinType::InnerJoin, unit::Relation::Jurisdiction.def())
        .column_as(jurisdiction::Column::Name, "jurisdiction_name")
        .column_as(jurisdiction::Column::Path, "jurisdiction_path")
        .column_as(jurisdiction::Column::Code, "jurisdiction_code")
}

/// Every unit query starts here: the scope is the first filter.
fn scoped(scope: &Scope) -> sea_orm::Select<unit::Entity> {
    unit_select().filter(unit_cond(scope))
}

pub async fn list_units(
    c: &impl ConnectionTrait,
    scope: &Scope,
    f: &UnitFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<InScope<UnitRow>>, u64)> {
    let mut cond = Condition::all();
    if let Some(q) = f.q.as_deref().filter(|q| !q.is_empty()) {
        cond = cond.add(
            Condition::any()
                .add(Expr::col((unit::Entity, unit::Column::Name)).like(like_contains(q)))
                .add(Expr::col((unit::Entity, unit::Column::ShortName)).like(like_contains(q))),
        );
    }
    if let Some(p) = &f.jurisdiction_path {
        cond = cond.add(Expr::col((jurisdiction::Entity, jurisdiction::Column::Path)).like(like_prefix(p)));
    }
    if let Some(t) = &f.unit_type {
        cond = cond.add(unit::Column::UnitType.eq(t.clone()));
    }
    if let Some(p) = &f.parent_path {
        cond = cond.add(Expr::col((unit::Entity, unit::Column::Path)).like(like_prefix(p)));
    }
    if !f.include_inactive {
        cond = cond.add(unit::Column::Active.eq(true));
    }
    let q = scoped(scope).filter(cond);
    let total = q.clone().count(c).await?;
    let rows = q
        .order_by(jurisdiction::Column::Path, Order::Asc)
        .order_by_asc(unit::Column::SortOrder)
        .order_by_asc(unit::Column::Id)
        .offset(offset)
        .limit(limit)
        .into_model::<UnitRow>()
        .all(c)
        .await?;
    Ok((rows.into_iter().map(InScope::new).collect(), total))
}

/// One unit, if the scope covers it.
pub async fn unit(c: &impl ConnectionTrait, scope: &Scope, id: Uuid) -> Result<Option<InScope<UnitRow>>> {
    Ok(scoped(scope).filter(unit::Column::Id.eq(id)).into_model::<UnitRow>().one(c).await?.map(InScope::new))
}

/// Units in scope by id (names for lists); ids outside the scope are left out.
pub async fn units_by_ids(c: &impl ConnectionTrait, scope: &Scope, ids: &[Uuid]) -> Result<Vec<InScope<UnitRow>>> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        out.extend(
            scoped(scope)
                .filter(unit::Column::Id.is_in(chunk.iter().copied()))
                .into_model::<UnitRow>()
                .all(c)
                .await?
                .into_iter()
                .map(InScope::new),
        );
    }
    Ok(out)
}

/// A unit in scope by its full name or short name.
pub async fn unit_by_name(c: &impl ConnectionTrait, scope: &Scope, name: &str) -> Result<Option<InScope<UnitRow>>> {
    Ok(scoped(scope)
        .filter(Condition::any().add(unit::Column::Name.eq(name)).add(unit::Column::ShortName.eq(name)))
        .into_model::<UnitRow>()
        .one(c)
        .await?
        .map(InScope::new))
}

/// Units in scope by full name, for resolving spreadsheet rows in one query.
pub async fn units_by_names(
    c: &impl ConnectionTrait,
    scope: &Scope,
    names: &[String],
) -> Result<Vec<InScope<UnitRow>>> {
    let mut out = Vec::new();
    for chunk in names.chunks(500) {
        out.extend(
            scoped(scope)
                .filter(unit::Column::Name.is_in(chunk.iter().cloned()))
                .into_model::<UnitRow>()
                .all(c)
                .await?
                .into_iter()
                .map(InScope::new),
        );
    }
    Ok(out)
}

/// Whether a unit of this exact full name exists anywhere. Unit names are
/// public (the names of party and state organs); two units may not share one,
/// because spreadsheets name units by it.
pub async fn unit_name_taken(c: &impl ConnectionTrait, name: &str) -> Result<bool> {
    Ok(unit::Entity::find().filter(unit::Column::Name.eq(name)).one(c).await?.is_some())
}

pub async fn insert_unit(c: &impl ConnectionTrait, m: unit::Model) -> Result<()> {
    unit::Entity::insert(unit::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

/// Writes a changed unit if nobody else changed it since `expected_version`.
pub async fn update_unit(
    c: &impl ConnectionTrait,
    target: &InScope<UnitRow>,
    m: unit::Model,
    expected_version: i32,
) -> Result<()> {
    let r = unit::Entity::update_many()
        .col_expr(unit::Column::Name, Expr::value(m.name))
        .col_expr(unit::Column::ShortName, Expr::value(m.short_name))
        .col_expr(unit::Column::UnitType, Expr::value(m.unit_type))
        .col_expr(unit::Column::SortOrder, Expr::value(m.sort_order))
        .col_expr(unit::Column::Active, Expr::value(m.active))
        .col_expr(unit::Column::Version, Expr::value(expected_version + 1))
        .col_expr(unit::Column::UpdatedAt, Expr::value(m.updated_at))
        .filter(unit::Column::Id.eq(target.id))
        .filter(unit::Column::Version.eq(expected_version))
        .exec(c)
        .await?;
    if r.rows_affected == 0 { Err(StoreError::Stale) } else { Ok(()) }
}

// ---- posts -----------------------------------------------------------------

pub async fn posts_of_unit(c: &impl ConnectionTrait, u: &InScope<UnitRow>) -> Result<Vec<InScope<post::Model>>> {
    Ok(post::Entity::find()
        .filter(post::Column::UnitId.eq(u.id))
        .order_by_asc(post::Column::SortOrder)
        .order_by_asc(post::Column::Id)
        .all(c)
        .await?
        .into_iter()
        .map(InScope::new)
        .collect())
}

/// A post of a unit in scope.
pub async fn post(c: &impl ConnectionTrait, scope: &Scope, id: Uuid) -> Result<Option<InScope<post::Model>>> {
    Ok(post::Entity::find()
        .filter(post::Column::Id.eq(id))
        .filter(crate::scope::unit_in(post::Column::UnitId, scope))
        .one(c)
        .await?
        .map(InScope::new))
}

pub async fn insert_post(c: &impl ConnectionTrait, m: post::Model) -> Result<()> {
    post::Entity::insert(post::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

/// Who holds these posts now (open appointments).
pub async fn post_holders(c: &impl ConnectionTrait, posts: &ScopedIds) -> Result<Vec<appointment::Model>> {
    let mut out = Vec::new();
    for chunk in posts.as_slice().chunks(500) {
        out.extend(
            appointment::Entity::find()
                .filter(appointment::Column::PostId.is_in(chunk.iter().copied()))
                .filter(appointment::Column::EndDate.is_null())
                .all(c)
                .await?,
        );
    }
    Ok(out)
}

/// By id, outside any scope: only for resolving a signed-in user's own unit
/// (see `crate::system`).
pub(crate) async fn unit_unscoped(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<UnitRow>> {
    Ok(unit_select().filter(unit::Column::Id.eq(id)).into_model::<UnitRow>().one(c).await?)
}

/// Units matching a condition built elsewhere in this crate — for records in
/// scope that name their units (an item's lead and co-units).
pub(crate) async fn units_where(c: &impl ConnectionTrait, cond: Condition) -> Result<Vec<UnitRow>> {
    Ok(unit_select().filter(cond).into_model::<UnitRow>().all(c).await?)
}

/// Which of these full names units anywhere already bear (see `unit_name_taken`).
pub async fn unit_names_taken(c: &impl ConnectionTrait, names: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for chunk in names.chunks(500) {
        let found: Vec<String> = unit::Entity::find()
            .select_only()
            .column(unit::Column::Name)
            .filter(unit::Column::Name.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(c)
            .await?;
        out.extend(found);
    }
    Ok(out)
}
