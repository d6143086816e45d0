//! The recovery check's request path, bounded as a whole by the lookup deadline:
//! memory, then the store, then a live lookup (the registry source and DNS side by side;
//! see `Observer::observe_for_check`), then the stored status marked stale (while younger
//! than the stale answer limit), then the unseen policy (`domain_status_unavailable`) or
//! the unknown policy (`domain_not_covered`, `domain_under_shared_suffix`).
//!
//! Memory (`memory.rs`) answers a fresh status without touching the store. Anything else
//! is loaded by a task of its own, shared by concurrent checks of the domain, so that a
//! check that runs out of time answers at once (from memory or by policy) while the load
//! finishes and records in the background. A failed lookup starts the domain's cooldown (`memory.rs`): checks of it
//! answer at once for `LAPSEGUARD_FAILURE_COOLDOWN_SECONDS` instead of asking again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::decision::{Policy, Reason, Verdict, signal_reason};
use crate::domain::lifecycle::Lifecycle;
use crate::domain::name::{EmailDomain, RegistrableDomain};
use crate::domain::ownership::{self, route_domains};
use crate::domain::schedule::{ScheduleSettings, promised_interval};
use crate::domain::signals::{Signal, SignalAction, SignalState};
use crate::domain::status::DomainStatus;
use crate::observer::{Base, MailRouteForCheck, Observer};
use crate::overrides::OverrideBook;
use crate::store::StoredStatus;
use crate::telemetry::metrics;

/// Where an answer came from (which source gave the evidence is the response's
/// `evidence`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A lookup made for this request (or attempted, when nothing is known).
    Live,
    /// Memory or the store.
    Cache,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::Cache => "cache",
        }
    }
}

/// A decision with the status behind it.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub verdict: Verdict,
    /// The status decided on; `None` for the two "no status" reasons.
    pub status: Option<DomainStatus>,
    pub source: Source,
    /// The status is older than the freshness limit: a live lookup failed.
    pub stale: bool,
    /// The status's signals the check hears of (`Policy::signals_heard`).
    pub signals: Vec<SignalState>,
}

/// The knobs of the request path.
#[derive(Debug, Clone, Copy)]
pub struct CheckSettings {
    /// `LAPSEGUARD_MAX_STATUS_AGE_SECONDS`: an older status calls for a new lookup.
    pub max_status_age: Duration,
    /// The whole check answers within this (`LAPSEGUARD_LOOKUP_DEADLINE_MS`).
    pub deadline: Duration,
    /// A batch of checks answers within this (`LAPSEGUARD_BATCH_DEADLINE_MS`).
    pub batch_deadline: Duration,
    /// `LAPSEGUARD_MIN_DOMAIN_AGE_DAYS`, `LAPSEGUARD_LAPSE_MEMORY_DAYS`,
    /// `LAPSEGUARD_UNKNOWN_POLICY`, `LAPSEGUARD_UNSEEN_POLICY`.
    pub policy: Policy,
    /// `LAPSEGUARD_STALE_ANSWER_SECONDS`: a stale status answers only while younger than
    /// this; unset, the freshness limit plus the schedule's promised interval for it.
    pub stale_answer: Option<Duration>,
    /// The schedule, whose promise bounds the default stale answer limit.
    pub schedule: ScheduleSettings,
}

/// What a load found.
#[derive(Debug, Clone)]
enum Loaded {
    /// A status fresh enough to answer from; `live` when a lookup made it.
    Fresh { status: DomainStatus, live: bool },
    /// No fresh status: the stored one, if any could be read, and why.
    Missing {
        stored: Option<DomainStatus>,
        reason: Reason,
    },
}

type SharedLoad = Shared<BoxFuture<'static, Loaded>>;

/// How a check reaches the statuses it judges routes by.
#[derive(Debug, Clone, Copy)]
enum Reach {
    /// From memory, the store or a lookup, by this deadline.
    Lookup(Instant),
    /// From what is held (memory or the store, whatever its age), without a lookup: the
    /// console's decision for a verification date.
    Held,
}

