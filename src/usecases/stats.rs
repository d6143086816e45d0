//! The counts a dashboard shows (at most five seconds old), and the paused hosts.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::App;
use crate::error::ApiError;

/// The state of the watch list, the schedule and webhook delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsResponse {
    /// When these counts were taken (they are shared for up to five seconds).
    pub computed_at: DateTime<Utc>,
    /// Watched domains.
    pub watched: u64,
    /// Watched domains by lifecycle stage (`unknown` includes never looked up); stages
    /// with none are left out.
    #[schema(value_type = BTreeMap<String, u64>)]
    pub lifecycles: BTreeMap<&'static str, u64>,
    /// Watched domains whose next check is due.
    pub due: u64,
    /// Watched domains due for more than an hour: the scheduler is behind.
    pub overdue: u64,
    /// Seconds since the least recently checked status was looked up.
    pub oldest_check_age_seconds: Option<i64>,
    /// Watched domains whose latest lookups failed (one or more in a row).
    pub failing: u64,
    /// Active domains whose expiration date lies in the next 30 days (see
    /// `GET /v1/domains?expiring_before=`).
    pub expiring_30_days: u64,
    /// Webhook deliveries not yet made.
    pub webhooks_pending: u64,
    /// Seconds since the oldest undelivered transition was observed.
    pub oldest_webhook_age_seconds: Option<i64>,
    /// The replica that runs the scheduler (its lease holder), null when none does.
    pub scheduler_holder: Option<String>,
    /// Open holds of the mass-change guard: each held host and how many transitions it
    /// holds (see `GET /v1/holds`); empty when none.
    #[schema(value_type = BTreeMap<String, u64>)]
    pub holds: BTreeMap<String, u64>,
    /// Whether the DNS resolver passed its latest trust probe (its NXDOMAIN answers count
    /// as lapses only then); null before the first probe or with DNS off.
    pub dns_resolver_trusted: Option<bool>,
}

/// The counts, from the stats cache.
pub async fn stats(app: &App) -> Result<StatsResponse, ApiError> {
    let now = app.clock.now();
    let snapshot = app.stats.get(app.store.as_ref(), now).await?;
    let stats = &snapshot.stats;
    Ok(StatsResponse {
        computed_at: snapshot.computed_at,
        watched: stats.watched,
        lifecycles: stats
            .lifecycles
            .iter()
            .map(|(lifecycle, n)| (lifecycle.as_str(), *n))
            .collect(),
        due: stats.due,
        overdue: stats.overdue,
        oldest_check_age_seconds: stats.oldest_check_age(snapshot.computed_at),
        failing: stats.failing,
        expiring_30_days: stats.expiring_30_days,
        webhooks_pending: stats.webhooks_pending,
        oldest_webhook_age_seconds: stats.oldest_webhook_age(snapshot.computed_at),
        scheduler_holder: stats.leader.clone(),
        holds: stats.holds.iter().cloned().collect(),
        dns_resolver_trusted: app.dns_trust.as_ref().and_then(|trust| trust.trusted()),
    })
}

/// The upstream hosts paused after a 429, with how long each stays paused.
pub fn paused_hosts(app: &App) -> Vec<(String, Duration)> {
    app.http.pauses()
}
