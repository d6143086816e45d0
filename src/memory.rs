//! The request path's memory: a bounded copy of stored statuses, each with the revision
//! of the store row it reflects, and a short memory of domains whose lookup just failed.
//!
//! The store is the source of truth. Memory is brought up to date in three ways: every
//! observation this process makes offers its result here (see `observer.rs`), every
//! status read from the store is kept here if newer, and the change follower
//! (`refresh/changes.rs`) drops entries older than a change another replica recorded.
//! A copy only ever replaces an older one, so a slow load cannot undo a newer write.
//!
//! Words used here and in `observer.rs`:
//! - *keep if newer* ([`StatusMemory::keep_if_newer`]): take a stored status unless a
//!   newer copy (higher revision, or same revision checked later) is already held;
//! - *cooldown* ([`StatusMemory::start_cooldown`], [`StatusMemory::end_cooldown`]): after
//!   a failed lookup, checks of the domain answer for a while without asking again (from
//!   what the failed check found, else a "no status" reason); a successful lookup ends it;
//! - *forget before* ([`StatusMemory::forget_before`]): drop a copy older than a change
//!   another replica recorded.

use std::sync::Arc;
use std::time::{Duration, Instant};

use moka::Expiry;
use moka::ops::compute::Op;
use moka::sync::Cache;

use crate::domain::decision::Reason;
use crate::domain::name::RegistrableDomain;
use crate::domain::status::DomainStatus;
use crate::store::StoredStatus;

/// Why checks of a domain answer without a lookup for a while.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cooling {
    /// `domain_not_covered` or `domain_status_unavailable`.
    pub reason: Reason,
    /// What the failed check found all the same (a fresh undelegated answer from DNS
    /// while the registry failed): checks in the cooldown answer from it.
    pub found: Option<Arc<DomainStatus>>,
    ttl: Duration,
}

struct CoolingExpiry;

impl Expiry<RegistrableDomain, Cooling> for CoolingExpiry {
    fn expire_after_create(
        &self,
        _key: &RegistrableDomain,
        value: &Cooling,
        _created_at: Instant,
    ) -> Option<Duration> {
        Some(value.ttl)
    }

    fn expire_after_update(
        &self,
        _key: &RegistrableDomain,
        value: &Cooling,
        _updated_at: Instant,
        _duration_until_expiry: Option<Duration>,
    ) -> Option<Duration> {
        Some(value.ttl)
    }
}

/// How much the request path remembers.
#[derive(Debug, Clone, Copy)]
pub struct MemorySettings {
    /// `LAPSEGUARD_CACHE_CAPACITY`: statuses kept.
    pub capacity: u64,
    /// `LAPSEGUARD_FAILURE_COOLDOWN_SECONDS`: after a failed lookup, checks of the domain
    /// answer without asking again for this long.
    pub failure_cooldown: Duration,
    /// `LAPSEGUARD_SPOOL_CAPACITY`: observations kept while the store is away (see
    /// `spool.rs`).
    pub spool_capacity: usize,
}

pub struct StatusMemory {
    statuses: Cache<RegistrableDomain, Arc<StoredStatus>>,
    cooling: Cache<RegistrableDomain, Cooling>,
}

impl StatusMemory {
    /// Holds up to `capacity` statuses (least recently used go first).
    pub fn new(capacity: u64) -> Self {
        Self {
            statuses: Cache::builder().max_capacity(capacity).build(),
            cooling: Cache::builder()
                .max_capacity(capacity)
                .expire_after(CoolingExpiry)
                .build(),
        }
    }

    pub fn get(&self, domain: &RegistrableDomain) -> Option<Arc<StoredStatus>> {
        self.statuses.get(domain)
    }

    /// Keeps `stored` unless memory already holds a newer copy: a higher revision, or the
    /// same revision checked later.
    pub fn keep_if_newer(&self, stored: StoredStatus) {
        let domain = stored.status.domain.clone();
        self.statuses
            .entry(domain)
            .and_compute_with(|existing| match existing {
                Some(entry) if is_newer(entry.value(), &stored) => Op::Nop,
                _ => Op::Put(Arc::new(stored)),
            });
    }

