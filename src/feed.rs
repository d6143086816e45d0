//! The transitions feed's item: one published change, the same shape in
//! `GET /v1/transitions`, in the console and in each webhook's body.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::lifecycle::Lifecycle;
use crate::domain::signals::{Change, Signal};
use crate::domain::status::EvidenceSource;
pub use crate::domain::transition::TransitionKind;
use crate::store::PublishedTransition;

/// One published change: of a domain's lifecycle or registration date (`kind:
/// lifecycle`), of its ownership signals (`kind: signal`), or an expiration date coming
/// near (`kind: expiry_notice`). Also the body of each webhook, with `type` added.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TransitionItem {
    /// Only grows: resume after the last id you saw.
    pub id: i64,
    /// `lifecycle`, `signal` or `expiry_notice`. A consumer that reads lifecycle changes
    /// only skips the other kinds (their `from` and `to` are both the current lifecycle).
    pub kind: TransitionKind,
    pub domain: String,
    /// The lifecycle before; `unknown` for the first observation of a lapsed domain.
    pub from: Lifecycle,
    pub to: Lifecycle,
    pub registered_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    /// When the lookup that published it was made.
    pub observed_at: DateTime<Utc>,
    /// The source of that lookup: `rdap`, `fastly` or `dns`.
    pub source: EvidenceSource,
    /// `kind: signal`: the signal; null for a lifecycle transition.
    pub signal: Option<Signal>,
    /// `kind: signal`: `appeared` (confirmed by a second look) or `gone`.
    pub change: Option<Change>,
    /// `kind: signal`: the signal's `since`.
    pub since: Option<DateTime<Utc>>,
    /// `kind: expiry_notice`: whole days left until `expires_at` (rounded up).
    pub days_left: Option<u32>,
    /// `kind: expiry_notice`: the threshold crossed, one of
    /// `LAPSEGUARD_EXPIRY_NOTICE_DAYS` (by default 30 or 7).
    pub threshold_days: Option<u32>,
}

/// A webhook's body: the transition, and its `type`: `domain.transition` for a lifecycle
/// transition, `domain.signal` for a signal's, `domain.expiring` for an expiry notice.
#[derive(Debug, Clone, Serialize)]
pub struct WebhookEvent<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(flatten)]
    pub item: &'a TransitionItem,
}

impl<'a> WebhookEvent<'a> {
    pub fn of(item: &'a TransitionItem) -> Self {
        Self {
            kind: match item.kind {
                TransitionKind::Lifecycle => "domain.transition",
                TransitionKind::Signal => "domain.signal",
                TransitionKind::ExpiryNotice => "domain.expiring",
            },
            item,
        }
    }
}

impl From<&PublishedTransition> for TransitionItem {
    fn from(published: &PublishedTransition) -> Self {
        let t = &published.transition;
        Self {
            id: published.id,
            kind: t.kind(),
            days_left: t.notice.map(|n| n.days_left),
            threshold_days: t.notice.map(|n| n.threshold),
            signal: t.signal.map(|s| s.signal),
            change: t.signal.map(|s| s.change),
            since: t.signal.map(|s| s.since),
            domain: t.domain.to_string(),
            from: t.from,
            to: t.to,
            registered_at: t.registered_at,
            expires_at: t.expires_at,
            observed_at: t.observed_at,
            source: t.source,
        }
    }
}
