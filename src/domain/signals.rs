//! Ownership signals (issue 22): facts about a domain beside its lifecycle that say its
//! name may have changed hands without a lapse, each with a policy that says whether it
//! denies a recovery mail.
//!
//! This module names the signals and their policy; `ownership.rs` has the rules that
//! raise them. A signal is kept on the domain's status with the time it started
//! (`since`); the decision reads them, and a signal whose `since` is before the caller's
//! `verified_at` is forgiven, as a lapse is.
//!
//! | signal | kept when | `since` |
//! |---|---|---|
//! | `transferred_since_verified` | a `transfer` event, or the registrar's IANA ID changed between two observations | the transfer's date, else the observation that saw the new ID |
//! | `transferred_in_grace_window` | a `transfer` event within 60 days after an anniversary of the expiration date (or after the previous expiration lapseguard saw) | the transfer's date |
//! | `registry_handle_changed` | the registry's handle changed between two observations (same repository) | the observation that saw the new handle |
//! | `parked`, `for_sale`, `registrar_expired`, `registrar_hold` | a current nameserver is in that class (`nameservers.rs`) | the first observation that saw it, continuously since |
//! | `registration_date_unknown` | the registry answers without a registration date | the first observation that saw it, continuously since |
//! | `no_mail` | the domain's own mail route (asked beside its NS) delivers nowhere | the first observation that saw it, continuously since |
//! | `nameserver_domain_lapsed`, `mail_route_lapsed` | at the delegation sweep's look, a route domain's held status lapsed or was registered anew (`Observer::held_route_signals`, `ownership::latest_route_signal` without `verified_at`) | the route domain's lapse or registration date |
//!
//! A check judges `nameserver_domain_lapsed`, `mail_route_lapsed` and `no_mail` itself,
//! from the route domains' own statuses (looked up if need be) and the address's mail
//! domain as written (`ownership::route_signal`, `Checker::judge_routes`,
//! `Checker::judge_mail`); the kept ones are for the lists and the feed
//! (`ownership::applying` leaves them out of decisions).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::nameservers::NameserverClass;

/// A fact about a domain beside its lifecycle. Stable strings (the API, the store and
/// `LAPSEGUARD_SIGNAL_POLICY` use them).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// A `transfer` event after the address was verified, or a new sponsoring registrar.
    TransferredSinceVerified,
    /// The registry's identifier of the registration changed: deleted and created again.
    RegistryHandleChanged,
    /// The nameservers are a parking service's.
    Parked,
    /// The nameservers are a marketplace's: the name is offered for sale.
    ForSale,
    /// The nameservers are a registrar's placeholder for an expired name.
    RegistrarExpired,
    /// The nameservers are a registrar's verification hold (a suspension, not a sale).
    RegistrarHold,
    /// The mail domain has a null MX, or neither MX nor address records.
    NoMail,
    /// A domain the mail is routed through lapsed or changed hands.
    MailRouteLapsed,
    /// A domain the nameservers belong to lapsed or changed hands.
    NameserverDomainLapsed,
    /// A transfer in the weeks after the expiration date: an expired-domain auction.
    TransferredInGraceWindow,
    /// The registry publishes no registration date: a new holder cannot be told apart.
    RegistrationDateUnknown,
}

impl Signal {
    pub const ALL: [Self; 11] = [
        Self::TransferredSinceVerified,
        Self::RegistryHandleChanged,
        Self::Parked,
        Self::ForSale,
        Self::RegistrarExpired,
        Self::RegistrarHold,
        Self::NoMail,
        Self::MailRouteLapsed,
        Self::NameserverDomainLapsed,
        Self::TransferredInGraceWindow,
        Self::RegistrationDateUnknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TransferredSinceVerified => "transferred_since_verified",
            Self::RegistryHandleChanged => "registry_handle_changed",
            Self::Parked => "parked",
            Self::ForSale => "for_sale",
            Self::RegistrarExpired => "registrar_expired",
            Self::RegistrarHold => "registrar_hold",
            Self::NoMail => "no_mail",
            Self::MailRouteLapsed => "mail_route_lapsed",
            Self::NameserverDomainLapsed => "nameserver_domain_lapsed",
            Self::TransferredInGraceWindow => "transferred_in_grace_window",
            Self::RegistrationDateUnknown => "registration_date_unknown",
        }
    }

    /// Reads back what [`Signal::as_str`] wrote.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    fn index(self) -> usize {
        Self::ALL
            .iter()
            .position(|s| *s == self)
            .expect("ALL lists every signal")
    }

    /// What the signal does unless `LAPSEGUARD_SIGNAL_POLICY` says otherwise.
    pub fn default_action(self) -> SignalAction {
        match self {
            Self::RegistryHandleChanged
            | Self::ForSale
            | Self::RegistrarExpired
            | Self::MailRouteLapsed
            | Self::NameserverDomainLapsed
            | Self::TransferredInGraceWindow => SignalAction::Deny,
            Self::TransferredSinceVerified
            | Self::Parked
            | Self::RegistrarHold
            | Self::NoMail
            | Self::RegistrationDateUnknown => SignalAction::Flag,
        }
    }

    /// A state of the name now (its nameservers, its mail, its record): it applies while
    /// it lasts, whenever it began. The others are events: without `verified_at`, one
    /// older than the lapse memory no longer applies.
    pub fn is_state(self) -> bool {
        matches!(
            self,
            Self::Parked
                | Self::ForSale
                | Self::RegistrarExpired
                | Self::RegistrarHold
                | Self::NoMail
                | Self::RegistrationDateUnknown
        )
    }

    pub fn of_class(class: NameserverClass) -> Self {
        match class {
            NameserverClass::Parked => Self::Parked,
            NameserverClass::ForSale => Self::ForSale,
            NameserverClass::RegistrarExpired => Self::RegistrarExpired,
            NameserverClass::RegistrarHold => Self::RegistrarHold,
        }
    }
}

