//! The admin console at `/admin`: pages for the people who answer support tickets, built
//! into the binary. Server-rendered HTML (maud), one stylesheet, charts as inline SVG, no
//! script and no outside URL. Sign-in and the anti-forgery checks are `console/session.rs`;
//! the pages and actions `console/pages.rs`, which read and act through the JSON API's own
//! handlers; the page shell `console/layout.rs`; the charts `console/charts.rs`.
//!
//! The API's token middleware does not guard `/admin`: the console has its own session
//! (a token is entered once at sign-in).

pub mod charts;
pub mod layout;
pub mod pages;
pub mod session;

use axum::Router;
use axum::routing::{get, post};

use crate::app::AppState;

/// Every console route.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(pages::overview))
        .route(layout::STYLESHEET_PATH, get(layout::stylesheet))
        .route(
            session::SIGN_IN_PATH,
            get(session::sign_in_page).post(session::sign_in),
        )
        .route("/admin/sign-out", post(session::sign_out))
        .route("/admin/domains", get(pages::search))
        .route("/admin/domains/{domain}", get(pages::domain_page))
        .route("/admin/domains/{domain}/refresh", post(pages::check_now))
        .route(
            "/admin/domains/{domain}/override",
            post(pages::set_override),
        )
        .route(
            "/admin/domains/{domain}/override/remove",
            post(pages::remove_override),
        )
        .route("/admin/holds/{host}/{action}", post(pages::act_on_hold))
        .route("/admin/overrides", get(pages::overrides_page))
        .route("/admin/audit", get(pages::audit_page))
}
