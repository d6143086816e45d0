//! Serving the application: the router and its middleware, the listener, the background
//! work (scheduler and webhooks on the lease holder, the change follower everywhere) and
//! graceful shutdown.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::app::{App, AppState, StartError};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::error::ApiError;
use crate::http;
use crate::refresh::changes::follow_changes;
use crate::refresh::leader::run_while_leader;
use crate::refresh::pauses::follow_pauses;
use crate::refresh::settings::follow_settings;
use crate::store;

/// The router with its middleware: body limit, panics as 500 problems, request traces.
pub fn router(state: AppState) -> Router {
    router_serving(state, http::openapi())
}

/// [`router`], serving `document` (the finished OpenAPI document) at `/openapi.json`.
fn router_serving(state: AppState, document: serde_json::Value) -> Router {
    let (api, _) = http::routes().split_for_parts();
    // The finished document at /openapi.json, and the API docs page at /docs, whose
    // Swagger UI files are compiled in (no CDN); without the online validator, whose badge
    // Swagger UI would load from validator.swagger.io.
    let docs = utoipa_swagger_ui::SwaggerUi::new("/docs")
        .external_url_unchecked("/openapi.json", document)
        .config(utoipa_swagger_ui::Config::default().validator_url("none"));
    api.merge(docs)
        .merge(crate::console::routes())
        .route("/metrics", axum::routing::get(http::metrics::metrics))
        .fallback(|| async { ApiError::NoRoute })
        .layer(http::auth::AuthLayer::new(Arc::clone(&state)))
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .with_state(state)
        .layer(DefaultBodyLimit::max(http::MAX_BODY_BYTES))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::DEBUG)),
        )
}

fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    ApiError::Internal.into_response()
}

/// A built application bound to its port, ready to serve.
pub struct Application {
    listener: TcpListener,
    /// `LAPSEGUARD_METRICS_LISTEN`, bound.
    metrics_listener: Option<TcpListener>,
    router: Router,
    state: AppState,
    run_scheduler: bool,
}

impl Application {
    /// Builds the app and binds `config.listen` (port 0 picks a free port).
    pub async fn build(config: &Config) -> Result<Self, StartError> {
        Self::build_with_clock(config, Arc::new(SystemClock)).await
    }

    /// As [`Application::build`], on a given clock (tests drive the scheduler with one).
    pub async fn build_with_clock(
        config: &Config,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StartError> {
        // Deny by default: a documented operation nobody declared a scope for is a bug.
        let document = http::openapi();
        let undeclared = http::auth::undeclared_operations(&document);
        if !undeclared.is_empty() {
            return Err(StartError::UndeclaredRoutes(undeclared));
        }
        let store = store::connect(config.database_url.expose()).await?;
        store.migrate().await?;
        let state = App::with_store(config, store, clock).await?;
        let listener = TcpListener::bind(config.listen).await?;
        let metrics_listener = match config.metrics_listen {
            Some(address) => Some(TcpListener::bind(address).await?),
            None => None,
        };
        Ok(Self {
            listener,
            metrics_listener,
            router: router_serving(Arc::clone(&state), document),
            state,
            run_scheduler: config.refresh.run,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or_default()
    }

    /// The metrics listener's port, when there is one.
    pub fn metrics_port(&self) -> Option<u16> {
        let listener = self.metrics_listener.as_ref()?;
        listener.local_addr().ok().map(|a| a.port())
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight and
    /// stops the background work (which gives its lease up).
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        tracing::info!(address = %self.listener.local_addr()?, "lapseguard is listening");
        let cancel = self.state.shutdown.clone();
        let tasks = &self.state.tasks;
        if self.run_scheduler {
            tasks.spawn(run_background(Arc::clone(&self.state), cancel.clone()));
        }
        // Every replica follows the change log: its memory must see what others record.
        tasks.spawn(follow_changes(
            Arc::clone(&self.state.store),
            Arc::clone(&self.state.memory),
            Arc::clone(&self.state.clock),
            cancel.clone(),
        ));
        // Pauses, like leases, coordinate processes: on the system clock, also when the
        // app's clock is simulated (tests).
        tasks.spawn(follow_pauses(
            Arc::clone(&self.state.store),
            Arc::clone(&self.state.http),
            Arc::new(SystemClock),
            cancel.clone(),
        ));
        tasks.spawn(follow_settings(
            Arc::clone(&self.state.store),
            Arc::clone(&self.state.tokens),
            Arc::clone(&self.state.overrides),
            cancel.clone(),
        ));
        if let Some(listener) = self.metrics_listener {
            let router = Router::new()
                .route("/metrics", axum::routing::get(http::metrics::metrics))
                .fallback(|| async { ApiError::NoRoute })
                .with_state(Arc::clone(&self.state));
            let stop = cancel.clone();
            tasks.spawn(async move {
                let served = axum::serve(listener, router)
                    .with_graceful_shutdown(async move { stop.cancelled().await })
                    .await;
                if let Err(error) = served {
                    tracing::error!(error = %error, "the metrics listener failed");
                }
            });
        }
        // Protected mode needs each request's peer address.
        let service = self
            .router
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        let served = axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await;
        cancel.cancel();
        // What checks observed is written before the process ends, and what waits in the
        // spool gets a bounded time to reach the store.
        self.state.checker.settled().await;
        let left = self
            .state
            .checker
            .flush_spool(SPOOL_FLUSH_AT_SHUTDOWN)
            .await;
        if left > 0 {
            tracing::error!(
                left,
                "the store did not take every spooled observation before shutdown: they are lost"
            );
        }
        // The background tasks saw the cancellation; the leader gives its lease up.
        tasks.close();
        if tokio::time::timeout(BACKGROUND_STOP, tasks.wait())
            .await
            .is_err()
        {
            tracing::error!(
                running = tasks.len(),
                "background tasks did not stop in time after shutdown"
            );
        }
        served
    }
}

/// The scheduler, the delegation sweep, pruning and webhook delivery, on whichever
/// replica holds the lease.
async fn run_background(state: AppState, cancel: CancellationToken) {
    // Host, process and start time: unique, and tells an operator which replica leads
    // (`GET /v1/stats`).
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "host".to_owned());
    let holder = format!(
        "{host}-{}-{}",
        std::process::id(),
        SystemClock.now().timestamp_nanos_opt().unwrap_or_default()
    );
    let store = Arc::clone(&state.store);
    // Leases coordinate processes: they run on the system clock even when the app's own
    // clock is simulated (tests).
    run_while_leader(store, Arc::new(SystemClock), holder, cancel, move |token| {
        let mut work: Vec<Pin<Box<dyn Future<Output = ()> + Send>>> =
            vec![Box::pin(Arc::clone(&state.scheduler).run(token.clone()))];
        if let Some(sweep) = &state.delegation {
            work.push(Box::pin(Arc::clone(sweep).run(token.clone())));
        }
        work.push(Box::pin(Arc::clone(&state.pruner).run(token.clone())));
        work.push(Box::pin(Arc::clone(&state.notifier).run(token.clone())));
        if let Some(webhooks) = &state.webhooks {
            work.push(Box::pin(Arc::clone(webhooks).run(token)));
        }
        work
    })
    .await;
}

/// Completes on Ctrl-C or SIGTERM.
/// How long shutdown waits for the background tasks to stop.
const BACKGROUND_STOP: std::time::Duration = std::time::Duration::from_secs(10);

/// How long shutdown waits for the spool to reach the store.
const SPOOL_FLUSH_AT_SHUTDOWN: std::time::Duration = std::time::Duration::from_secs(10);

pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(error = %error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
