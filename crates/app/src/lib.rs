//! Use cases. Each write runs in one explicit transaction that also appends
//! its audit event; each read and write is checked against the actor's role
//! and scope here, so the web UI, the JSON API and the CLI behave alike.

pub mod audit;
pub mod auth;
pub mod clock;
pub mod config;
pub mod demo;
mod demo_measures;
mod demo_supervision;
mod demo_tolerance;
pub mod documents;
pub mod error;
pub mod exports;
pub mod follow_up;
pub mod imports;
pub mod measures;
pub mod policy;
pub mod registry;
pub mod supervision;
pub mod tolerance;
pub mod users;
pub mod workdays;

use std::sync::Arc;

use dandang_domain::calendar::WorkCalendar;
use dandang_store::Db;

pub use config::Config;
pub use error::{AppError, Result};
pub use policy::PolicyState;

/// Everything a request needs; cheap to clone.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    policy: PolicyState,
    calendar: WorkCalendar,
    config: Config,
}

impl App {
    /// Connects, migrates and loads the policy packs; fails on any invalid pack.
    pub async fn open(config: Config) -> Result<App> {
        let policy = PolicyState::load(&config)?;
        let db = Db::connect(&config.db_url).await?;
        db.migrate().await?;
        Ok(App::with(db, policy, config))
    }

    pub fn with(db: Db, policy: PolicyState, config: Config) -> App {
        let calendar = policy.default_calendar();
        App { inner: Arc::new(Inner { db, policy, calendar, config }) }
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn policy(&self) -> &PolicyState {
        &self.inner.policy
    }

    pub fn calendar(&self) -> &WorkCalendar {
        &self.inner.calendar
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }
}
