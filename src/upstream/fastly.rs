//! Fastly's domain status API (formerly Domainr), for operators with a key: one
//! `GET {base}/domain-management/v1/tools/status?domain=NAME` with `Fastly-Key`, answering
//! `{"domain", "zone", "status", "tags"}` where `status` is space-separated flags, least
//! to most important. It answers for every TLD; lapseguard asks it for TLDs with no RDAP
//! server.
//!
//! How flags map to a lifecycle: the first row whose flags are present wins.
//!
//! | flags present | lifecycle | why |
//! |---|---|---|
//! | `deleting` | `pending_delete` | pending delete at the registry |
//! | `expiring` | `redemption` | expired, in redemption or grace |
//! | `inactive` | `unregistered` | available to register |
//! | `active` with `undelegated` | `inactive` | registered but not in DNS (hold, redemption at registries that do not say) |
//! | `active`, `parked`, `marketed` or `transferable` | `active` | registered |
//! | `reserved`, `disallowed`, `dpml`, `claimed`, `invalid`, `pending`, `premium`, `priced`, `suffix`, `zone` or `tld` | `unknown` | no registration to trust, none a stranger can take |
//! | only `unknown` and `undelegated` | a failed lookup (`inconclusive`), or `inactive` when DNS also answers NXDOMAIN | Fastly's best effort after a registry timeout |
//! | nothing usable | a failed lookup (`malformed`) | |
//!
//! An `errors` body, a 401 or any other non-success status is a failed lookup; a 429
//! pauses the host like an RDAP server's.

use std::sync::Arc;

use async_trait::async_trait;
use serde::Deserialize;
use url::Url;

use super::http::{MAX_RESPONSE_BYTES, UpstreamHttp, host_key, read_capped};
use super::{Answer, Failure, Lookup, LookupError, Skipped};
use crate::domain::lifecycle::Lifecycle;
use crate::domain::name::RegistrableDomain;
use crate::domain::status::{EvidenceSource, Flags};
use crate::secret::Secret;

/// Fastly's public API base.
pub const DEFAULT_URL: &str = "https://api.fastly.com/";

/// How lapseguard asks Fastly.
#[derive(Debug, Clone)]
pub struct FastlySettings {
    /// `LAPSEGUARD_FASTLY_API_KEY`.
    pub key: Secret<String>,
    /// `LAPSEGUARD_FASTLY_URL`: the API base.
    pub url: Url,
    /// `LAPSEGUARD_FASTLY_RATE`: requests per second.
    pub rate: f64,
}

/// What a flag list says, before any second opinion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    Lifecycle(Lifecycle),
    /// Only `unknown` or `undelegated`: Fastly's best effort, not an answer.
    BestEffort,
    /// No flag lapseguard knows.
    Unreadable,
}

/// The mapping table of the module documentation.
pub fn read_flags(flags: &[String]) -> Reading {
    let has = |names: &[&str]| flags.iter().any(|f| names.contains(&f.as_str()));
    if has(&["deleting"]) {
        Reading::Lifecycle(Lifecycle::PendingDelete)
    } else if has(&["expiring"]) {
        Reading::Lifecycle(Lifecycle::Redemption)
    } else if has(&["inactive"]) {
        Reading::Lifecycle(Lifecycle::Unregistered)
    } else if has(&["active"]) && has(&["undelegated"]) {
        Reading::Lifecycle(Lifecycle::Inactive)
    } else if has(&["active", "parked", "marketed", "transferable"]) {
        Reading::Lifecycle(Lifecycle::Active)
    } else if has(&[
        "reserved",
        "disallowed",
        "dpml",
        "claimed",
        "invalid",
        "pending",
        "premium",
        "priced",
        "suffix",
        "zone",
        "tld",
    ]) {
        Reading::Lifecycle(Lifecycle::Unknown)
    } else if !flags.is_empty() && flags.iter().all(|f| f == "unknown" || f == "undelegated") {
        Reading::BestEffort
    } else {
        Reading::Unreadable
    }
}

#[derive(Debug, Deserialize)]
struct StatusBody {
    status: Option<String>,
    #[serde(default)]
    errors: Option<serde_json::Value>,
}

pub struct FastlyLookup {
    settings: FastlySettings,
    http: Arc<UpstreamHttp>,
    /// Asked when Fastly gives only its best effort: NXDOMAIN confirms `undelegated`.
    dns: Option<Arc<dyn Lookup>>,
}

