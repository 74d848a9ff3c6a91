//! The deployment's policy packs: loaded once at start, validated as a whole.

use std::path::Path;

use chrono::NaiveDate;
use dandang_domain::{
    calendar::WorkCalendar,
    measures::ImpactBook,
    policy::{PolicyError, PolicySet, Resolved, SourceFile},
};

use crate::{
    config::Config,
    error::{AppError, Result},
};

pub struct PolicyState {
    pub set: PolicySet,
    /// Impact rules of every pack, parsed once at start.
    pub books: std::collections::HashMap<String, ImpactBook>,
    pub default_pack: String,
    /// (code prefix, pack) — longest prefix wins.
    pub by_jurisdiction: Vec<(String, String)>,
}

/// The packs of `policy/` as they were when this binary was built:
/// (pack directory, file name, content).
const EMBEDDED: &[(&str, &str, &str)] = include!(concat!(env!("OUT_DIR"), "/embedded_policy.rs"));

/// The packs built into the binary, named as if read from `policy/`.
pub fn embedded() -> Vec<SourceFile> {
    EMBEDDED
        .iter()
        .map(|(pack, file, content)| SourceFile {
            path: format!("policy/{pack}/{file}"),
            pack_dir: (*pack).into(),
            content: (*content).into(),
        })
        .collect()
}

