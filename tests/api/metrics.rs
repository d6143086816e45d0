//! `GET /metrics` as Prometheus scrapes it. The recorder is one per process and tests run
//! side by side, so counters shared with other tests are compared before and after; the
//! lookups are labelled with this test's own fake server (its port), so they are exact.

use axum::http::StatusCode;
use lapseguard::clock::Clock;
use lapseguard::domain::access::Scope;
use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

pub async fn scrape(app: &TestApp, token: Option<&str>) -> (StatusCode, String) {
    let mut request = app.http.get(format!("{}/metrics", app.address));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.expect("text");
    if status == StatusCode::OK {
        assert!(content_type.starts_with("text/plain"), "{content_type}");
    }
    (status, text)
}

/// The value of the sample `name` whose labels include every `labels` pair (0 if none).
pub fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (metric, rest) = series.split_once('{').unwrap_or((series, "}"));
            (metric == name
                && labels
                    .iter()
                    .all(|(k, v)| rest.contains(&format!("{k}=\"{v}\""))))
            .then(|| value.parse::<f64>().ok())
            .flatten()
        })
        .sum()
}

#[tokio::test]
async fn metrics_count_checks_lookups_memory_and_transitions_with_bounded_labels() {
    let app = spawn_app_with(&[("LAPSEGUARD_DNS", "off")]).await;
    let name = "example.com";
    let since = days_ago(3000);
    app.rdap.set(
        name,
        Answer::Domain(rdap_domain(name, &["active"], since, days_ahead(30))),
    );
    // Read straight from the recorder: a scrape would fill the stats cache before the
    // checks.
    let before = lapseguard::telemetry::metrics::render(None);
    let checks = |text: &str, source| {
        sample(
            text,
            "lapseguard_checks_total",
            &[("reason", "domain_active"), ("source", source)],
        )
    };

    for _ in 0..4 {
        app.check_email("a@example.com").await;
    }
    let (status, after) = scrape(&app, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        checks(&after, "live") - checks(&before, "live") >= 1.0,
        "{after}"
    );
    assert!(
        checks(&after, "cache") - checks(&before, "cache") >= 3.0,
        "{after}"
    );
    let host = app.rdap.host();
    let lookups = [
        ("source", "rdap"),
        ("host", host.as_str()),
        ("outcome", "found"),
    ];
    assert_eq!(
        sample(&after, "lapseguard_lookups_total", &lookups),
        1.0,
        "{after}"
    );
    let timed = [("source", "rdap"), ("host", host.as_str())];
    assert_eq!(
        sample(&after, "lapseguard_lookup_duration_seconds_count", &timed),
        1.0
    );
    assert!(sample(&after, "lapseguard_check_duration_seconds_count", &[]) >= 4.0);
    assert!(after.contains("lapseguard_check_duration_seconds_bucket{le=\"0.001\"}"));
    let hits = |text: &str| {
        sample(
            text,
            "lapseguard_memory_lookups_total",
            &[("result", "hit")],
        )
    };
    assert!(hits(&after) - hits(&before) >= 3.0);
    // The store's counts, as gauges: this app's watch list.
    assert_eq!(
        sample(
            &after,
            "lapseguard_watched_domains",
            &[("lifecycle", "active")]
        ),
        1.0
    );
    assert!(
        after.contains("lapseguard_webhook_deliveries_pending 0"),
        "{after}"
    );
    // No domain in any label.
    assert!(!after.contains("example.com"), "{after}");

    // A lapse is counted by the stage it moved to.
    let grace = |text: &str| {
        sample(
            text,
            "lapseguard_transitions_total",
            &[("to", "auto_renew_grace")],
        )
    };
    app.rdap.set(
        name,
        Answer::Domain(rdap_domain(
            name,
            &["auto renew period"],
            since,
            days_ago(1),
        )),
    );
    app.run_next_check(name).await;
    let (_, lapsed) = scrape(&app, None).await;
    assert!(grace(&lapsed) - grace(&after) >= 1.0, "{lapsed}");

    // A 429 pauses the host: counted, and the gauge says until when (for an alert on a
    // host paused for long).
    app.rdap
        .set("example.net", Answer::RateLimited(Some("600")));
    app.check_email("a@example.net").await;
    let (_, paused) = scrape(&app, None).await;
    let host_label = [("host", host.as_str())];
    assert_eq!(
        sample(&paused, "lapseguard_host_pauses_total", &host_label),
        1.0
    );
    let until = sample(&paused, "lapseguard_host_paused_until_seconds", &host_label);
    let now = chrono::Utc::now().timestamp() as f64;
    assert!(
        until > now + 500.0 && until <= now + 601.0,
        "{until} vs {now}"
    );
    let rate_limited = [
        ("source", "rdap"),
        ("host", host.as_str()),
        ("outcome", "rate_limited"),
    ];
    assert_eq!(
        sample(&paused, "lapseguard_lookups_total", &rate_limited),
        1.0
    );
}

