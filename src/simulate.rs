//! `lapseguard simulate`: a year of a registry's watched domains, in memory, in simulated
//! time, checked by the production recording rules (`domain::recording::plan`, which the
//! store runs too: the next-check function, failure backoff and confirmation;
//! `HostPacer`: per-host rate limits; the scheduler's claim horizon; the delegation
//! sweep's `next_dns_check_at` and `recording::delegation_changed`), with DNS and
//! without, beside a baseline copied from PyPI's published policy.

pub mod registry;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::domain::delegation::Delegation;
use crate::domain::lifecycle::Lifecycle;
use crate::domain::name::RegistrableDomain;
use crate::domain::recording::{Before, Recording, delegation_changed, plan};
use crate::domain::schedule::{ScheduleSettings, next_dns_check_at};
use crate::domain::signals::SignalAction;
use crate::domain::status::{EvidenceSource, Finding, Observation};
use crate::domain::tracking::Tracked;
use crate::refresh::scheduler::HORIZON;
use crate::upstream::pacer::{HostPacer, HostRates};
use registry::{
    DAY, Fate, Handover, Lapse, Population, Rng, SimDomain, Stage, assign_handovers,
    assign_mail_routes, population,
};

/// A simulated RDAP host: its share of the domains and its rate limit.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SimHost {
    pub share: f64,
    pub per_second: f64,
}

/// The hosts of the default population: one big gTLD registry and several smaller ones.
pub const DEFAULT_HOSTS: [SimHost; 5] = [
    SimHost {
        share: 0.55,
        per_second: 5.0,
    },
    SimHost {
        share: 0.15,
        per_second: 2.0,
    },
    SimHost {
        share: 0.12,
        per_second: 1.0,
    },
    SimHost {
        share: 0.10,
        per_second: 1.0,
    },
    SimHost {
        share: 0.08,
        per_second: 0.5,
    },
];

/// How often a lookup fails, per lookup.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct FailureRates {
    /// 429 with `Retry-After: 60`: the host is paused.
    pub rate_limited: f64,
    pub timeout: f64,
    pub server_error: f64,
}

/// Everything a run depends on.
#[derive(Debug, Clone, Serialize)]
pub struct SimulationParams {
    pub domains: u32,
    pub days: u32,
    pub lapse_rate: f64,
    pub no_expiry_share: f64,
    /// Share of domains deleted by their holder before expiry.
    pub early_deletion_rate: f64,
    /// Share of domains on TLDs with no RDAP server.
    pub dns_only_share: f64,
    /// Share of domains (without a lapse, on RDAP TLDs) sold on the aftermarket in the
    /// period: listed on a marketplace's nameservers for 2 to 12 weeks, then transferred.
    pub aftermarket_rate: f64,
    /// Share of domains moved to another registrar by their holder in the period.
    pub owner_transfer_rate: f64,
    /// Share of domains whose mail goes through another simulated domain (a mail
    /// provider's), drawn uniformly.
    pub mail_route_rate: f64,
    pub seed: u64,
    pub baseline_daily_cap: u32,
    #[serde(skip)]
    pub schedule: ScheduleSettings,
    /// `LAPSEGUARD_MAX_CHECK_INTERVAL_DAYS`, reported against.
    pub max_check_interval_days: i64,
    pub hosts: Vec<SimHost>,
    pub failures: FailureRates,
}

impl SimulationParams {
    /// The defaults of `lapseguard simulate`, on a given schedule.
    pub fn defaults(schedule: ScheduleSettings) -> Self {
        Self {
            domains: 1_000_000,
            days: 365,
            lapse_rate: 0.05,
            no_expiry_share: 0.03,
            early_deletion_rate: 0.01,
            dns_only_share: 0.15,
            aftermarket_rate: 0.005,
            owner_transfer_rate: 0.02,
            mail_route_rate: 0.05,
            seed: 1,
            baseline_daily_cap: 1_000,
            max_check_interval_days: schedule.max_interval.num_days(),
            schedule,
            hosts: DEFAULT_HOSTS.to_vec(),
            failures: FailureRates {
                rate_limited: 0.001,
                timeout: 0.002,
                server_error: 0.005,
            },
        }
    }
}

/// Detection-delay percentiles, in days.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Delays {
    pub median: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

