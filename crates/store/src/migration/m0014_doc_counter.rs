//! Numbers of issued documents (督查提醒〔2025〕N号): one counter row per
//! series and year, updated before a number is given out, so concurrent
//! issues wait on its row lock instead of counting the same N; and a unique
//! index so a duplicate number can never be stored.

use sea_orm_migration::{prelude::*, schema::*};

use super::m0001_foundation::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("doc_counter")
                .col(string_len("series", 32))
                .col(integer("year"))
                .col(integer("last"))
                .primary_key(Index::create().col("series").col("year"))
                .to_owned(),
        )
        .await?;
        index(m, "supervision_case", &["doc_no"], true).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("uq_supervision_case_doc_no").table("supervision_case").to_owned()).await?;
        m.drop_table(Table::drop().table("doc_counter").to_owned()).await
    }
}
