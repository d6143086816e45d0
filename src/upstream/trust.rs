//! Whether the resolver's NXDOMAIN may be believed. Captive networks, split-horizon and
//! sandbox resolvers answer NXDOMAIN for every name; read as "undelegated", that would
//! publish a lapse of every DNS-only domain and deny every check whose registry failed.
//!
//! So an NXDOMAIN counts as "undelegated" only when the same resolver, within the last
//! `LAPSEGUARD_DNS_TRUST_SECONDS`, answered the NS query for the name's TLD with a
//! non-empty NS set and resolved every name in `LAPSEGUARD_DNS_CANARIES`. Probes run at
//! most once per window per TLD (and once for the canaries), only when an NXDOMAIN needs
//! them: a check adds no query of its own. Concurrent checks of one TLD share its probe.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::telemetry::metrics;

/// `LAPSEGUARD_DNS_TRUST_SECONDS`, `LAPSEGUARD_DNS_CANARIES`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustSettings {
    /// A probe's answer holds this long.
    pub window: Duration,
    /// Names that must resolve (fully qualified or not; no trailing dot needed).
    pub canaries: Vec<String>,
}

impl Default for TrustSettings {
    fn default() -> Self {
        Self {
            window: Duration::from_secs(300),
            canaries: Vec::new(),
        }
    }
}

/// What a probe query found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probed {
    /// The name exists, with this many NS records (0: it exists without NS records).
    Exists { nameservers: usize },
    /// NXDOMAIN, or no answer at all.
    Missing,
}

/// One probe's verdict and when it was made.
#[derive(Debug, Clone, Copy)]
struct Probe {
    at: Instant,
    passed: bool,
}

type Slot = Arc<tokio::sync::Mutex<Option<Probe>>>;

const UNKNOWN: u8 = 0;
const TRUSTED: u8 = 1;
const UNTRUSTED: u8 = 2;

pub struct ResolverTrust {
    settings: TrustSettings,
    tlds: Mutex<HashMap<String, Slot>>,
    canaries: Slot,
    /// The latest probe's verdict, for `/readyz`, `/v1/stats` and the WARN line.
    state: AtomicU8,
}

impl ResolverTrust {
    pub fn new(settings: TrustSettings) -> Self {
        Self {
            settings,
            tlds: Mutex::default(),
            canaries: Slot::default(),
            state: AtomicU8::new(UNKNOWN),
        }
    }

    /// `None` before the first probe; else whether the latest one passed.
    pub fn trusted(&self) -> Option<bool> {
        match self.state.load(Ordering::Acquire) {
            TRUSTED => Some(true),
            UNTRUSTED => Some(false),
            _ => None,
        }
    }

    /// Whether an NXDOMAIN for a name under `tld` may be believed, asking `ask` (an NS
    /// query) when the window's probe is missing or old.
    pub async fn believes_nxdomain_under<F, Fut>(&self, tld: &str, ask: F) -> bool
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Probed>,
    {
        let canaries = self
            .probed(&self.canaries, || async {
                for canary in &self.settings.canaries {
                    let name = canary.trim_end_matches('.').to_owned();
                    if ask(name).await == Probed::Missing {
                        return false;
                    }
                }
                true
            })
            .await;
        let slot = {
            let mut tlds = self.tlds.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(tlds.entry(tld.to_owned()).or_default())
        };
        let tld_answers = self
            .probed(&slot, || async {
                matches!(ask(tld.to_owned()).await, Probed::Exists { nameservers } if nameservers > 0)
            })
            .await;
        let passed = canaries && tld_answers;
        self.settle(passed, tld);
        passed
    }

    /// The slot's probe, made anew when missing or older than the window.
    async fn probed<F, Fut>(&self, slot: &Slot, probe: F) -> bool
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = bool>,
    {
        let mut held = slot.lock().await;
        if let Some(known) = *held
            && known.at.elapsed() < self.settings.window
        {
            return known.passed;
        }
        let passed = probe().await;
        *held = Some(Probe {
            at: Instant::now(),
            passed,
        });
        passed
    }

    /// Keeps the latest verdict; one WARN line when it changes, not one per check.
    fn settle(&self, passed: bool, tld: &str) {
        let now = if passed { TRUSTED } else { UNTRUSTED };
        let before = self.state.swap(now, Ordering::AcqRel);
        metrics::dns_resolver_trusted(passed);
        if before == now {
            return;
        }
        if passed {
            if before == UNTRUSTED {
                tracing::warn!(
                    tld,
                    "the DNS resolver answers truthfully again: its NXDOMAIN answers count as undelegated"
                );
            }
        } else {
            tracing::warn!(
                tld,
                "the DNS resolver is not trusted: it did not answer the TLD's NS query (or a canary); its NXDOMAIN answers are not taken as lapses (see LAPSEGUARD_DNS_SERVERS, LAPSEGUARD_DNS_TRUST_SECONDS)"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn trust(canaries: &[&str]) -> ResolverTrust {
        ResolverTrust::new(TrustSettings {
            window: Duration::from_secs(300),
            canaries: canaries.iter().map(|c| (*c).to_owned()).collect(),
        })
    }

    #[tokio::test]
    async fn a_resolver_that_answers_the_tld_is_believed_and_asked_once_per_window() {
        let trust = trust(&[]);
        let asked = AtomicUsize::new(0);
        let ask = |_name: String| {
            asked.fetch_add(1, Ordering::Relaxed);
            async { Probed::Exists { nameservers: 4 } }
        };
        assert_eq!(trust.trusted(), None);
        for _ in 0..5 {
            assert!(trust.believes_nxdomain_under("it", ask).await);
        }
        assert_eq!(asked.load(Ordering::Relaxed), 1);
        assert_eq!(trust.trusted(), Some(true));
    }

    #[tokio::test]
    async fn a_resolver_that_denies_the_tld_or_a_canary_is_not() {
        let lying = trust(&[]);
        assert!(
            !lying
                .believes_nxdomain_under("it", |_| async { Probed::Missing })
                .await
        );
        assert_eq!(lying.trusted(), Some(false));
        // A TLD without NS records proves nothing either.
        let empty = trust(&[]);
        let ask = |_| async { Probed::Exists { nameservers: 0 } };
        assert!(!empty.believes_nxdomain_under("it", ask).await);
        // The TLD answers, a canary does not.
        let canary = trust(&["gmail.com"]);
        let ask = |name: String| async move {
            if name == "gmail.com" {
                Probed::Missing
            } else {
                Probed::Exists { nameservers: 2 }
            }
        };
        assert!(!canary.believes_nxdomain_under("it", ask).await);
    }
}
