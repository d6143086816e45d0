//! Paging for the list routes: the limits every list shares, and the cursor of the
//! id-ordered logs (`/v1/transitions`, `/v1/audit`).

use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiError;

/// Items per page when the client does not say.
pub const DEFAULT_LIMIT: u32 = 100;
/// The most items a page holds.
pub const MAX_LIMIT: u32 = 1000;

/// The page size a client asked for (or the default), when it lies between 1 and
/// [`MAX_LIMIT`].
pub fn limit(asked: Option<u32>) -> Option<u32> {
    let limit = asked.unwrap_or(DEFAULT_LIMIT);
    (1..=MAX_LIMIT).contains(&limit).then_some(limit)
}

/// Where to resume an id-ordered log and how many entries to return.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogCursor {
    /// Return entries with an id above this (default 0: from the start).
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// At most this many (default 100, at most 1000).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

impl LogCursor {
    /// `after` and the page size, or a 400 `invalid_query`. The rejection's own text may
    /// quote the query: the detail is ours.
    pub fn read(query: Result<Query<Self>, QueryRejection>) -> Result<(i64, u32), ApiError> {
        let invalid = |detail: String| ApiError::BadRequest {
            code: "invalid_query",
            detail,
        };
        let Query(cursor) = query.map_err(|_| {
            invalid(format!(
                "after and limit must be whole numbers (limit at most {MAX_LIMIT})"
            ))
        })?;
        let after = cursor.after.unwrap_or(0);
        match limit(cursor.limit) {
            Some(limit) if after >= 0 => Ok((after, limit)),
            _ => Err(invalid(format!(
                "after must be 0 or more, limit between 1 and {MAX_LIMIT}"
            ))),
        }
    }
}
