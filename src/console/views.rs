//! What the console's pages share: badges, links, the transitions table, words for an
//! override's state, and how many rows a list shows.

use maud::{Markup, html};

use super::layout::{badge, when};
use crate::domain::lifecycle::Lifecycle;
use crate::domain::overrides::OverrideState;
use crate::feed::TransitionItem;

/// Rows a list shows.
pub const ROWS: u32 = 100;

pub fn lifecycle_badge(lifecycle: Lifecycle) -> Markup {
    badge(lifecycle.as_str(), lifecycle.as_str())
}

pub fn domain_link(domain: &str) -> Markup {
    html! { a href={"/admin/domains/" (domain)} { (domain) } }
}

pub fn transitions_table(transitions: &[TransitionItem]) -> Markup {
    html! {
        @if transitions.is_empty() {
            p class="muted" { "None." }
        } @else {
            table {
                thead { tr { th { "#" } th { "Domain" } th { "From" } th { "To" } th { "Seen" } th { "Source" } } }
                tbody {
                    @for t in transitions {
                        tr {
                            td { (t.id) }
                            td { (domain_link(&t.domain)) }
                            @match (t.signal, t.change, t.days_left) {
                                (Some(signal), Some(change), _) => {
                                    td colspan="2" { "signal " code { (signal.as_str()) } " " (change.as_str()) }
                                }
                                (None, _, Some(days_left)) => {
                                    td colspan="2" { "expires in " (days_left) " days (" (when(t.expires_at)) ")" }
                                }
                                _ => {
                                    td { (lifecycle_badge(t.from)) }
                                    td { (lifecycle_badge(t.to)) }
                                }
                            }
                            td { (when(Some(t.observed_at))) }
                            td { (t.source.as_str()) }
                        }
                    }
                }
            }
        }
    }
}

pub fn state_text(state: OverrideState) -> &'static str {
    match state {
        OverrideState::Active => "active: it decides checks",
        OverrideState::Expired => "expired",
        OverrideState::Lapsed => "lapsed: the domain changed since it was set",
    }
}
