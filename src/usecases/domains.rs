//! The domains: the watch list's pages, one domain's view, and "check now".

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Actor;
use crate::app::App;
use crate::domain::audit::{AuditAction, AuditEntry};
use crate::domain::decision::Verdict;
use crate::domain::lifecycle::Lifecycle;
use crate::domain::name::RegistrableDomain;
use crate::domain::signals::{Signal, SignalState};
use crate::domain::status::{EvidenceSource, Finding, Outcome};
use crate::error::ApiError;
use crate::store::HistoryEntry;
use crate::store::admin::{DomainFilter, ListedDomain};

/// A watched domain and its current status.
#[derive(Debug, Serialize, ToSchema)]
pub struct DomainSummary {
    pub domain: String,
    /// `unknown` until a lookup succeeds.
    pub lifecycle: Lifecycle,
    /// The source of the status; null while none is known.
    pub evidence: Option<EvidenceSource>,
    pub registered_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    /// When the status was last looked up successfully.
    pub checked_at: Option<DateTime<Utc>>,
    pub last_lapse_at: Option<DateTime<Utc>>,
    pub next_check_at: DateTime<Utc>,
    /// Failed lookups in a row.
    pub failures: u32,
    /// The ownership signals that hold now (see the domain's view for when each began).
    pub signals: Vec<Signal>,
}

impl From<ListedDomain> for DomainSummary {
    fn from(listed: ListedDomain) -> Self {
        Self {
            domain: listed.domain,
            lifecycle: listed.lifecycle,
            evidence: listed.evidence,
            registered_at: listed.registered_at,
            expires_at: listed.expires_at,
            checked_at: listed.checked_at,
            last_lapse_at: listed.last_lapse_at,
            next_check_at: listed.next_check_at,
            failures: listed.failures,
            signals: listed.signals,
        }
    }
}

/// A page of the watch list, in name order.
#[derive(Debug, Serialize, ToSchema)]
pub struct DomainsPage {
    pub domains: Vec<DomainSummary>,
    /// Pass as `after` for the next page; null when this page is the last.
    pub next_after: Option<String>,
}

/// Whether a cursor or prefix can be (part of) a stored name: at most 253 of letters,
/// digits, `-` and `.`.
pub fn name_like(text: &str) -> bool {
    text.len() <= 253
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// The watch list's filter from a caller's name prefix `q` and cursor `after`: each at
/// most 253 of letters, digits, `-` and `.` (matched lowercase); an empty prefix is no
/// prefix.
pub fn filter(
    lifecycle: Option<Lifecycle>,
    signal: Option<Signal>,
    expiring_before: Option<&str>,
    q: Option<&str>,
    after: Option<&str>,
    limit: u32,
) -> Result<DomainFilter, ApiError> {
    let expiring_before = expiring_before
        .map(|text| {
            DateTime::parse_from_rfc3339(text.trim())
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| ApiError::BadRequest {
                    code: "invalid_query",
                    detail: "expiring_before must be an RFC 3339 date-time such as \
                             2027-01-01T00:00:00Z"
                        .to_owned(),
                })
        })
        .transpose()?;
    if !q.iter().chain(after.iter()).all(|text| name_like(text)) {
        return Err(ApiError::BadRequest {
            code: "invalid_query",
            detail: "q and after take letters, digits, `-` and `.` (IDNs in their xn-- form), \
                     at most 253"
                .to_owned(),
        });
    }
    Ok(DomainFilter {
        lifecycle,
        signal,
        expiring_before,
        prefix: q.filter(|q| !q.is_empty()).map(str::to_ascii_lowercase),
        after: after.map(str::to_ascii_lowercase),
        limit,
    })
}

