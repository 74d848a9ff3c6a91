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

pub(super) fn header_key(kind: ImportKind, h: &str) -> Option<usize> {
    let clean: String = h
        .replace("（必填）", "")
        .replace("(必填)", "")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '*' && *c != '＊' && *c != '\u{3000}')
        .collect();
    kind.columns().iter().position(|c| c.header == clean || c.aliases.contains(&clean.as_str()))
}

pub(super) fn read_table(
    kind: ImportKind,
    file_name: &str,
    bytes: &[u8],
) -> std::result::Result<Table, Vec<RowProblem>> {
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
