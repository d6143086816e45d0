//! A fake RDAP server for benchmarks and the browser test: every domain is old, active and
//! far from expiry, except those whose name starts with `lapsed`, which are in redemption.
//! Prints its port on stdout. `cargo run --release --example fake_rdap [port] [delay_ms]`:
//! with a delay, every answer waits that long first (a hanging registry). With
//! `FAKE_RDAP_NAMESERVERS` set (e.g. `ns1.provider.com,ns1.other-provider.com`), every
//! domain lists those nameservers: a check then judges their domains as routes.

use axum::Router;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;

async fn domain(State(delay): State<Duration>, Path(name): Path<String>) -> impl IntoResponse {
    tokio::time::sleep(delay).await;
    let nameservers: Vec<serde_json::Value> = std::env::var("FAKE_RDAP_NAMESERVERS")
        .unwrap_or_default()
        .split(',')
        .filter(|ns| !ns.is_empty())
        .map(|ns| serde_json::json!({"objectClassName": "nameserver", "ldhName": ns}))
        .collect();
    let body = serde_json::json!({
        "nameservers": nameservers,
        "objectClassName": "domain",
        "ldhName": name.to_uppercase(),
        "status": [if name.to_ascii_lowercase().starts_with("lapsed") {
            "redemption period"
        } else {
            "client transfer prohibited"
        }],
        "events": [
            {"eventAction": "registration", "eventDate": "2001-05-04T00:00:00Z"},
            {"eventAction": "expiration", "eventDate": "2099-05-04T00:00:00Z"}
        ]
    });
    (
        [(header::CONTENT_TYPE, "application/rdap+json")],
        body.to_string(),
    )
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let delay = Duration::from_millis(
        std::env::args()
            .nth(2)
            .and_then(|d| d.parse().ok())
            .unwrap_or(0),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("{}", listener.local_addr()?.port());
    let router = Router::new()
        .route("/domain/{name}", axum::routing::get(domain))
        .with_state(delay);
    axum::serve(listener, router).await
}
