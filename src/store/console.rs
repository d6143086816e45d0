//! What the admin console (`console.rs`) keeps and reads beyond the API's own calls: its
//! sessions, the newest transitions and audit entries, and transitions per day. The
//! `ConsoleStore` trait, its SQL, and `impl_console_store!`, written once per database as
//! `impl_store!` does.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::admin::ListedOverride;
use super::rows::SessionRow;
use super::{PublishedTransition, StoreError};
use crate::domain::audit::{AuditEntry, LoggedAudit};
use crate::domain::name::RegistrableDomain;

pub(super) const INSERT_SESSION: &str = "INSERT INTO console_sessions (id_hash, token_hash, \
     csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";

pub(super) const SELECT_SESSION: &str = "SELECT token_hash, csrf, expires_at \
     FROM console_sessions WHERE id_hash = $1 AND expires_at > $2";

pub(super) const DELETE_SESSION: &str = "DELETE FROM console_sessions WHERE id_hash = $1";

pub(super) const DELETE_EXPIRED_SESSIONS: &str =
    "DELETE FROM console_sessions WHERE expires_at <= $1";

pub(super) const SELECT_NEWEST_TRANSITIONS: &str = "SELECT id, domain, from_lifecycle, \
     to_lifecycle, registered_at, expires_at, observed_at, source, kind, signal_name, \
     signal_change, signal_since FROM transitions \
     ORDER BY id DESC LIMIT $1";

pub(super) const SELECT_DOMAIN_TRANSITIONS: &str = "SELECT id, domain, from_lifecycle, \
     to_lifecycle, registered_at, expires_at, observed_at, source, kind, signal_name, \
     signal_change, signal_since FROM transitions \
     WHERE domain = $1 ORDER BY id DESC LIMIT $2";

/// Days are UTC days, numbered from the epoch.
pub(super) const TRANSITIONS_PER_DAY: &str = "SELECT observed_at / 86400 AS day, COUNT(*) \
     FROM transitions WHERE observed_at >= $1 GROUP BY observed_at / 86400 ORDER BY day";

pub(super) const SELECT_NEWEST_AUDIT: &str = "SELECT id, at, actor, action, target, details \
     FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT $2";

/// A console session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleSession {
    /// The hash of the token it was opened with; empty for a protected-mode session.
    pub token_hash: String,
    /// The anti-forgery value its forms carry.
    pub csrf: String,
    pub expires_at: DateTime<Utc>,
}

