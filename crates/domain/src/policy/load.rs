//! Reading packs from TOML, with every rejection pointing at file and line.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;
use toml::Spanned;

use super::model::*;

/// A problem found while loading packs, located in its file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PolicyError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.file, l, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// One TOML file of a pack; `pack_dir` is the directory name, which must be
/// the pack's id.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub path: String,
    pub pack_dir: String,
    pub content: String,
}

/// Every pack found under the policy directory, validated as a whole.
#[derive(Clone, Debug, Default)]
pub struct PolicySet {
    pub packs: BTreeMap<String, Pack>,
}

// ---- raw TOML shapes -------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    pack: Option<RawHeader>,
    #[serde(default)]
    document: Vec<RawDocument>,
    #[serde(default)]
    catalogue: Vec<RawCatalogue>,
    #[serde(default)]
    entry: Vec<RawEntry>,
    #[serde(default)]
    calendar: Vec<RawCalendar>,
    #[serde(default)]
    test: Vec<RawTest>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    id: Spanned<String>,
    title: String,
    parent: Option<Spanned<String>>,
    jurisdiction: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDocument {
    id: Spanned<String>,
    title: String,
    issuer: Option<String>,
    number: Option<String>,
    issued: Option<Spanned<toml::Value>>,
    effective_from: Option<Spanned<toml::Value>>,
    url: Option<String>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    document: Spanned<String>,
    article: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogue {
    id: Spanned<String>,
    title: String,
    description: Option<String>,
    #[serde(default)]
    incomplete: bool,
    incomplete_note: Option<String>,
    source: Option<RawSource>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    id: Spanned<String>,
    catalogue: Option<Spanned<String>>,
    title: String,
    description: Option<String>,
    source: RawSource,
    confidence: Spanned<String>,
    effective_from: Spanned<toml::Value>,
    effective_to: Option<Spanned<toml::Value>>,
    value: Option<toml::Value>,
    #[serde(default)]
    refs: Vec<Spanned<String>>,
    note: Option<String>,
    order: Option<i64>,
    /// This layer repeals the entry from `effective_from` on.
    #[serde(default)]
    repealed: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHoliday {
    name: String,
    from: Spanned<toml::Value>,
    to: Spanned<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    id: Spanned<String>,
    year: i32,
    source: RawSource,
    confidence: Spanned<String>,
    #[serde(default)]
    holidays: Vec<RawHoliday>,
    #[serde(default)]
    workdays: Vec<Spanned<toml::Value>>,
    #[serde(default)]
    cancel_workdays: Vec<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTest {
    name: Spanned<String>,
    kind: Spanned<String>,
    from: Option<Spanned<toml::Value>>,
    to: Option<Spanned<toml::Value>>,
    date: Option<Spanned<toml::Value>>,
    n: Option<u32>,
    id: Option<String>,
    expect: Option<toml::Value>,
    #[serde(default)]
    measures: Vec<String>,
}

pub const TEST_KINDS: [&str; 7] = [
    "workdays_add",
    "workdays_between",
    "is_working_day",
    "entry_value",
    "entry_absent",
    "catalogue_items",
    "eligibility",
];

// ---- loading ---------------------------------------------------------------

struct Ctx<'a> {
    file: &'a SourceFile,
    errors: &'a mut Vec<PolicyError>,
}

impl Ctx<'_> {
    fn line(&self, offset: usize) -> usize {
        self.file.content[..offset.min(self.file.content.len())].matches('\n').count() + 1
    }

    fn err_at(&mut self, offset: usize, message: impl Into<String>) {
        let line = Some(self.line(offset));
        self.errors.push(PolicyError { file: self.file.path.clone(), line, message: message.into() });
    }

    fn date(&mut self, v: &Spanned<toml::Value>, what: &str) -> Option<NaiveDate> {
        let parsed = match v.get_ref() {
            toml::Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").ok(),
            toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
                dt.date.and_then(|d| NaiveDate::from_ymd_opt(d.year as i32, d.month as u32, d.day as u32))
            }
            _ => None,
        };
        if parsed.is_none() {
            self.err_at(v.span().start, format!("{what}不是有效日期，应写作 YYYY-MM-DD"));
        }
        parsed
    }

    fn ident(&mut self, v: &Spanned<String>, what: &str) -> String {
        let s = v.get_ref();
        let ok = !s.is_empty()
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'));
        if !ok {
            self.err_at(v.span().start, format!("{what}“{s}”只能由小写字母、数字、下划线、点和连字符组成"));
        }
        s.clone()
    }

    fn confidence(&mut self, v: &Spanned<String>) -> Confidence {
        Confidence::parse(v.get_ref()).unwrap_or_else(|| {
            self.err_at(
                v.span().start,
                format!("可信度“{}”无法识别，可选：text、quoted、seed、reported、unverified", v.get_ref()),
            );
            Confidence::Unverified
        })
    }
}

