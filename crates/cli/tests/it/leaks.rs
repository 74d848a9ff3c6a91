//! The leaks an attacker's probe of the running server found (issue 11), one
//! test per finding. Each failed before the access choke point and passes
//! now; they talk HTTP only, the way the probe did.

use axum::{
    body::Body,
    http::{Method, Request, header},
};
use chrono::Datelike;
use serde_json::{Value, json};

use crate::support::{Env, each_backend, enc};

const PW: &str = dandang_demo::DEMO_PASSWORD;

/// An administrator limited to 夷陵区's county-managed cadres (the demo has
/// one; a deployment without it gets one made the way an administrator would).
async fn county_admin(env: &Env) -> String {
    if dandang_app::users::actor_by_name(&env.app, "yl_admin").await.is_ok() {
        return env.token("yl_admin").await;
    }
    let admin = env.token("admin").await;
    let r = env
        .post(
            "/api/v1/users",
            &admin,
            json!({"username": "yl_probe", "display_name": "夷陵区管理员（测试）", "role": "admin",
                "jurisdiction_code": "420506", "managed_by": ["county"]}),
        )
        .await;
    assert_eq!(r.status, 201, "{r:?}");
    env.token("yl_probe").await
}

/// Some cadre by an admin's query, with its id and full ID number.
async fn cadre_where(env: &Env, query: &str) -> (String, String, String) {
    let admin = env.token("admin").await;
    let list = env.get(&format!("/api/v1/cadres?per_page=5&{query}"), &admin).await.json();
    let id = list["items"][0]["id"].as_str().unwrap_or_else(|| panic!("no cadre for {query}")).to_string();
    let c = env.get(&format!("/api/v1/cadres/{id}"), &admin).await.json();
    (id, c["name"].as_str().unwrap().to_string(), c["id_number"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn finding_1_a_scoped_admin_mints_no_token_for_anyone_else_and_revokes_none() {
    each_backend(|env| async move {
        env.demo().await;
        let yl = county_admin(&env).await;
        let r = env.post("/api/v1/tokens", &yl, json!({"username": "admin", "name": "x"})).await;
        assert!(r.status >= 400 && !r.text().contains("ddt_"), "a token for the global administrator: {r:?}");
        let r = env.post("/api/v1/tokens", &yl, json!({"username": "jz_ganbu", "name": "x"})).await;
        assert!(r.status >= 400 && !r.text().contains("ddt_"), "a token for another city's user: {r:?}");
        // The global administrator's token cannot be revoked from below.
        let admin = env.token("admin").await;
        let theirs = env.get("/api/v1/tokens", &admin).await.json()[0]["id"].as_str().unwrap().to_string();
        let r = env.api(Method::DELETE, &format!("/api/v1/tokens/{theirs}"), Some(&yl), None).await;
        assert_eq!(r.status, 404, "{r:?}");
        assert_eq!(env.get("/api/v1/me", &admin).await.status, 200);
    })
    .await;
}

#[tokio::test]
async fn finding_2_audit_reads_are_scoped_and_show_no_id_numbers() {
    each_backend(|env| async move {
        env.demo().await;
        let (city_cadre, _, _) = cadre_where(&env, "jurisdiction=420500&managed_by=city").await;
        let yc = env.token("yc_ganbu").await;
        assert_eq!(env.get(&format!("/api/v1/cadres/{city_cadre}"), &yc).await.status, 200);
        let yl = county_admin(&env).await;
        let log = env.get("/api/v1/audit?per_page=500", &yl).await;
        assert_eq!(log.status, 200);
        assert!(!log.text().contains(&city_cadre), "a county administrator reads the city's trail");
        // An edit writes the full ID number nowhere a reader of the trail sees it.
        let admin = env.token("admin").await;
        let (id, _, number) = cadre_where(&env, "jurisdiction=420506&managed_by=county").await;
        let c = env.get(&format!("/api/v1/cadres/{id}"), &admin).await.json();
        let mut upd = c.clone();
        upd["note"] = json!("审计测试");
        upd["unit_id"] = c["unit_id"].clone();
        upd["tags"] = json!([]);
        let r = env.put(&format!("/api/v1/cadres/{id}"), &admin, upd).await;
        assert_eq!(r.status, 200, "{r:?}");
        let auditor = env.token("auditor").await;
        let log = env.get(&format!("/api/v1/audit?per_page=500&entity_id={id}"), &auditor).await;
        assert!(log.text().contains("cadre.update"), "{}", log.text());
        assert!(!log.text().contains(&number), "the auditor reads a full ID number in the trail");
        let xlsx = env.get(&format!("/api/v1/audit/export?entity_id={id}"), &auditor).await;
        assert_eq!(xlsx.status, 200);
        let cells = crate::support::xlsx_text(&xlsx.body);
        assert!(cells.contains("cadre.update") && !cells.contains(&number), "the export carries the number");
        // The trail still verifies.
        assert_eq!(env.get("/api/v1/audit/verify", &auditor).await.json()["ok"], true);
    })
    .await;
}

#[tokio::test]
async fn finding_3_a_masked_number_cannot_be_rebuilt_from_the_birth_date() {
    each_backend(|env| async move {
        env.demo().await;
        let (id, _, number) = cadre_where(&env, "jurisdiction=420500&managed_by=city").await;
        let ducha = env.token("yc_ducha").await;
        let c = env.get(&format!("/api/v1/cadres/{id}"), &ducha).await.json();
        assert_eq!(c["id_number_masked"], true);
        let masked = c["id_number"].as_str().unwrap();
        // The birth date is digits 7–14: neither shown in the mask nor beside it.
        let birth = &number[6..14];
        assert!(!masked.contains(birth) && !masked.contains(&number[14..]), "{masked}");
        assert!(c["birth_date"].is_null(), "{c}");
        let full = format!("{}-{}-{}", &birth[..4], &birth[4..6], &birth[6..8]);
        let list = env.get("/api/v1/cadres?per_page=200", &ducha).await;
        assert!(!list.text().contains(&full), "the list shows full birth dates");
        let b = env.login("yc_ducha", PW).await.unwrap();
        let page = env.page(&format!("/cadres/{id}"), &b.cookie).await;
        assert_eq!(page.status, 200);
        assert!(!page.text().contains(&full) && !page.text().contains(&number));
        // Nor does the age, an age filter or the order by age narrow it to the day.
        let birth_day = chrono::NaiveDate::parse_from_str(&full, "%Y-%m-%d").unwrap();
        let first = birth_day.with_day(1).unwrap();
        let today = dandang_app::clock::today();
        assert_eq!(c["age"], dandang_domain::registry::age_on(first, today), "{c}");
        let age = c["age"].as_i64().unwrap();
        let same = env.get(&format!("/api/v1/cadres?per_page=200&age_min={age}&age_max={age}"), &ducha).await.json();
        let items = same["items"].as_array().unwrap();
        assert!(items.iter().any(|i| i["id"] == id.as_str()) && items.iter().all(|i| i["age"] == age), "{same}");
        let sorted = env.get("/api/v1/cadres?per_page=200&sort=birth", &ducha).await.json();
        let months: Vec<&str> =
            sorted["items"].as_array().unwrap().iter().map(|i| i["birth_month"].as_str().unwrap()).collect();
        assert!(months.windows(2).all(|w| w[0] <= w[1]), "{months:?}");
    })
    .await;
}

#[tokio::test]
async fn finding_4_no_answer_tells_who_or_whether_outside_the_scope() {
    each_backend(|env| async move {
        env.demo().await;
        let (_, name, number) = cadre_where(&env, "jurisdiction=420500&managed_by=city").await;
        // An import row naming an out-of-scope cadre by ID number.
        let file = crate::support::xlsx_rows(
            &["公民身份号码", "姓名", "任职单位", "职务（职级）名称", "任职日期", "任职原因"],
            &[vec![
                number.clone(),
                "某某".into(),
                "夷陵区发展和改革局".into(),
                "科员".into(),
                "2020-01-01".into(),
                "调任".into(),
            ]],
        );
        let yl = env.token("yl_ganbu").await;
        let r = env.upload("/api/v1/imports?kind=appointments", &yl, "任职.xlsx", &file).await;
        assert!(!r.text().contains(&name), "the import names the cadre: {}", r.text());
        // The user form asks nobody but an administrator about an ID number.
        let b = env.login("yc_ganbu", PW).await.unwrap();
        let form = |n: &str| {
            format!("_csrf={}&username=probe_x&display_name=x&role=cadre&managed_by=city&cadre_id_number={n}", b.csrf)
        };
        let known = env.form("/admin/users", &b, &form(&number)).await;
        let unknown = env.form("/admin/users", &b, &form("990101199001011234")).await;
        assert_eq!((known.status, unknown.status), (403, 403));
        // Changing an in-scope cadre's number to a number held elsewhere names nobody,
        // answers as for any duplicate, and is kept in the trail.
        let (mine, _, _) = cadre_where(&env, "jurisdiction=420506&managed_by=county").await;
        let c = env.get(&format!("/api/v1/cadres/{mine}"), &yl).await.json();
        let mut upd = c.clone();
        upd["id_number"] = json!(number);
        upd["tags"] = json!([]);
        let r = env.put(&format!("/api/v1/cadres/{mine}"), &yl, upd).await;
        assert_eq!(r.status, 422, "{r:?}");
        assert!(r.fields().iter().all(|f| f == "id_number") && !r.text().contains(&name), "{r:?}");
        let auditor = env.token("auditor").await;
        let log = env.get("/api/v1/audit?action=cadre.id_number_conflict", &auditor).await.json();
        assert_eq!(log["total"], 1, "the probe is on record: {log}");
    })
    .await;
}

#[tokio::test]
async fn finding_5_supervised_items_single_and_list_agree_and_co_units_are_checked() {
    each_backend(|env| async move {
        env.demo().await;
        let (ducha, admin, jz) = (env.token("yc_ducha").await, env.token("admin").await, env.token("jz_ganbu").await);
        let units = |q: &str| {
            let (env, admin, q) = (&env, admin.clone(), q.to_string());
            async move { env.get(&format!("/api/v1/units?q={}", enc(&q)), &admin).await.json()["items"][0]["id"].clone() }
        };
        let (yc_unit, jz_unit) = (units("宜昌市商务局").await, units("荆州市财政局").await);
        let item = |co: Value| {
            json!({"title": "跨市协作事项", "source": "测试", "lead_unit_id": yc_unit, "co_unit_ids": [co],
                "deadline": "2026-12-31"})
        };
        let r = env.post("/api/v1/supervision/items", &ducha, item(jz_unit.clone())).await;
        assert_eq!((r.status, r.fields()), (422, vec!["co_unit_ids[0]".to_string()]), "{r:?}");
        // Whatever the deployment holds, one item is open to a reader exactly when it is on their list.
        let r = env.post("/api/v1/supervision/items", &admin, item(jz_unit)).await;
        assert_eq!(r.status, 201, "{r:?}");
        let listed: Vec<String> = env.get("/api/v1/supervision/items", &jz).await.json().as_array().unwrap().iter()
            .map(|i| i["id"].as_str().unwrap().to_string()).collect();
        for i in env.get("/api/v1/supervision/items", &admin).await.json().as_array().unwrap() {
            let id = i["id"].as_str().unwrap();
            let one = env.get(&format!("/api/v1/supervision/items/{id}"), &jz).await.status;
            assert_eq!(one == 200, listed.iter().any(|l| l == id), "item {id}: single {one}, listed {}", listed.len());
            if one != 200 {
                let r = env.post(&format!("/api/v1/supervision/items/{id}/reports"), &jz, json!({"content": "x"})).await;
                assert!(matches!(r.status, 403 | 404), "a Jingzhou account reports on a Yichang item: {r:?}");
            }
        }
    })
    .await;
}

#[tokio::test]
async fn finding_6_filings_follow_management_authority_and_letters_have_an_account() {
    each_backend(|env| async move {
        env.demo().await;
        let admin = env.token("admin").await;
        let (city_managed_in_county, _, _) = cadre_where(&env, "jurisdiction=420506&managed_by=city").await;
        let r = env
            .post(
                "/api/v1/tolerance/filings",
                &admin,
                json!({"cadre_id": city_managed_in_county, "matter": "事项",
                "policy_gap": "不明", "risk": "风险", "safeguards": "措施"}),
            )
            .await;
        assert_eq!(r.status, 201, "{r:?}");
        let id = r.json()["id"].as_str().unwrap().to_string();
        let yl = env.token("yl_ganbu").await;
        assert_eq!(env.get(&format!("/api/v1/tolerance/filings/{id}"), &yl).await.status, 404);
        let list = env.get("/api/v1/tolerance/filings", &yl).await;
        assert!(!list.text().contains(&id), "a county department lists a city-managed cadre's filing");
        // A task letter names the leader's account; a leader reads their own letters only.
        let ducha = env.token("yc_ducha").await;
        let items = env.get("/api/v1/supervision/items", &ducha).await.json();
        let item = items[0]["id"].clone();
        let r = env
            .post(
                "/api/v1/supervision/task-letters",
                &ducha,
                json!({"year": 2026, "leader_name": "随便写的名字", "title": "x", "item_ids": [item]}),
            )
            .await;
        assert_eq!(r.status, 422, "a typed name is not a leader: {r:?}");
        let r = env
            .post(
                "/api/v1/users",
                &admin,
                json!({"username": "yc_lingdao2", "display_name": "另一位领导",
            "role": "leader", "jurisdiction_code": "420500", "managed_by": ["city", "county"]}),
            )
            .await;
        assert_eq!(r.status, 201, "{r:?}");
        let other = r.json()["user"]["id"].clone();
        let r = env
            .post(
                "/api/v1/supervision/task-letters",
                &ducha,
                json!({"year": 2026, "leader_user_id": other, "title": "另一位领导的任务书", "item_ids": [item]}),
            )
            .await;
        assert_eq!(r.status, 201, "{r:?}");
        let letter = r.json()["id"].as_str().unwrap().to_string();
        let lingdao = env.token("yc_lingdao").await;
        assert_eq!(env.get(&format!("/api/v1/supervision/task-letters/{letter}"), &lingdao).await.status, 404);
        let mine = env.get("/api/v1/supervision/task-letters", &lingdao).await.json();
        assert!(mine.as_array().unwrap().iter().all(|l| l["leader_name"] != "另一位领导"), "{mine}");
    })
    .await;
}

#[tokio::test]
async fn finding_7_only_a_tolerance_decision_exempts_a_measure() {
    each_backend(|env| async move {
        env.demo().await;
        let jw = env.token("yc_jiwei").await;
        let (cadre, _, _) = cadre_where(&env, "jurisdiction=420500&managed_by=city&q=").await;
        let r = env
            .post(
                &format!("/api/v1/cadres/{cadre}/measures"),
                &jw,
                json!({"kind": "admonishment",
                "decided_on": "2025-03-01", "deciding_body": "宜昌市纪委监委", "basis": "测试"}),
            )
            .await;
        assert_eq!(r.status, 201, "{r:?}");
        let m = r.json();
        let r = env
            .post(
                &format!("/api/v1/measures/{}/tolerance", m["id"].as_str().unwrap()),
                &jw,
                json!({"tolerance": "exempted", "tolerance_ref": "x", "version": m["version"]}),
            )
            .await;
        assert_eq!(r.status, 404, "exempted outside the procedure: {r:?}");
        let ms = env.get(&format!("/api/v1/cadres/{cadre}/measures"), &jw).await.json();
        let now = ms.as_array().unwrap().iter().find(|x| x["id"] == m["id"]).unwrap().clone();
        assert!(now["tolerance"].is_null(), "{now}");
    })
    .await;
}

async fn post_login(env: &Env, body: &str, cookie: Option<&str>, origin: Option<&str>) -> crate::support::Resp {
    let mut b = Request::builder()
        .method(Method::POST)
        .uri("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    if let Some(o) = origin {
        b = b.header(header::ORIGIN, o).header(header::HOST, "dandang.local");
    }
    env.request(b.body(Body::from(body.to_string())).unwrap()).await
}

fn has_session(r: &crate::support::Resp) -> bool {
    r.headers.get_all(header::SET_COOKIE).iter().any(|v| v.to_str().unwrap_or("").starts_with("dandang_session="))
}

#[tokio::test]
async fn finding_8_sessions_and_tokens() {
    each_backend(|env| async move {
        env.demo().await;
        // Login refuses a forged cross-site post: no form token, or a foreign origin.
        let r = post_login(&env, &format!("username=yc_ganbu&password={PW}&next=/"), None, None).await;
        assert!(!has_session(&r), "logged in without the form's token");
        let (cookie, token) = env.login_form().await;
        let body = format!("username=yc_ganbu&password={PW}&next=/&login_csrf={}", enc(&token));
        let r = post_login(&env, &body, Some(&cookie), Some("https://evil.example")).await;
        assert!(!has_session(&r), "logged in from another origin");
        // A password change ends the other sessions and revokes every token.
        let (b1, b2) = (env.login("yc_ganbu", PW).await.unwrap(), env.login("yc_ganbu", PW).await.unwrap());
        let t = env.token("yc_ganbu").await;
        let body = format!(
            "_csrf={}&current_password={PW}&new_password=NewPassw0rd2026&confirm_password=NewPassw0rd2026",
            b1.csrf
        );
        assert_eq!(env.form("/me/password", &b1, &body).await.status, 303);
        assert_eq!(env.page("/cadres", &b2.cookie).await.status, 303, "another session survived the change");
        assert_eq!(env.page("/cadres", &b1.cookie).await.status, 200, "the session that changed it stays");
        assert_eq!(env.get("/api/v1/me", &t).await.status, 401, "a token survived the change");
        // 退出所有设备 may revoke tokens too.
        let t = env.token("yc_jiwei").await;
        let b = env.login("yc_jiwei", PW).await.unwrap();
        let r = env.form("/me/logout-everywhere", &b, &format!("_csrf={}&revoke_tokens=on", b.csrf)).await;
        assert_eq!(r.status, 303);
        assert_eq!(env.get("/api/v1/me", &t).await.status, 401);
        // An administrator's reset revokes the user's tokens.
        let admin = env.token("admin").await;
        let t = env.token("yc_ducha").await;
        let me = env.get("/api/v1/me", &t).await.json()["user_id"].as_str().unwrap().to_string();
        assert_eq!(env.post(&format!("/api/v1/users/{me}/reset-password"), &admin, Value::Null).await.status, 200);
        assert_eq!(env.get("/api/v1/me", &t).await.status, 401);
        // The reset's one-time password opens only the password change, in the API as on pages.
        let otp = env.post(&format!("/api/v1/users/{me}/reset-password"), &admin, Value::Null).await.json()
            ["one_time_password"].as_str().unwrap().to_string();
        let b = env.login("yc_ducha", &otp).await.unwrap();
        let api_me =
            Request::builder().uri("/api/v1/me").header(header::COOKIE, &b.cookie).body(Body::empty()).unwrap();
        let r = env.request(api_me).await;
        assert_eq!((r.status, r.code().as_str()), (403, "password_change_required"));
        // A session does not mint a long-lived token without the password.
        let b = env.login("yc_fgw", PW).await.unwrap();
        let mint = |body: String| {
            Request::builder()
                .method(Method::POST)
                .uri("/api/v1/tokens")
                .header(header::COOKIE, &b.cookie)
                .header("x-csrf-token", &b.csrf)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))
                .unwrap()
        };
        let r = env.request(mint(r#"{"name":"x"}"#.into())).await;
        assert_eq!(r.status, 422, "{r:?}");
        let r = env.request(mint(format!(r#"{{"name":"x","password":"{PW}"}}"#))).await;
        assert_eq!(r.status, 201, "{r:?}");
        // Twelve wrong passwords at once all count: the account locks.
        let tries = (0..12).map(|_| env.login("yl_ganbu", "wrong-password1"));
        let _ = futures_join_all(tries).await;
        let r = env.login("yl_ganbu", PW).await.err().expect("locked after twelve failures");
        assert_eq!(r.status, 423, "{r:?}");
    })
    .await;
}

/// Runs futures concurrently on the test's runtime.
async fn futures_join_all<F: std::future::Future>(fs: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in fs {
        set.push(Box::pin(f));
    }
    let mut out = Vec::new();
    // Poll all together: each login waits on the password hash off the executor.
    let mut pending: Vec<_> = set.into_iter().map(Some).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for slot in pending.iter_mut() {
            if let Some(f) = slot {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        out.push(v);
                        *slot = None;
                    }
                    std::task::Poll::Pending => done = false,
                }
            }
        }
        if done { std::task::Poll::Ready(()) } else { std::task::Poll::Pending }
    })
    .await;
    out
}

#[tokio::test]
async fn finding_8_one_address_has_a_pace_of_login_attempts() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = crate::support::config(format!("sqlite://{}", dir.path().join("t.db").display()));
    c.login.per_minute = 3;
    c.login.burst = 3;
    let env = crate::support::open_with(c, "sqlite", Some(dir)).await;
    env.demo().await;
    for _ in 0..3 {
        assert_ne!(env.login("yc_ganbu", "wrong-password1").await.err().unwrap().status, 429);
    }
    let r = env.login("yc_ganbu", PW).await.err().expect("throttled");
    assert_eq!(r.status, 429, "{r:?}");
    assert!(r.headers.contains_key(header::RETRY_AFTER));
    assert!(r.text().contains("尝试过于频繁"));
}

#[tokio::test]
async fn finding_9_deliberations_do_not_reach_their_subject() {
    each_backend(|env| async move {
        env.demo().await;
        let (admin, fgw) = (env.token("admin").await, env.token("yc_fgw").await);
        // The unit's own interview requests and rejections stay with the requester, leader and office.
        let all = env.get("/api/v1/supervision/cases", &admin).await.json();
        let fgw_units: Vec<Value> = env.get("/api/v1/units?q=宜昌市发展和改革委员会", &admin).await.json()["items"]
            .as_array().unwrap().iter().map(|u| u["id"].clone()).collect();
        let internal: Vec<String> = all.as_array().unwrap().iter()
            .filter(|c| fgw_units.contains(&c["unit"]["id"]) && ["requested", "rejected", "withdrawn", "approved", "planned"]
                .contains(&c["state"].as_str().unwrap()))
            .map(|c| c["id"].as_str().unwrap().to_string()).collect();
        assert!(!internal.is_empty(), "the demo has requests about the DRC");
        let listed = env.get("/api/v1/supervision/cases", &fgw).await.text();
        for id in &internal {
            assert_eq!(env.get(&format!("/api/v1/supervision/cases/{id}"), &fgw).await.status, 404, "{id}");
            assert!(!listed.contains(id.as_str()));
        }
        // The cadre: no engine hints, no analysis, no verdict about themselves.
        let me = env.token("ganbu_self").await;
        let cadre = env.get("/api/v1/me", &me).await.json()["cadre_id"].as_str().unwrap().to_string();
        let r = env.post("/api/v1/tolerance/cases", &me, json!({"cadre_id": cadre, "origin": "cadre_application",
            "event_on": "2025-06-02", "facts": "为赶工期未按规定公开招标。", "claimed": ["tolerance.situation.tolerant_approval"]})).await;
        assert_eq!(r.status, 201, "{r:?}");
        let id = r.json()["id"].as_str().unwrap().to_string();
        let jw = env.token("yc_jiwei").await;
        let steps = format!("/api/v1/tolerance/cases/{id}/transitions");
        assert_eq!(env.post(&steps, &jw, json!({"action": "accept"})).await.status, 200);
        let r = env.api(Method::PUT, &format!("/api/v1/tolerance/cases/{id}/analysis"), Some(&jw),
            Some(json!({"answers": {"tolerance.fact.private_gain": "yes"}, "analysis": {}}))).await;
        assert_eq!(r.status, 200, "{r:?}");
        assert_eq!(env.get(&format!("/api/v1/tolerance/cases/{id}/suggestions"), &me).await.status, 403);
        let mine = env.get(&format!("/api/v1/tolerance/cases/{id}"), &me).await.json();
        assert_eq!((mine["answers"].clone(), mine["state"].as_str()), (json!({}), Some("investigating")), "{mine}");
        assert!(mine["steps"].as_array().unwrap().iter().all(|s| s["action"] != "analysis"));
        assert_eq!(env.get(&format!("/api/v1/cadres/{cadre}/eligibility"), &me).await.status, 403);
        // Their own record page links nowhere they may not go.
        let b = env.login("ganbu_self", PW).await.unwrap();
        let page = env.page(&format!("/cadres/{cadre}"), &b.cookie).await;
        assert_eq!(page.status, 200);
        for href in page.text().split("href=\"").skip(1).filter_map(|s| s.split('"').next()) {
            if href.starts_with('/') && !href.starts_with("/static") && !href.contains('#') {
                let r = env.page(href, &b.cookie).await;
                assert!(r.status != 403, "{href} is a 403 page for the cadre");
            }
        }
    })
    .await;
}

#[tokio::test]
async fn a_cadre_sees_their_own_verdict_where_the_deployment_chose_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = crate::support::config(format!("sqlite://{}", dir.path().join("t.db").display()));
    c.access.cadre_sees_own_eligibility = true;
    let env = crate::support::open_with(c, "sqlite", Some(dir)).await;
    env.demo().await;
    let me = env.token("ganbu_self").await;
    let cadre = env.get("/api/v1/me", &me).await.json()["cadre_id"].as_str().unwrap().to_string();
    assert_eq!(env.get(&format!("/api/v1/cadres/{cadre}/eligibility"), &me).await.status, 200);
}

