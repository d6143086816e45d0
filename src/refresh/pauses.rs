//! The pause follower: one replica's 429 pauses the host for every replica. Every replica
//! shares its own pauses through the store and adopts the others' every `POLL`, so a
//! registry that rate-limits one replica is not asked by the rest until the pause ends.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::store::Store;
use crate::upstream::http::UpstreamHttp;

pub const POLL: Duration = Duration::from_secs(2);

/// Shares and adopts host pauses until cancelled.
pub async fn follow_pauses(
    store: Arc<dyn Store>,
    http: Arc<UpstreamHttp>,
    clock: Arc<dyn Clock>,
    cancel: CancellationToken,
) {
    while !cancel.is_cancelled() {
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(POLL) => {}
        }
        share_once(store.as_ref(), &http, clock.as_ref()).await;
    }
}

/// One exchange: this replica's pauses to the store, everyone's back.
pub async fn share_once(store: &dyn Store, http: &UpstreamHttp, clock: &dyn Clock) {
    let now = clock.now();
    let local: Vec<(String, chrono::DateTime<chrono::Utc>)> = http
        .pauses()
        .into_iter()
        .filter_map(|(host, left)| {
            let left = chrono::Duration::from_std(left).ok()?;
            Some((host, now.checked_add_signed(left)?))
        })
        .collect();
    match store.share_pauses(&local, now).await {
        Ok(shared) => {
            for (host, until) in shared {
                if let Ok(left) = (until - now).to_std() {
                    http.adopt_pause(&host, left);
                }
            }
        }
        Err(error) => tracing::warn!(error = %error, "cannot share host pauses"),
    }
}
