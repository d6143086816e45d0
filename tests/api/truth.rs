//! The request path tells the truth: what lapseguard has seen reaches the next check at
//! once on this replica and within seconds on others; failures are remembered; the
//! deadline holds with the store or the registry stuck.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

const IN_REDEMPTION: &[&str] = &["redemption period", "pending delete"];

/// Lets the refresh look at `domain` now ("check now"), then runs one scheduler round.
async fn refresh_now(app: &TestApp, domain: &str) {
    let (status, _) = app
        .send(
            reqwest::Method::POST,
            &format!("/v1/domains/{domain}/refresh"),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    app.state
        .scheduler
        .run_due()
        .await
        .expect("scheduler round");
}

/// Checks an address without waiting for what the check writes (the store may be stuck),
/// and asserts that a 200 came within `limit`.
async fn check_within(app: &TestApp, email: &str, limit: Duration) -> serde_json::Value {
    let started = Instant::now();
    let (status, body) = app
        .post_raw(json!({ "email": email }).to_string(), "application/json")
        .await;
    assert!(
        started.elapsed() < limit,
        "{email}: {:?}",
        started.elapsed()
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn a_lapse_seen_by_the_refresh_denies_the_next_check_at_once() {
    let app = spawn_app().await;
    app.rdap.set("example.com", active("example.com"));
    let body = app.check_email("alice@example.com").await;
    assert_eq!(body["reason"], "domain_active");
    let body = app.check_email("alice@example.com").await;
    assert_eq!(body["source"], "cache", "held in memory");

    app.rdap
        .set("example.com", with_statuses("example.com", IN_REDEMPTION));
    refresh_now(&app, "example.com").await;

    let body = app.check_email("alice@example.com").await;
    assert_eq!(body["eligible"], false);
    assert_eq!(body["reason"], "domain_in_redemption_period");
    assert_eq!(body["source"], "cache");
    assert_eq!(app.rdap.hits("example.com"), 2, "the check asked nobody");
}

#[tokio::test]
async fn a_change_awaiting_confirmation_denies_the_next_check_at_once() {
    let app = spawn_app().await;
    app.rdap.set("skip.com", active("skip.com"));
    app.post_json("/v1/watch", json!({"domains": ["skip.com"]}))
        .await;
    app.run_next_check("skip.com").await;
    let body = app.check_email("a@skip.com").await;
    assert_eq!(body["reason"], "domain_active");

    // Active straight to unregistered skips stages: published only once confirmed, but
    // checks must not wait for that.
    app.rdap.set("skip.com", Answer::NotFound);
    app.run_next_check("skip.com").await;
    assert!(app.all_transitions().await.is_empty(), "not yet confirmed");
    let body = app.check_email("a@skip.com").await;
    assert_eq!(body["eligible"], false);
    assert_eq!(body["reason"], "domain_unregistered");
}

#[tokio::test]
async fn a_lapse_recorded_by_one_replica_denies_checks_on_another_within_five_seconds() {
    let leader = spawn_app().await;
    let follower = leader.restart().await;
    leader.rdap.set("example.com", active("example.com"));
    let body = follower.check_email("alice@example.com").await;
    assert_eq!(body["reason"], "domain_active");
    let body = follower.check_email("alice@example.com").await;
    assert_eq!(body["source"], "cache", "held in the follower's memory");

    leader
        .rdap
        .set("example.com", with_statuses("example.com", IN_REDEMPTION));
    // Each test app has a clock of its own, set when it started: the leader's must not lag
    // behind the follower's observation, or its own would count as older.
    leader.clock.set(chrono::Utc::now());
    refresh_now(&leader, "example.com").await;
    let recorded = Instant::now();

    loop {
        let body = follower.check_email("alice@example.com").await;
        if body["reason"] == "domain_in_redemption_period" {
            assert_eq!(body["eligible"], false);
            break;
        }
        assert_eq!(body["reason"], "domain_active");
        assert!(
            recorded.elapsed() < Duration::from_secs(5),
            "the follower still answered from its old copy after 5 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        leader.rdap.hits("example.com"),
        2,
        "the follower read the store, not the registry"
    );
}

#[tokio::test]
async fn a_failing_host_is_asked_once_per_cooldown_however_often_a_client_checks() {
    let app = spawn_app().await;
    app.rdap.set("example.com", Answer::Status(500));
    for _ in 0..50 {
        let body = app.check_email("alice@example.com").await;
        assert_eq!(body["reason"], "domain_status_unavailable");
    }
    assert_eq!(app.rdap.hits("example.com"), 1);
    assert_eq!(app.history("example.com", "rdap").await.len(), 1);
}

#[tokio::test]
async fn repeated_failures_share_one_history_row_and_leave_the_schedule_alone() {
    // Neither the domain's cooldown nor the host's breaker: every check asks.
    let app = spawn_app_with(&[
        ("LAPSEGUARD_FAILURE_COOLDOWN_SECONDS", "0"),
        ("LAPSEGUARD_BREAKER_FAILURES", "1000"),
    ])
    .await;
    app.rdap.set("example.com", Answer::Status(500));
    for _ in 0..10 {
        app.check_email("alice@example.com").await;
    }
    assert_eq!(
        app.rdap.hits("example.com"),
        10,
        "no cooldown: asked each time"
    );

    let (_, view) = app.get("/v1/domains/example.com").await;
    let observations = app.history("example.com", "rdap").await;
    assert_eq!(observations.len(), 1, "{view}");
    assert_eq!(observations[0]["error"], "upstream_status");
    assert_eq!(observations[0]["http_status"], 500);
    assert_eq!(observations[0]["repeats"], 9);
    assert_eq!(view["failures"], 0, "checks do not back the schedule off");
    assert_eq!(view["watched"], true);

    // A different failure starts a row of its own.
    app.rdap.set("example.com", Answer::Status(503));
    app.check_email("alice@example.com").await;
    let observations = app.history("example.com", "rdap").await;
    assert_eq!(observations[0]["http_status"], 503);
    assert_eq!(observations[0]["repeats"], 0);
    // The unchanged DNS answers beside them share one row too.
    let dns = app.history("example.com", "dns").await;
    assert_eq!(dns.len(), 1, "{dns:?}");
    assert_eq!(dns[0]["outcome"], "delegated");
    assert_eq!(dns[0]["repeats"], 10);
}

#[tokio::test]
async fn checks_share_the_host_rate_and_deny_unseen_domains_it_has_no_slot_for() {
    let app = spawn_app_with(&[("LAPSEGUARD_RDAP_HOST_RATE", "2")]).await;
    let names: Vec<String> = (0..30).map(|i| format!("name{i}.com")).collect();
    for name in &names {
        app.rdap.set(name, active(name));
    }
    let checks = names.iter().map(|name| {
        let app = &app;
        async move { app.check_email(&format!("a@{name}")).await }
    });
    let bodies = futures_util::future::join_all(checks).await;

    let sent: usize = names.iter().map(|name| app.rdap.hits(name)).sum();
    // Five seconds' worth at once (2 from the request lane, 4 from the idle background
    // lane), and one more that comes within half the deadline.
    assert!(
        (5..=8).contains(&sent),
        "{sent} requests went out to a host limited to 2/s"
    );
    let refused: Vec<_> = bodies
        .iter()
        .filter(|b| b["reason"] == "domain_status_unavailable")
        .collect();
    assert_eq!(refused.len(), 30 - sent);
    assert!(refused.iter().all(|b| b["eligible"] == false));
}

#[tokio::test]
async fn a_check_answers_within_the_deadline_while_the_store_is_locked() {
    let app = spawn_app_with(&[("LAPSEGUARD_LOOKUP_DEADLINE_MS", "500")]).await;
    app.rdap.set("cached.com", active("cached.com"));
    app.rdap
        .set("lapsed.com", with_statuses("lapsed.com", IN_REDEMPTION));
    app.check_email("a@cached.com").await;

    let lock = StoreLock::take(&app.database.url).await;
    let limit = Duration::from_millis(500 + 200);

    let body = check_within(&app, "a@cached.com", limit).await;
    assert_eq!(body["reason"], "domain_active");
    assert_eq!(body["source"], "cache");

    let body = check_within(&app, "a@lapsed.com", limit).await;
    assert_eq!(body["eligible"], false);
    assert_eq!(body["reason"], "domain_in_redemption_period");

    // Once the store answers again, what the check saw is recorded.
    lock.release().await;
    app.state.checker.settled().await;
    let (_, view) = app.get("/v1/domains/lapsed.com").await;
    assert_eq!(view["lifecycle"], "redemption");
}

#[tokio::test]
async fn a_check_answers_within_the_deadline_while_the_store_is_stopped() {
    let app = spawn_app_with(&[("LAPSEGUARD_LOOKUP_DEADLINE_MS", "500")]).await;
    app.rdap.set("cached.com", active("cached.com"));
    app.rdap.set("fresh.com", active("fresh.com"));
    app.rdap
        .set("lapsed.com", with_statuses("lapsed.com", IN_REDEMPTION));
    app.check_email("a@cached.com").await;

    let stopped = StoppedStore::stop(&app.database.url).await;
    let limit = Duration::from_millis(500 + 200);
    let body = check_within(&app, "a@cached.com", limit).await;
    assert_eq!(body["reason"], "domain_active", "memory answers");
    let body = check_within(&app, "a@lapsed.com", limit).await;
    assert_eq!(
        body["reason"], "domain_in_redemption_period",
        "a lapse denies"
    );
    let body = check_within(&app, "a@fresh.com", limit).await;
    if app.database.url.starts_with("sqlite:") {
        // A held write lock does not stop readers: the store says the domain is new.
        assert_eq!(body["reason"], "domain_active");
    } else {
        // Unreadable history: an "active" answer could hide a stored lapse.
        assert_eq!(body["reason"], "domain_status_unavailable");
    }
    let (status, _) = app.get("/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);

    stopped.start().await;
    app.state.checker.settled().await;
    let (status, _) = app.get("/readyz").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn readiness_says_503_within_a_second_while_the_store_is_locked() {
    let app = spawn_app().await;
    let (status, _) = app.get("/readyz").await;
    assert_eq!(status, StatusCode::OK);

    let lock = StoreLock::take(&app.database.url).await;
    let started = Instant::now();
    let (status, body) = app.get("/readyz").await;
    assert!(
        started.elapsed() < Duration::from_millis(1200),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["code"], "store_unreachable");
    lock.release().await;

    let (status, _) = app.get("/readyz").await;
    assert_eq!(status, StatusCode::OK);
}

/// Checks an address at each domain, all at once: status, body and time taken.
async fn hang_checks(app: &TestApp, names: &[String]) -> Vec<(StatusCode, Value, Duration)> {
    let checks = names.iter().map(|name| async move {
        let started = Instant::now();
        let (status, body) = app
            .post_raw(
                json!({"email": format!("a@{name}")}).to_string(),
                "application/json",
            )
            .await;
        (status, body, started.elapsed())
    });
    futures_util::future::join_all(checks).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_registry_does_not_hold_concurrent_checks_past_the_deadline() {
    let app = spawn_app_with(&[("LAPSEGUARD_LOOKUP_DEADLINE_MS", "500")]).await;
    let names: Vec<String> = (0..100).map(|i| format!("hang{i}.com")).collect();
    for name in &names {
        let hang = Answer::Slow(Duration::from_secs(30), Box::new(active(name)));
        app.rdap.set(name, hang);
    }
    let answers = hang_checks(&app, &names).await;
    for (status, body, took) in answers {
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["reason"], "domain_status_unavailable");
        assert!(took < Duration::from_millis(500 + 300), "{took:?}");
    }

    // The host's breaker is open now: checks of its other domains do not ask it at all
    // (how fast they answer is measured by benches/deadline.sh on a release build: 14 ms
    // worst of 200 concurrent).
    let others: Vec<String> = (0..100).map(|i| format!("hangnext{i}.com")).collect();
    for name in &others {
        let hang = Answer::Slow(Duration::from_secs(30), Box::new(active(name)));
        app.rdap.set(name, hang);
    }
    let answers = hang_checks(&app, &others).await;
    // Not timed here (a loaded CI machine runs 100 concurrent checks of a debug build
    // slowly either way): the fake's hit count below shows that none waited on the host.
    for (status, body, _) in answers {
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["reason"], "domain_status_unavailable");
    }
    let asked = others.iter().map(|name| app.rdap.hits(name)).sum::<usize>();
    assert_eq!(
        asked, 0,
        "the open breaker kept every lookup from the hanging host"
    );
}
