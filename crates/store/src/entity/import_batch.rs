use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_batch")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    pub file_name: String,
    pub uploaded_by: Uuid,
    pub uploaded_at: DateTimeUtc,
    pub status: String,
    pub row_count: i32,
    pub error_count: i32,
    #[sea_orm(column_type = "Text")]
    pub report: String,
    /// The uploaded file itself: commit re-reads it, so validation and commit
    /// run the same checks on the same bytes.
    #[sea_orm(column_type = "Blob")]
    pub content: Vec<u8>,
    pub sha256: String,
    pub committed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
