use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "supervision_case")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    pub cadre_id: Option<Uuid>,
    pub unit_id: Uuid,
    pub triggers: String,
    pub facts: String,
    pub state: String,
    pub step_due: Option<Date>,
    pub requested_by: Uuid,
    pub requested_by_name: String,
    pub scheduled_on: Option<Date>,
    pub place: Option<String>,
    pub lead_interviewer: Option<String>,
    pub commission_attendee: Option<String>,
    pub org_attendee: Option<String>,
    pub topics: Option<String>,
    pub held_on: Option<Date>,
    pub interview_id: Option<Uuid>,
    pub doc_no: Option<String>,
    pub rectification_plan_due: Option<Date>,
    pub escalation: Option<String>,
    pub measure_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::unit::Entity", from = "Column::UnitId", to = "super::unit::Column::Id")]
    Unit,
    #[sea_orm(belongs_to = "super::cadre::Entity", from = "Column::CadreId", to = "super::cadre::Column::Id")]
    Cadre,
}

impl ActiveModelBehavior for ActiveModel {}