#[async_trait]
pub trait ConsoleStore: Send + Sync {
    /// Keeps a new session under the hash of its cookie, with its audit entry; drops
    /// expired ones.
    async fn open_session(
        &self,
        id_hash: &str,
        session: &ConsoleSession,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<(), StoreError>;

    /// The session with this cookie hash, unless it has expired at `now`.
    async fn session(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<ConsoleSession>, StoreError>;

    /// Ends a session (sign-out) with its audit entry; false (and nothing audited) when
    /// there was none.
    async fn close_session(&self, id_hash: &str, audit: &AuditEntry) -> Result<bool, StoreError>;

    /// The newest transitions, of one domain or of all, newest first.
    async fn newest_transitions(
        &self,
        domain: Option<&RegistrableDomain>,
        limit: u32,
    ) -> Result<Vec<PublishedTransition>, StoreError>;

    /// Transitions per UTC day (days since the epoch) observed since `since`, by day;
    /// days without any are left out.
    async fn transitions_per_day(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<(i64, i64)>, StoreError>;

    /// The newest audit entries with an id below `before`, newest first.
    async fn newest_audit(&self, before: i64, limit: u32) -> Result<Vec<LoggedAudit>, StoreError>;

    /// The domain's override, with what the domain shows now.
    async fn override_of(
        &self,
        domain: &RegistrableDomain,
    ) -> Result<Option<ListedOverride>, StoreError>;
}

impl TryFrom<SessionRow> for ConsoleSession {
    type Error = StoreError;

    fn try_from(row: SessionRow) -> Result<Self, StoreError> {
        Ok(Self {
            token_hash: row.token_hash,
            csrf: row.csrf,
            expires_at: super::rows::required_time(row.expires_at)?,
        })
    }
}

/// Implements [`ConsoleStore`] for a store type over a sqlx database.
macro_rules! impl_console_store {
    ($store:ident, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::console::ConsoleStore for $store {
            async fn open_session(
                &self,
                id_hash: &str,
                session: &$crate::store::console::ConsoleSession,
                now: chrono::DateTime<chrono::Utc>,
                audit: &$crate::domain::audit::AuditEntry,
            ) -> Result<(), $crate::store::StoreError> {
                use $crate::store::console;
                let mut tx = self.pool().begin().await?;
                sqlx::query(console::DELETE_EXPIRED_SESSIONS)
                    .bind(now.timestamp())
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(console::INSERT_SESSION)
                    .bind(id_hash)
                    .bind(&session.token_hash)
                    .bind(&session.csrf)
                    .bind(now.timestamp())
                    .bind(session.expires_at.timestamp())
                    .execute(&mut *tx)
                    .await?;
                <$store as $crate::store::sql::AuditSql>::insert_audit(&mut tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn session(
                &self,
                id_hash: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Option<$crate::store::console::ConsoleSession>, $crate::store::StoreError>
            {
                use $crate::store::console;
                let row: Option<$crate::store::rows::SessionRow> =
                    sqlx::query_as(console::SELECT_SESSION)
                        .bind(id_hash)
                        .bind(now.timestamp())
                        .fetch_optional(self.pool())
                        .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn close_session(
                &self,
                id_hash: &str,
                audit: &$crate::domain::audit::AuditEntry,
            ) -> Result<bool, $crate::store::StoreError> {
                let mut tx = self.pool().begin().await?;
                let done = sqlx::query($crate::store::console::DELETE_SESSION)
                    .bind(id_hash)
                    .execute(&mut *tx)
                    .await?;
                let closed = done.rows_affected() > 0;
                if closed {
                    <$store as $crate::store::sql::AuditSql>::insert_audit(&mut tx, audit).await?;
                }
                tx.commit().await?;
                Ok(closed)
            }

            async fn newest_transitions(
                &self,
                domain: Option<&$crate::domain::name::RegistrableDomain>,
                limit: u32,
            ) -> Result<Vec<$crate::store::PublishedTransition>, $crate::store::StoreError> {
                use $crate::store::console;
                let rows: Vec<$crate::store::rows::TransitionRow> = match domain {
                    Some(domain) => {
                        sqlx::query_as(console::SELECT_DOMAIN_TRANSITIONS)
                            .bind(domain.as_str())
                            .bind(i64::from(limit))
                            .fetch_all(self.pool())
                            .await?
                    }
                    None => {
                        sqlx::query_as(console::SELECT_NEWEST_TRANSITIONS)
                            .bind(i64::from(limit))
                            .fetch_all(self.pool())
                            .await?
                    }
                };
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn transitions_per_day(
                &self,
                since: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<(i64, i64)>, $crate::store::StoreError> {
                let rows: Vec<(i64, i64)> =
                    sqlx::query_as($crate::store::console::TRANSITIONS_PER_DAY)
                        .bind(since.timestamp())
                        .fetch_all(self.pool())
                        .await?;
                Ok(rows)
            }

            async fn newest_audit(
                &self,
                before: i64,
                limit: u32,
            ) -> Result<Vec<$crate::domain::audit::LoggedAudit>, $crate::store::StoreError> {
                let rows: Vec<$crate::store::rows::AuditRow> =
                    sqlx::query_as($crate::store::console::SELECT_NEWEST_AUDIT)
                        .bind(before)
                        .bind(i64::from(limit))
                        .fetch_all(self.pool())
                        .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn override_of(
                &self,
                domain: &$crate::domain::name::RegistrableDomain,
            ) -> Result<Option<$crate::store::admin::ListedOverride>, $crate::store::StoreError>
            {
                let row: Option<$crate::store::rows::OverrideRow> =
                    sqlx::query_as($crate::store::admin::SELECT_OVERRIDE_OF)
                        .bind(domain.as_str())
                        .fetch_optional(self.pool())
                        .await?;
                row.map(TryInto::try_into).transpose()
            }
        }
    };
}

pub(super) use impl_console_store;
