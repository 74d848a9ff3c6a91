//! Excel import: validate into a report with row and column, then commit
//! all-or-nothing; export back with the same columns.

use rust_xlsxwriter::{Format, Workbook};
use serde_json::Value;

use crate::support::{Env, each_backend};

fn id_number(body17: &str) -> String {
    dandang_domain::registry::IdNumber::from_body(body17).unwrap().as_str().to_string()
}

const HEADERS: [&str; 13] = [
    "姓名",
    "性别",
    "出生日期",
    "公民身份号码",
    "民族",
    "学历",
    "工作单位",
    "现任职务",
    "职务层次",
    "正副职",
    "任现职时间",
    "管理权限",
    "经历标签",
];

enum Cell {
    S(String),
    N(f64),
}

fn xlsx(headers: &[&str], rows: &[Vec<Cell>]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            match v {
                Cell::S(s) if s.is_empty() => {}
                Cell::S(s) => {
                    ws.write_string(r as u32 + 1, c as u16, s).unwrap();
                }
                Cell::N(n) => {
                    ws.write_number(r as u32 + 1, c as u16, *n).unwrap();
                }
            }
        }
    }
    let _ = date;
    wb.save_to_buffer().unwrap()
}

fn s(v: &str) -> Cell {
    Cell::S(v.into())
}

fn good_row(name: &str, birth: &str, body17: &str, unit: &str) -> Vec<Cell> {
    vec![
        s(name),
        s("男"),
        s(birth),
        s(&id_number(body17)),
        s("汉族"),
        s("大学本科"),
        s(unit),
        s("副局长"),
        s("县处级"),
        s("副职"),
        s("2022-03-01"),
        s("市管"),
        s("基层工作经历、一线工作经历"),
    ]
}

async fn count(env: &Env, t: &str, q: &str) -> u64 {
    env.get(&format!("/api/v1/cadres?q={q}"), t).await.json()["total"].as_u64().unwrap()
}

#[tokio::test]
async fn valid_roster_commits_all_rows() {
    each_backend(|env| async move {
        env.demo().await;
        let t = env.token("yc_ganbu").await;
        let file = xlsx(
            &HEADERS,
            &[
                good_row("诸葛明德", "1981-02-03", "99050219810203011", "宜昌市商务局"),
                good_row("诸葛明理", "1983-04-05", "99050219830405011", "宜昌市教育局"),
                good_row("诸葛明智", "1984-06-07", "99050219840607011", "宜昌市财政局"),
                {
                    // The head of the unit: listed before a deputy whose name sorts first.
                    let mut r = good_row("诸葛明哲", "1979-08-09", "99050219790809011", "宜昌市商务局");
                    (r[7], r[9]) = (s("局长"), s("正职"));
                    r
                },
            ],
        );
        let r = env.upload("/api/v1/imports?kind=cadres", &t, "花名册.xlsx", &file).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let rep = r.json();
        assert_eq!(rep["ok"], true);
        assert_eq!(rep["rows"], 4);
        // Validation alone writes nothing.
        assert_eq!(count(&env, &t, "诸葛").await, 0);
        let id = rep["batch_id"].as_str().unwrap();
        let r = env.post(&format!("/api/v1/imports/{id}/commit"), &t, Value::Null).await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["committed"], 4);
        assert_eq!(count(&env, &t, "诸葛").await, 4);
        let list = env.get("/api/v1/cadres?q=诸葛明德", &t).await.json();
        assert_eq!(list["items"][0]["current_posts"], serde_json::json!(["副局长"]));
        // Roster order within the unit comes from the imported posts.
        let list = env.get("/api/v1/cadres?q=诸葛", &t).await.json();
        let names: Vec<&str> = list["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
        let (head, deputy) = (names.iter().position(|n| *n == "诸葛明哲"), names.iter().position(|n| *n == "诸葛明德"));
        assert!(head.is_some() && deputy.is_some() && head < deputy, "{names:?}");
        // A batch commits once.
        let r = env.post(&format!("/api/v1/imports/{id}/commit"), &t, Value::Null).await;
        assert_eq!((r.status, r.code().as_str()), (409, "conflict"));
        // The export carries the same columns and round-trips.
        let r = env.get("/api/v1/cadres/export?q=诸葛", &t).await;
        assert_eq!(r.status, 200);
        assert!(r.headers["content-type"].to_str().unwrap().contains("spreadsheetml"));
        let mut wb = calamine_open(&r.body);
        let header: Vec<String> = wb[0].clone();
        assert_eq!(&header[..4], &["姓名", "性别", "出生日期", "公民身份号码"]);
        assert_eq!(wb.len(), 5);
        wb.sort();
        assert!(
            wb.iter().any(|row| row.contains(&"诸葛明智".to_string()) && row.contains(&"宜昌市财政局".to_string()))
        );
    })
    .await;
}

