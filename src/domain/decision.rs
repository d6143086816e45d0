//! The recovery decision: may a reset link go to an address on this domain?

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::lifecycle::Lifecycle;
use super::ownership;
use super::signals::{Signal, SignalAction, SignalPolicy, SignalState};
use super::status::{DomainStatus, EvidenceSource, registered_anew};

/// Why lapseguard decided as it did. Stable strings: clients may match on them.
///
/// - `domain_active` (eligible): registered, `active`, no lapse since `verified_at`.
/// - `domain_in_grace_period`: RDAP `auto renew period`.
/// - `domain_in_redemption_period`: `redemption period` or `pending restore`.
/// - `domain_pending_delete`: `pending delete` without the two above.
/// - `domain_on_hold`: `client hold` or `server hold`.
/// - `domain_inactive`: RDAP `inactive` (no nameservers).
/// - `domain_expired`: expiration date past, no grace status.
/// - `domain_unregistered`: 404 from the registry's RDAP server.
/// - `domain_reregistered`: registered after `verified_at`, or after the registration date
///   lapseguard first recorded.
/// - `domain_recently_registered`: no `verified_at`, and younger than the minimum domain age.
/// - `domain_lapsed_since_verification`: active, but lapsed after `verified_at` (without it,
///   within the lapse memory).
/// - a denying ownership signal (`signals.rs`, `LAPSEGUARD_SIGNAL_POLICY`), after
///   `verified_at` (without it: a state now, or an event within the lapse memory):
///   `domain_mail_route_lapsed`, `domain_nameserver_lapsed`, `domain_handle_changed`,
///   `domain_transferred_after_expiry`, `domain_registrar_expired`, `domain_for_sale`,
///   `domain_transferred`, `domain_parked`, `domain_on_registrar_hold`,
///   `domain_without_mail`, `domain_registration_unknown`.
/// - `domain_not_covered` (unknown policy): no RDAP server is known for the TLD.
/// - `domain_under_shared_suffix` (unknown policy): the address is under a private suffix
///   of the Public Suffix List (`victim.uk.com`, `alice.ddns.net`) whose names no source
///   covers; the platform's own registration (`uk.com`) says nothing about the name.
/// - `domain_status_unavailable` (unseen policy): no source answered in time and nothing
///   usable is stored (unknown policy for a registry answer whose dates cannot be read).
/// - `override_allow` / `override_deny`: an agent's override decided (see
///   `GET /v1/overrides`).
///
/// New reasons may be added in later versions. A client acts on `eligible`; a reason it
/// does not know is shown or logged as text, never an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Registered, `active`, no lapse since `verified_at`: eligible.
    DomainActive,
    /// RDAP `auto renew period`: expired, the name may be sold at any moment.
    DomainInGracePeriod,
    /// RDAP `redemption period` or `pending restore`.
    DomainInRedemptionPeriod,
    /// RDAP `pending delete`: about to be released for registration.
    DomainPendingDelete,
    /// RDAP `client hold` or `server hold`.
    DomainOnHold,
    /// RDAP `inactive`: no nameservers.
    DomainInactive,
    /// The expiration date is past and no grace status is published.
    DomainExpired,
    /// The registry has no registration: anyone may register the name.
    DomainUnregistered,
    /// The registration date is later than `verified_at`, or later than the first
    /// registration date lapseguard recorded: somebody new holds the name.
    DomainReregistered,
    /// No `verified_at` given and the domain is younger than the minimum domain age.
    DomainRecentlyRegistered,
    /// Active now, but lapsed after `verified_at` (or, without it, within the lapse
    /// memory): the address must be verified again.
    DomainLapsedSinceVerification,
    /// Signal `mail_route_lapsed` denies: a domain the mail goes through lapsed or
    /// changed hands.
    DomainMailRouteLapsed,
    /// Signal `nameserver_domain_lapsed` denies: a domain the nameservers belong to lapsed
    /// or changed hands.
    DomainNameserverLapsed,
    /// Signal `registry_handle_changed` denies: the registration was deleted and created
    /// again.
    DomainHandleChanged,
    /// Signal `transferred_in_grace_window` denies: transferred in the weeks after its
    /// expiration date, the shape of an expired-domain auction.
    DomainTransferredAfterExpiry,
    /// Signal `registrar_expired` denies: the registrar parked it as expired.
    DomainRegistrarExpired,
    /// Signal `for_sale` denies: on a marketplace's nameservers.
    DomainForSale,
    /// Signal `transferred_since_verified` denies (when set to): a transfer or a new
    /// registrar after `verified_at`.
    DomainTransferred,
    /// Signal `parked` denies (when set to): on a parking service's nameservers.
    DomainParked,
    /// Signal `registrar_hold` denies (when set to): suspended by its registrar.
    DomainOnRegistrarHold,
    /// Signal `no_mail` denies (when set to): the name publishes no mail route.
    DomainWithoutMail,
    /// Signal `registration_date_unknown` denies (when set to): the registry publishes no
    /// registration date.
    DomainRegistrationUnknown,
    /// No RDAP server is known for the TLD: `eligible` follows the unknown policy.
    DomainNotCovered,
    /// The address is under a private suffix of the Public Suffix List (`victim.uk.com`,
    /// `alice.ddns.net`) whose names no source covers: `eligible` follows the unknown
    /// policy (a lapse of the platform's own domain still denies).
    DomainUnderSharedSuffix,
    /// No source answered in time and nothing usable is stored: `eligible` follows the
    /// unseen policy (the unknown policy for a registry answer whose dates cannot be read).
    DomainStatusUnavailable,
    /// An agent's `allow` override decided: eligible.
    OverrideAllow,
    /// An agent's `deny` override decided: not eligible.
    OverrideDeny,
}

