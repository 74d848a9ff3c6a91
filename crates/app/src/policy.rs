//! The deployment's policy packs: loaded once at start, validated as a whole.

use std::path::Path;

use chrono::NaiveDate;
use dandang_domain::{
    calendar::WorkCalendar,
    policy::{PolicyError, PolicySet, Resolved, SourceFile},
};

use crate::{
    config::Config,
    error::{AppError, Result},
};

pub struct PolicyState {
    pub set: PolicySet,
    pub default_pack: String,
    /// (code prefix, pack) — longest prefix wins.
    pub by_jurisdiction: Vec<(String, String)>,
}

/// Reads every `*.toml` under `dir/<pack>/`.
pub fn read_dir(dir: &Path) -> std::result::Result<Vec<SourceFile>, String> {
    let mut files = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| format!("无法读取规则包目录 {}：{e}", dir.display()))?;
    let mut packs: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir()).collect();
    packs.sort();
    for pack in packs {
        let pack_dir = pack.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let mut tomls: Vec<_> = std::fs::read_dir(&pack)
            .map_err(|e| format!("{}: {e}", pack.display()))?
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        tomls.sort();
        for p in tomls {
            let content = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
            files.push(SourceFile { path: p.display().to_string(), pack_dir: pack_dir.clone(), content });
        }
    }
    if files.is_empty() {
        return Err(format!("规则包目录 {} 中没有任何规则包", dir.display()));
    }
    Ok(files)
}

pub fn load_set(dir: &Path) -> std::result::Result<PolicySet, Vec<PolicyError>> {
    let files = read_dir(dir).map_err(|m| vec![PolicyError { file: dir.display().to_string(), line: None, message: m }])?;
    PolicySet::load(&files)
}

impl PolicyState {
    pub fn load(config: &Config) -> Result<PolicyState> {
        let set = load_set(&config.policy_dir).map_err(|errs| {
            AppError::Config(errs.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))
        })?;
        let mut known = vec![config.policy.pack.clone()];
        known.extend(config.policy.by_jurisdiction.iter().map(|r| r.pack.clone()));
        for p in &known {
            if !set.packs.contains_key(p) {
                return Err(AppError::Config(format!("配置引用的规则包“{p}”不存在")));
            }
        }
        let mut by: Vec<(String, String)> =
            config.policy.by_jurisdiction.iter().map(|r| (r.code_prefix.clone(), r.pack.clone())).collect();
        by.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        Ok(PolicyState { set, default_pack: config.policy.pack.clone(), by_jurisdiction: by })
    }

    /// The pack whose rules apply in a jurisdiction (by division code).
    pub fn pack_for(&self, jurisdiction_code: &str) -> &str {
        self.by_jurisdiction
            .iter()
            .find(|(prefix, _)| jurisdiction_code.starts_with(prefix.as_str()))
            .map(|(_, p)| p.as_str())
            .unwrap_or(&self.default_pack)
    }

    pub fn resolved(&self, pack: &str) -> Resolved<'_> {
        self.set.resolve(pack).unwrap_or_else(|| self.set.resolve(&self.default_pack).expect("default pack checked at load"))
    }

    pub fn default_resolved(&self) -> Resolved<'_> {
        self.resolved(&self.default_pack)
    }

    pub fn default_calendar(&self) -> WorkCalendar {
        self.default_resolved().calendar()
    }

    /// Experience-tag codes and titles in force in a pack on a date.
    pub fn experience_tags(&self, pack: &str, on: NaiveDate) -> Vec<(String, String)> {
        self.resolved(pack)
            .catalogue("experience_tag", on)
            .map(|v| v.items.iter().map(|h| (h.entry.id.clone(), h.entry.title.clone())).collect())
            .unwrap_or_default()
    }

    /// Every tag any pack of the deployment knows, for labels in lists.
    pub fn tag_title(&self, code: &str) -> String {
        self.set
            .packs
            .values()
            .find_map(|p| p.entries.get(code).and_then(|v| v.last()).map(|e| e.title.clone()))
            .unwrap_or_else(|| code.to_string())
    }
}
