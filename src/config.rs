//! Configuration: one struct, defaults in code, environment overrides, validated at start.
//! Every variable is listed in the README.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use thiserror::Error;
use url::Url;

use crate::domain::decision::{Policy, UnknownPolicy};
use crate::domain::schedule::ScheduleSettings;
use crate::refresh::pacer::HostRates;
use crate::refresh::webhook::SigningKey;
use crate::store::RecordSettings;
use crate::telemetry::LogFormat;
use crate::upstream::bootstrap::BootstrapSource;

/// A setting that cannot be used, with the variable's name.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// `LAPSEGUARD_LISTEN`, default `127.0.0.1:8080`.
    pub listen: SocketAddr,
    /// `DATABASE_URL`, default `sqlite://lapseguard.db?mode=rwc`.
    pub database_url: String,
    /// `LAPSEGUARD_LOG`: `pretty` (default) or `json`.
    pub log_format: LogFormat,
    /// `LAPSEGUARD_RDAP_BOOTSTRAP`: a file path or an http(s) URL; default the embedded snapshot.
    pub bootstrap: BootstrapSource,
    /// `LAPSEGUARD_RDAP_SERVERS`: `tld=base_url,...`, winning over the bootstrap.
    pub rdap_servers: Vec<(String, Url)>,
    /// `LAPSEGUARD_ALLOW_HTTP_UPSTREAMS`: permit plain-http upstreams (tests only). Default false.
    pub allow_http_upstreams: bool,
    /// `LAPSEGUARD_LOOKUP_DEADLINE_MS`, default 2000.
    pub lookup_deadline: Duration,
    /// `LAPSEGUARD_MAX_STATUS_AGE_SECONDS`, default 21600 (6 hours).
    pub max_status_age: Duration,
    /// `LAPSEGUARD_MIN_DOMAIN_AGE_DAYS`, default 30.
    pub min_domain_age_days: u32,
    /// `LAPSEGUARD_LAPSE_MEMORY_DAYS`, default 365.
    pub lapse_memory_days: u32,
    /// `LAPSEGUARD_UNKNOWN_POLICY`: `allow` (default) or `deny`.
    pub unknown_policy: UnknownPolicy,
    /// `LAPSEGUARD_FAILURE_COOLDOWN_SECONDS`: after a failed lookup, checks of the domain
    /// answer without asking again for this long. Default 30.
    pub failure_cooldown: Duration,
    /// `LAPSEGUARD_CACHE_CAPACITY`: domains kept in memory, default 100000.
    pub cache_capacity: u64,
    /// `LAPSEGUARD_SCHEDULER`: run the background refresh on this replica (default true;
    /// with several replicas, one at a time runs it anyway).
    pub scheduler: bool,
    /// `LAPSEGUARD_MAX_CHECK_INTERVAL_DAYS`, default 90.
    pub max_check_interval_days: u32,
    /// `LAPSEGUARD_NO_EXPIRY_CHECK_INTERVAL_DAYS`, default 30.
    pub no_expiry_check_interval_days: u32,
    /// `LAPSEGUARD_CONFIRM_AFTER_SECONDS`, default 600.
    pub confirm_after: Duration,
    /// `LAPSEGUARD_RDAP_HOST_RATE`: requests per second per RDAP host.
    pub host_rates: HostRates,
    /// `LAPSEGUARD_REFRESH_CONCURRENCY`: lookups in flight at once, default 16.
    pub refresh_concurrency: usize,
    /// `LAPSEGUARD_WEBHOOK_URL`: where transitions are POSTed; none by default.
    pub webhook_url: Option<Url>,
    /// `LAPSEGUARD_WEBHOOK_SECRET`: the signing key, required with a webhook URL.
    pub webhook_secret: Option<SigningKey>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: "sqlite://lapseguard.db?mode=rwc".to_owned(),
            log_format: LogFormat::Pretty,
            bootstrap: BootstrapSource::Embedded,
            rdap_servers: Vec::new(),
            allow_http_upstreams: false,
            lookup_deadline: Duration::from_millis(2000),
            max_status_age: Duration::from_secs(21_600),
            min_domain_age_days: 30,
            lapse_memory_days: 365,
            unknown_policy: UnknownPolicy::Allow,
            failure_cooldown: Duration::from_secs(30),
            cache_capacity: 100_000,
            scheduler: true,
            max_check_interval_days: 90,
            no_expiry_check_interval_days: 30,
            confirm_after: Duration::from_secs(600),
            host_rates: HostRates::default(),
            refresh_concurrency: 16,
            webhook_url: None,
            webhook_secret: None,
        }
    }
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(std::env::vars().collect())
    }

    /// Reads settings from a map of variables; unknown variables are ignored.
    pub fn from_vars(vars: HashMap<String, String>) -> Result<Self, ConfigError> {
        let get = |name: &str| vars.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        let defaults = Self::default();
        let allow_http_upstreams = match get("LAPSEGUARD_ALLOW_HTTP_UPSTREAMS") {
            Some(value) => parse_bool("LAPSEGUARD_ALLOW_HTTP_UPSTREAMS", value)?,
            None => defaults.allow_http_upstreams,
        };
        let config = Self {
            listen: parse_or(
                "LAPSEGUARD_LISTEN",
                get("LAPSEGUARD_LISTEN"),
                defaults.listen,
            )?,
            database_url: get("DATABASE_URL")
                .map(str::to_owned)
                .unwrap_or(defaults.database_url),
            log_format: match get("LAPSEGUARD_LOG") {
                None | Some("pretty") => LogFormat::Pretty,
                Some("json") => LogFormat::Json,
                Some(other) => {
                    return Err(invalid(
                        "LAPSEGUARD_LOG",
                        format!("{other:?} is not pretty or json"),
                    ));
                }
            },
            bootstrap: match get("LAPSEGUARD_RDAP_BOOTSTRAP") {
                None => BootstrapSource::Embedded,
                Some(value) if value.starts_with("http://") || value.starts_with("https://") => {
                    BootstrapSource::Url(upstream_url(
                        "LAPSEGUARD_RDAP_BOOTSTRAP",
                        value,
                        allow_http_upstreams,
                    )?)
                }
                Some(path) => BootstrapSource::File(PathBuf::from(path)),
            },
            rdap_servers: match get("LAPSEGUARD_RDAP_SERVERS") {
                None => Vec::new(),
                Some(list) => parse_servers(list, allow_http_upstreams)?,
            },
            allow_http_upstreams,
            lookup_deadline: Duration::from_millis(bounded(
                "LAPSEGUARD_LOOKUP_DEADLINE_MS",
                get("LAPSEGUARD_LOOKUP_DEADLINE_MS"),
                2000,
                1..=60_000,
            )?),
            max_status_age: Duration::from_secs(bounded(
                "LAPSEGUARD_MAX_STATUS_AGE_SECONDS",
                get("LAPSEGUARD_MAX_STATUS_AGE_SECONDS"),
                21_600,
                1..=TEN_YEARS_SECONDS,
            )?),
            min_domain_age_days: bounded(
                "LAPSEGUARD_MIN_DOMAIN_AGE_DAYS",
                get("LAPSEGUARD_MIN_DOMAIN_AGE_DAYS"),
                u64::from(defaults.min_domain_age_days),
                0..=3650,
            )? as u32,
            lapse_memory_days: bounded(
                "LAPSEGUARD_LAPSE_MEMORY_DAYS",
                get("LAPSEGUARD_LAPSE_MEMORY_DAYS"),
                u64::from(defaults.lapse_memory_days),
                0..=3650,
            )? as u32,
            unknown_policy: match get("LAPSEGUARD_UNKNOWN_POLICY") {
                None | Some("allow") => UnknownPolicy::Allow,
                Some("deny") => UnknownPolicy::Deny,
                Some(other) => {
                    return Err(invalid(
                        "LAPSEGUARD_UNKNOWN_POLICY",
                        format!("{other:?} is not allow or deny"),
                    ));
                }
            },
            failure_cooldown: Duration::from_secs(bounded(
                "LAPSEGUARD_FAILURE_COOLDOWN_SECONDS",
                get("LAPSEGUARD_FAILURE_COOLDOWN_SECONDS"),
                30,
                0..=86_400,
            )?),
            cache_capacity: positive(
                "LAPSEGUARD_CACHE_CAPACITY",
                get("LAPSEGUARD_CACHE_CAPACITY"),
                defaults.cache_capacity,
            )?,
            scheduler: match get("LAPSEGUARD_SCHEDULER") {
                Some(value) => parse_bool("LAPSEGUARD_SCHEDULER", value)?,
                None => defaults.scheduler,
            },
            max_check_interval_days: days(
                "LAPSEGUARD_MAX_CHECK_INTERVAL_DAYS",
                get("LAPSEGUARD_MAX_CHECK_INTERVAL_DAYS"),
                defaults.max_check_interval_days,
            )?,
            no_expiry_check_interval_days: days(
                "LAPSEGUARD_NO_EXPIRY_CHECK_INTERVAL_DAYS",
                get("LAPSEGUARD_NO_EXPIRY_CHECK_INTERVAL_DAYS"),
                defaults.no_expiry_check_interval_days,
            )?,
            confirm_after: Duration::from_secs(bounded(
                "LAPSEGUARD_CONFIRM_AFTER_SECONDS",
                get("LAPSEGUARD_CONFIRM_AFTER_SECONDS"),
                600,
                0..=TEN_YEARS_SECONDS,
            )?),
            host_rates: match get("LAPSEGUARD_RDAP_HOST_RATE") {
                Some(text) => parse_host_rates(text)?,
                None => defaults.host_rates,
            },
            refresh_concurrency: bounded(
                "LAPSEGUARD_REFRESH_CONCURRENCY",
                get("LAPSEGUARD_REFRESH_CONCURRENCY"),
                16,
                1..=4096,
            )? as usize,
            webhook_url: get("LAPSEGUARD_WEBHOOK_URL")
                .map(|url| upstream_url("LAPSEGUARD_WEBHOOK_URL", url, allow_http_upstreams))
                .transpose()?,
            webhook_secret: get("LAPSEGUARD_WEBHOOK_SECRET")
                .map(|secret| {
                    SigningKey::parse(secret)
                        .map_err(|problem| invalid("LAPSEGUARD_WEBHOOK_SECRET", problem))
                })
                .transpose()?,
        };
        if config.webhook_url.is_some() && config.webhook_secret.is_none() {
            return Err(invalid(
                "LAPSEGUARD_WEBHOOK_SECRET",
                "required when LAPSEGUARD_WEBHOOK_URL is set",
            ));
        }
        Ok(config)
    }

    /// The refresh schedule's knobs.
    pub fn schedule(&self) -> ScheduleSettings {
        ScheduleSettings {
            max_interval: chrono::Duration::days(i64::from(self.max_check_interval_days)),
            no_expiry_interval: chrono::Duration::days(i64::from(
                self.no_expiry_check_interval_days,
            )),
            confirm_after: chrono::Duration::from_std(self.confirm_after)
                .expect("bounded to ten years when read"),
        }
    }

    /// How observations are recorded.
    pub fn record_settings(&self) -> RecordSettings {
        RecordSettings {
            schedule: self.schedule(),
            webhooks: self.webhook_url.is_some(),
            origin: crate::store::Origin::Schedule,
        }
    }

    /// The decision knobs.
    pub fn policy(&self) -> Policy {
        Policy {
            min_domain_age: chrono::Duration::days(i64::from(self.min_domain_age_days)),
            lapse_memory: chrono::Duration::days(i64::from(self.lapse_memory_days)),
            unknown: self.unknown_policy,
        }
    }
}

