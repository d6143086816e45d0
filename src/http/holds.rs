//! The mass-change guard's holds (rule in `domain/guard.rs`): `GET /v1/holds`,
//! `POST /v1/holds/{host}/release`, `POST /v1/holds/{host}/discard`.

use axum::Json;
use axum::extract::{Extension, Path, State};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Actor;
use crate::app::AppState;
use crate::domain::audit::{AuditAction, AuditEntry};
use crate::error::{ApiError, Problem};
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

/// List the open holds.
#[utoipa::path(
    get,
    path = "/v1/holds",
    operation_id = "list_holds",
    tag = "holds",
    responses(
        (status = 200, description = "The open holds", body = HoldsResponse),
    )
)]
pub async fn list_holds(State(app): State<AppState>) -> Result<Json<HoldsResponse>, ApiError> {
    let holds = app.store.holds().await?;
    Ok(Json(HoldsResponse {
        holds: holds.into_iter().map(HoldView::from).collect(),
    }))
}

/// Release a hold: publish what it holds (transitions and webhooks), in the order it was
/// held. For a mass change that is real (a registrar dropping many domains at once).
#[utoipa::path(
    post,
    path = "/v1/holds/{host}/release",
    operation_id = "release_hold",
    tag = "holds",
    params(("host" = String, Path, description = "The held host, as `GET /v1/holds` names it", max_length = 300)),
    responses(
        (status = 200, description = "Published", body = ReleaseResponse),
        (status = 404, description = "The host has no open hold", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn release_hold(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(host): Path<String>,
) -> Result<Json<ReleaseResponse>, ApiError> {
    let audit = entry(&app, &actor, AuditAction::HoldReleased, &host);
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
    Ok(Json(ReleaseResponse {
        host,
        published: released.transitions.len() as u64,
        first_id: released.transitions.first().map(|t| t.id),
        last_id: released.transitions.last().map(|t| t.id),
    }))
}

/// Discard a hold: drop what it holds and look at every held domain again now; only what
/// the second look confirms is published. For a registry's glitch that has healed.
#[utoipa::path(
    post,
    path = "/v1/holds/{host}/discard",
    operation_id = "discard_hold",
    tag = "holds",
    params(("host" = String, Path, description = "The held host, as `GET /v1/holds` names it", max_length = 300)),
    responses(
        (status = 200, description = "Dropped; the domains are due", body = DiscardResponse),
        (status = 404, description = "The host has no open hold", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn discard_hold(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(host): Path<String>,
) -> Result<Json<DiscardResponse>, ApiError> {
    let audit = entry(&app, &actor, AuditAction::HoldDiscarded, &host);
    let discarded = app
        .store
        .discard_hold(&host, audit.at, &audit)
        .await?
        .ok_or(ApiError::NotFound)?;
    tracing::warn!(host = %host, actor = %actor.name, discarded = discarded.transitions, "hold discarded");
    Ok(Json(DiscardResponse {
        host,
        discarded: discarded.transitions,
        rechecking: discarded.domains,
    }))
}

/// The audit entry of an admin's action on a hold (the store adds the counts).
fn entry(app: &AppState, actor: &Actor, action: AuditAction, host: &str) -> AuditEntry {
    AuditEntry::new(
        app.clock.now(),
        &actor.name,
        action,
        host,
        serde_json::json!({}),
    )
}
