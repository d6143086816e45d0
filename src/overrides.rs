//! The overrides every check consults, held in memory (`OverrideBook`) and reloaded when
//! the store says they changed (see `refresh/settings.rs`): a check never waits for the
//! store to learn of an override.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};

use crate::domain::decision::{Reason, Verdict};
use crate::domain::name::RegistrableDomain;
use crate::domain::overrides::{Override, OverrideDecision, OverrideState, Seen};
use crate::domain::status::DomainStatus;
use crate::store::{AdminStore, StoreError};

/// Overrides are read from the store in pages of this many.
const PAGE: u32 = 1000;

#[derive(Default)]
pub struct OverrideBook {
    rules: RwLock<Arc<HashMap<RegistrableDomain, Override>>>,
}

impl OverrideBook {
    /// Reads every override from the store and replaces what is held.
    pub async fn reload(&self, store: &dyn AdminStore) -> Result<usize, StoreError> {
        let mut rules = HashMap::new();
        let mut after = String::new();
        loop {
            let page = store.overrides(&after, PAGE).await?;
            let full = page.len() == PAGE as usize;
            for listed in page {
                after = listed.rule.domain.to_string();
                rules.insert(listed.rule.domain.clone(), listed.rule);
            }
            if !full {
                break;
            }
        }
        let count = rules.len();
        *self.rules.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(rules);
        Ok(count)
    }

    /// The verdict of the domain's override, when one applies to a domain that shows
    /// `status` at `now`.
    pub fn decide(
        &self,
        domain: &RegistrableDomain,
        status: Option<&DomainStatus>,
        now: DateTime<Utc>,
    ) -> Option<Verdict> {
        let rules = self.rules.read().unwrap_or_else(|e| e.into_inner());
        if rules.is_empty() {
            return None;
        }
        let rule = rules.get(domain)?;
        if rule.state(Seen::of(status), now) != OverrideState::Active {
            return None;
        }
        Some(match rule.decision {
            OverrideDecision::Allow => Verdict {
                eligible: true,
                reason: Reason::OverrideAllow,
            },
            OverrideDecision::Deny => Verdict {
                eligible: false,
                reason: Reason::OverrideDeny,
            },
        })
    }
}
