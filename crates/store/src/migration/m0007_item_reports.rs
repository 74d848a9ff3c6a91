//! 督查问效 (M3): progress reports on supervised items.

use sea_orm_migration::{prelude::*, schema::*};

use super::m0001_foundation::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("item_report")
                .col(pk_uuid("id"))
                .col(uuid("item_id"))
                // The unit reporting: the lead unit or a co-unit.
                .col(uuid("unit_id"))
                .col(date("reported_on"))
                .col(string_len("content", 4000))
                .col(uuid_null("milestone_id"))
                .col(boolean("completes").default(false))
                .col(uuid("actor_id"))
                .col(string_len("actor_name", 64))
                .col(timestamp_with_time_zone("at"))
                .foreign_key(&mut fk("item_report", "item_id", "supervised_item"))
                .foreign_key(&mut fk("item_report", "unit_id", "unit"))
                .foreign_key(&mut fk("item_report", "milestone_id", "item_milestone"))
                .to_owned(),
        )
        .await?;
        index(m, "item_report", &["item_id", "reported_on"], false).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("item_report").to_owned()).await
    }
}
