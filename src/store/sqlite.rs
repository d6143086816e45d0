//! The embedded default: one SQLite file, WAL journal.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::Sqlite;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};

use super::StoreError;
use super::sql::Backend;
use crate::domain::name::RegistrableDomain;

super::sql::impl_store!(SqliteStore, sqlx::Sqlite, "migrations/sqlite");
super::admin::impl_admin_store!(SqliteStore, sqlx::Sqlite);
super::holds::impl_hold_store!(SqliteStore, sqlx::Sqlite);
super::console::impl_console_store!(SqliteStore, sqlx::Sqlite);

pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (and, with `mode=rwc`, creates) the database file.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        Ok(Self { pool })
    }
}

#[async_trait]
impl Backend for SqliteStore {
    type Db = Sqlite;

    const BATCH_WRITERS: usize = 1;

    fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// `IMMEDIATE` takes the write lock before the first read, so two writers cannot both
    /// read the old status and then fail to upgrade their locks.
    async fn begin_write(
        &self,
        _domain: &RegistrableDomain,
    ) -> Result<sqlx::Transaction<'static, Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// One write lock covers every domain.
    async fn begin_write_all(
        &self,
        _domains: &[&RegistrableDomain],
    ) -> Result<sqlx::Transaction<'static, Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Nothing to do: `BEGIN IMMEDIATE` already makes SQLite's writers take turns.
    async fn lock_transitions(_conn: &mut SqliteConnection) -> Result<(), StoreError> {
        Ok(())
    }

    /// Nothing to do, as for transitions.
    async fn lock_audit(_conn: &mut SqliteConnection) -> Result<(), StoreError> {
        Ok(())
    }

    /// SQLite is ready when a writer can take the write lock: readers pass a held lock in
    /// WAL mode, but recording would wait for it.
    async fn ping(&self) -> Result<(), StoreError> {
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        tx.rollback().await?;
        Ok(())
    }
}
