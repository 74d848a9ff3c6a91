//! Use cases. Each write runs in one explicit transaction that also appends
//! its audit event; each read and write is checked against the actor's role
//! and scope here, so the web UI, the JSON API and the CLI behave alike.

pub mod access;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod config;
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

pub(crate) struct Inner {
    db: Db,
    policy: PolicyState,
    calendar: WorkCalendar,
    config: Config,
    reads: audit::ReadLog,
    audit_key: Vec<u8>,
    chain_key: Vec<u8>,
    _anchors: audit::Anchorer,
}

impl App {
    /// Connects, migrates and loads the policy packs; fails on any invalid pack.
    pub async fn open(config: Config) -> Result<App> {
        let policy = PolicyState::load(&config)?;
        let db = Db::connect(&config.db_url).await?;
        db.migrate().await?;
        let (_, made) = config.audit_key_made()?;
        if made && dandang_store::audit::first_keyed(db.read()).await?.is_some() {
            // A new key for a trail signed with another would make every
            // later event look forged: refuse, and leave no new key behind.
            let path = config.audit_key_path();
            let _ = std::fs::remove_file(&path);
            return Err(AppError::Config(format!(
                "审计密钥文件 {} 不存在，但数据库中已有用密钥签名的审计记录：请在 [audit] key_file 指定原来的密钥文件",
                path.display()
            )));
        }
        App::with(db, policy, config)
    }

    pub fn with(db: Db, policy: PolicyState, config: Config) -> Result<App> {
        let calendar = policy.default_calendar();
        let audit_key = config.audit_key()?;
        let chain_key = dandang_domain::audit::chain_key(&audit_key);
        let reads = audit::ReadLog::start(db.clone(), chain_key.clone());
        let every = config.audit.anchor_every_secs.unwrap_or(10);
        let inner = Arc::new_cyclic(|me| Inner {
            db,
            policy,
            calendar,
            config,
            reads,
            audit_key,
            chain_key,
            _anchors: audit::Anchorer::start(me.clone(), every),
        });
        Ok(App { inner })
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

    pub(crate) fn reads(&self) -> &audit::ReadLog {
        &self.inner.reads
    }

    /// The key of the audit trail's digests of sensitive values; kept in a
    /// file outside the database (`[audit] key_file`).
    pub(crate) fn audit_key(&self) -> &[u8] {
        &self.inner.audit_key
    }

    /// The key of the audit chain's MACs and anchors (derived from the audit key).
    pub(crate) fn chain_key(&self) -> &[u8] {
        &self.inner.chain_key
    }
}

impl App {
    /// Whether the database answers (`/healthz`).
    pub async fn healthy(&self) -> bool {
        use dandang_store::ConnectionTrait;
        self.db().read().execute_unprepared("SELECT 1").await.is_ok()
    }
}
