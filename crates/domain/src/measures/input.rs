//! The eligibility request (`dandang eligibility check`, `POST /api/v1/eligibility/check`):
//! JSON in, every problem named by its path and put into Chinese.

use chrono::NaiveDate;
use serde_json::Value;

use super::{ImpactBook, MeasureCode, MeasureFact, MeasureKind, Tolerance};
use crate::error::{Invalid, Problem};
use crate::text;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub as_of: NaiveDate,
    pub measures: Vec<MeasureFact>,
}

const TOP_KEYS: &[&str] = &["as_of", "measures"];
const MEASURE_KEYS: &[&str] = &[
    "kind",
    "type",
    "effective",
    "decided",
    "probation_years",
    "period_months",
    "tolerance",
    "id",
    "note",
    "document_ref",
];

fn unknown_keys(obj: &serde_json::Map<String, Value>, allowed: &[&str], prefix: &str, label: &str, inv: &mut Invalid) {
    for k in obj.keys() {
        if !allowed.contains(&k.as_str()) {
            inv.push(
                &format!("{prefix}{k}"),
                label,
                Problem::Conflict {
                    detail: format!("含有无法识别的字段“{k}”，可用字段：{}", allowed.join("、"))
                },
            );
        }
    }
}

fn date_field(
    obj: &serde_json::Map<String, Value>,
    key: &str,
    field: &str,
    label: &str,
    inv: &mut Invalid,
) -> Option<NaiveDate> {
    match obj.get(key) {
        None | Some(Value::Null) => {
            inv.push(field, label, Problem::Required);
            None
        }
        Some(Value::String(s)) => inv.take(field, label, text::parse_date(s)),
        Some(_) => {
            inv.push(field, label, Problem::BadFormat { expected: "字符串形式的日期 YYYY-MM-DD".into() });
            None
        }
    }
}

fn uint_field(
    obj: &serde_json::Map<String, Value>,
    key: &str,
    field: &str,
    label: &str,
    range: (u32, u32),
    inv: &mut Invalid,
) -> Option<u32> {
    match obj.get(key) {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_u64() {
            Some(n) if n >= range.0 as u64 && n <= range.1 as u64 => Some(n as u32),
            Some(_) | None if v.is_number() => {
                inv.push(field, label, Problem::OutOfRange { min: range.0 as i64, max: range.1 as i64 });
                None
            }
            _ => {
                inv.push(field, label, Problem::BadFormat { expected: "整数".into() });
                None
            }
        },
    }
}

fn str_field<'v>(
    obj: &'v serde_json::Map<String, Value>,
    key: &str,
    field: &str,
    label: &str,
    inv: &mut Invalid,
) -> Option<&'v str> {
    match obj.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => {
            inv.push(field, label, Problem::BadFormat { expected: "字符串".into() });
            None
        }
    }
}

