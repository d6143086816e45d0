//! `GET /admin/overrides`: every override, by name.

use axum::extract::{Query, State};
use axum::response::Response;
use maud::html;
use serde::Deserialize;

use super::layout::{self, api_error_page as failed, when};
use super::session::Signed;
use super::views::{ROWS, domain_link, state_text};
use crate::app::AppState;
use crate::error::ApiError;
use crate::usecases::domains::name_like;
use crate::usecases::overrides;

/// The overrides page's query string.
#[derive(Deserialize)]
pub struct OverridesPageQuery {
    /// The last name of the previous page.
    #[serde(default)]
    after: String,
}

/// `GET /admin/overrides?after`: every override, by name.
pub async fn overrides_page(
    State(app): State<AppState>,
    signed: Signed,
    Query(page): Query<OverridesPageQuery>,
) -> Response {
    let after = page.after.trim().to_ascii_lowercase();
    if !name_like(&after) {
        return failed(ApiError::BadRequest {
            code: "invalid_query",
            detail: "after takes a domain name".to_owned(),
        });
    }
    let page = match overrides::list(&app, &after, ROWS).await {
        Ok(page) => page,
        Err(error) => return failed(error),
    };
    let body = html! {
        h1 { "Overrides" }
        section class="card" {
            @if page.overrides.is_empty() {
                p class="muted" { "No override is set." }
            } @else {
                table {
                    thead { tr { th { "Domain" } th { "Decision" } th { "State" } th { "Note" } th { "Set" } th { "Expires" } } }
                    tbody {
                        @for rule in &page.overrides {
                            tr {
                                td { (domain_link(&rule.domain)) }
                                td { (rule.decision.as_str()) }
                                td { (state_text(rule.state)) }
                                td { (rule.note) }
                                td { (when(Some(rule.set_at))) " by " (rule.set_by) }
                                td { (when(rule.expires_at)) }
                            }
                        }
                    }
                }
                @if let Some(next) = &page.next_after {
                    p { a rel="next" href={"/admin/overrides?after=" (next)} { "Next " (ROWS) " →" } }
                }
            }
        }
    };
    layout::page("Overrides", Some(signed.who()), body)
}
