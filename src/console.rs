//! The admin console at `/admin`: pages for the people who answer support tickets, built
//! into the binary. Server-rendered HTML (maud), one stylesheet, charts as inline SVG, no
//! script and no outside URL. Sign-in and the anti-forgery checks are `console/session.rs`;
//! one file per page (`overview.rs`, `search.rs`, `domain.rs` with its actions,
//! `overrides.rs`, `audit.rs`; `holds.rs` for the holds' actions), which read and act
//! through the use cases the JSON API calls (`usecases/`); what they share is `views.rs`;
//! the page shell `console/layout.rs`; the charts `console/charts.rs`.
//!
//! The API's token middleware does not guard `/admin`: the console has its own session
//! (a token is entered once at sign-in).

pub mod audit;
pub mod charts;
pub mod domain;
pub mod holds;
pub mod layout;
pub mod overrides;
pub mod overview;
pub mod search;
pub mod session;
pub mod views;

use axum::Router;
use axum::routing::{get, post};

use crate::app::AppState;

/// Every console route.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(overview::overview))
        .route(layout::STYLESHEET_PATH, get(layout::stylesheet))
        .route(
            session::SIGN_IN_PATH,
            get(session::sign_in_page).post(session::sign_in),
        )
        .route("/admin/sign-out", post(session::sign_out))
        .route("/admin/domains", get(search::search))
        .route("/admin/domains/{domain}", get(domain::domain_page))
        .route("/admin/domains/{domain}/refresh", post(domain::check_now))
        .route(
            "/admin/domains/{domain}/override",
            post(domain::set_override),
        )
        .route(
            "/admin/domains/{domain}/override/remove",
            post(domain::remove_override),
        )
        .route("/admin/holds/{host}/{action}", post(holds::act_on_hold))
        .route("/admin/overrides", get(overrides::overrides_page))
        .route("/admin/audit", get(audit::audit_page))
}
