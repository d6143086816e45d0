//! `POST /v1/check-batch`: a nightly sweep's addresses decided at once, as a site's job
//! would send them.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

async fn batch(app: &TestApp, items: Value) -> (StatusCode, Value) {
    let answer = app
        .post_json("/v1/check-batch", json!({ "items": items }))
        .await;
    app.state.checker.settled().await;
    answer
}

#[tokio::test]
async fn a_batch_answers_each_item_in_order_and_an_invalid_item_fails_alone() {
    let app = spawn_app().await;
    app.rdap.set("example.com", active("example.com"));
    app.rdap.set(
        "lapsed.com",
        with_statuses("lapsed.com", &["redemption period"]),
    );
    let (status, body) = batch(
        &app,
        json!([
            { "id": "u1", "email": "alice@example.com" },
            { "id": "u2", "email": "bob@lapsed.com", "verified_at": "2024-01-01T00:00:00Z" },
            { "id": "u3", "email": "carol-at-nowhere" },
            { "id": "u4", "email": "dave@example.com", "verified_at": "not a date" },
            { "email": "erin@example.com" },
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let results = body["results"].as_array().expect("results");
    assert_eq!(results.len(), 5);
    assert_eq!(results[0]["id"], "u1");
    assert_eq!(results[0]["eligible"], true);
    assert_eq!(results[0]["reason"], "domain_active");
    assert_eq!(results[0]["domain"], "example.com");
    assert_eq!(results[0]["retry_after_seconds"], Value::Null);
    assert_eq!(results[1]["id"], "u2");
    assert_eq!(results[1]["reason"], "domain_in_redemption_period");
    assert_eq!(results[2]["id"], "u3");
    assert_eq!(results[2]["problem"]["code"], "email_missing_at");
    assert_eq!(results[2]["problem"]["status"], 422);
    assert_eq!(results[3]["problem"]["code"], "invalid_verified_at");
    assert_eq!(results[4]["id"], Value::Null);
    assert_eq!(results[4]["reason"], "domain_active");
    // The problems do not echo what the caller sent.
    let text = body.to_string();
    assert!(!text.contains("carol"), "{text}");
    assert!(!text.contains("not a date"), "{text}");
    // Each result of a decided item is what the single check answers, plus id.
    let single = app.check_email("alice@example.com").await;
    let mut decided = results[0].as_object().expect("object").clone();
    decided.remove("id");
    decided.remove("retry_after_seconds");
    let mut single = single.as_object().expect("object").clone();
    for answer in [&mut decided, &mut single] {
        answer.remove("source");
        answer.remove("checked_at");
    }
    assert_eq!(decided, single);
}

#[tokio::test]
async fn items_on_one_domain_share_one_lookup_and_keep_their_own_verified_at() {
    let app = spawn_app().await;
    app.rdap.set(
        "young.com",
        Answer::Domain(rdap_domain(
            "young.com",
            &["active"],
            days_ago(10),
            days_ahead(355),
        )),
    );
    let items: Vec<Value> = (0..20)
        .map(|i| {
            let verified = if i % 2 == 0 {
                days_ago(5)
            } else {
                days_ago(30)
            };
            json!({ "id": format!("u{i}"), "email": format!("user{i}@young.com"),
                    "verified_at": verified.to_rfc3339() })
        })
        .collect();
    let (status, body) = batch(&app, Value::Array(items)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.rdap.hits("young.com"), 1, "one lookup for the domain");
    let results = body["results"].as_array().expect("results");
    for (i, result) in results.iter().enumerate() {
        assert_eq!(result["id"], format!("u{i}"));
        // Verified after the registration: forgiven; before it: a new holder.
        let expected = if i % 2 == 0 {
            "domain_active"
        } else {
            "domain_reregistered"
        };
        assert_eq!(result["reason"], expected, "{result}");
    }
}

#[tokio::test]
async fn a_batch_must_hold_one_to_a_thousand_items() {
    let app = spawn_app().await;
    let (status, problem) = batch(&app, json!([])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["code"], "invalid_batch_size");
    let items: Vec<Value> = (0..1001)
        .map(|i| json!({ "email": format!("u{i}@example.com") }))
        .collect();
    let (status, problem) = batch(&app, Value::Array(items)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["code"], "invalid_batch_size");
    let (status, problem) = app
        .post_json("/v1/check-batch", json!({ "item": [] }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    let long_id = "x".repeat(201);
    app.rdap.set("example.com", active("example.com"));
    let (status, body) = batch(&app, json!([{ "id": long_id, "email": "a@example.com" }])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["results"][0]["problem"]["code"], "invalid_id");
    assert_eq!(body["results"][0]["id"], Value::Null);
}

#[tokio::test]
async fn domains_not_decided_by_the_batch_deadline_are_unseen_and_watched() {
    let app = spawn_app_with(&[("LAPSEGUARD_BATCH_DEADLINE_MS", "400")]).await;
    app.rdap.set("example.com", active("example.com"));
    app.rdap.set(
        "slow.com",
        Answer::Slow(Duration::from_secs(3), Box::new(active("slow.com"))),
    );
    // example.com is known before the batch.
    app.check_email("a@example.com").await;
    let started = std::time::Instant::now();
    let (status, body) = batch(
        &app,
        json!([
            { "id": "slow", "email": "a@slow.com" },
            { "id": "known", "email": "b@example.com" },
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the batch's deadline holds"
    );
    let slow = &body["results"][0];
    assert_eq!(slow["reason"], "domain_status_unavailable", "{slow}");
    assert_eq!(slow["eligible"], false, "unseen: denied by default");
    assert!(
        slow["retry_after_seconds"].as_u64().is_some_and(|s| s >= 1),
        "{slow}"
    );
    assert_eq!(body["results"][1]["reason"], "domain_active");
    let (_, view) = app.get("/v1/domains/slow.com").await;
    assert_eq!(view["watched"], true, "{view}");
}
