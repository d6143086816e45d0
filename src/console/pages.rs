//! The console's pages and actions. Each reads through the same calls as the JSON API
//! (and acts through the API's own handlers, so validation, audit and effects are the
//! API's): the overview, the domain search, a domain's page with "check now" and "set
//! override", the overrides and the audit log.

use axum::extract::{Extension, Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate};
use maud::{Markup, html};
use serde::Deserialize;

use super::charts::{self, Mark};
use super::layout::{self, api_error_page as failed, badge, when};
use super::session::{CsrfForm, Signed};
use crate::access::Actor;
use crate::app::AppState;
use crate::domain::lifecycle::Lifecycle;
use crate::domain::name::RegistrableDomain;
use crate::domain::overrides::{OverrideDecision, OverrideState};
use crate::error::ApiError;
use crate::http::ApiJson;
use crate::http::audit::AuditItem;
use crate::http::domains::{self, DomainView, DomainsQuery};
use crate::http::holds;
use crate::http::overrides::{self, OverrideRequest, OverrideView, OverridesQuery};
use crate::http::stats::get_stats;
use crate::refresh::webhook::TransitionItem;

/// Days the overview's chart covers.
const CHART_DAYS: i64 = 90;
/// Rows a list shows.
const ROWS: u32 = 100;

fn lifecycle_badge(lifecycle: Lifecycle) -> Markup {
    badge(lifecycle.as_str(), lifecycle.as_str())
}

fn domain_link(domain: &str) -> Markup {
    html! { a href={"/admin/domains/" (domain)} { (domain) } }
}

fn transitions_table(transitions: &[TransitionItem]) -> Markup {
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
                            td { (lifecycle_badge(t.from)) }
                            td { (lifecycle_badge(t.to)) }
                            td { (when(Some(t.observed_at))) }
                            td { (t.source.as_str()) }
                        }
                    }
                }
            }
        }
    }
}

/// The overview's query string.
#[derive(Deserialize)]
pub struct OverviewQuery {
    /// What the last action did: `released`, `discarded`.
    #[serde(default)]
    done: String,
}

