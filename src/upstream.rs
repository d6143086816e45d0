//! The evidence seam: what a source of registration evidence answers, and how a lookup
//! fails, whatever the source. The sources: RDAP (`rdap.rs`, with its server list in
//! `bootstrap.rs`), Fastly's status API (`fastly.rs`) and DNS (`dns.rs`). Another is a
//! new file implementing [`Lookup`] plus an entry in [`Sources`] where `app.rs`
//! assembles them.

pub mod bootstrap;
pub mod breaker;
pub mod dns;
pub mod fastly;
pub mod http;
pub mod pacer;
pub mod rdap;
pub mod trust;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use thiserror::Error;
use url::Url;

use self::bootstrap::{BootstrapSource, SupplementSource};
use self::dns::DnsSettings;
use self::fastly::FastlySettings;
use crate::upstream::pacer::HostRates;

use crate::domain::decision::Reason;
use crate::domain::delegation::Delegation;
use crate::domain::delegation::MailRoute;
use crate::domain::name::RegistrableDomain;
use crate::domain::status::{EvidenceSource, Flags, Registration};

/// How lapseguard talks to the world.
#[derive(Debug, Clone)]
pub struct UpstreamSettings {
    /// `LAPSEGUARD_RDAP_BOOTSTRAP`: a file path or an http(s) URL; default the embedded
    /// snapshot.
    pub bootstrap: BootstrapSource,
    /// `LAPSEGUARD_RDAP_BOOTSTRAP_RELOAD_SECONDS`: how often a bootstrap URL is fetched
    /// again (a failed fetch keeps the table in use).
    pub bootstrap_reload: Duration,
    /// When checks stop asking a failing host, and for how long.
    pub breaker: breaker::BreakerSettings,
    /// `LAPSEGUARD_RDAP_SERVERS`: `tld=base_url` overrides that win over the bootstrap.
    pub rdap_servers: Vec<(String, Url)>,
    /// `LAPSEGUARD_RDAP_SUPPLEMENT`: RDAP servers IANA's file lacks (`on`: the shipped
    /// `data/rdap-supplement.json`; `off`; or a file path). IANA's file wins over it.
    pub supplement: SupplementSource,
    /// `LAPSEGUARD_RDAP_HOST_RATE`: requests per second per upstream host (with the DNS
    /// resolver's and Fastly's rates).
    pub host_rates: HostRates,
    /// `LAPSEGUARD_REQUEST_PACE_SHARE`: the part of each host's rate kept for checks.
    pub request_share: f64,
    /// `LAPSEGUARD_DNS` and the other `LAPSEGUARD_DNS_*` settings; `None` when off.
    pub dns: Option<DnsSettings>,
    /// Present when `LAPSEGUARD_FASTLY_API_KEY` is set.
    pub fastly: Option<FastlySettings>,
    /// `LAPSEGUARD_ALLOW_HTTP_UPSTREAMS`: permit plain-http upstreams (tests only).
    pub allow_http: bool,
    /// `LAPSEGUARD_LOOKUP_DEADLINE_MS`: the longest one lookup may take.
    pub lookup_deadline: Duration,
}

/// What a source said about a registrable domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The registry holds a registration (RDAP).
    Found(Registration),
    /// The source authoritative for the domain says it is not registered (RDAP 404).
    NotFound,
    /// A status service's flags, mapped to a lifecycle (Fastly).
    Flagged(Flags),
    /// Whether the name is in DNS.
    Delegation(Delegation),
}

/// Why no request went out: says nothing about the domain, and is not recorded.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum Skipped {
    #[error("no source knows a server for the domain's TLD")]
    NotCovered,
    #[error("the source's server list has not loaded yet")]
    NotReady,
    #[error("the upstream host is paused after a 429")]
    HostPaused {
        /// How long the pause still lasts.
        retry_in: Duration,
    },
    #[error("the upstream host is failing: checks do not ask it for a while")]
    CircuitOpen {
        /// How long the breaker stays open (zero while a probe is out).
        retry_in: Duration,
    },
}

/// Why a request that went out gave no answer: recorded, and says nothing about the
/// domain either.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum Failure {
    #[error("the upstream answered 429 Too Many Requests")]
    RateLimited,
    #[error("the upstream did not answer in time")]
    Timeout,
    #[error("the upstream answered HTTP {0}")]
    Status(u16),
    #[error("the upstream's response is larger than allowed")]
    TooLarge,
    #[error("the upstream's response cannot be read")]
    Malformed,
    #[error("the DNS server answered SERVFAIL or REFUSED")]
    ServerFailure,
    #[error("the status service gave only a best-effort answer")]
    Inconclusive,
    #[error("the upstream answered with an error document")]
    ErrorBody,
    #[error("the upstream could not be reached")]
    Transport,
    /// The resolver answered NXDOMAIN but has not shown lately that it tells the truth
    /// (see `upstream/trust.rs`): no lapse, no denial from it.
    #[error("the DNS resolver's NXDOMAIN is not trusted")]
    UntrustedResolver,
}

