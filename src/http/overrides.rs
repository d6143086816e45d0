//! Overrides: `PUT /v1/overrides/{domain}`, `DELETE /v1/overrides/{domain}`,
//! `GET /v1/overrides`. When one applies is `domain/overrides.rs`.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ApiJson;
use super::domains::name_like;
use super::paging::{self, MAX_LIMIT};
use crate::access::Actor;
use crate::app::AppState;
use crate::domain::audit::{AuditAction, AuditEntry};
use crate::domain::lifecycle::Lifecycle;
use crate::domain::name::RegistrableDomain;
use crate::domain::overrides::{Override, OverrideDecision, OverrideState, Seen};
use crate::error::{ApiError, Problem};
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

/// Where to resume and how many to return.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OverridesQuery {
    /// Return overrides of domains after this name: the `next_after` of the previous page.
    #[param(max_length = 253, pattern = "^[A-Za-z0-9.-]*$")]
    pub after: Option<String>,
    /// At most this many (default 100, at most 1000).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// A page of overrides, by domain name.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverridesPage {
    pub overrides: Vec<OverrideView>,
    /// Pass as `after` for the next page; null when this page is the last.
    pub next_after: Option<String>,
}

/// Set (or replace) a domain's override.
///
/// A `deny` wins over every computed decision. An `allow` pins what the domain shows
/// now: it applies while the registration date stays the same and no new lapse begins;
/// then the computed decision returns and the override shows as `lapsed`. Checks it
/// decides answer `override_allow` or `override_deny`; the note is never shown to them.
#[utoipa::path(
    put,
    path = "/v1/overrides/{domain}",
    operation_id = "set_override",
    tag = "overrides",
    params(("domain" = String, Path, description = "The domain (reduced to its registrable domain)", min_length = 3, max_length = 253, pattern = "^[^.]+(\\.[^.]+)+\\.?$")),
    request_body = OverrideRequest,
    responses(
        (status = 200, description = "The override as set", body = OverrideView),
        (status = 400, description = "Not JSON, or a field is missing or malformed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a usable domain, an empty or too long note, a note with an address in it, or a past `expires_at`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn set_override(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(domain): Path<String>,
    ApiJson(request): ApiJson<OverrideRequest>,
) -> Result<Json<OverrideView>, ApiError> {
    let domain = RegistrableDomain::parse(&domain)?;
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
    Ok(Json(OverrideView::new(rule, seen, now)))
}

/// Remove a domain's override: the computed decision applies again.
#[utoipa::path(
    delete,
    path = "/v1/overrides/{domain}",
    operation_id = "remove_override",
    tag = "overrides",
    params(("domain" = String, Path, description = "The domain (reduced to its registrable domain)", min_length = 3, max_length = 253, pattern = "^[^.]+(\\.[^.]+)+\\.?$")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "The domain has no override", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a usable domain", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn remove_override(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(domain): Path<String>,
) -> Result<StatusCode, ApiError> {
    let domain = RegistrableDomain::parse(&domain)?;
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
    Ok(StatusCode::NO_CONTENT)
}

/// List overrides by domain name, each with whether it decides checks now.
#[utoipa::path(
    get,
    path = "/v1/overrides",
    operation_id = "list_overrides",
    tag = "overrides",
    params(OverridesQuery),
    responses(
        (status = 200, description = "A page of overrides", body = OverridesPage),
        (status = 400, description = "Bad query parameters", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_overrides(
    State(app): State<AppState>,
    query: Result<Query<OverridesQuery>, QueryRejection>,
) -> Result<Json<OverridesPage>, ApiError> {
    let invalid = || ApiError::BadRequest {
        code: "invalid_query",
        detail: format!(
            "limit must be a whole number from 1 to {MAX_LIMIT}; after a domain name \
             (letters, digits, `-` and `.`, at most 253)"
        ),
    };
    let Query(query) = query.map_err(|_| invalid())?;
    let limit = paging::limit(query.limit).ok_or_else(invalid)?;
    if !query.after.as_deref().is_none_or(name_like) {
        return Err(invalid());
    }
    let after = query.after.unwrap_or_default().to_ascii_lowercase();
    let listed = app.store.overrides(&after, limit).await?;
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
    Ok(Json(OverridesPage {
        overrides,
        next_after,
    }))
}
