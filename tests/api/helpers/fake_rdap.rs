//! A fake RDAP server (a real HTTP server on 127.0.0.1, port 0) and realistic registry
//! answers for it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// What the fake RDAP server answers for one domain.
#[derive(Clone, Debug)]
pub enum Answer {
    /// 200 with this RDAP domain object.
    Domain(Value),
    /// 404 with an RDAP error body.
    NotFound,
    /// This status with an RDAP error body.
    Status(u16),
    /// 429, with this `Retry-After` if any.
    RateLimited(Option<&'static str>),
    /// 200 with this body as `application/rdap+json`.
    Body(String),
    /// Waits, then answers.
    Slow(Duration, Box<Answer>),
    /// 302 to this URL.
    Redirect(String),
    /// 200 with these bytes as `application/rdap+json` (not necessarily UTF-8).
    Bytes(Vec<u8>),
    /// 200 with this body, sent one byte per interval.
    Trickle(String, Duration),
    /// 200 with this body under a `Content-Length` that says otherwise.
    LyingLength(String, u64),
}

#[derive(Default)]
struct FakeState {
    answers: Mutex<HashMap<String, Answer>>,
    hits: Mutex<HashMap<String, usize>>,
}

/// A fake RDAP server: a real HTTP server on 127.0.0.1, port 0.
#[derive(Clone)]
pub struct FakeRdap {
    /// Base URL, ending with `/`.
    pub url: String,
    state: Arc<FakeState>,
}

impl FakeRdap {
    pub async fn start() -> Self {
        let state = Arc::new(FakeState::default());
        let router = Router::new()
            .route("/domain/{name}", axum::routing::get(answer))
            .with_state(Arc::clone(&state));
        let url = format!("{}/", super::serve_on_loopback(router).await);
        Self { url, state }
    }

    pub fn set(&self, domain: &str, answer: Answer) {
        self.state
            .answers
            .lock()
            .expect("lock")
            .insert(domain.to_owned(), answer);
    }

    /// Its host as lapseguard labels it (pacer, breaker, metrics): `127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        self.url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned()
    }

    /// How many requests this server received for `domain`.
    pub fn hits(&self, domain: &str) -> usize {
        *self
            .state
            .hits
            .lock()
            .expect("lock")
            .get(domain)
            .unwrap_or(&0)
    }
}

async fn answer(State(state): State<Arc<FakeState>>, Path(name): Path<String>) -> Response {
    *state
        .hits
        .lock()
        .expect("lock")
        .entry(name.clone())
        .or_default() += 1;
    let answer = state.answers.lock().expect("lock").get(&name).cloned();
    respond(answer.unwrap_or(Answer::NotFound)).await
}

async fn respond(answer: Answer) -> Response {
    let rdap = [(header::CONTENT_TYPE, "application/rdap+json")];
    match answer {
        Answer::Domain(object) => (rdap, object.to_string()).into_response(),
        Answer::NotFound => error(404),
        Answer::Status(status) => error(status),
        Answer::RateLimited(retry_after) => {
            let mut response = error(429);
            if let Some(value) = retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, value.parse().expect("header"));
            }
            response
        }
        Answer::Body(body) => (rdap, body).into_response(),
        Answer::Slow(delay, then) => {
            tokio::time::sleep(delay).await;
            Box::pin(respond(*then)).await
        }
        Answer::Redirect(location) => {
            (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
        }
        Answer::Bytes(bytes) => (rdap, bytes).into_response(),
        Answer::Trickle(body, interval) => {
            let bytes = body.into_bytes();
            let chunks = futures_util::stream::unfold(0, move |at| {
                let byte = bytes.get(at).copied();
                async move {
                    tokio::time::sleep(interval).await;
                    byte.map(|b| (Ok::<_, std::io::Error>(vec![b]), at + 1))
                }
            });
            (rdap, axum::body::Body::from_stream(chunks)).into_response()
        }
        Answer::LyingLength(body, length) => {
            // A stream has no length of its own, so the header is sent as written.
            let chunk =
                futures_util::stream::once(
                    async move { Ok::<_, std::io::Error>(body.into_bytes()) },
                );
            (
                [
                    (header::CONTENT_TYPE, "application/rdap+json".to_owned()),
                    (header::CONTENT_LENGTH, length.to_string()),
                ],
                axum::body::Body::from_stream(chunk),
            )
                .into_response()
        }
    }
}

