//! A JSON request body, read one way for every endpoint: as a tree first
//! (syntax → 400; a member given twice → 422), walked for refused characters,
//! integral numbers written as `4723.0` taken as integers, then read into the
//! input type with the path of whatever does not fit (serde_path_to_error) —
//! so every refusal names the field by its path and its Chinese label and
//! carries a precise code, never serde's English.

use dandang_app::AppError;
use dandang_domain::error::{Invalid, Problem};
use serde::{
    Deserialize, Deserializer,
    de::{self, DeserializeOwned, MapAccess, SeqAccess, Visitor},
};
use serde_json::{Map, Number, Value};

/// Reads a body into `T`, or the error to answer with.
pub(crate) fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let tree = match serde_path_to_error::deserialize::<_, Strict>(&mut de) {
        Ok(Strict(v)) => v,
        Err(e) if e.inner().classify() == serde_json::error::Category::Data => {
            // The only data error a tree can have: a member given twice.
            let name = e.inner().to_string().split('`').nth(1).unwrap_or_default().to_string();
            let field = join(&path_of(e.path()), &name);
            return Err(invalid(&field, Problem::DuplicateField));
        }
        Err(e) => return Err(syntax(e.inner())),
    };
    de.end().map_err(|e| syntax(&e))?;
    if let Some((field, p)) = crate::extract::refused_in_json(&tree, "") {
        return Err(invalid(&field, p));
    }
    let mut tree = tree;
    integral(&mut tree);
    serde_path_to_error::deserialize::<_, T>(tree).map_err(|e| {
        let (field, problem) = classify(&path_of(e.path()), &e.inner().to_string());
        invalid(&field, problem)
    })
}

/// A body read as each of the main input types; for the JSON fuzz target
/// (fuzz/). Panics when a refusal breaks the rule every answer keeps: a 4xx
/// with a Chinese message, and a Chinese label on every field named.
pub fn check_any_body(bytes: &[u8]) {
    fn one<T: DeserializeOwned>(bytes: &[u8]) {
        if let Err(e) = parse::<T>(bytes) {
            let status = e.status();
            assert!((400..500).contains(&status), "{status}: {e:?}");
            assert!(!e.message_zh().is_ascii(), "{e:?}");
            if let AppError::Invalid(inv) = &e {
                for f in &inv.errors {
                    assert!(!f.label.is_ascii() && !f.message.is_ascii(), "{f:?}");
                }
            }
        }
    }
    use dandang_app::{measures, registry, supervision, tolerance, users};
    one::<registry::cadres::CadreInput>(bytes);
    one::<registry::units::UnitInput>(bytes);
    one::<measures::MeasureInput>(bytes);
    one::<supervision::ItemInput>(bytes);
    one::<supervision::cases::CaseInput>(bytes);
    one::<tolerance::CaseInput>(bytes);
    one::<tolerance::TransitionInput>(bytes);
    one::<users::UserInput>(bytes);
}

fn syntax(e: &serde_json::Error) -> AppError {
    let at =
        if e.line() > 0 { format!("（第 {} 行第 {} 列附近）", e.line(), e.column()) } else { String::new() };
    let what = match e.classify() {
        serde_json::error::Category::Eof => "不完整",
        _ if e.to_string().contains("out of range") => "含有超出范围的数值",
        _ if e.to_string().contains("recursion limit") => "嵌套层数过多",
        _ => "不是有效的 JSON",
    };
    AppError::BadRequest(format!("请求体{what}{at}"))
}

fn invalid(field: &str, p: Problem) -> AppError {
    AppError::Invalid(Invalid::single(field, &label_of(field), p))
}

/// `measures[0].kind` from serde_path_to_error's segments.
fn path_of(p: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in p.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Unknown => {}
        }
    }
    out
}

fn join(path: &str, name: &str) -> String {
    match (path.is_empty(), name.is_empty()) {
        (true, _) => name.to_string(),
        (false, true) => path.to_string(),
        (false, false) => format!("{path}.{name}"),
    }
}