/// What a signal does to a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignalAction {
    /// Listed, and the check is refused with the signal's reason.
    Deny,
    /// Listed only: `eligible` and `reason` are unchanged.
    Flag,
    /// Neither listed nor denying.
    Ignore,
}

impl SignalAction {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "deny" => Some(Self::Deny),
            "flag" => Some(Self::Flag),
            "ignore" => Some(Self::Ignore),
            _ => None,
        }
    }
}

/// Each signal's action: the defaults, with `LAPSEGUARD_SIGNAL_POLICY`'s changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignalPolicy {
    actions: [SignalAction; Signal::ALL.len()],
}

impl Default for SignalPolicy {
    fn default() -> Self {
        Self {
            actions: Signal::ALL.map(Signal::default_action),
        }
    }
}

impl SignalPolicy {
    /// Reads `signal=deny|flag|ignore,...` (spaces around the parts ignored; empty is the
    /// defaults). An unknown signal or action, or a part without `=`, is refused with a
    /// message that names it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut policy = Self::default();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, action) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?} is not signal=deny|flag|ignore"))?;
            let signal = Signal::parse(name.trim()).ok_or_else(|| {
                format!(
                    "{:?} is not a signal (one of {})",
                    name.trim(),
                    Signal::ALL.map(Signal::as_str).join(", ")
                )
            })?;
            let action = SignalAction::parse(action.trim())
                .ok_or_else(|| format!("{:?} is not deny, flag or ignore", action.trim()))?;
            policy.actions[signal.index()] = action;
        }
        Ok(policy)
    }

    pub fn action(&self, signal: Signal) -> SignalAction {
        self.actions[signal.index()]
    }
}

/// A signal kept on a domain's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SignalState {
    pub signal: Signal,
    /// When it began (see the table in docs/integrating.md: an event's date, or the first
    /// observation that saw a state, continuously since).
    pub since: DateTime<Utc>,
    /// What showed it, in a few words: the nameserver that matched, the registrar IDs or
    /// handles before and after, the transfer's date.
    #[schema(example = "nameserver ns1.dan.com")]
    pub evidence: String,
    /// The first observation that showed it (the store's, not the API's): a signal is
    /// published once a look at least the confirmation delay later still shows it.
    #[serde(skip)]
    pub seen_at: DateTime<Utc>,
    /// Whether its appearance has been published as a transition.
    #[serde(skip)]
    pub published: bool,
}

/// A signal that appeared or went away: a transition of kind `signal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Appeared,
    Gone,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Appeared => "appeared",
            Self::Gone => "gone",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Appeared, Self::Gone]
            .into_iter()
            .find(|c| c.as_str() == text)
    }
}

/// What a signal transition says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignalChange {
    pub signal: Signal,
    pub change: Change,
    /// The signal's `since`.
    pub since: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_reads_overrides_and_refuses_unknown_words() {
        let policy = SignalPolicy::parse("parked=deny, for_sale = ignore").expect("valid");
        assert_eq!(policy.action(Signal::Parked), SignalAction::Deny);
        assert_eq!(policy.action(Signal::ForSale), SignalAction::Ignore);
        assert_eq!(
            policy.action(Signal::RegistrarExpired),
            SignalAction::Deny,
            "defaults stay"
        );
        assert_eq!(
            SignalPolicy::parse("").expect("empty"),
            SignalPolicy::default()
        );
        let unknown = SignalPolicy::parse("sold=deny").expect_err("unknown");
        assert!(unknown.contains("\"sold\""), "{unknown}");
        assert!(SignalPolicy::parse("parked=block").is_err());
        assert!(SignalPolicy::parse("parked").is_err());
    }
}
