//! Registry queries. List queries apply the actor's scope in SQL, built from
//! the same `Scope` value the app layer uses for single-record checks.

use chrono::{DateTime, NaiveDate, Utc};
use dandang_domain::access::Scope;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, JoinType, Order, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, RelationTrait,
    prelude::Expr,
    sea_query::{Condition, ExprTrait, LikeExpr, Query},
};
use uuid::Uuid;

use crate::{
    StoreError,
    entity::{appointment, cadre, cadre_tag, jurisdiction, post, unit},
    error::Result,
};

/// A user-typed fragment as a LIKE pattern matching it anywhere.
pub fn like_contains(s: &str) -> LikeExpr {
    let escaped: String =
        s.chars().flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] }).collect();
    LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

pub fn like_prefix(s: &str) -> LikeExpr {
    let escaped: String =
        s.chars().flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] }).collect();
    LikeExpr::new(format!("{escaped}%")).escape('\\')
}

// ---- jurisdictions ---------------------------------------------------------

pub async fn jurisdictions_under(c: &impl ConnectionTrait, path_prefix: &str) -> Result<Vec<jurisdiction::Model>> {
    Ok(jurisdiction::Entity::find()
        .filter(Expr::col(jurisdiction::Column::Path).like(like_prefix(path_prefix)))
        .order_by_asc(jurisdiction::Column::Path)
        .all(c)
        .await?)
}

