//! Bounded growth: the leader prunes, in small batches, observations older than
//! `LAPSEGUARD_OBSERVATION_RETENTION_DAYS` (keeping each domain's latest 20, so a domain
//! page always has its history), webhook rows delivered before then, and mail routes DNS
//! last gave more than a week ago (`MAIL_ROUTE_KEPT_FOR`). Transitions and
//! the audit log are kept.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::domain::delegation::MAIL_ROUTE_KEPT_FOR;
use crate::store::{Store, StoreError};

/// Each domain keeps at least this many observations, however old.
pub const KEEP_PER_DOMAIN: u32 = 20;
/// Rows deleted per statement: short transactions, so checks' writes are not held up.
pub const BATCH: u32 = 1_000;
/// How often the leader prunes.
const EVERY: Duration = Duration::from_secs(3600);
/// A breath between batches for other writers (SQLite has one write lock).
const BETWEEN_BATCHES: Duration = Duration::from_millis(50);

/// `LAPSEGUARD_OBSERVATION_RETENTION_DAYS`.
#[derive(Debug, Clone, Copy)]
pub struct RetentionSettings {
    pub keep_for: chrono::Duration,
}

pub struct Pruner {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    settings: RetentionSettings,
}

/// What one pruning pass removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pruned {
    pub observations: u64,
    pub deliveries: u64,
    pub mail_routes: u64,
}

impl Pruner {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, settings: RetentionSettings) -> Self {
        Self {
            store,
            clock,
            settings,
        }
    }

    /// Prunes everything past the limit, a batch at a time.
    pub async fn prune(&self) -> Result<Pruned, StoreError> {
        let before = self.clock.now() - self.settings.keep_for;
        let mut pruned = Pruned::default();
        loop {
            let n = self
                .store
                .prune_observations(before, KEEP_PER_DOMAIN, BATCH)
                .await?;
            pruned.observations += n;
            if n < u64::from(BATCH) {
                break;
            }
            tokio::time::sleep(BETWEEN_BATCHES).await;
        }
        loop {
            let n = self.store.prune_deliveries(before, BATCH).await?;
            pruned.deliveries += n;
            if n < u64::from(BATCH) {
                break;
            }
            tokio::time::sleep(BETWEEN_BATCHES).await;
        }
        pruned.mail_routes = self
            .store
            .prune_mail_routes(self.clock.now() - MAIL_ROUTE_KEPT_FOR)
            .await?;
        Ok(pruned)
    }

    /// Prunes at start and then every hour, until cancelled.
    pub async fn run(self: Arc<Self>, cancel: CancellationToken) {
        while !cancel.is_cancelled() {
            tokio::select! {
                () = cancel.cancelled() => return,
                pruned = self.prune() => match pruned {
                    Ok(pruned) if pruned != Pruned::default() => {
                        tracing::info!(observations = pruned.observations, deliveries = pruned.deliveries, mail_routes = pruned.mail_routes, "pruned old rows");
                    }
                    Ok(_) => {}
                    Err(error) => tracing::warn!(error = %error, "pruning old rows failed"),
                },
            }
            tokio::select! {
                () = cancel.cancelled() => return,
                () = tokio::time::sleep(EVERY) => {}
            }
        }
    }
}