/// Why a lookup gave no answer about the domain.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum LookupError {
    #[error(transparent)]
    Skipped(#[from] Skipped),
    #[error(transparent)]
    Failed(#[from] Failure),
}

impl LookupError {
    /// The "no status" reason a check gives when this is why nothing is known.
    pub fn reason(&self) -> Reason {
        match self {
            Self::Skipped(Skipped::NotCovered) => Reason::DomainNotCovered,
            _ => Reason::DomainStatusUnavailable,
        }
    }

    /// Short stable code, kept in the observation history.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Skipped(Skipped::NotCovered) => "not_covered",
            Self::Skipped(Skipped::NotReady) => "bootstrap_not_loaded",
            Self::Skipped(Skipped::HostPaused { .. }) => "host_paused",
            Self::Skipped(Skipped::CircuitOpen { .. }) => "circuit_open",
            Self::Failed(Failure::RateLimited) => "rate_limited",
            Self::Failed(Failure::Timeout) => "timeout",
            Self::Failed(Failure::Status(_)) => "upstream_status",
            Self::Failed(Failure::TooLarge) => "too_large",
            Self::Failed(Failure::Malformed) => "malformed",
            Self::Failed(Failure::ServerFailure) => "server_failure",
            Self::Failed(Failure::Inconclusive) => "inconclusive",
            Self::Failed(Failure::ErrorBody) => "error_body",
            Self::Failed(Failure::Transport) => "transport",
            Self::Failed(Failure::UntrustedResolver) => "untrusted_resolver",
        }
    }

    /// The HTTP status the upstream answered with, if it answered.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Self::Failed(Failure::RateLimited) => Some(429),
            Self::Failed(Failure::Status(status)) => Some(*status),
            _ => None,
        }
    }

    /// Whether a request went out: only those are lookups worth a history row.
    pub fn reached_upstream(&self) -> bool {
        matches!(self, Self::Failed(_))
    }
}

/// Looks up a registrable domain's registration at one source. The seam the checker, the
/// scheduler and tests use.
#[async_trait]
pub trait Lookup: Send + Sync {
    /// Which source this is: kept on every observation it produces.
    fn source(&self) -> EvidenceSource;

    async fn lookup(&self, domain: &RegistrableDomain) -> Result<Answer, LookupError>;

    /// The upstream host (`name:port`) that answers for the domain: requests are paced
    /// per host.
    fn host_of(&self, domain: &RegistrableDomain) -> Result<String, Skipped>;

    /// Where mail for `mail_domain` (a host name, as written after `@`) is delivered:
    /// DNS only; the other sources cannot say.
    async fn mail_route(&self, _mail_domain: &str) -> Result<MailRoute, LookupError> {
        Err(Skipped::NotCovered.into())
    }
}

/// The evidence sources: registry sources in order of preference (each domain is asked of
/// the first that covers its TLD), and DNS, asked about every domain. Adding a source is
/// one more entry where `app.rs` builds this.
pub struct Sources {
    registries: Vec<Arc<dyn Lookup>>,
    dns: Option<Arc<dyn Lookup>>,
}

impl Sources {
    pub fn new(registries: Vec<Arc<dyn Lookup>>, dns: Option<Arc<dyn Lookup>>) -> Self {
        Self { registries, dns }
    }

    /// DNS, unless it is off.
    pub fn dns(&self) -> Option<&dyn Lookup> {
        self.dns.as_deref()
    }

    /// The registry source that answers for the domain.
    pub fn for_domain(&self, domain: &RegistrableDomain) -> Result<&dyn Lookup, Skipped> {
        for source in &self.registries {
            match source.host_of(domain) {
                Err(Skipped::NotCovered) => continue,
                _ => return Ok(source.as_ref()),
            }
        }
        Err(Skipped::NotCovered)
    }

    /// The upstream host (`name:port`) that answers for the domain, for pacing.
    pub fn host_of(&self, domain: &RegistrableDomain) -> Result<String, Skipped> {
        self.for_domain(domain)?.host_of(domain)
    }
}

/// An upstream URL: https, or http only when explicitly allowed (tests).
pub fn upstream_url(text: &str, allow_http: bool) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("{text:?}: {e}"))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if allow_http => Ok(url),
        "http" => Err(format!(
            "{text:?} is plain http; use https (LAPSEGUARD_ALLOW_HTTP_UPSTREAMS=true is for tests)"
        )),
        other => Err(format!("scheme {other:?} is not https")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source that covers one TLD and answers "not found" there.
    struct Covers(&'static str);

    #[async_trait]
    impl Lookup for Covers {
        fn source(&self) -> EvidenceSource {
            EvidenceSource::Rdap
        }

        async fn lookup(&self, _domain: &RegistrableDomain) -> Result<Answer, LookupError> {
            Ok(Answer::NotFound)
        }

        fn host_of(&self, domain: &RegistrableDomain) -> Result<String, Skipped> {
            match domain.as_str().ends_with(self.0) {
                true => Ok(format!("rdap{}:443", self.0)),
                false => Err(Skipped::NotCovered),
            }
        }
    }

    fn name(text: &str) -> RegistrableDomain {
        RegistrableDomain::parse(text).expect("valid")
    }

    #[test]
    fn each_domain_goes_to_the_first_source_that_covers_it() {
        let covers: Vec<Arc<dyn Lookup>> = vec![Arc::new(Covers(".com")), Arc::new(Covers(".de"))];
        let sources = Sources::new(covers, None);
        assert_eq!(
            sources.host_of(&name("example.com")).as_deref(),
            Ok("rdap.com:443")
        );
        assert_eq!(
            sources.host_of(&name("example.de")).as_deref(),
            Ok("rdap.de:443")
        );
        assert_eq!(
            sources.host_of(&name("example.it")),
            Err(Skipped::NotCovered)
        );
    }
}
