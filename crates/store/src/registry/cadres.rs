//! Cadres. A scope sees the cadres of its jurisdiction subtree whose
//! management level it handles (and, if unit-bound, of its unit subtree); a
//! self-service scope only its own cadre.

use chrono::{DateTime, NaiveDate, Utc};
use dandang_domain::access::Scope;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, JoinType, Order, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, RelationTrait,
    prelude::Expr,
    sea_query::{Condition, ExprTrait, Query},
};
use uuid::Uuid;

use super::{like_contains, like_prefix};
use crate::{
    entity::{appointment, cadre, cadre_tag, jurisdiction, unit},
    error::Result,
    scope::{InScope, ScopedIds, cadre_cond},
};

#[derive(Clone, Debug, PartialEq, FromQueryResult)]
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
    /// By birth month, then name: the order a reader without the right to
    /// see birth dates may have (day order would give the dates away).
    BirthMonthAsc,
    BirthMonthDesc,
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

/// Every cadre query starts here: the scope is the first filter.
fn scoped(scope: &Scope) -> sea_orm::Select<cadre::Entity> {
    cadre_select().filter(cadre_cond(scope))
}

fn filter_cond(f: &CadreFilter) -> Condition {
    let mut cond = Condition::all();
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let key = dandang_domain::text::search_key(q);
        let mut any = Condition::any().add(Expr::col((cadre::Entity, cadre::Column::Name)).like(like_contains(q)));
        if !key.is_empty() {
            // Any reading of the name, in full or as initials, begins with
            // what was typed.
            any =
                any.add(Expr::col((cadre::Entity, cadre::Column::NameSearch)).like(like_contains(&format!("|{key}"))));
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

/// `YYYY-MM` of the birth date; a date cast to text is ISO on both databases.
fn birth_month() -> sea_orm::sea_query::SimpleExpr {
    sea_orm::sea_query::Expr::cust("SUBSTR(CAST(cadre.birth_date AS TEXT), 1, 7)")
}

pub async fn list_cadres(
    c: &impl ConnectionTrait,
    scope: &Scope,
    f: &CadreFilter,
    sort: CadreSort,
    offset: u64,
    limit: u64,
) -> Result<(Vec<InScope<CadreRow>>, u64)> {
    let q = scoped(scope).filter(filter_cond(f));
    let counted = q.clone();
    // A name found by its usual spelling comes before one found only by
    // another reading of a polyphone ("xz" finds 徐哲 before 向长江, whose
    // 长 is usually cháng).
    let q = match f.q.as_deref().map(dandang_domain::text::search_key).filter(|k| !k.is_empty()) {
        Some(key) => {
            let usual: sea_orm::sea_query::SimpleExpr = Expr::case(
                Condition::any()
                    .add(Expr::col((cadre::Entity, cadre::Column::NamePinyin)).like(like_prefix(&key)))
                    .add(Expr::col((cadre::Entity, cadre::Column::NameInitials)).like(like_prefix(&key))),
                0,
            )
            .finally(1)
            .into();
            q.order_by(usual, Order::Asc)
        }
        None => q,
    };
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
        CadreSort::BirthMonthAsc => q.order_by(birth_month(), Order::Asc).order_by_asc(cadre::Column::NamePinyin),
        CadreSort::BirthMonthDesc => q.order_by(birth_month(), Order::Desc).order_by_asc(cadre::Column::NamePinyin),
    };
    let page = q.order_by_asc(cadre::Column::Id).offset(offset).limit(limit).into_model::<CadreRow>().all(c);
    // The count and the page are independent reads; on a pool they run on
    // two connections at once.
    let (total, rows) = tokio::join!(counted.count(c), page);
    Ok((rows?.into_iter().map(InScope::new).collect(), total?))
}

pub async fn count_cadres(c: &impl ConnectionTrait, scope: &Scope, f: &CadreFilter) -> Result<u64> {
    Ok(scoped(scope).filter(filter_cond(f)).count(c).await?)
}

/// One cadre with where they sit, if the scope covers them.
pub async fn cadre(c: &impl ConnectionTrait, scope: &Scope, id: Uuid) -> Result<Option<InScope<CadreRow>>> {
    Ok(scoped(scope).filter(cadre::Column::Id.eq(id)).into_model::<CadreRow>().one(c).await?.map(InScope::new))
}

/// Cadres in scope by id (names for lists); ids outside the scope are left out.
pub async fn cadres_by_ids(c: &impl ConnectionTrait, scope: &Scope, ids: &[Uuid]) -> Result<Vec<InScope<CadreRow>>> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        out.extend(
            scoped(scope)
                .filter(cadre::Column::Id.is_in(chunk.iter().copied()))
                .into_model::<CadreRow>()
                .all(c)
                .await?
                .into_iter()
                .map(InScope::new),
        );
    }
    Ok(out)
}