/// A reference to check once every pack is loaded.
struct PendingRef {
    pack: String,
    file: String,
    line: usize,
    kind: RefKind,
    target: String,
}

#[derive(PartialEq)]
enum RefKind {
    Document,
    Catalogue,
    Entry,
}

impl PolicySet {
    /// Loads and validates all packs; returns every problem found, not just
    /// the first, so a pack author can fix a file in one pass.
    pub fn load(files: &[SourceFile]) -> Result<PolicySet, Vec<PolicyError>> {
        let mut errors = Vec::new();
        let mut packs: BTreeMap<String, Pack> = BTreeMap::new();
        let mut pending: Vec<PendingRef> = Vec::new();
        let mut header_seen: BTreeSet<String> = BTreeSet::new();

        let mut dirs: BTreeSet<&str> = BTreeSet::new();
        for f in files {
            dirs.insert(&f.pack_dir);
        }
        for dir in &dirs {
            packs.insert(
                dir.to_string(),
                Pack {
                    id: dir.to_string(),
                    title: String::new(),
                    parent: None,
                    jurisdiction: None,
                    description: None,
                    documents: BTreeMap::new(),
                    catalogues: BTreeMap::new(),
                    entries: BTreeMap::new(),
                    calendar: Vec::new(),
                    tests: Vec::new(),
                },
            );
        }

        for file in files {
            let raw: RawFile = match toml::from_str(&file.content) {
                Ok(r) => r,
                Err(e) => {
                    let line = e.span().map(|s| file.content[..s.start].matches('\n').count() + 1);
                    errors.push(PolicyError {
                        file: file.path.clone(),
                        line,
                        message: format!("TOML 无法解析：{}", e.message()),
                    });
                    // The header may be in the file that failed; do not also
                    // report it missing.
                    header_seen.insert(file.pack_dir.clone());
                    continue;
                }
            };
            let pack = packs.get_mut(&file.pack_dir).expect("pack inserted above");
            let mut cx = Ctx { file, errors: &mut errors };
            load_file(&mut cx, raw, pack, &mut pending, &mut header_seen);
        }

        for dir in &dirs {
            if !header_seen.contains(*dir) {
                errors.push(PolicyError {
                    file: format!("{dir}/pack.toml"),
                    line: None,
                    message: "缺少 [pack] 段（id、title、parent）".into(),
                });
            }
        }

        let set = PolicySet { packs };
        set.check_layers(&mut errors);
        if errors.is_empty() {
            set.check_refs(&pending, &mut errors);
            set.check_overrides(&mut errors);
            set.check_calendars(&mut errors);
        }
        if errors.is_empty() { Ok(set) } else { Err(errors) }
    }

    /// The pack followed by its ancestors, most specific first.
    pub fn chain(&self, pack_id: &str) -> Vec<&Pack> {
        let mut out = Vec::new();
        let mut cur = self.packs.get(pack_id);
        while let Some(p) = cur {
            if out.iter().any(|q: &&Pack| q.id == p.id) {
                break;
            }
            out.push(p);
            cur = p.parent.as_deref().and_then(|id| self.packs.get(id));
        }
        out
    }

    fn check_layers(&self, errors: &mut Vec<PolicyError>) {
        for p in self.packs.values() {
            if let Some(parent) = &p.parent {
                if !self.packs.contains_key(parent) {
                    errors.push(PolicyError {
                        file: format!("{}/pack.toml", p.id),
                        line: None,
                        message: format!("上级规则包“{parent}”不存在"),
                    });
                    continue;
                }
                let chain: Vec<&str> = self.chain(&p.id).iter().map(|q| q.id.as_str()).collect();
                let last = self.packs.get(*chain.last().unwrap_or(&"")).and_then(|q| q.parent.clone());
                if last.is_some() {
                    errors.push(PolicyError {
                        file: format!("{}/pack.toml", p.id),
                        line: None,
                        message: format!("规则包层级出现循环：{}", chain.join(" → ")),
                    });
                }
            }
        }
    }

