//! A [`Letter`] as PDF, laid out on the GB/T 9704-2012 grid: 22 lines of 28
//! characters in a 156 × 225 mm block, title in 2号 (22 pt), body in 3号
//! (16 pt) justified to the block, no line starting with closing punctuation
//! or ending with opening punctuation, the issuer centred over the date
//! which stands four characters from the right, the copy list between thin
//! rules at the foot of the last page, and "— n —" page numbers (odd pages
//! right, even pages left).
//!
//! The shipped WenQuanYi Micro Hei is embedded as a subset (only the glyphs
//! used), written as a CID-keyed TrueType font with a ToUnicode map so the
//! text can be searched and copied.

use std::collections::BTreeMap;
use std::io::Write;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, TextRenderingMode, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use subsetter::GlyphRemapper;

use super::Letter;
use crate::error::{AppError, Result};

static FONT: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../static/vendor/fonts/wqy-microhei.ttc"));

const MM: f32 = 72.0 / 25.4;
const PAGE_W: f32 = 210.0 * MM;
const PAGE_H: f32 = 297.0 * MM;
const LEFT: f32 = 28.0 * MM;
const TOP: f32 = PAGE_H - 37.0 * MM;
const BLOCK_W: f32 = 156.0 * MM;
const BLOCK_H: f32 = 225.0 * MM;
const LINES: usize = 22;
const PITCH: f32 = BLOCK_H / LINES as f32;
const BODY: f32 = 16.0;
const TITLE: f32 = 22.0;
const SMALL: f32 = 14.0;

/// Characters a line may not start with (行首禁则).
const NO_START: &str = "，。、；：？！）》」』〉】〕”’…—·%,.;:?!)]}";
/// Characters a line may not end with (行尾禁则).
const NO_END: &str = "（《「『〈【〔“‘([{";

/// The font, with the glyphs used so far. Glyphs are renumbered as they are
/// first used; the new number is the CID written in the text.
struct Font<'a> {
    face: ttf_parser::Face<'a>,
    remap: GlyphRemapper,
    /// new glyph id → (character, advance in 1/1000 em)
    used: BTreeMap<u16, (char, f32)>,
}

impl<'a> Font<'a> {
    fn load() -> Result<Self> {
        let face = ttf_parser::Face::parse(FONT, 0).map_err(|e| AppError::Internal(format!("字体无法读取：{e}")))?;
        Ok(Font { face, remap: GlyphRemapper::new(), used: BTreeMap::new() })
    }

    fn em(&self) -> f32 {
        f32::from(self.face.units_per_em())
    }

    /// Advance of one character in 1/1000 em; a character the font lacks is
    /// drawn as the missing-glyph box, one em wide.
    fn advance(&self, c: char) -> f32 {
        match self.face.glyph_index(c) {
            Some(g) => f32::from(self.face.glyph_hor_advance(g).unwrap_or(0)) * 1000.0 / self.em(),
            None => 1000.0,
        }
    }

    fn width(&self, s: &str, size: f32) -> f32 {
        s.chars().map(|c| self.advance(c)).sum::<f32>() * size / 1000.0
    }

    /// The text as two-byte CIDs (Identity-H), recording each glyph used.
    fn encode(&mut self, s: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(s.len() * 2);
        for c in s.chars() {
            let old = self.face.glyph_index(c).map(|g| g.0).unwrap_or(0);
            let new = self.remap.remap(old);
            let adv = self.advance(c);
            self.used.entry(new).or_insert((c, adv));
            out.extend_from_slice(&new.to_be_bytes());
        }
        out
    }
}

/// One line of text placed on a page.
#[derive(Clone, Debug, PartialEq)]
struct Placed {
    text: String,
    /// Left end and baseline, in points from the page's lower left corner.
    x: f32,
    y: f32,
    size: f32,
    /// Extra space after each character, to justify the line.
    spacing: f32,
    bold: bool,
}

#[derive(Debug, Default)]
struct Page {
    lines: Vec<Placed>,
    /// Horizontal rules across the block, as heights in points.
    rules: Vec<f32>,
}

