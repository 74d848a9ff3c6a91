//! Reading an uploaded workbook into a bounded table of cells, with every
//! header and shape problem named by row and column.

use super::*;

#[derive(Clone, Debug)]
pub(super) enum Cell {
    Empty,
    Text(String),
    Num(f64),
    Date(NaiveDate),
    Bad,
}

pub(super) struct Table {
    pub(super) kind: ImportKind,
    /// Sheet column index of each spec column, if present.
    pub(super) positions: Vec<Option<usize>>,
    pub(super) rows: Vec<(usize, Vec<Cell>)>,
}

impl Table {
    pub(super) fn problem(&self, row: usize, key: &str, message: String) -> RowProblem {
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
    pub(super) fn text(&self, cells: &[Cell], key: &str) -> std::result::Result<Option<String>, Problem> {
        let Some(i) = self.kind.columns().iter().position(|c| c.key == key) else { return Ok(None) };
        match &cells[i] {
            Cell::Empty => Ok(None),
            Cell::Text(s) => {
                text::check_chars(s)?;
                Ok(Some(text::normalize(s)).filter(|s| !s.is_empty()))
            }
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

pub(super) fn header_key(kind: ImportKind, h: &str) -> Option<usize> {
    let clean: String = h
        .replace("（必填）", "")
        .replace("(必填)", "")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '*' && *c != '＊' && *c != '\u{3000}')
        .collect();
    kind.columns().iter().position(|c| c.header == clean || c.aliases.contains(&clean.as_str()))
}

/// One non-empty cell of the first sheet, 0-based.
struct SheetCell {
    row: u32,
    col: u32,
    value: Data,
}

/// The first sheet's non-empty cells in row order, from a workbook already
/// within [`bounds::BOUNDS`]. An .xlsx is streamed cell by cell (never a dense
/// grid); an .xls is small by construction (65,536 rows, its declared range
/// bounded) and read whole by the library.
///
/// The readers are a library's; a record it does not expect can make it panic
/// (the fuzz target found an index out of bounds in calamine's .xls name
/// records). That is contained here and answered as a damaged file: whatever
/// was read is dropped with it.
fn for_each_cell(
    format: bounds::Format,
    bytes: &[u8],
    mut f: impl FnMut(SheetCell) -> std::ops::ControlFlow<Vec<RowProblem>>,
) -> std::result::Result<(), Vec<RowProblem>> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| cells_of(format, bytes, &mut f)))
        .unwrap_or_else(|_| Err(vec![damaged_file()]))
}

fn damaged_file() -> RowProblem {
    RowProblem {
        row: 0,
        column: None,
        header: None,
        message: "无法读取该文件：文件已损坏，或扩展名与实际格式不符".into(),
    }
}

fn cells_of(
    format: bounds::Format,
    bytes: &[u8],
    f: &mut impl FnMut(SheetCell) -> std::ops::ControlFlow<Vec<RowProblem>>,
) -> std::result::Result<(), Vec<RowProblem>> {
    use std::ops::ControlFlow::Break;
    let file_problem = |m: &str| vec![RowProblem { row: 0, column: None, header: None, message: m.into() }];
    let damaged = || vec![damaged_file()];
    let no_sheet = || file_problem("文件中没有可读取的工作表");
    let b = &bounds::BOUNDS;
    let out_of_bounds = |row: u32, col: u32| {
        let m = if row >= b.rows {
            format!(
                "单元格 {}{} 超出上限（{} 行）：请删除多余的行后另存再导入",
                column_letter(col as usize),
                row as u64 + 1,
                b.rows
            )
        } else {
            format!(
                "单元格 {}{} 超出上限（{} 列）：请删除多余的列后另存再导入",
                column_letter(col as usize),
                row as u64 + 1,
                b.cols
            )
        };
        file_problem(&m)
    };
    match format {
        bounds::Format::Xlsx => {
            let mut wb = calamine::Xlsx::new(Cursor::new(bytes)).map_err(|_| damaged())?;
            let Some(name) = wb.sheet_names().first().cloned() else { return Err(no_sheet()) };
            let mut cells = wb.worksheet_cells_reader(&name).map_err(|_| no_sheet())?;
            let mut last_row = 0u32;
            while let Some(c) = cells.next_cell().map_err(|_| damaged())? {
                if matches!(c.get_value(), calamine::DataRef::Empty) {
                    continue;
                }
                let (row, col) = c.get_position();
                if row >= b.rows || col >= b.cols {
                    return Err(out_of_bounds(row, col));
                }
                if row < last_row {
                    return Err(file_problem("工作表中的行顺序异常：请用 Excel 或 WPS 打开后另存再导入"));
                }
                last_row = row;
                if let Break(p) = f(SheetCell { row, col, value: Data::from(c.get_value().clone()) }) {
                    return Err(p);
                }
            }
        }
        bounds::Format::Xls => {
            let mut wb = calamine::Xls::new(Cursor::new(bytes)).map_err(|_| damaged())?;
            let range = match wb.worksheet_range_at(0) {
                Some(Ok(r)) => r,
                _ => return Err(no_sheet()),
            };
            for (r, c, v) in range.used_cells() {
                let (row, col) = range.start().map(|(r0, c0)| (r0 + r as u32, c0 + c as u32)).unwrap_or_default();
                if row >= b.rows || col >= b.cols {
                    return Err(out_of_bounds(row, col));
                }
                if let Break(p) = f(SheetCell { row, col, value: v.clone() }) {
                    return Err(p);
                }
            }
        }
    }
    Ok(())
}

fn cell_of(d: &Data) -> Cell {
    match d {
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
    }
}

/// Where each spec column sits in the sheet, and which spec column each
/// sheet column feeds.
type HeaderMap = (Vec<Option<usize>>, HashMap<u32, usize>);

