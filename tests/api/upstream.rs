//! RDAP upstream behaviour: bootstrap matching, overrides, 429, timeouts, bad bodies,
//! caching and coalescing.

use std::time::{Duration, Instant};

use axum::http::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn a_bootstrap_entry_matches_only_on_label_boundaries() {
    let app = spawn_app().await;
    app.rdap.set("example.com", active("example.com"));
    app.other_rdap
        .set("example.om", with_statuses("example.om", &["client hold"]));

    let body = app.check_email("a@example.com").await;
    assert_eq!(body["reason"], "domain_active");
    assert_eq!(app.rdap.hits("example.com"), 1);
    assert_eq!(
        app.other_rdap.hits("example.com"),
        0,
        "`om` must not catch `.com`"
    );

    let body = app.check_email("a@example.om").await;
    assert_eq!(body["reason"], "domain_on_hold");
    assert_eq!(app.other_rdap.hits("example.om"), 1);
}

#[tokio::test]
async fn an_override_wins_over_the_bootstrap() {
    let other = FakeRdap::start().await;
    let servers = format!("com={}", other.url);
    let app = spawn_app_with(&[("LAPSEGUARD_RDAP_SERVERS", servers.as_str())]).await;
    app.rdap.set("example.com", active("example.com"));
    other.set(
        "example.com",
        with_statuses("example.com", &["redemption period", "pending delete"]),
    );

    let body = app.check_email("a@example.com").await;
    assert_eq!(body["reason"], "domain_in_redemption_period");
    assert_eq!(other.hits("example.com"), 1);
    assert_eq!(app.rdap.hits("example.com"), 0);
}

#[tokio::test]
async fn a_429_pauses_the_host_without_waiting_in_the_request() {
    let app = spawn_app().await;
    app.rdap.set("first.com", Answer::RateLimited(Some("3600")));
    app.rdap.set("second.com", active("second.com"));
    app.seed("third.com", 3, registered(&["active"], days_ago(3000)))
        .await;

    let started = Instant::now();
    let body = app.check_email("a@first.com").await;
    assert_eq!(body["reason"], "domain_status_unavailable");

    // The same host is paused: no request goes out, for any of its domains.
    let body = app.check_email("a@second.com").await;
    assert_eq!(body["reason"], "domain_status_unavailable");
    assert_eq!(app.rdap.hits("second.com"), 0);

    // A stored status answers, stale, while the host is paused.
    let body = app.check_email("a@third.com").await;
    assert_eq!(body["stale"], true);
    assert_eq!(body["reason"], "domain_active");
    assert_eq!(app.rdap.hits("third.com"), 0);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "nothing slept on Retry-After"
    );

    // Another host is not affected.
    app.other_rdap.set("example.io", active("example.io"));
    let body = app.check_email("a@example.io").await;
    assert_eq!(body["reason"], "domain_active");
}

#[tokio::test]
async fn a_paused_host_is_asked_again_after_retry_after() {
    let app = spawn_app().await;
    app.rdap.set("example.com", Answer::RateLimited(Some("1")));
    app.rdap.set("other.com", active("other.com"));
    let body = app.check_email("a@example.com").await;
    assert_eq!(body["reason"], "domain_status_unavailable");
    let body = app.check_email("a@other.com").await;
    assert_eq!(body["reason"], "domain_status_unavailable");
    assert_eq!(app.rdap.hits("other.com"), 0, "the host is paused");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    // The pause is over, and other.com's cooldown lasted only as long as the pause.
    let body = app.check_email("a@other.com").await;
    assert_eq!(body["reason"], "domain_active");
    assert_eq!(app.rdap.hits("other.com"), 1);
}

