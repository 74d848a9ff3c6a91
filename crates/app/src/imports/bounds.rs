//! What an uploaded workbook may claim, checked before any parser allocates
//! for it. A spreadsheet is a container of compressed parts and declared
//! sizes; the spreadsheet library trusts both (a declared unique-string count
//! becomes a reservation, a cell at XFD1048576 a dense grid), and an
//! allocation that fails aborts the whole server. So the container is read
//! here first, every part inflated through a counting, capped reader, and
//! only a workbook within these bounds reaches the library.

use std::io::{Cursor, Read};

/// The ceilings. A 200,000-row roster in the import template is about
/// 60 MB of sheet XML and 10 MB of shared strings; these leave room for that
/// and refuse what no real roster needs.
pub(super) struct Bounds {
    /// Parts (files) in the container.
    pub parts: usize,
    /// Inflated size of any one part.
    pub part_bytes: u64,
    /// Inflated size of all parts together.
    pub total_bytes: u64,
    /// Inflated size of the shared-string table, which is held in memory.
    pub shared_bytes: u64,
    /// Declared unique shared strings.
    pub shared_count: u64,
    /// Highest row (1-based) a cell with a value may have.
    pub rows: u32,
    /// Highest column (1-based) a cell with a value may have.
    pub cols: u32,
    /// Cells an .xls may declare, all sheets together (the library reserves
    /// room for every declared cell of every sheet when it opens the file).
    pub xls_cells: u64,
}

pub(super) const BOUNDS: Bounds = Bounds {
    parts: 1_000,
    part_bytes: 256 << 20,
    total_bytes: 384 << 20,
    shared_bytes: 64 << 20,
    shared_count: 2_000_000,
    rows: super::MAX_ROWS as u32 + 1_000,
    cols: 100,
    xls_cells: 4_000_000,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Format {
    /// Office Open XML (.xlsx, .xlsm): a zip container.
    Xlsx,
    /// Excel 97–2003 (.xls): a compound file with a BIFF8 workbook stream.
    Xls,
}

const DAMAGED: &str = "无法读取该文件：文件已损坏，或扩展名与实际格式不符";

fn mb(n: u64) -> u64 {
    n >> 20
}

/// The format by its magic bytes (not by the file name), with the container
/// checked against `b`.
pub(super) fn check(bytes: &[u8], b: &Bounds) -> Result<Format, String> {
    if bytes.starts_with(b"PK\x03\x04") {
        check_zip(bytes, b).map(|()| Format::Xlsx)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        check_xls(bytes, b).map(|()| Format::Xls)
    } else {
        Err(DAMAGED.into())
    }
}

fn check_zip(bytes: &[u8], b: &Bounds) -> Result<(), String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| DAMAGED.to_string())?;
    if zip.len() > b.parts {
        return Err(format!("文件包含 {} 个部件，超过上限 {}：不像是一份普通的 Excel 表格", zip.len(), b.parts));
    }
    let mut total = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|_| DAMAGED.to_string())?;
        if part.is_dir() {
            continue;
        }
        let name = part.name().map_err(|_| DAMAGED.to_string())?.to_string();
        let shared = name.eq_ignore_ascii_case("xl/sharedStrings.xml");
        let cap = if shared { b.shared_bytes } else { b.part_bytes };
        let too_big = || format!("文件中的部件“{name}”解压后超过 {} MB：请删除多余内容后另存再导入", mb(cap));
        // The declared size is only a claim; the counted bytes decide.
        if part.size() > cap {
            return Err(too_big());
        }
        let mut n = 0u64;
        loop {
            let k = part.read(&mut buf).map_err(|_| DAMAGED.to_string())?;
            if k == 0 {
                break;
            }
            n += k as u64;
            total += k as u64;
            if n > cap {
                return Err(too_big());
            }
            if total > b.total_bytes {
                return Err(format!("文件解压后超过 {} MB：请分批导入", mb(b.total_bytes)));
            }
        }
        drop(part);
        // The library finds the shared-string table through the workbook's
        // relationships, by any name; so every XML part whose root is `sst`
        // is held to the table's bounds, its root read the way the library
        // reads it.
        if name.to_ascii_lowercase().ends_with(".xml") {
            let part = zip.by_index(i).map_err(|_| DAMAGED.to_string())?;
            if let Some(count) = sst_unique_count(part.take(b.part_bytes)) {
                if n > b.shared_bytes {
                    return Err(format!(
                        "文件中的部件“{name}”解压后超过 {} MB：请删除多余内容后另存再导入",
                        mb(b.shared_bytes)
                    ));
                }
                if count > b.shared_count {
                    return Err(format!("文件声明了 {count} 个不同的文本，超过上限 {}：请分批导入", b.shared_count));
                }
            }
        }
    }
    Ok(())
}