/// `GET /admin`: the counts, the 90-day chart, holds, paused hosts, recent transitions.
pub async fn overview(
    State(app): State<AppState>,
    signed: Signed,
    Query(query): Query<OverviewQuery>,
) -> Response {
    let stats = match get_stats(State(app.clone())).await {
        Ok(stats) => stats.0,
        Err(error) => return failed(error),
    };
    let now = app.clock.now();
    let today = now.timestamp().div_euclid(86_400);
    let since = DateTime::from_timestamp((today - CHART_DAYS + 1) * 86_400, 0).unwrap_or(now);
    let per_day = match app.store.transitions_per_day(since).await {
        Ok(per_day) => per_day,
        Err(error) => return failed(error.into()),
    };
    let recent: Vec<TransitionItem> = match app.store.newest_transitions(None, 20).await {
        Ok(recent) => recent.iter().map(TransitionItem::from).collect(),
        Err(error) => return failed(error.into()),
    };
    let pauses = app.http.pauses();
    let body = html! {
        h1 { "Overview" }
        @match query.done.as_str() {
            "released" => p class="done" role="status" { "Hold released: its transitions are published." },
            "discarded" => p class="done" role="status" { "Hold discarded: its domains are looked at again now." },
            _ => {},
        }
        @if stats.dns_resolver_trusted == Some(false) {
            p class="error" role="alert" {
                "The DNS resolver failed its trust probe: its NXDOMAIN answers are not taken as lapses, and checks rest on the registries alone. Point LAPSEGUARD_DNS_SERVERS at a resolver that tells the truth."
            }
        }
        section class="grid" aria-label="Counts" {
            div class="figure" { "Watched" b { (stats.watched) } }
            div class="figure" { "Due now" b { (stats.due) } }
            div class="figure" { "Overdue > 1 h" b { (stats.overdue) } }
            div class="figure" { "Failing lookups" b { (stats.failing) } }
            div class="figure" { "Webhooks pending" b { (stats.webhooks_pending) }
                @if let Some(age) = stats.oldest_webhook_age_seconds { span class="muted" { "oldest " (age) " s" } } }
            div class="figure" { "Hosts paused" b { (pauses.len()) } }
            div class="figure" { "Holds" b { (stats.holds.len()) } }
        }
        section class="card" {
            h2 { "By lifecycle" }
            table {
                tbody {
                    @for (lifecycle, count) in &stats.lifecycles {
                        tr {
                            td { a href={"/admin/domains?lifecycle=" (lifecycle)} { (badge(lifecycle, lifecycle)) } }
                            td { (count) }
                        }
                    }
                }
            }
        }
        section class="card" {
            h2 { "Transitions per day, last " (CHART_DAYS) " days" }
            (charts::transitions_per_day(&per_day, today, CHART_DAYS))
        }
        @if !stats.holds.is_empty() {
            section class="card" {
                h2 { "Holds (mass-change guard)" }
                p class="muted" { "Lapses of one registry host held until an admin acts. Release: the change is real, publish it. Discard: a glitch; look at every held domain again and publish only what a second look confirms." }
                table {
                    tbody {
                        @for (host, held) in &stats.holds {
                            tr {
                                td { (host) }
                                td { (held) " held" }
                                @if signed.may_act {
                                    td {
                                        form class="inline" method="post" action={"/admin/holds/" (host) "/release"} {
                                            input type="hidden" name="csrf" value=(signed.csrf);
                                            button type="submit" { "Release" }
                                        }
                                    }
                                    td {
                                        form class="inline" method="post" action={"/admin/holds/" (host) "/discard"} {
                                            input type="hidden" name="csrf" value=(signed.csrf);
                                            button class="quiet" type="submit" { "Discard" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if !pauses.is_empty() {
            section class="card" {
                h2 { "Hosts paused" }
                table { tbody { @for (host, left) in &pauses { tr { td { (host) } td { (left.as_secs()) " s left" } } } } }
            }
        }
        section class="card" {
            h2 { "Recent transitions" }
            (transitions_table(&recent))
        }
    };
    layout::page("Overview", Some(signed.who()), body)
}

/// The search form.
#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    lifecycle: String,
    /// The last name of the previous page.
    #[serde(default)]
    after: String,
}

/// `GET /admin/domains?q&lifecycle&after`: watched domains by name prefix and lifecycle.
pub async fn search(
    State(app): State<AppState>,
    signed: Signed,
    Query(search): Query<SearchQuery>,
) -> Response {
    let q = search.q.trim().to_ascii_lowercase();
    let lifecycle = Lifecycle::parse(search.lifecycle.trim());
    let after = search.after.trim().to_ascii_lowercase();
    let query = DomainsQuery {
        lifecycle,
        q: Some(q.clone()).filter(|q| !q.is_empty()),
        after: Some(after).filter(|a| !a.is_empty()),
        limit: Some(ROWS),
    };
    let listed = domains::list_domains(State(app), Ok(Query(query))).await;
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
                            thead { tr { th { "Domain" } th { "Lifecycle" } th { "Checked" } th { "Last lapse" } th { "Next check" } } }
                            tbody {
                                @for d in &page.domains {
                                    tr {
                                        td { (domain_link(&d.domain)) }
                                        td { (lifecycle_badge(d.lifecycle)) }
                                        td { (when(d.checked_at)) }
                                        td { (when(d.last_lapse_at)) }
                                        td { (when(Some(d.next_check_at))) }
                                    }
                                }
                            }
                        }
                        @if let Some(next) = &page.next_after {
                            p { a rel="next" href={"/admin/domains?q=" (q) "&lifecycle=" (lifecycle.map_or("", |l| l.as_str())) "&after=" (next)} { "Next " (ROWS) " →" } }
                        }
                    }
                }
            }
        }
    };
    layout::page("Domains", Some(signed.who()), body)
}

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
    let view = match domains::get_domain(State(app.clone()), Path(domain.to_string())).await {
        Ok(view) => Some(view.0),
        Err(ApiError::NotFound) => None,
        Err(error) => return failed(error),
    };
    let (stored, transitions, rule) = match tokio::try_join!(
        app.store.status(&domain),
        app.store.newest_transitions(Some(&domain), 50),
        app.store.override_of(&domain),
    ) {
        Ok(found) => found,
        Err(error) => return failed(error.into()),
    };
    let assessment = app
        .checker
        .decide_stored(&domain, stored.map(|s| s.status), verified_at, now);
    let transitions: Vec<TransitionItem> = transitions.iter().map(TransitionItem::from).collect();
    let rule = rule.map(|listed| OverrideView::new(listed.rule, listed.current, now));
    let verdict = assessment.verdict;
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
    let changes = transitions.iter().map(|t| Mark {
        at: t.observed_at,
        lifecycle: Some(t.to),
        lane: "transition",
        label: format!("{} → {}", t.from.as_str(), t.to.as_str()),
    });
    observations.chain(changes).collect()
}

fn state_text(state: OverrideState) -> &'static str {
    match state {
        OverrideState::Active => "active: it decides checks",
        OverrideState::Expired => "expired",
        OverrideState::Lapsed => "lapsed: the domain changed since it was set",
    }
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

/// An action that takes nothing but the domain: runs the API's `handler` for it as the
/// signed-in agent, then back to the domain's page saying `done`.
async fn domain_action<F, Fut, T>(
    app: AppState,
    signed: Signed,
    name: &str,
    csrf: &str,
    done: &str,
    handler: F,
) -> Response
where
    F: FnOnce(State<AppState>, Extension<Actor>, Path<String>) -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let domain = match action_domain(&signed, csrf, name) {
        Ok(domain) => domain,
        Err(refused) => return *refused,
    };
    let result = handler(
        State(app),
        Extension(signed.actor),
        Path(domain.to_string()),
    )
    .await
    .map(|_| ());
    after_action(domain.as_str(), done, result)
}

/// `POST /admin/domains/{domain}/refresh`: "check now", as `POST /v1/domains/{domain}/refresh`.
pub async fn check_now(
    State(app): State<AppState>,
    signed: Signed,
    Path(name): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let refresh = domains::refresh_domain;
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
    let actor = Extension(signed.actor.clone());
    let result = overrides::set_override(
        State(app),
        actor,
        Path(domain.to_string()),
        ApiJson(request),
    )
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
    let remove = overrides::remove_override;
    domain_action(app, signed, &name, &form.csrf, "removed", remove).await
}

/// Release (`publish`) or discard a host's hold, through the API's handlers.
pub async fn act_on_hold(
    State(app): State<AppState>,
    signed: Signed,
    Path((host, action)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Err(refused) = signed.check_action(&form.csrf) {
        return *refused;
    }
    let actor = Extension(signed.actor.clone());
    let (result, done) = match action.as_str() {
        "release" => (
            holds::release_hold(State(app), actor, Path(host))
                .await
                .map(|_| ()),
            "released",
        ),
        "discard" => (
            holds::discard_hold(State(app), actor, Path(host))
                .await
                .map(|_| ()),
            "discarded",
        ),
        _ => (Err(ApiError::NotFound), ""),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/admin?done={done}")).into_response(),
        Err(error) => failed(error),
    }
}

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
    let query = OverridesQuery {
        after: Some(page.after.trim().to_owned()).filter(|a| !a.is_empty()),
        limit: Some(ROWS),
    };
    let page = match overrides::list_overrides(State(app), Ok(Query(query))).await {
        Ok(page) => page.0,
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
    let entries: Vec<AuditItem> = match app.store.newest_audit(before, ROWS).await {
        Ok(entries) => entries.into_iter().map(AuditItem::from).collect(),
        Err(error) => return failed(error.into()),
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