/// A file where every row is wrong answers with the first thousand problems
/// and the count of all of them, not a message per cell of every row.
#[tokio::test]
async fn a_file_of_bad_rows_lists_a_thousand_problems_and_counts_the_rest() {
    let env = crate::support::sqlite().await;
    env.demo().await;
    let t = env.token("yc_ganbu").await;
    let rows: Vec<Vec<Cell>> = (0..1_500)
        .map(|i| {
            let mut r = good_row(&format!("乙{i}"), "1981-02-03", "99050219810203011", "宜昌市商务局");
            // Two problems a row; no ID number, so no duplicates on top.
            (r[1], r[2], r[3]) = (s("未知"), s("1981-02-30"), s(""));
            r
        })
        .collect();
    let r = env.upload("/api/v1/imports?kind=cadres", &t, "全错.xlsx", &xlsx(&HEADERS, &rows)).await;
    assert_eq!(r.status, 422, "{}", r.text());
    let rep = r.json();
    assert_eq!(rep["problems"].as_array().unwrap().len(), 1_000);
    assert_eq!(rep["problems_total"], 3_000);
    // Listed in row order: the first rows' problems, the last rows' counted.
    assert_eq!(rep["problems"][0]["row"], 2);
    assert_eq!(rep["problems"][999]["row"], 501);
    let page = env.get("/api/v1/imports", &t).await.json();
    let batch = page.as_array().unwrap().iter().find(|b| b["id"] == rep["batch_id"]).unwrap().clone();
    assert_eq!(batch["problems"], 3_000);
}

fn calamine_open(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Reader, open_workbook_auto_from_rs};
    let mut wb = open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

