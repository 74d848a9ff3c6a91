//! Work lists (issue 13): every inbox sorts by what needs the viewer, ended
//! records last; "待我办理" marks only steps the viewer can take; the home
//! page and the statistics count follow-ups in progress the same way.

use serde_json::Value;

use crate::support::each_backend;

const ENDED_TOLERANCE: [&str; 3] = ["closed", "refused", "withdrawn"];
const ENDED_SUPERVISION: [&str; 3] = ["closed", "rejected", "withdrawn"];

/// Rank of a row as the list must order it: mine and late, mine, others'
/// open, ended.
fn rank(row: &Value, ended: &[&str]) -> u8 {
    let state = row["state"].as_str().unwrap();
    if ended.contains(&state) && row["awaiting_service"] != true {
        return 3;
    }
    match (row["todo"] == true, row["late"] == true) {
        (true, true) => 0,
        (true, false) => 1,
        _ => 2,
    }
}

fn assert_ordered(rows: &[Value], ended: &[&str], what: &str) {
    let ranks: Vec<u8> = rows.iter().map(|r| rank(r, ended)).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{what}: {ranks:?}");
    assert!(ranks.contains(&3) && ranks.iter().any(|r| *r < 3), "{what} needs open and ended rows: {ranks:?}");
}

#[tokio::test]
async fn lists_put_the_viewers_work_first_and_ended_records_last() {
    each_backend(|env| async move {
        env.demo().await;
        for user in ["yc_jiwei", "yc_jiandu", "admin"] {
            let t = env.token(user).await;
            let rows = env.get("/api/v1/tolerance/cases", &t).await.json();
            assert_ordered(rows.as_array().unwrap(), &ENDED_TOLERANCE, &format!("tolerance as {user}"));
        }
        for user in ["yc_ducha", "yc_jiandu", "yc_lingdao"] {
            let t = env.token(user).await;
            let rows = env.get("/api/v1/supervision/cases", &t).await.json();
            let rows = rows.as_array().unwrap();
            assert_ordered(rows, &ENDED_SUPERVISION, &format!("supervision as {user}"));
            // Ended cases are never flagged late.
            assert!(
                rows.iter().all(|r| !(ENDED_SUPERVISION.contains(&r["state"].as_str().unwrap()) && r["late"] == true))
            );
        }
    })
    .await;
}

#[tokio::test]
async fn my_work_is_the_step_i_can_take() {
    each_backend(|env| async move {
        env.demo().await;
        // The supervision office can revise an interview plan, but the planned
        // interview waits on the organization department's record.
        let ducha = env.token("yc_ducha").await;
        let rows = env.get("/api/v1/supervision/cases?todo=true", &ducha).await.json();
        let rows = rows.as_array().unwrap();
        assert!(!rows.is_empty());
        assert!(rows.iter().all(|r| r["owner"] == "督查室"), "{rows:?}");
        let jiandu = env.token("yc_jiandu").await;
        let rows = env.get("/api/v1/supervision/cases?todo=true", &jiandu).await.json();
        assert!(rows.as_array().unwrap().iter().any(|r| r["owner"] == "组织部" && r["state"] == "planned"), "{rows}");

        // The commission serves a letter while the unit corrects: its badge
        // says what it has to do, not the unit's step.
        let jiwei = env.token("yc_jiwei").await;
        let rows = env.get("/api/v1/tolerance/cases?todo=true", &jiwei).await.json();
        let rows = rows.as_array().unwrap();
        let serving: Vec<_> = rows.iter().filter(|r| r["owner"] == "所在单位").collect();
        assert!(!serving.is_empty(), "{rows:?}");
        assert!(serving.iter().all(|r| r["todo_label"] == "待我送达决定书" && r["awaiting_service"] == true));
        assert!(rows.iter().filter(|r| r["owner"] != "所在单位").all(|r| r["todo_label"] == "待我办理"));
    })
    .await;
}

#[tokio::test]
async fn follow_ups_in_progress_mean_one_thing() {
    each_backend(|env| async move {
        env.demo().await;
        let t = env.token("yc_jiandu").await;
        // One follow-up ends by tolerance so that the demo has a closed one.
        env.sql(
            "UPDATE follow_up SET state = 'closed' WHERE id = (SELECT id FROM follow_up WHERE state = 'visiting' ORDER BY id LIMIT 1)",
        )
        .await;
        let list = env.get("/api/v1/follow-ups", &t).await.json();
        let list = list.as_array().unwrap();
        let open = list
            .iter()
            .filter(|f| ["mentor_pending", "visiting", "proposed"].contains(&f["state"].as_str().unwrap()))
            .count();
        assert!(list.iter().any(|f| f["state"] == "closed"));
        let stats = env.get("/api/v1/measures/statistics", &t).await.json();
        assert_eq!(stats["under_follow_up"], open as u64, "{stats}");
        // An ended follow-up is never flagged and comes after the open ones.
        let firsts: Vec<bool> =
            list.iter().map(|f| ["decided", "closed"].contains(&f["state"].as_str().unwrap())).collect();
        assert!(firsts.windows(2).all(|w| w[0] <= w[1]), "{firsts:?}");
        assert!(list.iter().filter(|f| f["state"] == "closed").all(|f| f["mentor_overdue"] == false));
        // The home page shows the same number under the same words.
        let b = env.login("yc_jiandu", "Dandang2026").await.expect("login");
        let home = env.page("/", &b.cookie).await.text();
        let n = format!("<span class=\"n\">{open}</span><span class=\"t\">回访教育中的干部</span>");
        assert!(home.contains(&n), "{n} not on the home page");
    })
    .await;
}

#[tokio::test]
async fn an_interview_planned_on_a_day_off_is_flagged_not_refused() {
    use chrono::Datelike;
    each_backend(|env| async move {
        env.demo().await;
        let ducha = env.token("yc_ducha").await;
        let rows = env.get("/api/v1/supervision/cases?state=approved&kind=interview", &ducha).await.json();
        let id = rows[0]["id"].as_str().expect("an approved interview in the demo").to_string();
        let b = env.login("yc_ducha", dandang_demo::DEMO_PASSWORD).await.expect("login");
        let today = dandang_app::clock::today();
        let saturday = (1..=7).map(|n| today + chrono::Days::new(n)).find(|d| d.weekday() == chrono::Weekday::Sat).unwrap();
        let body = format!(
            "_csrf={}&action=plan&scheduled_on={saturday}&lead_interviewer={}&commission_attendee={}&org_attendee={}&topics={}&note={}",
            b.csrf,
            crate::support::enc("李明"),
            crate::support::enc("张华"),
            crate::support::enc("王芳"),
            crate::support::enc("项目推进"),
            crate::support::enc("按方案约谈"),
        );
        let r = env.form(&format!("/supervision/cases/{id}/transitions"), &b, &body).await;
        assert_eq!(r.status, 303, "{r:?}");
        let flash = r.headers.get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        assert!(percent_decoded(&flash).contains("是周六，周末，不是工作日"), "{flash}");
        let c = env.get(&format!("/api/v1/supervision/cases/{id}"), &ducha).await.json();
        assert_eq!(c["state"], "planned", "the date stands: {c}");
        let page = env.page(&format!("/supervision/cases/{id}"), &b.cookie).await.text();
        assert!(page.contains("id=\"plan-day-off\""), "the case page keeps the warning");
        let zh = format!("{}年{}月{}日", saturday.year(), saturday.month(), saturday.day());
        assert!(page.contains(&zh), "pages write dates the Chinese way: {zh}");
    })
    .await;
}

fn percent_decoded(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
