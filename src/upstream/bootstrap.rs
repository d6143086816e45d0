//! RDAP bootstrap (RFC 9224): which RDAP server answers for which TLD. Pure: it parses
//! the file; reading or fetching it is the RDAP client's job (`rdap.rs`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use serde::Deserialize;
use thiserror::Error;
use url::Url;

use crate::domain::name::RegistrableDomain;

/// IANA's `dns.json` as published 2026-06-26, embedded as the default bootstrap.
/// Production deployments should point `LAPSEGUARD_RDAP_BOOTSTRAP` at a fresh copy.
pub const EMBEDDED_BOOTSTRAP: &str = include_str!("../../data/iana-rdap-dns.json");

/// The dated supplement shipped with lapseguard: servers IANA's file lacks, each with the
/// public source that documents it.
pub const EMBEDDED_SUPPLEMENT: &str = include_str!("../../data/rdap-supplement.json");

/// Bootstrap files are around 100 KiB; this leaves room and refuses anything absurd.
pub const MAX_BOOTSTRAP_BYTES: usize = 8 << 20;

/// Where the bootstrap file comes from (`LAPSEGUARD_RDAP_BOOTSTRAP`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BootstrapSource {
    /// The snapshot compiled into the binary.
    Embedded,
    File(PathBuf),
    Url(Url),
}

/// Where the supplement to IANA's file comes from (`LAPSEGUARD_RDAP_SUPPLEMENT`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SupplementSource {
    /// `on`: the dated list shipped in `data/rdap-supplement.json`.
    Embedded,
    /// `off`: IANA's file and the overrides only.
    Off,
    File(PathBuf),
}

impl SupplementSource {
    pub fn parse(text: &str) -> Self {
        match text {
            "on" => Self::Embedded,
            "off" => Self::Off,
            path => Self::File(PathBuf::from(path)),
        }
    }
}

impl BootstrapSource {
    /// An http(s) URL (https unless `allow_http`), or else a file path.
    pub fn parse(text: &str, allow_http: bool) -> Result<Self, String> {
        if text.starts_with("http://") || text.starts_with("https://") {
            super::upstream_url(text, allow_http).map(Self::Url)
        } else {
            Ok(Self::File(PathBuf::from(text)))
        }
    }
}

#[derive(Debug, Error)]
pub enum BootstrapError {
    #[error("cannot read the bootstrap file: {0}")]
    Read(#[from] std::io::Error),
    #[error("cannot fetch the bootstrap file: {0}")]
    Fetch(#[from] super::Failure),
    #[error("the bootstrap file is not valid RFC 9224 JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the bootstrap file lists no services")]
    Empty,
}

#[derive(Deserialize)]
struct BootstrapFile {
    services: Vec<(Vec<String>, Vec<String>)>,
}

/// Which list gave a domain its RDAP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RdapOrigin {
    /// `LAPSEGUARD_RDAP_SERVERS`.
    Override,
    /// IANA's bootstrap file.
    Iana,
    /// `data/rdap-supplement.json` (or the file `LAPSEGUARD_RDAP_SUPPLEMENT` names).
    Supplement,
}

impl RdapOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Override => "override",
            Self::Iana => "iana",
            Self::Supplement => "supplement",
        }
    }
}

/// The table of RDAP base URLs by DNS suffix: operator overrides, then the bootstrap
/// file, then the supplement.
#[derive(Debug, Clone)]
pub struct Bootstrap {
    services: HashMap<String, Url>,
    supplement: HashMap<String, Url>,
    overrides: HashMap<String, Url>,
}

