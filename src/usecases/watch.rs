//! The watch list: watch the domains of addresses and domains, unwatch one.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Actor;
use crate::app::App;
use crate::domain::audit::{AuditAction, AuditEntry};
use crate::domain::name::RegistrableDomain;
use crate::error::ApiError;

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

/// Watches the domains of `request`'s addresses and domains for `actor` (audited);
/// entries without a registrable domain are returned, not refused.
pub async fn watch(
    app: &App,
    actor: &Actor,
    request: WatchRequest,
) -> Result<WatchResponse, ApiError> {
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
    Ok(WatchResponse {
        added,
        already_watched: parsed.domains.len() as u64 - added,
        rejected: parsed.rejected,
    })
}

/// Stops watching `domain` for `actor` (audited); `NotFound` when it was not watched.
pub async fn unwatch(app: &App, actor: &Actor, domain: &str) -> Result<(), ApiError> {
    let domain = RegistrableDomain::parse(domain)?;
    let audit = AuditEntry::new(
        app.clock.now(),
        &actor.name,
        AuditAction::Unwatch,
        domain.as_str(),
        serde_json::json!({}),
    );
    if app.store.unwatch(&domain, Some(&audit)).await? {
        Ok(())
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
