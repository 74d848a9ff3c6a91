//! 容错纠错 (M2): departments' positive and negative lists (容错正面、负面清单).

use sea_orm_migration::{prelude::*, schema::*};

use super::m0001_foundation::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("tolerance_list_item")
                .col(pk_uuid("id"))
                .col(uuid("unit_id"))
                // positive: may be tolerated in this field; negative: never.
                .col(string_len("kind", 16))
                .col(string_len("text", 500))
                .col(uuid("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("tolerance_list_item", "unit_id", "unit"))
                .to_owned(),
        )
        .await?;
        index(m, "tolerance_list_item", &["unit_id", "kind"], false).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("tolerance_list_item").to_owned()).await
    }
}
