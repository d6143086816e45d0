//! Where statuses and observations are kept: the `Store` trait and its two
//! implementations, SQLite (embedded default) and PostgreSQL (several replicas).
//!
//! Both speak the same SQL (`store/sql.rs`); they differ in how a write transaction
//! takes its lock. Times are stored as UTC Unix seconds (`BIGINT`) on both.

pub mod admin;
pub mod console;
pub mod holds;
mod postgres;
pub mod queue;
mod rows;
mod sql;
mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;
use thiserror::Error;

use chrono::{DateTime, Utc};

use crate::domain::audit::AuditEntry;
use crate::domain::delegation::SeenRoute;
use crate::domain::guard::GuardSettings;
use crate::domain::lifecycle::Lifecycle;
use crate::domain::name::RegistrableDomain;
use crate::domain::notices::{ExpiryNotice, SentNotice};
use crate::domain::schedule::ScheduleSettings;
use crate::domain::status::{DomainStatus, EvidenceSource, Observation};
#[cfg(doc)]
use crate::domain::tracking::Tracked;
use crate::domain::transition::Transition;

pub use admin::AdminStore;
pub use console::ConsoleStore;
pub use holds::HoldStore;
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("DATABASE_URL must start with sqlite: or postgres:// (got scheme {0:?})")]
    UnsupportedUrl(String),
    #[error("the database did not answer in time")]
    Timeout,
    #[error("a stored row cannot be read back: {0}")]
    Corrupt(String),
    /// The group-commit writer ([`queue::RecordQueue`]) is gone (shutting down).
    #[error("the store's writer has stopped")]
    WriterStopped,
}

/// A transition as the log holds it: with its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedTransition {
    /// Only grows: pollers resume after the last id they saw.
    pub id: i64,
    pub transition: Transition,
}

/// An active domain whose expiration date is near, and the notice last sent for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeCandidate {
    pub domain: RegistrableDomain,
    pub registered_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
    /// The source the status rests on (the notice's `source`).
    pub evidence: EvidenceSource,
    pub sent: Option<SentNotice>,
}

impl NoticeCandidate {
    /// The notice's transition: `active` to `active`, dated `now`.
    pub fn transition(&self, notice: ExpiryNotice, now: DateTime<Utc>) -> Transition {
        Transition {
            domain: self.domain.clone(),
            from: Lifecycle::Active,
            to: Lifecycle::Active,
            registered_at: self.registered_at,
            expires_at: Some(self.expires_at),
            observed_at: now,
            source: self.evidence,
            signal: None,
            notice: Some(notice),
        }
    }
}

/// A domain's current status and the change it reflects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredStatus {
    pub status: DomainStatus,
    /// The id of the latest change of the domain's facts (see [`Store::changes_after`]);
    /// a copy with a smaller revision is older.
    pub revision: i64,
}

/// One change of a domain's facts, as the change log holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    /// Only grows, but on PostgreSQL ids may commit out of order: pollers re-read a
    /// window behind their cursor.
    pub id: i64,
    pub domain: RegistrableDomain,
}

/// An observation as the history keeps it: a repeated failure is one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub observation: Observation,
    /// How many more times the same failure was seen after `observation.observed_at`.
    pub repeats: u32,
    /// The latest of those times (`observed_at` when there was no repeat).
    pub last_observed_at: DateTime<Utc>,
}

/// What recording an observation changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The current status afterwards (`None` while no lookup ever succeeded).
    pub status: Option<DomainStatus>,
    /// The revision of that status.
    pub revision: i64,
    /// The transition it published, if any.
    pub transition: Option<PublishedTransition>,
    /// The transition the mass-change guard held instead, if any.
    pub held: Option<Transition>,
    pub next_check_at: DateTime<Utc>,
}

/// A webhook delivery still owed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub transition: PublishedTransition,
    /// Attempts made so far.
    pub attempts: u32,
}

pub use crate::domain::recording::{Origin, Recording, Role, WatchEntry};

/// The lease row of the replica that runs the background work (`refresh/leader.rs`); the
/// stats name its holder.
pub const SCHEDULER_LEASE: &str = "scheduler";

