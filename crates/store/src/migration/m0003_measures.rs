//! Measures on a cadre's (or an organization's) record and the follow-up of
//! sanctioned cadres (M4, M6, M8).

use sea_orm_migration::{prelude::*, schema::*};

use super::m0001_foundation::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("measure")
                .col(pk_uuid("id"))
                // A person's measure has a cadre; a measure on a party
                // organization (检查、通报、改组) has only the unit.
                .col(uuid_null("cadre_id"))
                .col(uuid("unit_id"))
                .col(string_len("kind", 32))
                .col(string_len_null("measure_type", 32))
                .col(date("decided_on"))
                .col(date("effective_on"))
                .col(string_len("deciding_body", 64))
                .col(string_len("basis", 500))
                .col(string_len_null("document_ref", 64))
                .col(integer_null("probation_years"))
                .col(integer_null("period_months"))
                .col(boolean("via_accountability").default(false))
                .col(integer_null("four_forms"))
                .col(string_len_null("tolerance", 16))
                .col(string_len_null("tolerance_ref", 128))
                .col(date_null("reply_due"))
                .col(date_null("replied_on"))
                .col(string_len_null("reply", 2000))
                .col(string_len("origin", 16))
                .col(string_len_null("origin_ref", 128))
                .col(uuid("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(integer("version").default(1))
                .foreign_key(&mut fk("measure", "cadre_id", "cadre"))
                .foreign_key(&mut fk("measure", "unit_id", "unit"))
                .to_owned(),
        )
        .await?;
        index(m, "measure", &["cadre_id", "effective_on"], false).await?;
        index(m, "measure", &["unit_id", "effective_on"], false).await?;
        index(m, "measure", &["effective_on"], false).await?;

        m.create_table(
            Table::create()
                .table("follow_up")
                .col(pk_uuid("id"))
                .col(uuid("cadre_id"))
                .col(uuid("measure_id"))
                .col(string_len("state", 24))
                .col(date("mentor_due"))
                .col(string_len_null("mentor_name", 32))
                .col(string_len_null("mentor_post", 64))
                .col(date_null("mentor_named_on"))
                .col(integer("visit_months"))
                // The day the cadre's promotion bar ends, refreshed on every
                // change to the cadre's measures; null when it never ends.
                .col(date_null("impact_last_day"))
                .col(boolean("impact_permanent").default(false))
                .col(string_len_null("proposal", 1000))
                .col(date_null("proposed_on"))
                .col(uuid_null("proposed_by"))
                .col(string_len_null("decision", 24))
                .col(string_len_null("decision_note", 1000))
                .col(date_null("decided_on"))
                .col(uuid_null("decided_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(integer("version").default(1))
                .foreign_key(&mut fk("follow_up", "cadre_id", "cadre"))
                .foreign_key(&mut fk("follow_up", "measure_id", "measure"))
                .to_owned(),
        )
        .await?;
        index(m, "follow_up", &["measure_id"], true).await?;
        index(m, "follow_up", &["cadre_id"], false).await?;
        index(m, "follow_up", &["impact_last_day"], false).await?;

        m.create_table(
            Table::create()
                .table("follow_up_visit")
                .col(pk_uuid("id"))
                .col(uuid("follow_up_id"))
                .col(date("due_on"))
                .col(date_null("visited_on"))
                .col(string_len_null("visitor", 64))
                .col(string_len_null("notes", 2000))
                .col(string_len_null("evaluation", 16))
                .col(uuid_null("recorded_by"))
                .foreign_key(&mut fk("follow_up_visit", "follow_up_id", "follow_up"))
                .to_owned(),
        )
        .await?;
        index(m, "follow_up_visit", &["follow_up_id", "due_on"], false).await?;
        index(m, "follow_up_visit", &["due_on"], false).await?;

        // The end of each cadre's promotion bar with every recorded measure
        // counted, kept by the app so "ends within 30 days" is one indexed read.
        m.create_table(
            Table::create()
                .table("cadre_impact")
                .col(pk_uuid("cadre_id"))
                .col(date_null("last_day"))
                .col(boolean("permanent").default(false))
                .col(timestamp_with_time_zone("refreshed_at"))
                .foreign_key(&mut fk("cadre_impact", "cadre_id", "cadre"))
                .to_owned(),
        )
        .await?;
        index(m, "cadre_impact", &["last_day"], false).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["cadre_impact", "follow_up_visit", "follow_up", "measure"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