    fn check_refs(&self, pending: &[PendingRef], errors: &mut Vec<PolicyError>) {
        for r in pending {
            let chain = self.chain(&r.pack);
            let found = match r.kind {
                RefKind::Document => chain.iter().any(|p| p.documents.contains_key(&r.target)),
                RefKind::Catalogue => chain.iter().any(|p| p.catalogues.contains_key(&r.target)),
                RefKind::Entry => chain.iter().any(|p| p.entries.contains_key(&r.target)),
            };
            if !found {
                let what = match r.kind {
                    RefKind::Document => "文件",
                    RefKind::Catalogue => "清单",
                    RefKind::Entry => "条目",
                };
                errors.push(PolicyError {
                    file: r.file.clone(),
                    line: Some(r.line),
                    message: format!("引用的{what}“{}”在本规则包及其上级中都不存在", r.target),
                });
            }
        }
    }

    /// A lower layer overrides an entry only as the same kind of thing, and
    /// never redefines a document or a calendar notice of an upper layer.
    fn check_overrides(&self, errors: &mut Vec<PolicyError>) {
        for p in self.packs.values() {
            let ancestors: Vec<&Pack> = self.chain(&p.id).into_iter().skip(1).collect();
            for (id, versions) in &p.entries {
                let Some(v) = versions.first() else { continue };
                for a in &ancestors {
                    if let Some(av) = a.entries.get(id).and_then(|vs| vs.first())
                        && av.catalogue != v.catalogue
                    {
                        errors.push(PolicyError {
                            file: v.file.clone(),
                            line: Some(v.line),
                            message: format!(
                                "条目“{id}”覆盖上级规则包“{}”的同名条目，但所属清单不同（{:?} ≠ {:?}）",
                                a.id, v.catalogue, av.catalogue
                            ),
                        });
                    }
                }
            }
            for id in p.documents.keys() {
                if let Some(a) = ancestors.iter().find(|a| a.documents.contains_key(id)) {
                    errors.push(PolicyError {
                        file: format!("{}/", p.id),
                        line: None,
                        message: format!("文件“{id}”已在上级规则包“{}”中定义，不能重复定义", a.id),
                    });
                }
            }
            for n in &p.calendar {
                if let Some(a) = ancestors.iter().find(|a| a.calendar.iter().any(|m| m.id == n.id)) {
                    errors.push(PolicyError {
                        file: n.file.clone(),
                        line: Some(n.line),
                        message: format!("节假日安排“{}”已在上级规则包“{}”中定义", n.id, a.id),
                    });
                }
            }
        }
    }

    fn check_calendars(&self, errors: &mut Vec<PolicyError>) {
        for p in self.packs.values() {
            let chain = self.chain(&p.id);
            for n in &p.calendar {
                let doc = chain.iter().find_map(|q| q.documents.get(&n.source.document));
                if doc.and_then(|d| d.issued).is_none() {
                    errors.push(PolicyError {
                        file: n.file.clone(),
                        line: Some(n.line),
                        message: format!(
                            "节假日安排“{}”的来源文件须注明成文日期（issued），以确定多份通知的先后",
                            n.id
                        ),
                    });
                }
            }
        }
    }
}

