//! `ApiError`: the only type that knows HTTP status codes. Every error leaves as an
//! RFC 9457 `application/problem+json` body with a stable `code`.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::name::NameError;
use crate::store::StoreError;

/// An RFC 9457 problem details object.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:lapseguard:problem:{code}`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// A short human-readable summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// A stable machine-readable code, such as `invalid_json` or `email_missing_at`.
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The body is not JSON, or a field is missing, of the wrong type or format.
    BadRequest {
        code: &'static str,
        detail: String,
    },
    /// The body is well-formed, but the address cannot be checked.
    Unprocessable {
        code: &'static str,
        detail: String,
    },
    /// No token, or one nobody holds: 401 with `WWW-Authenticate: Bearer`.
    Unauthenticated {
        detail: String,
    },
    /// A token without the scope the route needs: 403.
    InsufficientScope {
        scope: &'static str,
    },
    PayloadTooLarge,
    UnsupportedMediaType,
    NotFound,
    /// No route answers the path (the router's fallback): a 404 like [`Self::NotFound`]
    /// that says so.
    NoRoute,
    MethodNotAllowed,
    /// A dependency (the store, the bootstrap) is not there.
    Unavailable {
        code: &'static str,
        detail: String,
    },
    /// Opaque to the client; the cause is logged where it is caught.
    Internal,
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            Self::BadRequest { code, detail } => (StatusCode::BAD_REQUEST, code, detail.clone()),
            Self::Unprocessable { code, detail } => {
                (StatusCode::UNPROCESSABLE_ENTITY, code, detail.clone())
            }
            Self::Unauthenticated { detail } => {
                (StatusCode::UNAUTHORIZED, "unauthenticated", detail.clone())
            }
            Self::InsufficientScope { scope } => (
                StatusCode::FORBIDDEN,
                "insufficient_scope",
                format!("this token lacks the `{scope}` scope this route needs"),
            ),
            Self::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                "the request body is larger than this resource accepts (16 KiB for checks)"
                    .to_owned(),
            ),
            Self::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as Content-Type: application/json".to_owned(),
            ),
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "no such resource".to_owned(),
            ),
            Self::NoRoute => (
                StatusCode::NOT_FOUND,
                "not_found",
                "no route answers this path".to_owned(),
            ),
            Self::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this resource does not answer that method".to_owned(),
            ),
            Self::Unavailable { code, detail } => {
                (StatusCode::SERVICE_UNAVAILABLE, code, detail.clone())
            }
            Self::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "the server failed; the cause is in its log".to_owned(),
            ),
        }
    }

    /// The problem body this error is sent as.
    pub fn problem(&self) -> Problem {
        let (status, code, detail) = self.parts();
        Problem {
            problem_type: format!("urn:lapseguard:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            code: code.to_owned(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = self.problem();
        let status =
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            Json(problem),
        )
            .into_response();
        // RFC 6750: how to authenticate, and which scope was missing.
        let challenge = match &self {
            Self::Unauthenticated { .. } => Some("Bearer".to_owned()),
            Self::InsufficientScope { scope } => Some(format!(
                "Bearer error=\"insufficient_scope\", scope=\"{scope}\""
            )),
            _ => None,
        };
        if let Some(value) = challenge.and_then(|c| header::HeaderValue::from_str(&c).ok()) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        tracing::error!(error = %error, "store error");
        Self::Unavailable {
            code: "store_unavailable",
            detail: "the store did not answer; try again".to_owned(),
        }
    }
}

impl From<NameError> for ApiError {
    fn from(error: NameError) -> Self {
        Self::Unprocessable {
            code: error.code(),
            detail: error.to_string(),
        }
    }
}
