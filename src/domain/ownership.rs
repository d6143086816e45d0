//! The rules that raise ownership signals (`signals.rs`): what one registry answer,
//! compared with the status before it, says about who holds the name; how long a
//! transfer after the expiry date looks like an auction; which route domains a check
//! judges, and when one makes `nameserver_domain_lapsed` hold.
//!
//! | signal | kept when | `since` |
//! |---|---|---|
//! | `transferred_since_verified` | a `transfer` event, or the registrar's IANA ID changed between two observations | the transfer's date, else the observation that saw the new ID |
//! | `transferred_in_grace_window` | a `transfer` event within 60 days after an anniversary of the expiration date (or after the previous expiration lapseguard saw) | the transfer's date |
//! | `registry_handle_changed` | the registry's handle changed between two observations (same repository) | the observation that saw the new handle |
//! | `parked`, `for_sale`, `registrar_expired`, `registrar_hold` | a current nameserver (not the domain's own) is in that class (`nameservers.rs`) | the first observation that saw it, continuously since |
//! | `registration_date_unknown` | the registry answers without a registration date | the first observation that saw it, continuously since |

use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc};

use super::delegation::{Delegation, MailRoute};
use super::lifecycle::Lifecycle;
use super::name::RegistrableDomain;
use super::nameservers::{NameserverClass, NameserverClasses};
use super::signals::{Change, Signal, SignalAction, SignalChange, SignalPolicy, SignalState};
use super::status::{DomainStatus, EvidenceSource, Finding, Observation};

/// [`DomainStatus::observe`] with the signals folded in: what every path that folds an
/// observation into a status calls. `classes` tells which nameservers raise a signal.
pub fn observe(
    previous: Option<&DomainStatus>,
    observation: &Observation,
    classes: &NameserverClasses,
) -> Option<DomainStatus> {
    let mut next = DomainStatus::observe(previous, observation)?;
    let folded = observation.lifecycle().is_some()
        && previous.is_none_or(|p| p.checked_at <= observation.observed_at);
    if folded {
        next.signals = fold(previous, &next, observation, classes);
    }
    Some(next)
}

/// How long after an anniversary of the expiration date a transfer has the shape of an
/// expired-domain auction: the auto-renew grace period (up to 45 days at most gTLD
/// registries) and the registrar's own auction days after it.
pub const GRACE_WINDOW: Duration = Duration::days(60);

