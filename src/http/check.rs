//! `POST /check-recovery-eligible`: may a recovery mail go to this address?

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiJson;
use crate::app::AppState;
use crate::checker::{Assessment, Source};
use crate::domain::decision::Reason;
use crate::domain::lifecycle::Lifecycle;
use crate::domain::name::{EmailDomain, RegistrableDomain};
use crate::domain::status::EvidenceSource;
use crate::error::{ApiError, Problem};
use crate::telemetry::metrics;

/// The address a caller wants to send a recovery link to.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CheckRequest {
    /// The email address. Only its domain is used; the address is neither stored nor logged.
    #[schema(
        example = "alice@example.com",
        min_length = 3,
        max_length = 254,
        pattern = "^.+@[^@.]+(\\.[^@.]+)+\\.?$"
    )]
    pub email: String,
    /// When the caller last verified that it can reach this address (RFC 3339). Lapses and
    /// registrations before this time are forgiven; after it they deny. More than five
    /// minutes in the future is refused (400 `invalid_verified_at`).
    #[schema(value_type = Option<String>, format = DateTime, example = "2025-03-01T12:00:00Z")]
    pub verified_at: Option<String>,
}

/// A validated check: the address is already reduced to its domains.
#[derive(Debug, Clone)]
pub struct CheckQuery {
    pub email_domain: EmailDomain,
    pub domain: RegistrableDomain,
    pub verified_at: Option<DateTime<Utc>>,
}

/// How far ahead of the server's clock a `verified_at` may lie: clocks drift a little,
/// but a date further ahead is a caller's bug that would forgive every lapse.
pub const MAX_VERIFIED_AT_SKEW: chrono::Duration = chrono::Duration::minutes(5);

impl CheckQuery {
    /// Validates a request at `now`: the address reduces to a registrable domain, and
    /// `verified_at` is an RFC 3339 date no more than five minutes ahead of `now`.
    pub fn parse(request: CheckRequest, now: DateTime<Utc>) -> Result<Self, ApiError> {
        let invalid = |detail: &str| ApiError::BadRequest {
            code: "invalid_verified_at",
            detail: detail.to_owned(),
        };
        let verified_at = request
            .verified_at
            .map(|text| {
                DateTime::parse_from_rfc3339(text.trim())
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|_| {
                        invalid(
                            "verified_at must be an RFC 3339 date-time such as \
                             2025-03-01T12:00:00Z",
                        )
                    })
            })
            .transpose()?;
        if verified_at.is_some_and(|t| t > now + MAX_VERIFIED_AT_SKEW) {
            return Err(invalid(
                "verified_at lies in the future (more than 5 minutes ahead of the server's clock)",
            ));
        }
        let email_domain = EmailDomain::from_address(&request.email)?;
        let domain = RegistrableDomain::of(&email_domain)?;
        Ok(Self {
            email_domain,
            domain,
            verified_at,
        })
    }
}

/// The decision and the status it rests on.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckResponse {
    /// Whether the caller may send a recovery mail to this address.
    pub eligible: bool,
    /// Why; see the reason table in the README.
    pub reason: Reason,
    /// The domain's lifecycle stage; `unknown` when no status could be had.
    pub lifecycle: Lifecycle,
    /// The normalised part after `@`, in A-labels.
    #[schema(example = "mail.example.com")]
    pub email_domain: String,
    /// The registrable domain that was looked up.
    #[schema(example = "example.com")]
    pub domain: String,
    /// The registration date the registry reports.
    pub registered_at: Option<DateTime<Utc>>,
    /// The expiration date the registry reports.
    pub expires_at: Option<DateTime<Utc>>,
    /// When the status was last looked up successfully.
    pub checked_at: Option<DateTime<Utc>>,
    /// The latest time lapseguard saw this domain in any stage other than `active`.
    pub last_lapse_at: Option<DateTime<Utc>>,
    /// `live` when answered by a lookup made for this request, `cache` when from memory
    /// or the store.
    pub source: Source,
    /// Which source's observation the status rests on: `rdap`, `fastly` or `dns`; null
    /// when nothing is known.
    pub evidence: Option<EvidenceSource>,
    /// True when the status is older than the freshness limit because a live lookup failed.
    pub stale: bool,
}

impl CheckResponse {
    pub fn new(query: &CheckQuery, assessment: Assessment) -> Self {
        let status = assessment.status.as_ref();
        Self {
            eligible: assessment.verdict.eligible,
            reason: assessment.verdict.reason,
            lifecycle: status.map_or(Lifecycle::Unknown, |s| s.lifecycle),
            email_domain: query.email_domain.to_string(),
            domain: query.domain.to_string(),
            registered_at: status.and_then(|s| s.registered_at),
            expires_at: status.and_then(|s| s.expires_at),
            checked_at: status.map(|s| s.checked_at),
            last_lapse_at: status.and_then(|s| s.last_lapse_at),
            source: assessment.source,
            evidence: status.map(|s| s.evidence),
            stale: assessment.stale,
        }
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
) -> Result<Json<CheckResponse>, ApiError> {
    let started = std::time::Instant::now();
    let query = CheckQuery::parse(request, app.clock.now())?;
    let assessment = app.checker.check(&query.domain, query.verified_at).await;
    let response = CheckResponse::new(&query, assessment);
    metrics::check_answered(
        response.reason.as_str(),
        response.source.as_str(),
        started.elapsed(),
    );
    Ok(Json(response))
}
