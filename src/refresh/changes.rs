//! The change follower: every replica polls the store's change log and drops each
//! memory entry older than a change recorded since, by any replica. A change reaches
//! every replica's memory within about a second (`POLL`).
//!
//! On PostgreSQL an id is taken when a transaction inserts its row, so a row with a
//! smaller id can become visible after a larger one. Each poll therefore reads again from
//! where the cursor stood `WINDOW` polls ago; dropping an entry twice costs nothing, since
//! an entry is only dropped when it is older than the change.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::memory::StatusMemory;
use crate::store::{Store, StoreError};

const POLL: Duration = Duration::from_secs(1);
/// How many polls back each poll reads again: a transaction has this many seconds between
/// taking its change id and committing.
const WINDOW: usize = 5;
const PAGE: u32 = 5_000;
/// Change rows older than this are of no use to any follower.
const KEEP: chrono::Duration = chrono::Duration::hours(1);
/// How often this replica prunes old change rows.
const PRUNE_EVERY: u32 = 600;

/// Follows the change log until cancelled.
pub async fn follow_changes(
    store: Arc<dyn Store>,
    memory: Arc<StatusMemory>,
    clock: Arc<dyn Clock>,
    cancel: CancellationToken,
) {
    let mut follower = None;
    let mut polls: u32 = 0;
    while !cancel.is_cancelled() {
        match &mut follower {
            None => match store.last_change().await {
                Ok(last) => follower = Some(ChangeFollower::new(last)),
                Err(error) => tracing::warn!(error = %error, "cannot read the change log"),
            },
            Some(follower) => {
                if let Err(error) = follower.poll(store.as_ref(), &memory).await {
                    tracing::warn!(error = %error, "cannot read the change log");
                }
            }
        }
        polls = polls.wrapping_add(1);
        if polls.is_multiple_of(PRUNE_EVERY)
            && let Err(error) = store.prune_changes(clock.now() - KEEP).await
        {
            tracing::warn!(error = %error, "cannot prune the change log");
        }
        tokio::select! {
            () = cancel.cancelled() => {}
            () = tokio::time::sleep(POLL) => {}
        }
    }
}

/// Where the follower stands in the change log.
pub struct ChangeFollower {
    /// The newest id seen after each of the last polls, oldest first.
    cursors: VecDeque<i64>,
}

impl ChangeFollower {
    /// Starts after change `last`: memory is empty, older changes concern it not.
    pub fn new(last: i64) -> Self {
        Self {
            cursors: VecDeque::from(vec![last; WINDOW]),
        }
    }

    /// Reads the changes since the window's start and drops older memory entries.
    /// Returns how many change rows it read.
    pub async fn poll(
        &mut self,
        store: &dyn Store,
        memory: &StatusMemory,
    ) -> Result<usize, StoreError> {
        let mut after = self.cursors.front().copied().unwrap_or_default();
        let mut newest = self.cursors.back().copied().unwrap_or_default();
        let mut read = 0;
        loop {
            let page = store.changes_after(after, PAGE).await?;
            for change in &page {
                memory.forget_before(&change.domain, change.id);
            }
            read += page.len();
            match page.last() {
                Some(last) if page.len() == PAGE as usize => after = last.id,
                Some(last) => {
                    newest = newest.max(last.id);
                    break;
                }
                None => break,
            }
            newest = newest.max(after);
        }
        self.cursors.push_back(newest);
        while self.cursors.len() > WINDOW {
            self.cursors.pop_front();
        }
        Ok(read)
    }
}
