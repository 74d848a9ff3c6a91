use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "measure")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cadre_id: Option<Uuid>,
    pub unit_id: Uuid,
    pub kind: String,
    pub measure_type: Option<String>,
    pub decided_on: Date,
    pub effective_on: Date,
    pub deciding_body: String,
    pub basis: String,
    pub document_ref: Option<String>,
    pub probation_years: Option<i32>,
    pub period_months: Option<i32>,
    pub via_accountability: bool,
    pub four_forms: Option<i32>,
    pub tolerance: Option<String>,
    pub tolerance_ref: Option<String>,
    pub reply_due: Option<Date>,
    pub replied_on: Option<Date>,
    pub reply: Option<String>,
    pub origin: String,
    pub origin_ref: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::cadre::Entity", from = "Column::CadreId", to = "super::cadre::Column::Id")]
    Cadre,
    #[sea_orm(belongs_to = "super::unit::Entity", from = "Column::UnitId", to = "super::unit::Column::Id")]
    Unit,
}

impl ActiveModelBehavior for ActiveModel {}
