//! Overrides as a support agent uses them, and the audit log that records every change.

use axum::http::StatusCode;
use lapseguard::clock::Clock;
use lapseguard::domain::access::Scope;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

/// An app whose requests carry a token with every scope, named `agent`.
async fn app_as_agent() -> TestApp {
    let app = spawn_app().await;
    let token = app
        .create_token("agent", &[Scope::Check, Scope::Read, Scope::Admin])
        .await;
    app.use_token(Some(&token));
    app
}

async fn put_override(app: &TestApp, domain: &str, body: Value) -> (StatusCode, Value) {
    app.put_json(&format!("/v1/overrides/{domain}"), body).await
}

async fn override_state(app: &TestApp, domain: &str) -> Value {
    let (status, page) = app.get("/v1/overrides").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["overrides"]
        .as_array()
        .expect("overrides")
        .iter()
        .find(|o| o["domain"] == domain)
        .map(|o| o["state"].clone())
        .expect("the domain has an override")
}

#[tokio::test]
async fn a_deny_override_wins_over_an_active_domain_and_its_note_stays_private() {
    let app = app_as_agent().await;
    app.rdap.set("example.com", active("example.com"));
    assert_eq!(
        app.check_email("a@example.com").await["reason"],
        "domain_active"
    );

    let note = "ticket 7: account under dispute";
    let (status, set) = put_override(
        &app,
        "example.com",
        json!({ "decision": "deny", "note": note }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(set["state"], "active");
    assert_eq!(set["set_by"], "agent");

    let body = app.check_email("a@mail.example.com").await;
    assert_eq!(body["eligible"], false);
    assert_eq!(body["reason"], "override_deny");
    assert!(!body.to_string().contains("dispute"), "{body}");

    let (status, _) = app.send(Method::DELETE, "/v1/overrides/example.com").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.check_email("a@example.com").await["reason"],
        "domain_active"
    );
    let (status, _) = app.send(Method::DELETE, "/v1/overrides/example.com").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_allow_override_lets_a_confirmed_new_owner_through_until_the_domain_changes_again() {
    let app = app_as_agent().await;
    let name = "example.com";
    // lapseguard knew the domain registered long ago; the registry now shows a new
    // registration, which the agent confirmed is the user's own.
    app.seed(name, 30, registered(&["active"], days_ago(3000)))
        .await;
    let renewed = days_ago(5);
    app.rdap.set(
        name,
        Answer::Domain(rdap_domain(name, &["active"], renewed, days_ahead(360))),
    );
    app.run_next_check(name).await;
    assert_eq!(
        app.check_email("a@example.com").await["reason"],
        "domain_reregistered"
    );

    let (status, set) = put_override(
        &app,
        name,
        json!({ "decision": "allow", "note": "ticket 9: new registrant is the user" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(set["seen_lifecycle"], "active");
    let body = app.check_email("a@example.com").await;
    assert_eq!(
        (body["eligible"].clone(), body["reason"].clone()),
        (json!(true), json!("override_allow"))
    );

    // Somebody registers the name anew: the override no longer applies.
    app.rdap.set(
        name,
        Answer::Domain(rdap_domain(name, &["active"], days_ago(1), days_ahead(364))),
    );
    app.run_next_check(name).await;
    let body = app.check_email("a@example.com").await;
    assert_eq!(
        (body["eligible"].clone(), body["reason"].clone()),
        (json!(false), json!("domain_reregistered"))
    );
    assert_eq!(override_state(&app, name).await, "lapsed");
}

#[tokio::test]
async fn an_allow_override_lapses_for_good_when_a_new_lapse_begins() {
    let app = app_as_agent().await;
    let name = "example.org";
    let since = days_ago(3000);
    app.rdap.set(
        name,
        Answer::Domain(rdap_domain(name, &["active"], since, days_ahead(30))),
    );
    app.check_email("a@example.org").await;
    let (status, _) = put_override(
        &app,
        name,
        json!({ "decision": "allow", "note": "ticket 11" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.check_email("a@example.org").await["reason"],
        "override_allow"
    );

    app.rdap.set(
        name,
        Answer::Domain(rdap_domain(
            name,
            &["auto renew period"],
            since,
            days_ahead(30),
        )),
    );
    app.run_next_check(name).await;
    assert_eq!(
        app.check_email("a@example.org").await["reason"],
        "domain_in_grace_period"
    );
    // Renewed: active again, but the lapse happened after the agent looked.
    app.rdap.set(
        name,
        Answer::Domain(rdap_domain(name, &["active"], since, days_ahead(395))),
    );
    app.run_next_check(name).await;
    let body = app.check_email("a@example.org").await;
    assert_eq!(body["reason"], "domain_lapsed_since_verification");
    assert_eq!(override_state(&app, name).await, "lapsed");
}

#[tokio::test]
async fn overrides_expire_and_refuse_bad_input() {
    let app = app_as_agent().await;
    app.rdap.set("example.net", active("example.net"));
    let expires = (app.clock.now() + chrono::Duration::hours(1)).to_rfc3339();
    let (status, _) = put_override(
        &app,
        "example.net",
        json!({ "decision": "deny", "note": "ticket 3", "expires_at": expires }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.check_email("a@example.net").await["reason"],
        "override_deny"
    );
    app.clock.advance(chrono::Duration::hours(2));
    assert_eq!(
        app.check_email("a@example.net").await["reason"],
        "domain_active"
    );
    assert_eq!(override_state(&app, "example.net").await, "expired");

    let past = (app.clock.now() - chrono::Duration::hours(1)).to_rfc3339();
    for (body, code) in [
        (json!({ "decision": "allow" }), "invalid_field"),
        (json!({ "decision": "allow", "note": "  " }), "invalid_note"),
        (
            json!({ "decision": "allow", "note": "user is alice@example.net" }),
            "note_contains_address",
        ),
        (json!({ "decision": "maybe", "note": "x" }), "invalid_field"),
        (
            json!({ "decision": "deny", "note": "x", "expires_at": past }),
            "invalid_expires_at",
        ),
    ] {
        let (status, problem) = put_override(&app, "example.net", body.clone()).await;
        assert!(status.is_client_error(), "{body}: {status}");
        assert_eq!(problem["code"], code, "{body}: {problem}");
        assert!(!problem.to_string().contains("alice"), "{problem}");
    }
    for query in [
        "limit=0",
        "after=%C3%A9.com",
        &format!("after={}", "a".repeat(254)),
    ] {
        let (status, problem) = app.get(&format!("/v1/overrides?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(problem["code"], "invalid_query");
    }
}

#[tokio::test]
async fn every_change_is_audited_with_its_actor_and_pages_without_gaps() {
    let app = app_as_agent().await;
    let (status, _) = app
        .post_json(
            "/v1/watch",
            json!({ "domains": ["a.com", "b.com"], "emails": ["x@c.com", "bad"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    app.send(Method::POST, "/v1/domains/a.com/refresh").await;
    put_override(
        &app,
        "a.com",
        json!({ "decision": "deny", "note": "ticket 1" }),
    )
    .await;
    app.send(Method::DELETE, "/v1/overrides/a.com").await;
    app.send(Method::DELETE, "/v1/watch/b.com").await;
    // A failed change is not audited.
    app.send(Method::DELETE, "/v1/watch/never-watched.com")
        .await;

    let (_, page) = app.get("/v1/audit").await;
    let entries = page["entries"].as_array().expect("entries").clone();
    let seen: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap_or_default(),
                e["action"].as_str().unwrap_or_default(),
                e["target"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("cli", "token_created", "agent"),
            ("agent", "watch", "3 domains"),
            ("agent", "refresh", "a.com"),
            ("agent", "override_set", "a.com"),
            ("agent", "override_removed", "a.com"),
            ("agent", "unwatch", "b.com"),
        ]
    );
    assert_eq!(entries[1]["details"]["added"], 3);
    assert_eq!(entries[1]["details"]["rejected"], 1);
    assert_eq!(entries[3]["details"]["note"], "ticket 1");
    assert!(
        !page.to_string().contains("x@c.com"),
        "no address in the log"
    );

    // The audit log is append-only: no route changes or removes an entry.
    for method in [Method::DELETE, Method::PUT, Method::POST] {
        let (status, _) = app.send(method, "/v1/audit").await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    }

    for n in 0..20 {
        app.send(Method::POST, &format!("/v1/domains/d{n}.com/refresh"))
            .await;
    }
    let mut ids = Vec::new();
    let mut after = 0;
    loop {
        let (_, page) = app.get(&format!("/v1/audit?after={after}&limit=7")).await;
        let batch = page["entries"].as_array().expect("entries").clone();
        if batch.is_empty() {
            break;
        }
        ids.extend(batch.iter().map(|e| e["id"].as_i64().expect("id")));
        after = page["next_after"].as_i64().expect("cursor");
    }
    let expected: Vec<i64> = (ids[0]..ids[0] + 26).collect();
    assert_eq!(ids, expected);
}