/// The field and the problem a serde message describes. The messages are
/// serde's, serde_json's, chrono's and uuid's own; anything this table does
/// not know becomes `wrong_type`, never the English text.
fn classify(path: &str, msg: &str) -> (String, Problem) {
    let quoted = || msg.split('`').nth(1).unwrap_or_default().to_string();
    // An element of an id list (`unit_ids[3]`) is an id too.
    let named = path.trim_end_matches(|c: char| c == ']' || c == '[' || c.is_ascii_digit());
    let named = named.rsplit('.').next().unwrap_or(named);
    let id_like = named == "id" || named.ends_with("_id") || named.ends_with("_ids");
    if msg.starts_with("missing field") {
        return (join(path, &quoted()), Problem::Required);
    }
    if msg.starts_with("unknown field") {
        // The path already ends in the member that is not known.
        let field = if path.is_empty() { quoted() } else { path.to_string() };
        return (field, Problem::UnknownField);
    }
    let field = if path.is_empty() { "body".to_string() } else { path.to_string() };
    let expected = msg.rsplit("expected ").next().filter(|_| msg.contains("expected ")).unwrap_or("");
    let problem = if msg.starts_with("unknown variant") {
        Problem::Unknown { allowed: vec![] }
    } else if msg.starts_with("invalid value: integer") || msg.contains("too large") || msg.contains("too small") {
        let (min, max) = range_of(expected);
        Problem::OutOfRange { min, max }
    } else if msg.contains("urn:uuid")
        || msg.contains("simple format")
        || msg.contains("hyphenated")
        || id_like && !msg.starts_with("invalid type")
    {
        Problem::BadFormat { expected: "标识（UUID）".into() }
    } else if msg.contains("premature end")
        || msg.contains("input contains invalid characters")
        || msg.contains("trailing input")
        || msg.contains("input is out of range")
        || msg.contains("input is not enough")
        || msg.contains("no possible date")
    {
        Problem::BadDate
    } else {
        Problem::WrongType { expected: crate::error::expected_zh(expected).into() }
    };
    (field, problem)
}

fn range_of(expected: &str) -> (i64, i64) {
    match expected.trim() {
        "i8" => (i8::MIN.into(), i8::MAX.into()),
        "i16" => (i16::MIN.into(), i16::MAX.into()),
        "i32" => (i32::MIN.into(), i32::MAX.into()),
        "u8" => (0, u8::MAX.into()),
        "u16" => (0, u16::MAX.into()),
        "u32" => (0, u32::MAX.into()),
        "u64" | "usize" => (0, i64::MAX),
        _ => (i64::MIN, i64::MAX),
    }
}

/// `4723.0` is the integer 4723: spreadsheets and some JSON writers put
/// every number out as a float. Only values a double holds exactly.
fn integral(v: &mut Value) {
    match v {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() <= 9_007_199_254_740_992.0
            {
                *n = Number::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral),
        Value::Object(m) => m.values_mut().for_each(integral),
        _ => {}
    }
}

/// A JSON tree that refuses a member given twice (serde_json's own `Value`
/// keeps the last one silently).
struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TreeVisitor).map(Strict)
    }
}

struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Value, E> {
        Number::from_f64(n).map(Value::Number).ok_or_else(|| E::custom("number out of range"))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(TreeVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(k) = map.next_key::<String>()? {
            if out.contains_key(&k) {
                return Err(de::Error::custom(format!("duplicate field `{k}`")));
            }
            let Strict(v) = map.next_value()?;
            out.insert(k, v);
        }
        Ok(Value::Object(out))
    }
}

