//! Excel import in two phases. Validation reads the file, checks every row
//! against the registry and the actor's scope, and stores the file with its
//! report. Commit reads the same bytes again inside one write transaction,
//! repeats every check against the data as it is then, and writes all rows or
//! none.

use std::collections::{HashMap, HashSet};
use std::io::Cursor;

use calamine::{Data, Reader, open_workbook_auto_from_rs};
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

/// Rows beyond this are refused before any checking.
pub const MAX_ROWS: usize = 200_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Cadres,
    Units,
    Appointments,
    Measures,
    SupervisedItems,
}

impl ImportKind {
    pub const ALL: [ImportKind; 5] = [
        ImportKind::Cadres,
        ImportKind::Units,
        ImportKind::Appointments,
        ImportKind::Measures,
        ImportKind::SupervisedItems,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ImportKind::Cadres => "cadres",
            ImportKind::Units => "units",
            ImportKind::Appointments => "appointments",
            ImportKind::Measures => "measures",
            ImportKind::SupervisedItems => "supervised_items",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ImportKind::Cadres => "干部名册",
            ImportKind::Units => "单位名册",
            ImportKind::Appointments => "任职经历",
            ImportKind::Measures => "处分处理记录",
            ImportKind::SupervisedItems => "督查事项",
        }
    }

    pub fn parse(s: &str) -> Result<ImportKind> {
        Self::ALL.into_iter().find(|k| k.code() == s || k.label_zh() == s).ok_or_else(|| {
            AppError::invalid(
                "kind",
                "导入类型",
                Problem::Unknown { allowed: Self::ALL.iter().map(|k| k.label_zh().to_string()).collect() },
            )
        })
    }

    pub fn columns(self) -> &'static [Col] {
        match self {
            ImportKind::Cadres => CADRE_COLS,
            ImportKind::Units => UNIT_COLS,
            ImportKind::Appointments => APPOINTMENT_COLS,
            ImportKind::Measures => MEASURE_COLS,
            ImportKind::SupervisedItems => ITEM_COLS,
        }
    }

    /// Registry imports belong to the cadre section; measures to those who record them.
    pub fn permission(self) -> Permission {
        match self {
            ImportKind::Measures => Permission::MeasureWrite,
            ImportKind::SupervisedItems => Permission::SupervisionWrite,
            _ => Permission::RegistryImport,
        }
    }

    /// The kinds this actor may import.
    pub fn allowed(actor: &Actor) -> Vec<ImportKind> {
        ImportKind::ALL.into_iter().filter(|k| actor.can(k.permission())).collect()
    }
}

/// One spreadsheet column: its key, the header users write, accepted
/// alternative headers, and a hint for the template.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Col {
    pub key: &'static str,
    pub header: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
    pub hint: &'static str,
}

const fn col(
    key: &'static str,
    header: &'static str,
    aliases: &'static [&'static str],
    required: bool,
    hint: &'static str,
) -> Col {
    Col { key, header, aliases, required, hint }
}

pub const CADRE_COLS: &[Col] = &[
    col("name", "姓名", &[], true, "不超过 32 个字"),
    col("sex", "性别", &[], true, "男 / 女"),
    col("birth_date", "出生日期", &["出生年月日"], true, "完整日期，如 1978-05-12"),
    col(
        "id_number",
        "公民身份号码",
        &["身份证号", "身份证号码"],
        false,
        "18 位；请将该列设为文本格式，否则 Excel 会丢失后几位",
    ),
    col("ethnicity", "民族", &[], true, "如 汉族、土家族"),
    col("party_join_date", "入党时间", &["入党日期"], false, "非中共党员留空"),
    col("education", "学历", &["最高学历"], false, "研究生 / 大学本科 / 大学专科 / 中专 / 高中及以下"),
    col("degree", "学位", &[], false, "博士 / 硕士 / 学士 / 无"),
    col("unit", "工作单位", &["单位", "单位名称"], true, "须与系统中的单位全称一致"),
    col("title", "现任职务", &["职务"], false, "如 副局长；无领导职务留空"),
    col("tier", "职务层次", &[], false, "省部级 / 厅局级 / 县处级 / 乡科级"),
    col("level", "正副职", &[], false, "正职 / 副职"),
    col("since", "任现职时间", &["任现职日期"], false, "填写现任职务时必填"),
    col("rank", "职级", &[], false, "如 二级调研员"),
    col("managed_by", "管理权限", &[], true, "省管 / 市管 / 县管"),
    col("tags", "经历标签", &[], false, "多个标签用顿号分隔，如 基层工作经历、一线工作经历"),
    col("note", "备注", &[], false, ""),
];

pub const UNIT_COLS: &[Col] = &[
    col("name", "单位名称", &["单位全称"], true, "单位全称，不能与已有单位重名"),
    col("short_name", "单位简称", &["简称"], false, ""),
    col(
        "unit_type",
        "单位类型",
        &[],
        true,
        "党的机关 / 政府机关 / 人大政协机关 / 审判检察机关 / 群团机关 / 事业单位 / 国有企业 / 高等学校",
    ),
    col("jurisdiction_code", "行政区划代码", &["所属行政区划代码"], true, "6 位（县级及以上）或 9 位（乡镇）代码"),
    col("parent", "上级单位", &["上级单位名称"], false, "已有单位或本表前面各行中的单位全称"),
    col("sort_order", "排序号", &[], false, "整数，越小越靠前"),
];

