//! What the mass-change guard keeps (rule in `domain/guard.rs`): each host's open hold,
//! the transitions held under it, and the counts the guard judges by. The `HoldStore`
//! trait, its SQL, and `impl_hold_store!`, which writes it once per database as
//! `impl_store!` does; `record()` asks [`impl_hold_store!`]'s `guard` what becomes of
//! each transition.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{PublishedTransition, StoreError};
use crate::domain::audit::AuditEntry;

/// The host of a domain that has held transitions: its later transitions are held too,
/// so that a release publishes them in order.
pub(super) const SELECT_DOMAIN_HOLD: &str =
    "SELECT host FROM held_transitions WHERE domain = $1 LIMIT 1";

pub(super) const SELECT_GUARDED: &str = "SELECT watched, counted_at, held_since, settled_at \
     FROM guarded_hosts WHERE host = $1";

/// The weight of the host's lapses since `$2`, in tenths (`guard::lapse_weight`, written
/// in SQL: a domain checked into the watch list less than 30 days (`$3` seconds) before
/// its lapse weighs 1, any other 10).
pub(super) const SUM_RECENT_LAPSE_WEIGHT: &str = "SELECT COALESCE(SUM(CASE \
     WHEN w.explicit_at IS NULL AND w.added_at > t.observed_at - $3 THEN 1 ELSE 10 END), 0) \
     FROM transitions t LEFT JOIN watched_domains w ON w.domain = t.domain \
     WHERE t.host = $1 AND t.lapse AND t.observed_at > $2";

/// How the domain entered the watch list: whether `POST /v1/watch` or `import` named it,
/// and when it was added.
pub(super) const SELECT_WATCH_ORIGIN: &str =
    "SELECT explicit_at, added_at FROM watched_domains WHERE domain = $1";

pub(super) const COUNT_HOST_WATCHED: &str = "SELECT COUNT(*) FROM watched_domains WHERE host = $1";

pub(super) const SET_HOST_WATCHED: &str = "INSERT INTO guarded_hosts (host, watched, \
     counted_at) VALUES ($1, $2, $3) ON CONFLICT (host) DO UPDATE SET \
     watched = excluded.watched, counted_at = excluded.counted_at";

pub(super) const OPEN_HOLD: &str = "INSERT INTO guarded_hosts (host, held_since) \
     VALUES ($1, $2) ON CONFLICT (host) DO UPDATE SET held_since = excluded.held_since";

/// Ends a host's open hold; affects no row when there is none.
pub(super) const SETTLE_HOLD: &str = "UPDATE guarded_hosts SET held_since = NULL, \
     settled_at = $2 WHERE host = $1 AND held_since IS NOT NULL";

/// Ends a host's open hold once nothing is held under it any more (a discard's last step).
pub(super) const SETTLE_EMPTY_HOLD: &str = "UPDATE guarded_hosts SET held_since = NULL, \
     settled_at = $2 WHERE host = $1 AND held_since IS NOT NULL AND NOT EXISTS \
     (SELECT 1 FROM held_transitions WHERE host = $1)";

pub(super) const SELECT_HOLD_OPEN: &str =
    "SELECT 1 FROM guarded_hosts WHERE host = $1 AND held_since IS NOT NULL";

/// The next domains a discard takes.
pub(super) const SELECT_HELD_DOMAINS: &str = "SELECT DISTINCT domain FROM held_transitions \
     WHERE host = $1 ORDER BY domain LIMIT $2";

pub(super) const SELECT_DOMAIN_HELD: &str = "SELECT id, domain, from_lifecycle, \
     to_lifecycle, registered_at, expires_at, observed_at, source, prior_registered_at, \
     prior_last_lapse_at FROM held_transitions WHERE host = $1 AND domain = $2 ORDER BY id";

pub(super) const DELETE_DOMAIN_HELD: &str =
    "DELETE FROM held_transitions WHERE host = $1 AND domain = $2";

