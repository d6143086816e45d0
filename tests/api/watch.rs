//! The watch list API and `lapseguard import`.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn watching_counts_new_known_and_rejected_entries_without_echoing_addresses() {
    let app = spawn_app().await;
    let (status, body) = app
        .post_json(
            "/v1/watch",
            json!({
                "emails": ["alice@mail.example.com", "secret-person@example.com", "nobody", "x@[10.0.0.1]"],
                "domains": ["example.org", "Example.COM", "co.uk"]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["added"], 2, "{body}");
    assert_eq!(body["already_watched"], 2);
    assert_eq!(
        body["rejected"],
        json!([
            {"field": "emails", "input_index": 2, "code": "email_missing_at"},
            {"field": "emails", "input_index": 3, "code": "email_ip_literal"},
            {"field": "domains", "input_index": 2, "code": "domain_is_public_suffix"}
        ])
    );
    assert!(!body.to_string().contains("secret-person"));

    let (_, again) = app
        .post_json("/v1/watch", json!({"domains": ["example.com"]}))
        .await;
    assert_eq!(
        (again["added"].clone(), again["already_watched"].clone()),
        (json!(0), json!(1))
    );

    let (status, view) = app.get("/v1/domains/example.com").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["watched"], true);
    assert_eq!(view["lifecycle"], "unknown");
    assert!(view["next_check_at"].is_string());
}

#[tokio::test]
async fn a_watch_call_over_ten_thousand_entries_is_refused() {
    let app = spawn_app().await;
    let domains: Vec<String> = (0..10_001).map(|i| format!("d{i}.com")).collect();
    let (status, body) = app
        .post_json("/v1/watch", json!({ "domains": domains }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "too_many_entries");

    let domains: Vec<String> = (0..10_000).map(|i| format!("d{i}.com")).collect();
    let (status, body) = app
        .post_json("/v1/watch", json!({ "domains": domains }))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["added"], 10_000);
}

#[tokio::test]
async fn unwatching_removes_a_domain_once() {
    let app = spawn_app().await;
    app.post_json("/v1/watch", json!({"domains": ["example.com"]}))
        .await;
    let (status, _) = app
        .send(reqwest::Method::DELETE, "/v1/watch/example.com")
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = app
        .send(reqwest::Method::DELETE, "/v1/watch/example.com")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], "not_found");
    let (status, _) = app.get("/v1/domains/example.com").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app
        .send(reqwest::Method::DELETE, "/v1/watch/localhost")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "domain_single_label");
}

#[tokio::test]
async fn a_checked_domain_becomes_watched_with_its_history_visible() {
    let app = spawn_app().await;
    app.rdap.set("example.com", active("example.com"));
    app.check_email("alice@example.com").await;
    let (status, view) = app.get("/v1/domains/mail.example.com").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["domain"], "example.com");
    assert_eq!(view["watched"], true);
    assert_eq!(view["lifecycle"], "active");
    assert_eq!(view["evidence"], "rdap");
    let rdap = app.history("example.com", "rdap").await;
    assert_eq!(rdap.len(), 1);
    assert_eq!(rdap[0]["outcome"], "registered");
    assert_eq!(rdap[0]["http_status"], 200);
    // DNS was asked beside RDAP; its row carries the NS set and MX presence.
    let dns = app.history("example.com", "dns").await;
    assert_eq!(dns.len(), 1);
    assert_eq!(dns[0]["outcome"], "delegated");
    assert_eq!(dns[0]["nameservers"], json!(["ns1.fake-dns.test"]));
    assert_eq!(dns[0]["mail"], true);
    assert_eq!(dns[0]["lifecycle"], "active");
}

#[tokio::test]
async fn the_refresh_button_schedules_an_immediate_check_through_the_scheduler() {
    let app = spawn_app().await;
    app.rdap.set("example.com", active("example.com"));
    app.post_json("/v1/watch", json!({"domains": ["example.com"]}))
        .await;
    app.state.scheduler.run_due().await.expect("round");
    assert_eq!(app.rdap.hits("example.com"), 1);
    let (_, view) = app.get("/v1/domains/example.com").await;
    assert_ne!(view["next_check_at"], serde_json::Value::Null);

    // Nothing due now: the scheduler does not ask again.
    app.state.scheduler.run_due().await.expect("round");
    assert_eq!(app.rdap.hits("example.com"), 1);

    let (status, _) = app
        .send(reqwest::Method::POST, "/v1/domains/example.com/refresh")
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    app.state.scheduler.run_due().await.expect("round");
    assert_eq!(app.rdap.hits("example.com"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_streams_a_file_onto_the_watch_list_and_summarises() {
    let app = spawn_app().await;
    let file = tempfile::NamedTempFile::new().expect("temp file");
    let mut lines = String::from("# exported users\n\n");
    for i in 0..2_500 {
        lines.push_str(&format!("user{i}@host{}.example.com\n", i % 1_200));
    }
    lines.push_str("not an address\nexample.org\nEXAMPLE.ORG.\n");
    lines.push_str(&format!("{}@example.com\n", "a".repeat(2_000)));
    std::fs::write(file.path(), lines).expect("write");

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_lapseguard"))
        .env_clear()
        .env("DATABASE_URL", &app.database.url)
        .arg("import")
        .arg(file.path())
        .output()
        .expect("runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON summary");
    assert_eq!(summary["entries"], 2_504);
    // host0..host1199.example.com all reduce to example.com; plus example.org.
    assert_eq!(summary["added"], 2);
    assert_eq!(summary["already_watched"], 2_500);
    assert_eq!(summary["rejected"], 2);
    assert_eq!(summary["rejected_by_code"]["domain_invalid"], 1);
    assert_eq!(summary["rejected_by_code"]["email_too_long"], 1);
    let stored = raw_database_text(&app.database.url).await;
    assert!(!stored.contains("user1@"));

    let (_, view) = app.get("/v1/domains/example.org").await;
    assert_eq!(view["watched"], true);

    // The import is one audit entry, by the CLI, with its counts.
    let (_, audit) = app.get("/v1/audit").await;
    let entry = &audit["entries"][0];
    assert_eq!(
        (&entry["actor"], &entry["action"]),
        (&"cli".into(), &"watch".into())
    );
    assert_eq!(entry["details"]["entries"], 2_504);
    assert_eq!(entry["details"]["added"], 2);
}
