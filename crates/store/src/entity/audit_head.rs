use sea_orm::entity::prelude::*;

/// The single row holding the newest sequence number and hash. Linking a
/// batch updates it first, which serializes linkers across processes on
/// PostgreSQL (row lock), and lets verify detect truncation of the newest
/// events.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_head")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    pub seq: i64,
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
