//! The policy catalogue over the API, and pack resolution by date and place.

use crate::support::{each_backend, policy};

#[test]
fn yichang_uses_its_own_pack() {
    let p = policy();
    assert_eq!(p.pack_for("420506"), "cn-hb-yc");
    assert_eq!(p.pack_for("421002"), "cn-hb");
    let d = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let yc: Vec<String> = p.experience_tags("cn-hb-yc", d).into_iter().map(|t| t.0).collect();
    let jz: Vec<String> = p.experience_tags("cn-hb", d).into_iter().map(|t| t.0).collect();
    assert!(yc.contains(&"experience_tag.investment_frontline".to_string()));
    assert!(!jz.contains(&"experience_tag.investment_frontline".to_string()));
}

#[tokio::test]
async fn catalogue_shows_sources_dates_and_incomplete_lists() {
    each_backend(|env| async move {
        env.demo().await;
        let t = env.token("yc_ducha").await;
        let packs = env.get("/api/v1/policy/packs", &t).await.json();
        let ids: Vec<&str> = packs.as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["cn", "cn-hb", "cn-hb-yc", "cn-zj"]);
        let zj = env.get("/api/v1/policy/packs/cn-zj?on=2024-01-01", &t).await.json();
        let cat = zj["catalogues"].as_array().unwrap().iter().find(|c| c["id"] == "tolerance.situation").unwrap();
        assert_eq!(cat["incomplete"], true);
        assert_eq!(cat["items"].as_array().unwrap().len(), 5);
        assert!(cat["items"][0]["source"]["citation"].as_str().unwrap().contains("浙江省深化落实"));
        // The same pack on a date before the Yichang measures.
        let before = env.get("/api/v1/policy/packs/cn-hb-yc?on=2023-01-01", &t).await.json();
        let tags = before["catalogues"].as_array().unwrap().iter().find(|c| c["id"] == "experience_tag").unwrap();
        let local = tags["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == "experience_tag.investment_frontline")
            .unwrap();
        assert_eq!(local["in_force"], false);
        let cal = &before["calendar"];
        assert!(
            cal.as_array()
                .unwrap()
                .iter()
                .any(|n| n["source"]["citation"].as_str().unwrap().contains("国办发明电〔2024〕12号"))
        );
        let r = env.get("/api/v1/policy/packs/cn-xx", &t).await;
        assert_eq!(r.status, 404);
        let r = env.get("/api/v1/policy/packs/cn?on=yesterday", &t).await;
        assert_eq!(r.status, 422);
        let checks = env.get("/api/v1/policy/check", &t).await.json();
        assert!(checks.as_array().unwrap().iter().all(|c| c["passed"] == true));
    })
    .await;
}

#[tokio::test]
async fn workdays_api_flags_provisional_answers() {
    each_backend(|env| async move {
        env.demo().await;
        let t = env.token("auditor").await;
        let r = env.get("/api/v1/workdays/add?date=2026-09-30&n=1", &t).await.json();
        assert_eq!(r["result"], "2026-10-08");
        assert_eq!(r["provisional"], false);
        let r = env.get("/api/v1/workdays/between?from=2026-12-01&to=2027-01-31", &t).await.json();
        assert_eq!(r["provisional"], true);
        assert!(r["warning"].as_str().unwrap().contains("临时"));
        let r = env.get("/api/v1/workdays/day?date=2026-02-28", &t).await.json();
        assert_eq!(r["result"]["kind"], "make_up_workday");
        let r = env.get("/api/v1/workdays/add?date=2026-09-30&n=abc", &t).await;
        assert_eq!(r.status, 422);
        assert!(r.text().contains("工作日数"));
    })
    .await;
}

/// Rules fail closed: a pack whose value lacks a key stops the start with the
/// file and line, and so does a configuration naming a pack that is not there.
#[test]
fn a_pack_with_a_malformed_value_or_an_unknown_pack_does_not_start() {
    let dir = tempfile::tempdir().unwrap();
    let src = crate::support::workspace().join("policy");
    for pack in std::fs::read_dir(&src).unwrap() {
        let pack = pack.unwrap().path();
        let to = dir.path().join(pack.file_name().unwrap());
        std::fs::create_dir(&to).unwrap();
        for f in std::fs::read_dir(&pack).unwrap() {
            let f = f.unwrap().path();
            std::fs::copy(&f, to.join(f.file_name().unwrap())).unwrap();
        }
    }
    let tol = dir.path().join("cn/tolerance.toml");
    let text = std::fs::read_to_string(&tol).unwrap();
    assert!(text.contains(", appeal = 22,"));
    std::fs::write(&tol, text.replace(", appeal = 22,", ",")).unwrap();
    let mut c = crate::support::config("sqlite://unused".into());
    c.policy_dir = Some(dir.path().to_path_buf());
    let e = dandang_app::PolicyState::load(&c).err().expect("refused");
    let msg = e.to_string();
    assert!(msg.contains("tolerance.toml") && msg.contains("tolerance.deadlines") && msg.contains("appeal"), "{msg}");

    let mut c = crate::support::config("sqlite://unused".into());
    c.policy.pack = "cn-xx".into();
    let msg = dandang_app::PolicyState::load(&c).err().expect("refused").to_string();
    assert!(msg.contains("cn-xx"), "{msg}");
}

/// The packs built into the binary are `policy/` as it is: a stale build
/// would apply yesterday's rules.
#[test]
fn embedded_packs_are_the_policy_directory() {
    let disk = dandang_app::policy::read_dir(&crate::support::workspace().join("policy")).unwrap();
    let key = |path: &str| path.rsplit('/').take(2).collect::<Vec<_>>().join("/");
    let mut disk: Vec<(String, String)> = disk.into_iter().map(|f| (key(&f.path), f.content)).collect();
    let mut built: Vec<(String, String)> =
        dandang_app::policy::embedded().into_iter().map(|f| (key(&f.path), f.content)).collect();
    disk.sort();
    built.sort();
    assert!(!built.is_empty());
    assert_eq!(built, disk);
    // And a configuration without a directory uses them.
    let mut c = crate::support::config("sqlite://unused".into());
    c.policy_dir = None;
    let state = dandang_app::PolicyState::load(&c).expect("embedded packs load");
    assert!(state.set.packs.contains_key("cn-hb-yc"));
}

/// The rule library speaks to officials: reliability in words, and the
/// packs' self-tests only for the administrator who maintains them.
#[tokio::test]
async fn the_rule_library_page_speaks_to_officials() {
    let env = crate::support::sqlite().await;
    env.demo().await;
    let pw = dandang_demo::DEMO_PASSWORD;
    let admin = env.login("admin", pw).await.unwrap();
    let page = env.page("/policy?pack=cn-hb-yc&check=1", &admin.cookie).await.text();
    assert!(page.contains("运行规则包自检") && page.contains("自检结果"), "{page:.300}");
    assert!(page.contains("experience_tag.grassroots"), "the administrator sees entry ids");
    let staff = env.login("yc_ganbu", pw).await.unwrap();
    let page = env.page("/policy?pack=cn-hb-yc&check=1", &staff.cookie).await.text();
    assert!(!page.contains("运行规则包自检") && !page.contains("自检结果"));
    assert!(!page.contains("二手报道") && !page.contains("未经核实（默认值）"));
    assert!(page.contains("依据原文"), "{page:.300}");
    // Titles, not codes: no entry ids, no pack codes.
    assert!(!page.contains("experience_tag.") && !page.contains("（cn-hb-yc）") && !page.contains(">cn<"), "{page}");
}
