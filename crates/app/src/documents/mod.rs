//! Official documents, composed once as a [`Letter`] and written as .docx
//! (Office Open XML, for editing) or PDF (for filing and sending, see
//! [`pdf`]). Both follow GB/T 9704-2012: A4, top margin 37 mm, left 28 mm,
//! text block 156 × 225 mm, title in 2号, body in 3号 with a two-character
//! indent. The .docx names 仿宋_GB2312 and lets Word or WPS use the reader's
//! fonts; the PDF embeds the shipped font so it prints the same everywhere.

use std::io::Write;

mod pdf;
pub use pdf::{pdf, pdf_all};

use zip::{CompressionMethod, ZipWriter, write::SimpleFileOptions};

use crate::error::{AppError, Result};

/// "2025年5月6日", as dates are written in documents.
pub fn cn_date(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// The parts of a letter.
#[derive(Clone, Debug, Default)]
pub struct Letter {
    pub title: String,
    pub doc_no: Option<String>,
    pub addressee: String,
    pub paragraphs: Vec<String>,
    pub issuer: String,
    pub date: String,
    pub copies: Option<String>,
}

/// The file formats a letter is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Docx,
    Pdf,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Docx => "docx",
            Format::Pdf => "pdf",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Format::Pdf => "application/pdf",
        }
    }

    pub fn render(self, l: &Letter) -> Result<Vec<u8>> {
        match self {
            Format::Docx => docx(l),
            Format::Pdf => pdf(l),
        }
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// One paragraph: alignment (left/center/right/both), first-line indent in
/// characters, size in half-points, bold.
fn para(text: &str, align: &str, indent_chars: u32, size: u32, bold: bool) -> String {
    let font = if bold { "方正小标宋简体" } else { "仿宋_GB2312" };
    format!(
        "<w:p><w:pPr><w:jc w:val=\"{align}\"/>{ind}<w:spacing w:line=\"560\" w:lineRule=\"exact\"/></w:pPr>\
         <w:r><w:rPr><w:rFonts w:ascii=\"{font}\" w:hAnsi=\"{font}\" w:eastAsia=\"{font}\"/>{b}<w:sz w:val=\"{size}\"/></w:rPr>\
         <w:t xml:space=\"preserve\">{t}</w:t></w:r></w:p>",
        ind = if indent_chars > 0 {
            format!("<w:ind w:firstLineChars=\"{}\"/>", indent_chars * 100)
        } else {
            String::new()
        },
        b = if bold { "<w:b/>" } else { "" },
        t = esc(text),
    )
}

pub fn docx(l: &Letter) -> Result<Vec<u8>> {
    let mut body = String::new();
    body.push_str(&para(&l.title, "center", 0, 44, true));
    if let Some(n) = &l.doc_no {
        body.push_str(&para(n, "center", 0, 32, false));
    }
    body.push_str(&para("", "left", 0, 32, false));
    body.push_str(&para(&l.addressee, "left", 0, 32, false));
    for p in &l.paragraphs {
        body.push_str(&para(p, "both", 2, 32, false));
    }
    body.push_str(&para("", "left", 0, 32, false));
    body.push_str(&para(&l.issuer, "right", 0, 32, false));
    body.push_str(&para(&l.date, "right", 0, 32, false));
    if let Some(c) = &l.copies {
        body.push_str(&para("", "left", 0, 32, false));
        body.push_str(&para(c, "left", 0, 28, false));
    }
    // A4 in twips; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm.
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}\
         <w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1588\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/></w:sectPr>\
         </w:body></w:document>"
    );
    let types = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
        <Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
        <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
        <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
        <Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
        </Types>";
    let rels = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
        <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
        <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
        </Relationships>";
    let err = |e: zip::result::ZipError| AppError::Internal(e.to_string());
    let io = |e: std::io::Error| AppError::Internal(e.to_string());
    let mut zw = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // Stored, not deflated: the files are small and the text stays searchable.
    let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    for (name, content) in
        [("[Content_Types].xml", types), ("_rels/.rels", rels), ("word/document.xml", document.as_str())]
    {
        zw.start_file(name, opts).map_err(err)?;
        zw.write_all(content.as_bytes()).map_err(io)?;
    }
    Ok(zw.finish().map_err(err)?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_letter_is_a_zip_with_escaped_text() {
        let l = Letter {
            title: "容错处理决定书".into(),
            doc_no: Some("宜纪容〔2025〕3号".into()),
            addressee: "某某同志：".into(),
            paragraphs: vec!["经研究，决定免予问责 <甲> & 乙。".into()],
            issuer: "宜昌市纪委监委".into(),
            date: "2025年5月6日".into(),
            copies: Some("抄送：单位党组织".into()),
        };
        let b = docx(&l).unwrap();
        assert!(b.starts_with(b"PK"));
        let text = String::from_utf8_lossy(&b);
        assert!(text.contains("免予问责 &lt;甲&gt; &amp; 乙") && text.contains("宜纪容〔2025〕3号"));
        assert!(text.contains("w:pgMar w:top=\"2098\""));
    }
}
