//! The one path every lookup takes, from a check, the scheduler or the delegation sweep:
//! ask the sources within the deadline, record what came back, and bring this process's
//! memory up to date in the same step. After each evidence lookup,
//! `Observer::note_lookup_result` ends the domain's cooldown (a success) or starts one
//! (a failure); what *cooldown* and *keep if newer* mean is in `memory.rs`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::SubsecRound;
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::domain::delegation::{Delegation, MAIL_ROUTE_KEPT_FOR, MailRoute, SeenRoute};
use crate::domain::lifecycle::Lifecycle;
use crate::domain::name::RegistrableDomain;
use crate::domain::ownership;
use crate::domain::signals::{Signal, SignalState};
use crate::domain::status::{DomainStatus, EvidenceSource, Finding, Observation};
use crate::memory::StatusMemory;
use crate::spool::{Spool, is_outage};
use crate::store::queue::RecordQueue;
use crate::store::{Origin, RecordSettings, Recorded, Recording, Role, Store, StoredStatus};
use crate::telemetry::metrics;
use crate::upstream::breaker::{BreakerSettings, Breakers, Gate};
use crate::upstream::pacer::HostPacer;
use crate::upstream::{Answer, Failure, Lookup, LookupError, Skipped, Sources};

/// What a check's lookup builds on: the stored status, or nothing known because the store
/// could not be read.
#[derive(Debug, Clone)]
pub enum Base {
    /// What the store (or memory, its copy) holds; `None` when the domain is new.
    Known(Option<Box<StoredStatus>>),
    /// The store did not answer and memory holds nothing: an `active` answer cannot be
    /// trusted, since a lapse or an earlier registration date may be stored.
    Unknown,
}

pub struct Observer {
    store: Arc<dyn Store>,
    sources: Sources,
    /// Per upstream host: checks stop asking one that keeps failing.
    breakers: Breakers,
    clock: Arc<dyn Clock>,
    memory: Arc<StatusMemory>,
    pacer: Arc<HostPacer>,
    deadline: Duration,
    failure_cooldown: Duration,
    /// The ages the delegation sweep judges route domains by.
    route_ages: ownership::RouteAges,
    settings: RecordSettings,
    /// Checks' observations still being written.
    writes: Arc<Writes>,
    /// The scheduler's writes, committed in groups.
    queue: RecordQueue,
    /// Observations the store could not take yet, written when it answers again.
    spool: Arc<Spool>,
    /// When each host's "no slot in the pace" was last logged.
    paced_log: OncePerMinute,
    /// Mail routes by mail domain (`mail_route_for_check`).
    mail_routes: moka::sync::Cache<String, Arc<SeenRoute>>,
}

/// What a check has of a mail domain's route.
#[derive(Debug)]
pub enum MailRouteForCheck {
    /// DNS is off (or the mail signals are ignored): routes are not judged.
    Off,
    /// Neither DNS in time nor memory has the route.
    Unavailable,
    /// The route, fresh or the last seen.
    Known(Arc<SeenRoute>),
}

/// The most mail domains whose routes are kept.
const MAIL_ROUTES_KEPT: u64 = 100_000;

/// A log line per key at most once a minute.
#[derive(Default)]
struct OncePerMinute(std::sync::Mutex<std::collections::HashMap<String, Instant>>);

impl OncePerMinute {
    /// Whether a line for `key` may be written now (and if so, that it was).
    fn due(&self, key: &str, now: Instant) -> bool {
        let mut last = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match last.get(key) {
            Some(at) if now.duration_since(*at) < Duration::from_secs(60) => false,
            _ => {
                last.insert(key.to_owned(), now);
                true
            }
        }
    }
}

/// Counts background writes, so that shutdown (and a test) can wait for them, and
/// whatever reads a domain's stored state to act on it can wait for that domain's.
#[derive(Default)]
struct Writes {
    pending: AtomicUsize,
    by_domain: std::sync::Mutex<std::collections::HashMap<RegistrableDomain, usize>>,
    done: Notify,
}

impl Writes {
    fn started(&self, domain: &RegistrableDomain) {
        self.pending.fetch_add(1, Ordering::AcqRel);
        let mut by_domain = self.by_domain.lock().unwrap_or_else(|e| e.into_inner());
        *by_domain.entry(domain.clone()).or_default() += 1;
    }

