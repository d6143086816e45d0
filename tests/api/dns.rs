//! DNS as evidence: for TLDs with no registry source, beside a failing registry, and as
//! the daily delegation sweep that makes a registry check due when delegation changes.

use std::time::{Duration, Instant};

use chrono::Utc;
use lapseguard::clock::Clock;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_tld_without_a_registry_source_is_answered_from_dns() {
    let app = spawn_app().await;
    app.dns
        .set("example.it", Zone::delegated_to(&["dns1.registrar.it"]));
    let body = app.check_email("alice@example.it").await;
    assert_eq!(body["reason"], "domain_active");
    assert_eq!(body["eligible"], true);
    assert_eq!(body["evidence"], "dns");
    assert_eq!(body["source"], "live");

    app.dns.set("gone.it", Zone::NxDomain);
    let body = app.check_email("bob@gone.it").await;
    assert_eq!(body["reason"], "domain_inactive");
    assert_eq!(body["eligible"], false);
    assert_eq!(body["lifecycle"], "inactive");
    assert_eq!(body["evidence"], "dns");

    // The history keeps the DNS row; the lapse waits for a second look (DNS alone saw
    // it), which the sweep makes once the confirmation delay is over.
    let rows = app.history("gone.it", "dns").await;
    assert_eq!(rows[0]["outcome"], "undelegated");
    assert!(app.all_transitions().await.is_empty(), "unconfirmed");
    app.clock.advance(chrono::Duration::minutes(11));
    assert_eq!(app.sweep_dns().await, 1, "the confirming look is due");
    let transitions = app.all_transitions().await;
    let gone: Vec<_> = transitions
        .iter()
        .filter(|t| t["domain"] == "gone.it")
        .collect();
    assert_eq!(gone.len(), 1, "{transitions:?}");
    assert_eq!(gone[0]["to"], "inactive");
    assert_eq!(gone[0]["source"], "dns");
}