fn error(status: u16) -> Response {
    let status = StatusCode::from_u16(status).expect("status");
    let body = json!({
        "errorCode": status.as_u16(),
        "title": status.canonical_reason(),
        "description": ["fake RDAP server"],
        "rdapConformance": ["rdap_level_0"]
    });
    (
        status,
        [(header::CONTENT_TYPE, "application/rdap+json")],
        body.to_string(),
    )
        .into_response()
}

/// A realistic registry answer, shaped like Verisign's.
pub fn rdap_domain(
    name: &str,
    statuses: &[&str],
    registered: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> Value {
    json!({
        "objectClassName": "domain",
        "handle": "2336799_DOMAIN_COM-VRSN",
        "ldhName": name.to_uppercase(),
        "links": [{
            "value": format!("https://rdap.example/domain/{name}"),
            "rel": "self",
            "href": format!("https://rdap.example/domain/{name}"),
            "type": "application/rdap+json"
        }],
        "status": statuses,
        "entities": [{
            "objectClassName": "entity",
            "handle": "376",
            "roles": ["registrar"],
            "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "Example Registrar, Inc."]]]
        }],
        "events": [
            {"eventAction": "registration", "eventDate": registered.to_rfc3339()},
            {"eventAction": "expiration", "eventDate": expires.to_rfc3339()},
            {"eventAction": "last changed", "eventDate": "2026-08-14T07:01:44Z"},
            {"eventAction": "last update of RDAP database", "eventDate": Utc::now().to_rfc3339()}
        ],
        "secureDNS": {"delegationSigned": false},
        // In-bailiwick: the name's DNS is served from itself, so a check judges no other
        // domain (a nameserver under another registrable domain is a route, whose own
        // status a check looks up: see tests/api/signals.rs).
        "nameservers": [
            {"objectClassName": "nameserver", "ldhName": format!("NS1.{}", name.to_uppercase())},
            {"objectClassName": "nameserver", "ldhName": format!("NS2.{}", name.to_uppercase())}
        ],
        "rdapConformance": ["rdap_level_0", "icann_rdap_technical_implementation_guide_0", "icann_rdap_response_profile_0"],
        "notices": [{"title": "Terms of Use", "description": ["Service subject to Terms of Use."]}]
    })
}

/// Today at midnight UTC: registry dates computed from it agree within a test.
fn today() -> DateTime<Utc> {
    Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc()
}

pub fn days_ago(days: i64) -> DateTime<Utc> {
    today() - chrono::Duration::days(days)
}

pub fn days_ahead(days: i64) -> DateTime<Utc> {
    today() + chrono::Duration::days(days)
}

/// An old, active registration.
pub fn active(name: &str) -> Answer {
    Answer::Domain(rdap_domain(
        name,
        &["client transfer prohibited"],
        days_ago(3000),
        days_ahead(200),
    ))
}

/// An old, active registration that expires in `in_days` days.
pub fn expiring(name: &str, in_days: i64) -> Answer {
    Answer::Domain(rdap_domain(
        name,
        &["active"],
        days_ago(3000),
        days_ahead(in_days),
    ))
}

/// A registration with these statuses, old and not yet expired.
pub fn with_statuses(name: &str, statuses: &[&str]) -> Answer {
    Answer::Domain(rdap_domain(name, statuses, days_ago(3000), days_ahead(200)))
}