pub const APPOINTMENT_COLS: &[Col] = &[
    col("id_number", "公民身份号码", &["身份证号", "身份证号码"], false, "用于确定干部；为空时按姓名和出生日期确定"),
    col("name", "姓名", &[], true, ""),
    col("birth_date", "出生日期", &[], false, "未填公民身份号码时必填"),
    col("unit", "任职单位", &["单位"], true, "单位全称"),
    col("title", "职务（职级）名称", &["职务", "职务名称"], true, "如 副县长、二级调研员"),
    col("tier", "职务层次", &[], false, "省部级 / 厅局级 / 县处级 / 乡科级"),
    col("level", "正副职", &[], false, "正职 / 副职"),
    col("rank", "职级", &[], false, ""),
    col("start_date", "任职日期", &["任职时间"], true, ""),
    col("end_date", "免职日期", &["免职时间", "离任日期"], false, "仍在任留空"),
    col("reason", "任职原因", &["任职方式"], true, "如 提拔、平职交流、试用期满转正"),
    col("end_reason", "免职原因", &[], false, ""),
    col("document_ref", "任免文号", &["文号"], false, "如 宜组干〔2023〕12号"),
];

pub const MEASURE_COLS: &[Col] = &[
    col("id_number", "公民身份号码", &["身份证号", "身份证号码"], false, "用于确定干部；为空时按姓名和出生日期确定"),
    col("name", "姓名", &[], true, ""),
    col("birth_date", "出生日期", &[], false, "未填公民身份号码时必填"),
    col(
        "kind",
        "措施种类",
        &["种类"],
        true,
        "提醒谈话 / 批评教育 / 责令检查 / 函询 / 书面说明 / 诫勉 / 通报 / 组织处理 / 党纪处分 / 政务处分 / 年度考核",
    ),
    col("type", "具体类型", &["类型", "处分类型"], false, "如 记过、严重警告、免职、基本称职；无细分类型的留空"),
    col("decided_on", "决定日期", &[], true, ""),
    col("effective_on", "生效日期", &[], false, "不填同决定日期"),
    col("deciding_body", "决定机关", &[], true, "如 宜昌市纪委监委"),
    col("basis", "事由和依据", &["事由"], true, "不超过 500 字"),
    col("document_ref", "决定文号", &["文号"], false, ""),
    col("probation_years", "察看年限", &[], false, "留党察看填 1 或 2"),
    col("period_months", "处分期（月）", &[], false, "合并确定政务处分期时填写"),
    col("reply_due", "回复期限", &[], false, "函询、书面说明必填"),
    col("via_accountability", "属于问责", &["问责"], false, "是 / 否"),
];

pub const ITEM_COLS: &[Col] = &[
    col("title", "事项名称", &["督查事项"], true, "不超过 200 字"),
    col("source", "事项来源", &["来源"], true, "会议或文件，如 市委常委会（2026年第12次）、宜办发〔2026〕5号"),
    col("lead_unit", "牵头单位", &[], true, "单位全称"),
    col("co_units", "配合单位", &[], false, "多个单位用顿号分隔"),
    col("principal", "主要负责人", &[], false, ""),
    col("leader_in_charge", "分管负责人", &["分管领导"], false, ""),
    col("direct_responsible", "直接责任人", &[], false, ""),
    col("deadline", "完成时限", &[], true, "日期，如 2026-12-31"),
    col(
        "milestones",
        "节点及时限",
        &["节点"],
        false,
        "每个节点写“名称 日期”，多个节点用分号分隔，如 完成方案 2026-03-31；开工 2026-06-30",
    ),
];

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
    pub problems: Vec<RowProblem>,
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
            format!("发现 {} 个问题，未导入任何数据；请修改后重新上传", self.problems.len())
        }
    }
}

pub fn column_letter(mut idx: usize) -> String {
    let mut s = String::new();
    loop {
        s.insert(0, (b'A' + (idx % 26) as u8) as char);
        if idx < 26 {
            break;
        }
        idx = idx / 26 - 1;
    }
    s
}

#[derive(Clone, Debug)]
enum Cell {
    Empty,
    Text(String),
    Num(f64),
    Date(NaiveDate),
    Bad,
}

struct Table {
    kind: ImportKind,
    /// Sheet column index of each spec column, if present.
    positions: Vec<Option<usize>>,
    rows: Vec<(usize, Vec<Cell>)>,
}

impl Table {
    fn problem(&self, row: usize, key: &str, message: String) -> RowProblem {
        let cols = self.kind.columns();
        let i = cols.iter().position(|c| c.key == key);
        RowProblem {
            row,
            column: i.and_then(|i| self.positions[i]).map(column_letter),
            header: i.map(|i| cols[i].header.to_string()),
            message,
        }
    }

    /// A cell as text: dates in ISO form, whole numbers without ".0".
    fn text(&self, cells: &[Cell], key: &str) -> std::result::Result<Option<String>, Problem> {
        let Some(i) = self.kind.columns().iter().position(|c| c.key == key) else { return Ok(None) };
        match &cells[i] {
            Cell::Empty => Ok(None),
            Cell::Text(s) => Ok(Some(text::normalize(s)).filter(|s| !s.is_empty())),
            Cell::Date(d) => Ok(Some(d.to_string())),
            Cell::Num(f) if key == "id_number" && f.abs() >= 1e15 => Err(Problem::BadFormat {
                expected: "文本格式——该单元格被 Excel 存成了数字，后几位已丢失，请把该列设为文本后重新录入".into(),
            }),
            Cell::Num(f) if f.fract() == 0.0 && f.abs() < 1e15 => Ok(Some(format!("{}", *f as i64))),
            Cell::Num(f) => Ok(Some(f.to_string())),
            Cell::Bad => {
                Err(Problem::BadFormat { expected: "有效值（单元格是公式错误，如 #N/A）".into() })
            }
        }
    }
}

