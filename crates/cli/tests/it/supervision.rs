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
        assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
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
        // A unit sees the items it leads.
        let fgw = env.token("yc_fgw").await;
        let own = env.get("/api/v1/supervision/items", &fgw).await.json();
        assert!(!own.as_array().unwrap().is_empty());
        assert!(own.as_array().unwrap().iter().all(|i| i["lead_unit"]["name"] == "宜昌市发展和改革委员会"), "{own}");
        assert_eq!(env.post("/api/v1/supervision/items", &fgw, item("x", day(5), json!([]))).await.status, 403);
        let au = env.token("auditor").await;
        assert_eq!(env.get("/api/v1/supervision/items", &au).await.status, 403);
        let jw = env.token("yc_jiwei").await;
        assert_eq!(env.post("/api/v1/supervision/items", &jw, item("x", day(5), json!([]))).await.status, 403);
    })
    .await;
}

/// A city-managed cadre of a unit, as the given user sees it.
async fn city_cadre(env: &Env, token: &str, unit: &str) -> (Uuid, Uuid) {
    let units = env.get(&format!("/api/v1/units?q={}", enc(unit)), token).await.json();
    let unit_id: Uuid = units["items"].as_array().unwrap().iter().find(|u| u["name"] == unit).expect("unit")["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let r = env.get(&format!("/api/v1/cadres?unit={unit_id}&managed_by=city&per_page=1"), token).await;
    (r.json()["items"][0]["id"].as_str().unwrap().parse().unwrap(), unit_id)
}

#[tokio::test]
async fn interview_from_request_to_closure() {
    each_backend(|env| async move {
        env.demo().await;
        let (ducha, lingdao, jiandu, fgw) = (
            env.token("yc_ducha").await,
            env.token("yc_lingdao").await,
            env.token("yc_jiandu").await,
            env.token("yc_fgw").await,
        );
        let trig: Vec<String> = env.get("/api/v1/supervision/triggers", &ducha).await.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .take(2)
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect();
        let (cadre, unit) = city_cadre(&env, &ducha, "宜昌市发展和改革委员会").await;
        let open = json!({"kind": "interview", "cadre_id": cadre, "triggers": trig, "facts": "重点项目审批连续三个月超时限。"});
        // Who may ask: the supervision office and leaders, not the unit.
        let r = env.post("/api/v1/supervision/cases", &fgw, open.clone()).await;
        assert_eq!((r.status, r.code().as_str()), (403, "forbidden"));
        let r = env
            .post("/api/v1/supervision/cases", &ducha, json!({"kind": "interview", "cadre_id": cadre, "facts": ""}))
            .await;
        assert_eq!((r.status, r.fields()), (422, vec!["facts".to_string(), "triggers".to_string()]), "{r:?}");
        let r = env.post("/api/v1/supervision/cases", &ducha, json!({"kind": "interview", "facts": "x", "triggers": trig})).await;
        assert_eq!(r.fields(), ["cadre_id", "unit_id"], "{r:?}");

        let r = env.post("/api/v1/supervision/cases", &ducha, open.clone()).await;
        assert_eq!(r.status, 201, "{r:?}");
        let c = r.json();
        let id = c["id"].as_str().unwrap().to_string();
        assert_eq!((c["state"].as_str(), c["owner"].as_str()), (Some("requested"), Some("主要领导审批")));
        assert_eq!(c["unit"]["id"], unit.to_string());
        assert!(c["step_due"].is_string() && !c["late"].as_bool().unwrap());
        assert_eq!(c["actions"], json!([{"code": "withdraw", "label": "撤回", "needs_note": true, "consequence": null}]), "the requester may only withdraw");
        let step = |action: &str| format!("/api/v1/supervision/cases/{id}/transitions").replace("{action}", action);
        let url = step("");
        let go = |token: &str, body: serde_json::Value| {
            let (env, url, token) = (&env, url.clone(), token.to_string());
            async move { env.post(&url, &token, body).await }
        };

        // Approval belongs to the principal leader.
        let r = go(&ducha, json!({"action": "approve"})).await;
        assert_eq!((r.status, r.code().as_str()), (403, "forbidden"));
        let r = go(&lingdao, json!({"action": "fly"})).await;
        assert_eq!((r.status, r.fields()), (422, vec!["action".to_string()]));
        let r = go(&lingdao, json!({"action": "approve"})).await;
        assert_eq!(r.status, 200, "{r:?}");
        assert_eq!((r.json()["state"].as_str(), r.json()["owner"].as_str()), (Some("approved"), Some("督查室")));
        let r = go(&lingdao, json!({"action": "approve"})).await;
        assert_eq!((r.status, r.code().as_str()), (409, "illegal_transition"), "{r:?}");

        // The plan names who attends for the commission and the organization department.
        let r = go(&ducha, json!({"action": "plan"})).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.fields(), ["note", "scheduled_on", "lead_interviewer", "commission_attendee", "org_attendee", "topics"]);
        let today = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap()).date_naive();
        let r = go(&ducha, json!({"action": "plan", "note": "会同纪委监委和组织部研究", "scheduled_on": today.to_string(),
            "lead_interviewer": "市委副秘书长", "commission_attendee": "纪委监委某室主任", "org_attendee": "干部监督科科长",
            "topics": "审批超时的原因和整改措施"}))
        .await;
        assert_eq!(r.status, 200, "{r:?}");
        assert_eq!((r.json()["state"].as_str(), r.json()["owner"].as_str()), (Some("planned"), Some("组织部")));
        assert_eq!(r.json()["plan"]["commission_attendee"], "纪委监委某室主任");
        let version = r.json()["version"].as_i64().unwrap();

        // The organization department files the record; the rectification
        // plan is due five working days later (across the 2025 National Day break).
        // The unit is not told before the interview is held: the case is not there for it.
        let r = go(&fgw, json!({"action": "hold", "held_on": "2025-09-26", "record": "x"})).await;
        assert_eq!(r.status, 404, "the unit does not see the planned interview");
        let r = go(&jiandu, json!({"action": "hold", "held_on": "2025-09-26", "record": "约谈记录", "version": version - 1})).await;
        assert_eq!((r.status, r.code().as_str()), (409, "stale_write"));
        let r = go(&jiandu, json!({"action": "hold", "version": version})).await;
        assert_eq!(r.fields(), ["held_on", "record"]);
        let r = go(&jiandu, json!({"action": "hold", "held_on": "2025-09-26", "record": "约谈人指出问题，被约谈人表态整改。", "version": version})).await;
        assert_eq!(r.status, 200, "{r:?}");
        let c = r.json();
        assert_eq!(c["state"], "awaiting_plan");
        assert_eq!(c["rectification_plan_due"], "2025-10-10");
        assert_eq!(c["step_due"], "2025-10-10");
        assert!(c["late"].as_bool().unwrap(), "the plan deadline passed long ago");
        assert_eq!(c["record"], "约谈人指出问题，被约谈人表态整改。");
        let e = &c["escalation"];
        assert_eq!((e["interviews_in_window"].as_u64(), e["suggestion"].as_str()), (Some(1), Some("circulated_notice")));
        assert_eq!(e["rule"], "supervision.escalation");
        assert!(c["can_decide_escalation"].as_bool().unwrap());
        // The held interview counts for escalation like a recorded one.
        let esc = env.get(&format!("/api/v1/cadres/{cadre}/escalation?as_of=2025-09-26"), &ducha).await.json();
        assert_eq!(esc["interviews_in_window"], 1);

        // The suggestion is accepted by a person with the right, and becomes a measure.
        let dec = format!("/api/v1/supervision/cases/{id}/escalation-decision");
        let r = env.post(&dec, &ducha, json!({"accept": true, "reason": "同意"})).await;
        assert_eq!(r.status, 403, "the supervision office does not record measures");
        let r = env.post(&dec, &jiandu, json!({"accept": true, "reason": ""})).await;
        assert_eq!((r.status, r.fields()), (422, vec!["reason".to_string()]));
        let r = env.post(&dec, &jiandu, json!({"accept": true, "reason": "首次约谈，按规定通报。", "deciding_body": "中共宜昌市委组织部"})).await;
        assert_eq!(r.status, 200, "{r:?}");
        let measure_id = r.json()["measure_id"].as_str().unwrap().to_string();
        assert_eq!(r.json()["escalation"]["decision"]["accepted"], true);
        let r = env.post(&dec, &jiandu, json!({"accept": false, "reason": "再议"})).await;
        assert_eq!((r.status, r.code().as_str()), (409, "illegal_transition"));
        let ms = env.get(&format!("/api/v1/cadres/{cadre}/measures"), &jiandu).await.json();
        let m = ms.as_array().unwrap().iter().find(|m| m["id"] == measure_id.as_str()).expect("measure recorded");
        assert_eq!((m["kind"].as_str(), m["origin"].as_str()), (Some("circulated_notice"), Some("supervision")));

        // The unit reports; late steps are flagged.
        let r = go(&fgw, json!({"action": "submit_plan"})).await;
        assert_eq!(r.fields(), ["note"]);
        let r = go(&fgw, json!({"action": "submit_plan", "note": "整改方案：压缩审批时限，建立台账。"})).await;
        assert_eq!(r.status, 200, "{r:?}");
        let c = r.json();
        assert_eq!((c["state"].as_str(), c["owner"].as_str()), (Some("rectifying"), Some("责任单位")));
        let last = c["steps"].as_array().unwrap().last().unwrap().clone();
        assert_eq!((last["late"].as_bool(), last["due"].as_str()), (Some(true), Some("2025-10-10")));
        let due = chrono::NaiveDate::parse_from_str(c["step_due"].as_str().unwrap(), "%Y-%m-%d").unwrap();
        assert_eq!(due, today.checked_add_months(chrono::Months::new(1)).unwrap(), "monthly progress reports");
        for (who, action) in [(&fgw, "report"), (&fgw, "finish"), (&ducha, "fail"), (&fgw, "finish")] {
            let r = go(who, json!({"action": action, "note": "情况说明"})).await;
            assert_eq!(r.status, 200, "{action}: {r:?}");
        }
        let r = go(&fgw, json!({"action": "pass", "note": "自己通过"})).await;
        assert_eq!(r.status, 403, "the unit does not recheck itself");
        let r = go(&ducha, json!({"action": "pass", "note": "经复查整改到位。"})).await;
        assert_eq!(r.status, 200, "{r:?}");
        let c = r.json();
        assert_eq!((c["state"].as_str(), c["terminal"].as_bool(), c["owner"].clone()), (Some("closed"), Some(true), json!(null)));
        let r = go(&fgw, json!({"action": "report", "note": "x"})).await;
        assert_eq!((r.status, r.code().as_str()), (409, "illegal_transition"));

        // The history: every step with its actor and time.
        let c = env.get(&format!("/api/v1/supervision/cases/{id}"), &fgw).await.json();
        let steps: Vec<(String, String)> = c["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["action"].as_str().unwrap().into(), s["actor"].as_str().unwrap().into()))
            .collect();
        let actions: Vec<&str> = steps.iter().map(|(a, _)| a.as_str()).collect();
        assert_eq!(
            actions,
            ["open", "approve", "plan", "hold", "escalation", "submit_plan", "report", "finish", "fail", "finish", "pass"]
        );
        assert_eq!(steps[1].1, "王志强");
        assert_eq!(steps[3].1, "宜昌市委组织部干部监督科");
        assert!(c["steps"].as_array().unwrap().iter().all(|s| s["at"].is_string()));

        // The supervision file: the commission and the organization department
        // see the resulting measure, the supervision office does not.
        let f = env.get(&format!("/api/v1/cadres/{cadre}/supervision-file"), &jiandu).await.json();
        let kinds: Vec<&str> = f["entries"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert!(kinds.contains(&"约谈记录") && kinds.contains(&"问责处理") && kinds.contains(&"工作约谈"), "{kinds:?}");
        let f = env.get(&format!("/api/v1/cadres/{cadre}/supervision-file"), &ducha).await.json();
        assert_eq!(f["measures_shown"], false);
        assert!(f["entries"].as_array().unwrap().iter().all(|e| e["kind"] != "问责处理"));
        let x = env.get(&format!("/api/v1/cadres/{cadre}/supervision-file/export"), &ducha).await;
        assert_eq!(x.status, 200);
        assert!(x.body.starts_with(b"PK"), "an xlsx file");

        // Scope: another county's organization department and another unit's committee see nothing.
        let yl = env.token("yl_ganbu").await;
        let r = env.get(&format!("/api/v1/supervision/cases/{id}"), &yl).await;
        assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
        let list = env.get("/api/v1/supervision/cases", &fgw).await.json();
        assert!(list.as_array().unwrap().iter().all(|c| c["unit"]["id"] == unit.to_string()), "a unit sees its own");
        // The leader's inbox holds requests waiting for approval.
        let todo = env.get("/api/v1/supervision/cases?todo=true", &lingdao).await.json();
        assert!(!todo.as_array().unwrap().is_empty());
        assert!(todo.as_array().unwrap().iter().all(|c| c["state"] == "requested" && c["todo"] == true));
        let d = env.get("/api/v1/supervision/dashboard", &ducha).await.json();
        assert!(d["interviews_this_year"].as_u64().unwrap() >= 1);
        assert_eq!(d["items_by_light"].as_array().unwrap().len(), 4);
        assert!(d["rectification"].as_array().unwrap().iter().any(|c| c["code"] == "closed" && c["count"].as_u64().unwrap() >= 2));
    })
    .await;
}

#[tokio::test]
async fn reminder_issued_with_documents() {
    each_backend(|env| async move {
        env.demo().await;
        let (ducha, lingdao, jiandu, fgw, admin) = (
            env.token("yc_ducha").await,
            env.token("yc_lingdao").await,
            env.token("yc_jiandu").await,
            env.token("yc_fgw").await,
            env.token("admin").await,
        );
        let trig = env.get("/api/v1/supervision/triggers", &ducha).await.json()["items"][0]["id"].clone();
        let (leader, unit) = city_cadre(&env, &ducha, "宜昌市住房和城乡建设局").await;
        let r = env
            .post("/api/v1/supervision/cases", &ducha, json!({"kind": "reminder", "facts": "x", "triggers": [trig]}))
            .await;
        assert_eq!(r.fields(), ["unit_id"], "a reminder names the department");
        let r = env
            .post(
                "/api/v1/supervision/cases",
                &ducha,
                json!({"kind": "reminder", "unit_id": unit, "cadre_id": leader,
                "triggers": [trig], "facts": "老旧小区改造开工率低于序时进度。"}),
            )
            .await;
        assert_eq!(r.status, 201, "{r:?}");
        let id = r.json()["id"].as_str().unwrap().to_string();
        let url = format!("/api/v1/supervision/cases/{id}/transitions");
        let docs = format!("/api/v1/supervision/cases/{id}/documents");
        assert_eq!(env.post(&url, &lingdao, json!({"action": "approve"})).await.status, 200);
        let r = env.get(&docs, &ducha).await;
        assert_eq!((r.status, r.code().as_str()), (409, "illegal_transition"), "no documents before it is issued");
        let pdf = format!("{docs}.pdf");
        assert_eq!(env.get(&pdf, &ducha).await.status, 409);
        let r = env.post(&url, &ducha, json!({"action": "plan", "note": "x"})).await;
        assert_eq!((r.status, r.code().as_str()), (409, "illegal_transition"), "a reminder has no interview plan");
        let r = env.post(&url, &ducha, json!({"action": "issue"})).await;
        assert_eq!(r.status, 200, "{r:?}");
        let c = r.json();
        assert_eq!(c["state"], "awaiting_plan");
        let doc_no = c["doc_no"].as_str().unwrap().to_string();
        assert!(doc_no.starts_with("督查提醒〔") && doc_no.ends_with('号'), "{doc_no}");
        // Reminders issued at the same moment get different numbers.
        let mut urls = Vec::new();
        for i in 0..4 {
            let body =
                json!({"kind": "reminder", "unit_id": unit, "triggers": [trig], "facts": format!("并发签发{i}")});
            let r = env.post("/api/v1/supervision/cases", &ducha, body).await;
            let u = format!("/api/v1/supervision/cases/{}/transitions", r.json()["id"].as_str().unwrap());
            assert_eq!(env.post(&u, &lingdao, json!({"action": "approve"})).await.status, 200);
            urls.push(u);
        }
        let issue = json!({"action": "issue"});
        let rs = tokio::join!(
            env.post(&urls[0], &ducha, issue.clone()),
            env.post(&urls[1], &ducha, issue.clone()),
            env.post(&urls[2], &ducha, issue.clone()),
            env.post(&urls[3], &ducha, issue.clone()),
        );
        let mut numbers = vec![doc_no.clone()];
        for r in [rs.0, rs.1, rs.2, rs.3] {
            assert_eq!(r.status, 200, "{r:?}");
            numbers.push(r.json()["doc_no"].as_str().unwrap().to_string());
        }
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), 5, "{numbers:?}");
        let r = env.post(&url, &jiandu, json!({"action": "hold", "held_on": "2025-01-02", "record": "x"})).await;
        assert_eq!((r.status, r.code().as_str()), (409, "illegal_transition"), "a reminder is not held");
        let d = env.get(&docs, &ducha).await;
        assert_eq!(d.status, 200, "{d:?}");
        let d = d.json();
        assert_eq!(d.as_array().unwrap().len(), 2, "letter to the department, notice to the leader in charge");
        assert_eq!(d[0]["title"], "工作提醒函");
        assert_eq!(d[0]["addressee"], "宜昌市住房和城乡建设局：");
        assert_eq!(d[1]["title"], "工作通知");
        // Both as one PDF, each document from a new page.
        let p = env.get(&pdf, &ducha).await;
        assert_eq!((p.status, p.headers["content-type"].to_str().unwrap()), (200, "application/pdf"));
        assert!(p.body.starts_with(b"%PDF-") && String::from_utf8_lossy(&p.body).contains("/Count 2"));
        assert!(d[0]["paragraphs"].as_array().unwrap().iter().any(|p| p.as_str().unwrap().contains("老旧小区改造")));
        // Another unit's committee cannot report for this one.
        let r = env.post(&url, &fgw, json!({"action": "submit_plan", "note": "x"})).await;
        assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
        for (who, action) in [(&admin, "submit_plan"), (&admin, "finish"), (&ducha, "pass")] {
            let r = env.post(&url, who, json!({"action": action, "note": "情况说明"})).await;
            assert_eq!(r.status, 200, "{action}: {r:?}");
        }
        let c = env.get(&format!("/api/v1/supervision/cases/{id}"), &ducha).await.json();
        assert_eq!(c["state"], "closed");
        assert!(c["escalation"].is_null(), "reminders suggest no escalation");
        // Withdrawal is the requester's own.
        let r = env
            .post(
                "/api/v1/supervision/cases",
                &lingdao,
                json!({"kind": "reminder", "unit_id": unit,
                "triggers": [trig], "facts": "y"}),
            )
            .await;
        let id2 = r.json()["id"].as_str().unwrap().to_string();
        let url2 = format!("/api/v1/supervision/cases/{id2}/transitions");
        let r = env.post(&url2, &ducha, json!({"action": "withdraw", "note": "z"})).await;
        assert_eq!(r.status, 403, "{r:?}");
        let r = env.post(&url2, &lingdao, json!({"action": "withdraw", "note": "已另行处理"})).await;
        assert_eq!((r.status, r.json()["state"].as_str()), (200, Some("withdrawn")));
    })
    .await;
}

