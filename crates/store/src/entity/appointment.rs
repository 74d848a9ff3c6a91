use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "appointment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cadre_id: Uuid,
    pub unit_id: Uuid,
    pub post_id: Option<Uuid>,
    pub title: String,
    pub tier: Option<String>,
    pub level: Option<String>,
    pub rank: Option<String>,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub reason: String,
    pub end_reason: Option<String>,
    pub document_ref: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
