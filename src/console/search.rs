//! `GET /admin/domains`: the watch list, searched by name prefix, lifecycle and how soon
//! the domains expire.

use axum::extract::{Query, State};
use axum::response::Response;
use maud::html;
use serde::Deserialize;

use super::layout::{self, when};
use super::session::Signed;
use super::views::{ROWS, domain_link, lifecycle_badge};
use crate::app::AppState;
use crate::domain::lifecycle::Lifecycle;
use crate::usecases::domains;

/// The search form.
#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    lifecycle: String,
    /// Only domains expiring within this many days (the overview's link says 30).
    #[serde(default)]
    expiring_days: String,
    /// The last name of the previous page.
    #[serde(default)]
    after: String,
}

/// `GET /admin/domains?q&lifecycle&expiring_days&after`: watched domains by name prefix,
/// lifecycle and expiration date.
pub async fn search(
    State(app): State<AppState>,
    signed: Signed,
    Query(search): Query<SearchQuery>,
) -> Response {
    let q = search.q.trim().to_ascii_lowercase();
    let lifecycle = Lifecycle::parse(search.lifecycle.trim());
    let after = search.after.trim().to_ascii_lowercase();
    let after = Some(after.as_str()).filter(|a| !a.is_empty());
    let expiring_days = search.expiring_days.trim().parse::<u16>().ok();
    let expiring_before = expiring_days.map(|days| {
        (app.clock.now() + chrono::TimeDelta::days(i64::from(days)))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    });
    let filter = domains::filter(
        lifecycle,
        None,
        expiring_before.as_deref(),
        Some(&q),
        after,
        ROWS,
    );
    let listed = match filter {
        Ok(filter) => domains::list(&app, &filter).await,
        Err(invalid) => Err(invalid),
    };
    let days_text = expiring_days.map_or(String::new(), |d| d.to_string());
    let body = html! {
        h1 { "Domains" }
        form class="inline card" method="get" action="/admin/domains" role="search" {
            div { label for="q" { "Name starts with" }
                input id="q" name="q" type="text" value=(q) placeholder="example.com" autocomplete="off"; }
            div { label for="lifecycle" { "Lifecycle" }
                select id="lifecycle" name="lifecycle" {
                    option value="" { "any" }
                    @for each in Lifecycle::ALL {
                        option value=(each.as_str()) selected[lifecycle == Some(each)] { (each.as_str()) }
                    }
                }
            }
            div { label for="expiring_days" { "Expiring within (days)" }
                input id="expiring_days" name="expiring_days" type="number" min="1" max="3650" value=(days_text); }
            button type="submit" { "Search" }
        }
        @match &listed {
            Err(error) => p class="error" role="alert" { (error.problem().detail) },
            Ok(page) => {
                section class="card" {
                    @if page.domains.is_empty() {
                        p class="muted" { "No watched domain matches." }
                    } @else {
                        table {
                            thead { tr { th { "Domain" } th { "Lifecycle" } th { "Expires" } th { "Checked" } th { "Last lapse" } th { "Next check" } } }
                            tbody {
                                @for d in &page.domains {
                                    tr {
                                        td { (domain_link(&d.domain)) }
                                        td { (lifecycle_badge(d.lifecycle)) }
                                        td { (when(d.expires_at)) }
                                        td { (when(d.checked_at)) }
                                        td { (when(d.last_lapse_at)) }
                                        td { (when(Some(d.next_check_at))) }
                                    }
                                }
                            }
                        }
                        @if let Some(next) = &page.next_after {
                            p { a rel="next" href={"/admin/domains?q=" (q) "&lifecycle=" (lifecycle.map_or("", |l| l.as_str())) "&expiring_days=" (days_text) "&after=" (next)} { "Next " (ROWS) " →" } }
                        }
                    }
                }
            }
        }
    };
    layout::page("Domains", Some(signed.who()), body)
}