fn header_key(kind: ImportKind, h: &str) -> Option<usize> {
    let clean: String = h
        .replace("（必填）", "")
        .replace("(必填)", "")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '*' && *c != '＊' && *c != '\u{3000}')
        .collect();
    kind.columns().iter().position(|c| c.header == clean || c.aliases.contains(&clean.as_str()))
}

fn read_table(kind: ImportKind, file_name: &str, bytes: &[u8]) -> std::result::Result<Table, Vec<RowProblem>> {
    let file_problem = |m: String| vec![RowProblem { row: 0, column: None, header: None, message: m }];
    let lower = file_name.to_lowercase();
    if !(lower.ends_with(".xlsx") || lower.ends_with(".xls") || lower.ends_with(".xlsm")) {
        return Err(file_problem(format!("文件“{file_name}”不是 Excel 文件，只支持 .xlsx 或 .xls")));
    }
    let mut wb = open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|_| file_problem("无法读取该文件：文件已损坏，或扩展名与实际格式不符".into()))?;
    let range = match wb.worksheet_range_at(0) {
        Some(Ok(r)) => r,
        _ => return Err(file_problem("文件中没有可读取的工作表".into())),
    };
    let (start_row, start_col) = range.start().map(|(r, c)| (r as usize, c as usize)).unwrap_or((0, 0));
    let mut rows = range.rows();
    let Some(header) = rows.next() else { return Err(file_problem("第一个工作表是空的".into())) };
    let cols = kind.columns();
    let mut positions: Vec<Option<usize>> = vec![None; cols.len()];
    let mut problems = Vec::new();
    let mut sheet_to_spec: Vec<Option<usize>> = Vec::new();
    for (i, cell) in header.iter().enumerate() {
        let sheet_col = start_col + i;
        let h = match cell {
            Data::String(s) => s.trim().to_string(),
            Data::Empty => {
                sheet_to_spec.push(None);
                continue;
            }
            other => other.to_string(),
        };
        if h.is_empty() {
            sheet_to_spec.push(None);
            continue;
        }
        match header_key(kind, &h) {
            Some(k) if positions[k].is_some() => {
                problems.push(RowProblem {
                    row: start_row + 1,
                    column: Some(column_letter(sheet_col)),
                    header: Some(h.clone()),
                    message: format!("列名“{h}”重复出现"),
                });
                sheet_to_spec.push(None);
            }
            Some(k) => {
                positions[k] = Some(sheet_col);
                sheet_to_spec.push(Some(k));
            }
            None => {
                problems.push(RowProblem {
                    row: start_row + 1,
                    column: Some(column_letter(sheet_col)),
                    header: Some(h.clone()),
                    message: format!(
                        "列名“{h}”无法识别。{}可用的列名：{}",
                        kind.label_zh(),
                        cols.iter().map(|c| c.header).collect::<Vec<_>>().join("、")
                    ),
                });
                sheet_to_spec.push(None);
            }
        }
    }
    for (i, c) in cols.iter().enumerate() {
        if c.required && positions[i].is_none() {
            problems.push(RowProblem {
                row: start_row + 1,
                column: None,
                header: Some(c.header.into()),
                message: format!("缺少必需的列“{}”", c.header),
            });
        }
    }
    if !problems.is_empty() {
        // Headers of another kind of sheet: say so once, first.
        let headers: Vec<String> = header.iter().map(|c| c.to_string()).collect();
        if let Some(other) = ImportKind::ALL.into_iter().filter(|k| *k != kind).find(|k| {
            let hits = headers.iter().filter(|h| header_key(*k, h).is_some()).count();
            hits * 2 > headers.iter().filter(|h| !h.trim().is_empty()).count()
        }) {
            problems.insert(
                0,
                RowProblem {
                    row: start_row + 1,
                    column: None,
                    header: None,
                    message: format!(
                        "这些列名属于“{}”，而选择的导入内容是“{}”：请确认是否选错了导入内容",
                        other.label_zh(),
                        kind.label_zh()
                    ),
                },
            );
        }
        return Err(problems);
    }
    let mut out = Vec::new();
    for (n, row) in rows.enumerate() {
        let excel_row = start_row + n + 2;
        let mut cells = vec![Cell::Empty; cols.len()];
        let mut any = false;
        for (i, cell) in row.iter().enumerate() {
            let Some(Some(k)) = sheet_to_spec.get(i) else { continue };
            let c = match cell {
                Data::Empty => Cell::Empty,
                Data::String(s) if s.trim().is_empty() => Cell::Empty,
                Data::String(s) => Cell::Text(s.clone()),
                Data::Int(v) => Cell::Num(*v as f64),
                Data::Float(v) => Cell::Num(*v),
                Data::Bool(b) => Cell::Text(if *b { "是".into() } else { "否".into() }),
                Data::DateTime(dt) => match dt.as_datetime() {
                    Some(x) => Cell::Date(x.date()),
                    None => Cell::Bad,
                },
                Data::DateTimeIso(s) => Cell::Text(s.chars().take(10).collect()),
                Data::DurationIso(s) => Cell::Text(s.clone()),
                Data::Error(_) => Cell::Bad,
            };
            if !matches!(c, Cell::Empty) {
                any = true;
            }
            cells[*k] = c;
        }
        if any {
            out.push((excel_row, cells));
        }
        if out.len() > MAX_ROWS {
            return Err(file_problem(format!("数据超过 {MAX_ROWS} 行，请分批导入")));
        }
    }
    if out.is_empty() {
        return Err(file_problem("表头下面没有任何数据行".into()));
    }
    Ok(Table { kind, positions, rows: out })
}

