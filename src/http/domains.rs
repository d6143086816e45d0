//! Domains for admin dashboards: the watch list (`GET /v1/domains`), one domain
//! (`GET /v1/domains/{domain}`) and "check now" (`POST /v1/domains/{domain}/refresh`).

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;

use super::paging;
use crate::access::Actor;
use crate::app::AppState;
use crate::domain::lifecycle::Lifecycle;
use crate::domain::signals::Signal;
use crate::error::{ApiError, Problem};
use crate::usecases::domains;
pub use crate::usecases::domains::{
    DomainSummary, DomainView, DomainsPage, ObservationItem, name_like,
};

/// Which watched domains to list, and where to resume.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DomainsQuery {
    /// Only domains in this lifecycle stage (`unknown` includes domains never looked up).
    pub lifecycle: Option<Lifecycle>,
    /// Only domains with this ownership signal now (`for_sale`, `transferred_since_verified`,
    /// ...).
    pub signal: Option<Signal>,
    /// Only domains whose registry expiration date lies before this RFC 3339 date-time
    /// (`2027-01-01T00:00:00Z`): the names to ask their users about before they lapse.
    #[param(value_type = Option<String>, format = DateTime)]
    pub expiring_before: Option<String>,
    /// Only domains whose name starts with this (letters, digits, `-` and `.`; IDNs in
    /// their `xn--` form).
    #[param(max_length = 253, pattern = "^[A-Za-z0-9.-]*$")]
    pub q: Option<String>,
    /// Return domains after this name: the `next_after` of the previous page.
    #[param(max_length = 253, pattern = "^[A-Za-z0-9.-]*$")]
    pub after: Option<String>,
    /// At most this many (default 100, at most 1000).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// List watched domains with their status, by name, filtered by lifecycle, signal,
/// expiration date and prefix.
///
/// Pages are keyset-paginated: follow `next_after` until it is null. A domain added or
/// removed while paging appears or not, but no other domain is skipped or repeated.
#[utoipa::path(
    get,
    path = "/v1/domains",
    tag = "watch",
    params(DomainsQuery),
    responses(
        (status = 200, description = "A page of watched domains", body = DomainsPage),
        (status = 400, description = "Bad query parameters", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_domains(
    State(app): State<AppState>,
    query: Result<Query<DomainsQuery>, QueryRejection>,
) -> Result<Json<DomainsPage>, ApiError> {
    let invalid = |detail: &str| ApiError::BadRequest {
        code: "invalid_query",
        detail: detail.to_owned(),
    };
    // The rejection's own text may quote the query: the detail is ours.
    let Query(query) = query.map_err(|_| {
        invalid(
            "lifecycle must be a lifecycle stage, signal a signal's name, limit a whole number \
             from 1 to 1000",
        )
    })?;
    let limit =
        paging::limit(query.limit).ok_or_else(|| invalid("limit must be between 1 and 1000"))?;
    let filter = domains::filter(
        query.lifecycle,
        query.signal,
        query.expiring_before.as_deref(),
        query.q.as_deref(),
        query.after.as_deref(),
        limit,
    )?;
    domains::list(&app, &filter).await.map(Json)
}

/// Show a domain's status, schedule and latest lookups.
#[utoipa::path(
    get,
    path = "/v1/domains/{domain}",
    tag = "watch",
    params(("domain" = String, Path, description = "The domain (reduced to its registrable domain)", min_length = 3, max_length = 253, pattern = "^[^.]+(\\.[^.]+)+\\.?$")),
    responses(
        (status = 200, description = "What lapseguard knows", body = DomainView),
        (status = 404, description = "Neither watched nor ever looked up", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a usable domain", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_domain(
    State(app): State<AppState>,
    Path(domain): Path<String>,
) -> Result<Json<DomainView>, ApiError> {
    domains::view(&app, &domain).await.map(Json)
}

/// Check a domain again as soon as its RDAP host's rate limit allows ("check now").
/// Watches it if it was not.
#[utoipa::path(
    post,
    path = "/v1/domains/{domain}/refresh",
    tag = "watch",
    params(("domain" = String, Path, description = "The domain (reduced to its registrable domain)", min_length = 3, max_length = 253, pattern = "^[^.]+(\\.[^.]+)+\\.?$")),
    responses(
        (status = 202, description = "Scheduled"),
        (status = 422, description = "Not a usable domain", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn refresh_domain(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(domain): Path<String>,
) -> Result<StatusCode, ApiError> {
    domains::refresh(&app, &actor, &domain).await?;
    Ok(StatusCode::ACCEPTED)
}
