//! Faults (issue 11, section 5): the process killed with SIGKILL while it imports,
//! publishes transitions and delivers webhooks; the database going away under load; an
//! upstream that never answers (`truth.rs` and `upstream.rs` hold the deadline's other
//! tests). Each asserts what must survive, not only that something answered.

use std::collections::BTreeSet;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_while_publishing_and_while_delivering_loses_no_transition_and_no_webhook() {
    const N: usize = 300;
    let receiver = WebhookReceiver::start().await;
    // Slow enough that a kill lands in the middle of delivery.
    receiver.set_delay(Duration::from_millis(15));
    let app = spawn_app_with(&[
        ("LAPSEGUARD_WEBHOOK_URL", receiver.url.as_str()),
        ("LAPSEGUARD_WEBHOOK_SECRET", SECRET),
        ("LAPSEGUARD_DNS", "off"),
        ("LAPSEGUARD_REFRESH_CONCURRENCY", "4"),
    ])
    .await;
    let names: Vec<String> = (0..N).map(|i| format!("fault{i}.com")).collect();
    for name in &names {
        // Already in redemption: each first sight publishes unknown -> redemption.
        let answer = with_statuses(name, &["redemption period"]);
        app.rdap.set(
            name,
            Answer::Slow(Duration::from_millis(20), Box::new(answer)),
        );
    }
    let (status, _) = app
        .post_json("/v1/watch", json!({ "domains": names }))
        .await;
    assert_eq!(status, StatusCode::OK);
    let url = app.database.url.clone();

    // 1. Killed while the scheduler is publishing.
    let first = start_replica(&app, &[]).await;
    wait_for("some transitions", Duration::from_secs(30), async || {
        count_rows(&url, "transitions").await >= 40
    })
    .await;
    first.kill9();
    let at_first_kill = count_rows(&url, "transitions").await;
    assert!(
        (at_first_kill as usize) < N,
        "killed in the middle of the refresh: {at_first_kill} of {N} published"
    );

    // 2. Killed while delivering webhooks (after the lease of the dead one ran out).
    let second = start_replica(&app, &[]).await;
    wait_for("some deliveries", Duration::from_secs(60), async || {
        receiver.ids().len() >= N / 2
    })
    .await;
    second.kill9();
    let at_second_kill = receiver.ids().len();
    assert!(at_second_kill < N, "killed in the middle of delivery");

    // 3. A third process finishes the work.
    let _third = start_replica(&app, &[]).await;
    wait_for("every delivery", Duration::from_secs(90), async || {
        receiver.ids().len() >= N
    })
    .await;

    let published = app.store.transitions(0, 10_000).await.expect("transitions");
    let domains: BTreeSet<String> = published
        .iter()
        .map(|p| p.transition.domain.to_string())
        .collect();
    assert_eq!(published.len(), N, "no transition published twice");
    assert_eq!(domains.len(), N, "no domain's transition lost");
    assert!(
        published
            .iter()
            .all(|p| p.transition.to.as_str() == "redemption")
    );
    let expected: BTreeSet<String> = published
        .iter()
        .map(|p| format!("transition_{}", p.id))
        .collect();
    assert_eq!(receiver.ids(), expected, "each delivered at least once");
    let duplicates = receiver.received().len() - N;
    eprintln!(
        "kill -9: {at_first_kill} transitions before the first kill, {at_second_kill} \
         deliveries before the second, {duplicates} delivered twice"
    );
}

