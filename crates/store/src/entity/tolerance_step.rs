use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tolerance_step")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub case_id: Uuid,
    pub action: String,
    pub state_after: String,
    pub note: Option<String>,
    pub party: Option<String>,
    pub actor_id: Uuid,
    pub actor_name: String,
    pub at: DateTimeUtc,
    pub on_date: Date,
    pub due: Option<Date>,
    pub late: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