/// What one policy achieved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyReport {
    pub policy: String,
    /// Lapses that began in the simulated period.
    pub lapses: u64,
    /// Lapses whose name became available to others (sold in grace, or purged) within it.
    pub lapses_changing_hands: u64,
    /// Of those, detected before the name could change hands.
    pub detected_before_change_of_hands: u64,
    /// Of those, detected before day 30 of auto-renew grace.
    pub detected_before_grace_day_30: u64,
    /// Delay from the lapse's start to its detection, over every detected lapse.
    pub detection_delay_days: Delays,
    pub queries: u64,
    pub queries_per_day_mean: f64,
    pub queries_per_day_peak: u64,
    pub queries_per_domain_year: f64,
    /// DNS queries per domain per year (the delegation sweep).
    pub dns_queries_per_domain_year: f64,
    /// Domains that went longer than the maximum check interval without a check.
    pub domains_over_max_interval: u64,
    /// Changes of hands without a lapse, and transfers by the holder.
    pub handovers: HandoverReport,
    /// Detection time per domain, seconds from the start (for tests).
    #[serde(skip)]
    pub detections: Vec<Option<i64>>,
}

/// What a policy saw of changes of hands without a lapse (issue 22). "Detected" means a
/// denying reason was stored before the new holder got the name: a lapse (the lifecycle)
/// or, with signals, a denying signal under the default policy.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HandoverReport {
    /// Names sold in auto-renew grace by their registrar (pre-release auctions) within
    /// the period.
    pub pre_release: u64,
    pub pre_release_detected: u64,
    /// Of those, detected by the lifecycle alone.
    pub pre_release_detected_without_signals: u64,
    /// Aftermarket sales within the period.
    pub aftermarket: u64,
    pub aftermarket_detected: u64,
    pub aftermarket_detected_without_signals: u64,
    /// Transfers by the holder within the period.
    pub owner_transfers: u64,
    /// Of those, ever denied by a signal (false positives; flags are not counted).
    pub owner_transfers_denied: u64,
    /// Domains whose mail provider's domain changed hands (after a lapse) in the period:
    /// the new holder of the provider's domain receives their mail.
    pub mail_provider_lapses: u64,
    /// Of those, detected before the provider's domain changed hands: a check of the
    /// address then denies (`mail_route_lapsed` judges the provider's status, which the
    /// refresh keeps as it keeps any watched domain's).
    pub mail_provider_lapses_detected: u64,
    /// Of those, detected by the address's own domain's lifecycle alone.
    pub mail_provider_lapses_detected_without_signals: u64,
}

impl PolicyReport {
    pub fn share_before_change_of_hands(&self) -> f64 {
        ratio(
            self.detected_before_change_of_hands,
            self.lapses_changing_hands,
        )
    }

    pub fn share_before_grace_day_30(&self) -> f64 {
        ratio(
            self.detected_before_grace_day_30,
            self.lapses_changing_hands,
        )
    }
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

/// The four runs of `lapseguard simulate`.
#[derive(Debug, Clone, Serialize)]
pub struct SimulationReport {
    pub params: SimulationParams,
    pub lapseguard: PolicyReport,
    /// The same with `LAPSEGUARD_DNS=off`: what DNS buys.
    pub lapseguard_without_dns: PolicyReport,
    pub baseline: PolicyReport,
    pub baseline_equal_cost: PolicyReport,
}

/// Simulated time starts here (any fixed instant would do).
fn epoch() -> DateTime<Utc> {
    DateTime::from_timestamp(1_798_761_600, 0).expect("2027-01-01 is a valid time")
}

/// Draws the population and runs lapseguard, the baseline, and the baseline at
/// lapseguard's mean daily cost.
pub fn simulate(params: &SimulationParams) -> SimulationReport {
    let shares: Vec<f64> = params.hosts.iter().map(|h| h.share).collect();
    let domains = population(
        &Population {
            domains: params.domains,
            days: params.days,
            lapse_rate: params.lapse_rate,
            no_expiry_share: params.no_expiry_share,
            early_deletion_rate: params.early_deletion_rate,
            dns_only_share: params.dns_only_share,
            host_shares: &shares,
        },
        &mut Rng::new(params.seed),
    );
    let mut domains = domains;
    assign_handovers(
        &mut domains,
        params.days,
        params.aftermarket_rate,
        params.owner_transfer_rate,
        &mut Rng::new(params.seed ^ 0x4A4D_0FE5),
    );
    assign_mail_routes(
        &mut domains,
        params.mail_route_rate,
        &mut Rng::new(params.seed ^ 0x3A11_C0DE),
    );
    let lapseguard = run_lapseguard(&domains, params, Dns::On);
    let lapseguard_without_dns = run_lapseguard(&domains, params, Dns::Off);
    let baseline = run_baseline(&domains, params, params.baseline_daily_cap, "baseline");
    let equal_cap = lapseguard.queries_per_day_mean.ceil() as u32;
    let baseline_equal_cost = run_baseline(&domains, params, equal_cap, "baseline_equal_cost");
    SimulationReport {
        params: params.clone(),
        lapseguard,
        lapseguard_without_dns,
        baseline,
        baseline_equal_cost,
    }
}

/// Per-domain bookkeeping common to both policies.
struct Ledger {
    queries_per_day: Vec<u64>,
    dns_queries: u64,
    last_check: Vec<i64>,
    max_gap: Vec<i64>,
    detections: Vec<Option<i64>>,
    /// The first time a denying signal was stored, per domain.
    signal_detections: Vec<Option<i64>>,
    /// Whether a check judges the mail route (lapseguard with DNS: the MX is asked on the
    /// request path); the baseline and lapseguard without DNS do not.
    judges_mail_routes: bool,
}

impl Ledger {
    fn new(domains: usize, days: u32, judges_mail_routes: bool) -> Self {
        Self {
            judges_mail_routes,
            queries_per_day: vec![0; days as usize],
            dns_queries: 0,
            last_check: vec![0; domains],
            max_gap: vec![0; domains],
            detections: vec![None; domains],
            signal_detections: vec![None; domains],
        }
    }