#[tokio::test]
async fn metrics_need_the_read_scope_once_tokens_exist() {
    let app = spawn_app().await;
    let check = app.create_token("checker", &[Scope::Check]).await;
    let read = app.create_token("prometheus", &[Scope::Read]).await;
    assert_eq!(scrape(&app, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(scrape(&app, Some(&check)).await.0, StatusCode::FORBIDDEN);
    let (status, text) = scrape(&app, Some(&read)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text.contains("# TYPE lapseguard_due_domains gauge"),
        "{text}"
    );
    let (status, _, _) = app
        .request_with(Some(&read), Method::POST, "/metrics", Some(json!({})))
        .await;
    assert_eq!(
        status,
        StatusCode::METHOD_NOT_ALLOWED,
        "nothing writes to /metrics"
    );
}

#[tokio::test]
async fn a_metrics_listener_serves_only_metrics_and_without_a_token() {
    let app = spawn_app_with(&[("LAPSEGUARD_METRICS_LISTEN", "127.0.0.1:0")]).await;
    app.create_token("admin", &[Scope::Admin]).await;
    let base = app.metrics_address.clone().expect("a metrics listener");
    let response = app
        .http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .text()
            .await
            .expect("text")
            .contains("lapseguard_due_domains")
    );
    for path in ["/v1/stats", "/check-recovery-eligible", "/openapi.json"] {
        let response = app
            .http
            .get(format!("{base}{path}"))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        scrape(&app, None).await.0,
        StatusCode::UNAUTHORIZED,
        "the main one still asks"
    );
}

/// Every metric the committed Grafana dashboard queries is one lapseguard writes.
#[test]
fn the_grafana_dashboard_queries_only_metrics_that_exist() {
    let root = env!("CARGO_MANIFEST_DIR");
    let dashboard = std::fs::read_to_string(format!("{root}/deploy/grafana/lapseguard.json"))
        .expect("deploy/grafana/lapseguard.json");
    let parsed: serde_json::Value = serde_json::from_str(&dashboard).expect("JSON");
    let source =
        std::fs::read_to_string(format!("{root}/src/telemetry/metrics.rs")).expect("source");
    let mut seen = 0;
    for panel in parsed["panels"].as_array().expect("panels") {
        for target in panel["targets"].as_array().expect("targets") {
            let expr = target["expr"].as_str().expect("expr");
            for word in expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
                let Some(name) = word.strip_prefix("lapseguard_") else {
                    continue;
                };
                let base = ["_bucket", "_count", "_sum"]
                    .iter()
                    .find_map(|suffix| name.strip_suffix(suffix))
                    .unwrap_or(name);
                assert!(
                    source.contains(&format!("\"lapseguard_{base}\"")),
                    "the dashboard queries lapseguard_{base}, which nothing writes"
                );
                seen += 1;
            }
        }
    }
    assert!(seen >= 15, "{seen}");
}

#[tokio::test]
async fn webhook_metrics_show_the_backlog_its_age_failures_and_deliveries() {
    use crate::holds::{grace, look_again, names, watch_active};
    use lapseguard::telemetry::metrics::{WEBHOOK_DELIVERIES, WEBHOOK_FAILURES};
    let receiver = WebhookReceiver::start().await;
    receiver.set_down(true);
    let app = spawn_app_with(&[
        ("LAPSEGUARD_WEBHOOK_URL", receiver.url.as_str()),
        (
            "LAPSEGUARD_WEBHOOK_SECRET",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ),
    ])
    .await;
    let domains = names(1);
    watch_active(&app, &domains).await;
    app.rdap.set(&domains[0], grace(&domains[0]));
    look_again(&app, &domains).await;
    assert_eq!(app.all_transitions().await.len(), 1);
    let webhooks = app.state.webhooks.as_ref().expect("configured");
    // The gauges as a scrape renders them from the store's counts (a scrape caches the
    // counts for 5 s of real time, which this test's clock does not move).
    let render = || async {
        let now = app.clock.now();
        let lease = lapseguard::store::SCHEDULER_LEASE;
        let stats = app.store.stats(now, lease).await.expect("stats");
        lapseguard::telemetry::metrics::render(Some((&stats, now)))
    };

    // The receiver is down: one delivery owed, ten minutes old, one failure counted.
    let before = lapseguard::telemetry::metrics::render(None);
    app.clock.advance(chrono::Duration::minutes(10));
    webhooks.deliver_due().await.expect("a round");
    let down = render().await;
    assert_eq!(
        sample(&down, "lapseguard_webhook_deliveries_pending", &[]),
        1.0,
        "{down}"
    );
    let age = sample(&down, "lapseguard_webhook_oldest_pending_age_seconds", &[]);
    assert!((600.0..700.0).contains(&age), "{age}");
    assert!(sample(&down, WEBHOOK_FAILURES, &[]) - sample(&before, WEBHOOK_FAILURES, &[]) >= 1.0);

    // Back up: after the retry delay the delivery goes out and the backlog is empty.
    receiver.set_down(false);
    app.clock.advance(chrono::Duration::minutes(1));
    webhooks.deliver_due().await.expect("a round");
    assert_eq!(receiver.received().len(), 1);
    let up = render().await;
    assert_eq!(
        sample(&up, "lapseguard_webhook_deliveries_pending", &[]),
        0.0,
        "{up}"
    );
    assert_eq!(
        sample(&up, "lapseguard_webhook_oldest_pending_age_seconds", &[]),
        0.0
    );
    assert!(sample(&up, WEBHOOK_DELIVERIES, &[]) - sample(&down, WEBHOOK_DELIVERIES, &[]) >= 1.0);
}
