//! RDAP (RFC 9082, 9083): one domain query to the registry's server, through the shared
//! HTTP client (`http.rs`: https only unless allowed, at most 3 redirects, at most 1 MiB
//! of response, a per-host pause after a 429), and the parsing of its answer.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Timelike, Utc};
use reqwest::StatusCode;
use reqwest::header::ACCEPT;
use serde::Deserialize;
use url::Url;

use super::bootstrap::{
    Bootstrap, BootstrapError, BootstrapSlot, BootstrapSource, EMBEDDED_BOOTSTRAP,
    MAX_BOOTSTRAP_BYTES,
};
use super::http::{MAX_RESPONSE_BYTES, UpstreamHttp, host_key, read_capped};
use super::{Answer, Failure, Lookup, LookupError, Skipped};
use crate::domain::lifecycle::normalise_status;
use crate::domain::name::RegistrableDomain;
use crate::domain::status::{EvidenceSource, Registration};

/// RDAP's two requests: a domain, and the bootstrap file.
impl UpstreamHttp {
    /// `GET {base}domain/{a-label}`.
    pub async fn fetch_domain(
        &self,
        base: &Url,
        domain: &RegistrableDomain,
    ) -> Result<Answer, LookupError> {
        let url = base
            .join(&format!("domain/{}", domain.as_str()))
            .map_err(|_| Failure::Transport)?;
        let host = host_key(&url);
        let accept = "application/rdap+json, application/json;q=0.8";
        let response = self.get(url, &[(ACCEPT.as_str(), accept)]).await?;
        match response.status() {
            // A 404 proves absence only when the selected registry server said it, not a
            // redirector or a registrar it sent us to.
            StatusCode::NOT_FOUND if host_key(response.url()) == host => Ok(Answer::NotFound),
            status if !status.is_success() => Err(Failure::Status(status.as_u16()).into()),
            _ => {
                let body = read_capped(response, MAX_RESPONSE_BYTES).await?;
                parse_domain(&body).map(Answer::Found).map_err(Into::into)
            }
        }
    }

    /// Reads and parses the bootstrap file, fetching it when it is a URL.
    pub async fn load_bootstrap(
        &self,
        source: &BootstrapSource,
        allow_http: bool,
    ) -> Result<Bootstrap, BootstrapError> {
        match source {
            BootstrapSource::Embedded => Bootstrap::from_json(EMBEDDED_BOOTSTRAP, allow_http),
            BootstrapSource::File(path) => {
                Bootstrap::from_json(&tokio::fs::read_to_string(path).await?, allow_http)
            }
            BootstrapSource::Url(url) => {
                let bytes = self.fetch_document(url, MAX_BOOTSTRAP_BYTES).await?;
                Bootstrap::from_json(&String::from_utf8_lossy(&bytes), allow_http)
            }
        }
    }
}

/// RDAP lookups through the bootstrap table.
pub struct RdapLookup {
    bootstrap: Arc<BootstrapSlot>,
    client: Arc<UpstreamHttp>,
}

impl RdapLookup {
    pub fn new(bootstrap: Arc<BootstrapSlot>, client: Arc<UpstreamHttp>) -> Self {
        Self { bootstrap, client }
    }
}

impl RdapLookup {
    fn base_url(&self, domain: &RegistrableDomain) -> Result<Url, Skipped> {
        let table = self.bootstrap.get().ok_or(Skipped::NotReady)?;
        table
            .base_url_for(domain)
            .cloned()
            .ok_or(Skipped::NotCovered)
    }
}

#[async_trait]
impl Lookup for RdapLookup {
    fn source(&self) -> EvidenceSource {
        EvidenceSource::Rdap
    }

    async fn lookup(&self, domain: &RegistrableDomain) -> Result<Answer, LookupError> {
        let base = self.base_url(domain)?;
        self.client.fetch_domain(&base, domain).await
    }

    fn host_of(&self, domain: &RegistrableDomain) -> Result<String, Skipped> {
        self.base_url(domain).map(|url| host_key(&url))
    }
}

#[derive(Deserialize)]
struct DomainObject {
    #[serde(rename = "objectClassName")]
    object_class_name: String,
    #[serde(default)]
    status: Vec<String>,
    #[serde(default)]
    events: Vec<Event>,
    #[serde(default)]
    handle: Option<String>,
    #[serde(default)]
    entities: Vec<Entity>,
    #[serde(default)]
    nameservers: Vec<Nameserver>,
}

#[derive(Deserialize)]
struct Entity {
    #[serde(default)]
    roles: Vec<String>,
    #[serde(rename = "publicIds", default)]
    public_ids: Vec<PublicId>,
}

#[derive(Deserialize)]
struct PublicId {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    identifier: String,
}

#[derive(Deserialize)]
struct Nameserver {
    #[serde(rename = "ldhName", default)]
    ldh_name: Option<String>,
}

/// Identifiers and host names longer than this are not kept (a hostile server's).
const MAX_TEXT: usize = 255;

