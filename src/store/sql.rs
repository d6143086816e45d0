//! The SQL both stores run (`$n` placeholders work on SQLite too), the `Backend` seam,
//! and `impl_store!`, the `Store` implementation written once for both. The row types
//! are `store/rows.rs`.

use super::StoreError;
use crate::domain::name::RegistrableDomain;

/// The columns of a `rows::StatusRow`.
macro_rules! status_columns {
    () => {
        "SELECT domain, lifecycle, statuses, registered_at, first_registered_at, expires_at, \
         last_changed_at, transferred_at, last_lapse_at, checked_at, published_lifecycle, \
         published_registered_at, pending_lifecycle, pending_since, revision, evidence, \
         registry_handle, registrar_id, nameservers, signals, dns_nameservers \
         FROM domain_status"
    };
}

pub(super) const SELECT_STATUS: &str = concat!(status_columns!(), " WHERE domain = $1");

/// A batch's statuses: the caller pushes the domains and the closing parenthesis.
pub(super) const SELECT_STATUSES_IN: &str = concat!(status_columns!(), " WHERE domain IN (");

pub(super) const UPSERT_STATUS: &str = "INSERT INTO domain_status (domain, lifecycle, statuses, \
     registered_at, first_registered_at, expires_at, last_changed_at, transferred_at, \
     last_lapse_at, checked_at, published_lifecycle, published_registered_at, \
     pending_lifecycle, pending_since, revision, evidence, registry_handle, registrar_id, \
     nameservers, signals, dns_nameservers) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
     $18, $19, $20, $21) \
     ON CONFLICT (domain) DO UPDATE SET lifecycle = excluded.lifecycle, \
     statuses = excluded.statuses, registered_at = excluded.registered_at, \
     first_registered_at = excluded.first_registered_at, expires_at = excluded.expires_at, \
     last_changed_at = excluded.last_changed_at, transferred_at = excluded.transferred_at, \
     last_lapse_at = excluded.last_lapse_at, checked_at = excluded.checked_at, \
     published_lifecycle = excluded.published_lifecycle, \
     published_registered_at = excluded.published_registered_at, \
     pending_lifecycle = excluded.pending_lifecycle, pending_since = excluded.pending_since, \
     revision = excluded.revision, evidence = excluded.evidence, \
     registry_handle = excluded.registry_handle, registrar_id = excluded.registrar_id, \
     nameservers = excluded.nameservers, signals = excluded.signals, \
     dns_nameservers = excluded.dns_nameservers";

pub(super) const INSERT_OBSERVATION: &str = "INSERT INTO observations (domain, observed_at, \
     outcome, lifecycle, http_status, error, statuses, registered_at, expires_at, \
     last_changed_at, transferred_at, unreadable_dates, source, nameservers, mail, \
     registry_handle, registrar_id) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)";

/// Counts an observation into the domain's latest row from the same source when it says
/// the same again (a failure with the same error and HTTP status, or the same DNS answer),
/// instead of adding a row per repeat.
pub(super) const REPEAT_OBSERVATION: &str = "UPDATE observations SET repeats = repeats + 1, \
     last_observed_at = $2 WHERE id = (SELECT id FROM observations WHERE domain = $1 \
     AND source = $5 ORDER BY id DESC LIMIT 1) AND outcome = $6 \
     AND error IS NOT DISTINCT FROM $3 AND http_status IS NOT DISTINCT FROM $4 \
     AND nameservers IS NOT DISTINCT FROM $7 AND mail IS NOT DISTINCT FROM $8";

pub(super) const INSERT_CHANGE: &str =
    "INSERT INTO status_changes (domain, changed_at) VALUES ($1, $2) RETURNING id";

pub(super) const SELECT_CHANGES: &str =
    "SELECT id, domain FROM status_changes WHERE id > $1 ORDER BY id LIMIT $2";

pub(super) const SELECT_LAST_CHANGE: &str = "SELECT MAX(id) FROM status_changes";

pub(super) const PRUNE_CHANGES: &str = "DELETE FROM status_changes WHERE changed_at < $1";

/// Old observations beyond each domain's latest `$2`, at most `$3` of them.
pub(super) const PRUNE_OBSERVATIONS: &str = "DELETE FROM observations WHERE id IN \
     (SELECT o.id FROM observations o WHERE o.observed_at < $1 \
     AND (SELECT COUNT(*) FROM observations n WHERE n.domain = o.domain AND n.id > o.id) >= $2 \
     LIMIT $3)";

pub(super) const PRUNE_DELIVERIES: &str = "DELETE FROM webhook_outbox WHERE transition_id IN \
     (SELECT transition_id FROM webhook_outbox WHERE delivered_at IS NOT NULL \
     AND delivered_at < $1 LIMIT $2)";

/// Watches a domain that is not watched yet, without touching an existing schedule.
pub(super) const WATCH_IF_NEW: &str = "INSERT INTO watched_domains (domain, added_at, \
     next_check_at, failures) VALUES ($1, $2, $3, 0) ON CONFLICT (domain) DO NOTHING";

pub(super) const SELECT_OBSERVATIONS: &str = "SELECT domain, observed_at, outcome, http_status, \
     error, statuses, registered_at, expires_at, last_changed_at, transferred_at, \
     unreadable_dates, repeats, last_observed_at, source, lifecycle, nameservers, mail, \
     registry_handle, registrar_id \
     FROM observations WHERE domain = $1 ORDER BY observed_at DESC, id DESC LIMIT $2";

pub(super) const INSERT_TRANSITION: &str = "INSERT INTO transitions (domain, from_lifecycle, \
     to_lifecycle, registered_at, expires_at, observed_at, source, host, lapse, kind, \
     signal_name, signal_change, signal_since, notice_days_left, notice_threshold) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id";

pub(super) const INSERT_DELIVERY: &str =
    "INSERT INTO webhook_outbox (transition_id, next_attempt_at) VALUES ($1, $2)";

pub(super) const SELECT_TRANSITIONS: &str = "SELECT id, domain, from_lifecycle, to_lifecycle, \
     registered_at, expires_at, observed_at, source, kind, signal_name, signal_change, \
     signal_since, notice_days_left, notice_threshold FROM transitions WHERE id > $1 \
     ORDER BY id LIMIT $2";

