//! Overrides: a support agent's decision for one domain, and when it still applies.
//!
//! A `deny` wins over everything until it expires. An `allow` pins what the agent saw:
//! it applies only while the domain's registration date is the one seen when it was set,
//! the domain is `active` or still in the stage it was in then, and no new lapse began
//! after it was set (the store marks that as `lapsed_at` when it records the change).
//! Once an allow lapses it never applies again: the agent must look anew.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::lifecycle::Lifecycle;
use super::name::RegistrableDomain;
use super::status::DomainStatus;

/// What the agent decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OverrideDecision {
    /// Trust the domain for recovery while it stays as the agent saw it.
    Allow,
    /// Refuse recovery to the domain, whatever its status.
    Deny,
}

impl OverrideDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "allow",
            Self::Deny => "deny",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Allow, Self::Deny]
            .into_iter()
            .find(|d| d.as_str() == text)
    }
}

/// Whether an override decides checks now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OverrideState {
    /// It decides checks of the domain.
    Active,
    /// Its `expires_at` has passed.
    Expired,
    /// An allow whose domain changed since it was set (a new registration date or a new
    /// lapse): the computed decision is back.
    Lapsed,
}

/// What a domain shows: when an override was set (what the agent saw), or now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub registered_at: Option<DateTime<Utc>>,
    pub lifecycle: Lifecycle,
    /// The latest time the domain was seen in a stage other than `active`.
    pub last_lapse_at: Option<DateTime<Utc>>,
}

impl Seen {
    /// What a status shows (`unknown` and no dates when there is none).
    pub fn of(status: Option<&DomainStatus>) -> Self {
        Self {
            registered_at: status.and_then(|s| s.registered_at),
            lifecycle: status.map_or(Lifecycle::Unknown, |s| s.lifecycle),
            last_lapse_at: status.and_then(|s| s.last_lapse_at),
        }
    }
}

/// One override, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub domain: RegistrableDomain,
    pub decision: OverrideDecision,
    /// Why the agent acted. Never shown to check callers.
    pub note: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub set_at: DateTime<Utc>,
    /// The actor who set it (a token's name, or `cli`).
    pub set_by: String,
    pub seen: Seen,
    /// When the store saw a new lapse begin after the override was set.
    pub lapsed_at: Option<DateTime<Utc>>,
}

impl Override {
    /// Whether it decides a check of a domain that now shows `current`, at `now`.
    pub fn state(&self, current: Seen, now: DateTime<Utc>) -> OverrideState {
        if self.expires_at.is_some_and(|at| at <= now) {
            return OverrideState::Expired;
        }
        if self.decision == OverrideDecision::Deny {
            return OverrideState::Active;
        }
        let same_registration = current.registered_at == self.seen.registered_at;
        let same_or_better =
            current.lifecycle == Lifecycle::Active || current.lifecycle == self.seen.lifecycle;
        // Seen active, so any lapse seen since began after the override. (Seen in a lapse,
        // the lapse goes on being seen; a new one is the store's `lapsed_at`.)
        let lapsed_since = self.seen.lifecycle == Lifecycle::Active
            && current.last_lapse_at.is_some_and(|at| at > self.set_at);
        if self.lapsed_at.is_some() || !same_registration || !same_or_better || lapsed_since {
            return OverrideState::Lapsed;
        }
        OverrideState::Active
    }
}

/// Whether recording a change from `before` to `after` ends an allow override set at or
/// before the change: a new registration date, or a move from `active` into any other
/// known stage.
pub fn ends_allow(before: Option<&DomainStatus>, after: &DomainStatus) -> bool {
    let Some(before) = before else {
        return false;
    };
    let new_registration = before.registered_at != after.registered_at;
    let new_lapse = before.lifecycle == Lifecycle::Active
        && !matches!(after.lifecycle, Lifecycle::Active | Lifecycle::Unknown);
    new_registration || new_lapse
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, day, 0, 0, 0)
            .single()
            .expect("valid date")
    }

    fn allow(seen: Seen) -> Override {
        Override {
            domain: RegistrableDomain::parse("example.com").expect("valid"),
            decision: OverrideDecision::Allow,
            note: "owner confirmed by ticket 1".to_owned(),
            expires_at: Some(at(20)),
            set_at: at(10),
            set_by: "agent".to_owned(),
            seen,
            lapsed_at: None,
        }
    }

    const ACTIVE_ON_1: Seen = Seen {
        registered_at: None,
        lifecycle: Lifecycle::Active,
        last_lapse_at: None,
    };

    #[test]
    fn an_allow_applies_while_the_domain_is_as_the_agent_saw_it() {
        let o = allow(ACTIVE_ON_1);
        assert_eq!(o.state(ACTIVE_ON_1, at(11)), OverrideState::Active);
    }

    #[test]
    fn an_allow_lapses_on_a_new_registration_date_or_a_new_stage() {
        let o = allow(ACTIVE_ON_1);
        let reregistered = Seen {
            registered_at: Some(at(12)),
            lifecycle: Lifecycle::Active,
            last_lapse_at: None,
        };
        assert_eq!(o.state(reregistered, at(13)), OverrideState::Lapsed);
        let grace = Seen {
            registered_at: None,
            lifecycle: Lifecycle::AutoRenewGrace,
            last_lapse_at: Some(at(13)),
        };
        assert_eq!(o.state(grace, at(13)), OverrideState::Lapsed);
        let renewed = Seen {
            lifecycle: Lifecycle::Active,
            ..grace
        };
        assert_eq!(o.state(renewed, at(14)), OverrideState::Lapsed);
    }

    #[test]
    fn an_allow_set_during_a_lapse_holds_through_recovery_but_not_after_a_new_lapse() {
        let seen = Seen {
            registered_at: None,
            lifecycle: Lifecycle::Redemption,
            last_lapse_at: Some(at(10)),
        };
        let mut o = allow(seen);
        let still = Seen {
            last_lapse_at: Some(at(11)),
            ..seen
        };
        assert_eq!(o.state(still, at(11)), OverrideState::Active);
        let recovered = Seen {
            lifecycle: Lifecycle::Active,
            ..still
        };
        assert_eq!(o.state(recovered, at(12)), OverrideState::Active);
        o.lapsed_at = Some(at(13));
        assert_eq!(o.state(seen, at(14)), OverrideState::Lapsed);
    }

    #[test]
    fn overrides_expire_and_a_deny_ignores_the_status() {
        let mut o = allow(ACTIVE_ON_1);
        assert_eq!(o.state(ACTIVE_ON_1, at(20)), OverrideState::Expired);
        o.decision = OverrideDecision::Deny;
        let gone = Seen {
            registered_at: Some(at(2)),
            lifecycle: Lifecycle::Unregistered,
            last_lapse_at: Some(at(19)),
        };
        assert_eq!(o.state(gone, at(19)), OverrideState::Active);
    }
}
