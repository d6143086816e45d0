//! `GET /v1/stats`: the counts a dashboard shows, at most five seconds old.

use axum::Json;
use axum::extract::State;

use crate::app::AppState;
use crate::error::ApiError;
use crate::usecases::stats;
pub use crate::usecases::stats::StatsResponse;

/// Counts for a dashboard: watched domains by lifecycle, the schedule's backlog,
/// failing lookups and webhook delivery.
#[utoipa::path(
    get,
    path = "/v1/stats",
    operation_id = "get_stats",
    tag = "watch",
    responses(
        (status = 200, description = "The counts", body = StatsResponse),
    )
)]
pub async fn get_stats(State(app): State<AppState>) -> Result<Json<StatsResponse>, ApiError> {
    stats::stats(&app).await.map(Json)
}