impl FastlyLookup {
    pub fn new(
        settings: FastlySettings,
        http: Arc<UpstreamHttp>,
        dns: Option<Arc<dyn Lookup>>,
    ) -> Self {
        Self {
            settings,
            http,
            dns,
        }
    }

    /// Whether DNS says the name is out of its zone.
    async fn dns_says_undelegated(&self, domain: &RegistrableDomain) -> bool {
        let Some(dns) = &self.dns else {
            return false;
        };
        matches!(dns.lookup(domain).await, Ok(Answer::Delegation(d)) if !d.delegated)
    }
}

#[async_trait]
impl Lookup for FastlyLookup {
    fn source(&self) -> EvidenceSource {
        EvidenceSource::Fastly
    }

    async fn lookup(&self, domain: &RegistrableDomain) -> Result<Answer, LookupError> {
        let mut url = self
            .settings
            .url
            .join("domain-management/v1/tools/status")
            .map_err(|_| Failure::Transport)?;
        url.query_pairs_mut().append_pair("domain", domain.as_str());
        let headers = [
            ("Fastly-Key", self.settings.key.expose().as_str()),
            ("Accept", "application/json"),
        ];
        let response = self.http.get(url, &headers).await?;
        let status = response.status();
        if !status.is_success() {
            return Err(Failure::Status(status.as_u16()).into());
        }
        let body = read_capped(response, MAX_RESPONSE_BYTES).await?;
        if !super::http::nested_within(&body, super::http::MAX_JSON_DEPTH) {
            return Err(Failure::Malformed.into());
        }
        let body: StatusBody = serde_json::from_slice(&body).map_err(|_| Failure::Malformed)?;
        if body.errors.is_some_and(|e| !e.is_null()) {
            return Err(Failure::ErrorBody.into());
        }
        let flags: Vec<String> = body
            .status
            .unwrap_or_default()
            .split_ascii_whitespace()
            .map(str::to_ascii_lowercase)
            .collect();
        let lifecycle = match read_flags(&flags) {
            Reading::Lifecycle(lifecycle) => lifecycle,
            Reading::BestEffort if self.dns_says_undelegated(domain).await => Lifecycle::Inactive,
            Reading::BestEffort => return Err(Failure::Inconclusive.into()),
            Reading::Unreadable => return Err(Failure::Malformed.into()),
        };
        Ok(Answer::Flagged(Flags { flags, lifecycle }))
    }

    /// Every domain but a name under a shared suffix: Fastly answers for zones, and for
    /// `victim.uk.com` it would describe `uk.com`'s.
    fn host_of(&self, domain: &RegistrableDomain) -> Result<String, Skipped> {
        if domain.shared_parent().is_some() {
            return Err(Skipped::NotCovered);
        }
        Ok(host_key(&self.settings.url))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Reading {
        let flags: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
        read_flags(&flags)
    }

    #[test]
    fn each_row_of_the_mapping_table() {
        use Lifecycle::*;
        let rows = [
            ("active deleting", Reading::Lifecycle(PendingDelete)),
            (
                "undelegated active expiring",
                Reading::Lifecycle(Redemption),
            ),
            ("undelegated inactive", Reading::Lifecycle(Unregistered)),
            ("undelegated active", Reading::Lifecycle(Inactive)),
            ("active", Reading::Lifecycle(Active)),
            ("active parked", Reading::Lifecycle(Active)),
            ("marketed priced transferable", Reading::Lifecycle(Active)),
            ("reserved", Reading::Lifecycle(Unknown)),
            ("undelegated disallowed", Reading::Lifecycle(Unknown)),
            ("unknown", Reading::BestEffort),
            ("undelegated", Reading::BestEffort),
            ("undelegated unknown", Reading::BestEffort),
            ("", Reading::Unreadable),
            ("shiny", Reading::Unreadable),
        ];
        for (flags, expected) in rows {
            assert_eq!(read(flags), expected, "flags {flags:?}");
        }
    }

    #[test]
    fn the_key_never_shows_in_debug_output() {
        let settings = FastlySettings {
            key: Secret::new("secret-key-123".to_owned()),
            url: Url::parse(DEFAULT_URL).expect("valid"),
            rate: 1.0,
        };
        assert!(!format!("{settings:?}").contains("secret-key-123"));
    }
}
