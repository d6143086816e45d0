//! Names: from the text after `@` to the registrable domain whose registry is asked.
//!
//! The steps (the README's "How a check is answered"): trim, lower-case, strip one
//! trailing dot, IDNA (UTS 46) to A-labels, then the Public Suffix List, where the ICANN
//! section decides the registry question (`foo.github.io` is registered as `github.io`).

use std::fmt;
use std::net::IpAddr;

use thiserror::Error;

/// RFC 5321 path limit: an address longer than this cannot be delivered to.
const MAX_ADDRESS_OCTETS: usize = 254;
/// RFC 1035 limits.
const MAX_DOMAIN_OCTETS: usize = 253;
const MAX_LABEL_OCTETS: usize = 63;

/// Why an address or domain cannot be checked. Each variant has a stable `code`.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
pub enum NameError {
    #[error("the address has no '@'")]
    MissingAt,
    #[error("the part before '@' is empty")]
    EmptyLocalPart,
    #[error("the domain is empty")]
    EmptyDomain,
    #[error("IP addresses have no registration to check")]
    IpLiteral,
    #[error("the address is longer than 254 octets")]
    AddressTooLong,
    #[error("the domain is longer than 253 octets")]
    DomainTooLong,
    #[error("a label of the domain is longer than 63 octets")]
    LabelTooLong,
    #[error("the domain has an empty label")]
    EmptyLabel,
    #[error("the domain is not a valid host name")]
    InvalidDomain,
    #[error("the domain has a single label")]
    SingleLabel,
    #[error("the domain's public suffix is not in the Public Suffix List")]
    UnknownSuffix,
    #[error("the domain is a public suffix, not a registrable domain")]
    PublicSuffix,
}

impl NameError {
    /// Stable machine-readable code, used in problem responses.
    pub fn code(self) -> &'static str {
        match self {
            Self::MissingAt => "email_missing_at",
            Self::EmptyLocalPart => "email_empty_local_part",
            Self::EmptyDomain => "email_empty_domain",
            Self::IpLiteral => "email_ip_literal",
            Self::AddressTooLong => "email_too_long",
            Self::DomainTooLong => "domain_too_long",
            Self::LabelTooLong => "domain_label_too_long",
            Self::EmptyLabel => "domain_empty_label",
            Self::InvalidDomain => "domain_invalid",
            Self::SingleLabel => "domain_single_label",
            Self::UnknownSuffix => "domain_unknown_suffix",
            Self::PublicSuffix => "domain_is_public_suffix",
        }
    }
}

/// The normalised domain of an email address, in A-labels: `Bücher.Example.` becomes
/// `xn--bcher-kva.example`. Only a valid host name can be held.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailDomain(String);

impl EmailDomain {
    /// Takes the domain out of an email address. The local part is checked for presence
    /// and then dropped: it is never kept.
    pub fn from_address(address: &str) -> Result<Self, NameError> {
        let address = address.trim();
        if address.len() > MAX_ADDRESS_OCTETS {
            return Err(NameError::AddressTooLong);
        }
        let (local, domain) = address.rsplit_once('@').ok_or(NameError::MissingAt)?;
        if local.is_empty() {
            return Err(NameError::EmptyLocalPart);
        }
        if domain.starts_with('[') {
            return Err(NameError::IpLiteral);
        }
        Self::parse(domain)
    }

