//! `GET /v1/audit`: who changed what, paged by id like the transitions log.

use super::paging::LogCursor;
use crate::app::AppState;
use crate::error::{ApiError, Problem};
use crate::usecases::audit;
pub use crate::usecases::audit::{AuditItem, AuditPage};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};

/// Page through the audit log in id order, without gaps or duplicates. Entries are never
/// changed or removed.
#[utoipa::path(
    get,
    path = "/v1/audit",
    operation_id = "list_audit",
    tag = "overrides",
    params(LogCursor),
    responses(
        (status = 200, description = "A page of the audit log", body = AuditPage),
        (status = 400, description = "Bad query parameters", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_audit(
    State(app): State<AppState>,
    query: Result<Query<LogCursor>, QueryRejection>,
) -> Result<Json<AuditPage>, ApiError> {
    let (after, limit) = LogCursor::read(query)?;
    audit::page(&app, after, limit).await.map(Json)
}
