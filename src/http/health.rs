//! `GET /healthz` and `GET /readyz`.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::error::{ApiError, Problem};
use crate::store::StoreError;

/// Readiness answers within a second: a store slower than this is not ready.
const READINESS_STORE_TIMEOUT: Duration = Duration::from_millis(800);

/// What a health route says when it answers 200.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    /// `/healthz`: the process is up.
    Ok,
    /// `/readyz`: ready to serve checks.
    Ready,
}

/// A liveness or readiness answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthResponse {
    /// `ok` from `/healthz`, `ready` from `/readyz`.
    pub status: HealthStatus,
    /// `/readyz`: parts that work less well than they should while checks still answer:
    /// `dns_resolver_untrusted` (the resolver failed its trust probe: its NXDOMAIN
    /// answers are not taken as lapses; checks rest on the registries). Empty when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub degraded: Vec<&'static str>,
}

/// The process answers.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses((status = 200, description = "The process is up", body = HealthResponse))
)]
pub async fn healthz() -> Json<HealthResponse> {
    Json(HealthResponse {
        status: HealthStatus::Ok,
        degraded: Vec::new(),
    })
}

/// The store answers within a second (on SQLite: a writer can take the lock) and the
/// RDAP bootstrap is loaded.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, description = "Ready to serve checks", body = HealthResponse),
        (status = 503, description = "Not ready", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn readyz(State(app): State<AppState>) -> Result<Json<HealthResponse>, ApiError> {
    let ping = tokio::time::timeout(READINESS_STORE_TIMEOUT, app.store.ping()).await;
    if let Err(error) = ping.unwrap_or(Err(StoreError::Timeout)) {
        tracing::warn!(error = %error, "readiness: the store does not answer");
        return Err(ApiError::Unavailable {
            code: "store_unreachable",
            detail: "the store does not answer".to_owned(),
        });
    }
    if app.bootstrap.get().is_none() {
        return Err(ApiError::Unavailable {
            code: "bootstrap_not_loaded",
            detail: "the RDAP bootstrap has not loaded yet".to_owned(),
        });
    }
    let untrusted = app
        .dns_trust
        .as_ref()
        .is_some_and(|trust| trust.trusted() == Some(false));
    Ok(Json(HealthResponse {
        status: HealthStatus::Ready,
        degraded: if untrusted {
            vec!["dns_resolver_untrusted"]
        } else {
            Vec::new()
        },
    }))
}
