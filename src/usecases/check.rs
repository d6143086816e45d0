//! The recovery check's use case: a request validated into a `CheckQuery` (the address
//! reduced to its domains), decided by the checker, answered as a `CheckResponse`. The
//! JSON API's handlers (`http/check.rs`) and the batch (`usecases/batch.rs`) call it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::checker::{Assessment, Checker, Source, Target};
use crate::domain::decision::Reason;
use crate::domain::lifecycle::Lifecycle;
use crate::domain::name::{EmailDomain, RegistrableDomain};
use crate::domain::signals::SignalState;
use crate::domain::status::EvidenceSource;
use crate::error::ApiError;

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
    /// The forms of the address's domain to judge: the UTS 46 one, then the IDNA2003
    /// (transitional) one when it differs (`faß.de` is mailed to `fass.de` by Python's
    /// `idna` codec).
    pub targets: Vec<Target>,
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
        let mut targets = vec![Target::of(EmailDomain::from_address(&request.email)?)?];
        if let Some(transitional) = EmailDomain::transitional_of_address(&request.email)? {
            targets.push(Target::of(transitional)?);
        }
        Ok(Self {
            targets,
            verified_at,
        })
    }

    /// Decides, and answers with the form and the domain that decided.
    pub async fn decide(&self, checker: &Checker) -> CheckResponse {
        let judged = checker.check_targets(&self.targets, self.verified_at).await;
        CheckResponse::new(&judged.email_domain, &judged.domain, judged.assessment)
    }

    /// [`CheckQuery::decide`] within a given deadline (a batch's).
    pub async fn decide_by(
        &self,
        checker: &Checker,
        deadline: std::time::Instant,
    ) -> CheckResponse {
        let judged = checker
            .check_targets_by(&self.targets, self.verified_at, deadline)
            .await;
        CheckResponse::new(&judged.email_domain, &judged.domain, judged.assessment)
    }
}

/// The decision and the status it rests on.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckResponse {
    /// Whether the caller may send a recovery mail to this address.
    pub eligible: bool,
    /// Why; see the reason table in docs/integrating.md.
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
    /// The ownership signals that hold for the domain (transfers, parking or sale
    /// nameservers, ...; see docs/integrating.md), each with when it began. Signals from before
    /// `verified_at` are forgiven and not listed; ignored ones are never listed. Empty
    /// when none.
    pub signals: Vec<SignalState>,
}

impl CheckResponse {
    pub fn new(
        email_domain: &EmailDomain,
        domain: &RegistrableDomain,
        assessment: Assessment,
    ) -> Self {
        let status = assessment.status.as_ref();
        Self {
            eligible: assessment.verdict.eligible,
            reason: assessment.verdict.reason,
            lifecycle: status.map_or(Lifecycle::Unknown, |s| s.lifecycle),
            email_domain: email_domain.as_str().to_owned(),
            domain: domain.as_str().to_owned(),
            registered_at: status.and_then(|s| s.registered_at),
            expires_at: status.and_then(|s| s.expires_at),
            checked_at: status.map(|s| s.checked_at),
            last_lapse_at: status.and_then(|s| s.last_lapse_at),
            source: assessment.source,
            evidence: status.map(|s| s.evidence),
            stale: assessment.stale,
            signals: assessment.signals,
        }
    }
}
