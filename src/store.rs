//! Where statuses and observations are kept: the `Store` trait and its two
//! implementations, SQLite (embedded default) and PostgreSQL (several replicas).
//!
//! Both speak the same SQL (`store/sql.rs`); they differ in how a write transaction
//! takes its lock. Times are stored as UTC Unix seconds (`BIGINT`) on both.

mod postgres;
mod sql;
mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;
use thiserror::Error;

use crate::domain::name::RegistrableDomain;
use crate::domain::status::{DomainStatus, Observation};

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
    #[error("a stored row cannot be read back: {0}")]
    Corrupt(String),
}

/// Persistent state. Every method is one transaction.
#[async_trait]
pub trait Store: Send + Sync {
    /// Applies pending migrations.
    async fn migrate(&self) -> Result<(), StoreError>;

    /// Answers when the database does.
    async fn ping(&self) -> Result<(), StoreError>;

    /// The current status of a domain, if it was ever looked up successfully.
    async fn status(&self, domain: &RegistrableDomain) -> Result<Option<DomainStatus>, StoreError>;

    /// Appends an observation to the history and folds it into the current status
    /// (see [`DomainStatus::observe`]); returns the current status afterwards.
    async fn record(&self, observation: &Observation) -> Result<Option<DomainStatus>, StoreError>;

    /// The latest observations of a domain, newest first.
    async fn observations(
        &self,
        domain: &RegistrableDomain,
        limit: u32,
    ) -> Result<Vec<Observation>, StoreError>;
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
