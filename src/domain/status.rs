//! What lapseguard knows about a domain: single observations and the current status
//! folded from them.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::delegation::Delegation;
use super::lifecycle::{Lifecycle, classify};
use super::name::RegistrableDomain;
use super::signals::SignalState;

/// Where an observation's evidence came from. Stable strings, kept in the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceSource {
    /// The registry's RDAP server (RFC 9083).
    Rdap,
    /// DNS delegation of the registrable domain (see `delegation.rs`).
    Dns,
    /// Fastly's domain status API (formerly Domainr).
    Fastly,
}

impl EvidenceSource {
    pub const ALL: [Self; 3] = [Self::Rdap, Self::Dns, Self::Fastly];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rdap => "rdap",
            Self::Dns => "dns",
            Self::Fastly => "fastly",
        }
    }

    /// Reads back what [`EvidenceSource::as_str`] wrote.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// A status service's flags and the lifecycle they map to (the mapping is the source's:
/// see `upstream/fastly.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flags {
    /// The flags as sent, least to most important.
    pub flags: Vec<String>,
    pub lifecycle: Lifecycle,
}

/// The parts of a registration lapseguard decides on, whichever source reported them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Registration {
    /// Status values, normalised (`redemption period`), in the order the server sent them.
    pub statuses: Vec<String>,
    pub registered_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_changed_at: Option<DateTime<Utc>>,
    pub transferred_at: Option<DateTime<Utc>>,
    /// Event actions (`registration`, `expiration`, ...) whose date was present but could
    /// not be read.
    pub unreadable_dates: Vec<String>,
    /// The registry's identifier of the registration object (RDAP `handle`): a new one for
    /// the same name means the object was deleted and created again.
    pub handle: Option<String>,
    /// The sponsoring registrar's IANA ID (the `registrar` entity's public ID of type
    /// "IANA Registrar ID"): a change means the name moved to another registrar.
    pub registrar_id: Option<String>,
    /// The nameserver hosts the registry lists (lowercase, without the root dot, sorted,
    /// once each).
    pub nameservers: Vec<String>,
}

impl Registration {
    /// A registration or expiration date was sent but cannot be read: the record cannot
    /// show that the domain is in good standing.
    pub fn key_date_unreadable(&self) -> bool {
        self.unreadable_dates.iter().any(|action| {
            matches!(
                action.as_str(),
                "registration" | "reregistration" | "expiration"
            )
        })
    }
}

/// What one lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The registry holds a registration.
    Registered(Registration),
    /// The registry selected by the bootstrap answered 404.
    Unregistered,
    /// A status service's flags.
    Flagged(Flags),
    /// A DNS lookup's answer.
    Delegation(Delegation),
    /// The lookup failed: it says nothing about the domain. The upstream HTTP status,
    /// when one was received, is the observation's `http_status`.
    Failed {
        /// A short, stable description of the failure (never a response body).
        error: String,
    },
}

/// What a lookup found, in a word: the history's `outcome`. A closed set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// RDAP: the registry holds a registration.
    Registered,
    /// RDAP: the registry answered 404.
    Unregistered,
    /// Fastly: flags, mapped to a lifecycle.
    Flagged,
    /// DNS: the name is in its zone (an NS answer or NODATA).
    Delegated,
    /// DNS: NXDOMAIN.
    Undelegated,
    /// The lookup failed: see `error`.
    Failed,
}

impl Outcome {
    /// The stable string the store keeps.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Unregistered => "unregistered",
            Self::Flagged => "flagged",
            Self::Delegated => "delegated",
            Self::Undelegated => "undelegated",
            Self::Failed => "failed",
        }
    }

    /// Reads back what [`Outcome::as_str`] wrote.
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Registered,
            Self::Unregistered,
            Self::Flagged,
            Self::Delegated,
            Self::Undelegated,
            Self::Failed,
        ]
        .into_iter()
        .find(|o| o.as_str() == text)
    }
}

impl Finding {
    /// The history's word for it.
    pub fn outcome(&self) -> Outcome {
        match self {
            Self::Registered(_) => Outcome::Registered,
            Self::Unregistered => Outcome::Unregistered,
            Self::Flagged(_) => Outcome::Flagged,
            Self::Delegation(d) if d.delegated => Outcome::Delegated,
            Self::Delegation(_) => Outcome::Undelegated,
            Self::Failed { .. } => Outcome::Failed,
        }
    }
}

/// One lookup of one domain at one time: a row of the append-only history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    pub domain: RegistrableDomain,
    /// The source asked.
    pub source: EvidenceSource,
    pub observed_at: DateTime<Utc>,
    /// The HTTP status the registry answered with, for the history.
    pub http_status: Option<u16>,
    pub finding: Finding,
    /// The upstream host (`name:port`) that answered, when known: the mass-change guard
    /// counts lapses per host (see `guard.rs`). Not kept in the history.
    pub host: Option<String>,
    /// The route signals (`nameserver_domain_lapsed`, `mail_route_lapsed`) the observer
    /// judged from the route domains' held statuses when it made this observation (the
    /// delegation sweep's look); `None` when not judged (the status keeps what it had).
    /// Not kept in the history.
    pub routes: Option<Vec<crate::domain::signals::SignalState>>,
}

