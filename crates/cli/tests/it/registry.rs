//! Registry use cases through the JSON API: validation, search, concurrency.

use serde_json::{Value, json};

use crate::support::{Env, each_backend};

fn id_number(body17: &str) -> String {
    dandang_domain::registry::IdNumber::from_body(body17).unwrap().as_str().to_string()
}

async fn unit_id(env: &Env, token: &str, name: &str) -> String {
    let r = env.get(&format!("/api/v1/units?q={name}"), token).await.json();
    r["items"].as_array().unwrap().iter().find(|u| u["name"] == name).unwrap()["id"].as_str().unwrap().to_string()
}

fn cadre(unit: &str) -> Value {
    json!({"name": "欧阳明远", "sex": "男", "birth_date": "1979-08-09", "id_number": id_number("42050219790809001"),
           "ethnicity": "土家", "party_join_date": "2001-07-01", "education": "研究生", "degree": "硕士",
           "unit_id": unit, "rank": "二级调研员", "managed_by": "市管", "tags": ["基层工作经历", "experience_tag.investment_frontline"]})
}

#[tokio::test]
async fn an_integer_written_as_a_float_is_the_integer() {
    each_backend(|env| async move {
        env.demo().await;
        let t = env.token("yc_ganbu").await;
        let unit = |sort: Value| json!({"name": "宜昌市测试局", "unit_type": "政府机关", "jurisdiction_code": "420500", "sort_order": sort});
        let r = env.post("/api/v1/units", &t, unit(json!(4723.0))).await;
        assert_eq!(r.status, 201, "{}", r.text());
        assert_eq!(r.json()["sort_order"], 4723, "{}", r.text());
        let r = env.post("/api/v1/units", &t, unit(json!(4723.5))).await;
        let f = &r.json()["error"]["fields"][0];
        assert_eq!(
            (r.status, f["field"].as_str(), f["label"].as_str(), f["code"].as_str()),
            (422, Some("sort_order"), Some("排序"), Some("wrong_type")),
            "{}",
            r.text()
        );
    })
    .await;
}