/// Splits text into units that stay together: a run of ASCII letters and
/// digits (a number, a document code) or a single other character.
fn units(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let word = c.is_ascii_alphanumeric();
        match (start, word) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                out.push(&text[s..i]);
                start = None;
            }
            _ => {}
        }
        if !word {
            out.push(&text[i..i + c.len_utf8()]);
        }
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

/// A broken line: its text and whether it is to be stretched (or squeezed)
/// to the full width.
#[derive(Debug, PartialEq)]
struct Broken {
    text: String,
    justify: bool,
}

/// Breaks a paragraph into lines of at most `width` points (the first line
/// `first_indent` narrower), applying the punctuation rules: closing
/// punctuation is squeezed into the line before it, opening punctuation is
/// carried to the next line.
fn break_lines(text: &str, width: f32, first_indent: f32, measure: &dyn Fn(&str) -> f32) -> Vec<Broken> {
    // A unit wider than a whole line is broken by character.
    let us: Vec<&str> = units(text)
        .into_iter()
        .flat_map(|u| {
            if u.len() > 1 && measure(u) > width - first_indent {
                u.char_indices().map(|(j, c)| &u[j..j + c.len_utf8()]).collect::<Vec<_>>()
            } else {
                vec![u]
            }
        })
        .collect();
    let mut lines = Vec::new();
    let mut cur: Vec<&str> = Vec::new();
    let mut cur_w = 0.0;
    let mut i = 0;
    while i < us.len() {
        let avail = if lines.is_empty() { width - first_indent } else { width };
        let w = measure(us[i]);
        if cur.is_empty() || cur_w + w <= avail + 0.01 {
            cur.push(us[i]);
            cur_w += w;
            i += 1;
            continue;
        }
        // The line is full. Closing punctuation joins it (at most two marks,
        // e.g. "。”"); opening punctuation at its end moves down.
        let mut hung = 0;
        while i < us.len() && hung < 2 && is_one_of(us[i], NO_START) {
            cur.push(us[i]);
            i += 1;
            hung += 1;
        }
        if hung == 0 {
            while cur.len() > 1 && is_one_of(cur[cur.len() - 1], NO_END) {
                cur.pop();
                i -= 1;
            }
        }
        lines.push(Broken { text: cur.concat(), justify: true });
        cur.clear();
        cur_w = 0.0;
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(Broken { text: cur.concat(), justify: false });
    }
    lines
}

fn is_one_of(unit: &str, set: &str) -> bool {
    let mut cs = unit.chars();
    matches!((cs.next(), cs.next()), (Some(c), None) if set.contains(c))
}

/// Lays the letter out in pages.
struct Layout<'f, 'a> {
    font: &'f Font<'a>,
    pages: Vec<Page>,
    row: usize,
}

impl Layout<'_, '_> {
    fn page(&mut self) -> &mut Page {
        if self.pages.is_empty() || self.row >= LINES {
            self.pages.push(Page::default());
            self.row = 0;
        }
        self.pages.last_mut().expect("a page was just added")
    }

    fn place(&mut self, text: String, x: f32, size: f32, spacing: f32, bold: bool) {
        self.page();
        let y = baseline(self.row, size);
        self.page().lines.push(Placed { text, x, y, size, spacing, bold });
        self.row += 1;
    }

    /// An empty row; none at the top of a page, the page break separates.
    fn blank(&mut self) {
        if self.pages.is_empty() {
            self.page();
        }
        if self.row > 0 && self.row < LINES {
            self.row += 1;
        }
    }

    /// A paragraph aligned left (with a first-line indent, justified) or
    /// centred.
    fn paragraph(&mut self, text: &str, size: f32, indent_chars: f32, centre: bool, bold: bool) {
        let f = self.font;
        let measure = |s: &str| f.width(s, size);
        let indent = indent_chars * size;
        for (n, line) in break_lines(text, BLOCK_W, indent, &measure).into_iter().enumerate() {
            let w = measure(&line.text);
            let count = line.text.chars().count();
            let first = if n == 0 { indent } else { 0.0 };
            let (x, spacing) = if centre {
                (LEFT + (BLOCK_W - w) / 2.0, 0.0)
            } else if line.justify && count > 1 {
                (LEFT + first, (BLOCK_W - first - w) / (count - 1) as f32)
            } else {
                (LEFT + first, 0.0)
            };
            self.place(line.text, x, size, spacing, bold);
        }
    }