impl Observation {
    /// The lifecycle this observation shows, or `None` for a failed lookup.
    pub fn lifecycle(&self) -> Option<Lifecycle> {
        match &self.finding {
            Finding::Registered(record) => {
                let lifecycle = classify(&record.statuses, record.expires_at, self.observed_at);
                // Only a lapse status may stand without its dates; "active" needs them.
                let unproven = lifecycle == Lifecycle::Active && record.key_date_unreadable();
                Some(if unproven {
                    Lifecycle::Unknown
                } else {
                    lifecycle
                })
            }
            Finding::Unregistered => Some(Lifecycle::Unregistered),
            Finding::Flagged(flags) => Some(flags.lifecycle),
            Finding::Delegation(delegation) => Some(delegation.lifecycle()),
            Finding::Failed { .. } => None,
        }
    }
}

/// The current status of a domain, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainStatus {
    pub domain: RegistrableDomain,
    pub lifecycle: Lifecycle,
    /// The raw (normalised) status list of the latest successful lookup.
    pub statuses: Vec<String>,
    pub registered_at: Option<DateTime<Utc>>,
    /// The first registration date lapseguard ever recorded for this domain: a later
    /// registration date means somebody registered it anew.
    pub first_registered_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_changed_at: Option<DateTime<Utc>>,
    pub transferred_at: Option<DateTime<Utc>>,
    /// The latest time lapseguard saw this domain in any lifecycle other than `active`.
    pub last_lapse_at: Option<DateTime<Utc>>,
    /// When the latest successful lookup happened.
    pub checked_at: DateTime<Utc>,
    /// The source of that lookup.
    pub evidence: EvidenceSource,
    /// The registry's handle for the registration, as last reported.
    pub handle: Option<String>,
    /// The sponsoring registrar's IANA ID, as last reported.
    pub registrar_id: Option<String>,
    /// The current nameservers: the registry's (RDAP), or DNS's where DNS is the evidence
    /// (lowercase, sorted, once each).
    pub nameservers: Vec<String>,
    /// The latest DNS NS answer's hosts (a delegation sweep or a check's DNS look), kept
    /// beside the registry's: the nameserver classes read both.
    pub dns_nameservers: Vec<String>,
    /// The ownership signals that hold now (`signals.rs`), by signal.
    pub signals: Vec<SignalState>,
}

/// Two registration dates of one domain less than this apart are one registration that
/// two servers wrote differently (Verisign's `1997-09-15T04:00:00Z` and MarkMonitor's
/// `1997-09-15T07:00:00.000+0000` for google.com): the server for a TLD changes (an
/// override, IANA's file taking over from the supplement, a back-end migration).
pub const SAME_REGISTRATION: Duration = Duration::hours(24);

/// Whether a registration dated `later` is a new one after the registration dated
/// `earlier`: at least [`SAME_REGISTRATION`] later, or any later date after a lapse
/// lapseguard observed (`lapse_seen`, the status's `last_lapse_at`).
pub fn registered_anew(
    earlier: DateTime<Utc>,
    later: DateTime<Utc>,
    lapse_seen: Option<DateTime<Utc>>,
) -> bool {
    later > earlier
        && (later - earlier >= SAME_REGISTRATION || lapse_seen.is_some_and(|l| later > l))
}

impl DomainStatus {
    /// Folds an observation into the previous status. A failed lookup changes nothing
    /// (`None` comes back when there was nothing before either); an observation older
    /// than the stored status does not overwrite it. The signals are carried over as they
    /// were: `ownership::observe` folds them.
    pub fn observe(previous: Option<&DomainStatus>, observation: &Observation) -> Option<Self> {
        let Some(lifecycle) = observation.lifecycle() else {
            return previous.cloned();
        };
        if let Some(previous) = previous
            && previous.checked_at > observation.observed_at
        {
            return Some(previous.clone());
        }
        let record = match &observation.finding {
            Finding::Registered(record) => record.clone(),
            Finding::Flagged(flags) => Registration {
                statuses: flags.flags.clone(),
                ..Registration::default()
            },
            Finding::Unregistered | Finding::Delegation(_) | Finding::Failed { .. } => {
                Registration::default()
            }
        };
        let earlier_lapse = previous.and_then(|p| p.last_lapse_at);
        // `unknown` (an answer whose dates cannot be read) is not evidence of a lapse.
        let last_lapse_at = if matches!(lifecycle, Lifecycle::Active | Lifecycle::Unknown) {
            earlier_lapse
        } else {
            Some(observation.observed_at)
        };
        let first_registered_at = previous
            .and_then(|p| p.first_registered_at)
            .or(record.registered_at);
        let nameservers = match &observation.finding {
            Finding::Registered(_) => record.nameservers,
            Finding::Delegation(delegation) => delegation.nameservers.clone(),
            Finding::Unregistered => Vec::new(),
            Finding::Flagged(_) | Finding::Failed { .. } => {
                previous.map(|p| p.nameservers.clone()).unwrap_or_default()
            }
        };
        let dns_nameservers = match &observation.finding {
            Finding::Delegation(delegation) => delegation.nameservers.clone(),
            _ => previous
                .map(|p| p.dns_nameservers.clone())
                .unwrap_or_default(),
        };
        Some(Self {
            domain: observation.domain.clone(),
            lifecycle,
            statuses: record.statuses,
            registered_at: record.registered_at,
            first_registered_at,
            expires_at: record.expires_at,
            last_changed_at: record.last_changed_at,
            transferred_at: record.transferred_at,
            last_lapse_at,
            checked_at: observation.observed_at,
            evidence: observation.source,
            handle: record
                .handle
                .or_else(|| previous.and_then(|p| p.handle.clone())),
            registrar_id: record
                .registrar_id
                .or_else(|| previous.and_then(|p| p.registrar_id.clone())),
            nameservers,
            dns_nameservers,
            signals: previous.map(|p| p.signals.clone()).unwrap_or_default(),
        })
    }

