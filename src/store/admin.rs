//! What administration keeps: API tokens, overrides, the audit log, and the dashboard's
//! queries over the watch list. The `AdminStore` trait, its SQL and row types, and
//! `impl_admin_store!`, which writes it once per database as `impl_store!` does.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;
use super::rows::{
    ListedRow, OverrideRow, from_seconds, lifecycle_from, required_time, stored_domain,
};
use crate::domain::access::TokenRecord;
use crate::domain::audit::{AuditEntry, LoggedAudit};
use crate::domain::lifecycle::Lifecycle;
use crate::domain::name::RegistrableDomain;
use crate::domain::overrides::{Override, OverrideDecision, Seen};
use crate::domain::signals::Signal;
use crate::domain::status::EvidenceSource;

pub(super) const INSERT_AUDIT: &str = "INSERT INTO audit_log (at, actor, action, target, \
     details) VALUES ($1, $2, $3, $4, $5)";

pub(super) const SELECT_AUDIT: &str = "SELECT id, at, actor, action, target, details \
     FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2";

pub(super) const BUMP_REVISION: &str =
    "UPDATE revisions SET revision = revision + 1 WHERE name = $1";

pub(super) const SELECT_REVISIONS: &str = "SELECT name, revision FROM revisions";

pub(super) const SELECT_TOKENS: &str = "SELECT name, token_hash, scopes, created_at, \
     last_used_at FROM api_tokens ORDER BY name";

pub(super) const INSERT_TOKEN: &str = "INSERT INTO api_tokens (name, token_hash, scopes, \
     created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING";

pub(super) const DELETE_TOKEN: &str = "DELETE FROM api_tokens WHERE name = $1";

pub(super) const TOKEN_USED: &str = "UPDATE api_tokens SET last_used_at = $2 WHERE name = $1";

/// Sets or replaces a domain's override; a replaced allow starts afresh.
pub(super) const UPSERT_OVERRIDE: &str = "INSERT INTO overrides (domain, decision, note, \
     expires_at, set_at, set_by, seen_registered_at, seen_lifecycle, lapsed_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL) ON CONFLICT (domain) DO UPDATE SET \
     decision = excluded.decision, note = excluded.note, expires_at = excluded.expires_at, \
     set_at = excluded.set_at, set_by = excluded.set_by, \
     seen_registered_at = excluded.seen_registered_at, \
     seen_lifecycle = excluded.seen_lifecycle, lapsed_at = NULL";

pub(super) const DELETE_OVERRIDE: &str = "DELETE FROM overrides WHERE domain = $1";

/// Overrides with the status their domain shows now, by domain name.
/// The columns of an [`OverrideRow`]: the override and what its domain shows now.
macro_rules! override_columns {
    () => {
        "SELECT o.domain, o.decision, o.note, o.expires_at, o.set_at, o.set_by, \
         o.seen_registered_at, o.seen_lifecycle, o.lapsed_at, \
         s.registered_at AS current_registered_at, s.lifecycle AS current_lifecycle, \
         s.last_lapse_at AS current_last_lapse_at \
         FROM overrides o LEFT JOIN domain_status s ON s.domain = o.domain"
    };
}

pub(super) const SELECT_OVERRIDES: &str = concat!(
    override_columns!(),
    " WHERE o.domain > $1 ORDER BY o.domain LIMIT $2"
);

/// One domain's override (the admin console's domain page).
pub(super) const SELECT_OVERRIDE_OF: &str = concat!(override_columns!(), " WHERE o.domain = $1");

/// A dashboard page: the watch list's rows, filtered and limited on its own indexes
/// (`LISTED_PAGE` and the filters go between), then joined with their statuses.
pub(super) const LISTED_PAGE: &str = "SELECT w.domain, w.next_check_at, w.failures, \
     s.lifecycle, s.evidence, s.registered_at, s.expires_at, s.checked_at, s.last_lapse_at, \
     s.signals \
     FROM (SELECT domain, next_check_at, failures FROM watched_domains WHERE 1 = 1";

pub(super) const LISTED_JOIN: &str =
    ") w LEFT JOIN domain_status s ON s.domain = w.domain ORDER BY w.domain";

/// Watched domains by lifecycle, from the rows the watch list's triggers keep (see the
/// `lifecycle_counts` migration): a few rows, however long the list.
pub(super) const STATS_LIFECYCLES: &str = "SELECT lifecycle, CAST(SUM(n) AS BIGINT) AS n \
     FROM lifecycle_counts GROUP BY lifecycle HAVING SUM(n) <> 0";

