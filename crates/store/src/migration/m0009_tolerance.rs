//! 容错纠错 (M2): tolerance cases with every step, and advance filings.

use sea_orm_migration::{prelude::*, schema::*};

use super::m0001_foundation::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("advance_filing")
                .col(pk_uuid("id"))
                .col(uuid("unit_id"))
                .col(uuid_null("cadre_id"))
                .col(string_len("matter", 200))
                .col(string_len("policy_gap", 2000))
                .col(string_len("risk", 2000))
                .col(string_len("safeguards", 2000))
                .col(date("filed_on"))
                .col(string_len("state", 16))
                .col(string_len_null("revoked_reason", 1000))
                .col(uuid("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(integer("version").default(1))
                .foreign_key(&mut fk("advance_filing", "unit_id", "unit"))
                .foreign_key(&mut fk("advance_filing", "cadre_id", "cadre"))
                .to_owned(),
        )
        .await?;
        index(m, "advance_filing", &["unit_id", "filed_on"], false).await?;
        m.create_table(
            Table::create()
                .table("tolerance_case")
                .col(pk_uuid("id"))
                .col(uuid("cadre_id"))
                .col(uuid("unit_id"))
                .col(string_len("origin", 24))
                .col(string_len("state", 24))
                .col(string_len_null("appeal_from", 24))
                // The accountability measure the case is about, when there is one.
                .col(uuid_null("measure_id"))
                .col(uuid_null("filing_id"))
                // The day of the mistake: the rules in force then apply.
                .col(date("event_on"))
                .col(string_len("facts", 4000))
                // Situation entry ids claimed by the applicant, JSON array.
                .col(string_len("claimed", 2000))
                .col(boolean("priority").default(true))
                // The handler's answers to the pack's fact questions, JSON object.
                .col(string_len("answers", 4000))
                // The analysis per factor, JSON object.
                .col(string_len("analysis", 8000))
                .col(string_len_null("statement", 4000))
                // The decision: outcome, matched entries with citations, corrections, JSON.
                .col(string_len_null("decision", 8000))
                .col(date_null("decided_on"))
                .col(date_null("step_due"))
                .col(boolean("false_correction").default(false))
                .col(uuid("created_by"))
                .col(string_len("created_by_name", 64))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(integer("version").default(1))
                .foreign_key(&mut fk("tolerance_case", "cadre_id", "cadre"))
                .foreign_key(&mut fk("tolerance_case", "unit_id", "unit"))
                .foreign_key(&mut fk("tolerance_case", "measure_id", "measure"))
                .foreign_key(&mut fk("tolerance_case", "filing_id", "advance_filing"))
                .to_owned(),
        )
        .await?;
        index(m, "tolerance_case", &["unit_id", "state"], false).await?;
        index(m, "tolerance_case", &["cadre_id"], false).await?;
        m.create_table(
            Table::create()
                .table("tolerance_step")
                .col(pk_uuid("id"))
                .col(uuid("case_id"))
                .col(string_len("action", 32))
                .col(string_len("state_after", 24))
                .col(string_len_null("note", 4000))
                // A joint review opinion's department.
                .col(string_len_null("party", 64))
                .col(uuid("actor_id"))
                .col(string_len("actor_name", 64))
                .col(timestamp_with_time_zone("at"))
                .col(date("on_date"))
                .col(date_null("due"))
                .col(boolean("late").default(false))
                .foreign_key(&mut fk("tolerance_step", "case_id", "tolerance_case"))
                .to_owned(),
        )
        .await?;
        index(m, "tolerance_step", &["case_id", "at"], false).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("tolerance_step").to_owned()).await?;
        m.drop_table(Table::drop().table("tolerance_case").to_owned()).await?;
        m.drop_table(Table::drop().table("advance_filing").to_owned()).await
    }
}
