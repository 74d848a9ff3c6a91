use std::{sync::OnceLock, time::Instant};

use axum::{
    extract::{MatchedPath, Request, State},
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::{AppState, routes::Routes};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/healthz", healthz).get("/metrics", metrics).get("/api/openapi.json", crate::openapi::serve)
}

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process-wide Prometheus recorder, installed on first use.
pub fn metrics_handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        PrometheusBuilder::new()
            .set_buckets(&[0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0])
            .expect("static buckets")
            .install_recorder()
            .expect("one recorder per process")
    })
}

pub async fn record(req: Request, next: Next) -> Response {
    let _ = metrics_handle();
    let start = Instant::now();
    let route =
        req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("dandang_http_requests_total", &labels).increment(1);
    metrics::histogram!("dandang_http_request_duration_seconds", &labels[..2]).record(start.elapsed().as_secs_f64());
    res
}

pub async fn metrics() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], metrics_handle().render())
}

/// Liveness and database reachability.
pub async fn healthz(State(s): State<AppState>) -> Response {
    let ok = s.app.healthy().await;
    let body = serde_json::json!({ "status": if ok { "ok" } else { "degraded" }, "database": ok, "version": env!("CARGO_PKG_VERSION") });
    let code = if ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (code, axum::Json(body)).into_response()
}
