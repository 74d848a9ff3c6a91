use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tolerance_case")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cadre_id: Uuid,
    pub unit_id: Uuid,
    pub origin: String,
    pub state: String,
    pub appeal_from: Option<String>,
    pub measure_id: Option<Uuid>,
    pub filing_id: Option<Uuid>,
    pub event_on: Date,
    pub facts: String,
    pub claimed: String,
    pub priority: bool,
    pub answers: String,
    pub analysis: String,
    pub statement: Option<String>,
    pub decision: Option<String>,
    pub decided_on: Option<Date>,
    pub step_due: Option<Date>,
    pub false_correction: bool,
    /// The decision letter is to be served (送达) by this day.
    pub service_due: Option<Date>,
    /// The day it was served; the appeal window runs from it.
    pub served_on: Option<Date>,
    pub created_by: Uuid,
    pub created_by_name: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::cadre::Entity", from = "Column::CadreId", to = "super::cadre::Column::Id")]
    Cadre,
}

impl ActiveModelBehavior for ActiveModel {}
