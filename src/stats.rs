//! The dashboard's counts (`GET /v1/stats`), computed from the store at most once per
//! `STATS_MAX_AGE` and shared by every caller in between: at a million watched domains a
//! count by lifecycle is a scan, and dashboards poll.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::Mutex;

use crate::store::SCHEDULER_LEASE;
use crate::store::admin::StoreStats;
use crate::store::{AdminStore, StoreError};

/// How long one computation of the counts is served.
pub const STATS_MAX_AGE: Duration = Duration::from_secs(5);

/// Counts as of `computed_at`.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub stats: StoreStats,
    pub computed_at: DateTime<Utc>,
}

#[derive(Default)]
pub struct StatsCache {
    /// The latest snapshot and when (monotonic) it was taken. Held across the
    /// computation, so that concurrent callers wait for one query set, not run their own.
    latest: Mutex<Option<(Instant, Arc<Snapshot>)>>,
}

impl StatsCache {
    /// The counts, at most [`STATS_MAX_AGE`] old.
    pub async fn get(
        &self,
        store: &dyn AdminStore,
        now: DateTime<Utc>,
    ) -> Result<Arc<Snapshot>, StoreError> {
        let mut latest = self.latest.lock().await;
        if let Some((taken, snapshot)) = latest.as_ref()
            && taken.elapsed() < STATS_MAX_AGE
        {
            return Ok(Arc::clone(snapshot));
        }
        let stats = store.stats(now, SCHEDULER_LEASE).await?;
        let snapshot = Arc::new(Snapshot {
            stats,
            computed_at: now,
        });
        *latest = Some((Instant::now(), Arc::clone(&snapshot)));
        Ok(snapshot)
    }
}