fn invalid(variable: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        problem: problem.into(),
    }
}

fn parse_or<T: std::str::FromStr>(
    variable: &'static str,
    value: Option<&str>,
    default: T,
) -> Result<T, ConfigError> {
    match value {
        None => Ok(default),
        Some(text) => text
            .parse()
            .map_err(|_| invalid(variable, format!("{text:?} cannot be parsed"))),
    }
}

fn positive(variable: &'static str, value: Option<&str>, default: u64) -> Result<u64, ConfigError> {
    match parse_or(variable, value, default)? {
        0 => Err(invalid(variable, "must be greater than zero")),
        n => Ok(n),
    }
}

/// The longest any time setting may be: longer ones would overflow date arithmetic.
const TEN_YEARS_SECONDS: u64 = 3650 * 86_400;

/// A whole number within `range`.
fn bounded(
    variable: &'static str,
    value: Option<&str>,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, ConfigError> {
    let n = parse_or(variable, value, default)?;
    if range.contains(&n) {
        Ok(n)
    } else {
        Err(invalid(
            variable,
            format!("must be between {} and {}", range.start(), range.end()),
        ))
    }
}

/// A number of days: at least 1, at most 10 years.
fn days(variable: &'static str, value: Option<&str>, default: u32) -> Result<u32, ConfigError> {
    bounded(variable, value, u64::from(default), 1..=3650).map(|n| n as u32)
}

fn parse_bool(variable: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        other => Err(invalid(variable, format!("{other:?} is not true or false"))),
    }
}

