//! One replica at a time runs the background work: whoever holds the `scheduler` lease
//! in the database. The holder renews it every 5 s; it expires 20 s after the last
//! renewal, so when the holder dies another replica takes over within 25 s.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::scheduler::LEASE as CLAIM_LEASE;
use crate::clock::Clock;
use crate::store::{SCHEDULER_LEASE, Store};
const TTL: chrono::Duration = chrono::Duration::seconds(20);
const RENEW_EVERY: Duration = Duration::from_secs(5);

/// Runs the work `start` spawns while this replica holds the lease, stops it when the
/// lease is lost, and gives the lease up on cancellation. Leases use the wall clock:
/// replicas' clocks must agree within a few seconds (NTP).
pub async fn run_while_leader<F, Fut>(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    holder: String,
    cancel: CancellationToken,
    start: F,
) where
    F: Fn(CancellationToken) -> Vec<Fut>,
    Fut: Future<Output = ()> + Send + 'static,
{
    let mut work: Option<(CancellationToken, JoinSet<()>)> = None;
    loop {
        let now = clock.now();
        let held = store
            .try_lease(SCHEDULER_LEASE, &holder, now, now + TTL)
            .await
            .unwrap_or_else(|error| {
                tracing::warn!(error = %error, "cannot renew the scheduler lease");
                false
            });
        match (held, work.is_some()) {
            (true, false) => {
                tracing::info!(holder = %holder, "this replica now runs the scheduler");
                crate::telemetry::metrics::leading(true);
                // A leader that died mid-refresh left its claims a lease away: take them
                // back now rather than 10 minutes late.
                match store.reclaim(now, now + CLAIM_LEASE).await {
                    Ok(0) => {}
                    Ok(moved) => {
                        tracing::info!(moved, "took back checks claimed by an earlier leader")
                    }
                    Err(error) => tracing::warn!(error = %error, "cannot take back earlier claims"),
                }
                let token = cancel.child_token();
                let mut tasks = JoinSet::new();
                for task in start(token.clone()) {
                    tasks.spawn(task);
                }
                work = Some((token, tasks));
            }
            (false, true) => {
                tracing::warn!(holder = %holder, "lost the scheduler lease; stopping background work");
                crate::telemetry::metrics::leading(false);
                stop(work.take()).await;
            }
            _ => {}
        }
        tokio::select! {
            () = cancel.cancelled() => break,
            () = tokio::time::sleep(RENEW_EVERY) => {}
        }
    }
    stop(work.take()).await;
    crate::telemetry::metrics::leading(false);
    if let Err(error) = store.release_lease(SCHEDULER_LEASE, &holder).await {
        tracing::warn!(error = %error, "cannot release the scheduler lease");
    }
}

async fn stop(work: Option<(CancellationToken, JoinSet<()>)>) {
    if let Some((token, mut tasks)) = work {
        token.cancel();
        while tasks.join_next().await.is_some() {}
    }
}