/// A route domain's status, as a check could have it.
#[derive(Debug)]
enum RouteStatus {
    Known(Box<DomainStatus>),
    /// Not in time (the pace, a timeout, a breaker, an error answer).
    Unavailable,
    /// No source covers it, or (held only) nothing is held for it.
    Uncovered,
}

/// What the route domains of a check (its nameservers', its mail's) tell.
#[derive(Debug)]
enum RouteFinding {
    /// One lapsed or was registered after `verified_at` (the latest such).
    Lapsed(SignalState),
    /// None did, but the status of one could not be had in time.
    Unavailable,
    /// None did, and each was judged (or no source covers it).
    Clear,
}

/// One form of an address's domain, and what it reduces to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The normalised part after `@`, in A-labels.
    pub email_domain: EmailDomain,
    /// Its registrable domain under the ICANN section of the Public Suffix List.
    pub domain: RegistrableDomain,
    /// Its name under the list's private section, when that differs
    /// (`victim.uk.com` beside `uk.com`).
    pub shared: Option<RegistrableDomain>,
}

impl Target {
    pub fn of(email_domain: EmailDomain) -> Result<Self, crate::domain::name::NameError> {
        let (domain, shared) = RegistrableDomain::of_with_shared(&email_domain)?;
        Ok(Self {
            email_domain,
            domain,
            shared,
        })
    }
}

/// The decision on an address: the form and the domain that decided it.
#[derive(Debug, Clone)]
pub struct Judged {
    pub email_domain: EmailDomain,
    pub domain: RegistrableDomain,
    pub assessment: Assessment,
}

pub struct Checker {
    observer: Arc<Observer>,
    settings: CheckSettings,
    /// An agent's override decides over the computed verdict while it applies.
    overrides: Arc<OverrideBook>,
    /// Loads in progress, by domain: concurrent checks share one.
    loading: Arc<Mutex<HashMap<RegistrableDomain, SharedLoad>>>,
}

impl Checker {
    pub fn new(
        observer: Arc<Observer>,
        settings: CheckSettings,
        overrides: Arc<OverrideBook>,
    ) -> Self {
        Self {
            observer,
            settings,
            overrides,
            loading: Arc::default(),
        }
    }

    pub fn settings(&self) -> &CheckSettings {
        &self.settings
    }

    /// How long after a failed lookup a check asks again (the failure cooldown): what a
    /// caller told "no status yet" should wait.
    pub fn retry_after(&self) -> Duration {
        self.observer.failure_cooldown()
    }

    /// Decides whether a recovery mail may go to an address on `domain`, within the
    /// deadline whatever the store and the registry do.
    pub async fn check(
        &self,
        domain: &RegistrableDomain,
        verified_at: Option<DateTime<Utc>>,
    ) -> Assessment {
        let deadline = Instant::now() + self.settings.deadline;
        self.check_by(domain, verified_at, deadline).await
    }

    /// [`Checker::check`] within a given deadline (a batch's).
    async fn check_by(
        &self,
        domain: &RegistrableDomain,
        verified_at: Option<DateTime<Utc>>,
        deadline: Instant,
    ) -> Assessment {
        let now = self.observer.clock().now();
        let mut assessment = self.assess_domain(domain, verified_at, deadline, now).await;
        let reach = Reach::Lookup(deadline);
        self.judge_routes(domain, &mut assessment, verified_at, reach, now)
            .await;
        self.overridden(domain, assessment, now)
    }

