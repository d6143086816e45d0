//! Several replicas on one database: all serve checks, one at a time runs the
//! scheduler, and another takes over within 30 s when it dies.

use std::time::Duration;

use serde_json::json;
use sqlx::Connection;

use crate::helpers::*;

/// The process id in the scheduler lease's holder, if anyone holds it.
async fn lease_holder_pid(url: &str) -> Option<u32> {
    const HOLDER: &str = "SELECT holder FROM leases WHERE name = 'scheduler'";
    let holder: Option<(String,)> = if url.starts_with("sqlite:") {
        let mut connection = sqlx::SqliteConnection::connect(url).await.expect("connect");
        sqlx::query_as(HOLDER)
            .fetch_optional(&mut connection)
            .await
            .expect("query")
    } else {
        let mut connection = sqlx::PgConnection::connect(url).await.expect("connect");
        sqlx::query_as(HOLDER)
            .fetch_optional(&mut connection)
            .await
            .expect("query")
    };
    // HOST-PID-NANOS; the host name may hold dashes itself.
    holder.and_then(|(h,)| h.rsplit('-').nth(1).and_then(|pid| pid.parse().ok()))
}

async fn watch(address: &str, domain: &str) {
    let response = reqwest::Client::new()
        .post(format!("{address}/v1/watch"))
        .header("content-type", "application/json")
        .body(json!({ "domains": [domain] }).to_string())
        .send()
        .await
        .expect("request");
    assert!(response.status().is_success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_replica_runs_the_scheduler_and_another_takes_over_when_it_dies() {
    let app = spawn_app().await;
    app.rdap.set("first.com", active("first.com"));
    app.rdap.set("second.com", active("second.com"));
    let a = start_replica(&app, &[]).await;
    let b = start_replica(&app, &[]).await;
    let (pid_a, pid_b) = (a.child.id(), b.child.id());

    wait_for(
        "a replica taking the lease",
        Duration::from_secs(15),
        async || lease_holder_pid(&app.database.url).await.is_some(),
    )
    .await;
    let leader = lease_holder_pid(&app.database.url).await.expect("held");
    assert!(leader == pid_a || leader == pid_b);
    let (leader, follower) = if leader == pid_a { (a, b) } else { (b, a) };

    // Both serve; the leader's scheduler checks what the follower was asked to watch.
    watch(&follower.address, "first.com").await;
    wait_for(
        "the scheduler checking first.com",
        Duration::from_secs(10),
        async || app.rdap.hits("first.com") == 1,
    )
    .await;
    // The lookup's write (a group commit) lands before the leader dies: "checked once"
    // is about the schedule, not about a kill between the answer and its commit.
    wait_for(
        "the scheduler recording first.com",
        Duration::from_secs(10),
        async || {
            let view = reqwest::get(format!("{}/v1/domains/first.com", follower.address))
                .await
                .expect("request");
            let bytes = view.bytes().await.unwrap_or_default();
            let view: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
            !view["checked_at"].is_null()
        },
    )
    .await;

    let follower_pid = follower.child.id();
    drop(leader); // SIGKILL: no chance to give the lease up.
    // The lease lives 20 s and is tried every 5 s: about 25 s, with room for a loaded
    // machine (a CI run beside other builds once took over 30 s).
    let took = wait_for(
        "the follower taking over",
        Duration::from_secs(40),
        async || lease_holder_pid(&app.database.url).await == Some(follower_pid),
    )
    .await;
    assert!(
        took >= Duration::from_secs(10),
        "not before the lease ran out: {took:?}"
    );

    watch(&follower.address, "second.com").await;
    wait_for(
        "the new leader checking second.com",
        Duration::from_secs(10),
        async || app.rdap.hits("second.com") == 1,
    )
    .await;
    assert_eq!(
        app.rdap.hits("first.com"),
        1,
        "checked once, by one scheduler"
    );
}

#[tokio::test]
async fn a_new_leader_takes_back_at_once_the_checks_a_dead_leader_had_claimed() {
    use lapseguard::clock::SystemClock;
    use lapseguard::refresh::leader::run_while_leader;
    use lapseguard::refresh::scheduler::LEASE;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    let app = spawn_app().await;
    app.post_json("/v1/watch", json!({ "domains": ["a.com", "b.com"] }))
        .await;
    // A leader claims both, as its scheduler does, and dies before looking them up: the
    // claim holds them for the lease (10 minutes).
    let now = chrono::Utc::now();
    let claimed = app
        .store
        .claim_due(now, now + LEASE, 10)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 2);
    assert!(
        app.store
            .claim_due(now, now + LEASE, 10)
            .await
            .expect("claim")
            .is_empty()
    );

    let cancel = tokio_util::sync::CancellationToken::new();
    let started = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&started);
    let leader = tokio::spawn(run_while_leader(
        Arc::clone(&app.store),
        Arc::new(SystemClock),
        "the-next-leader".to_owned(),
        cancel.clone(),
        move |_| {
            let flag = Arc::clone(&flag);
            vec![async move { flag.store(true, Ordering::SeqCst) }]
        },
    ));
    wait_for(
        "the new leader starting",
        Duration::from_secs(5),
        async || started.load(Ordering::SeqCst),
    )
    .await;
    // Before its first claim, both are due again: not 10 minutes late.
    let now = chrono::Utc::now();
    let mut back = app
        .store
        .claim_due(now, now + LEASE, 10)
        .await
        .expect("claim");
    back.sort();
    let names: Vec<String> = back.iter().map(ToString::to_string).collect();
    assert_eq!(names, ["a.com", "b.com"]);
    cancel.cancel();
    leader.await.expect("the leader loop ends");
}

#[tokio::test]
async fn a_429_seen_by_one_replica_pauses_the_host_for_the_others() {
    let first = spawn_app().await;
    let second = first.restart().await;
    first.rdap.set("busy.com", Answer::RateLimited(Some("600")));
    first.check_email("a@busy.com").await;
    assert_eq!(first.rdap.hits("busy.com"), 1);
    // Within a few polls the other replica stops asking the host too.
    let mut adopted = false;
    for n in 0..20 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let probe = format!("probe{n}.com");
        second.check_email(&format!("a@{probe}")).await;
        if second.rdap.hits(&probe) == 0 {
            adopted = true;
            break;
        }
    }
    assert!(adopted, "the second replica kept asking a paused host");
}
