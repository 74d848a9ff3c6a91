use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cadre_impact")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub cadre_id: Uuid,
    pub last_day: Option<Date>,
    pub permanent: bool,
    pub refreshed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::cadre::Entity", from = "Column::CadreId", to = "super::cadre::Column::Id")]
    Cadre,
}

impl ActiveModelBehavior for ActiveModel {}