/// The service's configuration for recording observations (how one observation was
/// made is its [`Recording`], per call).
#[derive(Debug, Clone, Copy)]
pub struct RecordSettings {
    pub schedule: ScheduleSettings,
    /// Queue each published transition for webhook delivery.
    pub webhooks: bool,
    /// When a host's lapses are held instead of published.
    pub guard: GuardSettings,
}

/// Persistent state. Every method is one transaction; a change made for an actor takes
/// its audit entry into the same transaction.
#[async_trait]
pub trait Store: AdminStore + HoldStore + ConsoleStore + Send + Sync {
    /// Applies pending migrations.
    async fn migrate(&self) -> Result<(), StoreError>;

    /// Answers when the database can serve the request path (on SQLite: when a writer
    /// can take the lock).
    async fn ping(&self) -> Result<(), StoreError>;

    /// The current status of a domain, if it was ever looked up successfully.
    async fn status(&self, domain: &RegistrableDomain) -> Result<Option<StoredStatus>, StoreError>;

    /// Appends an observation to the history and folds it into the domain's tracked state
    /// (see [`Tracked::fold`]): current status, published lifecycle, transitions log,
    /// webhook outbox and next check. A looked-up domain becomes watched. A change of the
    /// domain's facts (anything but the check time) appends to the change log. A DNS
    /// observation also sets the domain's delegation and next DNS check; in the
    /// [`Role::Signal`] role it leaves the status alone. A change that ends an allow
    /// override (see [`crate::domain::overrides::ends_allow`]) marks it lapsed. A
    /// transition the mass-change guard holds (see `store/holds.rs`) is kept under its
    /// host's hold instead of published.
    async fn record(
        &self,
        observation: &Observation,
        recording: Recording,
        settings: &RecordSettings,
    ) -> Result<Recorded, StoreError>;

    /// Records each observation as [`Store::record`] does, in order, in one transaction
    /// (one commit for the lot: the scheduler's writes go this way). Fails as a whole.
    async fn record_batch(
        &self,
        batch: &[(Observation, Recording)],
        settings: &RecordSettings,
    ) -> Result<Vec<Recorded>, StoreError>;

    /// How many batches may be written at once: 1 on SQLite (one write lock), more on
    /// PostgreSQL (its writers wait on the network, not on each other).
    fn batch_writers(&self) -> usize;

    /// The latest observations of a domain, newest first.
    async fn observations(
        &self,
        domain: &RegistrableDomain,
        limit: u32,
    ) -> Result<Vec<HistoryEntry>, StoreError>;

    /// Changes of domains' facts with an id above `after`, in id order.
    async fn changes_after(&self, after: i64, limit: u32) -> Result<Vec<StatusChange>, StoreError>;

    /// The highest change id so far (0 when there is none).
    async fn last_change(&self) -> Result<i64, StoreError>;

    /// Deletes up to `limit` observations made before `before`, except each domain's
    /// latest `keep` (by id); returns how many.
    async fn prune_observations(
        &self,
        before: DateTime<Utc>,
        keep: u32,
        limit: u32,
    ) -> Result<u64, StoreError>;

    /// Deletes up to `limit` webhook outbox rows delivered before `before`; returns how
    /// many. Undelivered rows and the transitions themselves are kept.
    async fn prune_deliveries(&self, before: DateTime<Utc>, limit: u32) -> Result<u64, StoreError>;

