//! lapseguard as a separate process on the test app's database and fake servers: what
//! replicas and kill -9 tests run.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::TestApp;

/// A running `lapseguard` process; dropping it kills it (SIGKILL: no chance to clean up).
pub struct Process {
    pub child: Child,
    /// `http://127.0.0.1:PORT` for `serve`.
    pub address: String,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Process {
    /// Kills the process with SIGKILL, as a crash or an OOM killer would.
    pub fn kill9(mut self) {
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

/// The binary with the app's settings and `extra`, running `args`.
pub fn command(app: &TestApp, extra: &[(&str, &str)], args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lapseguard"));
    command
        .env_clear()
        .env("DATABASE_URL", &app.database.url)
        .env("LAPSEGUARD_ALLOW_HTTP_UPSTREAMS", "true")
        .env("LAPSEGUARD_RDAP_HOST_RATE", "1000")
        .envs(app.settings.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .envs(extra.iter().copied())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// `lapseguard serve` with the scheduler on, once `/readyz` says ready.
pub async fn start_replica(app: &TestApp, extra: &[(&str, &str)]) -> Process {
    start_replica_logging_to(app, extra, None).await
}

/// [`start_replica`], its log (stderr) written to `log` when given.
pub async fn start_replica_logging_to(
    app: &TestApp,
    extra: &[(&str, &str)],
    log: Option<std::fs::File>,
) -> Process {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut extra = extra.to_vec();
    extra.push(("LAPSEGUARD_LISTEN", &listen));
    let mut command = command(app, &extra, &["serve"]);
    if let Some(log) = log {
        command.stderr(log);
    }
    let child = command.spawn().expect("starts");
    let replica = Process {
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

/// Polls `done` every 250 ms until it holds; panics after `limit`. Returns how long it took.
pub async fn wait_for(
    what: &str,
    limit: Duration,
    mut done: impl AsyncFnMut() -> bool,
) -> Duration {
    let started = Instant::now();
    while started.elapsed() < limit {
        if done().await {
            return started.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("{what} did not happen within {limit:?}");
}