#[tokio::test]
async fn interview_request_form_takes_several_situations() {
    each_backend(|env| async move {
        env.demo().await;
        let t = env.token("yc_ducha").await;
        let (cadre, _) = city_cadre(&env, &t, "宜昌市发展和改革委员会").await;
        let trig: Vec<String> = env.get("/api/v1/supervision/triggers", &t).await.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .take(2)
            .map(|x| x["id"].as_str().unwrap().to_string())
            .collect();
        let b = env.login("yc_ducha", dandang_demo::DEMO_PASSWORD).await.expect("login");
        let page = env.page(&format!("/supervision/cases/new?kind=interview&cadre_id={cadre}"), &b.cookie).await;
        assert_eq!(page.status, 200);
        assert!(page.text().contains(&trig[1]), "every situation is offered");
        let base = format!("_csrf={}&kind=interview&cadre_id={cadre}&facts={}", b.csrf, enc("审批超时"));
        // None chosen: the form comes back naming the field, nothing written.
        let r = env.form("/supervision/cases", &b, &base).await;
        assert_eq!(r.status, 422);
        assert!(r.text().contains("督查问效情形"), "{}", r.text());
        let before = env.get(&format!("/api/v1/supervision/cases?cadre_id={cadre}"), &t).await.json();
        let body = format!("{base}&triggers={}&triggers={}", enc(&trig[0]), enc(&trig[1]));
        let r = env.form("/supervision/cases", &b, &body).await;
        assert_eq!(r.status, 303, "{r:?}");
        let after = env.get(&format!("/api/v1/supervision/cases?cadre_id={cadre}"), &t).await.json();
        assert_eq!(after.as_array().unwrap().len(), before.as_array().unwrap().len() + 1);
        let id = after.as_array().unwrap().iter().find(|c| !before.as_array().unwrap().contains(c)).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let c = env.get(&format!("/api/v1/supervision/cases/{id}"), &t).await.json();
        assert_eq!(c["triggers"].as_array().unwrap().len(), 2);
        // The leader approves from the page; a unit party committee has no approval form.
        let page = env.page(&format!("/supervision/cases/{id}"), &b.cookie).await;
        assert!(!page.text().contains("form-approve"));
        let l = env.login("yc_lingdao", dandang_demo::DEMO_PASSWORD).await.expect("login");
        let page = env.page(&format!("/supervision/cases/{id}"), &l.cookie).await;
        assert!(page.text().contains("form-approve"));
        // Approving cannot be undone: the form asks for a tick, and without it nothing is written.
        assert!(page.text().contains("name=\"confirmed\" value=\"1\" required"), "{}", page.text());
        let url = format!("/supervision/cases/{id}/transitions");
        let r = env.form(&url, &l, &format!("_csrf={}&action=approve", l.csrf)).await;
        assert_eq!(r.status, 422, "{r:?}");
        assert!(r.text().contains("批准后不能撤回，请勾选确认后再提交"), "{}", r.text());
        assert_eq!(env.get(&format!("/api/v1/supervision/cases/{id}"), &t).await.json()["state"], "requested");
        // The leader's instruction (批示) is kept on the case.
        let pishi = enc("同意。请督查室一周内组织约谈。");
        let r = env.form(&url, &l, &format!("_csrf={}&action=approve&confirmed=1&note={pishi}", l.csrf)).await;
        assert_eq!(r.status, 303, "{r:?}");
        let c = env.get(&format!("/api/v1/supervision/cases/{id}"), &t).await.json();
        assert_eq!(c["steps"].as_array().unwrap().last().unwrap()["note"], "同意。请督查室一周内组织约谈。", "{c}");
        let page = env.page(&format!("/supervision/cases/{id}"), &l.cookie).await;
        assert!(page.text().contains("批示：同意。请督查室一周内组织约谈。"));
        // A step out of order shows the page again with the reason.
        let r = env.form(&url, &l, &format!("_csrf={}&action=approve&confirmed=1", l.csrf)).await;
        assert_eq!(r.status, 422);
        assert!(r.text().contains("不能“批准”"), "{}", r.text());
    })
    .await;
}

