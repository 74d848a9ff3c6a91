//! 容错纠错 (M2): the library of anonymised typical cases (以案释规).

use sea_orm_migration::{prelude::*, schema::*};

use super::m0001_foundation::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("library_case")
                .col(pk_uuid("id"))
                // Who may read it: this jurisdiction's subtree and its ancestors' offices.
                .col(uuid("jurisdiction_id"))
                .col(uuid_null("source_case_id"))
                .col(string_len("category", 128))
                .col(string_len("category_label", 200))
                .col(string_len("title", 200))
                .col(string_len("facts", 4000))
                .col(string_len("reasoning", 4000))
                .col(string_len("outcome", 64))
                .col(integer("year"))
                .col(string_len("published_by", 64))
                .col(timestamp_with_time_zone("published_at"))
                .foreign_key(&mut fk("library_case", "jurisdiction_id", "jurisdiction"))
                .foreign_key(&mut fk("library_case", "source_case_id", "tolerance_case"))
                .to_owned(),
        )
        .await?;
        index(m, "library_case", &["jurisdiction_id"], false).await?;
        index(m, "library_case", &["source_case_id"], true).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("library_case").to_owned()).await
    }
}