/// The deployment's packs: from `policy_dir` when the configuration names
/// one, else those built into the binary.
pub fn load_configured(config: &Config) -> std::result::Result<PolicySet, Vec<PolicyError>> {
    match &config.policy_dir {
        Some(dir) => load_set(dir),
        None => load_files(&embedded()),
    }
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

/// The packs of a directory, each typed value checked against the shape its
/// mechanism reads (`dandang_domain::pack_schemas`).
pub fn load_set(dir: &Path) -> std::result::Result<PolicySet, Vec<PolicyError>> {
    let files =
        read_dir(dir).map_err(|m| vec![PolicyError { file: dir.display().to_string(), line: None, message: m }])?;
    load_files(&files)
}

fn load_files(files: &[SourceFile]) -> std::result::Result<PolicySet, Vec<PolicyError>> {
    let set = PolicySet::load(files)?;
    let errors = dandang_domain::policy::check_values(&set, dandang_domain::pack_schemas::SCHEMAS);
    if errors.is_empty() { Ok(set) } else { Err(errors) }
}

/// The impact rules of every pack; errors name the file and line.
pub fn build_books(set: &PolicySet) -> std::result::Result<std::collections::HashMap<String, ImpactBook>, Vec<String>> {
    let mut books = std::collections::HashMap::new();
    let mut errors = Vec::new();
    for id in set.packs.keys() {
        match set.resolve(id).map(|r| ImpactBook::build(&r)) {
            Some(Ok(b)) => {
                books.insert(id.clone(), b);
            }
            Some(Err(e)) => errors.extend(e),
            None => {}
        }
    }
    errors.sort();
    errors.dedup();
    if errors.is_empty() { Ok(books) } else { Err(errors) }
}

impl PolicyState {
    pub fn load(config: &Config) -> Result<PolicyState> {
        let set = load_configured(config)
            .map_err(|errs| AppError::Config(errs.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n")))?;
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
        let books = build_books(&set).map_err(|errs| AppError::Config(errs.join("\n")))?;
        Ok(PolicyState { set, books, default_pack: config.policy.pack.clone(), by_jurisdiction: by })
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
        self.set
            .resolve(pack)
            .unwrap_or_else(|| self.set.resolve(&self.default_pack).expect("default pack checked at load"))
    }

    pub fn book(&self, pack: &str) -> &ImpactBook {
        self.books.get(pack).unwrap_or_else(|| &self.books[&self.default_pack])
    }

    pub fn default_book(&self) -> &ImpactBook {
        self.book(&self.default_pack)
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

// ---- read-only catalogue views ----------------------------------------------

use dandang_domain::policy::{Confidence, EntryVersion, TestOutcome, run_pack_tests};
use serde::Serialize;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PackSummary {
    pub id: String,
    pub title: String,
    pub parent: Option<String>,
    pub jurisdiction: Option<String>,
    pub description: Option<String>,
    /// This pack and its ancestors, most specific first.
    pub chain: Vec<String>,
    pub in_use: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SourceView {
    pub document_id: String,
    pub citation: String,
    pub article: Option<String>,
    pub url: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct EntryView {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub catalogue: Option<String>,
    pub pack: String,
    pub source: SourceView,
    pub confidence: String,
    pub confidence_label: String,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub in_force: bool,
    /// A lower layer's entry that replaces an upper layer's of the same id.
    pub overrides: Option<String>,
    /// Replaced on this date by a lower layer's entry of the same id.
    pub overridden_by: Option<String>,
    /// The entry's value in its catalogue's shape; null for entries that only name a thing.
    pub value: Option<serde_json::Value>,
    pub note: Option<String>,
    pub order: i64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CatalogueSection {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub incomplete: bool,
    pub incomplete_note: Option<String>,
    pub items: Vec<EntryView>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DocumentView {
    pub id: String,
    pub title: String,
    pub issuer: Option<String>,
    pub number: Option<String>,
    pub issued: Option<NaiveDate>,
    pub effective_from: Option<NaiveDate>,
    pub url: Option<String>,
    pub note: Option<String>,
    pub pack: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct NoticeView {
    pub id: String,
    pub year: i32,
    pub pack: String,
    pub source: SourceView,
    pub holidays: Vec<String>,
    pub workdays: Vec<NaiveDate>,
    pub cancel_workdays: Vec<NaiveDate>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PackDetail {
    pub pack: PackSummary,
    pub on: NaiveDate,
    pub catalogues: Vec<CatalogueSection>,
    /// Named entries outside any catalogue (parameters, rules).
    pub entries: Vec<EntryView>,
    pub documents: Vec<DocumentView>,
    pub calendar: Vec<NoticeView>,
}

impl PolicyState {
    /// What a person calls a pack ("湖北省宜昌市"); its code if it has no title.
    pub fn pack_title(&self, id: &str) -> String {
        self.set.packs.get(id).map(|p| p.title.clone()).filter(|t| !t.is_empty()).unwrap_or_else(|| id.to_string())
    }

    pub fn summaries(&self) -> Vec<PackSummary> {
        let in_use: Vec<&str> = std::iter::once(self.default_pack.as_str())
            .chain(self.by_jurisdiction.iter().map(|(_, p)| p.as_str()))
            .collect();
        self.set
            .packs
            .values()
            .map(|p| PackSummary {
                id: p.id.clone(),
                title: p.title.clone(),
                parent: p.parent.clone(),
                jurisdiction: p.jurisdiction.clone(),
                description: p.description.clone(),
                chain: self.set.chain(&p.id).iter().map(|q| q.id.clone()).collect(),
                in_use: in_use.contains(&p.id.as_str()),
            })
            .collect()
    }

    fn source_view(r: &Resolved<'_>, s: &dandang_domain::policy::SourceRef) -> SourceView {
        let doc = r.document(&s.document);
        SourceView {
            document_id: s.document.clone(),
            citation: dandang_domain::policy::resolve_citation(doc, s),
            article: s.article.clone(),
            url: doc.and_then(|d| d.url.clone()),
        }
    }

    fn entry_view(r: &Resolved<'_>, e: &EntryVersion, on: NaiveDate) -> EntryView {
        let current = r.entry(&e.id, on);
        let winner = current.as_ref().map(|h| h.entry.pack.as_str());
        EntryView {
            id: e.id.clone(),
            title: e.title.clone(),
            description: e.description.clone(),
            catalogue: e.catalogue.clone(),
            pack: e.pack.clone(),
            source: Self::source_view(r, &e.source),
            confidence: e.confidence.code().into(),
            confidence_label: confidence_label(e.confidence),
            effective_from: e.effective_from,
            effective_to: e.effective_to,
            in_force: e.in_force(on) && winner == Some(e.pack.as_str()),
            overrides: r
                .chain
                .iter()
                .skip_while(|p| p.id != e.pack)
                .skip(1)
                .find(|p| p.entries.contains_key(&e.id))
                .map(|p| p.id.clone()),
            overridden_by: match winner {
                Some(w) if w != e.pack && e.in_force(on) => Some(w.to_string()),
                _ => None,
            },
            value: e.value_json(),
            note: e.note.clone(),
            order: e.order,
        }
    }

    /// Everything a pack and its ancestors say, as of `on`.
    pub fn detail(&self, pack_id: &str, on: NaiveDate) -> Option<PackDetail> {
        let r = self.set.resolve(pack_id)?;
        let summary = self.summaries().into_iter().find(|s| s.id == pack_id)?;
        let mut catalogues = Vec::new();
        for cid in r.catalogue_ids() {
            let Some(view) = r.catalogue(cid, on) else { continue };
            let mut items: Vec<EntryView> = Vec::new();
            for p in &r.chain {
                for vs in p.entries.values() {
                    for v in vs.iter().filter(|v| v.catalogue.as_deref() == Some(cid)) {
                        items.push(Self::entry_view(&r, v, on));
                    }
                }
            }
            items.sort_by(|a, b| {
                (!a.in_force, a.order, &a.id, a.effective_from).cmp(&(!b.in_force, b.order, &b.id, b.effective_from))
            });
            catalogues.push(CatalogueSection {
                id: cid.to_string(),
                title: view.catalogue.title.clone(),
                description: view.catalogue.description.clone(),
                incomplete: view.incomplete,
                incomplete_note: r
                    .chain
                    .iter()
                    .filter_map(|p| p.catalogues.get(cid))
                    .find_map(|c| c.incomplete_note.clone()),
                items,
            });
        }
        let mut entries = Vec::new();
        for p in &r.chain {
            for vs in p.entries.values() {
                for v in vs.iter().filter(|v| v.catalogue.is_none()) {
                    entries.push(Self::entry_view(&r, v, on));
                }
            }
        }
        entries.sort_by(|a, b| (&a.id, a.effective_from).cmp(&(&b.id, b.effective_from)));
        let mut documents: Vec<DocumentView> = r
            .chain
            .iter()
            .flat_map(|p| p.documents.values())
            .map(|d| DocumentView {
                id: d.id.clone(),
                title: d.title.clone(),
                issuer: d.issuer.clone(),
                number: d.number.clone(),
                issued: d.issued,
                effective_from: d.effective_from,
                url: d.url.clone(),
                note: d.note.clone(),
                pack: d.pack.clone(),
            })
            .collect();
        documents.sort_by(|a, b| (&a.pack, a.issued, &a.id).cmp(&(&b.pack, b.issued, &b.id)));
        let calendar = r
            .notices()
            .into_iter()
            .rev()
            .map(|n| NoticeView {
                id: n.id.clone(),
                year: n.year,
                pack: n.pack.clone(),
                source: Self::source_view(&r, &n.source),
                holidays: n
                    .holidays
                    .iter()
                    .map(|h| {
                        if h.from == h.to {
                            format!("{} {}", h.name, h.from)
                        } else {
                            format!("{} {} 至 {}", h.name, h.from, h.to)
                        }
                    })
                    .collect(),
                workdays: n.workdays.clone(),
                cancel_workdays: n.cancel_workdays.clone(),
            })
            .collect();
        Some(PackDetail { pack: summary, on, catalogues, entries, documents, calendar })
    }

    pub fn run_tests(&self) -> Vec<TestOutcome> {
        run_pack_tests(&self.set)
    }
}

pub fn confidence_label(c: Confidence) -> String {
    c.label_zh().to_string()
}
