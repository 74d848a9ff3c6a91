//! Running the test cases a pack carries (`dandang policy check`).

use serde::Serialize;

use super::{PolicySet, model::PackTest, resolve::Resolved};

#[derive(Clone, Debug, Serialize)]
pub struct TestOutcome {
    pub pack: String,
    pub name: String,
    pub file: String,
    pub line: usize,
    pub passed: bool,
    pub detail: String,
}

/// Runs every test of every pack against that pack's resolved layers.
pub fn run_pack_tests(set: &PolicySet) -> Vec<TestOutcome> {
    let mut out = Vec::new();
    for pack in set.packs.values() {
        let Some(r) = set.resolve(&pack.id) else {
            continue;
        };
        for t in &pack.tests {
            let (passed, detail) = run_one(&r, t);
            out.push(TestOutcome {
                pack: pack.id.clone(),
                name: t.name.clone(),
                file: t.file.clone(),
                line: t.line,
                passed,
                detail,
            });
        }
    }
    out
}

fn run_one(r: &Resolved<'_>, t: &PackTest) -> (bool, String) {
    let cal = r.calendar();
    let expect = t.expect_value.as_ref();
    let expect_str = expect.and_then(|v| v.as_str()).unwrap_or_default().to_string();
    match t.kind.as_str() {
        "workdays_add" => {
            let (Some(from), Some(n)) = (t.from, t.n) else {
                return (false, "缺少 from 或 n".into());
            };
            match cal.add_working_days(from, n) {
                Some(a) => {
                    let got = a.value.to_string();
                    (got == expect_str, format!("期望 {expect_str}，得到 {got}"))
                }
                None => (false, "日期超出范围".into()),
            }
        }
        "workdays_between" => {
            let (Some(from), Some(to)) = (t.from, t.to) else {
                return (false, "缺少 from 或 to".into());
            };
            let got = cal.working_days_between(from, to).value as i64;
            let want = expect.and_then(|v| v.as_integer());
            (Some(got) == want, format!("期望 {want:?}，得到 {got}"))
        }
        "is_working_day" => {
            let Some(d) = t.date else {
                return (false, "缺少 date".into());
            };
            let got = cal.is_working_day(d).value;
            let want = expect.and_then(|v| v.as_bool());
            (Some(got) == want, format!("期望 {want:?}，得到 {got}"))
        }
        "entry_value" => {
            let (Some(d), Some(id)) = (t.date, &t.id) else {
                return (false, "缺少 date 或 id".into());
            };
            match r.entry(id, d) {
                Some(hit) => {
                    let got = hit.entry.value.clone();
                    (
                        got.as_ref() == expect,
                        format!(
                            "期望 {:?}，得到 {:?}（来自 {}）",
                            t.expect,
                            got.as_ref().map(value_text),
                            hit.entry.pack
                        ),
                    )
                }
                None => (false, format!("{d} 时没有生效的“{id}”")),
            }
        }
        "eligibility" => {
            let Some(d) = t.date else { return (false, "缺少 date".into()) };
            match crate::measures::check_case(r, &t.measures, d) {
                Ok(got) => (got == expect_str, format!("期望提拔可自 {expect_str} 起，得到 {got}")),
                Err(e) => (false, e),
            }
        }
        "entry_absent" => {
            let (Some(d), Some(id)) = (t.date, &t.id) else {
                return (false, "缺少 date 或 id".into());
            };
            match r.entry(id, d) {
                Some(hit) => (false, format!("期望不存在，实际来自 {}", hit.entry.pack)),
                None => (true, String::new()),
            }
        }
        "catalogue_items" => {
            let (Some(d), Some(id)) = (t.date, &t.id) else {
                return (false, "缺少 date 或 id".into());
            };
            let Some(view) = r.catalogue(id, d) else {
                return (false, format!("清单“{id}”不存在"));
            };
            let got: Vec<String> = view.items.iter().map(|h| h.entry.id.clone()).collect();
            let want: Option<Vec<String>> = expect
                .and_then(|v| v.as_array())
                .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect());
            let mut g = got.clone();
            g.sort();
            let w = want.map(|mut w| {
                w.sort();
                w
            });
            (Some(&g) == w.as_ref(), format!("期望 {w:?}，得到 {g:?}"))
        }
        other => (false, format!("未知测试类型 {other}")),
    }
}

pub(crate) fn value_text(v: &toml::Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}
