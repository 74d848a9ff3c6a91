//! Audit events committed with their change but not yet in the chain
//! (issue 12): a write transaction inserts its event here and never touches
//! the chain head, so writers no longer queue behind one row; the sequencer
//! links these rows into `audit_event` in batches.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("audit_pending")
                .col(pk_uuid("id"))
                .col(timestamp_with_time_zone("at"))
                .col(uuid_null("actor_id"))
                .col(string_len("actor_name", 64))
                .col(string_len("action", 64))
                .col(string_len("entity_type", 32))
                .col(string_len_null("entity_id", 64))
                .col(text_null("before"))
                .col(text_null("after"))
                .col(string_len_null("request_id", 64))
                .col(string_len_null("scope_path", 160))
                .col(string_len_null("scope_level", 16))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("audit_pending").to_owned()).await
    }
}