#[tokio::test]
async fn bad_input_names_the_field_and_writes_nothing() {
    each_backend(|env| async move {
        env.demo().await;
        let t = env.token("yc_ganbu").await;
        let unit = unit_id(&env, &t, "宜昌市财政局").await;
        let cases: Vec<(&str, Value, &str, &str)> = vec![
            ("birth_date", json!("2099-01-01"), "future_date", "出生日期不能晚于今天"),
            ("birth_date", json!("1979/13/40"), "bad_date", "出生日期不是有效日期"),
            ("id_number", json!("420502197908090010"), "bad_id_number", "公民身份号码"),
            ("id_number", json!(id_number("42050219800809001")), "id_number_mismatch", "出生日期不同"),
            ("sex", json!("未知"), "unknown_value", "性别取值无法识别"),
            ("managed_by", json!("乡管"), "unknown_value", "管理权限"),
            ("ethnicity", json!("火星族"), "unknown_value", "民族"),
            ("tags", json!(["外星经历"]), "unknown_value", "经历标签"),
            ("name", json!(""), "required", "姓名不能为空"),
            ("party_join_date", json!("1970-01-01"), "date_order", "入党时间不能早于出生日期"),
        ];
        for (field, value, code, msg) in cases {
            let mut body = cadre(&unit);
            body[field] = value;
            let r = env.post("/api/v1/cadres", &t, body).await;
            assert_eq!(r.status, 422, "{field}: {}", r.text());
            let e = r.json();
            assert_eq!(e["error"]["code"], "invalid_input");
            let f = e["error"]["fields"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["field"] == field)
                .unwrap_or_else(|| panic!("{field}: {e}"));
            assert_eq!(f["code"], code, "{field}");
            assert!(f["message"].as_str().unwrap().contains(msg), "{field}: {}", f["message"]);
        }
        // Unknown unit, malformed JSON, wrong types, missing fields: 4xx with Chinese messages.
        let mut body = cadre(&unit);
        body["unit_id"] = json!(uuid::Uuid::now_v7());
        let r = env.post("/api/v1/cadres", &t, body).await;
        assert_eq!(r.status, 422);
        assert!(r.text().contains("所在单位找不到对应记录"), "{}", r.text());
        let raw = axum::http::Request::builder()
            .method("POST")
            .uri("/api/v1/cadres")
            .header("authorization", format!("Bearer {t}"))
            .header("content-type", "application/json")
            .body(axum::body::Body::from("{\"name\": \"x\",,}"))
            .unwrap();
        let r = env.request(raw).await;
        assert_eq!((r.status, r.code().as_str()), (400, "bad_request"));
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("不是有效的 JSON"));
        let r = env.post("/api/v1/cadres", &t, json!({"name": "x"})).await;
        assert_eq!(r.status, 422);
        let f = &r.json()["error"]["fields"][0];
        assert_eq!((f["code"].as_str(), f["label"].as_str()), (Some("required"), Some("性别")), "{}", r.text());

        let mut body = cadre(&unit);
        body["unit_id"] = json!(5);
        let r = env.post("/api/v1/cadres", &t, body).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.json()["error"]["fields"][0]["field"], "unit_id", "{}", r.text());
        // None of the above left a row.
        let r = env.get("/api/v1/cadres?q=欧阳明远", &t).await.json();
        assert_eq!(r["total"], 0);
        // A good one is accepted once; the same ID number again is a duplicate.
        let r = env.post("/api/v1/cadres", &t, cadre(&unit)).await;
        assert_eq!(r.status, 201, "{}", r.text());
        let c = r.json();
        assert_eq!(c["ethnicity"], "土家族");
        assert_eq!(c["tags"].as_array().unwrap().len(), 2);
        let r = env.post("/api/v1/cadres", &t, cadre(&unit)).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.json()["error"]["fields"][0]["code"], "duplicate");
    })
    .await;
}