    /// Whether the two say the same about the domain, whenever each was checked.
    pub fn same_facts(&self, other: &DomainStatus) -> bool {
        self == &DomainStatus {
            checked_at: self.checked_at,
            ..other.clone()
        }
    }

    /// Whether the status is young enough to answer without a new lookup.
    pub fn is_fresh(&self, now: DateTime<Utc>, max_age: Duration) -> bool {
        now.signed_duration_since(self.checked_at) < max_age
    }

    /// How long the status stays fresh from `now` (zero when it already is not).
    pub fn fresh_for(&self, now: DateTime<Utc>, max_age: Duration) -> Duration {
        (self.checked_at + max_age - now).max(Duration::zero())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, 12, 0, 0)
            .single()
            .expect("valid date")
    }

    fn observation(day: u32, finding: Finding) -> Observation {
        Observation {
            domain: RegistrableDomain::parse("example.com").expect("valid"),
            source: EvidenceSource::Rdap,
            observed_at: at(day),
            http_status: Some(200),
            finding,
            host: None,
            routes: None,
        }
    }

    fn registered(statuses: &[&str], registered_day: u32) -> Finding {
        Finding::Registered(Registration {
            statuses: statuses.iter().map(|s| (*s).to_owned()).collect(),
            registered_at: Some(at(registered_day)),
            expires_at: Some(at(28)),
            ..Registration::default()
        })
    }

    #[test]
    fn first_registration_date_and_last_lapse_survive_later_observations() {
        let first = DomainStatus::observe(None, &observation(2, registered(&["active"], 1)));
        let first = first.expect("a status");
        assert_eq!(first.first_registered_at, Some(at(1)));
        assert_eq!(first.last_lapse_at, None);

        let lapsed = DomainStatus::observe(Some(&first), &observation(3, Finding::Unregistered))
            .expect("a status");
        assert_eq!(lapsed.lifecycle, Lifecycle::Unregistered);
        assert_eq!(lapsed.registered_at, None);
        assert_eq!(lapsed.last_lapse_at, Some(at(3)));

        let back =
            DomainStatus::observe(Some(&lapsed), &observation(5, registered(&["active"], 4)))
                .expect("a status");
        assert_eq!(back.lifecycle, Lifecycle::Active);
        assert_eq!(back.registered_at, Some(at(4)));
        assert_eq!(back.first_registered_at, Some(at(1)));
        assert_eq!(back.last_lapse_at, Some(at(3)));
    }

    #[test]
    fn a_failed_lookup_changes_nothing() {
        let first = DomainStatus::observe(None, &observation(2, registered(&["active"], 1)));
        let failed = Finding::Failed {
            error: "upstream_status".into(),
        };
        let after = DomainStatus::observe(first.as_ref(), &observation(3, failed.clone()));
        assert_eq!(after, first);
        assert_eq!(DomainStatus::observe(None, &observation(3, failed)), None);
    }

    #[test]
    fn every_outcome_reads_back_as_itself() {
        for outcome in [
            Outcome::Registered,
            Outcome::Unregistered,
            Outcome::Flagged,
            Outcome::Delegated,
            Outcome::Undelegated,
            Outcome::Failed,
        ] {
            assert_eq!(Outcome::parse(outcome.as_str()), Some(outcome));
            let json = serde_json::to_value(outcome).expect("serializes");
            assert_eq!(
                json,
                outcome.as_str(),
                "the API and the store say the same word"
            );
        }
        assert_eq!(Outcome::parse("maybe"), None);
    }

    #[test]
    fn an_older_observation_does_not_overwrite_a_newer_status() {
        let newer = DomainStatus::observe(None, &observation(5, registered(&["active"], 1)));
        let older = observation(4, Finding::Unregistered);
        assert_eq!(DomainStatus::observe(newer.as_ref(), &older), newer);
    }
}