/// The signals of `next`, the status an observation led to, given the status before it.
/// Signals that continue keep their `since`; events stay until a newer one of the same
/// signal replaces them. Only the observation's own evidence is read: a Fastly answer
/// (no nameservers, no dates) leaves the nameserver and date signals as they were.
pub fn fold(
    previous: Option<&DomainStatus>,
    next: &DomainStatus,
    observation: &Observation,
    classes: &NameserverClasses,
) -> Vec<SignalState> {
    let kept: &[SignalState] = previous.map_or(&[], |p| &p.signals);
    let at = observation.observed_at;
    let mut signals: Vec<SignalState> = Vec::new();
    let earlier = |signal: Signal| kept.iter().find(|s| s.signal == signal);
    // A signal that continues (same `since`) keeps when it was first seen and whether it
    // was published; a new one (a newer event) starts again.
    let mut keep = |signal: Signal, since: DateTime<Utc>, evidence: String| {
        let continuing = earlier(signal).filter(|e| e.since == since);
        signals.push(SignalState {
            signal,
            since,
            evidence,
            seen_at: continuing.map_or(at, |e| e.seen_at),
            published: continuing.is_some_and(|e| e.published),
        });
    };
    let state_since = |signal: Signal| earlier(signal).map_or(at, |s| s.since);

    // States read from the nameservers, where the observation lists them.
    let reads_nameservers = matches!(
        &observation.finding,
        Finding::Registered(_) | Finding::Delegation(_) | Finding::Unregistered
    );
    for class in [
        NameserverClass::Parked,
        NameserverClass::ForSale,
        NameserverClass::RegistrarExpired,
        NameserverClass::RegistrarHold,
    ] {
        let signal = Signal::of_class(class);
        if reads_nameservers {
            // A marketplace's own domain served by its own nameservers is not for sale.
            let own = |ns: &str| {
                ns.strip_suffix(next.domain.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
            };
            let matched = next
                .nameservers
                .iter()
                .chain(&next.dns_nameservers)
                .find(|ns| !own(ns) && classes.class_of(ns) == Some(class));
            if let Some(ns) = matched {
                keep(signal, state_since(signal), format!("nameserver {ns}"));
            }
        } else if let Some(earlier) = earlier(signal) {
            keep(signal, earlier.since, earlier.evidence.clone());
        }
    }

    // The domain's own mail, where a DNS answer gave its route.
    let no_mail = Signal::NoMail;
    match &observation.finding {
        Finding::Delegation(Delegation {
            mail_route: Some(route),
            ..
        }) => {
            if let Some(found) = no_mail_signal(route, state_since(no_mail)) {
                keep(no_mail, found.since, found.evidence);
            }
        }
        Finding::Unregistered => {}
        _ => {
            if let Some(earlier) = earlier(no_mail) {
                keep(no_mail, earlier.since, earlier.evidence.clone());
            }
        }
    }

    // The routes, where the observer judged them (the delegation sweep's look).
    for signal in [Signal::NameserverDomainLapsed, Signal::MailRouteLapsed] {
        match &observation.routes {
            Some(found) => {
                if let Some(found) = found.iter().find(|f| f.signal == signal) {
                    keep(signal, found.since, found.evidence.clone());
                }
            }
            None => {
                if let Some(earlier) = earlier(signal) {
                    keep(signal, earlier.since, earlier.evidence.clone());
                }
            }
        }
    }

    // The record itself.
    match &observation.finding {
        Finding::Registered(record) if observation.source == EvidenceSource::Rdap => {
            if record.registered_at.is_none() {
                let signal = Signal::RegistrationDateUnknown;
                keep(
                    signal,
                    state_since(signal),
                    "the registry publishes no registration date".to_owned(),
                );
            }
        }
        _ => {
            if let Some(earlier) = earlier(Signal::RegistrationDateUnknown)
                && !matches!(observation.finding, Finding::Unregistered)
            {
                keep(earlier.signal, earlier.since, earlier.evidence.clone());
            }
        }
    }

    // Events: compared with the status before.
    let before = previous.filter(|p| p.checked_at < at);
    let event = |signal: Signal, found: Option<(DateTime<Utc>, String)>| {
        found.or_else(|| earlier(signal).map(|s| (s.since, s.evidence.clone())))
    };
    let registrar_change = before.and_then(|before| {
        match (&before.registrar_id, &next.registrar_id) {
            (Some(old), Some(new)) if old != new => {
                // The transfer's own date, when the record has one since the last look.
                let since = next
                    .transferred_at
                    .filter(|t| *t > before.checked_at && *t <= at)
                    .unwrap_or(at);
                Some((since, format!("registrar {old} -> {new}")))
            }
            _ => None,
        }
    });
    let transfer_event = next
        .transferred_at
        .filter(|t| earlier(Signal::TransferredSinceVerified).is_none_or(|s| *t > s.since))
        .map(|t| (t, format!("transfer event {}", t.format("%Y-%m-%d"))));
    let transferred = match (registrar_change, transfer_event) {
        (Some(a), Some(b)) => Some(if a.0 >= b.0 { a } else { b }),
        (a, b) => a.or(b),
    };
    if let Some((since, evidence)) = event(Signal::TransferredSinceVerified, transferred) {
        keep(Signal::TransferredSinceVerified, since, evidence);
    }
    // Judged once, when the transfer is new to lapseguard: a later look has no answer
    // from before the transfer to compare with.
    let new_transfer = previous.is_none_or(|p| p.transferred_at != next.transferred_at);
    let auction = next
        .transferred_at
        .filter(|_| new_transfer)
        .filter(|t| {
            let expiry =
                grace_window_expiry(*t, next.expires_at, before.and_then(|b| b.expires_at));
            expiry.is_some_and(|expiry| !seen_renewed(before, expiry, *t))
        })
        .filter(|t| earlier(Signal::TransferredInGraceWindow).is_none_or(|s| *t > s.since))
        .map(|t| {
            (
                t,
                format!(
                    "transfer {} within {} days after the expiration date",
                    t.format("%Y-%m-%d"),
                    GRACE_WINDOW.num_days()
                ),
            )
        });
    if let Some((since, evidence)) = event(Signal::TransferredInGraceWindow, auction) {
        keep(Signal::TransferredInGraceWindow, since, evidence);
    }
    let handle_change = before.and_then(|before| match (&before.handle, &next.handle) {
        (Some(old), Some(new)) if old != new && same_repository(old, new) => {
            Some((at, format!("handle {old} -> {new}")))
        }
        _ => None,
    });
    if let Some((since, evidence)) = event(Signal::RegistryHandleChanged, handle_change) {
        keep(Signal::RegistryHandleChanged, since, evidence);
    }
    signals.sort_by_key(|s| s.signal);
    signals
}

/// A DNS answer about a domain another source answers for (a delegation sweep's, or a
/// check's DNS look): the status keeps its registry facts and `checked_at`, takes the NS
/// hosts as its DNS nameservers, and its nameserver and mail signals are folded again.
/// `None` when the answer is not a delegation with nameservers (NXDOMAIN, NODATA, a
/// failure: the registry's evidence decides those) or nothing changes.
pub fn observe_delegation(
    previous: &DomainStatus,
    observation: &Observation,
    classes: &NameserverClasses,
) -> Option<DomainStatus> {
    let Finding::Delegation(delegation) = &observation.finding else {
        return None;
    };
    if !delegation.delegated
        || delegation.nameservers.is_empty()
        || observation.observed_at < previous.checked_at
    {
        return None;
    }
    let mut next = previous.clone();
    next.dns_nameservers = delegation.nameservers.clone();
    next.signals = fold(Some(previous), &next, observation, classes);
    let same_signals = next.signals.len() == previous.signals.len()
        && next
            .signals
            .iter()
            .zip(&previous.signals)
            .all(|(a, b)| a.signal == b.signal && a.since == b.since);
    let unchanged = next.dns_nameservers == previous.dns_nameservers && same_signals;
    (!unchanged).then_some(next)
}

/// Marks `signal` unpublished in `status`: the guard held its appearance, so a later
/// look publishes it once the host's hold has ended.
pub fn unpublish(status: &mut DomainStatus, signal: Signal) {
    for state in status.signals.iter_mut().filter(|s| s.signal == signal) {
        state.published = false;
    }
}

/// What to publish of `next`'s signals, given the signals before: a signal appeared once a
/// look at least `confirm_after` after the first that showed it still shows it (RDAP
/// answers from two servers of one registry can disagree for minutes), or at once when the
/// registry's own event dates it ([`dated_by_registry`]), marked published in `next`; a published signal that is no longer there went away. A signal that came and
/// went before its confirmation publishes nothing.
pub fn signal_changes(
    before: &[SignalState],
    next: &mut [SignalState],
    observed_at: DateTime<Utc>,
    confirm_after: Duration,
) -> Vec<SignalChange> {
    let mut changes = Vec::new();
    for gone in before
        .iter()
        .filter(|b| b.published && !next.iter().any(|n| n.signal == b.signal))
    {
        changes.push(SignalChange {
            signal: gone.signal,
            change: Change::Gone,
            since: gone.since,
        });
    }
    for signal in next.iter_mut().filter(|n| {
        !n.published && (dated_by_registry(n) || observed_at - n.seen_at >= confirm_after)
    }) {
        signal.published = true;
        changes.push(SignalChange {
            signal: signal.signal,
            change: Change::Appeared,
            since: signal.since,
        });
    }
    changes
}

/// When a signal awaiting its confirming look wants the next look.
pub fn confirmation_due(signals: &[SignalState], confirm_after: Duration) -> Option<DateTime<Utc>> {
    signals
        .iter()
        .filter(|s| !s.published && !dated_by_registry(s))
        .map(|s| s.seen_at + confirm_after)
        .min()
}

/// A signal dated by the registry's own event (a `transfer` event's date, before
/// lapseguard first saw it) is a fact the record states, published at once like a
/// lifecycle change that skips no stage; one lapseguard dates itself (a state, a
/// comparison of two answers) waits for its confirming look.
fn dated_by_registry(signal: &SignalState) -> bool {
    signal.since < signal.seen_at
}

/// Whether a transfer at `transfer` has the shape of an expired-domain auction: within
/// [`GRACE_WINDOW`] after the most recent anniversary (on or before the transfer) of the
/// expiration date the record shows, or after the expiration lapseguard saw before.
pub fn in_grace_window(
    transfer: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    previous_expiry: Option<DateTime<Utc>>,
) -> bool {
    grace_window_expiry(transfer, expires_at, previous_expiry).is_some()
}

/// The expiration date (an anniversary, or the previous one seen) whose window the
/// transfer falls in, if any.
fn grace_window_expiry(
    transfer: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    previous_expiry: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    let after = |expiry: &DateTime<Utc>| transfer >= *expiry && transfer - *expiry <= GRACE_WINDOW;
    expires_at
        .and_then(|e| anniversary_before(e, transfer))
        .filter(after)
        .or(previous_expiry.filter(after))
}

/// Whether lapseguard saw the name renewed between the expiration date and the transfer:
/// an answer after the expiry, before the transfer, `active` (not in auto-renew grace)
/// and with no lapse since the expiry. A name its holder renewed is not auctioned; a
/// holder who then moves it to another registrar is not refused (`simulate` measured 13%
/// of holders' own transfers refused without this rule: those that fall in the 60 days
/// after an expiry date).
fn seen_renewed(
    before: Option<&DomainStatus>,
    expiry: DateTime<Utc>,
    transfer: DateTime<Utc>,
) -> bool {
    before.is_some_and(|b| {
        b.lifecycle == Lifecycle::Active
            && b.checked_at >= expiry
            && b.checked_at < transfer
            && b.last_lapse_at.is_none_or(|lapse| lapse < expiry)
    })
}

/// The latest date on or before `at` with `date`'s month, day and time of day (29
/// February is the 28th in other years).
fn anniversary_before(date: DateTime<Utc>, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let on = |year: i32| {
        let leap_day = date.month() == 2 && date.day() == 29;
        let day = if leap_day && chrono::NaiveDate::from_ymd_opt(year, 2, 29).is_none() {
            28
        } else {
            date.day()
        };
        Utc.with_ymd_and_hms(
            year,
            date.month(),
            day,
            date.hour(),
            date.minute(),
            date.second(),
        )
        .single()
    };
    let this_year = on(at.year())?;
    if this_year <= at {
        Some(this_year)
    } else {
        on(at.year() - 1)
    }
}

/// Whether two registry handles come from the same repository: EPP's ROIDs end in `-`
/// and the repository's ID (`2138514_DOMAIN_COM-VRSN`), and a registrar's server writes
/// its own. Handles of two repositories are not compared (a change of server is not a
/// new registration).
fn same_repository(a: &str, b: &str) -> bool {
    let repository = |h: &str| h.rsplit_once('-').map(|(_, r)| r.to_ascii_uppercase());
    repository(a) == repository(b)
}

/// The most route domains a check looks at for one domain (nameservers spread over more
/// registrable domains than this are rare; the first ones in name order are judged).
pub const MAX_ROUTE_DOMAINS: usize = 4;

/// The registrable domains of `hosts` (nameservers, mail exchangers) other than
/// `domain` itself, once each, at most [`MAX_ROUTE_DOMAINS`]: where the name's DNS or mail
/// is served from. A host that is no name under a public suffix is left out.
pub fn route_domains<'a>(
    domain: &RegistrableDomain,
    hosts: impl IntoIterator<Item = &'a str>,
) -> Vec<RegistrableDomain> {
    let mut routes: Vec<RegistrableDomain> = hosts
        .into_iter()
        .filter_map(|host| RegistrableDomain::parse(host).ok())
        .filter(|route| route != domain)
        .collect();
    routes.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    routes.dedup();
    routes.truncate(MAX_ROUTE_DOMAINS);
    routes
}

