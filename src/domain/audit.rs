//! The audit log's entries: who changed what, through the API or the CLI.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The actor of changes made with the `lapseguard` command.
pub const CLI_ACTOR: &str = "cli";
/// The actor of changes made from loopback while no token exists (protected mode).
pub const LOOPBACK_ACTOR: &str = "loopback";
/// The actor of a hold the mass-change guard opened.
pub const GUARD_ACTOR: &str = "guard";
/// The target of the admin console's sign-ins and sign-outs.
pub const CONSOLE_TARGET: &str = "console";

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
    /// The mass-change guard held a host's lapses (actor `guard`).
    HoldOpened,
    /// A hold's transitions published (`POST /v1/holds/{host}/release`).
    HoldReleased,
    /// A hold's transitions dropped for a second look (`POST /v1/holds/{host}/discard`).
    HoldDiscarded,
    /// A session of the admin console opened with the actor's token (target `console`).
    ConsoleSignedIn,
    /// A session of the admin console ended by signing out.
    ConsoleSignedOut,
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
            Self::HoldOpened => "hold_opened",
            Self::HoldReleased => "hold_released",
            Self::HoldDiscarded => "hold_discarded",
            Self::ConsoleSignedIn => "console_signed_in",
            Self::ConsoleSignedOut => "console_signed_out",
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
            Self::HoldOpened,
            Self::HoldReleased,
            Self::HoldDiscarded,
            Self::ConsoleSignedIn,
            Self::ConsoleSignedOut,
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
