//! The watch list: `POST /v1/watch`, `DELETE /v1/watch/{domain}`.

use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiJson;
use crate::access::Actor;
use crate::app::AppState;
use crate::domain::audit::{AuditAction, AuditEntry};
use crate::domain::name::RegistrableDomain;
use crate::error::{ApiError, Problem};

/// At most this many entries (emails and domains together) per call.
pub const MAX_WATCH_ENTRIES: usize = 10_000;

/// Addresses and domains to watch. Addresses are reduced to their registrable domain at
/// once and never kept.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct WatchRequest {
    /// Email addresses (together with `domains`, at most 10,000 entries).
    #[serde(default)]
    #[schema(max_items = 10000)]
    pub emails: Vec<String>,
    /// Domains; subdomains are reduced to their registrable domain.
    #[serde(default)]
    #[schema(max_items = 10000)]
    pub domains: Vec<String>,
}

/// The list of a watch request an entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WatchField {
    Emails,
    Domains,
}

/// An entry that could not be watched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RejectedEntry {
    /// The list the entry came from.
    pub field: WatchField,
    /// Its position in that list, from 0.
    pub input_index: usize,
    /// Why, as in the 422 problem codes (`email_missing_at`, `domain_unknown_suffix`, ...).
    pub code: String,
}

/// What a watch call did.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct WatchResponse {
    /// Domains newly on the watch list.
    pub added: u64,
    /// Valid entries whose domain was already watched (or repeated in this call).
    pub already_watched: u64,
    pub rejected: Vec<RejectedEntry>,
}

/// The registrable domains of a batch of entries, and the entries that have none.
struct ParsedEntries {
    domains: Vec<RegistrableDomain>,
    rejected: Vec<RejectedEntry>,
}

/// Reduces entries to registrable domains: `field` names the list for rejections.
fn parse_entries<'a>(
    entries: impl Iterator<Item = &'a str>,
    field: WatchField,
    into: &mut ParsedEntries,
) {
    for (index, entry) in entries.enumerate() {
        let parsed = if field == WatchField::Emails {
            RegistrableDomain::of_address(entry)
        } else {
            RegistrableDomain::parse(entry)
        };
        match parsed {
            Ok(domain) => into.domains.push(domain),
            Err(error) => into.rejected.push(RejectedEntry {
                field,
                input_index: index,
                code: error.code().to_owned(),
            }),
        }
    }
}

/// Watch the domains of these addresses and these domains.
///
/// Each domain is checked in the background on the schedule its registration data calls
/// for; its lapses appear in `/v1/transitions` and the webhook.
#[utoipa::path(
    post,
    path = "/v1/watch",
    operation_id = "watch_domains",
    tag = "watch",
    request_body = WatchRequest,
    responses(
        (status = 200, description = "What was added", body = WatchResponse),
        (status = 400, description = "Not JSON, or more than 10,000 entries", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn watch(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    ApiJson(request): ApiJson<WatchRequest>,
) -> Result<Json<WatchResponse>, ApiError> {
    let entries = request.emails.len() + request.domains.len();
    if entries > MAX_WATCH_ENTRIES {
        return Err(ApiError::BadRequest {
            code: "too_many_entries",
            detail: format!("{entries} entries; at most {MAX_WATCH_ENTRIES} per call"),
        });
    }
    let mut parsed = ParsedEntries {
        domains: Vec::with_capacity(entries),
        rejected: Vec::new(),
    };
    parse_entries(
        request.emails.iter().map(String::as_str),
        WatchField::Emails,
        &mut parsed,
    );
    parse_entries(
        request.domains.iter().map(String::as_str),
        WatchField::Domains,
        &mut parsed,
    );
    let now = app.clock.now();
    let audit = watch_audit(now, &actor.name, &parsed.domains, parsed.rejected.len());
    let added = app.store.watch(&parsed.domains, now, Some(&audit)).await?;
    Ok(Json(WatchResponse {
        added,
        already_watched: parsed.domains.len() as u64 - added,
        rejected: parsed.rejected,
    }))
}

/// Stop watching a domain.
#[utoipa::path(
    delete,
    path = "/v1/watch/{domain}",
    operation_id = "unwatch_domain",
    tag = "watch",
    params(("domain" = String, Path, description = "The domain (reduced to its registrable domain)", min_length = 3, max_length = 253, pattern = "^[^.]+(\\.[^.]+)+\\.?$")),
    responses(
        (status = 204, description = "No longer watched"),
        (status = 404, description = "It was not watched", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a usable domain", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn unwatch(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(domain): Path<String>,
) -> Result<StatusCode, ApiError> {
    let domain = RegistrableDomain::parse(&domain)?;
    let audit = AuditEntry::new(
        app.clock.now(),
        &actor.name,
        AuditAction::Unwatch,
        domain.as_str(),
        serde_json::json!({}),
    );
    if app.store.unwatch(&domain, Some(&audit)).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}

/// At most this many domain names go into one watch call's audit entry.
pub const AUDITED_DOMAINS: usize = 100;

/// The audit entry of a watch call or an import: its target is the domain, or `N domains`
/// for a batch, whose first [`AUDITED_DOMAINS`] names the details list (the store adds
/// how many were new).
pub fn watch_audit(
    at: chrono::DateTime<chrono::Utc>,
    actor: &str,
    domains: &[RegistrableDomain],
    rejected: usize,
) -> AuditEntry {
    let target = match domains {
        [one] => one.to_string(),
        many => format!("{} domains", many.len()),
    };
    let listed: Vec<&str> = domains
        .iter()
        .take(AUDITED_DOMAINS)
        .map(RegistrableDomain::as_str)
        .collect();
    let details = serde_json::json!({
        "domains": listed,
        "valid": domains.len(),
        "rejected": rejected,
    });
    AuditEntry::new(at, actor, AuditAction::Watch, target, details)
}
