//! Who may call the API: the API tokens held in memory (`TokenRing`), reloaded when the
//! store says they changed (see `refresh/settings.rs`), so that checking a token never
//! waits for the store; protected mode while no token exists; and making new tokens.
//!
//! Which scope a route needs is `http/auth.rs`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

use base64::Engine;
use chrono::{DateTime, Utc};

use crate::domain::access::{Scope, Scopes, TOKEN_PREFIX, TokenRecord, token_hash};
use crate::domain::audit::LOOPBACK_ACTOR;
use crate::store::{AdminStore, StoreError};

/// `last used` is written at most this often per token.
pub const LAST_USED_EVERY_SECONDS: i64 = 60;

/// Who made a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The token's name, or `loopback` in protected mode.
    pub name: Arc<str>,
}

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No token exists yet, and the peer is not on loopback.
    NoTokenYet,
    /// No `Authorization: Bearer` header, or not a well-formed one.
    Missing,
    /// A token nobody created, or one revoked.
    Unknown,
    /// A known token without the scope the route needs.
    Scope(Scope),
}

/// A token the ring knows.
struct Known {
    name: Arc<str>,
    scopes: Scopes,
    /// Unix seconds of the last `last used` write this process made (or read).
    last_written: AtomicI64,
}

/// The tokens as the store held them at one reload.
#[derive(Default)]
struct Table {
    by_hash: HashMap<String, Arc<Known>>,
    /// Tokens whose hash matched since this reload, by the token itself, so that a client's
    /// every request does not pay for a SHA-256. Only a token that matched gets in, so it
    /// holds at most one entry per token; the next reload (a revocation) drops it.
    verified: RwLock<HashMap<Box<str>, Arc<Known>>>,
}

impl Table {
    fn find(&self, token: &str) -> Option<Arc<Known>> {
        let verified = self.verified.read().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = verified.get(token) {
            return Some(Arc::clone(known));
        }
        drop(verified);
        let known = Arc::clone(self.by_hash.get(&token_hash(token))?);
        self.verified
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(token.into(), Arc::clone(&known));
        Some(known)
    }
}

/// The tokens, by hash, as the store held them at the last reload.
#[derive(Default)]
pub struct TokenRing {
    table: RwLock<Arc<Table>>,
    /// Protected mode was announced (once per process).
    warned: AtomicBool,
}

/// What a granted request should write: the token's `last used`, when due.
pub struct Granted {
    pub actor: Actor,
    /// `Some(name)` when this request is the first of the minute for its token.
    pub touch: Option<String>,
}

impl TokenRing {
    /// Reads every token from the store and replaces what is held; returns how many.
    pub async fn reload(&self, store: &dyn AdminStore) -> Result<usize, StoreError> {
        let records = store.tokens().await?;
        let previous = Arc::clone(&self.table.read().unwrap_or_else(|e| e.into_inner()));
        let by_hash: HashMap<String, Arc<Known>> = records
            .into_iter()
            .map(|record| {
                let carried = previous
                    .by_hash
                    .get(&record.hash)
                    .map(|known| known.last_written.load(Ordering::Relaxed));
                let last_written = carried
                    .or(record.last_used_at.map(|t| t.timestamp()))
                    .unwrap_or(i64::MIN);
                let known = Known {
                    name: record.name.into(),
                    scopes: record.scopes,
                    last_written: AtomicI64::new(last_written),
                };
                (record.hash, Arc::new(known))
            })
            .collect();
        let count = by_hash.len();
        let table = Table {
            by_hash,
            verified: RwLock::default(),
        };
        *self.table.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(table);
        Ok(count)
    }

