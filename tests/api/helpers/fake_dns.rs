//! A fake DNS resolver on 127.0.0.1, over UDP and TCP on one port, answering NS and MX
//! queries from a table: delegated (with NS hosts), NXDOMAIN, NODATA, SERVFAIL, silence, or
//! truncated over UDP and whole over TCP.
//! A name not in the table is delegated to `ns1.fake-dns.test`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use hickory_resolver::proto::op::{Message, ResponseCode};
use hickory_resolver::proto::rr::rdata::{MX, NS};
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

/// How the fake answers for one name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Zone {
    /// NS answer with these hosts (and one MX record).
    Delegated(Vec<String>),
    NxDomain,
    /// NOERROR without records.
    NoData,
    ServFail,
    /// NXDOMAIN hijacking: every query answered with an address (an A record), even NS.
    Hijacked,
    /// This many NS records, each a name of about 250 bytes.
    ManyNameservers(usize),
    /// No answer at all.
    Silent,
    /// A truncated reply (TC) over UDP, delegated to these hosts over TCP: proves the
    /// resolver's retry over TCP, as for a large NS set.
    TcpOnly(Vec<String>),
    /// A mail domain whose MX records name these exchanges (`.` is a null MX), with an
    /// address.
    MailVia(Vec<String>),
    /// A mail domain without MX records whose address is a CNAME to this host.
    AliasTo(String),
    /// A name with neither MX nor address records.
    NoMail,
}

impl Zone {
    pub fn delegated_to(hosts: &[&str]) -> Self {
        Self::Delegated(hosts.iter().map(|h| (*h).to_owned()).collect())
    }
}

#[derive(Default)]
struct Table {
    zones: HashMap<String, Zone>,
    /// A lying resolver (captive network, sandbox): NXDOMAIN for every name.
    lying: bool,
    queries: HashMap<String, usize>,
}

#[derive(Clone)]
pub struct FakeDns {
    /// `127.0.0.1:PORT`, for `LAPSEGUARD_DNS_SERVERS`.
    pub address: SocketAddr,
    table: Arc<Mutex<Table>>,
}

