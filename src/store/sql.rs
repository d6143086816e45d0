//! The SQL both stores run (`$n` placeholders work on SQLite too) and the row types.

use chrono::{DateTime, Utc};

use super::StoreError;
use crate::domain::lifecycle::Lifecycle;
use crate::domain::name::RegistrableDomain;
use crate::domain::status::{DomainStatus, Finding, Observation, RdapRecord};

pub(super) const SELECT_STATUS: &str = "SELECT domain, lifecycle, statuses, registered_at, \
     first_registered_at, expires_at, last_changed_at, transferred_at, last_lapse_at, checked_at \
     FROM domain_status WHERE domain = $1";

pub(super) const UPSERT_STATUS: &str = "INSERT INTO domain_status (domain, lifecycle, statuses, \
     registered_at, first_registered_at, expires_at, last_changed_at, transferred_at, \
     last_lapse_at, checked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
     ON CONFLICT (domain) DO UPDATE SET lifecycle = excluded.lifecycle, \
     statuses = excluded.statuses, registered_at = excluded.registered_at, \
     first_registered_at = excluded.first_registered_at, expires_at = excluded.expires_at, \
     last_changed_at = excluded.last_changed_at, transferred_at = excluded.transferred_at, \
     last_lapse_at = excluded.last_lapse_at, checked_at = excluded.checked_at";

pub(super) const INSERT_OBSERVATION: &str = "INSERT INTO observations (domain, observed_at, \
     outcome, lifecycle, http_status, error, statuses, registered_at, expires_at, \
     last_changed_at, transferred_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

pub(super) const SELECT_OBSERVATIONS: &str = "SELECT domain, observed_at, outcome, http_status, \
     error, statuses, registered_at, expires_at, last_changed_at, transferred_at \
     FROM observations WHERE domain = $1 ORDER BY observed_at DESC, id DESC LIMIT $2";

pub(super) const PING: &str = "SELECT 1";

/// A `domain_status` row.
#[derive(sqlx::FromRow)]
pub(super) struct StatusRow {
    domain: String,
    lifecycle: String,
    statuses: String,
    registered_at: Option<i64>,
    first_registered_at: Option<i64>,
    expires_at: Option<i64>,
    last_changed_at: Option<i64>,
    transferred_at: Option<i64>,
    last_lapse_at: Option<i64>,
    checked_at: i64,
}

impl TryFrom<StatusRow> for DomainStatus {
    type Error = StoreError;

    fn try_from(row: StatusRow) -> Result<Self, StoreError> {
        Ok(Self {
            domain: stored_domain(&row.domain)?,
            lifecycle: Lifecycle::parse(&row.lifecycle)
                .ok_or_else(|| StoreError::Corrupt(format!("lifecycle {:?}", row.lifecycle)))?,
            statuses: decode_statuses(&row.statuses)?,
            registered_at: from_seconds(row.registered_at),
            first_registered_at: from_seconds(row.first_registered_at),
            expires_at: from_seconds(row.expires_at),
            last_changed_at: from_seconds(row.last_changed_at),
            transferred_at: from_seconds(row.transferred_at),
            last_lapse_at: from_seconds(row.last_lapse_at),
            checked_at: from_seconds(Some(row.checked_at))
                .ok_or_else(|| StoreError::Corrupt("checked_at out of range".into()))?,
        })
    }
}

/// An `observations` row.
#[derive(sqlx::FromRow)]
pub(super) struct ObservationRow {
    domain: String,
    observed_at: i64,
    outcome: String,
    http_status: Option<i32>,
    error: Option<String>,
    statuses: Option<String>,
    registered_at: Option<i64>,
    expires_at: Option<i64>,
    last_changed_at: Option<i64>,
    transferred_at: Option<i64>,
}

impl TryFrom<ObservationRow> for Observation {
    type Error = StoreError;

    fn try_from(row: ObservationRow) -> Result<Self, StoreError> {
        let http_status = row.http_status.and_then(|s| u16::try_from(s).ok());
        let finding = match row.outcome.as_str() {
            "registered" => Finding::Registered(RdapRecord {
                statuses: decode_statuses(row.statuses.as_deref().unwrap_or("[]"))?,
                registered_at: from_seconds(row.registered_at),
                expires_at: from_seconds(row.expires_at),
                last_changed_at: from_seconds(row.last_changed_at),
                transferred_at: from_seconds(row.transferred_at),
            }),
            "unregistered" => Finding::Unregistered,
            "failed" => Finding::Failed {
                http_status,
                error: row.error.unwrap_or_default(),
            },
            other => return Err(StoreError::Corrupt(format!("outcome {other:?}"))),
        };
        Ok(Self {
            domain: stored_domain(&row.domain)?,
            observed_at: from_seconds(Some(row.observed_at))
                .ok_or_else(|| StoreError::Corrupt("observed_at out of range".into()))?,
            http_status,
            finding,
        })
    }
}

/// The bind values of an observation row, in `INSERT_OBSERVATION` order after the domain
/// and time.
pub(super) struct ObservationValues {
    pub outcome: &'static str,
    pub lifecycle: Option<&'static str>,
    pub http_status: Option<i32>,
    pub error: Option<String>,
    pub statuses: Option<String>,
    pub registered_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub last_changed_at: Option<i64>,
    pub transferred_at: Option<i64>,
}

