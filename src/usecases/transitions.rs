//! The transitions log: its pages, a domain's newest, and the count per day.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::App;
use crate::domain::name::RegistrableDomain;
use crate::error::ApiError;
use crate::feed::TransitionItem;

/// A page of the transitions log.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransitionsPage {
    pub transitions: Vec<TransitionItem>,
    /// Pass as `after` for the next page: the last id here, or the `after` you sent.
    pub next_after: i64,
}

/// Up to `limit` published transitions after id `after`, in id order.
pub async fn page(app: &App, after: i64, limit: u32) -> Result<TransitionsPage, ApiError> {
    let page = app.store.transitions(after, limit).await?;
    let transitions: Vec<TransitionItem> = page.iter().map(TransitionItem::from).collect();
    let next_after = transitions.last().map_or(after, |t| t.id);
    Ok(TransitionsPage {
        transitions,
        next_after,
    })
}

/// The newest `limit` transitions, of one domain or of all, newest first.
pub async fn newest(
    app: &App,
    domain: Option<&RegistrableDomain>,
    limit: u32,
) -> Result<Vec<TransitionItem>, ApiError> {
    let newest = app.store.newest_transitions(domain, limit).await?;
    Ok(newest.iter().map(TransitionItem::from).collect())
}

/// Transitions published per day since `since`: (day number since the epoch, UTC; count).
pub async fn per_day(app: &App, since: DateTime<Utc>) -> Result<Vec<(i64, i64)>, ApiError> {
    Ok(app.store.transitions_per_day(since).await?)
}
