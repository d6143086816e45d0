//! `GET /admin/audit`: the audit log, newest first.

use axum::extract::{Query, State};
use axum::response::Response;
use maud::html;
use serde::Deserialize;

use super::layout::{self, api_error_page as failed, when};
use super::session::Signed;
use super::views::{ROWS, domain_link};
use crate::app::AppState;
use crate::domain::name::RegistrableDomain;
use crate::usecases::audit;

/// The audit page's query string.
#[derive(Deserialize)]
pub struct AuditPageQuery {
    /// The id of the oldest entry of the previous (newer) page; anything else: the newest.
    #[serde(default)]
    before: String,
}

/// `GET /admin/audit?before`: the audit log, newest first.
pub async fn audit_page(
    State(app): State<AppState>,
    signed: Signed,
    Query(page): Query<AuditPageQuery>,
) -> Response {
    let before = page.before.trim().parse::<i64>().unwrap_or(i64::MAX);
    let entries = match audit::newest(&app, before, ROWS).await {
        Ok(entries) => entries,
        Err(error) => return failed(error),
    };
    let body = html! {
        h1 { "Audit log" }
        p class="muted" { "Newest first, " (ROWS) " a page (as JSON: GET /v1/audit)." }
        section class="card" {
            table {
                thead { tr { th { "#" } th { "When" } th { "Who" } th { "What" } th { "Target" } th { "Details" } } }
                tbody {
                    @for entry in &entries {
                        tr {
                            td { (entry.id) }
                            td { (when(Some(entry.at))) }
                            td { (entry.actor) }
                            td { (entry.action.as_str()) }
                            td { @if RegistrableDomain::parse(&entry.target).is_ok() { (domain_link(&entry.target)) } @else { (entry.target) } }
                            td { code { (entry.details.to_string()) } }
                        }
                    }
                }
            }
            @if let Some(oldest) = entries.last().filter(|_| entries.len() == ROWS as usize) {
                p { a rel="next" href={"/admin/audit?before=" (oldest.id)} { "Older " (ROWS) " →" } }
            }
        }
    };
    layout::page("Audit log", Some(signed.who()), body)
}
