//! The one path every lookup takes, from a check or from the scheduler: ask RDAP within
//! the deadline, record what came back, and bring this process's memory up to date in
//! the same step.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::SubsecRound;
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::domain::lifecycle::Lifecycle;
use crate::domain::name::RegistrableDomain;
use crate::domain::status::{DomainStatus, Finding, Observation};
use crate::memory::StatusMemory;
use crate::refresh::pacer::HostPacer;
use crate::store::{Origin, RecordSettings, Recorded, Store, StoredStatus};
use crate::upstream::{Answer, Failure, Lookup, LookupError, Skipped, Sources};

/// What a check's lookup builds on: the stored status, or nothing known because the store
/// could not be read.
#[derive(Debug, Clone)]
pub enum Base {
    /// What the store (or memory, its copy) holds; `None` when the domain is new.
    Known(Option<StoredStatus>),
    /// The store did not answer and memory holds nothing: an `active` answer cannot be
    /// trusted, since a lapse or an earlier registration date may be stored.
    Unknown,
}

pub struct Observer {
    store: Arc<dyn Store>,
    sources: Sources,
    clock: Arc<dyn Clock>,
    memory: Arc<StatusMemory>,
    pacer: Arc<HostPacer>,
    deadline: Duration,
    failure_cooldown: Duration,
    settings: RecordSettings,
    /// Checks' observations still being written.
    writes: Arc<Writes>,
}

/// Counts background writes, so that shutdown (and a test) can wait for them.
#[derive(Default)]
struct Writes {
    pending: AtomicUsize,
    done: Notify,
}

/// What an observer is built from.
pub struct ObserverParts {
    pub store: Arc<dyn Store>,
    pub sources: Sources,
    pub clock: Arc<dyn Clock>,
    pub memory: Arc<StatusMemory>,
    pub pacer: Arc<HostPacer>,
    /// The longest a lookup may take.
    pub deadline: Duration,
    /// How long checks of a domain answer without a lookup after one failed.
    pub failure_cooldown: Duration,
    pub settings: RecordSettings,
}

impl Observer {
    pub fn new(parts: ObserverParts) -> Self {
        Self {
            store: parts.store,
            sources: parts.sources,
            clock: parts.clock,
            memory: parts.memory,
            pacer: parts.pacer,
            deadline: parts.deadline,
            failure_cooldown: parts.failure_cooldown,
            settings: parts.settings,
            writes: Arc::default(),
        }
    }