pub(super) const INSERT_HELD: &str = "INSERT INTO held_transitions (host, domain, \
     from_lifecycle, to_lifecycle, registered_at, expires_at, observed_at, source, \
     prior_registered_at, prior_last_lapse_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

pub(super) const SELECT_HELD: &str = "SELECT id, domain, from_lifecycle, to_lifecycle, \
     registered_at, expires_at, observed_at, source, prior_registered_at, \
     prior_last_lapse_at FROM held_transitions WHERE host = $1 ORDER BY id";

pub(super) const DELETE_HELD: &str = "DELETE FROM held_transitions WHERE host = $1";

/// Open holds with what they hold.
pub(super) const SELECT_HOLDS: &str = "SELECT g.host, g.held_since, COUNT(h.id) AS held, \
     COUNT(DISTINCT h.domain) AS domains, MIN(h.observed_at) AS first_observed_at, \
     MAX(h.observed_at) AS last_observed_at \
     FROM guarded_hosts g LEFT JOIN held_transitions h ON h.host = g.host \
     WHERE g.held_since IS NOT NULL GROUP BY g.host, g.held_since ORDER BY g.host";

pub(super) const SELECT_HELD_SAMPLE: &str = "SELECT DISTINCT domain FROM held_transitions \
     WHERE host = $1 ORDER BY domain LIMIT $2";

/// Puts back what the transitions log last said about a domain, and its last lapse
/// before the hold's sightings (a discard).
pub(super) const RESTORE_PUBLICATION: &str = "UPDATE domain_status SET \
     published_lifecycle = $2, published_registered_at = $3, pending_lifecycle = $4, \
     pending_since = $5, last_lapse_at = $6, revision = $7 WHERE domain = $1";

pub(super) const DUE_NOW: &str = "UPDATE watched_domains SET next_check_at = $2 \
     WHERE domain = $1";

/// How many domains a discard reads at a time.
pub(super) const DISCARD_BATCH: u32 = 500;

/// How many held domains a hold's listing names.
pub const SAMPLE: u32 = 10;

/// A host's open hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hold {
    /// The upstream host (`name:port`).
    pub host: String,
    /// When the lapse one too many opened it.
    pub since: DateTime<Utc>,
    /// Transitions held.
    pub transitions: u64,
    /// Domains they concern.
    pub domains: u64,
    pub first_observed_at: Option<DateTime<Utc>>,
    pub last_observed_at: Option<DateTime<Utc>>,
    /// Some held domains, by name (at most [`SAMPLE`]).
    pub sample: Vec<String>,
}

/// What releasing a hold published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Released {
    pub transitions: Vec<PublishedTransition>,
}

/// What discarding a hold did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Discarded {
    /// Held transitions dropped.
    pub transitions: u64,
    /// Domains made due for a second look.
    pub domains: u64,
}

/// The guard's persistent state. Releases and discards are one transaction with their
/// audit entry.
#[async_trait]
pub trait HoldStore: Send + Sync {
    /// Every open hold, by host.
    async fn holds(&self) -> Result<Vec<Hold>, StoreError>;

    /// Publishes what the host's hold holds, in the order it was held (new transition
    /// ids; webhook deliveries when `webhooks`), and ends the hold. `None` when the host
    /// has no open hold (and then nothing is audited). Both this and a discard audit
    /// `audit` with the counts as its details.
    async fn release_hold(
        &self,
        host: &str,
        now: DateTime<Utc>,
        webhooks: bool,
        audit: &AuditEntry,
    ) -> Result<Option<Released>, StoreError>;