    fn finished(&self, domain: &RegistrableDomain) {
        {
            let mut by_domain = self.by_domain.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(n) = by_domain.get_mut(domain) {
                *n -= 1;
                if *n == 0 {
                    by_domain.remove(domain);
                }
            }
        }
        self.pending.fetch_sub(1, Ordering::AcqRel);
        self.done.notify_waiters();
    }

    /// Completes once `settled` holds, looked at again after each finished write.
    async fn until(&self, settled: impl Fn(&Self) -> bool) {
        loop {
            let done = self.done.notified();
            if settled(self) {
                return;
            }
            done.await;
        }
    }

    fn pending_for(&self, domain: &RegistrableDomain) -> bool {
        let by_domain = self.by_domain.lock().unwrap_or_else(|e| e.into_inner());
        by_domain.contains_key(domain)
    }
}

/// What an observer is built from.
pub struct ObserverParts {
    pub store: Arc<dyn Store>,
    pub sources: Sources,
    pub breaker: BreakerSettings,
    pub clock: Arc<dyn Clock>,
    pub memory: Arc<StatusMemory>,
    pub pacer: Arc<HostPacer>,
    /// The longest a lookup may take.
    pub deadline: Duration,
    /// How long checks of a domain answer without a lookup after one failed.
    pub failure_cooldown: Duration,
    pub settings: RecordSettings,
    /// `LAPSEGUARD_SPOOL_CAPACITY`.
    pub spool_capacity: usize,
    /// The ages the delegation sweep judges route domains by.
    pub route_ages: ownership::RouteAges,
}

/// How often the spool tries the store again.
const SPOOL_RETRY: Duration = Duration::from_secs(1);

impl Observer {
    /// Starts the group-commit writer and the spool's flusher: needs a Tokio runtime.
    pub fn new(parts: ObserverParts) -> Self {
        let spool = Arc::new(Spool::new(parts.spool_capacity, parts.settings));
        tokio::spawn(keep_flushing(
            Arc::downgrade(&spool),
            Arc::clone(&parts.store),
            Arc::clone(&parts.memory),
        ));
        Self {
            spool,
            queue: RecordQueue::start(Arc::clone(&parts.store), parts.settings),
            store: parts.store,
            sources: parts.sources,
            breakers: Breakers::new(parts.breaker),
            clock: parts.clock,
            memory: parts.memory,
            pacer: parts.pacer,
            deadline: parts.deadline,
            failure_cooldown: parts.failure_cooldown,
            route_ages: parts.route_ages,
            settings: parts.settings,
            writes: Arc::default(),
            paced_log: OncePerMinute::default(),
            mail_routes: moka::sync::Cache::builder()
                .max_capacity(MAIL_ROUTES_KEPT)
                .time_to_live(MAIL_ROUTE_KEPT_FOR.to_std().unwrap_or(Duration::MAX))
                .build(),
        }
    }

    /// Completes once every check's observation started so far is written (or failed).
    pub async fn settled(&self) {
        self.writes
            .until(|writes| writes.pending.load(Ordering::Acquire) == 0)
            .await;
    }

    /// Writes what the spool holds, for at most `within` (shutdown: nothing seen is lost
    /// while the store answers). Returns how many are still spooled.
    pub async fn flush_spool(&self, within: Duration) -> usize {
        let memory = &self.memory;
        let flush = self
            .spool
            .flush(self.store.as_ref(), |recorded| remember(memory, recorded));
        tokio::time::timeout(within, flush)
            .await
            .unwrap_or_else(|_| self.spool.len())
    }

    /// Observations waiting for the store.
    pub fn spooled(&self) -> usize {
        self.spool.len()
    }