    /// Drops the domain's copy if it is older than change `revision`.
    pub fn forget_before(&self, domain: &RegistrableDomain, revision: i64) {
        self.statuses
            .entry_by_ref(domain)
            .and_compute_with(|existing| match existing {
                Some(entry) if entry.value().revision < revision => Op::Remove,
                _ => Op::Nop,
            });
    }

    /// Checks of `domain` answer from `found`, or else `reason` (or from a stored
    /// status), without a lookup for `ttl`.
    pub fn start_cooldown(
        &self,
        domain: &RegistrableDomain,
        reason: Reason,
        found: Option<DomainStatus>,
        ttl: Duration,
    ) {
        if !ttl.is_zero() {
            let found = found.map(Arc::new);
            let cooling = Cooling { reason, found, ttl };
            self.cooling.insert(domain.clone(), cooling);
        }
    }

    /// A lookup succeeded: checks may look again.
    pub fn end_cooldown(&self, domain: &RegistrableDomain) {
        self.cooling.invalidate(domain);
    }

    pub fn cooldown(&self, domain: &RegistrableDomain) -> Option<Cooling> {
        self.cooling.get(domain)
    }
}

fn is_newer(held: &StoredStatus, candidate: &StoredStatus) -> bool {
    held.revision > candidate.revision
        || (held.revision == candidate.revision
            && held.status.checked_at > candidate.status.checked_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::lifecycle::Lifecycle;
    use crate::domain::status::DomainStatus;
    use chrono::{TimeZone, Utc};

    fn stored(lifecycle: Lifecycle, revision: i64, second: u32) -> StoredStatus {
        StoredStatus {
            status: DomainStatus {
                domain: RegistrableDomain::parse("example.com").expect("valid"),
                lifecycle,
                statuses: vec![],
                registered_at: None,
                first_registered_at: None,
                expires_at: None,
                last_changed_at: None,
                transferred_at: None,
                last_lapse_at: None,
                checked_at: Utc
                    .with_ymd_and_hms(2026, 1, 1, 0, 0, second)
                    .single()
                    .expect("valid"),
                evidence: crate::domain::status::EvidenceSource::Rdap,
                handle: None,
                registrar_id: None,
                nameservers: vec![],
                dns_nameservers: vec![],
                signals: vec![],
            },
            revision,
        }
    }

    fn held(memory: &StatusMemory) -> Option<(Lifecycle, i64)> {
        let domain = RegistrableDomain::parse("example.com").expect("valid");
        memory
            .get(&domain)
            .map(|s| (s.status.lifecycle, s.revision))
    }

    #[test]
    fn an_older_copy_never_replaces_a_newer_one() {
        let memory = StatusMemory::new(10);
        memory.keep_if_newer(stored(Lifecycle::Redemption, 7, 1));
        memory.keep_if_newer(stored(Lifecycle::Active, 6, 9));
        assert_eq!(held(&memory), Some((Lifecycle::Redemption, 7)));
        memory.keep_if_newer(stored(Lifecycle::Active, 7, 0));
        assert_eq!(held(&memory), Some((Lifecycle::Redemption, 7)));
        memory.keep_if_newer(stored(Lifecycle::Active, 8, 0));
        assert_eq!(held(&memory), Some((Lifecycle::Active, 8)));
    }

    #[test]
    fn a_change_drops_only_older_copies() {
        let memory = StatusMemory::new(10);
        let domain = RegistrableDomain::parse("example.com").expect("valid");
        memory.keep_if_newer(stored(Lifecycle::Active, 5, 0));
        memory.forget_before(&domain, 5);
        assert_eq!(held(&memory), Some((Lifecycle::Active, 5)));
        memory.forget_before(&domain, 6);
        assert_eq!(held(&memory), None);
    }
}