    /// The domain's own assessment by `deadline`: from memory, the store or a lookup.
    async fn assess_domain(
        &self,
        domain: &RegistrableDomain,
        verified_at: Option<DateTime<Utc>>,
        deadline: Instant,
        now: DateTime<Utc>,
    ) -> Assessment {
        let memory = self.observer.memory();
        let held = memory.get(domain);
        let fresh = held
            .as_deref()
            .is_some_and(|held| held.status.is_fresh(now, self.max_age()));
        metrics::memory_lookup(fresh);
        let loaded = match held.as_deref() {
            Some(held) if fresh => Loaded::Fresh {
                status: held.status.clone(),
                live: false,
            },
            _ => match memory.cooldown(domain) {
                Some(cooling) => match cooling.found {
                    Some(found) => Loaded::Fresh {
                        status: (*found).clone(),
                        live: false,
                    },
                    None => Loaded::Missing {
                        stored: None,
                        reason: cooling.reason,
                    },
                },
                None => {
                    let load = self.load(domain, deadline);
                    tokio::time::timeout_at(deadline.into(), load)
                        .await
                        .unwrap_or(Loaded::Missing {
                            stored: None,
                            reason: Reason::DomainStatusUnavailable,
                        })
                }
            },
        };
        self.assess(loaded, held, verified_at, now)
    }

    /// `nameserver_domain_lapsed`: the registrable domains the domain's nameservers (the
    /// registry's and DNS's) belong to, other than its own, are judged as routes
    /// ([`Checker::route_finding`]).
    async fn judge_routes(
        &self,
        domain: &RegistrableDomain,
        assessment: &mut Assessment,
        verified_at: Option<DateTime<Utc>>,
        reach: Reach,
        now: DateTime<Utc>,
    ) {
        let signal = Signal::NameserverDomainLapsed;
        let Some(status) = &assessment.status else {
            return;
        };
        if !self.may_change(assessment, signal) {
            return;
        }
        let hosts = status.nameservers.iter().chain(&status.dns_nameservers);
        let routes = route_domains(domain, hosts.map(String::as_str));
        let finding = self
            .route_finding(signal, &routes, verified_at, reach, now)
            .await;
        self.heed_route(assessment, signal, finding);
    }

    /// The mail's route (`mail_route_lapsed`, `no_mail`): where the address's mail domain,
    /// as written, has its mail delivered (`Observer::mail_route_for_check`). A mail domain
    /// whose route neither DNS (in time) nor memory has is unseen evidence: where one of
    /// the two signals denies, the check answers by the unseen policy
    /// ([`Checker::unseen_route`]), since an attacker who holds the route's domain can use
    /// up the resolver's pace at will.
    async fn judge_mail(
        &self,
        domain: &RegistrableDomain,
        assessment: &mut Assessment,
        route: MailRouteForCheck,
        verified_at: Option<DateTime<Utc>>,
        reach: Reach,
    ) {
        let seen = match route {
            MailRouteForCheck::Off => return,
            MailRouteForCheck::Unavailable => {
                for signal in [Signal::NoMail, Signal::MailRouteLapsed] {
                    self.heed_route(assessment, signal, RouteFinding::Unavailable);
                }
                return;
            }
            MailRouteForCheck::Known(seen) => seen,
        };
        let now = self.observer.clock().now();
        let lapse_memory = self.settings.policy.lapse_memory;
        if let Some(no_mail) = ownership::no_mail_signal(&seen.route, seen.seen_at)
            && !ownership::forgiven(&no_mail, verified_at, now, lapse_memory)
            && self.may_change(assessment, no_mail.signal)
        {
            self.heed(assessment, no_mail);
        }
        let signal = Signal::MailRouteLapsed;
        if !self.may_change(assessment, signal) {
            return;
        }
        let hosts = seen.route.hosts().iter().map(String::as_str);
        let routes = route_domains(domain, hosts);
        let finding = self
            .route_finding(signal, &routes, verified_at, reach, now)
            .await;
        self.heed_route(assessment, signal, finding);
    }

    /// What a route finding does to the assessment: a lapsed route is heeded as its
    /// signal; a route whose status could not be had in time makes the check unseen where
    /// the signal would deny.
    fn heed_route(&self, assessment: &mut Assessment, signal: Signal, finding: RouteFinding) {
        match finding {
            RouteFinding::Lapsed(found) => self.heed(assessment, found),
            RouteFinding::Unavailable => self.unseen_route(assessment, signal),
            RouteFinding::Clear => {}
        }
    }

