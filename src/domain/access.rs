//! API tokens and their scopes: what a token may do, and how it is known without being
//! kept (only its SHA-256 is stored).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// Every token starts with this, so that secret scanners and people can tell one.
pub const TOKEN_PREFIX: &str = "lg_";

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// `POST /check-recovery-eligible`.
    Check,
    /// Every `GET /v1/...`.
    Read,
    /// Every write under `/v1`, and everything `read` may do.
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Check, Scope::Read, Scope::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Check => "check",
            Self::Read => "read",
            Self::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    fn bit(self) -> u8 {
        match self {
            Self::Check => 1,
            Self::Read => 2,
            Self::Admin => 4,
        }
    }
}

/// A set of scopes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Scopes(u8);

impl Scopes {
    pub fn insert(&mut self, scope: Scope) {
        self.0 |= scope.bit();
    }

    /// Whether a token with these scopes may do what `needed` guards: `admin` includes
    /// `read`.
    pub fn allow(self, needed: Scope) -> bool {
        let granted = |scope: Scope| self.0 & scope.bit() != 0;
        granted(needed) || (needed == Scope::Read && granted(Scope::Admin))
    }

    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL
            .into_iter()
            .filter(move |s| self.0 & s.bit() != 0)
    }

    /// `check,read`: the stored form.
    pub fn encode(self) -> String {
        self.iter().map(Scope::as_str).collect::<Vec<_>>().join(",")
    }

    /// Reads back what [`Scopes::encode`] wrote; `None` on an unknown scope.
    pub fn decode(text: &str) -> Option<Self> {
        let mut scopes = Self::default();
        for part in text.split(',').filter(|p| !p.is_empty()) {
            scopes.insert(Scope::parse(part)?);
        }
        Some(scopes)
    }
}

impl FromIterator<Scope> for Scopes {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Self {
        let mut scopes = Self::default();
        for scope in iter {
            scopes.insert(scope);
        }
        scopes
    }
}

/// A token as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    /// Unique; names the token in `token list`, `token revoke` and the audit log.
    pub name: String,
    /// [`token_hash`] of the token.
    pub hash: String,
    pub scopes: Scopes,
    pub created_at: DateTime<Utc>,
    /// Written at most once a minute per token.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// The SHA-256 of a token, in hex. Tokens carry 256 random bits, so a plain hash is as
/// good as a slow one: there is nothing to guess.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte & 15)]));
    }
    hex
}

/// Whether a token name is usable: 1 to 64 of `a-z A-Z 0-9 . _ -`.
pub fn valid_token_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_includes_read_but_not_check() {
        let admin: Scopes = [Scope::Admin].into_iter().collect();
        assert!(admin.allow(Scope::Admin));
        assert!(admin.allow(Scope::Read));
        assert!(!admin.allow(Scope::Check));
        let check: Scopes = [Scope::Check].into_iter().collect();
        assert!(!check.allow(Scope::Read));
    }

    #[test]
    fn scopes_round_trip_through_their_stored_form() {
        let scopes: Scopes = [Scope::Read, Scope::Check].into_iter().collect();
        assert_eq!(scopes.encode(), "check,read");
        assert_eq!(Scopes::decode("check,read"), Some(scopes));
        assert_eq!(Scopes::decode("check,root"), None);
    }

    #[test]
    fn a_token_hash_is_the_hex_sha256() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn token_names_are_short_and_plain() {
        assert!(valid_token_name("support-desk_1.prod"));
        assert!(!valid_token_name(""));
        assert!(!valid_token_name("a b"));
        assert!(!valid_token_name(&"a".repeat(65)));
    }
}
