//! Overrides: set, remove, list. When one applies is `domain/overrides.rs`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Actor;
use crate::app::App;
use crate::domain::audit::{AuditAction, AuditEntry};
use crate::domain::lifecycle::Lifecycle;
use crate::domain::name::RegistrableDomain;
use crate::domain::overrides::{Override, OverrideDecision, OverrideState, Seen};
use crate::error::ApiError;
use crate::store::admin::ListedOverride;

/// A note is at most this long.
pub const MAX_NOTE_CHARS: usize = 1000;

/// An agent's decision for a domain.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideRequest {
    pub decision: OverrideDecision,
    /// Why the agent acted (a ticket, what was confirmed). Required; never shown to check
    /// callers. Must not hold an email address.
    #[schema(
        min_length = 1,
        max_length = 1000,
        example = "ticket 4411: owner confirmed by phone"
    )]
    pub note: String,
    /// When the override stops applying (RFC 3339, in the future); none: until removed.
    pub expires_at: Option<DateTime<Utc>>,
}

/// An override, and whether it decides checks now.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverrideView {
    pub domain: String,
    pub decision: OverrideDecision,
    pub note: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub set_at: DateTime<Utc>,
    /// The token name (or `cli`, `loopback`) that set it.
    pub set_by: String,
    /// `active` while it decides checks; `lapsed` once the domain changed since (an
    /// allow only); `expired` after `expires_at`.
    pub state: OverrideState,
    /// The registration date the domain showed when the override was set.
    pub seen_registered_at: Option<DateTime<Utc>>,
    /// The lifecycle stage the domain showed when the override was set.
    pub seen_lifecycle: Lifecycle,
    /// When a new lapse began after it was set (an allow only).
    pub lapsed_at: Option<DateTime<Utc>>,
}

impl OverrideView {
    pub fn new(rule: Override, current: Seen, now: DateTime<Utc>) -> Self {
        Self {
            state: rule.state(current, now),
            domain: rule.domain.to_string(),
            decision: rule.decision,
            note: rule.note,
            expires_at: rule.expires_at,
            set_at: rule.set_at,
            set_by: rule.set_by,
            seen_registered_at: rule.seen.registered_at,
            seen_lifecycle: rule.seen.lifecycle,
            lapsed_at: rule.lapsed_at,
        }
    }
}

/// A page of overrides, by domain name.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverridesPage {
    pub overrides: Vec<OverrideView>,
    /// Pass as `after` for the next page; null when this page is the last.
    pub next_after: Option<String>,
}

/// Sets (or replaces) `domain`'s override for `actor`: validates the note and the end,
/// pins what a check saw before the request (`Seen`), audits, and reloads the book every
/// check consults.
pub async fn set(
    app: &App,
    actor: &Actor,
    domain: &str,
    request: OverrideRequest,
) -> Result<OverrideView, ApiError> {
    let domain = RegistrableDomain::parse(domain)?;
    let now = app.clock.now();
    let unprocessable = |code: &'static str, detail: &str| ApiError::Unprocessable {
        code,
        detail: detail.to_owned(),
    };
    let note = request.note.trim().to_owned();
    if note.is_empty() || note.chars().count() > MAX_NOTE_CHARS {
        return Err(unprocessable(
            "invalid_note",
            "note must say why, in 1 to 1000 characters",
        ));
    }
    // Privacy: lapseguard keeps domains, never addresses, and notes are stored and shown.
    if note.contains('@') {
        return Err(unprocessable(
            "note_contains_address",
            "a note must not hold an email address: name the ticket instead",
        ));
    }
    if request.expires_at.is_some_and(|at| at <= now) {
        return Err(unprocessable(
            "invalid_expires_at",
            "expires_at must lie in the future",
        ));
    }
    // What a check saw before this request is what the override is set against.
    app.checker.settled_for(&domain).await;
    let status = app.store.status(&domain).await?;
    let seen = Seen::of(status.as_ref().map(|s| &s.status));
    let rule = Override {
        domain: domain.clone(),
        decision: request.decision,
        note,
        expires_at: request.expires_at,
        set_at: now,
        set_by: actor.name.to_string(),
        seen,
        lapsed_at: None,
    };
    let details = serde_json::json!({
        "decision": rule.decision,
        "note": rule.note,
        "expires_at": rule.expires_at,
        "seen_lifecycle": seen.lifecycle,
        "seen_registered_at": seen.registered_at,
    });
    let audit = AuditEntry::new(
        now,
        &actor.name,
        AuditAction::OverrideSet,
        domain.as_str(),
        details,
    );
    app.store.set_override(&rule, &audit).await?;
    app.overrides.reload(app.store.as_ref()).await?;
    Ok(OverrideView::new(rule, seen, now))
}

/// Removes `domain`'s override for `actor` (audited); `NotFound` when it had none.
pub async fn remove(app: &App, actor: &Actor, domain: &str) -> Result<(), ApiError> {
    let domain = RegistrableDomain::parse(domain)?;
    let audit = AuditEntry::new(
        app.clock.now(),
        &actor.name,
        AuditAction::OverrideRemoved,
        domain.as_str(),
        serde_json::json!({}),
    );
    if !app.store.remove_override(&domain, &audit).await? {
        return Err(ApiError::NotFound);
    }
    app.overrides.reload(app.store.as_ref()).await?;
    Ok(())
}

/// `domain`'s override, with whether it decides checks now.
pub async fn of(app: &App, domain: &RegistrableDomain) -> Result<Option<OverrideView>, ApiError> {
    let now = app.clock.now();
    let listed = app.store.override_of(domain).await?;
    Ok(listed.map(|listed| OverrideView::new(listed.rule, listed.current, now)))
}

/// Up to `limit` overrides of domains after `after` (a lowercase name, or empty), by
/// name, each with whether it decides checks now.
pub async fn list(app: &App, after: &str, limit: u32) -> Result<OverridesPage, ApiError> {
    let listed = app.store.overrides(after, limit).await?;
    let full = listed.len() == limit as usize;
    let now = app.clock.now();
    let overrides: Vec<OverrideView> = listed
        .into_iter()
        .map(|ListedOverride { rule, current }| OverrideView::new(rule, current, now))
        .collect();
    let next_after = overrides
        .last()
        .filter(|_| full)
        .map(|last| last.domain.clone());
    Ok(OverridesPage {
        overrides,
        next_after,
    })
}