    /// A route that would be judged for `signal` could not be: neither the lookups in time
    /// nor what is held tell it. Where `signal` denies and the check would allow (other
    /// than by an override), the answer is the unseen policy's
    /// (`domain_status_unavailable`, denied by default): a fault is not evidence either way.
    fn unseen_route(&self, assessment: &mut Assessment, signal: Signal) {
        let policy = &self.settings.policy;
        if policy.signals.action(signal) != SignalAction::Deny
            || !assessment.verdict.eligible
            || assessment.verdict.reason == Reason::OverrideAllow
        {
            return;
        }
        assessment.verdict = policy.decide_unseen();
    }

    /// Whether `signal` could change the assessment: not ignored, and not outranked by a
    /// denial the assessment already has.
    fn may_change(&self, assessment: &Assessment, signal: Signal) -> bool {
        self.settings.policy.signals.action(signal) != SignalAction::Ignore
            && !assessment.verdict.denies_above(signal_reason(signal))
    }

    /// The route domains are assessed within the same deadline, from memory, the store or
    /// a lookup (which puts them on the watch list, where the refresh keeps them fresh; a
    /// provider's domain shared by many names is one row). The latest that lapsed or was
    /// registered after `verified_at` makes `signal` hold. A route domain whose status
    /// cannot be had in time (the pace, a timeout, a breaker: what an attacker can cause)
    /// makes the finding unavailable; one no source covers adds nothing.
    async fn route_finding(
        &self,
        signal: Signal,
        routes: &[RegistrableDomain],
        verified_at: Option<DateTime<Utc>>,
        reach: Reach,
        now: DateTime<Utc>,
    ) -> RouteFinding {
        if routes.is_empty() {
            return RouteFinding::Clear;
        }
        let judged = futures_util::future::join_all(
            routes
                .iter()
                .map(|route| self.route_status(route, reach, now)),
        )
        .await;
        let known = judged.iter().filter_map(|route| match route {
            RouteStatus::Known(status) => Some(&**status),
            _ => None,
        });
        let ages = self.settings.policy.route_ages();
        let lapsed = ownership::latest_route_signal(signal, known, verified_at, now, ages);
        let unavailable = judged
            .iter()
            .any(|route| matches!(route, RouteStatus::Unavailable));
        match (lapsed, unavailable) {
            (Some(found), _) => RouteFinding::Lapsed(found),
            (None, true) => RouteFinding::Unavailable,
            (None, false) => RouteFinding::Clear,
        }
    }

    /// A route domain's status as `reach` allows: by a lookup if need be, or from what is
    /// held only (a route domain nothing is held for then adds nothing).
    async fn route_status(
        &self,
        route: &RegistrableDomain,
        reach: Reach,
        now: DateTime<Utc>,
    ) -> RouteStatus {
        match reach {
            Reach::Lookup(deadline) => {
                let assessed = self.assess_domain(route, None, deadline, now).await;
                match assessed.status {
                    Some(status) => RouteStatus::Known(Box::new(status)),
                    None if assessed.verdict.reason == Reason::DomainStatusUnavailable => {
                        RouteStatus::Unavailable
                    }
                    None => RouteStatus::Uncovered,
                }
            }
            Reach::Held => match self.observer.held_status(route).await {
                Some(status) => RouteStatus::Known(Box::new(status)),
                None => RouteStatus::Uncovered,
            },
        }
    }

