//! Load client for `benches/deadline.sh`: fires N concurrent recovery checks of distinct
//! domains (one connection each, opened beforehand) and reports their latencies against
//! the deadline. `cargo run --release --example deadline_load -- URL N DEADLINE_MS`.

use std::time::{Duration, Instant};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let base = args.next().ok_or("URL")?;
    let concurrent: usize = args.next().ok_or("N")?.parse()?;
    let deadline_ms: u64 = args.next().ok_or("DEADLINE_MS")?.parse()?;
    let unique = std::process::id();

    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(concurrent));
    // One client; each task opens its connection (a /healthz call) before the barrier, so
    // the checks themselves start together on warm connections.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrent)
        .build()?;
    let mut tasks = Vec::with_capacity(concurrent);
    for i in 0..concurrent {
        let base = base.clone();
        let barrier = std::sync::Arc::clone(&barrier);
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            client
                .get(format!("{base}/healthz"))
                .send()
                .await?
                .text()
                .await?;
            barrier.wait().await;
            let body = format!(r#"{{"email": "a@hang{i}-{unique}.com"}}"#);
            let started = Instant::now();
            let response = client
                .post(format!("{base}/check-recovery-eligible"))
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await?;
            let status = response.status().as_u16();
            let text = response.text().await?;
            Ok::<_, reqwest::Error>((
                started.elapsed(),
                status,
                text.contains("domain_status_unavailable"),
            ))
        }));
    }
    let mut latencies = Vec::with_capacity(concurrent);
    let mut unavailable = 0;
    for task in tasks {
        let (took, status, is_unavailable) = task.await??;
        assert_eq!(status, 200);
        unavailable += usize::from(is_unavailable);
        latencies.push(took);
    }
    latencies.sort();
    let at = |p: usize| latencies[(p * latencies.len() / 100).min(latencies.len() - 1)];
    let limit = Duration::from_millis(deadline_ms + 50);
    let late = latencies.iter().filter(|l| **l > limit).count();
    let worst = latencies[latencies.len() - 1];
    println!("{concurrent} concurrent checks, deadline {deadline_ms} ms, registry hanging");
    println!("domain_status_unavailable: {unavailable} of {concurrent}");
    println!(
        "p50 {:?}, p90 {:?}, p99 {:?}, max {worst:?}",
        at(50),
        at(90),
        at(99)
    );
    println!(
        "later than deadline + 50 ms: {late} of {concurrent} ({:.1}%), worst {:+} ms",
        100.0 * late as f64 / concurrent as f64,
        worst.as_millis() as i64 - deadline_ms as i64
    );
    Ok(())
}