#[tokio::test]
async fn item_progress_reports_and_silent_units() {
    each_backend(|env| async move {
        env.demo().await;
        let (ducha, fgw, jiwei) = (env.token("yc_ducha").await, env.token("yc_fgw").await, env.token("yc_jiwei").await);
        let d = env.get("/api/v1/supervision/dashboard", &ducha).await.json();
        let silent: Vec<&str> =
            d["silent_units"].as_array().unwrap().iter().map(|u| u["label"].as_str().unwrap()).collect();
        assert!(silent.contains(&"宜昌市发展和改革委员会"), "{silent:?}");
        assert!(!silent.contains(&"宜昌市交通运输局"), "reported ten days ago: {silent:?}");
        let items = env.get("/api/v1/supervision/items", &fgw).await.json();
        let items = items.as_array().unwrap();
        let open = items.iter().find(|i| i["silent"] == true).expect("a silent item of the commission");
        assert!(items.iter().any(|i| i["status"] == "done"), "the demo has a completed item");
        let id = open["id"].as_str().unwrap();
        let url = format!("/api/v1/supervision/items/{id}/reports");
        let r = env.post(&url, &fgw, json!({"content": ""})).await;
        assert_eq!((r.status, r.fields()), (422, vec!["content".to_string()]));
        let r = env.post(&url, &jiwei, json!({"content": "x"})).await;
        assert_eq!(r.status, 403, "the commission reads, it does not report");
        let r = env.post(&url, &fgw, json!({"content": "已完成审批流程再造，压缩时限40%。"})).await;
        assert_eq!(r.status, 201, "{r:?}");
        let v = r.json();
        assert_eq!((v["silent"].as_bool(), v["reports"].as_array().unwrap().len()), (Some(false), 1));
        assert_eq!(v["reports"][0]["unit"], "宜昌市发展和改革委员会");
        let d = env.get("/api/v1/supervision/dashboard", &ducha).await.json();
        assert!(d["silent_units"].as_array().unwrap().iter().all(|u| u["label"] != "宜昌市发展和改革委员会"));
        // Another unit's item is out of the committee's scope.
        let all = env.get("/api/v1/supervision/items", &ducha).await.json();
        let other =
            all.as_array().unwrap().iter().find(|i| i["lead_unit"]["name"] == "宜昌市住房和城乡建设局").unwrap();
        let other_url = format!("/api/v1/supervision/items/{}/reports", other["id"].as_str().unwrap());
        let r = env.post(&other_url, &fgw, json!({"content": "x"})).await;
        assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
        // Completion waits for the open milestones; a milestone is marked done by a report.
        let r = env.post(&other_url, &ducha, json!({"content": "全部完成", "completes": true})).await;
        assert_eq!((r.status, r.fields()), (422, vec!["completes".to_string()]), "{r:?}");
        let m = other["milestones"][0]["id"].as_str().unwrap();
        let r = env
            .post(&other_url, &ducha, json!({"content": "首批开工，事项完成", "milestone_id": m, "completes": true}))
            .await;
        assert_eq!(r.status, 201, "{r:?}");
        let v = r.json();
        assert_eq!((v["status"].as_str(), v["milestones"][0]["done_on"].is_string()), (Some("done"), true));
        let r = env.post(&other_url, &ducha, json!({"content": "再报"})).await;
        assert_eq!(r.status, 422, "a completed item takes no more reports");
    })
    .await;
}