    /// A registry query.
    fn query(&mut self, domain: usize, t: i64) {
        if let Some(day) = self.queries_per_day.get_mut((t / DAY) as usize) {
            *day += 1;
        }
        self.checked(domain, t);
    }

    /// A look at the domain by whichever source is its evidence.
    fn checked(&mut self, domain: usize, t: i64) {
        self.max_gap[domain] = self.max_gap[domain].max(t - self.last_check[domain]);
        self.last_check[domain] = t;
    }

    fn detect(&mut self, domain: usize, sim: &SimDomain, t: i64) {
        if self.detections[domain].is_none() && sim.lapse_start().is_some_and(|s| t >= s) {
            self.detections[domain] = Some(t);
        }
    }

    /// A denying signal stored at `t`.
    fn signal(&mut self, domain: usize, t: i64) {
        self.signal_detections[domain].get_or_insert(t);
    }

    fn handovers(&self, domains: &[SimDomain], end: i64) -> HandoverReport {
        let mut report = HandoverReport::default();
        let before = |found: Option<i64>, deadline: i64| found.is_some_and(|at| at < deadline);
        for (i, sim) in domains.iter().enumerate() {
            let lifecycle = self.detections[i];
            let signal = self.signal_detections[i];
            let either = match (lifecycle, signal) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            if let Some(Lapse {
                fate: Fate::SoldInGrace(after),
                ..
            }) = sim.lapse
            {
                let sale = sim.expiry + after;
                if sale <= end {
                    report.pre_release += 1;
                    report.pre_release_detected += u64::from(before(either, sale));
                    report.pre_release_detected_without_signals +=
                        u64::from(before(lifecycle, sale));
                }
            }
            match sim.handover {
                Some(Handover::Aftermarket { sold, .. }) if (0..=end).contains(&sold) => {
                    report.aftermarket += 1;
                    report.aftermarket_detected += u64::from(before(either, sold));
                    report.aftermarket_detected_without_signals +=
                        u64::from(before(lifecycle, sold));
                }
                Some(Handover::OwnerTransfer { at }) if (0..=end).contains(&at) => {
                    report.owner_transfers += 1;
                    report.owner_transfers_denied += u64::from(signal.is_some());
                }
                _ => {}
            }
            let provider = sim.mail_via.map(|p| p as usize);
            if let Some(p) = provider
                && let Some(deadline) = domains[p].deadline().filter(|d| *d <= end)
            {
                report.mail_provider_lapses += 1;
                let route = self.detections[p].filter(|_| self.judges_mail_routes);
                let own = lifecycle;
                let either = match (own, route) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                report.mail_provider_lapses_detected += u64::from(before(either, deadline));
                report.mail_provider_lapses_detected_without_signals +=
                    u64::from(before(own, deadline));
            }
        }
        report
    }

