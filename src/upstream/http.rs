//! The HTTP client every HTTP upstream shares (RDAP servers, the bootstrap URL, Fastly),
//! with the safety rails of a security service: https only unless allowed, at most 3
//! redirects, capped response sizes, a whole-request timeout, and a per-host pause after
//! a 429 instead of a sleep.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::DateTime;
use reqwest::StatusCode;
use reqwest::header::{DATE, HeaderMap, RETRY_AFTER};
use url::Url;

use super::{Failure, LookupError, Skipped};

/// Larger answers are refused: an RDAP domain object or a status answer is a few KiB.
pub const MAX_RESPONSE_BYTES: usize = 1 << 20;
const MAX_REDIRECTS: usize = 3;
/// How long a host is paused after a 429 without a usable `Retry-After`.
const DEFAULT_PAUSE: Duration = Duration::from_secs(60);
/// A `Retry-After` beyond this is taken as this: a typo upstream must not stop us for a year.
const MAX_PAUSE: Duration = Duration::from_secs(24 * 60 * 60);

/// The HTTP client for upstreams (RDAP servers, the bootstrap URL, Fastly) that
/// remembers which hosts asked it to wait.
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
            let private_literal = !allow_http
                && attempt.url().host().is_some_and(|host| match host {
                    url::Host::Ipv4(ip) => !is_public(IpAddr::V4(ip)),
                    url::Host::Ipv6(ip) => !is_public(IpAddr::V6(ip)),
                    url::Host::Domain(_) => false,
                });
            if attempt.previous().len() > MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else if !scheme_allowed {
                attempt.error("redirect to a disallowed scheme")
            } else if private_literal {
                attempt.error("redirect to a private address")
            } else {
                attempt.follow()
            }
        });
        let mut builder = reqwest::Client::builder();
        if !allow_http {
            // A host name (an upstream's, or a redirect's) that resolves only to loopback,
            // private, link-local or metadata addresses is refused before connecting.
            builder = builder.dns_resolver(Arc::new(PublicAddressesOnly));
        }
        let http = builder
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
        crate::telemetry::metrics::host_paused(&host, duration);
        let mut paused = self.paused_until.lock().unwrap_or_else(|e| e.into_inner());
        paused.insert(host, Instant::now() + duration);
    }

    /// The hosts paused now, with how long each stays paused: what this replica shares
    /// with the others (see `refresh/pauses.rs`).
    pub fn pauses(&self) -> Vec<(String, Duration)> {
        let now = Instant::now();
        let mut paused = self.paused_until.lock().unwrap_or_else(|e| e.into_inner());
        paused.retain(|_, until| *until > now);
        paused
            .iter()
            .map(|(host, until)| (host.clone(), until.saturating_duration_since(now)))
            .collect()
    }

    /// Pauses a host for `duration` from now, as another replica did after its 429; a
    /// longer pause already in place stays.
    pub fn adopt_pause(&self, host: &str, duration: Duration) {
        let until = Instant::now() + duration;
        let mut paused = self.paused_until.lock().unwrap_or_else(|e| e.into_inner());
        let entry = paused.entry(host.to_owned()).or_insert(until);
        if *entry < until {
            *entry = until;
        }
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

/// Whether an upstream may live at `ip`: not loopback, private (RFC 1918, unique local),
/// link-local (which holds cloud metadata services, `169.254.169.254`), shared (CGNAT),
/// unspecified, broadcast or documentation space; an IPv4-mapped IPv6 address is judged
/// as its IPv4 address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b)))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

/// The system resolver, keeping only public addresses (see [`is_public`]).
struct PublicAddressesOnly;

impl reqwest::dns::Resolve for PublicAddressesOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = format!("{}:0", name.as_str());
        Box::pin(async move {
            let found = tokio::net::lookup_host(host).await?;
            let public: Vec<std::net::SocketAddr> =
                found.filter(|address| is_public(address.ip())).collect();
            if public.is_empty() {
                return Err("the host resolves only to private addresses".into());
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The deepest JSON nesting an upstream's answer may have: deeper is a failure whatever
/// else it holds (RDAP and Fastly answers nest a handful of levels).
pub const MAX_JSON_DEPTH: usize = 64;

/// Whether `body`'s arrays and objects nest at most `max` deep (strings skipped); a scan
/// of the bytes, before any parser recurses into them.
pub fn nested_within(body: &[u8], max: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0_usize, false, false);
    for &byte in body {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return false;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    true
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_loopback_link_local_and_metadata_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(ip.parse().expect("ip")), "{ip}");
        }
        for ip in ["192.0.47.59", "2001:500:8f::53", "8.8.8.8"] {
            assert!(is_public(ip.parse().expect("ip")), "{ip}");
        }
    }

    #[test]
    fn nesting_is_measured_outside_strings() {
        let deep = format!("{}{}", "[".repeat(65), "]".repeat(65));
        assert!(!nested_within(deep.as_bytes(), MAX_JSON_DEPTH));
        let ok = format!("{}{}", "[".repeat(64), "]".repeat(64));
        assert!(nested_within(ok.as_bytes(), MAX_JSON_DEPTH));
        let quoted = format!(r#"{{"a": "{}\"{}"}}"#, "[".repeat(100), "{".repeat(100));
        assert!(nested_within(quoted.as_bytes(), MAX_JSON_DEPTH));
    }

    #[tokio::test]
    async fn a_host_name_that_resolves_to_loopback_is_refused() {
        use reqwest::dns::Resolve;
        let name: reqwest::dns::Name = "localhost".parse().expect("name");
        assert!(PublicAddressesOnly.resolve(name).await.is_err());
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