    /// Normalises a bare domain name.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let trimmed = raw.trim();
        let trimmed = trimmed.strip_suffix('.').unwrap_or(trimmed);
        if trimmed.is_empty() {
            return Err(NameError::EmptyDomain);
        }
        if trimmed.parse::<IpAddr>().is_ok() {
            return Err(NameError::IpLiteral);
        }
        // Labels are checked before IDNA so that `a..b` and over-long labels get their own
        // error instead of a generic IDNA failure.
        check_labels(trimmed)?;
        let ascii = idna::domain_to_ascii(trimmed).map_err(|_| NameError::InvalidDomain)?;
        check_labels(&ascii)?;
        if ascii.len() > MAX_DOMAIN_OCTETS {
            return Err(NameError::DomainTooLong);
        }
        let is_host_name = ascii.split('.').all(|label| {
            label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
        if !is_host_name {
            return Err(NameError::InvalidDomain);
        }
        if !ascii.contains('.') {
            return Err(NameError::SingleLabel);
        }
        Ok(Self(ascii))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn check_labels(name: &str) -> Result<(), NameError> {
    for label in name.split('.') {
        if label.is_empty() {
            return Err(NameError::EmptyLabel);
        }
        if label.len() > MAX_LABEL_OCTETS {
            return Err(NameError::LabelTooLong);
        }
    }
    Ok(())
}

/// The domain a registry holds a registration for: one label below the ICANN public
/// suffix of an [`EmailDomain`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegistrableDomain(String);

impl RegistrableDomain {
    /// Walks the Public Suffix List to the ICANN suffix: private entries such as
    /// `github.io` are where a platform hands out names, not where a registry does.
    pub fn of(email_domain: &EmailDomain) -> Result<Self, NameError> {
        let name = email_domain.as_str();
        let mut suffix = known_suffix(name.as_bytes())?;
        while suffix.typ() == Some(psl::Type::Private) {
            let bytes = suffix.as_bytes();
            let dot = bytes
                .iter()
                .position(|b| *b == b'.')
                .ok_or(NameError::UnknownSuffix)?;
            suffix = known_suffix(&bytes[dot + 1..])?;
        }
        let suffix_len = suffix.as_bytes().len();
        if name.len() <= suffix_len {
            return Err(NameError::PublicSuffix);
        }
        let above = &name[..name.len() - suffix_len - 1];
        let label = above.rsplit('.').next().unwrap_or(above);
        let suffix = &name[name.len() - suffix_len..];
        let mut registrable = String::with_capacity(label.len() + 1 + suffix.len());
        registrable.push_str(label);
        registrable.push('.');
        registrable.push_str(suffix);
        Ok(Self(registrable))
    }

    /// The registrable domain of an email address.
    pub fn of_address(address: &str) -> Result<Self, NameError> {
        Self::of(&EmailDomain::from_address(address)?)
    }

    /// A watch-list entry: an email address when it has an `@`, else a domain.
    pub fn of_entry(entry: &str) -> Result<Self, NameError> {
        if entry.contains('@') {
            Self::of_address(entry)
        } else {
            Self::parse(entry)
        }
    }

    /// A domain given directly (admin input, stored rows); normalised like an email domain.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        Self::of(&EmailDomain::parse(raw)?)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The domain's suffixes on label boundaries, longest first, itself included:
    /// `example.co.uk`, `co.uk`, `uk`. RDAP bootstrap matching walks these.
    pub fn suffixes(&self) -> impl Iterator<Item = &str> {
        let name = self.0.as_str();
        std::iter::once(name).chain(
            name.match_indices('.')
                .map(move |(index, _)| &name[index + 1..]),
        )
    }
}

impl fmt::Display for RegistrableDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn known_suffix(name: &[u8]) -> Result<psl::Suffix<'_>, NameError> {
    psl::suffix(name)
        .filter(psl::Suffix::is_known)
        .ok_or(NameError::UnknownSuffix)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registrable(address: &str) -> Result<String, NameError> {
        let email = EmailDomain::from_address(address)?;
        RegistrableDomain::of(&email).map(|d| d.as_str().to_owned())
    }

    #[test]
    fn subdomains_reduce_to_the_registrable_domain() {
        assert_eq!(
            registrable("user@mail.dept.example.co.uk").as_deref(),
            Ok("example.co.uk")
        );
        assert_eq!(
            registrable("user@example.com").as_deref(),
            Ok("example.com")
        );
    }

    #[test]
    fn private_suffixes_give_way_to_the_icann_suffix() {
        assert_eq!(
            registrable("user@foo.github.io").as_deref(),
            Ok("github.io")
        );
        assert_eq!(registrable("user@github.io").as_deref(), Ok("github.io"));
    }

    #[test]
    fn case_whitespace_and_one_trailing_dot_are_normalised() {
        assert_eq!(
            registrable("  User@Mail.EXAMPLE.com. ").as_deref(),
            Ok("example.com")
        );
        assert_eq!(
            registrable("user@example.com.."),
            Err(NameError::EmptyLabel)
        );
    }

    #[test]
    fn idn_domains_become_a_labels() {
        assert_eq!(
            registrable("user@Bücher.example").map(|_| ()),
            Err(NameError::UnknownSuffix)
        );
        assert_eq!(
            registrable("user@bücher.de").as_deref(),
            Ok("xn--bcher-kva.de")
        );
        assert_eq!(
            registrable("user@mail.例え.jp").as_deref(),
            Ok("xn--r8jz45g.jp")
        );
    }

    #[test]
    fn unusable_addresses_are_rejected_with_their_reason() {
        let cases = [
            ("no-at-sign", NameError::MissingAt),
            ("@example.com", NameError::EmptyLocalPart),
            ("user@", NameError::EmptyDomain),
            ("user@[127.0.0.1]", NameError::IpLiteral),
            ("user@127.0.0.1", NameError::IpLiteral),
            ("user@localhost", NameError::SingleLabel),
            ("user@example.invalidtld", NameError::UnknownSuffix),
            ("user@co.uk", NameError::PublicSuffix),
            ("user@exa mple.com", NameError::InvalidDomain),
            ("user@-example.com", NameError::InvalidDomain),
        ];
        for (address, expected) in cases {
            assert_eq!(registrable(address), Err(expected), "{address}");
        }
    }

    #[test]
    fn length_limits_are_enforced() {
        let long_label = "a".repeat(64);
        assert_eq!(
            registrable(&format!("u@{long_label}.com")),
            Err(NameError::LabelTooLong)
        );
        let long_address = format!("{}@example.com", "u".repeat(250));
        assert_eq!(registrable(&long_address), Err(NameError::AddressTooLong));
        let long_domain = format!("{}.com", vec!["a".repeat(60); 5].join("."));
        assert_eq!(
            EmailDomain::parse(&long_domain),
            Err(NameError::DomainTooLong)
        );
    }

    #[test]
    fn suffixes_walk_label_boundaries_longest_first() {
        let domain = RegistrableDomain::parse("example.co.uk").expect("valid");
        let suffixes: Vec<&str> = domain.suffixes().collect();
        assert_eq!(suffixes, ["example.co.uk", "co.uk", "uk"]);
    }
}
