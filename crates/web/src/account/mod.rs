//! Signing in and out, and the user's own account: password, sessions, API
//! tokens — as pages and in the JSON API.

pub(crate) mod api;
pub(crate) mod pages;
pub(crate) mod throttle;

use crate::routes::Routes;

pub(crate) fn routes(r: Routes) -> Routes {
    pages::routes(api::routes(r))
}
