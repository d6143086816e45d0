//! `POST /check-recovery-eligible`: may a recovery mail go to this address?
//! `POST /v1/check-batch`: the same for up to 1,000 addresses. The use cases are
//! `usecases/check.rs` and `usecases/batch.rs`.

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

use super::{ApiJson, timestamps};
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

    use crate::checker::Source;
    use crate::domain::decision::Reason;
    use crate::domain::lifecycle::Lifecycle;
    use crate::domain::signals::{Signal, SignalState};
    use crate::domain::status::EvidenceSource;

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
