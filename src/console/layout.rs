//! The page around every console page, error pages, and the small pieces pages share
//! (dates, lifecycle badges).

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use maud::{DOCTYPE, Markup, html};

use crate::error::ApiError;

/// The stylesheet, compiled in.
pub const STYLESHEET: &str = include_str!("console.css");
pub const STYLESHEET_PATH: &str = "/admin/console.css";

/// Who is signed in, as the page's bar shows it.
pub struct Who<'a> {
    pub name: &'a str,
    pub may_act: bool,
    /// The sign-out form's anti-forgery value.
    pub csrf: &'a str,
}

/// A whole page: the bar with the sections and the sign-out button when signed in.
pub fn page(title: &str, signed: Option<Who<'_>>, body: Markup) -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) " · lapseguard" }
                link rel="stylesheet" href=(STYLESHEET_PATH);
            }
            body {
                header class="top" {
                    a href="/admin" { b { "lapseguard" } }
                    @if let Some(signed) = signed {
                        nav {
                            a href="/admin" { "Overview" }
                            a href="/admin/domains" { "Domains" }
                            a href="/admin/overrides" { "Overrides" }
                            a href="/admin/audit" { "Audit log" }
                        }
                        span class="who" {
                            (signed.name) " · " (if signed.may_act { "admin" } else { "read" })
                        }
                        form method="post" action="/admin/sign-out" {
                            input type="hidden" name="csrf" value=(signed.csrf);
                            button class="quiet" type="submit" { "Sign out" }
                        }
                    }
                }
                main { (body) }
            }
        }
    };
    let mut response = markup.into_response();
    let headers = response.headers_mut();
    // Pages show what the store holds now, and some of it is for agents' eyes only.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// A page that says what went wrong, with its status.
pub fn error_page(status: StatusCode, message: &str) -> Response {
    let body = html! {
        section class="card narrow" {
            h1 { (status.canonical_reason().unwrap_or("Error")) }
            p class="error" role="alert" { (message) }
            p { a href="/admin" { "Back to the overview" } }
        }
    };
    let mut response = page("Error", None, body);
    *response.status_mut() = status;
    response
}

/// An API error (a store error included, as the API maps it) as a console page, with the
/// API's own status and explanation.
pub fn api_error_page(error: ApiError) -> Response {
    let problem = error.problem();
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    error_page(status, &problem.detail)
}

/// `GET /admin/console.css`: the stylesheet, cached for an hour.
pub async fn stylesheet() -> Response {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
        .into_response()
}

/// A date as agents read it: `2026-11-30 14:05 UTC`; `—` when there is none.
pub fn when(time: Option<DateTime<Utc>>) -> String {
    time.map_or_else(
        || "—".to_owned(),
        |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

/// A lifecycle (or a decision) as a coloured badge.
pub fn badge(class: &str, text: &str) -> Markup {
    html! { span class={"badge " (class)} { (text) } }
}
