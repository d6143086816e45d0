//! Several replicas on one database: all serve checks, one at a time runs the
//! scheduler, and another takes over within 30 s when it dies.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use sqlx::Connection;

use crate::helpers::*;

struct Replica {
    child: Child,
    address: String,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn start_replica(app: &TestApp) -> Replica {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_lapseguard"))
        .env_clear()
        .env("DATABASE_URL", &app.database.url)
        .env("LAPSEGUARD_LISTEN", format!("127.0.0.1:{port}"))
        .env("LAPSEGUARD_ALLOW_HTTP_UPSTREAMS", "true")
        .env("LAPSEGUARD_RDAP_HOST_RATE", "1000")
        .envs(app.settings.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let replica = Replica {
        child,
        address: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(response) = client
            .get(format!("{}/readyz", replica.address))
            .send()
            .await
            && response.status().is_success()
        {
            return replica;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("replica did not become ready");
}

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

async fn wait_for(what: &str, limit: Duration, mut done: impl AsyncFnMut() -> bool) -> Duration {
    let started = Instant::now();
    while started.elapsed() < limit {
        if done().await {
            return started.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("{what} did not happen within {limit:?}");
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
    let a = start_replica(&app).await;
    let b = start_replica(&app).await;
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
