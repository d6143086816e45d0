//! Names: from the text after `@` to the registrable domain whose registry is asked.
//!
//! The steps ("How a check is answered" in docs/evidence.md): trim, lower-case, strip one
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
    #[error("the address is not one bare address (a list, a display name or a comment)")]
    NotOneAddress,
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
            Self::NotOneAddress => "email_not_one_address",
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
        Self::parse(address_domain(address)?)
    }

    /// The domain where IDNA2003 mailers (Python's `idna` codec, which Django's
    /// `sanitize_address` uses) deliver, when it differs from [`EmailDomain::from_address`]:
    /// their transitional mapping turns `ß` into `ss` and `ς` into `σ` (`faß.de` is mailed
    /// to `fass.de`). `None` when the name has neither.
    pub fn transitional_of_address(address: &str) -> Result<Option<Self>, NameError> {
        let domain = address_domain(address)?;
        if !domain.contains(['ß', 'ς']) {
            return Ok(None);
        }
        let mapped = domain.replace('ß', "ss").replace('ς', "σ");
        Self::parse(&mapped).map(Some)
    }

    /// Normalises a bare domain name. The ideographic full stops that UTS 46 and IDNA2003
    /// map to `.` count as dots (a trailing one is stripped like an ASCII one), and ZWJ and
    /// ZWNJ are dropped, as IDNA2003 mailers drop them: the name is judged where the mail
    /// goes, never refused where a caller's fail-open setting would send it anyway.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let mapped: String = raw
            .chars()
            .filter(|c| !matches!(c, '\u{200c}' | '\u{200d}'))
            .map(|c| match c {
                '\u{3002}' | '\u{ff0e}' | '\u{ff61}' => '.',
                c => c,
            })
            .collect();
        let trimmed = mapped.trim();
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

/// The part after the last `@` of one bare address. The local part must be a dot-atom
/// (UTF-8 allowed, RFC 6531) or a quoted string: anything a mail parser would read as a
/// list (`b@lapsed.com,a@example.com`), a display name or an angle address
/// (`b@lapsed.com <a@example.com`) or a comment is refused, since Python's `parseaddr`
/// and others pick a different address out of it than the last `@` does.
fn address_domain(address: &str) -> Result<&str, NameError> {
    let address = address.trim();
    if address.len() > MAX_ADDRESS_OCTETS {
        return Err(NameError::AddressTooLong);
    }
    let (local, domain) = address.rsplit_once('@').ok_or(NameError::MissingAt)?;
    if local.is_empty() {
        return Err(NameError::EmptyLocalPart);
    }
    if !is_local_part(local)
        || domain.contains(|c: char| c.is_whitespace() || "<>(),;:\"".contains(c))
    {
        return Err(NameError::NotOneAddress);
    }
    if domain.starts_with('[') {
        return Err(NameError::IpLiteral);
    }
    Ok(domain)
}