pub async fn jurisdiction(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<jurisdiction::Model>> {
    Ok(jurisdiction::Entity::find_by_id(id).one(c).await?)
}

pub async fn jurisdiction_by_code(c: &impl ConnectionTrait, code: &str) -> Result<Option<jurisdiction::Model>> {
    Ok(jurisdiction::Entity::find().filter(jurisdiction::Column::Code.eq(code)).one(c).await?)
}

pub async fn jurisdiction_by_path(c: &impl ConnectionTrait, path: &str) -> Result<Option<jurisdiction::Model>> {
    Ok(jurisdiction::Entity::find().filter(jurisdiction::Column::Path.eq(path)).one(c).await?)
}

pub async fn insert_jurisdiction(c: &impl ConnectionTrait, m: jurisdiction::Model) -> Result<()> {
    jurisdiction::Entity::insert(jurisdiction::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

// ---- units -----------------------------------------------------------------

#[derive(Clone, Debug, FromQueryResult)]
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

fn unit_scope(scope: &Scope) -> Condition {
    if scope.cadre_id.is_some() {
        // Self-service users browse no units.
        return Condition::all().add(Expr::val(1).eq(0));
    }
    let mut cond = Condition::all()
        .add(Expr::col((jurisdiction::Entity, jurisdiction::Column::Path)).like(like_prefix(&scope.jurisdiction_path)));
    if let Some(p) = &scope.unit_path {
        cond = cond.add(Expr::col((unit::Entity, unit::Column::Path)).like(like_prefix(p)));
    }
    cond
}

fn unit_select() -> sea_orm::Select<unit::Entity> {
    unit::Entity::find()
        .join(JoinType::InnerJoin, unit::Relation::Jurisdiction.def())
        .column_as(jurisdiction::Column::Name, "jurisdiction_name")
        .column_as(jurisdiction::Column::Path, "jurisdiction_path")
        .column_as(jurisdiction::Column::Code, "jurisdiction_code")
}

pub async fn list_units(
    c: &impl ConnectionTrait,
    scope: &Scope,
    f: &UnitFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<UnitRow>, u64)> {
    let mut cond = unit_scope(scope);
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
    let q = unit_select().filter(cond);
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
    Ok((rows, total))
}

pub async fn unit(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<UnitRow>> {
    Ok(unit_select().filter(unit::Column::Id.eq(id)).into_model::<UnitRow>().one(c).await?)
}

pub async fn unit_by_name(c: &impl ConnectionTrait, name: &str) -> Result<Option<UnitRow>> {
    Ok(unit_select()
        .filter(Condition::any().add(unit::Column::Name.eq(name)).add(unit::Column::ShortName.eq(name)))
        .into_model::<UnitRow>()
        .one(c)
        .await?)
}

/// All units by full name, for resolving spreadsheet rows in one query.
pub async fn units_by_names(c: &impl ConnectionTrait, names: &[String]) -> Result<Vec<UnitRow>> {
    if names.is_empty() {
        return Ok(vec![]);
    }
    let mut out = Vec::new();
    for chunk in names.chunks(500) {
        let mut rows = unit_select()
            .filter(unit::Column::Name.is_in(chunk.iter().cloned()))
            .into_model::<UnitRow>()
            .all(c)
            .await?;
        out.append(&mut rows);
    }
    Ok(out)
}

pub async fn insert_unit(c: &impl ConnectionTrait, m: unit::Model) -> Result<()> {
    unit::Entity::insert(unit::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

/// Writes a changed unit if nobody else changed it since `expected_version`.
pub async fn update_unit(c: &impl ConnectionTrait, m: unit::Model, expected_version: i32) -> Result<()> {
    let r = unit::Entity::update_many()
        .col_expr(unit::Column::Name, Expr::value(m.name))
        .col_expr(unit::Column::ShortName, Expr::value(m.short_name))
        .col_expr(unit::Column::UnitType, Expr::value(m.unit_type))
        .col_expr(unit::Column::SortOrder, Expr::value(m.sort_order))
        .col_expr(unit::Column::Active, Expr::value(m.active))
        .col_expr(unit::Column::Version, Expr::value(expected_version + 1))
        .col_expr(unit::Column::UpdatedAt, Expr::value(m.updated_at))
        .filter(unit::Column::Id.eq(m.id))
        .filter(unit::Column::Version.eq(expected_version))
        .exec(c)
        .await?;
    if r.rows_affected == 0 { Err(StoreError::Stale) } else { Ok(()) }
}

pub async fn count_units_under(c: &impl ConnectionTrait, path: &str) -> Result<u64> {
    Ok(unit::Entity::find().filter(Expr::col(unit::Column::Path).like(like_prefix(path))).count(c).await?)
}

// ---- posts -----------------------------------------------------------------

pub async fn posts_of_unit(c: &impl ConnectionTrait, unit_id: Uuid) -> Result<Vec<post::Model>> {
    Ok(post::Entity::find()
        .filter(post::Column::UnitId.eq(unit_id))
        .order_by_asc(post::Column::SortOrder)
        .order_by_asc(post::Column::Id)
        .all(c)
        .await?)
}

pub async fn post(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<post::Model>> {
    Ok(post::Entity::find_by_id(id).one(c).await?)
}

pub async fn insert_post(c: &impl ConnectionTrait, m: post::Model) -> Result<()> {
    post::Entity::insert(post::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

pub async fn posts_by_units(c: &impl ConnectionTrait, unit_ids: &[Uuid]) -> Result<Vec<post::Model>> {
    let mut out = Vec::new();
    for chunk in unit_ids.chunks(500) {
        out.extend(post::Entity::find().filter(post::Column::UnitId.is_in(chunk.iter().copied())).all(c).await?);
    }
    Ok(out)
}

/// Holders of a post now (open appointments).
pub async fn post_holders(c: &impl ConnectionTrait, post_id: Uuid) -> Result<Vec<appointment::Model>> {
    Ok(appointment::Entity::find()
        .filter(appointment::Column::PostId.eq(post_id))
        .filter(appointment::Column::EndDate.is_null())
        .all(c)
        .await?)
}

// ---- cadres ----------------------------------------------------------------

#[derive(Clone, Debug, FromQueryResult)]
pub struct CadreRow {
    pub id: Uuid,
    pub name: String,
    pub name_pinyin: String,
    pub sex: String,
    pub birth_date: NaiveDate,
    pub id_number: Option<String>,
    pub ethnicity: String,
    pub party_join_date: Option<NaiveDate>,
    pub education: Option<String>,
    pub degree: Option<String>,
    pub unit_id: Uuid,
    pub rank: Option<String>,
    pub managed_by: String,
    pub active: bool,
    pub note: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub unit_name: String,
    pub unit_path: String,
    pub jurisdiction_id: Uuid,
    pub jurisdiction_name: String,
    pub jurisdiction_path: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CadreSort {
    /// Jurisdiction, then the unit's order, then name.
    #[default]
    Unit,
    Name,
    BirthAsc,
    BirthDesc,
}

#[derive(Clone, Debug, Default)]
pub struct CadreFilter {
    pub q: Option<String>,
    /// Also match the full ID number exactly (only for roles that may see it).
    pub q_matches_id_number: bool,
    pub jurisdiction_path: Option<String>,
    pub unit_path: Option<String>,
    pub managed_by: Option<String>,
    pub sex: Option<String>,
    pub rank: Option<String>,
    pub tier: Option<String>,
    pub level: Option<String>,
    pub tag: Option<String>,
    pub education: Option<String>,
    pub born_after: Option<NaiveDate>,
    pub born_before: Option<NaiveDate>,
    pub include_inactive: bool,
}

pub fn cadre_scope(scope: &Scope) -> Condition {
    if let Some(only) = scope.cadre_id {
        return Condition::all().add(Expr::col((cadre::Entity, cadre::Column::Id)).eq(only.0));
    }
    let managed: Vec<String> = scope.managed_by.iter().map(|m| m.code().to_string()).collect();
    let mut cond = Condition::all()
        .add(Expr::col((jurisdiction::Entity, jurisdiction::Column::Path)).like(like_prefix(&scope.jurisdiction_path)))
        .add(Expr::col((cadre::Entity, cadre::Column::ManagedBy)).is_in(managed));
    if let Some(p) = &scope.unit_path {
        cond = cond.add(Expr::col((unit::Entity, unit::Column::Path)).like(like_prefix(p)));
    }
    cond
}

fn cadre_select() -> sea_orm::Select<cadre::Entity> {
    cadre::Entity::find()
        .join(JoinType::InnerJoin, cadre::Relation::Unit.def())
        .join(JoinType::InnerJoin, unit::Relation::Jurisdiction.def())
        .column_as(unit::Column::Name, "unit_name")
        .column_as(unit::Column::Path, "unit_path")
        .column_as(jurisdiction::Column::Id, "jurisdiction_id")
        .column_as(jurisdiction::Column::Name, "jurisdiction_name")
        .column_as(jurisdiction::Column::Path, "jurisdiction_path")
}

fn cadre_filter(scope: &Scope, f: &CadreFilter) -> Condition {
    let mut cond = cadre_scope(scope);
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let key = dandang_domain::text::search_key(q);
        let mut any = Condition::any().add(Expr::col((cadre::Entity, cadre::Column::Name)).like(like_contains(q)));
        if !key.is_empty() {
            any = any
                .add(Expr::col((cadre::Entity, cadre::Column::NamePinyin)).like(like_prefix(&key)))
                .add(Expr::col((cadre::Entity, cadre::Column::NameInitials)).like(like_prefix(&key)));
        }
        if f.q_matches_id_number {
            any = any.add(cadre::Column::IdNumber.eq(q.to_uppercase()));
        }
        cond = cond.add(any);
    }
    if let Some(p) = &f.jurisdiction_path {
        cond = cond.add(Expr::col((jurisdiction::Entity, jurisdiction::Column::Path)).like(like_prefix(p)));
    }
    if let Some(p) = &f.unit_path {
        cond = cond.add(Expr::col((unit::Entity, unit::Column::Path)).like(like_prefix(p)));
    }
    if let Some(v) = &f.managed_by {
        cond = cond.add(cadre::Column::ManagedBy.eq(v.clone()));
    }
    if let Some(v) = &f.sex {
        cond = cond.add(cadre::Column::Sex.eq(v.clone()));
    }
    if let Some(v) = &f.rank {
        cond = cond.add(cadre::Column::Rank.eq(v.clone()));
    }
    if let Some(v) = &f.education {
        cond = cond.add(cadre::Column::Education.eq(v.clone()));
    }
    if let Some(d) = f.born_after {
        cond = cond.add(cadre::Column::BirthDate.gte(d));
    }
    if let Some(d) = f.born_before {
        cond = cond.add(cadre::Column::BirthDate.lte(d));
    }
    if f.tier.is_some() || f.level.is_some() {
        let mut sub = Query::select();
        sub.column(appointment::Column::CadreId)
            .from(appointment::Entity)
            .and_where(appointment::Column::EndDate.is_null());
        if let Some(t) = &f.tier {
            sub.and_where(appointment::Column::Tier.eq(t.clone()));
        }
        if let Some(l) = &f.level {
            sub.and_where(appointment::Column::Level.eq(l.clone()));
        }
        cond = cond.add(Expr::col((cadre::Entity, cadre::Column::Id)).in_subquery(sub.to_owned()));
    }
    if let Some(t) = &f.tag {
        let sub = Query::select()
            .column(cadre_tag::Column::CadreId)
            .from(cadre_tag::Entity)
            .and_where(cadre_tag::Column::Tag.eq(t.clone()))
            .to_owned();
        cond = cond.add(Expr::col((cadre::Entity, cadre::Column::Id)).in_subquery(sub));
    }
    if !f.include_inactive {
        cond = cond.add(Expr::col((cadre::Entity, cadre::Column::Active)).eq(true));
    }
    cond
}

/// Recomputes the roster sort key (see `dandang_domain::registry::post_rank`)
/// of these cadres from their open appointments, inside the transaction that
/// changed them. Rows whose key is unchanged are not written.
pub async fn refresh_post_ranks(c: &impl ConnectionTrait, ids: &[Uuid]) -> Result<()> {
    use dandang_domain::registry::{PostLevel, Tier, post_rank};
    let mut best: std::collections::HashMap<Uuid, i32> = ids.iter().map(|i| (*i, 99)).collect();
    for a in current_appointments(c, ids).await? {
        let r = post_rank(
            a.tier.as_deref().and_then(|t| Tier::parse(t).ok()),
            a.level.as_deref().and_then(|l| PostLevel::parse(l).ok()),
        );
        best.entry(a.cadre_id).and_modify(|b| *b = std::cmp::min(*b, r));
    }
    let mut by_rank: std::collections::BTreeMap<i32, Vec<Uuid>> = Default::default();
    for (id, r) in best {
        by_rank.entry(r).or_default().push(id);
    }
    for (rank, ids) in by_rank {
        for chunk in ids.chunks(500) {
            cadre::Entity::update_many()
                .col_expr(cadre::Column::PostRank, Expr::value(rank))
                .filter(cadre::Column::Id.is_in(chunk.iter().copied()))
                .filter(cadre::Column::PostRank.ne(rank))
                .exec(c)
                .await?;
        }
    }
    Ok(())
}

pub async fn list_cadres(
    c: &impl ConnectionTrait,
    scope: &Scope,
    f: &CadreFilter,
    sort: CadreSort,
    offset: u64,
    limit: u64,
) -> Result<(Vec<CadreRow>, u64)> {
    let q = cadre_select().filter(cadre_filter(scope, f));
    let counted = q.clone();
    let q = match sort {
        CadreSort::Unit => q
            .order_by(jurisdiction::Column::Path, Order::Asc)
            .order_by_asc(unit::Column::SortOrder)
            .order_by_asc(unit::Column::Id)
            .order_by_asc(cadre::Column::PostRank)
            .order_by_asc(cadre::Column::NamePinyin),
        CadreSort::Name => q.order_by_asc(cadre::Column::NamePinyin),
        CadreSort::BirthAsc => q.order_by_asc(cadre::Column::BirthDate),
        CadreSort::BirthDesc => q.order_by_desc(cadre::Column::BirthDate),
    };
    let page = q.order_by_asc(cadre::Column::Id).offset(offset).limit(limit).into_model::<CadreRow>().all(c);
    // The count and the page are independent reads; on a pool they run on
    // two connections at once.
    let (total, rows) = tokio::join!(counted.count(c), page);
    Ok((rows?, total?))
}

pub async fn count_cadres(c: &impl ConnectionTrait, scope: &Scope, f: &CadreFilter) -> Result<u64> {
    Ok(cadre_select().filter(cadre_filter(scope, f)).count(c).await?)
}

/// One cadre with where they sit; the caller checks the scope.
pub async fn cadre(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<CadreRow>> {
    Ok(cadre_select().filter(cadre::Column::Id.eq(id)).into_model::<CadreRow>().one(c).await?)
}

/// Several cadres at once (for lists that name them).
pub async fn cadres_by_ids(c: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<CadreRow>> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        out.extend(
            cadre_select()
                .filter(cadre::Column::Id.is_in(chunk.iter().copied()))
                .into_model::<CadreRow>()
                .all(c)
                .await?,
        );
    }
    Ok(out)
}

pub async fn cadre_model(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<cadre::Model>> {
    Ok(cadre::Entity::find_by_id(id).one(c).await?)
}

pub async fn cadre_by_id_number(c: &impl ConnectionTrait, id_number: &str) -> Result<Option<cadre::Model>> {
    Ok(cadre::Entity::find().filter(cadre::Column::IdNumber.eq(id_number)).one(c).await?)
}

pub async fn existing_id_numbers(c: &impl ConnectionTrait, ids: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let found: Vec<Option<String>> = cadre::Entity::find()
            .select_only()
            .column(cadre::Column::IdNumber)
            .filter(cadre::Column::IdNumber.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(c)
            .await?;
        out.extend(found.into_iter().flatten());
    }
    Ok(out)
}

pub async fn insert_cadre(c: &impl ConnectionTrait, m: cadre::Model) -> Result<()> {
    cadre::Entity::insert(cadre::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

pub async fn insert_cadres(c: &impl ConnectionTrait, ms: Vec<cadre::Model>) -> Result<()> {
    for chunk in ms.chunks(200) {
        cadre::Entity::insert_many(chunk.iter().cloned().map(cadre::ActiveModel::from))
            .exec_without_returning(c)
            .await?;
    }
    Ok(())
}

pub async fn update_cadre(c: &impl ConnectionTrait, m: cadre::Model, expected_version: i32) -> Result<()> {
    let id = m.id;
    crate::versioned::replace::<cadre::Entity>(c, m, id, expected_version).await
}

pub async fn tags_of(c: &impl ConnectionTrait, cadre_ids: &[Uuid]) -> Result<Vec<cadre_tag::Model>> {
    let mut out = Vec::new();
    for chunk in cadre_ids.chunks(500) {
        out.extend(
            cadre_tag::Entity::find()
                .filter(cadre_tag::Column::CadreId.is_in(chunk.iter().copied()))
                .order_by_asc(cadre_tag::Column::Tag)
                .all(c)
                .await?,
        );
    }
    Ok(out)
}

pub async fn set_tags(c: &impl ConnectionTrait, cadre_id: Uuid, tags: &[String]) -> Result<()> {
    cadre_tag::Entity::delete_many().filter(cadre_tag::Column::CadreId.eq(cadre_id)).exec(c).await?;
    if !tags.is_empty() {
        cadre_tag::Entity::insert_many(
            tags.iter().map(|t| cadre_tag::ActiveModel { cadre_id: Set(cadre_id), tag: Set(t.clone()) }),
        )
        .exec_without_returning(c)
        .await?;
    }
    Ok(())
}

pub async fn insert_tags(c: &impl ConnectionTrait, rows: Vec<cadre_tag::Model>) -> Result<()> {
    for chunk in rows.chunks(500) {
        cadre_tag::Entity::insert_many(chunk.iter().cloned().map(cadre_tag::ActiveModel::from))
            .exec_without_returning(c)
            .await?;
    }
    Ok(())
}

// ---- appointments ----------------------------------------------------------

pub async fn appointments_of(c: &impl ConnectionTrait, cadre_id: Uuid) -> Result<Vec<appointment::Model>> {
    Ok(appointment::Entity::find()
        .filter(appointment::Column::CadreId.eq(cadre_id))
        .order_by_asc(appointment::Column::StartDate)
        .order_by_asc(appointment::Column::Id)
        .all(c)
        .await?)
}

/// Every appointment of several cadres, in date order per cadre.
pub async fn appointments_of_many(c: &impl ConnectionTrait, cadre_ids: &[Uuid]) -> Result<Vec<appointment::Model>> {
    let mut out = Vec::new();
    for chunk in cadre_ids.chunks(500) {
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

pub async fn current_appointments(c: &impl ConnectionTrait, cadre_ids: &[Uuid]) -> Result<Vec<appointment::Model>> {
    let mut out = Vec::new();
    for chunk in cadre_ids.chunks(500) {
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

pub async fn appointment(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<appointment::Model>> {
    Ok(appointment::Entity::find_by_id(id).one(c).await?)
}

pub async fn insert_appointments(c: &impl ConnectionTrait, ms: Vec<appointment::Model>) -> Result<()> {
    for chunk in ms.chunks(200) {
        appointment::Entity::insert_many(chunk.iter().cloned().map(appointment::ActiveModel::from))
            .exec_without_returning(c)
            .await?;
    }
    Ok(())
}

pub async fn end_appointment(
    c: &impl ConnectionTrait,
    id: Uuid,
    end: NaiveDate,
    end_reason: Option<String>,
) -> Result<()> {
    let r = appointment::Entity::update_many()
        .col_expr(appointment::Column::EndDate, Expr::value(end))
        .col_expr(appointment::Column::EndReason, Expr::value(end_reason))
        .filter(appointment::Column::Id.eq(id))
        .filter(appointment::Column::EndDate.is_null())
        .exec(c)
        .await?;
    if r.rows_affected == 0 { Err(StoreError::Stale) } else { Ok(()) }
}
