//! Issue 21, section 5: no secret reaches a log line, even at `RUST_LOG=trace`: the
//! database URL's password, the webhook secret and the Fastly key, while the service
//! starts, answers checks through Fastly and RDAP, and signs a webhook.

use std::time::Duration;

use serde_json::json;

use crate::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_a_log_line_at_trace() {
    const FASTLY_KEY: &str = "fastly-key-Zq81secret";
    const WEBHOOK_SECRET: &str = "webhook-secret-Kx27secret";
    const DB_PASSWORD: &str = "db-password-Pw55secret";
    let app = spawn_app().await;
    let fastly = FakeFastly::start().await;
    fastly.set("kept.it", Status::Flags("active"));
    let hooks = WebhookReceiver::start().await;
    app.rdap.set(
        "lapsed.com",
        with_statuses("lapsed.com", &["auto renew period"]),
    );
    // PostgreSQL here trusts local clients, so a password in the URL is accepted and
    // ignored; SQLite's URL has none to hide.
    let database_url = app.database.url.replacen(
        "postgres://postgres@",
        &format!("postgres://postgres:{DB_PASSWORD}@"),
        1,
    );
    let log_path =
        std::env::temp_dir().join(format!("lapseguard-trace-{}.log", std::process::id()));
    let log = std::fs::File::create(&log_path).expect("log file");
    let replica = start_replica_logging_to(
        &app,
        &[
            ("DATABASE_URL", &database_url),
            ("RUST_LOG", "trace"),
            ("LAPSEGUARD_FASTLY_API_KEY", FASTLY_KEY),
            ("LAPSEGUARD_FASTLY_URL", &fastly.url),
            ("LAPSEGUARD_WEBHOOK_URL", &hooks.url),
            ("LAPSEGUARD_WEBHOOK_SECRET", WEBHOOK_SECRET),
        ],
        Some(log),
    )
    .await;
    let http = reqwest::Client::new();
    for email in ["a@kept.it", "a@lapsed.com"] {
        let response = http
            .post(format!("{}/check-recovery-eligible", replica.address))
            .header("content-type", "application/json")
            .body(json!({ "email": email }).to_string())
            .send()
            .await
            .expect("check");
        assert!(response.status().is_success(), "{email}");
    }
    assert!(fastly.hits("kept.it") > 0, "the key was sent to Fastly");
    wait_for("the webhook", Duration::from_secs(20), async || {
        !hooks.received().is_empty()
    })
    .await;
    drop(replica);
    let logged = std::fs::read_to_string(&log_path).expect("log");
    let _ = std::fs::remove_file(&log_path);
    assert!(logged.lines().count() > 50, "trace logging was on");
    assert!(
        logged.contains("lapsed.com"),
        "the checks were logged (by domain)"
    );
    for secret in [
        FASTLY_KEY,
        WEBHOOK_SECRET,
        DB_PASSWORD,
        "a@kept.it",
        "a@lapsed.com",
    ] {
        assert!(!logged.contains(secret), "{secret} reached the log");
    }
}
