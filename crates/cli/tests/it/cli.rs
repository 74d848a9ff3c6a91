//! The `dandang` binary: workdays, policy check, tokens, OpenAPI.

use crate::support::{cli, each_backend};

fn run(args: &[&str]) -> (i32, String, String) {
    let out = cli().args(args).output().expect("run dandang");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn workdays_add_and_between() {
    // 国庆、中秋 2025: 10 月 1–8 日放假，10 月 11 日（周六）上班。
    assert_eq!(run(&["workdays", "add", "2025-09-30", "1"]).1, "2025-10-09");
    assert_eq!(run(&["workdays", "add", "2025-09-30", "3"]).1, "2025-10-11");
    assert_eq!(run(&["workdays", "add", "2025-09-26", "1"]).1, "2025-09-28");
    assert_eq!(run(&["workdays", "between", "2025-09-30", "2025-10-11"]).1, "3");
    assert_eq!(run(&["workdays", "between", "2025-10-11", "2025-09-30"]).1, "0");
    // 2020: the extended Spring Festival cancelled the 1 February make-up day.
    assert_eq!(run(&["workdays", "add", "2020-01-23", "1"]).1, "2020-02-03");
    let (code, out, err) = run(&["workdays", "add", "2026-12-30", "3"]);
    assert_eq!((code, out.as_str()), (0, "2027-01-04"));
    assert!(err.contains("临时结果"), "provisional warning on stderr: {err}");
    let (code, _, err) = run(&["workdays", "add", "2025-09-30", "1"]);
    assert_eq!(code, 0);
    assert!(err.is_empty(), "{err}");
}

#[test]
fn workdays_bad_input_exits_2() {
    for args in [
        vec!["workdays", "add", "2025-02-30", "1"],
        vec!["workdays", "add", "tomorrow", "1"],
        vec!["workdays", "add", "2025-01-01", "-1"],
        vec!["workdays", "add", "2025-01-01", "0"],
        vec!["workdays", "add", "2025-01-01", "x"],
        vec!["workdays", "between", "2025-01-01", "2025-13-01"],
    ] {
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {out} {err}");
        assert!(out.is_empty());
        assert!(err.contains("错误："), "{err}");
    }
}

#[test]
fn policy_check_passes_and_names_file_and_line_when_broken() {
    let (code, out, err) = run(&["policy", "check"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("规则包"), "{out}");
    let dir = tempfile::tempdir().unwrap();
    for pack in ["cn", "cn-hb"] {
        let src = crate::support::workspace().join("policy").join(pack);
        let dst = dir.path().join(pack);
        std::fs::create_dir_all(&dst).unwrap();
        for f in std::fs::read_dir(&src).unwrap() {
            let f = f.unwrap();
            std::fs::copy(f.path(), dst.join(f.file_name())).unwrap();
        }
    }
    let reg = dir.path().join("cn/registry.toml");
    let text = std::fs::read_to_string(&reg).unwrap().replacen("order = 10", "order = 10\ncolor = \"red\"", 1);
    std::fs::write(&reg, text).unwrap();
    let (code, _, err) =
        run(&["--policy-dir", dir.path().to_str().unwrap(), "--config", "/nonexistent.toml", "policy", "check"]);
    assert_eq!(code, 2);
    assert!(err.contains("registry.toml:") && err.contains("color"), "{err}");
}

#[test]
fn openapi_describes_the_api() {
    let (code, out, _) = run(&["openapi"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for p in
        ["/api/v1/cadres", "/api/v1/cadres/{id}", "/api/v1/imports", "/api/v1/workdays/add", "/api/v1/audit/verify"]
    {
        assert!(v["paths"][p].is_object(), "missing {p}");
    }
    assert!(v["components"]["schemas"]["CadreDetail"].is_object());
}

#[tokio::test]
async fn token_create_prints_only_the_token() {
    each_backend(|env| async move {
        if env.backend != "sqlite" {
            return;
        }
        env.demo().await;
        let out = cli().args(["--db", &env.db_url, "token", "create", "--user", "admin"]).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        let token = String::from_utf8(out.stdout).unwrap();
        let token = token.trim_end_matches('\n');
        assert!(token.starts_with("ddt_") && !token.contains(char::is_whitespace), "{token:?}");
        let r = env.get("/api/v1/me", token).await;
        assert_eq!(r.json()["username"], "admin");
        let out = cli().args(["--db", &env.db_url, "token", "create", "--user", "ghost"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
    })
    .await;
}

#[test]
fn unknown_database_scheme_is_an_error() {
    let (code, _, err) = run(&["--db", "mysql://localhost/x", "migrate"]);
    assert_ne!(code, 0);
    assert!(err.contains("mysql"), "{err}");
}