impl Bootstrap {
    /// Parses an RFC 9224 file. For each entry the first https base URL is kept; http
    /// ones only when `allow_http`. Entries with no usable URL are left out, so their TLDs
    /// count as not covered.
    pub fn from_json(json: &str, allow_http: bool) -> Result<Self, BootstrapError> {
        let file: BootstrapFile = serde_json::from_str(json)?;
        let mut services = HashMap::new();
        for (labels, urls) in file.services {
            let Some(base) = pick_base_url(&urls, allow_http) else {
                continue;
            };
            for label in labels {
                services.insert(normalise_suffix(&label), base.clone());
            }
        }
        if services.is_empty() {
            return Err(BootstrapError::Empty);
        }
        Ok(Self {
            services,
            supplement: HashMap::new(),
            overrides: HashMap::new(),
        })
    }

    /// Reads the supplement to IANA's file; `None` when it is off.
    pub fn load_supplement(
        source: &SupplementSource,
        allow_http: bool,
    ) -> Result<Option<Self>, BootstrapError> {
        let text = match source {
            SupplementSource::Off => return Ok(None),
            SupplementSource::Embedded => EMBEDDED_SUPPLEMENT.to_owned(),
            SupplementSource::File(path) => std::fs::read_to_string(path)?,
        };
        Self::from_json(&text, allow_http).map(Some)
    }

    /// Adds the supplement's entries, which count only where neither the bootstrap file
    /// nor an override knows a server: a stale supplement never overrides a registry's
    /// own registration with IANA.
    pub fn with_supplement(mut self, supplement: Option<&Bootstrap>) -> Self {
        if let Some(supplement) = supplement {
            self.supplement = supplement.services.clone();
        }
        self
    }

    /// Adds `suffix = base URL` entries that win over the bootstrap file.
    pub fn with_overrides(mut self, overrides: &[(String, Url)]) -> Self {
        for (suffix, url) in overrides {
            self.overrides
                .insert(normalise_suffix(suffix), with_trailing_slash(url.clone()));
        }
        self
    }

    /// The RDAP base URL for a domain: the longest override matching on label
    /// boundaries, else the longest bootstrap entry, else the longest supplement entry.
    /// `om` never matches `example.com`.
    pub fn base_url_for(&self, domain: &RegistrableDomain) -> Option<&Url> {
        self.server_for(domain).map(|(_, url)| url)
    }

    /// The base URL for a domain and the list it came from. A name under a shared suffix
    /// (`victim.uk.com`) matches only an entry for that suffix or a longer one: the TLD's
    /// registry knows the platform's registration (`uk.com`), not the name, and its 404
    /// would read as "unregistered".
    pub fn server_for(&self, domain: &RegistrableDomain) -> Option<(RdapOrigin, &Url)> {
        let shortest = domain
            .shared_parent()
            .map_or(0, |parent| parent.as_str().len());
        [
            (RdapOrigin::Override, &self.overrides),
            (RdapOrigin::Iana, &self.services),
            (RdapOrigin::Supplement, &self.supplement),
        ]
        .into_iter()
        .find_map(|(origin, table)| {
            let mut suffixes = domain.suffixes().filter(|suffix| suffix.len() >= shortest);
            suffixes
                .find_map(|suffix| table.get(suffix))
                .map(|url| (origin, url))
        })
    }

    /// How many suffixes the bootstrap file covers (overrides not counted).
    pub fn len(&self) -> usize {
        self.services.len()
    }

    pub fn is_empty(&self) -> bool {
        self.services.is_empty()
    }
}

/// The bootstrap table in use, if one has loaded yet. Readiness waits for it.
#[derive(Debug, Default)]
pub struct BootstrapSlot(RwLock<Option<Arc<Bootstrap>>>);

impl BootstrapSlot {
    pub fn get(&self) -> Option<Arc<Bootstrap>> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set(&self, bootstrap: Bootstrap) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(bootstrap));
    }
}