    /// Drops change-log rows written before `before`; returns how many.
    async fn prune_changes(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;

    /// The route last kept for a mail domain (`Observer::mail_route_for_check`).
    async fn mail_route(&self, mail_domain: &str) -> Result<Option<SeenRoute>, StoreError>;

    /// Keeps a mail domain's route, unless one DNS gave later is kept already.
    async fn keep_mail_route(&self, mail_domain: &str, seen: &SeenRoute) -> Result<(), StoreError>;

    /// Drops the mail routes DNS last gave before `before`; returns how many.
    async fn prune_mail_routes(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;

    /// Active domains expiring within `threshold_days` of `now` that have had no notice
    /// for that expiration date at that threshold or a smaller one, soonest first, at most
    /// `limit` (`refresh/notices.rs`).
    async fn expiry_notice_candidates(
        &self,
        now: DateTime<Utc>,
        threshold_days: u32,
        limit: u32,
    ) -> Result<Vec<NoticeCandidate>, StoreError>;

    /// Publishes an expiry notice (a transition of kind `expiry_notice`, with its webhook
    /// when `webhooks`) and marks it sent, in one transaction; `None`, publishing nothing,
    /// when the domain's status no longer says what the candidate read (renewed, lapsed,
    /// or noticed meanwhile by another replica).
    async fn publish_expiry_notice(
        &self,
        candidate: &NoticeCandidate,
        notice: ExpiryNotice,
        now: DateTime<Utc>,
        webhooks: bool,
    ) -> Result<Option<PublishedTransition>, StoreError>;

    /// Adds domains to the watch list, due at `now`; returns how many were new.
    async fn watch(
        &self,
        domains: &[RegistrableDomain],
        now: DateTime<Utc>,
        audit: Option<&AuditEntry>,
    ) -> Result<u64, StoreError>;

    /// Removes a domain from the watch list; false when it was not on it (and then
    /// nothing is audited).
    async fn unwatch(
        &self,
        domain: &RegistrableDomain,
        audit: Option<&AuditEntry>,
    ) -> Result<bool, StoreError>;

    async fn watch_entry(
        &self,
        domain: &RegistrableDomain,
    ) -> Result<Option<WatchEntry>, StoreError>;

    /// Watches the domain (if it was not) and sets its next check.
    async fn reschedule(
        &self,
        domain: &RegistrableDomain,
        at: DateTime<Utc>,
        audit: Option<&AuditEntry>,
    ) -> Result<(), StoreError>;

    /// Takes up to `limit` domains due at `now`, oldest first, and moves their next check
    /// to `lease_until`, so that a crash mid-refresh loses nothing: they come due again.
    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<RegistrableDomain>, StoreError>;

    /// Makes due at `now` every watched domain whose next check (registry or DNS) lies in
    /// `(now, until]`: the claims a leader that died mid-refresh left (each claim moves a
    /// check to the end of its lease), and checks due within the lease anyway. A new leader
    /// calls it before its first claim, with `until` the claim lease's end. Returns how
    /// many schedules moved.
    async fn reclaim(&self, now: DateTime<Utc>, until: DateTime<Utc>) -> Result<u64, StoreError>;

    /// As [`Store::claim_due`], for the delegation sweep's DNS schedule.
    async fn claim_dns_due(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<RegistrableDomain>, StoreError>;

    /// Transitions with an id above `after`, in id order.
    async fn transitions(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<PublishedTransition>, StoreError>;

    /// Undelivered webhooks due at `now`, in transition order.
    async fn due_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError>;

    async fn delivery_succeeded(
        &self,
        transition_id: i64,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    async fn delivery_failed(
        &self,
        transition_id: i64,
        retry_at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError>;

    /// Shares host pauses between replicas: records this replica's (`local`, each host
    /// paused until a time; a later time wins), drops the expired, and returns every
    /// pause still running at `now`, this replica's and the others'.
    async fn share_pauses(
        &self,
        local: &[(String, DateTime<Utc>)],
        now: DateTime<Utc>,
    ) -> Result<Vec<(String, DateTime<Utc>)>, StoreError>;

    /// Takes or renews the named lease for `holder` when it is free, expired or already
    /// theirs. True when `holder` holds it until `until`.
    async fn try_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Gives the lease up, if `holder` holds it.
    async fn release_lease(&self, name: &str, holder: &str) -> Result<(), StoreError>;
}

/// Opens the store a `DATABASE_URL` names: `sqlite:` or `postgres://`/`postgresql://`.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    let scheme = url.split(':').next().unwrap_or_default();
    match scheme {
        "sqlite" => Ok(Arc::new(SqliteStore::connect(url).await?)),
        "postgres" | "postgresql" => Ok(Arc::new(PostgresStore::connect(url).await?)),
        other => Err(StoreError::UnsupportedUrl(other.to_owned())),
    }
}
