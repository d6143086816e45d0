//! Overrides: `PUT /v1/overrides/{domain}`, `DELETE /v1/overrides/{domain}`,
//! `GET /v1/overrides`. When one applies is `domain/overrides.rs`.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;

use super::ApiJson;
use super::domains::name_like;
use super::paging::{self, MAX_LIMIT};
use crate::access::Actor;
use crate::app::AppState;
use crate::error::{ApiError, Problem};
use crate::usecases::overrides;
pub use crate::usecases::overrides::{
    MAX_NOTE_CHARS, OverrideRequest, OverrideView, OverridesPage,
};

/// Where to resume and how many to return.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OverridesQuery {
    /// Return overrides of domains after this name: the `next_after` of the previous page.
    #[param(max_length = 253, pattern = "^[A-Za-z0-9.-]*$")]
    pub after: Option<String>,
    /// At most this many (default 100, at most 1000).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// Set (or replace) a domain's override.
///
/// A `deny` wins over every computed decision. An `allow` pins what the domain shows
/// now: it applies while the registration date stays the same and no new lapse begins;
/// then the computed decision returns and the override shows as `lapsed`. Checks it
/// decides answer `override_allow` or `override_deny`; the note is never shown to them.
#[utoipa::path(
    put,
    path = "/v1/overrides/{domain}",
    operation_id = "set_override",
    tag = "overrides",
    params(("domain" = String, Path, description = "The domain (reduced to its registrable domain)", min_length = 3, max_length = 253, pattern = "^[^.]+(\\.[^.]+)+\\.?$")),
    request_body = OverrideRequest,
    responses(
        (status = 200, description = "The override as set", body = OverrideView),
        (status = 400, description = "Not JSON, or a field is missing or malformed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a usable domain, an empty or too long note, a note with an address in it, or a past `expires_at`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn set_override(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(domain): Path<String>,
    ApiJson(request): ApiJson<OverrideRequest>,
) -> Result<Json<OverrideView>, ApiError> {
    overrides::set(&app, &actor, &domain, request)
        .await
        .map(Json)
}

/// Remove a domain's override: the computed decision applies again.
#[utoipa::path(
    delete,
    path = "/v1/overrides/{domain}",
    operation_id = "remove_override",
    tag = "overrides",
    params(("domain" = String, Path, description = "The domain (reduced to its registrable domain)", min_length = 3, max_length = 253, pattern = "^[^.]+(\\.[^.]+)+\\.?$")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "The domain has no override", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a usable domain", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn remove_override(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(domain): Path<String>,
) -> Result<StatusCode, ApiError> {
    overrides::remove(&app, &actor, &domain).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List overrides by domain name, each with whether it decides checks now.
#[utoipa::path(
    get,
    path = "/v1/overrides",
    operation_id = "list_overrides",
    tag = "overrides",
    params(OverridesQuery),
    responses(
        (status = 200, description = "A page of overrides", body = OverridesPage),
        (status = 400, description = "Bad query parameters", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_overrides(
    State(app): State<AppState>,
    query: Result<Query<OverridesQuery>, QueryRejection>,
) -> Result<Json<OverridesPage>, ApiError> {
    let invalid = || ApiError::BadRequest {
        code: "invalid_query",
        detail: format!(
            "limit must be a whole number from 1 to {MAX_LIMIT}; after a domain name \
             (letters, digits, `-` and `.`, at most 253)"
        ),
    };
    let Query(query) = query.map_err(|_| invalid())?;
    let limit = paging::limit(query.limit).ok_or_else(invalid)?;
    if !query.after.as_deref().is_none_or(name_like) {
        return Err(invalid());
    }
    let after = query.after.unwrap_or_default().to_ascii_lowercase();
    overrides::list(&app, &after, limit).await.map(Json)
}
