//! 容错纠错 (M2): service (送达) of the decision letter, from which the appeal
//! window runs.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds columns one at a time.
        for col in ["service_due", "served_on"] {
            m.alter_table(Table::alter().table("tolerance_case").add_column(date_null(col)).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in ["served_on", "service_due"] {
            m.alter_table(Table::alter().table("tolerance_case").drop_column(col).to_owned()).await?;
        }
        Ok(())
    }
}
