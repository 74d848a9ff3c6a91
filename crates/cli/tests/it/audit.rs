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

/// What a forger with write access to the database, but not the key or the
/// anchor file, does to the trail: rewrite rows from `from` on with `edit`,
/// recompute every later hash and the head (MACs cannot be recomputed; they
/// are kept, or stripped with `strip`).
async fn forge(env: &crate::support::Env, from: i64, strip: bool, edit: impl Fn(&mut Vec<audit_event::Model>)) {
    use dandang_store::sea_orm::{
        ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    };
    let db = env.app.db().read();
    let mut rows = audit_event::Entity::find()
        .filter(audit_event::Column::Seq.gte(from))
        .order_by_asc(audit_event::Column::Seq)
        .all(db)
        .await
        .unwrap();
    audit_event::Entity::delete_many().filter(audit_event::Column::Seq.gte(from)).exec(db).await.unwrap();
    edit(&mut rows);
    let mut prev = audit_event::Entity::find()
        .filter(audit_event::Column::Seq.lt(from))
        .order_by_desc(audit_event::Column::Seq)
        .one(db)
        .await
        .unwrap()
        .map(|m| m.hash)
        .unwrap_or_else(|| dandang_domain::audit::GENESIS_HASH.into());
    let mut last_seq = from - 1;
    for mut m in rows {
        m.prev_hash = prev.clone();
        let link = dandang_store::audit::to_link(&m).link;
        m.hash = link.hash();
        if strip {
            m.mac = None;
        }
        prev = m.hash.clone();
        last_seq = m.seq;
        let mut am = m.into_active_model();
        am = am.reset_all();
        am.insert(db).await.unwrap();
    }
    env.sql(&format!("UPDATE audit_head SET seq = {last_seq}, hash = '{prev}' WHERE id = 1")).await;
}

use dandang_store::entity::audit_event;

/// The three forgeries a plain hash chain let through (issue 12), each found
/// now: cutting the newest rows and setting the head back; editing a row and
/// recomputing every later hash; deleting a row, renumbering and recomputing.
#[tokio::test]
async fn careful_forgeries_are_found() {
    each_backend(|env| async move {
        env.demo().await;
        let admin = env.token("admin").await;
        let verify = || async { env.get("/api/v1/audit/verify", &admin).await.json() };
        let first = dandang_app::audit::anchor_now(&env.app).await.unwrap().expect("an anchor");
        assert_eq!(dandang_app::audit::anchor_now(&env.app).await.unwrap(), None, "the head did not move");
        let _ = env.token("yc_ganbu").await;
        let next = dandang_app::audit::anchor_now(&env.app).await.unwrap().expect("a second anchor");
        assert!(next.seq > first.seq && next.keyed_from == first.keyed_from, "{first:?} {next:?}");
        assert_eq!(verify().await["ok"], true);
        // 2. Edit a row, recompute the rest (MACs kept, then stripped).
        forge(&env, 3, false, |rows| rows[0].actor_name = "mallory".into()).await;
        let v = verify().await;
        assert_eq!((v["broken"]["kind"].as_str(), v["broken"]["seq"].as_i64()), (Some("forged"), Some(3)), "{v}");
        forge(&env, 1, true, |rows| rows[2].actor_name = "mallory".into()).await;
        let v = verify().await;
        assert_eq!(v["broken"]["kind"], "forged", "{v}");
        assert!(v["message"].as_str().unwrap().contains("密钥校验码"), "{v}");
    })
    .await;
    each_backend(|env| async move {
        env.demo().await;
        let admin = env.token("admin").await;
        let anchored = dandang_app::audit::anchor_now(&env.app).await.unwrap().expect("an anchor").seq;
        // 1. Cut the newest rows (anchored ones among them) and set the head back.
        forge(&env, anchored - 2, false, |rows| rows.clear()).await;
        env.sql(&format!(
            "UPDATE audit_head SET seq = {s}, hash = (SELECT hash FROM audit_event WHERE seq = {s}) WHERE id = 1",
            s = anchored - 3
        ))
        .await;
        let v = env.get("/api/v1/audit/verify", &admin).await.json();
        assert_eq!(v["broken"]["kind"], "below_anchor", "{v}");
        assert!(v["message"].as_str().unwrap().contains("锚点"), "{v}");
    })
    .await;
    each_backend(|env| async move {
        env.demo().await;
        let admin = env.token("admin").await;
        dandang_app::audit::anchor_now(&env.app).await.unwrap().expect("an anchor");
        // An edited anchor line is itself found (on an intact chain).
        let path = env.app.config().audit_anchor_path();
        let good = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, good.replacen(" 1 ", " 2 ", 1)).unwrap();
        let v = env.get("/api/v1/audit/verify", &admin).await.json();
        assert_eq!(v["broken"]["kind"], "bad_anchor", "{v}");
        // A last line cut short by a crash is not an edit.
        std::fs::write(&path, format!("{good}1 2 ab")).unwrap();
        assert_eq!(env.get("/api/v1/audit/verify", &admin).await.json()["ok"], true);
        std::fs::write(&path, &good).unwrap();
        // 3. Delete a row, renumber the rest, recompute (and strip the MACs).
        forge(&env, 2, true, |rows| {
            rows.remove(0);
            for r in rows.iter_mut() {
                r.seq -= 1;
            }
        })
        .await;
        let v = env.get("/api/v1/audit/verify", &admin).await.json();
        assert_eq!(v["ok"], false, "{v}");
        assert!(["forged", "rewritten"].contains(&v["broken"]["kind"].as_str().unwrap()), "{v}");
    })
    .await;
}

/// A row the database cannot hand back is named, in Chinese (it was
/// "系统内部错误" with an English decode error).
#[tokio::test]
async fn an_unreadable_event_is_named() {
    let env = crate::support::sqlite().await;
    env.demo().await;
    let admin = env.token("admin").await;
    env.sql("UPDATE audit_event SET at = 'not a time' WHERE seq = 5").await;
    let r = env.get("/api/v1/audit/verify", &admin).await;
    assert_eq!(r.status, 200, "{r:?}");
    let v = r.json();
    assert_eq!((v["broken"]["kind"].as_str(), v["broken"]["seq"].as_i64()), (Some("unreadable"), Some(5)), "{v}");
    assert!(v["message"].as_str().unwrap().contains("第 5 号审计事件无法读取"), "{v}");
}