impl Reason {
    /// The stable string of the API (metrics labels use it too).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DomainActive => "domain_active",
            Self::DomainInGracePeriod => "domain_in_grace_period",
            Self::DomainInRedemptionPeriod => "domain_in_redemption_period",
            Self::DomainPendingDelete => "domain_pending_delete",
            Self::DomainOnHold => "domain_on_hold",
            Self::DomainInactive => "domain_inactive",
            Self::DomainExpired => "domain_expired",
            Self::DomainUnregistered => "domain_unregistered",
            Self::DomainReregistered => "domain_reregistered",
            Self::DomainRecentlyRegistered => "domain_recently_registered",
            Self::DomainLapsedSinceVerification => "domain_lapsed_since_verification",
            Self::DomainMailRouteLapsed => "domain_mail_route_lapsed",
            Self::DomainNameserverLapsed => "domain_nameserver_lapsed",
            Self::DomainHandleChanged => "domain_handle_changed",
            Self::DomainTransferredAfterExpiry => "domain_transferred_after_expiry",
            Self::DomainRegistrarExpired => "domain_registrar_expired",
            Self::DomainForSale => "domain_for_sale",
            Self::DomainTransferred => "domain_transferred",
            Self::DomainParked => "domain_parked",
            Self::DomainOnRegistrarHold => "domain_on_registrar_hold",
            Self::DomainWithoutMail => "domain_without_mail",
            Self::DomainRegistrationUnknown => "domain_registration_unknown",
            Self::DomainNotCovered => "domain_not_covered",
            Self::DomainUnderSharedSuffix => "domain_under_shared_suffix",
            Self::DomainStatusUnavailable => "domain_status_unavailable",
            Self::OverrideAllow => "override_allow",
            Self::OverrideDeny => "override_deny",
        }
    }
}

