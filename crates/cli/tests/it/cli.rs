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

/// Started outside the repository with no configuration file: the packs,
/// templates and assets are the binary's own, and `serve --demo` applies the
/// demo deployment's packs (it failed with "无法读取规则包目录 policy").
#[test]
fn runs_from_any_directory() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_dandang");
    let out = std::process::Command::new(bin).current_dir(dir.path()).args(["policy", "check"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let listen = format!("127.0.0.1:{port}");
    let mut server = std::process::Command::new(bin)
        .current_dir(dir.path())
        .args(["serve", "--demo", "--listen", &listen])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let get = |path: &str| -> Option<String> {
        let mut s = std::net::TcpStream::connect(&listen).ok()?;
        write!(s, "GET {path} HTTP/1.0\r\nHost: {listen}\r\n\r\n").ok()?;
        let mut body = String::new();
        s.read_to_string(&mut body).ok()?;
        Some(body)
    };
    let started = std::time::Instant::now();
    let login = loop {
        if let Some(r) = get("/login") {
            break r;
        }
        if let Ok(Some(status)) = server.try_wait() {
            let mut err = String::new();
            server.stderr.take().unwrap().read_to_string(&mut err).unwrap();
            panic!("server exited with {status}: {err}");
        }
        assert!(started.elapsed().as_secs() < 120, "server did not start");
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    assert!(login.starts_with("HTTP/1.0 200") || login.starts_with("HTTP/1.1 200"), "{login}");
    assert!(login.contains("登录"), "{login}");
    let css = login
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| h.starts_with("/static/"))
        .map(str::to_string);
    let css = css.expect("a stylesheet under /static/");
    let asset = get(&css).unwrap();
    assert!(asset.starts_with("HTTP/1.1 200") || asset.starts_with("HTTP/1.0 200"), "{css}: {asset:.200}");
    server.kill().unwrap();
    let out = server.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("已载入演示数据"), "{stdout}");
    assert!(dir.path().join("data/dandang.db").exists());
}
