//! Configuration: settings in groups, each parsed straight into the type of the component
//! that uses it. Every variable is named once below, with its default and range; the
//! configuration table of docs/operating.md lists them all. A bad value stops the start
//! with the variable's name.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::str::FromStr;
use std::time::Duration;

use chrono::TimeDelta;
use thiserror::Error;

use crate::checker::CheckSettings;
use crate::domain::decision::UnknownPolicy::{Allow, Deny};
use crate::domain::decision::{DnsOnlyPolicy, Policy};
use crate::domain::guard::GuardSettings;
use crate::domain::nameservers::NameserverClasses;
use crate::domain::notices::NoticeSettings;
use crate::domain::schedule::ScheduleSettings;
use crate::domain::signals::SignalPolicy;
use crate::memory::MemorySettings;
use crate::refresh::retention::RetentionSettings;
use crate::refresh::scheduler::RefreshSettings;
use crate::refresh::webhook::{SigningKey, WebhookSettings};
use crate::secret::Secret;
use crate::telemetry::LogFormat::{self, Json, Pretty};
use crate::upstream::bootstrap::{BootstrapSource, SupplementSource, parse_overrides};
use crate::upstream::breaker::BreakerSettings;
use crate::upstream::dns::{DNS_HOST, DnsSettings};
use crate::upstream::fastly::{self, FastlySettings};
use crate::upstream::http::host_key;
use crate::upstream::pacer::{DEFAULT_REQUEST_SHARE, HostRates, parse_rate};
use crate::upstream::trust::TrustSettings;
use crate::upstream::{UpstreamSettings, upstream_url};
use url::Url;

/// A setting that cannot be used, with the variable's name.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// `LAPSEGUARD_METRICS_LISTEN`: a second listener that serves only `/metrics`, without
    /// a token (keep it on a private network); unset, `/metrics` is on the main listener
    /// and needs the `read` scope.
    pub metrics_listen: Option<SocketAddr>,
    /// `DATABASE_URL`: may carry a password, so it is a [`Secret`].
    pub database_url: Secret<String>,
    pub log_format: LogFormat,
    pub upstream: UpstreamSettings,
    pub check: CheckSettings,
    pub memory: MemorySettings,
    pub schedule: ScheduleSettings,
    pub refresh: RefreshSettings,
    /// Present when `LAPSEGUARD_WEBHOOK_URL` is set.
    pub webhook: Option<WebhookSettings>,
    pub retention: RetentionSettings,
    /// `LAPSEGUARD_MASS_CHANGE_LIMIT`: see `domain/guard.rs`.
    pub guard: GuardSettings,
    /// `LAPSEGUARD_EXPIRY_NOTICE_DAYS` (default `30,7`; set empty, notices are off): see
    /// `domain/notices.rs`.
    pub expiry_notices: NoticeSettings,
}

/// `LAPSEGUARD_NAMESERVER_CLASSES`: `on` (the shipped table), `off` (none), or the path
/// of a file of the shipped table's shape. Read once at start; kept for the process.
fn nameserver_classes(text: &str) -> Result<&'static NameserverClasses, String> {
    match text {
        "on" => Ok(NameserverClasses::shipped_static()),
        "off" => Ok(NameserverClasses::none()),
        path => {
            let read =
                std::fs::read_to_string(path).map_err(|e| format!("cannot read {path:?}: {e}"))?;
            let classes = NameserverClasses::parse(&read).map_err(|e| format!("{path:?}: {e}"))?;
            Ok(Box::leak(Box::new(classes)))
        }
    }
}

/// The longest any time setting may be: longer ones would overflow date arithmetic.
const TEN_YEARS: u64 = 3650 * 86_400;

