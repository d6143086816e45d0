//! The HTTP API: one file per resource, collected here into the router and the
//! OpenAPI document.

pub mod check;
pub mod domains;
pub mod health;
pub mod transitions;
pub mod watch;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::AppState;
use crate::error::{ApiError, Problem};

/// Request bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// `POST /v1/watch` takes up to 10,000 entries: up to 4 MiB.
pub const MAX_WATCH_BODY_BYTES: usize = 4 << 20;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "lapseguard",
        description = "Stops account takeover by domain resurrection: answers whether an email \
                       address may be trusted for account recovery, from the registration status \
                       of its registrable domain."
    ),
    components(schemas(Problem)),
    tags(
        (name = "recovery", description = "Recovery decisions"),
        (name = "watch", description = "The watch list, domain status and transitions"),
        (name = "operations", description = "Health and readiness")
    )
)]
struct ApiDoc;

/// Every documented route.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(check::check_recovery_eligible))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(watch::watch))
                .layer(DefaultBodyLimit::max(MAX_WATCH_BODY_BYTES)),
        )
        .routes(routes!(watch::unwatch))
        .routes(routes!(domains::get_domain))
        .routes(routes!(domains::refresh_domain))
        .routes(routes!(transitions::list_transitions))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
}

/// The OpenAPI document, generated from the code.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().split_for_parts().1
}

/// `Json` whose rejections are problem responses (400, 413, 415) instead of plain text,
/// and which takes only a JSON object: serde would also read a struct from an array.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        if !has_json_content_type(request.headers()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes =
            Bytes::from_request(request, state)
                .await
                .map_err(|rejection| match rejection.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
                    _ => ApiError::BadRequest {
                        code: "invalid_body",
                        detail: rejection.body_text(),
                    },
                })?;
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(ApiError::BadRequest {
                code: "invalid_body",
                detail: "the body must be a JSON object".to_owned(),
            });
        }
        let Json(value) = Json::<T>::from_bytes(&bytes)?;
        Ok(Self(value))
    }
}

/// `application/json`, or any `application/*+json`, with or without parameters.
fn has_json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}
