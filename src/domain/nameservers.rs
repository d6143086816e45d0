//! Nameserver classes (issue 22): which nameserver hosts say a name is parked, for sale,
//! on a registrar's "expired" placeholder, or suspended by a registrar pending the
//! registrant's verification. The shipped table is `data/nameserver-classes.json`, each
//! entry with the public lists it comes from; `LAPSEGUARD_NAMESERVER_CLASSES` turns it
//! off or replaces it with an operator's file of the same shape.
//!
//! A nameserver matches an entry when it equals the entry's suffix or ends with `.` and
//! the suffix (ASCII case and a trailing root dot ignored).

use std::collections::BTreeSet;

use serde::Deserialize;

/// The table shipped in the binary.
const SHIPPED: &str = include_str!("../../data/nameserver-classes.json");

/// What a nameserver says about the name it serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameserverClass {
    /// A parking service's nameservers: ads on a name nobody uses.
    Parked,
    /// A marketplace's landing nameservers: the name is offered for sale.
    ForSale,
    /// A registrar's placeholder for a name that expired and was not renewed.
    RegistrarExpired,
    /// A registrar's suspension pending the registrant's verification: not a sale.
    RegistrarHold,
}

impl NameserverClass {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Parked => "parked",
            Self::ForSale => "for_sale",
            Self::RegistrarExpired => "registrar_expired",
            Self::RegistrarHold => "registrar_hold",
        }
    }
}

/// Where an entry comes from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Citation {
    pub url: String,
    /// When the source was published, as precisely as it says (`2022`, `2022-10-24`).
    pub published: String,
    /// When it was read for this table (`YYYY-MM-DD`).
    pub read: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    class: NameserverClass,
    suffix: String,
    sources: Vec<Citation>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    /// What the table is (for its readers; required, not used).
    #[serde(rename = "about")]
    _about: String,
    classes: Vec<Entry>,
}

/// The nameserver classes in use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameserverClasses {
    /// `(suffix, class)`, suffixes lowercase without a root dot.
    entries: Vec<(String, NameserverClass)>,
}

impl NameserverClasses {
    /// The table shipped in `data/nameserver-classes.json`.
    pub fn shipped() -> Self {
        Self::parse(SHIPPED).expect("the shipped nameserver classes are valid (a test reads them)")
    }

