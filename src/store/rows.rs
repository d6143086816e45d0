//! The rows the SQL reads and writes (`domain_status`, `observations`, `transitions`,
//! `watched_domains`), their conversions to and from the domain's types, and the column
//! encodings (times as Unix seconds, status lists as text).

use chrono::{DateTime, Utc};

use super::{Delivery, HistoryEntry, NoticeCandidate, PublishedTransition, StoreError, WatchEntry};
use crate::domain::access::{Scopes, TokenRecord};
use crate::domain::audit::{AuditAction, AuditEntry, LoggedAudit};
use crate::domain::delegation::{Delegation, MailRoute, SeenRoute};
use crate::domain::lifecycle::Lifecycle;
use crate::domain::name::RegistrableDomain;
use crate::domain::notices::{ExpiryNotice, SentNotice};
use crate::domain::signals::{Change, Signal, SignalChange, SignalState};
use crate::domain::status::{
    DomainStatus, EvidenceSource, Finding, Flags, Observation, Outcome, Registration,
};
use crate::domain::transition::{Pending, Publication, Transition, TransitionKind};

/// A `domain_status` row.
#[derive(sqlx::FromRow)]
pub(super) struct StatusRow {
    domain: String,
    lifecycle: String,
    statuses: String,
    registered_at: Option<i64>,
    first_registered_at: Option<i64>,
    expires_at: Option<i64>,
    last_changed_at: Option<i64>,
    transferred_at: Option<i64>,
    last_lapse_at: Option<i64>,
    checked_at: i64,
    published_lifecycle: String,
    published_registered_at: Option<i64>,
    pending_lifecycle: Option<String>,
    pending_since: Option<i64>,
    revision: i64,
    evidence: String,
    registry_handle: Option<String>,
    registrar_id: Option<String>,
    nameservers: Option<String>,
    signals: Option<String>,
    dns_nameservers: Option<String>,
}

impl StatusRow {
    pub(super) fn domain(&self) -> &str {
        &self.domain
    }

    /// The id of the change this row reflects.
    pub(super) fn revision(&self) -> i64 {
        self.revision
    }

    /// What was last published, and any change awaiting confirmation.
    pub(super) fn publication(&self) -> Result<Publication, StoreError> {
        let pending = match (&self.pending_lifecycle, from_seconds(self.pending_since)) {
            (Some(lifecycle), Some(since)) => Some(Pending {
                lifecycle: lifecycle_from(lifecycle)?,
                since,
            }),
            _ => None,
        };
        Ok(Publication {
            lifecycle: lifecycle_from(&self.published_lifecycle)?,
            registered_at: from_seconds(self.published_registered_at),
            pending,
        })
    }
}

impl TryFrom<StatusRow> for DomainStatus {
    type Error = StoreError;

    fn try_from(row: StatusRow) -> Result<Self, StoreError> {
        Ok(Self {
            domain: stored_domain(&row.domain)?,
            lifecycle: lifecycle_from(&row.lifecycle)?,
            statuses: decode_statuses(&row.statuses)?,
            registered_at: from_seconds(row.registered_at),
            first_registered_at: from_seconds(row.first_registered_at),
            expires_at: from_seconds(row.expires_at),
            last_changed_at: from_seconds(row.last_changed_at),
            transferred_at: from_seconds(row.transferred_at),
            last_lapse_at: from_seconds(row.last_lapse_at),
            checked_at: required_time(row.checked_at)?,
            evidence: source_from(&row.evidence)?,
            handle: row.registry_handle,
            registrar_id: row.registrar_id,
            nameservers: decode_statuses(row.nameservers.as_deref().unwrap_or("[]"))?,
            signals: decode_signals(row.signals.as_deref())?,
            dns_nameservers: decode_statuses(row.dns_nameservers.as_deref().unwrap_or("[]"))?,
        })
    }
}

/// An `observations` row.
#[derive(sqlx::FromRow)]
pub(super) struct ObservationRow {
    domain: String,
    observed_at: i64,
    outcome: String,
    http_status: Option<i32>,
    error: Option<String>,
    statuses: Option<String>,
    registered_at: Option<i64>,
    expires_at: Option<i64>,
    last_changed_at: Option<i64>,
    transferred_at: Option<i64>,
    unreadable_dates: Option<String>,
    repeats: i32,
    last_observed_at: Option<i64>,
    source: String,
    lifecycle: Option<String>,
    nameservers: Option<String>,
    mail: Option<bool>,
    registry_handle: Option<String>,
    registrar_id: Option<String>,
}

