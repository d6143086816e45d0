//! The HTTP API: one file per resource, collected here into the router and the
//! OpenAPI document.

pub mod audit;
pub mod auth;
pub mod check;
pub mod domains;
pub mod health;
pub mod holds;
pub mod metrics;
pub mod openapi;
pub mod overrides;
pub mod paging;
pub mod stats;
pub mod timestamps;
pub mod transitions;
pub mod watch;

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
/// `POST /v1/check-batch` takes up to 1,000 items: up to 1 MiB.
pub const MAX_BATCH_BODY_BYTES: usize = 1 << 20;
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
        (name = "overrides", description = "Agents' overrides and the audit log"),
        (name = "holds", description = "The mass-change guard: lapses held until an admin acts"),
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
                .routes(routes!(check::check_batch))
                .layer(DefaultBodyLimit::max(MAX_BATCH_BODY_BYTES)),
        )
        .merge(
            OpenApiRouter::new()
                .routes(routes!(watch::watch))
                .layer(DefaultBodyLimit::max(MAX_WATCH_BODY_BYTES)),
        )
        .routes(routes!(watch::unwatch))
        .routes(routes!(domains::list_domains))
        .routes(routes!(domains::get_domain))
        .routes(routes!(domains::refresh_domain))
        .routes(routes!(transitions::list_transitions))
        .routes(routes!(overrides::set_override, overrides::remove_override))
        .routes(routes!(overrides::list_overrides))
        .routes(routes!(audit::list_audit))
        .routes(routes!(stats::get_stats))
        .routes(routes!(holds::list_holds))
        .routes(routes!(holds::release_hold))
        .routes(routes!(holds::discard_hold))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
}

/// The OpenAPI document: generated from the code, then finished for generated clients
/// (see `http/openapi.rs`).
pub fn openapi() -> serde_json::Value {
    let generated = serde_json::to_value(routes().split_for_parts().1)
        .expect("utoipa's document serialises to JSON");
    openapi::finish(generated)
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
        decode(&bytes).map(Self)
    }
}

/// Parses a JSON body into `T`. The problem `detail` is written here from the error's
/// position, the field's path and the type the schema expects, never from serde's message:
/// that message quotes the offending input, which may be an email address.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // A well-formed body is read in one pass; the two passes below only name what is wrong.
    let error = match serde_json::from_slice(bytes) {
        Ok(parsed) => return Ok(parsed),
        Err(error) => error,
    };
    // A repeated key is refused: with the last one taken, `"verified_at": "2020…",
    // "verified_at": null` would drop the date a caller's code meant to send. The field's
    // name is the schema's (serde's derive names only fields it knows).
    if let Some(field) = error
        .to_string()
        .strip_prefix("duplicate field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(field, _)| field.to_owned())
        .filter(|field| {
            field
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
    {
        return Err(ApiError::BadRequest {
            code: "duplicate_key",
            detail: format!("field `{field}` appears more than once"),
        });
    }
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|error| ApiError::BadRequest {
            code: "invalid_json",
            detail: format!(
                "the body is not valid JSON (line {}, column {})",
                error.line(),
                error.column()
            ),
        })?;
    serde_path_to_error::deserialize(value).map_err(|error| {
        let field = field_path(error.path());
        let detail = describe_field_error(&field, &error.inner().to_string());
        ApiError::BadRequest {
            code: "invalid_field",
            detail,
        }
    })
}

/// The path of the field at fault, from the schema's own names: a segment that is not a
/// plain identifier (a map key a client chose) is shown as `?`.
fn field_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let segments: Vec<String> = path
        .iter()
        .map(|segment| match segment {
            Segment::Seq { index } => index.to_string(),
            Segment::Map { key } | Segment::Enum { variant: key }
                if key.len() <= 64
                    && key
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') =>
            {
                key.clone()
            }
            _ => "?".to_owned(),
        })
        .collect();
    segments.join(".")
}

/// "field `emails`: expected a sequence": serde's text after `expected` comes from the
/// type's description, not from the input, and `missing field` names a schema field.
fn describe_field_error(field: &str, message: &str) -> String {
    if let Some(name) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
        .filter(|name| name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
    {
        return format!("field `{name}` is required");
    }
    let field = if field.is_empty() || field == "." {
        "the body".to_owned()
    } else {
        format!("field `{field}`")
    };
    match message.rsplit_once(", expected ") {
        Some((_, expected)) if !expected.contains('"') && !expected.contains('@') => {
            format!("{field} has the wrong type or value: expected {expected}")
        }
        _ => format!("{field} has the wrong type or value"),
    }
}

/// `application/json`, or any `application/*+json`, with or without parameters.
fn has_json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim();
    // Compared without regard to case, and without allocating (the check's hot path).
    let starts = |prefix: &str| {
        essence
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    let ends = |suffix: &str| {
        essence
            .len()
            .checked_sub(suffix.len())
            .and_then(|at| essence.get(at..))
            .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix))
    };
    essence.eq_ignore_ascii_case("application/json") || (starts("application/") && ends("+json"))
}