/// Chinese labels of the members of request bodies, by name. A test walks
/// every request schema of the OpenAPI document and fails on a name missing
/// here, so a new input field cannot answer with a bare code.
const LABELS: &[(&str, &str)] = &[
    ("accept", "是否采纳"),
    ("action", "操作"),
    ("active", "是否启用"),
    ("analysis", "分析意见"),
    ("answers", "认定要件"),
    ("as_of", "查询日期"),
    ("basis", "依据"),
    ("birth_date", "出生日期"),
    ("cadre_id", "干部"),
    ("claimed", "申请认定的情形"),
    ("co_unit_ids", "协办单位"),
    ("code", "代码"),
    ("commission_attendee", "纪委监委参加人"),
    ("completes", "完成的节点"),
    ("content", "内容"),
    ("corrections", "纠错措施"),
    ("deadline", "办结时限"),
    ("decided", "是否已决定"),
    ("decided_on", "决定日期"),
    ("deciding_body", "决定机关"),
    ("decision", "决定"),
    ("degree", "学位"),
    ("direct_responsible", "直接责任人"),
    ("display_name", "显示名称"),
    ("document_ref", "文号"),
    ("due", "期限"),
    ("education", "学历"),
    ("effective", "是否有效"),
    ("effective_on", "生效日期"),
    ("end_current", "是否结束现任职务"),
    ("end_date", "结束日期"),
    ("end_reason", "结束原因"),
    ("ethnicity", "民族"),
    ("evaluation", "评价"),
    ("event_on", "事件发生日期"),
    ("facts", "事实"),
    ("false_correction", "是否为不实举报澄清"),
    ("filing_id", "报备记录"),
    ("finding", "认定意见"),
    ("held_on", "约谈日期"),
    ("id", "标识"),
    ("id_number", "公民身份号码"),
    ("item_ids", "督查事项"),
    ("jurisdiction_code", "行政区划代码"),
    ("kind", "类别"),
    ("lead_interviewer", "主谈人"),
    ("lead_unit_id", "牵头单位"),
    ("leader_in_charge", "分管领导"),
    ("leader_post", "领导职务"),
    ("leader_user_id", "审批领导"),
    ("level", "层级"),
    ("managed_by", "管理权限"),
    ("matched", "是否符合"),
    ("matter", "事项"),
    ("measure_id", "处理措施"),
    ("measures", "处理措施"),
    ("meeting", "会议"),
    ("mentor_name", "帮扶人姓名"),
    ("mentor_post", "帮扶人职务"),
    ("milestone_id", "节点"),
    ("milestones", "节点"),
    ("name", "名称"),
    ("named_on", "确定日期"),
    ("note", "备注"),
    ("notes", "备注"),
    ("org_attendee", "组织部门参加人"),
    ("origin", "来源"),
    ("outcome", "结果"),
    ("parent_code", "上级代码"),
    ("parent_id", "上级单位"),
    ("party", "政治面貌"),
    ("party_join_date", "入党日期"),
    ("password", "密码"),
    ("period_months", "期限（月）"),
    ("place", "地点"),
    ("policy_gap", "政策空白"),
    ("post_id", "职务"),
    ("principal", "主要负责人"),
    ("probation_years", "试用期（年）"),
    ("proposal", "建议"),
    ("rank", "职级"),
    ("reason", "理由"),
    ("reasoning", "理由说明"),
    ("record", "记录"),
    ("replied_on", "答复日期"),
    ("reply", "答复"),
    ("reply_due", "答复期限"),
    ("reported_on", "报送日期"),
    ("responsible", "责任人"),
    ("risk", "风险"),
    ("role", "角色"),
    ("safeguards", "防范措施"),
    ("scheduled_on", "计划日期"),
    ("served_on", "送达日期"),
    ("sex", "性别"),
    ("short_name", "简称"),
    ("sort_order", "排序"),
    ("source", "来源"),
    ("stage", "阶段"),
    ("start_date", "开始日期"),
    ("statement", "说明"),
    ("tags", "标签"),
    ("text", "正文"),
    ("tier", "职务层次"),
    ("title", "标题"),
    ("tolerance", "容错"),
    ("tolerance_check", "容错审查"),
    ("topics", "议题"),
    ("triggers", "触发情形"),
    ("type", "类型"),
    ("unit_id", "单位"),
    ("unit_type", "单位类型"),
    ("username", "用户名"),
    ("version", "版本"),
    ("via_accountability", "是否经问责程序"),
    ("visited_on", "走访日期"),
    ("visitor", "走访人"),
    ("year", "年度"),
];

