//! Every route of the HTTP surface is added through [`Routes`], which keeps a
//! table of (method, path) beside the router it builds. The table is what the
//! access-matrix test enumerates: an endpoint cannot be served without being
//! in it, and the test fails for any entry the matrix does not cover.

use axum::{
    Router,
    handler::Handler,
    http::Method,
    routing::{MethodRouter, delete, get, post, put},
};

use crate::AppState;

/// One endpoint: a method on a path pattern (`/api/v1/cadres/{id}`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Route {
    pub method: Method,
    pub path: &'static str,
}

impl std::fmt::Display for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

pub(crate) struct Routes {
    router: Router<AppState>,
    table: Vec<Route>,
}

impl Routes {
    pub(crate) fn new() -> Routes {
        Routes { router: Router::new(), table: Vec::new() }
    }

    fn add(mut self, method: Method, path: &'static str, mr: MethodRouter<AppState>) -> Routes {
        // Routes on one path merge; the same method twice panics at start-up.
        self.router = self.router.route(path, mr);
        self.table.push(Route { method, path });
        self
    }

    pub(crate) fn get<H, T>(self, path: &'static str, h: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::GET, path, get(h))
    }

    pub(crate) fn post<H, T>(self, path: &'static str, h: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::POST, path, post(h))
    }

    pub(crate) fn put<H, T>(self, path: &'static str, h: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::PUT, path, put(h))
    }

    pub(crate) fn delete<H, T>(self, path: &'static str, h: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::DELETE, path, delete(h))
    }

    pub(crate) fn into_parts(self) -> (Router<AppState>, Vec<Route>) {
        (self.router, self.table)
    }
}

/// Every mechanism's pages and API, in one table.
pub(crate) fn all() -> Routes {
    let r = Routes::new();
    let r = crate::home::routes(r);
    let r = crate::account::routes(r);
    let r = crate::admin::routes(r);
    let r = crate::registry::routes(r);
    let r = crate::imports::routes(r);
    let r = crate::policy::routes(r);
    let r = crate::measures::routes(r);
    let r = crate::follow_up::routes(r);
    let r = crate::supervision::routes(r);
    let r = crate::tolerance::routes(r);
    let r = crate::assets::routes(r);
    crate::telemetry::routes(r)
}
