//! One way to hold a secret (the database URL, which may carry a password; the webhook
//! signing key; the Fastly API key): its `Debug` form is `Secret(..)`, so no `{:?}` of a
//! configuration, and no log line, can print it. The value is read with
//! [`Secret::expose`], where it is used.

/// A value that is never printed.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The value, for the one place that uses it (a connection, a header, an HMAC).
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> std::fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_never_printed() {
        let secret = Secret::new("postgres://app:hunter2@db/lapseguard".to_owned());
        assert_eq!(format!("{secret:?}"), "Secret(..)");
        assert_eq!(format!("{:#?}", Some(&secret)), "Some(\n    Secret(..),\n)");
        assert!(secret.expose().contains("hunter2"));
    }
}
