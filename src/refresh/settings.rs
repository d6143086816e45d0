//! The settings follower: every replica reads the store's revision counters every
//! `POLL` and reloads its tokens or overrides when theirs moved, so that a token created
//! or revoked by the CLI, or an override set on another replica, takes effect here within
//! about two seconds, without a store read per request.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::access::TokenRing;
use crate::overrides::OverrideBook;
use crate::store::Store;
use crate::store::admin::Revisions;

pub const POLL: Duration = Duration::from_secs(2);

/// Follows the revision counters until cancelled. The first poll reloads both: what
/// the app loaded at start may predate the counters it would compare.
pub async fn follow_settings(
    store: Arc<dyn Store>,
    tokens: Arc<TokenRing>,
    overrides: Arc<OverrideBook>,
    cancel: CancellationToken,
) {
    let mut seen: Option<Revisions> = None;
    while !cancel.is_cancelled() {
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(POLL) => {}
        }
        let now = match store.revisions().await {
            Ok(now) => now,
            Err(error) => {
                tracing::warn!(error = %error, "cannot read the settings' revisions");
                continue;
            }
        };
        let mut loaded = now;
        if seen.is_none_or(|seen| seen.tokens != now.tokens)
            && let Err(error) = tokens.reload(store.as_ref()).await
        {
            tracing::warn!(error = %error, "cannot reload the API tokens");
            loaded.tokens = seen.map_or(-1, |s| s.tokens);
        }
        if seen.is_none_or(|seen| seen.overrides != now.overrides)
            && let Err(error) = overrides.reload(store.as_ref()).await
        {
            tracing::warn!(error = %error, "cannot reload the overrides");
            loaded.overrides = seen.map_or(-1, |s| s.overrides);
        }
        seen = Some(loaded);
    }
}
