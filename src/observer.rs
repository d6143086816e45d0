//! The one path every lookup takes, from a check or from the scheduler: ask RDAP within
//! the deadline, then record what came back.

use std::sync::Arc;
use std::time::Duration;

use chrono::SubsecRound;

use crate::clock::Clock;
use crate::domain::name::RegistrableDomain;
use crate::domain::status::{DomainStatus, Finding, Observation};
use crate::store::{RecordSettings, Recorded, Store};
use crate::upstream::rdap::{Lookup, LookupError, RdapAnswer};

pub struct Observer {
    store: Arc<dyn Store>,
    lookup: Arc<dyn Lookup>,
    clock: Arc<dyn Clock>,
    deadline: Duration,
    settings: RecordSettings,
}

impl Observer {
    pub fn new(
        store: Arc<dyn Store>,
        lookup: Arc<dyn Lookup>,
        clock: Arc<dyn Clock>,
        deadline: Duration,
        settings: RecordSettings,
    ) -> Self {
        Self {
            store,
            lookup,
            clock,
            deadline,
            settings,
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn lookup(&self) -> &Arc<dyn Lookup> {
        &self.lookup
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Looks the domain up and records the observation (a failed one too, when a request
    /// went out). `known` is the status to fold into should the store be unreachable.
    /// Returns the current status after a successful lookup.
    pub async fn observe(
        &self,
        domain: &RegistrableDomain,
        known: Option<&DomainStatus>,
    ) -> Result<Recorded, LookupError> {
        let answer = tokio::time::timeout(self.deadline, self.lookup.lookup(domain))
            .await
            .unwrap_or(Err(LookupError::Timeout));
        if let Err(cause) = &answer {
            tracing::warn!(domain = %domain, error = cause.code(), "RDAP lookup gave no answer");
            if !cause.reached_upstream() {
                return Err(cause.clone());
            }
        }
        let observation = Observation {
            domain: domain.clone(),
            // Whole seconds: the precision the store keeps.
            observed_at: self.clock.now().trunc_subsecs(0),
            http_status: match &answer {
                Ok(RdapAnswer::Found(_)) => Some(200),
                Ok(RdapAnswer::NotFound) => Some(404),
                Err(cause) => cause.http_status(),
            },
            finding: match &answer {
                Ok(RdapAnswer::Found(record)) => Finding::Registered(record.clone()),
                Ok(RdapAnswer::NotFound) => Finding::Unregistered,
                Err(cause) => Finding::Failed {
                    error: cause.code().to_owned(),
                },
            },
        };
        let recorded = match self.store.record(&observation, &self.settings).await {
            Ok(recorded) => recorded,
            Err(error) => {
                tracing::error!(domain = %domain, error = %error, "recording an observation failed");
                Recorded {
                    status: DomainStatus::observe(known, &observation),
                    transition: None,
                    next_check_at: observation.observed_at,
                }
            }
        };
        if let Some(published) = &recorded.transition {
            let t = &published.transition;
            tracing::info!(domain = %domain, id = published.id, from = t.from.as_str(), to = t.to.as_str(), "transition");
        }
        match answer {
            Ok(_) => Ok(recorded),
            Err(cause) => Err(cause),
        }
    }
}
