//! Excel import in two phases. Validation reads the file, checks every row
//! against the registry and the actor's scope, and stores the file with its
//! report. Commit reads the same bytes again inside one write transaction,
//! repeats every check against the data as it is then, and writes all rows or
//! none.

use std::collections::{HashMap, HashSet};

use std::io::Cursor;

use calamine::{Data, Reader};

use chrono::{NaiveDate, Utc};

use dandang_domain::{
    access::{Actor, Permission},
    error::{Invalid, Problem},
    ids::{CadreId, UnitId},
    measures::MeasureCode,
    registry::{PostLevel, Rank, Tier, UnitType, unit_path},
    text,
};

use dandang_store::{
    ConnectionTrait, InScope,
    entity::{appointment, cadre, cadre_tag, import_batch, measure, unit},
    imports as store_imports,
    registry::{self, UnitRow},
};

use serde::Serialize;

use sha2::{Digest, Sha256};

use uuid::Uuid;

use crate::{
    App,
    audit::{self, Event, Place},
    clock,
    error::{AppError, Result},
    registry::cadres::{RawCadre, new_model, parse_fields},
};

mod appointments;
mod bounds;
mod cadres;
mod items;
mod kinds;
mod measures;
mod table;
mod units;

use appointments::*;
use cadres::*;
use items::*;
pub use kinds::*;
use measures::*;
use table::*;
use units::*;

/// Reads a file as [`validate`] does before it asks the database anything —
/// format bounds, sheet, header, cells — and gives the number of data rows.
/// The entry point of the spreadsheet fuzz target (fuzz/), which holds that
/// no file makes it panic, abort or allocate without bound.
pub fn read_only(kind: ImportKind, file_name: &str, bytes: &[u8]) -> std::result::Result<usize, Vec<RowProblem>> {
    table::read_table(kind, file_name, bytes).map(|t| t.rows.len())
}

