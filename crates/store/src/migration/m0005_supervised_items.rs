//! 督查问效 (M3): supervised items with milestones.

use sea_orm_migration::{prelude::*, schema::*};

use super::m0001_foundation::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("supervised_item")
                .col(pk_uuid("id"))
                .col(string_len("title", 200))
                .col(string_len("source", 200))
                .col(uuid("lead_unit_id"))
                // Co-units as a JSON array of ids.
                .col(string_len("co_unit_ids", 2000))
                .col(string_len_null("principal", 32))
                .col(string_len_null("leader_in_charge", 32))
                .col(string_len_null("direct_responsible", 32))
                .col(date("deadline"))
                .col(date_null("completed_on"))
                .col(uuid("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(integer("version").default(1))
                .foreign_key(&mut fk("supervised_item", "lead_unit_id", "unit"))
                .to_owned(),
        )
        .await?;
        index(m, "supervised_item", &["lead_unit_id"], false).await?;
        index(m, "supervised_item", &["deadline"], false).await?;
        m.create_table(
            Table::create()
                .table("item_milestone")
                .col(pk_uuid("id"))
                .col(uuid("item_id"))
                .col(string_len("title", 200))
                .col(date("due_on"))
                .col(date_null("done_on"))
                .foreign_key(&mut fk("item_milestone", "item_id", "supervised_item"))
                .to_owned(),
        )
        .await?;
        index(m, "item_milestone", &["item_id", "due_on"], false).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("item_milestone").to_owned()).await?;
        m.drop_table(Table::drop().table("supervised_item").to_owned()).await
    }
}