    fn report(self, name: &str, domains: &[SimDomain], params: &SimulationParams) -> PolicyReport {
        let end = i64::from(params.days) * DAY;
        let mut lapses = 0;
        let mut changing_hands = 0;
        let mut before_deadline = 0;
        let mut before_day_30 = 0;
        let mut delays = Vec::new();
        for (index, sim) in domains.iter().enumerate() {
            let Some(start) = sim.lapse_start().filter(|s| *s < end) else {
                continue;
            };
            lapses += 1;
            let detection = self.detections[index];
            if let Some(at) = detection {
                delays.push((at - start) as f64 / DAY as f64);
            }
            if let Some(deadline) = sim.deadline().filter(|d| *d <= end) {
                changing_hands += 1;
                if detection.is_some_and(|at| at < deadline) {
                    before_deadline += 1;
                }
                if detection.is_some_and(|at| at < start + 30 * DAY && at < deadline) {
                    before_day_30 += 1;
                }
            }
        }
        let max_interval = params.max_check_interval_days * DAY;
        let over = (0..domains.len())
            .filter(|&i| self.max_gap[i].max(end - self.last_check[i]) > max_interval)
            .count() as u64;
        let queries: u64 = self.queries_per_day.iter().sum();
        let days = f64::from(params.days.max(1));
        PolicyReport {
            policy: name.to_owned(),
            lapses,
            lapses_changing_hands: changing_hands,
            detected_before_change_of_hands: before_deadline,
            detected_before_grace_day_30: before_day_30,
            detection_delay_days: percentiles(&mut delays),
            queries,
            queries_per_day_mean: queries as f64 / days,
            queries_per_day_peak: self.queries_per_day.iter().copied().max().unwrap_or(0),
            queries_per_domain_year: queries as f64 / f64::from(params.domains.max(1)) * 365.0
                / days,
            dns_queries_per_domain_year: self.dns_queries as f64 / f64::from(params.domains.max(1))
                * 365.0
                / days,
            domains_over_max_interval: over,
            handovers: self.handovers(domains, end),
            detections: self.detections,
        }
    }
}

fn percentiles(values: &mut [f64]) -> Delays {
    if values.is_empty() {
        return Delays::default();
    }
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    Delays {
        median: at(0.5),
        p95: at(0.95),
        p99: at(0.99),
        max: values[values.len() - 1],
    }
}

fn is_lapsed(lifecycle: Lifecycle) -> bool {
    !matches!(lifecycle, Lifecycle::Active | Lifecycle::Unknown)
}

/// Whether the delegation sweep runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dns {
    On,
    Off,
}

/// A registry check comes due by its schedule, or at once after a DNS change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Due {
    Scheduled,
    DnsChange,
}

/// The delegation sweep over one domain: every DNS check by the production schedule,
/// from a first check spread over the first interval. Returns the times a change of
/// delegation made the registry check due (for a TLD with RDAP), and detects the lapse
/// of a DNS-only domain at the first check that sees it out of the zone.
fn sweep_domain(
    index: usize,
    sim: &SimDomain,
    params: &SimulationParams,
    rng: &mut Rng,
    ledger: &mut Ledger,
) -> Vec<i64> {
    let start = epoch();
    let end = i64::from(params.days) * DAY;
    let interval = params.schedule.dns_interval.num_seconds().max(1);
    let mut t = (rng.unit() * interval as f64) as i64;
    let mut before: Option<Delegation> = None;
    let mut triggers = Vec::new();
    while t < end {
        ledger.dns_queries += 1;
        let seen = sim.delegation(t);
        if sim.dns_only {
            ledger.checked(index, t);
            if !seen.delegated {
                ledger.detect(index, sim, t);
            }
        } else if delegation_changed(before.as_ref(), Some(&seen)) {
            triggers.push(t);
        }
        before = Some(seen);
        let now = start + Duration::seconds(t);
        t = (next_dns_check_at(now, true, &params.schedule) - start).num_seconds();
    }
    triggers
}