/// When several rules apply, the first in this table wins. It runs from the strongest
/// evidence that the name is, or can be, in a stranger's hands (already re-registered;
/// free to register; about to be released) to the weakest (a lapse that healed, a young
/// registration). The denying signals sit between the lapses and the young
/// registration, strongest first (a route or the registry's object changed hands; an
/// auction; a registrar's expiry; a sale; a transfer; parking and holds).
/// `domain_status_unavailable` applies to a status whose lifecycle is
/// `unknown` (a registry answer whose registration or expiration date cannot be read):
/// every denying reason outranks it, and it follows the unknown policy. `domain_active`
/// applies only when nothing else does. `domain_not_covered` never meets a status.
pub const PRECEDENCE: [Reason; 23] = [
    Reason::DomainReregistered,
    Reason::DomainUnregistered,
    Reason::DomainPendingDelete,
    Reason::DomainInRedemptionPeriod,
    Reason::DomainInGracePeriod,
    Reason::DomainExpired,
    Reason::DomainOnHold,
    Reason::DomainInactive,
    Reason::DomainLapsedSinceVerification,
    Reason::DomainMailRouteLapsed,
    Reason::DomainNameserverLapsed,
    Reason::DomainHandleChanged,
    Reason::DomainTransferredAfterExpiry,
    Reason::DomainRegistrarExpired,
    Reason::DomainForSale,
    Reason::DomainTransferred,
    Reason::DomainParked,
    Reason::DomainOnRegistrarHold,
    Reason::DomainWithoutMail,
    Reason::DomainRegistrationUnknown,
    Reason::DomainRecentlyRegistered,
    Reason::DomainStatusUnavailable,
    Reason::DomainActive,
];

impl Verdict {
    /// Whether the verdict already denies with a reason that comes before `reason` in
    /// [`PRECEDENCE`] (an override's reason, outside the table, comes before none).
    pub fn denies_above(&self, reason: Reason) -> bool {
        let rank = |r| PRECEDENCE.iter().position(|p| *p == r);
        !self.eligible && matches!((rank(self.reason), rank(reason)), (Some(a), Some(b)) if a < b)
    }
}

/// The reason a denying signal gives.
pub fn signal_reason(signal: Signal) -> Reason {
    match signal {
        Signal::TransferredSinceVerified => Reason::DomainTransferred,
        Signal::RegistryHandleChanged => Reason::DomainHandleChanged,
        Signal::Parked => Reason::DomainParked,
        Signal::ForSale => Reason::DomainForSale,
        Signal::RegistrarExpired => Reason::DomainRegistrarExpired,
        Signal::RegistrarHold => Reason::DomainOnRegistrarHold,
        Signal::NoMail => Reason::DomainWithoutMail,
        Signal::MailRouteLapsed => Reason::DomainMailRouteLapsed,
        Signal::NameserverDomainLapsed => Reason::DomainNameserverLapsed,
        Signal::TransferredInGraceWindow => Reason::DomainTransferredAfterExpiry,
        Signal::RegistrationDateUnknown => Reason::DomainRegistrationUnknown,
    }
}

/// What to answer when no status can be had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownPolicy {
    /// Fail open: send the reset (no worse than not running lapseguard).
    Allow,
    /// Fail closed: refuse the reset until the status is known.
    Deny,
}

/// How far to trust a domain whose only evidence is DNS (a TLD with no registry source).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DnsOnlyPolicy {
    /// Delegated is `active`; undelegated `inactive`.
    Trust,
    /// Delegated answers `domain_not_covered` under the unknown policy; undelegated, and
    /// any lapse since verification, still deny.
    Unknown,
}

/// The knobs of the decision.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub min_domain_age: Duration,
    pub lapse_memory: Duration,
    /// `LAPSEGUARD_UNKNOWN_POLICY`: a TLD no source covers, a domain under a shared
    /// suffix, a status whose dates cannot be read.
    pub unknown: UnknownPolicy,
    /// `LAPSEGUARD_UNSEEN_POLICY`: no status is held (or only one older than the stale
    /// answer limit) and no source answered in time, whatever the cause.
    pub unseen: UnknownPolicy,
    pub dns_only: DnsOnlyPolicy,
    /// `LAPSEGUARD_SIGNAL_POLICY`: what each ownership signal does.
    pub signals: SignalPolicy,
}

