//! The audit log: its pages in id order, and the newest entries.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::App;
use crate::domain::audit::{AuditAction, LoggedAudit};
use crate::error::ApiError;

/// One change made through the API or the CLI.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditItem {
    /// Only grows.
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The token's name; `cli` for the command line; `loopback` in protected mode.
    pub actor: String,
    pub action: AuditAction,
    /// A domain, a token's name, or `N domains` for a batch.
    pub target: String,
    /// What the action carried: an override's decision and note, a token's scopes, a
    /// watch call's domains (the first 100) and counts.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

impl From<LoggedAudit> for AuditItem {
    fn from(logged: LoggedAudit) -> Self {
        let entry = logged.entry;
        Self {
            id: logged.id,
            at: entry.at,
            actor: entry.actor,
            action: entry.action,
            target: entry.target,
            details: entry.details,
        }
    }
}

/// A page of the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub entries: Vec<AuditItem>,
    /// Pass as `after` for the next page: the last id here, or the `after` you sent.
    pub next_after: i64,
}

/// Up to `limit` entries after id `after`, in id order.
pub async fn page(app: &App, after: i64, limit: u32) -> Result<AuditPage, ApiError> {
    let entries: Vec<AuditItem> = app
        .store
        .audit_log(after, limit)
        .await?
        .into_iter()
        .map(AuditItem::from)
        .collect();
    let next_after = entries.last().map_or(after, |e| e.id);
    Ok(AuditPage {
        entries,
        next_after,
    })
}

/// Up to `limit` entries older than id `before`, newest first.
pub async fn newest(app: &App, before: i64, limit: u32) -> Result<Vec<AuditItem>, ApiError> {
    let entries = app.store.newest_audit(before, limit).await?;
    Ok(entries.into_iter().map(AuditItem::from).collect())
}
