//! The audit log's entries: who changed what, through the API or the CLI.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The actor of changes made with the `lapseguard` command.
pub const CLI_ACTOR: &str = "cli";
/// The actor of changes made from loopback while no token exists (protected mode).
pub const LOOPBACK_ACTOR: &str = "loopback";

/// What was done. New actions may be added: clients should show an unknown one as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// Domains put on the watch list (`POST /v1/watch`, `lapseguard import`).
    Watch,
    /// A domain taken off the watch list.
    Unwatch,
    /// A domain made due for a check now.
    Refresh,
    /// An override set or replaced.
    OverrideSet,
    /// An override removed.
    OverrideRemoved,
    /// An API token created.
    TokenCreated,
    /// An API token revoked.
    TokenRevoked,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Watch => "watch",
            Self::Unwatch => "unwatch",
            Self::Refresh => "refresh",
            Self::OverrideSet => "override_set",
            Self::OverrideRemoved => "override_removed",
            Self::TokenCreated => "token_created",
            Self::TokenRevoked => "token_revoked",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Watch,
            Self::Unwatch,
            Self::Refresh,
            Self::OverrideSet,
            Self::OverrideRemoved,
            Self::TokenCreated,
            Self::TokenRevoked,
        ]
        .into_iter()
        .find(|a| a.as_str() == text)
    }
}

/// One change, before the log gives it an id.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    /// A token's name, `cli`, or `loopback`.
    pub actor: String,
    pub action: AuditAction,
    /// A domain, a token's name, or for a batch `N domains`.
    pub target: String,
    /// What the action carried (a note, scopes, counts). Never an email address or a
    /// token.
    pub details: serde_json::Value,
}

impl AuditEntry {
    pub fn new(
        at: DateTime<Utc>,
        actor: &str,
        action: AuditAction,
        target: impl Into<String>,
        details: serde_json::Value,
    ) -> Self {
        Self {
            at,
            actor: actor.to_owned(),
            action,
            target: target.into(),
            details,
        }
    }
}

/// An entry as the log holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedAudit {
    /// Only grows; pages resume after the last id seen.
    pub id: i64,
    pub entry: AuditEntry,
}