/// A decision and its reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub eligible: bool,
    pub reason: Reason,
}

impl Policy {
    /// The ages a route domain is judged by ([`ownership::route_signal`]).
    pub fn route_ages(&self) -> ownership::RouteAges {
        ownership::RouteAges {
            lapse_memory: self.lapse_memory,
            min_domain_age: self.min_domain_age,
        }
    }

    /// Decides on a known status.
    pub fn decide(
        &self,
        status: &DomainStatus,
        verified_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Verdict {
        let applies = self.applicable(status, verified_at, now);
        let reason = PRECEDENCE
            .into_iter()
            .find(|reason| applies.contains(reason))
            .unwrap_or(Reason::DomainActive);
        let dns_only = status.evidence == EvidenceSource::Dns;
        match reason {
            Reason::DomainStatusUnavailable => self.decide_unknown(reason),
            Reason::DomainActive if dns_only && self.dns_only == DnsOnlyPolicy::Unknown => {
                self.decide_unknown(Reason::DomainNotCovered)
            }
            _ => Verdict {
                eligible: reason == Reason::DomainActive,
                reason,
            },
        }
    }

    /// Decides when no status can be had for a reason of coverage (`domain_not_covered`,
    /// `domain_under_shared_suffix`, or a registry answer whose dates cannot be read).
    pub fn decide_unknown(&self, reason: Reason) -> Verdict {
        Verdict {
            eligible: self.unknown == UnknownPolicy::Allow,
            reason,
        }
    }

    /// Decides when no evidence came in time and none usable is held
    /// (`domain_status_unavailable`): the pace, a timeout, an error answer, an open
    /// breaker. An attacker can cause these at will, so they have their own policy.
    pub fn decide_unseen(&self) -> Verdict {
        Verdict {
            eligible: self.unseen == UnknownPolicy::Allow,
            reason: Reason::DomainStatusUnavailable,
        }
    }

    /// Every rule of the reason table that holds for this status.
    pub fn applicable(
        &self,
        status: &DomainStatus,
        verified_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Vec<Reason> {
        let mut reasons = Vec::with_capacity(4);
        if let Some(reason) = lifecycle_reason(status.lifecycle) {
            reasons.push(reason);
        }
        if let Some(registered) = status.registered_at {
            let after_verification = verified_at.is_some_and(|v| registered > v);
            let after_first_seen = status
                .first_registered_at
                .is_some_and(|first| registered_anew(first, registered, status.last_lapse_at));
            if after_verification || after_first_seen {
                reasons.push(Reason::DomainReregistered);
            }
            if verified_at.is_none() && now.signed_duration_since(registered) < self.min_domain_age
            {
                reasons.push(Reason::DomainRecentlyRegistered);
            }
        }
        if let Some(lapse) = status.last_lapse_at {
            let since = verified_at.unwrap_or(now - self.lapse_memory);
            if lapse > since {
                reasons.push(Reason::DomainLapsedSinceVerification);
            }
        }
        reasons.extend(
            self.signals_heard(status, verified_at, now)
                .filter(|s| self.signals.action(s.signal) == SignalAction::Deny)
                .map(|s| signal_reason(s.signal)),
        );
        reasons
    }

    /// The signals of `status` a check with `verified_at` hears of (the answer's
    /// `signals`): not ignored by the policy, not forgiven by `verified_at`.
    pub fn signals_heard<'a>(
        &'a self,
        status: &'a DomainStatus,
        verified_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> impl Iterator<Item = &'a SignalState> + 'a {
        ownership::applying(status, &self.signals, verified_at, now, self.lapse_memory)
    }
}

fn lifecycle_reason(lifecycle: Lifecycle) -> Option<Reason> {
    match lifecycle {
        Lifecycle::Active => None,
        Lifecycle::AutoRenewGrace => Some(Reason::DomainInGracePeriod),
        Lifecycle::Redemption => Some(Reason::DomainInRedemptionPeriod),
        Lifecycle::PendingDelete => Some(Reason::DomainPendingDelete),
        Lifecycle::OnHold => Some(Reason::DomainOnHold),
        Lifecycle::Inactive => Some(Reason::DomainInactive),
        Lifecycle::Expired => Some(Reason::DomainExpired),
        Lifecycle::Unregistered => Some(Reason::DomainUnregistered),
        Lifecycle::Unknown => Some(Reason::DomainStatusUnavailable),
    }
}

#[cfg(test)]
mod reason_tests {
    use super::*;

    #[test]
    fn each_reason_names_itself_as_serde_does() {
        for reason in PRECEDENCE.into_iter().chain([
            Reason::DomainNotCovered,
            Reason::OverrideAllow,
            Reason::OverrideDeny,
        ]) {
            let serialised = serde_json::to_value(reason).expect("serialises");
            assert_eq!(serialised, reason.as_str());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::name::RegistrableDomain;
    use chrono::TimeZone;

    fn day(n: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .expect("valid date")
            + Duration::days(n)
    }

    fn policy() -> Policy {
        Policy {
            min_domain_age: Duration::days(30),
            lapse_memory: Duration::days(365),
            unknown: UnknownPolicy::Allow,
            unseen: UnknownPolicy::Deny,
            dns_only: DnsOnlyPolicy::Trust,
            signals: SignalPolicy::default(),
        }
    }

    fn status(lifecycle: Lifecycle) -> DomainStatus {
        DomainStatus {
            domain: RegistrableDomain::parse("example.com").expect("valid"),
            lifecycle,
            statuses: vec![],
            registered_at: Some(day(0)),
            first_registered_at: Some(day(0)),
            expires_at: Some(day(900)),
            last_changed_at: None,
            transferred_at: None,
            last_lapse_at: None,
            checked_at: day(500),
            evidence: EvidenceSource::Rdap,
            handle: None,
            registrar_id: None,
            nameservers: vec![],
            dns_nameservers: vec![],
            signals: vec![],
        }
    }

    #[test]
    fn an_old_active_domain_is_eligible() {
        let verdict = policy().decide(&status(Lifecycle::Active), None, day(500));
        assert_eq!(
            verdict,
            Verdict {
                eligible: true,
                reason: Reason::DomainActive
            }
        );
    }

    #[test]
    fn the_precedence_table_lists_every_status_reason_once() {
        let mut seen = std::collections::HashSet::new();
        assert!(PRECEDENCE.iter().all(|reason| seen.insert(*reason)));
        assert!(!PRECEDENCE.contains(&Reason::DomainNotCovered));
        assert_eq!(PRECEDENCE.last(), Some(&Reason::DomainActive));
    }

    #[test]
    fn reregistration_outranks_every_lifecycle_reason() {
        let mut redeemed = status(Lifecycle::Redemption);
        redeemed.registered_at = Some(day(400));
        redeemed.last_lapse_at = Some(day(499));
        let reasons = policy().applicable(&redeemed, Some(day(100)), day(500));
        assert!(reasons.contains(&Reason::DomainInRedemptionPeriod));
        assert!(reasons.contains(&Reason::DomainLapsedSinceVerification));
        let verdict = policy().decide(&redeemed, Some(day(100)), day(500));
        assert_eq!(verdict.reason, Reason::DomainReregistered);
    }

    #[test]
    fn a_lifecycle_reason_outranks_a_lapse_and_a_young_registration() {
        let mut grace = status(Lifecycle::AutoRenewGrace);
        grace.registered_at = Some(day(490));
        grace.first_registered_at = Some(day(490));
        grace.last_lapse_at = Some(day(500));
        let reasons = policy().applicable(&grace, None, day(500));
        assert!(reasons.contains(&Reason::DomainRecentlyRegistered));
        assert!(reasons.contains(&Reason::DomainLapsedSinceVerification));
        assert_eq!(
            policy().decide(&grace, None, day(500)).reason,
            Reason::DomainInGracePeriod
        );
    }

    #[test]
    fn a_lapse_outranks_a_young_registration() {
        let mut young = status(Lifecycle::Active);
        young.registered_at = Some(day(490));
        young.first_registered_at = Some(day(490));
        young.last_lapse_at = Some(day(495));
        assert_eq!(
            policy().decide(&young, None, day(500)).reason,
            Reason::DomainLapsedSinceVerification
        );
    }

    #[test]
    fn a_lapse_before_verification_is_forgiven() {
        let mut healed = status(Lifecycle::Active);
        healed.last_lapse_at = Some(day(300));
        let verdict = policy().decide(&healed, Some(day(301)), day(500));
        assert_eq!(verdict.reason, Reason::DomainActive);
        let verdict = policy().decide(&healed, Some(day(299)), day(500));
        assert_eq!(verdict.reason, Reason::DomainLapsedSinceVerification);
        // Without verified_at the lapse memory decides.
        let verdict = policy().decide(&healed, None, day(300 + 364));
        assert_eq!(verdict.reason, Reason::DomainLapsedSinceVerification);
        let verdict = policy().decide(&healed, None, day(300 + 366));
        assert_eq!(verdict.reason, Reason::DomainActive);
    }

    #[test]
    fn an_unknown_lifecycle_follows_the_unknown_policy_and_never_reads_as_active() {
        let unknown = status(Lifecycle::Unknown);
        let allow = policy().decide(&unknown, None, day(500));
        assert_eq!(allow.reason, Reason::DomainStatusUnavailable);
        assert!(allow.eligible);
        let deny = Policy {
            unknown: UnknownPolicy::Deny,
            ..policy()
        };
        assert!(!deny.decide(&unknown, None, day(500)).eligible);
        // A lapse since verification still denies under the allow policy.
        let mut lapsed = unknown;
        lapsed.last_lapse_at = Some(day(400));
        let verdict = policy().decide(&lapsed, Some(day(300)), day(500));
        assert_eq!(verdict.reason, Reason::DomainLapsedSinceVerification);
        assert!(!verdict.eligible);
    }

    #[test]
    fn the_unknown_policy_decides_the_no_status_reasons() {
        let deny = Policy {
            unknown: UnknownPolicy::Deny,
            ..policy()
        };
        assert!(policy().decide_unknown(Reason::DomainNotCovered).eligible);
        assert!(
            !deny
                .decide_unknown(Reason::DomainStatusUnavailable)
                .eligible
        );
    }

    #[test]
    fn one_registration_written_by_two_servers_is_not_a_reregistration() {
        let mut status = status(Lifecycle::Active);
        let first = status.first_registered_at.expect("set");
        status.registered_at = Some(first + Duration::hours(3));
        let verdict = policy().decide(&status, Some(day(300)), day(500));
        assert_eq!(verdict.reason, Reason::DomainActive);
        status.registered_at = Some(first + Duration::hours(24));
        let verdict = policy().decide(&status, Some(day(300)), day(500));
        assert_eq!(verdict.reason, Reason::DomainReregistered);
        // Within the day, but after a lapse lapseguard saw: a new holder.
        status.registered_at = Some(first + Duration::hours(3));
        status.last_lapse_at = Some(first + Duration::hours(1));
        let verdict = policy().decide(&status, None, day(500));
        assert_eq!(verdict.reason, Reason::DomainReregistered);
    }

    #[test]
    fn the_unseen_policy_decides_alone_when_nothing_came_in_time() {
        assert!(
            !policy().decide_unseen().eligible,
            "deny under allow-unknown"
        );
        let allow = Policy {
            unseen: UnknownPolicy::Allow,
            unknown: UnknownPolicy::Deny,
            ..policy()
        };
        let verdict = allow.decide_unseen();
        assert_eq!(verdict.reason, Reason::DomainStatusUnavailable);
        assert!(verdict.eligible);
    }
}
