//! `GET /v1/transitions`: the transitions log, paged by id, for registries that poll.

use super::paging::LogCursor;
use crate::app::AppState;
use crate::error::{ApiError, Problem};
use crate::usecases::transitions;
pub use crate::usecases::transitions::TransitionsPage;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};

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
    transitions::page(&app, after, limit).await.map(Json)
}