impl TryFrom<ObservationRow> for HistoryEntry {
    type Error = StoreError;

    fn try_from(row: ObservationRow) -> Result<Self, StoreError> {
        let repeats = u32::try_from(row.repeats).unwrap_or(0);
        let last_observed_at = from_seconds(row.last_observed_at);
        let observation = Observation::try_from(row)?;
        Ok(Self {
            last_observed_at: last_observed_at.unwrap_or(observation.observed_at),
            observation,
            repeats,
        })
    }
}

impl TryFrom<ObservationRow> for Observation {
    type Error = StoreError;

    fn try_from(row: ObservationRow) -> Result<Self, StoreError> {
        let http_status = row.http_status.and_then(|s| u16::try_from(s).ok());
        let outcome = Outcome::parse(&row.outcome)
            .ok_or_else(|| StoreError::Corrupt(format!("outcome {:?}", row.outcome)))?;
        let finding = match outcome {
            Outcome::Registered => Finding::Registered(Registration {
                statuses: decode_statuses(row.statuses.as_deref().unwrap_or("[]"))?,
                registered_at: from_seconds(row.registered_at),
                expires_at: from_seconds(row.expires_at),
                last_changed_at: from_seconds(row.last_changed_at),
                transferred_at: from_seconds(row.transferred_at),
                unreadable_dates: decode_statuses(row.unreadable_dates.as_deref().unwrap_or("[]"))?,
                handle: row.registry_handle,
                registrar_id: row.registrar_id,
                nameservers: decode_statuses(row.nameservers.as_deref().unwrap_or("[]"))?,
            }),
            Outcome::Unregistered => Finding::Unregistered,
            Outcome::Flagged => Finding::Flagged(Flags {
                flags: decode_statuses(row.statuses.as_deref().unwrap_or("[]"))?,
                lifecycle: lifecycle_from(row.lifecycle.as_deref().unwrap_or("unknown"))?,
            }),
            Outcome::Delegated | Outcome::Undelegated => Finding::Delegation(Delegation {
                delegated: outcome == Outcome::Delegated,
                nameservers: decode_statuses(row.nameservers.as_deref().unwrap_or("[]"))?,
                mail: row.mail,
                mail_route: None,
            }),
            Outcome::Failed => Finding::Failed {
                error: row.error.unwrap_or_default(),
            },
        };
        Ok(Self {
            domain: stored_domain(&row.domain)?,
            source: source_from(&row.source)?,
            observed_at: required_time(row.observed_at)?,
            http_status,
            finding,
            host: None,
            routes: None,
        })
    }
}

/// The bind values of an observation row, in `INSERT_OBSERVATION` order after the domain
/// and time.
pub(super) struct ObservationValues {
    pub outcome: &'static str,
    pub lifecycle: Option<&'static str>,
    pub http_status: Option<i32>,
    pub error: Option<String>,
    pub statuses: Option<String>,
    pub registered_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub last_changed_at: Option<i64>,
    pub transferred_at: Option<i64>,
    pub unreadable_dates: Option<String>,
    pub nameservers: Option<String>,
    pub mail: Option<bool>,
    pub handle: Option<String>,
    pub registrar_id: Option<String>,
}

impl From<&Observation> for ObservationValues {
    fn from(observation: &Observation) -> Self {
        let lifecycle = observation.lifecycle().map(Lifecycle::as_str);
        let http_status = observation.http_status.map(i32::from);
        let empty = Self {
            outcome: observation.finding.outcome().as_str(),
            lifecycle,
            http_status,
            error: None,
            statuses: None,
            registered_at: None,
            expires_at: None,
            last_changed_at: None,
            transferred_at: None,
            unreadable_dates: None,
            nameservers: None,
            mail: None,
            handle: None,
            registrar_id: None,
        };
        match &observation.finding {
            Finding::Registered(record) => Self {
                statuses: Some(encode_statuses(&record.statuses)),
                registered_at: seconds(record.registered_at),
                expires_at: seconds(record.expires_at),
                last_changed_at: seconds(record.last_changed_at),
                transferred_at: seconds(record.transferred_at),
                unreadable_dates: (!record.unreadable_dates.is_empty())
                    .then(|| encode_statuses(&record.unreadable_dates)),
                nameservers: (!record.nameservers.is_empty())
                    .then(|| encode_statuses(&record.nameservers)),
                handle: record.handle.clone(),
                registrar_id: record.registrar_id.clone(),
                ..empty
            },
            Finding::Unregistered => empty,
            Finding::Flagged(flags) => Self {
                statuses: Some(encode_statuses(&flags.flags)),
                ..empty
            },
            Finding::Delegation(delegation) => Self {
                nameservers: Some(encode_statuses(&delegation.nameservers)),
                mail: delegation.mail,
                ..empty
            },
            Finding::Failed { error } => Self {
                error: Some(error.clone()),
                ..empty
            },
        }
    }
}

