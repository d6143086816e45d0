//! Who may use each route, declared in one table ([`ROUTES`]), and the middleware that
//! asks the token ring (`access.rs`) before a handler runs. Deny by default: a route the
//! table does not declare needs an `admin` token, and the service refuses to start when
//! a documented operation is missing from it ([`undeclared_operations`]); the OpenAPI
//! document's `security` is written from the same table (`http/openapi.rs`).

use std::future::{Ready, ready};
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::{ConnectInfo, MatchedPath, Request};
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

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone: health, readiness, the API document and its page.
    Open,
    /// The admin console: its pages ask for their own session (`console/session.rs`),
    /// and its sign-in page is where a session starts.
    Console,
    /// An API token (or protected mode) with this scope.
    Token(Scope),
}

/// One declared route: its method (`GET` covers `HEAD`), its path as the router writes
/// it, and who may use it.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

const fn route(method: &'static str, path: &'static str, access: Access) -> Route {
    Route {
        method,
        path,
        access,
    }
}

const CHECK: Access = Access::Token(Scope::Check);
const READ: Access = Access::Token(Scope::Read);
const ADMIN: Access = Access::Token(Scope::Admin);

/// Every route lapseguard serves, with who may use it.
pub const ROUTES: &[Route] = &[
    route("POST", CHECK_PATH, CHECK),
    route("POST", "/v1/check-batch", CHECK),
    route("GET", METRICS_PATH, READ),
    route("GET", "/v1/domains", READ),
    route("GET", "/v1/domains/{domain}", READ),
    route("POST", "/v1/domains/{domain}/refresh", ADMIN),
    route("GET", "/v1/transitions", READ),
    route("GET", "/v1/overrides", READ),
    route("PUT", "/v1/overrides/{domain}", ADMIN),
    route("DELETE", "/v1/overrides/{domain}", ADMIN),
    route("GET", "/v1/audit", READ),
    route("GET", "/v1/stats", READ),
    route("GET", "/v1/holds", READ),
    route("POST", "/v1/holds/{host}/release", ADMIN),
    route("POST", "/v1/holds/{host}/discard", ADMIN),
    route("POST", "/v1/watch", ADMIN),
    route("DELETE", "/v1/watch/{domain}", ADMIN),
    route("GET", "/healthz", Access::Open),
    route("GET", "/readyz", Access::Open),
    route("GET", "/openapi.json", Access::Open),
    route("GET", "/docs", Access::Open),
    route("GET", "/docs/", Access::Open),
    route("GET", "/docs/{*rest}", Access::Open),
    route("GET", "/admin", Access::Console),
    route("GET", "/admin/console.css", Access::Console),
    route("GET", "/admin/sign-in", Access::Console),
    route("POST", "/admin/sign-in", Access::Console),
    route("POST", "/admin/sign-out", Access::Console),
    route("GET", "/admin/domains", Access::Console),
    route("GET", "/admin/domains/{domain}", Access::Console),
    route("POST", "/admin/domains/{domain}/refresh", Access::Console),
    route("POST", "/admin/domains/{domain}/override", Access::Console),
    route(
        "POST",
        "/admin/domains/{domain}/override/remove",
        Access::Console,
    ),
    route("POST", "/admin/holds/{host}/{action}", Access::Console),
    route("GET", "/admin/overrides", Access::Console),
    route("GET", "/admin/audit", Access::Console),
];

/// Who may use the route the router matched (`path` as the router writes it); `None`
/// when the table does not declare it.
pub fn declared(method: &Method, path: &str) -> Option<Access> {
    let method = if method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    ROUTES
        .iter()
        .find(|r| r.path == path && r.method == method)
        .map(|r| r.access)
}

/// Who may use a request that matched `path`: as declared, else (deny by default) only
/// an `admin` token. A request that matched no route reaches only the 404 fallback,
/// which reads nothing: it is open.
pub fn access(method: &Method, matched: Option<&str>) -> Access {
    match matched {
        Some(path) => declared(method, path).unwrap_or(ADMIN),
        None => Access::Open,
    }
}

/// The documented operations (`METHOD path`) the table does not declare: the service
/// does not start while there is one.
pub fn undeclared_operations(document: &serde_json::Value) -> Vec<String> {
    let mut missing = Vec::new();
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        for method in item.as_object().into_iter().flatten().map(|(m, _)| m) {
            let known = Method::from_bytes(method.to_ascii_uppercase().as_bytes())
                .ok()
                .and_then(|m| declared(&m, path));
            if known.is_none() {
                missing.push(format!("{} {path}", method.to_ascii_uppercase()));
            }
        }
    }
    missing
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

/// Decides a request; on success, puts the [`crate::access::Actor`] of a token's request
/// in its extensions.
fn authorize(app: &AppState, request: &mut Request) -> Result<(), ApiError> {
    let matched = request
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str);
    let Access::Token(needed) = access(request.method(), matched) else {
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
    request.extensions_mut().insert(granted.actor);
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
        let get = |path| access(&Method::GET, Some(path));
        assert_eq!(access(&Method::POST, Some(CHECK_PATH)), CHECK);
        assert_eq!(get("/v1/domains"), READ);
        assert_eq!(access(&Method::HEAD, Some("/v1/domains")), READ);
        assert_eq!(access(&Method::PUT, Some("/v1/overrides/{domain}")), ADMIN);
        assert_eq!(access(&Method::DELETE, Some("/v1/watch/{domain}")), ADMIN);
        assert_eq!(get("/healthz"), Access::Open);
        assert_eq!(get(METRICS_PATH), READ);
        assert_eq!(get("/docs/{*rest}"), Access::Open);
        assert_eq!(get("/admin/domains/{domain}"), Access::Console);
    }

    #[test]
    fn an_undeclared_route_needs_an_admin_token() {
        assert_eq!(declared(&Method::GET, "/v1/secrets"), None);
        assert_eq!(access(&Method::GET, Some("/v1/secrets")), ADMIN);
        assert_eq!(access(&Method::GET, Some("/healthz/deep")), ADMIN);
        // A declared path with another method: the router answers 405, to an admin.
        assert_eq!(access(&Method::DELETE, Some("/v1/stats")), ADMIN);
        assert_eq!(access(&Method::GET, None), Access::Open, "the 404 fallback");
    }

    #[test]
    fn every_documented_operation_is_declared() {
        assert_eq!(
            undeclared_operations(&crate::http::openapi()),
            Vec::<String>::new()
        );
        let extra = serde_json::json!({"paths": {"/v1/new": {"get": {}}}});
        assert_eq!(undeclared_operations(&extra), vec!["GET /v1/new"]);
    }
}