impl FakeDns {
    pub async fn start() -> Self {
        // UDP first, then TCP on the same port (retried when another test holds it).
        let (udp, tcp) = loop {
            let udp = UdpSocket::bind("127.0.0.1:0").await.expect("bind udp");
            let address = udp.local_addr().expect("address");
            if let Ok(tcp) = TcpListener::bind(address).await {
                break (udp, tcp);
            }
        };
        let fake = Self {
            address: udp.local_addr().expect("address"),
            table: Arc::default(),
        };
        let table = Arc::clone(&fake.table);
        tokio::spawn(async move {
            let mut buffer = vec![0_u8; 4096];
            while let Ok((n, peer)) = udp.recv_from(&mut buffer).await {
                if let Some(reply) = answer(&table, &buffer[..n], Transport::Udp) {
                    let _ = udp.send_to(&reply, peer).await;
                }
            }
        });
        let table = Arc::clone(&fake.table);
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = tcp.accept().await {
                let table = Arc::clone(&table);
                tokio::spawn(async move {
                    let mut length = [0_u8; 2];
                    while stream.read_exact(&mut length).await.is_ok() {
                        let mut query = vec![0_u8; usize::from(u16::from_be_bytes(length))];
                        if stream.read_exact(&mut query).await.is_err() {
                            return;
                        }
                        let Some(reply) = answer(&table, &query, Transport::Tcp) else {
                            // Silence: hold the connection open without a word.
                            std::future::pending::<()>().await;
                            return;
                        };
                        let size = u16::try_from(reply.len()).expect("small reply");
                        let _ = stream.write_all(&size.to_be_bytes()).await;
                        let _ = stream.write_all(&reply).await;
                    }
                });
            }
        });
        fake
    }

    /// Sets how the fake answers for `name` (a registrable domain, no trailing dot).
    pub fn set(&self, name: &str, zone: Zone) {
        let mut table = self.table.lock().expect("table");
        table.zones.insert(name.to_owned(), zone);
    }

    /// Answers NXDOMAIN for every name while `on`, whatever the table says.
    pub fn lie_nxdomain(&self, on: bool) {
        self.table.lock().expect("table").lying = on;
    }

    /// NS queries received for `name`.
    pub fn ns_queries(&self, name: &str) -> usize {
        let table = self.table.lock().expect("table");
        table.queries.get(name).copied().unwrap_or(0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transport {
    Udp,
    Tcp,
}

fn answer(table: &Mutex<Table>, packet: &[u8], transport: Transport) -> Option<Vec<u8>> {
    let query = Message::from_vec(packet).ok()?;
    let question = query.queries.first()?.clone();
    let name = question.name().to_ascii();
    let key = name.trim_end_matches('.').to_ascii_lowercase();
    let zone = {
        let mut table = table.lock().expect("table");
        if question.query_type() == RecordType::NS {
            *table.queries.entry(key.clone()).or_default() += 1;
        }
        if table.lying {
            Zone::NxDomain
        } else {
            table
                .zones
                .get(&key)
                .cloned()
                .unwrap_or_else(|| Zone::delegated_to(&["ns1.fake-dns.test"]))
        }
    };
    let mut reply = Message::response(query.metadata.id, query.metadata.op_code);
    reply.metadata.recursion_desired = query.metadata.recursion_desired;
    reply.metadata.recursion_available = true;
    reply.add_query(question.clone());
    let owner = question.name().clone();
    let zone = match zone {
        Zone::TcpOnly(_) if transport == Transport::Udp => {
            reply.metadata.truncation = true;
            return reply.to_vec().ok();
        }
        Zone::TcpOnly(hosts) => Zone::Delegated(hosts),
        other => other,
    };
    let address = |owner: Name| {
        let a = RData::A(hickory_resolver::proto::rr::rdata::A(
            std::net::Ipv4Addr::new(192, 0, 2, 25),
        ));
        Record::from_rdata(owner, 300, a)
    };
    let ns_only = |reply: &mut Message| {
        if question.query_type() == RecordType::NS {
            let host = Name::from_ascii("ns1.fake-dns.test.").expect("valid");
            reply.add_answer(Record::from_rdata(owner.clone(), 300, RData::NS(NS(host))));
        }
    };
    match zone {
        Zone::Silent | Zone::TcpOnly(_) => return None,
        Zone::MailVia(exchanges) => match question.query_type() {
            RecordType::MX => {
                for exchange in exchanges {
                    let exchange = match exchange.trim_end_matches('.') {
                        "" => Name::root(),
                        host => Name::from_ascii(format!("{host}.")).ok()?,
                    };
                    reply.add_answer(Record::from_rdata(
                        owner.clone(),
                        300,
                        RData::MX(MX::new(0, exchange)),
                    ));
                }
            }
            RecordType::A => {
                reply.add_answer(address(owner.clone()));
            }
            _ => ns_only(&mut reply),
        },
        Zone::AliasTo(target) => match question.query_type() {
            RecordType::A => {
                let target = Name::from_ascii(format!("{target}.")).ok()?;
                let cname = RData::CNAME(hickory_resolver::proto::rr::rdata::CNAME(target.clone()));
                reply.add_answer(Record::from_rdata(owner.clone(), 300, cname));
                reply.add_answer(address(target));
            }
            RecordType::MX => {}
            _ => ns_only(&mut reply),
        },
        Zone::NoMail => ns_only(&mut reply),
        Zone::NxDomain => reply.metadata.response_code = ResponseCode::NXDomain,
        Zone::ServFail => reply.metadata.response_code = ResponseCode::ServFail,
        Zone::NoData => {}
        Zone::Hijacked => {
            let address = std::net::Ipv4Addr::new(192, 0, 2, 1);
            let a = RData::A(hickory_resolver::proto::rr::rdata::A(address));
            reply.add_answer(Record::from_rdata(owner, 300, a));
        }
        Zone::ManyNameservers(count) => {
            for i in 0..count {
                let label = "n".repeat(60);
                let host = format!("{i}{label}.{label}.{label}.{}.", "x".repeat(50));
                let host = Name::from_ascii(&host).ok()?;
                reply.add_answer(Record::from_rdata(owner.clone(), 300, RData::NS(NS(host))));
            }
        }
        Zone::Delegated(hosts) => match question.query_type() {
            RecordType::NS => {
                for host in hosts {
                    let host = Name::from_ascii(format!("{host}.")).ok()?;
                    reply.add_answer(Record::from_rdata(owner.clone(), 300, RData::NS(NS(host))));
                }
            }
            RecordType::MX => {
                let exchange = Name::from_ascii(format!("mail.{key}.")).ok()?;
                let mx = RData::MX(MX::new(10, exchange));
                reply.add_answer(Record::from_rdata(owner, 300, mx));
            }
            _ => {}
        },
    }
    reply.to_vec().ok()
}