/// A `transitions` row, with the outbox's attempt count where joined.
#[derive(sqlx::FromRow)]
pub(super) struct TransitionRow {
    id: i64,
    domain: String,
    pub(super) from_lifecycle: String,
    pub(super) to_lifecycle: String,
    registered_at: Option<i64>,
    expires_at: Option<i64>,
    pub(super) observed_at: i64,
    source: String,
    #[sqlx(default)]
    attempts: Option<i32>,
    /// `signal` for a signal's transition (NULL read as `lifecycle`: held rows have none).
    #[sqlx(default)]
    kind: Option<String>,
    #[sqlx(default)]
    signal_name: Option<String>,
    #[sqlx(default)]
    signal_change: Option<String>,
    #[sqlx(default)]
    signal_since: Option<i64>,
    #[sqlx(default)]
    notice_days_left: Option<i64>,
    #[sqlx(default)]
    notice_threshold: Option<i64>,
}

impl TransitionRow {
    /// A signal transition's signal, change and `since`; `None` for a lifecycle one.
    /// An expiry notice's days left and threshold; `None` for the other kinds.
    fn notice(&self) -> Option<ExpiryNotice> {
        if self.kind.as_deref() != Some(TransitionKind::ExpiryNotice.as_str()) {
            return None;
        }
        Some(ExpiryNotice {
            days_left: u32::try_from(self.notice_days_left?).ok()?,
            threshold: u32::try_from(self.notice_threshold?).ok()?,
        })
    }

    fn signal_change(&self) -> Result<Option<SignalChange>, StoreError> {
        if self.kind.as_deref() != Some(TransitionKind::Signal.as_str()) {
            return Ok(None);
        }
        let corrupt = || StoreError::Corrupt(format!("signal transition {}", self.id));
        let signal = self.signal_name.as_deref().and_then(Signal::parse);
        let change = self.signal_change.as_deref().and_then(Change::parse);
        let since = from_seconds(self.signal_since);
        match (signal, change, since) {
            (Some(signal), Some(change), Some(since)) => Ok(Some(SignalChange {
                signal,
                change,
                since,
            })),
            _ => Err(corrupt()),
        }
    }
}

impl TryFrom<TransitionRow> for PublishedTransition {
    type Error = StoreError;

    fn try_from(row: TransitionRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.id,
            transition: Transition {
                domain: stored_domain(&row.domain)?,
                from: lifecycle_from(&row.from_lifecycle)?,
                to: lifecycle_from(&row.to_lifecycle)?,
                registered_at: from_seconds(row.registered_at),
                expires_at: from_seconds(row.expires_at),
                observed_at: required_time(row.observed_at)?,
                source: source_from(&row.source)?,
                signal: row.signal_change()?,
                notice: row.notice(),
            },
        })
    }
}

impl TryFrom<TransitionRow> for Delivery {
    type Error = StoreError;

    fn try_from(row: TransitionRow) -> Result<Self, StoreError> {
        let attempts = u32::try_from(row.attempts.unwrap_or(0)).unwrap_or(0);
        Ok(Self {
            transition: row.try_into()?,
            attempts,
        })
    }
}

/// A `watched_domains` row.
#[derive(sqlx::FromRow)]
pub(super) struct WatchRow {
    pub(super) domain: String,
    added_at: i64,
    next_check_at: i64,
    failures: i32,
    delegated: Option<bool>,
    nameservers: Option<String>,
    dns_next_check_at: i64,
    host: Option<String>,
}

impl TryFrom<WatchRow> for WatchEntry {
    type Error = StoreError;

    fn try_from(row: WatchRow) -> Result<Self, StoreError> {
        let delegation = match row.delegated {
            Some(delegated) => Some(Delegation {
                delegated,
                nameservers: decode_statuses(row.nameservers.as_deref().unwrap_or("[]"))?,
                mail: None,
                mail_route: None,
            }),
            None => None,
        };
        Ok(Self {
            added_at: required_time(row.added_at)?,
            next_check_at: required_time(row.next_check_at)?,
            failures: u32::try_from(row.failures).unwrap_or(0),
            delegation,
            next_dns_check_at: required_time(row.dns_next_check_at)?,
            host: row.host,
        })
    }
}

