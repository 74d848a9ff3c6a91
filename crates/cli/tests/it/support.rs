//! Test environments: a fresh database per test on every backend.

use std::{future::Future, path::PathBuf};

use axum::{
    Router,
    body::Body,
    http::{HeaderMap, Method, Request, header},
};
use dandang_app::{App, Config, PolicyState};
use http_body_util::BodyExt;
use serde_json::Value;
use sqlx::Connection;
use tower::ServiceExt;

pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn config(db_url: String) -> Config {
    let mut c = Config { db_url, policy_dir: Some(workspace().join("policy")), ..Config::default() };
    c.password_hash = dandang_app::config::HashCost::for_tests();
    c.policy = dandang_demo::policy();
    // Tests log in far more often than a person; the throttle has its own test.
    c.login.per_minute = 100_000;
    c.login.burst = 100_000;
    // Tests anchor the audit chain when they mean to, not on a timer.
    c.audit.anchor_every_secs = Some(0);
    c
}

pub struct Env {
    pub app: App,
    pub router: Router,
    pub backend: &'static str,
    pub db_url: String,
    _dir: Option<tempfile::TempDir>,
}

pub async fn sqlite() -> Env {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    open(url, "sqlite", Some(dir)).await
}

async fn open(url: String, backend: &'static str, dir: Option<tempfile::TempDir>) -> Env {
    let mut c = config(url.clone());
    if dir.is_none() {
        // PostgreSQL: the audit key beside nothing, in the temporary directory.
        c.audit.key_file = Some(std::env::temp_dir().join(format!("dandang-{}.audit-key", uuid::Uuid::now_v7())));
    }
    open_with(c, backend, dir).await
}

/// An environment on a configuration of the test's own (a throttle, a policy choice).
pub async fn open_with(c: Config, backend: &'static str, dir: Option<tempfile::TempDir>) -> Env {
    let url = c.db_url.clone();
    let app = App::open(c).await.unwrap_or_else(|e| panic!("open {backend}: {e:?}"));
    let router = dandang_web::router(app.clone());
    Env { app, router, backend, db_url: url, _dir: dir }
}

/// A fresh PostgreSQL database named after the test, created on the server
/// `DANDANG_TEST_POSTGRES` points at.
pub async fn postgres(admin_url: &str) -> (Env, String) {
    let name = format!("dandang_t_{}", uuid::Uuid::now_v7().simple());
    let mut admin = sqlx::PgConnection::connect(admin_url).await.expect("connect to DANDANG_TEST_POSTGRES");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create test database");
    let base = admin_url.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or_else(|| admin_url.to_string());
    (open(format!("{base}/{name}"), "postgres", None).await, name)
}

async fn drop_pg(admin_url: &str, name: &str) {
    if let Ok(mut admin) = sqlx::PgConnection::connect(admin_url).await {
        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
            .execute(&mut admin)
            .await;
    }
}

/// Runs the test body on SQLite, then on PostgreSQL when configured.
pub async fn each_backend<F, Fut>(f: F)
where
    F: Fn(Env) -> Fut,
    Fut: Future<Output = ()>,
{
    let env = sqlite().await;
    f(env).await;
    if let Ok(admin) = std::env::var("DANDANG_TEST_POSTGRES")
        && !admin.is_empty()
    {
        let (env, name) = postgres(&admin).await;
        let pool = env.app.clone();
        f(env).await;
        pool.db().clone().close().await;
        drop_pg(&admin, &name).await;
    }
}

pub fn policy() -> PolicyState {
    PolicyState::load(&config("sqlite://unused".into())).expect("shipped packs load")
}

pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl std::fmt::Debug for Resp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HTTP {}: {}", self.status, self.text().chars().take(500).collect::<String>())
    }
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| panic!("not JSON ({}): {}", self.status, self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }

    /// The fields an API error names, in order.
    pub fn fields(&self) -> Vec<String> {
        self.json()["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap().into()).collect()
    }

    /// The stable error code of an API error body.
    pub fn code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap_or_default().to_string()
    }
}

impl Env {
    pub async fn request(&self, req: Request<Body>) -> Resp {
        let res = self.router.clone().oneshot(req).await.expect("infallible");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.expect("body").to_bytes().to_vec();
        Resp { status, headers, body }
    }

