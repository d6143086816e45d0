//! `GET /v1/audit`: who changed what, paged by id like the transitions log.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::paging::LogCursor;
use crate::app::AppState;
use crate::domain::audit::{AuditAction, LoggedAudit};
use crate::error::{ApiError, Problem};

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

/// Page through the audit log in id order, without gaps or duplicates. Entries are never
/// changed or removed.
#[utoipa::path(
    get,
    path = "/v1/audit",
    operation_id = "list_audit",
    tag = "overrides",
    params(LogCursor),
    responses(
        (status = 200, description = "A page of the audit log", body = AuditPage),
        (status = 400, description = "Bad query parameters", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_audit(
    State(app): State<AppState>,
    query: Result<Query<LogCursor>, QueryRejection>,
) -> Result<Json<AuditPage>, ApiError> {
    let (after, limit) = LogCursor::read(query)?;
    let entries: Vec<AuditItem> = app
        .store
        .audit_log(after, limit)
        .await?
        .into_iter()
        .map(AuditItem::from)
        .collect();
    let next_after = entries.last().map_or(after, |e| e.id);
    Ok(Json(AuditPage {
        entries,
        next_after,
    }))
}
