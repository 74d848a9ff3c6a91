//! Sessions, lockout, CSRF, tokens, first-login password change.

use axum::{
    body::Body,
    http::{Method, Request, header},
};
use serde_json::Value;

use crate::support::each_backend;

const PW: &str = dandang_demo::DEMO_PASSWORD;

#[tokio::test]
async fn login_lockout_and_unlock() {
    each_backend(|env| async move {
        env.demo().await;
        let r = env.login("yc_ganbu", "wrong-password1").await.err().unwrap();
        assert_eq!(r.status, 401);
        assert!(r.text().contains("用户名或密码错误"));
        let r = env.login("nobody", "whatever").await.err().unwrap();
        assert_eq!(r.status, 401);
        for _ in 0..3 {
            let _ = env.login("yc_ganbu", "wrong-password1").await;
        }
        let r = env.login("yc_ganbu", "wrong-password1").await.err().unwrap();
        assert_eq!(r.status, 423, "fifth failure locks");
        assert!(r.text().contains("账号已锁定"));
        // Even the right password is refused while locked.
        let r = env.login("yc_ganbu", PW).await.err().unwrap();
        assert_eq!(r.status, 423);
        let admin = env.token("admin").await;
        let users = env.get("/api/v1/users", &admin).await.json();
        let id = users.as_array().unwrap().iter().find(|u| u["username"] == "yc_ganbu").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(users.as_array().unwrap().iter().find(|u| u["username"] == "yc_ganbu").unwrap()["locked"], true);
        assert_eq!(env.post(&format!("/api/v1/users/{id}/unlock"), &admin, Value::Null).await.status, 204);
        assert!(env.login("yc_ganbu", PW).await.is_ok());
        let ev = env.get("/api/v1/audit?action=auth.", &admin).await.json();
        let actions: Vec<&str> =
            ev["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert!(
            actions.contains(&"auth.locked")
                && actions.contains(&"auth.login_failed")
                && actions.contains(&"auth.login")
        );
    })
    .await;
}

