//! Group commit for the scheduler's writes: lookups finishing at about the same time are
//! recorded in one transaction ([`Store::record_batch`]) instead of one each. On SQLite a
//! batch takes the write lock once and writes each page to the WAL once; on PostgreSQL it
//! pays one commit. Each caller still waits for its own result, as with
//! [`Store::record`].

use std::sync::Arc;

use tokio::sync::{Mutex, mpsc, oneshot};

use super::{RecordSettings, Recorded, Recording, Store, StoreError};
use crate::domain::status::Observation;

/// The most observations one transaction records.
pub const MAX_BATCH: usize = 64;

struct Job {
    observation: Observation,
    recording: Recording,
    reply: oneshot::Sender<Result<Recorded, StoreError>>,
}

/// A writer task and the queue to it. Dropping the last handle ends the task once the
/// queue is empty.
pub struct RecordQueue {
    jobs: mpsc::Sender<Job>,
}

impl RecordQueue {
    /// Starts the store's number of writer tasks ([`Store::batch_writers`]; needs a
    /// Tokio runtime).
    pub fn start(store: Arc<dyn Store>, settings: RecordSettings) -> Self {
        let writers = store.batch_writers().max(1);
        let (jobs, queue) = mpsc::channel(MAX_BATCH * 4);
        let queue = Arc::new(Mutex::new(queue));
        for _ in 0..writers {
            tokio::spawn(write(Arc::clone(&store), settings, Arc::clone(&queue)));
        }
        Self { jobs }
    }

    /// Records the observation, in whatever batch it joins; waits for the commit.
    pub async fn record(
        &self,
        observation: &Observation,
        recording: Recording,
    ) -> Result<Recorded, StoreError> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            observation: observation.clone(),
            recording,
            reply,
        };
        if self.jobs.send(job).await.is_err() {
            return Err(StoreError::WriterStopped);
        }
        answer.await.unwrap_or(Err(StoreError::WriterStopped))
    }
}

/// Takes what is queued (at least one, at most [`MAX_BATCH`]) and records it in one
/// transaction. When a batch fails, its observations are recorded one at a time, so that
/// one bad row costs only its own write.
async fn write(
    store: Arc<dyn Store>,
    settings: RecordSettings,
    queue: Arc<Mutex<mpsc::Receiver<Job>>>,
) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    loop {
        // One writer takes a batch at a time; the others write theirs meanwhile.
        let taken = queue.lock().await.recv_many(&mut jobs, MAX_BATCH).await;
        if taken == 0 {
            return;
        }
        let (batch, replies): (Vec<_>, Vec<_>) = jobs
            .drain(..)
            .map(|job| ((job.observation, job.recording), job.reply))
            .unzip();
        match store.record_batch(&batch, &settings).await {
            Ok(recorded) => {
                for (reply, recorded) in replies.into_iter().zip(recorded) {
                    let _ = reply.send(Ok(recorded));
                }
            }
            Err(error) => {
                tracing::warn!(error = %error, size = batch.len(), "a batch of writes failed: writing them one at a time");
                for ((observation, recording), reply) in batch.iter().zip(replies) {
                    let _ = reply.send(store.record(observation, *recording, &settings).await);
                }
            }
        }
    }
}