struct CadrePlanRow {
    cadre: cadre::Model,
    tags: Vec<String>,
    appointment: Option<appointment::Model>,
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

fn problems_from(t: &Table, row: usize, inv: Invalid, out: &mut Vec<RowProblem>) {
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

async fn prepare(
    app: &App,
    actor: &Actor,
    t: &Table,
    c: &impl ConnectionTrait,
) -> Result<(Option<Plan>, Vec<RowProblem>)> {
    match t.kind {
        ImportKind::Cadres => prepare_cadres(app, actor, t, c).await,
        ImportKind::Units => prepare_units(actor, t, c).await,
        ImportKind::Appointments => prepare_appointments(actor, t, c).await,
        ImportKind::Measures => prepare_measures(app, actor, t, c).await,
        ImportKind::SupervisedItems => prepare_items(app, actor, t, c).await,
    }
}

fn cell_text(t: &Table, cells: &[Cell], row: usize, key: &str, problems: &mut Vec<RowProblem>) -> Option<String> {
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

async fn prepare_cadres(
    app: &App,
    actor: &Actor,
    t: &Table,
    c: &impl ConnectionTrait,
) -> Result<(Option<Plan>, Vec<RowProblem>)> {
    let today = clock::today();
    let mut problems = Vec::new();
    let mut unit_names = HashSet::new();
    let mut id_numbers = Vec::new();
    for (_, cells) in &t.rows {
        if let Ok(Some(u)) = t.text(cells, "unit") {
            unit_names.insert(u);
        }
        if let Ok(Some(i)) = t.text(cells, "id_number") {
            id_numbers.push(i.to_uppercase());
        }
    }
    let units = units_by_name(c, actor, unit_names).await?;
    let existing: HashSet<String> = registry::id_numbers_taken(c, &id_numbers, None).await?.into_iter().collect();
    let mut seen_ids: HashMap<String, usize> = HashMap::new();
    let mut tag_cache: HashMap<String, Vec<(String, String)>> = HashMap::new();
    let label = header_label(t.kind);
    let mut plan = Vec::with_capacity(t.rows.len());
    for (row, cells) in &t.rows {
        let row = *row;
        let mut get = |k: &str| cell_text(t, cells, row, k, &mut problems);
        let (name, sex, birth, idn, eth, party, edu, deg, rank, managed, note) = (
            get("name"),
            get("sex"),
            get("birth_date"),
            get("id_number"),
            get("ethnicity"),
            get("party_join_date"),
            get("education"),
            get("degree"),
            get("rank"),
            get("managed_by"),
            get("note"),
        );
        let (unit_name, title, tier, level, since, tags) =
            (get("unit"), get("title"), get("tier"), get("level"), get("since"), get("tags"));
        let raw = RawCadre {
            name: name.as_deref().unwrap_or(""),
            sex: sex.as_deref().unwrap_or(""),
            birth_date: birth.as_deref().unwrap_or(""),
            id_number: idn.as_deref(),
            ethnicity: eth.as_deref().unwrap_or(""),
            party_join_date: party.as_deref(),
            education: edu.as_deref(),
            degree: deg.as_deref(),
            rank: rank.as_deref(),
            managed_by: managed.as_deref().unwrap_or(""),
            note: note.as_deref(),
        };
        let mut inv = Invalid::new();
        let fields = parse_fields(&raw, today, &mut inv, &label);
        problems_from(t, row, inv, &mut problems);
        let unit = match unit_name.as_deref() {
            None => {
                problems.push(t.problem(row, "unit", "“工作单位”不能为空".into()));
                None
            }
            Some(u) => match units.get(u) {
                None => {
                    problems.push(t.problem(
                        row,
                        "unit",
                        format!("“工作单位”在您的管理范围内找不到单位“{u}”，请核对全称或先建立该单位"),
                    ));
                    None
                }
                Some(x) => Some(x),
            },
        };
        if let Some(f) = &fields {
            if !actor.scope.managed_by.contains(&f.managed_by) {
                problems.push(t.problem(row, "managed_by", format!("您无权录入“{}”干部", f.managed_by.label_zh())));
            }
            if let Some(idn) = &f.id_number {
                if let Some(first) = seen_ids.get(idn.as_str()) {
                    problems.push(t.problem(
                        row,
                        "id_number",
                        format!("“公民身份号码”{}", Problem::DuplicateInFile { first_row: *first }.message_zh()),
                    ));
                } else {
                    seen_ids.insert(idn.as_str().to_string(), row);
                }
                if existing.contains(idn.as_str()) {
                    problems.push(t.problem(
                        row,
                        "id_number",
                        format!("“公民身份号码”{}", crate::registry::cadres::id_number_taken().message_zh()),
                    ));
                }
            }
        }
        let mut tag_codes = Vec::new();
        if let (Some(tags), Some(u)) = (&tags, unit) {
            let known = tag_cache.entry(u.jurisdiction_code.clone()).or_insert_with(|| {
                let pack = app.policy().pack_for(&u.jurisdiction_code);
                app.policy().experience_tags(pack, today)
            });
            for tag in tags.split(['、', ',', '，', ';', '；']).map(str::trim).filter(|s| !s.is_empty()) {
                match known.iter().find(|(code, title)| code == tag || title == tag) {
                    Some((code, _)) if !tag_codes.contains(code) => tag_codes.push(code.clone()),
                    Some(_) => {}
                    None => problems.push(t.problem(
                        row,
                        "tags",
                        format!(
                            "“经历标签”中的“{tag}”不在本地规则包的标签清单中，可选：{}",
                            known.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>().join("、")
                        ),
                    )),
                }
            }
        }
        let mut appt_parts = None;
        match (&title, &since) {
            (None, Some(_)) => problems.push(t.problem(row, "title", "填写了“任现职时间”但“现任职务”为空".into())),
            (Some(_), None) => problems.push(t.problem(row, "since", "填写“现任职务”时“任现职时间”不能为空".into())),
            (Some(title), Some(since)) => {
                let d = text::parse_date(since).and_then(|d| text::not_future(d, today));
                let tier = tier.as_deref().map(Tier::parse).transpose();
                let level = level.as_deref().map(PostLevel::parse).transpose();
                match (&d, &tier, &level) {
                    (Ok(d), Ok(tier), Ok(level)) => {
                        if fields.as_ref().is_some_and(|f| *d <= f.birth_date) {
                            problems.push(t.problem(row, "since", "“任现职时间”不能早于出生日期".into()));
                        } else if title.chars().count() > 64 {
                            problems.push(t.problem(row, "title", "“现任职务”不能超过 64 个字".into()));
                        } else {
                            appt_parts = Some((title.clone(), *d, *tier, *level));
                        }
                    }
                    _ => {
                        if let Err(p) = d {
                            problems.push(t.problem(row, "since", format!("“任现职时间”{}", p.message_zh())));
                        }
                        if let Err(p) = tier {
                            problems.push(t.problem(row, "tier", format!("“职务层次”{}", p.message_zh())));
                        }
                        if let Err(p) = level {
                            problems.push(t.problem(row, "level", format!("“正副职”{}", p.message_zh())));
                        }
                    }
                }
            }
            (None, None) => {
                if tier.is_some() || level.is_some() {
                    problems.push(t.problem(row, "title", "填写了“职务层次”或“正副职”但“现任职务”为空".into()));
                }
            }
        }
        if !problems.is_empty() {
            continue;
        }
        let (f, u) = (fields.expect("no problems"), unit.expect("no problems"));
        let id = CadreId::new().0;
        let mut m = new_model(id, &f, u.id);
        if let Some((_, _, tier, level)) = &appt_parts {
            m.post_rank = dandang_domain::registry::post_rank(*tier, *level);
        }
        let appointment = appt_parts.map(|(title, since, tier, level)| appointment::Model {
            id: Uuid::now_v7(),
            cadre_id: id,
            unit_id: u.id,
            post_id: None,
            title,
            tier: tier.map(|x| x.code().into()),
            level: level.map(|x| x.code().into()),
            rank: None,
            start_date: since,
            end_date: None,
            reason: "名册导入（现任）".into(),
            end_reason: None,
            document_ref: None,
            created_at: Utc::now(),
        });
        plan.push(CadrePlanRow { cadre: m, tags: tag_codes, appointment });
    }
    if problems.is_empty() { Ok((Some(Plan::Cadres(plan)), problems)) } else { Ok((None, problems)) }
}

async fn prepare_units(actor: &Actor, t: &Table, c: &impl ConnectionTrait) -> Result<(Option<Plan>, Vec<RowProblem>)> {
    let mut problems = Vec::new();
    let mut names = HashSet::new();
    for (_, cells) in &t.rows {
        for k in ["name", "parent"] {
            if let Ok(Some(n)) = t.text(cells, k) {
                names.insert(n);
            }
        }
    }
    // Unit names are public and unique across the deployment; parents must be in scope.
    let wanted: Vec<String> = names.iter().cloned().collect();
    let taken: HashSet<String> = registry::unit_names_taken(c, &wanted).await?.into_iter().collect();
    let existing = units_by_name(c, actor, names).await?;
    let mut in_file: HashMap<String, (usize, unit::Model, String)> = HashMap::new();
    let mut juris_cache: HashMap<String, Option<dandang_store::entity::jurisdiction::Model>> = HashMap::new();
    let mut plan = Vec::new();
    for (row, cells) in &t.rows {
        let row = *row;
        let mut get = |k: &str| cell_text(t, cells, row, k, &mut problems);
        let (name, short, kind, code, parent, order) = (
            get("name"),
            get("short_name"),
            get("unit_type"),
            get("jurisdiction_code"),
            get("parent"),
            get("sort_order"),
        );
        let mut inv = Invalid::new();
        let name = inv.take("name", "“单位名称”", text::required(name.as_deref().unwrap_or(""), 128));
        let short = inv.take("short_name", "“单位简称”", text::optional(short.as_deref(), 64));
        let kind = inv.take("unit_type", "“单位类型”", UnitType::parse(kind.as_deref().unwrap_or("")));
        let order = inv.take(
            "sort_order",
            "“排序号”",
            match order.as_deref() {
                None => Ok(0),
                Some(s) => s.parse::<i32>().map_err(|_| Problem::BadFormat { expected: "整数".into() }),
            },
        );
        problems_from(t, row, inv, &mut problems);
        let j = match code.as_deref() {
            None => {
                problems.push(t.problem(row, "jurisdiction_code", "“行政区划代码”不能为空".into()));
                None
            }
            Some(code) => {
                if !juris_cache.contains_key(code) {
                    let j = registry::jurisdiction_by_code(c, &actor.scope, code).await?.map(InScope::into_inner);
                    juris_cache.insert(code.to_string(), j);
                }
                match juris_cache.get(code).cloned().flatten() {
                    None => {
                        problems.push(t.problem(
                            row,
                            "jurisdiction_code",
                            format!("“行政区划代码”{code} 不在您的管理范围内的行政区划中"),
                        ));
                        None
                    }
                    Some(j) => Some(j),
                }
            }
        };
        if let Some(n) = &name {
            if taken.contains(n) {
                problems.push(t.problem(row, "name", format!("单位“{n}”已存在于系统中")));
            }
            if let Some((first, _, _)) = in_file.get(n) {
                problems.push(t.problem(row, "name", format!("单位“{n}”与本文件第 {first} 行重复")));
            }
        }
        // A parent comes from the registry or from an earlier row of the file.
        let parent_ref: Option<(Uuid, String, String)> = match parent.as_deref() {
            None => None,
            Some(p) => {
                if let Some((_, m, jpath)) = in_file.get(p) {
                    Some((m.id, m.path.clone(), jpath.clone()))
                } else if let Some(u) = existing.get(p) {
                    Some((u.id, u.path.clone(), u.jurisdiction_path.clone()))
                } else {
                    problems.push(t.problem(
                        row,
                        "parent",
                        format!("“上级单位”找不到“{p}”（须为已有单位或本文件前面行中的单位）"),
                    ));
                    None
                }
            }
        };
        let (Some(name), Some(kind), Some(order), Some(j)) = (name, kind, order, j) else { continue };
        if let Some((_, _, pj)) = &parent_ref
            && !j.path.starts_with(pj.as_str())
        {
            problems.push(t.problem(row, "parent", "“上级单位”须位于同一行政区划或其上级".into()));
            continue;
        }
        let id = UnitId::new();
        let path = unit_path(parent_ref.as_ref().map(|(_, p, _)| p.as_str()), &id);
        if !actor.scope.covers_unit(&j.path, &path) {
            problems.push(t.problem(row, "parent", "该单位不在您的管理范围内".into()));
            continue;
        }
        let now = Utc::now();
        let m = unit::Model {
            id: id.0,
            name: name.clone(),
            short_name: short.flatten(),
            unit_type: kind.code().into(),
            jurisdiction_id: j.id,
            parent_id: parent_ref.map(|(id, _, _)| id),
            path,
            sort_order: order,
            active: true,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        in_file.insert(name, (row, m.clone(), j.path.clone()));
        plan.push(m);
    }
    if problems.is_empty() { Ok((Some(Plan::Units(plan)), problems)) } else { Ok((None, problems)) }
}

async fn prepare_appointments(
    actor: &Actor,
    t: &Table,
    c: &impl ConnectionTrait,
) -> Result<(Option<Plan>, Vec<RowProblem>)> {
    let today = clock::today();
    let mut problems = Vec::new();
    let mut unit_names = HashSet::new();
    for (_, cells) in &t.rows {
        if let Ok(Some(u)) = t.text(cells, "unit") {
            unit_names.insert(u);
        }
    }
    let units = units_by_name(c, actor, unit_names).await?;
    let mut plan = Vec::new();
    for (row, cells) in &t.rows {
        let row = *row;
        let mut get = |k: &str| cell_text(t, cells, row, k, &mut problems);
        let (idn, name, birth, unit_name, title, tier, level, rank, start, end, reason, end_reason, docref) = (
            get("id_number"),
            get("name"),
            get("birth_date"),
            get("unit"),
            get("title"),
            get("tier"),
            get("level"),
            get("rank"),
            get("start_date"),
            get("end_date"),
            get("reason"),
            get("end_reason"),
            get("document_ref"),
        );
        let mut inv = Invalid::new();
        let title = inv.take("title", "“职务（职级）名称”", text::required(title.as_deref().unwrap_or(""), 64));
        let tier = inv.take("tier", "“职务层次”", tier.as_deref().map(Tier::parse).transpose());
        let level = inv.take("level", "“正副职”", level.as_deref().map(PostLevel::parse).transpose());
        let rank = inv.take("rank", "“职级”", rank.as_deref().map(Rank::parse).transpose());
        let start = inv.take(
            "start_date",
            "“任职日期”",
            text::parse_date(start.as_deref().unwrap_or("")).and_then(|d| text::not_future(d, today)),
        );
        let end = inv.take(
            "end_date",
            "“免职日期”",
            text::parse_optional_date(end.as_deref()).and_then(|d| match d {
                Some(d) => text::not_future(d, today).map(Some),
                None => Ok(None),
            }),
        );
        let reason = inv.take("reason", "“任职原因”", text::required(reason.as_deref().unwrap_or(""), 64));
        let end_reason = inv.take("end_reason", "“免职原因”", text::optional(end_reason.as_deref(), 64));
        let docref = inv.take("document_ref", "“任免文号”", text::optional(docref.as_deref(), 64));
        if let (Some(s), Some(Some(e))) = (start, end)
            && e < s
        {
            inv.push("end_date", "“免职日期”", Problem::DateOrder { earlier: "任职日期".into() });
        }
        problems_from(t, row, inv, &mut problems);
        let Some(crow) =
            find_cadre(actor, t, c, row, idn.as_deref(), name.as_deref(), birth.as_deref(), &mut problems).await?
        else {
            continue;
        };
        let cadre_id = crow.id;
        let unit = match unit_name.as_deref().and_then(|u| units.get(u)) {
            Some(u) => u,
            None => {
                problems.push(t.problem(
                    row,
                    "unit",
                    format!("“任职单位”在您的管理范围内找不到单位“{}”", unit_name.as_deref().unwrap_or("")),
                ));
                continue;
            }
        };
        let (
            Some(title),
            Some(tier),
            Some(level),
            Some(rank),
            Some(start),
            Some(end),
            Some(reason),
            Some(end_reason),
            Some(docref),
        ) = (title, tier, level, rank, start, end, reason, end_reason, docref)
        else {
            continue;
        };
        plan.push(appointment::Model {
            id: Uuid::now_v7(),
            cadre_id,
            unit_id: unit.id,
            post_id: None,
            title,
            tier: tier.map(|x| x.code().into()),
            level: level.map(|x| x.code().into()),
            rank: rank.map(|x| x.code().into()),
            start_date: start,
            end_date: end,
            reason,
            end_reason: if end.is_some() { end_reason } else { None },
            document_ref: docref,
            created_at: Utc::now(),
        });
    }
    if problems.is_empty() { Ok((Some(Plan::Appointments(plan)), problems)) } else { Ok((None, problems)) }
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
    problems: &mut Vec<RowProblem>,
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
    if cadre.is_none() && problems.iter().all(|p| p.row != row) {
        let who = name.map(|n| format!("“{n}”")).unwrap_or_else(|| "该行所指的干部".into());
        problems.push(t.problem(row, "name", format!("在您的管理范围内找不到{who}，请核对或先导入干部名册")));
    }
    Ok(cadre)
}

async fn prepare_measures(
    app: &App,
    actor: &Actor,
    t: &Table,
    c: &impl ConnectionTrait,
) -> Result<(Option<Plan>, Vec<RowProblem>)> {
    let today = clock::today();
    let mut problems = Vec::new();
    let mut plan = Vec::new();
    for (row, cells) in &t.rows {
        let row = *row;
        let mut get = |k: &str| cell_text(t, cells, row, k, &mut problems);
        let (idn, name, birth) = (get("id_number"), get("name"), get("birth_date"));
        let input = crate::measures::MeasureInput {
            kind: get("kind").unwrap_or_default(),
            measure_type: get("type"),
            decided_on: get("decided_on").unwrap_or_default(),
            effective_on: get("effective_on"),
            deciding_body: get("deciding_body").unwrap_or_default(),
            basis: get("basis").unwrap_or_default(),
            document_ref: get("document_ref"),
            probation_years: get("probation_years"),
            period_months: get("period_months"),
            via_accountability: false,
            tolerance_check: None,
            reply_due: get("reply_due"),
        };
        let via = match get("via_accountability").as_deref().map(str::trim) {
            None | Some("") | Some("否") => false,
            Some("是") => true,
            Some(_) => {
                problems.push(t.problem(row, "via_accountability", "“属于问责”只能填“是”或“否”".into()));
                false
            }
        };
        let Some(crow) =
            find_cadre(actor, t, c, row, idn.as_deref(), name.as_deref(), birth.as_deref(), &mut problems).await?
        else {
            continue;
        };
        let book = crate::measures::book_for(app.policy(), &crow);
        match crate::measures::parse_input(book, &input, today) {
            Ok(p) => {
                let m = crate::measures::new_model(&p, &crow, via, actor, "import", None, book);
                plan.push((m, p.code, crow));
            }
            Err(inv) => problems_from(t, row, inv, &mut problems),
        }
    }
    if problems.is_empty() { Ok((Some(Plan::Measures(plan)), problems)) } else { Ok((None, problems)) }
}

/// "完成方案 2026-03-31；开工 2026-06-30" → milestones; the date is the last word.
fn parse_milestones(s: &str) -> std::result::Result<Vec<crate::supervision::MilestoneInput>, String> {
    s.split(['；', ';', '\n'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(|part| match part.rsplit_once(char::is_whitespace) {
            Some((title, due)) if !title.trim().is_empty() => {
                Ok(crate::supervision::MilestoneInput { title: title.trim().into(), due: due.trim().into() })
            }
            _ => Err(format!("“节点及时限”中的“{part}”应写成“名称 日期”")),
        })
        .collect()
}

async fn prepare_items(
    app: &App,
    actor: &Actor,
    t: &Table,
    c: &impl ConnectionTrait,
) -> Result<(Option<Plan>, Vec<RowProblem>)> {
    let split = |s: &str| -> Vec<String> {
        s.split(['、', '，', ',', '；', ';']).map(str::trim).filter(|x| !x.is_empty()).map(String::from).collect()
    };
    let mut names = HashSet::new();
    let mut scratch = Vec::new();
    for (row, cells) in &t.rows {
        names.extend(cell_text(t, cells, *row, "lead_unit", &mut scratch));
        names.extend(cell_text(t, cells, *row, "co_units", &mut scratch).map(|s| split(&s)).unwrap_or_default());
    }
    let units = units_by_name(c, actor, names).await?;
    let now = Utc::now();
    let mut problems = Vec::new();
    let mut plan = Vec::new();
    for (row, cells) in &t.rows {
        let row = *row;
        let mut get = |k: &str| cell_text(t, cells, row, k, &mut problems);
        let (lead, co) = (get("lead_unit"), get("co_units"));
        let mut input = crate::supervision::ItemInput {
            title: get("title").unwrap_or_default(),
            source: get("source").unwrap_or_default(),
            lead_unit_id: Uuid::nil(),
            co_unit_ids: vec![],
            responsible: crate::supervision::ResponsibleInput {
                principal: get("principal"),
                leader_in_charge: get("leader_in_charge"),
                direct_responsible: get("direct_responsible"),
            },
            deadline: get("deadline").unwrap_or_default(),
            milestones: vec![],
        };
        let ms = get("milestones");
        let mut bad = false;
        match lead.as_deref().map(|n| units.get(n)) {
            Some(Some(u)) => input.lead_unit_id = u.id,
            Some(None) => {
                problems.push(t.problem(
                    row,
                    "lead_unit",
                    format!("在您的管理范围内找不到单位“{}”", lead.unwrap_or_default()),
                ));
                bad = true;
            }
            None => {
                problems.push(t.problem(row, "lead_unit", "“牵头单位”必填".into()));
                bad = true;
            }
        }
        for n in co.as_deref().map(split).unwrap_or_default() {
            match units.get(&n) {
                Some(u) => input.co_unit_ids.push(u.id),
                None => {
                    problems.push(t.problem(row, "co_units", format!("在您的管理范围内找不到单位“{n}”")));
                    bad = true;
                }
            }
        }
        match ms.as_deref().map(parse_milestones) {
            Some(Ok(v)) => input.milestones = v,
            Some(Err(m)) => {
                problems.push(t.problem(row, "milestones", m));
                bad = true;
            }
            None => {}
        }
        if bad {
            continue;
        }
        match crate::supervision::check_item(app, actor, &input, now).await {
            Ok(x) => plan.push(x),
            Err(AppError::Invalid(inv)) => {
                for e in inv.errors {
                    let key = match e.field.as_str() {
                        "lead_unit_id" => "lead_unit",
                        f if f.starts_with("co_unit_ids") => "co_units",
                        f if f.starts_with("milestones") => "milestones",
                        f => f.strip_prefix("responsible.").unwrap_or(f),
                    };
                    problems.push(t.problem(row, key, e.message));
                }
            }
            Err(e) => return Err(e),
        }
    }
    if problems.is_empty() { Ok((Some(Plan::Items(plan)), problems)) } else { Ok((None, problems)) }
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
    let (rows, problems) = match read_table(kind, &file_name, &bytes) {
        Err(p) => (0, p),
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
        problems,
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
            error_count: report.problems.len() as i32,
            report: serde_json::to_string(&report.problems).unwrap_or_default(),
            content: if ok { bytes } else { Vec::new() },
            sha256: sha.clone(),
            committed_at: None,
        },
    )
    .await?;
    audit::record(
        &tx,
        actor,
        Event::new("import.validate", "import_batch", id, Place::of_actor(actor)).after(&serde_json::json!({
            "kind": kind.code(), "file_name": file_name, "rows": rows, "problems": report.problems.len(), "sha256": sha,
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
    let t =
        read_table(kind, &b.file_name, &b.content).map_err(|_| AppError::Internal("stored batch unreadable".into()))?;
    let (plan, problems) = prepare(app, actor, &t, &tx).await?;
    let Some(plan) = plan else {
        drop(tx);
        return Ok(ImportReport {
            batch_id: Some(batch_id),
            kind,
            kind_label: kind.label_zh(),
            file_name: b.file_name.clone(),
            rows: t.rows.len(),
            problems,
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
            registry::insert_appointments(&tx, appts).await?;
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
                crate::measures::record_in(&tx, actor, book, m, code, &crow).await?;
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

/// A blank template: the headers on the first sheet, hints on the second.
/// The blank workbook for one kind, for those who may import it.
pub fn template(actor: &Actor, kind: ImportKind) -> Result<Vec<u8>> {
    crate::access::require(actor, kind.permission())?;
    let cols = kind.columns();
    let headers: Vec<String> = cols.iter().map(|c| c.header.to_string()).collect();
    let hints: Vec<Vec<String>> = cols
        .iter()
        .map(|c| vec![c.header.to_string(), if c.required { "必填".into() } else { "选填".into() }, c.hint.to_string()])
        .collect();
    crate::exports::workbook(&[
        crate::exports::SheetData {
            name: kind.label_zh().into(),
            headers,
            rows: vec![],
            text_columns: text_cols(kind),
        },
        crate::exports::SheetData {
            name: "填写说明".into(),
            headers: vec!["列名".into(), "是否必填".into(), "说明".into()],
            rows: hints,
            text_columns: vec![],
        },
    ])
}

/// Columns forced to text format so Excel keeps ID numbers and codes intact.
pub fn text_cols(kind: ImportKind) -> Vec<usize> {
    kind.columns()
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c.key, "id_number" | "jurisdiction_code"))
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