pub(super) const SELECT_DUE_DELIVERIES: &str = "SELECT t.id, t.domain, t.from_lifecycle, \
     t.to_lifecycle, t.registered_at, t.expires_at, t.observed_at, t.source, o.attempts, \
     t.kind, t.signal_name, t.signal_change, t.signal_since, t.notice_days_left, \
     t.notice_threshold \
     FROM webhook_outbox o JOIN transitions t ON t.id = o.transition_id \
     WHERE o.delivered_at IS NULL AND o.next_attempt_at <= $1 ORDER BY t.id LIMIT $2";

pub(super) const DELIVERY_SUCCEEDED: &str = "UPDATE webhook_outbox SET delivered_at = $2, \
     attempts = attempts + 1, last_error = NULL WHERE transition_id = $1";

pub(super) const DELIVERY_FAILED: &str = "UPDATE webhook_outbox SET attempts = attempts + 1, \
     next_attempt_at = $2, last_error = $3 WHERE transition_id = $1";

/// Sets the registry schedule, and the copies the watch list keeps (`$5` the host, `$6` the
/// lifecycle; NULL keeps what is there) in the same statement.
pub(super) const UPSERT_WATCH_SCHEDULE: &str = "INSERT INTO watched_domains (domain, added_at, \
     next_check_at, failures, host, lifecycle) VALUES ($1, $2, $3, $4, $5, \
     COALESCE($6, 'unknown')) ON CONFLICT (domain) DO UPDATE SET \
     next_check_at = excluded.next_check_at, failures = excluded.failures, \
     host = COALESCE($5, watched_domains.host), \
     lifecycle = COALESCE($6, watched_domains.lifecycle)";

pub(super) const RESCHEDULE: &str = "INSERT INTO watched_domains (domain, added_at, \
     next_check_at, failures) VALUES ($1, $2, $2, 0) ON CONFLICT (domain) DO UPDATE SET \
     next_check_at = excluded.next_check_at";

/// `POST /v1/watch` and `import`: the domains are watched on purpose (`explicit_at`), which
/// the mass-change guard weighs fully (`guard::lapse_weight`).
pub(super) const WATCH_PREFIX: &str =
    "INSERT INTO watched_domains (domain, added_at, next_check_at, failures, explicit_at) ";

/// Marks domains already watched (through a check) as watched on purpose: `$1` the time,
/// the caller pushes the domains and the closing parenthesis.
pub(super) const MARK_EXPLICIT_PREFIX: &str = "UPDATE watched_domains SET explicit_at = ";

pub(super) const WATCH_SUFFIX: &str = " ON CONFLICT (domain) DO NOTHING";

pub(super) const UNWATCH: &str = "DELETE FROM watched_domains WHERE domain = $1";

/// The columns of a `rows::WatchRow`.
macro_rules! watch_columns {
    () => {
        "SELECT domain, added_at, next_check_at, failures, delegated, nameservers, \
         dns_next_check_at, host FROM watched_domains"
    };
}

pub(super) const SELECT_WATCH: &str = concat!(watch_columns!(), " WHERE domain = $1");

/// A batch's watch-list rows: the caller pushes the domains and the closing parenthesis.
pub(super) const SELECT_WATCHES_IN: &str = concat!(watch_columns!(), " WHERE domain IN (");

/// The watch list's copies (`$2` the host, `$3` the lifecycle; NULL keeps what is there).
pub(super) const SET_WATCHED_COPIES: &str = "UPDATE watched_domains SET \
     host = COALESCE($2, host), lifecycle = COALESCE($3, lifecycle) WHERE domain = $1";

/// Keeps a DNS answer (`delegated` NULL after a failed lookup keeps the last answer) and
/// the domain's two schedules.
pub(super) const UPSERT_DELEGATION: &str = "INSERT INTO watched_domains (domain, added_at, \
     next_check_at, failures, delegated, nameservers, dns_next_check_at) \
     VALUES ($1, $2, $3, 0, $4, $5, $6) ON CONFLICT (domain) DO UPDATE SET \
     next_check_at = excluded.next_check_at, \
     delegated = COALESCE(excluded.delegated, watched_domains.delegated), \
     nameservers = COALESCE(excluded.nameservers, watched_domains.nameservers), \
     dns_next_check_at = excluded.dns_next_check_at";

pub(super) const CLAIM_DNS_DUE: &str = "UPDATE watched_domains SET dns_next_check_at = $1 \
     WHERE domain IN (SELECT domain FROM watched_domains WHERE dns_next_check_at <= $2 \
     ORDER BY dns_next_check_at LIMIT $3) RETURNING domain";

pub(super) const RECLAIM: &str = "UPDATE watched_domains SET next_check_at = $1 \
     WHERE next_check_at > $1 AND next_check_at <= $2";

pub(super) const RECLAIM_DNS: &str = "UPDATE watched_domains SET dns_next_check_at = $1 \
     WHERE dns_next_check_at > $1 AND dns_next_check_at <= $2";

pub(super) const CLAIM_DUE: &str = "UPDATE watched_domains SET next_check_at = $1 \
     WHERE domain IN (SELECT domain FROM watched_domains WHERE next_check_at <= $2 \
     ORDER BY next_check_at LIMIT $3) RETURNING domain";

pub(super) const TRY_LEASE: &str = "INSERT INTO leases (name, holder, expires_at) \
     VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, \
     expires_at = excluded.expires_at \
     WHERE leases.holder = excluded.holder OR leases.expires_at < $4";

/// A host's pause; the later end wins.
pub(super) const UPSERT_PAUSE: &str = "INSERT INTO host_pauses (host, paused_until) \
     VALUES ($1, $2) ON CONFLICT (host) DO UPDATE SET paused_until = excluded.paused_until \
     WHERE host_pauses.paused_until < excluded.paused_until";

pub(super) const DROP_ENDED_PAUSES: &str = "DELETE FROM host_pauses WHERE paused_until <= $1";

pub(super) const SELECT_PAUSES: &str = "SELECT host, paused_until FROM host_pauses";

pub(super) const SELECT_MAIL_ROUTE: &str =
    "SELECT route, seen_at, fetched_at FROM mail_routes WHERE mail_domain = $1";

pub(super) const UPSERT_MAIL_ROUTE: &str = "INSERT INTO mail_routes \
     (mail_domain, route, seen_at, fetched_at) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (mail_domain) DO UPDATE SET route = excluded.route, \
     seen_at = excluded.seen_at, fetched_at = excluded.fetched_at \
     WHERE mail_routes.fetched_at <= excluded.fetched_at";