    /// Lists a signal that holds, and denies with its reason when the policy says so,
    /// unless an override decided or the assessment's own denial ranks higher.
    fn heed(&self, assessment: &mut Assessment, found: SignalState) {
        let reason = signal_reason(found.signal);
        let overridden = matches!(
            assessment.verdict.reason,
            Reason::OverrideAllow | Reason::OverrideDeny
        );
        let deny = self.settings.policy.signals.action(found.signal) == SignalAction::Deny;
        if deny && !overridden && !assessment.verdict.denies_above(reason) {
            assessment.verdict = Verdict {
                eligible: false,
                reason,
            };
        }
        assessment.signals.push(found);
    }

    /// Decides on every form of an address at once (the IDNA2003 form beside the UTS 46
    /// one, when they differ): the stricter answer wins, so that a name is never allowed
    /// because of the form the mail does not go to. `targets` is not empty.
    pub async fn check_targets(
        &self,
        targets: &[Target],
        verified_at: Option<DateTime<Utc>>,
    ) -> Judged {
        let deadline = Instant::now() + self.settings.deadline;
        self.check_targets_by(targets, verified_at, deadline).await
    }

    /// [`Checker::check_targets`] within a given deadline (a batch's).
    pub async fn check_targets_by(
        &self,
        targets: &[Target],
        verified_at: Option<DateTime<Utc>>,
        deadline: Instant,
    ) -> Judged {
        if let [target] = targets {
            return self.check_target(target, verified_at, deadline).await;
        }
        let judged = futures_util::future::join_all(
            targets
                .iter()
                .map(|target| self.check_target(target, verified_at, deadline)),
        )
        .await;
        let decides = judged
            .iter()
            .position(|j| !j.assessment.verdict.eligible)
            .unwrap_or(0);
        judged
            .into_iter()
            .nth(decides)
            .expect("an address has at least one form")
    }

    /// The decision on one form of an address: its domain's (`check_domain_of`), with the
    /// address's mail route asked beside it (`judge_mail`).
    async fn check_target(
        &self,
        target: &Target,
        verified_at: Option<DateTime<Utc>>,
        deadline: Instant,
    ) -> Judged {
        let signals = &self.settings.policy.signals;
        let wanted = [Signal::NoMail, Signal::MailRouteLapsed]
            .into_iter()
            .any(|s| signals.action(s) != SignalAction::Ignore);
        let route = async {
            match wanted {
                true => {
                    self.observer
                        .mail_route_for_check(
                            target.email_domain.as_str(),
                            &target.domain,
                            deadline,
                        )
                        .await
                }
                false => MailRouteForCheck::Off,
            }
        };
        let (mut judged, route) =
            tokio::join!(self.check_domain_of(target, verified_at, deadline), route);
        self.judge_mail(
            &judged.domain,
            &mut judged.assessment,
            route,
            verified_at,
            Reach::Lookup(deadline),
        )
        .await;
        judged
    }

    /// The decision on the target's registrable domain. A name under a shared suffix is
    /// looked up by that name where a source covers it; elsewhere the platform's
    /// registration is looked up for its lapses only, and what would have been an allow
    /// answers `domain_under_shared_suffix` (unknown policy).
    async fn check_domain_of(
        &self,
        target: &Target,
        verified_at: Option<DateTime<Utc>>,
        deadline: Instant,
    ) -> Judged {
        let judged = |domain: &RegistrableDomain, assessment| Judged {
            email_domain: target.email_domain.clone(),
            domain: domain.clone(),
            assessment,
        };
        let Some(name) = &target.shared else {
            return judged(
                &target.domain,
                self.check_by(&target.domain, verified_at, deadline).await,
            );
        };
        if self.observer.sources().for_domain(name).is_ok() {
            return judged(name, self.check_by(name, verified_at, deadline).await);
        }
        let mut assessment = self.check_by(&target.domain, verified_at, deadline).await;
        if assessment.verdict.eligible && assessment.verdict.reason != Reason::OverrideAllow {
            assessment.verdict = self
                .settings
                .policy
                .decide_unknown(Reason::DomainUnderSharedSuffix);
        }
        judged(&target.domain, assessment)
    }

