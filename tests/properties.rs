//! Property tests of what reads input from outside (issue 20, section 5): the RDAP parser,
//! the date reader, the name normaliser (IDNA + Public Suffix List), the check's request
//! body, the Fastly flag reader and the DNS answer mapping. Over generated input each either succeeds or gives a
//! typed error, never panics, and what it accepts obeys its rules.
//!
//! CI runs `PROPTEST_CASES` (default 1,000) inputs per property; `benches/properties.sh`
//! runs a million each.

use chrono::Utc;
use hickory_resolver::proto::op::{Message, OpCode};
use hickory_resolver::proto::rr::rdata::{A, CNAME, NS};
use hickory_resolver::proto::rr::{Name, RData, Record};
use lapseguard::domain::name::{EmailDomain, RegistrableDomain};
use lapseguard::upstream::dns::delegation_from;
use lapseguard::upstream::fastly::read_flags;
use lapseguard::upstream::rdap::{parse_domain, parse_event_date};
use lapseguard::usecases::check::{CheckQuery, CheckRequest};
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Text that looks like what upstreams and callers send: JSON-ish punctuation, dates,
/// dots, `@`, IDNA deviation characters, full stops of other scripts, control bytes.
fn hostile_text() -> impl Strategy<Value = String> {
    let atoms = prop_oneof![
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just("\"".to_owned()),
        Just(":".to_owned()),
        Just(",".to_owned()),
        Just("\"eventAction\"".to_owned()),
        Just("\"eventDate\"".to_owned()),
        Just("\"registration\"".to_owned()),
        Just("\"status\"".to_owned()),
        Just("\"objectClassName\":\"domain\"".to_owned()),
        Just("1997-09-15T07:00:00.000+0000".to_owned()),
        Just("1990-12-31T23:59:60Z".to_owned()),
        Just("@".to_owned()),
        Just(".".to_owned()),
        Just("。".to_owned()),
        Just("ß".to_owned()),
        Just("ς".to_owned()),
        Just("\u{200d}".to_owned()),
        Just("xn--".to_owned()),
        Just("uk.com".to_owned()),
        Just("com".to_owned()),
        "[a-z0-9-]{0,12}",
        any::<String>(),
    ];
    prop::collection::vec(atoms, 0..24).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_rdap_parser_never_panics(body in prop_oneof![
        hostile_text().prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..512),
    ]) {
        if let Ok(record) = parse_domain(&body) {
            // Whatever it read has whole-second dates, as the store keeps them.
            for date in [record.registered_at, record.expires_at].into_iter().flatten() {
                prop_assert_eq!(date.timestamp_subsec_nanos(), 0);
            }
        }
    }

    #[test]
    fn the_date_reader_gives_whole_seconds_or_nothing(text in hostile_text()) {
        if let Some(date) = parse_event_date(&text) {
            prop_assert_eq!(date.timestamp_subsec_nanos(), 0);
        }
    }

    #[test]
    fn dates_in_every_server_form_read_back_equal(
        seconds in 0_i64..4_102_444_800,
        form in 0_usize..4,
    ) {
        let date = chrono::DateTime::from_timestamp(seconds, 0).expect("in range");
        let text = match form {
            0 => date.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            1 => date.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string(),
            2 => date.format("%Y-%m-%dT%H:%M:%S").to_string(),
            _ => date.to_rfc3339(),
        };
        prop_assert_eq!(parse_event_date(&text), Some(date));
    }

    #[test]
    fn the_name_normaliser_gives_a_host_name_or_a_typed_error(address in hostile_text()) {
        match EmailDomain::from_address(&address) {
            Ok(domain) => {
                let name = domain.as_str();
                prop_assert!(name.len() <= 253);
                prop_assert!(name.contains('.'));
                prop_assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'));
                if let Ok((icann, shared)) = RegistrableDomain::of_with_shared(&domain) {
                    prop_assert!(name.ends_with(icann.as_str()));
                    if let Some(shared) = shared {
                        prop_assert!(name.ends_with(shared.as_str()));
                        prop_assert!(shared.as_str().ends_with(icann.as_str()));
                    }
                }
            }
            Err(error) => prop_assert!(!error.code().is_empty()),
        }
        // The IDNA2003 form is never looked up for a name without a deviation character.
        let transitional = EmailDomain::transitional_of_address(&address);
        if !address.contains(['ß', 'ς']) {
            prop_assert!(matches!(transitional, Ok(None) | Err(_)));
        }
    }

    #[test]
    fn the_check_body_is_a_query_or_a_typed_problem(body in hostile_text()) {
        let decoded = lapseguard::http::decode::<CheckRequest>(body.as_bytes());
        match decoded {
            Ok(request) => match CheckQuery::parse(request, Utc::now()) {
                Ok(query) => prop_assert!(!query.targets.is_empty() && query.targets.len() <= 2),
                Err(error) => prop_assert!(!error.problem().code.is_empty()),
            },
            Err(error) => prop_assert!(!error.problem().code.is_empty()),
        }
    }

    #[test]
    fn the_fastly_flag_reader_never_panics(flags in prop::collection::vec(hostile_text(), 0..8)) {
        let _ = read_flags(&flags);
    }
}

