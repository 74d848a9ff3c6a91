//! Audit events carry a MAC of their hash under a key the database never
//! holds (issue 12): events from before stay unkeyed, protected by the
//! anchors written outside the database from then on.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("audit_event").add_column(string_len_null("mac", 64)).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("audit_event").drop_column("mac").to_owned()).await
    }
}
