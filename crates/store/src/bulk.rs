//! Inserting many rows of one table in as few statements as both databases
//! take: each statement carries as many rows as fit under the bind-parameter
//! limit (SQLite allows 32,766 per statement, PostgreSQL 65,535), so a large
//! import is a few hundred statements rather than thousands.
//!
//! On PostgreSQL the connections force a custom plan for every statement
//! (see `db.rs`); planning an insert of a thousand rows each time cost half
//! of a 100,000-row import. Inside a transaction the inserts take a generic
//! plan — one per statement shape — and the setting is put back after.

use sea_orm::{ActiveModelTrait, ConnectionTrait, DbBackend, EntityTrait, Iterable, Statement, Value};

use crate::error::Result;

/// Below SQLite's limit with room to spare.
const BINDS_PER_STATEMENT: usize = 30_000;

pub(crate) async fn insert_models<E>(c: &impl ConnectionTrait, models: Vec<E::Model>) -> Result<()>
where
    E: EntityTrait,
    E::ActiveModel: ActiveModelTrait<Entity = E> + From<E::Model>,
{
    let per = rows_per_statement(E::Column::iter().count());
    let plan_mode = if models.len() > per { generic_plans(c).await? } else { None };
    let mut rows = models.into_iter().map(E::ActiveModel::from).peekable();
    while rows.peek().is_some() {
        E::insert_many(rows.by_ref().take(per)).exec_without_returning(c).await?;
    }
    if let Some(mode) = plan_mode {
        set_plan_mode(c, mode).await?;
    }
    Ok(())
}

/// Switches this transaction to generic plans and returns the mode to put
/// back; nothing on SQLite or on an engine without the setting (asked with
/// `missing_ok`, so the question itself cannot abort the transaction).
async fn generic_plans(c: &impl ConnectionTrait) -> Result<Option<String>> {
    if c.get_database_backend() != DbBackend::Postgres {
        return Ok(None);
    }
    let q = "SELECT current_setting('plan_cache_mode', true) AS mode";
    let Some(row) = c.query_one_raw(Statement::from_string(DbBackend::Postgres, q)).await? else { return Ok(None) };
    let Some(mode) = row.try_get::<Option<String>>("", "mode")? else { return Ok(None) };
    set_plan_mode(c, "force_generic_plan".into()).await?;
    Ok(Some(mode))
}

async fn set_plan_mode(c: &impl ConnectionTrait, mode: String) -> Result<()> {
    // is_local = true: the setting ends with the transaction whatever happens.
    let q = "SELECT set_config('plan_cache_mode', $1, true)";
    c.execute_raw(Statement::from_sql_and_values(DbBackend::Postgres, q, [Value::from(mode)])).await?;
    Ok(())
}

fn rows_per_statement(columns: usize) -> usize {
    (BINDS_PER_STATEMENT / columns.max(1)).max(1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn statements_stay_under_both_limits() {
        for columns in 1..=200 {
            let rows = super::rows_per_statement(columns);
            assert!(rows >= 1);
            assert!(rows * columns <= 32_766, "{columns} columns");
        }
    }
}
