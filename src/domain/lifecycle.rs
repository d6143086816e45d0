//! Lifecycle classification: from RDAP status values and dates to one lifecycle stage.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a registrable domain stands in the registration lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Lifecycle {
    /// Registered and in good standing.
    Active,
    /// RDAP `auto renew period`: expired, the registrar may still renew or sell it.
    AutoRenewGrace,
    /// RDAP `redemption period` or `pending restore`.
    Redemption,
    /// RDAP `pending delete` without redemption or restore.
    PendingDelete,
    /// RDAP `client hold` or `server hold`: not published in DNS.
    OnHold,
    /// RDAP `inactive`: no nameservers.
    Inactive,
    /// The expiration date is past and no grace status is published.
    Expired,
    /// The registry answered 404: anyone may register it.
    Unregistered,
    /// No status is known.
    Unknown,
}

impl Lifecycle {
    /// The stable string used in the API and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::AutoRenewGrace => "auto_renew_grace",
            Self::Redemption => "redemption",
            Self::PendingDelete => "pending_delete",
            Self::OnHold => "on_hold",
            Self::Inactive => "inactive",
            Self::Expired => "expired",
            Self::Unregistered => "unregistered",
            Self::Unknown => "unknown",
        }
    }

    /// Every stage.
    pub const ALL: [Lifecycle; 9] = [
        Self::Active,
        Self::AutoRenewGrace,
        Self::Redemption,
        Self::PendingDelete,
        Self::OnHold,
        Self::Inactive,
        Self::Expired,
        Self::Unregistered,
        Self::Unknown,
    ];

    /// Reads back what [`Lifecycle::as_str`] wrote.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|lifecycle| lifecycle.as_str() == text)
    }
}

/// Normalises an RDAP status value to the IANA registry's spelling: lower case, words
/// separated by one space. Some servers send EPP names (`redemptionPeriod`,
/// `clientHold`) or underscores.
pub fn normalise_status(raw: &str) -> String {
    let mut words = String::with_capacity(raw.len() + 4);
    let mut previous_lower = false;
    for c in raw.trim().chars() {
        if c == '_' || c == '-' || c.is_whitespace() {
            if !words.ends_with(' ') && !words.is_empty() {
                words.push(' ');
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower {
            words.push(' ');
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        words.extend(c.to_lowercase());
    }
    words.trim_end().to_owned()
}

/// Classifies a registered domain from its normalised statuses and expiry date.
///
/// Order matters: a domain in redemption also carries `pending delete`, and the grace
/// statuses say more than a past expiry date (registries such as Verisign move the
/// expiry date a year ahead on the day it passes, so a past date is rare evidence).
pub fn classify(
    statuses: &[String],
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Lifecycle {
    let has = |wanted: &str| statuses.iter().any(|status| status == wanted);
    if has("redemption period") || has("pending restore") {
        Lifecycle::Redemption
    } else if has("pending delete") {
        Lifecycle::PendingDelete
    } else if has("auto renew period") {
        Lifecycle::AutoRenewGrace
    } else if has("client hold") || has("server hold") {
        Lifecycle::OnHold
    } else if has("inactive") {
        Lifecycle::Inactive
    } else if expires_at.is_some_and(|expiry| expiry < now) {
        Lifecycle::Expired
    } else {
        Lifecycle::Active
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn statuses(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| normalise_status(v)).collect()
    }

    #[test]
    fn epp_camel_case_and_underscores_normalise_to_rdap_spelling() {
        assert_eq!(normalise_status("redemptionPeriod"), "redemption period");
        assert_eq!(normalise_status("clientHold"), "client hold");
        assert_eq!(normalise_status("pending_delete"), "pending delete");
        assert_eq!(normalise_status(" Auto Renew Period "), "auto renew period");
        assert_eq!(
            normalise_status("clientTransferProhibited"),
            "client transfer prohibited"
        );
    }

    #[test]
    fn redemption_wins_over_the_pending_delete_it_comes_with() {
        let now = Utc
            .with_ymd_and_hms(2026, 6, 1, 0, 0, 0)
            .single()
            .expect("valid");
        let lifecycle = classify(
            &statuses(&["redemption period", "pending delete"]),
            None,
            now,
        );
        assert_eq!(lifecycle, Lifecycle::Redemption);
        let lifecycle = classify(&statuses(&["pendingRestore", "pendingDelete"]), None, now);
        assert_eq!(lifecycle, Lifecycle::Redemption);
        assert_eq!(
            classify(&statuses(&["pending delete"]), None, now),
            Lifecycle::PendingDelete
        );
    }

    #[test]
    fn a_past_expiry_counts_only_without_a_grace_status() {
        let now = Utc
            .with_ymd_and_hms(2026, 6, 1, 0, 0, 0)
            .single()
            .expect("valid");
        let past = Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).single();
        assert_eq!(
            classify(&statuses(&["active"]), past, now),
            Lifecycle::Expired
        );
        assert_eq!(
            classify(&statuses(&["autoRenewPeriod"]), past, now),
            Lifecycle::AutoRenewGrace
        );
        assert_eq!(
            classify(&statuses(&["client transfer prohibited"]), None, now),
            Lifecycle::Active
        );
    }

    #[test]
    fn lifecycle_strings_round_trip() {
        for text in ["active", "auto_renew_grace", "on_hold", "unknown"] {
            assert_eq!(Lifecycle::parse(text).map(Lifecycle::as_str), Some(text));
        }
        assert_eq!(Lifecycle::parse("bogus"), None);
    }
}
