//! The audit trail: an event per change in the same transaction, hash-chained,
//! with tampering found by `audit verify` (API and CLI).

use serde_json::json;

use crate::support::{cli, each_backend};

#[tokio::test]
async fn changes_are_recorded_with_before_and_after() {
    each_backend(|env| async move {
        env.demo().await;
        let t = env.token("yc_ganbu").await;
        let admin = env.token("admin").await;
        let unit = env.get("/api/v1/units?q=宜昌市财政局", &t).await.json()["items"][0]["id"].clone();
        let c = env
            .post("/api/v1/cadres", &t, json!({"name": "审计甲", "sex": "女", "birth_date": "1990-01-02", "ethnicity": "汉族", "unit_id": unit, "managed_by": "市管"}))
            .await
            .json();
        let id = c["id"].as_str().unwrap();
        let mut upd = json!({"name": "审计乙", "sex": "女", "birth_date": "1990-01-02", "ethnicity": "汉族", "unit_id": unit, "managed_by": "市管"});
        upd["version"] = c["version"].clone();
        assert_eq!(env.put(&format!("/api/v1/cadres/{id}"), &t, upd).await.status, 200);
        let ev = env.get(&format!("/api/v1/audit?entity_id={id}"), &admin).await.json();
        let items = ev["items"].as_array().unwrap();
        let update = items.iter().find(|e| e["action"] == "cadre.update").expect("update event");
        assert_eq!(update["actor_name"], "yc_ganbu");
        assert_eq!(update["before"]["name"], "审计甲");
        assert_eq!(update["after"]["name"], "审计乙");
        assert!(update["request_id"].is_string(), "request id recorded: {update}");
        assert!(items.iter().any(|e| e["action"] == "cadre.create" && e["before"].is_null()));
        // A refused change leaves no event.
        let before = env.get("/api/v1/audit?action=cadre.create", &admin).await.json()["total"].as_u64().unwrap();
        let bad = json!({"name": "", "sex": "女", "birth_date": "1990-01-02", "ethnicity": "汉族", "unit_id": unit, "managed_by": "市管"});
        assert_eq!(env.post("/api/v1/cadres", &t, bad).await.status, 422);
        let after = env.get("/api/v1/audit?action=cadre.create", &admin).await.json()["total"].as_u64().unwrap();
        assert_eq!(before, after);
        let v = env.get("/api/v1/audit/verify", &admin).await.json();
        assert_eq!(v["ok"], true, "{v}");
    })
    .await;
}

#[tokio::test]
async fn tampering_is_found_at_the_first_broken_link() {
    each_backend(|env| async move {
        env.demo().await;
        let admin = env.token("admin").await;
        for i in 0..5 {
            let _ = env.get(&format!("/api/v1/workdays/add?date=2025-0{}-01&n=1", i + 1), &admin).await;
            let _ = env.token("yc_ganbu").await;
        }
        let v = env.get("/api/v1/audit/verify", &admin).await.json();
        assert_eq!(v["ok"], true);
        let head = v["head_seq"].as_i64().unwrap();
        assert!(head >= 7);
        // Altering a row's content.
        env.sql("UPDATE audit_event SET actor_name = 'mallory' WHERE seq = 4").await;
        let v = env.get("/api/v1/audit/verify", &admin).await.json();
        assert_eq!(v["ok"], false);
        assert_eq!(v["broken"]["kind"], "altered");
        assert_eq!(v["broken"]["seq"], 4);
        assert!(v["message"].as_str().unwrap().contains("第 4 号"));
        env.sql("UPDATE audit_event SET actor_name = 'system' WHERE seq = 4").await;
        // Removing a row in the middle.
        env.sql("DELETE FROM audit_event WHERE seq = 3").await;
        let v = env.get("/api/v1/audit/verify", &admin).await.json();
        assert_eq!(v["broken"]["kind"], "gap", "{v}");
        assert_eq!(v["broken"]["expected_seq"], 3);
        if env.backend == "sqlite" {
            // The CLI reports the same and fails.
            let out = cli().args(["--db", &env.db_url, "audit", "verify"]).output().unwrap();
            assert_eq!(out.status.code(), Some(1));
            assert!(String::from_utf8_lossy(&out.stdout).contains("第 3 号审计事件缺失"), "{out:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn truncating_the_newest_events_is_found() {
    each_backend(|env| async move {
        env.demo().await;
        let admin = env.token("admin").await;
        let v = env.get("/api/v1/audit/verify", &admin).await.json();
        let head = v["head_seq"].as_i64().unwrap();
        env.sql(&format!("DELETE FROM audit_event WHERE seq = {head}")).await;
        let v = env.get("/api/v1/audit/verify", &admin).await.json();
        assert_eq!(v["broken"]["kind"], "truncated", "{v}");
    })
    .await;
}
