//! Malformed input on every endpoint of the router's route table: ids that
//! are not ids, bodies that are not JSON or not the right shape, query
//! strings with the wrong types. Every answer must be a 4xx (never a 5xx),
//! and every JSON error must say what is wrong in Chinese — a message made
//! only of ASCII is serde's or axum's English leaking through. An API answer's
//! status must be one its operation documents in the OpenAPI document.

use axum::{
    body::Body,
    http::{Method, Request, header},
};

use serde_json::Value;

use crate::support::{Env, Resp, each_backend};

/// Routes whose call would end the walk's own credentials.
const SKIPPED: &[&str] = &["POST /logout", "DELETE /api/v1/sessions", "POST /me/logout-everywhere"];

/// Answers whose status the OpenAPI document does not give, reported together.
static UNDOCUMENTED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

fn chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
}

/// Checks one answer; true when it was a JSON error whose words were read.
/// `responses` is the operation's responses in the OpenAPI document (null for pages).
fn check(what: &str, r: &Resp, responses: &Value) -> bool {
    assert!(r.status < 500, "{what}: {r:?}");
    if !responses.is_null() && responses.get(r.status.to_string()).is_none() {
        UNDOCUMENTED.lock().unwrap().push(format!("{what}: {} is not documented: {r:?}", r.status));
    }
    if r.status >= 400
        && r.headers.get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"))
    {
        let v = r.json();
        let msg = v["error"]["message"].as_str().unwrap_or_default();
        assert!(chinese(msg), "{what}: an error without Chinese: {v}");
        for f in v["error"]["fields"].as_array().into_iter().flatten() {
            assert!(chinese(f["message"].as_str().unwrap_or_default()), "{what}: field message {f}");
            assert!(chinese(f["label"].as_str().unwrap_or_default()), "{what}: a field without its Chinese label {f}");
        }
        return true;
    }
    false
}

fn request(method: &Method, uri: &str, auth: &str, content_type: Option<&str>, body: &str) -> Request<Body> {
    let mut b =
        Request::builder().method(method.clone()).uri(uri).header(header::AUTHORIZATION, format!("Bearer {auth}"));
    if let Some(ct) = content_type {
        b = b.header(header::CONTENT_TYPE, ct);
    }
    b.body(Body::from(body.to_string())).unwrap()
}

/// `path` with every `{param}` replaced.
fn fill(path: &str, with: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let j = rest[i..].find('}').map(|j| i + j + 1).unwrap_or(rest.len());
        out.push_str(if rest[i..j].starts_with("{*") { "x" } else { with });
        rest = &rest[j..];
    }
    out.push_str(rest);
    out
}

const BODIES: &[&str] = &[
    "{",
    "[]",
    "null",
    "\"text\"",
    r#"{"name": 5, "unit_id": "x", "id_number": [], "version": "v", "page": -1}"#,
    r#"{"name": "x", "name": "y"}"#,
    r#"{"birth_date": "2024-02-30", "event_on": 20240101, "measures": [{}], "answers": {"a": {"b": 1}}}"#,
    r#"{"per_page": 9223372036854775808, "n": 4723.5, "date": true}"#,
];

const QUERIES: &[&str] = &[
    "page=abc&per_page=-1",
    "per_page=9223372036854775808",
    "page=9223372036854775808&per_page=200",
    "from=2026-13-01&to=x&date=x&n=x",
    "q=%FF%FE&kind=%00",
    "sort=%E2%80%AE&include_inactive=perhaps",
];

/// The number of JSON errors read.
async fn walk(env: &Env, token: &str) -> usize {
    let doc: Value = serde_json::from_str(&dandang_web::openapi_json()).unwrap();
    let mut read = 0;
    for r in dandang_web::route_table() {
        let name = r.to_string();
        if SKIPPED.contains(&name.as_str()) {
            continue;
        }
        let api = r.path.starts_with("/api/");
        let documented = &doc["paths"][r.path][r.method.as_str().to_lowercase()]["responses"];
        for id in ["not-a-uuid", "00000000-0000-7000-8000-000000000000", "%00"] {
            let uri = fill(r.path, id);
            if r.method == Method::GET || r.method == Method::DELETE {
                for q in QUERIES {
                    let sep = if uri.contains('?') { '&' } else { '?' };
                    let req = request(&r.method, &format!("{uri}{sep}{q}"), token, None, "");
                    read += check(&format!("{name} {id} ?{q}"), &env.request(req).await, documented) as usize;
                }
            } else if api {
                for body in BODIES {
                    let req = request(&r.method, &uri, token, Some("application/json"), body);
                    read += check(&format!("{name} {id} {body}"), &env.request(req).await, documented) as usize;
                }
                let req = request(&r.method, &uri, token, Some("text/plain"), "{}");
                read += check(&format!("{name} {id} text/plain"), &env.request(req).await, documented) as usize;
            }
            if !r.path.contains('{') {
                break;
            }
        }
    }
    read
}

#[tokio::test]
async fn every_endpoint_answers_malformed_input_in_chinese_and_never_5xx() {
    each_backend(|env| async move {
        env.demo().await;
        for who in ["admin", "yl_ganbu"] {
            let t = env.token(who).await;
            let read = walk(&env, &t).await;
            // The walk reaches the API's error paths, not just a login page.
            assert!(read > 1000, "{who}: only {read} JSON errors read");
        }
        let undocumented = std::mem::take(&mut *UNDOCUMENTED.lock().unwrap());
        assert!(
            undocumented.is_empty(),
            "{} answers not in the OpenAPI document:\n{}",
            undocumented.len(),
            undocumented.join("\n")
        );
        // Pages, in a browser's session: malformed ids and queries are 4xx pages.
        let b = env.login("yc_ganbu", dandang_demo::DEMO_PASSWORD).await.unwrap();
        for r in
            dandang_web::route_table().into_iter().filter(|r| r.method == Method::GET && !r.path.starts_with("/api/"))
        {
            for q in QUERIES {
                let uri = format!("{}?{q}", fill(r.path, "not-a-uuid"));
                let resp = env.page(&uri, &b.cookie).await;
                assert!(resp.status < 500, "{uri}: {resp:?}");
                if resp.status >= 400 && !r.path.starts_with("/static") {
                    assert!(chinese(&resp.text()), "{uri}: {resp:?}");
                }
            }
        }
    })
    .await;
}