    /// The issuer centred over the date; the date's right edge four
    /// characters in from the block's right edge.
    fn signature(&mut self, issuer: &str, date: &str) {
        let dw = self.font.width(date, BODY);
        let right = LEFT + BLOCK_W - 4.0 * BODY;
        let centre = right - dw / 2.0;
        let iw = self.font.width(issuer, BODY);
        // A long issuer's name keeps to the block.
        let ix = (centre - iw / 2.0).min(LEFT + BLOCK_W - iw).max(LEFT);
        if self.row + 2 > LINES {
            // GB/T 9704: the signature never stands alone on a page; the last
            // line of text goes over with it.
            let carried = self.pages.last_mut().and_then(|p| p.lines.pop());
            self.row = LINES;
            self.page();
            if let Some(mut line) = carried {
                line.y = baseline(0, line.size);
                self.pages.last_mut().expect("page exists").lines.push(line);
                self.row = 2;
            }
        }
        self.place(issuer.to_string(), ix, BODY, 0.0, false);
        self.place(date.to_string(), right - dw, BODY, 0.0, false);
    }

    /// The copy list at the foot of the last page, between thin rules, one
    /// character in from each side.
    fn copies(&mut self, text: &str) {
        let f = self.font;
        let measure = |s: &str| f.width(s, SMALL);
        let lines = break_lines(text, BLOCK_W - 2.0 * SMALL, 0.0, &measure);
        let need = lines.len();
        // One free row between the signature and the list.
        if self.pages.is_empty() || self.row + 1 + need > LINES {
            self.row = LINES;
        }
        self.page();
        let first = LINES - need;
        let top = TOP - first as f32 * PITCH;
        let bottom = TOP - LINES as f32 * PITCH;
        let page = self.pages.last_mut().expect("page exists");
        page.rules.push(top);
        page.rules.push(bottom);
        for (k, line) in lines.into_iter().enumerate() {
            let count = line.text.chars().count();
            let w = measure(&line.text);
            let spacing =
                if line.justify && count > 1 { (BLOCK_W - 2.0 * SMALL - w) / (count - 1) as f32 } else { 0.0 };
            page.lines.push(Placed {
                text: line.text,
                x: LEFT + SMALL,
                y: baseline(first + k, SMALL),
                size: SMALL,
                spacing,
                bold: false,
            });
        }
        self.row = LINES;
    }
}

/// The baseline of a grid row for a given size: the em box centred in the
/// row, the baseline 0.12 em above its foot (ideographic faces).
fn baseline(row: usize, size: f32) -> f32 {
    let foot = TOP - (row + 1) as f32 * PITCH + (PITCH - size) / 2.0;
    foot + 0.12 * size
}

fn lay_out(font: &Font<'_>, l: &Letter) -> Vec<Page> {
    let mut lay = Layout { font, pages: Vec::new(), row: 0 };
    lay.paragraph(&l.title, TITLE, 0.0, true, true);
    if let Some(n) = &l.doc_no {
        lay.paragraph(n, BODY, 0.0, true, false);
    }
    lay.blank();
    if !l.addressee.is_empty() {
        lay.paragraph(&l.addressee, BODY, 0.0, false, false);
    }
    for p in &l.paragraphs {
        lay.paragraph(p, BODY, 2.0, false, false);
    }
    lay.blank();
    lay.signature(&l.issuer, &l.date);
    if let Some(c) = &l.copies {
        lay.copies(c);
    }
    lay.pages
}

/// Writes the letter as PDF.
pub fn pdf(l: &Letter) -> Result<Vec<u8>> {
    pdf_all(std::slice::from_ref(l))
}