    /// Drops what the host's hold holds and ends the hold: each held domain's publication
    /// goes back to what the log last said (see `HeldRun::restored_publication`) and its
    /// registry check is due at `now`, so that only what a second look confirms is
    /// published. `None` when the host has no open hold.
    ///
    /// One transaction per domain, under the domain's write lock as `record()` takes it
    /// (so that no lookup recorded meanwhile writes back the publication it read before),
    /// then one that ends the hold once nothing is held under it; the audit entry goes
    /// with the last. A discard cut short leaves the hold open with less under it: run
    /// it again.
    async fn discard_hold(
        &self,
        host: &str,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<Option<Discarded>, StoreError>;
}

/// Writes `impl HoldStore` for a backend, and the `guard` that `record()` asks:
/// `impl_hold_store!(SqliteStore, sqlx::Sqlite)`.
macro_rules! impl_hold_store {
    ($store:ident, $db:ty) => {
        mod hold_sql {
            use chrono::{DateTime, Utc};
            use $crate::domain::audit::{AuditAction, AuditEntry, GUARD_ACTOR};
            use $crate::domain::guard::{self, GuardSettings, HeldRun, HostCount, Verdict};
            use $crate::domain::tracking::Tracked;
            use $crate::domain::transition::Transition;
            use $crate::store::sql::AuditSql;
            use $crate::store::holds::{
                self, Discarded, Hold, HoldStore, Released,
            };
            use $crate::store::rows::{self, HeldRow, HoldRow, from_seconds, required_time, seconds};
            use $crate::store::sql::{self, Backend, Guarded, HoldSql};
            use $crate::store::{PublishedTransition, StoreError};

            use super::$store;

            type Connection = <$db as sqlx::Database>::Connection;

            #[async_trait::async_trait]
            impl $crate::store::sql::HoldSql for $store {
                /// Judges a transition (the caller holds the transitions lock, so that counts
                /// and holds are exact across replicas): reads what is held and the host's
                /// counts, and runs the rules of `domain/guard.rs` (`precheck`, then
                /// `judge`); the lapse one too many opens the host's hold (audited, actor
                /// `guard`).
                async fn guard(
                    conn: &mut Connection,
                    transition: &Transition,
                    host: Option<&str>,
                    settings: &GuardSettings,
                ) -> Result<Guarded, StoreError> {
                    let domain_hold: Option<(String,)> = sqlx::query_as(holds::SELECT_DOMAIN_HOLD)
                        .bind(transition.domain.as_str())
                        .fetch_optional(&mut *conn)
                        .await?;
                    let row: Option<(i64, Option<i64>, Option<i64>, Option<i64>)> = match host {
                        // The host's row matters only when `precheck` can reach it.
                        Some(host) if domain_hold.is_none() && guard::weighs(transition, settings) => {
                            sqlx::query_as(holds::SELECT_GUARDED)
                                .bind(host)
                                .fetch_optional(&mut *conn)
                                .await?
                        }
                        _ => None,
                    };
                    let (watched, counted_at, held_since, settled_at) =
                        row.unwrap_or((0, None, None, None));
                    let held = guard::Held {
                        domain: domain_hold.as_ref().map(|(hold,)| hold.as_str()),
                        host: held_since.is_some(),
                    };
                    let host = match guard::precheck(transition, host, held, settings) {
                        guard::Precheck::Hold(hold) => return Ok(Guarded::Hold(hold)),
                        guard::Precheck::Publish => return Ok(Guarded::Publish),
                        guard::Precheck::Count => host.unwrap_or_default(),
                    };
                    let now = transition.observed_at;
                    let start = guard::window_start(now, from_seconds(settled_at));
                    let (recent,): (i64,) = sqlx::query_as(holds::SUM_RECENT_LAPSE_WEIGHT)
                        .bind(host)
                        .bind(start.timestamp())
                        .bind(guard::LIGHT_FOR.num_seconds())
                        .fetch_one(&mut *conn)
                        .await?;
                    let recent_weight = u64::try_from(recent).unwrap_or(0);
                    let origin: Option<(Option<i64>, i64)> = sqlx::query_as(holds::SELECT_WATCH_ORIGIN)
                        .bind(transition.domain.as_str())
                        .fetch_optional(&mut *conn)
                        .await?;
                    let weight = match origin {
                        Some((explicit_at, added_at)) => guard::lapse_weight(
                            explicit_at.is_some(),
                            required_time(added_at)?,
                            now,
                        ),
                        None => guard::FULL_WEIGHT,
                    };
                    let watched = if guard::needs_count(settings, recent_weight, weight) {
                        let fresh = counted_at.is_some_and(|t| t > (now - guard::WINDOW).timestamp());
                        Some(if fresh {
                            u64::try_from(watched).unwrap_or(0)
                        } else {
                            count_watched(conn, host, now).await?
                        })
                    } else {
                        None
                    };
                    let count = HostCount {
                        recent_weight,
                        weight,
                        watched,
                    };
                    match guard::judge(settings, count) {
                        Verdict::Publish => Ok(Guarded::Publish),
                        Verdict::OpenHold => {
                            let threshold = settings.threshold(watched.unwrap_or(0));
                            let recent_lapses = recent_weight as f64 / guard::FULL_WEIGHT as f64;
                            tracing::warn!(host, recent_lapses, threshold, "mass change: lapses of this host are held until an admin releases or discards them");
                            sqlx::query(holds::OPEN_HOLD)
                                .bind(host)
                                .bind(now.timestamp())
                                .execute(&mut *conn)
                                .await?;
                            let details = serde_json::json!({
                                "lapses_in_window": recent_lapses,
                                "threshold": threshold,
                                "watched": watched,
                            });
                            let entry =
                                AuditEntry::new(now, GUARD_ACTOR, AuditAction::HoldOpened, host, details);
                            <$store as AuditSql>::insert_audit(conn, &entry).await?;
                            Ok(Guarded::Hold(host.to_owned()))
                        }
                    }
                }

                /// Appends a transition to the log (the caller holds the transitions lock),
                /// with its webhook delivery when `webhooks`.
                async fn publish(
                    conn: &mut Connection,
                    transition: Transition,
                    host: Option<&str>,
                    webhooks: bool,
                ) -> Result<PublishedTransition, StoreError> {
                    let (id,): (i64,) = sqlx::query_as(sql::INSERT_TRANSITION)
                        .bind(transition.domain.as_str())
                        .bind(transition.from.as_str())
                        .bind(transition.to.as_str())
                        .bind(seconds(transition.registered_at))
                        .bind(seconds(transition.expires_at))
                        .bind(transition.observed_at.timestamp())
                        .bind(transition.source.as_str())
                        .bind(host)
                        .bind(guard::is_lapse(&transition))
                        .bind(transition.kind().as_str())
                        .bind(transition.signal.map(|s| s.signal.as_str()))
                        .bind(transition.signal.map(|s| s.change.as_str()))
                        .bind(transition.signal.map(|s| s.since.timestamp()))
                        .bind(transition.notice.map(|n| i64::from(n.days_left)))
                        .bind(transition.notice.map(|n| i64::from(n.threshold)))
                        .fetch_one(&mut *conn)
                        .await?;
                    if webhooks {
                        sqlx::query(sql::INSERT_DELIVERY)
                            .bind(id)
                            .bind(transition.observed_at.timestamp())
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(PublishedTransition { id, transition })
                }

                /// Keeps a transition under the host's hold, with the registration date the
                /// log last published for the domain and its last lapse (from `before`).
                async fn hold(
                    conn: &mut Connection,
                    transition: &Transition,
                    host: &str,
                    before: &Tracked,
                ) -> Result<(), StoreError> {
                    sqlx::query(holds::INSERT_HELD)
                        .bind(host)
                        .bind(transition.domain.as_str())
                        .bind(transition.from.as_str())
                        .bind(transition.to.as_str())
                        .bind(seconds(transition.registered_at))
                        .bind(seconds(transition.expires_at))
                        .bind(transition.observed_at.timestamp())
                        .bind(transition.source.as_str())
                        .bind(seconds(before.publication.registered_at))
                        .bind(seconds(before.status.as_ref().and_then(|s| s.last_lapse_at)))
                        .execute(&mut *conn)
                        .await?;
                    Ok(())
                }
            }

            /// Counts the host's watched domains and keeps the count for an hour.
            async fn count_watched(
                conn: &mut Connection,
                host: &str,
                now: DateTime<Utc>,
            ) -> Result<u64, StoreError> {
                let (n,): (i64,) = sqlx::query_as(holds::COUNT_HOST_WATCHED)
                    .bind(host)
                    .fetch_one(&mut *conn)
                    .await?;
                sqlx::query(holds::SET_HOST_WATCHED)
                    .bind(host)
                    .bind(n)
                    .bind(now.timestamp())
                    .execute(&mut *conn)
                    .await?;
                Ok(u64::try_from(n).unwrap_or(0))
            }



            /// Ends the host's hold and takes what it held, inside the caller's
            /// transaction (which holds the transitions lock); `None` when there is no
            /// open hold.
            async fn settle(
                conn: &mut Connection,
                host: &str,
                now: DateTime<Utc>,
            ) -> Result<Option<Vec<PublishedTransition>>, StoreError> {
                let settled = sqlx::query(holds::SETTLE_HOLD)
                    .bind(host)
                    .bind(now.timestamp())
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                if settled == 0 {
                    return Ok(None);
                }
                let rows: Vec<HeldRow> = sqlx::query_as(holds::SELECT_HELD)
                    .bind(host)
                    .fetch_all(&mut *conn)
                    .await?;
                sqlx::query(holds::DELETE_HELD)
                    .bind(host)
                    .execute(&mut *conn)
                    .await?;
                rows.into_iter()
                    .map(|row| row.transition.try_into())
                    .collect::<Result<_, _>>()
                    .map(Some)
            }

            /// Drops one domain's held transitions and puts its publication back (see
            /// [`HoldStore::discard_hold`]); returns how many were dropped.
            async fn discard_domain(
                store: &$store,
                host: &str,
                domain: &str,
                now: DateTime<Utc>,
            ) -> Result<u64, StoreError> {
                let name = rows::stored_domain(domain)?;
                let mut tx = store.begin_write(&name).await?;
                <$store as Backend>::lock_transitions(&mut tx).await?;
                let rows: Vec<HeldRow> = sqlx::query_as(holds::SELECT_DOMAIN_HELD)
                    .bind(host)
                    .bind(domain)
                    .fetch_all(&mut *tx)
                    .await?;
                let mut run: Option<HeldRun> = None;
                for row in &rows {
                    let to = rows::lifecycle_from(&row.transition.to_lifecycle)?;
                    match &mut run {
                        Some(run) => run.held_to = to,
                        None => {
                            run = Some(HeldRun {
                                published: rows::lifecycle_from(&row.transition.from_lifecycle)?,
                                published_registered_at: from_seconds(row.prior_registered_at),
                                last_lapse_before: from_seconds(row.prior_last_lapse_at),
                                held_to: to,
                                first_observed_at: required_time(row.transition.observed_at)?,
                            });
                        }
                    }
                }
                if let Some(run) = run {
                    let restored = run.restored_publication();
                    // Memory on every replica drops what it holds of the domain.
                    let (revision,): (i64,) = sqlx::query_as(sql::INSERT_CHANGE)
                        .bind(domain)
                        .bind(now.timestamp())
                        .fetch_one(&mut *tx)
                        .await?;
                    sqlx::query(holds::RESTORE_PUBLICATION)
                        .bind(domain)
                        .bind(restored.lifecycle.as_str())
                        .bind(seconds(restored.registered_at))
                        .bind(restored.pending.map(|p| p.lifecycle.as_str()))
                        .bind(seconds(restored.pending.map(|p| p.since)))
                        .bind(seconds(run.last_lapse_before))
                        .bind(revision)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(holds::DUE_NOW)
                        .bind(domain)
                        .bind(now.timestamp())
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(holds::DELETE_DOMAIN_HELD)
                        .bind(host)
                        .bind(domain)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(rows.len() as u64)
            }

            #[async_trait::async_trait]
            impl HoldStore for $store {
                async fn holds(&self) -> Result<Vec<Hold>, StoreError> {
                    let rows: Vec<HoldRow> = sqlx::query_as(holds::SELECT_HOLDS)
                        .fetch_all(self.pool())
                        .await?;
                    let mut listed = Vec::with_capacity(rows.len());
                    for row in rows {
                        let sample: Vec<(String,)> = sqlx::query_as(holds::SELECT_HELD_SAMPLE)
                            .bind(&row.host)
                            .bind(i64::from(holds::SAMPLE))
                            .fetch_all(self.pool())
                            .await?;
                        listed.push(Hold {
                            since: required_time(row.held_since)?,
                            transitions: u64::try_from(row.held).unwrap_or(0),
                            domains: u64::try_from(row.domains).unwrap_or(0),
                            first_observed_at: from_seconds(row.first_observed_at),
                            last_observed_at: from_seconds(row.last_observed_at),
                            sample: sample.into_iter().map(|(d,)| d).collect(),
                            host: row.host,
                        });
                    }
                    Ok(listed)
                }

                async fn release_hold(
                    &self,
                    host: &str,
                    now: DateTime<Utc>,
                    webhooks: bool,
                    audit: &AuditEntry,
                ) -> Result<Option<Released>, StoreError> {
                    let mut tx = self.pool().begin().await?;
                    <$store as Backend>::lock_transitions(&mut tx).await?;
                    let Some(held) = settle(&mut tx, host, now).await? else {
                        return Ok(None);
                    };
                    let mut transitions = Vec::with_capacity(held.len());
                    for held in held {
                        let transition = held.transition;
                        transitions.push(<$store as HoldSql>::publish(&mut tx, transition, Some(host), webhooks).await?);
                    }
                    let mut entry = audit.clone();
                    entry.details = serde_json::json!({ "transitions": transitions.len() });
                    <$store as AuditSql>::insert_audit(&mut tx, &entry).await?;
                    tx.commit().await?;
                    Ok(Some(Released { transitions }))
                }

                async fn discard_hold(
                    &self,
                    host: &str,
                    now: DateTime<Utc>,
                    audit: &AuditEntry,
                ) -> Result<Option<Discarded>, StoreError> {
                    let open: Option<(i32,)> = sqlx::query_as(holds::SELECT_HOLD_OPEN)
                        .bind(host)
                        .fetch_optional(self.pool())
                        .await?;
                    if open.is_none() {
                        return Ok(None);
                    }
                    let mut discarded = Discarded {
                        transitions: 0,
                        domains: 0,
                    };
                    loop {
                        let batch: Vec<(String,)> = sqlx::query_as(holds::SELECT_HELD_DOMAINS)
                            .bind(host)
                            .bind(i64::from(holds::DISCARD_BATCH))
                            .fetch_all(self.pool())
                            .await?;
                        for (domain,) in &batch {
                            let dropped = discard_domain(self, host, domain, now).await?;
                            if dropped > 0 {
                                discarded.transitions += dropped;
                                discarded.domains += 1;
                            }
                        }
                        if !batch.is_empty() {
                            continue;
                        }
                        // Nothing left: end the hold, unless a lookup held one more since.
                        let mut tx = self.pool().begin().await?;
                        <$store as Backend>::lock_transitions(&mut tx).await?;
                        let settled = sqlx::query(holds::SETTLE_EMPTY_HOLD)
                            .bind(host)
                            .bind(now.timestamp())
                            .execute(&mut *tx)
                            .await?
                            .rows_affected();
                        if settled == 0 {
                            tx.rollback().await?;
                            continue;
                        }
                        let mut entry = audit.clone();
                        entry.details = serde_json::json!({
                            "transitions": discarded.transitions,
                            "domains": discarded.domains,
                        });
                        <$store as AuditSql>::insert_audit(&mut tx, &entry).await?;
                        tx.commit().await?;
                        return Ok(Some(discarded));
                    }
                }
            }
        }
    };
}
pub(super) use impl_hold_store;