#[derive(Deserialize)]
struct Event {
    #[serde(rename = "eventAction")]
    action: String,
    #[serde(rename = "eventDate", default)]
    date: Option<String>,
}

/// Parses an RDAP domain object (RFC 9083 section 5.3): statuses, the dated events, the
/// registry's handle, the sponsoring registrar's IANA ID and the nameservers.
pub fn parse_domain(body: &[u8]) -> Result<Registration, Failure> {
    if !super::http::nested_within(body, super::http::MAX_JSON_DEPTH) {
        return Err(Failure::Malformed);
    }
    let object: DomainObject = serde_json::from_slice(body).map_err(|_| Failure::Malformed)?;
    if !object.object_class_name.eq_ignore_ascii_case("domain") {
        return Err(Failure::Malformed);
    }
    let short = |text: &str| {
        let text = text.trim();
        (!text.is_empty() && text.len() <= MAX_TEXT).then(|| text.to_owned())
    };
    let registrar_id = object
        .entities
        .iter()
        .filter(|e| e.roles.iter().any(|r| r.eq_ignore_ascii_case("registrar")))
        .flat_map(|e| &e.public_ids)
        .find(|id| id.kind.trim().eq_ignore_ascii_case("IANA Registrar ID"))
        .and_then(|id| short(&id.identifier));
    let mut nameservers: Vec<String> = object
        .nameservers
        .iter()
        .filter_map(|ns| short(ns.ldh_name.as_deref()?))
        .map(|host| host.trim_end_matches('.').to_ascii_lowercase())
        .filter(|host| !host.is_empty())
        .collect();
    nameservers.sort_unstable();
    nameservers.dedup();
    let mut record = Registration {
        statuses: object.status.iter().map(|s| normalise_status(s)).collect(),
        handle: object.handle.as_deref().and_then(short),
        registrar_id,
        nameservers,
        ..Registration::default()
    };
    for event in object.events {
        let action = normalise_status(&event.action);
        let slot = match action.as_str() {
            "registration" | "reregistration" => &mut record.registered_at,
            "expiration" => &mut record.expires_at,
            "last changed" => &mut record.last_changed_at,
            "transfer" => &mut record.transferred_at,
            _ => continue,
        };
        let Some(text) = event.date.as_deref() else {
            continue;
        };
        match parse_event_date(text) {
            // Several events of one kind: the latest one tells the current state.
            Some(date) => *slot = (*slot).max(Some(date)),
            // Kept, so that the decision knows a date was there and could not be read,
            // instead of acting as if the event were absent.
            None => {
                if !record.unreadable_dates.contains(&action) {
                    record.unreadable_dates.push(action);
                }
            }
        }
    }
    Ok(record)
}

