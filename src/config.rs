//! Configuration: one struct, defaults in code, environment overrides, validated at start.
//! Every variable is listed in the README.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use thiserror::Error;
use url::Url;

use crate::domain::decision::{Policy, UnknownPolicy};
use crate::upstream::bootstrap::BootstrapSource;

/// A setting that cannot be used, with the variable's name.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
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
    /// `LAPSEGUARD_CACHE_CAPACITY`: domains kept in memory, default 100000.
    pub cache_capacity: u64,
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
            cache_capacity: 100_000,
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
            lookup_deadline: Duration::from_millis(positive(
                "LAPSEGUARD_LOOKUP_DEADLINE_MS",
                get("LAPSEGUARD_LOOKUP_DEADLINE_MS"),
                2000,
            )?),
            max_status_age: Duration::from_secs(positive(
                "LAPSEGUARD_MAX_STATUS_AGE_SECONDS",
                get("LAPSEGUARD_MAX_STATUS_AGE_SECONDS"),
                21_600,
            )?),
            min_domain_age_days: parse_or(
                "LAPSEGUARD_MIN_DOMAIN_AGE_DAYS",
                get("LAPSEGUARD_MIN_DOMAIN_AGE_DAYS"),
                defaults.min_domain_age_days,
            )?,
            lapse_memory_days: parse_or(
                "LAPSEGUARD_LAPSE_MEMORY_DAYS",
                get("LAPSEGUARD_LAPSE_MEMORY_DAYS"),
                defaults.lapse_memory_days,
            )?,
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
            cache_capacity: positive(
                "LAPSEGUARD_CACHE_CAPACITY",
                get("LAPSEGUARD_CACHE_CAPACITY"),
                defaults.cache_capacity,
            )?,
        };
        Ok(config)
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
    fn bad_values_name_their_variable() {
        for (name, value) in [
            ("LAPSEGUARD_LISTEN", "nowhere"),
            ("LAPSEGUARD_LOOKUP_DEADLINE_MS", "0"),
            ("LAPSEGUARD_UNKNOWN_POLICY", "maybe"),
            ("LAPSEGUARD_LOG", "xml"),
            ("LAPSEGUARD_RDAP_SERVERS", "io"),
            ("LAPSEGUARD_CACHE_CAPACITY", "-1"),
        ] {
            let result = Config::from_vars(vars(&[(name, value)]));
            assert_eq!(result.expect_err(value).variable, name);
        }
    }
}
