//! A fake of Fastly's domain status API on 127.0.0.1: `GET
//! /domain-management/v1/tools/status?domain=NAME` with `Fastly-Key: FAKE_FASTLY_KEY`
//! answers from a table; a wrong key gets 401.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The key the fake accepts.
pub const FAKE_FASTLY_KEY: &str = "fake-fastly-key";

/// How the fake answers for one domain.
#[derive(Debug, Clone)]
pub enum Status {
    /// 200 with this `status` flag string.
    Flags(&'static str),
    /// 200 with an `errors` body.
    Errors,
    /// 429 with `Retry-After: 60`.
    RateLimited,
}

#[derive(Default)]
struct FakeState {
    answers: Mutex<HashMap<String, Status>>,
    hits: Mutex<HashMap<String, usize>>,
}

#[derive(Clone)]
pub struct FakeFastly {
    /// Base URL, ending with `/`.
    pub url: String,
    state: Arc<FakeState>,
}

impl FakeFastly {
    pub async fn start() -> Self {
        let state = Arc::new(FakeState::default());
        let router = Router::new()
            .route(
                "/domain-management/v1/tools/status",
                axum::routing::get(answer),
            )
            .with_state(Arc::clone(&state));
        let url = format!("{}/", super::serve_on_loopback(router).await);
        Self { url, state }
    }

    pub fn set(&self, domain: &str, status: Status) {
        let mut answers = self.state.answers.lock().expect("lock");
        answers.insert(domain.to_owned(), status);
    }

    /// Requests received for `domain`, whatever the key.
    pub fn hits(&self, domain: &str) -> usize {
        let hits = self.state.hits.lock().expect("lock");
        hits.get(domain).copied().unwrap_or(0)
    }
}

async fn answer(
    State(state): State<Arc<FakeState>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let domain = query.get("domain").cloned().unwrap_or_default();
    *state
        .hits
        .lock()
        .expect("lock")
        .entry(domain.clone())
        .or_default() += 1;
    let key = headers.get("fastly-key").and_then(|v| v.to_str().ok());
    if key != Some(FAKE_FASTLY_KEY) {
        let body = json!({"msg": "Provided credentials are missing or invalid"});
        return (StatusCode::UNAUTHORIZED, body.to_string()).into_response();
    }
    let status = state.answers.lock().expect("lock").get(&domain).cloned();
    let json = [(header::CONTENT_TYPE, "application/json")];
    match status.unwrap_or(Status::Flags("undelegated inactive")) {
        Status::Flags(flags) => {
            let zone = domain.rsplit('.').next().unwrap_or_default();
            let body = json!({"domain": domain, "zone": zone, "status": flags, "tags": ""});
            (json, body.to_string()).into_response()
        }
        Status::Errors => {
            let errors = json!({"errors": [{"code": 400, "message": "Bad request", "detail": "unknown zone"}]});
            (json, errors.to_string()).into_response()
        }
        Status::RateLimited => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "60")],
            "slow down",
        )
            .into_response(),
    }
}