/// The date forms real RDAP servers send: RFC 3339 (`Z`, `+00:00`, fractional seconds),
/// an offset without a colon (`+0000`, as MarkMonitor writes it), and no zone at all
/// (taken as UTC). Truncated to whole seconds, the precision the store keeps, so that a
/// date read again compares equal; a leap second (`23:59:60`, RFC 7483's own example)
/// becomes `23:59:59`, as the store reads it back.
pub fn parse_event_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|naive| naive.and_utc())
        })
        .and_then(|date| date.with_nanosecond(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_read_again_compares_equal_to_the_date_stored() {
        for text in [
            "1990-12-31T23:59:60Z",
            "1997-09-15T07:00:00.999+0000",
            "2020-02-29T12:00:00.5Z",
        ] {
            let read = parse_event_date(text).expect(text);
            let stored = DateTime::from_timestamp(read.timestamp(), 0).expect("valid");
            assert_eq!(read, stored, "{text}");
        }
        assert_eq!(
            parse_event_date("1990-12-31T23:59:60Z").map(|d| d.to_rfc3339()),
            Some("1990-12-31T23:59:59+00:00".to_owned())
        );
    }

    #[test]
    fn a_realistic_domain_object_parses() {
        let body = br#"{
            "objectClassName": "domain", "ldhName": "EXAMPLE.COM",
            "status": ["client transfer prohibited", "autoRenewPeriod"],
            "events": [
                {"eventAction": "registration", "eventDate": "1995-08-14T04:00:00.75Z"},
                {"eventAction": "expiration", "eventDate": "2027-08-13T04:00:00Z"},
                {"eventAction": "last changed", "eventDate": "2026-08-14T07:01:44"},
                {"eventAction": "last update of RDAP database", "eventDate": "2026-11-28T10:00:00Z"}
            ]
        }"#;
        let record = parse_domain(body).expect("parses");
        assert_eq!(
            record.statuses,
            ["client transfer prohibited", "auto renew period"]
        );
        assert_eq!(
            record.registered_at.map(|d| d.to_rfc3339()),
            Some("1995-08-14T04:00:00+00:00".to_owned())
        );
        assert!(record.expires_at.is_some());
        assert!(record.last_changed_at.is_some());
        assert_eq!(record.transferred_at, None);
        assert!(record.unreadable_dates.is_empty());
    }

    #[test]
    fn the_handle_the_registrars_iana_id_and_the_nameservers_are_kept() {
        let body = br#"{
            "objectClassName": "domain", "handle": "2336799_DOMAIN_COM-VRSN",
            "ldhName": "EXAMPLE.COM", "status": ["active"],
            "entities": [
                {"objectClassName": "entity", "roles": ["technical"],
                 "publicIds": [{"type": "IANA Registrar ID", "identifier": "999"}]},
                {"objectClassName": "entity", "handle": "376", "roles": ["registrar"],
                 "publicIds": [{"type": "IANA Registrar ID", "identifier": " 376 "}],
                 "vcardArray": ["vcard", [["fn", {}, "text", "RESERVED-Internet Assigned Numbers Authority"]]]}
            ],
            "nameservers": [
                {"objectClassName": "nameserver", "ldhName": "B.IANA-SERVERS.NET"},
                {"objectClassName": "nameserver", "ldhName": "a.iana-servers.net."},
                {"objectClassName": "nameserver", "ldhName": "A.IANA-SERVERS.NET"},
                {"objectClassName": "nameserver"}
            ],
            "events": [{"eventAction": "transfer", "eventDate": "2026-12-02T10:00:00Z"}]
        }"#;
        let record = parse_domain(body).expect("parses");
        assert_eq!(record.handle.as_deref(), Some("2336799_DOMAIN_COM-VRSN"));
        assert_eq!(
            record.registrar_id.as_deref(),
            Some("376"),
            "the registrar's, not another role's"
        );
        assert_eq!(
            record.nameservers,
            ["a.iana-servers.net", "b.iana-servers.net"]
        );
        assert!(record.transferred_at.is_some());
        // Without them: nothing is made up.
        let bare = parse_domain(br#"{"objectClassName": "domain"}"#).expect("parses");
        assert_eq!((bare.handle, bare.registrar_id), (None, None));
        assert!(bare.nameservers.is_empty());
        // An oversized identifier is not kept.
        let long = format!(
            r#"{{"objectClassName": "domain", "handle": "{}"}}"#,
            "h".repeat(300)
        );
        assert_eq!(parse_domain(long.as_bytes()).expect("parses").handle, None);
    }

    fn utc(text: &str) -> Option<String> {
        parse_event_date(text).map(|d| d.to_rfc3339())
    }

    const NOON: &str = "2025-03-20T07:00:00+00:00";

    #[test]
    fn an_event_date_with_z_reads() {
        assert_eq!(utc("2025-03-20T07:00:00Z").as_deref(), Some(NOON));
    }

    #[test]
    fn an_event_date_with_a_colon_offset_reads() {
        assert_eq!(utc("2025-03-20T07:00:00+00:00").as_deref(), Some(NOON));
        assert_eq!(utc("2025-03-20T09:00:00+02:00").as_deref(), Some(NOON));
    }

    #[test]
    fn an_event_date_with_an_offset_without_a_colon_reads() {
        // MarkMonitor's form.
        assert_eq!(utc("2025-03-20T07:00:00.000+0000").as_deref(), Some(NOON));
        assert_eq!(utc("2025-03-20T02:00:00-0500").as_deref(), Some(NOON));
    }

    #[test]
    fn an_event_date_with_fractional_seconds_reads() {
        assert_eq!(utc("2025-03-20T07:00:00.75Z").as_deref(), Some(NOON));
        assert_eq!(
            utc("2025-03-20T07:00:00.123456+00:00").as_deref(),
            Some(NOON)
        );
    }

    #[test]
    fn an_event_date_without_a_zone_reads_as_utc() {
        assert_eq!(utc("2025-03-20T07:00:00").as_deref(), Some(NOON));
        assert_eq!(utc(" 2025-03-20T07:00:00.5 ").as_deref(), Some(NOON));
    }

    #[test]
    fn an_unreadable_event_date_is_kept_on_the_record() {
        let body = br#"{
            "objectClassName": "domain",
            "status": ["active"],
            "events": [
                {"eventAction": "registration", "eventDate": "20th of March 2025"},
                {"eventAction": "expiration", "eventDate": "2027-03-20T07:00:00.000+0000"},
                {"eventAction": "last update of RDAP database", "eventDate": "soon"}
            ]
        }"#;
        let record = parse_domain(body).expect("parses");
        assert_eq!(record.registered_at, None);
        assert_eq!(record.unreadable_dates, ["registration"]);
        assert!(record.expires_at.is_some());
    }

    #[test]
    fn non_domain_objects_and_garbage_are_malformed() {
        assert_eq!(parse_domain(b"<html>"), Err(Failure::Malformed));
        assert_eq!(parse_domain(b"{}"), Err(Failure::Malformed));
        assert_eq!(
            parse_domain(br#"{"objectClassName":"entity"}"#),
            Err(Failure::Malformed)
        );
        assert_eq!(
            parse_domain(br#"{"objectClassName":"domain","status":"active"}"#),
            Err(Failure::Malformed)
        );
    }
}