/// What a second probe of the fixed server found: a scoped administrator could
/// still make an account that reads every level, a one-time password could buy
/// a token, the login's `next` could leave the site (or crash on a control
/// character), malformed ids answered in English, and an htmx fragment served
/// at a page's address could be replayed by the browser on Back.
#[tokio::test]
async fn second_probe_findings() {
    each_backend(|env| async move {
        env.demo().await;
        let yl = county_admin(&env).await;
        let r = env
            .post(
                "/api/v1/users",
                &yl,
                json!({"username": "yl_auditor", "display_name": "审计（测试）", "role": "auditor",
                    "jurisdiction_code": "420506", "managed_by": []}),
            )
            .await;
        assert!(r.status >= 400, "a county administrator made an account that reads every level: {r:?}");
        // One-time password: the session changes its password and mints nothing.
        let admin = env.token("admin").await;
        let t = env.token("yc_ducha").await;
        let me = env.get("/api/v1/me", &t).await.json()["user_id"].as_str().unwrap().to_string();
        let otp = env.post(&format!("/api/v1/users/{me}/reset-password"), &admin, Value::Null).await.json()
            ["one_time_password"].as_str().unwrap().to_string();
        let b = env.login("yc_ducha", &otp).await.unwrap();
        let mint = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/tokens")
            .header(header::COOKIE, &b.cookie)
            .header("x-csrf-token", &b.csrf)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(format!(r#"{{"name":"x","password":"{otp}"}}"#)))
            .unwrap();
        let r = env.request(mint).await;
        assert!(r.status == 403 && !r.text().contains("ddt_"), "{r:?}");
        // `next` stays on this site and never breaks the login.
        for next in ["/%09/evil.example", "/%5Cevil.example", "//evil.example", "/%01"] {
            let (cookie, token) = env.login_form().await;
            let body = format!("username=yc_fgw&password={PW}&next={next}&login_csrf={}", enc(&token));
            let r = post_login(&env, &body, Some(&cookie), None).await;
            assert_eq!(r.status, 303, "{next}: {r:?}");
            assert_eq!(r.headers[header::LOCATION], "/", "{next}");
        }
        // A malformed id names no record, in Chinese, on the API and on pages.
        let r = env.get("/api/v1/cadres/not-a-uuid", &admin).await;
        assert_eq!((r.status, r.code().as_str()), (404, "not_found"), "{r:?}");
        assert!(r.json()["error"]["message"].as_str().unwrap().chars().any(|c| c > '\u{2e80}'), "{r:?}");
        let r = env.get("/api/v1/cadres?per_page=abc", &admin).await;
        assert_eq!(r.status, 400, "{r:?}");
        assert!(r.json()["error"]["message"].as_str().unwrap().starts_with("查询参数有误"), "{r:?}");
        // The audit filter form sends empty dates when none is chosen.
        assert_eq!(env.get("/api/v1/audit?from=&to=&action=", &admin).await.status, 200);
        let r = env.get("/api/v1/audit?from=2026-13-01", &admin).await;
        assert!(r.status == 400 && r.text().contains("YYYY-MM-DD"), "{r:?}");
        let b = env.login("yc_ganbu", PW).await.unwrap();
        let r = env.page("/cadres/not-a-uuid", &b.cookie).await;
        assert_eq!(r.status, 404);
        // In words, with a way back; the code only in the markup.
        let page = r.text();
        assert!(page.contains("找不到该页面或记录") && page.contains("返回上一页"), "{page}");
        assert!(
            !page.contains("HTTP 404") && !page.contains(">not_found") && page.contains("data-code=\"not_found\""),
            "{page}"
        );
        // One menu item is current.
        let me = env.login("ganbu_self", PW).await.unwrap();
        let to = env.page("/me/record", &me.cookie).await.headers[header::LOCATION].to_str().unwrap().to_string();
        let page = env.page(&to, &me.cookie).await;
        assert_eq!(page.text().matches("aria-current=\"page\"").count(), 1, "{page:?}");
        // Fragments and pages at one address vary on htmx and are never stored.
        let req = Request::builder()
            .uri("/cadres?q=%E9%99%88")
            .header(header::COOKIE, &b.cookie)
            .header("hx-request", "true")
            .header("hx-target", "results")
            .body(Body::empty())
            .unwrap();
        let r = env.request(req).await;
        assert_eq!(r.status, 200);
        let vary: Vec<_> = r.headers.get_all(header::VARY).iter().filter_map(|v| v.to_str().ok()).collect();
        assert!(vary.iter().any(|v| v.contains("HX-Request")), "{vary:?}");
        assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");
        assert!(!r.text().contains("<html"), "a search answers htmx with the fragment");
        // Back between two searches: htmx asks for the page to restore it and
        // swaps in the whole body — it must get the full page, not the list.
        let req = Request::builder()
            .uri("/cadres?q=%E9%99%88")
            .header(header::COOKIE, &b.cookie)
            .header("hx-request", "true")
            .header("hx-history-restore-request", "true")
            .body(Body::empty())
            .unwrap();
        let r = env.request(req).await;
        assert_eq!(r.status, 200);
        let page = r.text();
        assert!(page.contains("<html") && page.contains("id=\"nav\"") && page.contains("stylesheet"), "{page:.300}");
        let vary: Vec<_> = r.headers.get_all(header::VARY).iter().filter_map(|v| v.to_str().ok()).collect();
        assert!(vary.iter().any(|v| v.contains("HX-History-Restore-Request")), "{vary:?}");
    })
    .await;
}