    pub async fn api(&self, method: Method, path: &str, token: Option<&str>, json: Option<Value>) -> Resp {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let body = match json {
            Some(v) => {
                b = b.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        self.request(b.body(body).expect("request")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Resp {
        self.api(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, json: Value) -> Resp {
        self.api(Method::POST, path, Some(token), Some(json)).await
    }

    pub async fn put(&self, path: &str, token: &str, json: Value) -> Resp {
        self.api(Method::PUT, path, Some(token), Some(json)).await
    }

    /// Loads the demo deployment.
    pub async fn demo(&self) {
        dandang_demo::load(&self.app).await.expect("demo loads");
    }

    /// An API token acting as `username`, made as the operator would
    /// (`dandang token create`).
    pub async fn token(&self, username: &str) -> String {
        dandang_app::auth::create_token_as_operator(&self.app, username, "test").await.expect("token").0
    }

    /// Runs raw SQL, for tests that play the attacker.
    pub async fn sql(&self, stmt: &str) {
        use dandang_store::ConnectionTrait;
        self.app.db().read().execute_unprepared(stmt).await.unwrap_or_else(|e| panic!("{stmt}: {e}"));
    }

    /// Multipart upload of one file to the import endpoint.
    pub async fn upload(&self, path: &str, token: &str, file_name: &str, bytes: &[u8]) -> Resp {
        let boundary = "dandangboundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .expect("request");
        self.request(req).await
    }
}

/// A browser-like session: cookie plus CSRF token scraped from a page.
pub struct Browser {
    pub cookie: String,
    pub csrf: String,
}

impl Env {
    /// The login form's token and its cookie, as a browser gets them.
    pub async fn login_form(&self) -> (String, String) {
        let page = self.request(Request::builder().uri("/login").body(Body::empty()).expect("request")).await;
        let cookie = page
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("dandang_login="))
            .and_then(|v| v.split(';').next())
            .unwrap_or_default()
            .to_string();
        let token = page
            .text()
            .split("name=\"login_csrf\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_default()
            .to_string();
        (cookie, token)
    }

    pub async fn login(&self, username: &str, password: &str) -> Result<Browser, Resp> {
        let (login_cookie, token) = self.login_form().await;
        let req = Request::builder()
            .method(Method::POST)
            .uri("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, login_cookie)
            .body(Body::from(format!("username={username}&password={password}&next=/&login_csrf={}", enc(&token))))
            .expect("request");
        let r = self.request(req).await;
        let Some(set) = r
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("dandang_session="))
        else {
            return Err(r);
        };
        let cookie = set.split(';').next().unwrap_or_default().to_string();
        let page = self.page("/me", &cookie).await;
        let html = page.text();
        let csrf = html
            .split("name=\"_csrf\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_default()
            .to_string();
        Ok(Browser { cookie, csrf })
    }

    pub async fn page(&self, path: &str, cookie: &str) -> Resp {
        let req = Request::builder().uri(path).header(header::COOKIE, cookie).body(Body::empty()).expect("request");
        self.request(req).await
    }

    pub async fn form(&self, path: &str, b: &Browser, body: &str) -> Resp {
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::COOKIE, &b.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.to_string()))
            .expect("request");
        self.request(req).await
    }
}

pub fn cli() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_dandang"));
    c.current_dir(workspace());
    c
}

/// Percent-encodes a query value (Chinese unit names in list filters).
pub fn enc(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// Every cell of every sheet of an .xlsx, as text (for "does the file contain …").
pub fn xlsx_text(bytes: &[u8]) -> String {
    use calamine::{Reader, open_workbook_auto_from_rs};
    let mut wb = open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("an .xlsx");
    let mut out = String::new();
    for name in wb.sheet_names() {
        if let Ok(range) = wb.worksheet_range(&name) {
            for row in range.rows() {
                for c in row {
                    out.push_str(&c.to_string());
                    out.push('\t');
                }
                out.push('\n');
            }
        }
    }
    out
}

/// A one-sheet .xlsx of text cells under the given headers.
pub fn xlsx_rows(headers: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("header");
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, v).expect("cell");
        }
    }
    wb.save_to_buffer().expect("workbook")
}