pub(super) const COUNT_LIFECYCLE_ROWS: &str = "SELECT COUNT(*) FROM lifecycle_counts";

/// Takes the count rows written so far (on PostgreSQL a later id may still commit: it is
/// left for the next fold).
pub(super) const TAKE_LIFECYCLE_ROWS: &str = "DELETE FROM lifecycle_counts \
     WHERE id <= (SELECT MAX(id) FROM lifecycle_counts) RETURNING lifecycle, n";

pub(super) const INSERT_LIFECYCLE_ROW: &str =
    "INSERT INTO lifecycle_counts (lifecycle, n) VALUES ($1, $2)";

/// More count rows than this are folded into one per lifecycle before a count.
pub(super) const FOLD_LIFECYCLE_ROWS_OVER: i64 = 256;

pub(super) const STATS_DUE: &str = "SELECT COUNT(*) FROM watched_domains WHERE next_check_at <= $1";

/// Watched, active domains whose expiration date lies in the 30 days after `$1` (the
/// expiry notices' largest default threshold; the `expires_at` index).
pub(super) const STATS_EXPIRING: &str = "SELECT COUNT(*) FROM domain_status s \
     WHERE s.lifecycle = 'active' AND s.expires_at > $1 AND s.expires_at <= $1 + 2592000 \
     AND EXISTS (SELECT 1 FROM watched_domains w WHERE w.domain = s.domain)";

pub(super) const STATS_FAILING: &str = "SELECT COUNT(*) FROM watched_domains WHERE failures > 0";

pub(super) const STATS_OLDEST_CHECK: &str = "SELECT MIN(checked_at) FROM domain_status";

pub(super) const STATS_WEBHOOKS: &str = "SELECT COUNT(*), MIN(t.observed_at) \
     FROM webhook_outbox o JOIN transitions t ON t.id = o.transition_id \
     WHERE o.delivered_at IS NULL";

pub(super) const STATS_LEASE: &str =
    "SELECT holder FROM leases WHERE name = $1 AND expires_at >= $2";

/// How often each kind of in-memory setting has changed: replicas reload a kind when its
/// number moves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Revisions {
    pub tokens: i64,
    pub overrides: i64,
}

/// An override with what its domain shows now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedOverride {
    pub rule: Override,
    pub current: Seen,
}

/// Which watched domains a dashboard asks for.
#[derive(Debug, Clone, Default)]
pub struct DomainFilter {
    /// Only domains whose status is in this stage (`unknown` includes domains never
    /// looked up).
    pub lifecycle: Option<Lifecycle>,
    /// Only domains whose name starts with this (lower-case A-labels).
    pub prefix: Option<String>,
    /// Only domains after this name (the cursor).
    pub after: Option<String>,
    /// Only domains with this signal now (read from the status rows: a scan of the
    /// page's candidates, not an index).
    pub signal: Option<Signal>,
    /// Only domains whose registry expiration date lies before this (read from the
    /// status rows, as `signal`).
    pub expiring_before: Option<DateTime<Utc>>,
    pub limit: u32,
}

/// A watched domain with its current status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedDomain {
    pub domain: String,
    pub lifecycle: Lifecycle,
    pub evidence: Option<EvidenceSource>,
    pub registered_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub checked_at: Option<DateTime<Utc>>,
    pub last_lapse_at: Option<DateTime<Utc>>,
    pub next_check_at: DateTime<Utc>,
    pub failures: u32,
    /// The signals that hold now (`signals.rs`), by name.
    pub signals: Vec<Signal>,
}

/// The store's part of `GET /v1/stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// Watched domains by lifecycle (`unknown` includes never looked up).
    pub lifecycles: Vec<(Lifecycle, u64)>,
    pub watched: u64,
    pub due: u64,
    pub overdue: u64,
    pub oldest_check: Option<DateTime<Utc>>,
    pub failing: u64,
    /// Active domains expiring in the next 30 days.
    pub expiring_30_days: u64,
    pub webhooks_pending: u64,
    /// When the oldest undelivered transition was observed.
    pub oldest_webhook: Option<DateTime<Utc>>,
    /// The holder of the scheduler lease, while it is held.
    pub leader: Option<String>,
    /// Open holds of the mass-change guard: each host and how many transitions it holds.
    pub holds: Vec<(String, u64)>,
}