/// Writes several documents into one PDF (a reminder letter with its work
/// notice), each from a new page with its own page numbers.
pub fn pdf_all(letters: &[Letter]) -> Result<Vec<u8>> {
    let mut font = Font::load()?;
    // (page, its number within its document)
    let pages: Vec<(Page, usize)> =
        letters.iter().flat_map(|l| lay_out(&font, l).into_iter().enumerate().map(|(i, p)| (p, i + 1))).collect();
    let title = letters.iter().map(|l| l.title.as_str()).collect::<Vec<_>>().join("、");

    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let info = Ref::new(3);
    let type0 = Ref::new(4);
    let cid = Ref::new(5);
    let descriptor = Ref::new(6);
    let file = Ref::new(7);
    let to_unicode = Ref::new(8);
    let first_page = 9;
    let page_ids: Vec<Ref> = (0..pages.len()).map(|i| Ref::new(first_page + 2 * i as i32)).collect();
    let name = Name(b"F1");

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree).lang(TextStr("zh-CN"));
    pdf.pages(tree).kids(page_ids.iter().copied()).count(pages.len() as i32);
    pdf.document_info(info).title(TextStr(&title)).producer(TextStr("dandang"));

    for (i, (page, number)) in pages.iter().enumerate() {
        let mut c = Content::new();
        for line in &page.lines {
            write_line(&mut c, &mut font, name, line);
        }
        if !page.rules.is_empty() {
            c.set_line_width(0.5);
            for y in &page.rules {
                c.move_to(LEFT, *y);
                c.line_to(LEFT + BLOCK_W, *y);
            }
            c.stroke();
        }
        // Page number: 4号, seven millimetres below the block, one character
        // in from the outer edge.
        let odd = number % 2 == 1;
        let number = format!("— {number} —");
        let w = font.width(&number, SMALL);
        let x = if odd { LEFT + BLOCK_W - SMALL - w } else { LEFT + SMALL };
        let y = TOP - BLOCK_H - 7.0 * MM - SMALL * 0.88;
        write_line(&mut c, &mut font, name, &Placed { text: number, x, y, size: SMALL, spacing: 0.0, bold: false });
        let content_id = Ref::new(page_ids[i].get() + 1);
        let data = deflate(&c.finish())?;
        pdf.stream(content_id, &data).filter(Filter::FlateDecode);
        let mut p = pdf.page(page_ids[i]);
        p.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H)).parent(tree).contents(content_id);
        p.resources().fonts().pair(name, type0);
        p.finish();
    }

    let subset =
        subsetter::subset(FONT, 0, &font.remap).map_err(|e| AppError::Internal(format!("字体子集失败：{e}")))?;
    let tag = subset_tag(&font.used);
    let base = format!("{tag}+WenQuanYiMicroHei");
    let base = Name(base.as_bytes());
    let system = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };

    pdf.type0_font(type0)
        .base_font(base)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid)
        .to_unicode(to_unicode);
    let mut cf = pdf.cid_font(cid);
    cf.subtype(CidFontType::Type2)
        .base_font(base)
        .system_info(system)
        .font_descriptor(descriptor)
        .default_width(1000.0)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    {
        let mut w = cf.widths();
        for (g, (_, adv)) in &font.used {
            w.consecutive(*g, [*adv]);
        }
    }
    cf.finish();

    let em = font.em();
    let scale = |v: i16| f32::from(v) * 1000.0 / em;
    let bb = font.face.global_bounding_box();
    pdf.font_descriptor(descriptor)
        .name(base)
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(scale(bb.x_min), scale(bb.y_min), scale(bb.x_max), scale(bb.y_max)))
        .italic_angle(0.0)
        .ascent(scale(font.face.ascender()))
        .descent(scale(font.face.descender()))
        .cap_height(scale(font.face.capital_height().unwrap_or(font.face.ascender())))
        .stem_v(80.0)
        .font_file2(file);
    let data = deflate(&subset)?;
    pdf.stream(file, &data).filter(Filter::FlateDecode).pair(Name(b"Length1"), subset.len() as i32);

    let mut cmap =
        UnicodeCmap::new(Name(b"Custom"), SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"UCS"), supplement: 0 });
    for (g, (c, _)) in &font.used {
        cmap.pair(*g, *c);
    }
    let cmap = cmap.finish();
    pdf.cmap(to_unicode, &cmap);

    Ok(pdf.finish())
}

