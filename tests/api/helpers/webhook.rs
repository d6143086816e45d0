//! A webhook receiver on 127.0.0.1.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};

/// A webhook receiver on 127.0.0.1 that records what it accepts and can be "down".
#[derive(Clone)]
pub struct WebhookReceiver {
    pub url: String,
    state: Arc<ReceiverState>,
}

#[derive(Default)]
struct ReceiverState {
    down: AtomicBool,
    /// Milliseconds each delivery takes to be accepted.
    delay_ms: AtomicU64,
    received: Mutex<Vec<(HeaderMap, String)>>,
}

impl WebhookReceiver {
    pub async fn start() -> Self {
        let state = Arc::new(ReceiverState::default());
        let router = Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(Arc::clone(&state));
        let url = format!("{}/hook", super::serve_on_loopback(router).await);
        Self { url, state }
    }

    pub fn set_down(&self, down: bool) {
        self.state.down.store(down, Ordering::SeqCst);
    }

    /// Makes each delivery take this long before it is accepted.
    pub fn set_delay(&self, delay: Duration) {
        let millis = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        self.state.delay_ms.store(millis, Ordering::SeqCst);
    }

    /// The distinct `webhook-id`s accepted so far.
    pub fn ids(&self) -> std::collections::BTreeSet<String> {
        self.received()
            .iter()
            .filter_map(|(headers, _)| headers.get("webhook-id")?.to_str().ok().map(str::to_owned))
            .collect()
    }

    /// What it accepted: headers and body, in arrival order.
    pub fn received(&self) -> Vec<(HeaderMap, String)> {
        self.state.received.lock().expect("lock").clone()
    }
}

async fn receive(
    State(state): State<Arc<ReceiverState>>,
    headers: HeaderMap,
    body: String,
) -> StatusCode {
    if state.down.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let delay = state.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    state.received.lock().expect("lock").push((headers, body));
    StatusCode::NO_CONTENT
}
