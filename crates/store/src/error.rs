use sea_orm::{DbErr, SqlErr};

/// Database failures by kind — never by constraint name, which differs
/// between SQLite and PostgreSQL.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unique constraint violated: {0}")]
    Unique(String),
    #[error("foreign key constraint violated: {0}")]
    ForeignKey(String),
    /// Optimistic concurrency: the row changed since it was read.
    #[error("row was modified concurrently")]
    Stale,
    #[error("database busy")]
    Busy,
    #[error("unsupported database URL: {0}")]
    BadUrl(String),
    #[error("database error: {0}")]
    Db(DbErr),
}

impl From<DbErr> for StoreError {
    fn from(e: DbErr) -> Self {
        match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(m)) => StoreError::Unique(m),
            Some(SqlErr::ForeignKeyConstraintViolation(m)) => StoreError::ForeignKey(m),
            _ => {
                let text = e.to_string();
                // SQLITE_BUSY / SQLITE_LOCKED after the busy timeout; a
                // PostgreSQL serialization failure (40001) on distributed engines.
                if text.contains("database is locked") || text.contains("(code: 5)") || text.contains("40001") {
                    StoreError::Busy
                } else {
                    StoreError::Db(e)
                }
            }
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;