/// A page of the watch list by `filter` (its `limit` at most), in name order.
pub async fn list(app: &App, filter: &DomainFilter) -> Result<DomainsPage, ApiError> {
    let listed = app.store.list_domains(filter).await?;
    let full = listed.len() == filter.limit as usize;
    let domains: Vec<DomainSummary> = listed.into_iter().map(DomainSummary::from).collect();
    let next_after = domains
        .last()
        .filter(|_| full)
        .map(|last| last.domain.clone());
    Ok(DomainsPage {
        domains,
        next_after,
    })
}

const RECENT_OBSERVATIONS: u32 = 20;

/// One lookup, as kept in the history.
#[derive(Debug, Serialize, ToSchema)]
pub struct ObservationItem {
    pub observed_at: DateTime<Utc>,
    /// The source asked.
    pub source: EvidenceSource,
    /// `registered` or `unregistered` (RDAP), `flagged` (Fastly), `delegated` or
    /// `undelegated` (DNS), or `failed`.
    pub outcome: Outcome,
    /// The lifecycle it showed; null for a failed lookup.
    pub lifecycle: Option<Lifecycle>,
    pub http_status: Option<u16>,
    /// For a failed lookup: `timeout`, `upstream_status`, `malformed`, `too_large`, ...
    pub error: Option<String>,
    /// Normalised RDAP status values, or Fastly's flags.
    pub statuses: Vec<String>,
    /// DNS rows: the NS host set (empty for NODATA and NXDOMAIN); null for other sources.
    pub nameservers: Option<Vec<String>>,
    /// DNS rows: whether the domain publishes MX records (null when unknown).
    pub mail: Option<bool>,
    pub registered_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    /// Event actions (`registration`, `expiration`, ...) whose date the server sent in a
    /// form lapseguard cannot read. An unreadable registration or expiration date keeps
    /// the lifecycle at `unknown`.
    pub unreadable_dates: Vec<String>,
    /// For a failed lookup: how many more times the same failure was seen after
    /// `observed_at` (repeats are counted, not stored one row each).
    pub repeats: u32,
    /// The latest time this observation was made (`observed_at` without repeats).
    pub last_observed_at: DateTime<Utc>,
}

impl From<&HistoryEntry> for ObservationItem {
    fn from(entry: &HistoryEntry) -> Self {
        let observation = &entry.observation;
        let finding = &observation.finding;
        let record = match finding {
            Finding::Registered(record) => Some(record),
            _ => None,
        };
        let delegation = match finding {
            Finding::Delegation(delegation) => Some(delegation),
            _ => None,
        };
        let statuses = match finding {
            Finding::Registered(record) => record.statuses.clone(),
            Finding::Flagged(flags) => flags.flags.clone(),
            _ => Vec::new(),
        };
        Self {
            observed_at: observation.observed_at,
            source: observation.source,
            outcome: finding.outcome(),
            lifecycle: observation.lifecycle(),
            http_status: observation.http_status,
            error: match finding {
                Finding::Failed { error } => Some(error.clone()),
                _ => None,
            },
            statuses,
            nameservers: delegation.map(|d| d.nameservers.clone()),
            mail: delegation.and_then(|d| d.mail),
            registered_at: record.and_then(|r| r.registered_at),
            expires_at: record.and_then(|r| r.expires_at),
            unreadable_dates: record
                .map(|r| r.unreadable_dates.clone())
                .unwrap_or_default(),
            repeats: entry.repeats,
            last_observed_at: entry.last_observed_at,
        }
    }
}