#[tokio::test]
async fn every_problem_is_reported_with_row_and_column() {
    each_backend(|env| async move {
        env.demo().await;
        let t = env.token("yc_ganbu").await;
        // An existing cadre's ID number, to collide with.
        let existing = {
            let r = env.get("/api/v1/cadres?per_page=1", &t).await.json();
            let id = r["items"][0]["id"].as_str().unwrap().to_string();
            env.get(&format!("/api/v1/cadres/{id}"), &t).await.json()["id_number"].as_str().unwrap().to_string()
        };
        let mut rows = vec![
            good_row("甲一", "1981-02-03", "99050219810203011", "宜昌市商务局"), // ok
            good_row("甲二", "2099-02-03", "99050220990203011", "宜昌市商务局"), // row 3: future birth
            good_row("甲三", "1981-02-03", "99050219810203011", "宜昌市商务局"), // row 4: duplicate of row 2
            good_row("甲四", "1982-02-03", "99050219820203011", "不存在的单位"), // row 5: unknown unit
            good_row("甲五", "1983-02-03", "99050219830203011", "荆州市财政局"), // row 6: out of scope
        ];
        let mut dup = good_row("甲六", "1984-02-03", "99050219840203011", "宜昌市商务局");
        dup[3] = s(&existing); // row 7: already in the registry (and birth date differs)
        rows.push(dup);
        let mut num = good_row("甲七", "1985-02-03", "99050219850203011", "宜昌市商务局");
        num[3] = Cell::N(990502198502030110.0); // row 8: ID number typed as a number
        rows.push(num);
        let mut bad = good_row("甲八", "1985-02-30", "99050219850203031", "宜昌市商务局");
        bad[1] = s("未知"); // row 9: bad date and bad sex
        rows.push(bad);
        let file = xlsx(&HEADERS, &rows);
        let r = env.upload("/api/v1/imports?kind=cadres", &t, "有问题.xlsx", &file).await;
        assert_eq!(r.status, 422, "{}", r.text());
        let rep = r.json();
        assert_eq!(rep["ok"], false);
        assert!(rep["batch_id"].is_string());
        let probs: Vec<(u64, String, String)> = rep["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["row"].as_u64().unwrap(),
                    p["column"].as_str().unwrap_or("").to_string(),
                    p["message"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let has =
            |row: u64, col: &str, frag: &str| probs.iter().any(|(r, c, m)| *r == row && c == col && m.contains(frag));
        assert!(has(3, "C", "不能晚于今天"), "{probs:#?}");
        assert!(has(4, "D", "与本文件第 2 行重复"), "{probs:#?}");
        assert!(has(5, "G", "找不到单位“不存在的单位”"), "{probs:#?}");
        // A unit outside the scope reads exactly like one that does not exist.
        assert!(has(6, "G", "在您的管理范围内找不到单位"), "{probs:#?}");
        assert!(has(7, "D", "已存在相同记录"), "{probs:#?}");
        assert!(has(8, "D", "存成了数字"), "{probs:#?}");
        assert!(has(9, "C", "不是有效日期"), "{probs:#?}");
        assert!(has(9, "B", "性别"), "{probs:#?}");
        assert!(!probs.iter().any(|(r, _, _)| *r == 2), "row 2 is fine: {probs:#?}");
        // Nothing was written, and a rejected batch cannot be committed.
        assert_eq!(count(&env, &t, "甲一").await, 0);
        let id = rep["batch_id"].as_str().unwrap();
        let r = env.post(&format!("/api/v1/imports/{id}/commit"), &t, Value::Null).await;
        assert_eq!(r.status, 409);
    })
    .await;
}

#[tokio::test]
async fn malformed_files_and_headers() {
    each_backend(|env| async move {
        env.demo().await;
        let t = env.token("yc_ganbu").await;
        // Not a spreadsheet at all.
        let r = env.upload("/api/v1/imports?kind=cadres", &t, "名册.xlsx", b"this is not a zip file").await;
        assert_eq!(r.status, 422);
        assert!(r.json()["problems"][0]["message"].as_str().unwrap().contains("无法读取"));
        let r = env.upload("/api/v1/imports?kind=cadres", &t, "名册.csv", b"a,b").await;
        assert_eq!(r.status, 422);
        assert!(r.text().contains("只支持 .xlsx 或 .xls"));
        // Wrong and missing headers are named with their column.
        let file = xlsx(&["姓名", "性别", "电话", "民族"], &[vec![s("张三"), s("男"), s("13800000000"), s("汉族")]]);
        let r = env.upload("/api/v1/imports?kind=cadres", &t, "名册.xlsx", &file).await;
        let rep = r.json();
        let msgs: Vec<String> =
            rep["problems"].as_array().unwrap().iter().map(|p| format!("{}|{}", p["column"], p["message"])).collect();
        assert!(msgs.iter().any(|m| m.starts_with("\"C\"") && m.contains("列名“电话”无法识别")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("缺少必需的列“出生日期”")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("缺少必需的列“工作单位”")), "{msgs:?}");
        // A roster uploaded as the unit list: the kind is named first.
        let file = xlsx(&HEADERS, &[good_row("错选", "1981-02-03", "99050219810203011", "宜昌市商务局")]);
        let r = env.upload("/api/v1/imports?kind=units", &t, "名册.xlsx", &file).await;
        assert!(r.json()["problems"][0]["message"].as_str().unwrap().contains("属于“干部名册”"), "{}", r.text());
        // Headers only.
        let file = xlsx(&HEADERS, &[]);
        let r = env.upload("/api/v1/imports?kind=cadres", &t, "空.xlsx", &file).await;
        assert!(r.text().contains("没有任何数据行"));
        // Unknown kind, missing file, oversize upload.
        let r = env.upload("/api/v1/imports?kind=salaries", &t, "x.xlsx", &file).await;
        assert_eq!(r.status, 422);
        assert!(r.text().contains("导入类型"));
        let big = vec![b'x'; env.app.config().upload_max_bytes + 10];
        let r = env.upload("/api/v1/imports?kind=cadres", &t, "big.xlsx", &big).await;
        assert_eq!((r.status, r.code().as_str()), (413, "too_large"), "{}", r.text());
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("MB"));
    })
    .await;
}

#[tokio::test]
async fn commit_rechecks_against_current_data() {
    each_backend(|env| async move {
        env.demo().await;
        let t = env.token("yc_ganbu").await;
        let file = xlsx(
            &HEADERS,
            &[good_row("令狐甲", "1981-02-03", "99050219810203011", "宜昌市商务局"), good_row("令狐乙", "1982-02-03", "99050219820203011", "宜昌市商务局")],
        );
        let rep = env.upload("/api/v1/imports?kind=cadres", &t, "a.xlsx", &file).await.json();
        assert_eq!(rep["ok"], true, "{rep}");
        // Someone else registers the second person in between.
        let unit = env.get("/api/v1/units?q=宜昌市商务局", &t).await.json()["items"][0]["id"].clone();
        let r = env
            .post(
                "/api/v1/cadres",
                &t,
                serde_json::json!({"name": "令狐乙", "sex": "男", "birth_date": "1982-02-03", "id_number": id_number("99050219820203011"),
                    "ethnicity": "汉族", "unit_id": unit, "managed_by": "市管"}),
            )
            .await;
        assert_eq!(r.status, 201);
        let id = rep["batch_id"].as_str().unwrap();
        let r = env.post(&format!("/api/v1/imports/{id}/commit"), &t, Value::Null).await;
        assert_eq!(r.status, 422, "{}", r.text());
        assert!(r.text().contains("已存在相同记录"));
        // All or nothing: the first row was not written either.
        assert_eq!(count(&env, &t, "令狐甲").await, 0);
    })
    .await;
}

#[tokio::test]
async fn xls_units_and_appointments() {
    each_backend(|env| async move {
        env.demo().await;
        let t = env.token("yc_ganbu").await;
        // Units: a parent defined earlier in the same file.
        let file = xlsx(
            &["单位名称", "单位类型", "行政区划代码", "上级单位", "排序号"],
            &[
                vec![s("宜昌市数据局"), s("政府机关"), s("420500"), s(""), s("50")],
                vec![s("宜昌市数据局数据中心"), s("事业单位"), s("420500"), s("宜昌市数据局"), s("")],
                vec![s("荆州市数据局"), s("政府机关"), s("421000"), s(""), s("")],
            ],
        );
        let rep = env.upload("/api/v1/imports?kind=units", &t, "单位.xlsx", &file).await.json();
        assert_eq!(rep["ok"], false);
        assert_eq!(rep["problems"][0]["row"], 4);
        let file = xlsx(
            &["单位名称", "单位类型", "行政区划代码", "上级单位", "排序号"],
            &[
                vec![s("宜昌市数据局"), s("政府机关"), s("420500"), s(""), s("50")],
                vec![s("宜昌市数据局数据中心"), s("事业单位"), s("420500"), s("宜昌市数据局"), s("")],
            ],
        );
        let rep = env.upload("/api/v1/imports?kind=units", &t, "单位.xlsx", &file).await.json();
        assert_eq!(rep["ok"], true, "{rep}");
        let r =
            env.post(&format!("/api/v1/imports/{}/commit", rep["batch_id"].as_str().unwrap()), &t, Value::Null).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let units = env.get("/api/v1/units?q=数据局", &t).await.json();
        assert_eq!(units["total"], 2);
        let parent = units["items"].as_array().unwrap().iter().find(|u| u["name"] == "宜昌市数据局").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let kids = env.get(&format!("/api/v1/units/{parent}/children"), &t).await.json();
        assert_eq!(kids[0]["name"], "宜昌市数据局数据中心");

        // The same roster in the old .xls format.
        let xls = std::fs::read(crate::support::workspace().join("crates/cli/tests/fixtures/cadres.xls")).unwrap();
        let rep = env.upload("/api/v1/imports?kind=cadres", &t, "cadres.xls", &xls).await.json();
        assert_eq!(rep["ok"], true, "{rep}");
        let r =
            env.post(&format!("/api/v1/imports/{}/commit", rep["batch_id"].as_str().unwrap()), &t, Value::Null).await;
        assert_eq!(r.json()["committed"], 2);
        let c = env.get("/api/v1/cadres?q=上官文静", &t).await.json();
        assert_eq!(c["items"][0]["ethnicity"], "土家族");

        // Appointment history for an imported cadre, identified by ID number.
        let idn = {
            let id =
                env.get("/api/v1/cadres?q=司马光明", &t).await.json()["items"][0]["id"].as_str().unwrap().to_string();
            env.get(&format!("/api/v1/cadres/{id}"), &t).await.json()["id_number"].as_str().unwrap().to_string()
        };
        let file = xlsx(
            &[
                "公民身份号码",
                "姓名",
                "任职单位",
                "职务（职级）名称",
                "职务层次",
                "正副职",
                "任职日期",
                "免职日期",
                "任职原因",
                "免职原因",
            ],
            &[
                vec![
                    s(&idn),
                    s("司马光明"),
                    s("宜昌市商务局"),
                    s("科长"),
                    s("乡科级"),
                    s("正职"),
                    s("2015-03-01"),
                    s("2021-03-31"),
                    s("提拔"),
                    s("提拔"),
                ],
                vec![
                    s(&idn),
                    s("司马光明"),
                    s("宜昌市商务局"),
                    s("科员"),
                    s(""),
                    s(""),
                    s("2008-07-01"),
                    s("2007-01-01"),
                    s("录用"),
                    s(""),
                ],
            ],
        );
        let rep = env.upload("/api/v1/imports?kind=appointments", &t, "任职.xlsx", &file).await.json();
        assert_eq!(rep["ok"], false);
        assert!(rep["problems"][0]["message"].as_str().unwrap().contains("免职日期"), "{rep}");
        assert_eq!(rep["problems"][0]["row"], 3);
    })
    .await;
}

/// Measures from a spreadsheet: every bad row named, nothing written until
/// the whole file is right; committed rows open their follow-ups.
#[tokio::test]
async fn measures_import_validates_then_commits_with_follow_ups() {
    each_backend(|env| async move {
        env.demo().await;
        let t = env.token("yc_jiwei").await;
        // Two city cadres of the education bureau, which the demo leaves clean.
        let units = env.get("/api/v1/units?q=%E5%AE%9C%E6%98%8C%E5%B8%82%E6%95%99%E8%82%B2%E5%B1%80", &t).await.json();
        let unit = units["items"][0]["id"].as_str().unwrap().to_string();
        let cadres = env.get(&format!("/api/v1/cadres?unit={unit}&managed_by=city&per_page=2"), &t).await.json();
        let people: Vec<(String, String, String)> = cadres["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let id = c["id"].as_str().unwrap().to_string();
                (id, c["name"].as_str().unwrap().to_string(), c["birth_date"].as_str().unwrap().to_string())
            })
            .collect();
        assert_eq!(people.len(), 2);
        let headers = ["姓名", "出生日期", "措施种类", "具体类型", "决定日期", "决定机关", "事由和依据", "回复期限"];
        let row = |p: &(String, String, String), kind: &str, ty: &str, date: &str, due: &str| {
            vec![
                Cell::S(p.1.clone()),
                Cell::S(p.2.clone()),
                Cell::S(kind.into()),
                Cell::S(ty.into()),
                Cell::S(date.into()),
                Cell::S("宜昌市纪委监委".into()),
                Cell::S("违反工作纪律".into()),
                Cell::S(due.into()),
            ]
        };
        let bad = xlsx(
            &headers,
            &[
                row(&people[0], "政务处分", "记过", "2024-03-01", ""),
                row(&people[1], "政务处分", "训诫", "2024-03-01", ""),
                row(&people[1], "函询", "", "2024-04-01", ""),
            ],
        );
        let r = env.upload("/api/v1/imports?kind=measures", &t, "处分.xlsx", &bad).await;
        assert_eq!(r.status, 422, "{}", r.text());
        let problems = r.json()["problems"].as_array().unwrap().clone();
        let at: Vec<(u64, &str)> =
            problems.iter().map(|p| (p["row"].as_u64().unwrap(), p["column"].as_str().unwrap_or(""))).collect();
        assert!(at.contains(&(3, "D")), "unknown type named at row 3, column D: {problems:?}");
        assert!(at.contains(&(4, "H")), "reply deadline missing at row 4, column H: {problems:?}");
        let good = xlsx(
            &headers,
            &[
                row(&people[0], "政务处分", "记过", "2024-03-01", ""),
                row(&people[1], "诫勉", "", "2024-03-01", ""),
                row(&people[1], "函询", "", "2024-04-01", "2024-04-20"),
            ],
        );
        let r = env.upload("/api/v1/imports?kind=measures", &t, "处分.xlsx", &good).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let id = r.json()["batch_id"].as_str().unwrap().to_string();
        let before = env.get(&format!("/api/v1/cadres/{}/measures", people[0].0), &t).await.json();
        assert_eq!(before.as_array().unwrap().len(), 0, "validation writes nothing");
        let r = env.post(&format!("/api/v1/imports/{id}/commit"), &t, Value::Null).await;
        assert_eq!((r.status, r.json()["committed"].as_u64()), (200, Some(3)), "{}", r.text());
        let e = env.get(&format!("/api/v1/cadres/{}/eligibility?as_of=2024-06-30", people[0].0), &t).await.json();
        assert_eq!(e["promotion"]["eligible_from"], "2025-03-02");
        let fus = env.get(&format!("/api/v1/cadres/{}/follow-ups", people[0].0), &t).await.json();
        assert_eq!(fus.as_array().unwrap().len(), 1, "the state sanction opened a follow-up");
        let m = env.get(&format!("/api/v1/cadres/{}/measures", people[1].0), &t).await.json();
        assert!(m.as_array().unwrap().iter().all(|x| x["origin"] == "import"));
        // The cadre section imports the registry, not measures.
        let gb = env.token("yc_ganbu").await;
        let r = env.upload("/api/v1/imports?kind=measures", &gb, "处分.xlsx", &good).await;
        assert_eq!(r.status, 403);
    })
    .await;
}

