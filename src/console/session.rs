//! Signing in to the console: a token with `read` (view) or `admin` (act) scope is entered
//! once and exchanged for a session cookie (`HttpOnly`, `SameSite=Strict`, `Secure` unless
//! the browser is on this machine, eight hours). The store keeps the session under the
//! SHA-256 of the cookie, with the hash of the token it was opened with: every request asks
//! the token ring whether that token still exists and what it may do, so revoking the
//! token signs its sessions out. Every form carries the session's anti-forgery value.
//!
//! Protected mode applies as for the API: while no token exists, a browser on loopback
//! signs in with an empty token, as `loopback`, and may act.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Form, FromRequestParts, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use chrono::Duration;
use maud::html;
use serde::Deserialize;

use super::layout;
use crate::access::Actor;
use crate::app::AppState;
use crate::domain::access::{Scope, token_hash};
use crate::domain::audit::{AuditAction, AuditEntry, CONSOLE_TARGET, LOOPBACK_ACTOR};
use crate::http::auth::direct_from_loopback;
use crate::store::console::ConsoleSession;

/// The session cookie's name.
pub const COOKIE_NAME: &str = "lapseguard_console";
/// How long a session lasts; then the agent signs in again.
pub const SESSION_HOURS: i64 = 8;
pub const SIGN_IN_PATH: &str = "/admin/sign-in";

/// A signed-in agent, found from the request's cookie.
pub struct Signed {
    pub actor: Actor,
    /// `admin` scope (or protected mode): may check now and set overrides.
    pub may_act: bool,
    /// The value every form of this session carries.
    pub csrf: String,
    id_hash: String,
}

impl Signed {
    /// For the page's bar.
    pub fn who(&self) -> layout::Who<'_> {
        layout::Who {
            name: &self.actor.name,
            may_act: self.may_act,
            csrf: &self.csrf,
        }
    }

    /// Refuses a form whose anti-forgery value is not this session's (403).
    pub fn check_form(&self, sent: &str) -> Result<(), Box<Response>> {
        if same_secret(sent.as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(Box::new(layout::error_page(
                StatusCode::FORBIDDEN,
                "This form did not come from this console session (its anti-forgery value is \
                 missing or wrong). Open the page again and resend it.",
            )))
        }
    }

    /// Lets an action through: this session's form, and a token that may act (else 403).
    pub fn check_action(&self, sent: &str) -> Result<(), Box<Response>> {
        self.check_form(sent)?;
        self.check_may_act()
    }

    /// Refuses an action to a session whose token may only view (403).
    fn check_may_act(&self) -> Result<(), Box<Response>> {
        if self.may_act {
            Ok(())
        } else {
            Err(Box::new(layout::error_page(
                StatusCode::FORBIDDEN,
                "This session's token has the read scope: it may view, not act. Sign in with \
                 an admin token to act.",
            )))
        }
    }
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Response> {
        let to_sign_in = || Redirect::to(SIGN_IN_PATH).into_response();
        let Some(cookie) = session_cookie(&parts.headers) else {
            return Err(to_sign_in());
        };
        let id_hash = token_hash(cookie);
        let session = app
            .store
            .session(&id_hash, app.clock.now())
            .await
            .map_err(|error| layout::api_error_page(error.into()))?
            .ok_or_else(to_sign_in)?;
        let (name, may_act) = if session.token_hash.is_empty() {
            // Protected mode: only while no token exists, only from this machine.
            if !(app.tokens.is_empty() && from_loopback(parts)) {
                return Err(to_sign_in());
            }
            (Arc::from(LOOPBACK_ACTOR), true)
        } else {
            let (name, scopes) = app
                .tokens
                .by_hash(&session.token_hash)
                .ok_or_else(to_sign_in)?;
            if !scopes.allow(Scope::Read) {
                return Err(to_sign_in());
            }
            (name, scopes.allow(Scope::Admin))
        };
        Ok(Self {
            actor: Actor { name },
            may_act,
            csrf: session.csrf,
            id_hash,
        })
    }
}

fn from_loopback(parts: &Parts) -> bool {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip());
    direct_from_loopback(peer, &parts.headers)
}

/// What the sign-in handlers need to know of the browser.
pub struct Browser {
    /// On this machine, talking directly (no proxy).
    loopback: bool,
    /// The form came from another site.
    cross_site: bool,
}

impl<S: Send + Sync> FromRequestParts<S> for Browser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self {
            loopback: from_loopback(parts),
            cross_site: cross_site(&parts.headers),
        })
    }
}

/// The session cookie's value, if the request has one.
fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == COOKIE_NAME && !value.is_empty())
        .map(|(_, value)| value)
}

/// Compares two secrets in time that depends on their length only.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// 256 random bits, base64url.
fn random_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// `GET /admin/sign-in`.
pub async fn sign_in_page(State(app): State<AppState>, browser: Browser) -> Response {
    sign_in_form(StatusCode::OK, None, protected(&app, &browser))
}

/// Protected mode: no token exists and the browser is on this machine.
fn protected(app: &AppState, browser: &Browser) -> bool {
    app.tokens.is_empty() && browser.loopback
}

