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
use crate::http::timestamps;

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
    /// The ownership signals that hold for the domain (transfers, parking or sale
    /// nameservers, ...; see the README), each with when it began. Signals from before
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

impl CheckResponse {
    /// The answer as JSON, byte for byte what the `Serialize` derive writes (a unit test
    /// holds the two together), but written straight into a buffer sized for it: the keys
    /// are constants, the enums their fixed strings, the timestamps formatted without
    /// chrono's per-character path. This halved the cost of the recovery check's answer,
    /// the hottest line of the service (`benches/check_instructions.sh`).
    pub fn to_json(&self) -> Vec<u8> {
        fn string(out: &mut Vec<u8>, text: &str) {
            // Domains are A-labels and the enums snake case: nothing to escape, but the
            // escaping is serde's, so that it stays right whatever reaches here.
            let _ = serde_json::to_writer(&mut *out, text);
        }
        fn timestamp(out: &mut Vec<u8>, key: &[u8], time: Option<DateTime<Utc>>) {
            out.extend_from_slice(key);
            match time {
                Some(time) => timestamps::write_json(&time, out),
                None => out.extend_from_slice(b"null"),
            }
        }
        let mut out = Vec::with_capacity(512);
        out.extend_from_slice(if self.eligible {
            b"{\"eligible\":true,\"reason\":"
        } else {
            b"{\"eligible\":false,\"reason\":"
        });
        string(&mut out, self.reason.as_str());
        out.extend_from_slice(b",\"lifecycle\":");
        string(&mut out, self.lifecycle.as_str());
        out.extend_from_slice(b",\"email_domain\":");
        string(&mut out, &self.email_domain);
        out.extend_from_slice(b",\"domain\":");
        string(&mut out, &self.domain);
        timestamp(&mut out, b",\"registered_at\":", self.registered_at);
        timestamp(&mut out, b",\"expires_at\":", self.expires_at);
        timestamp(&mut out, b",\"checked_at\":", self.checked_at);
        timestamp(&mut out, b",\"last_lapse_at\":", self.last_lapse_at);
        out.extend_from_slice(b",\"source\":");
        string(&mut out, self.source.as_str());
        out.extend_from_slice(b",\"evidence\":");
        match self.evidence {
            Some(evidence) => string(&mut out, evidence.as_str()),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(if self.stale {
            b",\"stale\":true"
        } else {
            b",\"stale\":false"
        });
        out.extend_from_slice(b",\"signals\":");
        if self.signals.is_empty() {
            out.extend_from_slice(b"[]");
        } else {
            let _ = serde_json::to_writer(&mut out, &self.signals);
        }
        out.push(b'}');
        out
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use crate::domain::signals::Signal;

    use super::*;

    fn response(eligible: bool, reason: Reason, lifecycle: Lifecycle) -> CheckResponse {
        CheckResponse {
            eligible,
            reason,
            lifecycle,
            email_domain: "mail.example.co.uk".into(),
            domain: "example.co.uk".into(),
            registered_at: None,
            expires_at: None,
            checked_at: None,
            last_lapse_at: None,
            source: Source::Cache,
            evidence: None,
            stale: false,
            signals: vec![],
        }
    }

    #[test]
    fn the_written_answer_is_what_serde_writes() {
        let reasons = [
            Reason::DomainTransferredAfterExpiry,
            Reason::DomainActive,
            Reason::DomainInGracePeriod,
            Reason::DomainInRedemptionPeriod,
            Reason::DomainPendingDelete,
            Reason::DomainOnHold,
            Reason::DomainInactive,
            Reason::DomainExpired,
            Reason::DomainUnregistered,
            Reason::DomainReregistered,
            Reason::DomainRecentlyRegistered,
            Reason::DomainLapsedSinceVerification,
            Reason::DomainNotCovered,
            Reason::DomainUnderSharedSuffix,
            Reason::DomainStatusUnavailable,
            Reason::OverrideAllow,
            Reason::OverrideDeny,
        ];
        let time = Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).unwrap();
        let mut cases = Vec::new();
        for (i, reason) in reasons.into_iter().enumerate() {
            let lifecycle = Lifecycle::ALL[i % Lifecycle::ALL.len()];
            cases.push(response(i % 2 == 0, reason, lifecycle));
        }
        for (i, evidence) in EvidenceSource::ALL.into_iter().enumerate() {
            let mut full = response(true, Reason::DomainActive, Lifecycle::Active);
            full.registered_at = Some(time);
            full.expires_at = Some(time + chrono::Duration::nanoseconds(123_456_789));
            full.checked_at = Some(time + chrono::Duration::milliseconds(250 * i as i64));
            full.last_lapse_at = Some(time - chrono::Duration::days(400));
            full.source = if i % 2 == 0 {
                Source::Live
            } else {
                Source::Cache
            };
            full.evidence = Some(evidence);
            full.stale = i % 2 == 1;
            cases.push(full);
        }
        let mut signalled = response(false, Reason::DomainForSale, Lifecycle::Active);
        signalled.signals = vec![
            SignalState {
                signal: Signal::ForSale,
                since: time,
                evidence: "nameserver ns1.dan.com".into(),
                seen_at: time,
                published: true,
            },
            SignalState {
                signal: Signal::TransferredSinceVerified,
                since: time + chrono::Duration::milliseconds(5),
                evidence: "registrar 292 -> 1068".into(),
                seen_at: time,
                published: false,
            },
        ];
        cases.push(signalled);
        let mut odd = response(false, Reason::DomainExpired, Lifecycle::Expired);
        odd.domain = "quote\"back\\slash\u{1}.example".into();
        odd.expires_at = Some(Utc.with_ymd_and_hms(12_345, 6, 7, 8, 9, 10).unwrap());
        cases.push(odd);
        for case in cases {
            let written = String::from_utf8(case.to_json()).expect("JSON is UTF-8");
            let reference = serde_json::to_string(&case).expect("serialises");
            assert_eq!(written, reference);
        }
    }
}
