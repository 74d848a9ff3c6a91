//! 容错纠错: a case from the cadre's application to sign-off and appeal, with
//! suggestions citing their sources, exclusions blocking exemption, and the
//! decision flowing onto the measure the eligibility engine reads.

use serde_json::{Value, json};

use crate::support::{Env, each_backend};

async fn me(env: &Env, token: &str) -> String {
    env.get("/api/v1/me", token).await.json()["cadre_id"].as_str().expect("a self-service account").to_string()
}

#[tokio::test]
async fn case_from_application_to_sign_off() {
    each_backend(|env| async move {
        env.demo().await;
        let (cadre_t, unit_t, jiwei, ducha) = (
            env.token("ganbu_self").await,
            env.token("yc_fgw").await,
            env.token("yc_jiwei").await,
            env.token("yc_ducha").await,
        );
        let cadre = me(&env, &cadre_t).await;
        // The commission recorded an admonishment for the matter.
        let body = json!({"kind": "admonishment", "decided_on": "2025-04-01", "deciding_body": "宜昌市纪委监委",
            "basis": "项目审批中容缺受理引发投诉", "via_accountability": true});
        // Whoever pursues accountability must say whether tolerance may apply.
        let r = env.post(&format!("/api/v1/cadres/{cadre}/measures"), &jiwei, body.clone()).await;
        assert_eq!((r.status, r.fields()), (422, vec!["tolerance_check".to_string()]), "{r:?}");
        let mut body = body;
        body["tolerance_check"] = json!("none");
        let r = env.post(&format!("/api/v1/cadres/{cadre}/measures"), &jiwei, body).await;
        assert_eq!(r.status, 201, "{r:?}");
        let measure = r.json()["id"].as_str().unwrap().to_string();
        let elig_url = format!("/api/v1/cadres/{cadre}/eligibility?as_of=2025-06-01");
        let e = env.get(&elig_url, &jiwei).await.json();
        assert_eq!(e["promotion"]["eligible_on_as_of"], false, "{e}");

        // The cadre applies, claiming a Yichang situation.
        let apply = json!({"cadre_id": cadre, "origin": "cadre_application", "event_on": "2025-03-10",
            "facts": "为加快重点项目落地，对材料不全的申请实行容缺审批，后因材料补正延迟引发投诉。",
            "claimed": ["tolerance.situation.tolerant_approval"], "measure_id": measure,
            "statement": "出于加快项目进度的公心，没有谋取私利。"});
        let r = env.post("/api/v1/tolerance/cases", &ducha, apply.clone()).await;
        assert_eq!(r.status, 403, "the supervision office has no part in tolerance");
        let mut bad = apply.clone();
        bad["claimed"] = json!(["tolerance.situation.nonsense"]);
        bad["event_on"] = json!("2099-01-01");
        let r = env.post("/api/v1/tolerance/cases", &cadre_t, bad).await;
        assert_eq!((r.status, r.fields()), (422, vec!["event_on".to_string()]), "{r:?}");
        let mut bad = apply.clone();
        bad["claimed"] = json!(["tolerance.situation.nonsense"]);
        let r = env.post("/api/v1/tolerance/cases", &cadre_t, bad).await;
        assert_eq!((r.status, r.fields()), (422, vec!["claimed[0]".to_string()]));
        let r = env.post("/api/v1/tolerance/cases", &cadre_t, apply.clone()).await;
        assert_eq!(r.status, 201, "{r:?}");
        let c = r.json();
        let id = c["id"].as_str().unwrap().to_string();
        assert_eq!((c["state"].as_str(), c["pack"].as_str()), (Some("started"), Some("cn-hb-yc")));
        // People read the pack by its title.
        assert_eq!(c["pack_title"], "湖北省宜昌市");
        // Yichang fast-tracks applications: priority acceptance within 3 working days, not 5.
        let today = dandang_app::clock::today();
        let fast = env.app.calendar().add_working_days(today, 3).unwrap().value.to_string();
        assert_eq!((c["priority"].as_bool(), c["step_due"].as_str()), (Some(true), Some(fast.as_str())));
        assert_eq!(c["claimed"][0]["title"], "容缺审批中出现失误错误");
        // It waits for the handling body: in the commission's to-do list, not the unit's.
        let todo = |t: String| {
            let (env, id) = (&env, id.clone());
            async move {
                let all = env.get("/api/v1/tolerance/cases?todo=true", &t).await.json();
                all.as_array().unwrap().iter().find(|c| c["id"] == id.as_str()).cloned()
            }
        };
        let mine = todo(jiwei.clone()).await.expect("the commission's to-do");
        assert_eq!((mine["owner"].as_str(), mine["todo"].as_bool()), (Some("受理核查机关"), Some(true)));
        assert!(!mine["late"].as_bool().unwrap(), "{mine}");
        assert!(todo(unit_t.clone()).await.is_none(), "not the unit's step");
        // Evidence: the applicant attaches a file; other types are refused.
        let att = format!("/api/v1/tolerance/cases/{id}/attachments");
        let r = env.upload(&att, &cadre_t, "承诺书.txt", "企业书面承诺：十五个工作日内补正材料。".as_bytes()).await;
        assert_eq!(r.status, 201, "{r:?}");
        let aid = r.json()["id"].as_str().unwrap().to_string();
        let r = env.upload(&att, &cadre_t, "tool.exe", b"MZ").await;
        assert_eq!((r.status, r.code().as_str()), (422, "invalid_input"));
        let list = env.get(&att, &jiwei).await.json();
        assert_eq!(list.as_array().unwrap().len(), 1);
        let dl = env.get(&format!("{att}/{aid}"), &jiwei).await;
        assert_eq!((dl.status, dl.text()), (200, "企业书面承诺：十五个工作日内补正材料。".to_string()));
        let url = format!("/api/v1/tolerance/cases/{id}/transitions");
        let go = |t: &str, body: Value| {
            let (env, url, t) = (&env, url.clone(), t.to_string());
            async move { env.post(&url, &t, body).await }
        };

        // Acceptance belongs to the handling body; the unit does not even see
        // the cadre's own application before it is decided.
        let r = go(&unit_t, json!({"action": "accept"})).await;
        assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
        let r = go(&jiwei, json!({"action": "sign_off", "note": "x"})).await;
        assert_eq!((r.status, r.code().as_str()), (409, "illegal_transition"));
        let r = go(&jiwei, json!({"action": "accept"})).await;
        assert_eq!((r.status, r.json()["state"].as_str()), (200, Some("investigating")), "{r:?}");

        // Analysis: the suggestions follow the ticked facts, exclusions first.
        let analysis = format!("/api/v1/tolerance/cases/{id}/analysis");
        let sugg = format!("/api/v1/tolerance/cases/{id}/suggestions");
        let factors: Vec<String> =
            env.get("/api/v1/tolerance/criteria?pack=cn-hb-yc&on=2025-03-10", &jiwei).await.json()["factors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["id"].as_str().unwrap().to_string())
                .collect();
        assert_eq!(factors.len(), 7, "Yichang analyses seven aspects");
        let answers = |gain: &str| {
            json!({"tolerance.fact.private_gain": gain, "tolerance.fact.knowing_violation": "no",
                "tolerance.fact.explicit_prohibition": "no", "tolerance.fact.tolerant_approval": "yes",
                "tolerance.fact.remedied": "yes", "tolerance.fact.cooperated": "yes"})
        };
        let r = env.put(&analysis, &jiwei, json!({"answers": {"tolerance.fact.x": "yes"}})).await;
        assert_eq!((r.status, r.fields()), (422, vec!["facts.tolerance.fact.x".to_string()]));
        let r = env.put(&analysis, &jiwei, json!({"answers": answers("yes")})).await;
        assert_eq!(r.status, 200, "{r:?}");
        let s = env.get(&sugg, &jiwei).await.json();
        assert_eq!(s["suggestions"]["exemption_blocked"], true);
        assert_eq!(s["suggestions"]["hits"][0]["group"], "exclusion");
        assert!(s["suggestions"]["hits"][0]["source"].as_str().unwrap().contains("激励广大干部"));
        let half: serde_json::Map<String, Value> =
            factors.iter().take(3).map(|f| (f.clone(), json!("已分析"))).collect();
        let r = env.put(&analysis, &jiwei, json!({"answers": answers("no"), "analysis": half})).await;
        assert_eq!(r.status, 200);
        let s = env.get(&sugg, &jiwei).await.json();
        assert_eq!(
            (s["suggestions"]["exemption_blocked"].as_bool(), s["suggestions"]["exemption_suggested"].as_bool()),
            (Some(false), Some(true))
        );
        let hit = s["suggestions"]["hits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["id"] == "tolerance.situation.tolerant_approval")
            .unwrap()
            .clone();
        assert!(hit["source"].as_str().unwrap().contains("宜昌市容错纠错实施办法"), "{hit}");
        assert_eq!(s["situations_incomplete"], true, "Yichang's list is known to be incomplete");

        // Every factor analysed before the collective decision; a joint review in between.
        let r = go(&jiwei, json!({"action": "submit_for_decision", "note": "提请研究"})).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.fields().len(), 4, "the four factors not yet analysed: {r:?}");
        let full: serde_json::Map<String, Value> = factors.iter().map(|f| (f.clone(), json!("已分析"))).collect();
        assert_eq!(env.put(&analysis, &jiwei, json!({"answers": answers("no"), "analysis": full})).await.status, 200);
        assert_eq!(
            go(&jiwei, json!({"action": "invite_joint_review", "note": "请发改委、审计局会商"})).await.status,
            200
        );
        let r = go(&jiwei, json!({"action": "record_opinion", "note": "同意容错"})).await;
        assert_eq!(r.fields(), ["party"]);
        // An opinion answers the joint review's deadline; it does not push it back.
        env.sql("UPDATE tolerance_case SET step_due = '2025-01-02' WHERE state = 'joint_review' AND facts LIKE '%补正延迟引发投诉%'")
            .await;
        let r = go(&jiwei, json!({"action": "record_opinion", "party": "市发改委", "note": "属于容缺审批，同意容错"}))
            .await;
        assert_eq!((r.status, r.json()["step_due"].as_str()), (200, Some("2025-01-02")), "{r:?}");
        assert_eq!(r.json()["late"], true);
        assert_eq!(go(&jiwei, json!({"action": "end_joint_review"})).await.status, 200);
        assert_eq!(go(&jiwei, json!({"action": "submit_for_decision", "note": "提请研究"})).await.status, 200);

        // The collective decision: exemption, with correction requirements.
        let r = go(&jiwei, json!({"action": "decide", "note": "经集体研究"})).await;
        assert_eq!(r.fields(), ["outcome", "deciding_body", "meeting"]);
        let r = go(
            &jiwei,
            json!({"action": "decide", "note": "经集体研究，予以免责。", "outcome": "tolerance.outcome.exempted",
            "matched": ["tolerance.situation.tolerant_approval", "tolerance.mitigation.remedy"],
            "corrections": "完善容缺审批承诺和补正跟踪制度。", "deciding_body": "宜昌市纪委监委",
            "meeting": "市纪委常委会会议（2025年第9次）", "document_ref": "宜纪容〔2025〕3号"}),
        )
        .await;
        assert_eq!(r.status, 200, "{r:?}");
        let c = r.json();
        assert_eq!(c["state"], "correcting");
        assert_eq!(c["decision"]["effect"], "exempted");
        // Now the unit owes the correction report.
        let theirs = todo(unit_t.clone()).await.expect("the unit's to-do");
        assert_eq!(theirs["owner"], "所在单位");
        // The commission's remaining duty is to serve the letter.
        let ours = todo(jiwei.clone()).await.expect("serving is the handling body's to-do");
        assert_eq!((ours["owner"].as_str(), ours["awaiting_service"].as_bool()), (Some("所在单位"), Some(true)));
        assert!(c["decision"]["matched"][0]["source"].as_str().unwrap().contains("宜昌市容错纠错实施办法"));
        let e = env.get(&elig_url, &jiwei).await.json();
        assert_eq!(e["promotion"]["eligible_on_as_of"], true, "the exemption lifts the admonishment's bar: {e}");
        let ms = env.get(&format!("/api/v1/cadres/{cadre}/measures"), &jiwei).await.json();
        let m = ms.as_array().unwrap().iter().find(|m| m["id"] == measure.as_str()).unwrap().clone();
        assert_eq!(
            (m["tolerance"].as_str(), m["tolerance_ref"].as_str()),
            (Some("exempted"), Some("宜纪容〔2025〕3号"))
        );

        // The decision letter as a Word document; the cadre receives it by service, not before.
        assert_eq!(env.get(&format!("/api/v1/tolerance/cases/{id}/letter.docx"), &cadre_t).await.status, 404);
        let docx = env.get(&format!("/api/v1/tolerance/cases/{id}/letter.docx"), &jiwei).await;
        assert_eq!(docx.status, 200);
        let text = String::from_utf8_lossy(&docx.body).to_string();
        assert!(docx.body.starts_with(b"PK") && text.contains("免予问责") && text.contains("宜纪容〔2025〕3号"));
        assert!(text.contains("抄送：容错对象所在单位党组织、纪检监察机关、组织人事部门、巡察机构、审计部门"));
        // The same letter as PDF, with a subset of the shipped font embedded.
        let letter_pdf = format!("/api/v1/tolerance/cases/{id}/letter.pdf");
        let pdf = env.get(&letter_pdf, &jiwei).await;
        assert_eq!((pdf.status, pdf.headers["content-type"].to_str().unwrap()), (200, "application/pdf"));
        assert!(pdf.body.starts_with(b"%PDF-") && pdf.body.len() < 200_000, "{} bytes", pdf.body.len());
        assert!(String::from_utf8_lossy(&pdf.body).contains("+WenQuanYiMicroHei"));
        // The letter is copied to the inspection body and the audit department:
        // they find it among their copies and read it, but not the case file.
        for u in ["yc_xuncha", "yc_shenji"] {
            let t = env.token(u).await;
            let copies = env.get("/api/v1/tolerance/copies", &t).await;
            assert_eq!(copies.status, 200, "{u}: {copies:?}");
            let mine = copies.json().as_array().unwrap().iter().find(|c| c["id"] == id.as_str()).cloned();
            let as_body = if u == "yc_xuncha" { "巡察机构" } else { "审计部门" };
            assert_eq!(mine.as_ref().map(|c| c["copied_as"].clone()), Some(json!(as_body)), "{u}");
            assert_eq!(env.get(&letter_pdf, &t).await.status, 200, "{u}");
            for denied in [
                format!("/api/v1/tolerance/cases/{id}"),
                format!("/api/v1/tolerance/cases/{id}/suggestions"),
                format!("/api/v1/tolerance/cases/{id}/attachments"),
                "/api/v1/tolerance/cases".to_string(),
            ] {
                assert_eq!(env.get(&denied, &t).await.status, 403, "{u} {denied}");
            }
        }
        // The supervision office is not on the copy list.
        assert_eq!(env.get(&letter_pdf, &ducha).await.status, 403);
        assert_eq!(env.get("/api/v1/tolerance/copies", &ducha).await.status, 403);
        // Correction: the unit reports, the commission sends back, then signs off.
        let r = go(&jiwei, json!({"action": "report_correction", "note": "x"})).await;
        assert_eq!(r.status, 403, "the unit reports its own correction");
        for (t, a) in [
            (&unit_t, "report_correction"),
            (&jiwei, "send_back"),
            (&unit_t, "report_correction"),
            (&jiwei, "sign_off"),
        ] {
            let r = go(t, json!({"action": a, "note": "情况说明", "false_correction": a == "send_back"})).await;
            assert_eq!(r.status, 200, "{a}: {r:?}");
        }
        let r = go(&unit_t, json!({"action": "report_correction", "note": "x"})).await;
        assert_eq!((r.status, r.code().as_str()), (409, "illegal_transition"));

        // Appeal and re-review; the history has every step with actor and time.
        let r = go(&cadre_t, json!({"action": "appeal", "note": "对整改要求有异议"})).await;
        assert_eq!((r.status, r.json()["state"].as_str()), (200, Some("appealed")), "{r:?}");
        // Re-review that changes the decision to no tolerance takes the exemption back off the measure.
        let r = go(&jiwei, json!({"action": "redecide", "note": "发现新情况，重新研究"})).await;
        assert_eq!((r.status, r.json()["state"].as_str()), (200, Some("deciding")), "{r:?}");
        let r = go(&jiwei, json!({"action": "decide", "note": "经复核，不予容错。", "outcome": "tolerance.outcome.rejected",
            "deciding_body": "宜昌市纪委监委", "meeting": "市纪委常委会会议（2025年第12次）"}))
        .await;
        assert_eq!((r.status, r.json()["state"].as_str()), (200, Some("closed")), "{r:?}");
        let e = env.get(&elig_url, &jiwei).await.json();
        assert_eq!(e["promotion"]["eligible_on_as_of"], false, "the admonishment bars again: {e}");
        let r = go(&cadre_t, json!({"action": "appeal", "note": "对复核结论有异议"})).await;
        assert_eq!(r.status, 200, "{r:?}");
        let r = go(&jiwei, json!({"action": "uphold", "note": "维持原决定"})).await;
        assert_eq!((r.status, r.json()["state"].as_str()), (200, Some("closed")));
        assert_eq!(r.json()["false_correction"], true, "the false correction stays on the record");
        // The letter must be served; the appeal window runs from the day it was.
        let c = env.get(&format!("/api/v1/tolerance/cases/{id}"), &jiwei).await.json();
        assert!(c["service_due"].is_string() && c["served_on"].is_null(), "{c}");
        let docx = env.get(&format!("/api/v1/tolerance/cases/{id}/letter.docx"), &jiwei).await;
        assert!(String::from_utf8_lossy(&docx.body).contains("收到本决定之日起22个工作日内向宜昌市纪委监委提出申诉"));
        assert_eq!(go(&jiwei, json!({"action": "serve"})).await.fields(), ["served_on"]);
        let r = go(&jiwei, json!({"action": "serve", "served_on": "2999-01-01"})).await;
        assert_eq!((r.status, r.fields()), (422, vec!["served_on".to_string()]));
        assert_eq!(go(&cadre_t, json!({"action": "serve", "served_on": "2025-01-02"})).await.status, 403);
        let today = dandang_app::clock::today().to_string();
        let r = go(&jiwei, json!({"action": "serve", "served_on": today, "note": "当面送达，本人签收"})).await;
        assert_eq!((r.status, r.json()["state"].as_str()), (200, Some("closed")), "{r:?}");
        assert_eq!(r.json()["served_on"].as_str(), Some(today.as_str()));
        let r = go(&jiwei, json!({"action": "serve", "served_on": today})).await;
        assert_eq!((r.status, r.code().as_str()), (409, "illegal_transition"), "served once");
        let docx = env.get(&format!("/api/v1/tolerance/cases/{id}/letter.docx"), &cadre_t).await;
        assert!(String::from_utf8_lossy(&docx.body).contains("个工作日内（截至"), "served: the cadre has it, with the last day");
        // Months later the appeal window has closed.
        env.sql("UPDATE tolerance_case SET decided_on = '2025-01-02', served_on = '2025-01-03' WHERE state = 'closed'")
            .await;
        let r = go(&cadre_t, json!({"action": "appeal", "note": "再次申诉"})).await;
        assert_eq!((r.status, r.code().as_str()), (409, "illegal_transition"), "{r:?}");
        assert!(r.text().contains("申诉期限"), "{}", r.text());
        let offered = env.get(&format!("/api/v1/tolerance/cases/{id}"), &cadre_t).await.json();
        assert!(offered["actions"].as_array().unwrap().iter().all(|a| a["code"] != "appeal"), "{offered}");
        let r = env.upload(&att, &jiwei, "补充.txt", b"late").await;
        assert_eq!((r.status, r.code().as_str()), (409, "illegal_transition"), "no evidence after closure");
        // A later review: the decision was flawed but made in good faith.
        let fd = format!("/api/v1/tolerance/cases/{id}/findings");
        assert_eq!(env.post(&fd, &unit_t, json!({"finding": "good_faith", "note": "x"})).await.status, 403);
        let r = env.post(&fd, &jiwei, json!({"finding": "other", "note": ""})).await;
        assert_eq!((r.status, r.fields()), (422, vec!["finding".to_string(), "note".into()]));
        let r = env.post(&fd, &jiwei, json!({"finding": "good_faith", "note": "巡察发现审批台账不全，经办人员依规履职"})).await;
        assert_eq!(r.status, 200, "{r:?}");
        assert!(r.json()["steps"].as_array().unwrap().iter().any(|s| s["action"] == "finding_good_faith"));
        let st = env.get("/api/v1/tolerance/statistics", &jiwei).await.json();
        assert!(st["total"].as_u64().unwrap() >= 1 && st["false_corrections"].as_u64().unwrap() >= 1, "{st}");
        assert!(st["by_outcome"].as_array().unwrap().iter().any(|c| c["label"] == "免予问责"));
        let c = env.get(&format!("/api/v1/tolerance/cases/{id}"), &cadre_t).await.json();
        let actions: Vec<&str> = c["steps"].as_array().unwrap().iter().map(|s| s["action"].as_str().unwrap()).collect();
        assert_eq!(actions.first(), Some(&"open"));
        assert!(actions.contains(&"decide") && actions.contains(&"sign_off") && actions.contains(&"uphold"));
        assert!(c["steps"].as_array().unwrap().iter().all(|s| s["actor"].is_string() && s["at"].is_string()));

        // Published as a typical case once anonymised; the library finds it.
        let publish = format!("/api/v1/tolerance/cases/{id}/publish");
        let name = c["cadre_name"].as_str().unwrap().to_string();
        let r = env.post(&publish, &jiwei, json!({"title": "容缺审批补正延迟", "facts": format!("{name}对材料不全的申请实行容缺审批。"), "reasoning": "出于公心"})).await;
        assert_eq!((r.status, r.fields()), (422, vec!["facts".to_string()]), "names must be removed");
        let r = env.post(&publish, &unit_t, json!({"title": "x", "facts": "y", "reasoning": "z"})).await;
        assert_eq!(r.status, 403);
        let r = env.post(&publish, &jiwei, json!({"title": "重点项目容缺审批补正延迟", "facts": "某干部对材料不全的重点项目申请实行容缺审批，企业补正延迟引发投诉。", "reasoning": "出于加快项目进度的公心，有承诺和跟踪台账，未造成损失。"})).await;
        assert_eq!(r.status, 201, "{r:?}");
        assert_eq!((r.json()["outcome"].as_str(), r.json()["category"].as_str()), (Some("不予容错"), Some("other")));
        let r = env.post(&publish, &jiwei, json!({"title": "again", "facts": "某干部", "reasoning": "某"})).await;
        assert_eq!(r.status, 409, "one typical case per source case");
        let hits = env.get(&format!("/api/v1/tolerance/library?q={}", crate::support::enc("容缺审批补正")), &jiwei).await.json();
        assert_eq!(hits[0]["title"], "重点项目容缺审批补正延迟", "{hits}");

        // Scope: another county sees nothing; the inbox lists the case.
        let yl = env.token("yl_ganbu").await;
        let r = env.get(&format!("/api/v1/tolerance/cases/{id}"), &yl).await;
        assert_eq!(r.status, 404);
        let inbox = env.get("/api/v1/tolerance/cases?state=closed", &jiwei).await.json();
        assert!(inbox.as_array().unwrap().iter().any(|c| c["id"] == id.as_str() && c["outcome"] == "不予容错"));
    })
    .await;
}

#[tokio::test]
async fn possible_tolerance_at_accountability_starts_a_case() {
    each_backend(|env| async move {
        env.demo().await;
        let (jiwei, cadre_t) = (env.token("yc_jiwei").await, env.token("ganbu_self").await);
        let cadre = me(&env, &cadre_t).await;
        let before = env.get("/api/v1/tolerance/cases", &jiwei).await.json().as_array().unwrap().len();
        let r = env
            .post(&format!("/api/v1/cadres/{cadre}/measures"), &jiwei, json!({"kind": "circulated_notice",
                "decided_on": "2025-09-01", "deciding_body": "宜昌市纪委监委", "basis": "招商项目先行开工被通报",
                "via_accountability": true, "tolerance_check": "possible"}))
            .await;
        assert_eq!(r.status, 201, "{r:?}");
        let measure = r.json()["id"].as_str().unwrap().to_string();
        let cases = env.get("/api/v1/tolerance/cases", &jiwei).await.json();
        assert_eq!(cases.as_array().unwrap().len(), before + 1);
        let id = cases.as_array().unwrap().iter().find(|c| c["state"] == "started" && c["cadre_id"] == cadre.as_str()).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let c = env.get(&format!("/api/v1/tolerance/cases/{id}"), &jiwei).await.json();
        assert_eq!((c["origin"].as_str(), c["measure_id"].as_str()), (Some("ex_officio"), Some(measure.as_str())));
        assert_eq!(c["priority"], false, "only applications are fast-tracked");
        let r = env
            .post(&format!("/api/v1/cadres/{cadre}/measures"), &jiwei, json!({"kind": "circulated_notice",
                "decided_on": "2025-09-01", "deciding_body": "x", "basis": "y", "via_accountability": true, "tolerance_check": "maybe"}))
            .await;
        assert_eq!((r.status, r.fields()), (422, vec!["tolerance_check".to_string()]));
    })
    .await;
}

#[tokio::test]
async fn a_refused_application_gets_a_notice_served_before_the_appeal_window_runs() {
    each_backend(|env| async move {
        env.demo().await;
        let (jiwei, cadre_t, xuncha) =
            (env.token("yc_jiwei").await, env.token("ganbu_self").await, env.token("yc_xuncha").await);
        let cadre = me(&env, &cadre_t).await;
        let r = env
            .post(
                "/api/v1/tolerance/cases",
                &cadre_t,
                json!({"cadre_id": cadre, "origin": "cadre_application",
                "event_on": "2025-06-02", "facts": "为赶工期未按规定公开招标，造成较大损失。",
                "claimed": ["tolerance.situation.tolerant_approval"]}),
            )
            .await;
        assert_eq!(r.status, 201, "{r:?}");
        let id = r.json()["id"].as_str().unwrap().to_string();
        let go = |t: &str, body: Value| {
            let (env, url, t) = (&env, format!("/api/v1/tolerance/cases/{id}/transitions"), t.to_string());
            async move { env.post(&url, &t, body).await }
        };
        let letter = format!("/api/v1/tolerance/cases/{id}/letter.docx");
        assert_eq!(env.get(&letter, &cadre_t).await.code(), "not_found", "nothing served yet");
        let r = go(
            &jiwei,
            json!({"action": "refuse", "note": "属于明知故犯，不在容错纠错受理范围",
            "deciding_body": "中共宜昌市纪委"}),
        )
        .await;
        assert_eq!((r.status, r.json()["state"].as_str()), (200, Some("refused")), "{r:?}");
        assert!(r.json()["service_due"].is_string());
        // The notice states the reason and the window, and goes to the applicant alone.
        let text = String::from_utf8_lossy(&env.get(&letter, &jiwei).await.body).to_string();
        assert!(text.contains("不予受理通知书") && text.contains("明知故犯"), "{text}");
        assert!(text.contains("收到本决定之日起22个工作日内向中共宜昌市纪委提出申诉"), "{text}");
        assert_eq!(env.get(&letter, &xuncha).await.status, 404);
        assert_eq!(env.get(&letter, &cadre_t).await.status, 404, "not served yet");
        // The window runs from service, not from the refusal months ago.
        env.sql("UPDATE tolerance_case SET decided_on = '2025-01-02' WHERE facts = '为赶工期未按规定公开招标，造成较大损失。'")
            .await;
        let today = dandang_app::clock::today().to_string();
        let r = go(&jiwei, json!({"action": "serve", "served_on": today})).await;
        assert_eq!(r.status, 200, "{r:?}");
        let text = String::from_utf8_lossy(&env.get(&letter, &cadre_t).await.body).to_string();
        assert!(text.contains("不予受理通知书"), "served: the applicant has it");
        let r = go(&cadre_t, json!({"action": "appeal", "note": "有新的证据"})).await;
        assert_eq!((r.status, r.json()["state"].as_str()), (200, Some("appealed")), "{r:?}");
    })
    .await;
}

#[tokio::test]
async fn advance_filings_are_evidence_until_revoked() {
    each_backend(|env| async move {
        env.demo().await;
        let (unit_t, jiwei, ducha, cadre_t) = (
            env.token("yc_fgw").await,
            env.token("yc_jiwei").await,
            env.token("yc_ducha").await,
            env.token("ganbu_self").await,
        );
        let cadre = me(&env, &cadre_t).await;
        let filing = json!({"matter": "新能源项目先行开工", "policy_gap": "用地政策调整期间审批规则不明确",
            "risk": "可能被认定为未批先建", "safeguards": "经集体研究，报请市政府同意，边建边补手续"});
        let r = env.post("/api/v1/tolerance/filings", &ducha, filing.clone()).await;
        assert_eq!(r.status, 403);
        let r = env
            .post(
                "/api/v1/tolerance/filings",
                &unit_t,
                json!({"matter": "", "policy_gap": "", "risk": "x", "safeguards": "y"}),
            )
            .await;
        assert_eq!((r.status, r.fields()), (422, vec!["matter".to_string(), "policy_gap".into()]));
        let r = env.post("/api/v1/tolerance/filings", &unit_t, filing.clone()).await;
        assert_eq!(r.status, 201, "{r:?}");
        let kept = r.json()["id"].as_str().unwrap().to_string();
        assert_eq!(r.json()["unit_name"], "宜昌市发展和改革委员会");
        let shield = env.post("/api/v1/tolerance/filings", &unit_t, filing.clone()).await.json()["id"]
            .as_str()
            .unwrap()
            .to_string();
        // The commission revokes a filing used as a shield, with a reason.
        let rv = format!("/api/v1/tolerance/filings/{shield}/revoke");
        assert_eq!(env.post(&rv, &unit_t, json!({"reason": "x"})).await.status, 403);
        let r = env.post(&rv, &jiwei, json!({"reason": ""})).await;
        assert_eq!((r.status, r.fields()), (422, vec!["reason".to_string()]));
        let r = env.post(&rv, &jiwei, json!({"reason": "以报备为名规避审批"})).await;
        assert_eq!((r.status, r.json()["state"].as_str()), (200, Some("revoked")));
        let r = env.post(&rv, &jiwei, json!({"reason": "again"})).await;
        assert_eq!((r.status, r.code().as_str()), (409, "illegal_transition"));
        // A case relies on a filing in force; a revoked one is refused.
        let case = |fid: &str| {
            json!({"cadre_id": cadre, "origin": "advance_filing", "event_on": "2025-05-06",
            "facts": "项目先行开工后，用地手续补办延迟被通报。", "filing_id": fid})
        };
        let r = env.post("/api/v1/tolerance/cases", &jiwei, case(&shield)).await;
        assert_eq!((r.status, r.fields()), (422, vec!["filing_id".to_string()]), "{r:?}");
        let r = env.post("/api/v1/tolerance/cases", &jiwei, case(&kept)).await;
        assert_eq!(r.status, 201, "{r:?}");
        let c = r.json();
        assert_eq!(c["answers"]["tolerance.fact.advance_filed"], "yes");
        let s =
            env.get(&format!("/api/v1/tolerance/cases/{}/suggestions", c["id"].as_str().unwrap()), &jiwei).await.json();
        assert!(
            s["suggestions"]["hits"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["id"] == "tolerance.support.advance_filing" && h["matched"] == "applies"),
            "{s}"
        );
        let list = env.get("/api/v1/tolerance/filings", &cadre_t).await.json();
        assert!(list.as_array().unwrap().is_empty(), "a cadre sees only personal filings");
    })
    .await;
}

#[tokio::test]
async fn library_search_in_chinese_with_scope() {
    each_backend(|env| async move {
        env.demo().await;
        let (jiwei, jz, ducha) =
            (env.token("yc_jiwei").await, env.token("jz_ganbu").await, env.token("yc_ducha").await);
        let enc = crate::support::enc;
        let all = env.get("/api/v1/tolerance/library", &jiwei).await.json();
        assert!(all.as_array().unwrap().len() >= 30, "the demo library has thirty cases");
        let hits = env.get(&format!("/api/v1/tolerance/library?q={}", enc("河道承包")), &jiwei).await.json();
        assert_eq!(hits[0]["title"], "河道分段承包给渔民治理水环境", "{hits}");
        let hits = env
            .get(&format!("/api/v1/tolerance/library?q={}&outcome={}", enc("河道"), enc("不予问责")), &jiwei)
            .await
            .json();
        assert!(hits.as_array().unwrap().iter().all(|h| h["outcome"] == "不予问责"));
        assert!(
            env.get(&format!("/api/v1/tolerance/library?q={}", enc("量子计算")), &jiwei)
                .await
                .json()
                .as_array()
                .unwrap()
                .is_empty()
        );
        // Jingzhou reads the province's cases, not Yichang's own.
        let theirs = env.get("/api/v1/tolerance/library", &jz).await.json();
        assert!(!theirs.as_array().unwrap().is_empty());
        assert!(theirs.as_array().unwrap().iter().all(|h| h["published_by"] == "湖北省委组织部"));
        assert_eq!(env.get("/api/v1/tolerance/library", &ducha).await.status, 403);
        // Departments' lists beside the library: a unit adds to its own.
        let fgw = env.token("yc_fgw").await;
        let lists = env.get("/api/v1/tolerance/lists", &jiwei).await.json();
        assert!(lists.as_array().unwrap().iter().any(|x| x["kind"] == "negative"), "{lists}");
        let r = env
            .post(
                "/api/v1/tolerance/lists",
                &fgw,
                json!({"kind": "positive", "text": "新能源项目并联审批中的程序瑕疵"}),
            )
            .await;
        assert_eq!((r.status, r.json()["unit_name"].as_str()), (201, Some("宜昌市发展和改革委员会")), "{r:?}");
        let r = env.post("/api/v1/tolerance/lists", &fgw, json!({"kind": "maybe", "text": ""})).await;
        assert_eq!((r.status, r.fields()), (422, vec!["kind".to_string(), "text".into()]));
        assert_eq!(
            env.post("/api/v1/tolerance/lists", &ducha, json!({"kind": "positive", "text": "x"})).await.status,
            403
        );
        // The demo has cases in every state.
        let cases = env.get("/api/v1/tolerance/cases", &jiwei).await.json();
        let states: std::collections::BTreeSet<&str> =
            cases.as_array().unwrap().iter().map(|c| c["state"].as_str().unwrap()).collect();
        for s in [
            "started",
            "investigating",
            "joint_review",
            "deciding",
            "correcting",
            "correction_reported",
            "closed",
            "appealed",
            "refused",
            "withdrawn",
        ] {
            assert!(states.contains(s), "no demo case {s}: {states:?}");
        }
    })
    .await;
}
