//! The mass-change guard's holds (rule in `domain/guard.rs`): `GET /v1/holds`,
//! `POST /v1/holds/{host}/release`, `POST /v1/holds/{host}/discard`.

use crate::access::Actor;
use crate::app::AppState;
use crate::error::{ApiError, Problem};
use crate::usecases::holds;
pub use crate::usecases::holds::{DiscardResponse, HoldView, HoldsResponse, ReleaseResponse};
use axum::Json;
use axum::extract::{Extension, Path, State};

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
    holds::list(&app).await.map(Json)
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
    holds::release(&app, &actor, host).await.map(Json)
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
    holds::discard(&app, &actor, host).await.map(Json)
}