/// A DNS name of 1 to 8 labels, each 1 to 63 arbitrary bytes, cut to the labels that fit
/// in 255 bytes (so names of the longest length are common).
fn dns_name() -> impl Strategy<Value = Name> {
    prop::collection::vec(prop::collection::vec(any::<u8>(), 1..64), 1..8).prop_map(|mut labels| {
        loop {
            if let Ok(name) = Name::from_labels(labels.clone()) {
                return name;
            }
            labels.pop();
        }
    })
}

/// One record of an answer section: an NS record, or a CNAME or address.
fn dns_record() -> impl Strategy<Value = Record> {
    (0..3_u8, dns_name(), dns_name(), any::<[u8; 4]>()).prop_map(
        |(kind, owner, target, address)| {
            let data = match kind {
                0 => RData::NS(NS(target)),
                1 => RData::CNAME(CNAME(target)),
                _ => RData::A(A::from(std::net::Ipv4Addr::from(address))),
            };
            Record::from_rdata(owner, 300, data)
        },
    )
}

/// An answer section of a few records, or (one in fifty) of 500 to 600: NS records, and
/// the CNAMEs and addresses a hijacking or confused resolver adds.
fn answer_records() -> impl Strategy<Value = Vec<Record>> {
    prop_oneof![
        49 => prop::collection::vec(dns_record(), 0..12),
        1 => prop::collection::vec(dns_record(), 500..600),
    ]
}

fn assert_delegated(records: &[Record], mail: Option<bool>) {
    let delegation = delegation_from(records, mail);
    assert!(delegation.delegated, "an answer is never an undelegation");
    assert_eq!(delegation.mail, mail);
    let ns_records = records
        .iter()
        .filter(|r| matches!(r.data, RData::NS(_)))
        .count();
    assert!(delegation.nameservers.len() <= ns_records);
    assert!(
        delegation.nameservers.windows(2).all(|w| w[0] < w[1]),
        "sorted, once each"
    );
    for host in &delegation.nameservers {
        assert!(!host.ends_with('.'), "{host}");
        assert_eq!(host, &host.to_ascii_lowercase());
    }
}

proptest! {
    #![proptest_config(config())]

    /// The DNS answer mapping: whatever records an answer holds, it is delegated, and
    /// the nameservers are the NS records' hosts, normalised.
    #[test]
    fn dns_answers_map_to_delegations(records in answer_records(), mail in any::<Option<bool>>()) {
        assert_delegated(&records, mail);
    }

    /// The same mapping over answers that went through the wire: an encoded answer,
    /// with bytes overwritten, is either refused by the decoder or mapped as above.
    #[test]
    fn dns_wire_answers_decode_or_fail(
        records in answer_records(),
        damage in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
    ) {
        let mut message = Message::response(7, OpCode::Query);
        message.add_answers(records);
        let Ok(mut bytes) = message.to_vec() else { return Ok(()) };
        for (at, byte) in damage {
            let at = at.index(bytes.len());
            bytes[at] = byte;
        }
        if let Ok(decoded) = Message::from_vec(&bytes) {
            assert_delegated(&decoded.answers, None);
        }
    }
}
