//! The real app on port 0 against fake upstreams and a fresh database, and the requests
//! tests make to it.

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::{StatusCode, header};
use chrono::{DateTime, Utc};
use lapseguard::app::AppState;
use lapseguard::clock::{Clock, ManualClock};
use lapseguard::config::Config;
use lapseguard::domain::access::{Scope, Scopes};
use lapseguard::domain::audit::{AuditAction, AuditEntry};
use lapseguard::domain::name::RegistrableDomain;
use lapseguard::domain::status::{EvidenceSource, Finding, Observation, Registration};
use lapseguard::startup::Application;
use lapseguard::store::{RecordSettings, Recording, Store};
use reqwest::Method;
use serde_json::{Value, json};

use super::db::TestDatabase;
use super::fake_dns::FakeDns;
use super::fake_rdap::{FakeRdap, days_ago, days_ahead};

/// The running app and what surrounds it.
pub struct TestApp {
    pub address: String,
    /// The `LAPSEGUARD_METRICS_LISTEN` listener's base URL, when the test set one.
    pub metrics_address: Option<String>,
    /// The app's clock: tests move it to drive the scheduler.
    pub clock: Arc<ManualClock>,
    pub state: AppState,
    pub http: reqwest::Client,
    /// Serves `com`, `net`, `org`, `uk`, `jp`, `de` through the bootstrap file.
    pub rdap: FakeRdap,
    /// Serves `om` through the bootstrap file and `io` through an override.
    pub other_rdap: FakeRdap,
    /// The resolver: every name delegated unless a test says otherwise.
    pub dns: FakeDns,
    pub store: Arc<dyn Store>,
    pub database: Arc<TestDatabase>,
    pub settings: Vec<(String, String)>,
    /// Sent as `Authorization: Bearer` by every request helper while set.
    token: std::sync::Mutex<Option<String>>,
    _bootstrap: Arc<tempfile::NamedTempFile>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts the app with extra environment settings.
pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    let rdap = FakeRdap::start().await;
    let other_rdap = FakeRdap::start().await;
    let dns = FakeDns::start().await;
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
        ("LAPSEGUARD_DNS_SERVERS", dns.address.to_string()),
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
    start(
        rdap,
        other_rdap,
        dns,
        database,
        settings,
        Arc::new(bootstrap),
    )
    .await
}

async fn start(
    rdap: FakeRdap,
    other_rdap: FakeRdap,
    dns: FakeDns,
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
        ("LAPSEGUARD_DNS_RATE", "1000000"),
        ("LAPSEGUARD_DNS_TIMEOUT_MS", "300"),
        // The supplement would send some test TLDs to real servers.
        ("LAPSEGUARD_RDAP_SUPPLEMENT", "off"),
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
    let metrics_address = application
        .metrics_port()
        .map(|port| format!("http://127.0.0.1:{port}"));
    let state = Arc::clone(application.state());
    let store = Arc::clone(&state.store);
    tokio::spawn(application.run_until(std::future::pending()));
    TestApp {
        address,
        metrics_address,
        clock,
        state,
        http: reqwest::Client::new(),
        rdap,
        other_rdap,
        dns,
        store,
        database,
        settings,
        token: std::sync::Mutex::new(None),
        _bootstrap: bootstrap,
    }
}

impl TestApp {
    /// A second process on the same database and fake servers: a restart.
    pub async fn restart(&self) -> TestApp {
        start(
            self.rdap.clone(),
            self.other_rdap.clone(),
            self.dns.clone(),
            Arc::clone(&self.database),
            self.settings.clone(),
            Arc::clone(&self._bootstrap),
        )
        .await
    }

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

    /// `POST /check-recovery-eligible` with this body and content type, as sent; does not
    /// wait for what the check writes.
    pub async fn post_raw(&self, body: String, content_type: &str) -> (StatusCode, Value) {
        let body = Some((body, content_type));
        self.request(Method::POST, "/check-recovery-eligible", body)
            .await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.request(Method::GET, path, None).await
    }

    pub async fn post_json(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let body = Some((body.to_string(), "application/json"));
        self.request(Method::POST, path, body).await
    }

    pub async fn put_json(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let body = Some((body.to_string(), "application/json"));
        self.request(Method::PUT, path, body).await
    }

    /// A request without a body.
    pub async fn send(&self, method: Method, path: &str) -> (StatusCode, Value) {
        self.request(method, path, None).await
    }

    /// Creates a token as the CLI does (through the store) and makes this process
    /// know it at once; returns the token.
    pub async fn create_token(&self, name: &str, scopes: &[Scope]) -> String {
        let scopes: Scopes = scopes.iter().copied().collect();
        let now = self.clock.now();
        let (token, record) = lapseguard::access::new_token(name, scopes, now).expect("random");
        let audit = AuditEntry::new(now, "cli", AuditAction::TokenCreated, name, json!({}));
        let created = self
            .store
            .create_token(&record, &audit)
            .await
            .expect("store");
        assert!(created, "token {name} is new");
        self.state
            .tokens
            .reload(self.store.as_ref())
            .await
            .expect("reload tokens");
        token
    }

    /// Sends this token with every later request (`None`: none).
    pub fn use_token(&self, token: Option<&str>) {
        *self.token.lock().expect("not poisoned") = token.map(str::to_owned);
    }

    /// A request with this token (or none) and no body: status, headers, body.
    pub async fn request_with(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request
                .header(header::CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body");
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, headers, body)
    }

    /// The one request helper: a method, a path, and a body with its content type.
    /// A non-2xx answer must be a problem document.
    async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<(String, &str)>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.address));
        let token = self.token.lock().expect("not poisoned").clone();
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some((body, content_type)) = body {
            request = request
                .header(header::CONTENT_TYPE, content_type)
                .body(body);
        }
        let response = request.send().await.expect("request");
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

    /// Stores an observation as if lapseguard had made it `days` ago.
    pub async fn seed(&self, domain: &str, days: i64, finding: Finding) {
        let observation = Observation {
            domain: RegistrableDomain::parse(domain).expect("valid domain"),
            source: EvidenceSource::Rdap,
            observed_at: days_ago(days),
            http_status: Some(200),
            finding,
            host: None,
            routes: None,
        };
        let settings = RecordSettings {
            schedule: Config::default().schedule,
            webhooks: false,
            guard: Config::default().guard,
        };
        self.store
            .record(&observation, Recording::SCHEDULED, &settings)
            .await
            .expect("seed");
    }

    /// Moves the clock to the domain's next check and runs the scheduler once.
    /// `POST /v1/watch` with these domains; expects a 200.
    pub async fn watch(&self, domains: &[&str]) {
        let (status, body) = self
            .post_json("/v1/watch", serde_json::json!({ "domains": domains }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    /// Runs the delegation sweep once at the app's clock and waits for what it wrote;
    /// returns how many domains it claimed.
    pub async fn sweep_dns(&self) -> usize {
        let sweep = self.state.delegation.as_ref().expect("DNS is on");
        let claimed = sweep.run_due().await.expect("sweep round");
        self.state.checker.settled().await;
        claimed
    }

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

    /// The domain's observations from one source (`rdap`, `dns`, `fastly`), newest
    /// first, through the API.
    pub async fn history(&self, domain: &str, source: &str) -> Vec<Value> {
        let (status, view) = self.get(&format!("/v1/domains/{domain}")).await;
        assert_eq!(status, StatusCode::OK, "{view}");
        let rows = view["observations"].as_array().cloned().unwrap_or_default();
        rows.into_iter().filter(|o| o["source"] == source).collect()
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