/// lapseguard: every domain is watched from the start; each check folds its observation
/// in with the production rules and is scheduled again where they say. With DNS on, the
/// delegation sweep runs beside it: a change of delegation makes the registry check due
/// at once, and it is the only evidence for DNS-only TLDs (whose registry is never asked).
pub fn run_lapseguard(domains: &[SimDomain], params: &SimulationParams, dns: Dns) -> PolicyReport {
    let start = epoch();
    let end = i64::from(params.days) * DAY;
    let hosts: Vec<String> = (0..params.hosts.len())
        .map(|h| format!("host{h}:443"))
        .collect();
    let pacer = HostPacer::new(
        &HostRates {
            default_per_second: 1.0,
            hosts: hosts
                .iter()
                .zip(&params.hosts)
                .map(|(name, host)| (name.clone(), host.per_second))
                .collect(),
        },
        0.0,
    );
    let names: Vec<RegistrableDomain> = (0..domains.len())
        .map(|i| {
            RegistrableDomain::parse(&format!("d{i}.com")).expect("d{i}.com is a valid domain")
        })
        .collect();
    let mut tracked = vec![Tracked::default(); domains.len()];
    let mut ledger = Ledger::new(domains.len(), params.days, dns == Dns::On);
    let mut due: BinaryHeap<Reverse<(i64, u32, Due)>> = BinaryHeap::new();
    // The time of each domain's live scheduled entry: older entries are stale.
    let mut next_at = vec![0_i64; domains.len()];
    let mut dns_rng = Rng::new(params.seed ^ 0xD05_5EED);
    for (i, sim) in domains.iter().enumerate() {
        if dns == Dns::On {
            let triggers = sweep_domain(i, sim, params, &mut dns_rng, &mut ledger);
            due.extend(
                triggers
                    .into_iter()
                    .map(|t| Reverse((t, i as u32, Due::DnsChange))),
            );
        }
        if !sim.dns_only {
            due.push(Reverse((0, i as u32, Due::Scheduled)));
        }
    }
    let mut rng = Rng::new(params.seed ^ 0x5EED_F00D);
    let failures = params.failures;

    while let Some(Reverse((at, index, why))) = due.pop() {
        if at >= end {
            break;
        }
        let i = index as usize;
        match why {
            Due::Scheduled if at != next_at[i] => continue,
            Due::DnsChange if at >= next_at[i] => continue,
            _ => next_at[i] = at,
        }
        let sim = &domains[i];
        let host = &hosts[sim.host];
        let slot = match pacer.reserve(host, start + Duration::seconds(at), HORIZON) {
            Ok(slot) => slot,
            Err(free_at) => {
                next_at[i] = (free_at - start).num_seconds();
                due.push(Reverse((next_at[i], index, Due::Scheduled)));
                continue;
            }
        };
        let t = (slot - start).num_seconds();
        ledger.query(i, t);
        let draw = rng.unit();
        let (finding, http_status) = if draw < failures.rate_limited {
            pacer.hold(host, slot + Duration::seconds(60));
            (failed("rate_limited"), Some(429))
        } else if draw < failures.rate_limited + failures.timeout {
            (failed("timeout"), None)
        } else if draw < failures.rate_limited + failures.timeout + failures.server_error {
            (failed("upstream_status"), Some(503))
        } else {
            let finding = sim.answer(t, start);
            let status = if finding == Finding::Unregistered {
                404
            } else {
                200
            };
            (finding, Some(status))
        };
        let observation = Observation {
            domain: names[i].clone(),
            source: EvidenceSource::Rdap,
            observed_at: slot,
            http_status,
            finding,
            host: None,
            routes: None,
        };
        let before = Before {
            tracked: &tracked[i],
            watch: None,
        };
        let plan = plan(before, &observation, Recording::SCHEDULED, &params.schedule);
        if plan.transition.as_ref().is_some_and(|t| is_lapsed(t.to)) {
            ledger.detect(i, sim, t);
        }
        // Signals: an address verified at the start of the period hears of those after it.
        if let Some(status) = &plan.tracked.status {
            let denied = status
                .signals
                .iter()
                .any(|s| s.since >= start && s.signal.default_action() == SignalAction::Deny);
            if denied {
                ledger.signal(i, t);
            }
        }
        tracked[i] = plan.tracked;
        next_at[i] = (plan.next_check_at - start).num_seconds();
        due.push(Reverse((next_at[i], index, Due::Scheduled)));
    }
    let name = match dns {
        Dns::On => "lapseguard",
        Dns::Off => "lapseguard_without_dns",
    };
    ledger.report(name, domains, params)
}

fn failed(error: &str) -> Finding {
    Finding::Failed {
        error: error.to_owned(),
    }
}

/// PyPI's published policy: once a day, check the rows not checked for 30 days, oldest
/// first, at most `cap` of them; un-verify on the Domainr-like states (`undelegated`,
/// `inactive`, `expiring`, `deleting`): DNS cut at the end of grace, redemption, pending
/// delete, purged. Domainr reports an ordinary auto-renew grace as `active`.
pub fn run_baseline(
    domains: &[SimDomain],
    params: &SimulationParams,
    cap: u32,
    name: &str,
) -> PolicyReport {
    let mut ledger = Ledger::new(domains.len(), params.days, false);
    let mut checked: Vec<Option<i64>> = vec![None; domains.len()];
    let mut oldest_first: VecDeque<usize> = (0..domains.len()).collect();
    for day in 0..i64::from(params.days) {
        let t = day * DAY + 3_600;
        for _ in 0..cap {
            let Some(&i) = oldest_first.front() else {
                break;
            };
            if checked[i].is_some_and(|last| last > t - 30 * DAY) {
                break;
            }
            oldest_first.pop_front();
            ledger.query(i, t);
            let flagged = matches!(
                domains[i].stage_at(t),
                Stage::Grace { dns_cut: true }
                    | Stage::Redemption
                    | Stage::PendingDelete
                    | Stage::Purged
            );
            if flagged {
                ledger.detect(i, &domains[i], t);
            }
            checked[i] = Some(t);
            oldest_first.push_back(i);
        }
    }
    ledger.report(name, domains, params)
}