/// The policy's ages [`route_signal`] judges a route domain by:
/// `LAPSEGUARD_LAPSE_MEMORY_DAYS` and `LAPSEGUARD_MIN_DOMAIN_AGE_DAYS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteAges {
    pub lapse_memory: Duration,
    pub min_domain_age: Duration,
}

/// Whether a route domain's status makes `signal` hold for the names routed through it:
/// it is in a lapse stage now, lapsed after `verified_at`, or was registered after it
/// (without `verified_at`: lapsed within the lapse memory, registered within the minimum
/// domain age). A new registration counts even when the route simply moved to a
/// brand-new provider domain: whoever holds the route domain now was not there when the
/// user proved the mailbox.
pub fn route_signal(
    signal: Signal,
    status: &DomainStatus,
    verified_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    ages: RouteAges,
) -> Option<SignalState> {
    let route = status.domain.as_str();
    let lapsing = !matches!(status.lifecycle, Lifecycle::Active | Lifecycle::Unknown);
    let lapsed_after = status
        .last_lapse_at
        .filter(|lapse| *lapse > verified_at.unwrap_or(now - ages.lapse_memory));
    let registered_after = status
        .registered_at
        .filter(|registered| *registered > verified_at.unwrap_or(now - ages.min_domain_age));
    let (since, what) = if lapsing {
        (
            status.last_lapse_at.unwrap_or(status.checked_at),
            format!("is {}", status.lifecycle.as_str()),
        )
    } else if let Some(lapse) = lapsed_after {
        (lapse, "lapsed".to_owned())
    } else if let Some(registered) = registered_after {
        (registered, "was registered anew".to_owned())
    } else {
        return None;
    };
    Some(SignalState {
        signal,
        since,
        evidence: format!("{route} {what}"),
        seen_at: now,
        published: false,
    })
}