#[tokio::test]
async fn supervised_items_import_names_rows_and_columns() {
    each_backend(|env| async move {
        env.demo().await;
        let t = env.token("yc_ducha").await;
        let before = env.get("/api/v1/supervision/items", &t).await.json().as_array().unwrap().len();
        let headers = ["事项名称", "事项来源", "牵头单位", "配合单位", "分管负责人", "完成时限", "节点及时限"];
        let row = |title: &str, lead: &str, co: &str, deadline: &str, ms: &str| {
            vec![s(title), s("市委常委会（2026年第20次）"), s(lead), s(co), s("王志强"), s(deadline), s(ms)]
        };
        let bad = xlsx(
            &headers,
            &[
                row("城市更新行动", "宜昌市住房和城乡建设局", "宜昌市财政局、宜昌市不存在局", "2027-06-30", ""),
                row("", "宜昌市交通运输局", "", "2027-06-30", "完成方案 2027-09-30"),
                row("招商引资", "宜昌市商务局", "", "明年", "完成方案"),
            ],
        );
        let r = env.upload("/api/v1/imports?kind=supervised_items", &t, "督查事项.xlsx", &bad).await;
        assert_eq!(r.status, 422, "{}", r.text());
        let problems = r.json()["problems"].as_array().unwrap().clone();
        let at: Vec<(u64, &str)> =
            problems.iter().map(|p| (p["row"].as_u64().unwrap(), p["column"].as_str().unwrap_or(""))).collect();
        assert!(at.contains(&(2, "D")), "unknown co-unit at row 2, column D: {problems:?}");
        assert!(at.contains(&(3, "A")), "missing title at row 3, column A: {problems:?}");
        assert!(at.contains(&(3, "G")), "milestone after the deadline at row 3, column G: {problems:?}");
        assert!(at.contains(&(4, "G")), "milestone without a date at row 4, column G: {problems:?}");
        let good = xlsx(
            &headers,
            &[
                row(
                    "城市更新行动",
                    "宜昌市住房和城乡建设局",
                    "宜昌市财政局",
                    "2027-06-30",
                    "完成方案 2027-01-31；首批开工 2027-03-31",
                ),
                row("物流枢纽建设", "宜昌市交通运输局", "", "2027-12-31", ""),
            ],
        );
        let r = env.upload("/api/v1/imports?kind=supervised_items", &t, "督查事项.xlsx", &good).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let id = r.json()["batch_id"].as_str().unwrap().to_string();
        assert_eq!(env.get("/api/v1/supervision/items", &t).await.json().as_array().unwrap().len(), before);
        let r = env.post(&format!("/api/v1/imports/{id}/commit"), &t, Value::Null).await;
        assert_eq!((r.status, r.json()["committed"].as_u64()), (200, Some(2)), "{}", r.text());
        let items = env.get("/api/v1/supervision/items", &t).await.json();
        let it = items.as_array().unwrap().iter().find(|i| i["title"] == "城市更新行动").expect("imported");
        assert_eq!(it["milestones"].as_array().unwrap().len(), 2);
        assert_eq!(it["co_units"][0]["name"], "宜昌市财政局");
        assert_eq!(it["leader_in_charge"], "王志强");
        // The commission reads items but does not set them.
        let jw = env.token("yc_jiwei").await;
        let r = env.upload("/api/v1/imports?kind=supervised_items", &jw, "督查事项.xlsx", &good).await;
        assert_eq!(r.status, 403);
    })
    .await;
}