/// Operator overrides, `tld=base_url,...` (`LAPSEGUARD_RDAP_SERVERS`): https base URLs
/// unless `allow_http`.
pub fn parse_overrides(list: &str, allow_http: bool) -> Result<Vec<(String, Url)>, String> {
    let entries = list.split(',').map(str::trim).filter(|e| !e.is_empty());
    entries
        .map(|entry| {
            let (tld, url) = entry
                .split_once('=')
                .ok_or_else(|| format!("{entry:?} is not tld=base_url"))?;
            let tld = tld.trim().trim_matches('.').to_ascii_lowercase();
            if tld.is_empty() {
                return Err(format!("{entry:?} names no TLD"));
            }
            Ok((tld, super::upstream_url(url.trim(), allow_http)?))
        })
        .collect()
}

fn normalise_suffix(suffix: &str) -> String {
    suffix.trim().trim_matches('.').to_ascii_lowercase()
}

fn pick_base_url(urls: &[String], allow_http: bool) -> Option<Url> {
    let parsed: Vec<Url> = urls.iter().filter_map(|u| Url::parse(u).ok()).collect();
    parsed
        .iter()
        .find(|u| u.scheme() == "https")
        .or_else(|| parsed.iter().find(|u| allow_http && u.scheme() == "http"))
        .cloned()
        .map(with_trailing_slash)
}