/// An upstream URL: https, or http only when explicitly allowed.
fn upstream_url(variable: &'static str, text: &str, allow_http: bool) -> Result<Url, ConfigError> {
    let url = Url::parse(text).map_err(|e| invalid(variable, format!("{text:?}: {e}")))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if allow_http => Ok(url),
        "http" => Err(invalid(
            variable,
            format!(
                "{text:?} is plain http; use https (LAPSEGUARD_ALLOW_HTTP_UPSTREAMS=true is for tests)"
            ),
        )),
        other => Err(invalid(variable, format!("scheme {other:?} is not https"))),
    }
}

fn parse_host_rates(text: &str) -> Result<HostRates, ConfigError> {
    const VARIABLE: &str = "LAPSEGUARD_RDAP_HOST_RATE";
    let rate = |value: &str| -> Result<f64, ConfigError> {
        match value.trim().parse::<f64>() {
            // Below one request in 1,000 s the pacing intervals stop meaning anything.
            Ok(rate) if (0.001..=1_000_000.0).contains(&rate) => Ok(rate),
            _ => Err(invalid(
                VARIABLE,
                format!("{value:?} is not a rate between 0.001 and 1000000 per second"),
            )),
        }
    };
    let mut rates = HostRates::default();
    for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        match entry.split_once('=') {
            Some((host, value)) => rates
                .hosts
                .push((host.trim().to_ascii_lowercase(), rate(value)?)),
            None => rates.default_per_second = rate(entry)?,
        }
    }
    Ok(rates)
}

