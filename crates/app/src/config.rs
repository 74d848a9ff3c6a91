//! Deployment configuration: `dandang.toml` (optional) overridden by flags.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{AppError, Result};

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub db_url: String,
    pub listen: String,
    pub policy_dir: PathBuf,
    pub policy: PolicyConfig,
    pub session: SessionConfig,
    pub password_hash: HashCost,
    /// Largest accepted upload, in bytes.
    pub upload_max_bytes: usize,
    /// Send cookies with `Secure`; on behind TLS, off for plain local HTTP.
    pub cookie_secure: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PolicyConfig {
    /// The pack applied where no jurisdiction rule matches.
    pub pack: String,
    /// Packs for parts of the deployment, by administrative-division code prefix.
    pub by_jurisdiction: Vec<PackRule>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackRule {
    pub code_prefix: String,
    pub pack: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionConfig {
    pub idle_minutes: i64,
    pub absolute_hours: i64,
    pub max_failed_logins: i32,
    pub lockout_minutes: i64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HashCost {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            db_url: "sqlite://data/dandang.db".into(),
            listen: "127.0.0.1:8080".into(),
            policy_dir: PathBuf::from("policy"),
            policy: PolicyConfig::default(),
            session: SessionConfig::default(),
            password_hash: HashCost::default(),
            upload_max_bytes: 10 * 1024 * 1024,
            cookie_secure: false,
        }
    }
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig { pack: "cn".into(), by_jurisdiction: vec![] }
    }
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig { idle_minutes: 30, absolute_hours: 12, max_failed_logins: 5, lockout_minutes: 15 }
    }
}

impl Default for HashCost {
    /// OWASP's recommended Argon2id settings (19 MiB, 2 passes, 1 lane).
    fn default() -> Self {
        HashCost { memory_kib: 19 * 1024, iterations: 2, parallelism: 1 }
    }
}

impl HashCost {
    /// Cheap settings for tests only.
    pub fn for_tests() -> Self {
        HashCost { memory_kib: 64, iterations: 1, parallelism: 1 }
    }
}

impl Config {
    /// Reads `path` if it exists; the defaults otherwise.
    pub fn load(path: &Path) -> Result<Config> {
        if !path.exists() {
            return Ok(Config::default());
        }
        let text = std::fs::read_to_string(path).map_err(|e| AppError::Config(format!("{}: {e}", path.display())))?;
        toml::from_str(&text).map_err(|e| {
            let line = e.span().map(|s| text[..s.start].matches('\n').count() + 1);
            AppError::Config(format!("{}:{}: {}", path.display(), line.unwrap_or(0), e.message()))
        })
    }
}