impl Default for Config {
    fn default() -> Self {
        Self::from_vars(HashMap::new()).expect("the defaults are valid")
    }
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(std::env::vars().collect())
    }

    /// Reads settings from a map of variables; unknown variables are ignored.
    pub fn from_vars(vars: HashMap<String, String>) -> Result<Self, ConfigError> {
        let v = Vars(vars);
        let num = |name, default, range| v.number(name, default, range);
        let secs = |name, default, range| num(name, default, range).map(Duration::from_secs);
        let days =
            |name, default, range| num(name, default, range).map(|n| TimeDelta::days(n as i64));
        let allow_http = v.flag("LAPSEGUARD_ALLOW_HTTP_UPSTREAMS", false)?;
        let (source, servers) = (
            |t: &str| BootstrapSource::parse(t, allow_http),
            |t: &str| parse_overrides(t, allow_http),
        );
        let deadline =
            num("LAPSEGUARD_LOOKUP_DEADLINE_MS", 2000, 1..=60_000).map(Duration::from_millis)?;
        let dns = match v.choice("LAPSEGUARD_DNS", &[("on", true), ("off", false)])? {
            true => Some(DnsSettings {
                servers: v
                    .with("LAPSEGUARD_DNS_SERVERS", DnsSettings::parse_servers)?
                    .unwrap_or_default(),
                timeout: num("LAPSEGUARD_DNS_TIMEOUT_MS", 1000, 1..=60_000)
                    .map(Duration::from_millis)?,
                rate: v.with("LAPSEGUARD_DNS_RATE", parse_rate)?.unwrap_or(50.0),
                trust: TrustSettings {
                    window: secs("LAPSEGUARD_DNS_TRUST_SECONDS", 300, 1..=86_400)?,
                    canaries: v
                        .with("LAPSEGUARD_DNS_CANARIES", parse_canaries)?
                        .unwrap_or_default(),
                },
            }),
            false => None,
        };
        let fastly = match v.get("LAPSEGUARD_FASTLY_API_KEY") {
            Some(key) => Some(FastlySettings {
                key: Secret::new(key.to_owned()),
                url: v
                    .with("LAPSEGUARD_FASTLY_URL", |t| upstream_url(t, allow_http))?
                    .unwrap_or_else(|| Url::parse(fastly::DEFAULT_URL).expect("a valid URL")),
                rate: v.with("LAPSEGUARD_FASTLY_RATE", parse_rate)?.unwrap_or(1.0),
            }),
            None => None,
        };
        let mut host_rates: HostRates =
            v.parsed("LAPSEGUARD_RDAP_HOST_RATE", HostRates::default())?;
        // The DNS and Fastly rates come first: an entry for the same host in
        // LAPSEGUARD_RDAP_HOST_RATE wins.
        let own_rates = dns.iter().map(|d| (DNS_HOST.to_owned(), d.rate));
        let own_rates = own_rates.chain(fastly.iter().map(|f| (host_key(&f.url), f.rate)));
        host_rates.hosts.splice(0..0, own_rates);
        let upstream = UpstreamSettings {
            bootstrap: v
                .with("LAPSEGUARD_RDAP_BOOTSTRAP", source)?
                .unwrap_or(BootstrapSource::Embedded),
            breaker: BreakerSettings {
                failures: num("LAPSEGUARD_BREAKER_FAILURES", 5, 1..=1000)? as u32,
                cooldown: secs("LAPSEGUARD_BREAKER_COOLDOWN_SECONDS", 30, 1..=86_400)?,
            },
            bootstrap_reload: secs(
                "LAPSEGUARD_RDAP_BOOTSTRAP_RELOAD_SECONDS",
                86_400,
                1..=TEN_YEARS,
            )?,
            rdap_servers: v
                .with("LAPSEGUARD_RDAP_SERVERS", servers)?
                .unwrap_or_default(),
            supplement: v
                .with("LAPSEGUARD_RDAP_SUPPLEMENT", |t| {
                    Ok(SupplementSource::parse(t))
                })?
                .unwrap_or(SupplementSource::Embedded),
            host_rates,
            request_share: v
                .with("LAPSEGUARD_REQUEST_PACE_SHARE", |t| {
                    match t.parse::<f64>() {
                        Ok(share) if (0.0..=0.9).contains(&share) => Ok(share),
                        _ => Err(format!("{t:?} is not a share between 0 and 0.9")),
                    }
                })?
                .unwrap_or(DEFAULT_REQUEST_SHARE),
            dns,
            fastly,
            allow_http,
            lookup_deadline: deadline,
        };
        let unknown = [("allow", Allow), ("deny", Deny)];
        let dns_only = [
            ("trust", DnsOnlyPolicy::Trust),
            ("unknown", DnsOnlyPolicy::Unknown),
        ];
        let policy = Policy {
            min_domain_age: days("LAPSEGUARD_MIN_DOMAIN_AGE_DAYS", 30, 0..=3650)?,
            lapse_memory: days("LAPSEGUARD_LAPSE_MEMORY_DAYS", 365, 0..=3650)?,
            unknown: v.choice("LAPSEGUARD_UNKNOWN_POLICY", &unknown)?,
            unseen: v.choice(
                "LAPSEGUARD_UNSEEN_POLICY",
                &[("deny", Deny), ("allow", Allow)],
            )?,
            dns_only: v.choice("LAPSEGUARD_DNS_ONLY_POLICY", &dns_only)?,
            signals: v
                .with("LAPSEGUARD_SIGNAL_POLICY", SignalPolicy::parse)?
                .unwrap_or_default(),
        };
        let memory = MemorySettings {
            capacity: num("LAPSEGUARD_CACHE_CAPACITY", 100_000, 1..=u64::MAX)?,
            failure_cooldown: secs("LAPSEGUARD_FAILURE_COOLDOWN_SECONDS", 30, 0..=86_400)?,
            spool_capacity: num("LAPSEGUARD_SPOOL_CAPACITY", 10_000, 1..=10_000_000)? as usize,
        };
        let confirm_after = num("LAPSEGUARD_CONFIRM_AFTER_SECONDS", 600, 0..=TEN_YEARS)?;
        let schedule = ScheduleSettings {
            max_interval: days("LAPSEGUARD_MAX_CHECK_INTERVAL_DAYS", 90, 1..=3650)?,
            no_expiry_interval: days("LAPSEGUARD_NO_EXPIRY_CHECK_INTERVAL_DAYS", 30, 1..=3650)?,
            confirm_after: TimeDelta::seconds(confirm_after as i64),
            dns_interval: secs(
                "LAPSEGUARD_DNS_CHECK_INTERVAL_SECONDS",
                86_400,
                60..=TEN_YEARS,
            )
            .map(|d| TimeDelta::seconds(d.as_secs() as i64))?,
            nameserver_classes: v
                .with("LAPSEGUARD_NAMESERVER_CLASSES", nameserver_classes)?
                .unwrap_or_else(NameserverClasses::shipped_static),
        };
        let check = CheckSettings {
            max_status_age: secs("LAPSEGUARD_MAX_STATUS_AGE_SECONDS", 21_600, 1..=TEN_YEARS)?,
            deadline,
            batch_deadline: num("LAPSEGUARD_BATCH_DEADLINE_MS", 10_000, 1..=120_000)
                .map(Duration::from_millis)?,
            policy,
            stale_answer: v.with("LAPSEGUARD_STALE_ANSWER_SECONDS", |t| {
                match t.parse::<u64>() {
                    Ok(n) if (1..=TEN_YEARS).contains(&n) => Ok(Duration::from_secs(n)),
                    _ => Err(format!("{t:?} must be between 1 and {TEN_YEARS}")),
                }
            })?,
            schedule,
        };
        let refresh = RefreshSettings {
            run: v.flag("LAPSEGUARD_SCHEDULER", true)?,
            concurrency: num("LAPSEGUARD_REFRESH_CONCURRENCY", 16, 1..=4096)? as usize,
        };
        let retention = RetentionSettings {
            keep_for: days("LAPSEGUARD_OBSERVATION_RETENTION_DAYS", 400, 1..=3650)?,
        };
        let guard = GuardSettings {
            limit: num("LAPSEGUARD_MASS_CHANGE_LIMIT", 50, 0..=u64::from(u32::MAX))?,
        };
        let url = v.with("LAPSEGUARD_WEBHOOK_URL", |t| upstream_url(t, allow_http))?;
        let webhook = match (url, v.with("LAPSEGUARD_WEBHOOK_SECRET", SigningKey::parse)?) {
            (Some(url), Some(key)) => Some(WebhookSettings { url, key }),
            (Some(_), None) => Err(invalid("LAPSEGUARD_WEBHOOK_SECRET", "needed with the URL"))?,
            (None, _) => None,
        };
        let listen = SocketAddr::from(([127, 0, 0, 1], 8080));
        let database = v
            .get("DATABASE_URL")
            .unwrap_or("sqlite://lapseguard.db?mode=rwc");
        let expiry_notices = match (
            v.is_set("LAPSEGUARD_EXPIRY_NOTICE_DAYS"),
            v.with("LAPSEGUARD_EXPIRY_NOTICE_DAYS", NoticeSettings::parse)?,
        ) {
            (_, Some(settings)) => settings,
            (true, None) => NoticeSettings::parse("").unwrap_or_default(),
            (false, None) => NoticeSettings::default(),
        };
        Ok(Self {
            listen: v.parsed("LAPSEGUARD_LISTEN", listen)?,
            metrics_listen: v.with("LAPSEGUARD_METRICS_LISTEN", |text| {
                text.parse::<SocketAddr>().map_err(|e| e.to_string())
            })?,
            database_url: Secret::new(database.to_owned()),
            log_format: v.choice("LAPSEGUARD_LOG", &[("pretty", Pretty), ("json", Json)])?,
            upstream,
            check,
            memory,
            schedule,
            refresh,
            webhook,
            retention,
            guard,
            expiry_notices,
        })
    }
}