    /// Decides a request that needs `needed`, carrying `authorization` (the header's
    /// value), at `now`. While no token exists, a request without the header from a peer
    /// on loopback (asked of `loopback` only then) is served (protected mode).
    pub fn authorize(
        &self,
        authorization: Option<&[u8]>,
        loopback: impl FnOnce() -> bool,
        needed: Scope,
        now: DateTime<Utc>,
    ) -> Result<Granted, Refusal> {
        let table = self.table.read().unwrap_or_else(|e| e.into_inner());
        let empty = table.by_hash.is_empty();
        if empty && !loopback() {
            return Err(Refusal::NoTokenYet);
        }
        // A request that presents a token is judged by it, also in protected mode: a
        // revoked token stays refused after the last one is gone.
        if empty && authorization.is_none() {
            if !self.warned.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    "no API token exists: serving loopback clients without one (protected \
                     mode); create one with `lapseguard token create`"
                );
            }
            return Ok(Granted {
                actor: Actor {
                    name: LOOPBACK_ACTOR.into(),
                },
                touch: None,
            });
        }
        let token = bearer(authorization).ok_or(Refusal::Missing)?;
        let known = table.find(token).ok_or(Refusal::Unknown)?;
        if !known.scopes.allow(needed) {
            return Err(Refusal::Scope(needed));
        }
        let now = now.timestamp();
        let last = known.last_written.load(Ordering::Relaxed);
        let due = now.saturating_sub(last) >= LAST_USED_EVERY_SECONDS
            && known
                .last_written
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok();
        Ok(Granted {
            actor: Actor {
                name: Arc::clone(&known.name),
            },
            touch: due.then(|| known.name.to_string()),
        })
    }

    /// Whether no token exists (protected mode).
    pub fn is_empty(&self) -> bool {
        self.table
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .by_hash
            .is_empty()
    }

    /// The name and scopes of the token with this hash, while it exists: the admin
    /// console's sessions hold the hash of the token they were opened with, so that
    /// revoking it (or a change of its scopes) takes effect on their next request.
    pub fn by_hash(&self, hash: &str) -> Option<(Arc<str>, Scopes)> {
        let table = self.table.read().unwrap_or_else(|e| e.into_inner());
        let known = table.by_hash.get(hash)?;
        Some((Arc::clone(&known.name), known.scopes))
    }
}

/// The token of an `Authorization: Bearer TOKEN` header (the scheme in any case).
fn bearer(header: Option<&[u8]>) -> Option<&str> {
    let text = std::str::from_utf8(header?).ok()?;
    let (scheme, token) = text.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// A new token: `lg_` and 256 random bits (43 base64url characters), and its record.
pub fn new_token(
    name: &str,
    scopes: Scopes,
    now: DateTime<Utc>,
) -> Result<(String, TokenRecord), getrandom::Error> {
    let mut secret = [0_u8; 32];
    getrandom::fill(&mut secret)?;
    let token = format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret)
    );
    let record = TokenRecord {
        name: name.to_owned(),
        hash: token_hash(&token),
        scopes,
        created_at: now,
        last_used_at: None,
    };
    Ok((token, record))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bearer_header_gives_its_token() {
        assert_eq!(bearer(Some(b"Bearer lg_abc")), Some("lg_abc"));
        assert_eq!(bearer(Some(b"bearer  lg_abc ")), Some("lg_abc"));
        assert_eq!(bearer(Some(b"Basic dXNlcg==")), None);
        assert_eq!(bearer(Some(b"Bearer")), None);
        assert_eq!(bearer(None), None);
    }

    #[test]
    fn new_tokens_are_prefixed_random_and_only_their_hash_is_kept() {
        let scopes: Scopes = [Scope::Check].into_iter().collect();
        let (one, record) = new_token("a", scopes, Utc::now()).expect("randomness");
        let (two, _) = new_token("b", scopes, Utc::now()).expect("randomness");
        assert!(one.starts_with("lg_") && one.len() == 3 + 43, "{one}");
        assert_ne!(one, two);
        assert_eq!(record.hash, token_hash(&one));
        assert!(!record.hash.contains(&one[3..]));
    }
}