impl StoreStats {
    /// Seconds from the least recently checked status to `at`.
    pub fn oldest_check_age(&self, at: DateTime<Utc>) -> Option<i64> {
        self.oldest_check.map(|t| (at - t).num_seconds().max(0))
    }

    /// Seconds from the oldest undelivered transition to `at`.
    pub fn oldest_webhook_age(&self, at: DateTime<Utc>) -> Option<i64> {
        self.oldest_webhook.map(|t| (at - t).num_seconds().max(0))
    }
}

/// Administration's persistent state. Every change is one transaction with its audit
/// entry.
#[async_trait]
pub trait AdminStore: Send + Sync {
    /// Every token (hashes only).
    async fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError>;

    /// Adds a token; false when the name is taken.
    async fn create_token(
        &self,
        token: &TokenRecord,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError>;

    /// Removes a token; false when there is none of that name.
    async fn revoke_token(&self, name: &str, audit: &AuditEntry) -> Result<bool, StoreError>;

    async fn token_used(&self, name: &str, at: DateTime<Utc>) -> Result<(), StoreError>;

    async fn revisions(&self) -> Result<Revisions, StoreError>;

    /// Sets or replaces the domain's override.
    async fn set_override(&self, rule: &Override, audit: &AuditEntry) -> Result<(), StoreError>;

    /// Removes the domain's override; false when it had none.
    async fn remove_override(
        &self,
        domain: &RegistrableDomain,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError>;

    /// Overrides with a domain name above `after`, by name.
    async fn overrides(&self, after: &str, limit: u32) -> Result<Vec<ListedOverride>, StoreError>;

    /// Appends to the audit log (for changes that are not one store call, such as an
    /// import).
    async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError>;

    /// Audit entries with an id above `after`, in id order.
    async fn audit_log(&self, after: i64, limit: u32) -> Result<Vec<LoggedAudit>, StoreError>;

    /// Watched domains in name order, filtered.
    async fn list_domains(&self, filter: &DomainFilter) -> Result<Vec<ListedDomain>, StoreError>;

    /// Counts for the dashboard; `lease` names the scheduler's lease.
    async fn stats(&self, now: DateTime<Utc>, lease: &str) -> Result<StoreStats, StoreError>;
}

impl TryFrom<OverrideRow> for ListedOverride {
    type Error = StoreError;

    fn try_from(row: OverrideRow) -> Result<Self, StoreError> {
        let decision = OverrideDecision::parse(&row.decision)
            .ok_or_else(|| StoreError::Corrupt(format!("override decision {:?}", row.decision)))?;
        let current_lifecycle = match &row.current_lifecycle {
            Some(text) => lifecycle_from(text)?,
            None => Lifecycle::Unknown,
        };
        Ok(Self {
            rule: Override {
                domain: stored_domain(&row.domain)?,
                decision,
                note: row.note,
                expires_at: from_seconds(row.expires_at),
                set_at: required_time(row.set_at)?,
                set_by: row.set_by,
                seen: Seen {
                    registered_at: from_seconds(row.seen_registered_at),
                    lifecycle: lifecycle_from(&row.seen_lifecycle)?,
                    // Not kept: a lapse the agent saw is the stage it saw.
                    last_lapse_at: None,
                },
                lapsed_at: from_seconds(row.lapsed_at),
            },
            current: Seen {
                registered_at: from_seconds(row.current_registered_at),
                lifecycle: current_lifecycle,
                last_lapse_at: from_seconds(row.current_last_lapse_at),
            },
        })
    }
}

impl TryFrom<ListedRow> for ListedDomain {
    type Error = StoreError;

    fn try_from(row: ListedRow) -> Result<Self, StoreError> {
        Ok(Self {
            signals: row.signals()?,
            lifecycle: match &row.lifecycle {
                Some(text) => lifecycle_from(text)?,
                None => Lifecycle::Unknown,
            },
            evidence: row
                .evidence
                .as_deref()
                .map(|text| {
                    EvidenceSource::parse(text)
                        .ok_or_else(|| StoreError::Corrupt(format!("source {text:?}")))
                })
                .transpose()?,
            domain: row.domain,
            registered_at: from_seconds(row.registered_at),
            expires_at: from_seconds(row.expires_at),
            checked_at: from_seconds(row.checked_at),
            last_lapse_at: from_seconds(row.last_lapse_at),
            next_check_at: required_time(row.next_check_at)?,
            failures: u32::try_from(row.failures).unwrap_or(0),
        })
    }
}

/// The exclusive upper end of the names that start with `prefix`: names are lower-case
/// A-labels, digits, `-` and `.`, all below `~`.
pub(super) fn prefix_end(prefix: &str) -> String {
    format!("{prefix}~")
}

/// Writes `impl AdminStore` for a backend: `impl_admin_store!(SqliteStore, sqlx::Sqlite)`.
macro_rules! impl_admin_store {
    ($store:ident, $db:ty) => {
        mod admin_sql {
            use chrono::{DateTime, Utc};
            use $crate::domain::access::TokenRecord;
            use $crate::domain::audit::{AuditEntry, LoggedAudit};
            use $crate::domain::name::RegistrableDomain;
            use $crate::domain::overrides::Override;
            use $crate::store::StoreError;
            use $crate::store::admin::{
                self, AdminStore, DomainFilter, ListedDomain, ListedOverride, Revisions, StoreStats,
            };
            use $crate::store::rows::seconds;
            use $crate::store::sql::Backend;

            use super::$store;

            type Connection = <$db as sqlx::Database>::Connection;

            /// Appends an audit entry inside the caller's transaction, ids in commit order.
            async fn insert_audit(
                conn: &mut Connection,
                entry: &AuditEntry,
            ) -> Result<(), StoreError> {
                <$store as Backend>::lock_audit(&mut *conn).await?;
                sqlx::query(admin::INSERT_AUDIT)
                    .bind(entry.at.timestamp())
                    .bind(&entry.actor)
                    .bind(entry.action.as_str())
                    .bind(&entry.target)
                    .bind(entry.details.to_string())
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            }

            async fn bump(conn: &mut Connection, name: &str) -> Result<(), StoreError> {
                sqlx::query(admin::BUMP_REVISION)
                    .bind(name)
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            }

            #[async_trait::async_trait]
            impl $crate::store::sql::AuditSql for $store {
                async fn insert_audit(
                    conn: &mut Connection,
                    entry: &AuditEntry,
                ) -> Result<(), StoreError> {
                    insert_audit(conn, entry).await
                }

                async fn bump(conn: &mut Connection, name: &str) -> Result<(), StoreError> {
                    bump(conn, name).await
                }
            }

            async fn count(
                pool: &sqlx::Pool<$db>,
                sql: &'static str,
                bind: Option<i64>,
            ) -> Result<u64, StoreError> {
                let mut query = sqlx::query_as::<_, (i64,)>(sql);
                if let Some(value) = bind {
                    query = query.bind(value);
                }
                let (n,) = query.fetch_one(pool).await?;
                Ok(u64::try_from(n).unwrap_or(0))
            }

            /// Folds the lifecycle count rows into one per lifecycle (every lifecycle keeps
            /// a row, 0 or not: SQLite's triggers update it in place). Replicas may fold at
            /// once: each re-adds only what its own delete took.
            async fn fold_lifecycle_counts(pool: &sqlx::Pool<$db>) -> Result<(), StoreError> {
                let mut tx = pool.begin().await?;
                let taken: Vec<(String, i64)> = sqlx::query_as(admin::TAKE_LIFECYCLE_ROWS)
                    .fetch_all(&mut *tx)
                    .await?;
                let mut sums: std::collections::BTreeMap<String, i64> =
                    $crate::domain::lifecycle::Lifecycle::ALL
                        .iter()
                        .map(|l| (l.as_str().to_owned(), 0))
                        .collect();
                for (lifecycle, n) in taken {
                    *sums.entry(lifecycle).or_default() += n;
                }
                for (lifecycle, n) in &sums {
                    sqlx::query(admin::INSERT_LIFECYCLE_ROW)
                        .bind(lifecycle)
                        .bind(*n)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            #[async_trait::async_trait]
            impl AdminStore for $store {
                async fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
                    let rows: Vec<$crate::store::rows::TokenRow> =
                        sqlx::query_as(admin::SELECT_TOKENS)
                            .fetch_all(self.pool())
                            .await?;
                    rows.into_iter().map(TryInto::try_into).collect()
                }

                async fn create_token(
                    &self,
                    token: &TokenRecord,
                    audit: &AuditEntry,
                ) -> Result<bool, StoreError> {
                    let mut tx = self.pool().begin().await?;
                    let inserted = sqlx::query(admin::INSERT_TOKEN)
                        .bind(&token.name)
                        .bind(&token.hash)
                        .bind(token.scopes.encode())
                        .bind(token.created_at.timestamp())
                        .execute(&mut *tx)
                        .await?
                        .rows_affected()
                        > 0;
                    if inserted {
                        bump(&mut tx, "tokens").await?;
                        insert_audit(&mut tx, audit).await?;
                    }
                    tx.commit().await?;
                    Ok(inserted)
                }

                async fn revoke_token(
                    &self,
                    name: &str,
                    audit: &AuditEntry,
                ) -> Result<bool, StoreError> {
                    let mut tx = self.pool().begin().await?;
                    let deleted = sqlx::query(admin::DELETE_TOKEN)
                        .bind(name)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected()
                        > 0;
                    if deleted {
                        bump(&mut tx, "tokens").await?;
                        insert_audit(&mut tx, audit).await?;
                    }
                    tx.commit().await?;
                    Ok(deleted)
                }

                async fn token_used(
                    &self,
                    name: &str,
                    at: DateTime<Utc>,
                ) -> Result<(), StoreError> {
                    sqlx::query(admin::TOKEN_USED)
                        .bind(name)
                        .bind(at.timestamp())
                        .execute(self.pool())
                        .await?;
                    Ok(())
                }

                async fn revisions(&self) -> Result<Revisions, StoreError> {
                    let rows: Vec<(String, i64)> = sqlx::query_as(admin::SELECT_REVISIONS)
                        .fetch_all(self.pool())
                        .await?;
                    let mut revisions = Revisions::default();
                    for (name, revision) in rows {
                        match name.as_str() {
                            "tokens" => revisions.tokens = revision,
                            "overrides" => revisions.overrides = revision,
                            _ => {}
                        }
                    }
                    Ok(revisions)
                }

                async fn set_override(
                    &self,
                    rule: &Override,
                    audit: &AuditEntry,
                ) -> Result<(), StoreError> {
                    let mut tx = self.pool().begin().await?;
                    sqlx::query(admin::UPSERT_OVERRIDE)
                        .bind(rule.domain.as_str())
                        .bind(rule.decision.as_str())
                        .bind(&rule.note)
                        .bind(seconds(rule.expires_at))
                        .bind(rule.set_at.timestamp())
                        .bind(&rule.set_by)
                        .bind(seconds(rule.seen.registered_at))
                        .bind(rule.seen.lifecycle.as_str())
                        .execute(&mut *tx)
                        .await?;
                    bump(&mut tx, "overrides").await?;
                    insert_audit(&mut tx, audit).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn remove_override(
                    &self,
                    domain: &RegistrableDomain,
                    audit: &AuditEntry,
                ) -> Result<bool, StoreError> {
                    let mut tx = self.pool().begin().await?;
                    let deleted = sqlx::query(admin::DELETE_OVERRIDE)
                        .bind(domain.as_str())
                        .execute(&mut *tx)
                        .await?
                        .rows_affected()
                        > 0;
                    if deleted {
                        bump(&mut tx, "overrides").await?;
                        insert_audit(&mut tx, audit).await?;
                    }
                    tx.commit().await?;
                    Ok(deleted)
                }

                async fn overrides(
                    &self,
                    after: &str,
                    limit: u32,
                ) -> Result<Vec<ListedOverride>, StoreError> {
                    let rows: Vec<$crate::store::rows::OverrideRow> =
                        sqlx::query_as(admin::SELECT_OVERRIDES)
                            .bind(after)
                            .bind(i64::from(limit))
                            .fetch_all(self.pool())
                            .await?;
                    rows.into_iter().map(TryInto::try_into).collect()
                }

                async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
                    let mut tx = self.pool().begin().await?;
                    insert_audit(&mut tx, entry).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn audit_log(
                    &self,
                    after: i64,
                    limit: u32,
                ) -> Result<Vec<LoggedAudit>, StoreError> {
                    let rows: Vec<$crate::store::rows::AuditRow> =
                        sqlx::query_as(admin::SELECT_AUDIT)
                            .bind(after)
                            .bind(i64::from(limit))
                            .fetch_all(self.pool())
                            .await?;
                    rows.into_iter().map(TryInto::try_into).collect()
                }

                async fn list_domains(
                    &self,
                    filter: &DomainFilter,
                ) -> Result<Vec<ListedDomain>, StoreError> {
                    // Every filter is on the watch list's own indexes, in name order: its
                    // key, or (lifecycle, domain).
                    let mut query = sqlx::QueryBuilder::<$db>::new(admin::LISTED_PAGE);
                    if let Some(lifecycle) = filter.lifecycle {
                        query
                            .push(" AND lifecycle = ")
                            .push_bind(lifecycle.as_str());
                    }
                    if let Some(after) = &filter.after {
                        query.push(" AND domain > ").push_bind(after.clone());
                    }
                    if let Some(signal) = filter.signal {
                        query
                            .push(" AND domain IN (SELECT domain FROM domain_status WHERE signals LIKE ")
                            .push_bind($crate::store::rows::signal_pattern(signal))
                            .push(")");
                    }
                    if let Some(before) = filter.expiring_before {
                        query
                            .push(" AND domain IN (SELECT domain FROM domain_status WHERE expires_at < ")
                            .push_bind(before.timestamp())
                            .push(")");
                    }
                    if let Some(prefix) = &filter.prefix {
                        query.push(" AND domain >= ").push_bind(prefix.clone());
                        query
                            .push(" AND domain < ")
                            .push_bind(admin::prefix_end(prefix));
                    }
                    query.push(" ORDER BY domain LIMIT ");
                    query.push_bind(i64::from(filter.limit));
                    query.push(admin::LISTED_JOIN);
                    let rows: Vec<$crate::store::rows::ListedRow> =
                        query.build_query_as().fetch_all(self.pool()).await?;
                    rows.into_iter().map(TryInto::try_into).collect()
                }

                async fn stats(
                    &self,
                    now: DateTime<Utc>,
                    lease: &str,
                ) -> Result<StoreStats, StoreError> {
                    let pool = self.pool();
                    let (count_rows,): (i64,) = sqlx::query_as(admin::COUNT_LIFECYCLE_ROWS)
                        .fetch_one(pool)
                        .await?;
                    if count_rows > admin::FOLD_LIFECYCLE_ROWS_OVER {
                        fold_lifecycle_counts(pool).await?;
                    }
                    let rows: Vec<(String, i64)> = sqlx::query_as(admin::STATS_LIFECYCLES)
                        .fetch_all(pool)
                        .await?;
                    let mut lifecycles = Vec::with_capacity(rows.len());
                    for (text, n) in rows {
                        lifecycles.push((
                            $crate::store::rows::lifecycle_from(&text)?,
                            u64::try_from(n).unwrap_or(0),
                        ));
                    }
                    let watched = lifecycles.iter().map(|(_, n)| n).sum();
                    let now_s = now.timestamp();
                    let due = count(pool, admin::STATS_DUE, Some(now_s)).await?;
                    let overdue = count(pool, admin::STATS_DUE, Some(now_s - 3600)).await?;
                    let failing = count(pool, admin::STATS_FAILING, None).await?;
                    let expiring_30_days = count(pool, admin::STATS_EXPIRING, Some(now_s)).await?;
                    let (oldest_check,): (Option<i64>,) = sqlx::query_as(admin::STATS_OLDEST_CHECK)
                        .fetch_one(pool)
                        .await?;
                    let (pending, oldest_webhook): (i64, Option<i64>) =
                        sqlx::query_as(admin::STATS_WEBHOOKS)
                            .fetch_one(pool)
                            .await?;
                    let leader: Option<(String,)> = sqlx::query_as(admin::STATS_LEASE)
                        .bind(lease)
                        .bind(now_s)
                        .fetch_optional(pool)
                        .await?;
                    // The holds' counts only: the listing's sample of names is not needed.
                    let held: Vec<$crate::store::rows::HoldRow> =
                        sqlx::query_as($crate::store::holds::SELECT_HOLDS)
                            .fetch_all(pool)
                            .await?;
                    let holds = held
                        .into_iter()
                        .map(|row| (row.host, u64::try_from(row.held).unwrap_or(0)))
                        .collect();
                    Ok(StoreStats {
                        holds,
                        lifecycles,
                        watched,
                        due,
                        overdue,
                        oldest_check: $crate::store::rows::from_seconds(oldest_check),
                        failing,
                        expiring_30_days,
                        webhooks_pending: u64::try_from(pending).unwrap_or(0),
                        oldest_webhook: $crate::store::rows::from_seconds(oldest_webhook),
                        leader: leader.map(|(holder,)| holder),
                    })
                }
            }
        }
    };
}
pub(super) use impl_admin_store;