    /// The decision a check would get from `status` as stored, without a lookup and
    /// whatever its age: the admin console shows an agent what an address verified at a
    /// given date gets. The routes are judged from what is held (the route domains'
    /// statuses, the domain's own mail route), without a lookup.
    pub async fn decide_stored(
        &self,
        domain: &RegistrableDomain,
        status: Option<DomainStatus>,
        verified_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Assessment {
        let loaded = match status {
            Some(status) => Loaded::Fresh {
                status,
                live: false,
            },
            None => Loaded::Missing {
                stored: None,
                reason: Reason::DomainStatusUnavailable,
            },
        };
        let mut assessment = self.assess(loaded, None, verified_at, now);
        let reach = Reach::Held;
        self.judge_routes(domain, &mut assessment, verified_at, reach, now)
            .await;
        let route = self.observer.held_mail_route(domain.as_str()).await;
        self.judge_mail(domain, &mut assessment, route, verified_at, reach)
            .await;
        self.overridden(domain, assessment, now)
    }

    /// An agent's override decides over the computed verdict while it applies.
    fn overridden(
        &self,
        domain: &RegistrableDomain,
        mut assessment: Assessment,
        now: DateTime<Utc>,
    ) -> Assessment {
        if let Some(verdict) = self
            .overrides
            .decide(domain, assessment.status.as_ref(), now)
        {
            assessment.verdict = verdict;
        }
        assessment
    }

    /// Completes once the observations of checks so far are written.
    pub async fn settled(&self) {
        self.observer.settled().await;
    }

    /// Writes what the spool holds, for at most `within`; returns how many are left.
    pub async fn flush_spool(&self, within: Duration) -> usize {
        self.observer.flush_spool(within).await
    }

    /// Completes once checks' observations of `domain` so far are written (within the
    /// lookup deadline at most): read the stored state after this to act on it.
    pub async fn settled_for(&self, domain: &RegistrableDomain) {
        self.observer
            .settled_for(domain, self.settings.deadline)
            .await;
    }

    fn max_age(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.settings.max_status_age)
            .expect("the configuration bounds it to ten years")
    }

    /// The answer from what was loaded, or else from memory's stale copy, or by policy.
    fn assess(
        &self,
        loaded: Loaded,
        held: Option<Arc<StoredStatus>>,
        verified_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Assessment {
        let policy = &self.settings.policy;
        let heard = |status: &DomainStatus| {
            policy
                .signals_heard(status, verified_at, now)
                .cloned()
                .collect()
        };
        match loaded {
            Loaded::Fresh { status, live } => Assessment {
                verdict: policy.decide(&status, verified_at, now),
                signals: heard(&status),
                status: Some(status),
                source: if live { Source::Live } else { Source::Cache },
                stale: false,
            },
            Loaded::Missing { stored, reason } => {
                let stale = stored
                    .or_else(|| held.map(|h| h.status.clone()))
                    .filter(|stale| now - stale.checked_at < self.stale_limit(stale));
                match stale {
                    Some(stale) => Assessment {
                        verdict: policy.decide(&stale, verified_at, now),
                        signals: heard(&stale),
                        status: Some(stale),
                        source: Source::Cache,
                        stale: true,
                    },
                    None => Assessment {
                        verdict: match reason {
                            Reason::DomainStatusUnavailable => policy.decide_unseen(),
                            reason => policy.decide_unknown(reason),
                        },
                        status: None,
                        source: Source::Live,
                        stale: false,
                        signals: Vec::new(),
                    },
                }
            }
        }
    }

    /// How old a stored status may be and still answer a check whose lookup failed:
    /// `LAPSEGUARD_STALE_ANSWER_SECONDS`, or what the background refresh promises for it
    /// (the freshness limit plus the schedule's interval after such a status). Older, it
    /// is no evidence: an attacker who exhausts our pace must not be answered from a
    /// status of any age.
    fn stale_limit(&self, status: &DomainStatus) -> chrono::Duration {
        match self.settings.stale_answer {
            Some(limit) => chrono::Duration::from_std(limit).unwrap_or(chrono::Duration::MAX),
            None => self.max_age() + promised_interval(status, &self.settings.schedule),
        }
    }

    /// The domain's load in progress, or a new one, running on its own task so that it
    /// finishes (and records) even when every check waiting for it has answered.
    fn load(&self, domain: &RegistrableDomain, deadline: Instant) -> SharedLoad {
        let mut loading = self.loading.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(load) = loading.get(domain) {
            return load.clone();
        }
        let task = tokio::spawn({
            let observer = Arc::clone(&self.observer);
            let done = Unlist {
                loading: Arc::clone(&self.loading),
                domain: domain.clone(),
            };
            let max_age = self.max_age();
            async move { load(&observer, &done.domain, deadline, max_age).await }
        });
        let shared = async move {
            task.await.unwrap_or_else(|error| {
                tracing::error!(error = %error, "a status load ended abnormally");
                Loaded::Missing {
                    stored: None,
                    reason: Reason::DomainStatusUnavailable,
                }
            })
        }
        .boxed()
        .shared();
        loading.insert(domain.clone(), shared.clone());
        shared
    }
}

/// Takes a finished load off the list of loads in progress, also when it panicked.
struct Unlist {
    loading: Arc<Mutex<HashMap<RegistrableDomain, SharedLoad>>>,
    domain: RegistrableDomain,
}

impl Drop for Unlist {
    fn drop(&mut self) {
        self.loading
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.domain);
    }
}