/// A part written as a head, a chunk repeated, and a tail: never held whole.
struct Big<'a> {
    name: &'a str,
    head: &'a [u8],
    times: usize,
    chunk: &'a [u8],
    tail: &'a [u8],
}

/// An .xlsx rebuilt from `base` with some parts replaced (by name) and the
/// rest copied.
fn rebuild(base: &[u8], replace: &[(&str, Vec<u8>)], big: Option<Big>) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(base)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        out.start_file(name.as_str(), opts).unwrap();
        if let Some((_, bytes)) = replace.iter().find(|(n, _)| *n == name) {
            out.write_all(bytes).unwrap();
        } else if let Some(b) = big.as_ref().filter(|b| b.name == name) {
            out.write_all(b.head).unwrap();
            for _ in 0..b.times {
                out.write_all(b.chunk).unwrap();
            }
            out.write_all(b.tail).unwrap();
        } else {
            let mut v = Vec::new();
            f.read_to_end(&mut v).unwrap();
            out.write_all(&v).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

fn part(xlsx: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// Each of these aborted the server (or, in a debug build, panicked in the
/// spreadsheet library) before the container was bounded: a cell at
/// XFD1048576, a row at 1,000,000, a shared-string table that inflates far
/// beyond the upload, a declared string count of a trillion, and .xls sheets
/// whose declared range wraps or spans four billion rows.
#[tokio::test]
async fn crafted_workbooks_are_refused_without_harm() {
    let env = crate::support::sqlite().await;
    env.demo().await;
    let t = env.token("yc_ganbu").await;
    let base = xlsx(&HEADERS, &[good_row("正常", "1981-02-03", "42050219810203011", "宜昌市商务局")]);
    let sheet = part(&base, "xl/worksheets/sheet1.xml");
    let far = |cell: &str, row: &str| {
        sheet.replace("</sheetData>", &format!(r#"<row r="{row}"><c r="{cell}"><v>1</v></c></row></sheetData>"#))
    };
    let strings = part(&base, "xl/sharedStrings.xml");
    let trillion = strings.replacen("uniqueCount=\"", "uniqueCount=\"1000000000000", 1);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "XFD1048576",
            rebuild(&base, &[("xl/worksheets/sheet1.xml", far("XFD1048576", "1048576").into())], None),
            "超出上限",
        ),
        (
            "A1000000",
            rebuild(&base, &[("xl/worksheets/sheet1.xml", far("A1000000", "1000000").into())], None),
            "超出上限",
        ),
        (
            "shared strings bomb",
            rebuild(
                &base,
                &[],
                Some(Big {
                    name: "xl/sharedStrings.xml",
                    head: br#"<sst uniqueCount="1"><si><t>"#,
                    times: 80,
                    chunk: &[b'a'; 1 << 20],
                    tail: b"</t></si></sst>",
                }),
            ),
            "解压后超过",
        ),
        ("uniqueCount", rebuild(&base, &[("xl/sharedStrings.xml", trillion.into())], None), "不同的文本"),
    ];
    let mut xls_cases = Vec::new();
    let xls = std::fs::read(crate::support::workspace().join("crates/cli/tests/fixtures/cadres.xls")).unwrap();
    let dim = xls.windows(4).position(|w| w == [0x00, 0x02, 0x0E, 0x00]).expect("a DIMENSIONS record") + 4;
    let mut wraps = xls.clone();
    wraps[dim..dim + 8].copy_from_slice(&[100, 0, 0, 0, 5, 0, 0, 0]);
    xls_cases.push(("xls first row after last", wraps, "已损坏"));
    let mut huge = xls.clone();
    huge[dim + 4..dim + 8].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
    xls_cases.push(("xls four billion rows", huge, "超出上限"));
    // A sheet record pointing anywhere but at the start of a sheet (the
    // library would read records the check never saw, or slice past the end).
    let sheet = {
        // The BoundSheet record: type 0x0085 with a plausible length.
        let mut at = 0usize;
        loop {
            let Some(i) = xls[at..].windows(2).position(|w| w == [0x85, 0x00]) else { break None };
            let p = at + i;
            let len = u16::from_le_bytes([xls[p + 2], xls[p + 3]]) as usize;
            if (8..=300).contains(&len) {
                break Some(p + 4);
            }
            at = p + 1;
        }
    };
    {
        let off = sheet.expect("the fixture's sheet record");
        let mut moved = xls.clone();
        let v = u32::from_le_bytes([moved[off], moved[off + 1], moved[off + 2], moved[off + 3]]) + 1;
        moved[off..off + 4].copy_from_slice(&v.to_le_bytes());
        xls_cases.push(("xls sheet offset inside a record", moved, "已损坏"));
    }
    for (what, file, says) in cases.into_iter().chain(xls_cases) {
        let name = if what.starts_with("xls") { "名册.xls" } else { "名册.xlsx" };
        let r = env.upload("/api/v1/imports?kind=cadres", &t, name, &file).await;
        assert_eq!(r.status, 422, "{what}: {r:?}");
        let msg = r.json()["problems"][0]["message"].as_str().unwrap_or_default().to_string();
        assert!(msg.contains(says), "{what}: {msg}");
    }
    // The unmodified file still imports, and nothing above left a batch that may commit.
    let r = env.upload("/api/v1/imports?kind=cadres", &t, "名册.xlsx", &base).await;
    assert_eq!(r.status, 200, "{r:?}");
    let r = env.upload("/api/v1/imports?kind=cadres", &t, "名册.xls", &xls).await;
    assert_eq!(r.status, 200, "{r:?}");
}
