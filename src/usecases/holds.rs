//! The mass-change guard's holds (rule in `domain/guard.rs`): the list, release and
//! discard.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Actor;
use crate::app::App;
use crate::domain::audit::{AuditAction, AuditEntry};
use crate::error::ApiError;
use crate::store::holds::Hold;
use crate::telemetry::metrics;

/// A host whose lapses are held: more of its domains left `active` within an hour than
/// the guard lets through (`LAPSEGUARD_MASS_CHANGE_LIMIT`, or 1% of the host's domains).
/// Checks still answer from what was observed; transitions and webhooks wait.
#[derive(Debug, Serialize, ToSchema)]
pub struct HoldView {
    /// The upstream host (`name:port`) whose answers made the held transitions.
    pub host: String,
    /// When the hold opened.
    pub since: DateTime<Utc>,
    /// Transitions held.
    pub transitions: u64,
    /// Domains they concern.
    pub domains: u64,
    /// When the oldest held transition was observed.
    pub first_observed_at: Option<DateTime<Utc>>,
    /// When the newest held transition was observed.
    pub last_observed_at: Option<DateTime<Utc>>,
    /// Up to 10 held domains, by name, to judge the hold by.
    pub sample: Vec<String>,
}

impl From<Hold> for HoldView {
    fn from(hold: Hold) -> Self {
        Self {
            host: hold.host,
            since: hold.since,
            transitions: hold.transitions,
            domains: hold.domains,
            first_observed_at: hold.first_observed_at,
            last_observed_at: hold.last_observed_at,
            sample: hold.sample,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HoldsResponse {
    /// Every open hold, by host.
    pub holds: Vec<HoldView>,
}

/// What a release published.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReleaseResponse {
    pub host: String,
    /// Transitions published (new ids at the end of the log, in the order they were held).
    pub published: u64,
    /// The first and last of their ids, when any were published.
    pub first_id: Option<i64>,
    pub last_id: Option<i64>,
}

/// What a discard dropped.
#[derive(Debug, Serialize, ToSchema)]
pub struct DiscardResponse {
    pub host: String,
    /// Held transitions dropped.
    pub discarded: u64,
    /// Domains due for a second look now: what it confirms is published (and may open a
    /// new hold if the host still answers wrongly).
    pub rechecking: u64,
}

/// Every open hold, by host.
pub async fn list(app: &App) -> Result<HoldsResponse, ApiError> {
    let holds = app.store.holds().await?;
    Ok(HoldsResponse {
        holds: holds.into_iter().map(HoldView::from).collect(),
    })
}

/// Releases `host`'s hold for `actor`: publishes what it holds, in the order it was held
/// (audited); `NotFound` when the host has no open hold.
pub async fn release(app: &App, actor: &Actor, host: String) -> Result<ReleaseResponse, ApiError> {
    let audit = entry(app, actor, AuditAction::HoldReleased, &host);
    let webhooks = app.webhooks.is_some();
    let released = app
        .store
        .release_hold(&host, audit.at, webhooks, &audit)
        .await?
        .ok_or(ApiError::NotFound)?;
    for published in &released.transitions {
        metrics::transition_published(published.transition.to.as_str());
    }
    tracing::warn!(host = %host, actor = %actor.name, published = released.transitions.len(), "hold released");
    Ok(ReleaseResponse {
        host,
        published: released.transitions.len() as u64,
        first_id: released.transitions.first().map(|t| t.id),
        last_id: released.transitions.last().map(|t| t.id),
    })
}

/// Discards `host`'s hold for `actor`: drops what it holds and makes every held domain
/// due for a second look (audited); `NotFound` when the host has no open hold.
pub async fn discard(app: &App, actor: &Actor, host: String) -> Result<DiscardResponse, ApiError> {
    let audit = entry(app, actor, AuditAction::HoldDiscarded, &host);
    let discarded = app
        .store
        .discard_hold(&host, audit.at, &audit)
        .await?
        .ok_or(ApiError::NotFound)?;
    tracing::warn!(host = %host, actor = %actor.name, discarded = discarded.transitions, "hold discarded");
    Ok(DiscardResponse {
        host,
        discarded: discarded.transitions,
        rechecking: discarded.domains,
    })
}

/// The audit entry of an admin's action on a hold (the store adds the counts).
fn entry(app: &App, actor: &Actor, action: AuditAction, host: &str) -> AuditEntry {
    AuditEntry::new(
        app.clock.now(),
        &actor.name,
        action,
        host,
        serde_json::json!({}),
    )
}