/// The label of the member a path ends in (`measures[0].kind` → 类别).
pub(crate) fn label_of(path: &str) -> String {
    let last = path.rsplit('.').next().unwrap_or(path);
    let name = last.split('[').next().unwrap_or(last);
    match LABELS.binary_search_by(|(k, _)| k.cmp(&name)) {
        Ok(i) => LABELS[i].1.to_string(),
        Err(_) if name == "body" || name.is_empty() => "请求体".into(),
        Err(_) => format!("字段“{name}”"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Input {
        name: String,
        version: i32,
        birth_date: Option<chrono::NaiveDate>,
        unit_id: Option<uuid::Uuid>,
        measures: Option<Vec<Inner>>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        kind: String,
    }

    fn refusal(body: &str) -> (u16, String, String, &'static str, String) {
        match parse::<Input>(body.as_bytes()) {
            Ok(v) => panic!("accepted {body}: {v:?}"),
            Err(AppError::Invalid(inv)) => {
                let f = &inv.errors[0];
                (422, f.field.clone(), f.label.clone(), f.problem.code(), f.message.clone())
            }
            Err(e) => (e.status(), String::new(), String::new(), e.code(), e.message_zh()),
        }
    }

    #[test]
    fn every_member_of_every_request_body_has_a_label() {
        let doc = crate::openapi::document();
        let schemas = &doc["components"]["schemas"];
        let mut missing = std::collections::BTreeSet::new();
        let mut seen = std::collections::BTreeSet::new();
        let mut todo: Vec<Value> = Vec::new();
        for item in doc["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                todo.push(op["requestBody"]["content"]["application/json"]["schema"].clone());
            }
        }
        while let Some(s) = todo.pop() {
            if !s.is_object() {
                continue;
            }
            if let Some(r) = s["$ref"].as_str() {
                let name = r.trim_start_matches("#/components/schemas/");
                if seen.insert(name.to_string()) {
                    todo.push(schemas[name].clone());
                }
                continue;
            }
            for k in ["oneOf", "anyOf", "allOf"] {
                todo.extend(s[k].as_array().cloned().unwrap_or_default());
            }
            todo.push(s["items"].clone());
            todo.push(s["additionalProperties"].clone());
            for (name, p) in s["properties"].as_object().cloned().unwrap_or_default() {
                if label_of(&name).starts_with("字段") {
                    missing.insert(name);
                }
                todo.push(p);
            }
        }
        assert!(seen.len() > 20, "the walk reached only {} schemas", seen.len());
        assert!(missing.is_empty(), "request members without a Chinese label: {missing:?}");
    }

    /// The fuzz corpus (fuzz/corpus/json_body) replayed in the normal suite.
    #[test]
    fn the_json_corpus_keeps_the_rule() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/json_body");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            check_any_body(&std::fs::read(entry.unwrap().path()).unwrap());
            seen += 1;
        }
        assert!(seen >= 5, "only {seen} files in {}", dir.display());
    }

    #[test]
    fn labels_are_sorted_for_the_search() {
        assert!(LABELS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn every_refusal_names_its_field_in_chinese_with_a_precise_code() {
        let cases = [
            (r#"{"version": 1}"#, "name", "名称", "required"),
            (r#"{"name": 5, "version": 1}"#, "name", "名称", "wrong_type"),
            (r#"{"name": "a", "name": "b", "version": 1}"#, "name", "名称", "duplicate_field"),
            (r#"{"name": "a", "version": 1, "sex": "x"}"#, "sex", "性别", "unknown_field"),
            (r#"{"name": "a", "version": 99999999999}"#, "version", "版本", "out_of_range"),
            (r#"{"name": "a", "version": 1, "birth_date": "2024-02-30"}"#, "birth_date", "出生日期", "bad_date"),
            (r#"{"name": "a", "version": 1, "unit_id": "x"}"#, "unit_id", "单位", "bad_format"),
            (r#"{"name": "a", "version": 1, "measures": [{}]}"#, "measures[0].kind", "类别", "required"),
            (r#"{"name": "a", "version": 1, "measures": [{"kind": []}]}"#, "measures[0].kind", "类别", "wrong_type"),
            (r#"{"name": "a\u0000", "version": 1}"#, "name", "名称", "bad_character"),
            ("[]", "body", "请求体", "wrong_type"),
        ];
        for (body, field, label, code) in cases {
            let (status, f, l, c, m) = refusal(body);
            assert_eq!((status, f.as_str(), l.as_str(), c), (422, field, label, code), "{body}: {m}");
            assert!(!m.is_ascii(), "{body}: {m}");
        }
        for body in ["{", "", "nul", r#"{"a": 1e400}"#] {
            let (status, _, _, code, m) = refusal(body);
            assert_eq!((status, code), (400, "bad_request"), "{body}: {m}");
            assert!(!m.is_ascii(), "{body}: {m}");
        }
    }

    #[test]
    fn an_integer_written_as_a_float_is_the_integer() {
        let v: Input = parse(br#"{"name": "a", "version": 4723.0}"#).unwrap();
        assert_eq!(v.version, 4723);
        assert_eq!(refusal(r#"{"name": "a", "version": 4723.5}"#).3, "wrong_type");
    }
}