/// The report as the table `lapseguard simulate` prints.
pub fn table(report: &SimulationReport) -> String {
    let runs = [
        &report.lapseguard,
        &report.lapseguard_without_dns,
        &report.baseline,
        &report.baseline_equal_cost,
    ];
    let header = format!(
        "{:<44} {:>16} {:>16} {:>16} {:>16}\n",
        "",
        "lapseguard",
        "without DNS",
        format!("baseline {}/day", report.params.baseline_daily_cap),
        format!(
            "baseline {}/day",
            report.lapseguard.queries_per_day_mean.ceil() as u64
        )
    );
    let row = |label: &str, cell: &dyn Fn(&PolicyReport) -> String| {
        let cells: Vec<String> = runs.iter().map(|r| format!("{:>16}", cell(r))).collect();
        format!("{label:<44} {}\n", cells.join(" "))
    };
    let percent = |x: f64| format!("{:.2}%", x * 100.0);
    let days = |x: f64| format!("{x:.1} d");
    let mut out = header;
    out += &row("lapses (of which the name changed hands)", &|r| {
        format!("{} ({})", r.lapses, r.lapses_changing_hands)
    });
    out += &row("detected before the name could change hands", &|r| {
        percent(r.share_before_change_of_hands())
    });
    out += &row("missed: the name changed hands first", &|r| {
        (r.lapses_changing_hands - r.detected_before_change_of_hands).to_string()
    });
    out += &row("detected before day 30 of grace", &|r| {
        percent(r.share_before_grace_day_30())
    });
    out += &row("detection delay: median", &|r| {
        days(r.detection_delay_days.median)
    });
    out += &row("detection delay: p95", &|r| {
        days(r.detection_delay_days.p95)
    });
    out += &row("detection delay: p99", &|r| {
        days(r.detection_delay_days.p99)
    });
    out += &row("detection delay: max", &|r| {
        days(r.detection_delay_days.max)
    });
    out += &row("RDAP queries per day: mean", &|r| {
        format!("{:.0}", r.queries_per_day_mean)
    });
    out += &row("RDAP queries per day: peak", &|r| {
        r.queries_per_day_peak.to_string()
    });
    out += &row("RDAP queries per domain per year", &|r| {
        format!("{:.2}", r.queries_per_domain_year)
    });
    out += &row("DNS queries per domain per year", &|r| {
        format!("{:.1}", r.dns_queries_per_domain_year)
    });
    out += &row(
        &format!(
            "domains unchecked for over {} days",
            report.params.max_check_interval_days
        ),
        &|r| r.domains_over_max_interval.to_string(),
    );
    out += "changes of hands without a lapse (detected before the new holder had the name)\n";
    type Count = fn(&HandoverReport) -> (u64, u64);
    let counts: [(&str, Count); 7] = [
        ("  pre-release auctions: with signals", |h| {
            (h.pre_release_detected, h.pre_release)
        }),
        ("  pre-release auctions: lifecycle only", |h| {
            (h.pre_release_detected_without_signals, h.pre_release)
        }),
        ("  aftermarket sales: with signals", |h| {
            (h.aftermarket_detected, h.aftermarket)
        }),
        ("  aftermarket sales: lifecycle only", |h| {
            (h.aftermarket_detected_without_signals, h.aftermarket)
        }),
        ("  mail provider's domain lapsed: with signals", |h| {
            (h.mail_provider_lapses_detected, h.mail_provider_lapses)
        }),
        ("  mail provider's domain lapsed: lifecycle only", |h| {
            (
                h.mail_provider_lapses_detected_without_signals,
                h.mail_provider_lapses,
            )
        }),
        ("  holders' own transfers denied (false +)", |h| {
            (h.owner_transfers_denied, h.owner_transfers)
        }),
    ];
    for (label, count) in counts {
        out += &row(label, &|r| {
            let (part, whole) = count(&r.handovers);
            format!("{part} of {whole}")
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::registry::{Fate, Lapse};
    use super::*;

    fn params(domains: u32, days: u32) -> SimulationParams {
        let mut params = SimulationParams::defaults(ScheduleSettings {
            max_interval: Duration::days(90),
            no_expiry_interval: Duration::days(30),
            confirm_after: Duration::minutes(10),
            dns_interval: Duration::days(1),
            nameserver_classes: crate::domain::nameservers::NameserverClasses::shipped_static(),
        });
        params.domains = domains;
        params.days = days;
        params
    }

    #[test]
    fn a_seed_gives_the_same_run_twice() {
        let params = params(3_000, 120);
        let first = simulate(&params);
        let second = simulate(&params);
        assert_eq!(first.lapseguard, second.lapseguard);
        assert_eq!(first.lapseguard_without_dns, second.lapseguard_without_dns);
        assert_eq!(first.baseline, second.baseline);
        assert_eq!(first.baseline_equal_cost, second.baseline_equal_cost);
        assert!(first.lapseguard.lapses > 0);
        let other = simulate(&SimulationParams { seed: 2, ..params });
        assert_ne!(other.lapseguard.detections, first.lapseguard.detections);
    }

    #[test]
    fn hand_built_lapses_are_detected_on_the_expected_day() {
        let mut params = params(5, 120);
        params.hosts = vec![SimHost {
            share: 1.0,
            per_second: 100.0,
        }];
        params.failures = FailureRates {
            rate_limited: 0.0,
            timeout: 0.0,
            server_error: 0.0,
        };
        let domain = |expiry_day: i64, publishes_expiry: bool, lapse: Option<Lapse>| SimDomain {
            host: 0,
            dns_only: false,
            registered: -1_000 * DAY,
            expiry: expiry_day * DAY,
            term_left: 0,
            publishes_expiry,
            handover: None,
            mail_via: None,
            lapse,
        };
        let purged = |grace_days: i64| {
            Some(Lapse {
                grace: grace_days * DAY,
                fate: Fate::Purged {
                    recaught_after: None,
                },
            })
        };
        let domains = [
            // Expires on day 10 into 20 days of grace: seen the day after expiry.
            domain(10, true, purged(20)),
            // No grace: straight into redemption on day 40; seen on day 41, published after
            // the confirming lookup 10 minutes later (active to redemption skips a stage).
            domain(40, true, purged(0)),
            // Renewed on the first day of grace: never seen, and no danger.
            domain(
                20,
                true,
                Some(Lapse {
                    grace: 30 * DAY,
                    fate: Fate::RenewedInGrace(3_600),
                }),
            ),
            // Never lapses.
            domain(60, true, None),
            // No published expiry: lapses on day 50, caught by the 30-day schedule.
            domain(50, false, purged(0)),
        ];
        let report = run_lapseguard(&domains, &params, Dns::Off);
        let day = |i: usize| report.detections[i].map(|t| t / DAY);
        assert_eq!(day(0), Some(11));
        assert_eq!(day(1), Some(41));
        assert_eq!(report.detections[1].map(|t| t % DAY), Some(600));
        assert_eq!(day(2), None);
        assert_eq!(day(3), None);
        let no_expiry = day(4).expect("detected");
        assert!((50..=80).contains(&no_expiry), "{no_expiry}");
        assert_eq!(report.lapses, 4);
        assert_eq!(report.lapses_changing_hands, 3);
        assert_eq!(report.detected_before_change_of_hands, 3);
    }

    #[test]
    fn dns_catches_an_early_deletion_and_a_dns_only_lapse_that_rdap_alone_misses() {
        let mut params = params(2, 200);
        params.hosts = vec![SimHost {
            share: 1.0,
            per_second: 100.0,
        }];
        let purged = Some(Lapse {
            grace: 0,
            fate: Fate::Purged {
                recaught_after: None,
            },
        });
        let domains = [
            // Deleted by its holder on day 50 with 200 days of its term left.
            SimDomain {
                host: 0,
                dns_only: false,
                registered: -1_000 * DAY,
                expiry: 50 * DAY,
                term_left: 200 * DAY,
                publishes_expiry: true,
                handover: None,
                mail_via: None,
                lapse: purged,
            },
            // On a TLD without RDAP: expires on day 20 into 10 days of grace.
            SimDomain {
                host: 0,
                dns_only: true,
                registered: -1_000 * DAY,
                expiry: 20 * DAY,
                term_left: 0,
                publishes_expiry: true,
                handover: None,
                mail_via: None,
                lapse: Some(Lapse {
                    grace: 10 * DAY,
                    fate: Fate::Purged {
                        recaught_after: None,
                    },
                }),
            },
        ];
        params.failures = FailureRates {
            rate_limited: 0.0,
            timeout: 0.0,
            server_error: 0.0,
        };
        let with = run_lapseguard(&domains, &params, Dns::On);
        let day = |t: Option<i64>| t.map(|t| t / DAY);
        // Seen out of the zone within a day, the registry asked at once: redemption.
        let early = day(with.detections[0]).expect("detected");
        assert!((50..=51).contains(&early), "{early}");
        // Out of the zone from the last 8 days of grace (day 22).
        let dns_only = day(with.detections[1]).expect("detected");
        assert!((22..=23).contains(&dns_only), "{dns_only}");
        assert_eq!(with.detected_before_change_of_hands, 2);
        assert!(with.dns_queries_per_domain_year > 365.0 * 0.99);
        assert!(with.dns_queries_per_domain_year <= 366.0);

        let without = run_lapseguard(&domains, &params, Dns::Off);
        assert_eq!(without.detected_before_change_of_hands, 0);
        assert_eq!(without.dns_queries_per_domain_year, 0.0);
    }

    /// A domain on host 0 with RDAP, registered long ago, expiring on `expiry_day`,
    /// without a lapse, a handover or a mail provider.
    fn plain(expiry_day: i64) -> SimDomain {
        SimDomain {
            host: 0,
            dns_only: false,
            registered: -1_000 * DAY,
            expiry: expiry_day * DAY,
            term_left: 0,
            publishes_expiry: true,
            handover: None,
            mail_via: None,
            lapse: None,
        }
    }

    /// The same parameters with registries that never fail.
    fn reliable(mut params: SimulationParams) -> SimulationParams {
        params.failures = FailureRates {
            rate_limited: 0.0,
            timeout: 0.0,
            server_error: 0.0,
        };
        params
    }

    #[test]
    fn a_listing_is_caught_before_the_sale_and_an_owners_transfer_is_not_denied() {
        let params = reliable(params(3, 120));
        let domain = |handover: Option<Handover>, expiry_day: i64| SimDomain {
            handover,
            ..plain(expiry_day)
        };
        let domains = [
            domain(
                Some(Handover::Aftermarket {
                    listed: 10 * DAY,
                    sold: 40 * DAY,
                }),
                300,
            ),
            domain(Some(Handover::OwnerTransfer { at: 50 * DAY }), 300),
            // Transferred 20 days after its expiry date (renewed on time).
            domain(Some(Handover::OwnerTransfer { at: 20 * DAY }), 0),
        ];
        let with = run_lapseguard(&domains, &params, Dns::On);
        let handovers = &with.handovers;
        assert_eq!(
            (handovers.aftermarket, handovers.aftermarket_detected),
            (1, 1)
        );
        assert_eq!(handovers.aftermarket_detected_without_signals, 0);
        assert_eq!(handovers.owner_transfers, 2);
        // The one 20 days after its expiry date was seen renewed (the schedule looks a day
        // after each expiry date) before it moved: not an auction.
        assert_eq!(handovers.owner_transfers_denied, 0);
        // Without DNS the 90-day schedule does not come by during the listing.
        let without = run_lapseguard(&domains, &params, Dns::Off);
        assert_eq!(without.handovers.aftermarket_detected, 0);
        let baseline = run_baseline(&domains, &params, 10, "baseline");
        assert_eq!(baseline.handovers.aftermarket_detected, 0);
    }

    #[test]
    fn a_mail_provider_whose_domain_lapses_is_caught_for_the_domains_it_serves() {
        let params = reliable(params(3, 120));
        let domain = |lapse: Option<Lapse>, mail_via: Option<u32>| SimDomain {
            mail_via,
            lapse,
            ..plain(10)
        };
        let provider = Some(Lapse {
            grace: 30 * DAY,
            fate: Fate::Purged {
                recaught_after: None,
            },
        });
        let renewed = Some(Lapse {
            grace: 30 * DAY,
            fate: Fate::RenewedInGrace(DAY),
        });
        let domains = [
            // The provider's domain: expires on day 10, purged on day 75.
            domain(provider, None),
            // Two customers that never lapse themselves.
            domain(None, Some(0)),
            domain(renewed, Some(0)),
        ];
        let with = run_lapseguard(&domains, &params, Dns::On);
        let handovers = &with.handovers;
        assert_eq!(
            (
                handovers.mail_provider_lapses,
                handovers.mail_provider_lapses_detected,
                handovers.mail_provider_lapses_detected_without_signals,
            ),
            (2, 2, 0)
        );
        // Without DNS the MX is not known; the baseline never asks about the route.
        let without = run_lapseguard(&domains, &params, Dns::Off);
        assert_eq!(without.handovers.mail_provider_lapses_detected, 0);
        let baseline = run_baseline(&domains, &params, 10, "baseline");
        assert_eq!(baseline.handovers.mail_provider_lapses, 2);
        assert_eq!(baseline.handovers.mail_provider_lapses_detected, 0);
    }

    #[test]
    fn the_baseline_only_sees_what_a_domainr_like_status_shows() {
        let mut params = params(1, 120);
        params.baseline_daily_cap = 10;
        let lapsing = SimDomain {
            host: 0,
            dns_only: false,
            registered: -1_000 * DAY,
            expiry: 10 * DAY,
            term_left: 0,
            publishes_expiry: true,
            handover: None,
            mail_via: None,
            lapse: Some(Lapse {
                grace: 40 * DAY,
                fate: Fate::Purged {
                    recaught_after: None,
                },
            }),
        };
        // Checked on day 0, then every 30 days: day 30 is in ordinary grace (Domainr says
        // active), day 60 is in redemption.
        let report = run_baseline(&[lapsing], &params, 10, "baseline");
        assert_eq!(report.detections[0].map(|t| t / DAY), Some(60));
        assert_eq!(report.queries, 4);
    }
}
