//! Building the application: state, router, listener, graceful shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::{IntoResponse, Response};
use thiserror::Error;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use std::pin::Pin;

use tokio_util::sync::CancellationToken;

use crate::checker::{CheckSettings, Checker};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::error::ApiError;
use crate::http;
use crate::memory::StatusMemory;
use crate::observer::{Observer, ObserverParts};
use crate::refresh::changes::follow_changes;
use crate::refresh::leader::run_while_leader;
use crate::refresh::pacer::HostPacer;
use crate::refresh::scheduler::Scheduler;
use crate::refresh::webhook::WebhookSender;
use crate::store::{self, Store, StoreError};
use crate::upstream::bootstrap::{BootstrapError, BootstrapSlot, BootstrapSource};
use crate::upstream::rdap::{RdapClient, RdapLookup};

/// How long to wait before fetching a bootstrap URL again after a failure.
const BOOTSTRAP_RETRY: Duration = Duration::from_secs(30);

#[derive(Debug, Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Bootstrap(#[from] BootstrapError),
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(#[from] reqwest::Error),
    #[error("cannot listen: {0}")]
    Listen(#[from] std::io::Error),
    #[error("cannot set up webhooks: {0}")]
    Webhook(String),
}

/// Everything a request handler, or the background work, may need.
pub struct App {
    pub checker: Checker,
    /// The request path's memory, kept in step with the store.
    pub memory: Arc<StatusMemory>,
    pub store: Arc<dyn Store>,
    pub bootstrap: Arc<BootstrapSlot>,
    pub clock: Arc<dyn Clock>,
    pub scheduler: Arc<Scheduler>,
    /// Present when `LAPSEGUARD_WEBHOOK_URL` is set.
    pub webhooks: Option<Arc<WebhookSender>>,
}

pub type AppState = Arc<App>;

impl App {
    /// Opens and migrates the store, loads the bootstrap (a URL in the background, with
    /// retries; a file or the embedded snapshot at once) and wires the checker.
    pub async fn build(config: &Config) -> Result<AppState, StartError> {
        let store = store::connect(&config.database_url).await?;
        store.migrate().await?;
        Self::with_store(config, store, Arc::new(SystemClock)).await
    }

    /// As [`App::build`], with a given store and clock.
    pub async fn with_store(
        config: &Config,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
    ) -> Result<AppState, StartError> {
        let client = Arc::new(RdapClient::new(
            config.allow_http_upstreams,
            config.lookup_deadline,
        )?);
        let bootstrap = Arc::new(BootstrapSlot::default());
        match &config.bootstrap {
            BootstrapSource::Url(_) => {
                tokio::spawn(load_bootstrap_until_done(
                    config.clone(),
                    Arc::clone(&client),
                    Arc::clone(&bootstrap),
                ));
            }
            source => {
                let table = source.load(&client, config.allow_http_upstreams).await?;
                bootstrap.set(table.with_overrides(&config.rdap_servers));
            }
        }
        let lookup = Arc::new(RdapLookup::new(Arc::clone(&bootstrap), client));
        let memory = Arc::new(StatusMemory::new(config.cache_capacity));
        let observer = Arc::new(Observer::new(ObserverParts {
            store: Arc::clone(&store),
            lookup,
            clock: Arc::clone(&clock),
            memory: Arc::clone(&memory),
            pacer: Arc::new(HostPacer::new(&config.host_rates)),
            deadline: config.lookup_deadline,
            failure_cooldown: config.failure_cooldown,
            settings: config.record_settings(),
        }));
        let checker = Checker::new(
            Arc::clone(&observer),
            CheckSettings {
                max_status_age: config.max_status_age,
                deadline: config.lookup_deadline,
                policy: config.policy(),
            },
        );
        let scheduler = Arc::new(Scheduler::new(observer, config.refresh_concurrency));
        let webhooks = match (&config.webhook_url, &config.webhook_secret) {
            (Some(url), Some(secret)) => Some(Arc::new(
                WebhookSender::new(
                    url.clone(),
                    secret,
                    config.allow_http_upstreams,
                    Arc::clone(&store),
                    Arc::clone(&clock),
                )
                .map_err(StartError::Webhook)?,
            )),
            _ => None,
        };
        Ok(Arc::new(Self {
            checker,
            memory,
            store,
            bootstrap,
            clock,
            scheduler,
            webhooks,
        }))
    }
}

async fn load_bootstrap_until_done(
    config: Config,
    client: Arc<RdapClient>,
    slot: Arc<BootstrapSlot>,
) {
    loop {
        match config
            .bootstrap
            .load(&client, config.allow_http_upstreams)
            .await
        {
            Ok(table) => {
                tracing::info!(suffixes = table.len(), "RDAP bootstrap loaded");
                slot.set(table.with_overrides(&config.rdap_servers));
                return;
            }
            Err(error) => {
                tracing::warn!(error = %error, retry_seconds = BOOTSTRAP_RETRY.as_secs(), "RDAP bootstrap did not load");
                tokio::time::sleep(BOOTSTRAP_RETRY).await;
            }
        }
    }
}

/// The router with its middleware: body limit, panics as 500 problems, request traces.
pub fn router(state: AppState) -> Router {
    let (api, openapi) = http::routes().split_for_parts();
    let openapi_json = openapi.to_pretty_json().unwrap_or_default();
    api.route(
        "/openapi.json",
        axum::routing::get(move || async move {
            (
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                openapi_json,
            )
        }),
    )
    .fallback(|| async { ApiError::NotFound })
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
        let store = store::connect(&config.database_url).await?;
        store.migrate().await?;
        let state = App::with_store(config, store, clock).await?;
        let listener = TcpListener::bind(config.listen).await?;
        Ok(Self {
            listener,
            router: router(Arc::clone(&state)),
            state,
            run_scheduler: config.scheduler,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or_default()
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
        let cancel = CancellationToken::new();
        let background = self
            .run_scheduler
            .then(|| tokio::spawn(run_background(Arc::clone(&self.state), cancel.clone())));
        // Every replica follows the change log: its memory must see what others record.
        let changes = tokio::spawn(follow_changes(
            Arc::clone(&self.state.store),
            Arc::clone(&self.state.memory),
            Arc::clone(&self.state.clock),
            cancel.clone(),
        ));
        let served = axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await;
        cancel.cancel();
        // What checks observed is written before the process ends.
        self.state.checker.settled().await;
        if let Err(error) = changes.await {
            tracing::error!(error = %error, "the change follower ended abnormally");
        }
        if let Some(background) = background
            && let Err(error) = background.await
        {
            tracing::error!(error = %error, "background work ended abnormally");
        }
        served
    }
}

/// The scheduler and webhook delivery, on whichever replica holds the lease.
async fn run_background(state: AppState, cancel: CancellationToken) {
    let holder = format!(
        "{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    );
    let store = Arc::clone(&state.store);
    run_while_leader(store, holder, cancel, move |token| {
        let mut work: Vec<Pin<Box<dyn Future<Output = ()> + Send>>> =
            vec![Box::pin(Arc::clone(&state.scheduler).run(token.clone()))];
        if let Some(webhooks) = &state.webhooks {
            work.push(Box::pin(Arc::clone(webhooks).run(token)));
        }
        work
    })
    .await;
}

/// Completes on Ctrl-C or SIGTERM.
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
