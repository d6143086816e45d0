//! What could not be written yet: observations (a check's, the scheduler's) that met a
//! store that is down or locked wait here, in order, and are written when it answers
//! again, so that a lapse seen during an outage still reaches the store, the transitions
//! feed and webhooks. Bounded (`LAPSEGUARD_SPOOL_CAPACITY`): past it the oldest entry is
//! dropped and counted. While anything is spooled, new observations queue behind it, so
//! that each domain's observations are written in the order they were made.

use std::collections::VecDeque;
use std::sync::Mutex;

use crate::domain::status::Observation;
use crate::store::{RecordSettings, Recorded, Recording, Store, StoreError};
use crate::telemetry::metrics;

/// An observation and how it was made.
#[derive(Debug, Clone)]
struct Spooled {
    observation: Observation,
    recording: Recording,
}

pub struct Spool {
    capacity: usize,
    settings: RecordSettings,
    entries: Mutex<VecDeque<Spooled>>,
    /// One flush at a time: entries leave in order.
    flushing: tokio::sync::Mutex<()>,
}

impl Spool {
    pub fn new(capacity: usize, settings: RecordSettings) -> Self {
        Self {
            capacity: capacity.max(1),
            settings,
            entries: Mutex::default(),
            flushing: tokio::sync::Mutex::const_new(()),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keeps an observation for later, dropping the oldest when full.
    pub fn push(&self, observation: Observation, recording: Recording) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= self.capacity {
            entries.pop_front();
            metrics::spool_dropped();
            tracing::error!(
                capacity = self.capacity,
                "the spool is full: its oldest observation is dropped (LAPSEGUARD_SPOOL_CAPACITY)"
            );
        }
        entries.push_back(Spooled {
            observation,
            recording,
        });
        metrics::spool_size(entries.len());
    }

    /// Writes spooled observations in order until the spool is empty or the store fails
    /// again; `written` gets each one's result. An entry the store refuses for good (not
    /// an outage) is dropped and counted rather than blocking the rest. Returns how many
    /// are left.
    pub async fn flush(&self, store: &dyn Store, mut written: impl FnMut(&Recorded)) -> usize {
        let _one_at_a_time = self.flushing.lock().await;
        loop {
            let next = {
                let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
                entries.front().cloned()
            };
            let Some(next) = next else {
                metrics::spool_size(0);
                return 0;
            };
            match store
                .record(&next.observation, next.recording, &self.settings)
                .await
            {
                Ok(recorded) => written(&recorded),
                Err(error) if is_outage(&error) => return self.len(),
                Err(error) => {
                    metrics::spool_dropped();
                    tracing::error!(domain = %next.observation.domain, error = %error, "a spooled observation cannot be written: dropped");
                }
            }
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            entries.pop_front();
            metrics::spool_size(entries.len());
        }
    }
}

/// Whether a failed write is the store being away (down, locked, slow), worth writing
/// again later, rather than a refusal that a retry would meet again.
pub fn is_outage(error: &StoreError) -> bool {
    match error {
        StoreError::Timeout | StoreError::WriterStopped => true,
        StoreError::Database(sqlx::Error::Database(db)) => {
            matches!(db.kind(), sqlx::error::ErrorKind::Other)
        }
        StoreError::Database(
            sqlx::Error::RowNotFound
            | sqlx::Error::ColumnDecode { .. }
            | sqlx::Error::ColumnNotFound(_)
            | sqlx::Error::ColumnIndexOutOfBounds { .. }
            | sqlx::Error::Decode(_)
            | sqlx::Error::TypeNotFound { .. },
        ) => false,
        StoreError::Database(_) => true,
        StoreError::Migrate(_) | StoreError::UnsupportedUrl(_) | StoreError::Corrupt(_) => false,
    }
}
