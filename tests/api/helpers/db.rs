//! Test databases (SQLite files, or PostgreSQL databases on `TEST_DATABASE_URL`), what
//! they hold, and stores that do not answer.

use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::Utc;
use sqlx::Connection;

/// A fresh database: a file in a temporary folder, or a new PostgreSQL database on the
/// server `TEST_DATABASE_URL` names.
pub struct TestDatabase {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    pub async fn new() -> Self {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin) if !admin.is_empty() => {
                static COUNTER: AtomicUsize = AtomicUsize::new(0);
                let name = format!(
                    "lapseguard_test_{}_{}_{}",
                    std::process::id(),
                    Utc::now().timestamp_micros(),
                    COUNTER.fetch_add(1, Ordering::Relaxed)
                );
                let mut connection = sqlx::PgConnection::connect(&admin)
                    .await
                    .expect("TEST_DATABASE_URL must reach a PostgreSQL server");
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                    .execute(&mut connection)
                    .await
                    .expect("create test database");
                let mut url = url::Url::parse(&admin).expect("TEST_DATABASE_URL is a URL");
                url.set_path(&name);
                Self {
                    url: url.to_string(),
                    _dir: None,
                }
            }
            _ => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("lapseguard.db").display()
                );
                Self {
                    url,
                    _dir: Some(dir),
                }
            }
        }
    }
}

/// Every row of every table lapseguard writes, as text: for privacy assertions.
pub async fn raw_database_text(url: &str) -> String {
    const DUMP: &str = "SELECT d.domain || ' ' || d.lifecycle || ' ' || d.statuses AS row FROM domain_status d \
         UNION ALL SELECT o.domain || ' ' || o.outcome || ' ' || COALESCE(o.error, '') || ' ' \
         || COALESCE(o.statuses, '') FROM observations o \
         UNION ALL SELECT w.domain FROM watched_domains w";
    if url.starts_with("sqlite:") {
        let mut connection = sqlx::SqliteConnection::connect(url).await.expect("connect");
        let rows: Vec<(String,)> = sqlx::query_as(DUMP)
            .fetch_all(&mut connection)
            .await
            .expect("dump");
        // The file itself too: nothing may hide in a column the dump does not name.
        let path = url
            .trim_start_matches("sqlite://")
            .split('?')
            .next()
            .unwrap_or_default();
        let mut text: String = rows.into_iter().map(|(row,)| row + "\n").collect();
        for suffix in ["", "-wal"] {
            if let Ok(bytes) = std::fs::read(format!("{path}{suffix}")) {
                text.push_str(&String::from_utf8_lossy(&bytes));
            }
        }
        text
    } else {
        let mut connection = sqlx::PgConnection::connect(url).await.expect("connect");
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT row_to_json(d)::text FROM domain_status d \
             UNION ALL SELECT row_to_json(o)::text FROM observations o \
             UNION ALL SELECT row_to_json(w)::text FROM watched_domains w",
        )
        .fetch_all(&mut connection)
        .await
        .expect("dump");
        rows.into_iter().map(|(row,)| row + "\n").collect()
    }
}

/// Holds the store's write lock (SQLite) or an exclusive lock on the status tables
/// (PostgreSQL, which also blocks reads) until released: a store that does not answer.
pub enum StoreLock {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

/// A stopped store: on PostgreSQL the test database refuses connections and the app's
/// are cut; SQLite, embedded in the process, cannot stop, so its write lock is held.
pub enum StoppedStore {
    Sqlite(StoreLock),
    Postgres { admin: String, database: String },
}

impl StoppedStore {
    pub async fn stop(url: &str) -> Self {
        if url.starts_with("sqlite:") {
            return Self::Sqlite(StoreLock::take(url).await);
        }
        let admin = std::env::var("TEST_DATABASE_URL").expect("PostgreSQL tests name the server");
        let database = url::Url::parse(url)
            .expect("a URL")
            .path()
            .trim_start_matches('/')
            .to_owned();
        let mut connection = sqlx::PgConnection::connect(&admin).await.expect("connect");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "ALTER DATABASE \"{database}\" WITH ALLOW_CONNECTIONS false; \
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'"
        )))
        .execute(&mut connection)
        .await
        .expect("stop the database");
        Self::Postgres { admin, database }
    }

    pub async fn start(self) {
        match self {
            Self::Sqlite(lock) => lock.release().await,
            Self::Postgres { admin, database } => {
                let mut connection = sqlx::PgConnection::connect(&admin).await.expect("connect");
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "ALTER DATABASE \"{database}\" WITH ALLOW_CONNECTIONS true"
                )))
                .execute(&mut connection)
                .await
                .expect("start the database");
            }
        }
    }
}

impl StoreLock {
    pub async fn take(url: &str) -> Self {
        if url.starts_with("sqlite:") {
            let mut connection = sqlx::SqliteConnection::connect(url).await.expect("connect");
            sqlx::raw_sql("BEGIN IMMEDIATE")
                .execute(&mut connection)
                .await
                .expect("take the write lock");
            Self::Sqlite(connection)
        } else {
            let mut connection = sqlx::PgConnection::connect(url).await.expect("connect");
            sqlx::raw_sql(
                "BEGIN; LOCK TABLE domain_status, observations, watched_domains \
                 IN ACCESS EXCLUSIVE MODE",
            )
            .execute(&mut connection)
            .await
            .expect("lock the tables");
            Self::Postgres(connection)
        }
    }

    pub async fn release(self) {
        match self {
            Self::Sqlite(mut connection) => {
                sqlx::raw_sql("ROLLBACK")
                    .execute(&mut connection)
                    .await
                    .expect("release");
            }
            Self::Postgres(mut connection) => {
                sqlx::raw_sql("ROLLBACK")
                    .execute(&mut connection)
                    .await
                    .expect("release");
            }
        }
    }
}

/// How many rows `table` holds, read on a connection of its own (a separate process may
/// be writing).
pub async fn count_rows(url: &str, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    let (n,): (i64,) = if url.starts_with("sqlite:") {
        let mut connection = sqlx::SqliteConnection::connect(url).await.expect("connect");
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut connection)
            .await
            .expect("count")
    } else {
        let mut connection = sqlx::PgConnection::connect(url).await.expect("connect");
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut connection)
            .await
            .expect("count")
    };
    n
}
