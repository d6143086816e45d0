//! The delegation sweep: asks DNS about every watched domain every
//! `LAPSEGUARD_DNS_CHECK_INTERVAL_SECONDS`, at `LAPSEGUARD_DNS_RATE`, and lets the observer
//! record each answer. For a domain no registry source covers the answer is its evidence;
//! for the others a change of delegation makes the registry check due at once (see
//! `store::Role`), which catches a domain deleted early within a day without more RDAP
//! traffic. The lookup asks the domain's own mail route beside its NS (MX, and the address
//! without MX): kept for checks (`Observer::keep_swept_route`) and folded into the
//! status's `no_mail` signal.

use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use super::scheduler::{BATCH, HORIZON, LEASE, for_each, run_rounds};
use crate::domain::name::RegistrableDomain;
use crate::observer::Observer;
use crate::store::StoreError;
use crate::upstream::dns::DNS_HOST;

pub struct DelegationSweep {
    observer: Arc<Observer>,
    in_flight: Semaphore,
}

impl DelegationSweep {
    pub fn new(observer: Arc<Observer>, concurrency: usize) -> Self {
        Self {
            observer,
            in_flight: Semaphore::new(concurrency),
        }
    }

    /// Claims the domains whose DNS check is due, asks DNS about each, and returns how
    /// many it claimed. A domain the resolver's rate leaves no room for within the
    /// horizon stays claimed, and comes due again when the claim runs out.
    pub async fn run_due(self: &Arc<Self>) -> Result<usize, StoreError> {
        let now = self.observer.clock().now();
        let due = self
            .observer
            .store()
            .claim_dns_due(now, now + LEASE, BATCH)
            .await?;
        Ok(for_each(self, due, |sweep, domain| async move {
            sweep.check(domain).await
        })
        .await)
    }

    /// Runs rounds until cancelled.
    pub async fn run(self: Arc<Self>, cancel: CancellationToken) {
        run_rounds("delegation sweep", cancel, || self.run_due()).await;
    }

    async fn check(&self, domain: RegistrableDomain) {
        let now = self.observer.clock().now();
        let Ok(slot) = self.observer.pacer().reserve(DNS_HOST, now, HORIZON) else {
            return;
        };
        if let Ok(wait) = (slot - now).to_std() {
            tokio::time::sleep(wait).await;
        }
        let Ok(_permit) = self.in_flight.acquire().await else {
            return;
        };
        // A failed lookup is recorded (and retried within the hour) by the observer.
        let _ = self.observer.observe_delegation(&domain).await;
    }
}