#[tokio::test]
async fn search_by_name_pinyin_and_initials() {
    each_backend(|env| async move {
        env.demo().await;
        let t = env.token("yc_ganbu").await;
        let unit = unit_id(&env, &t, "宜昌市商务局").await;
        assert_eq!(env.post("/api/v1/cadres", &t, cadre(&unit)).await.status, 201);
        for q in ["欧阳", "明远", "ouyang", "OuYangMingYuan", "oymy"] {
            let r = env.get(&format!("/api/v1/cadres?q={q}"), &t).await.json();
            let names: Vec<&str> = r["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
            assert!(names.contains(&"欧阳明远"), "{q}: {names:?}");
        }
        // LIKE wildcards in the query are literal.
        let r = env.get("/api/v1/cadres?q=%25", &t).await.json();
        assert_eq!(r["total"], 0);
        // Sorting by name follows pinyin, not the database's collation.
        let r = env.get("/api/v1/cadres?sort=name&per_page=200", &t).await.json();
        let keys: Vec<String> = r["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| dandang_domain::text::name_keys(c["name"].as_str().unwrap()).pinyin)
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        // Filters combine and bad filter values are named.
        let r = env.get("/api/v1/cadres?tier=县处级&level=正职&per_page=5", &t).await;
        assert_eq!(r.status, 200);
        assert!(r.json()["total"].as_u64().unwrap() > 10);
        let r = env.get("/api/v1/cadres?tier=宇宙级", &t).await;
        assert_eq!(r.status, 422);
        assert!(r.text().contains("职务层次"));
        let r = env.get("/api/v1/cadres?age_min=abc", &t).await;
        assert_eq!(r.status, 422);
        assert!(r.text().contains("最小年龄"));
        // Empty filters, as an HTML form sends them, mean no filter.
        let all = env.get("/api/v1/cadres", &t).await.json()["total"].clone();
        let r = env.get("/api/v1/cadres?age_min=&age_max=&tier=&sex=&q=", &t).await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["total"], all);
        let r = env.get("/api/v1/cadres?age_min=50&age_max=55", &t).await.json();
        assert!(r["items"].as_array().unwrap().iter().all(|c| (50..=55).contains(&c["age"].as_i64().unwrap())), "{r}");
        let r = env.get("/api/v1/cadres?tag=experience_tag.investment_frontline", &t).await.json();
        assert!(r["total"].as_u64().unwrap() >= 1);
    })
    .await;
}

/// Every reading of a polyphone finds the person (陈长江 was found by "czj"
/// but not by "ccj"), a surname takes its own reading (单 shàn), and names
/// found by their usual spelling come first.
#[tokio::test]
async fn polyphones_are_found_by_every_reading() {
    each_backend(|env| async move {
        env.demo().await;
        let t = env.token("yc_ganbu").await;
        let unit = unit_id(&env, &t, "宜昌市商务局").await;
        for (name, body17) in
            [("陈长江", "42050219790809013"), ("单雄飞", "42050219790809015"), ("许哲远", "42050219790809017")]
        {
            let mut c = cadre(&unit);
            c["name"] = json!(name);
            c["id_number"] = json!(id_number(body17));
            let r = env.post("/api/v1/cadres", &t, c).await;
            assert_eq!(r.status, 201, "{name}: {}", r.text());
        }
        let names = |r: Value| -> Vec<String> {
            r["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_string()).collect()
        };
        for (q, who) in [
            ("ccj", "陈长江"),
            ("czj", "陈长江"),
            ("chenchangjiang", "陈长江"),
            ("chenzhangjiang", "陈长江"),
            ("shanxiongfei", "单雄飞"),
            ("danxiongfei", "单雄飞"),
            ("sxf", "单雄飞"),
        ] {
            let found = names(env.get(&format!("/api/v1/cadres?q={q}&per_page=200"), &t).await.json());
            assert!(found.iter().any(|n| n == who), "{q}: {found:?}");
        }
        // "xz": 许哲远 (xzy, its usual spelling) before any 向长江-like name
        // found only through the other reading of 长.
        let mut c = cadre(&unit);
        c["name"] = json!("向长海");
        c["id_number"] = json!(id_number("42050219790809019"));
        assert_eq!(env.post("/api/v1/cadres", &t, c).await.status, 201);
        let found = names(env.get("/api/v1/cadres?q=xz&per_page=200", &t).await.json());
        let (usual, other) = (found.iter().position(|n| n == "许哲远"), found.iter().position(|n| n == "向长海"));
        assert!(usual.is_some() && other.is_some() && usual < other, "{found:?}");
    })
    .await;
}

#[tokio::test]
async fn stale_updates_are_refused_and_appointments_chain() {
    each_backend(|env| async move {
        env.demo().await;
        let t = env.token("yc_ganbu").await;
        let unit = unit_id(&env, &t, "宜昌市交通运输局").await;
        let created = env.post("/api/v1/cadres", &t, cadre(&unit)).await.json();
        let id = created["id"].as_str().unwrap().to_string();
        let mut upd = cadre(&unit);
        upd["version"] = json!(created["version"]);
        upd["note"] = json!("第一次修改");
        let r = env.put(&format!("/api/v1/cadres/{id}"), &t, upd.clone()).await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["version"], created["version"].as_i64().unwrap() + 1);
        // The same stale version again: refused, not silently overwritten.
        upd["note"] = json!("过期的修改");
        let r = env.put(&format!("/api/v1/cadres/{id}"), &t, upd).await;
        assert_eq!((r.status, r.code().as_str()), (409, "stale_write"));
        let now = env.get(&format!("/api/v1/cadres/{id}"), &t).await.json();
        assert_eq!(now["note"], "第一次修改");

        // Appointments: a promotion ends the current post the day before.
        let a1 = env
            .post(&format!("/api/v1/cadres/{id}/appointments"), &t, json!({"unit_id": unit, "title": "副局长", "tier": "县处级", "level": "副职", "start_date": "2019-03-01", "reason": "提拔"}))
            .await;
        assert_eq!(a1.status, 201, "{}", a1.text());
        let a2 = env
            .post(&format!("/api/v1/cadres/{id}/appointments"), &t, json!({"unit_id": unit, "title": "局长", "tier": "县处级", "level": "正职", "start_date": "2023-06-15", "reason": "提拔", "end_current": true, "document_ref": "宜组干〔2023〕21号"}))
            .await;
        assert_eq!(a2.status, 201, "{}", a2.text());
        let list = env.get(&format!("/api/v1/cadres/{id}/appointments"), &t).await.json();
        let items = list.as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["end_date"], "2023-06-14");
        assert_eq!(items[1]["current"], true);
        let d = env.get(&format!("/api/v1/cadres/{id}"), &t).await.json();
        assert_eq!(d["current_posts"], json!(["局长"]));
        assert!(d["timeline"].as_array().unwrap().len() >= 3);
        // Starting before the current post, or ending before the start: refused.
        let r = env
            .post(&format!("/api/v1/cadres/{id}/appointments"), &t, json!({"unit_id": unit, "title": "x", "start_date": "2020-01-01", "reason": "提拔", "end_current": true}))
            .await;
        assert_eq!(r.status, 422);
        let cur = items[1]["id"].as_str().unwrap();
        let r = env.post(&format!("/api/v1/appointments/{cur}/end"), &t, json!({"end_date": "2023-01-01", "end_reason": "免职"})).await;
        assert_eq!(r.status, 422);
        assert!(r.text().contains("不能早于任职日期"));
        let r = env.post(&format!("/api/v1/appointments/{cur}/end"), &t, json!({"end_date": "2024-01-01", "end_reason": "免职"})).await;
        assert_eq!(r.status, 200);
        let r = env.post(&format!("/api/v1/appointments/{cur}/end"), &t, json!({"end_date": "2024-01-02", "end_reason": "免职"})).await;
        assert_eq!((r.status, r.code().as_str()), (409, "conflict"));
    })
    .await;
}

