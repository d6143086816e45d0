//! RDAP (RFC 9082, 9083): one domain query to the registry's server, with the safety
//! rails of a security service: https only unless allowed, at most 3 redirects, at most
//! 1 MiB of response, and a per-host pause after a 429 instead of a sleep.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, DATE, HeaderMap, RETRY_AFTER};
use serde::Deserialize;
use url::Url;

use super::bootstrap::{
    Bootstrap, BootstrapError, BootstrapSlot, BootstrapSource, EMBEDDED_BOOTSTRAP,
    MAX_BOOTSTRAP_BYTES,
};
use super::{Answer, Failure, Lookup, LookupError, Skipped};
use crate::domain::lifecycle::normalise_status;
use crate::domain::name::RegistrableDomain;
use crate::domain::status::{EvidenceSource, Registration};

/// Larger answers are refused: a domain object is a few KiB.
pub const MAX_RESPONSE_BYTES: usize = 1 << 20;
const MAX_REDIRECTS: usize = 3;
/// How long a host is paused after a 429 without a usable `Retry-After`.
const DEFAULT_PAUSE: Duration = Duration::from_secs(60);
/// A `Retry-After` beyond this is taken as this: a typo upstream must not stop us for a year.
const MAX_PAUSE: Duration = Duration::from_secs(24 * 60 * 60);

/// An HTTP client for RDAP servers that remembers which hosts asked it to wait.
pub struct UpstreamHttp {
    http: reqwest::Client,
    paused_until: Mutex<HashMap<String, Instant>>,
}

impl UpstreamHttp {
    /// `timeout` bounds one whole request; `allow_http` permits plain-http servers and
    /// redirects (tests only).
    pub fn new(allow_http: bool, timeout: Duration) -> Result<Self, reqwest::Error> {
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            let scheme_allowed = match attempt.url().scheme() {
                "https" => true,
                "http" => allow_http,
                _ => false,
            };
            if attempt.previous().len() > MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else if !scheme_allowed {
                attempt.error("redirect to a disallowed scheme")
            } else {
                attempt.follow()
            }
        });
        let http = reqwest::Client::builder()
            .redirect(redirects)
            .timeout(timeout)
            .connect_timeout(timeout)
            .https_only(!allow_http)
            .user_agent(concat!("lapseguard/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            paused_until: Mutex::new(HashMap::new()),
        })
    }

    /// `GET {base}domain/{a-label}`.
    pub async fn fetch_domain(
        &self,
        base: &Url,
        domain: &RegistrableDomain,
    ) -> Result<Answer, LookupError> {
        let url = base
            .join(&format!("domain/{}", domain.as_str()))
            .map_err(|_| Failure::Transport)?;
        let host = host_key(&url);
        let accept = "application/rdap+json, application/json;q=0.8";
        let response = self.get(url, &[(ACCEPT.as_str(), accept)]).await?;
        match response.status() {
            // A 404 proves absence only when the selected registry server said it, not a
            // redirector or a registrar it sent us to.
            StatusCode::NOT_FOUND if host_key(response.url()) == host => Ok(Answer::NotFound),
            status if !status.is_success() => Err(Failure::Status(status.as_u16()).into()),
            _ => {
                let body = read_capped(response, MAX_RESPONSE_BYTES).await?;
                parse_domain(&body).map(Answer::Found).map_err(Into::into)
            }
        }
    }

    /// Sends a GET with the given headers, unless the URL's host is paused after a 429;
    /// a 429 pauses the host (for its `Retry-After`, bounded) and is a failure.
    pub async fn get(
        &self,
        url: Url,
        headers: &[(&str, &str)],
    ) -> Result<reqwest::Response, LookupError> {
        let host = host_key(&url);
        if let Some(retry_in) = self.paused_for(&host) {
            return Err(Skipped::HostPaused { retry_in }.into());
        }
        let mut request = self.http.get(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.map_err(transport_error)?;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            self.pause(host, retry_after(response.headers()));
            return Err(Failure::RateLimited.into());
        }
        Ok(response)
    }

    /// Fetches a document (the bootstrap file) with a size cap.
    pub async fn fetch_document(&self, url: &Url, max_bytes: usize) -> Result<Vec<u8>, Failure> {
        let response = self
            .http
            .get(url.clone())
            .send()
            .await
            .map_err(transport_error)?;
        if !response.status().is_success() {
            return Err(Failure::Status(response.status().as_u16()));
        }
        read_capped(response, max_bytes).await
    }

    /// Reads and parses the bootstrap file, fetching it when it is a URL.
    pub async fn load_bootstrap(
        &self,
        source: &BootstrapSource,
        allow_http: bool,
    ) -> Result<Bootstrap, BootstrapError> {
        match source {
            BootstrapSource::Embedded => Bootstrap::from_json(EMBEDDED_BOOTSTRAP, allow_http),
            BootstrapSource::File(path) => {
                Bootstrap::from_json(&tokio::fs::read_to_string(path).await?, allow_http)
            }
            BootstrapSource::Url(url) => {
                let bytes = self.fetch_document(url, MAX_BOOTSTRAP_BYTES).await?;
                Bootstrap::from_json(&String::from_utf8_lossy(&bytes), allow_http)
            }
        }
    }

    /// How long the host stays paused, if it is.
    fn paused_for(&self, host: &str) -> Option<Duration> {
        let mut paused = self.paused_until.lock().unwrap_or_else(|e| e.into_inner());
        let until = *paused.get(host)?;
        let left = until.checked_duration_since(Instant::now());
        if left.is_none() {
            paused.remove(host);
        }
        left
    }

    fn pause(&self, host: String, duration: Duration) {
        tracing::warn!(upstream_host = %host, pause_seconds = duration.as_secs(), "upstream host rate-limited us; pausing it");
        let mut paused = self.paused_until.lock().unwrap_or_else(|e| e.into_inner());
        paused.insert(host, Instant::now() + duration);
    }
}

