use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "unit")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
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
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::jurisdiction::Entity",
        from = "Column::JurisdictionId",
        to = "super::jurisdiction::Column::Id"
    )]
    Jurisdiction,
    #[sea_orm(has_many = "super::cadre::Entity")]
    Cadre,
}

impl Related<super::jurisdiction::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Jurisdiction.def()
    }
}

impl Related<super::cadre::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Cadre.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