#[tokio::test]
async fn jurisdictions_units_and_posts() {
    each_backend(|env| async move {
        env.demo().await;
        let admin = env.token("admin").await;
        let r = env.post("/api/v1/jurisdictions", &admin, json!({"code": "420506120", "name": "黄花镇", "level": "乡镇", "parent_code": "420506"})).await;
        assert_eq!(r.status, 201, "{}", r.text());
        // Codes must nest under the parent and not repeat.
        let r = env.post("/api/v1/jurisdictions", &admin, json!({"code": "421002120", "name": "错镇", "level": "township", "parent_code": "420506"})).await;
        assert_eq!(r.status, 422);
        let r = env.post("/api/v1/jurisdictions", &admin, json!({"code": "420506120", "name": "重复", "level": "township", "parent_code": "420506"})).await;
        assert_eq!(r.status, 422);
        // A county department may not create outside its county.
        let yl = env.token("yl_ganbu").await;
        let r = env.post("/api/v1/units", &yl, json!({"name": "秭归县测试局", "unit_type": "政府机关", "jurisdiction_code": "420527"})).await;
        assert_eq!((r.status, r.fields()), (422, vec!["jurisdiction_code".to_string()]), "{}", r.text());
        let r = env.post("/api/v1/units", &yl, json!({"name": "中共夷陵区黄花镇委员会", "unit_type": "党的机关", "jurisdiction_code": "420506120"})).await;
        assert_eq!(r.status, 201, "{}", r.text());
        let unit = r.json()["id"].as_str().unwrap().to_string();
        let r = env.post(&format!("/api/v1/units/{unit}/posts"), &yl, json!({"title": "党委书记", "level": "正职", "tier": "乡科级"})).await;
        assert_eq!(r.status, 201, "{}", r.text());
        assert_eq!(r.json()["grade_label"], "乡科级正职");
        let r = env.post(&format!("/api/v1/units/{unit}/posts"), &yl, json!({"title": "党委书记", "level": "正职", "tier": "乡科级"})).await;
        assert_eq!(r.status, 422);
        let posts = env.get(&format!("/api/v1/units/{unit}/posts"), &yl).await.json();
        assert_eq!(posts.as_array().unwrap().len(), 1);
        let u = env.get(&format!("/api/v1/units/{unit}"), &yl).await.json();
        let r = env.put(&format!("/api/v1/units/{unit}"), &yl, json!({"name": "中共夷陵区黄花镇委员会", "unit_type": "党的机关", "sort_order": 3, "version": u["version"]})).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let r = env.put(&format!("/api/v1/units/{unit}"), &yl, json!({"name": "改名", "unit_type": "党的机关", "version": u["version"]})).await;
        assert_eq!(r.status, 409);
    })
    .await;
}