/// For a part whose root element is `sst` (with any prefix): the number
/// its `uniqueCount` attribute claims, as the library parses it (digits
/// only; anything else it ignores, and so may we), or 0 without one.
fn sst_unique_count(part: impl Read) -> Option<u64> {
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_reader(std::io::BufReader::new(part));
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match r.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) => {
                if e.local_name().as_ref() != "sst" {
                    return None;
                }
                let claim = e
                    .attributes()
                    .with_checks(false)
                    .filter_map(|a| a.ok())
                    .find(|a| a.key.as_ref() == "uniqueCount")
                    .map(|a| a.value.into_owned());
                return Some(match claim {
                    None => 0,
                    Some(v) if !v.is_empty() && v.bytes().all(|c| c.is_ascii_digit()) => v.parse().unwrap_or(u64::MAX),
                    Some(_) => 0,
                });
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// BIFF8 record types whose first four bytes are the cell's row and column.
const CELL_RECORDS: [u16; 8] = [
    0x0006, // FORMULA
    0x00BD, // MULRK
    0x00D6, // RSTRING
    0x00FD, // LABELSST
    0x0203, // NUMBER
    0x0204, // LABEL
    0x0205, // BOOLERR
    0x027E, // RK
];
const DIMENSIONS: u16 = 0x0200;

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const BOUNDSHEET: u16 = 0x0085;
const MULRK: u16 = 0x00BD;
/// Sheets an .xls may list.
const MAX_SHEETS: usize = 100;

fn check_xls(bytes: &[u8], b: &Bounds) -> Result<(), String> {
    let mut cf = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|_| DAMAGED.to_string())?;
    // The library takes a stream named Workbook (or Book) wherever it sits
    // and whatever its case: every such stream is checked.
    let paths: Vec<std::path::PathBuf> = cf
        .walk()
        .filter(|e| {
            e.is_stream() && (e.name().eq_ignore_ascii_case("workbook") || e.name().eq_ignore_ascii_case("book"))
        })
        .map(|e| e.path().to_path_buf())
        .collect();
    if paths.is_empty() {
        return Err(DAMAGED.into());
    }
    for path in paths {
        let mut stream = Vec::new();
        // A stream of a file within the upload limit cannot be longer than it.
        cf.open_stream(&path)
            .map_err(|_| DAMAGED.to_string())?
            .take(bytes.len() as u64 + 1)
            .read_to_end(&mut stream)
            .map_err(|_| DAMAGED.to_string())?;
        check_biff(&stream, b)?;
    }
    Ok(())
}

/// The span of the cells of one sheet's substream, 0-based and inclusive.
#[derive(Default)]
struct Span {
    rows: Option<(u32, u32)>,
    cols: Option<(u32, u32)>,
}

impl Span {
    fn add(&mut self, r: u32, c0: u32, c1: u32) {
        let (a, z) = self.rows.unwrap_or((r, r));
        self.rows = Some((a.min(r), z.max(r)));
        let (a, z) = self.cols.unwrap_or((c0, c1));
        self.cols = Some((a.min(c0), z.max(c1)));
    }

    fn cells(&self) -> u64 {
        match (self.rows, self.cols) {
            (Some((a, z)), Some((c, d))) => u64::from(z - a + 1) * u64::from(d - c + 1),
            _ => 0,
        }
    }
}