/// The store gets at most this share of the deadline, so that a slow store leaves time
/// for the registry.
const STORE_SHARE: u32 = 2;

/// Store first; past the freshness limit, a live lookup.
async fn load(
    observer: &Observer,
    domain: &RegistrableDomain,
    deadline: Instant,
    max_age: chrono::Duration,
) -> Loaded {
    let memory = observer.memory();
    let started = Instant::now();
    let store_deadline = started
        + deadline
            .saturating_duration_since(started)
            .checked_div(STORE_SHARE)
            .unwrap_or_default();
    let read =
        tokio::time::timeout_at(store_deadline.into(), observer.store().status(domain)).await;
    let base = match read {
        Ok(Ok(stored)) => {
            if let Some(stored) = &stored {
                memory.keep_if_newer(stored.clone());
                let now = observer.clock().now();
                if stored.status.is_fresh(now, max_age) {
                    return Loaded::Fresh {
                        status: stored.status.clone(),
                        live: false,
                    };
                }
            }
            Base::Known(stored.map(Box::new))
        }
        Ok(Err(error)) => {
            tracing::error!(domain = %domain, error = %error, "reading the stored status failed");
            held_or_unknown(observer, domain)
        }
        Err(_) => {
            tracing::warn!(domain = %domain, "reading the stored status ran out of time");
            held_or_unknown(observer, domain)
        }
    };
    let stored = match &base {
        Base::Known(stored) => stored.as_ref().map(|s| s.status.clone()),
        Base::Unknown => None,
    };
    match observer.observe_for_check(domain, &base, deadline).await {
        // Without the stored history an `active` answer could hide a lapse or an earlier
        // registration date: say "unavailable" rather than "active".
        Ok(status) if matches!(base, Base::Unknown) && status.lifecycle == Lifecycle::Active => {
            Loaded::Missing {
                stored: None,
                reason: Reason::DomainStatusUnavailable,
            }
        }
        Ok(status) => Loaded::Fresh { status, live: true },
        Err(cause) => Loaded::Missing {
            stored,
            reason: cause.reason(),
        },
    }
}

/// When the store cannot be read, memory's copy (stale, or it would have answered) is the
/// best base there is.
fn held_or_unknown(observer: &Observer, domain: &RegistrableDomain) -> Base {
    match observer.memory().get(domain) {
        Some(held) => Base::Known(Some(Box::new((*held).clone()))),
        None => Base::Unknown,
    }
}
