use std::{str::FromStr, time::Duration};

use sea_orm::{
    DatabaseConnection, DatabaseTransaction, SqliteTransactionMode, SqlxPostgresConnector, SqlxSqliteConnector,
    TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use sqlx::{
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use crate::{StoreError, error::Result, migration::Migrator};

/// Tables a bulk load of the registry touches.
pub const REGISTRY_TABLES: &[&str] = &["jurisdiction", "unit", "post", "cadre", "cadre_tag", "appointment"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct Db {
    pub conn: DatabaseConnection,
    /// Where write transactions begin. On SQLite a pool of one connection:
    /// writers queue for it in order instead of meeting the file lock and
    /// sleeping in SQLite's busy handler (measured: p99 of a write at 64
    /// clients fell from 634 ms). On PostgreSQL the same pool as reads.
    writer: DatabaseConnection,
    pub backend: Backend,
}

impl Db {
    /// `sqlite://path/to/file.db` or `postgres://…`; any other scheme is an error.
    pub async fn connect(url: &str) -> Result<Db> {
        if let Some(rest) = url.strip_prefix("sqlite:") {
            let path = rest.trim_start_matches("//");
            let file = path.split('?').next().unwrap_or(path);
            if file.is_empty() || file == ":memory:" {
                return Err(StoreError::BadUrl(
                    "SQLite 需要文件路径（不支持 :memory:，连接池中的每个连接会是不同的库）".into(),
                ));
            }
            if let Some(parent) = std::path::Path::new(file).parent()
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(parent).map_err(|e| StoreError::BadUrl(format!("{file}: {e}")))?;
            }
            let opts = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))
                .map_err(|e| StoreError::BadUrl(e.to_string()))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                // Read pages through the OS page cache instead of a syscall
                // each, and keep more of them per connection.
                .pragma("mmap_size", "268435456")
                .pragma("cache_size", "-32768");
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(opts.clone())
                .await
                .map_err(|e| StoreError::BadUrl(format!("{file}: {e}")))?;
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(opts)
                .await
                .map_err(|e| StoreError::BadUrl(format!("{file}: {e}")))?;
            Ok(Db {
                conn: SqlxSqliteConnector::from_sqlx_sqlite_pool(pool),
                writer: SqlxSqliteConnector::from_sqlx_sqlite_pool(writer),
                backend: Backend::Sqlite,
            })
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        // Registry queries depend on their values (scope paths,
                        // LIKE patterns): a generic plan cached after five runs
                        // was measured 40× slower than the custom one. Engines
                        // without the setting keep their default.
                        use sqlx::Executor;
                        let _ = conn.execute("SET plan_cache_mode = force_custom_plan").await;
                        Ok(())
                    })
                })
                .connect(url)
                .await
                .map_err(|e| StoreError::BadUrl(e.to_string()))?;
            let conn = SqlxPostgresConnector::from_sqlx_postgres_pool(pool);
            Ok(Db { writer: conn.clone(), conn, backend: Backend::Postgres })
        } else {
            let scheme = url.split(':').next().unwrap_or(url);
            Err(StoreError::BadUrl(format!("不支持的数据库地址“{scheme}:”，只支持 sqlite:// 和 postgres://")))
        }
    }

    pub async fn migrate(&self) -> Result<()> {
        Migrator::up(&self.conn, None).await?;
        Ok(())
    }

    /// Names of migrations applied and pending, for `dandang migrate --status`.
    pub async fn pending_migrations(&self) -> Result<usize> {
        Ok(Migrator::get_pending_migrations(&self.conn).await?.len())
    }

    /// A write transaction. On SQLite it takes the write lock at BEGIN
    /// (IMMEDIATE), so a transaction that reads before it writes waits on the
    /// busy timeout instead of failing on lock upgrade.
    pub async fn write(&self) -> Result<DatabaseTransaction> {
        let opts = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        Ok(self.writer.begin_with_options(opts).await?)
    }

    /// After a bulk load: refreshes PostgreSQL's planner statistics, so queries
    /// right after a large import do not run on plans made for a small
    /// registry; folds SQLite's write-ahead log back into the database.
    pub async fn analyze(&self, tables: &[&str]) -> Result<()> {
        use sea_orm::ConnectionTrait;
        let sql = match self.backend {
            Backend::Postgres => format!("ANALYZE {}", tables.join(", ")),
            // SQLite plans well without statistics here; what hurts after a
            // bulk load is the large write-ahead log every read must consult.
            Backend::Sqlite => "PRAGMA wal_checkpoint(TRUNCATE)".to_string(),
        };
        self.conn.execute_unprepared(&sql).await?;
        Ok(())
    }

    pub fn read(&self) -> &DatabaseConnection {
        &self.conn
    }

    pub async fn close(self) {
        let _ = self.writer.close().await;
        let _ = self.conn.close().await;
    }
}
