//! API tokens, scopes and protected mode, driven the way clients and operators meet them.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use lapseguard::domain::access::Scope;
use reqwest::Method;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::helpers::*;

/// Every operation of the served OpenAPI document, with a concrete path and a body a
/// handler accepts.
async fn operations(app: &TestApp) -> Vec<(Method, String, Option<Value>)> {
    let (_, document) = app.get("/openapi.json").await;
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("operations").keys() {
            let method =
                Method::from_bytes(method.to_ascii_uppercase().as_bytes()).expect("method");
            let concrete = path
                .replace("{domain}", "example.com")
                .replace("{host}", "rdap.example:443");
            let body = match (method.as_str(), path.as_str()) {
                ("POST", "/check-recovery-eligible") => Some(json!({ "email": "a@example.com" })),
                ("POST", "/v1/watch") => Some(json!({ "domains": ["example.com"] })),
                ("POST", "/v1/check-batch") => {
                    Some(json!({ "items": [{ "email": "a@example.com" }] }))
                }
                ("PUT", _) => Some(json!({ "decision": "deny", "note": "ticket 1" })),
                _ => None,
            };
            found.push((method, concrete, body));
        }
    }
    found
}

/// The scope the issue gives each route, written here from its words, not from the code.
fn needed(method: &Method, path: &str) -> Option<Scope> {
    match path {
        "/check-recovery-eligible" | "/v1/check-batch" => Some(Scope::Check),
        "/healthz" | "/readyz" => None,
        _ if *method == Method::GET => Some(Scope::Read),
        _ => Some(Scope::Admin),
    }
}

