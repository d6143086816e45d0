//! The expiry notifier: every minute, on the leader, publishes the expiry notices due
//! (`domain/notices.rs`): for each threshold of `LAPSEGUARD_EXPIRY_NOTICE_DAYS`, smallest
//! first, the active domains expiring within it that have had no notice for that date at
//! it or a smaller one. A notice thus goes out within a minute of the clock crossing a
//! threshold, whether or not a lookup happens then, and one that a lookup finds already
//! inside a threshold gets the smallest threshold's notice only.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::domain::lifecycle::Lifecycle;
use crate::domain::notices::{NoticeSettings, notice_due};
use crate::store::{Store, StoreError};
use crate::telemetry::metrics;

/// How often the notifier looks.
const EVERY: Duration = Duration::from_secs(60);

/// Candidates read at a time.
const BATCH: u32 = 500;

pub struct ExpiryNotifier {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    settings: NoticeSettings,
    /// Whether notices are sent as webhooks too (`LAPSEGUARD_WEBHOOK_URL` is set).
    webhooks: bool,
}

impl ExpiryNotifier {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        settings: NoticeSettings,
        webhooks: bool,
    ) -> Self {
        Self {
            store,
            clock,
            settings,
            webhooks,
        }
    }

    /// Publishes every notice due now; returns how many.
    pub async fn run_due(&self) -> Result<u64, StoreError> {
        let now = self.clock.now();
        let mut published = 0;
        for &threshold in self.settings.days() {
            loop {
                let candidates = self
                    .store
                    .expiry_notice_candidates(now, threshold, BATCH)
                    .await?;
                let mut in_batch = 0;
                for candidate in &candidates {
                    let Some(notice) = notice_due(
                        Lifecycle::Active,
                        Some(candidate.expires_at),
                        candidate.sent,
                        now,
                        &self.settings,
                    ) else {
                        continue;
                    };
                    let sent = self
                        .store
                        .publish_expiry_notice(candidate, notice, now, self.webhooks)
                        .await?;
                    if sent.is_some() {
                        metrics::expiry_notice_published(notice.threshold);
                        in_batch += 1;
                    }
                }
                published += in_batch;
                // A short batch is the last; one that published nothing (another replica
                // was quicker) would be read again as it is.
                if candidates.len() < BATCH as usize || in_batch == 0 {
                    break;
                }
            }
        }
        Ok(published)
    }

    /// Runs every minute until cancelled; does nothing when notices are off.
    pub async fn run(self: Arc<Self>, cancel: CancellationToken) {
        if self.settings.is_off() {
            return;
        }
        while !cancel.is_cancelled() {
            match self.run_due().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(notices = n, "published expiry notices"),
                Err(error) => tracing::warn!(error = %error, "expiry notices failed"),
            }
            tokio::select! {
                () = cancel.cancelled() => return,
                () = tokio::time::sleep(EVERY) => {}
            }
        }
    }
}