impl From<&Observation> for ObservationValues {
    fn from(observation: &Observation) -> Self {
        let lifecycle = observation.lifecycle().map(Lifecycle::as_str);
        let http_status = observation.http_status.map(i32::from);
        let empty = Self {
            outcome: "unregistered",
            lifecycle,
            http_status,
            error: None,
            statuses: None,
            registered_at: None,
            expires_at: None,
            last_changed_at: None,
            transferred_at: None,
        };
        match &observation.finding {
            Finding::Registered(record) => Self {
                outcome: "registered",
                statuses: Some(encode_statuses(&record.statuses)),
                registered_at: seconds(record.registered_at),
                expires_at: seconds(record.expires_at),
                last_changed_at: seconds(record.last_changed_at),
                transferred_at: seconds(record.transferred_at),
                ..empty
            },
            Finding::Unregistered => empty,
            Finding::Failed { error, .. } => Self {
                outcome: "failed",
                error: Some(error.clone()),
                ..empty
            },
        }
    }
}

pub(super) fn seconds(time: Option<DateTime<Utc>>) -> Option<i64> {
    time.map(|t| t.timestamp())
}

fn from_seconds(seconds: Option<i64>) -> Option<DateTime<Utc>> {
    seconds.and_then(|s| DateTime::from_timestamp(s, 0))
}

pub(super) fn encode_statuses(statuses: &[String]) -> String {
    serde_json::to_string(statuses).unwrap_or_else(|_| "[]".to_owned())
}

fn decode_statuses(text: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("statuses: {e}")))
}

fn stored_domain(text: &str) -> Result<RegistrableDomain, StoreError> {
    RegistrableDomain::parse(text).map_err(|e| StoreError::Corrupt(format!("domain: {e}")))
}

/// The `Store` implementation, written once and instantiated per database:
/// `impl_store!(SqliteStore, sqlx::Sqlite, "migrations/sqlite")`. sqlx's executor types
/// differ per database; the SQL, the binding and the transaction shape do not. The
/// invoking module supplies `begin_write(&pool, &domain)`, which opens a transaction
/// that holds that domain's write lock.
macro_rules! impl_store {
    ($store:ty, $db:ty, $migrations:literal) => {
        use $crate::domain::name::RegistrableDomain;
        use $crate::domain::status::{DomainStatus, Observation};
        use $crate::store::sql::{self, seconds};
        use $crate::store::{Store, StoreError};

        async fn select_status<'e, E>(
            executor: E,
            domain: &RegistrableDomain,
        ) -> Result<Option<DomainStatus>, StoreError>
        where
            E: sqlx::Executor<'e, Database = $db>,
        {
            let row: Option<sql::StatusRow> = sqlx::query_as(sql::SELECT_STATUS)
                .bind(domain.as_str())
                .fetch_optional(executor)
                .await?;
            row.map(TryInto::try_into).transpose()
        }

        async fn upsert_status<'e, E>(executor: E, status: &DomainStatus) -> Result<(), StoreError>
        where
            E: sqlx::Executor<'e, Database = $db>,
        {
            sqlx::query(sql::UPSERT_STATUS)
                .bind(status.domain.as_str())
                .bind(status.lifecycle.as_str())
                .bind(sql::encode_statuses(&status.statuses))
                .bind(seconds(status.registered_at))
                .bind(seconds(status.first_registered_at))
                .bind(seconds(status.expires_at))
                .bind(seconds(status.last_changed_at))
                .bind(seconds(status.transferred_at))
                .bind(seconds(status.last_lapse_at))
                .bind(status.checked_at.timestamp())
                .execute(executor)
                .await?;
            Ok(())
        }

        async fn insert_observation<'e, E>(
            executor: E,
            observation: &Observation,
        ) -> Result<(), StoreError>
        where
            E: sqlx::Executor<'e, Database = $db>,
        {
            let values = sql::ObservationValues::from(observation);
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
                .execute(executor)
                .await?;
            Ok(())
        }

        #[async_trait::async_trait]
        impl Store for $store {
            async fn migrate(&self) -> Result<(), StoreError> {
                sqlx::migrate!($migrations).run(&self.pool).await?;
                Ok(())
            }

            async fn ping(&self) -> Result<(), StoreError> {
                sqlx::query(sql::PING).execute(&self.pool).await?;
                Ok(())
            }

            async fn status(
                &self,
                domain: &RegistrableDomain,
            ) -> Result<Option<DomainStatus>, StoreError> {
                select_status(&self.pool, domain).await
            }

            async fn record(
                &self,
                observation: &Observation,
            ) -> Result<Option<DomainStatus>, StoreError> {
                let mut tx = begin_write(&self.pool, &observation.domain).await?;
                let previous = select_status(&mut *tx, &observation.domain).await?;
                let current = DomainStatus::observe(previous.as_ref(), observation);
                if let Some(status) = current.as_ref().filter(|c| Some(*c) != previous.as_ref()) {
                    upsert_status(&mut *tx, status).await?;
                }
                insert_observation(&mut *tx, observation).await?;
                tx.commit().await?;
                Ok(current)
            }

            async fn observations(
                &self,
                domain: &RegistrableDomain,
                limit: u32,
            ) -> Result<Vec<Observation>, StoreError> {
                let rows: Vec<sql::ObservationRow> = sqlx::query_as(sql::SELECT_OBSERVATIONS)
                    .bind(domain.as_str())
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }
        }
    };
}
pub(super) use impl_store;
