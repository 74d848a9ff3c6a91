//! HTTP: the Chinese web UI (askama + htmx 2) and the JSON API under
//! `/api/v1`, both thin layers over the app crate's use cases.

mod account;
mod admin;
mod api;
mod assets;
mod auth;
mod contract;
mod error;
mod extract;
mod filters;
mod follow_up;
mod home;
mod imports;
mod json_body;
mod measures;
mod openapi;
mod pages;
mod policy;
mod registry;
mod routes;
mod supervision;
mod telemetry;
mod tolerance;

use std::{net::SocketAddr, time::Duration};

use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::{HeaderName, HeaderValue, header},
    middleware,
};
use dandang_app::App;
use tower_http::{
    catch_panic::CatchPanicLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    trace::{DefaultOnResponse, TraceLayer},
};

pub use json_body::check_any_body;
pub use openapi::openapi_json;
pub use routes::Route;
pub use telemetry::metrics_handle;

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub(crate) throttle: account::throttle::LoginThrottle,
}

/// Every endpoint the router serves, pages and API alike (the access-matrix
/// test walks it).
pub fn route_table() -> Vec<Route> {
    routes::all().into_parts().1
}

pub(crate) static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole HTTP surface.
pub fn router(app: App) -> Router {
    let body_limit = app.config().upload_max_bytes + 1024 * 1024;
    let throttle = account::throttle::LoginThrottle::new(&app.config().login);
    let state = AppState { app, throttle };
    let (routes, _) = routes::all().into_parts();
    routes
        .fallback(pages::not_found)
        .layer(CatchPanicLayer::custom(error::panicked))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn(pages::no_store_vary_htmx))
        .layer(middleware::from_fn(telemetry::record))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<_>| {
                    let id = req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
                    tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
        .with_state(state)
}

/// Serves until Ctrl-C or SIGTERM, then lets requests in flight finish.
pub async fn serve(app: App, listen: &str) -> std::io::Result<()> {
    let addr: SocketAddr = listen
        .parse()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("--listen {listen}: {e}")))?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let cleaner = app.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(300)).await;
            if let Err(e) = dandang_app::auth::purge_sessions(&cleaner).await {
                tracing::warn!(error = %e, "session purge failed");
            }
        }
    });
    // The peer address reaches handlers (the login throttle keys on it).
    let last = app.clone();
    let service = router(app).into_make_service_with_connect_info::<SocketAddr>();
    let served = axum::serve(listener, service).with_graceful_shutdown(shutdown()).await;
    // The events since the last periodic anchor get theirs before the process ends.
    if let Err(e) = dandang_app::audit::anchor_now(&last).await {
        tracing::warn!(error = %e, "audit anchor not written at shutdown");
    }
    served
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
