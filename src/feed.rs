//! The transitions feed's item: one published change, the same shape in
//! `GET /v1/transitions`, in the console and in each webhook's body.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::lifecycle::Lifecycle;
use crate::domain::status::EvidenceSource;
use crate::store::PublishedTransition;

/// One published change of a domain's lifecycle or registration date. Also the body of
/// each webhook.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TransitionItem {
    /// Only grows: resume after the last id you saw.
    pub id: i64,
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
}

impl From<&PublishedTransition> for TransitionItem {
    fn from(published: &PublishedTransition) -> Self {
        let t = &published.transition;
        Self {
            id: published.id,
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
