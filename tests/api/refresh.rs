//! The background refresh, driven step by step on the app's clock against a fake RDAP
//! server: transitions via the API and the webhook, confirmation, restarts.

use axum::http::StatusCode;
use base64::Engine;
use hmac::Mac;
use serde_json::{Value, json};

use crate::helpers::*;
use lapseguard::clock::Clock;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

async fn app_with_webhook(receiver: &WebhookReceiver) -> TestApp {
    spawn_app_with(&[
        ("LAPSEGUARD_WEBHOOK_URL", receiver.url.as_str()),
        ("LAPSEGUARD_WEBHOOK_SECRET", SECRET),
    ])
    .await
}

fn pairs(transitions: &[Value]) -> Vec<(String, String)> {
    transitions
        .iter()
        .map(|t| {
            (
                t["from"].as_str().unwrap_or_default().to_owned(),
                t["to"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// Verifies a delivery the way a receiver would, per Standard Webhooks.
fn verify(headers: &axum::http::HeaderMap, body: &str) -> Value {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let key = base64::engine::general_purpose::STANDARD
        .decode(SECRET.trim_start_matches("whsec_"))
        .expect("key");
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).expect("key");
    let signed = format!(
        "{}.{}.{body}",
        header("webhook-id"),
        header("webhook-timestamp")
    );
    mac.update(signed.as_bytes());
    let expected = format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    );
    assert_eq!(header("webhook-signature"), expected);
    // The body is the feed's item with the event's `type`.
    let mut body: Value = serde_json::from_str(body).expect("JSON body");
    let kind = body["kind"].clone();
    let event_type = body
        .as_object_mut()
        .and_then(|fields| fields.remove("type"))
        .expect("a type");
    let expected_type = match kind.as_str() {
        Some("signal") => "domain.signal",
        _ => "domain.transition",
    };
    assert_eq!(event_type, expected_type);
    body
}

#[tokio::test]
async fn a_lapse_walk_publishes_each_transition_once_via_api_and_webhook() {
    let receiver = WebhookReceiver::start().await;
    let app = app_with_webhook(&receiver).await;
    let name = "walk.com";
    let expiry = days_ahead(10);
    let registered = days_ago(3000);
    let answer =
        |statuses: &[&str]| Answer::Domain(rdap_domain(name, statuses, registered, expiry));
    app.post_json("/v1/watch", json!({"domains": [name]})).await;

    // The first check sees it active; the schedule then looks again a day after expiry.
    let walk: Vec<Answer> = vec![
        answer(&["client transfer prohibited"]),
        answer(&["auto renew period"]),
        answer(&["auto renew period"]),
        answer(&["redemption period", "pending delete"]),
        answer(&["pending delete"]),
        Answer::NotFound,
        Answer::NotFound,
        Answer::Domain(rdap_domain(
            name,
            &["add period"],
            days_ahead(60),
            days_ahead(425),
        )),
    ];
    for step in walk {
        app.rdap.set(name, step);
        app.run_next_check(name).await;
    }
    let published = app.all_transitions().await;
    assert_eq!(
        pairs(&published),
        [
            ("active".into(), "auto_renew_grace".into()),
            ("auto_renew_grace".into(), "redemption".into()),
            ("redemption".into(), "pending_delete".into()),
            ("pending_delete".into(), "unregistered".into()),
            ("unregistered".into(), "active".into()),
        ]
    );
    let ids: Vec<i64> = published.iter().filter_map(|t| t["id"].as_i64()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    assert_eq!(app.rdap.hits(name), 8);

    let webhooks = app.state.webhooks.as_ref().expect("configured");
    webhooks.deliver_due().await.expect("deliver");
    let delivered: Vec<Value> = receiver
        .received()
        .iter()
        .map(|(headers, body)| verify(headers, body))
        .collect();
    assert_eq!(delivered, published);
    // Delivered once: another round sends nothing.
    webhooks.deliver_due().await.expect("deliver");
    assert_eq!(receiver.received().len(), published.len());
}

#[tokio::test]
async fn a_stage_skipping_change_is_published_only_after_a_confirming_lookup() {
    let app = spawn_app().await;
    let name = "skip.com";
    app.rdap.set(name, active(name));
    app.post_json("/v1/watch", json!({"domains": [name]})).await;
    app.run_next_check(name).await;

    app.rdap.set(name, Answer::NotFound);
    app.run_next_check(name).await;
    assert!(app.all_transitions().await.is_empty(), "not yet confirmed");
    // Meanwhile a check treats it as not eligible.
    let body = app.check_email("a@skip.com").await;
    assert_eq!(body["eligible"], false);
    assert_eq!(body["reason"], "domain_unregistered");

    // The confirming lookup comes 600 s later (the default).
    let before = app.clock.now();
    app.run_next_check(name).await;
    assert!(app.clock.now() - before >= chrono::Duration::seconds(600));
    assert_eq!(
        pairs(&app.all_transitions().await),
        [("active".into(), "unregistered".into())]
    );
}

#[tokio::test]
async fn importing_healthy_domains_publishes_nothing_but_lapsed_ones_are_reported() {
    let app = spawn_app().await;
    app.rdap.set("fine.com", active("fine.com"));
    app.rdap.set(
        "lapsed.com",
        with_statuses("lapsed.com", &["redemption period", "pending delete"]),
    );
    app.post_json("/v1/watch", json!({"domains": ["fine.com", "lapsed.com"]}))
        .await;
    app.state.scheduler.run_due().await.expect("round");
    assert_eq!(
        pairs(&app.all_transitions().await),
        [("unknown".into(), "redemption".into())]
    );
}

#[tokio::test]
async fn a_webhook_receiver_that_was_down_gets_every_transition_afterwards() {
    let receiver = WebhookReceiver::start().await;
    receiver.set_down(true);
    let app = app_with_webhook(&receiver).await;
    let names = ["a.com", "b.com", "c.com"];
    for name in names {
        app.rdap.set(name, with_statuses(name, &["client hold"]));
    }
    app.post_json("/v1/watch", json!({ "domains": names }))
        .await;
    app.state.scheduler.run_due().await.expect("round");
    let published = app.all_transitions().await;
    assert_eq!(published.len(), 3);

    let webhooks = app.state.webhooks.as_ref().expect("configured");
    for _ in 0..3 {
        webhooks.deliver_due().await.expect("round");
        app.clock.advance(chrono::Duration::minutes(2));
    }
    assert!(receiver.received().is_empty());

    receiver.set_down(false);
    // Restart too: the outbox is in the store, not in memory.
    let restarted = app.restart().await;
    restarted
        .clock
        .set(app.clock.now() + chrono::Duration::hours(2));
    let webhooks = restarted.state.webhooks.as_ref().expect("configured");
    for _ in 0..3 {
        webhooks.deliver_due().await.expect("round");
    }
    let delivered: Vec<Value> = receiver
        .received()
        .iter()
        .map(|(headers, body)| verify(headers, body))
        .collect();
    assert_eq!(delivered, published, "all of them, in id order");
}

#[tokio::test]
async fn a_restart_in_the_middle_of_a_refresh_loses_nothing_and_duplicates_nothing() {
    let app = spawn_app().await;
    let name = "crash.com";
    app.rdap.set(
        name,
        with_statuses(name, &["redemption period", "pending delete"]),
    );
    app.post_json("/v1/watch", json!({"domains": [name]})).await;

    // A scheduler claims the domain and dies before looking it up.
    let now = app.clock.now();
    let claimed = app
        .store
        .claim_due(now, now + chrono::Duration::minutes(10), 100)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1);

    let restarted = app.restart().await;
    restarted.clock.set(now);
    restarted.state.scheduler.run_due().await.expect("round");
    assert_eq!(app.rdap.hits(name), 0, "still leased");

    restarted.clock.set(now + chrono::Duration::minutes(11));
    restarted.state.scheduler.run_due().await.expect("round");
    assert_eq!(
        app.rdap.hits(name),
        1,
        "the lease ran out and the domain came back"
    );

    // Another restart and check of the same state publishes nothing new.
    let again = restarted.restart().await;
    again.clock.set(restarted.clock.now());
    again.run_next_check(name).await;
    assert_eq!(app.rdap.hits(name), 2);
    assert_eq!(
        pairs(&again.all_transitions().await),
        [("unknown".into(), "redemption".into())]
    );
}

#[tokio::test]
async fn transitions_page_by_id_without_gaps_or_duplicates() {
    let app = spawn_app().await;
    let names: Vec<String> = (0..7).map(|i| format!("lapsed{i}.com")).collect();
    for name in &names {
        app.rdap.set(name, with_statuses(name, &["server hold"]));
    }
    app.post_json("/v1/watch", json!({ "domains": names }))
        .await;
    app.state.scheduler.run_due().await.expect("round");

    let mut seen = Vec::new();
    let mut after = 0;
    loop {
        let (status, page) = app
            .get(&format!("/v1/transitions?after={after}&limit=3"))
            .await;
        assert_eq!(status, StatusCode::OK);
        let items = page["transitions"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            assert_eq!(page["next_after"], after);
            break;
        }
        seen.extend(
            items
                .iter()
                .filter_map(|t| t["domain"].as_str().map(str::to_owned)),
        );
        after = page["next_after"].as_i64().expect("next_after");
    }
    let mut expected = names.clone();
    expected.sort();
    seen.sort();
    assert_eq!(seen, expected);

    let (status, body) = app.get("/v1/transitions?limit=0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "invalid_query");
    for bad in ["after=abc", "after=-1", "limit=1001"] {
        let (status, _) = app.get(&format!("/v1/transitions?{bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn failed_lookups_back_off_without_changing_the_status() {
    let app = spawn_app().await;
    let name = "flaky.com";
    app.rdap.set(name, active(name));
    app.post_json("/v1/watch", json!({"domains": [name]})).await;
    app.run_next_check(name).await;

    app.rdap.set(name, Answer::Status(503));
    let mut waits = Vec::new();
    for _ in 0..3 {
        let before = app.clock.now();
        app.run_next_check(name).await;
        let (_, view) = app.get(&format!("/v1/domains/{name}")).await;
        let next: chrono::DateTime<chrono::Utc> = view["next_check_at"]
            .as_str()
            .and_then(|t| t.parse().ok())
            .expect("scheduled");
        waits.push(next - app.clock.now());
        assert_eq!(view["lifecycle"], "active");
        assert!(app.clock.now() >= before);
    }
    let (_, view) = app.get(&format!("/v1/domains/{name}")).await;
    assert_eq!(view["failures"], 3);
    assert!(waits[0] <= chrono::Duration::minutes(5), "{waits:?}");
    assert!(waits[1] > waits[0] && waits[2] > waits[1], "{waits:?}");
    assert!(app.all_transitions().await.is_empty());
}

#[tokio::test]
async fn domains_of_a_host_paused_by_a_429_wait_for_the_pause_and_are_not_dropped() {
    let app = spawn_app().await;
    app.rdap.set("first.com", Answer::RateLimited(Some("3600")));
    app.rdap.set("second.com", active("second.com"));
    app.post_json("/v1/watch", json!({"domains": ["first.com"]}))
        .await;
    app.state.scheduler.run_due().await.expect("round");
    assert_eq!(app.rdap.hits("first.com"), 1);

    app.post_json("/v1/watch", json!({"domains": ["second.com"]}))
        .await;
    app.state.scheduler.run_due().await.expect("round");
    assert_eq!(app.rdap.hits("second.com"), 0, "the host is paused");
    let (_, view) = app.get("/v1/domains/second.com").await;
    assert_eq!(view["watched"], true);
    let next: chrono::DateTime<chrono::Utc> = view["next_check_at"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .expect("scheduled");
    let wait = next - app.clock.now();
    assert!(
        wait > chrono::Duration::minutes(55) && wait <= chrono::Duration::minutes(60),
        "{wait}"
    );
    // The failed lookup of the first is in its history, with the 429.
    let (_, first) = app.get("/v1/domains/first.com").await;
    assert_eq!(first["observations"][0]["http_status"], 429);
    assert_eq!(first["failures"], 1);
}

#[tokio::test]
async fn a_batch_of_writes_records_each_in_order_in_one_transaction() {
    use lapseguard::domain::name::RegistrableDomain;
    use lapseguard::domain::status::{EvidenceSource, Observation};
    use lapseguard::store::{RecordSettings, Recording};

    let app = spawn_app().await;
    let observation = |name: &str, days: i64, statuses: &[&str]| Observation {
        domain: RegistrableDomain::parse(name).expect("valid"),
        source: EvidenceSource::Rdap,
        observed_at: days_ago(days),
        http_status: Some(200),
        finding: registered(statuses, days_ago(3000)),
        host: Some("rdap.example:443".to_owned()),
        routes: None,
    };
    let settings = RecordSettings {
        schedule: lapseguard::config::Config::default().schedule,
        webhooks: false,
        guard: lapseguard::config::Config::default().guard,
    };
    let scheduled = Recording::SCHEDULED;
    // The same domain twice in one batch: the second write sees the first.
    let batch = vec![
        (observation("one.com", 2, &["active"]), scheduled),
        (observation("two.com", 2, &["redemption period"]), scheduled),
        (observation("one.com", 1, &["auto renew period"]), scheduled),
    ];
    let recorded = app
        .store
        .record_batch(&batch, &settings)
        .await
        .expect("batch");
    assert_eq!(recorded.len(), 3);
    assert!(
        recorded[0].transition.is_none(),
        "a first active sight is silent"
    );
    let pairs: Vec<(String, &str, &str)> = app
        .store
        .transitions(0, 10)
        .await
        .expect("transitions")
        .iter()
        .map(|p| {
            let t = &p.transition;
            (t.domain.to_string(), t.from.as_str(), t.to.as_str())
        })
        .collect();
    assert_eq!(
        pairs,
        [
            ("two.com".to_owned(), "unknown", "redemption"),
            ("one.com".to_owned(), "active", "auto_renew_grace"),
        ]
    );
    let (_, one) = app.get("/v1/domains/one.com").await;
    assert_eq!(one["lifecycle"], "auto_renew_grace");
    assert_eq!(app.history("one.com", "rdap").await.len(), 2);
}