#[tokio::test]
async fn each_route_takes_exactly_the_tokens_whose_scope_allows_it() {
    let app = spawn_app().await;
    app.rdap.set("example.com", active("example.com"));
    let check = app.create_token("checker", &[Scope::Check]).await;
    let read = app.create_token("reader", &[Scope::Read]).await;
    let admin = app.create_token("admin", &[Scope::Admin]).await;
    let tokens = [
        (Scope::Check, &check),
        (Scope::Read, &read),
        (Scope::Admin, &admin),
    ];
    let operations = operations(&app).await;
    assert!(operations.len() >= 14, "{operations:?}");
    for (method, path, body) in operations {
        let needed = needed(&method, &path);
        let (status, headers, problem) = app
            .request_with(None, method.clone(), &path, body.clone())
            .await;
        if needed.is_none() {
            assert_eq!(status, StatusCode::OK, "{method} {path} is open");
            continue;
        }
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{method} {path} without a token"
        );
        assert_eq!(problem["code"], "unauthenticated");
        assert_eq!(headers[header::WWW_AUTHENTICATE], "Bearer");
        for (scope, token) in &tokens {
            let (status, _, problem) = app
                .request_with(Some(token), method.clone(), &path, body.clone())
                .await;
            let allowed =
                Some(*scope) == needed || (*scope == Scope::Admin && needed == Some(Scope::Read));
            if allowed {
                assert!(
                    status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
                    "{method} {path} with {scope:?}: {status} {problem}"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{method} {path} with {scope:?}"
                );
                assert_eq!(problem["code"], "insufficient_scope");
            }
        }
    }
    let (status, _, _) = app
        .request_with(Some("lg_not-a-token"), Method::GET, "/v1/stats", None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_docs_page_and_the_document_stay_open_once_tokens_exist() {
    let app = spawn_app().await;
    app.create_token("admin", &[Scope::Admin]).await;
    let get_text = async |path: &str| {
        let response = app
            .http
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .expect("request");
        let status = response.status();
        (status, response.text().await.expect("text"))
    };
    for path in ["/openapi.json", "/healthz"] {
        assert_eq!(get_text(path).await.0, StatusCode::OK, "{path}");
    }
    let (status, page) = get_text("/docs/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("swagger"), "the page is Swagger UI");
    assert!(
        !page.contains("https://"),
        "the page loads nothing from outside"
    );
    let (status, initializer) = get_text("/docs/swagger-initializer.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        initializer.contains("\"url\": \"/openapi.json\""),
        "{initializer}"
    );
    // Swagger UI's online validator would load its badge from validator.swagger.io.
    assert!(
        initializer.contains("\"validatorUrl\": \"none\""),
        "{initializer}"
    );
}

/// A request to the router as if it came from `peer`.
async fn from_peer(app: &TestApp, peer: &str, headers: &[(&str, &str)]) -> (StatusCode, Value) {
    let router = lapseguard::startup::router(std::sync::Arc::clone(&app.state));
    let mut request = Request::builder().uri("/v1/stats");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut request = request.body(Body::empty()).expect("request");
    let peer: SocketAddr = peer.parse().expect("address");
    request.extensions_mut().insert(ConnectInfo(peer));
    let response = router.oneshot(request).await.expect("infallible");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn protected_mode_serves_loopback_only_until_the_first_token_exists() {
    let app = spawn_app().await;
    // No token: this machine is served without one, and its changes are audited as such.
    let (status, _) = app
        .post_json("/v1/watch", json!({ "domains": ["example.com"] }))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = from_peer(&app, "127.0.0.1:50000", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, problem) = from_peer(&app, "10.1.2.3:50000", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("lapseguard token create")),
        "{problem}"
    );
    // A proxy on this machine does not make its clients local.
    let (status, _) = from_peer(
        &app,
        "127.0.0.1:50000",
        &[("x-forwarded-for", "203.0.113.9")],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let token = app.create_token("ops", &[Scope::Admin, Scope::Check]).await;
    let (status, problem) = app.get("/v1/stats").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{problem}");
    let (status, _) = app.check(json!({ "email": "a@example.com" })).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.use_token(Some(&token));
    let (status, _) = app.get("/v1/stats").await;
    assert_eq!(status, StatusCode::OK);
    let (_, audit) = app.get("/v1/audit").await;
    assert_eq!(audit["entries"][0]["actor"], "loopback");
    assert_eq!(audit["entries"][0]["action"], "watch");
}

#[tokio::test]
async fn a_token_records_its_last_use_at_most_once_a_minute() {
    let app = spawn_app().await;
    let token = app.create_token("desk", &[Scope::Read]).await;
    app.use_token(Some(&token));
    let last_used = |tokens: Vec<lapseguard::domain::access::TokenRecord>| tokens[0].last_used_at;
    app.get("/v1/stats").await;
    let first = wait_for(|| async { last_used(app.store.tokens().await.expect("tokens")) }).await;
    app.clock.advance(chrono::Duration::seconds(30));
    app.get("/v1/stats").await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(
        last_used(app.store.tokens().await.expect("tokens")),
        Some(first)
    );
    app.clock.advance(chrono::Duration::seconds(31));
    app.get("/v1/stats").await;
    let later = wait_for(|| async {
        last_used(app.store.tokens().await.expect("tokens")).filter(|t| *t > first)
    })
    .await;
    assert!(later > first);
}

/// Polls `probe` for up to five seconds until it gives a value.
async fn wait_for<T, F, Fut>(probe: F) -> T
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    for _ in 0..50 {
        if let Some(value) = probe().await {
            return value;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("nothing within five seconds");
}

/// Section 4 of issue 21: the whole router, walked from the table every route is
/// declared in. Once a token exists, a token route refuses a request without one; an
/// open route and a console route (which asks for its own session) do not ask for a
/// token; and every declared route exists (the router does not answer `not_found` or
/// `method_not_allowed` to an admin).
#[tokio::test]
async fn every_route_is_declared_and_a_token_route_refuses_a_request_without_a_token() {
    use lapseguard::http::auth::{Access, ROUTES};
    let app = spawn_app().await;
    let admin = app.create_token("admin", &[Scope::Admin]).await;
    app.use_token(Some(&admin));
    let (status, _) = app
        .post_json("/v1/watch", json!({ "domains": ["example.com"] }))
        .await;
    assert!(status.is_success());
    app.use_token(None);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    for route in ROUTES {
        let path = route
            .path
            .replace("{domain}", "example.com")
            .replace("{host}", "rdap.example:443")
            .replace("{action}", "release")
            .replace("{*rest}", "index.html");
        let method = Method::from_bytes(route.method.as_bytes()).expect("method");
        let body = match (route.method, route.path) {
            ("POST", "/check-recovery-eligible") => Some(json!({ "email": "a@example.com" })),
            ("POST", "/v1/watch") => Some(json!({ "domains": ["example.com"] })),
            ("PUT", _) => Some(json!({ "decision": "deny", "note": "ticket 1" })),
            _ => None,
        };
        let send = |token: Option<&str>| {
            let mut request = http.request(method.clone(), format!("{}{path}", app.address));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            if let Some(body) = &body {
                request = request
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(body.to_string());
            }
            async move {
                let response = request.send().await.expect("request");
                let status = response.status();
                let bytes = response.bytes().await.expect("body");
                let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                (status, body)
            }
        };
        let (status, body) = send(None).await;
        match route.access {
            Access::Token(_) => {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}: {body}")
            }
            Access::Open | Access::Console => {
                assert_ne!(body["code"], "missing_token", "{method} {path}");
                assert!(
                    status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
                    "{method} {path}: {status} {body}"
                );
            }
        }
        let (_, body) = send(Some(&admin)).await;
        assert!(
            body["detail"] != "no route answers this path" && body["code"] != "method_not_allowed",
            "{method} {path} is declared but not served: {body}"
        );
    }
    // A path no route matches reaches only the fallback.
    let (status, _, body) = app
        .request_with(None, Method::GET, "/v1/nothing-here", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["detail"], "no route answers this path");
}
