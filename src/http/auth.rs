//! Which scope each route needs, and the middleware that asks the token ring
//! (`access.rs`) before a handler runs. `/healthz`, `/readyz`, `/openapi.json` and
//! `/docs` need none.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::access::Refusal;
use crate::app::AppState;
use crate::domain::access::Scope;
use crate::error::ApiError;

/// The recovery check's path.
pub const CHECK_PATH: &str = "/check-recovery-eligible";

/// The scope a request needs: `check` for the recovery check, `read` for every read
/// under `/v1`, `admin` for every write there; `None` for the open routes.
pub fn required_scope(method: &Method, path: &str) -> Option<Scope> {
    if path == CHECK_PATH {
        return Some(Scope::Check);
    }
    if path == "/v1" || path.starts_with("/v1/") {
        let read = method == Method::GET || method == Method::HEAD;
        return Some(if read { Scope::Read } else { Scope::Admin });
    }
    None
}

/// Lets a request through when its token (or protected mode) allows the route; the
/// handler then finds the [`crate::access::Actor`] in the request's extensions.
pub async fn authorize(State(app): State<AppState>, mut request: Request, next: Next) -> Response {
    let Some(needed) = required_scope(request.method(), request.uri().path()) else {
        return next.run(request).await;
    };
    let loopback = on_loopback(&request);
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.as_bytes());
    let now = app.clock.now();
    match app.tokens.authorize(authorization, loopback, needed, now) {
        Ok(granted) => {
            if let Some(name) = granted.touch {
                let store = Arc::clone(&app.store);
                tokio::spawn(async move {
                    if let Err(error) = store.token_used(&name, now).await {
                        tracing::warn!(token = %name, error = %error, "cannot record a token's last use");
                    }
                });
            }
            request.extensions_mut().insert(granted.actor);
            next.run(request).await
        }
        Err(refusal) => refused(refusal).into_response(),
    }
}

fn refused(refusal: Refusal) -> ApiError {
    let unauthenticated = |detail: &str| ApiError::Unauthenticated {
        detail: detail.to_owned(),
    };
    match refusal {
        Refusal::NoTokenYet => unauthenticated(
            "no API token exists yet, so only loopback clients are served; create one with \
             `lapseguard token create --name NAME --scope admin` (in Docker Compose: \
             `docker compose run --rm lapseguard token create ...`) and send it as \
             `Authorization: Bearer TOKEN`",
        ),
        Refusal::Missing => unauthenticated("send an API token as `Authorization: Bearer TOKEN`"),
        Refusal::Unknown => unauthenticated("the API token is not known (revoked, or mistyped)"),
        Refusal::Scope(scope) => ApiError::InsufficientScope {
            scope: scope.as_str(),
        },
    }
}

/// Whether the peer is this machine, talking directly: a request a proxy forwarded
/// counts as remote, since the proxy's own address says nothing of its client.
fn on_loopback(request: &Request) -> bool {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip());
    peer.is_some_and(|ip| ip.is_loopback()) && !forwarded(request.headers())
}

fn forwarded(headers: &HeaderMap) -> bool {
    ["forwarded", "x-forwarded-for", "x-real-ip"]
        .iter()
        .any(|name| headers.contains_key(*name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_route_needs_its_scope() {
        assert_eq!(
            required_scope(&Method::POST, CHECK_PATH),
            Some(Scope::Check)
        );
        assert_eq!(
            required_scope(&Method::GET, "/v1/domains"),
            Some(Scope::Read)
        );
        assert_eq!(
            required_scope(&Method::PUT, "/v1/overrides/a.com"),
            Some(Scope::Admin)
        );
        assert_eq!(
            required_scope(&Method::DELETE, "/v1/watch/a.com"),
            Some(Scope::Admin)
        );
        assert_eq!(required_scope(&Method::GET, "/healthz"), None);
        assert_eq!(required_scope(&Method::GET, "/docs/"), None);
        assert_eq!(required_scope(&Method::GET, "/v1x"), None);
    }
}
