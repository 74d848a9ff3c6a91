//! 督查问效 (M3): reminders and interviews as procedures, with every step.

use sea_orm_migration::{prelude::*, schema::*};

use super::m0001_foundation::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("supervision_case")
                .col(pk_uuid("id"))
                .col(string_len("kind", 16))
                // The cadre interviewed, or the leader in charge a reminder's work notice goes to.
                .col(uuid_null("cadre_id"))
                .col(uuid("unit_id"))
                // Trigger entry ids of the pack, as a JSON array.
                .col(string_len("triggers", 1000))
                .col(string_len("facts", 4000))
                .col(string_len("state", 24))
                .col(date_null("step_due"))
                .col(uuid("requested_by"))
                .col(string_len("requested_by_name", 64))
                .col(date_null("scheduled_on"))
                .col(string_len_null("place", 100))
                .col(string_len_null("lead_interviewer", 64))
                .col(string_len_null("commission_attendee", 64))
                .col(string_len_null("org_attendee", 64))
                .col(string_len_null("topics", 2000))
                .col(date_null("held_on"))
                .col(uuid_null("interview_id"))
                .col(string_len_null("doc_no", 64))
                .col(date_null("rectification_plan_due"))
                // The escalation suggestion and the decision on it, as JSON.
                .col(string_len_null("escalation", 4000))
                .col(uuid_null("measure_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(integer("version").default(1))
                .foreign_key(&mut fk("supervision_case", "cadre_id", "cadre"))
                .foreign_key(&mut fk("supervision_case", "unit_id", "unit"))
                .foreign_key(&mut fk("supervision_case", "interview_id", "interview"))
                .foreign_key(&mut fk("supervision_case", "measure_id", "measure"))
                .to_owned(),
        )
        .await?;
        index(m, "supervision_case", &["unit_id", "state"], false).await?;
        index(m, "supervision_case", &["cadre_id"], false).await?;
        index(m, "supervision_case", &["state", "step_due"], false).await?;
        m.create_table(
            Table::create()
                .table("supervision_step")
                .col(pk_uuid("id"))
                .col(uuid("case_id"))
                .col(string_len("action", 24))
                .col(string_len("state_after", 24))
                .col(string_len_null("note", 4000))
                .col(uuid("actor_id"))
                .col(string_len("actor_name", 64))
                .col(timestamp_with_time_zone("at"))
                .col(date("on_date"))
                // The deadline the step answered, and whether it came after it.
                .col(date_null("due"))
                .col(boolean("late").default(false))
                .foreign_key(&mut fk("supervision_step", "case_id", "supervision_case"))
                .to_owned(),
        )
        .await?;
        index(m, "supervision_step", &["case_id", "at"], false).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("supervision_step").to_owned()).await?;
        m.drop_table(Table::drop().table("supervision_case").to_owned()).await
    }
}