    /// Completes once every check's observation started so far is written (or failed).
    pub async fn settled(&self) {
        loop {
            let done = self.writes.done.notified();
            if self.writes.pending.load(Ordering::Acquire) == 0 {
                return;
            }
            done.await;
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn sources(&self) -> &Sources {
        &self.sources
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    pub fn memory(&self) -> &Arc<StatusMemory> {
        &self.memory
    }

    pub fn pacer(&self) -> &Arc<HostPacer> {
        &self.pacer
    }

    /// The scheduler's lookup: asks, records (a failed lookup too, when a request went
    /// out) and waits for the store. Returns what was recorded after a successful lookup.
    pub async fn observe(&self, domain: &RegistrableDomain) -> Result<Recorded, LookupError> {
        let source = self.source_for(domain)?;
        let answer = tokio::time::timeout(self.deadline, source.lookup(domain))
            .await
            .unwrap_or(Err(Failure::Timeout.into()));
        let observation = self.observation(domain, source, &answer)?;
        let settings = RecordSettings {
            origin: Origin::Schedule,
            ..self.settings
        };
        let recorded = match self.store.record(&observation, &settings).await {
            Ok(recorded) => {
                remember(&self.memory, &recorded);
                recorded
            }
            Err(error) => {
                tracing::error!(domain = %domain, error = %error, "recording an observation failed");
                // Memory still learns what was seen: it may be the only copy for now.
                let held = self.memory.get(domain);
                let revision = held.as_ref().map_or(-1, |h| h.revision);
                let status = DomainStatus::observe(held.as_ref().map(|h| &h.status), &observation);
                // Folded into nothing, an `active` answer may hide a stored lapse.
                if let Some(status) = &status
                    && (held.is_some() || status.lifecycle != Lifecycle::Active)
                {
                    self.memory.offer(StoredStatus {
                        status: status.clone(),
                        revision,
                    });
                }
                Recorded {
                    status,
                    revision,
                    transition: None,
                    next_check_at: observation.observed_at,
                }
            }
        };
        answer.map(|_| recorded)
    }

    /// A check's lookup, which must answer by `deadline`: it counts against the host's
    /// rate (refused like a paused host when the host has no room), folds the answer into
    /// `base` for the caller and for memory at once, and records in the background.
    /// Returns the status the answer leads to.
    pub async fn observe_for_check(
        &self,
        domain: &RegistrableDomain,
        base: &Base,
        deadline: Instant,
    ) -> Result<DomainStatus, LookupError> {
        let source = self.source_for(domain)?;
        let host = source
            .host_of(domain)
            .map_err(|skipped| self.skipped(domain, skipped))?;
        if let Err(retry_in) = self.pacer.take_now(&host, self.clock.now()) {
            tracing::debug!(domain = %domain, host = %host, "no room at the upstream host for a check's lookup");
            return Err(self.skipped(domain, Skipped::HostPaused { retry_in }));
        }
        let answer = tokio::time::timeout_at(deadline.into(), source.lookup(domain))
            .await
            .unwrap_or(Err(Failure::Timeout.into()));
        let observation = self.observation(domain, source, &answer)?;
        let known = match base {
            Base::Known(stored) => stored.as_ref(),
            Base::Unknown => None,
        };
        let status = DomainStatus::observe(known.map(|k| &k.status), &observation);
        if let Some(status) = &status
            && matches!(base, Base::Known(_))
        {
            self.memory.offer(StoredStatus {
                status: status.clone(),
                revision: known.map_or(-1, |k| k.revision),
            });
        }
        self.record_in_background(observation);
        answer?;
        status.ok_or(LookupError::Failed(Failure::Malformed))
    }

    /// Builds the observation of a lookup that reached a server, learning from it on the
    /// way (a failure cools the domain, a success warms it). When no request went out
    /// there is nothing to record: the cause comes back as the error.
    fn observation(
        &self,
        domain: &RegistrableDomain,
        source: &dyn Lookup,
        answer: &Result<Answer, LookupError>,
    ) -> Result<Observation, LookupError> {
        match answer {
            Ok(_) => self.memory.warm(domain),
            Err(cause) => {
                tracing::warn!(domain = %domain, source = source.source().as_str(), error = cause.code(), "lookup gave no answer");
                self.cool(domain, cause);
                if !cause.reached_upstream() {
                    return Err(cause.clone());
                }
            }
        }
        Ok(Observation {
            domain: domain.clone(),
            source: source.source(),
            // Whole seconds: the precision the store keeps.
            observed_at: self.clock.now().trunc_subsecs(0),
            http_status: match answer {
                Ok(Answer::Found(_)) => Some(200),
                Ok(Answer::NotFound) => Some(404),
                Err(cause) => cause.http_status(),
            },
            finding: match answer {
                Ok(Answer::Found(record)) => Finding::Registered(record.clone()),
                Ok(Answer::NotFound) => Finding::Unregistered,
                Err(cause) => Finding::Failed {
                    error: cause.code().to_owned(),
                },
            },
        })
    }

    /// The source that covers the domain; a domain no source covers cools.
    fn source_for(&self, domain: &RegistrableDomain) -> Result<&dyn Lookup, LookupError> {
        self.sources
            .for_domain(domain)
            .map_err(|skipped| self.skipped(domain, skipped))
    }

    /// No request went out: the domain cools, and the reason comes back as the error.
    fn skipped(&self, domain: &RegistrableDomain, skipped: Skipped) -> LookupError {
        let cause = LookupError::from(skipped);
        self.cool(domain, &cause);
        cause
    }

    /// Checks of the domain answer without a lookup for the cooldown (or until a paused
    /// host takes requests again, if sooner). A bootstrap still loading is no reason: it
    /// costs nothing to ask again, and it may load any moment.
    fn cool(&self, domain: &RegistrableDomain, cause: &LookupError) {
        if *cause == LookupError::Skipped(Skipped::NotReady) {
            return;
        }
        let ttl = match cause {
            LookupError::Skipped(Skipped::HostPaused { retry_in }) => {
                (*retry_in).min(self.failure_cooldown)
            }
            _ => self.failure_cooldown,
        };
        self.memory.cool(domain, cause.reason(), ttl);
    }

    /// A check does not wait for the store: the write runs on its own and memory takes
    /// the recorded status when it lands.
    fn record_in_background(&self, observation: Observation) {
        let store = Arc::clone(&self.store);
        let memory = Arc::clone(&self.memory);
        let settings = RecordSettings {
            origin: Origin::Request,
            ..self.settings
        };
        let writes = Arc::clone(&self.writes);
        writes.pending.fetch_add(1, Ordering::AcqRel);
        tokio::spawn(async move {
            match store.record(&observation, &settings).await {
                Ok(recorded) => remember(&memory, &recorded),
                Err(error) => {
                    tracing::error!(domain = %observation.domain, error = %error, "recording a check's observation failed");
                }
            }
            writes.pending.fetch_sub(1, Ordering::AcqRel);
            writes.done.notify_waiters();
        });
    }
}

/// Memory takes what the store now holds.
fn remember(memory: &StatusMemory, recorded: &Recorded) {
    if let Some(status) = &recorded.status {
        memory.offer(StoredStatus {
            status: status.clone(),
            revision: recorded.revision,
        });
    }
    if let Some(published) = &recorded.transition {
        let t = &published.transition;
        tracing::info!(domain = %t.domain, id = published.id, from = t.from.as_str(), to = t.to.as_str(), "transition");
    }
}
