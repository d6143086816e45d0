//! `GET /admin`: the overview.

use axum::extract::{Query, State};
use axum::response::Response;
use chrono::DateTime;
use maud::html;
use serde::Deserialize;

use super::charts;
use super::layout::{self, api_error_page as failed, badge};
use super::session::Signed;
use super::views::transitions_table;
use crate::app::AppState;
use crate::usecases::{stats, transitions};

/// Days the overview's chart covers.
const CHART_DAYS: i64 = 90;

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
    let stats = match stats::stats(&app).await {
        Ok(stats) => stats,
        Err(error) => return failed(error),
    };
    let now = app.clock.now();
    let today = now.timestamp().div_euclid(86_400);
    let since = DateTime::from_timestamp((today - CHART_DAYS + 1) * 86_400, 0).unwrap_or(now);
    let per_day = match transitions::per_day(&app, since).await {
        Ok(per_day) => per_day,
        Err(error) => return failed(error),
    };
    let recent = match transitions::newest(&app, None, 20).await {
        Ok(recent) => recent,
        Err(error) => return failed(error),
    };
    let pauses = stats::paused_hosts(&app);
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
            div class="figure" { a href="/admin/domains?expiring_days=30" { "Expiring in 30 days" } b { (stats.expiring_30_days) } }
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