fn sign_in_form(status: StatusCode, error: Option<&str>, protected: bool) -> Response {
    let body = html! {
        section class="card narrow" {
            h1 { "Sign in" }
            p { "Enter an API token with the " code { "read" } " scope to view, or "
                code { "admin" } " to act. It is kept only for this browser session." }
            @if let Some(error) = error { p class="error" role="alert" { (error) } }
            form method="post" action=(SIGN_IN_PATH) {
                label for="token" { "API token" }
                input id="token" name="token" type="password" autocomplete="off"
                    autofocus required[!protected];
                button type="submit" { "Sign in" }
            }
            @if protected {
                p class="hint" { "No token exists yet and this browser is on this machine: \
                    sign in with an empty token (protected mode)." }
            }
        }
    };
    (status, layout::page("Sign in", None, body)).into_response()
}

/// The sign-in form.
#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    token: String,
}

/// `POST /admin/sign-in`: a known `read` or `admin` token (or, in protected mode, none)
/// opens a session and sets its cookie.
pub async fn sign_in(
    State(app): State<AppState>,
    browser: Browser,
    Form(form): Form<SignInForm>,
) -> Response {
    // A sign-in posted from another site would sign this browser in as somebody else.
    if browser.cross_site {
        return layout::error_page(
            StatusCode::FORBIDDEN,
            "Sign-in forms are accepted from this console only.",
        );
    }
    let token = form.token.trim();
    let protected = protected(&app, &browser);
    let (held, name) = if token.is_empty() && protected {
        (String::new(), Arc::from(LOOPBACK_ACTOR))
    } else {
        let hash = token_hash(token);
        match app.tokens.by_hash(&hash) {
            Some((name, scopes)) if scopes.allow(Scope::Read) => (hash, name),
            Some(_) => {
                return sign_in_form(
                    StatusCode::FORBIDDEN,
                    Some("That token has neither the read nor the admin scope."),
                    protected,
                );
            }
            None => {
                return sign_in_form(
                    StatusCode::UNAUTHORIZED,
                    Some("That token is not known (revoked, or mistyped)."),
                    protected,
                );
            }
        }
    };
    let (Ok(cookie), Ok(csrf)) = (random_secret(), random_secret()) else {
        return layout::error_page(StatusCode::SERVICE_UNAVAILABLE, "No randomness available.");
    };
    let now = app.clock.now();
    let session = ConsoleSession {
        token_hash: held,
        csrf,
        expires_at: now + Duration::hours(SESSION_HOURS),
    };
    let audit = AuditEntry::new(
        now,
        &name,
        AuditAction::ConsoleSignedIn,
        CONSOLE_TARGET,
        serde_json::json!({ "expires_at": session.expires_at }),
    );
    let opened = app
        .store
        .open_session(&token_hash(&cookie), &session, now, &audit)
        .await;
    if let Err(error) = opened {
        return layout::api_error_page(error.into());
    }
    // The token's name, never the token.
    tracing::info!(actor = %name, "console sign-in");
    let secure = if browser.loopback { "" } else { "; Secure" };
    let set_cookie = format!(
        "{COOKIE_NAME}={cookie}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        SESSION_HOURS * 3600
    );
    with_cookie(Redirect::to("/admin").into_response(), &set_cookie)
}

/// A form that carries nothing but the anti-forgery value.
#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

/// `POST /admin/sign-out`: ends the session and clears the cookie.
pub async fn sign_out(
    State(app): State<AppState>,
    signed: Signed,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Err(refused) = signed.check_form(&form.csrf) {
        return *refused;
    }
    let audit = AuditEntry::new(
        app.clock.now(),
        &signed.actor.name,
        AuditAction::ConsoleSignedOut,
        CONSOLE_TARGET,
        serde_json::json!({}),
    );
    if let Err(error) = app.store.close_session(&signed.id_hash, &audit).await {
        tracing::warn!(%error, "cannot close a console session");
    }
    let clear = format!("{COOKIE_NAME}=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0");
    with_cookie(Redirect::to(SIGN_IN_PATH).into_response(), &clear)
}

fn with_cookie(mut response: Response, cookie: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().insert(SET_COOKIE, value);
    }
    response
}

/// A browser says where a form came from: `Sec-Fetch-Site` (all current browsers), else
/// `Origin` against `Host`.
fn cross_site(headers: &HeaderMap) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return !matches!(site, "same-origin" | "none");
    }
    match (header("origin"), header("host")) {
        (Some(origin), Some(host)) => {
            let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
            origin_host != host
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("a=1; lapseguard_console=abc; b=2"),
        );
        assert_eq!(session_cookie(&headers), Some("abc"));
        headers.insert(COOKIE, HeaderValue::from_static("lapseguard_console="));
        assert_eq!(session_cookie(&headers), None);
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"ab"));
        assert!(!same_secret(b"", b"a"));
    }

    #[test]
    fn forms_from_elsewhere_are_told_apart() {
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.insert(*name, HeaderValue::from_static(value));
            }
            map
        };
        assert!(!cross_site(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(cross_site(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(!cross_site(&headers(&[
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080")
        ])));
        assert!(cross_site(&headers(&[
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:8080")
        ])));
        assert!(!cross_site(&headers(&[])));
    }
}