/// A dot-atom (atext, with non-ASCII letters) or one quoted string.
fn is_local_part(local: &str) -> bool {
    if let Some(quoted) = local
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    {
        // Inside quotes anything printable goes, but a quote or backslash only escaped.
        let mut escaped = false;
        return quoted.chars().all(|c| {
            if escaped {
                escaped = false;
                return !c.is_control();
            }
            match c {
                '\\' => {
                    escaped = true;
                    true
                }
                '"' => false,
                c => !c.is_control(),
            }
        }) && !escaped;
    }
    let atext = |c: char| {
        c.is_ascii_alphanumeric()
            || "!#$%&'*+-/=?^_`{|}~".contains(c)
            || (!c.is_ascii() && !c.is_control() && !c.is_whitespace())
    };
    local.chars().all(|c| c == '.' || atext(c))
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
        Self::of_name(email_domain.as_str())
    }

    /// [`RegistrableDomain::of`] for a name already normalised.
    fn of_name(name: &str) -> Result<Self, NameError> {
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

    /// The name under the Public Suffix List's private section, when it differs from
    /// [`RegistrableDomain::of`]: `victim.uk.com` (CentralNic sells names under `uk.com`),
    /// `alice.ddns.net`, `foo.github.io`. Such a name is handed out, lapses and is claimed
    /// again apart from the platform's own registration, which says nothing about it.
    pub fn shared_of(email_domain: &EmailDomain) -> Result<Option<Self>, NameError> {
        Self::of_with_shared(email_domain).map(|(_, shared)| shared)
    }

    /// [`RegistrableDomain::of`] and [`RegistrableDomain::shared_of`] in one walk.
    pub fn of_with_shared(email_domain: &EmailDomain) -> Result<(Self, Option<Self>), NameError> {
        let icann = Self::of(email_domain)?;
        let name = email_domain.as_str();
        let private = psl::domain(name.as_bytes())
            .filter(|d| d.suffix().is_known() && d.suffix().typ() == Some(psl::Type::Private))
            .and_then(|d| std::str::from_utf8(d.as_bytes()).ok())
            .filter(|private| *private != icann.as_str())
            .map(|private| Self(private.to_owned()));
        Ok((icann, private))
    }

    /// For a name under a shared suffix, the ICANN registrable domain it lies under
    /// (`uk.com` for `victim.uk.com`); `None` for an ordinary registrable domain.
    pub fn shared_parent(&self) -> Option<Self> {
        let parent = Self::of_name(&self.0).ok()?;
        (parent != *self).then_some(parent)
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

    /// A watch-list entry's registrable domain and, when it lies under a shared suffix,
    /// its name there (see [`RegistrableDomain::shared_of`]).
    pub fn of_entry_with_shared(entry: &str) -> Result<(Self, Option<Self>), NameError> {
        let email_domain = if entry.contains('@') {
            EmailDomain::from_address(entry)?
        } else {
            EmailDomain::parse(entry)?
        };
        let shared = Self::shared_of(&email_domain)?;
        let domain = if entry.contains('@') {
            Self::of(&email_domain)?
        } else {
            Self::parse(entry)?
        };
        Ok((domain, shared))
    }

    /// A domain given directly (admin input, stored rows); normalised like an email domain.
    /// A name that is itself one label below a private suffix (`victim.uk.com`) stays
    /// whole: checks look such names up (and store them) where a source covers them.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let email_domain = EmailDomain::parse(raw)?;
        match Self::shared_of(&email_domain)? {
            Some(shared) if shared.as_str() == email_domain.as_str() => Ok(shared),
            _ => Self::of(&email_domain),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last label: `it` for `example.it`.
    pub fn tld(&self) -> &str {
        self.0.rsplit('.').next().unwrap_or_default()
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
    fn private_suffixes_give_way_to_the_icann_suffix_for_the_registry_question() {
        assert_eq!(
            registrable("user@foo.github.io").as_deref(),
            Ok("github.io")
        );
        assert_eq!(registrable("user@github.io").as_deref(), Ok("github.io"));
    }

    #[test]
    fn names_under_shared_suffixes_are_known_apart_from_the_platform() {
        let shared = |address: &str| {
            let email = EmailDomain::from_address(address).expect("valid");
            RegistrableDomain::shared_of(&email)
                .expect("valid")
                .map(|d| d.as_str().to_owned())
        };
        assert_eq!(
            shared("alice@victim.uk.com").as_deref(),
            Some("victim.uk.com")
        );
        assert_eq!(
            shared("alice@mail.victim.uk.com").as_deref(),
            Some("victim.uk.com")
        );
        assert_eq!(
            shared("alice@alice.ddns.net").as_deref(),
            Some("alice.ddns.net")
        );
        assert_eq!(shared("alice@uk.com"), None, "the platform's own name");
        assert_eq!(shared("alice@example.co.uk"), None);
        let parsed = RegistrableDomain::parse("victim.uk.com").expect("valid");
        assert_eq!(parsed.as_str(), "victim.uk.com");
        assert_eq!(
            parsed.shared_parent().map(|p| p.0),
            Some("uk.com".to_owned())
        );
        assert_eq!(
            RegistrableDomain::parse("mail.victim.uk.com")
                .expect("valid")
                .as_str(),
            "uk.com"
        );
        assert_eq!(
            RegistrableDomain::parse("example.com")
                .expect("valid")
                .shared_parent(),
            None
        );
    }

    #[test]
    fn one_bare_address_or_nothing() {
        for address in [
            "b@lapsed.com,a@example.com",
            "b@lapsed.com <a@example.com",
            "Bob <a@example.com>",
            "<a@example.com>",
            "a@example.com (comment)",
            "a b@example.com",
            "a\"b@example.com",
            "a;b@example.com",
        ] {
            assert_eq!(
                EmailDomain::from_address(address),
                Err(NameError::NotOneAddress),
                "{address}"
            );
        }
        for address in [
            "\"b@lapsed.com, <x>\"@example.com",
            "o'brien+tag@example.com",
            "a..b@example.com",
            "jörg@example.com",
        ] {
            assert_eq!(
                EmailDomain::from_address(address).map(|d| d.0),
                Ok("example.com".to_owned()),
                "{address}"
            );
        }
    }

    #[test]
    fn idna_deviations_are_judged_where_idna2003_mailers_deliver() {
        let nontransitional = EmailDomain::from_address("anna@faß.de").expect("valid");
        assert_eq!(nontransitional.as_str(), "xn--fa-hia.de");
        let transitional = EmailDomain::transitional_of_address("anna@faß.de").expect("valid");
        assert_eq!(transitional.map(|d| d.0).as_deref(), Some("fass.de"));
        let sigma = EmailDomain::transitional_of_address("a@σοφος.com").expect("valid");
        let sigma_final = EmailDomain::from_address("a@σοφος.com").expect("valid");
        assert_ne!(sigma.map(|d| d.0), Some(sigma_final.0));
        assert_eq!(
            EmailDomain::transitional_of_address("a@example.com"),
            Ok(None)
        );
        // ZWJ and ZWNJ are dropped, as IDNA2003 mailers drop them.
        assert_eq!(
            EmailDomain::from_address("a@exa\u{200d}mple.com").map(|d| d.0),
            Ok("example.com".to_owned())
        );
        assert_eq!(
            EmailDomain::from_address("a@exa\u{200c}mple.com").map(|d| d.0),
            Ok("example.com".to_owned())
        );
        // Ideographic full stops are dots; a trailing one is stripped.
        assert_eq!(
            EmailDomain::from_address("a@example.com\u{3002}").map(|d| d.0),
            Ok("example.com".to_owned())
        );
        assert_eq!(
            EmailDomain::from_address("a@example\u{ff0e}com").map(|d| d.0),
            Ok("example.com".to_owned())
        );
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
            ("user@exa mple.com", NameError::NotOneAddress),
            ("user@exa_mple.com", NameError::InvalidDomain),
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
