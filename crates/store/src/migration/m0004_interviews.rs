//! 督查问效 (M3): interviews with cadres and their rectification deadlines.

use sea_orm_migration::{prelude::*, schema::*};

use super::m0001_foundation::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("interview")
                .col(pk_uuid("id"))
                .col(uuid("cadre_id"))
                .col(string_len("state", 24))
                .col(date("held_on"))
                // Trigger entry ids of the pack, as a JSON array.
                .col(string_len("triggers", 1000))
                .col(string_len("record", 4000))
                .col(date("rectification_plan_due"))
                .col(string_len("origin", 16))
                .col(uuid("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(integer("version").default(1))
                .foreign_key(&mut fk("interview", "cadre_id", "cadre"))
                .to_owned(),
        )
        .await?;
        index(m, "interview", &["cadre_id", "held_on"], false).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("interview").to_owned()).await
    }
}
