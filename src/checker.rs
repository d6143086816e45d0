//! The recovery check's request path: memory cache, then store, then a live RDAP lookup
//! bounded by the deadline, then the stored status marked stale, then the unknown policy.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use moka::Expiry;
use moka::future::Cache;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::decision::{Policy, Reason, Verdict};
use crate::domain::name::RegistrableDomain;
use crate::domain::status::DomainStatus;
use crate::observer::Observer;
use crate::store::Recorded;
use crate::upstream::rdap::LookupError;

/// Where an answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A live RDAP lookup made for this request (or attempted, when nothing is known).
    Rdap,
    /// Memory or the store.
    Cache,
}

/// A decision with the status behind it.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub verdict: Verdict,
    /// The status decided on; `None` for the two "no status" reasons.
    pub status: Option<DomainStatus>,
    pub source: Source,
    /// The status is older than the freshness limit: a live lookup failed.
    pub stale: bool,
}

/// The knobs of the request path.
#[derive(Debug, Clone, Copy)]
pub struct CheckSettings {
    pub max_status_age: Duration,
    pub cache_capacity: u64,
    pub policy: Policy,
}

/// A status fresh enough to answer from, as cached in memory.
#[derive(Debug)]
struct Known {
    status: DomainStatus,
    /// How long it stays fresh from the moment it was loaded: its cache lifetime.
    fresh_for: Duration,
    /// It came from a live lookup, not from the store.
    live: bool,
}

/// Why no fresh status could be had.
#[derive(Debug)]
struct Missing {
    stored: Option<DomainStatus>,
    cause: LookupError,
}

/// Each cache entry lives exactly as long as its status stays fresh.
struct UntilStale;

impl Expiry<RegistrableDomain, Arc<Known>> for UntilStale {
    fn expire_after_create(
        &self,
        _key: &RegistrableDomain,
        value: &Arc<Known>,
        _created_at: Instant,
    ) -> Option<Duration> {
        Some(value.fresh_for)
    }
}

pub struct Checker {
    observer: Arc<Observer>,
    cache: Cache<RegistrableDomain, Arc<Known>>,
    settings: CheckSettings,
}

impl Checker {
    pub fn new(observer: Arc<Observer>, settings: CheckSettings) -> Self {
        let cache = Cache::builder()
            .max_capacity(settings.cache_capacity)
            .expire_after(UntilStale)
            .build();
        Self {
            observer,
            cache,
            settings,
        }
    }

    /// Decides whether a recovery mail may go to an address on `domain`. Concurrent
    /// checks of one uncached domain share one load, and so one upstream request.
    pub async fn check(
        &self,
        domain: &RegistrableDomain,
        verified_at: Option<DateTime<Utc>>,
    ) -> Assessment {
        let loaded = self
            .cache
            .entry_by_ref(domain)
            .or_try_insert_with(self.load(domain))
            .await;
        let now = self.observer.clock().now();
        let policy = &self.settings.policy;
        match loaded {
            Ok(entry) => {
                let source = if entry.is_fresh() && entry.value().live {
                    Source::Rdap
                } else {
                    Source::Cache
                };
                let known = entry.into_value();
                Assessment {
                    verdict: policy.decide(&known.status, verified_at, now),
                    status: Some(known.status.clone()),
                    source,
                    stale: false,
                }
            }
            Err(missing) => match &missing.stored {
                Some(stored) => Assessment {
                    verdict: policy.decide(stored, verified_at, now),
                    status: Some(stored.clone()),
                    source: Source::Cache,
                    stale: true,
                },
                None => {
                    let reason = if missing.cause == LookupError::NotCovered {
                        Reason::DomainNotCovered
                    } else {
                        Reason::DomainStatusUnavailable
                    };
                    Assessment {
                        verdict: policy.decide_unknown(reason),
                        status: None,
                        source: Source::Rdap,
                        stale: false,
                    }
                }
            },
        }
    }

    /// Store first; past the freshness limit, a live lookup whose result is recorded.
    async fn load(&self, domain: &RegistrableDomain) -> Result<Arc<Known>, Missing> {
        let max_age = chrono::Duration::from_std(self.settings.max_status_age)
            .expect("the configuration bounds it to ten years");
        let stored = self.observer.store().status(domain).await.unwrap_or_else(|error| {
            tracing::error!(domain = %domain, error = %error, "reading the stored status failed");
            None
        });
        let now = self.observer.clock().now();
        if let Some(status) = stored.as_ref().filter(|s| s.is_fresh(now, max_age)) {
            return Ok(Arc::new(Known {
                fresh_for: status.fresh_for(now, max_age).to_std().unwrap_or_default(),
                status: status.clone(),
                live: false,
            }));
        }

        match self.observer.observe(domain, stored.as_ref()).await {
            Ok(Recorded {
                status: Some(status),
                ..
            }) => Ok(Arc::new(Known {
                fresh_for: status
                    .fresh_for(self.observer.clock().now(), max_age)
                    .to_std()
                    .unwrap_or_default(),
                status,
                live: true,
            })),
            Err(cause) => Err(Missing { stored, cause }),
            // A successful observation always yields a status; kept total all the same.
            Ok(Recorded { status: None, .. }) => Err(Missing {
                stored,
                cause: LookupError::Malformed,
            }),
        }
    }
}