    /// The shipped table, read once for the process.
    pub fn shipped_static() -> &'static Self {
        static SHIPPED_TABLE: std::sync::OnceLock<NameserverClasses> = std::sync::OnceLock::new();
        SHIPPED_TABLE.get_or_init(Self::shipped)
    }

    /// No classes (`LAPSEGUARD_NAMESERVER_CLASSES=off`).
    pub fn none() -> &'static Self {
        static NONE: NameserverClasses = NameserverClasses {
            entries: Vec::new(),
        };
        &NONE
    }

    /// Reads a table of the shipped file's shape. Refused: JSON of another shape, an
    /// unknown class, an empty or malformed suffix, an entry without a source, and a
    /// source without its URL, publication or reading date.
    pub fn parse(text: &str) -> Result<Self, String> {
        let table: Table = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut entries = Vec::with_capacity(table.classes.len());
        for entry in table.classes {
            let suffix = normalise(&entry.suffix);
            let well_formed = suffix.contains('.')
                && suffix
                    .split('.')
                    .all(|label| !label.is_empty() && label.len() <= 63)
                && suffix
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
            if !well_formed {
                return Err(format!("{:?} is not a host suffix", entry.suffix));
            }
            if entry.sources.is_empty() {
                return Err(format!("{suffix}: no source cited"));
            }
            for source in &entry.sources {
                let dated = is_date(&source.read) && !source.published.trim().is_empty();
                if !source.url.starts_with("https://") || !dated {
                    return Err(format!(
                        "{suffix}: a source needs an https url, when it was published and \
                         the day it was read (YYYY-MM-DD)"
                    ));
                }
            }
            entries.push((suffix, entry.class));
        }
        Ok(Self { entries })
    }

    /// The class of one nameserver host, if any.
    pub fn class_of(&self, host: &str) -> Option<NameserverClass> {
        let host = normalise(host);
        self.entries
            .iter()
            .find(|(suffix, _)| {
                host == *suffix
                    || host
                        .strip_suffix(suffix.as_str())
                        .is_some_and(|rest| rest.ends_with('.'))
            })
            .map(|(_, class)| *class)
    }

    /// The classes any of `hosts` is in: a class matches when any current nameserver
    /// matches it.
    pub fn classes_of<'a>(
        &self,
        hosts: impl IntoIterator<Item = &'a str>,
    ) -> BTreeSet<NameserverClass> {
        hosts.into_iter().filter_map(|h| self.class_of(h)).collect()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn normalise(host: &str) -> String {
    host.trim().trim_end_matches('.').to_ascii_lowercase()
}

fn is_date(text: &str) -> bool {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_table_cites_a_source_for_every_entry_and_has_the_required_ones() {
        let classes = NameserverClasses::shipped();
        let required = [
            ("dan.com", NameserverClass::ForSale),
            ("undeveloped.com", NameserverClass::ForSale),
            ("afternic.com", NameserverClass::ForSale),
            ("squadhelp.com", NameserverClass::ForSale),
            ("sedoparking.com", NameserverClass::Parked),
            ("bodis.com", NameserverClass::Parked),
            ("parkingcrew.net", NameserverClass::Parked),
            ("above.com", NameserverClass::Parked),
            ("cashparking.com", NameserverClass::Parked),
            ("renewyourname.net", NameserverClass::RegistrarExpired),
            (
                "expired.uniregistry-dns.com",
                NameserverClass::RegistrarExpired,
            ),
            ("domainhasexpired.com", NameserverClass::RegistrarExpired),
            ("expirationwarning.net", NameserverClass::RegistrarExpired),
            (
                "failed-whois-verification.namecheap.com",
                NameserverClass::RegistrarHold,
            ),
            (
                "registrant-verification.ispapi.net",
                NameserverClass::RegistrarHold,
            ),
        ];
        for (suffix, class) in required {
            assert_eq!(
                classes.class_of(&format!("ns1.{suffix}")),
                Some(class),
                "{suffix}"
            );
        }
        // `parse` refuses an entry without a citation, so every shipped entry has one.
        assert!(classes.len() >= required.len());
    }

    #[test]
    fn brand_protection_and_ordinary_registrar_nameservers_are_not_classified() {
        let classes = NameserverClasses::shipped();
        for host in [
            "ns1.markmonitor.com",
            "a1-12.akam.net",
            "ns1.dnsowl.com",
            "ns1.namecheaphosting.com",
            "dns1.registrar-servers.com",
            "ns1.csc.com",
            "ns1.sedo.com",
            // A suffix matches whole labels only.
            "ns1.notdan.com",
            "ns1.fabulous.com",
        ] {
            assert_eq!(classes.class_of(host), None, "{host}");
        }
    }

    #[test]
    fn matching_ignores_case_and_the_root_dot() {
        let classes = NameserverClasses::shipped();
        assert_eq!(
            classes.class_of("NS2.SedoParking.COM."),
            Some(NameserverClass::Parked)
        );
        assert_eq!(
            classes.class_of("ns1.registrant-verification.ispapi.net"),
            Some(NameserverClass::RegistrarHold)
        );
        let found = classes.classes_of(["ns1.example.net", "ns1.dan.com", "ns2.bodis.com"]);
        assert_eq!(
            found.into_iter().collect::<Vec<_>>(),
            vec![NameserverClass::Parked, NameserverClass::ForSale]
        );
    }

    #[test]
    fn a_table_without_citations_or_with_an_unknown_class_is_refused() {
        let entry = |class: &str, sources: &str| {
            format!(
                r#"{{"about": "x", "classes": [{{"class": "{class}", "suffix": "park.example", "sources": {sources}}}]}}"#
            )
        };
        let cited =
            r#"[{"url": "https://example.org/list", "published": "2024", "read": "2026-12-06"}]"#;
        assert!(NameserverClasses::parse(&entry("parked", cited)).is_ok());
        assert!(NameserverClasses::parse(&entry("parked", "[]")).is_err());
        assert!(NameserverClasses::parse(&entry("sold", cited)).is_err());
        let undated =
            r#"[{"url": "https://example.org/list", "published": "2024", "read": "last week"}]"#;
        assert!(NameserverClasses::parse(&entry("parked", undated)).is_err());
        let plain =
            r#"[{"url": "http://example.org/list", "published": "2024", "read": "2026-12-06"}]"#;
        assert!(NameserverClasses::parse(&entry("parked", plain)).is_err());
        assert!(NameserverClasses::parse("[]").is_err());
    }
}