/// RFC 9224 base URLs end with `/`; some published ones do not.
fn with_trailing_slash(mut url: Url) -> Url {
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain(name: &str) -> RegistrableDomain {
        RegistrableDomain::parse(name).expect("valid domain")
    }

    const FILE: &str = r#"{"version":"1.0","services":[
        [["om"],["https://rdap.om.example/"]],
        [["com","net"],["http://plain.example/rdap/","https://rdap.verisign.example/com/v1"]],
        [["uk"],["http://only-http.example/"]]
    ]}"#;

    #[test]
    fn matching_respects_label_boundaries() {
        let bootstrap = Bootstrap::from_json(FILE, false).expect("valid");
        let url = bootstrap
            .base_url_for(&domain("example.com"))
            .map(Url::as_str);
        assert_eq!(url, Some("https://rdap.verisign.example/com/v1/"));
        let url = bootstrap
            .base_url_for(&domain("example.om"))
            .map(Url::as_str);
        assert_eq!(url, Some("https://rdap.om.example/"));
    }

    #[test]
    fn http_only_entries_count_only_when_allowed() {
        let strict = Bootstrap::from_json(FILE, false).expect("valid");
        assert_eq!(strict.base_url_for(&domain("example.co.uk")), None);
        let lax = Bootstrap::from_json(FILE, true).expect("valid");
        let url = lax.base_url_for(&domain("example.co.uk")).map(Url::as_str);
        assert_eq!(url, Some("http://only-http.example/"));
    }

    #[test]
    fn overrides_win_over_the_bootstrap_file() {
        let override_url = Url::parse("https://rdap.override.example/v1").expect("url");
        let bootstrap = Bootstrap::from_json(FILE, false)
            .expect("valid")
            .with_overrides(&[
                ("COM".into(), override_url),
                ("io".into(), Url::parse("https://io.example/").expect("url")),
            ]);
        let url = bootstrap
            .base_url_for(&domain("example.com"))
            .map(Url::as_str);
        assert_eq!(url, Some("https://rdap.override.example/v1/"));
        let url = bootstrap
            .base_url_for(&domain("example.io"))
            .map(Url::as_str);
        assert_eq!(url, Some("https://io.example/"));
    }

    #[test]
    fn the_embedded_snapshot_covers_the_big_gtlds_but_not_io() {
        let bootstrap = Bootstrap::from_json(EMBEDDED_BOOTSTRAP, false).expect("valid");
        assert!(bootstrap.len() > 1000);
        assert!(bootstrap.base_url_for(&domain("example.com")).is_some());
        assert!(bootstrap.base_url_for(&domain("example.org")).is_some());
        assert_eq!(bootstrap.base_url_for(&domain("example.io")), None);
    }

    #[test]
    fn the_supplement_fills_gaps_and_never_overrides_iana() {
        let iana = Bootstrap::from_json(
            r#"{"services": [[["com"], ["https://rdap.verisign.com/com/v1/"]]]}"#,
            false,
        )
        .expect("valid");
        let supplement = Bootstrap::load_supplement(&SupplementSource::Embedded, false)
            .expect("the shipped supplement parses")
            .expect("on");
        let mut supplement = supplement;
        supplement.services.insert(
            "com".into(),
            Url::parse("https://stale.example/").expect("url"),
        );
        let table = iana.with_supplement(Some(&supplement));
        let (origin, url) = table.server_for(&domain("example.com")).expect("covered");
        assert_eq!(
            (origin, url.as_str()),
            (RdapOrigin::Iana, "https://rdap.verisign.com/com/v1/")
        );
        let (origin, url) = table.server_for(&domain("example.io")).expect("covered");
        assert_eq!(origin, RdapOrigin::Supplement);
        assert_eq!(url.as_str(), "https://rdap.identitydigital.services/rdap/");
        let table = table.with_overrides(&[(
            "io".into(),
            Url::parse("https://mine.example/").expect("url"),
        )]);
        let (origin, _) = table.server_for(&domain("example.io")).expect("covered");
        assert_eq!(origin, RdapOrigin::Override);
        let off = Bootstrap::load_supplement(&SupplementSource::Off, false).expect("off");
        assert!(off.is_none());
    }

    #[test]
    fn a_name_under_a_shared_suffix_is_never_sent_to_the_tlds_registry() {
        let table = Bootstrap::from_json(
            r#"{"services": [[["com", "io"], ["https://rdap.verisign.com/com/v1/"]]]}"#,
            false,
        )
        .expect("valid");
        let supplement = Bootstrap::load_supplement(&SupplementSource::Embedded, false)
            .expect("the shipped supplement parses");
        let table = table.with_supplement(supplement.as_ref());
        let (origin, url) = table.server_for(&domain("victim.uk.com")).expect("covered");
        assert_eq!(
            (origin, url.as_str()),
            (
                RdapOrigin::Supplement,
                "https://rdap.centralnic.com/uk.com/"
            )
        );
        // The platform's own registration is the TLD registry's.
        let (origin, _) = table.server_for(&domain("uk.com")).expect("covered");
        assert_eq!(origin, RdapOrigin::Iana);
        // No source for names under github.io or ddns.net: not `io`'s or `net`'s registry.
        assert_eq!(table.server_for(&domain("foo.github.io")), None);
        assert_eq!(table.server_for(&domain("alice.ddns.net")), None);
    }

    #[test]
    fn every_supplement_entry_cites_its_source_and_date() {
        let file: serde_json::Value =
            serde_json::from_str(EMBEDDED_SUPPLEMENT).expect("valid JSON");
        let services = file["services"].as_array().expect("services");
        let sources = file["sources"].as_array().expect("sources");
        assert_eq!(services.len(), sources.len());
        let iana = Bootstrap::from_json(EMBEDDED_BOOTSTRAP, false).expect("valid");
        for (service, source) in services.iter().zip(sources) {
            assert_eq!(
                service[0], source["tlds"],
                "sources[i] documents services[i]"
            );
            assert!(source["source"].as_str().is_some_and(|s| s.len() > 20));
            assert!(source["checked"].as_str().is_some_and(|d| d.len() == 10));
            for url in service[1].as_array().expect("urls") {
                assert!(url.as_str().is_some_and(|u| u.starts_with("https://")));
            }
            for tld in service[0].as_array().expect("tlds") {
                let tld = tld.as_str().expect("text");
                let name = domain(&format!("example.{tld}"));
                assert!(
                    iana.base_url_for(&name).is_none(),
                    "{tld} is in IANA's file already"
                );
            }
        }
    }

    #[test]
    fn garbage_is_an_error_not_an_empty_table() {
        assert!(Bootstrap::from_json("{}", false).is_err());
        assert!(Bootstrap::from_json(r#"{"services":[]}"#, false).is_err());
    }
}
