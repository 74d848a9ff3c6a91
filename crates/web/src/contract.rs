//! What every operation of the OpenAPI document shares, filled in after
//! utoipa has built it so that no handler can forget it: the path parameters
//! of its template and the error answers the common layers can give.
//!
//! Which errors an operation declares follows from its shape, the same way the
//! extractors produce them (crates/web/src/extract.rs, api.rs):
//! - every operation: 401 (no or expired credentials), 403 (role or scope, or
//!   a password change that is due), 503 (database busy, retry);
//! - a path parameter: 404 (no such record, out of scope, or not an id),
//!   and so does a query string that names one (a jurisdiction, a pack);
//! - a query string or a body: 400 (unreadable) and 422 (read, but refused,
//!   naming the fields);
//! - a body: 404 (a record it names), 413 (too large), 409 for a write
//!   (changed meanwhile, or a step the procedure does not allow now);
//! - any write: 409.

use serde_json::{Map, Value, json};

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// Fills in path parameters and error responses on every operation.
pub(crate) fn complete(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for (template, item) in paths.iter_mut() {
        let names = path_names(template);
        let Some(item) = item.as_object_mut() else { continue };
        for method in METHODS {
            let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) else { continue };
            declare_path_params(op, &names);
            declare_errors(op, method, !names.is_empty());
        }
    }
}

fn path_names(template: &str) -> Vec<String> {
    template
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|s| s.trim_start_matches('*').to_string())
        .collect()
}

/// Template names without a declaration are record ids (UUIDs); the few that
/// are not (a pack id, an import kind) are declared on their handlers.
fn declare_path_params(op: &mut Map<String, Value>, names: &[String]) {
    let params = op.entry("parameters").or_insert_with(|| json!([]));
    let Some(params) = params.as_array_mut() else { return };
    for name in names {
        let declared = params.iter().any(|p| p["in"] == "path" && p["name"] == name.as_str());
        if !declared {
            params.push(json!({
                "name": name,
                "in": "path",
                "required": true,
                "description": "记录标识",
                "schema": { "type": "string", "format": "uuid" }
            }));
        }
    }
    if params.is_empty() {
        op.remove("parameters");
    }
}

fn declare_errors(op: &mut Map<String, Value>, method: &str, has_path: bool) {
    let has_query =
        op.get("parameters").and_then(Value::as_array).is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
    let has_body = op.contains_key("requestBody");
    let write = method != "get";
    let mut codes = vec![401, 403, 503];
    if has_path || has_query || has_body {
        codes.push(404);
    }
    if has_query || has_body {
        codes.extend([400, 422]);
    }
    if has_body {
        codes.push(413);
    }
    if write {
        codes.push(409);
    }
    let responses = op.entry("responses").or_insert_with(|| json!({}));
    let Some(responses) = responses.as_object_mut() else { return };
    for code in codes {
        responses.entry(code.to_string()).or_insert_with(|| error_response(code));
    }
}

fn error_response(code: u16) -> Value {
    let description = match code {
        400 => "请求无法读取（JSON、查询参数或请求头有误）",
        401 => "未登录或令牌无效",
        403 => "无权执行此操作，或须先修改密码",
        404 => "记录不存在或不在您的管理范围内",
        409 => "与当前状态冲突（记录已被他人修改，或当前环节不允许此操作）",
        413 => "请求内容超过大小上限",
        422 => "内容不符合要求，fields 逐项列出字段和原因",
        503 => "数据库繁忙，请稍后重试",
        _ => "错误",
    };
    json!({
        "description": description,
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorBody" } } }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `$ref` in a value, for the check that each resolves.
    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r);
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }

    #[test]
    fn the_served_document_is_complete() {
        let doc = crate::openapi::document();
        let mut ids = std::collections::BTreeSet::new();
        let mut problems = Vec::new();
        for (template, item) in doc["paths"].as_object().unwrap() {
            let names = path_names(template);
            for (method, op) in item.as_object().unwrap() {
                let at = format!("{} {template}", method.to_uppercase());
                let params = op["parameters"].as_array().cloned().unwrap_or_default();
                for n in &names {
                    if !params.iter().any(|p| p["in"] == "path" && p["name"] == n.as_str()) {
                        problems.push(format!("{at}: {{{n}}} not declared"));
                    }
                }
                for p in &params {
                    if p["in"] == "path" && !names.iter().any(|n| p["name"] == n.as_str()) {
                        problems.push(format!("{at}: {} declared in the path but not in the template", p["name"]));
                    }
                }
                let id = op["operationId"].as_str().unwrap_or_default().to_string();
                if !ids.insert(id.clone()) {
                    problems.push(format!("{at}: operationId {id} used twice"));
                }
                for code in ["401", "403", "503"] {
                    if op["responses"][code].is_null() {
                        problems.push(format!("{at}: no {code}"));
                    }
                }
            }
        }
        let mut rs = Vec::new();
        refs(&doc, &mut rs);
        for r in rs {
            let name = r.trim_start_matches("#/components/schemas/");
            if doc["components"]["schemas"][name].is_null() {
                problems.push(format!("{r} does not resolve"));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn templates_name_their_parameters() {
        assert_eq!(path_names("/api/v1/tolerance/cases/{id}/attachments/{aid}"), ["id", "aid"]);
        assert!(path_names("/api/v1/me").is_empty());
    }

    #[test]
    fn an_undeclared_id_becomes_a_uuid_parameter_and_errors_follow_the_shape() {
        let mut doc = json!({"paths": {
            "/x/{id}": {"get": {"responses": {"200": {"description": "ok"}}}},
            "/y": {"post": {"requestBody": {}, "responses": {"201": {"description": "ok"}}}}
        }});
        complete(&mut doc);
        let get = &doc["paths"]["/x/{id}"]["get"];
        assert_eq!(get["parameters"][0]["schema"]["format"], "uuid");
        assert!(get["responses"]["404"].is_object());
        assert!(get["responses"]["400"].is_null(), "no query, no body: nothing to misread");
        let post = &doc["paths"]["/y"]["post"];
        for code in ["400", "401", "403", "404", "409", "413", "422", "503"] {
            assert!(post["responses"][code].is_object(), "{code}");
        }
        assert!(post.get("parameters").is_none());
    }
}
