//! The access choke point, in SQL.
//!
//! Every record type has one scope condition, written once in its module and
//! used by both its list query and its loader by id (list filter AND id = ?),
//! so what a list shows and what a link opens cannot drift apart. A loader
//! answers `None` for a record outside the actor's scope — exactly as for a
//! record that does not exist.
//!
//! What a loader returns is wrapped in [`InScope`], which only this crate can
//! make. Store functions that write a record, or read what hangs off it (a
//! cadre's measures, a case's steps), take the wrapper instead of an id, so a
//! use case that forgets the scope check does not compile.

use std::ops::Deref;

use dandang_domain::access::Scope;
use sea_orm::{
    ColumnTrait,
    sea_query::{Condition, Expr, ExprTrait, Query, SelectStatement},
};
use uuid::Uuid;

use crate::{
    entity::{cadre, jurisdiction, unit},
    registry::like_prefix,
};

/// A record the actor's scoped query returned.
#[derive(Clone, Debug, PartialEq)]
pub struct InScope<T>(T);

impl<T> InScope<T> {
    pub(crate) fn new(row: T) -> Self {
        InScope(row)
    }

    pub fn into_inner(self) -> T {
        self.0
    }

    pub fn get(&self) -> &T {
        &self.0
    }
}

impl<T> Deref for InScope<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// Rows with a UUID key.
pub trait Keyed {
    fn key(&self) -> Uuid;
}

impl<T: Keyed> InScope<T> {
    pub fn id(&self) -> Uuid {
        self.0.key()
    }
}

/// The keys of records a scoped query returned, for reading what hangs off
/// many of them at once (the reports of the items on a list).
#[derive(Clone, Debug, Default)]
pub struct ScopedIds(Vec<Uuid>);

impl ScopedIds {
    pub fn of<'a, T: Keyed + 'a>(rows: impl IntoIterator<Item = &'a InScope<T>>) -> ScopedIds {
        let mut v: Vec<Uuid> = rows.into_iter().map(|r| r.id()).collect();
        v.sort();
        v.dedup();
        ScopedIds(v)
    }

    pub fn one<T: Keyed>(row: &InScope<T>) -> ScopedIds {
        ScopedIds(vec![row.id()])
    }

    pub fn as_slice(&self) -> &[Uuid] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

macro_rules! keyed {
    ($($t:ty),* $(,)?) => {$(
        impl Keyed for $t {
            fn key(&self) -> Uuid { self.id }
        }
    )*};
}

keyed!(
    crate::entity::advance_filing::Model,
    crate::entity::api_token::Model,
    crate::entity::app_user::Model,
    crate::entity::appointment::Model,
    crate::entity::follow_up::Model,
    crate::entity::follow_up_visit::Model,
    crate::entity::import_batch::Model,
    crate::entity::jurisdiction::Model,
    crate::entity::library_case::Model,
    crate::entity::measure::Model,
    crate::entity::post::Model,
    crate::entity::supervised_item::Model,
    crate::entity::supervision_case::Model,
    crate::entity::task_letter::Model,
    crate::entity::tolerance_attachment::Model,
    crate::entity::tolerance_case::Model,
    crate::registry::CadreRow,
    crate::registry::UnitRow,
);

/// A condition that matches nothing (a scope that grants no rows of a kind).
pub(crate) fn nothing() -> Condition {
    Condition::all().add(Expr::val(1).eq(0))
}

/// The cadres a scope covers, on a query that joins cadre → unit → jurisdiction.
pub(crate) fn cadre_cond(scope: &Scope) -> Condition {
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

/// The units a scope covers, on a query that joins unit → jurisdiction.
/// Self-service scopes cover no units.
pub(crate) fn unit_cond(scope: &Scope) -> Condition {
    if scope.cadre_id.is_some() {
        return nothing();
    }
    let mut cond = Condition::all()
        .add(Expr::col((jurisdiction::Entity, jurisdiction::Column::Path)).like(like_prefix(&scope.jurisdiction_path)));
    if let Some(p) = &scope.unit_path {
        cond = cond.add(Expr::col((unit::Entity, unit::Column::Path)).like(like_prefix(p)));
    }
    cond
}

/// `SELECT cadre.id …` of the cadres in scope, for `cadre_id IN (…)`.
pub(crate) fn cadre_ids(scope: &Scope) -> SelectStatement {
    Query::select()
        .column((cadre::Entity, cadre::Column::Id))
        .from(cadre::Entity)
        .inner_join(
            unit::Entity,
            Expr::col((unit::Entity, unit::Column::Id)).equals((cadre::Entity, cadre::Column::UnitId)),
        )
        .inner_join(
            jurisdiction::Entity,
            Expr::col((jurisdiction::Entity, jurisdiction::Column::Id))
                .equals((unit::Entity, unit::Column::JurisdictionId)),
        )
        .cond_where(cadre_cond(scope))
        .to_owned()
}

/// `SELECT unit.id …` of the units in scope, for `unit_id IN (…)`.
pub(crate) fn unit_ids(scope: &Scope) -> SelectStatement {
    Query::select()
        .column((unit::Entity, unit::Column::Id))
        .from(unit::Entity)
        .inner_join(
            jurisdiction::Entity,
            Expr::col((jurisdiction::Entity, jurisdiction::Column::Id))
                .equals((unit::Entity, unit::Column::JurisdictionId)),
        )
        .cond_where(unit_cond(scope))
        .to_owned()
}

/// `SELECT jurisdiction.id …` of the jurisdictions in the scope's subtree.
pub(crate) fn jurisdiction_ids(scope: &Scope) -> SelectStatement {
    Query::select()
        .column((jurisdiction::Entity, jurisdiction::Column::Id))
        .from(jurisdiction::Entity)
        .cond_where(
            Expr::col((jurisdiction::Entity, jurisdiction::Column::Path)).like(like_prefix(&scope.jurisdiction_path)),
        )
        .to_owned()
}

/// A column holding a cadre id, restricted to cadres in scope.
pub(crate) fn cadre_in<C: ColumnTrait>(col: C, scope: &Scope) -> Condition {
    Condition::all().add(col.in_subquery(cadre_ids(scope)))
}

/// A column holding a unit id, restricted to units in scope.
pub(crate) fn unit_in<C: ColumnTrait>(col: C, scope: &Scope) -> Condition {
    Condition::all().add(col.in_subquery(unit_ids(scope)))
}