#[tokio::test]
async fn task_letters_track_and_reconcile_items() {
    each_backend(|env| async move {
        env.demo().await;
        let (ducha, lingdao, jz) =
            (env.token("yc_ducha").await, env.token("yc_lingdao").await, env.token("jz_ganbu").await);
        // The demo leader sees their letter on the dashboard.
        let d = env.get("/api/v1/supervision/dashboard", &lingdao).await.json();
        assert_eq!(d["my_letters"].as_array().unwrap().len(), 1, "{}", d["my_letters"]);
        assert!(!d["portfolio"].as_array().unwrap().is_empty(), "items the leader is in charge of");
        let items = env.get("/api/v1/supervision/items", &ducha).await.json();
        let ids: Vec<String> =
            items.as_array().unwrap().iter().take(2).map(|i| i["id"].as_str().unwrap().to_string()).collect();
        let r = env
            .post(
                "/api/v1/supervision/task-letters",
                &ducha,
                json!({"year": 1990, "leader_user_id": uuid::Uuid::nil(), "title": "", "item_ids": []}),
            )
            .await;
        assert_eq!(
            (r.status, r.fields()),
            (422, vec!["year".to_string(), "leader_user_id".into(), "title".into(), "item_ids".into()])
        );
        // The letter is addressed to the leader's account, not to a typed name.
        let leader = env.get("/api/v1/me", &lingdao).await.json()["user_id"].clone();
        let r = env
            .post(
                "/api/v1/supervision/task-letters",
                &lingdao,
                json!({"year": 2026, "leader_user_id": leader, "title": "x", "item_ids": ids}),
            )
            .await;
        assert_eq!(r.status, 403, "the office sets letters, not the leader");
        let r = env
            .post(
                "/api/v1/supervision/task-letters",
                &ducha,
                json!({"year": 2026, "leader_user_id": leader, "leader_post": "市委副书记",
                "title": "2026年度目标责任书", "item_ids": [ids[0], ids[1], uuid::Uuid::nil()]}),
            )
            .await;
        assert_eq!((r.status, r.fields()), (422, vec!["item_ids[2]".to_string()]));
        let r = env
            .post(
                "/api/v1/supervision/task-letters",
                &ducha,
                json!({"year": 2026, "leader_user_id": leader, "leader_post": "市委副书记",
                "title": "2026年度目标责任书", "item_ids": ids}),
            )
            .await;
        assert_eq!(r.status, 201, "{r:?}");
        let v = r.json();
        let id = v["id"].as_str().unwrap().to_string();
        assert_eq!(v["items"].as_array().unwrap().len(), 2);
        assert_eq!(v["midyear_checkpoint"], "2026-06-30");
        assert!(v["items"].as_array().unwrap().iter().all(|i| i["midyear"].is_string() && i["year_end"].is_string()));
        let rv = format!("/api/v1/supervision/task-letters/{id}/reviews");
        let r = env.post(&rv, &ducha, json!({"stage": "year_end", "note": "对账"})).await;
        assert_eq!((r.status, r.code().as_str()), (409, "illegal_transition"), "mid-year comes first");
        let r = env.post(&rv, &ducha, json!({"stage": "autumn", "note": "x"})).await;
        assert_eq!((r.status, r.fields()), (422, vec!["stage".to_string()]));
        let r = env.post(&rv, &ducha, json!({"stage": "midyear", "note": "总体按计划推进。"})).await;
        assert_eq!(r.status, 200, "{r:?}");
        assert_eq!(r.json()["midyear"]["checkpoint"], "2026-06-30");
        let total: u64 =
            r.json()["midyear"]["counts"].as_array().unwrap().iter().map(|c| c["count"].as_u64().unwrap()).sum();
        assert_eq!(total, 2, "every item has an outcome");
        let r = env.post(&rv, &ducha, json!({"stage": "midyear", "note": "again"})).await;
        assert_eq!((r.status, r.code().as_str()), (409, "illegal_transition"));
        let r = env.post(&rv, &ducha, json!({"stage": "year_end", "note": "年末对账：两项均完成。"})).await;
        assert_eq!(r.status, 200, "{r:?}");
        let list = env.get("/api/v1/supervision/task-letters?year=2026", &lingdao).await.json();
        assert!(list.as_array().unwrap().iter().any(|l| l["id"] == id.as_str() && l["year_end_done"] == true));
        let r = env.get(&format!("/api/v1/supervision/task-letters/{id}"), &jz).await;
        assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
    })
    .await;
}
