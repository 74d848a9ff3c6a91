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
        let mut head: Vec<u8> = Vec::new();
        loop {
            let k = part.read(&mut buf).map_err(|_| DAMAGED.to_string())?;
            if k == 0 {
                break;
            }
            if shared && head.len() < 64 * 1024 {
                head.extend_from_slice(&buf[..k.min(64 * 1024 - head.len())]);
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
        if shared
            && let Some(count) = unique_count(&head)
            && count > b.shared_count
        {
            return Err(format!("文件声明了 {count} 个不同的文本，超过上限 {}：请分批导入", b.shared_count));
        }
    }
    Ok(())
}

/// `uniqueCount` of the `<sst …>` start tag, if it is there.
fn unique_count(head: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(head);
    let tag = &text[text.find("<sst")?..];
    let tag = &tag[..tag.find('>')?];
    let at = tag.find("uniqueCount=")? + "uniqueCount=".len();
    let v = tag[at..].trim_start_matches(['"', '\'']);
    let digits: String = v.chars().take_while(char::is_ascii_digit).collect();
    // A count too long to parse is over any bound.
    Some(digits.parse().unwrap_or(u64::MAX))
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

fn check_xls(bytes: &[u8], b: &Bounds) -> Result<(), String> {
    let mut cf = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|_| DAMAGED.to_string())?;
    let name = ["/Workbook", "/Book"].into_iter().find(|n| cf.is_stream(n)).ok_or_else(|| DAMAGED.to_string())?;
    let mut stream = Vec::new();
    // A stream of a file within the upload limit cannot be longer than it.
    cf.open_stream(name)
        .map_err(|_| DAMAGED.to_string())?
        .take(bytes.len() as u64 + 1)
        .read_to_end(&mut stream)
        .map_err(|_| DAMAGED.to_string())?;
    let mut at = 0usize;
    let mut declared_cells = 0u64;
    while at + 4 <= stream.len() {
        let typ = u16::from_le_bytes([stream[at], stream[at + 1]]);
        let len = u16::from_le_bytes([stream[at + 2], stream[at + 3]]) as usize;
        let data = &stream[at + 4..(at + 4 + len).min(stream.len())];
        let u16_at = |i: usize| data.get(i..i + 2).map(|s| u16::from_le_bytes([s[0], s[1]]) as u32);
        let u32_at = |i: usize| data.get(i..i + 4).map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]));
        let (row, col) = if typ == DIMENSIONS {
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
            declared_cells += u64::from(rl.saturating_sub(rf)) * u64::from(cl.saturating_sub(cf));
            if declared_cells > b.xls_cells {
                return Err(format!("工作表声明的范围超过 {} 个单元格：请删除多余的行列后另存再导入", b.xls_cells));
            }
            (Some(rl.saturating_sub(1)), Some(cl.saturating_sub(1)))
        } else if CELL_RECORDS.contains(&typ) {
            // MULRK's last column is its last two bytes.
            let last = if typ == 0x00BD { len.checked_sub(2).and_then(u16_at) } else { u16_at(2) };
            (u16_at(0), last)
        } else {
            (None, None)
        };
        if let Some(r) = row
            && r >= b.rows
        {
            return Err(format!("工作表的第 {} 行超出上限（{} 行）：请删除多余的行后另存再导入", r + 1, b.rows));
        }
        if let Some(c) = col
            && c >= b.cols
        {
            return Err(format!("工作表的第 {} 列超出上限（{} 列）：请删除多余的列后另存再导入", c + 1, b.cols));
        }
        at += 4 + len;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_count_is_read_from_the_start_tag() {
        let head = br#"<?xml version="1.0"?><sst xmlns="x" count="12" uniqueCount="7"><si>"#;
        assert_eq!(unique_count(head), Some(7));
        assert_eq!(unique_count(br#"<sst uniqueCount="99999999999999999999999">"#), Some(u64::MAX));
        assert_eq!(unique_count(br#"<sst count="3">"#), None);
    }

    #[test]
    fn neither_zip_nor_compound_file_is_refused() {
        assert!(check(b"hello", &BOUNDS).is_err());
        assert!(check(b"PK\x03\x04garbage", &BOUNDS).is_err());
    }
}
