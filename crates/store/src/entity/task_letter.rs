use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "task_letter")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub year: i32,
    pub jurisdiction_id: Uuid,
    pub leader_name: String,
    /// The leader's own account: a leader reads only their own letters.
    pub leader_user_id: Option<Uuid>,
    pub leader_post: Option<String>,
    pub title: String,
    pub midyear: Option<String>,
    pub year_end: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::jurisdiction::Entity",
        from = "Column::JurisdictionId",
        to = "super::jurisdiction::Column::Id"
    )]
    Jurisdiction,
}

impl ActiveModelBehavior for ActiveModel {}
