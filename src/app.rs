//! The application state (`App`, `AppState`) and how it is built: store, bootstrap,
//! lookup, memory, checker, scheduler, webhooks. Serving it is `startup.rs`.

use std::sync::Arc;

use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use thiserror::Error;

use crate::access::TokenRing;
use crate::checker::Checker;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::memory::StatusMemory;
use crate::observer::{Observer, ObserverParts};
use crate::overrides::OverrideBook;
use crate::refresh::delegation::DelegationSweep;
use crate::refresh::notices::ExpiryNotifier;
use crate::refresh::retention::Pruner;
use crate::refresh::scheduler::Scheduler;
use crate::refresh::webhook::WebhookSender;
use crate::store::{self, RecordSettings, Store, StoreError};
use crate::upstream::bootstrap::{Bootstrap, BootstrapError, BootstrapSlot, BootstrapSource};
use crate::upstream::dns::DnsLookup;
use crate::upstream::fastly::FastlyLookup;
use crate::upstream::http::UpstreamHttp;
use crate::upstream::pacer::HostPacer;
use crate::upstream::rdap::RdapLookup;
use crate::upstream::trust::ResolverTrust;
use crate::upstream::{Lookup, Sources, UpstreamSettings};

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
    #[error("cannot set up DNS: {0}")]
    Dns(String),
    #[error("routes without a declared scope in http/auth.rs ROUTES: {}", .0.join(", "))]
    UndeclaredRoutes(Vec<String>),
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
    /// Present unless `LAPSEGUARD_DNS=off`.
    pub delegation: Option<Arc<DelegationSweep>>,
    /// Present when `LAPSEGUARD_WEBHOOK_URL` is set.
    pub webhooks: Option<Arc<WebhookSender>>,
    /// Prunes old observations and delivered webhook rows (on the leader).
    pub pruner: Arc<Pruner>,
    /// Publishes expiry notices (on the leader).
    pub notifier: Arc<ExpiryNotifier>,
    /// The HTTP upstreams' client: its host pauses are shared between replicas.
    pub http: Arc<UpstreamHttp>,
    /// The API tokens, in step with the store.
    pub tokens: Arc<TokenRing>,
    /// The overrides every check consults, in step with the store.
    pub overrides: Arc<OverrideBook>,
    /// `GET /v1/stats`, computed at most every few seconds.
    pub stats: crate::stats::StatsCache,
    /// Whether the resolver's NXDOMAIN is believed; `None` when DNS is off.
    pub dns_trust: Option<Arc<ResolverTrust>>,
    /// Every background task the app runs (the bootstrap reload, the start's DNS probe,
    /// the followers, the leader's work), so that shutdown can stop them and wait for
    /// them, bounded (`startup.rs`). The observer's group-commit writers and spool flusher
    /// are not among them: they end with the observer, after shutdown's last flush.
    pub tasks: TaskTracker,
    /// Cancelled at shutdown: every task in `tasks` ends when it is.
    pub shutdown: CancellationToken,
}

pub type AppState = Arc<App>;

impl App {
    /// Opens and migrates the store, loads the bootstrap (a URL in the background, with
    /// retries; a file or the embedded snapshot at once) and wires the checker.
    pub async fn build(config: &Config) -> Result<AppState, StartError> {
        let store = store::connect(config.database_url.expose()).await?;
        store.migrate().await?;
        Self::with_store(config, store, Arc::new(SystemClock)).await
    }

