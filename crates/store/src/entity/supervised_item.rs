use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "supervised_item")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub title: String,
    pub source: String,
    pub lead_unit_id: Uuid,
    pub principal: Option<String>,
    pub leader_in_charge: Option<String>,
    pub direct_responsible: Option<String>,
    pub deadline: Date,
    pub completed_on: Option<Date>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::unit::Entity", from = "Column::LeadUnitId", to = "super::unit::Column::Id")]
    LeadUnit,
}

impl ActiveModelBehavior for ActiveModel {}