#[tokio::test]
async fn a_name_that_left_the_zone_and_came_back_has_lapsed_since_verification() {
    let app = spawn_app().await;
    let verified = Utc::now() - chrono::Duration::days(10);
    app.dns
        .set("example.it", Zone::delegated_to(&["ns.old-holder.it"]));
    let (_, watched) = app
        .post_json("/v1/watch", json!({ "domains": ["example.it"] }))
        .await;
    assert_eq!(watched["added"], 1, "{watched}");
    assert_eq!(app.sweep_dns().await, 1);

    app.clock.advance(chrono::Duration::days(1));
    app.dns.set("example.it", Zone::NxDomain);
    assert_eq!(app.sweep_dns().await, 1);
    // DNS alone saw the lapse: a second look confirms it.
    app.clock.advance(chrono::Duration::minutes(11));
    assert_eq!(app.sweep_dns().await, 1);
    app.clock.advance(chrono::Duration::days(1));
    app.dns
        .set("example.it", Zone::delegated_to(&["ns.new-holder.it"]));
    assert_eq!(app.sweep_dns().await, 1);

    let (_, body) = app
        .check(json!({ "email": "alice@example.it", "verified_at": verified.to_rfc3339() }))
        .await;
    assert_eq!(body["reason"], "domain_lapsed_since_verification", "{body}");
    assert_eq!(body["eligible"], false);
    assert_eq!(body["lifecycle"], "active");
    assert_eq!(body["source"], "cache");

    let to: Vec<_> = app
        .all_transitions()
        .await
        .iter()
        .map(|t| t["to"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(to, ["inactive", "active"]);
}

#[tokio::test]
async fn the_dns_only_policy_unknown_leaves_delegated_names_to_the_unknown_policy() {
    let app = spawn_app_with(&[
        ("LAPSEGUARD_DNS_ONLY_POLICY", "unknown"),
        ("LAPSEGUARD_UNKNOWN_POLICY", "deny"),
    ])
    .await;
    let body = app.check_email("alice@example.it").await;
    assert_eq!(body["reason"], "domain_not_covered");
    assert_eq!(body["eligible"], false);
    assert_eq!(body["evidence"], "dns");

    app.dns.set("gone.it", Zone::NxDomain);
    let body = app.check_email("bob@gone.it").await;
    assert_eq!(body["reason"], "domain_inactive");

    let lenient = spawn_app_with(&[("LAPSEGUARD_DNS_ONLY_POLICY", "unknown")]).await;
    let body = lenient.check_email("alice@example.it").await;
    assert_eq!(body["reason"], "domain_not_covered");
    assert_eq!(body["eligible"], true);
}

#[tokio::test]
async fn when_rdap_fails_a_fresh_undelegated_answer_denies_and_keeps_denying() {
    let app = spawn_app().await;
    app.rdap.set("example.com", Answer::Status(503));
    app.dns.set("example.com", Zone::NxDomain);
    for _ in 0..3 {
        let body = app.check_email("alice@example.com").await;
        assert_eq!(body["reason"], "domain_inactive", "{body}");
        assert_eq!(body["eligible"], false);
        assert_eq!(body["evidence"], "dns");
    }
    assert_eq!(app.rdap.hits("example.com"), 1, "the cooldown holds");
    // Nothing of it became the stored status: RDAP's word is the registry's.
    let (_, view) = app.get("/v1/domains/example.com").await;
    assert_eq!(view["lifecycle"], "unknown", "{view}");

    // A delegated answer proves nothing: the failure stands.
    app.rdap.set("other.com", Answer::Status(503));
    let body = app.check_email("alice@other.com").await;
    assert_eq!(body["reason"], "domain_status_unavailable");
}

#[tokio::test]
async fn registry_and_dns_are_asked_side_by_side_within_the_deadline() {
    let app = spawn_app_with(&[("LAPSEGUARD_LOOKUP_DEADLINE_MS", "600")]).await;
    app.rdap.set(
        "slow.com",
        Answer::Slow(Duration::from_secs(5), Box::new(active("slow.com"))),
    );
    app.dns.set("slow.com", Zone::Silent);
    let started = Instant::now();
    let (_, body) = app
        .post_raw(
            json!({ "email": "a@slow.com" }).to_string(),
            "application/json",
        )
        .await;
    let took = started.elapsed();
    assert_eq!(body["reason"], "domain_status_unavailable");
    assert!(took < Duration::from_millis(900), "answered in {took:?}");
}

#[tokio::test]
async fn dns_failures_say_nothing_about_the_domain() {
    let app = spawn_app().await;
    app.dns.set("broken.it", Zone::ServFail);
    let body = app.check_email("a@broken.it").await;
    assert_eq!(body["reason"], "domain_status_unavailable");
    assert_eq!(body["evidence"], json!(null));
    let rows = app.history("broken.it", "dns").await;
    assert_eq!(rows[0]["outcome"], "failed");
    assert_eq!(rows[0]["error"], "server_failure");

    app.dns.set("silent.it", Zone::Silent);
    let body = app.check_email("a@silent.it").await;
    assert_eq!(body["reason"], "domain_status_unavailable");
    let rows = app.history("silent.it", "dns").await;
    assert_eq!(rows[0]["error"], "timeout");

    // A reply too large for UDP comes truncated; the resolver asks again over TCP.
    app.dns
        .set("tcp.it", Zone::TcpOnly(vec!["ns.tcp.example".into()]));
    let body = app.check_email("a@tcp.it").await;
    let rows = app.history("tcp.it", "dns").await;
    assert_eq!(body["reason"], "domain_active", "{body} {rows:?}");
    let rows = app.history("tcp.it", "dns").await;
    assert_eq!(rows[0]["nameservers"], json!(["ns.tcp.example"]));

    // NODATA: the name exists, with no NS records of its own.
    app.dns.set("nodata.it", Zone::NoData);
    let body = app.check_email("a@nodata.it").await;
    assert_eq!(body["reason"], "domain_active");
    let rows = app.history("nodata.it", "dns").await;
    assert_eq!(rows[0]["outcome"], "delegated");
    assert_eq!(rows[0]["nameservers"], json!([]));
}

#[tokio::test]
async fn a_change_of_delegation_makes_the_registry_check_due_at_once() {
    let app = spawn_app().await;
    for name in ["leaves.com", "moves.com", "tweaks.com"] {
        app.rdap.set(name, active(name));
        app.dns
            .set(name, Zone::delegated_to(&["a.ns.net", "b.ns.net"]));
    }
    app.post_json(
        "/v1/watch",
        json!({ "domains": ["leaves.com", "moves.com", "tweaks.com"] }),
    )
    .await;
    app.state.scheduler.run_due().await.expect("registry round");
    assert_eq!(app.sweep_dns().await, 3);
    let due_later = |view: &serde_json::Value| {
        let next: chrono::DateTime<Utc> = view["next_check_at"]
            .as_str()
            .and_then(|t| t.parse().ok())
            .expect("scheduled");
        next > app.clock.now() + chrono::Duration::days(30)
    };
    for name in ["leaves.com", "moves.com", "tweaks.com"] {
        let (_, view) = app.get(&format!("/v1/domains/{name}")).await;
        assert!(due_later(&view), "{view}");
    }

    app.dns.set("leaves.com", Zone::NxDomain);
    app.dns
        .set("moves.com", Zone::delegated_to(&["ns1.parking.example"]));
    app.dns
        .set("tweaks.com", Zone::delegated_to(&["b.ns.net", "c.ns.net"]));
    app.clock.advance(chrono::Duration::days(1));
    assert_eq!(app.sweep_dns().await, 3, "each watched domain daily");
    assert_eq!(app.dns.ns_queries("tweaks.com"), 2);
    assert_eq!(app.sweep_dns().await, 0, "and not again the same day");
    for (name, due) in [
        ("leaves.com", true),
        ("moves.com", true),
        ("tweaks.com", false),
    ] {
        let (_, view) = app.get(&format!("/v1/domains/{name}")).await;
        assert_eq!(!due_later(&view), due, "{name}: {view}");
    }
    // The domain view shows the latest DNS answer and the next DNS look.
    let (_, view) = app.get("/v1/domains/leaves.com").await;
    assert_eq!(view["delegated"], false);
    assert_eq!(view["nameservers"], json!([]));
    let (_, view) = app.get("/v1/domains/tweaks.com").await;
    assert_eq!(view["delegated"], true);
    assert_eq!(view["nameservers"], json!(["b.ns.net", "c.ns.net"]));
    let next_dns: chrono::DateTime<Utc> = view["next_dns_check_at"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .expect("scheduled");
    // A day after the look (the store keeps whole seconds).
    let ahead = (next_dns - app.clock.now()).num_seconds();
    assert!((86_399..=86_400).contains(&ahead), "{ahead}");

    // The registry check runs and, finding the domain deleted, publishes the lapse.
    app.rdap.set("leaves.com", Answer::NotFound);
    let before = app.rdap.hits("leaves.com");
    app.state.scheduler.run_due().await.expect("registry round");
    assert_eq!(app.rdap.hits("leaves.com"), before + 1);
    assert_eq!(app.rdap.hits("tweaks.com"), 1, "only the changed ones");
    let (_, view) = app.get("/v1/domains/leaves.com").await;
    assert_eq!(view["lifecycle"], "unregistered");
    assert_eq!(view["evidence"], "rdap");

    // A domain whose first DNS answer is already NXDOMAIN is worth a registry check too.
    app.rdap.set("quiet.com", active("quiet.com"));
    app.post_json("/v1/watch", json!({ "domains": ["quiet.com"] }))
        .await;
    app.state.scheduler.run_due().await.expect("registry round");
    let (_, view) = app.get("/v1/domains/quiet.com").await;
    assert!(due_later(&view), "{view}");
    app.dns.set("quiet.com", Zone::NxDomain);
    app.sweep_dns().await;
    let (_, view) = app.get("/v1/domains/quiet.com").await;
    assert!(!due_later(&view), "{view}");
}
