use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "interview")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cadre_id: Uuid,
    pub state: String,
    pub held_on: Date,
    pub triggers: String,
    pub record: String,
    pub rectification_plan_due: Date,
    pub origin: String,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::cadre::Entity", from = "Column::CadreId", to = "super::cadre::Column::Id")]
    Cadre,
}

impl ActiveModelBehavior for ActiveModel {}
