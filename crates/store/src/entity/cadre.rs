use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cadre")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub name_pinyin: String,
    pub name_initials: String,
    /// Every spelling of the name, `|a|b|…|` (see `text::name_keys`).
    pub name_search: String,
    pub sex: String,
    pub birth_date: Date,
    pub id_number: Option<String>,
    pub ethnicity: String,
    pub party_join_date: Option<Date>,
    pub education: Option<String>,
    pub degree: Option<String>,
    pub unit_id: Uuid,
    pub rank: Option<String>,
    pub managed_by: String,
    pub active: bool,
    pub note: Option<String>,
    /// Sort key of the highest current post, see `registry::refresh_post_ranks`.
    pub post_rank: i32,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::unit::Entity", from = "Column::UnitId", to = "super::unit::Column::Id")]
    Unit,
}

impl Related<super::unit::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Unit.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