/// RDAP lookups through the bootstrap table.
pub struct RdapLookup {
    bootstrap: Arc<BootstrapSlot>,
    client: Arc<UpstreamHttp>,
}

impl RdapLookup {
    pub fn new(bootstrap: Arc<BootstrapSlot>, client: Arc<UpstreamHttp>) -> Self {
        Self { bootstrap, client }
    }
}

impl RdapLookup {
    fn base_url(&self, domain: &RegistrableDomain) -> Result<Url, Skipped> {
        let table = self.bootstrap.get().ok_or(Skipped::NotReady)?;
        table
            .base_url_for(domain)
            .cloned()
            .ok_or(Skipped::NotCovered)
    }
}

#[async_trait]
impl Lookup for RdapLookup {
    fn source(&self) -> EvidenceSource {
        EvidenceSource::Rdap
    }

    async fn lookup(&self, domain: &RegistrableDomain) -> Result<Answer, LookupError> {
        let base = self.base_url(domain)?;
        self.client.fetch_domain(&base, domain).await
    }

    fn host_of(&self, domain: &RegistrableDomain) -> Result<String, Skipped> {
        self.base_url(domain).map(|url| host_key(&url))
    }
}

/// The pacer's and the pause's key for a URL: `name:port`.
pub fn host_key(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or_default()
    )
}

fn transport_error(error: reqwest::Error) -> Failure {
    if error.is_timeout() {
        Failure::Timeout
    } else {
        tracing::debug!(error = %error, "RDAP transport error");
        Failure::Transport
    }
}