/// The header row's problems: unknown and duplicate columns, required ones
/// missing, and a hint when the headers belong to another kind of sheet.
fn read_header(
    kind: ImportKind,
    header_row: u32,
    header: &std::collections::BTreeMap<u32, Data>,
) -> std::result::Result<HeaderMap, Vec<RowProblem>> {
    let cols = kind.columns();
    let mut positions: Vec<Option<usize>> = vec![None; cols.len()];
    let mut sheet_to_spec = HashMap::new();
    let mut problems = Vec::new();
    let excel_row = header_row as usize + 1;
    for (sheet_col, cell) in header {
        let sheet_col = *sheet_col as usize;
        let h = match cell {
            Data::String(s) => s.trim().to_string(),
            other => other.to_string(),
        };
        if h.is_empty() {
            continue;
        }
        match header_key(kind, &h) {
            Some(k) if positions[k].is_some() => problems.push(RowProblem {
                row: excel_row,
                column: Some(column_letter(sheet_col)),
                header: Some(h.clone()),
                message: format!("列名“{h}”重复出现"),
            }),
            Some(k) => {
                positions[k] = Some(sheet_col);
                sheet_to_spec.insert(sheet_col as u32, k);
            }
            None => problems.push(RowProblem {
                row: excel_row,
                column: Some(column_letter(sheet_col)),
                header: Some(h.clone()),
                message: format!(
                    "列名“{h}”无法识别。{}可用的列名：{}",
                    kind.label_zh(),
                    cols.iter().map(|c| c.header).collect::<Vec<_>>().join("、")
                ),
            }),
        }
    }
    for (i, c) in cols.iter().enumerate() {
        if c.required && positions[i].is_none() {
            problems.push(RowProblem {
                row: excel_row,
                column: None,
                header: Some(c.header.into()),
                message: format!("缺少必需的列“{}”", c.header),
            });
        }
    }
    if problems.is_empty() {
        return Ok((positions, sheet_to_spec));
    }
    // Headers of another kind of sheet: say so once, first.
    let headers: Vec<String> = header.values().map(|c| c.to_string()).collect();
    if let Some(other) = ImportKind::ALL.into_iter().filter(|k| *k != kind).find(|k| {
        let hits = headers.iter().filter(|h| header_key(*k, h).is_some()).count();
        hits * 2 > headers.iter().filter(|h| !h.trim().is_empty()).count()
    }) {
        problems.insert(
            0,
            RowProblem {
                row: excel_row,
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
    Err(problems)
}

pub(super) fn read_table(
    kind: ImportKind,
    file_name: &str,
    bytes: &[u8],
) -> std::result::Result<Table, Vec<RowProblem>> {
    use std::ops::ControlFlow::{Break, Continue};
    let file_problem = |m: String| vec![RowProblem { row: 0, column: None, header: None, message: m }];
    let lower = file_name.to_lowercase();
    if !(lower.ends_with(".xlsx") || lower.ends_with(".xls") || lower.ends_with(".xlsm")) {
        return Err(file_problem(format!("文件“{file_name}”不是 Excel 文件，只支持 .xlsx 或 .xls")));
    }
    let format = bounds::check(bytes, &bounds::BOUNDS).map_err(file_problem)?;
    let ncols = kind.columns().len();
    // The first row with a value is the header; rows below it are data.
    // By column: a cell written twice at one place (a crafted sheet may
    // repeat A1 millions of times) is one header.
    let mut header: Option<(u32, std::collections::BTreeMap<u32, Data>)> = None;
    let mut mapped: Option<HeaderMap> = None;
    let mut current: Option<(u32, Vec<Cell>)> = None;
    let mut out: Vec<(usize, Vec<Cell>)> = Vec::new();
    let flush = |current: &mut Option<(u32, Vec<Cell>)>, out: &mut Vec<(usize, Vec<Cell>)>| {
        if let Some((row, cells)) = current.take()
            && cells.iter().any(|c| !matches!(c, Cell::Empty))
        {
            out.push((row as usize + 1, cells));
        }
    };
    for_each_cell(format, bytes, |c| {
        if mapped.is_none() {
            let Some((r, cells)) = &mut header else {
                header = Some((c.row, std::collections::BTreeMap::from([(c.col, c.value)])));
                return Continue(());
            };
            if *r == c.row {
                cells.insert(c.col, c.value);
                return Continue(());
            }
            match read_header(kind, *r, cells) {
                Ok(m) => mapped = Some(m),
                Err(p) => return Break(p),
            }
        }
        let Some((_, to_spec)) = &mapped else { return Continue(()) };
        if current.as_ref().is_some_and(|(r, _)| *r != c.row) {
            flush(&mut current, &mut out);
            if out.len() > MAX_ROWS {
                return Break(file_problem(format!("数据超过 {MAX_ROWS} 行，请分批导入")));
            }
        }
        if let Some(k) = to_spec.get(&c.col) {
            let row = current.get_or_insert_with(|| (c.row, vec![Cell::Empty; ncols]));
            row.1[*k] = cell_of(&c.value);
        }
        Continue(())
    })?;
    let (positions, _) = match mapped {
        Some(m) => m,
        None => match &header {
            None => return Err(file_problem("第一个工作表是空的".into())),
            Some((r, cells)) => read_header(kind, *r, cells)?,
        },
    };
    flush(&mut current, &mut out);
    if out.len() > MAX_ROWS {
        return Err(file_problem(format!("数据超过 {MAX_ROWS} 行，请分批导入")));
    }
    if out.is_empty() {
        return Err(file_problem("表头下面没有任何数据行".into()));
    }
    Ok(Table { kind, positions, rows: out })
}
