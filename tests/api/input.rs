//! Bad input is a client error with a problem body, never a 500.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::*;

fn assert_problem(body: &serde_json::Value, status: StatusCode, code: &str) {
    assert_eq!(body["status"], status.as_u16(), "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["type"], format!("urn:lapseguard:problem:{code}"));
    assert!(body["title"].is_string());
    assert!(body["detail"].is_string());
}

#[tokio::test]
async fn malformed_bodies_are_400() {
    let app = spawn_app().await;
    let (status, body) = app.post_raw("{not json".into(), "application/json").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_problem(&body, status, "invalid_json");

    for bad in [
        json!(["a@example.com", null]),
        json!("a@example.com"),
        json!(null),
    ] {
        let (status, body) = app.check(bad.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_problem(&body, status, "invalid_body");
    }
    let (status, body) = app.post_raw(String::new(), "application/json").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_problem(&body, status, "invalid_body");

    for bad in [
        json!({}),
        json!({"email": 42}),
        json!({"email": "a@example.com", "verified_at": 5}),
    ] {
        let (status, body) = app.check(bad.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_problem(&body, status, "invalid_field");
    }

    let (status, body) = app
        .check(json!({"email": "a@example.com", "verified_at": "yesterday"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_problem(&body, status, "invalid_verified_at");
}

#[tokio::test]
async fn unusable_addresses_are_422_with_their_reason() {
    let app = spawn_app().await;
    let long_address = format!("{}@example.com", "a".repeat(250));
    let long_label = format!("a@{}.com", "b".repeat(64));
    let cases = [
        ("alice.example.com", "email_missing_at"),
        ("@example.com", "email_empty_local_part"),
        ("alice@", "email_empty_domain"),
        ("a@[127.0.0.1]", "email_ip_literal"),
        ("a@localhost", "domain_single_label"),
        ("a@example.notarealtld", "domain_unknown_suffix"),
        ("a@co.uk", "domain_is_public_suffix"),
        (long_address.as_str(), "email_too_long"),
        (long_label.as_str(), "domain_label_too_long"),
        ("a@exa_mple.com", "domain_invalid"),
    ];
    for (email, code) in cases {
        let (status, body) = app.check(json!({ "email": email })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{email}");
        assert_problem(&body, status, code);
    }
    assert_eq!(app.rdap.hits("example.com"), 0);
}

#[tokio::test]
async fn a_body_over_16_kib_is_413() {
    let app = spawn_app().await;
    let padding = "x".repeat(17 * 1024);
    let body = json!({"email": "a@example.com", "padding": padding}).to_string();
    let (status, problem) = app.post_raw(body, "application/json").await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_problem(&problem, status, "body_too_large");
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415() {
    let app = spawn_app().await;
    let (status, problem) = app
        .post_raw(
            "email=a@example.com".into(),
            "application/x-www-form-urlencoded",
        )
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_problem(&problem, status, "unsupported_media_type");
}

#[tokio::test]
async fn json_media_types_are_matched_without_regard_to_case() {
    let app = spawn_app().await;
    let body = || json!({"email": "a@example.com"}).to_string();
    for accepted in [
        "application/json",
        "Application/JSON; charset=utf-8",
        "application/problem+JSON",
    ] {
        let (status, answer) = app.post_raw(body(), accepted).await;
        assert_eq!(status, StatusCode::OK, "{accepted}: {answer}");
    }
    for refused in ["application/jsonx", "text/json", "+json", "application/"] {
        let (status, problem) = app.post_raw(body(), refused).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{refused}");
        assert_problem(&problem, status, "unsupported_media_type");
    }
}

#[tokio::test]
async fn a_repeated_key_is_refused() {
    let app = spawn_app().await;
    let bodies = [
        r#"{"email": "a@example.com", "email": "b@example.org"}"#,
        r#"{"email": "a@example.com", "verified_at": "2020-01-01T00:00:00Z", "verified_at": null}"#,
    ];
    for body in bodies {
        let (status, answer) = app.post_raw(body.into(), "application/json").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert_problem(&answer, status, "duplicate_key");
        assert!(!answer.to_string().contains("example"), "{answer}");
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems_too() {
    let app = spawn_app().await;
    let (status, body) = app.get("/nowhere").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_problem(&body, status, "not_found");
    let (status, body) = app.get("/check-recovery-eligible").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_problem(&body, status, "method_not_allowed");
}

#[tokio::test]
async fn type_errors_name_the_field_and_never_echo_the_input() {
    let app = spawn_app().await;
    let cases = [
        ("/v1/watch", json!({"emails": "alice@victim.example"})),
        (
            "/v1/watch",
            json!({"domains": [{"alice@victim.example": 1}]}),
        ),
        (
            "/check-recovery-eligible",
            json!({"email": ["alice@victim.example"]}),
        ),
        (
            "/check-recovery-eligible",
            json!({"email": "a@example.com", "verified_at": {"alice@victim.example": true}}),
        ),
    ];
    for (path, body) in cases {
        let (status, problem) = app.post_json(path, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_problem(&problem, status, "invalid_field");
        let detail = problem["detail"].as_str().unwrap_or_default();
        assert!(!detail.contains("alice"), "{detail}");
        assert!(!detail.contains("victim"), "{detail}");
        assert!(detail.contains("field `"), "names the field: {detail}");
    }
    let (_, problem) = app
        .post_json("/v1/watch", json!({"emails": "alice@victim.example"}))
        .await;
    assert_eq!(
        problem["detail"],
        "field `emails` has the wrong type or value: expected a sequence"
    );
    let (_, problem) = app
        .check(json!({"verified_at": "2025-01-01T00:00:00Z"}))
        .await;
    assert_eq!(problem["detail"], "field `email` is required");
}

#[tokio::test]
async fn a_syntax_error_gives_its_position_not_the_body() {
    let app = spawn_app().await;
    let (status, problem) = app
        .post_raw(
            r#"{"email": "alice@victim.example" "#.into(),
            "application/json",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_problem(&problem, status, "invalid_json");
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(!detail.contains("alice"), "{detail}");
    assert!(detail.contains("line 1"), "{detail}");
}

#[tokio::test]
async fn a_verified_at_more_than_five_minutes_ahead_is_refused() {
    let app = spawn_app().await;
    app.rdap.set("example.com", active("example.com"));
    for future in [
        "9999-12-31T23:59:59Z",
        &(chrono::Utc::now() + chrono::Duration::minutes(6)).to_rfc3339(),
    ] {
        let (status, problem) = app
            .check(json!({"email": "a@example.com", "verified_at": future}))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{future}");
        assert_problem(&problem, status, "invalid_verified_at");
    }
    // Clock skew of a minute or two is fine.
    let soon = (chrono::Utc::now() + chrono::Duration::minutes(2)).to_rfc3339();
    let (status, body) = app
        .check(json!({"email": "a@example.com", "verified_at": soon}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        app.rdap.hits("example.com"),
        1,
        "refused checks asked nobody"
    );
}
