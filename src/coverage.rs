//! `lapseguard coverage FILE|-`: which source would answer for each entry of a user
//! table under the current settings, without any network access. An operator runs it
//! before adopting lapseguard.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use tokio::io::AsyncBufRead;

use crate::domain::name::RegistrableDomain;
use crate::import::EntryReader;
use crate::upstream::bootstrap::{Bootstrap, RdapOrigin};

/// How many TLDs the report lists.
const TOP_TLDS: usize = 20;

/// Which sources are configured.
#[derive(Debug, Clone, Copy)]
pub struct Enabled {
    pub fastly: bool,
    pub dns: bool,
}

/// The source that would answer for one domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answerer {
    Rdap(RdapOrigin),
    Fastly,
    Dns,
    None,
}

impl Answerer {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rdap(_) => "rdap",
            Self::Fastly => "fastly",
            Self::Dns => "dns",
            Self::None => "none",
        }
    }

    /// The order the sources are asked in, and the report's.
    const CLASSES: [&'static str; 4] = ["rdap", "fastly", "dns", "none"];
}

/// Mirrors the checker's choice: an RDAP server, else Fastly, else DNS.
pub fn answerer(domain: &RegistrableDomain, bootstrap: &Bootstrap, enabled: Enabled) -> Answerer {
    match bootstrap.server_for(domain) {
        Some((origin, _)) => Answerer::Rdap(origin),
        None if enabled.fastly => Answerer::Fastly,
        None if enabled.dns => Answerer::Dns,
        None => Answerer::None,
    }
}