#[tokio::test]
async fn an_import_killed_midway_completes_when_run_again() {
    const N: usize = 100_000;
    let app = spawn_app().await;
    let file = tempfile::NamedTempFile::new().expect("temp file");
    let lines: String = (0..N).map(|i| format!("user{i}@import{i}.com\n")).collect();
    std::fs::write(file.path(), lines).expect("write");
    let path = file.path().display().to_string();
    let url = app.database.url.clone();
    let before = count_rows(&url, "watched_domains").await;

    let mut child = command(&app, &[], &["import", &path])
        .spawn()
        .expect("starts");
    let started = Instant::now();
    loop {
        let n = count_rows(&url, "watched_domains").await - before;
        if n >= 1_000 {
            break;
        }
        assert!(
            child.try_wait().expect("status").is_none(),
            "the import finished before it could be killed: make N larger"
        );
        assert!(started.elapsed() < Duration::from_secs(60), "no progress");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    let at_kill = (count_rows(&url, "watched_domains").await - before) as usize;
    assert!(at_kill < N, "killed midway: {at_kill} of {N}");

    let again = command(&app, &[], &["import", &path])
        .stdout(Stdio::piped())
        .output()
        .expect("runs");
    assert!(again.status.success());
    let summary: Value = serde_json::from_slice(&again.stdout).expect("a JSON summary");
    assert_eq!(summary["entries"], N);
    assert_eq!(summary["added"], N - at_kill);
    assert_eq!(summary["already_watched"], at_kill);
    let watched = (count_rows(&url, "watched_domains").await - before) as usize;
    assert_eq!(watched, N, "every domain watched once");
}

/// One check under load: its status, reason and how long it took.
async fn timed_check(app: &TestApp, email: &str) -> (StatusCode, String, Duration) {
    let started = Instant::now();
    let (status, body) = app
        .post_raw(json!({ "email": email }).to_string(), "application/json")
        .await;
    let reason = body["reason"].as_str().unwrap_or_default().to_owned();
    (status, reason, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_database_going_away_under_load_costs_no_500_and_readiness_returns_within_5_s() {
    let app = Arc::new(spawn_app_with(&[("LAPSEGUARD_LOOKUP_DEADLINE_MS", "500")]).await);
    let cached: Vec<String> = (0..10).map(|i| format!("cached{i}.com")).collect();
    for name in &cached {
        app.rdap.set(name, active(name));
        app.check_email(&format!("a@{name}")).await;
    }
    for i in 0..10_000 {
        let name = format!("new{i}.com");
        app.rdap.set(&name, active(&name));
    }
    app.state.checker.settled().await;

    // Load: 8 clients, each alternating a cached domain and one never seen.
    let down = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..8)
        .map(|client| {
            let (app, down, stop, cached) = (
                Arc::clone(&app),
                Arc::clone(&down),
                Arc::clone(&stop),
                cached.clone(),
            );
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut i = 0;
                while !stop.load(Ordering::SeqCst) {
                    let during = down.load(Ordering::SeqCst);
                    let name = &cached[i % cached.len()];
                    let answer = timed_check(&app, &format!("a@{name}")).await;
                    seen.push((true, during, answer));
                    let fresh = format!("a@new{}.com", client * 1000 + i);
                    let answer = timed_check(&app, &fresh).await;
                    seen.push((false, during, answer));
                    i += 1;
                }
                seen
            })
        })
        .collect();

    tokio::time::sleep(Duration::from_millis(500)).await;
    let stopped = StoppedStore::stop(&app.database.url).await;
    down.store(true, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_secs(3)).await;
    down.store(false, Ordering::SeqCst);
    stopped.start().await;
    let back = Instant::now();
    let mut ready_after = None;
    while back.elapsed() < Duration::from_secs(10) {
        let (status, _) = app.get("/readyz").await;
        if status == StatusCode::OK {
            ready_after = Some(back.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::SeqCst);

    let mut during = (0, 0);
    for client in clients {
        for (was_cached, was_down, (status, reason, took)) in client.await.expect("client") {
            assert_eq!(status, StatusCode::OK, "never a 500: {reason}");
            assert!(
                took < Duration::from_millis(500 + 300),
                "within the deadline: {took:?} ({reason})"
            );
            if was_down {
                if was_cached {
                    during.0 += 1;
                    assert_eq!(reason, "domain_active", "memory answers while it is down");
                } else {
                    during.1 += 1;
                    assert!(
                        matches!(
                            reason.as_str(),
                            "domain_active" | "domain_status_unavailable"
                        ),
                        "stale or policy: {reason}"
                    );
                }
            }
        }
    }
    assert!(during.0 > 0 && during.1 > 0, "checks ran while it was down");
    let ready_after = ready_after.expect("ready again");
    assert!(ready_after < Duration::from_secs(5), "{ready_after:?}");
    eprintln!(
        "database down 3 s: {} cached and {} new checks answered meanwhile; ready {ready_after:?} after it came back",
        during.0, during.1
    );
}
