//! `GET /v1/transitions`: the transitions log, paged by id, for registries that poll.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::Serialize;
use utoipa::ToSchema;

use super::paging::LogCursor;
use crate::app::AppState;
use crate::error::{ApiError, Problem};
use crate::refresh::webhook::TransitionItem;

/// A page of the transitions log.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransitionsPage {
    pub transitions: Vec<TransitionItem>,
    /// Pass as `after` for the next page: the last id here, or the `after` you sent.
    pub next_after: i64,
}

/// Page through published transitions in id order, without gaps or duplicates.
#[utoipa::path(
    get,
    path = "/v1/transitions",
    tag = "watch",
    params(LogCursor),
    responses(
        (status = 200, description = "A page of transitions", body = TransitionsPage),
        (status = 400, description = "Bad query parameters", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_transitions(
    State(app): State<AppState>,
    query: Result<Query<LogCursor>, QueryRejection>,
) -> Result<Json<TransitionsPage>, ApiError> {
    let (after, limit) = LogCursor::read(query)?;
    let page = app.store.transitions(after, limit).await?;
    let transitions: Vec<TransitionItem> = page.iter().map(TransitionItem::from).collect();
    let next_after = transitions.last().map_or(after, |t| t.id);
    Ok(Json(TransitionsPage {
        transitions,
        next_after,
    }))
}
