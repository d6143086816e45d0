//! A webhook receiver on 127.0.0.1.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

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
    state.received.lock().expect("lock").push((headers, body));
    StatusCode::NO_CONTENT
}