fn write_line(c: &mut Content, font: &mut Font<'_>, name: Name<'_>, line: &Placed) {
    c.begin_text();
    c.set_font(name, line.size);
    if line.bold {
        // The face has no bold; fill and stroke thickens it like 小标宋.
        c.set_text_rendering_mode(TextRenderingMode::FillStroke);
        c.set_line_width(line.size * 0.03);
    } else {
        c.set_text_rendering_mode(TextRenderingMode::Fill);
    }
    c.set_char_spacing(line.spacing);
    c.set_text_matrix([1.0, 0.0, 0.0, 1.0, line.x, line.y]);
    let cids = font.encode(&line.text);
    c.show(Str(&cids));
    c.end_text();
}

/// Six capital letters naming the subset, derived from the glyphs in it so
/// the same letter gives the same file.
fn subset_tag(used: &BTreeMap<u16, (char, f32)>) -> String {
    let mut h: u32 = 2_166_136_261;
    for (g, (c, _)) in used {
        for b in g.to_be_bytes().into_iter().chain((*c as u32).to_be_bytes()) {
            h = (h ^ u32::from(b)).wrapping_mul(16_777_619);
        }
    }
    (0..6)
        .map(|i| {
            let v = (h >> (i * 5)) % 26;
            char::from(b'A' + v as u8)
        })
        .collect()
}