/// Everything lapseguard knows about one domain.
#[derive(Debug, Serialize, ToSchema)]
pub struct DomainView {
    pub domain: String,
    /// Whether the background refresh watches it.
    pub watched: bool,
    /// `unknown` until a lookup succeeds.
    pub lifecycle: Lifecycle,
    /// The source of the status: `rdap`, `fastly` or `dns`; null while none is known.
    pub evidence: Option<EvidenceSource>,
    pub statuses: Vec<String>,
    pub registered_at: Option<DateTime<Utc>>,
    /// The first registration date lapseguard recorded.
    pub first_registered_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub checked_at: Option<DateTime<Utc>>,
    pub last_lapse_at: Option<DateTime<Utc>>,
    /// When the scheduler looks again (null when not watched).
    pub next_check_at: Option<DateTime<Utc>>,
    /// Failed lookups in a row.
    pub failures: u32,
    /// Whether the name was in DNS at the latest DNS look (null before one, or when not
    /// watched).
    pub delegated: Option<bool>,
    /// The NS host set seen then (empty when undelegated or NODATA).
    pub nameservers: Vec<String>,
    /// When the delegation sweep asks DNS next (null when not watched).
    pub next_dns_check_at: Option<DateTime<Utc>>,
    /// Every ownership signal that holds now, with when it began (a check lists only
    /// those after its `verified_at`).
    pub signals: Vec<SignalState>,
    /// The latest lookups, newest first.
    pub observations: Vec<ObservationItem>,
}

/// What lapseguard knows about `domain`: its status, schedule and latest lookups, after
/// the observations this process's checks made before the request are written.
/// `NotFound` when it is neither watched nor ever looked up.
pub async fn view(app: &App, domain: &str) -> Result<DomainView, ApiError> {
    let domain = RegistrableDomain::parse(domain)?;
    app.checker.settled_for(&domain).await;
    let status = app.store.status(&domain).await?;
    let watch = app.store.watch_entry(&domain).await?;
    let observations = app.store.observations(&domain, RECENT_OBSERVATIONS).await?;
    if status.is_none() && watch.is_none() && observations.is_empty() {
        return Err(ApiError::NotFound);
    }
    let status = status.as_ref().map(|stored| &stored.status);
    let delegation = watch.as_ref().and_then(|w| w.delegation.as_ref());
    Ok(DomainView {
        domain: domain.to_string(),
        watched: watch.is_some(),
        lifecycle: status.map_or(Lifecycle::Unknown, |s| s.lifecycle),
        evidence: status.map(|s| s.evidence),
        statuses: status.map(|s| s.statuses.clone()).unwrap_or_default(),
        registered_at: status.and_then(|s| s.registered_at),
        first_registered_at: status.and_then(|s| s.first_registered_at),
        expires_at: status.and_then(|s| s.expires_at),
        checked_at: status.map(|s| s.checked_at),
        last_lapse_at: status.and_then(|s| s.last_lapse_at),
        next_check_at: watch.as_ref().map(|w| w.next_check_at),
        failures: watch.as_ref().map_or(0, |w| w.failures),
        delegated: delegation.map(|d| d.delegated),
        nameservers: delegation
            .map(|d| d.nameservers.clone())
            .unwrap_or_default(),
        next_dns_check_at: watch.as_ref().map(|w| w.next_dns_check_at),
        signals: status.map(|s| s.signals.clone()).unwrap_or_default(),
        observations: observations.iter().map(ObservationItem::from).collect(),
    })
}

/// The decision a check would give now for an address at `domain` verified at
/// `verified_at`, from the stored status (without a lookup).
pub async fn decision(
    app: &App,
    domain: &RegistrableDomain,
    verified_at: Option<DateTime<Utc>>,
) -> Result<Verdict, ApiError> {
    let stored = app.store.status(domain).await?;
    let now = app.clock.now();
    let assessment = app
        .checker
        .decide_stored(domain, stored.map(|s| s.status), verified_at, now)
        .await;
    Ok(assessment.verdict)
}

/// "Check now" for `actor`: the domain is due at once (watched if it was not), audited.
pub async fn refresh(app: &App, actor: &Actor, domain: &str) -> Result<(), ApiError> {
    let domain = RegistrableDomain::parse(domain)?;
    let now = app.clock.now();
    let audit = AuditEntry::new(
        now,
        &actor.name,
        AuditAction::Refresh,
        domain.as_str(),
        serde_json::json!({}),
    );
    app.store.reschedule(&domain, now, Some(&audit)).await?;
    Ok(())
}