fn source_from(text: &str) -> Result<EvidenceSource, StoreError> {
    EvidenceSource::parse(text).ok_or_else(|| StoreError::Corrupt(format!("source {text:?}")))
}

pub(super) fn lifecycle_from(text: &str) -> Result<Lifecycle, StoreError> {
    Lifecycle::parse(text).ok_or_else(|| StoreError::Corrupt(format!("lifecycle {text:?}")))
}

pub(super) fn required_time(seconds: i64) -> Result<DateTime<Utc>, StoreError> {
    from_seconds(Some(seconds))
        .ok_or_else(|| StoreError::Corrupt(format!("time {seconds} out of range")))
}

pub(super) fn seconds(time: Option<DateTime<Utc>>) -> Option<i64> {
    time.map(|t| t.timestamp())
}

pub(super) fn from_seconds(seconds: Option<i64>) -> Option<DateTime<Utc>> {
    seconds.and_then(|s| DateTime::from_timestamp(s, 0))
}

pub(super) fn encode_statuses(statuses: &[String]) -> String {
    serde_json::to_string(statuses).unwrap_or_else(|_| "[]".to_owned())
}

fn decode_statuses(text: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("statuses: {e}")))
}

/// A status's signal as the `signals` column keeps it (`since` in Unix seconds).
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredSignal {
    signal: String,
    since: i64,
    evidence: String,
    /// First seen (Unix seconds); absent in rows written before signals were published.
    #[serde(default)]
    seen_at: Option<i64>,
    #[serde(default)]
    published: bool,
}

pub(super) fn encode_signals(signals: &[SignalState]) -> String {
    let stored: Vec<StoredSignal> = signals
        .iter()
        .map(|s| StoredSignal {
            signal: s.signal.as_str().to_owned(),
            since: s.since.timestamp(),
            evidence: s.evidence.clone(),
            seen_at: Some(s.seen_at.timestamp()),
            published: s.published,
        })
        .collect();
    serde_json::to_string(&stored).unwrap_or_else(|_| "[]".to_owned())
}

/// Reads the `signals` column; a signal this version does not know (written by a later
/// one) is left out.
fn decode_signals(text: Option<&str>) -> Result<Vec<SignalState>, StoreError> {
    let Some(text) = text else {
        return Ok(Vec::new());
    };
    let stored: Vec<StoredSignal> =
        serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("signals: {e}")))?;
    stored
        .into_iter()
        .filter_map(|s| Some((Signal::parse(&s.signal)?, s)))
        .map(|(signal, s)| {
            let since = required_time(s.since)?;
            Ok(SignalState {
                signal,
                since,
                evidence: s.evidence,
                seen_at: s.seen_at.map(required_time).transpose()?.unwrap_or(since),
                published: s.published,
            })
        })
        .collect()
}

/// A `domain_status` row as the expiry notifier reads it.
#[derive(sqlx::FromRow)]
pub(super) struct NoticeRow {
    domain: String,
    registered_at: Option<i64>,
    expires_at: i64,
    evidence: String,
    notice_expires_at: Option<i64>,
    notice_days: Option<i64>,
}

impl TryFrom<NoticeRow> for NoticeCandidate {
    type Error = StoreError;

    fn try_from(row: NoticeRow) -> Result<Self, StoreError> {
        let sent = match (row.notice_expires_at, row.notice_days) {
            (Some(expires_at), Some(days)) => Some(SentNotice {
                expires_at: required_time(expires_at)?,
                threshold: u32::try_from(days).unwrap_or(u32::MAX),
            }),
            _ => None,
        };
        Ok(Self {
            domain: stored_domain(&row.domain)?,
            registered_at: from_seconds(row.registered_at),
            expires_at: required_time(row.expires_at)?,
            evidence: source_from(&row.evidence)?,
            sent,
        })
    }
}

/// A `mail_routes` row.
#[derive(sqlx::FromRow)]
pub(super) struct MailRouteRow {
    route: String,
    seen_at: i64,
    fetched_at: i64,
}

impl TryFrom<MailRouteRow> for SeenRoute {
    type Error = StoreError;

    fn try_from(row: MailRouteRow) -> Result<Self, StoreError> {
        Ok(SeenRoute {
            route: serde_json::from_str(&row.route)
                .map_err(|e| StoreError::Corrupt(format!("mail route: {e}")))?,
            seen_at: required_time(row.seen_at)?,
            fetched_at: required_time(row.fetched_at)?,
        })
    }
}

pub(super) fn encode_mail_route(route: &MailRoute) -> String {
    serde_json::to_string(route).unwrap_or_else(|_| "{}".to_owned())
}

