//! DNS delegation as a source (hickory-resolver): asks a resolver for the registrable
//! domain's NS records, and its MX records for the history. What each answer means is
//! `domain/delegation.rs`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use hickory_resolver::config::{NameServerConfig, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};
use hickory_resolver::{Resolver, TokioResolver};

use super::trust::{Probed, ResolverTrust, TrustSettings};
use super::{Answer, Failure, Lookup, LookupError, Skipped};
use crate::domain::delegation::{Delegation, MailRoute};
use crate::domain::name::RegistrableDomain;
use crate::domain::status::EvidenceSource;

/// The pacer's key for the resolver: all DNS queries share one rate.
pub const DNS_HOST: &str = "dns";

/// How lapseguard asks DNS.
#[derive(Debug, Clone)]
pub struct DnsSettings {
    /// `LAPSEGUARD_DNS_SERVERS`: `ip:port,...`; empty means the system resolver
    /// (`/etc/resolv.conf`).
    pub servers: Vec<SocketAddr>,
    /// `LAPSEGUARD_DNS_TIMEOUT_MS`: per query (over UDP, and over TCP after a truncated
    /// reply; hickory 0.26 does not retry a silent UDP query over TCP).
    pub timeout: Duration,
    /// `LAPSEGUARD_DNS_RATE`: queries per second to the resolver.
    pub rate: f64,
    /// `LAPSEGUARD_DNS_TRUST_SECONDS`, `LAPSEGUARD_DNS_CANARIES`: when an NXDOMAIN is
    /// believed (`upstream/trust.rs`).
    pub trust: TrustSettings,
}

impl DnsSettings {
    /// Reads `LAPSEGUARD_DNS_SERVERS`.
    pub fn parse_servers(text: &str) -> Result<Vec<SocketAddr>, String> {
        text.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse()
                    .map_err(|_| format!("{s:?} is not an ip:port address"))
            })
            .collect()
    }
}

pub struct DnsLookup {
    resolver: TokioResolver,
    trust: Arc<ResolverTrust>,
}

impl DnsLookup {
    /// The lookup, and the trust it keeps in the resolver (for `/readyz` and the stats).
    pub fn new(settings: &DnsSettings) -> Result<Self, String> {
        let provider = TokioRuntimeProvider::default();
        let mut builder = if settings.servers.is_empty() {
            Resolver::builder(provider).map_err(|e| {
                format!(
                    "cannot read the system resolver's configuration ({e}); set \
                     LAPSEGUARD_DNS_SERVERS=ip:port or LAPSEGUARD_DNS=off"
                )
            })?
        } else {
            let servers = settings
                .servers
                .iter()
                .map(|address| {
                    let mut server = NameServerConfig::udp_and_tcp(address.ip());
                    for connection in server.connections.iter_mut() {
                        connection.port = address.port();
                    }
                    server
                })
                .collect();
            Resolver::builder_with_config(ResolverConfig::from_name_servers(servers), provider)
        };
        let options = builder.options_mut();
        options.timeout = settings.timeout;
        options.attempts = 1;
        // Delegation changes must show on the next daily look, not after a TTL.
        options.cache_size = 0;
        let resolver = builder.build().map_err(|e| e.to_string())?;
        Ok(Self {
            resolver,
            trust: Arc::new(ResolverTrust::new(settings.trust.clone())),
        })
    }

    pub fn trust(&self) -> &Arc<ResolverTrust> {
        &self.trust
    }

    /// Probes the resolver's trust for `tld` now, if the window's probe is missing.
    pub async fn probe_trust(&self, tld: &str) -> bool {
        self.trust
            .believes_nxdomain_under(tld, |name| self.probe(name))
            .await
    }

    /// A trust probe: whether `name` exists, and with how many NS records.
    async fn probe(&self, name: String) -> Probed {
        let Ok(name) = Name::from_ascii(format!("{name}.")) else {
            return Probed::Missing;
        };
        match self.resolver.lookup(name, RecordType::NS).await {
            Ok(found) => Probed::Exists {
                nameservers: found
                    .answers()
                    .iter()
                    .filter(|r| matches!(r.data, RData::NS(_)))
                    .count(),
            },
            Err(error) if error.is_no_records_found() && !error.is_nx_domain() => {
                Probed::Exists { nameservers: 0 }
            }
            Err(_) => Probed::Missing,
        }
    }
}

#[async_trait]
impl Lookup for DnsLookup {
    fn source(&self) -> EvidenceSource {
        EvidenceSource::Dns
    }

    async fn lookup(&self, domain: &RegistrableDomain) -> Result<Answer, LookupError> {
        // Fully qualified: no search list.
        let name = Name::from_ascii(format!("{domain}.")).map_err(|_| Failure::Malformed)?;
        // The domain's own mail route beside its NS: its `mail` (whether MX exists) and
        // the `no_mail` state of its status. A failed route lookup says neither.
        let (ns, route) = tokio::join!(
            self.resolver.lookup(name.clone(), RecordType::NS),
            self.mail_route(domain.as_str())
        );
        let route = route.ok();
        let mail = route.as_ref().map(|r| !r.exchanges.is_empty() || r.null_mx);
        let with_route = |mut delegation: Delegation| {
            delegation.mail_route = route.clone();
            delegation
        };
        let delegation = match ns {
            Ok(found) => with_route(delegation_from(found.answers(), mail)),
            Err(error) if error.is_nx_domain() => {
                let tld = domain.tld();
                if !self.probe_trust(tld).await {
                    return Err(Failure::UntrustedResolver.into());
                }
                Delegation::undelegated()
            }
            // NODATA: the name exists (see `domain/delegation.rs`).
            Err(error) if error.is_no_records_found() => with_route(delegation_from(&[], mail)),
            Err(error) => return Err(failure(&error).into()),
        };
        Ok(Answer::Delegation(delegation))
    }

