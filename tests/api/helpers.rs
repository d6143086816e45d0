//! Test harness: the real app on port 0, a fresh database per test (SQLite, or
//! PostgreSQL when `TEST_DATABASE_URL` is set), and fake RDAP servers on 127.0.0.1.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use lapseguard::app::AppState;
use lapseguard::clock::{Clock, ManualClock};
use lapseguard::config::Config;
use lapseguard::domain::name::RegistrableDomain;
use lapseguard::domain::status::{EvidenceSource, Finding, Observation, Registration};
use lapseguard::startup::Application;
use lapseguard::store::Store;
use serde_json::{Value, json};
use sqlx::Connection;

/// What the fake RDAP server answers for one domain.
#[derive(Clone, Debug)]
pub enum Answer {
    /// 200 with this RDAP domain object.
    Domain(Value),
    /// 404 with an RDAP error body.
    NotFound,
    /// This status with an RDAP error body.
    Status(u16),
    /// 429, with this `Retry-After` if any.
    RateLimited(Option<&'static str>),
    /// 200 with this body as `application/rdap+json`.
    Body(String),
    /// Waits, then answers.
    Slow(Duration, Box<Answer>),
    /// 302 to this URL.
    Redirect(String),
}

#[derive(Default)]
struct FakeState {
    answers: Mutex<HashMap<String, Answer>>,
    hits: Mutex<HashMap<String, usize>>,
}

/// A fake RDAP server: a real HTTP server on 127.0.0.1, port 0.
#[derive(Clone)]
pub struct FakeRdap {
    /// Base URL, ending with `/`.
    pub url: String,
    state: Arc<FakeState>,
}

impl FakeRdap {
    pub async fn start() -> Self {
        let state = Arc::new(FakeState::default());
        let router = Router::new()
            .route("/domain/{name}", axum::routing::get(answer))
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake RDAP");
        let url = format!("http://{}/", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { url, state }
    }

    pub fn set(&self, domain: &str, answer: Answer) {
        self.state
            .answers
            .lock()
            .expect("lock")
            .insert(domain.to_owned(), answer);
    }

    /// How many requests this server received for `domain`.
    pub fn hits(&self, domain: &str) -> usize {
        *self
            .state
            .hits
            .lock()
            .expect("lock")
            .get(domain)
            .unwrap_or(&0)
    }
}

async fn answer(State(state): State<Arc<FakeState>>, Path(name): Path<String>) -> Response {
    *state
        .hits
        .lock()
        .expect("lock")
        .entry(name.clone())
        .or_default() += 1;
    let answer = state.answers.lock().expect("lock").get(&name).cloned();
    respond(answer.unwrap_or(Answer::NotFound)).await
}

async fn respond(answer: Answer) -> Response {
    let rdap = [(header::CONTENT_TYPE, "application/rdap+json")];
    match answer {
        Answer::Domain(object) => (rdap, object.to_string()).into_response(),
        Answer::NotFound => error(404),
        Answer::Status(status) => error(status),
        Answer::RateLimited(retry_after) => {
            let mut response = error(429);
            if let Some(value) = retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, value.parse().expect("header"));
            }
            response
        }
        Answer::Body(body) => (rdap, body).into_response(),
        Answer::Slow(delay, then) => {
            tokio::time::sleep(delay).await;
            Box::pin(respond(*then)).await
        }
        Answer::Redirect(location) => {
            (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
        }
    }
}

fn error(status: u16) -> Response {
    let status = StatusCode::from_u16(status).expect("status");
    let body = json!({
        "errorCode": status.as_u16(),
        "title": status.canonical_reason(),
        "description": ["fake RDAP server"],
        "rdapConformance": ["rdap_level_0"]
    });
    (
        status,
        [(header::CONTENT_TYPE, "application/rdap+json")],
        body.to_string(),
    )
        .into_response()
}

/// A realistic registry answer, shaped like Verisign's.
pub fn rdap_domain(
    name: &str,
    statuses: &[&str],
    registered: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> Value {
    json!({
        "objectClassName": "domain",
        "handle": "2336799_DOMAIN_COM-VRSN",
        "ldhName": name.to_uppercase(),
        "links": [{
            "value": format!("https://rdap.example/domain/{name}"),
            "rel": "self",
            "href": format!("https://rdap.example/domain/{name}"),
            "type": "application/rdap+json"
        }],
        "status": statuses,
        "entities": [{
            "objectClassName": "entity",
            "handle": "376",
            "roles": ["registrar"],
            "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "Example Registrar, Inc."]]]
        }],
        "events": [
            {"eventAction": "registration", "eventDate": registered.to_rfc3339()},
            {"eventAction": "expiration", "eventDate": expires.to_rfc3339()},
            {"eventAction": "last changed", "eventDate": "2026-08-14T07:01:44Z"},
            {"eventAction": "last update of RDAP database", "eventDate": Utc::now().to_rfc3339()}
        ],
        "secureDNS": {"delegationSigned": false},
        "nameservers": [
            {"objectClassName": "nameserver", "ldhName": "A.IANA-SERVERS.NET"},
            {"objectClassName": "nameserver", "ldhName": "B.IANA-SERVERS.NET"}
        ],
        "rdapConformance": ["rdap_level_0", "icann_rdap_technical_implementation_guide_0", "icann_rdap_response_profile_0"],
        "notices": [{"title": "Terms of Use", "description": ["Service subject to Terms of Use."]}]
    })
}

/// Today at midnight UTC: registry dates computed from it agree within a test.
fn today() -> DateTime<Utc> {
    Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc()
}

pub fn days_ago(days: i64) -> DateTime<Utc> {
    today() - chrono::Duration::days(days)
}

pub fn days_ahead(days: i64) -> DateTime<Utc> {
    today() + chrono::Duration::days(days)
}

/// An old, active registration.
pub fn active(name: &str) -> Answer {
    Answer::Domain(rdap_domain(
        name,
        &["client transfer prohibited"],
        days_ago(3000),
        days_ahead(200),
    ))
}

/// A registration with these statuses, old and not yet expired.
pub fn with_statuses(name: &str, statuses: &[&str]) -> Answer {
    Answer::Domain(rdap_domain(name, statuses, days_ago(3000), days_ahead(200)))
}

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

/// The running app and what surrounds it.
pub struct TestApp {
    pub address: String,
    /// The app's clock: tests move it to drive the scheduler.
    pub clock: Arc<ManualClock>,
    pub state: AppState,
    pub http: reqwest::Client,
    /// Serves `com`, `net`, `org`, `uk`, `jp`, `de` through the bootstrap file.
    pub rdap: FakeRdap,
    /// Serves `om` through the bootstrap file and `io` through an override.
    pub other_rdap: FakeRdap,
    pub store: Arc<dyn Store>,
    pub database: Arc<TestDatabase>,
    pub settings: Vec<(String, String)>,
    _bootstrap: Arc<tempfile::NamedTempFile>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts the app with extra environment settings.
pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    let rdap = FakeRdap::start().await;
    let other_rdap = FakeRdap::start().await;
    let bootstrap = tempfile::NamedTempFile::new().expect("temp file");
    let services = json!({
        "version": "1.0",
        "publication": "2026-06-26T18:00:02Z",
        "services": [
            [["com", "net", "org", "uk", "jp", "de"], [rdap.url]],
            [["om"], [other_rdap.url]]
        ]
    });
    std::fs::write(bootstrap.path(), services.to_string()).expect("write bootstrap");
    let settings: Vec<(String, String)> = [
        (
            "LAPSEGUARD_RDAP_BOOTSTRAP",
            bootstrap.path().display().to_string(),
        ),
        ("LAPSEGUARD_RDAP_SERVERS", format!("io={}", other_rdap.url)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .chain(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    )
    .collect();
    let database = Arc::new(TestDatabase::new().await);
    start(rdap, other_rdap, database, settings, Arc::new(bootstrap)).await
}

async fn start(
    rdap: FakeRdap,
    other_rdap: FakeRdap,
    database: Arc<TestDatabase>,
    settings: Vec<(String, String)>,
    bootstrap: Arc<tempfile::NamedTempFile>,
) -> TestApp {
    let mut vars: HashMap<String, String> = [
        ("DATABASE_URL", database.url.as_str()),
        ("LAPSEGUARD_LISTEN", "127.0.0.1:0"),
        ("LAPSEGUARD_ALLOW_HTTP_UPSTREAMS", "true"),
        // Tests step the scheduler themselves, on their own clock, at full speed.
        ("LAPSEGUARD_SCHEDULER", "false"),
        ("LAPSEGUARD_RDAP_HOST_RATE", "1000000"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    vars.extend(settings.iter().cloned());
    let config = Config::from_vars(vars).expect("test configuration is valid");
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let application = Application::build_with_clock(&config, Arc::clone(&clock) as _)
        .await
        .expect("app builds");
    let address = format!("http://127.0.0.1:{}", application.port());
    let state = Arc::clone(application.state());
    let store = Arc::clone(&state.store);
    tokio::spawn(application.run_until(std::future::pending()));
    TestApp {
        address,
        clock,
        state,
        http: reqwest::Client::new(),
        rdap,
        other_rdap,
        store,
        database,
        settings,
        _bootstrap: bootstrap,
    }
}

impl TestApp {
    /// A second process on the same database and fake servers: a restart.
    pub async fn restart(&self) -> TestApp {
        start(
            self.rdap.clone(),
            self.other_rdap.clone(),
            Arc::clone(&self.database),
            self.settings.clone(),
            Arc::clone(&self._bootstrap),
        )
        .await
    }

    /// `POST /check-recovery-eligible` with a JSON body.
    /// `POST /check-recovery-eligible` with a JSON body; returns once what the check
    /// observed is written to the store.
    pub async fn check(&self, body: Value) -> (StatusCode, Value) {
        let answer = self.post_raw(body.to_string(), "application/json").await;
        self.state.checker.settled().await;
        answer
    }

    /// Checks one address without `verified_at` and expects a 200.
    pub async fn check_email(&self, email: &str) -> Value {
        let (status, body) = self.check(json!({ "email": email })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    pub async fn post_raw(&self, body: String, content_type: &str) -> (StatusCode, Value) {
        let response = self
            .http
            .post(format!("{}/check-recovery-eligible", self.address))
            .header(header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .expect("request");
        read(response).await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let response = self
            .http
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("request");
        read(response).await
    }

    /// Stores an observation as if lapseguard had made it `days` ago.
    pub async fn seed(&self, domain: &str, days: i64, finding: Finding) {
        let observation = Observation {
            domain: RegistrableDomain::parse(domain).expect("valid domain"),
            source: EvidenceSource::Rdap,
            observed_at: days_ago(days),
            http_status: Some(200),
            finding,
        };
        let settings = Config::default().record_settings();
        self.store
            .record(&observation, &settings)
            .await
            .expect("seed");
    }

    pub async fn post_json(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .http
            .post(format!("{}{path}", self.address))
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("request");
        read(response).await
    }

    pub async fn send(&self, method: reqwest::Method, path: &str) -> (StatusCode, Value) {
        let response = self
            .http
            .request(method, format!("{}{path}", self.address))
            .send()
            .await
            .expect("request");
        read(response).await
    }

    /// Moves the clock to the domain's next check and runs the scheduler once.
    pub async fn run_next_check(&self, domain: &str) {
        let (_, view) = self.get(&format!("/v1/domains/{domain}")).await;
        let next: DateTime<Utc> = view["next_check_at"]
            .as_str()
            .and_then(|t| t.parse().ok())
            .expect("the domain is scheduled");
        if next > self.clock.now() {
            self.clock.set(next);
        }
        self.state
            .scheduler
            .run_due()
            .await
            .expect("scheduler round");
    }

    /// Every transition published so far, through the API.
    pub async fn all_transitions(&self) -> Vec<Value> {
        let (status, page) = self.get("/v1/transitions?after=0&limit=1000").await;
        assert_eq!(status, StatusCode::OK);
        page["transitions"].as_array().cloned().unwrap_or_default()
    }
}

/// A registered finding with these statuses and registration date.
pub fn registered(statuses: &[&str], registered_at: DateTime<Utc>) -> Finding {
    Finding::Registered(Registration {
        statuses: statuses.iter().map(|s| (*s).to_owned()).collect(),
        registered_at: Some(registered_at),
        expires_at: Some(days_ahead(200)),
        ..Registration::default()
    })
}

async fn read(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = response.bytes().await.expect("body");
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if !status.is_success() {
        assert_eq!(content_type, "application/problem+json", "{body}");
    }
    (status, body)
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

/// A webhook receiver on 127.0.0.1 that records what it accepts and can be "down".
#[derive(Clone)]
pub struct WebhookReceiver {
    pub url: String,
    state: Arc<ReceiverState>,
}

#[derive(Default)]
struct ReceiverState {
    down: std::sync::atomic::AtomicBool,
    received: Mutex<Vec<(axum::http::HeaderMap, String)>>,
}

impl WebhookReceiver {
    pub async fn start() -> Self {
        let state = Arc::new(ReceiverState::default());
        let router = Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind receiver");
        let url = format!("http://{}/hook", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { url, state }
    }

    pub fn set_down(&self, down: bool) {
        self.state.down.store(down, Ordering::SeqCst);
    }

    /// What it accepted: headers and body, in arrival order.
    pub fn received(&self) -> Vec<(axum::http::HeaderMap, String)> {
        self.state.received.lock().expect("lock").clone()
    }
}

async fn receive(
    State(state): State<Arc<ReceiverState>>,
    headers: axum::http::HeaderMap,
    body: String,
) -> StatusCode {
    if state.down.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    state.received.lock().expect("lock").push((headers, body));
    StatusCode::NO_CONTENT
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
