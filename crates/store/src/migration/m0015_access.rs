//! Access (issue 11): a supervised item's co-units become rows of a join
//! table, so the scope condition is a plain `IN` on both databases instead of
//! a text match on a JSON column; a task letter names its leader's account;
//! audit events carry where they belong (jurisdiction path and the cadre's
//! management level) so audit reads can be scoped.

use sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::{prelude::*, schema::*};
use uuid::Uuid;

use super::m0001_foundation::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("supervised_item_co_unit")
                .col(uuid("item_id"))
                .col(uuid("unit_id"))
                .primary_key(Index::create().col("item_id").col("unit_id"))
                .foreign_key(&mut fk("supervised_item_co_unit", "item_id", "supervised_item"))
                .foreign_key(&mut fk("supervised_item_co_unit", "unit_id", "unit"))
                .to_owned(),
        )
        .await?;
        index(m, "supervised_item_co_unit", &["unit_id"], false).await?;
        let db = m.get_connection();
        let backend = db.get_database_backend();
        let rows =
            db.query_all_raw(Statement::from_string(backend, "SELECT id, co_unit_ids FROM supervised_item")).await?;
        for r in rows {
            let item: Uuid = r.try_get("", "id")?;
            let json: String = r.try_get("", "co_unit_ids")?;
            let units: Vec<Uuid> = serde_json::from_str(&json).unwrap_or_default();
            for u in units {
                m.exec_stmt(
                    Query::insert()
                        .into_table("supervised_item_co_unit")
                        .columns(["item_id", "unit_id"])
                        .values_panic([item.into(), u.into()])
                        .on_conflict(OnConflict::columns(["item_id", "unit_id"]).do_nothing().to_owned())
                        .to_owned(),
                )
                .await?;
            }
        }
        db.execute_unprepared("ALTER TABLE supervised_item DROP COLUMN co_unit_ids").await?;

        m.alter_table(Table::alter().table("task_letter").add_column(uuid_null("leader_user_id")).to_owned()).await?;
        // Letters written before accounts were named: the leader account of
        // the same display name, where exactly one exists.
        db.execute_unprepared(
            "UPDATE task_letter SET leader_user_id = (SELECT u.id FROM app_user u \
             WHERE u.role = 'leader' AND u.display_name = task_letter.leader_name) \
             WHERE (SELECT COUNT(*) FROM app_user u WHERE u.role = 'leader' \
             AND u.display_name = task_letter.leader_name) = 1",
        )
        .await?;
        index(m, "task_letter", &["leader_user_id"], false).await?;

        m.alter_table(Table::alter().table("audit_event").add_column(string_len_null("scope_path", 160)).to_owned())
            .await?;
        m.alter_table(Table::alter().table("audit_event").add_column(string_len_null("scope_level", 16)).to_owned())
            .await?;
        index(m, "audit_event", &["scope_path"], false).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for (table, name) in
            [("audit_event", "ix_audit_event_scope_path"), ("task_letter", "ix_task_letter_leader_user_id")]
        {
            m.drop_index(Index::drop().name(name).table(table).to_owned()).await?;
        }
        db.execute_unprepared("ALTER TABLE audit_event DROP COLUMN scope_level").await?;
        db.execute_unprepared("ALTER TABLE audit_event DROP COLUMN scope_path").await?;
        db.execute_unprepared("ALTER TABLE task_letter DROP COLUMN leader_user_id").await?;
        m.alter_table(
            Table::alter()
                .table("supervised_item")
                .add_column(string_len("co_unit_ids", 4000).default("[]"))
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table("supervised_item_co_unit").to_owned()).await
    }
}
