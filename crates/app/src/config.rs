//! Deployment configuration: `dandang.toml` (optional) overridden by flags.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Writes a file only its owner may read.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)?.write_all(text.as_bytes())
}

use crate::error::{AppError, Result};

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub db_url: String,
    pub listen: String,
    /// A directory of policy packs replacing those built into the binary
    /// (`policy/` as it was at build time). Relative to the configuration
    /// file's directory when given there.
    pub policy_dir: Option<PathBuf>,
    pub policy: PolicyConfig,
    pub session: SessionConfig,
    pub password_hash: HashCost,
    /// Largest accepted upload, in bytes.
    pub upload_max_bytes: usize,
    /// Send cookies with `Secure`; on behind TLS, off for plain local HTTP.
    pub cookie_secure: bool,
    pub audit: AuditConfig,
    pub access: AccessConfig,
    pub login: LoginConfig,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditConfig {
    /// The key of the audit trail's digests of sensitive values (created on
    /// first start). Defaults to `<SQLite file>.audit-key`, or
    /// `data/audit.key` for PostgreSQL. Keep it out of database backups.
    pub key_file: Option<PathBuf>,
    /// Where the signed anchors of the chain's head are appended, outside the
    /// database's reach. Defaults to `<SQLite file>.audit-anchors`, or
    /// `data/audit.anchors` for PostgreSQL (beside an explicit key file:
    /// `<key file>.anchors`).
    pub anchor_file: Option<PathBuf>,
    /// Seconds between anchors while the chain grows (0: only at shutdown and
    /// on `dandang audit anchor`). Events after the last anchor can be cut
    /// without trace by someone who can write the database: this is that
    /// window.
    pub anchor_every_secs: Option<u64>,
}

/// The few genuine policy choices of who sees what; each defaults closed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AccessConfig {
    /// Whether a cadre sees the organization's eligibility verdict about
    /// themselves (能否提拔、评先评优 …) beside their own measures.
    pub cadre_sees_own_eligibility: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LoginConfig {
    /// Login attempts one address may make per minute (then 429).
    pub per_minute: u32,
    /// Attempts allowed at once before the per-minute pace applies.
    pub burst: u32,
    /// Take the client address from this header (e.g. `X-Forwarded-For`,
    /// its first entry) — only behind a proxy that sets it.
    pub client_ip_header: Option<String>,
}

impl Default for LoginConfig {
    fn default() -> Self {
        LoginConfig { per_minute: 10, burst: 10, client_ip_header: None }
    }
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
            policy_dir: None,
            policy: PolicyConfig::default(),
            session: SessionConfig::default(),
            password_hash: HashCost::default(),
            upload_max_bytes: 10 * 1024 * 1024,
            cookie_secure: false,
            audit: AuditConfig::default(),
            access: AccessConfig::default(),
            login: LoginConfig::default(),
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
    pub(crate) fn audit_key_path(&self) -> PathBuf {
        if let Some(p) = &self.audit.key_file {
            return p.clone();
        }
        match self.db_url.strip_prefix("sqlite:") {
            Some(rest) => {
                let file = rest.trim_start_matches("//").split('?').next().unwrap_or("");
                PathBuf::from(format!("{file}.audit-key"))
            }
            None => PathBuf::from("data/audit.key"),
        }
    }

    pub fn audit_anchor_path(&self) -> PathBuf {
        if let Some(p) = &self.audit.anchor_file {
            return p.clone();
        }
        if let Some(k) = &self.audit.key_file {
            return PathBuf::from(format!("{}.anchors", k.display()));
        }
        match self.db_url.strip_prefix("sqlite:") {
            Some(rest) => {
                let file = rest.trim_start_matches("//").split('?').next().unwrap_or("");
                PathBuf::from(format!("{file}.audit-anchors"))
            }
            None => PathBuf::from("data/audit.anchors"),
        }
    }

    /// Reads the audit key, or makes one (32 random bytes, hex) on first start.
    pub fn audit_key(&self) -> Result<Vec<u8>> {
        self.audit_key_made().map(|(k, _)| k)
    }

    /// The audit key, and whether it was made just now.
    pub(crate) fn audit_key_made(&self) -> Result<(Vec<u8>, bool)> {
        let path = self.audit_key_path();
        let bad = |e: std::io::Error| AppError::Config(format!("审计密钥文件 {}：{e}", path.display()));
        match std::fs::read_to_string(&path) {
            Ok(t) => hex::decode(t.trim())
                .ok()
                .filter(|k| k.len() >= 16)
                .map(|k| (k, false))
                .ok_or_else(|| AppError::Config(format!("审计密钥文件 {} 的内容不是有效的密钥", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = vec![0u8; 32];
                getrandom::fill(&mut key).map_err(|e| AppError::Internal(e.to_string()))?;
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(bad)?;
                }
                write_private(&path, &hex::encode(&key)).map_err(bad)?;
                Ok((key, true))
            }
            Err(e) => Err(bad(e)),
        }
    }

    /// Reads `path` if it exists; the defaults otherwise.
    pub fn load(path: &Path) -> Result<Config> {
        if !path.exists() {
            return Ok(Config::default());
        }
        let text = std::fs::read_to_string(path).map_err(|e| AppError::Config(format!("{}: {e}", path.display())))?;
        let mut c: Config = toml::from_str(&text).map_err(|e| {
            let line = e.span().map(|s| text[..s.start].matches('\n').count() + 1);
            AppError::Config(format!("{}:{}: {}", path.display(), line.unwrap_or(0), e.message()))
        })?;
        if let (Some(dir), Some(base)) = (&c.policy_dir, path.parent()) {
            c.policy_dir = Some(base.join(dir));
        }
        Ok(c)
    }
}