#[tokio::test]
async fn roster_lists_principals_first_and_follows_appointments() {
    each_backend(|env| async move {
        env.demo().await;
        let t = env.token("yc_ganbu").await;
        let unit = unit_id(&env, &t, "宜昌市财政局").await;
        let items = roster(&env, &t, &unit).await;
        assert_eq!(items[0]["current_posts"], json!(["局长"]), "{items:#?}");
        let deputy = items.iter().find(|c| c["current_posts"] == json!(["副局长"])).unwrap()["id"].as_str().unwrap().to_string();
        let today = dandang_app::clock::today().to_string();
        // The deputy is promoted; the former head leaves.
        let r = env
            .post(&format!("/api/v1/cadres/{deputy}/appointments"), &t, json!({"unit_id": unit, "title": "局长", "tier": "县处级", "level": "正职", "start_date": today, "reason": "提拔", "end_current": true}))
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        let head = items[0]["id"].as_str().unwrap().to_string();
        let appts = env.get(&format!("/api/v1/cadres/{head}/appointments"), &t).await.json();
        let open = appts.as_array().unwrap().iter().find(|a| a["current"] == true).unwrap()["id"].as_str().unwrap().to_string();
        let r = env.post(&format!("/api/v1/appointments/{open}/end"), &t, json!({"end_date": today, "end_reason": "免职"})).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let items = roster(&env, &t, &unit).await;
        assert_eq!(items[0]["id"], deputy);
        assert_eq!(items.last().unwrap()["id"], head, "without a post, last");
    })
    .await;
}

async fn roster(env: &Env, t: &str, unit: &str) -> Vec<Value> {
    env.get(&format!("/api/v1/cadres?unit={unit}&sort=unit"), t).await.json()["items"].as_array().unwrap().clone()
}

/// A hundred thousand bad elements get a short answer: the first hundred
/// problems listed, the rest counted (the answer was 83 MB).
#[tokio::test]
async fn a_flood_of_bad_elements_gets_a_short_answer() {
    let env = crate::support::sqlite().await;
    env.demo().await;
    let t = env.token("yc_ganbu").await;
    let unit = unit_id(&env, &t, "宜昌市财政局").await;
    let mut body = cadre(&unit);
    body["tags"] = json!(vec!["外星经历"; 100_000]);
    let r = env.post("/api/v1/cadres", &t, body).await;
    assert_eq!(r.status, 422);
    assert!(r.body.len() < 64 * 1024, "{} bytes", r.body.len());
    let e = r.json();
    assert_eq!(e["error"]["fields"].as_array().unwrap().len(), 100);
    assert_eq!(e["error"]["omitted"], 100_000 - 100);
    assert!(e["error"]["message"].as_str().unwrap().contains("另有 99900 处问题未列出"));
}