/// `LAPSEGUARD_DNS_CANARIES`: names that must resolve, comma-separated, each a valid
/// domain name.
fn parse_canaries(text: &str) -> Result<Vec<String>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(|name| {
            crate::domain::name::EmailDomain::parse(name)
                .map(|domain| domain.as_str().to_owned())
                .map_err(|e| format!("{name:?}: {e}"))
        })
        .collect()
}

/// The environment, read one variable at a time: each reader takes the variable's name
/// and default (and range) once. Empty values count as unset.
struct Vars(HashMap<String, String>);

impl Vars {
    /// Whether the variable is set at all, even to nothing.
    fn is_set(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    /// The variable read by its type's own parser.
    fn parsed<T: FromStr>(&self, name: &'static str, default: T) -> Result<T, ConfigError>
    where
        T::Err: std::fmt::Display,
    {
        match self.get(name) {
            None => Ok(default),
            Some(text) => text
                .parse()
                .map_err(|e| invalid(name, format!("{text:?}: {e}"))),
        }
    }

    /// The variable read by a parser of its own, if set.
    fn with<T>(
        &self,
        name: &'static str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Option<T>, ConfigError> {
        let parsed = self.get(name).map(parse).transpose();
        parsed.map_err(|problem| invalid(name, problem))
    }

    /// A whole number within `range`.
    fn number(
        &self,
        name: &'static str,
        default: u64,
        range: RangeInclusive<u64>,
    ) -> Result<u64, ConfigError> {
        let n = self.parsed(name, default)?;
        if range.contains(&n) {
            Ok(n)
        } else {
            let (low, high) = (range.start(), range.end());
            Err(invalid(name, format!("must be between {low} and {high}")))
        }
    }

    fn flag(&self, name: &'static str, default: bool) -> Result<bool, ConfigError> {
        match self.get(name).map(str::to_ascii_lowercase).as_deref() {
            None => Ok(default),
            Some("true" | "1" | "yes") => Ok(true),
            Some("false" | "0" | "no") => Ok(false),
            Some(other) => Err(invalid(name, format!("{other:?} is not true or false"))),
        }
    }

    /// One of the named options; the first is the default.
    fn choice<T: Copy>(&self, name: &'static str, options: &[(&str, T)]) -> Result<T, ConfigError> {
        let Some(text) = self.get(name) else {
            return Ok(options[0].1);
        };
        options
            .iter()
            .find(|(option, _)| *option == text)
            .map(|(_, value)| *value)
            .ok_or_else(|| {
                let names: Vec<&str> = options.iter().map(|(option, _)| *option).collect();
                invalid(name, format!("{text:?} is not one of {}", names.join(", ")))
            })
    }
}

fn invalid(variable: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        problem: problem.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_need_no_environment() {
        let config = Config::from_vars(HashMap::new()).expect("defaults are valid");
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(
            config.database_url.expose(),
            "sqlite://lapseguard.db?mode=rwc"
        );
        assert_eq!(config.upstream.bootstrap, BootstrapSource::Embedded);
        assert_eq!(config.check.deadline, Duration::from_millis(2000));
        assert_eq!(config.check.batch_deadline, Duration::from_millis(10_000));
        assert_eq!(config.upstream.lookup_deadline, Duration::from_millis(2000));
        assert_eq!(config.check.policy.unknown, Allow);
        assert_eq!(config.check.policy.unseen, Deny);
        assert_eq!(config.check.stale_answer, None);
        assert_eq!(config.upstream.request_share, DEFAULT_REQUEST_SHARE);
        assert_eq!(config.schedule.max_interval, chrono::Duration::days(90));
        assert_eq!(config.memory.failure_cooldown, Duration::from_secs(30));
        assert!(config.refresh.run);
        assert!(config.webhook.is_none());
        assert_eq!(config.expiry_notices.days(), [7, 30]);
    }

    #[test]
    fn plain_http_upstreams_are_refused_unless_allowed() {
        let error = Config::from_vars(vars(&[(
            "LAPSEGUARD_RDAP_SERVERS",
            "io=http://rdap.example/",
        )]))
        .expect_err("http refused");
        assert_eq!(error.variable, "LAPSEGUARD_RDAP_SERVERS");
        let config = Config::from_vars(vars(&[
            (
                "LAPSEGUARD_RDAP_SERVERS",
                "io=http://rdap.example/, .DE=https://de.example/",
            ),
            ("LAPSEGUARD_ALLOW_HTTP_UPSTREAMS", "true"),
        ]))
        .expect("allowed");
        assert_eq!(config.upstream.rdap_servers.len(), 2);
        assert_eq!(config.upstream.rdap_servers[1].0, "de");
    }

    #[test]
    fn a_webhook_url_needs_a_secret() {
        let url = ("LAPSEGUARD_WEBHOOK_URL", "https://hooks.example/lapseguard");
        let error = Config::from_vars(vars(&[url])).expect_err("secret missing");
        assert_eq!(error.variable, "LAPSEGUARD_WEBHOOK_SECRET");
        let config = Config::from_vars(vars(&[url, ("LAPSEGUARD_WEBHOOK_SECRET", "s3cret")]))
            .expect("valid");
        assert!(config.webhook.is_some());
        assert!(
            !format!("{config:?}").contains("s3cret"),
            "the key stays hidden"
        );
    }

    #[test]
    fn host_rates_take_a_default_and_per_host_values() {
        let config = Config::from_vars(vars(&[(
            "LAPSEGUARD_RDAP_HOST_RATE",
            "0.5, rdap.verisign.com=5",
        )]))
        .expect("valid");
        assert_eq!(config.upstream.host_rates.default_per_second, 0.5);
        // The resolver's own rate comes first; a host entry of the operator's wins.
        assert_eq!(
            config.upstream.host_rates.hosts,
            [
                ("dns".to_owned(), 50.0),
                ("rdap.verisign.com".to_owned(), 5.0)
            ]
        );
    }

    #[test]
    fn dns_and_fastly_settings() {
        let config = Config::default();
        let dns = config.upstream.dns.expect("DNS is on by default");
        assert!(dns.servers.is_empty(), "the system resolver by default");
        assert_eq!(dns.timeout, Duration::from_millis(1000));
        assert!(config.upstream.fastly.is_none());
        assert_eq!(config.schedule.dns_interval, TimeDelta::days(1));
        let config = Config::from_vars(vars(&[
            ("LAPSEGUARD_DNS", "off"),
            ("LAPSEGUARD_FASTLY_API_KEY", "k3y"),
            ("LAPSEGUARD_FASTLY_RATE", "2"),
        ]))
        .expect("valid");
        assert!(config.upstream.dns.is_none());
        let fastly = config.upstream.fastly.expect("a key turns Fastly on");
        assert_eq!(fastly.url.as_str(), "https://api.fastly.com/");
        assert_eq!(
            config.upstream.host_rates.hosts,
            [("api.fastly.com:443".to_owned(), 2.0)]
        );
        for (name, value) in [
            ("LAPSEGUARD_DNS", "maybe"),
            ("LAPSEGUARD_DNS_SERVERS", "resolver.example"),
            ("LAPSEGUARD_DNS_RATE", "0"),
            ("LAPSEGUARD_DNS_ONLY_POLICY", "sometimes"),
            ("LAPSEGUARD_DNS_CHECK_INTERVAL_SECONDS", "1"),
        ] {
            let error = Config::from_vars(vars(&[(name, value)])).expect_err(name);
            assert_eq!(error.variable, name);
        }
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (name, value) in [
            ("LAPSEGUARD_LISTEN", "nowhere"),
            ("LAPSEGUARD_LOOKUP_DEADLINE_MS", "0"),
            ("LAPSEGUARD_BATCH_DEADLINE_MS", "0"),
            ("LAPSEGUARD_EXPIRY_NOTICE_DAYS", "30,seven"),
            ("LAPSEGUARD_UNKNOWN_POLICY", "maybe"),
            ("LAPSEGUARD_UNSEEN_POLICY", "allow-all"),
            ("LAPSEGUARD_STALE_ANSWER_SECONDS", "0"),
            ("LAPSEGUARD_REQUEST_PACE_SHARE", "1"),
            ("LAPSEGUARD_LOG", "xml"),
            ("LAPSEGUARD_RDAP_SERVERS", "io"),
            ("LAPSEGUARD_CACHE_CAPACITY", "-1"),
            ("LAPSEGUARD_CACHE_CAPACITY", "0"),
            ("LAPSEGUARD_SCHEDULER", "sometimes"),
            ("LAPSEGUARD_MAX_STATUS_AGE_SECONDS", "18446744073709551615"),
            ("LAPSEGUARD_LAPSE_MEMORY_DAYS", "4000000000"),
            ("LAPSEGUARD_MAX_CHECK_INTERVAL_DAYS", "0"),
            ("LAPSEGUARD_CONFIRM_AFTER_SECONDS", "999999999999"),
            ("LAPSEGUARD_REFRESH_CONCURRENCY", "18446744073709551615"),
            ("LAPSEGUARD_FAILURE_COOLDOWN_SECONDS", "86401"),
            ("LAPSEGUARD_RDAP_HOST_RATE", "1e-300"),
            ("LAPSEGUARD_RDAP_HOST_RATE", "fast"),
            ("LAPSEGUARD_RDAP_HOST_RATE", "1,rdap.example=0"),
            ("LAPSEGUARD_WEBHOOK_SECRET", "whsec_not base64!"),
        ] {
            let result = Config::from_vars(vars(&[(name, value)]));
            assert_eq!(result.expect_err(value).variable, name);
        }
    }
}