/// One BIFF8 workbook stream: every record walked in order. The library
/// builds a dense grid for every sheet it lists, reading each from the
/// offset its sheet record gives; so every such offset must be the start of
/// a BOF record of this walk (then the library reads exactly the records
/// checked here), and the declared and the actual grids of all sheets
/// together are bounded.
fn check_biff(stream: &[u8], b: &Bounds) -> Result<(), String> {
    let too_many_cells =
        || format!("工作表声明的范围超过 {} 个单元格：请删除多余的行列或工作表后另存再导入", b.xls_cells);
    let mut at = 0usize;
    let mut cells = 0u64;
    let mut bofs = std::collections::HashSet::new();
    let mut sheets: Vec<usize> = Vec::new();
    let mut spans: Vec<Span> = Vec::new();
    while at + 4 <= stream.len() {
        let typ = u16::from_le_bytes([stream[at], stream[at + 1]]);
        let len = u16::from_le_bytes([stream[at + 2], stream[at + 3]]) as usize;
        let data = &stream[at + 4..(at + 4 + len).min(stream.len())];
        let u16_at = |i: usize| data.get(i..i + 2).map(|s| u16::from_le_bytes([s[0], s[1]]) as u32);
        let u32_at = |i: usize| data.get(i..i + 4).map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]));
        match typ {
            BOF => {
                bofs.insert(at);
                spans.push(Span::default());
            }
            EOF => {
                if let Some(s) = spans.pop() {
                    cells += s.cells();
                }
            }
            BOUNDSHEET => sheets.push(u32_at(0).ok_or_else(|| DAMAGED.to_string())? as usize),
            DIMENSIONS => {
                let (rf, rl, cf, cl) = match len {
                    10 => (u16_at(0), u16_at(2), u16_at(4), u16_at(6)),
                    _ => (u32_at(0), u32_at(4), u16_at(8), u16_at(10)),
                };
                let (Some(rf), Some(rl), Some(cf), Some(cl)) = (rf, rl, cf, cl) else { return Err(DAMAGED.into()) };
                // The library reserves (last − first + 1) rows × columns for the
                // sheet, subtracting without a check: first after last would wrap.
                let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
                if rl >= 1 && cl >= 1 && rl - 1 < rf {
                    return Err(DAMAGED.into());
                }
                if rl > b.rows {
                    return Err(format!("工作表的第 {rl} 行超出上限（{} 行）：请删除多余的行后另存再导入", b.rows));
                }
                if cl > b.cols {
                    return Err(format!("工作表的第 {cl} 列超出上限（{} 列）：请删除多余的列后另存再导入", b.cols));
                }
                cells += u64::from(rl.saturating_sub(rf)) * u64::from(cl.saturating_sub(cf));
            }
            t if CELL_RECORDS.contains(&t) => {
                let (Some(row), Some(first)) = (u16_at(0), u16_at(2)) else { return Err(DAMAGED.into()) };
                // MULRK runs from its first column to the last, in its last two bytes.
                let last = if t == MULRK {
                    len.checked_sub(2).and_then(u16_at).ok_or_else(|| DAMAGED.to_string())?
                } else {
                    first
                };
                if last < first {
                    return Err(DAMAGED.into());
                }
                if row >= b.rows {
                    return Err(format!(
                        "工作表的第 {} 行超出上限（{} 行）：请删除多余的行后另存再导入",
                        row + 1,
                        b.rows
                    ));
                }
                if last >= b.cols {
                    return Err(format!(
                        "工作表的第 {} 列超出上限（{} 列）：请删除多余的列后另存再导入",
                        last + 1,
                        b.cols
                    ));
                }
                if let Some(s) = spans.last_mut() {
                    s.add(row, first, last);
                }
            }
            _ => {}
        }
        if cells > b.xls_cells {
            return Err(too_many_cells());
        }
        at += 4 + len;
    }
    cells += spans.iter().map(Span::cells).sum::<u64>();
    if cells > b.xls_cells {
        return Err(too_many_cells());
    }
    if sheets.len() > MAX_SHEETS {
        return Err(format!("文件有 {} 个工作表，超过上限 {MAX_SHEETS}：请只保留要导入的工作表", sheets.len()));
    }
    let mut seen = std::collections::HashSet::new();
    if sheets.iter().any(|o| !bofs.contains(o) || !seen.insert(*o)) {
        return Err(DAMAGED.into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_count_is_read_the_way_the_library_reads_it() {
        let c = |x: &str| sst_unique_count(x.as_bytes());
        assert_eq!(c(r#"<?xml version="1.0"?><sst xmlns="x" count="12" uniqueCount="7"><si>"#), Some(7));
        assert_eq!(c(r#"<sst uniqueCount="99999999999999999999999">"#), Some(u64::MAX));
        assert_eq!(c(r#"<sst count="3">"#), Some(0));
        // Spaces around "=", a prefix, a decoy attribute, a long comment first.
        assert_eq!(c(r#"<sst uniqueCount = "100000000000">"#), Some(100_000_000_000));
        assert_eq!(c(r#"<x:sst xmlns:x="m" uniqueCount="100000000000">"#), Some(100_000_000_000));
        assert_eq!(c(r#"<sst xuniqueCount="1" uniqueCount="100000000000">"#), Some(100_000_000_000));
        let long = format!("<!--{}<sst uniqueCount=\"1\">--><sst uniqueCount=\"100000000000\">", "x".repeat(100_000));
        assert_eq!(c(&long), Some(100_000_000_000));
        assert_eq!(c("<worksheet><sheetData/></worksheet>"), None);
    }

    #[test]
    fn neither_zip_nor_compound_file_is_refused() {
        assert!(check(b"hello", &BOUNDS).is_err());
        assert!(check(b"PK\x03\x04garbage", &BOUNDS).is_err());
    }
}