    fn host_of(&self, _domain: &RegistrableDomain) -> Result<String, Skipped> {
        Ok(DNS_HOST.to_owned())
    }

    /// MX first; without MX records (NODATA or NXDOMAIN), the address records, whose
    /// CNAMEs say which host the mail goes to. A failed query is a failed lookup, never
    /// "no mail".
    async fn mail_route(&self, mail_domain: &str) -> Result<MailRoute, LookupError> {
        let name = Name::from_ascii(format!("{mail_domain}.")).map_err(|_| Failure::Malformed)?;
        let exchanges = match self.resolver.lookup(name.clone(), RecordType::MX).await {
            Ok(found) => found.answers().to_vec(),
            // A resolver that answers NXDOMAIN for everything must not make every
            // address "without mail": its NXDOMAIN counts only while it is trusted.
            Err(error) if error.is_nx_domain() => {
                let tld = mail_domain.rsplit('.').next().unwrap_or(mail_domain);
                if !self.probe_trust(tld).await {
                    return Err(Failure::UntrustedResolver.into());
                }
                Vec::new()
            }
            Err(error) if error.is_no_records_found() => Vec::new(),
            Err(error) => return Err(failure(&error).into()),
        };
        let mut route = mail_route_from(&exchanges, &[]);
        if route.exchanges.is_empty() && !route.null_mx {
            let addresses = match self.resolver.lookup(name, RecordType::A).await {
                Ok(found) => found.answers().to_vec(),
                Err(error) if error.is_no_records_found() => Vec::new(),
                Err(error) => return Err(failure(&error).into()),
            };
            route = mail_route_from(&exchanges, &addresses);
        }
        Ok(route)
    }
}

/// The mail route an MX answer and (without MX records) an address answer show: the
/// exchanges (a lone exchange `.` is a null MX, RFC 7505), the CNAME targets of the
/// address answer and whether it held an address. Other records are ignored.
pub fn mail_route_from(mx_answers: &[Record], address_answers: &[Record]) -> MailRoute {
    let mut exchanges = Vec::new();
    let mut null_mx = false;
    for record in mx_answers {
        if let RData::MX(mx) = &record.data {
            if mx.exchange.is_root() {
                null_mx = true;
            } else {
                exchanges.push(host_name(&mx.exchange));
            }
        }
    }
    exchanges.sort_unstable();
    exchanges.dedup();
    let mut aliases: Vec<String> = address_answers
        .iter()
        .filter_map(|record| match &record.data {
            RData::CNAME(target) => Some(host_name(&target.0)),
            _ => None,
        })
        .collect();
    aliases.sort_unstable();
    aliases.dedup();
    let has_address = address_answers
        .iter()
        .any(|record| matches!(record.data, RData::A(_) | RData::AAAA(_)));
    MailRoute {
        null_mx: null_mx && exchanges.is_empty(),
        exchanges,
        aliases,
        has_address,
    }
}

/// What an NS answer that came back says: the name is delegated, to the hosts its NS
/// records name (lowercase, without the root dot, sorted, once each). Other records in
/// the answer (a CNAME, the address a hijacking resolver adds) name no nameserver, and
/// no content of an answer, however large or strange, makes it undelegated.
pub fn delegation_from(answers: &[Record], mail: Option<bool>) -> Delegation {
    let mut nameservers: Vec<String> = answers
        .iter()
        .filter_map(|record| match &record.data {
            RData::NS(ns) => Some(host_name(&ns.0)),
            _ => None,
        })
        .collect();
    nameservers.sort_unstable();
    nameservers.dedup();
    Delegation {
        delegated: true,
        nameservers,
        mail,
        mail_route: None,
    }
}

fn host_name(name: &Name) -> String {
    name.to_ascii().trim_end_matches('.').to_ascii_lowercase()
}

/// A failed DNS lookup says nothing about the domain.
fn failure(error: &NetError) -> Failure {
    match error {
        NetError::Timeout => Failure::Timeout,
        NetError::Dns(DnsError::ResponseCode(ResponseCode::ServFail | ResponseCode::Refused)) => {
            Failure::ServerFailure
        }
        NetError::Dns(_) | NetError::Proto(_) => Failure::Malformed,
        _ => Failure::Transport,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_lists_are_ip_and_port() {
        assert_eq!(
            DnsSettings::parse_servers("127.0.0.1:5353, [::1]:53"),
            Ok(vec![
                "127.0.0.1:5353".parse().expect("valid"),
                "[::1]:53".parse().expect("valid")
            ])
        );
        assert!(DnsSettings::parse_servers("resolver.example:53").is_err());
        assert!(DnsSettings::parse_servers("127.0.0.1").is_err());
    }
}
