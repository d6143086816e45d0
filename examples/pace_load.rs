//! Load client for `benches/pace.sh`: N concurrent recovery checks of distinct domains
//! lapseguard has never seen, on one RDAP host paced at a low rate. Reports how many were
//! answered with evidence, how long the others waited, and what they answered.
//! `cargo run --release --example pace_load -- URL N`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let base = args.next().ok_or("URL")?;
    let count: usize = args.next().ok_or("N")?.parse()?;
    let run = std::process::id();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(count)
        .build()?;
    let checks = (0..count).map(|i| {
        let client = client.clone();
        let url = format!("{base}/check-recovery-eligible");
        async move {
            let body = serde_json::json!({ "email": format!("a@unseen{i}-{run}.com") });
            let started = Instant::now();
            let response = client
                .post(url)
                .header("content-type", "application/json")
                .body(body.to_string())
                .send()
                .await?;
            let answer: serde_json::Value =
                serde_json::from_slice(&response.bytes().await?).unwrap_or_default();
            Ok::<_, reqwest::Error>((started.elapsed(), answer))
        }
    });
    let answers = futures_util::future::join_all(checks).await;
    let mut evidence = Vec::new();
    let mut without = Vec::new();
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    for answer in answers {
        let (took, body) = answer?;
        let reason = body["reason"].as_str().unwrap_or("?").to_owned();
        let eligible = body["eligible"].as_bool().unwrap_or(false);
        *outcomes
            .entry(format!("{reason} eligible={eligible}"))
            .or_default() += 1;
        if body["evidence"].is_null() {
            without.push(took);
        } else {
            evidence.push(took);
        }
    }
    println!("{count} concurrent checks of unseen domains on one paced RDAP host");
    for (outcome, n) in &outcomes {
        println!("  {n:>4}  {outcome}");
    }
    describe("answered with evidence", &mut evidence);
    describe("answered without evidence", &mut without);
    Ok(())
}

fn describe(what: &str, times: &mut [Duration]) {
    times.sort();
    let Some(worst) = times.last() else {
        println!("{what}: none");
        return;
    };
    let median = times[times.len() / 2];
    println!(
        "{what}: {} (time to answer: min {:?}, median {median:?}, max {worst:?})",
        times.len(),
        times[0]
    );
}
