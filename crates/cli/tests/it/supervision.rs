//! 督查问效: the trigger catalogue, interviews held with the rectification
//! deadline in working days, and escalation over the pack's window.

use serde_json::json;
use uuid::Uuid;

use crate::support::{Env, each_backend, enc};

async fn cadre_of(env: &Env, token: &str, unit: &str) -> Uuid {
    let units = env.get(&format!("/api/v1/units?q={}", enc(unit)), token).await.json();
    let unit_id = units["items"].as_array().unwrap().iter().find(|u| u["name"] == unit).expect("unit")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = env.get(&format!("/api/v1/cadres?unit={unit_id}&per_page=1"), token).await;
    r.json()["items"][0]["id"].as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn interviews_deadlines_and_escalation() {
    each_backend(|env| async move {
        env.demo().await;
        let t = env.token("yc_ducha").await;
        let triggers = env.get("/api/v1/supervision/triggers", &t).await;
        assert_eq!(triggers.status, 200, "{triggers:?}");
        let triggers = triggers.json();
        assert_eq!(triggers["pack"], "cn-hb-yc");
        let items = triggers["items"].as_array().unwrap();
        assert_eq!(items.len(), 9, "the nine situations of the Yichang measure");
        assert!(items.iter().all(|i| i["id"].is_string() && i["source"].as_str().unwrap().contains("督查问效")));
        let trig = items[1]["id"].as_str().unwrap().to_string();

        let cadre = cadre_of(&env, &t, "宜昌市商务局").await;
        let post = |held: &str| json!({"cadre_id": cadre, "held_on": held, "triggers": [trig], "record": "重点项目推进滞后，约谈分管负责人。"});
        // Friday before the 2025 National Day break: the 28th (Sunday) is a
        // make-up workday, 1–8 October are off.
        let r = env.post("/api/v1/supervision/interviews", &t, post("2025-09-26")).await;
        assert_eq!(r.status, 201, "{r:?}");
        let v = r.json();
        assert_eq!(v["rectification_plan_due"], "2025-10-10");
        assert_eq!(v["basis"][0]["rule"], "supervision.rectification_plan_due");
        assert_eq!(v["triggers"][0]["id"], trig.as_str());
        // Labour Day 2025: 1–5 May off, 27 April (Sunday) worked.
        let r = env.post("/api/v1/supervision/interviews", &t, post("2025-04-30")).await;
        assert_eq!(r.json()["rectification_plan_due"], "2025-05-12", "{r:?}");

        // Escalation: one, then two within twelve months, then three.
        let esc = |as_of: &str| format!("/api/v1/cadres/{cadre}/escalation?as_of={as_of}");
        let e = env.get(&esc("2025-05-01"), &t).await.json();
        assert_eq!((e["interviews_in_window"].as_u64(), e["suggestion"].as_str()), (Some(1), Some("circulated_notice")));
        let e = env.get(&esc("2025-09-30"), &t).await.json();
        assert_eq!((e["interviews_in_window"].as_u64(), e["suggestion"].as_str()), (Some(2), Some("admonishment")));
        assert_eq!(e["window"], json!({"from": "2024-09-27", "to": "2025-09-26"}));
        assert_eq!(e["basis"][0]["rule"], "supervision.escalation");
        let r = env.post("/api/v1/supervision/interviews", &t, post("2025-11-03")).await;
        assert_eq!(r.status, 201);
        let e = env.get(&esc("2025-11-03"), &t).await.json();
        assert_eq!((e["interviews_in_window"].as_u64(), e["suggestion"].as_str()), (Some(3), Some("org_handling")));
        let e = env.get(&esc("2025-04-01"), &t).await.json();
        assert_eq!((e["interviews_in_window"].as_u64(), e["suggestion"].clone()), (Some(0), json!(null)));

        // Bad input is named and nothing is written.
        let r = env
            .post("/api/v1/supervision/interviews", &t, json!({"cadre_id": cadre, "held_on": "2099-01-01",
                "triggers": ["supervision.trigger.nonsense"], "record": ""}))
            .await;
        assert_eq!(r.status, 422, "{r:?}");
        let fields: Vec<String> =
            r.json()["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap().into()).collect();
        assert!(fields.contains(&"held_on".into()) && fields.contains(&"record".into()), "{fields:?}");
        let r = env
            .post("/api/v1/supervision/interviews", &t, json!({"cadre_id": cadre, "held_on": "2025-06-03",
                "triggers": ["supervision.trigger.nonsense"], "record": "x"}))
            .await;
        assert_eq!((r.status, r.json()["error"]["fields"][0]["field"].as_str()), (422, Some("triggers[0]")));
        let r = env
            .post("/api/v1/supervision/interviews", &t, json!({"cadre_id": cadre, "held_on": "2025-06-03", "record": "x"}))
            .await;
        assert_eq!((r.status, r.json()["error"]["fields"][0]["field"].as_str()), (422, Some("triggers")));
        let e = env.get(&esc("2025-11-03"), &t).await.json();
        assert_eq!(e["interviews_in_window"], 3, "refused requests wrote nothing");

        // Roles and scope.
        let jw = env.token("yc_jiwei").await;
        assert_eq!(env.get(&esc("2025-11-03"), &jw).await.status, 200, "the commission reads escalation");
        assert_eq!(env.post("/api/v1/supervision/interviews", &jw, post("2025-06-03")).await.status, 403);
        let jz = env.token("jz_ganbu").await;
        let r = env.get(&esc("2025-11-03"), &jz).await;
        assert_eq!((r.status, r.code().as_str()), (403, "out_of_scope"));
        let au = env.token("auditor").await;
        assert_eq!(env.get("/api/v1/supervision/triggers", &au).await.status, 403);
        // Jingzhou's pack has no trigger catalogue: recording there says so.
        let admin = env.token("admin").await;
        let jz_cadre = cadre_of(&env, &admin, "荆州市商务局").await;
        let r = env
            .post("/api/v1/supervision/interviews", &admin, json!({"cadre_id": jz_cadre, "held_on": "2025-06-03",
                "triggers": [trig], "record": "x"}))
            .await;
        assert_eq!(r.status, 422, "{r:?}");
        assert!(r.text().contains("没有督查问效情形清单"), "{}", r.text());
    })
    .await;
}

#[tokio::test]
async fn supervised_items_and_lights() {
    each_backend(|env| async move {
        env.demo().await;
        let t = env.token("yc_ducha").await;
        let unit = |name: &'static str| {
            let env = &env;
            let t = t.clone();
            async move {
                let u = env.get(&format!("/api/v1/units?q={}", enc(name)), &t).await.json();
                u["items"].as_array().unwrap().iter().find(|x| x["name"] == name).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            }
        };
        let count = |status: &'static str| {
            let env = &env;
            let t = t.clone();
            async move {
                env.get(&format!("/api/v1/supervision/items?status={status}"), &t)
                    .await
                    .json()
                    .as_array()
                    .unwrap()
                    .len()
            }
        };
        let (red0, all0) = (count("red").await, count("").await);
        assert!(red0 >= 1 && count("yellow").await >= 1 && count("green").await >= 1, "demo items in every light");
        let lead = unit("宜昌市交通运输局").await;
        let co = unit("宜昌市财政局").await;
        let today = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap()).date_naive();
        let day = |n: i64| (today + chrono::Duration::days(n)).to_string();
        let item = |title: &str, deadline: String, milestones: serde_json::Value| {
            json!({"title": title, "source": "市委常委会（2026年第12次）", "lead_unit_id": lead, "co_unit_ids": [co],
                "responsible": {"principal": "张局长", "leader_in_charge": "李副局长", "direct_responsible": "王科长"},
                "deadline": deadline, "milestones": milestones})
        };
        // Red: a milestone already passed. Yellow: the deadline is tomorrow.
        // Green: everything more than two weeks away.
        let r = env
            .post(
                "/api/v1/supervision/items",
                &t,
                item("城区主干道改造", day(60), json!([{"title": "完成设计", "due": day(-3)}])),
            )
            .await;
        assert_eq!(r.status, 201, "{r:?}");
        assert_eq!(r.json()["status"], "red");
        assert_eq!(r.json()["co_units"][0]["name"], "宜昌市财政局");
        let r = env.post("/api/v1/supervision/items", &t, item("港口集疏运方案", day(1), json!([]))).await;
        assert_eq!(r.json()["status"], "yellow", "{r:?}");
        let r = env
            .post(
                "/api/v1/supervision/items",
                &t,
                item("公交线网优化", day(40), json!([{"title": "征求意见", "due": day(20)}])),
            )
            .await;
        assert_eq!(r.json()["status"], "green", "{r:?}");
        let red = env.get("/api/v1/supervision/items?status=red", &t).await.json();
        assert_eq!(red.as_array().unwrap().len(), red0 + 1);
        assert!(red.as_array().unwrap().iter().any(|i| i["title"] == "城区主干道改造"));
        assert_eq!(count("").await, all0 + 3);
        // Bad input names the field; nothing is written.
        let r = env
            .post(
                "/api/v1/supervision/items",
                &t,
                json!({"title": "", "source": "x", "lead_unit_id": lead, "co_unit_ids": [lead],
                "deadline": day(10), "milestones": [{"title": "节点", "due": day(30)}]}),
            )
            .await;
        assert_eq!(r.status, 422, "{r:?}");
        let fields: Vec<String> = r.json()["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().into())
            .collect();
        assert_eq!(fields, ["title", "co_unit_ids[0]", "milestones[0].due"]);
        assert_eq!(count("").await, all0 + 3);
        let r = env.get("/api/v1/supervision/items?status=purple", &t).await;
        assert_eq!(r.status, 422);
        // The demo has a cadre interviewed three times within a year.
        let admin = env.token("admin").await;
        let commerce = unit("宜昌市商务局").await;
        let people =
            env.get(&format!("/api/v1/cadres?unit={commerce}&managed_by=city&per_page=50"), &admin).await.json();
        let mut found = false;
        for c in people["items"].as_array().unwrap() {
            let e = env.get(&format!("/api/v1/cadres/{}/escalation", c["id"].as_str().unwrap()), &t).await.json();
            found |= e["suggestion"] == "org_handling";
        }
        assert!(found, "no demo cadre with three interviews in a year");
        // Another city's office sees none of them; roles without the module get 403.
        let jz = env.token("jz_ganbu").await;
        assert_eq!(env.get("/api/v1/supervision/items", &jz).await.json().as_array().unwrap().len(), 0);
        let fgw = env.token("yc_fgw").await;
        assert_eq!(env.get("/api/v1/supervision/items", &fgw).await.status, 403);
        let jw = env.token("yc_jiwei").await;
        assert_eq!(env.post("/api/v1/supervision/items", &jw, item("x", day(5), json!([]))).await.status, 403);
    })
    .await;
}
