//! Expiry notices (issue 23): a watched, active domain whose registry expiration date
//! comes within one of `LAPSEGUARD_EXPIRY_NOTICE_DAYS` (default 30 and 7 days) gets one
//! published notice per expiration date and threshold, so that a site can ask the
//! domain's users for a second address before recovery is refused.
//!
//! - The notice is for the smallest threshold crossed: a date first seen 5 days away gets
//!   the 7-day notice only, not the 30-day one as well.
//! - A renewal (a later expiration date) publishes nothing and starts the thresholds
//!   afresh for the new date: a notice is sent per (expiration date, threshold).
//! - A domain in a lapse stage gets its lifecycle transitions instead; an expiration date
//!   already past (a registry that renews without updating it yet) gets none.

use chrono::{DateTime, Utc};

use super::lifecycle::Lifecycle;

/// `LAPSEGUARD_EXPIRY_NOTICE_DAYS`: the thresholds, in days, smallest first, each once;
/// empty turns notices off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeSettings {
    days: Vec<u32>,
}

impl Default for NoticeSettings {
    fn default() -> Self {
        Self { days: vec![7, 30] }
    }
}

/// The largest threshold accepted: a year.
const MAX_DAYS: u32 = 365;

impl NoticeSettings {
    /// Reads `30,7` (any order, each 1 to 365); an empty text turns notices off.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut days = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part.parse::<u32>() {
                Ok(n) if (1..=MAX_DAYS).contains(&n) => days.push(n),
                _ => {
                    return Err(format!(
                        "{part:?} is not a number of days from 1 to {MAX_DAYS} (a list such as 30,7)"
                    ));
                }
            }
        }
        days.sort_unstable();
        days.dedup();
        Ok(Self { days })
    }

    /// The thresholds, smallest first.
    pub fn days(&self) -> &[u32] {
        &self.days
    }

    pub fn is_off(&self) -> bool {
        self.days.is_empty()
    }
}

/// The notice last published for a domain: for which expiration date, at which threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentNotice {
    pub expires_at: DateTime<Utc>,
    pub threshold: u32,
}

/// A notice to publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpiryNotice {
    /// Whole days left until the expiration date, rounded up (a date 6 days and an hour
    /// away has 7 days left).
    pub days_left: u32,
    /// The threshold crossed (one of the settings' days).
    pub threshold: u32,
}

/// The notice due at `now` for a domain in `lifecycle` expiring at `expires_at`, given the
/// last notice sent: the smallest threshold the date lies within, unless a notice for the
/// same date at that threshold or a smaller one was sent.
pub fn notice_due(
    lifecycle: Lifecycle,
    expires_at: Option<DateTime<Utc>>,
    sent: Option<SentNotice>,
    now: DateTime<Utc>,
    settings: &NoticeSettings,
) -> Option<ExpiryNotice> {
    let expires_at = expires_at.filter(|e| *e > now && lifecycle == Lifecycle::Active)?;
    let left = expires_at - now;
    let threshold = settings
        .days
        .iter()
        .copied()
        .find(|days| left <= chrono::TimeDelta::days(i64::from(*days)))?;
    if sent.is_some_and(|s| s.expires_at == expires_at && s.threshold <= threshold) {
        return None;
    }
    let day = chrono::TimeDelta::days(1).num_seconds();
    let days_left = (left.num_seconds() + day - 1) / day;
    Some(ExpiryNotice {
        days_left: u32::try_from(days_left).unwrap_or(u32::MAX),
        threshold,
    })
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, TimeZone};

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 6, 12, 0, 0).unwrap()
    }

    fn due(in_days: f64, sent: Option<SentNotice>) -> Option<ExpiryNotice> {
        let expires = now() + TimeDelta::seconds((in_days * 86_400.0) as i64);
        notice_due(
            Lifecycle::Active,
            Some(expires),
            sent,
            now(),
            &NoticeSettings::default(),
        )
    }

    #[test]
    fn the_smallest_threshold_crossed_is_noticed_once_per_date() {
        assert_eq!(due(31.0, None), None);
        let thirty = due(29.5, None).expect("within 30 days");
        assert_eq!((thirty.threshold, thirty.days_left), (30, 30));
        let expires = now() + TimeDelta::days(20);
        let sent_30 = SentNotice {
            expires_at: expires,
            threshold: 30,
        };
        assert_eq!(due(20.0, Some(sent_30)), None, "sent for this date");
        assert_eq!(due(6.0, Some(sent_30)), due(6.0, None), "another date");
        // First seen 5 days away: the 7-day notice only.
        let seven = due(5.0, None).expect("within 7 days");
        assert_eq!((seven.threshold, seven.days_left), (7, 5));
        let expires = now() + TimeDelta::days(5);
        let sent_7 = SentNotice {
            expires_at: expires,
            threshold: 7,
        };
        assert_eq!(due(5.0, Some(sent_7)), None);
    }

    #[test]
    fn a_lapse_a_past_date_or_no_date_is_not_noticed() {
        let soon = Some(now() + TimeDelta::days(3));
        let settings = NoticeSettings::default();
        for lifecycle in [Lifecycle::AutoRenewGrace, Lifecycle::Redemption] {
            assert_eq!(notice_due(lifecycle, soon, None, now(), &settings), None);
        }
        let past = Some(now() - TimeDelta::days(1));
        assert_eq!(
            notice_due(Lifecycle::Active, past, None, now(), &settings),
            None
        );
        assert_eq!(
            notice_due(Lifecycle::Active, None, None, now(), &settings),
            None
        );
        let off = NoticeSettings::parse("").expect("empty is off");
        assert!(off.is_off());
        assert_eq!(notice_due(Lifecycle::Active, soon, None, now(), &off), None);
    }

    #[test]
    fn the_setting_reads_a_list_of_days() {
        assert_eq!(
            NoticeSettings::parse("30,7").expect("valid").days(),
            [7, 30]
        );
        assert_eq!(
            NoticeSettings::parse(" 7, 30 ,7").expect("valid").days(),
            [7, 30]
        );
        for bad in ["0", "thirty", "7,400", "-1"] {
            assert!(NoticeSettings::parse(bad).is_err(), "{bad}");
        }
    }
}
