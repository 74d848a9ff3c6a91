//! Static files compiled into the binary: nothing is fetched from a CDN and
//! the server does not depend on its working directory.

use axum::{
    extract::Path,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};

use crate::routes::Routes;

macro_rules! asset {
    ($path:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../static/", $path))
    };
}

const FILES: &[(&str, &str, &[u8])] = &[
    ("app.css", "text/css; charset=utf-8", asset!("app.css")),
    ("app.js", "text/javascript; charset=utf-8", asset!("app.js")),
    ("vendor/htmx-2.0.11.min.js", "text/javascript; charset=utf-8", asset!("vendor/htmx-2.0.11.min.js")),
    ("favicon.svg", "image/svg+xml", asset!("favicon.svg")),
];

/// Cache-busting suffix for links from templates.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/static/{*path}", serve).get("/favicon.ico", favicon)
}

async fn serve(Path(path): Path<String>) -> Response {
    match FILES.iter().find(|(p, _, _)| *p == path) {
        Some((_, mime, body)) => {
            ([(header::CONTENT_TYPE, *mime), (header::CACHE_CONTROL, "public, max-age=86400")], *body).into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn favicon() -> Response {
    serve(Path("favicon.svg".into())).await
}
