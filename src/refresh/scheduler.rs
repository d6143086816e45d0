//! The refresh scheduler: claims watched domains that are due, paces them per RDAP host,
//! caps lookups in flight, and lets the observer record what it finds (which also sets
//! each domain's next check; see `domain/schedule.rs`).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::domain::name::RegistrableDomain;
use crate::observer::Observer;
use crate::store::StoreError;
use crate::upstream::{LookupError, Skipped};

/// A claimed domain comes due again after this if the process dies before recording it.
pub const LEASE: chrono::Duration = chrono::Duration::minutes(10);
/// How far ahead a host's backlog may be paced in memory; beyond it, back to the database.
pub const HORIZON: chrono::Duration = chrono::Duration::seconds(30);
/// Domains claimed per round.
pub const BATCH: u32 = 512;
/// How long to wait when nothing is due.
const IDLE_POLL: Duration = Duration::from_secs(1);
/// When to try a domain again whose TLD has no RDAP server (an override may appear).
const NOT_COVERED_RETRY: chrono::Duration = chrono::Duration::days(1);
/// When to try again while the bootstrap has not loaded.
const BOOTSTRAP_RETRY: chrono::Duration = chrono::Duration::minutes(1);

/// Who refreshes, and how much at once.
#[derive(Debug, Clone, Copy)]
pub struct RefreshSettings {
    /// `LAPSEGUARD_SCHEDULER`: take part in running the background refresh (with several
    /// replicas, one at a time runs it anyway).
    pub run: bool,
    /// `LAPSEGUARD_REFRESH_CONCURRENCY`: lookups in flight at once (their writes queue
    /// for the group commit without holding a slot).
    pub concurrency: usize,
}

/// Works on every claimed domain at once (each task paces itself) and waits for all;
/// returns how many there were.
pub async fn for_each<T, F, Fut>(owner: &Arc<T>, claimed: Vec<RegistrableDomain>, work: F) -> usize
where
    T: Send + Sync + 'static,
    F: Fn(Arc<T>, RegistrableDomain) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let count = claimed.len();
    let mut tasks = JoinSet::new();
    for domain in claimed {
        tasks.spawn(work(Arc::clone(owner), domain));
    }
    while tasks.join_next().await.is_some() {}
    count
}

/// Runs claiming rounds until cancelled, resting a moment whenever nothing was due.
pub async fn run_rounds<F, Fut>(name: &'static str, cancel: CancellationToken, round: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<usize, StoreError>>,
{
    tracing::info!("{name} started");
    while !cancel.is_cancelled() {
        let claimed = round().await.unwrap_or_else(|error| {
            tracing::error!(error = %error, "{name}: claiming due domains failed");
            0
        });
        if claimed == 0 {
            tokio::select! {
                () = cancel.cancelled() => {}
                () = tokio::time::sleep(IDLE_POLL) => {}
            }
        }
    }
    tracing::info!("{name} stopped");
}

pub struct Scheduler {
    observer: Arc<Observer>,
    in_flight: Semaphore,
}

impl Scheduler {
    /// Paces each host with the observer's pacer, which checks' lookups share.
    pub fn new(observer: Arc<Observer>, concurrency: usize) -> Self {
        Self {
            observer,
            in_flight: Semaphore::new(concurrency),
        }
    }

    /// Claims the domains due now, refreshes them all, and returns how many it claimed.
    /// The loop calls this over and over; tests call it once per step of their clock.
    pub async fn run_due(self: &Arc<Self>) -> Result<usize, StoreError> {
        let now = self.observer.clock().now();
        let due = self
            .observer
            .store()
            .claim_due(now, now + LEASE, BATCH)
            .await?;
        Ok(for_each(self, due, |scheduler, domain| async move {
            scheduler.refresh(domain).await
        })
        .await)
    }

    /// Runs rounds until cancelled.
    pub async fn run(self: Arc<Self>, cancel: CancellationToken) {
        run_rounds("refresh scheduler", cancel, || self.run_due()).await;
    }

    async fn refresh(&self, domain: RegistrableDomain) {
        let now = self.observer.clock().now();
        let host = match self.observer.sources().host_of(&domain) {
            Ok(host) => host,
            Err(Skipped::NotReady) => {
                return self.come_back(&domain, now + BOOTSTRAP_RETRY).await;
            }
            Err(_) => return self.come_back(&domain, now + NOT_COVERED_RETRY).await,
        };
        let pacer = self.observer.pacer();
        let slot = match pacer.reserve(&host, now, HORIZON) {
            Ok(slot) => slot,
            // The host's backlog reaches past the horizon: wait in the database, not here.
            Err(free_at) => return self.come_back(&domain, free_at).await,
        };
        if let Ok(wait) = (slot - now).to_std() {
            tokio::time::sleep(wait).await;
        }
        let Ok(permit) = self.in_flight.acquire().await else {
            return;
        };
        // The slot is free again once the registry answered: the write (a group commit)
        // does not hold up the next lookup.
        let observed = self.observer.observe_then(&domain, || drop(permit)).await;
        if let Err(LookupError::Skipped(Skipped::HostPaused { retry_in })) = observed {
            let until = now
                + chrono::Duration::from_std(retry_in)
                    .expect("the RDAP client caps pauses at a day");
            pacer.hold(&host, until);
            self.come_back(&domain, until).await;
        }
    }

    /// The domain waits until `at`; it is not dropped.
    async fn come_back(&self, domain: &RegistrableDomain, at: chrono::DateTime<chrono::Utc>) {
        if let Err(error) = self.observer.store().reschedule(domain, at, None).await {
            tracing::error!(domain = %domain, error = %error, "rescheduling failed; the claim lease will bring it back");
        }
    }
}