/// Watched, active domains expiring after `$1` and by `$2` with no notice for that date
/// at the threshold `$3` or a smaller one, soonest first.
pub(super) const SELECT_NOTICE_CANDIDATES: &str = "SELECT s.domain, s.registered_at, \
     s.expires_at, s.evidence, s.notice_expires_at, s.notice_days FROM domain_status s \
     WHERE s.lifecycle = 'active' AND s.expires_at > $1 AND s.expires_at <= $2 \
     AND (s.notice_expires_at IS NULL OR s.notice_expires_at <> s.expires_at \
     OR s.notice_days > $3) \
     AND EXISTS (SELECT 1 FROM watched_domains w WHERE w.domain = s.domain) \
     ORDER BY s.expires_at LIMIT $4";

/// Marks a notice sent, only while the status still says what the candidate read.
pub(super) const MARK_NOTICE: &str = "UPDATE domain_status SET notice_expires_at = $2, \
     notice_days = $3 WHERE domain = $1 AND expires_at = $2 AND lifecycle = 'active' \
     AND (notice_expires_at IS NULL OR notice_expires_at <> $2 OR notice_days > $3)";

pub(super) const PRUNE_MAIL_ROUTES: &str = "DELETE FROM mail_routes WHERE fetched_at < $1";

pub(super) const RELEASE_LEASE: &str = "DELETE FROM leases WHERE name = $1 AND holder = $2";

/// Marks a domain's allow override as lapsed by a change observed at `$2` (see
/// [`crate::domain::overrides::ends_allow`]).
pub(super) const END_ALLOW: &str = "UPDATE overrides SET lapsed_at = $2 WHERE domain = $1 \
     AND decision = 'allow' AND lapsed_at IS NULL AND set_at <= $2";

/// Copies the status's lifecycle onto watch-list rows of these domains (`$1` to `$n`) that
/// have a status: a domain watched again after an unwatch.
pub(super) const SYNC_WATCHED_LIFECYCLE_PREFIX: &str = "UPDATE watched_domains SET lifecycle = \
     (SELECT s.lifecycle FROM domain_status s WHERE s.domain = watched_domains.domain) \
     WHERE EXISTS (SELECT 1 FROM domain_status s WHERE s.domain = watched_domains.domain \
     AND s.lifecycle <> watched_domains.lifecycle) AND domain IN ";

/// PostgreSQL is ready when the status table can be read: a lock held on it shows.
pub(super) const PING_READ: &str =
    "SELECT COUNT(*) FROM (SELECT 1 FROM domain_status LIMIT 1) AS probe";

/// A backend's connection: what the SQL of every `impl_*!` macro runs on.
pub(super) type Conn<B> = <<B as Backend>::Db as sqlx::Database>::Connection;

/// What each database does its own way; everything else is the SQL above and the
/// transaction shape in [`impl_store!`], written once for both.
#[async_trait::async_trait]
pub(super) trait Backend: Send + Sync {
    type Db: sqlx::Database;

    fn pool(&self) -> &sqlx::Pool<Self::Db>;

    /// See [`Store::batch_writers`].
    const BATCH_WRITERS: usize;

    /// Opens a transaction that holds the domain's write lock.
    async fn begin_write(
        &self,
        domain: &RegistrableDomain,
    ) -> Result<sqlx::Transaction<'static, Self::Db>, StoreError>;

    /// Opens a transaction that holds every one of the domains' write locks (taken in one
    /// order by every caller, so that two batches cannot wait for each other).
    async fn begin_write_all(
        &self,
        domains: &[&RegistrableDomain],
    ) -> Result<sqlx::Transaction<'static, Self::Db>, StoreError>;

    /// Serialises the writers of the transitions log, so that ids become visible in order.
    async fn lock_transitions(
        conn: &mut <Self::Db as sqlx::Database>::Connection,
    ) -> Result<(), StoreError>;

    /// Serialises the writers of the audit log, as [`Backend::lock_transitions`] does for
    /// transitions.
    async fn lock_audit(
        conn: &mut <Self::Db as sqlx::Database>::Connection,
    ) -> Result<(), StoreError>;

    /// Answers when the database can serve the request path.
    async fn ping(&self) -> Result<(), StoreError>;
}

/// What the SQL of the other `impl_*!` macros asks of the audit log's: each backend's
/// `impl_admin_store!` implements it, so that no generated module is named outside the
/// macro that generates it.
#[async_trait::async_trait]
pub(super) trait AuditSql: Backend {
    /// Appends an audit entry inside the caller's transaction, ids in commit order.
    async fn insert_audit(
        conn: &mut Conn<Self>,
        entry: &crate::domain::audit::AuditEntry,
    ) -> Result<(), StoreError>;

    /// Moves a table's revision on (the settings follower reloads what changed).
    async fn bump(conn: &mut Conn<Self>, name: &str) -> Result<(), StoreError>;
}

/// What becomes of a transition `record()` is about to publish.
pub(super) enum Guarded {
    Publish,
    /// Held under this host's hold.
    Hold(String),
}

/// What the recording SQL (`impl_store!`) asks of the guard's: each backend's
/// `impl_hold_store!` implements it, so that no generated module is named outside the
/// macro that generates it. The caller holds the transitions lock.
#[async_trait::async_trait]
pub(super) trait HoldSql: Backend {
    /// Judges a transition: publish it, or hold it under a hold.
    async fn guard(
        conn: &mut Conn<Self>,
        transition: &crate::domain::transition::Transition,
        host: Option<&str>,
        settings: &crate::domain::guard::GuardSettings,
    ) -> Result<Guarded, StoreError>;

    /// Appends a transition to the log, with its webhook delivery when `webhooks`.
    async fn publish(
        conn: &mut Conn<Self>,
        transition: crate::domain::transition::Transition,
        host: Option<&str>,
        webhooks: bool,
    ) -> Result<super::PublishedTransition, StoreError>;

    /// Keeps a transition under `host`'s hold, with what `before` had published.
    async fn hold(
        conn: &mut Conn<Self>,
        transition: &crate::domain::transition::Transition,
        host: &str,
        before: &crate::domain::tracking::Tracked,
    ) -> Result<(), StoreError>;
}

