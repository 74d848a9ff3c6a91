use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub seq: i64,
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
    /// Where the event belongs: the jurisdiction path of the record it is
    /// about (absent on events recorded before audit reads were scoped).
    pub scope_path: Option<String>,
    /// For records about a cadre: the cadre's management level.
    pub scope_level: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    /// HMAC of `hash` under the chain key (see `dandang_domain::audit`).
    pub mac: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