/// The stored row behind a cadre in scope (for a replace).
pub async fn cadre_model(c: &impl ConnectionTrait, r: &InScope<CadreRow>) -> Result<Option<cadre::Model>> {
    Ok(cadre::Entity::find_by_id(r.id).one(c).await?)
}

/// Cadres in scope by ID number (spreadsheet rows name cadres by it).
pub async fn cadres_by_id_numbers(
    c: &impl ConnectionTrait,
    scope: &Scope,
    numbers: &[String],
) -> Result<Vec<InScope<CadreRow>>> {
    let mut out = Vec::new();
    for chunk in numbers.chunks(500) {
        out.extend(
            scoped(scope)
                .filter(cadre::Column::IdNumber.is_in(chunk.iter().cloned()))
                .into_model::<CadreRow>()
                .all(c)
                .await?
                .into_iter()
                .map(InScope::new),
        );
    }
    Ok(out)
}

/// Which of these ID numbers belong to a cadre anywhere in the deployment.
/// One person has one record, so a number in use cannot be registered again
/// even by an office that may not see its holder; callers answer with the
/// bare fact and never with anything about the holder.
pub async fn id_numbers_taken(
    c: &impl ConnectionTrait,
    numbers: &[String],
    except: Option<Uuid>,
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for chunk in numbers.chunks(500) {
        let mut q = cadre::Entity::find()
            .select_only()
            .column(cadre::Column::IdNumber)
            .filter(cadre::Column::IdNumber.is_in(chunk.iter().cloned()));
        if let Some(id) = except {
            q = q.filter(cadre::Column::Id.ne(id));
        }
        let found: Vec<Option<String>> = q.into_tuple().all(c).await?;
        out.extend(found.into_iter().flatten());
    }
    Ok(out)
}

pub async fn insert_cadre(c: &impl ConnectionTrait, m: cadre::Model) -> Result<()> {
    cadre::Entity::insert(cadre::ActiveModel::from(m)).exec_without_returning(c).await?;
    Ok(())
}

pub async fn insert_cadres(c: &impl ConnectionTrait, ms: Vec<cadre::Model>) -> Result<()> {
    crate::bulk::insert_models::<cadre::Entity>(c, ms).await
}

/// Replaces a cadre in scope if nobody changed it since `expected_version`.
pub async fn update_cadre(
    c: &impl ConnectionTrait,
    target: &InScope<CadreRow>,
    mut m: cadre::Model,
    expected_version: i32,
) -> Result<()> {
    m.id = target.id;
    crate::versioned::replace::<cadre::Entity>(c, m, target.id, expected_version).await
}

pub async fn tags_of(c: &impl ConnectionTrait, cadres: &ScopedIds) -> Result<Vec<cadre_tag::Model>> {
    let mut out = Vec::new();
    for chunk in cadres.as_slice().chunks(500) {
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

pub async fn set_tags(c: &impl ConnectionTrait, target: &InScope<CadreRow>, tags: &[String]) -> Result<()> {
    set_tags_of(c, target.id, tags).await
}

/// Tags of a cadre just inserted in this transaction.
pub async fn set_new_tags(c: &impl ConnectionTrait, new: &cadre::Model, tags: &[String]) -> Result<()> {
    set_tags_of(c, new.id, tags).await
}

async fn set_tags_of(c: &impl ConnectionTrait, cadre_id: Uuid, tags: &[String]) -> Result<()> {
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
    crate::bulk::insert_models::<cadre_tag::Entity>(c, rows).await
}

/// Recomputes the roster sort key (see `dandang_domain::registry::post_rank`)
/// of these cadres from their open appointments, inside the transaction that
/// changed them. Rows whose key is unchanged are not written.
pub(crate) async fn refresh_post_ranks(c: &impl ConnectionTrait, ids: &[Uuid]) -> Result<()> {
    use dandang_domain::registry::{PostLevel, Tier, post_rank};
    let mut best: std::collections::HashMap<Uuid, i32> = ids.iter().map(|i| (*i, 99)).collect();
    for a in super::appointments::current_of(c, ids).await? {
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

/// By id, outside any scope: only for checking the cadre a self-service
/// account is tied to (see `crate::system`).
pub(crate) async fn cadre_unscoped(c: &impl ConnectionTrait, id: Uuid) -> Result<Option<CadreRow>> {
    Ok(cadre_select().filter(cadre::Column::Id.eq(id)).into_model::<CadreRow>().one(c).await?)
}
