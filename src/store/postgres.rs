//! PostgreSQL, for several replicas on one database.

use std::time::Duration;

use async_trait::async_trait;
use sqlx::Postgres;
use sqlx::postgres::{PgConnection, PgPool, PgPoolOptions};

use super::StoreError;
use super::sql::Backend;
use crate::domain::name::RegistrableDomain;

super::sql::impl_store!(PostgresStore, sqlx::Postgres, "migrations/postgres");
super::admin::impl_admin_store!(PostgresStore, sqlx::Postgres);
super::holds::impl_hold_store!(PostgresStore, sqlx::Postgres);
super::console::impl_console_store!(PostgresStore, sqlx::Postgres);

pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
            .await?;
        Ok(Self { pool })
    }
}

#[async_trait]
impl Backend for PostgresStore {
    type Db = Postgres;

    const BATCH_WRITERS: usize = 8;

    fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// An advisory lock on the domain's name serialises its writers across replicas for
    /// the length of the transaction, including the first insert, where
    /// `SELECT ... FOR UPDATE` would find no row to lock.
    async fn begin_write(
        &self,
        domain: &RegistrableDomain,
    ) -> Result<sqlx::Transaction<'static, Postgres>, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(domain.as_str())
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }

    /// Transitions are few; writing them one transaction at a time makes ids commit in
    /// order, so a poller resuming after id N never misses a smaller id committed later.
    /// The domains' advisory locks in the order of their keys, in one statement: a
    /// batch waits for a single-domain writer, never the other way round while it holds
    /// a lock that writer needs (a batch takes the transitions lock only after all of its
    /// domains' locks).
    async fn begin_write_all(
        &self,
        domains: &[&RegistrableDomain],
    ) -> Result<sqlx::Transaction<'static, Postgres>, StoreError> {
        let names: Vec<&str> = domains.iter().map(|d| d.as_str()).collect();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT \
             hashtextextended(d, 0) AS k FROM unnest($1::text[]) AS d ORDER BY k) keys",
        )
        .bind(names)
        .execute(&mut *tx)
        .await?;
        Ok(tx)
    }

    async fn lock_transitions(conn: &mut PgConnection) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_advisory_xact_lock(7261302915)")
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// As for transitions: audit ids commit in order, so pages never skip one.
    async fn lock_audit(conn: &mut PgConnection) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_advisory_xact_lock(7261302916)")
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query(super::sql::PING_READ)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
