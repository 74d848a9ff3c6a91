//! Persistence on SQLite and PostgreSQL through one code path (SeaORM on
//! sqlx): connection setup, migrations, the audit chain and the queries the
//! app layer composes into use cases.

pub mod audit;
mod bulk;
pub mod db;
pub mod entity;
pub mod error;
pub mod follow_up;
pub mod measures;
pub mod migration;
pub mod registry;
pub mod scope;
pub mod supervision;
pub mod system;
pub mod tolerance;
pub mod users;
mod versioned;

pub use db::{Backend, Db};
pub use error::StoreError;
pub use scope::{InScope, ScopedIds};
pub use sea_orm::{ConnectionTrait, DatabaseTransaction, TransactionTrait};
pub mod imports;
pub use sea_orm;
