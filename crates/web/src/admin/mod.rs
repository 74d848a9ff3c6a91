//! admin over HTTP: its pages and its part of the JSON API.

pub(crate) mod api;
pub(crate) mod pages;

use crate::routes::Routes;

pub(crate) fn routes(r: Routes) -> Routes {
    pages::routes(api::routes(r))
}