fn load_file(
    cx: &mut Ctx<'_>,
    raw: RawFile,
    pack: &mut Pack,
    pending: &mut Vec<PendingRef>,
    header_seen: &mut BTreeSet<String>,
) {
    let file_path = cx.file.path.clone();
    if let Some(h) = raw.pack {
        if header_seen.contains(&pack.id) {
            cx.err_at(h.id.span().start, "[pack] 段只能出现一次");
        }
        header_seen.insert(pack.id.clone());
        if h.id.get_ref() != &pack.id {
            cx.err_at(h.id.span().start, format!("规则包 id“{}”须与所在目录名“{}”一致", h.id.get_ref(), pack.id));
        }
        pack.title = h.title;
        pack.parent = h.parent.map(|p| p.into_inner());
        pack.jurisdiction = h.jurisdiction;
        pack.description = h.description;
    }

    for d in raw.document {
        let id = cx.ident(&d.id, "文件 id");
        if pack.documents.contains_key(&id) {
            cx.err_at(d.id.span().start, format!("文件“{id}”重复定义"));
        }
        let issued = d.issued.as_ref().and_then(|v| cx.date(v, "成文日期"));
        let effective_from = d.effective_from.as_ref().and_then(|v| cx.date(v, "施行日期"));
        pack.documents.insert(
            id.clone(),
            Document {
                id,
                title: d.title,
                issuer: d.issuer,
                number: d.number,
                issued,
                effective_from,
                url: d.url,
                note: d.note,
                pack: pack.id.clone(),
            },
        );
    }

    let source = |cx: &mut Ctx<'_>, s: RawSource, pending: &mut Vec<PendingRef>, pack: &str| {
        let line = cx.line(s.document.span().start);
        let document = cx.ident(&s.document, "来源文件 id");
        pending.push(PendingRef {
            pack: pack.to_string(),
            file: cx.file.path.clone(),
            line,
            kind: RefKind::Document,
            target: document.clone(),
        });
        SourceRef { document, article: s.article }
    };

    for c in raw.catalogue {
        let id = cx.ident(&c.id, "清单 id");
        if pack.catalogues.contains_key(&id) {
            cx.err_at(c.id.span().start, format!("清单“{id}”重复定义"));
        }
        let src = c.source.map(|s| source(cx, s, pending, &pack.id));
        pack.catalogues.insert(
            id.clone(),
            Catalogue {
                id,
                title: c.title,
                description: c.description,
                incomplete: c.incomplete,
                incomplete_note: c.incomplete_note,
                source: src,
                pack: pack.id.clone(),
            },
        );
    }

    for e in raw.entry {
        let line = cx.line(e.id.span().start);
        let id = cx.ident(&e.id, "条目 id");
        let catalogue = e.catalogue.as_ref().map(|c| {
            let cid = cx.ident(c, "清单 id");
            pending.push(PendingRef {
                pack: pack.id.clone(),
                file: file_path.clone(),
                line: cx.line(c.span().start),
                kind: RefKind::Catalogue,
                target: cid.clone(),
            });
            cid
        });
        for r in &e.refs {
            let rid = cx.ident(r, "引用条目 id");
            pending.push(PendingRef {
                pack: pack.id.clone(),
                file: file_path.clone(),
                line: cx.line(r.span().start),
                kind: RefKind::Entry,
                target: rid,
            });
        }
        let src = source(cx, e.source, pending, &pack.id);
        let confidence = cx.confidence(&e.confidence);
        let from = cx.date(&e.effective_from, "生效日期 effective_from ");
        let to = e.effective_to.as_ref().and_then(|v| cx.date(v, "失效日期 effective_to "));
        let Some(from) = from else { continue };
        if let Some(t) = to
            && t < from
        {
            cx.err_at(e.effective_from.span().start, "effective_to 早于 effective_from");
        }
        let version = EntryVersion {
            id: id.clone(),
            catalogue,
            title: e.title,
            description: e.description,
            source: src,
            confidence,
            effective_from: from,
            effective_to: to,
            value: e.value,
            refs: e.refs.into_iter().map(|r| r.into_inner()).collect(),
            note: e.note,
            order: e.order.unwrap_or(0),
            repealed: e.repealed,
            pack: pack.id.clone(),
            file: file_path.clone(),
            line,
        };
        let versions = pack.entries.entry(id.clone()).or_default();
        for other in versions.iter() {
            let overlap = version.effective_from <= other.effective_to.unwrap_or(NaiveDate::MAX)
                && other.effective_from <= version.effective_to.unwrap_or(NaiveDate::MAX);
            if overlap {
                cx.err_at(
                    e.id.span().start,
                    format!("条目“{id}”的生效期间与第 {} 行（{}）的同名条目重叠", other.line, other.file),
                );
            }
            if other.catalogue != version.catalogue {
                cx.err_at(e.id.span().start, format!("条目“{id}”的各版本所属清单不一致"));
            }
        }
        versions.push(version);
        versions.sort_by_key(|v| v.effective_from);
    }

    for c in raw.calendar {
        let line = cx.line(c.id.span().start);
        let id = cx.ident(&c.id, "节假日安排 id");
        if pack.calendar.iter().any(|n| n.id == id) {
            cx.err_at(c.id.span().start, format!("节假日安排“{id}”重复定义"));
        }
        let src = source(cx, c.source, pending, &pack.id);
        let confidence = cx.confidence(&c.confidence);
        let year = c.year;
        let mut holidays = Vec::new();
        for h in c.holidays {
            let (Some(from), Some(to)) = (cx.date(&h.from, "假期开始日"), cx.date(&h.to, "假期结束日"))
            else {
                continue;
            };
            if to < from {
                cx.err_at(h.from.span().start, format!("假期“{}”结束日早于开始日", h.name));
            }
            if !near_year(from, year) || !near_year(to, year) {
                cx.err_at(h.from.span().start, format!("假期“{}”不在 {year} 年安排的范围内", h.name));
            }
            holidays.push(HolidayRange { name: h.name, from, to });
        }
        let mut workdays = Vec::new();
        for w in &c.workdays {
            let Some(d) = cx.date(w, "调休上班日") else {
                continue;
            };
            if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
                cx.err_at(w.span().start, format!("调休上班日 {d} 不是周末，无需列出"));
            }
            if !near_year(d, year) {
                cx.err_at(w.span().start, format!("调休上班日 {d} 不在 {year} 年安排的范围内"));
            }
            workdays.push(d);
        }
        let mut cancel_workdays = Vec::new();
        for w in &c.cancel_workdays {
            if let Some(d) = cx.date(w, "取消的调休上班日") {
                cancel_workdays.push(d);
            }
        }
        pack.calendar.push(CalendarNotice {
            id,
            year,
            source: src,
            confidence,
            holidays,
            workdays,
            cancel_workdays,
            pack: pack.id.clone(),
            file: file_path.clone(),
            line,
        });
    }

    for t in raw.test {
        let line = cx.line(t.name.span().start);
        let kind = t.kind.get_ref().clone();
        if !TEST_KINDS.contains(&kind.as_str()) {
            cx.err_at(t.kind.span().start, format!("测试类型“{kind}”无法识别，可选：{}", TEST_KINDS.join("、")));
            continue;
        }
        let from = t.from.as_ref().and_then(|v| cx.date(v, "from "));
        let to = t.to.as_ref().and_then(|v| cx.date(v, "to "));
        let date = t.date.as_ref().and_then(|v| cx.date(v, "date "));
        let need = |present: bool, field: &str, cx: &mut Ctx<'_>| {
            if !present {
                cx.err_at(t.kind.span().start, format!("测试“{}”（{kind}）缺少字段 {field}", t.name.get_ref()));
            }
        };
        match kind.as_str() {
            "workdays_add" => {
                need(from.is_some(), "from", cx);
                need(t.n.is_some(), "n", cx);
                need(t.expect.is_some(), "expect", cx);
            }
            "workdays_between" => {
                need(from.is_some(), "from", cx);
                need(to.is_some(), "to", cx);
                need(t.expect.is_some(), "expect", cx);
            }
            "is_working_day" => {
                need(date.is_some(), "date", cx);
                need(t.expect.is_some(), "expect", cx);
            }
            "entry_value" | "catalogue_items" => {
                need(date.is_some(), "date", cx);
                need(t.id.is_some(), "id", cx);
                need(t.expect.is_some(), "expect", cx);
            }
            "eligibility" => {
                need(date.is_some(), "date", cx);
                need(!t.measures.is_empty(), "measures", cx);
                need(t.expect.is_some(), "expect", cx);
            }
            _ => {
                need(date.is_some(), "date", cx);
                need(t.id.is_some(), "id", cx);
            }
        }
        pack.tests.push(PackTest {
            name: t.name.into_inner(),
            kind,
            from,
            to,
            date,
            n: t.n,
            id: t.id,
            expect: t.expect.as_ref().map(super::check::value_text),
            expect_value: t.expect,
            measures: t.measures,
            file: file_path.clone(),
            line,
        });
    }
}

/// A year's notice may reach into the neighbouring years (the 2019 notice
/// starts on 29 December 2018).
fn near_year(d: NaiveDate, year: i32) -> bool {
    (year - 1..=year + 1).contains(&d.year())
}
