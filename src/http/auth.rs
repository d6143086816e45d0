//! Which scope each route needs, and the middleware that asks the token ring
//! (`access.rs`) before a handler runs. `/healthz`, `/readyz`, `/openapi.json` and
//! `/docs` need none.

use std::future::{Ready, ready};
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, HeaderName, Method, header};
use axum::response::{IntoResponse, Response};
use futures_util::future::Either;
use tower::{Layer, Service};

use crate::access::Refusal;
use crate::app::AppState;
use crate::domain::access::Scope;
use crate::error::ApiError;

/// The recovery check's path.
pub const CHECK_PATH: &str = "/check-recovery-eligible";
/// Prometheus's scrape path: `read`, like every read under `/v1`.
pub const METRICS_PATH: &str = "/metrics";

/// The scope a request needs: `check` for the recovery check, `read` for every read
/// under `/v1` and for `/metrics`, `admin` for every write under `/v1`; `None` for the open
/// routes.
pub fn required_scope(method: &Method, path: &str) -> Option<Scope> {
    if path == CHECK_PATH {
        return Some(Scope::Check);
    }
    if path == METRICS_PATH {
        return Some(Scope::Read);
    }
    if path == "/v1" || path.starts_with("/v1/") {
        let read = method == Method::GET || method == Method::HEAD;
        return Some(if read { Scope::Read } else { Scope::Admin });
    }
    None
}

/// The middleware: lets a request through when its token (or protected mode) allows the
/// route; the handler then finds the [`crate::access::Actor`] in the request's
/// extensions. A plain `tower` layer rather than `middleware::from_fn`: the request path
/// pays for no boxed future and no clone of the inner service.
#[derive(Clone)]
pub struct AuthLayer {
    app: AppState,
}

impl AuthLayer {
    pub fn new(app: AppState) -> Self {
        Self { app }
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = Authorize<S>;

    fn layer(&self, inner: S) -> Authorize<S> {
        Authorize {
            inner,
            app: Arc::clone(&self.app),
        }
    }
}

#[derive(Clone)]
pub struct Authorize<S> {
    inner: S,
    app: AppState,
}

impl<S> Service<Request> for Authorize<S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Either<Ready<Result<Response, S::Error>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        match authorize(&self.app, &mut request) {
            Ok(()) => Either::Right(self.inner.call(request)),
            Err(refused) => Either::Left(ready(Ok(refused.into_response()))),
        }
    }
}

/// Decides a request; on success, puts the actor of a write in the request's extensions.
fn authorize(app: &AppState, request: &mut Request) -> Result<(), ApiError> {
    let Some(needed) = required_scope(request.method(), request.uri().path()) else {
        return Ok(());
    };
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.as_bytes());
    let now = app.clock.now();
    let granted = app
        .tokens
        .authorize(authorization, || on_loopback(request), needed, now)
        .map_err(refused)?;
    if let Some(name) = granted.touch {
        let store = Arc::clone(&app.store);
        tokio::spawn(async move {
            if let Err(error) = store.token_used(&name, now).await {
                tracing::warn!(token = %name, error = %error, "cannot record a token's last use");
            }
        });
    }
    // Only writes are audited: a check or a read does not pay for the insertion.
    if needed == Scope::Admin {
        request.extensions_mut().insert(granted.actor);
    }
    Ok(())
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
    direct_from_loopback(peer, request.headers())
}

/// [`on_loopback`] from the peer's address and the request's headers (the admin console
/// asks it too).
pub fn direct_from_loopback(peer: Option<std::net::IpAddr>, headers: &HeaderMap) -> bool {
    peer.is_some_and(|ip| ip.is_loopback()) && !forwarded(headers)
}

fn forwarded(headers: &HeaderMap) -> bool {
    const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
    const X_REAL_IP: HeaderName = HeaderName::from_static("x-real-ip");
    [header::FORWARDED, X_FORWARDED_FOR, X_REAL_IP]
        .iter()
        .any(|name| headers.contains_key(name))
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
        assert_eq!(required_scope(&Method::GET, "/metrics"), Some(Scope::Read));
        assert_eq!(required_scope(&Method::GET, "/docs/"), None);
        assert_eq!(required_scope(&Method::GET, "/v1x"), None);
    }
}
