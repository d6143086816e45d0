//! `GET /v1/transitions`: the transitions log, paged by id, for registries that poll.

use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::error::{ApiError, Problem};
use crate::refresh::webhook::TransitionItem;

const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 1000;

/// Where to resume and how many to return.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TransitionsQuery {
    /// Return transitions with an id above this (default 0: from the start).
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// At most this many (default 100, at most 1000).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

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
    params(TransitionsQuery),
    responses(
        (status = 200, description = "A page of transitions", body = TransitionsPage),
        (status = 400, description = "Bad query parameters", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_transitions(
    State(app): State<AppState>,
    query: Result<Query<TransitionsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<TransitionsPage>, ApiError> {
    // The rejection's own text may quote the query: the detail is ours.
    let Query(query) = query.map_err(|_| ApiError::BadRequest {
        code: "invalid_query",
        detail: format!("after and limit must be whole numbers (limit at most {MAX_LIMIT})"),
    })?;
    let after = query.after.unwrap_or(0);
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT || after < 0 {
        return Err(ApiError::BadRequest {
            code: "invalid_query",
            detail: format!("after must be 0 or more, limit between 1 and {MAX_LIMIT}"),
        });
    }
    let page = app.store.transitions(after, limit).await?;
    let transitions: Vec<TransitionItem> = page.iter().map(TransitionItem::from).collect();
    let next_after = transitions.last().map_or(after, |t| t.id);
    Ok(Json(TransitionsPage {
        transitions,
        next_after,
    }))
}