/// The report, as `--json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    pub entries: u64,
    pub rejected: u64,
    pub by_source: BTreeMap<&'static str, u64>,
    pub rdap_by_origin: BTreeMap<&'static str, u64>,
    /// The TLDs with the most entries that no registry source (RDAP, Fastly) covers.
    pub tlds_without_registry_data: Vec<TldCount>,
    /// Entries under a private suffix of the Public Suffix List (`victim.uk.com`,
    /// `alice.ddns.net`): those a source covers are looked up by their own name (counted
    /// above by that source); the rest answer `domain_under_shared_suffix`.
    pub shared_suffix: SharedSuffixCount,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SharedSuffixCount {
    pub looked_up_by_name: u64,
    /// Counted above by the source of the platform's domain, which is asked for its
    /// lapses only.
    pub unknown_policy: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TldCount {
    pub tld: String,
    pub entries: u64,
}

/// Reads entries (the `import` format) and counts who would answer for each.
pub async fn coverage<R: AsyncBufRead + Unpin>(
    input: R,
    bootstrap: &Bootstrap,
    enabled: Enabled,
) -> Result<Coverage, std::io::Error> {
    let mut report = Coverage {
        entries: 0,
        rejected: 0,
        by_source: Answerer::CLASSES.iter().map(|c| (*c, 0)).collect(),
        rdap_by_origin: [
            RdapOrigin::Iana,
            RdapOrigin::Supplement,
            RdapOrigin::Override,
        ]
        .iter()
        .map(|o| (o.as_str(), 0))
        .collect(),
        tlds_without_registry_data: Vec::new(),
        shared_suffix: SharedSuffixCount::default(),
    };
    let mut lacking: HashMap<String, u64> = HashMap::new();
    let mut entries = EntryReader::new(input);
    while let Some(parsed) = entries.next_with_shared().await? {
        report.entries += 1;
        let Ok((icann, shared)) = parsed else {
            report.rejected += 1;
            continue;
        };
        let domain = match shared {
            Some(shared) if bootstrap.server_for(&shared).is_some() => {
                report.shared_suffix.looked_up_by_name += 1;
                shared
            }
            Some(_) => {
                report.shared_suffix.unknown_policy += 1;
                icann
            }
            None => icann,
        };
        let answerer = answerer(&domain, bootstrap, enabled);
        *report.by_source.entry(answerer.as_str()).or_default() += 1;
        match answerer {
            Answerer::Rdap(origin) => {
                *report.rdap_by_origin.entry(origin.as_str()).or_default() += 1
            }
            Answerer::Fastly => {}
            Answerer::Dns | Answerer::None => {
                let tld = domain.tld();
                *lacking.entry(tld.to_owned()).or_default() += 1;
            }
        }
    }
    let mut lacking: Vec<TldCount> = lacking
        .into_iter()
        .map(|(tld, entries)| TldCount { tld, entries })
        .collect();
    lacking.sort_by(|a, b| b.entries.cmp(&a.entries).then_with(|| a.tld.cmp(&b.tld)));
    lacking.truncate(TOP_TLDS);
    report.tlds_without_registry_data = lacking;
    Ok(report)
}

/// The report for a terminal: counts and shares per class.
pub fn table(report: &Coverage) -> String {
    let usable = report.entries - report.rejected;
    let share = |n: u64| {
        if usable == 0 {
            0.0
        } else {
            n as f64 * 100.0 / usable as f64
        }
    };
    let mut out = format!(
        "{} entries, {} rejected, {} usable\n\nsource   entries   share\n",
        report.entries, report.rejected, usable
    );
    for class in Answerer::CLASSES {
        let n = report.by_source.get(class).copied().unwrap_or(0);
        out += &format!("{class:<8} {n:>8} {:>6.1}%\n", share(n));
    }
    out += "\nrdap by origin\n";
    for (origin, n) in &report.rdap_by_origin {
        out += &format!("  {origin:<12} {n:>8} {:>6.1}%\n", share(*n));
    }
    let shared = report.shared_suffix;
    out += &format!(
        "\nunder a shared suffix (uk.com, ddns.net, ...): {} looked up by their own name, {} answered domain_under_shared_suffix\n",
        shared.looked_up_by_name, shared.unknown_policy
    );
    out += "\nTLDs with the most entries lacking registry data (answered by DNS or nothing)\n";
    for TldCount { tld, entries } in &report.tlds_without_registry_data {
        out += &format!("  .{tld:<10} {entries:>8}\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use url::Url;

    fn bootstrap() -> Bootstrap {
        let iana = Bootstrap::from_json(
            r#"{"services": [[["com"], ["https://rdap.example/"]]]}"#,
            false,
        )
        .expect("valid");
        let supplement =
            Bootstrap::from_json(r#"{"services": [[["io"], ["https://s.example/"]]]}"#, false)
                .expect("valid");
        let mine = Url::parse("https://mine.example/").expect("url");
        iana.with_supplement(Some(&supplement))
            .with_overrides(&[("de".into(), mine)])
    }

    #[tokio::test]
    async fn counts_entries_under_shared_suffixes() {
        let centralnic = Bootstrap::from_json(
            r#"{"services": [[["uk.com"], ["https://c.example/uk.com/"]]]}"#,
            false,
        )
        .expect("valid");
        let table_ = bootstrap().with_supplement(Some(&centralnic));
        let input = "a@victim.uk.com\nb@alice.ddns.net\nc@example.com\nvictim2.uk.com\n";
        let enabled = Enabled {
            fastly: false,
            dns: true,
        };
        let report = coverage(input.as_bytes(), &table_, enabled)
            .await
            .expect("read");
        assert_eq!(
            report.shared_suffix,
            SharedSuffixCount {
                looked_up_by_name: 2,
                unknown_policy: 1
            }
        );
        assert_eq!(report.rdap_by_origin["supplement"], 2);
        assert!(table(&report).contains("2 looked up by their own name, 1 answered"));
    }

    #[tokio::test]
    async fn counts_each_entry_by_the_source_that_would_answer() {
        let input =
            "a@x.com\nb@y.com\nc@z.io\nd@w.de\ne@v.ru\nf@u.ru\ng@t.it\nnot an address\n# note\n";
        let enabled = Enabled {
            fastly: false,
            dns: true,
        };
        let report = coverage(input.as_bytes(), &bootstrap(), enabled)
            .await
            .expect("read");
        assert_eq!(report.entries, 8);
        assert_eq!(report.rejected, 1);
        assert_eq!(report.by_source["rdap"], 4);
        assert_eq!(report.by_source["dns"], 3);
        assert_eq!(report.by_source["none"], 0);
        assert_eq!(report.rdap_by_origin["iana"], 2);
        assert_eq!(report.rdap_by_origin["supplement"], 1);
        assert_eq!(report.rdap_by_origin["override"], 1);
        assert_eq!(
            report.tlds_without_registry_data,
            [
                TldCount {
                    tld: "ru".into(),
                    entries: 2
                },
                TldCount {
                    tld: "it".into(),
                    entries: 1
                }
            ]
        );
        let text = table(&report);
        assert!(text.contains("dns             3   42.9%"), "{text}");

        let fastly = Enabled {
            fastly: true,
            dns: true,
        };
        let report = coverage(input.as_bytes(), &bootstrap(), fastly)
            .await
            .expect("read");
        assert_eq!(report.by_source["fastly"], 3);
        assert!(report.tlds_without_registry_data.is_empty());
        let nothing = Enabled {
            fastly: false,
            dns: false,
        };
        let report = coverage(input.as_bytes(), &bootstrap(), nothing)
            .await
            .expect("read");
        assert_eq!(report.by_source["none"], 3);
    }
}