    /// Completes once the checks' observations of `domain` started so far are written, or
    /// after `within`: whatever reads a domain's stored state to act on it (an override,
    /// the domain's page) sees what a check saw before the request.
    pub async fn settled_for(&self, domain: &RegistrableDomain, within: Duration) {
        let wait = self.writes.until(|writes| !writes.pending_for(domain));
        let _ = tokio::time::timeout(within, wait).await;
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn sources(&self) -> &Sources {
        &self.sources
    }

    /// `LAPSEGUARD_FAILURE_COOLDOWN_SECONDS`.
    pub fn failure_cooldown(&self) -> Duration {
        self.failure_cooldown
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    pub fn memory(&self) -> &Arc<StatusMemory> {
        &self.memory
    }

    pub fn pacer(&self) -> &Arc<HostPacer> {
        &self.pacer
    }

    /// The scheduler's registry lookup: asks, records (a failed lookup too, when a
    /// request went out) and waits for the store. Returns what was recorded after a
    /// successful lookup.
    pub async fn observe(&self, domain: &RegistrableDomain) -> Result<Recorded, LookupError> {
        self.observe_then(domain, || {}).await
    }

    /// As [`Observer::observe`], calling `asked` as soon as the source has answered (or
    /// failed), before the write: the scheduler frees its lookup slot there, so that
    /// slots cap lookups in flight, not writes waiting for their commit.
    pub async fn observe_then(
        &self,
        domain: &RegistrableDomain,
        asked: impl FnOnce(),
    ) -> Result<Recorded, LookupError> {
        let source = self.source_for(domain)?;
        let host = host_label(source, domain);
        let answer = ask_by(
            source,
            domain,
            &host,
            Instant::now() + self.deadline,
            &self.breakers,
        )
        .await;
        asked();
        self.note_lookup_result(domain, &answer, None);
        let observation = self.observation(domain, source, &host, &answer)?;
        let recorded = self
            .record_now(&observation, Role::Evidence, Origin::Schedule)
            .await;
        answer.map(|_| recorded)
    }

    /// The delegation sweep's DNS lookup: evidence for a domain no registry source
    /// covers, a signal for the others (see [`Role`]). Records and waits for the store.
    pub async fn observe_delegation(
        &self,
        domain: &RegistrableDomain,
    ) -> Result<Recorded, LookupError> {
        let dns = self.sources.dns().ok_or(Skipped::NotCovered)?;
        let host = host_label(dns, domain);
        let deadline = Instant::now() + self.deadline;
        let answer = ask_by(dns, domain, &host, deadline, &self.breakers).await;
        if let Ok(Answer::Delegation(Delegation {
            mail_route: Some(route),
            ..
        })) = &answer
        {
            self.keep_swept_route(domain, route.clone()).await;
        }
        let mut observation = self.observation(domain, dns, &host, &answer)?;
        if let Ok(Answer::Delegation(delegation)) = &answer
            && delegation.delegated
        {
            observation.routes = Some(self.held_route_signals(domain, delegation).await);
        }
        let role = self.dns_role(domain);
        let recorded = self.record_now(&observation, role, Origin::Schedule).await;
        answer.map(|_| recorded)
    }

    /// What a DNS observation of the domain is: evidence when no registry source covers
    /// its TLD, else a signal.
    fn dns_role(&self, domain: &RegistrableDomain) -> Role {
        match self.sources.for_domain(domain) {
            Err(Skipped::NotCovered) => Role::Evidence,
            _ => Role::Signal,
        }
    }

    /// Records (in a group commit with other background lookups) and waits. When the
    /// store fails, memory still learns what evidence was seen: it may be the only copy
    /// for now.
    async fn record_now(&self, observation: &Observation, role: Role, origin: Origin) -> Recorded {
        let recording = Recording { origin, role };
        match self.queue.record(observation, recording).await {
            Ok(recorded) => {
                remember(&self.memory, &recorded);
                recorded
            }
            Err(error) => {
                let domain = &observation.domain;
                tracing::error!(domain = %domain, error = %error, "recording an observation failed");
                if is_outage(&error) {
                    self.spool.push(observation.clone(), recording);
                }
                let held = self.memory.get(domain);
                let revision = held.as_ref().map_or(-1, |h| h.revision);
                let status = match role {
                    Role::Evidence => ownership::observe(
                        held.as_ref().map(|h| &h.status),
                        observation,
                        self.settings.schedule.nameserver_classes,
                    ),
                    Role::Signal => held.as_ref().map(|h| h.status.clone()),
                };
                // Folded into nothing, an `active` answer may hide a stored lapse.
                if role == Role::Evidence
                    && let Some(status) = &status
                    && (held.is_some() || status.lifecycle != Lifecycle::Active)
                {
                    self.memory.keep_if_newer(StoredStatus {
                        status: status.clone(),
                        revision,
                    });
                }
                Recorded {
                    status,
                    revision,
                    transition: None,
                    held: None,
                    next_check_at: observation.observed_at,
                }
            }
        }
    }

    /// A check's lookup, which must answer by `deadline`. It asks the domain's registry
    /// source and DNS side by side, each counted against its host's rate (refused like a
    /// paused host when the host has no room), records both in the background, and
    /// returns the status the evidence leads to, folded into `base`:
    ///
    /// - the registry's answer, when it gave one;
    /// - for a TLD no registry source covers, DNS's answer;
    /// - when the registry failed, a fresh undelegated answer from DNS (`inactive`, kept
    ///   for the cooldown so that the checks after this one deny too); a delegated one
    ///   proves nothing and the registry's failure stands.
    pub async fn observe_for_check(
        &self,
        domain: &RegistrableDomain,
        base: &Base,
        deadline: Instant,
    ) -> Result<DomainStatus, LookupError> {
        let registry = self.sources.for_domain(domain);
        let covered = !matches!(registry, Err(Skipped::NotCovered));
        let ask_registry = async {
            match registry {
                Ok(source) => self.ask_for_check(source, domain, deadline).await,
                Err(skipped) => (Err(skipped.into()), None),
            }
        };
        let ask_dns = async {
            match self.sources.dns() {
                Some(dns) => Some(self.ask_for_check(dns, domain, deadline).await),
                None => None,
            }
        };
        let ((registry_answer, registry_seen), dns) = tokio::join!(ask_registry, ask_dns);
        let (dns_answer, dns_seen) = dns.unwrap_or((Err(Skipped::NotCovered.into()), None));
        if let Some(observation) = &registry_seen {
            self.record_in_background(observation.clone(), Role::Evidence);
        }
        if let Some(observation) = &dns_seen {
            self.record_in_background(observation.clone(), self.dns_role(domain));
        }
        let known = match base {
            Base::Known(stored) => stored.as_ref(),
            Base::Unknown => None,
        };
        let fold = |seen: &Option<Observation>| {
            let observation = seen.as_ref()?;
            let mut status = ownership::observe(
                known.map(|k| &k.status),
                observation,
                self.settings.schedule.nameserver_classes,
            )?;
            // A lapse only DNS has seen becomes lapse memory when a later look confirms
            // it (`Tracked::fold`); the live answer says what the stored one will.
            if observation.source == EvidenceSource::Dns {
                status.last_lapse_at = known.and_then(|k| k.status.last_lapse_at);
            }
            Some(status)
        };
        let undelegated = matches!(&dns_answer, Ok(Answer::Delegation(d)) if !d.delegated);
        let (answer, found) = if covered {
            let found = match (&registry_answer, undelegated) {
                // DNS's nameservers beside the registry's, as the store will fold them
                // (`Tracked::fold_delegation`): the next check answers the same.
                (Ok(_), _) => fold(&registry_seen).map(|status| {
                    dns_seen
                        .as_ref()
                        .and_then(|dns| {
                            ownership::observe_delegation(
                                &status,
                                dns,
                                self.settings.schedule.nameserver_classes,
                            )
                        })
                        .unwrap_or(status)
                }),
                (Err(_), true) => fold(&dns_seen),
                (Err(_), false) => None,
            };
            (registry_answer, found)
        } else {
            let found = dns_answer.is_ok().then(|| fold(&dns_seen)).flatten();
            (dns_answer, found)
        };
        self.note_lookup_result(domain, &answer, found.clone());
        if answer.is_ok()
            && let Some(status) = &found
            && matches!(base, Base::Known(_))
        {
            self.memory.keep_if_newer(StoredStatus {
                status: status.clone(),
                revision: known.map_or(-1, |k| k.revision),
            });
        }
        match (answer, found) {
            (_, Some(status)) => Ok(status),
            (Err(cause), None) => Err(cause),
            (Ok(_), None) => Err(Failure::Malformed.into()),
        }
    }

    /// Where mail for `mail_domain` (an address's on `domain`) goes, for a check by
    /// `deadline`: kept in memory and in the store per mail domain, and asked of DNS again
    /// after six hours, under the resolver's pace and breaker. When DNS cannot answer in
    /// time, the last route seen (up to a week old) answers: an attacker who uses up the
    /// resolver's pace must not make a check skip a route lapseguard knew. A route not in
    /// memory is read from the store within half the time left, so a restart or another
    /// replica knows it too.
    pub async fn mail_route_for_check(
        &self,
        mail_domain: &str,
        domain: &RegistrableDomain,
        deadline: Instant,
    ) -> MailRouteForCheck {
        if self.sources.dns().is_none() {
            return MailRouteForCheck::Off;
        }
        let now = self.clock.now();
        // The store is given half of the time left; DNS the rest.
        let read_by = Instant::now() + deadline.saturating_duration_since(Instant::now()) / 2;
        let kept = self
            .held_route(mail_domain, read_by)
            .await
            .filter(|kept| kept.is_kept(now));
        if let Some(kept) = &kept
            && kept.is_fresh(now)
        {
            return MailRouteForCheck::Known(Arc::clone(kept));
        }
        let asked = self.ask_mail_route(mail_domain, deadline).await;
        let Some(route) = asked else {
            return kept.map_or(MailRouteForCheck::Unavailable, MailRouteForCheck::Known);
        };
        let seen = self.remember_route(mail_domain, route, kept.as_deref(), now);
        self.keep_mail_route(mail_domain, domain, Arc::clone(&seen));
        MailRouteForCheck::Known(seen)
    }

    /// A route DNS just gave, in memory: one that did not change keeps when it was first
    /// seen (`no_mail`'s since).
    fn remember_route(
        &self,
        mail_domain: &str,
        route: MailRoute,
        kept: Option<&SeenRoute>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Arc<SeenRoute> {
        let seen_at = kept
            .filter(|k| k.route == route)
            .map_or(now.trunc_subsecs(0), |k| k.seen_at);
        let seen = Arc::new(SeenRoute {
            route,
            seen_at,
            fetched_at: now.trunc_subsecs(0),
        });
        self.mail_routes
            .insert(mail_domain.to_owned(), Arc::clone(&seen));
        seen
    }

    /// The domain's own mail route as the delegation sweep's lookup gave it (the domain
    /// as a mail domain, `alice@example.com`'s), kept in memory and the store: checks of
    /// its addresses know it before they ask, after a restart, on every replica, and while
    /// DNS cannot answer them.
    async fn keep_swept_route(&self, domain: &RegistrableDomain, route: MailRoute) {
        let now = self.clock.now();
        let kept = self.held_route(domain.as_str(), self.read_by()).await;
        let seen = self.remember_route(domain.as_str(), route, kept.as_deref(), now);
        if let Err(error) = self.store.keep_mail_route(domain.as_str(), &seen).await {
            tracing::warn!(domain = %domain, error = %error, "cannot keep a mail route");
        }
    }

    /// What is held of a mail domain's route (no older than a week), without asking DNS:
    /// the console's decision for a date. `Off` when nothing is held or DNS is off.
    pub async fn held_mail_route(&self, mail_domain: &str) -> MailRouteForCheck {
        if self.sources.dns().is_none() {
            return MailRouteForCheck::Off;
        }
        let held = self.held_route(mail_domain, self.read_by()).await;
        match held.filter(|h| h.is_kept(self.clock.now())) {
            Some(held) => MailRouteForCheck::Known(held),
            None => MailRouteForCheck::Off,
        }
    }

    /// A domain's status as held, memory else the store, whatever its age; `None` when
    /// neither has it (or the store is away).
    pub async fn held_status(&self, domain: &RegistrableDomain) -> Option<DomainStatus> {
        match self.memory.get(domain) {
            Some(held) => Some(held.status.clone()),
            None => self
                .store
                .status(domain)
                .await
                .ok()
                .flatten()
                .map(|s| s.status),
        }
    }

    /// The domain's route signals from what is held (its registry nameservers and this
    /// DNS answer's, its own mail route; the route domains' held statuses), for the status
    /// the sweep's look records: the feed and the lists learn of a route's lapse within a
    /// day (checks judge routes themselves, at once).
    async fn held_route_signals(
        &self,
        domain: &RegistrableDomain,
        delegation: &Delegation,
    ) -> Vec<SignalState> {
        let registry = self
            .held_status(domain)
            .await
            .map(|status| status.nameservers)
            .unwrap_or_default();
        let mail = match &delegation.mail_route {
            Some(route) => route.hosts().to_vec(),
            None => match self.held_mail_route(domain.as_str()).await {
                MailRouteForCheck::Known(seen) => seen.route.hosts().to_vec(),
                _ => Vec::new(),
            },
        };
        let nameservers = registry.iter().chain(&delegation.nameservers);
        let now = self.clock.now();
        let mut found = Vec::new();
        for (signal, hosts) in [
            (
                Signal::NameserverDomainLapsed,
                nameservers.collect::<Vec<_>>(),
            ),
            (Signal::MailRouteLapsed, mail.iter().collect()),
        ] {
            let mut statuses = Vec::new();
            for route in ownership::route_domains(domain, hosts.into_iter().map(String::as_str)) {
                statuses.extend(self.held_status(&route).await);
            }
            found.extend(ownership::latest_route_signal(
                signal,
                &statuses,
                None,
                now,
                self.route_ages,
            ));
        }
        found
    }

    /// How long a background read of what is held may take: the lookup deadline.
    fn read_by(&self) -> Instant {
        Instant::now() + self.deadline
    }

    /// A mail domain's route as held: memory, else the store (read by `read_by`, and then
    /// kept in memory); a store that is away or slow has none.
    async fn held_route(&self, mail_domain: &str, read_by: Instant) -> Option<Arc<SeenRoute>> {
        if let Some(kept) = self.mail_routes.get(mail_domain) {
            return Some(kept);
        }
        let read = self.store.mail_route(mail_domain);
        let stored = match tokio::time::timeout_at(read_by.into(), read).await {
            Ok(Ok(stored)) => stored?,
            Ok(Err(error)) => {
                tracing::warn!(mail_domain = %mail_domain, error = %error, "cannot read a mail route");
                return None;
            }
            Err(_) => return None,
        };
        let stored = Arc::new(stored);
        self.mail_routes
            .insert(mail_domain.to_owned(), Arc::clone(&stored));
        Some(stored)
    }

    /// Writes a route DNS gave to the store, after the check (counted among its writes,
    /// so `settled` waits for it); a failure is logged: memory still has it.
    fn keep_mail_route(&self, mail_domain: &str, domain: &RegistrableDomain, seen: Arc<SeenRoute>) {
        let store = Arc::clone(&self.store);
        let writes = Arc::clone(&self.writes);
        let (mail_domain, domain) = (mail_domain.to_owned(), domain.clone());
        writes.started(&domain);
        tokio::spawn(async move {
            if let Err(error) = store.keep_mail_route(&mail_domain, &seen).await {
                tracing::warn!(mail_domain = %mail_domain, error = %error, "cannot keep a mail route");
            }
            writes.finished(&domain);
        });
    }

    /// One DNS lookup of a mail route for a check; `None` when DNS is off, its breaker is
    /// open, its pace has no slot in time, or it did not answer.
    async fn ask_mail_route(&self, mail_domain: &str, deadline: Instant) -> Option<MailRoute> {
        let dns = self.sources.dns()?;
        self.wait_for_check_slot(crate::upstream::dns::DNS_HOST, deadline)
            .await
            .ok()?;
        match tokio::time::timeout_at(deadline.into(), dns.mail_route(mail_domain)).await {
            Ok(Ok(route)) => Some(route),
            Ok(Err(cause)) => {
                tracing::warn!(mail_domain = %mail_domain, error = cause.code(), "mail route lookup gave no answer");
                None
            }
            Err(_) => None,
        }
    }

    /// One source's lookup for a check: its answer, and the observation to record when a
    /// request went out.
    async fn ask_for_check(
        &self,
        source: &dyn Lookup,
        domain: &RegistrableDomain,
        deadline: Instant,
    ) -> (Result<Answer, LookupError>, Option<Observation>) {
        let host = match source.host_of(domain) {
            Ok(host) => host,
            Err(skipped) => return (Err(skipped.into()), None),
        };
        if let Err(skipped) = self.wait_for_check_slot(&host, deadline).await {
            return (Err(skipped.into()), None);
        }
        let answer = ask_by(source, domain, &host, deadline, &self.breakers).await;
        let observation = self.observation(domain, source, &host, &answer).ok();
        (answer, observation)
    }

    /// A check's way to a host: refused while its breaker is open, and paced on its
    /// request lane. A slot that comes within half of the time left is worth waiting for
    /// (the other half is the lookup's); a later one is refused.
    async fn wait_for_check_slot(&self, host: &str, deadline: Instant) -> Result<(), Skipped> {
        if let Gate::Open { retry_in } = self.breakers.gate(host, Instant::now()) {
            metrics::breaker_rejected(host);
            return Err(Skipped::CircuitOpen { retry_in });
        }
        let wait_limit = deadline.saturating_duration_since(Instant::now()) / 2;
        match self
            .pacer
            .take_for_check(host, self.clock.now(), wait_limit)
        {
            Ok(wait) => {
                if !wait.is_zero() {
                    tokio::time::sleep(wait).await;
                }
                Ok(())
            }
            Err(retry_in) => {
                metrics::check_paced(host);
                if self.paced_log.due(host, Instant::now()) {
                    tracing::warn!(host = %host, "checks answer without this host's evidence: its pace has no slot within the deadline (logged once a minute per host; see lapseguard_checks_paced_total)");
                }
                Err(Skipped::HostPaused { retry_in })
            }
        }
    }

    /// Builds the observation of a lookup that reached a server. When no request went
    /// out there is nothing to record: the cause comes back as the error.
    fn observation(
        &self,
        domain: &RegistrableDomain,
        source: &dyn Lookup,
        host: &str,
        answer: &Result<Answer, LookupError>,
    ) -> Result<Observation, LookupError> {
        if let Err(cause) = answer {
            if *cause == LookupError::Failed(Failure::UntrustedResolver) {
                // Said once, when the resolver lost trust (`upstream/trust.rs`).
                tracing::debug!(domain = %domain, source = source.source().as_str(), error = cause.code(), "lookup gave no answer");
            } else {
                tracing::warn!(domain = %domain, source = source.source().as_str(), error = cause.code(), "lookup gave no answer");
            }
            if !cause.reached_upstream() {
                return Err(cause.clone());
            }
        }
        Ok(Observation {
            domain: domain.clone(),
            source: source.source(),
            // Whole seconds: the precision the store keeps.
            observed_at: self.clock.now().trunc_subsecs(0),
            http_status: match answer {
                Ok(Answer::Found(_) | Answer::Flagged(_)) => Some(200),
                Ok(Answer::NotFound) => Some(404),
                Ok(Answer::Delegation(_)) => None,
                Err(cause) => cause.http_status(),
            },
            finding: match answer {
                Ok(Answer::Found(record)) => Finding::Registered(record.clone()),
                Ok(Answer::NotFound) => Finding::Unregistered,
                Ok(Answer::Flagged(flags)) => Finding::Flagged(flags.clone()),
                Ok(Answer::Delegation(delegation)) => Finding::Delegation(delegation.clone()),
                Err(cause) => Finding::Failed {
                    error: cause.code().to_owned(),
                },
            },
            host: Some(host.to_owned()),
            routes: None,
        })
    }

    /// A domain's evidence lookup succeeded (checks may look again) or failed (checks
    /// answer without a lookup for a while, from `found` when something was found).
    fn note_lookup_result(
        &self,
        domain: &RegistrableDomain,
        answer: &Result<Answer, LookupError>,
        found: Option<DomainStatus>,
    ) {
        match answer {
            Ok(_) => self.memory.end_cooldown(domain),
            Err(cause) => self.start_cooldown(domain, cause, found),
        }
    }

    /// The source that covers the domain; a domain no source covers starts a cooldown.
    fn source_for(&self, domain: &RegistrableDomain) -> Result<&dyn Lookup, LookupError> {
        self.sources.for_domain(domain).map_err(|skipped| {
            let cause = LookupError::from(skipped);
            self.start_cooldown(domain, &cause, None);
            cause
        })
    }

    /// Checks of the domain answer without a lookup for the cooldown (or until a paused
    /// host takes requests again, if sooner). A bootstrap still loading is no reason: it
    /// costs nothing to ask again, and it may load any moment.
    fn start_cooldown(
        &self,
        domain: &RegistrableDomain,
        cause: &LookupError,
        found: Option<DomainStatus>,
    ) {
        if *cause == LookupError::Skipped(Skipped::NotReady) {
            return;
        }
        let ttl = match cause {
            LookupError::Skipped(
                Skipped::HostPaused { retry_in } | Skipped::CircuitOpen { retry_in },
            ) => (*retry_in).min(self.failure_cooldown),
            _ => self.failure_cooldown,
        };
        self.memory
            .start_cooldown(domain, cause.reason(), found, ttl);
    }

    /// A check does not wait for the store: the write runs on its own and memory takes
    /// the recorded status when it lands.
    fn record_in_background(&self, observation: Observation, role: Role) {
        let store = Arc::clone(&self.store);
        let memory = Arc::clone(&self.memory);
        let recording = Recording {
            origin: Origin::Request,
            role,
        };
        let settings = self.settings;
        // Behind what is spooled already: a domain's observations are written in order.
        if !self.spool.is_empty() {
            self.spool.push(observation, recording);
            return;
        }
        let spool = Arc::clone(&self.spool);
        let writes = Arc::clone(&self.writes);
        writes.started(&observation.domain);
        tokio::spawn(async move {
            match store.record(&observation, recording, &settings).await {
                Ok(recorded) => remember(&memory, &recorded),
                Err(error) => {
                    tracing::error!(domain = %observation.domain, error = %error, "recording a check's observation failed");
                    if is_outage(&error) {
                        spool.push(observation.clone(), recording);
                    }
                }
            }
            writes.finished(&observation.domain);
        });
    }
}

/// The host a source asks about the domain, for the breaker and the metrics (`none`
/// when it has none: the lookup will say why).
fn host_label(source: &dyn Lookup, domain: &RegistrableDomain) -> String {
    source.host_of(domain).unwrap_or_else(|_| "none".to_owned())
}

/// Asks one source, giving up at `deadline` (a timeout, like the source's own); the
/// result counts towards `host`'s breaker and its metrics.
async fn ask_by(
    source: &dyn Lookup,
    domain: &RegistrableDomain,
    host: &str,
    deadline: Instant,
    breakers: &Breakers,
) -> Result<Answer, LookupError> {
    let started = Instant::now();
    let answer = tokio::time::timeout_at(deadline.into(), source.lookup(domain))
        .await
        .unwrap_or(Err(Failure::Timeout.into()));
    let outcome = match &answer {
        Ok(Answer::Found(_)) => "found",
        Ok(Answer::NotFound) => "not_found",
        Ok(Answer::Flagged(_)) => "flagged",
        Ok(Answer::Delegation(_)) => "delegation",
        Err(error) => error.code(),
    };
    let health = answer.as_ref().map(|_| ()).map_err(Clone::clone);
    breakers.record(host, domain, &health, Instant::now());
    metrics::lookup_done(
        source.source().as_str(),
        host.to_owned(),
        outcome,
        started.elapsed(),
    );
    answer
}

/// Tries the store again every [`SPOOL_RETRY`] while anything is spooled; ends with the
/// observer.
async fn keep_flushing(
    spool: std::sync::Weak<Spool>,
    store: Arc<dyn Store>,
    memory: Arc<StatusMemory>,
) {
    loop {
        tokio::time::sleep(SPOOL_RETRY).await;
        let Some(spool) = spool.upgrade() else {
            return;
        };
        if spool.is_empty() {
            continue;
        }
        let left = spool
            .flush(store.as_ref(), |recorded| remember(&memory, recorded))
            .await;
        if left == 0 {
            tracing::info!("the store answers again: every spooled observation is written");
        }
    }
}

/// Memory takes what the store now holds.
fn remember(memory: &StatusMemory, recorded: &Recorded) {
    if let Some(status) = &recorded.status {
        memory.keep_if_newer(StoredStatus {
            status: status.clone(),
            revision: recorded.revision,
        });
    }
    if let Some(published) = &recorded.transition {
        let t = &published.transition;
        metrics::transition_published(t.to.as_str());
        tracing::info!(domain = %t.domain, id = published.id, from = t.from.as_str(), to = t.to.as_str(), "transition");
    }
    if let Some(t) = &recorded.held {
        metrics::transition_held(t.to.as_str());
        tracing::info!(domain = %t.domain, from = t.from.as_str(), to = t.to.as_str(), "transition held by the mass-change guard");
    }
}
