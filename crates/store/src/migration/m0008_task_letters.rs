//! 督查问效 (M3): annual task letters (任务书) for leaders, over supervised items.

use sea_orm_migration::{prelude::*, schema::*};

use super::m0001_foundation::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("task_letter")
                .col(pk_uuid("id"))
                .col(integer("year"))
                .col(uuid("jurisdiction_id"))
                .col(string_len("leader_name", 32))
                .col(string_len_null("leader_post", 64))
                .col(string_len("title", 200))
                // The mid-year tracking and the year-end reconciliation, each once, as JSON.
                .col(string_len_null("midyear", 4000))
                .col(string_len_null("year_end", 4000))
                .col(uuid("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(integer("version").default(1))
                .foreign_key(&mut fk("task_letter", "jurisdiction_id", "jurisdiction"))
                .to_owned(),
        )
        .await?;
        index(m, "task_letter", &["jurisdiction_id", "year"], false).await?;
        m.create_table(
            Table::create()
                .table("task_letter_item")
                .col(uuid("letter_id"))
                .col(uuid("item_id"))
                .primary_key(Index::create().col("letter_id").col("item_id"))
                .foreign_key(&mut fk("task_letter_item", "letter_id", "task_letter"))
                .foreign_key(&mut fk("task_letter_item", "item_id", "supervised_item"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("task_letter_item").to_owned()).await?;
        m.drop_table(Table::drop().table("task_letter").to_owned()).await
    }
}