/// `Retry-After` as delay-seconds, or an HTTP date taken relative to the response's
/// `Date` (without one, the default pause); bounded.
fn retry_after(headers: &HeaderMap) -> Duration {
    let Some(value) = headers.get(RETRY_AFTER).and_then(|v| v.to_str().ok()) else {
        return DEFAULT_PAUSE;
    };
    let value = value.trim();
    let pause = if let Ok(seconds) = value.parse::<u64>() {
        Duration::from_secs(seconds)
    } else if let Ok(until) = DateTime::parse_from_rfc2822(value) {
        // Measured against the server's own `Date`, so that clock skew does not matter.
        match headers
            .get(DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|d| DateTime::parse_from_rfc2822(d.trim()).ok())
        {
            Some(sent) => (until - sent).to_std().unwrap_or(Duration::ZERO),
            None => DEFAULT_PAUSE,
        }
    } else {
        DEFAULT_PAUSE
    };
    pause.clamp(Duration::from_secs(1), MAX_PAUSE)
}

pub async fn read_capped(mut response: reqwest::Response, max: usize) -> Result<Vec<u8>, Failure> {
    if response
        .content_length()
        .is_some_and(|length| length > max as u64)
    {
        return Err(Failure::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
        if body.len() + chunk.len() > max {
            return Err(Failure::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[derive(Deserialize)]
struct DomainObject {
    #[serde(rename = "objectClassName")]
    object_class_name: String,
    #[serde(default)]
    status: Vec<String>,
    #[serde(default)]
    events: Vec<Event>,
}

#[derive(Deserialize)]
struct Event {
    #[serde(rename = "eventAction")]
    action: String,
    #[serde(rename = "eventDate", default)]
    date: Option<String>,
}

/// Parses an RDAP domain object (RFC 9083 section 5.3): statuses and the dated events.
pub fn parse_domain(body: &[u8]) -> Result<Registration, Failure> {
    let object: DomainObject = serde_json::from_slice(body).map_err(|_| Failure::Malformed)?;
    if !object.object_class_name.eq_ignore_ascii_case("domain") {
        return Err(Failure::Malformed);
    }
    let mut record = Registration {
        statuses: object.status.iter().map(|s| normalise_status(s)).collect(),
        ..Registration::default()
    };
    for event in object.events {
        let action = normalise_status(&event.action);
        let slot = match action.as_str() {
            "registration" | "reregistration" => &mut record.registered_at,
            "expiration" => &mut record.expires_at,
            "last changed" => &mut record.last_changed_at,
            "transfer" => &mut record.transferred_at,
            _ => continue,
        };
        let Some(text) = event.date.as_deref() else {
            continue;
        };
        match parse_event_date(text) {
            // Several events of one kind: the latest one tells the current state.
            Some(date) => *slot = (*slot).max(Some(date)),
            // Kept, so that the decision knows a date was there and could not be read,
            // instead of acting as if the event were absent.
            None => {
                if !record.unreadable_dates.contains(&action) {
                    record.unreadable_dates.push(action);
                }
            }
        }
    }
    Ok(record)
}

/// The date forms real RDAP servers send: RFC 3339 (`Z`, `+00:00`, fractional seconds),
/// an offset without a colon (`+0000`, as MarkMonitor writes it), and no zone at all
/// (taken as UTC). Truncated to whole seconds, the precision the store keeps, so that a
/// date read again compares equal.
pub fn parse_event_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|naive| naive.and_utc())
        })
        .map(|date| date.trunc_subsecs(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_realistic_domain_object_parses() {
        let body = br#"{
            "objectClassName": "domain", "ldhName": "EXAMPLE.COM",
            "status": ["client transfer prohibited", "autoRenewPeriod"],
            "events": [
                {"eventAction": "registration", "eventDate": "1995-08-14T04:00:00.75Z"},
                {"eventAction": "expiration", "eventDate": "2027-08-13T04:00:00Z"},
                {"eventAction": "last changed", "eventDate": "2026-08-14T07:01:44"},
                {"eventAction": "last update of RDAP database", "eventDate": "2026-11-28T10:00:00Z"}
            ]
        }"#;
        let record = parse_domain(body).expect("parses");
        assert_eq!(
            record.statuses,
            ["client transfer prohibited", "auto renew period"]
        );
        assert_eq!(
            record.registered_at.map(|d| d.to_rfc3339()),
            Some("1995-08-14T04:00:00+00:00".to_owned())
        );
        assert!(record.expires_at.is_some());
        assert!(record.last_changed_at.is_some());
        assert_eq!(record.transferred_at, None);
        assert!(record.unreadable_dates.is_empty());
    }

    fn utc(text: &str) -> Option<String> {
        parse_event_date(text).map(|d| d.to_rfc3339())
    }

    const NOON: &str = "2025-03-20T07:00:00+00:00";

    #[test]
    fn an_event_date_with_z_reads() {
        assert_eq!(utc("2025-03-20T07:00:00Z").as_deref(), Some(NOON));
    }

    #[test]
    fn an_event_date_with_a_colon_offset_reads() {
        assert_eq!(utc("2025-03-20T07:00:00+00:00").as_deref(), Some(NOON));
        assert_eq!(utc("2025-03-20T09:00:00+02:00").as_deref(), Some(NOON));
    }

    #[test]
    fn an_event_date_with_an_offset_without_a_colon_reads() {
        // MarkMonitor's form.
        assert_eq!(utc("2025-03-20T07:00:00.000+0000").as_deref(), Some(NOON));
        assert_eq!(utc("2025-03-20T02:00:00-0500").as_deref(), Some(NOON));
    }

    #[test]
    fn an_event_date_with_fractional_seconds_reads() {
        assert_eq!(utc("2025-03-20T07:00:00.75Z").as_deref(), Some(NOON));
        assert_eq!(
            utc("2025-03-20T07:00:00.123456+00:00").as_deref(),
            Some(NOON)
        );
    }

    #[test]
    fn an_event_date_without_a_zone_reads_as_utc() {
        assert_eq!(utc("2025-03-20T07:00:00").as_deref(), Some(NOON));
        assert_eq!(utc(" 2025-03-20T07:00:00.5 ").as_deref(), Some(NOON));
    }

    #[test]
    fn an_unreadable_event_date_is_kept_on_the_record() {
        let body = br#"{
            "objectClassName": "domain",
            "status": ["active"],
            "events": [
                {"eventAction": "registration", "eventDate": "20th of March 2025"},
                {"eventAction": "expiration", "eventDate": "2027-03-20T07:00:00.000+0000"},
                {"eventAction": "last update of RDAP database", "eventDate": "soon"}
            ]
        }"#;
        let record = parse_domain(body).expect("parses");
        assert_eq!(record.registered_at, None);
        assert_eq!(record.unreadable_dates, ["registration"]);
        assert!(record.expires_at.is_some());
    }

    #[test]
    fn non_domain_objects_and_garbage_are_malformed() {
        assert_eq!(parse_domain(b"<html>"), Err(Failure::Malformed));
        assert_eq!(parse_domain(b"{}"), Err(Failure::Malformed));
        assert_eq!(
            parse_domain(br#"{"objectClassName":"entity"}"#),
            Err(Failure::Malformed)
        );
        assert_eq!(
            parse_domain(br#"{"objectClassName":"domain","status":"active"}"#),
            Err(Failure::Malformed)
        );
    }

    #[test]
    fn retry_after_takes_seconds_or_dates_and_is_bounded() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), DEFAULT_PAUSE);
        headers.insert(RETRY_AFTER, "120".parse().expect("header"));
        assert_eq!(retry_after(&headers), Duration::from_secs(120));
        headers.insert(RETRY_AFTER, "999999999".parse().expect("header"));
        assert_eq!(retry_after(&headers), MAX_PAUSE);
        headers.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().expect("header"),
        );
        assert_eq!(
            retry_after(&headers),
            DEFAULT_PAUSE,
            "no Date to measure from"
        );
        headers.insert(
            DATE,
            "Wed, 21 Oct 2015 07:26:00 GMT".parse().expect("header"),
        );
        assert_eq!(retry_after(&headers), Duration::from_secs(120));
        headers.insert(
            DATE,
            "Wed, 21 Oct 2015 07:30:00 GMT".parse().expect("header"),
        );
        assert_eq!(retry_after(&headers), Duration::from_secs(1), "a past date");
    }
}