#[tokio::test]
async fn a_slow_upstream_is_cut_off_at_the_deadline() {
    let app = spawn_app_with(&[("LAPSEGUARD_LOOKUP_DEADLINE_MS", "300")]).await;
    app.rdap.set(
        "example.com",
        Answer::Slow(Duration::from_secs(30), Box::new(active("example.com"))),
    );
    let started = Instant::now();
    let body = app.check_email("a@example.com").await;
    assert_eq!(body["reason"], "domain_status_unavailable");
    // Far below the upstream's 30 s: the deadline, not the upstream, ended the request.
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn malformed_and_oversized_upstream_bodies_are_failures_not_statuses() {
    let app = spawn_app().await;
    app.rdap
        .set("html.com", Answer::Body("<html>maintenance</html>".into()));
    app.rdap.set(
        "entity.com",
        Answer::Body(r#"{"objectClassName":"entity"}"#.into()),
    );
    let huge = format!(
        r#"{{"objectClassName":"domain","status":["active"],"remarks":"{}"}}"#,
        "x".repeat(2 << 20)
    );
    app.rdap.set("huge.com", Answer::Body(huge));
    for domain in ["html.com", "entity.com", "huge.com"] {
        let body = app.check_email(&format!("a@{domain}")).await;
        assert_eq!(body["reason"], "domain_status_unavailable", "{domain}");
        let name = lapseguard::domain::name::RegistrableDomain::parse(domain).expect("valid");
        let history = app.store.observations(&name, 5).await.expect("history");
        let history: Vec<_> = history
            .into_iter()
            .filter(|h| h.observation.source == lapseguard::domain::status::EvidenceSource::Rdap)
            .collect();
        assert_eq!(history.len(), 1, "{domain}");
        assert_eq!(history[0].observation.lifecycle(), None, "{domain}");
    }
}

#[tokio::test]
async fn a_404_from_a_server_redirected_to_proves_nothing() {
    let app = spawn_app().await;
    let elsewhere = FakeRdap::start().await;
    app.rdap.set(
        "moved.com",
        Answer::Redirect(format!("{}domain/moved.com", elsewhere.url)),
    );
    let body = app.check_email("a@moved.com").await;
    assert_eq!(elsewhere.hits("moved.com"), 1, "the redirect was followed");
    assert_eq!(body["reason"], "domain_status_unavailable");

    // A redirect to a server that knows the domain is fine.
    elsewhere.set("found.com", active("found.com"));
    app.rdap.set(
        "found.com",
        Answer::Redirect(format!("{}domain/found.com", elsewhere.url)),
    );
    let body = app.check_email("a@found.com").await;
    assert_eq!(body["reason"], "domain_active");
}

#[tokio::test]
async fn a_cache_hit_touches_neither_store_nor_network() {
    let app = spawn_app().await;
    app.rdap.set("example.com", active("example.com"));
    let first = app.check_email("a@example.com").await;
    assert_eq!(first["source"], "live");
    for _ in 0..5 {
        let body = app.check_email("b@mail.example.com").await;
        assert_eq!(body["source"], "cache");
        assert_eq!(body["reason"], "domain_active");
    }
    assert_eq!(app.rdap.hits("example.com"), 1);
}

#[tokio::test]
async fn concurrent_checks_of_one_domain_make_one_upstream_request() {
    let app = std::sync::Arc::new(spawn_app().await);
    app.rdap.set(
        "example.com",
        Answer::Slow(Duration::from_millis(300), Box::new(active("example.com"))),
    );
    let checks = (0..20).map(|i| {
        let app = std::sync::Arc::clone(&app);
        tokio::spawn(async move { app.check_email(&format!("user{i}@example.com")).await })
    });
    for check in checks {
        let body = check.await.expect("task");
        assert_eq!(body["reason"], "domain_active");
    }
    assert_eq!(app.rdap.hits("example.com"), 1);
}

#[tokio::test]
async fn a_supplement_file_fills_gaps_in_the_bootstrap_and_never_overrides_it() {
    let elsewhere = FakeRdap::start().await;
    let supplement = tempfile::NamedTempFile::new().expect("temp file");
    let services = serde_json::json!({
        "services": [[["it", "com"], [elsewhere.url]]]
    });
    std::fs::write(supplement.path(), services.to_string()).expect("write");
    let path = supplement.path().display().to_string();
    let app = spawn_app_with(&[("LAPSEGUARD_RDAP_SUPPLEMENT", &path)]).await;
    elsewhere.set("example.it", active("example.it"));
    app.rdap.set("example.com", active("example.com"));

    let body = app.check_email("a@example.it").await;
    assert_eq!(body["reason"], "domain_active");
    assert_eq!(body["evidence"], "rdap");
    assert_eq!(elsewhere.hits("example.it"), 1);

    app.check_email("a@example.com").await;
    assert_eq!(app.rdap.hits("example.com"), 1, "IANA's file wins");
    assert_eq!(elsewhere.hits("example.com"), 0);
}

/// A bootstrap file served over HTTP whose body and status a test changes.
#[derive(Clone, Default)]
struct FakeBootstrap(std::sync::Arc<std::sync::Mutex<(u16, String)>>);

impl FakeBootstrap {
    fn serve(&self, status: u16, services: &[(&str, &str)]) {
        let services: Vec<serde_json::Value> = services
            .iter()
            .map(|(tld, url)| serde_json::json!([[tld], [url]]))
            .collect();
        let body = serde_json::json!({
            "version": "1.0",
            "publication": "2026-11-30T00:00:00Z",
            "services": services,
        });
        *self.0.lock().expect("lock") = (status, body.to_string());
    }

    async fn start(&self) -> String {
        let state = self.clone();
        let router = axum::Router::new().route(
            "/dns.json",
            axum::routing::get(move || {
                let (status, body) = state.0.lock().expect("lock").clone();
                async move {
                    let status = axum::http::StatusCode::from_u16(status).expect("status");
                    (status, [("content-type", "application/json")], body)
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!(
            "http://{}/dns.json",
            listener.local_addr().expect("address")
        );
        tokio::spawn(async move { axum::serve(listener, router).await });
        url
    }
}

#[tokio::test]
async fn a_bootstrap_url_is_reloaded_and_a_failed_reload_keeps_the_table_in_use() {
    let bootstrap = FakeBootstrap::default();
    let url = bootstrap.start().await;
    let first = FakeRdap::start().await;
    let second = FakeRdap::start().await;
    bootstrap.serve(200, &[("com", &first.url)]);
    let app = spawn_app_with(&[
        ("LAPSEGUARD_RDAP_BOOTSTRAP", url.as_str()),
        ("LAPSEGUARD_RDAP_BOOTSTRAP_RELOAD_SECONDS", "1"),
    ])
    .await;
    for _ in 0..50 {
        if app.get("/readyz").await.0 == StatusCode::OK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.check_email("a@one.com").await;
    assert_eq!(first.hits("one.com"), 1);

    // IANA's file changes: the next reload sends .com to the new server.
    bootstrap.serve(200, &[("com", &second.url)]);
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    app.check_email("a@two.com").await;
    assert_eq!((first.hits("two.com"), second.hits("two.com")), (0, 1));

    // The file goes bad: the table in use stays.
    bootstrap.serve(500, &[]);
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert_eq!(app.get("/readyz").await.0, StatusCode::OK);
    app.check_email("a@three.com").await;
    assert_eq!(second.hits("three.com"), 1);
}

#[tokio::test]
async fn checks_stop_asking_a_failing_host_until_a_probe_after_the_cooldown_succeeds() {
    let app = spawn_app_with(&[
        ("LAPSEGUARD_DNS", "off"),
        ("LAPSEGUARD_BREAKER_FAILURES", "3"),
        ("LAPSEGUARD_BREAKER_COOLDOWN_SECONDS", "1"),
    ])
    .await;
    for n in 1..=4 {
        app.rdap.set(&format!("down{n}.com"), Answer::Status(503));
    }
    for n in 1..=3 {
        app.check_email(&format!("a@down{n}.com")).await;
        assert_eq!(app.rdap.hits(&format!("down{n}.com")), 1);
    }
    // Three 5xx in a row: the breaker is open, and checks answer without asking.
    let body = app.check_email("a@down4.com").await;
    assert_eq!(body["reason"], "domain_status_unavailable");
    assert_eq!(app.rdap.hits("down4.com"), 0);
    // Metrics say so, by host (this test's own fake server).
    let host = app.rdap.host();
    let text = lapseguard::telemetry::metrics::render(None);
    let open = format!("lapseguard_breaker_open{{host=\"{host}\"}} 1");
    assert!(text.contains(&open), "{text}");
    let rejected = format!("lapseguard_breaker_rejections_total{{host=\"{host}\"}} 1");
    assert!(text.contains(&rejected), "{text}");
    // Another host is not affected.
    app.other_rdap.set("fine.io", active("fine.io"));
    assert_eq!(
        app.check_email("a@fine.io").await["reason"],
        "domain_active"
    );

    // After the cooldown one check probes; the host answers, and it closes.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    app.rdap.set("back.com", active("back.com"));
    app.rdap.set("again.com", active("again.com"));
    assert_eq!(
        app.check_email("a@back.com").await["reason"],
        "domain_active"
    );
    assert_eq!(
        app.check_email("a@again.com").await["reason"],
        "domain_active"
    );
    assert_eq!(
        (app.rdap.hits("back.com"), app.rdap.hits("again.com")),
        (1, 1)
    );
    let text = lapseguard::telemetry::metrics::render(None);
    let closed = format!("lapseguard_breaker_open{{host=\"{host}\"}} 0");
    assert!(text.contains(&closed), "{text}");
}