/// The latest [`route_signal`] the route domains' statuses give: the one a check heeds
/// (with `verified_at`) and the one the delegation sweep keeps on the status (without).
pub fn latest_route_signal<'a>(
    signal: Signal,
    routes: impl IntoIterator<Item = &'a DomainStatus>,
    verified_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    ages: RouteAges,
) -> Option<SignalState> {
    routes
        .into_iter()
        .filter_map(|status| route_signal(signal, status, verified_at, now, ages))
        .max_by_key(|found| found.since)
}

/// The signals of `status` a check with `verified_at` at `now` hears of, by `policy`:
/// not ignored, not from before `verified_at`, and (without `verified_at`) no event
/// older than `lapse_memory`.
pub fn applying<'a>(
    status: &'a DomainStatus,
    policy: &'a SignalPolicy,
    verified_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    lapse_memory: Duration,
) -> impl Iterator<Item = &'a SignalState> + 'a {
    status.signals.iter().filter(move |s| {
        // The status's `no_mail` and route signals are the registrable domain's own, as
        // the sweep last judged them; a check judges its routes itself, and the address's
        // mail domain as written (`Checker::judge_routes`, `Checker::judge_mail`).
        !matches!(
            s.signal,
            Signal::NoMail | Signal::NameserverDomainLapsed | Signal::MailRouteLapsed
        ) && !forgiven(s, verified_at, now, lapse_memory)
            && policy.action(s.signal) != SignalAction::Ignore
    })
}