fn parse_servers(list: &str, allow_http: bool) -> Result<Vec<(String, Url)>, ConfigError> {
    const VARIABLE: &str = "LAPSEGUARD_RDAP_SERVERS";
    list.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let (tld, url) = entry
                .split_once('=')
                .ok_or_else(|| invalid(VARIABLE, format!("{entry:?} is not tld=base_url")))?;
            let tld = tld.trim().trim_matches('.').to_ascii_lowercase();
            if tld.is_empty() {
                return Err(invalid(VARIABLE, format!("{entry:?} names no TLD")));
            }
            Ok((tld, upstream_url(VARIABLE, url.trim(), allow_http)?))
        })
        .collect()
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
        assert_eq!(config.database_url, "sqlite://lapseguard.db?mode=rwc");
        assert_eq!(config.bootstrap, BootstrapSource::Embedded);
        assert_eq!(config.lookup_deadline, Duration::from_millis(2000));
        assert_eq!(config.unknown_policy, UnknownPolicy::Allow);
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
        assert_eq!(config.rdap_servers.len(), 2);
        assert_eq!(config.rdap_servers[1].0, "de");
    }

    #[test]
    fn a_webhook_url_needs_a_secret() {
        let url = ("LAPSEGUARD_WEBHOOK_URL", "https://hooks.example/lapseguard");
        let error = Config::from_vars(vars(&[url])).expect_err("secret missing");
        assert_eq!(error.variable, "LAPSEGUARD_WEBHOOK_SECRET");
        let config = Config::from_vars(vars(&[url, ("LAPSEGUARD_WEBHOOK_SECRET", "s3cret")]))
            .expect("valid");
        assert!(config.record_settings().webhooks);
    }

    #[test]
    fn host_rates_take_a_default_and_per_host_values() {
        let config = Config::from_vars(vars(&[(
            "LAPSEGUARD_RDAP_HOST_RATE",
            "0.5, rdap.verisign.com=5",
        )]))
        .expect("valid");
        assert_eq!(config.host_rates.default_per_second, 0.5);
        assert_eq!(
            config.host_rates.hosts,
            [("rdap.verisign.com".to_owned(), 5.0)]
        );
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (name, value) in [
            ("LAPSEGUARD_LISTEN", "nowhere"),
            ("LAPSEGUARD_LOOKUP_DEADLINE_MS", "0"),
            ("LAPSEGUARD_UNKNOWN_POLICY", "maybe"),
            ("LAPSEGUARD_LOG", "xml"),
            ("LAPSEGUARD_RDAP_SERVERS", "io"),
            ("LAPSEGUARD_CACHE_CAPACITY", "-1"),
            ("LAPSEGUARD_MAX_STATUS_AGE_SECONDS", "18446744073709551615"),
            ("LAPSEGUARD_LAPSE_MEMORY_DAYS", "4000000000"),
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
