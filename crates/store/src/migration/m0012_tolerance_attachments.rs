//! 容错纠错 (M2): evidence attached to a tolerance case.

use sea_orm_migration::{prelude::*, schema::*};

use super::m0001_foundation::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("tolerance_attachment")
                .col(pk_uuid("id"))
                .col(uuid("case_id"))
                .col(string_len("file_name", 200))
                .col(string_len("content_type", 100))
                .col(integer("size"))
                .col(string_len("sha256", 64))
                .col(blob("content"))
                .col(uuid("uploaded_by"))
                .col(string_len("uploaded_by_name", 64))
                .col(timestamp_with_time_zone("uploaded_at"))
                .foreign_key(&mut fk("tolerance_attachment", "case_id", "tolerance_case"))
                .to_owned(),
        )
        .await?;
        index(m, "tolerance_attachment", &["case_id"], false).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("tolerance_attachment").to_owned()).await
    }
}