fn deflate(data: &[u8]) -> Result<Vec<u8>> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).map_err(|e| AppError::Internal(e.to_string()))?;
    e.finish().map_err(|e| AppError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(s: &str) -> f32 {
        // Every character one em of 16 pt, as on the official grid.
        s.chars().count() as f32 * 16.0
    }

    #[test]
    fn lines_keep_every_character_and_the_punctuation_rules() {
        let text = "经研究，决定对该同志免予问责。该同志在推进项目过程中，严格执行集体决策程序，未谋取私利，主动挽回损失（约三百万元），符合容错情形。";
        let lines = break_lines(text, 28.0 * 16.0, 32.0, &grid);
        assert_eq!(lines.iter().map(|l| l.text.as_str()).collect::<String>(), text);
        for l in &lines[1..] {
            let first = l.text.chars().next().unwrap();
            assert!(!NO_START.contains(first), "line starts with {first}: {}", l.text);
        }
        for l in &lines {
            let last = l.text.chars().last().unwrap();
            assert!(!NO_END.contains(last) || l.text.chars().count() == 1, "line ends with {last}");
        }
        assert_eq!(lines.last().map(|l| l.justify), Some(false));
        assert!(lines[..lines.len() - 1].iter().all(|l| l.justify));
    }

    #[test]
    fn closing_punctuation_is_squeezed_and_opening_punctuation_carried() {
        // 26 characters then "。" exactly at the 27th place on a 26-wide line.
        let text = format!("{}。下一行", "字".repeat(26));
        let lines = break_lines(&text, 26.0 * 16.0, 0.0, &grid);
        assert_eq!(lines[0].text, format!("{}。", "字".repeat(26)));
        assert_eq!(lines[1].text, "下一行");
        let text = format!("{}（甲）", "字".repeat(25));
        let lines = break_lines(&text, 26.0 * 16.0, 0.0, &grid);
        assert_eq!(lines[0].text, "字".repeat(25));
        assert_eq!(lines[1].text, "（甲）");
    }

    #[test]
    fn numbers_and_codes_are_not_split_unless_longer_than_a_line() {
        let text = format!("{}2025年", "字".repeat(25));
        let lines = break_lines(&text, 26.0 * 16.0, 0.0, &|s| s.chars().count() as f32 * 16.0);
        assert_eq!(lines[0].text, "字".repeat(25));
        assert_eq!(lines[1].text, "2025年");
        let long = "A".repeat(40);
        let lines = break_lines(&long, 26.0 * 16.0, 0.0, &grid);
        assert_eq!(lines.iter().map(|l| l.text.as_str()).collect::<String>(), long);
        assert!(lines.iter().all(|l| l.text.chars().count() <= 26));
    }

    fn letter(paragraphs: usize) -> Letter {
        Letter {
            title: "中共宜昌市纪委监委容错处理决定书".into(),
            doc_no: Some("宜纪容〔2025〕3号".into()),
            addressee: "市发展和改革委员会党组：".into(),
            paragraphs: (0..paragraphs)
                .map(|i| format!("第{i}段。经调查核实，该同志在推进重点项目审批改革中先行先试，程序上存在瑕疵，但出于公心、未谋私利，并已主动挽回损失。"))
                .collect(),
            issuer: "中共宜昌市纪委监委".into(),
            date: "2025年5月6日".into(),
            copies: Some("抄送：容错对象所在单位党组织，纪检监察机关，组织人事部门，巡察机构，审计部门。".into()),
        }
    }

    #[test]
    fn a_letter_fits_the_grid_and_pages_break_at_22_lines() {
        let font = Font::load().unwrap();
        let pages = lay_out(&font, &letter(2));
        assert_eq!(pages.len(), 1);
        let body = &pages[0].lines;
        for l in body {
            let w = font.width(&l.text, l.size) + l.spacing * (l.text.chars().count().saturating_sub(1)) as f32;
            assert!(l.x >= LEFT - 0.01 && l.x + w <= LEFT + BLOCK_W + 0.5, "{} overflows: {} + {w}", l.text, l.x);
            assert!(l.y > TOP - BLOCK_H && l.y < TOP, "{} is off the block", l.text);
        }
        // The copy list sits on the last rows, between two rules.
        assert_eq!(pages[0].rules.len(), 2);
        let copy = body.iter().find(|l| l.text.starts_with("抄送")).expect("copy list");
        assert!(body.iter().filter(|l| l.size == BODY).all(|l| l.y > copy.y), "the copy list is at the foot");
        assert!(copy.y < baseline(LINES - 3, SMALL) + 1.0);

        let long = lay_out(&font, &letter(12));
        assert!(long.len() >= 2);
        let rows: Vec<usize> = long.iter().map(|p| p.lines.len()).collect();
        assert!(rows.iter().all(|n| *n <= LINES), "{rows:?}");
        let text: String = long.iter().flat_map(|p| p.lines.iter()).map(|l| l.text.as_str()).collect();
        assert!(text.contains("第11段") && text.contains("2025年5月6日"));
    }

    #[test]
    fn the_signature_takes_the_last_line_of_text_to_a_new_page() {
        let font = Font::load().unwrap();
        let mut lay = Layout { font: &font, pages: Vec::new(), row: 0 };
        for i in 0..LINES - 1 {
            lay.paragraph(&format!("第{i}行"), BODY, 2.0, false, false);
        }
        lay.blank();
        lay.signature("宜昌市纪委监委", "2025年5月6日");
        assert_eq!(lay.pages.len(), 2);
        let last = &lay.pages[1].lines;
        assert_eq!(
            last.iter().map(|l| l.text.as_str()).collect::<Vec<_>>(),
            ["第20行", "宜昌市纪委监委", "2025年5月6日"]
        );
        assert_eq!(lay.pages[0].lines.len(), LINES - 2);
        assert!(last[0].y > last[1].y && last[1].y > last[2].y);
    }

    #[test]
    fn several_documents_each_start_a_page() {
        let b = pdf_all(&[letter(1), letter(1)]).unwrap();
        assert!(String::from_utf8_lossy(&b).contains("/Count 2"));
    }

    #[test]
    fn the_pdf_embeds_a_small_subset_with_a_unicode_map() {
        let b = pdf(&letter(3)).unwrap();
        assert!(b.starts_with(b"%PDF-"));
        assert!(b.ends_with(b"%%EOF\n") || b.ends_with(b"%%EOF"));
        let s = String::from_utf8_lossy(&b);
        assert!(s.contains("/FontFile2") && s.contains("/Identity-H") && s.contains("/ToUnicode"));
        assert!(s.contains("+WenQuanYiMicroHei"));
        // The whole font is 5 MB; the subset for one letter is a few dozen KB.
        assert!(b.len() < 200_000, "{} bytes", b.len());
        // The same letter gives the same bytes.
        assert_eq!(b, pdf(&letter(3)).unwrap());
    }
}