/// Writes `impl Store` for a [`Backend`], once per database:
/// `impl_store!(SqliteStore, sqlx::Sqlite, "migrations/sqlite")`. sqlx's executor types
/// differ per database, so the shared SQL is instantiated rather than generic; the
/// expansion lives in a module of its own and leaves the invoking module's names alone.
macro_rules! impl_store {
    ($store:ident, $db:ty, $migrations:literal) => {
        mod shared_sql {
            use chrono::{DateTime, Utc};
            use $crate::domain::audit::AuditEntry;
            use $crate::domain::delegation::SeenRoute;
            use $crate::domain::name::RegistrableDomain;
            use $crate::domain::notices::ExpiryNotice;
            use $crate::domain::recording::{self, Before, Recording, ScheduleWrite, WritePlan};
            use $crate::domain::status::{DomainStatus, EvidenceSource, Observation};
            use $crate::domain::tracking::Tracked;
            use $crate::domain::transition::Publication;
            use $crate::store::rows::{self, seconds};
            use $crate::store::sql;
            use $crate::store::{
                Delivery, HistoryEntry, NoticeCandidate, PublishedTransition, RecordSettings,
                Recorded, Role,
                StatusChange, Store, StoreError, StoredStatus, WatchEntry,
            };

            use super::$store;
            use $crate::store::sql::AuditSql;
            use $crate::store::sql::{Guarded, HoldSql};
            use $crate::store::sql::Backend;

            type Connection = <$db as sqlx::Database>::Connection;

            /// Gives newly watched domains that have a status its lifecycle.
            async fn sync_watched_lifecycle(
                conn: &mut Connection,
                domains: &[&str],
            ) -> Result<(), StoreError> {
                let mut query = sqlx::QueryBuilder::<$db>::new(sql::SYNC_WATCHED_LIFECYCLE_PREFIX);
                query.push("(");
                let mut list = query.separated(", ");
                for domain in domains {
                    list.push_bind(*domain);
                }
                list.push_unseparated(")");
                query.build().execute(&mut *conn).await?;
                Ok(())
            }

            /// Marks the domain's allow override lapsed, and tells replicas when it did.
            async fn end_allow(
                conn: &mut Connection,
                domain: &RegistrableDomain,
                at: DateTime<Utc>,
            ) -> Result<(), StoreError> {
                let ended = sqlx::query(sql::END_ALLOW)
                    .bind(domain.as_str())
                    .bind(at.timestamp())
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                if ended > 0 {
                    <$store as AuditSql>::bump(conn, "overrides").await?;
                }
                Ok(())
            }

            /// A domain's tracked state, the revision of its status, and its watch-list row.
            type Loaded = (Tracked, i64, Option<WatchEntry>);

            /// [`Loaded`] from the domain's two rows (either may be missing).
            fn loaded(
                status: Option<rows::StatusRow>,
                watch: Option<rows::WatchRow>,
            ) -> Result<Loaded, StoreError> {
                let (status, publication, revision) = match status {
                    Some(row) => {
                        let publication = row.publication()?;
                        let revision = row.revision();
                        (Some(DomainStatus::try_from(row)?), publication, revision)
                    }
                    None => (None, Publication::default(), 0),
                };
                let watch = watch.map(WatchEntry::try_from).transpose()?;
                let tracked = Tracked {
                    status,
                    publication,
                    failures: watch.as_ref().map_or(0, |w| w.failures),
                };
                Ok((tracked, revision, watch))
            }

            /// A batch's [`Loaded`]s by domain, in two reads instead of two per domain: on
            /// PostgreSQL each statement is a round trip, and the batch's writer waits for
            /// every one.
            async fn load_tracked_batch(
                conn: &mut Connection,
                domains: &[&RegistrableDomain],
            ) -> Result<std::collections::HashMap<String, Loaded>, StoreError> {
                let select_in = |prefix: &'static str| {
                    let mut query = sqlx::QueryBuilder::<$db>::new(prefix);
                    let mut list = query.separated(", ");
                    for domain in domains {
                        list.push_bind(domain.as_str());
                    }
                    list.push_unseparated(")");
                    query
                };
                let statuses: Vec<rows::StatusRow> = select_in(sql::SELECT_STATUSES_IN)
                    .build_query_as()
                    .fetch_all(&mut *conn)
                    .await?;
                let watches: Vec<rows::WatchRow> = select_in(sql::SELECT_WATCHES_IN)
                    .build_query_as()
                    .fetch_all(&mut *conn)
                    .await?;
                type Rows = (Option<rows::StatusRow>, Option<rows::WatchRow>);
                let mut rows: std::collections::HashMap<String, Rows> =
                    std::collections::HashMap::with_capacity(domains.len());
                for status in statuses {
                    let domain = status.domain().to_owned();
                    rows.entry(domain).or_default().0 = Some(status);
                }
                for watch in watches {
                    let domain = watch.domain.clone();
                    rows.entry(domain).or_default().1 = Some(watch);
                }
                rows.into_iter()
                    .map(|(domain, (status, watch))| Ok((domain, loaded(status, watch)?)))
                    .collect()
            }

            /// One domain's [`Loaded`], read as a batch of one.
            async fn load_tracked(
                conn: &mut Connection,
                domain: &RegistrableDomain,
            ) -> Result<Loaded, StoreError> {
                match load_tracked_batch(conn, &[domain]).await?.remove(domain.as_str()) {
                    Some(found) => Ok(found),
                    None => loaded(None, None),
                }
            }

            async fn upsert_status(
                conn: &mut Connection,
                status: &DomainStatus,
                publication: &Publication,
                revision: i64,
            ) -> Result<(), StoreError> {
                sqlx::query(sql::UPSERT_STATUS)
                    .bind(status.domain.as_str())
                    .bind(status.lifecycle.as_str())
                    .bind(rows::encode_statuses(&status.statuses))
                    .bind(seconds(status.registered_at))
                    .bind(seconds(status.first_registered_at))
                    .bind(seconds(status.expires_at))
                    .bind(seconds(status.last_changed_at))
                    .bind(seconds(status.transferred_at))
                    .bind(seconds(status.last_lapse_at))
                    .bind(status.checked_at.timestamp())
                    .bind(publication.lifecycle.as_str())
                    .bind(seconds(publication.registered_at))
                    .bind(publication.pending.map(|p| p.lifecycle.as_str()))
                    .bind(seconds(publication.pending.map(|p| p.since)))
                    .bind(revision)
                    .bind(status.evidence.as_str())
                    .bind(status.handle.as_deref())
                    .bind(status.registrar_id.as_deref())
                    .bind(rows::encode_statuses(&status.nameservers))
                    .bind(rows::encode_signals(&status.signals))
                    .bind(rows::encode_statuses(&status.dns_nameservers))
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            }

            /// Appends the observation, or counts it into the latest row of its source
            /// when it repeats that row's failure or DNS answer.
            async fn insert_observation(
                conn: &mut Connection,
                observation: &Observation,
            ) -> Result<(), StoreError> {
                let values = rows::ObservationValues::from(observation);
                let dns = observation.source == EvidenceSource::Dns;
                if values.error.is_some() || dns {
                    let repeated = sqlx::query(sql::REPEAT_OBSERVATION)
                        .bind(observation.domain.as_str())
                        .bind(observation.observed_at.timestamp())
                        .bind(values.error.as_deref())
                        .bind(values.http_status)
                        .bind(observation.source.as_str())
                        .bind(values.outcome)
                        .bind(values.nameservers.as_deref())
                        .bind(values.mail)
                        .execute(&mut *conn)
                        .await?;
                    if repeated.rows_affected() > 0 {
                        return Ok(());
                    }
                }
                sqlx::query(sql::INSERT_OBSERVATION)
                    .bind(observation.domain.as_str())
                    .bind(observation.observed_at.timestamp())
                    .bind(values.outcome)
                    .bind(values.lifecycle)
                    .bind(values.http_status)
                    .bind(values.error)
                    .bind(values.statuses)
                    .bind(values.registered_at)
                    .bind(values.expires_at)
                    .bind(values.last_changed_at)
                    .bind(values.transferred_at)
                    .bind(values.unreadable_dates)
                    .bind(observation.source.as_str())
                    .bind(values.nameservers)
                    .bind(values.mail)
                    .bind(values.handle)
                    .bind(values.registrar_id)
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            }

            /// Runs the plan's schedule: the watch list's row for a registry observation
            /// (with the plan's copies when `ScheduleWrite::carries_copies`), or the
            /// delegation and the next DNS look for a DNS one.
            async fn write_schedule(
                conn: &mut Connection,
                observation: &Observation,
                plan: &WritePlan,
            ) -> Result<(), StoreError> {
                let domain = observation.domain.as_str();
                let now = observation.observed_at.timestamp();
                let next = plan.next_check_at.timestamp();
                match &plan.schedule {
                    ScheduleWrite::WatchIfNew => {
                        sqlx::query(sql::WATCH_IF_NEW)
                            .bind(domain)
                            .bind(now)
                            .bind(next)
                            .execute(&mut *conn)
                            .await?;
                    }
                    ScheduleWrite::Registry { failures } => {
                        sqlx::query(sql::UPSERT_WATCH_SCHEDULE)
                            .bind(domain)
                            .bind(now)
                            .bind(next)
                            .bind(i32::try_from(*failures).unwrap_or(i32::MAX))
                            .bind(plan.copies.host.as_deref())
                            .bind(plan.copies.lifecycle.map(|l| l.as_str()))
                            .execute(&mut *conn)
                            .await?;
                    }
                    ScheduleWrite::Delegation {
                        seen,
                        next_dns_check_at,
                    } => {
                        sqlx::query(sql::UPSERT_DELEGATION)
                            .bind(domain)
                            .bind(now)
                            .bind(next)
                            .bind(seen.as_ref().map(|d| d.delegated))
                            .bind(seen.as_ref().map(|d| rows::encode_statuses(&d.nameservers)))
                            .bind(next_dns_check_at.timestamp())
                            .execute(&mut *conn)
                            .await?;
                    }
                }
                Ok(())
            }

            /// Runs one of the claim statements: due domains move to `lease_until`.
            async fn claim(
                pool: &sqlx::Pool<$db>,
                statement: &'static str,
                now: DateTime<Utc>,
                lease_until: DateTime<Utc>,
                limit: u32,
            ) -> Result<Vec<RegistrableDomain>, StoreError> {
                let rows: Vec<(String,)> = sqlx::query_as(statement)
                    .bind(lease_until.timestamp())
                    .bind(now.timestamp())
                    .bind(i64::from(limit))
                    .fetch_all(pool)
                    .await?;
                rows.into_iter()
                    .map(|(domain,)| {
                        RegistrableDomain::parse(&domain)
                            .map_err(|e| StoreError::Corrupt(format!("watched domain: {e}")))
                    })
                    .collect()
            }

            /// [`Store::record`]'s work inside the caller's write transaction (which
            /// holds the domain's lock). `loaded` is the domain's state when the caller read it already in this
            /// transaction.
            async fn record_in(
                tx: &mut Connection,
                observation: &Observation,
                recording: Recording,
                settings: &RecordSettings,
                loaded: Option<Loaded>,
            ) -> Result<Recorded, StoreError> {
                let domain = &observation.domain;
                let (before, mut revision, watch) = match loaded {
                    Some(loaded) => loaded,
                    None => load_tracked(&mut *tx, domain).await?,
                };
                let before = Before {
                    tracked: &before,
                    watch: watch.as_ref(),
                };
                let mut plan = recording::plan(before, observation, recording, &settings.schedule);
                // Signal appearances the guard holds are not published and stay unpublished
                // in the status: a look after the host's hold ends publishes them. A signal
                // that goes is published whatever the guard says (its appearance was).
                let mut signals_to_publish = Vec::new();
                if !plan.signal_transitions.is_empty() {
                    <$store as Backend>::lock_transitions(&mut *tx).await?;
                    let host = plan.guard_key.as_deref();
                    for transition in std::mem::take(&mut plan.signal_transitions) {
                        let guarded = match transition.signal {
                            Some(change) if change.change == $crate::domain::signals::Change::Appeared => {
                                <$store as HoldSql>::guard(&mut *tx, &transition, host, &settings.guard)
                                    .await?
                            }
                            _ => Guarded::Publish,
                        };
                        match (guarded, transition.signal) {
                            (Guarded::Publish, _) => signals_to_publish.push(transition),
                            (Guarded::Hold(_), Some(change)) => {
                                if let Some(status) = plan.tracked.status.as_mut() {
                                    $crate::domain::ownership::unpublish(status, change.signal);
                                }
                            }
                            (Guarded::Hold(_), None) => {}
                        }
                    }
                }
                if plan.write_status
                    && let Some(status) = &plan.tracked.status
                {
                    if plan.new_fact {
                        let (id,): (i64,) = sqlx::query_as(sql::INSERT_CHANGE)
                            .bind(domain.as_str())
                            .bind(observation.observed_at.timestamp())
                            .fetch_one(&mut *tx)
                            .await?;
                        revision = id;
                    }
                    upsert_status(&mut *tx, status, &plan.tracked.publication, revision).await?;
                    if plan.end_allow {
                        end_allow(&mut *tx, domain, observation.observed_at).await?;
                    }
                }
                insert_observation(&mut *tx, observation).await?;
                let mut held = None;
                let transition = match &plan.transition {
                    Some(transition) => {
                        <$store as Backend>::lock_transitions(&mut *tx).await?;
                        let host = plan.guard_key.as_deref();
                        match <$store as HoldSql>::guard(&mut *tx, transition, host, &settings.guard)
                            .await?
                        {
                            Guarded::Publish => Some(
                                <$store as HoldSql>::publish(
                                    &mut *tx,
                                    transition.clone(),
                                    host,
                                    settings.webhooks,
                                )
                                .await?,
                            ),
                            Guarded::Hold(host) => {
                                <$store as HoldSql>::hold(&mut *tx, transition, &host, before.tracked)
                                    .await?;
                                held = Some(transition.clone());
                                None
                            }
                        }
                    }
                    None => None,
                };
                for transition in signals_to_publish {
                    <$store as HoldSql>::publish(
                        &mut *tx,
                        transition,
                        plan.guard_key.as_deref(),
                        settings.webhooks,
                    )
                    .await?;
                }
                if recording.role == Role::Signal
                    && before.watch.is_some_and(|w| plan.next_check_at < w.next_check_at)
                {
                    tracing::info!(domain = %domain, "delegation changed: registry check due now");
                }
                write_schedule(&mut *tx, observation, &plan).await?;
                if !plan.schedule.carries_copies() && plan.copies.any() {
                    sqlx::query(sql::SET_WATCHED_COPIES)
                        .bind(domain.as_str())
                        .bind(plan.copies.host.as_deref())
                        .bind(plan.copies.lifecycle.map(|l| l.as_str()))
                        .execute(&mut *tx)
                        .await?;
                }
                Ok(Recorded {
                    status: plan.tracked.status,
                    revision,
                    transition,
                    held,
                    next_check_at: plan.next_check_at,
                })
            }

            #[async_trait::async_trait]
            impl Store for $store {
                async fn migrate(&self) -> Result<(), StoreError> {
                    sqlx::migrate!($migrations).run(self.pool()).await?;
                    Ok(())
                }

                async fn ping(&self) -> Result<(), StoreError> {
                    Backend::ping(self).await
                }

                async fn status(
                    &self,
                    domain: &RegistrableDomain,
                ) -> Result<Option<StoredStatus>, StoreError> {
                    let row: Option<rows::StatusRow> = sqlx::query_as(sql::SELECT_STATUS)
                        .bind(domain.as_str())
                        .fetch_optional(self.pool())
                        .await?;
                    row.map(|row| {
                        let revision = row.revision();
                        DomainStatus::try_from(row).map(|status| StoredStatus { status, revision })
                    })
                    .transpose()
                }

                async fn record(
                    &self,
                    observation: &Observation,
                    recording: Recording,
                    settings: &RecordSettings,
                ) -> Result<Recorded, StoreError> {
                    let mut tx = self.begin_write(&observation.domain).await?;
                    let recorded =
                        record_in(&mut tx, observation, recording, settings, None).await?;
                    tx.commit().await?;
                    Ok(recorded)
                }

                fn batch_writers(&self) -> usize {
                    <$store as Backend>::BATCH_WRITERS
                }

                async fn record_batch(
                    &self,
                    batch: &[(Observation, Recording)],
                    settings: &RecordSettings,
                ) -> Result<Vec<Recorded>, StoreError> {
                    let domains: Vec<&RegistrableDomain> =
                        batch.iter().map(|(o, _)| &o.domain).collect();
                    let mut tx = self.begin_write_all(&domains).await?;
                    let mut preloaded = load_tracked_batch(&mut tx, &domains).await?;
                    let mut seen = std::collections::HashSet::with_capacity(batch.len());
                    let mut recorded = Vec::with_capacity(batch.len());
                    for (observation, recording) in batch {
                        let domain = observation.domain.as_str();
                        // A domain twice in a batch: the second reads the first's writes.
                        let state = if seen.insert(domain) {
                            Some(match preloaded.remove(domain) {
                                Some(state) => state,
                                None => loaded(None, None)?,
                            })
                        } else {
                            None
                        };
                        recorded.push(
                            record_in(&mut tx, observation, *recording, settings, state).await?,
                        );
                    }
                    tx.commit().await?;
                    Ok(recorded)
                }

                async fn observations(
                    &self,
                    domain: &RegistrableDomain,
                    limit: u32,
                ) -> Result<Vec<HistoryEntry>, StoreError> {
                    let rows: Vec<rows::ObservationRow> = sqlx::query_as(sql::SELECT_OBSERVATIONS)
                        .bind(domain.as_str())
                        .bind(i64::from(limit))
                        .fetch_all(self.pool())
                        .await?;
                    rows.into_iter().map(TryInto::try_into).collect()
                }

                async fn watch(
                    &self,
                    domains: &[RegistrableDomain],
                    now: DateTime<Utc>,
                    audit: Option<&AuditEntry>,
                ) -> Result<u64, StoreError> {
                    let mut unique: Vec<&str> = domains.iter().map(|d| d.as_str()).collect();
                    unique.sort_unstable();
                    unique.dedup();
                    let mut added = 0;
                    let mut tx = self.pool().begin().await?;
                    // 1,000 rows of 4 parameters stay far below both databases' limits.
                    for chunk in unique.chunks(1000) {
                        let mut query = sqlx::QueryBuilder::<$db>::new(sql::WATCH_PREFIX);
                        query.push_values(chunk, |mut row, domain| {
                            row.push_bind(*domain)
                                .push_bind(now.timestamp())
                                .push_bind(now.timestamp())
                                .push_bind(0_i32)
                                .push_bind(now.timestamp());
                        });
                        query.push(sql::WATCH_SUFFIX);
                        added += query.build().execute(&mut *tx).await?.rows_affected();
                        let mut mark = sqlx::QueryBuilder::<$db>::new(sql::MARK_EXPLICIT_PREFIX);
                        mark.push_bind(now.timestamp())
                            .push(" WHERE explicit_at IS NULL AND domain IN (");
                        let mut names = mark.separated(", ");
                        for domain in chunk {
                            names.push_bind(*domain);
                        }
                        names.push_unseparated(")");
                        mark.build().execute(&mut *tx).await?;
                        sync_watched_lifecycle(&mut tx, chunk).await?;
                    }
                    if let Some(audit) = audit {
                        let mut audit = audit.clone();
                        if let Some(details) = audit.details.as_object_mut() {
                            details.insert("added".to_owned(), added.into());
                        }
                        <$store as AuditSql>::insert_audit(&mut tx, &audit).await?;
                    }
                    tx.commit().await?;
                    Ok(added)
                }

                async fn unwatch(
                    &self,
                    domain: &RegistrableDomain,
                    audit: Option<&AuditEntry>,
                ) -> Result<bool, StoreError> {
                    let mut tx = self.pool().begin().await?;
                    let removed = sqlx::query(sql::UNWATCH)
                        .bind(domain.as_str())
                        .execute(&mut *tx)
                        .await?
                        .rows_affected()
                        > 0;
                    if removed && let Some(audit) = audit {
                        <$store as AuditSql>::insert_audit(&mut tx, audit).await?;
                    }
                    tx.commit().await?;
                    Ok(removed)
                }

                async fn watch_entry(
                    &self,
                    domain: &RegistrableDomain,
                ) -> Result<Option<WatchEntry>, StoreError> {
                    let row: Option<rows::WatchRow> = sqlx::query_as(sql::SELECT_WATCH)
                        .bind(domain.as_str())
                        .fetch_optional(self.pool())
                        .await?;
                    row.map(TryInto::try_into).transpose()
                }

                async fn reschedule(
                    &self,
                    domain: &RegistrableDomain,
                    at: DateTime<Utc>,
                    audit: Option<&AuditEntry>,
                ) -> Result<(), StoreError> {
                    let mut tx = self.pool().begin().await?;
                    sqlx::query(sql::RESCHEDULE)
                        .bind(domain.as_str())
                        .bind(at.timestamp())
                        .execute(&mut *tx)
                        .await?;
                    sync_watched_lifecycle(&mut tx, &[domain.as_str()]).await?;
                    if let Some(audit) = audit {
                        <$store as AuditSql>::insert_audit(&mut tx, audit).await?;
                    }
                    tx.commit().await?;
                    Ok(())
                }

                async fn claim_due(
                    &self,
                    now: DateTime<Utc>,
                    lease_until: DateTime<Utc>,
                    limit: u32,
                ) -> Result<Vec<RegistrableDomain>, StoreError> {
                    claim(self.pool(), sql::CLAIM_DUE, now, lease_until, limit).await
                }

                async fn reclaim(
                    &self,
                    now: DateTime<Utc>,
                    until: DateTime<Utc>,
                ) -> Result<u64, StoreError> {
                    let mut tx = self.pool().begin().await?;
                    let mut moved = 0;
                    for sql in [sql::RECLAIM, sql::RECLAIM_DNS] {
                        moved += sqlx::query(sql)
                            .bind(now.timestamp())
                            .bind(until.timestamp())
                            .execute(&mut *tx)
                            .await?
                            .rows_affected();
                    }
                    tx.commit().await?;
                    Ok(moved)
                }

                async fn claim_dns_due(
                    &self,
                    now: DateTime<Utc>,
                    lease_until: DateTime<Utc>,
                    limit: u32,
                ) -> Result<Vec<RegistrableDomain>, StoreError> {
                    claim(self.pool(), sql::CLAIM_DNS_DUE, now, lease_until, limit).await
                }

                async fn transitions(
                    &self,
                    after: i64,
                    limit: u32,
                ) -> Result<Vec<PublishedTransition>, StoreError> {
                    let rows: Vec<rows::TransitionRow> = sqlx::query_as(sql::SELECT_TRANSITIONS)
                        .bind(after)
                        .bind(i64::from(limit))
                        .fetch_all(self.pool())
                        .await?;
                    rows.into_iter().map(TryInto::try_into).collect()
                }

                async fn due_deliveries(
                    &self,
                    now: DateTime<Utc>,
                    limit: u32,
                ) -> Result<Vec<Delivery>, StoreError> {
                    let rows: Vec<rows::TransitionRow> = sqlx::query_as(sql::SELECT_DUE_DELIVERIES)
                        .bind(now.timestamp())
                        .bind(i64::from(limit))
                        .fetch_all(self.pool())
                        .await?;
                    rows.into_iter().map(TryInto::try_into).collect()
                }

                async fn delivery_succeeded(
                    &self,
                    transition_id: i64,
                    at: DateTime<Utc>,
                ) -> Result<(), StoreError> {
                    sqlx::query(sql::DELIVERY_SUCCEEDED)
                        .bind(transition_id)
                        .bind(at.timestamp())
                        .execute(self.pool())
                        .await?;
                    Ok(())
                }

                async fn delivery_failed(
                    &self,
                    transition_id: i64,
                    retry_at: DateTime<Utc>,
                    error: &str,
                ) -> Result<(), StoreError> {
                    sqlx::query(sql::DELIVERY_FAILED)
                        .bind(transition_id)
                        .bind(retry_at.timestamp())
                        .bind(error)
                        .execute(self.pool())
                        .await?;
                    Ok(())
                }

                async fn try_lease(
                    &self,
                    name: &str,
                    holder: &str,
                    now: DateTime<Utc>,
                    until: DateTime<Utc>,
                ) -> Result<bool, StoreError> {
                    let result = sqlx::query(sql::TRY_LEASE)
                        .bind(name)
                        .bind(holder)
                        .bind(until.timestamp())
                        .bind(now.timestamp())
                        .execute(self.pool())
                        .await?;
                    Ok(result.rows_affected() > 0)
                }

                async fn changes_after(
                    &self,
                    after: i64,
                    limit: u32,
                ) -> Result<Vec<StatusChange>, StoreError> {
                    let rows: Vec<(i64, String)> = sqlx::query_as(sql::SELECT_CHANGES)
                        .bind(after)
                        .bind(i64::from(limit))
                        .fetch_all(self.pool())
                        .await?;
                    rows.into_iter()
                        .map(|(id, domain)| {
                            RegistrableDomain::parse(&domain)
                                .map(|domain| StatusChange { id, domain })
                                .map_err(|e| StoreError::Corrupt(format!("changed domain: {e}")))
                        })
                        .collect()
                }

                async fn last_change(&self) -> Result<i64, StoreError> {
                    let (id,): (Option<i64>,) = sqlx::query_as(sql::SELECT_LAST_CHANGE)
                        .fetch_one(self.pool())
                        .await?;
                    Ok(id.unwrap_or(0))
                }

                async fn prune_observations(
                    &self,
                    before: DateTime<Utc>,
                    keep: u32,
                    limit: u32,
                ) -> Result<u64, StoreError> {
                    let result = sqlx::query(sql::PRUNE_OBSERVATIONS)
                        .bind(before.timestamp())
                        .bind(i64::from(keep))
                        .bind(i64::from(limit))
                        .execute(self.pool())
                        .await?;
                    Ok(result.rows_affected())
                }

                async fn prune_deliveries(
                    &self,
                    before: DateTime<Utc>,
                    limit: u32,
                ) -> Result<u64, StoreError> {
                    let result = sqlx::query(sql::PRUNE_DELIVERIES)
                        .bind(before.timestamp())
                        .bind(i64::from(limit))
                        .execute(self.pool())
                        .await?;
                    Ok(result.rows_affected())
                }

                async fn prune_changes(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
                    let result = sqlx::query(sql::PRUNE_CHANGES)
                        .bind(before.timestamp())
                        .execute(self.pool())
                        .await?;
                    Ok(result.rows_affected())
                }

                async fn mail_route(
                    &self,
                    mail_domain: &str,
                ) -> Result<Option<SeenRoute>, StoreError> {
                    let row: Option<rows::MailRouteRow> = sqlx::query_as(sql::SELECT_MAIL_ROUTE)
                        .bind(mail_domain)
                        .fetch_optional(self.pool())
                        .await?;
                    row.map(SeenRoute::try_from).transpose()
                }

                async fn keep_mail_route(
                    &self,
                    mail_domain: &str,
                    seen: &SeenRoute,
                ) -> Result<(), StoreError> {
                    sqlx::query(sql::UPSERT_MAIL_ROUTE)
                        .bind(mail_domain)
                        .bind(rows::encode_mail_route(&seen.route))
                        .bind(seen.seen_at.timestamp())
                        .bind(seen.fetched_at.timestamp())
                        .execute(self.pool())
                        .await?;
                    Ok(())
                }

                async fn expiry_notice_candidates(
                    &self,
                    now: DateTime<Utc>,
                    threshold_days: u32,
                    limit: u32,
                ) -> Result<Vec<NoticeCandidate>, StoreError> {
                    let until = now + chrono::TimeDelta::days(i64::from(threshold_days));
                    let rows: Vec<rows::NoticeRow> = sqlx::query_as(sql::SELECT_NOTICE_CANDIDATES)
                        .bind(now.timestamp())
                        .bind(until.timestamp())
                        .bind(i64::from(threshold_days))
                        .bind(i64::from(limit))
                        .fetch_all(self.pool())
                        .await?;
                    rows.into_iter().map(TryInto::try_into).collect()
                }

                async fn publish_expiry_notice(
                    &self,
                    candidate: &NoticeCandidate,
                    notice: ExpiryNotice,
                    now: DateTime<Utc>,
                    webhooks: bool,
                ) -> Result<Option<PublishedTransition>, StoreError> {
                    let mut tx = self.begin_write(&candidate.domain).await?;
                    let marked = sqlx::query(sql::MARK_NOTICE)
                        .bind(candidate.domain.as_str())
                        .bind(candidate.expires_at.timestamp())
                        .bind(i64::from(notice.threshold))
                        .execute(&mut *tx)
                        .await?;
                    if marked.rows_affected() == 0 {
                        return Ok(None);
                    }
                    <$store as Backend>::lock_transitions(&mut *tx).await?;
                    let transition = candidate.transition(notice, now);
                    let published =
                        <$store as HoldSql>::publish(&mut *tx, transition, None, webhooks).await?;
                    tx.commit().await?;
                    Ok(Some(published))
                }

                async fn prune_mail_routes(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
                    let result = sqlx::query(sql::PRUNE_MAIL_ROUTES)
                        .bind(before.timestamp())
                        .execute(self.pool())
                        .await?;
                    Ok(result.rows_affected())
                }

                async fn share_pauses(
                    &self,
                    local: &[(String, DateTime<Utc>)],
                    now: DateTime<Utc>,
                ) -> Result<Vec<(String, DateTime<Utc>)>, StoreError> {
                    // Writes only when this replica has a pause to share: a poll with
                    // nothing to say takes no write lock (SQLite has one).
                    if !local.is_empty() {
                        let mut tx = self.pool().begin().await?;
                        for (host, until) in local {
                            sqlx::query(sql::UPSERT_PAUSE)
                                .bind(host.as_str())
                                .bind(until.timestamp())
                                .execute(&mut *tx)
                                .await?;
                        }
                        sqlx::query(sql::DROP_ENDED_PAUSES)
                            .bind(now.timestamp())
                            .execute(&mut *tx)
                            .await?;
                        tx.commit().await?;
                    }
                    let rows: Vec<(String, i64)> =
                        sqlx::query_as(sql::SELECT_PAUSES).fetch_all(self.pool()).await?;
                    Ok(rows
                        .into_iter()
                        .filter_map(|(host, until)| {
                            DateTime::from_timestamp(until, 0).map(|until| (host, until))
                        })
                        .filter(|(_, until)| *until > now)
                        .collect())
                }

                async fn release_lease(&self, name: &str, holder: &str) -> Result<(), StoreError> {
                    sqlx::query(sql::RELEASE_LEASE)
                        .bind(name)
                        .bind(holder)
                        .execute(self.pool())
                        .await?;
                    Ok(())
                }
            }
        }
    };
}
pub(super) use impl_store;
