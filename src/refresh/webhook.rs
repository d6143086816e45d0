//! Webhook delivery of transitions through the outbox table: at least once, retried with
//! backoff, surviving restarts. Signed per Standard Webhooks: `webhook-id`,
//! `webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>`.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use reqwest::header::CONTENT_TYPE;
use sha2::Sha256;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::clock::Clock;
use crate::feed::{TransitionItem, WebhookEvent};
use crate::secret::Secret;
use crate::store::{Store, StoreError};
use crate::telemetry::metrics;

const FIRST_RETRY: chrono::Duration = chrono::Duration::seconds(5);
const MAX_RETRY: chrono::Duration = chrono::Duration::hours(1);
const ROUND: u32 = 100;
const IDLE_POLL: Duration = Duration::from_secs(1);
const TIMEOUT: Duration = Duration::from_secs(10);

/// Where transitions are POSTed and how they are signed.
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// `LAPSEGUARD_WEBHOOK_URL` (https unless http upstreams are allowed).
    pub url: Url,
    /// `LAPSEGUARD_WEBHOOK_SECRET`, required with the URL.
    pub key: SigningKey,
}

/// The HMAC key webhooks are signed with, parsed from `LAPSEGUARD_WEBHOOK_SECRET` when the
/// configuration is loaded: a [`Secret`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningKey(Secret<Vec<u8>>);

impl SigningKey {
    /// Standard Webhooks' `whsec_<base64>` form, or the raw bytes of any other non-empty
    /// string.
    pub fn parse(secret: &str) -> Result<Self, String> {
        signing_key(secret).map(|key| Self(Secret::new(key)))
    }
}

fn signing_key(secret: &str) -> Result<Vec<u8>, String> {
    let key = match secret.strip_prefix("whsec_") {
        Some(encoded) => STANDARD
            .decode(encoded)
            .map_err(|e| format!("the part after whsec_ is not base64: {e}"))?,
        None => secret.as_bytes().to_vec(),
    };
    if key.is_empty() {
        return Err("the secret is empty".to_owned());
    }
    Ok(key)
}

/// `v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`.
pub fn sign(key: &[u8], id: &str, timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// The backoff after `attempts` failed attempts: 5 s doubling to at most an hour.
fn retry_delay(attempts: u32) -> chrono::Duration {
    (FIRST_RETRY * 2_i32.pow(attempts.saturating_sub(1).min(12))).min(MAX_RETRY)
}

pub struct WebhookSender {
    http: reqwest::Client,
    url: Url,
    key: SigningKey,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl WebhookSender {
    pub fn new(
        settings: WebhookSettings,
        allow_http: bool,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .https_only(!allow_http)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            http,
            url: settings.url,
            key: settings.key,
            store,
            clock,
        })
    }

    /// Sends what is due, in transition order; stops at the first failure (the receiver is
    /// likely down: the rest wait for the next round). Returns how many were delivered.
    pub async fn deliver_due(&self) -> Result<usize, StoreError> {
        let now = self.clock.now();
        let mut delivered = 0;
        for delivery in self.store.due_deliveries(now, ROUND).await? {
            let id = delivery.transition.id;
            let item = TransitionItem::from(&delivery.transition);
            let body = serde_json::to_string(&WebhookEvent::of(&item)).unwrap_or_default();
            let message_id = format!("transition_{id}");
            let timestamp = now.timestamp();
            let sent = self
                .http
                .post(self.url.clone())
                .header(CONTENT_TYPE, "application/json")
                .header("webhook-id", &message_id)
                .header("webhook-timestamp", timestamp.to_string())
                .header(
                    "webhook-signature",
                    sign(self.key.0.expose(), &message_id, timestamp, &body),
                )
                .body(body)
                .send()
                .await;
            let error = match sent {
                Ok(response) if response.status().is_success() => {
                    self.store.delivery_succeeded(id, now).await?;
                    metrics::webhook_delivered();
                    delivered += 1;
                    continue;
                }
                Ok(response) => {
                    metrics::webhook_failed("http");
                    format!("HTTP {}", response.status().as_u16())
                }
                Err(error) if error.is_timeout() => {
                    metrics::webhook_failed("timeout");
                    "timeout".to_owned()
                }
                Err(_) => {
                    metrics::webhook_failed("unreachable");
                    "unreachable".to_owned()
                }
            };
            let retry_at = now + retry_delay(delivery.attempts + 1);
            tracing::warn!(transition = id, error = %error, attempts = delivery.attempts + 1, "webhook delivery failed");
            self.store.delivery_failed(id, retry_at, &error).await?;
            break;
        }
        Ok(delivered)
    }

    /// Delivers until cancelled.
    pub async fn run(self: Arc<Self>, cancel: CancellationToken) {
        while !cancel.is_cancelled() {
            let delivered = self.deliver_due().await.unwrap_or_else(|error| {
                tracing::error!(error = %error, "webhook outbox unreadable");
                0
            });
            if delivered == 0 {
                tokio::select! {
                    () = cancel.cancelled() => {}
                    () = tokio::time::sleep(IDLE_POLL) => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_matches_the_standard_webhooks_reference() {
        // The example from the Standard Webhooks specification.
        let key = signing_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("valid");
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            sign(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn retries_back_off_from_five_seconds_to_an_hour() {
        assert_eq!(retry_delay(1), chrono::Duration::seconds(5));
        assert_eq!(retry_delay(2), chrono::Duration::seconds(10));
        assert_eq!(retry_delay(30), chrono::Duration::hours(1));
    }

    #[test]
    fn secrets_are_checked() {
        assert!(signing_key("").is_err());
        assert!(signing_key("whsec_***").is_err());
        assert_eq!(signing_key("plain").expect("raw bytes"), b"plain");
    }
}