/// Parses one measure object; `prefix` is e.g. `measures[2].`, `label` e.g. `第3项措施`.
pub fn parse_measure(
    book: &ImpactBook,
    v: &Value,
    prefix: &str,
    label: &str,
    inv: &mut Invalid,
) -> Option<MeasureFact> {
    let Some(obj) = v.as_object() else {
        inv.push(prefix.trim_end_matches('.'), label, Problem::BadFormat { expected: "对象（{…}）".into() });
        return None;
    };
    let before = inv.count();
    unknown_keys(obj, MEASURE_KEYS, prefix, label, inv);
    let kind = match str_field(obj, "kind", &format!("{prefix}kind"), &format!("{label}的种类"), inv) {
        None if !obj.contains_key("kind") || obj["kind"].is_null() => {
            inv.push(&format!("{prefix}kind"), &format!("{label}的种类"), Problem::Required);
            None
        }
        None => None,
        Some(k) => match MeasureKind::ALL.iter().find(|x| x.code() == k.trim() || x.label_zh() == k.trim()) {
            Some(k) => Some(*k),
            None => {
                inv.push(
                    &format!("{prefix}kind"),
                    &format!("{label}的种类"),
                    Problem::Unknown {
                        allowed: MeasureKind::ALL.iter().map(|k| format!("{}（{}）", k.code(), k.label_zh())).collect(),
                    },
                );
                None
            }
        },
    };
    let ty = str_field(obj, "type", &format!("{prefix}type"), &format!("{label}的类型"), inv);
    let code =
        kind.and_then(|k| inv.take(&format!("{prefix}type"), &format!("{label}的类型"), MeasureCode::new(k, ty)));
    let effective = date_field(obj, "effective", &format!("{prefix}effective"), &format!("{label}的生效日期"), inv);
    let decided = match obj.get("decided") {
        None | Some(Value::Null) => None,
        Some(_) => date_field(obj, "decided", &format!("{prefix}decided"), &format!("{label}的决定日期"), inv),
    };
    if let (Some(d), Some(e)) = (decided, effective)
        && d > e
    {
        inv.push(
            &format!("{prefix}decided"),
            &format!("{label}的决定日期"),
            Problem::Conflict { detail: format!("不能晚于生效日期 {e}") },
        );
    }
    let probation_years = uint_field(
        obj,
        "probation_years",
        &format!("{prefix}probation_years"),
        &format!("{label}的察看年限"),
        (1, 10),
        inv,
    );
    let period_months = uint_field(
        obj,
        "period_months",
        &format!("{prefix}period_months"),
        &format!("{label}的处分期（月）"),
        (1, 600),
        inv,
    );
    let tolerance = str_field(obj, "tolerance", &format!("{prefix}tolerance"), &format!("{label}的容错结果"), inv)
        .and_then(|t| {
            inv.take(
                &format!("{prefix}tolerance"),
                &format!("{label}的容错结果"),
                Tolerance::parse(t).map_err(|_| Problem::Unknown {
                    allowed: Tolerance::ALL.iter().map(|t| format!("{}（{}）", t.code(), t.label_zh())).collect(),
                }),
            )
        });
    if let (Some(code), Some(e)) = (code, effective)
        && let Some(rule) = book.measure(code, e)
        && let Err(p) = check_probation(Some(rule), code, probation_years)
    {
        inv.push(&format!("{prefix}probation_years"), &format!("{label}的察看年限"), p);
    }
    if inv.count() > before {
        return None;
    }
    Some(MeasureFact { code: code?, effective: effective?, probation_years, period_months, tolerance })
}

/// Parses the whole request, collecting every problem.
pub fn parse_request(book: &ImpactBook, v: &Value) -> Result<Request, Invalid> {
    let mut inv = Invalid::new();
    let Some(obj) = v.as_object() else {
        return Err(Invalid::single(
            "",
            "请求",
            Problem::BadFormat { expected: "JSON 对象（{\"as_of\": …, \"measures\": […]}）".into() },
        ));
    };
    unknown_keys(obj, TOP_KEYS, "", "请求", &mut inv);
    let as_of = date_field(obj, "as_of", "as_of", "查询日期", &mut inv);
    let mut measures = Vec::new();
    match obj.get("measures") {
        None | Some(Value::Null) => inv.push("measures", "措施列表", Problem::Required),
        Some(Value::Array(items)) => {
            for (i, m) in items.iter().enumerate() {
                if let Some(f) =
                    parse_measure(book, m, &format!("measures[{i}]."), &format!("第{}项措施", i + 1), &mut inv)
                {
                    measures.push(f);
                }
            }
        }
        Some(_) => inv.push("measures", "措施列表", Problem::BadFormat { expected: "数组（[…]）".into() }),
    }
    inv.into_result()?;
    Ok(Request { as_of: as_of.expect("checked"), measures })
}

/// The probation years of 留党察看: required where the measure's rule adds
/// them to a bar, at most the rule's maximum, and refused for any other measure.
/// Shared by the JSON request and the form and import parsers.
pub fn check_probation(
    rule: Option<&crate::measures::book::Version<crate::measures::book::MeasureRule>>,
    code: MeasureCode,
    years: Option<u32>,
) -> Result<(), Problem> {
    let needs = rule.is_some_and(|r| r.rule.bars.iter().any(|b| b.plus_probation));
    match (needs, years, rule.and_then(|r| r.rule.probation_years_max)) {
        (true, None, _) => Err(Problem::Required),
        (true, Some(y), Some(max)) if y > max => Err(Problem::OutOfRange { min: 1, max: max as i64 }),
        (false, Some(_), _) => {
            Err(Problem::Conflict { detail: format!("只适用于留党察看，不适用于{}", code.label_zh()) })
        }
        _ => Ok(()),
    }
}