#[tokio::test]
async fn csrf_idle_timeout_and_logout_everywhere() {
    each_backend(|env| async move {
        env.demo().await;
        let b = env.login("yc_ganbu", PW).await.unwrap();
        assert!(!b.csrf.is_empty());
        // Cookie-authenticated API write without the CSRF header: refused.
        let post = |csrf: Option<&str>| {
            let mut r = Request::builder()
                .method(Method::POST)
                .uri("/api/v1/tokens")
                .header(header::COOKIE, &b.cookie)
                .header(header::CONTENT_TYPE, "application/json");
            if let Some(c) = csrf {
                r = r.header("x-csrf-token", c);
            }
            r.body(Body::from(format!(r#"{{"name":"测试","password":"{PW}"}}"#))).unwrap()
        };
        let r = env.request(post(None)).await;
        assert_eq!((r.status, r.code().as_str()), (403, "csrf_failed"));
        let r = env.request(post(Some("forged"))).await;
        assert_eq!(r.status, 403);
        let r = env.request(post(Some(&b.csrf))).await;
        assert_eq!(r.status, 201, "{}", r.text());
        // A form post without the token is refused too.
        let r = env.form("/me/tokens", &b, &format!("name=x&password={PW}")).await;
        assert_eq!(r.status, 403);
        let r = env.form("/me/tokens", &b, &format!("name=x&password={PW}&_csrf={}", b.csrf)).await;
        assert_eq!(r.status, 201);
        // Idle sessions expire.
        let b2 = env.login("yc_ganbu", PW).await.unwrap();
        env.sql("UPDATE session SET last_seen_at = created_at").await;
        let stale = match env.backend {
            "sqlite" => "UPDATE session SET last_seen_at = '2000-01-01T00:00:00+00:00'",
            _ => "UPDATE session SET last_seen_at = '2000-01-01T00:00:00Z'",
        };
        env.sql(stale).await;
        let r = env.page("/cadres", &b2.cookie).await;
        assert_eq!(r.status, 303);
        assert!(r.headers[header::LOCATION].to_str().unwrap().starts_with("/login"));
        // Logout everywhere ends every session of the user.
        let b3 = env.login("yc_ganbu", PW).await.unwrap();
        let b4 = env.login("yc_ganbu", PW).await.unwrap();
        assert_eq!(env.page("/cadres", &b4.cookie).await.status, 200);
        let r = env.form("/me/logout-everywhere", &b3, &format!("_csrf={}", b3.csrf)).await;
        assert_eq!(r.status, 303);
        assert_eq!(env.page("/cadres", &b4.cookie).await.status, 303);
    })
    .await;
}

#[tokio::test]
async fn tokens_can_be_revoked() {
    each_backend(|env| async move {
        env.demo().await;
        let t = env.token("yc_ganbu").await;
        assert_eq!(env.get("/api/v1/me", &t).await.status, 200);
        let list = env.get("/api/v1/tokens", &t).await.json();
        let id = list[0]["id"].as_str().unwrap().to_string();
        let r = env.api(Method::DELETE, &format!("/api/v1/tokens/{id}"), Some(&t), None).await;
        assert_eq!(r.status, 204);
        assert_eq!(env.get("/api/v1/me", &t).await.status, 401);
        // Another user's token is not found by a non-administrator.
        let other = env.token("yc_jiwei").await;
        let theirs = env.get("/api/v1/tokens", &other).await.json()[0]["id"].as_str().unwrap().to_string();
        let t2 = env.token("yc_ganbu").await;
        let r = env.api(Method::DELETE, &format!("/api/v1/tokens/{theirs}"), Some(&t2), None).await;
        assert_eq!(r.status, 404);
        assert_eq!(env.get("/api/v1/me", &other).await.status, 200);
    })
    .await;
}

#[tokio::test]
async fn new_deployment_admin_must_change_one_time_password() {
    each_backend(|env| async move {
        let pw = dandang_app::users::bootstrap_admin(&env.app).await.unwrap().expect("fresh database");
        assert!(dandang_app::users::bootstrap_admin(&env.app).await.unwrap().is_none());
        let b = env.login("admin", &pw).await.unwrap();
        // Every page leads to the password form until it is changed.
        let r = env.page("/cadres", &b.cookie).await;
        assert_eq!(r.status, 303);
        assert_eq!(r.headers[header::LOCATION], "/me");
        let weak = env.form("/me/password", &b, &format!("_csrf={}&current_password={pw}&new_password=short&confirm_password=short", b.csrf)).await;
        assert_eq!(weak.status, 422);
        assert!(weak.text().contains("至少 10 位"));
        let ok = env
            .form("/me/password", &b, &format!("_csrf={}&current_password={pw}&new_password=NewPassw0rd2026&confirm_password=NewPassw0rd2026", b.csrf))
            .await;
        assert_eq!(ok.status, 303, "{}", ok.text());
        // The success message goes to the next page in a cookie, not in the
        // address; it is shown once, and a crafted ?ok= shows nothing.
        assert_eq!(ok.headers[header::LOCATION], "/me");
        let flash = ok.headers.get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).find(|c| c.starts_with("dandang_flash="));
        let flash = flash.expect("a flash cookie").split(';').next().unwrap().to_string();
        let shown = env.page("/me", &format!("{}; {flash}", b.cookie)).await;
        assert!(shown.text().contains("密码已修改"), "{shown:?}");
        let cleared = shown.headers.get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).any(|c| c.starts_with("dandang_flash=;") && c.contains("Max-Age=0"));
        assert!(cleared, "{:?}", shown.headers);
        assert!(!env.page("/me", &b.cookie).await.text().contains("密码已修改"));
        let crafted = env.page("/me?ok=%E8%AF%B7%E8%87%B4%E7%94%B5", &b.cookie).await;
        assert!(!crafted.text().contains("请致电"), "{crafted:?}");
        assert_eq!(env.page("/cadres", &b.cookie).await.status, 200);
        assert!(env.login("admin", &pw).await.is_err());
        assert!(env.login("admin", "NewPassw0rd2026").await.is_ok());
        // The empty deployment's administrator builds the registry from scratch.
        let t = env.token("admin").await;
        let r = env.post("/api/v1/jurisdictions", &t, serde_json::json!({"code": "330000", "name": "浙江省", "level": "省"})).await;
        assert_eq!(r.status, 201, "{}", r.text());
        let r = env.post("/api/v1/users", &t, serde_json::json!({"username": "zj_ganbu", "display_name": "省委组织部干部一处", "role": "org_cadre", "jurisdiction_code": "330000", "managed_by": ["省管"]})).await;
        assert_eq!(r.status, 201, "{}", r.text());
        let otp = r.json()["one_time_password"].as_str().unwrap().to_string();
        assert!(env.login("zj_ganbu", &otp).await.is_ok());
    })
    .await;
}

#[tokio::test]
async fn administrators_cannot_grant_beyond_their_scope() {
    each_backend(|env| async move {
        env.demo().await;
        // The demo's county-scoped administrator for 夷陵区.
        let yl = env.token("yl_admin").await;
        // A jurisdiction above the administrator's own is not one they can name.
        let r = env.post("/api/v1/users", &yl, serde_json::json!({"username": "too_wide", "display_name": "越权", "role": "org_cadre", "jurisdiction_code": "420500", "managed_by": ["county"]})).await;
        assert_eq!((r.status, r.fields()), (422, vec!["jurisdiction_code".to_string()]), "{}", r.text());
        // Management levels beyond the administrator's own are refused.
        let r = env.post("/api/v1/users", &yl, serde_json::json!({"username": "too_wide", "display_name": "越权", "role": "org_cadre", "jurisdiction_code": "420506", "managed_by": ["city"]})).await;
        assert_eq!(r.status, 422, "{}", r.text());
        assert!(r.text().contains("超出了您本人的管理范围"));
        let r = env.post("/api/v1/users", &yl, serde_json::json!({"username": "ok_user", "display_name": "分乡镇组织委员", "role": "org_supervision", "jurisdiction_code": "420506", "managed_by": ["county"]})).await;
        assert_eq!(r.status, 201);
        // The county administrator does not even see the city's users.
        let users = env.get("/api/v1/users", &yl).await.json();
        let names: Vec<&str> = users.as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
        assert!(names.contains(&"ok_user") && names.contains(&"yl_ganbu") && !names.contains(&"yc_ganbu"), "{names:?}");
    })
    .await;
}