pub(super) fn stored_domain(text: &str) -> Result<RegistrableDomain, StoreError> {
    RegistrableDomain::parse(text).map_err(|e| StoreError::Corrupt(format!("domain: {e}")))
}

// The admin tables (`store/admin.rs`).

/// An `api_tokens` row.
#[derive(sqlx::FromRow)]
pub(super) struct TokenRow {
    name: String,
    token_hash: String,
    scopes: String,
    created_at: i64,
    last_used_at: Option<i64>,
}

impl TryFrom<TokenRow> for TokenRecord {
    type Error = StoreError;

    fn try_from(row: TokenRow) -> Result<Self, StoreError> {
        Ok(Self {
            scopes: Scopes::decode(&row.scopes)
                .ok_or_else(|| StoreError::Corrupt(format!("token scopes {:?}", row.scopes)))?,
            name: row.name,
            hash: row.token_hash,
            created_at: required_time(row.created_at)?,
            last_used_at: from_seconds(row.last_used_at),
        })
    }
}

/// An `overrides` row joined with its domain's status.
#[derive(sqlx::FromRow)]
pub(super) struct OverrideRow {
    pub(super) domain: String,
    pub(super) decision: String,
    pub(super) note: String,
    pub(super) expires_at: Option<i64>,
    pub(super) set_at: i64,
    pub(super) set_by: String,
    pub(super) seen_registered_at: Option<i64>,
    pub(super) seen_lifecycle: String,
    pub(super) lapsed_at: Option<i64>,
    pub(super) current_registered_at: Option<i64>,
    pub(super) current_lifecycle: Option<String>,
    pub(super) current_last_lapse_at: Option<i64>,
}

/// An `audit_log` row.
#[derive(sqlx::FromRow)]
pub(super) struct AuditRow {
    id: i64,
    at: i64,
    actor: String,
    action: String,
    target: String,
    details: String,
}

impl TryFrom<AuditRow> for LoggedAudit {
    type Error = StoreError;

    fn try_from(row: AuditRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.id,
            entry: AuditEntry {
                at: required_time(row.at)?,
                actor: row.actor,
                action: AuditAction::parse(&row.action)
                    .ok_or_else(|| StoreError::Corrupt(format!("audit action {:?}", row.action)))?,
                target: row.target,
                details: serde_json::from_str(&row.details)
                    .map_err(|e| StoreError::Corrupt(format!("audit details: {e}")))?,
            },
        })
    }
}

/// A dashboard row.
#[derive(sqlx::FromRow)]
pub(super) struct ListedRow {
    pub(super) domain: String,
    pub(super) next_check_at: i64,
    pub(super) failures: i32,
    pub(super) lifecycle: Option<String>,
    pub(super) evidence: Option<String>,
    pub(super) registered_at: Option<i64>,
    pub(super) expires_at: Option<i64>,
    pub(super) checked_at: Option<i64>,
    pub(super) last_lapse_at: Option<i64>,
    pub(super) signals: Option<String>,
}

impl ListedRow {
    /// The signals' names, in the column's order.
    pub(super) fn signals(&self) -> Result<Vec<Signal>, StoreError> {
        Ok(decode_signals(self.signals.as_deref())?
            .into_iter()
            .map(|s| s.signal)
            .collect())
    }
}

/// The `LIKE` pattern that finds `signal` in a `signals` column (its encoding is
/// `encode_signals`'s, one key order).
pub(super) fn signal_pattern(signal: Signal) -> String {
    format!("%\"signal\":\"{}\"%", signal.as_str())
}

// The console's sessions (`store/console.rs`).

/// A `console_sessions` row.
#[derive(sqlx::FromRow)]
pub(super) struct SessionRow {
    pub(super) token_hash: String,
    pub(super) csrf: String,
    pub(super) expires_at: i64,
}

// The guard's holds (`store/holds.rs`).

/// A `held_transitions` row: a transition and the registration date published before it.
#[derive(sqlx::FromRow)]
pub(super) struct HeldRow {
    #[sqlx(flatten)]
    pub(super) transition: TransitionRow,
    pub(super) prior_registered_at: Option<i64>,
    pub(super) prior_last_lapse_at: Option<i64>,
}

/// A `SELECT_HOLDS` row.
#[derive(sqlx::FromRow)]
pub(super) struct HoldRow {
    pub(super) host: String,
    pub(super) held_since: i64,
    pub(super) held: i64,
    pub(super) domains: i64,
    pub(super) first_observed_at: Option<i64>,
    pub(super) last_observed_at: Option<i64>,
}
