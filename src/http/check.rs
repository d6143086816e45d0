//! `POST /check-recovery-eligible`: may a recovery mail go to this address?
//! `POST /v1/check-batch`: the same for up to 1,000 addresses. The use cases are
//! `usecases/check.rs` and `usecases/batch.rs`.

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};

use super::ApiJson;
use crate::app::AppState;
use crate::error::{ApiError, Problem};
use crate::telemetry::metrics;
use crate::usecases::batch::{self, BatchRequest, BatchResponse};
use crate::usecases::check::{CheckQuery, CheckRequest, CheckResponse};

impl IntoResponse for CheckResponse {
    fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(self.to_json()));
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    }
}

/// Decide whether a recovery mail may be sent to an address.
///
/// Call it before mailing a password-reset link. The answer comes from the registration
/// status of the address's registrable domain: from memory when fresh, else from a live
/// lookup (RDAP or Fastly, with DNS side by side) bounded by the lookup deadline.
#[utoipa::path(
    post,
    path = "/check-recovery-eligible",
    tag = "recovery",
    request_body = CheckRequest,
    responses(
        (status = 200, description = "The decision", body = CheckResponse),
        (status = 400, description = "Not JSON, or a field is missing or malformed", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over 16 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The address cannot be checked (no usable domain)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn check_recovery_eligible(
    State(app): State<AppState>,
    ApiJson(request): ApiJson<CheckRequest>,
) -> Result<CheckResponse, ApiError> {
    let started = std::time::Instant::now();
    let query = CheckQuery::parse(request, app.clock.now())?;
    let response = query.decide(&app.checker).await;
    metrics::check_answered(
        response.reason.as_str(),
        response.source.as_str(),
        started.elapsed(),
    );
    Ok(response)
}

/// Decide for up to 1,000 addresses at once (a nightly sweep).
///
/// Each result is the object `POST /check-recovery-eligible` answers, with the item's
/// `id`; an invalid item gets its own problem instead, without failing the batch. Items
/// on the same domains share one status read and at most one lookup; the batch answers
/// within `LAPSEGUARD_BATCH_DEADLINE_MS`, and a domain not decided by then answers
/// `domain_status_unavailable` with `retry_after_seconds` and is put on the watch list.
#[utoipa::path(
    post,
    path = "/v1/check-batch",
    tag = "recovery",
    request_body = BatchRequest,
    responses(
        (status = 200, description = "The results, in the order of the items", body = BatchResponse),
        (status = 400, description = "Not JSON, a field is missing or malformed, or no items or more than 1,000", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over 1 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn check_batch(
    State(app): State<AppState>,
    ApiJson(request): ApiJson<BatchRequest>,
) -> Result<axum::Json<BatchResponse>, ApiError> {
    batch::check_batch(&app, request).await.map(axum::Json)
}