/// Text the databases or people cannot take: NUL answered PostgreSQL's 500,
/// BEL and U+202E were stored, and zero-width characters kept "王\u{200B}小明"
/// from being found as 王小明. Refused characters are named with their field
/// on every input path; invisible ones are removed.
#[tokio::test]
async fn text_is_refused_or_cleaned_the_same_way_everywhere() {
    each_backend(|env| async move {
        env.demo().await;
        let t = env.token("yc_ganbu").await;
        let unit = unit_id(&env, &t, "宜昌市财政局").await;
        for (field, value, path) in [
            ("name", json!("王\u{0}五"), "name"),
            ("name", json!("王\u{7}五"), "name"),
            ("ethnicity", json!("汉\u{202E}"), "ethnicity"),
            ("tags", json!(["基层工作经历", "x\u{0}"]), "tags[1]"),
        ] {
            let mut body = cadre(&unit);
            body[field] = value;
            let r = env.post("/api/v1/cadres", &t, body).await;
            assert_eq!(r.status, 422, "{path}: {r:?}");
            let f = &r.json()["error"]["fields"][0];
            assert_eq!((f["field"].as_str(), f["code"].as_str()), (Some(path), Some("bad_character")), "{r:?}");
            assert!(f["message"].as_str().unwrap().contains("不允许的字符"), "{r:?}");
        }
        // Query strings and the login form.
        let r = env.get("/api/v1/cadres?q=%E7%8E%8B%00", &t).await;
        assert_eq!(r.status, 400, "{r:?}");
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("不允许的字符"), "{r:?}");
        let (cookie, token) = env.login_form().await;
        let req = axum::http::Request::builder()
            .method("POST")
            .uri("/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", cookie)
            .body(axum::body::Body::from(format!(
                "username=a%00b&password=x&next=/&login_csrf={}",
                crate::support::enc(&token)
            )))
            .unwrap();
        let r = env.request(req).await;
        assert!((400..500).contains(&r.status), "{r:?}");
        // A page form.
        let b = env.login("yc_ganbu", dandang_demo::DEMO_PASSWORD).await.unwrap();
        let r = env.form("/cadres", &b, &format!("_csrf={}&name=%E7%8E%8B%00", b.csrf)).await;
        assert_eq!(r.status, 422, "{r:?}");
        assert!(r.text().contains("不允许的字符"));
        // Invisible characters are removed: the name is found as typed without them.
        let mut body = cadre(&unit);
        body["name"] = json!("欧\u{200B}阳\u{FEFF}明远");
        let r = env.post("/api/v1/cadres", &t, body).await;
        assert_eq!(r.status, 201, "{r:?}");
        assert_eq!(r.json()["name"], "欧阳明远");
        let found = env.get("/api/v1/cadres?q=%E6%AC%A7%E2%80%8B%E9%98%B3", &t).await.json();
        assert!(found["items"].as_array().unwrap().iter().any(|c| c["name"] == "欧阳明远"), "{found}");
        // An imported cell with a bidi override is named by row and column.
        let headers = ["姓名", "性别", "出生日期", "民族", "工作单位", "管理权限"];
        let row = ["覃\u{202E}林", "男", "1980-01-01", "汉族", "宜昌市财政局", "市管"];
        let file = crate::support::xlsx_rows(&headers, &[row.map(String::from).to_vec()]);
        let r = env.upload("/api/v1/imports?kind=cadres", &t, "名册.xlsx", &file).await;
        assert_eq!(r.status, 422, "{r:?}");
        let problems = r.json()["problems"].clone();
        assert!(
            problems.as_array().unwrap().iter().any(|p| p["row"] == 2
                && p["column"] == "A"
                && p["message"].as_str().unwrap().contains("不允许的字符")),
            "{problems}"
        );
        // Nothing refused above was stored.
        let all = env.get("/api/v1/cadres?per_page=200&q=%E7%8E%8B%E4%BA%94", &t).await.json();
        assert!(all["items"].as_array().unwrap().iter().all(|c| !c["name"].as_str().unwrap().contains('\u{0}')));
    })
    .await;
}