    /// As [`App::build`], with a given store and clock.
    pub async fn with_store(
        config: &Config,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
    ) -> Result<AppState, StartError> {
        // Before anything records a metric: a handle taken earlier would count nowhere.
        crate::telemetry::metrics::handle();
        let upstream = &config.upstream;
        let client = Arc::new(UpstreamHttp::new(
            upstream.allow_http,
            upstream.lookup_deadline,
        )?);
        let tasks = TaskTracker::new();
        let shutdown = CancellationToken::new();
        let bootstrap = Arc::new(BootstrapSlot::default());
        let supplement = Bootstrap::load_supplement(&upstream.supplement, upstream.allow_http)?;
        match &upstream.bootstrap {
            BootstrapSource::Url(_) => {
                tasks.spawn(keep_bootstrap_loaded(
                    upstream.clone(),
                    supplement,
                    Arc::clone(&client),
                    Arc::clone(&bootstrap),
                    shutdown.clone(),
                ));
            }
            source => {
                let table = client.load_bootstrap(source, upstream.allow_http).await?;
                bootstrap.set(complete(table, supplement.as_ref(), upstream));
            }
        }
        let dns_lookup = match &upstream.dns {
            Some(settings) => Some(Arc::new(DnsLookup::new(settings).map_err(StartError::Dns)?)),
            None => None,
        };
        let dns_trust = dns_lookup.as_ref().map(|dns| Arc::clone(dns.trust()));
        if let Some(dns) = &dns_lookup {
            // The first probe at start: a lying resolver is named in the log at once.
            let dns = Arc::clone(dns);
            tasks.spawn(async move { dns.probe_trust("com").await });
        }
        let dns: Option<Arc<dyn Lookup>> = dns_lookup.map(|dns| dns as Arc<dyn Lookup>);
        // The registry sources, in order of preference: RDAP where a server is known,
        // else Fastly for operators with a key.
        let mut registries: Vec<Arc<dyn Lookup>> = vec![Arc::new(RdapLookup::new(
            Arc::clone(&bootstrap),
            Arc::clone(&client),
        ))];
        let http = Arc::clone(&client);
        if let Some(fastly) = &upstream.fastly {
            let lookup = FastlyLookup::new(fastly.clone(), client, dns.clone());
            registries.push(Arc::new(lookup));
        }
        let sources = Sources::new(registries, dns);
        let memory = Arc::new(StatusMemory::new(config.memory.capacity));
        let observer = Arc::new(Observer::new(ObserverParts {
            store: Arc::clone(&store),
            sources,
            breaker: upstream.breaker,
            clock: Arc::clone(&clock),
            memory: Arc::clone(&memory),
            pacer: Arc::new(HostPacer::new(&upstream.host_rates, upstream.request_share)),
            deadline: upstream.lookup_deadline,
            failure_cooldown: config.memory.failure_cooldown,
            settings: RecordSettings {
                schedule: config.schedule,
                webhooks: config.webhook.is_some(),
                guard: config.guard,
            },
            spool_capacity: config.memory.spool_capacity,
            route_ages: config.check.policy.route_ages(),
        }));
        let tokens = Arc::new(TokenRing::default());
        tokens.reload(store.as_ref()).await?;
        let overrides = Arc::new(OverrideBook::default());
        overrides.reload(store.as_ref()).await?;
        let checker = Checker::new(Arc::clone(&observer), config.check, Arc::clone(&overrides));
        let delegation = upstream.dns.is_some().then(|| {
            let sweep = DelegationSweep::new(Arc::clone(&observer), config.refresh.concurrency);
            Arc::new(sweep)
        });
        let scheduler = Arc::new(Scheduler::new(observer, config.refresh.concurrency));
        let webhooks = match &config.webhook {
            Some(settings) => Some(Arc::new(
                WebhookSender::new(
                    settings.clone(),
                    upstream.allow_http,
                    Arc::clone(&store),
                    Arc::clone(&clock),
                )
                .map_err(StartError::Webhook)?,
            )),
            None => None,
        };
        let pruner = Arc::new(Pruner::new(
            Arc::clone(&store),
            Arc::clone(&clock),
            config.retention,
        ));
        let notifier = Arc::new(ExpiryNotifier::new(
            Arc::clone(&store),
            Arc::clone(&clock),
            config.expiry_notices.clone(),
            config.webhook.is_some(),
        ));
        Ok(Arc::new(Self {
            checker,
            memory,
            store,
            bootstrap,
            clock,
            scheduler,
            delegation,
            webhooks,
            tokens,
            overrides,
            stats: crate::stats::StatsCache::default(),
            dns_trust,
            pruner,
            notifier,
            http,
            tasks,
            shutdown,
        }))
    }
}

/// IANA's table with the supplement beneath it and the operator's overrides above it.
fn complete(
    table: Bootstrap,
    supplement: Option<&Bootstrap>,
    upstream: &UpstreamSettings,
) -> Bootstrap {
    table
        .with_supplement(supplement)
        .with_overrides(&upstream.rdap_servers)
}

/// Loads a bootstrap URL until it succeeds (every `BOOTSTRAP_RETRY`), then again every
/// `LAPSEGUARD_RDAP_BOOTSTRAP_RELOAD_SECONDS` (a day): IANA's file changes as registries
/// add RDAP servers. A failed reload keeps the table in use and tries again sooner.
async fn keep_bootstrap_loaded(
    upstream: UpstreamSettings,
    supplement: Option<Bootstrap>,
    client: Arc<UpstreamHttp>,
    slot: Arc<BootstrapSlot>,
    shutdown: CancellationToken,
) {
    loop {
        let wait = match client
            .load_bootstrap(&upstream.bootstrap, upstream.allow_http)
            .await
        {
            Ok(table) => {
                tracing::info!(suffixes = table.len(), "RDAP bootstrap loaded");
                slot.set(complete(table, supplement.as_ref(), &upstream));
                upstream.bootstrap_reload
            }
            Err(error) => {
                let kept = slot.get().is_some();
                let retry = BOOTSTRAP_RETRY.min(upstream.bootstrap_reload);
                tracing::warn!(error = %error, kept_previous = kept, retry_seconds = retry.as_secs(), "RDAP bootstrap did not load");
                retry
            }
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = shutdown.cancelled() => return,
        }
    }
}
