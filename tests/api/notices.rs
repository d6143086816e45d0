//! Expiry notices: a watched, active domain whose expiration date comes within 30 or 7
//! days gets one published notice per date and threshold, in the transitions feed and as
//! a `domain.expiring` webhook, whether or not a lookup happens then.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

/// The published expiry notices, oldest first.
async fn notices(app: &TestApp) -> Vec<Value> {
    app.all_transitions()
        .await
        .into_iter()
        .filter(|t| t["kind"] == "expiry_notice")
        .collect()
}

async fn notify(app: &TestApp) -> u64 {
    app.state.notifier.run_due().await.expect("notices")
}

#[tokio::test]
async fn a_domain_gets_one_notice_per_threshold_as_the_clock_crosses_it() {
    let app = spawn_app().await;
    app.rdap.set("soon.com", expiring("soon.com", 20));
    app.rdap.set("later.com", expiring("later.com", 200));
    app.check_email("a@soon.com").await;
    app.check_email("a@later.com").await;
    assert_eq!(notify(&app).await, 1);
    assert_eq!(notify(&app).await, 0, "once per date and threshold");
    let first = notices(&app).await;
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0]["domain"], "soon.com");
    assert_eq!(first[0]["threshold_days"], 30);
    assert_eq!(first[0]["days_left"], 20);
    assert_eq!(
        (&first[0]["from"], &first[0]["to"]),
        (&json!("active"), &json!("active"))
    );
    assert!(first[0]["expires_at"].is_string());
    // Two weeks on, without any lookup: the 7-day notice.
    app.clock.advance(chrono::Duration::days(14));
    assert_eq!(notify(&app).await, 1);
    let both = notices(&app).await;
    assert_eq!(both.len(), 2);
    assert_eq!(both[1]["threshold_days"], 7);
    assert_eq!(both[1]["days_left"], 6);
    assert_eq!(notify(&app).await, 0);
    let (status, metrics) = crate::metrics::scrape(&app, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        metrics.contains(r#"lapseguard_expiry_notices_total{threshold_days="7"}"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn an_unwatched_domain_gets_no_notice() {
    let app = spawn_app().await;
    app.rdap.set("gone.com", expiring("gone.com", 20));
    app.check_email("a@gone.com").await;
    let (status, _) = app
        .send(reqwest::Method::DELETE, "/v1/watch/gone.com")
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(notify(&app).await, 0);
    let (_, stats) = app.get("/v1/stats").await;
    assert_eq!(stats["expiring_30_days"], 0, "{stats}");
}

#[tokio::test]
async fn a_date_first_seen_inside_both_thresholds_gets_the_smallest_only() {
    let app = spawn_app().await;
    app.rdap.set("close.com", expiring("close.com", 5));
    app.check_email("a@close.com").await;
    assert_eq!(notify(&app).await, 1);
    let only = notices(&app).await;
    assert_eq!(only.len(), 1);
    assert_eq!(only[0]["threshold_days"], 7);
    assert_eq!(only[0]["days_left"], 5);
}

#[tokio::test]
async fn a_renewal_publishes_nothing_and_a_lapse_gets_no_notice() {
    let app = spawn_app().await;
    app.rdap.set("renewed.com", expiring("renewed.com", 20));
    app.check_email("a@renewed.com").await;
    assert_eq!(notify(&app).await, 1);
    // Renewed for a year: the new date is far, nothing more.
    app.rdap.set("renewed.com", expiring("renewed.com", 385));
    let (status, _) = app
        .post_json("/v1/domains/renewed.com/refresh", json!({}))
        .await;
    assert!(status.is_success());
    app.run_next_check("renewed.com").await;
    assert_eq!(notify(&app).await, 0);
    // Renewed, but only to a date that is itself within 30 days: a notice for the new
    // date (the thresholds start afresh).
    app.rdap.set("renewed.com", expiring("renewed.com", 25));
    app.post_json("/v1/domains/renewed.com/refresh", json!({}))
        .await;
    app.run_next_check("renewed.com").await;
    assert_eq!(notify(&app).await, 1);
    assert_eq!(notices(&app).await.len(), 2);

    // A domain in its grace period gets its lifecycle transitions, not notices.
    app.rdap.set(
        "grace.com",
        Answer::Domain(rdap_domain(
            "grace.com",
            &["autoRenewPeriod"],
            days_ago(3000),
            days_ahead(10),
        )),
    );
    app.check_email("a@grace.com").await;
    assert_eq!(notify(&app).await, 0);
}

#[tokio::test]
async fn notices_are_sent_as_domain_expiring_webhooks_and_can_be_turned_off() {
    let receiver = WebhookReceiver::start().await;
    let app = spawn_app_with(&[
        ("LAPSEGUARD_WEBHOOK_URL", receiver.url.as_str()),
        (
            "LAPSEGUARD_WEBHOOK_SECRET",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ),
    ])
    .await;
    app.rdap.set("soon.com", expiring("soon.com", 3));
    app.check_email("a@soon.com").await;
    assert_eq!(notify(&app).await, 1);
    let webhooks = app.state.webhooks.as_ref().expect("configured");
    webhooks.deliver_due().await.expect("deliveries");
    let bodies: Vec<Value> = receiver
        .received()
        .iter()
        .map(|(_, body)| serde_json::from_str(body).expect("JSON"))
        .collect();
    let notice = bodies
        .iter()
        .find(|b| b["kind"] == "expiry_notice")
        .expect("a notice was sent");
    assert_eq!(notice["type"], "domain.expiring");
    assert_eq!(notice["days_left"], 3);
    assert_eq!(notice["domain"], "soon.com");

    let off = spawn_app_with(&[("LAPSEGUARD_EXPIRY_NOTICE_DAYS", "")]).await;
    off.rdap.set("soon.com", expiring("soon.com", 3));
    off.check_email("a@soon.com").await;
    assert_eq!(notify(&off).await, 0);
    let (status, page) = off.get("/v1/transitions").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page["transitions"]
            .as_array()
            .is_some_and(|all| all.iter().all(|t| t["kind"] != "expiry_notice")),
        "{page}"
    );
}
