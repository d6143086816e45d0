//! The watch list: `POST /v1/watch`, `DELETE /v1/watch/{domain}`.

use super::ApiJson;
use crate::access::Actor;
use crate::app::AppState;
use crate::error::{ApiError, Problem};
use crate::usecases::watch;
pub use crate::usecases::watch::{
    AUDITED_DOMAINS, MAX_WATCH_ENTRIES, RejectedEntry, WatchField, WatchRequest, WatchResponse,
    watch_audit,
};
use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;

/// Watch the domains of these addresses and these domains.
///
/// Each domain is checked in the background on the schedule its registration data calls
/// for; its lapses appear in `/v1/transitions` and the webhook.
#[utoipa::path(
    post,
    path = "/v1/watch",
    operation_id = "watch_domains",
    tag = "watch",
    request_body = WatchRequest,
    responses(
        (status = 200, description = "What was added", body = WatchResponse),
        (status = 400, description = "Not JSON, or more than 10,000 entries", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn watch(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    ApiJson(request): ApiJson<WatchRequest>,
) -> Result<Json<WatchResponse>, ApiError> {
    watch::watch(&app, &actor, request).await.map(Json)
}

/// Stop watching a domain.
#[utoipa::path(
    delete,
    path = "/v1/watch/{domain}",
    operation_id = "unwatch_domain",
    tag = "watch",
    params(("domain" = String, Path, description = "The domain (reduced to its registrable domain)", min_length = 3, max_length = 253, pattern = "^[^.]+(\\.[^.]+)+\\.?$")),
    responses(
        (status = 204, description = "No longer watched"),
        (status = 404, description = "It was not watched", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a usable domain", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn unwatch(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(domain): Path<String>,
) -> Result<StatusCode, ApiError> {
    watch::unwatch(&app, &actor, &domain).await?;
    Ok(StatusCode::NO_CONTENT)
}
