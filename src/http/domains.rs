//! Domains for admin dashboards: the watch list (`GET /v1/domains`), one domain
//! (`GET /v1/domains/{domain}`) and "check now" (`POST /v1/domains/{domain}/refresh`).

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::paging;
use crate::access::Actor;
use crate::app::AppState;
use crate::domain::audit::{AuditAction, AuditEntry};
use crate::domain::lifecycle::Lifecycle;
use crate::domain::name::RegistrableDomain;
use crate::domain::status::{EvidenceSource, Finding, Outcome};
use crate::error::{ApiError, Problem};
use crate::store::HistoryEntry;
use crate::store::admin::{DomainFilter, ListedDomain};

/// Which watched domains to list, and where to resume.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DomainsQuery {
    /// Only domains in this lifecycle stage (`unknown` includes domains never looked up).
    pub lifecycle: Option<Lifecycle>,
    /// Only domains whose name starts with this (letters, digits, `-` and `.`; IDNs in
    /// their `xn--` form).
    #[param(max_length = 253, pattern = "^[A-Za-z0-9.-]*$")]
    pub q: Option<String>,
    /// Return domains after this name: the `next_after` of the previous page.
    #[param(max_length = 253, pattern = "^[A-Za-z0-9.-]*$")]
    pub after: Option<String>,
    /// At most this many (default 100, at most 1000).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// Whether a cursor or prefix can be (part of) a stored name: at most 253 of letters,
/// digits, `-` and `.`.
pub fn name_like(text: &str) -> bool {
    text.len() <= 253
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

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

/// List watched domains with their status, by name, filtered by lifecycle and prefix.
///
/// Pages are keyset-paginated: follow `next_after` until it is null. A domain added or
/// removed while paging appears or not, but no other domain is skipped or repeated.
#[utoipa::path(
    get,
    path = "/v1/domains",
    tag = "watch",
    params(DomainsQuery),
    responses(
        (status = 200, description = "A page of watched domains", body = DomainsPage),
        (status = 400, description = "Bad query parameters", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_domains(
    State(app): State<AppState>,
    query: Result<Query<DomainsQuery>, QueryRejection>,
) -> Result<Json<DomainsPage>, ApiError> {
    let invalid = |detail: &str| ApiError::BadRequest {
        code: "invalid_query",
        detail: detail.to_owned(),
    };
    // The rejection's own text may quote the query: the detail is ours.
    let Query(query) = query.map_err(|_| {
        invalid("lifecycle must be a lifecycle stage, limit a whole number from 1 to 1000")
    })?;
    let limit =
        paging::limit(query.limit).ok_or_else(|| invalid("limit must be between 1 and 1000"))?;
    if !query
        .q
        .iter()
        .chain(&query.after)
        .all(|text| name_like(text))
    {
        return Err(invalid(
            "q and after take letters, digits, `-` and `.` (IDNs in their xn-- form), at most 253",
        ));
    }
    let filter = DomainFilter {
        lifecycle: query.lifecycle,
        prefix: query
            .q
            .filter(|q| !q.is_empty())
            .map(|q| q.to_ascii_lowercase()),
        after: query.after.map(|a| a.to_ascii_lowercase()),
        limit,
    };
    let listed = app.store.list_domains(&filter).await?;
    let full = listed.len() == limit as usize;
    let domains: Vec<DomainSummary> = listed.into_iter().map(DomainSummary::from).collect();
    let next_after = domains
        .last()
        .filter(|_| full)
        .map(|last| last.domain.clone());
    Ok(Json(DomainsPage {
        domains,
        next_after,
    }))
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
    /// The latest lookups, newest first.
    pub observations: Vec<ObservationItem>,
}

/// Show a domain's status, schedule and latest lookups.
#[utoipa::path(
    get,
    path = "/v1/domains/{domain}",
    tag = "watch",
    params(("domain" = String, Path, description = "The domain (reduced to its registrable domain)", min_length = 3, max_length = 253, pattern = "^[^.]+(\\.[^.]+)+\\.?$")),
    responses(
        (status = 200, description = "What lapseguard knows", body = DomainView),
        (status = 404, description = "Neither watched nor ever looked up", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a usable domain", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_domain(
    State(app): State<AppState>,
    Path(domain): Path<String>,
) -> Result<Json<DomainView>, ApiError> {
    let domain = RegistrableDomain::parse(&domain)?;
    app.checker.settled_for(&domain).await;
    let status = app.store.status(&domain).await?;
    let watch = app.store.watch_entry(&domain).await?;
    let observations = app.store.observations(&domain, RECENT_OBSERVATIONS).await?;
    if status.is_none() && watch.is_none() && observations.is_empty() {
        return Err(ApiError::NotFound);
    }
    let status = status.as_ref().map(|stored| &stored.status);
    let delegation = watch.as_ref().and_then(|w| w.delegation.as_ref());
    Ok(Json(DomainView {
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
        observations: observations.iter().map(ObservationItem::from).collect(),
    }))
}

/// Check a domain again as soon as its RDAP host's rate limit allows ("check now").
/// Watches it if it was not.
#[utoipa::path(
    post,
    path = "/v1/domains/{domain}/refresh",
    tag = "watch",
    params(("domain" = String, Path, description = "The domain (reduced to its registrable domain)", min_length = 3, max_length = 253, pattern = "^[^.]+(\\.[^.]+)+\\.?$")),
    responses(
        (status = 202, description = "Scheduled"),
        (status = 422, description = "Not a usable domain", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn refresh_domain(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(domain): Path<String>,
) -> Result<StatusCode, ApiError> {
    let domain = RegistrableDomain::parse(&domain)?;
    let now = app.clock.now();
    let audit = AuditEntry::new(
        now,
        &actor.name,
        AuditAction::Refresh,
        domain.as_str(),
        serde_json::json!({}),
    );
    app.store.reschedule(&domain, now, Some(&audit)).await?;
    Ok(StatusCode::ACCEPTED)
}
