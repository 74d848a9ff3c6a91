use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "follow_up_visit")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub follow_up_id: Uuid,
    pub due_on: Date,
    pub visited_on: Option<Date>,
    pub visitor: Option<String>,
    pub notes: Option<String>,
    pub evaluation: Option<String>,
    pub recorded_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::follow_up::Entity",
        from = "Column::FollowUpId",
        to = "super::follow_up::Column::Id"
    )]
    FollowUp,
}

impl ActiveModelBehavior for ActiveModel {}
