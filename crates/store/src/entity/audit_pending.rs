use sea_orm::entity::prelude::*;

/// An audit event committed with its change, waiting for the sequencer to
/// give it its place in the chain (see `crate::audit::link`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_pending")]
pub struct Model {
    /// UUIDv7: the order in which pending events are linked.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub at: DateTimeUtc,
    pub actor_id: Option<Uuid>,
    pub actor_name: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub before: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub after: Option<String>,
    pub request_id: Option<String>,
    pub scope_path: Option<String>,
    pub scope_level: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