/// Reading a large workbook is seconds of CPU: it runs on the blocking pool,
/// so the requests of everyone else keep the server's worker threads.
async fn read_table_off(
    kind: ImportKind,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<(Vec<u8>, std::result::Result<Table, Vec<RowProblem>>)> {
    let name = file_name.to_string();
    tokio::task::spawn_blocking(move || {
        let t = table::read_table(kind, &name, &bytes);
        (bytes, t)
    })
    .await
    .map_err(|e| AppError::Internal(format!("workbook reader stopped: {e}")))
}

/// Rows beyond this are refused before any checking.
pub const MAX_ROWS: usize = 200_000;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RowProblem {
    /// Row number as Excel shows it (the header is row 1); 0 for the file.
    pub row: usize,
    pub column: Option<String>,
    pub header: Option<String>,
    pub message: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub batch_id: Option<Uuid>,
    pub kind: ImportKind,
    pub kind_label: &'static str,
    pub file_name: String,
    pub rows: usize,
    /// The first [`LISTED_PROBLEMS`] problems in row order.
    pub problems: Vec<RowProblem>,
    /// Every problem found, listed or not.
    pub problems_total: usize,
    pub ok: bool,
    pub status: String,
    pub committed: usize,
}

impl ImportReport {
    pub fn summary_zh(&self) -> String {
        if self.ok && self.status == "committed" {
            format!("已导入 {} 行", self.committed)
        } else if self.ok {
            format!("校验通过：共 {} 行，可以提交导入", self.rows)
        } else {
            let listed = self.problems.len();
            let rest = self.problems_total.saturating_sub(listed);
            let more = if rest > 0 {
                format!("（列出前 {listed} 个，另有 {rest} 个未列出）")
            } else {
                String::new()
            };
            format!("发现 {} 个问题{more}，未导入任何数据；请修改后重新上传", self.problems_total)
        }
    }
}

/// How many row problems a report lists; the rest are counted. A file of
/// 200,000 bad rows would otherwise answer with millions of messages — and
/// nobody fixes a file from more than the first screens of them.
pub const LISTED_PROBLEMS: usize = 1_000;

/// The problems found in a file: the first [`LISTED_PROBLEMS`] kept, every
/// one counted, and the row of the latest remembered (rows are checked in
/// order, so "has this row a problem yet" needs no search).
#[derive(Debug, Default)]
pub(super) struct Problems {
    listed: Vec<RowProblem>,
    total: usize,
    last_row: Option<usize>,
}

impl Problems {
    pub(super) fn new() -> Self {
        Self::default()
    }

    pub(super) fn push(&mut self, p: RowProblem) {
        self.total += 1;
        self.last_row = Some(p.row);
        if self.listed.len() < LISTED_PROBLEMS {
            self.listed.push(p);
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.total == 0
    }

    pub(super) fn any_on(&self, row: usize) -> bool {
        self.last_row == Some(row)
    }

    fn from_file(listed: Vec<RowProblem>) -> Self {
        let mut p = Self::new();
        for x in listed {
            p.push(x);
        }
        p
    }
}

enum Plan {
    Cadres(Vec<CadrePlanRow>),
    Units(Vec<unit::Model>),
    Appointments(Vec<appointment::Model>),
    Measures(Vec<(measure::Model, MeasureCode, InScope<registry::CadreRow>)>),
    Items(Vec<crate::supervision::CheckedItem>),
}

impl Plan {
    fn len(&self) -> usize {
        match self {
            Plan::Cadres(v) => v.len(),
            Plan::Units(v) => v.len(),
            Plan::Appointments(v) => v.len(),
            Plan::Measures(v) => v.len(),
            Plan::Items(v) => v.len(),
        }
    }
}

fn problems_from(t: &Table, row: usize, inv: Invalid, out: &mut Problems) {
    for e in inv.errors {
        out.push(t.problem(row, &e.field, e.message));
    }
}

fn header_label(kind: ImportKind) -> impl Fn(&'static str) -> (&'static str, String) {
    move |f| {
        let h = kind
            .columns()
            .iter()
            .find(|c| c.key == f)
            .map(|c| format!("“{}”", c.header))
            .unwrap_or_else(|| f.to_string());
        (f, h)
    }
}

async fn prepare(app: &App, actor: &Actor, t: &Table, c: &impl ConnectionTrait) -> Result<(Option<Plan>, Problems)> {
    match t.kind {
        ImportKind::Cadres => prepare_cadres(app, actor, t, c).await,
        ImportKind::Units => prepare_units(actor, t, c).await,
        ImportKind::Appointments => prepare_appointments(actor, t, c).await,
        ImportKind::Measures => prepare_measures(app, actor, t, c).await,
        ImportKind::SupervisedItems => prepare_items(app, actor, t, c).await,
    }
}

fn cell_text(t: &Table, cells: &[Cell], row: usize, key: &str, problems: &mut Problems) -> Option<String> {
    match t.text(cells, key) {
        Ok(v) => v,
        Err(p) => {
            let label = t.kind.columns().iter().find(|c| c.key == key).map(|c| c.header).unwrap_or(key);
            problems.push(t.problem(row, key, format!("“{label}”{}", p.message_zh())));
            None
        }
    }
}

/// Units in the actor's scope by full name; a unit outside the scope is
/// looked for and not found, exactly like one that does not exist.
async fn units_by_name(
    c: &impl ConnectionTrait,
    actor: &Actor,
    names: HashSet<String>,
) -> Result<HashMap<String, InScope<UnitRow>>> {
    let names: Vec<String> = names.into_iter().collect();
    Ok(registry::units_by_names(c, &actor.scope, &names).await?.into_iter().map(|u| (u.name.clone(), u)).collect())
}

/// The cadre a row names, looked for in the actor's scope only: by ID number,
/// else by name and birth date. A problem is recorded when none or several
/// match; a cadre outside the scope is not found, and the answer names only
/// what the row itself said.
#[allow(clippy::too_many_arguments)]
async fn find_cadre(
    actor: &Actor,
    t: &Table,
    c: &impl ConnectionTrait,
    row: usize,
    idn: Option<&str>,
    name: Option<&str>,
    birth: Option<&str>,
    problems: &mut Problems,
) -> Result<Option<InScope<registry::CadreRow>>> {
    let cadre = match (idn, name, birth) {
        (Some(i), _, _) => {
            registry::cadres_by_id_numbers(c, &actor.scope, &[i.to_uppercase()]).await?.into_iter().next()
        }
        (None, Some(n), Some(b)) => match text::parse_date(b) {
            Ok(b) => {
                let f = registry::CadreFilter {
                    q: Some(n.to_string()),
                    born_after: Some(b),
                    born_before: Some(b),
                    include_inactive: true,
                    ..Default::default()
                };
                let (rows, _) = registry::list_cadres(c, &actor.scope, &f, registry::CadreSort::Name, 0, 3).await?;
                let mut exact: Vec<_> = rows.into_iter().filter(|r| r.name == n).collect();
                if exact.len() > 1 {
                    problems.push(t.problem(row, "name", format!("“{n}”（{b}）对应多名干部，请填写公民身份号码")));
                    None
                } else {
                    exact.pop()
                }
            }
            Err(p) => {
                problems.push(t.problem(row, "birth_date", format!("“出生日期”{}", p.message_zh())));
                None
            }
        },
        _ => {
            problems.push(t.problem(row, "id_number", "请填写“公民身份号码”，或同时填写“姓名”和“出生日期”".into()));
            return Ok(None);
        }
    };
    if cadre.is_none() && !problems.any_on(row) {
        let who = name.map(|n| format!("“{n}”")).unwrap_or_else(|| "该行所指的干部".into());
        problems.push(t.problem(row, "name", format!("在您的管理范围内找不到{who}，请核对或先导入干部名册")));
    }
    Ok(cadre)
}

fn require_import(actor: &Actor, kind: ImportKind) -> Result<()> {
    if actor.can(kind.permission()) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// Phase one: check the file and keep it with its report.
pub async fn validate(
    app: &App,
    actor: &Actor,
    kind: ImportKind,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<ImportReport> {
    require_import(actor, kind)?;
    let max = app.config().upload_max_bytes;
    if bytes.len() > max {
        return Err(AppError::TooLarge { max_bytes: max });
    }
    let file_name: String = file_name.chars().take(200).collect();
    let (bytes, table) = read_table_off(kind, &file_name, bytes).await?;
    let (rows, problems) = match table {
        Err(p) => (0, Problems::from_file(p)),
        Ok(t) => {
            let (_, p) = prepare(app, actor, &t, app.db().read()).await?;
            (t.rows.len(), p)
        }
    };
    let ok = problems.is_empty();
    let id = Uuid::now_v7();
    let status = if ok { "validated" } else { "rejected" };
    let report = ImportReport {
        batch_id: Some(id),
        kind,
        kind_label: kind.label_zh(),
        file_name: file_name.clone(),
        rows,
        problems_total: problems.total,
        problems: problems.listed,
        ok,
        status: status.into(),
        committed: 0,
    };
    let sha = hex::encode(Sha256::digest(&bytes));
    let tx = app.db().write().await?;
    store_imports::insert(
        &tx,
        import_batch::Model {
            id,
            kind: kind.code().into(),
            file_name: file_name.clone(),
            uploaded_by: actor.user_id.0,
            uploaded_at: Utc::now(),
            status: status.into(),
            row_count: rows as i32,
            error_count: i32::try_from(report.problems_total).unwrap_or(i32::MAX),
            report: serde_json::to_string(&report.problems).unwrap_or_default(),
            content: if ok { bytes } else { Vec::new() },
            sha256: sha.clone(),
            committed_at: None,
        },
    )
    .await?;
    audit::record(
        app,
        &tx,
        actor,
        Event::new("import.validate", "import_batch", id, Place::of_actor(actor)).after(&serde_json::json!({
            "kind": kind.code(), "file_name": file_name, "rows": rows, "problems": report.problems_total, "sha256": sha,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// Phase two: all rows of a validated batch, or none.
pub async fn commit(app: &App, actor: &Actor, batch_id: Uuid) -> Result<ImportReport> {
    if ImportKind::allowed(actor).is_empty() {
        return Err(AppError::Forbidden);
    }
    let tx = app.db().write().await?;
    // Another user's batch is not found: a batch is its uploader's own.
    let b = store_imports::batch(&tx, actor, batch_id).await?.ok_or(AppError::NotFound("导入批次"))?;
    if b.status != "validated" {
        return Err(AppError::Conflict(match b.status.as_str() {
            "committed" => "该批次已经导入过，不能重复提交".into(),
            _ => "该批次未通过校验，不能提交".into(),
        }));
    }
    let kind = ImportKind::parse(&b.kind)?;
    require_import(actor, kind)?;
    let (_, t) = read_table_off(kind, &b.file_name, b.content.clone()).await?;
    let t = t.map_err(|_| AppError::Internal("stored batch unreadable".into()))?;
    let (plan, problems) = prepare(app, actor, &t, &tx).await?;
    let Some(plan) = plan else {
        drop(tx);
        return Ok(ImportReport {
            batch_id: Some(batch_id),
            kind,
            kind_label: kind.label_zh(),
            file_name: b.file_name.clone(),
            rows: t.rows.len(),
            problems_total: problems.total,
            problems: problems.listed,
            ok: false,
            status: "validated".into(),
            committed: 0,
        });
    };
    let n = plan.len();
    match plan {
        Plan::Cadres(rows) => {
            let mut cadres = Vec::with_capacity(rows.len());
            let mut tags = Vec::new();
            let mut appts = Vec::new();
            for r in rows {
                tags.extend(r.tags.iter().map(|t| cadre_tag::Model { cadre_id: r.cadre.id, tag: t.clone() }));
                appts.extend(r.appointment);
                cadres.push(r.cadre);
            }
            registry::insert_cadres(&tx, cadres).await?;
            registry::insert_tags(&tx, tags).await?;
            registry::insert_appointments_of_new_cadres(&tx, appts).await?;
        }
        Plan::Units(units) => {
            for u in units {
                registry::insert_unit(&tx, u).await?;
            }
        }
        Plan::Appointments(appts) => {
            registry::insert_appointments(&tx, appts).await?;
        }
        Plan::Measures(rows) => {
            for (m, code, crow) in rows {
                let book = crate::measures::book_for(app.policy(), &crow);
                crate::measures::record_in(app, &tx, actor, book, m, code, &crow).await?;
            }
        }
        Plan::Items(rows) => {
            for item in rows {
                crate::supervision::insert_item_in(app, &tx, actor, item).await?;
            }
        }
    }
    if !store_imports::set_status(&tx, &b, "validated", "committed", Some(Utc::now())).await? {
        return Err(AppError::Stale);
    }
    audit::record(
        app,
        &tx,
        actor,
        Event::new("import.commit", "import_batch", batch_id, Place::of_actor(actor)).after(&serde_json::json!({
            "kind": kind.code(), "file_name": b.file_name, "rows": n, "sha256": b.sha256,
        })),
    )
    .await?;
    tx.commit().await?;
    if n >= 1000 {
        // Statistics are an optimization: a failure here must not report the
        // committed import as failed.
        if let Err(e) = app.db().analyze(dandang_store::db::REGISTRY_TABLES).await {
            tracing::warn!(error = %e, "analyze after import failed");
        }
    }
    Ok(ImportReport {
        batch_id: Some(batch_id),
        kind,
        kind_label: kind.label_zh(),
        file_name: b.file_name.clone(),
        rows: n,
        problems: vec![],
        problems_total: 0,
        ok: true,
        status: "committed".into(),
        committed: n,
    })
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct BatchView {
    pub id: Uuid,
    pub kind: String,
    pub kind_label: String,
    pub file_name: String,
    pub uploaded_at: String,
    pub status: String,
    pub status_label: &'static str,
    pub rows: i32,
    pub problems: i32,
}

pub async fn recent(app: &App, actor: &Actor) -> Result<Vec<BatchView>> {
    if ImportKind::allowed(actor).is_empty() {
        return Err(AppError::Forbidden);
    }
    Ok(store_imports::recent(app.db().read(), actor, 20)
        .await?
        .into_iter()
        .map(|b| BatchView {
            id: b.id,
            kind_label: ImportKind::parse(&b.kind).map(|k| k.label_zh().to_string()).unwrap_or_default(),
            kind: b.kind,
            file_name: b.file_name,
            uploaded_at: clock::local(b.uploaded_at),
            status_label: match b.status.as_str() {
                "validated" => "待提交",
                "committed" => "已导入",
                _ => "未通过校验",
            },
            status: b.status,
            rows: b.row_count,
            problems: b.error_count,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fuzz corpus (fuzz/corpus/spreadsheet) replayed as the target reads
    /// it: the first byte picks kind and extension. Good files read, crafted
    /// ones are refused with a Chinese reason, none panics.
    #[test]
    fn the_spreadsheet_corpus_reads_or_is_refused() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/spreadsheet");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let data = std::fs::read(&path).unwrap();
            let Some((&pick, bytes)) = data.split_first() else { continue };
            let kind = ImportKind::ALL[pick as usize % ImportKind::ALL.len()];
            let file = if pick & 0x80 == 0 { "名册.xlsx" } else { "名册.xls" };
            let r = read_only(kind, file, bytes);
            match name.as_str() {
                "roster.xlsx" | "roster-units.xlsx" | "cadres.xls" => {
                    assert!(r.as_ref().is_ok_and(|n| *n > 0), "{name}: {r:?}")
                }
                "far-cell.xlsx"
                | "sparse-row.xlsx"
                | "sst-claim.xlsx"
                | "truncated.xls"
                | "not-a-workbook.xlsx"
                | "xls-short-name-record.xls" => {
                    let problems = r.as_ref().expect_err(&name);
                    assert!(problems.iter().all(|p| !p.message.is_ascii()), "{name}: {problems:?}");
                }
                _ => {}
            }
            seen += 1;
        }
        assert!(seen >= 10, "only {seen} files in {}", dir.display());
    }

    #[test]
    fn letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn headers_with_marks_and_aliases() {
        assert_eq!(header_key(ImportKind::Cadres, "*姓名"), Some(0));
        assert_eq!(header_key(ImportKind::Cadres, "身份证号"), Some(3));
        assert_eq!(header_key(ImportKind::Cadres, "出生日期（必填）"), Some(2));
        assert_eq!(header_key(ImportKind::Cadres, "电话"), None);
    }
}