/// Whether a check with `verified_at` at `now` forgives `signal`, as it forgives a lapse:
/// it began before `verified_at`; without `verified_at`, it is an event older than the
/// lapse memory (a state applies while it lasts).
pub fn forgiven(
    signal: &SignalState,
    verified_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    lapse_memory: Duration,
) -> bool {
    match verified_at {
        Some(verified) => signal.since < verified,
        None => !signal.signal.is_state() && signal.since < now - lapse_memory,
    }
}

/// `no_mail` for a mail domain whose route (first seen as it is at `seen_at`) delivers
/// nowhere: a null MX, or neither MX nor address records.
pub fn no_mail_signal(route: &MailRoute, seen_at: DateTime<Utc>) -> Option<SignalState> {
    route.no_mail().then(|| SignalState {
        signal: Signal::NoMail,
        since: seen_at,
        evidence: if route.null_mx {
            "null MX".to_owned()
        } else {
            "neither MX nor address records".to_owned()
        },
        seen_at,
        published: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::status::Registration;

    fn day(n: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .expect("valid")
            + Duration::days(n)
    }

    fn observe(previous: Option<&DomainStatus>, at: i64, record: Registration) -> DomainStatus {
        let observation = Observation {
            domain: RegistrableDomain::parse("example.com").expect("valid"),
            source: EvidenceSource::Rdap,
            observed_at: day(at),
            http_status: Some(200),
            finding: Finding::Registered(record),
            host: None,
            routes: None,
        };
        super::observe(previous, &observation, &NameserverClasses::shipped()).expect("a status")
    }

    fn record(registrar: &str, handle: &str, nameservers: &[&str]) -> Registration {
        Registration {
            statuses: vec!["active".into()],
            registered_at: Some(day(-4000)),
            expires_at: Some(day(200)),
            registrar_id: Some(registrar.into()),
            handle: Some(handle.into()),
            nameservers: nameservers.iter().map(|s| (*s).to_owned()).collect(),
            ..Registration::default()
        }
    }

    fn names(status: &DomainStatus) -> Vec<&'static str> {
        status.signals.iter().map(|s| s.signal.as_str()).collect()
    }

    /// A DNS look at `at` with NS and this mail route (`None`: the route lookup failed).
    fn dns_look(at: i64, route: Option<MailRoute>) -> Observation {
        Observation {
            domain: RegistrableDomain::parse("example.com").expect("valid"),
            source: EvidenceSource::Dns,
            observed_at: day(at),
            http_status: None,
            finding: Finding::Delegation(Delegation {
                delegated: true,
                nameservers: vec!["ns1.example.net".into()],
                mail: route.as_ref().map(|r| !r.exchanges.is_empty()),
                mail_route: route,
            }),
            host: None,
            routes: None,
        }
    }

    #[test]
    fn the_domains_own_mail_route_keeps_no_mail_while_it_lasts() {
        let classes = NameserverClasses::shipped();
        let registered = observe(None, 0, record("292", "1-VRSN", &["ns1.example.net"]));
        let mx = || MailRoute {
            exchanges: vec!["mx.example.net".into()],
            ..MailRoute::default()
        };
        let seen = observe_delegation(&registered, &dns_look(1, Some(mx())), &classes)
            .expect("its DNS nameservers are new");
        assert_eq!(names(&seen), Vec::<&str>::new());
        assert_eq!(
            observe_delegation(&seen, &dns_look(2, Some(mx())), &classes),
            None,
            "nothing new"
        );
        let stopped = observe_delegation(&seen, &dns_look(2, Some(MailRoute::default())), &classes)
            .expect("no_mail appears");
        assert_eq!(names(&stopped), ["no_mail"]);
        assert_eq!(stopped.signals[0].since, day(2));
        // The same again, or a failed route lookup, or a registry answer: it stays.
        assert_eq!(
            observe_delegation(&stopped, &dns_look(3, Some(MailRoute::default())), &classes),
            None
        );
        assert_eq!(
            observe_delegation(&stopped, &dns_look(3, None), &classes),
            None
        );
        let looked = observe(
            Some(&stopped),
            4,
            record("292", "1-VRSN", &["ns1.example.net"]),
        );
        assert_eq!(names(&looked), ["no_mail"]);
        assert_eq!(looked.signals[0].since, day(2));
        // Mail again: it goes.
        let back = observe_delegation(&looked, &dns_look(5, Some(mx())), &classes).expect("gone");
        assert_eq!(names(&back), Vec::<&str>::new());
    }

    #[test]
    fn a_state_keeps_its_first_sighting_and_ends_when_the_nameservers_move() {
        let first = observe(None, 0, record("292", "1-VRSN", &["ns1.dan.com"]));
        assert_eq!(first.lifecycle, Lifecycle::Active);
        assert_eq!(names(&first), ["for_sale"]);
        let again = observe(Some(&first), 5, record("292", "1-VRSN", &["ns2.dan.com"]));
        assert_eq!(
            again.signals[0].since,
            day(0),
            "continuously since the first"
        );
        let moved = observe(
            Some(&again),
            6,
            record("292", "1-VRSN", &["ns1.example.net"]),
        );
        assert!(moved.signals.is_empty());
    }

    #[test]
    fn a_class_does_not_apply_to_the_domain_its_own_nameservers_belong_to() {
        let observation = Observation {
            domain: RegistrableDomain::parse("dan.com").expect("valid"),
            source: EvidenceSource::Rdap,
            observed_at: day(0),
            http_status: Some(200),
            finding: Finding::Registered(record("292", "1-VRSN", &["ns1.dan.com"])),
            host: None,
            routes: None,
        };
        let status =
            super::observe(None, &observation, &NameserverClasses::shipped()).expect("a status");
        assert!(status.signals.is_empty(), "{:?}", status.signals);
    }

    #[test]
    fn a_new_registrar_or_handle_is_an_event_that_stays() {
        let first = observe(None, 0, record("292", "1-VRSN", &[]));
        assert!(first.signals.is_empty());
        let moved = observe(Some(&first), 3, record("1068", "1-VRSN", &[]));
        assert_eq!(names(&moved), ["transferred_since_verified"]);
        assert_eq!(moved.signals[0].since, day(3));
        assert_eq!(moved.signals[0].evidence, "registrar 292 -> 1068");
        let later = observe(Some(&moved), 9, record("1068", "2-VRSN", &[]));
        assert_eq!(
            names(&later),
            ["transferred_since_verified", "registry_handle_changed"]
        );
        assert_eq!(later.signals[0].since, day(3), "the event stays");
        assert_eq!(later.signals[1].since, day(9));
        // A handle from another repository (a registrar's server) is not compared.
        let other = observe(Some(&first), 3, record("292", "D123-MMR", &[]));
        assert!(other.signals.is_empty(), "{:?}", other.signals);
    }

    #[test]
    fn a_transfer_weeks_after_the_expiry_anniversary_is_an_auction() {
        let mut auctioned = record("292", "1-VRSN", &[]);
        auctioned.registered_at = Some(day(-4000));
        auctioned.expires_at = Some(day(365 + 340));
        auctioned.transferred_at = Some(day(340 + 20));
        let status = observe(None, 362, auctioned.clone());
        assert_eq!(
            names(&status),
            ["transferred_since_verified", "transferred_in_grace_window"]
        );
        assert_eq!(status.signals[1].since, day(360));
        // Seen renewed (active, no lapse) after the expiry date and before the transfer:
        // the holder's own move.
        let mut renewed = record("292", "1-VRSN", &[]);
        renewed.expires_at = Some(day(365 + 340));
        let seen = observe(None, 345, renewed);
        let moved = observe(Some(&seen), 362, auctioned.clone());
        assert_eq!(names(&moved), ["transferred_since_verified"]);
        let later = observe(Some(&moved), 363, auctioned.clone());
        assert_eq!(names(&later), ["transferred_since_verified"], "judged once");
        // In grace at that look: still an auction.
        let mut grace = record("292", "1-VRSN", &[]);
        grace.statuses = vec!["auto renew period".into()];
        grace.expires_at = Some(day(365 + 340));
        let in_grace = observe(None, 345, grace);
        let sold = observe(Some(&in_grace), 362, auctioned.clone());
        assert_eq!(
            names(&sold),
            ["transferred_since_verified", "transferred_in_grace_window"]
        );
        // The same transfer 100 days after the anniversary is an ordinary one.
        auctioned.transferred_at = Some(day(340 + 100));
        let status = observe(None, 442, auctioned);
        assert_eq!(names(&status), ["transferred_since_verified"]);
    }

    #[test]
    fn grace_window_anniversaries() {
        // Expiry 2027-03-10; a transfer on 2026-04-01 is 22 days after 2026-03-10.
        let expiry = Utc.with_ymd_and_hms(2027, 3, 10, 12, 0, 0).unwrap();
        let transfer = Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap();
        assert!(in_grace_window(transfer, Some(expiry), None));
        // Before the anniversary in its year: the previous year's, 387 days before.
        let early = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        assert!(!in_grace_window(early, Some(expiry), None));
        // The expiry lapseguard saw before the transfer counts too.
        let seen = Utc.with_ymd_and_hms(2026, 2, 20, 0, 0, 0).unwrap();
        assert!(in_grace_window(early, Some(expiry), Some(seen)));
        // 29 February in a common year.
        let leap = Utc.with_ymd_and_hms(2028, 2, 29, 0, 0, 0).unwrap();
        let after = Utc.with_ymd_and_hms(2027, 3, 30, 0, 0, 0).unwrap();
        assert!(in_grace_window(after, Some(leap), None));
    }

    #[test]
    fn a_signal_is_published_once_a_later_look_confirms_it_and_when_it_goes() {
        let confirm = Duration::minutes(10);
        let first = observe(None, 0, record("292", "1-VRSN", &["ns1.dan.com"]));
        let mut signals = first.signals.clone();
        assert!(signal_changes(&[], &mut signals, day(0), confirm).is_empty());
        assert_eq!(confirmation_due(&signals, confirm), Some(day(0) + confirm));
        let again = observe(Some(&first), 1, record("292", "1-VRSN", &["ns1.dan.com"]));
        let mut confirmed = again.signals.clone();
        let changes = signal_changes(&signals, &mut confirmed, day(1), confirm);
        assert_eq!(
            changes,
            [SignalChange {
                signal: Signal::ForSale,
                change: Change::Appeared,
                since: day(0)
            }]
        );
        assert!(confirmed[0].published);
        assert_eq!(confirmation_due(&confirmed, confirm), None);
        // Gone: published once; an unconfirmed one that goes publishes nothing.
        let changes = signal_changes(&confirmed, &mut [], day(2), confirm);
        assert_eq!(changes[0].change, Change::Gone);
        assert!(signal_changes(&signals, &mut [], day(2), confirm).is_empty());
    }

    #[test]
    fn a_registry_without_registration_dates_is_flagged() {
        let mut denic = record("292", "1-VRSN", &[]);
        denic.registered_at = None;
        let status = observe(None, 0, denic);
        assert_eq!(names(&status), ["registration_date_unknown"]);
    }

    #[test]
    fn verification_forgives_signals_from_before_it() {
        let first = observe(None, 0, record("292", "1-VRSN", &["ns1.dan.com"]));
        let moved = observe(
            Some(&first),
            100,
            record("1068", "1-VRSN", &["ns1.dan.com"]),
        );
        let policy = SignalPolicy::default();
        let memory = Duration::days(365);
        let heard = |verified: Option<i64>, now: i64| {
            applying(&moved, &policy, verified.map(day), day(now), memory)
                .map(|s| s.signal.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(heard(Some(50), 101), ["transferred_since_verified"]);
        assert!(heard(Some(150), 151).is_empty());
        assert_eq!(heard(None, 101), ["transferred_since_verified", "for_sale"]);
        // Without verified_at an old event is forgotten, a state is not.
        assert_eq!(heard(None, 500), ["for_sale"]);
    }
}
