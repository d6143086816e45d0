//! `GET /admin/domains/{domain}`: what an agent needs for a ticket; and its actions:
//! "check now", set and remove an override (through the use cases the API calls).

use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use maud::{Markup, html};
use serde::Deserialize;

use super::charts::{self, Mark};
use super::layout::{self, api_error_page as failed, badge, when};
use super::session::{CsrfForm, Signed};
use super::views::{lifecycle_badge, state_text, transitions_table};
use crate::access::Actor;
use crate::app::AppState;
use crate::domain::name::RegistrableDomain;
use crate::domain::overrides::OverrideDecision;
use crate::error::ApiError;
use crate::feed::TransitionItem;
use crate::usecases::domains::{self, DomainView};
use crate::usecases::overrides::{self, OverrideRequest, OverrideView};
use crate::usecases::transitions;

/// A domain page's query string.
#[derive(Deserialize)]
pub struct DomainQuery {
    /// `YYYY-MM-DD`: the decision for an address verified that day.
    #[serde(default)]
    verified_on: String,
    /// What the last action did: `refresh`, `override`, `removed`.
    #[serde(default)]
    done: String,
}

/// `GET /admin/domains/{domain}?verified_on&done`: what an agent needs for a ticket.
pub async fn domain_page(
    State(app): State<AppState>,
    signed: Signed,
    Path(name): Path<String>,
    Query(query): Query<DomainQuery>,
) -> Response {
    let domain = match RegistrableDomain::parse(&name) {
        Ok(domain) => domain,
        Err(error) => return failed(error.into()),
    };
    let now = app.clock.now();
    let verified_on = query.verified_on.trim();
    let verified_at = NaiveDate::parse_from_str(verified_on, "%Y-%m-%d")
        .ok()
        .and_then(|day| day.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc());
    let bad_date = !verified_on.is_empty() && verified_at.is_none();
    let view = match domains::view(&app, domain.as_str()).await {
        Ok(view) => Some(view),
        Err(ApiError::NotFound) => None,
        Err(error) => return failed(error),
    };
    let (verdict, transitions, rule) = match tokio::try_join!(
        domains::decision(&app, &domain, verified_at),
        transitions::newest(&app, Some(&domain), 50),
        overrides::of(&app, &domain),
    ) {
        Ok(found) => found,
        Err(error) => return failed(error),
    };
    let body = html! {
        h1 { (domain.as_str()) }
        @match query.done.as_str() {
            "refresh" => p class="done" role="status" { "Check scheduled: the scheduler asks the registry as soon as its rate limit allows." },
            "override" => p class="done" role="status" { "Override saved." },
            "removed" => p class="done" role="status" { "Override removed." },
            _ => {},
        }
        section class="card" {
            h2 { "Decision" }
            form class="inline" method="get" action={"/admin/domains/" (domain.as_str())} {
                div { label for="verified_on" { "Address verified on" }
                    input id="verified_on" name="verified_on" type="date" value=(verified_on); }
                button type="submit" { "Show decision" }
            }
            @if bad_date { p class="error" role="alert" { "Not a date: use the form YYYY-MM-DD." } }
            p {
                @if verdict.eligible { (badge("eligible", "eligible")) } @else { (badge("denied", "not eligible")) }
                " " code { (verdict.reason.as_str()) }
                @match verified_at {
                    Some(at) => span class="muted" { " for an address verified on " (at.format("%Y-%m-%d")) },
                    None => span class="muted" { " without a verification date" },
                }
            }
            p class="muted" { "From the stored status, as a check would answer from memory; a check of a stale status looks the domain up first." }
        }
        @match &view {
            None => section class="card" { p { "lapseguard has never looked this domain up and does not watch it." } },
            Some(view) => (status_card(view)),
        }
        @if let Some(view) = &view {
            section class="card" {
                h2 { "Timeline" }
                (charts::timeline(&timeline_marks(view, &transitions), now))
            }
        }
        section class="card" {
            h2 { "Transitions" }
            (transitions_table(&transitions))
        }
        section class="card" {
            h2 { "Override" }
            @match &rule {
                None => p class="muted" { "None." },
                Some(rule) => (override_summary(rule)),
            }
            @if signed.may_act {
                (override_form(&signed, &domain, rule.as_ref()))
            }
        }
        @if signed.may_act {
            section class="card" {
                h2 { "Check now" }
                form method="post" action={"/admin/domains/" (domain.as_str()) "/refresh"} {
                    input type="hidden" name="csrf" value=(signed.csrf);
                    button type="submit" { "Check now" }
                    span class="muted" { " Watches the domain if it is not watched." }
                }
            }
        }
        @if let Some(view) = &view {
            section class="card" {
                h2 { "Latest lookups" }
                table {
                    thead { tr { th { "Seen" } th { "Source" } th { "Outcome" } th { "Lifecycle" } th { "Statuses" } th { "Error" } } }
                    tbody {
                        @for o in &view.observations {
                            tr {
                                td { (when(Some(o.observed_at))) @if o.repeats > 0 { span class="muted" { " (+" (o.repeats) " until " (when(Some(o.last_observed_at))) ")" } } }
                                td { (o.source.as_str()) }
                                td { (o.outcome.as_str()) }
                                td { @if let Some(l) = o.lifecycle { (lifecycle_badge(l)) } }
                                td { (o.statuses.join(", ")) }
                                td { (o.error.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                }
            }
        }
    };
    layout::page(domain.as_str(), Some(signed.who()), body)
}

fn status_card(view: &DomainView) -> Markup {
    html! {
        section class="card" {
            h2 { "Status" }
            table {
                tbody {
                    tr { th { "Lifecycle" } td { (lifecycle_badge(view.lifecycle)) } }
                    tr { th { "Registry statuses" } td { (view.statuses.join(", ")) } }
                    tr { th { "Evidence" } td { (view.evidence.map_or("—", |e| e.as_str())) } }
                    tr { th { "Registered" } td { (when(view.registered_at)) } }
                    tr { th { "First registration seen" } td { (when(view.first_registered_at)) } }
                    tr { th { "Expires" } td { (when(view.expires_at)) } }
                    tr { th { "Last lapse" } td { (when(view.last_lapse_at)) } }
                    tr { th { "Checked" } td { (when(view.checked_at)) } }
                    tr { th { "Next check" } td { (when(view.next_check_at)) @if !view.watched { " (not watched)" } } }
                    tr { th { "Failed lookups in a row" } td { (view.failures) } }
                    tr { th { "In DNS" } td { (view.delegated.map_or("—", |d| if d { "yes" } else { "no" })) } }
                    tr { th { "Ownership signals" } td {
                        @if view.signals.is_empty() { "none" }
                        @for s in &view.signals {
                            div { code { (s.signal.as_str()) } " since " (when(Some(s.since))) ": " (s.evidence) }
                        }
                    } }
                }
            }
        }
    }
}

fn timeline_marks(view: &DomainView, transitions: &[TransitionItem]) -> Vec<Mark> {
    let observations = view.observations.iter().map(|o| Mark {
        at: o.observed_at,
        lifecycle: o.lifecycle,
        lane: o.source.as_str(),
        label: o.lifecycle.map_or_else(
            || format!("{} failed", o.source.as_str()),
            |l| format!("{}: {}", o.source.as_str(), l.as_str()),
        ),
    });
    let changes = transitions
        .iter()
        .map(|t| match (t.signal, t.change, t.days_left) {
            (Some(signal), Some(change), _) => Mark {
                at: t.observed_at,
                lifecycle: None,
                lane: "signal",
                label: format!("{} {} (published)", signal.as_str(), change.as_str()),
            },
            (None, _, Some(days_left)) => Mark {
                at: t.observed_at,
                lifecycle: None,
                lane: "signal",
                label: format!("expiry notice: {days_left} days left"),
            },
            _ => Mark {
                at: t.observed_at,
                lifecycle: Some(t.to),
                lane: "transition",
                label: format!("{} → {}", t.from.as_str(), t.to.as_str()),
            },
        });
    let signals = view.signals.iter().map(|s| Mark {
        at: s.since,
        lifecycle: None,
        lane: "signal",
        label: format!("{} since: {}", s.signal.as_str(), s.evidence),
    });
    observations.chain(changes).chain(signals).collect()
}

fn override_summary(rule: &OverrideView) -> Markup {
    html! {
        table {
            tbody {
                tr { th { "Decision" } td { (rule.decision.as_str()) } }
                tr { th { "State" } td { (state_text(rule.state)) } }
                tr { th { "Note" } td { (rule.note) } }
                tr { th { "Set" } td { (when(Some(rule.set_at))) " by " (rule.set_by) } }
                tr { th { "Expires" } td { (when(rule.expires_at)) } }
            }
        }
    }
}

fn override_form(
    signed: &Signed,
    domain: &RegistrableDomain,
    rule: Option<&OverrideView>,
) -> Markup {
    let action = format!("/admin/domains/{}/override", domain.as_str());
    html! {
        form method="post" action=(action) {
            input type="hidden" name="csrf" value=(signed.csrf);
            label for="decision" { "Decision" }
            select id="decision" name="decision" {
                option value="allow" { "allow: trust the domain while it stays as it is now" }
                option value="deny" { "deny: refuse recovery whatever the status" }
            }
            label for="note" { "Note (a ticket, what was confirmed; no email address)" }
            textarea id="note" name="note" rows="2" maxlength="1000" required {}
            label for="expires_on" { "Ends on (optional)" }
            input id="expires_on" name="expires_on" type="date";
            p { button type="submit" { "Set override" } }
        }
        @if rule.is_some() {
            form method="post" action={(action) "/remove"} {
                input type="hidden" name="csrf" value=(signed.csrf);
                button class="quiet" type="submit" { "Remove override" }
            }
        }
    }
}

/// Runs an action for a signed-in agent who may act, after the form's anti-forgery
/// check; then back to the domain's page, saying what was done.
fn after_action(domain: &str, done: &str, result: Result<(), ApiError>) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!("/admin/domains/{domain}?done={done}")).into_response(),
        Err(error) => failed(error),
    }
}

/// The domain from a path, normalised (so the redirect names it as the API does).
fn action_domain(
    signed: &Signed,
    csrf: &str,
    name: &str,
) -> Result<RegistrableDomain, Box<Response>> {
    signed.check_action(csrf)?;
    RegistrableDomain::parse(name).map_err(|error| Box::new(failed(error.into())))
}

/// An action that takes nothing but the domain: runs the use case `act` for it as the
/// signed-in agent, then back to the domain's page saying `done`.
async fn domain_action<F, Fut>(
    app: AppState,
    signed: Signed,
    name: &str,
    csrf: &str,
    done: &str,
    act: F,
) -> Response
where
    F: FnOnce(AppState, Actor, RegistrableDomain) -> Fut,
    Fut: Future<Output = Result<(), ApiError>>,
{
    let domain = match action_domain(&signed, csrf, name) {
        Ok(domain) => domain,
        Err(refused) => return *refused,
    };
    let result = act(app, signed.actor, domain.clone()).await;
    after_action(domain.as_str(), done, result)
}

/// `POST /admin/domains/{domain}/refresh`: "check now", as `POST /v1/domains/{domain}/refresh`.
pub async fn check_now(
    State(app): State<AppState>,
    signed: Signed,
    Path(name): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let refresh = async |app: AppState, actor: Actor, domain: RegistrableDomain| {
        domains::refresh(&app, &actor, domain.as_str()).await
    };
    domain_action(app, signed, &name, &form.csrf, "refresh", refresh).await
}

/// The "set override" form.
#[derive(Deserialize)]
pub struct OverrideForm {
    #[serde(default)]
    csrf: String,
    /// `allow` or `deny`.
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
    /// `YYYY-MM-DD` or empty: the override ends at the start of that day (UTC).
    #[serde(default)]
    expires_on: String,
}

/// `POST /admin/domains/{domain}/override`: as `PUT /v1/overrides/{domain}`.
pub async fn set_override(
    State(app): State<AppState>,
    signed: Signed,
    Path(name): Path<String>,
    Form(form): Form<OverrideForm>,
) -> Response {
    let domain = match action_domain(&signed, &form.csrf, &name) {
        Ok(domain) => domain,
        Err(refused) => return *refused,
    };
    let Some(decision) = OverrideDecision::parse(form.decision.trim()) else {
        return layout::error_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The decision must be allow or deny.",
        );
    };
    let expires_on = form.expires_on.trim();
    let expires_at = if expires_on.is_empty() {
        None
    } else {
        match NaiveDate::parse_from_str(expires_on, "%Y-%m-%d") {
            Ok(day) => Some(day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()),
            Err(_) => {
                return layout::error_page(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "The end date must be a date such as 2027-01-31.",
                );
            }
        }
    };
    let request = OverrideRequest {
        decision,
        note: form.note,
        expires_at,
    };
    let result = overrides::set(&app, &signed.actor, domain.as_str(), request)
        .await
        .map(|_| ());
    after_action(domain.as_str(), "override", result)
}

/// `POST /admin/domains/{domain}/override/remove`: as `DELETE /v1/overrides/{domain}`.
pub async fn remove_override(
    State(app): State<AppState>,
    signed: Signed,
    Path(name): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let remove = async |app: AppState, actor: Actor, domain: RegistrableDomain| {
        overrides::remove(&app, &actor, domain.as_str()).await
    };
    domain_action(app, signed, &name, &form.csrf, "removed", remove).await
}
