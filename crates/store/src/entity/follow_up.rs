use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "follow_up")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cadre_id: Uuid,
    pub measure_id: Uuid,
    pub state: String,
    pub mentor_due: Date,
    pub mentor_name: Option<String>,
    pub mentor_post: Option<String>,
    pub mentor_named_on: Option<Date>,
    pub visit_months: i32,
    pub impact_last_day: Option<Date>,
    pub impact_permanent: bool,
    pub proposal: Option<String>,
    pub proposed_on: Option<Date>,
    pub proposed_by: Option<Uuid>,
    pub decision: Option<String>,
    pub decision_note: Option<String>,
    pub decided_on: Option<Date>,
    pub decided_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::cadre::Entity", from = "Column::CadreId", to = "super::cadre::Column::Id")]
    Cadre,
}

impl ActiveModelBehavior for ActiveModel {}
