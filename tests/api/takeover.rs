//! Issue 19, as the attacker would try it: the one who bought a victim's lapsed domain and
//! drives the site's password-reset form. Each test is a reproduction that used to end
//! with a reset mail the attacker receives (or with a lapse nobody is told about).

use serde_json::json;

use crate::helpers::*;
use crate::metrics::{sample, scrape};

/// The attacker's burst: one reset form per address, on `count` unseen `.com` domains
/// the registry knows as active.
async fn submit_reset_forms(app: &TestApp, count: usize) {
    let others: Vec<String> = (0..count).map(|i| format!("other{i}.com")).collect();
    for name in &others {
        app.rdap.set(name, active(name));
    }
    let forms = others
        .iter()
        .map(|name| async move { app.check_email(&format!("a@{name}")).await });
    futures_util::future::join_all(forms).await;
}

/// Case 1: twenty checks of other unseen `.com` addresses exhaust the host's pace; the
/// victim's domain, re-registered 10 days ago and never seen, must not be allowed.
#[tokio::test]
async fn exhausting_our_pace_does_not_buy_an_allow_for_a_domain_never_seen() {
    let app = spawn_app_with(&[("LAPSEGUARD_RDAP_HOST_RATE", "1")]).await;
    let reregistered = rdap_domain("victim.com", &["active"], days_ago(10), days_ahead(355));
    app.rdap.set("victim.com", Answer::Domain(reregistered));
    submit_reset_forms(&app, 20).await;

    let (_, body) = app
        .check(json!({"email": "ceo@victim.com", "verified_at": "2019-06-01T00:00:00Z"}))
        .await;
    assert_eq!(body["eligible"], false, "{body}");
    assert!(
        ["domain_status_unavailable", "domain_reregistered"]
            .contains(&body["reason"].as_str().unwrap_or_default()),
        "{body}"
    );
    // The pace refused lookups, and says so per host.
    let (_, text) = scrape(&app, None).await;
    let host = app.rdap.host();
    let paced = sample(&text, "lapseguard_checks_paced_total", &[("host", &host)]);
    assert!(paced >= 1.0, "{paced} paced checks counted for {host}");
}

/// Case 1, with `LAPSEGUARD_UNSEEN_POLICY=allow`: the operator chose availability, and
/// the same burst answers `domain_status_unavailable` with `eligible: true` (the README
/// names the cost), while `domain_not_covered` still follows the unknown policy.
#[tokio::test]
async fn the_unseen_policy_is_separate_from_the_unknown_policy() {
    let app = spawn_app_with(&[
        ("LAPSEGUARD_RDAP_HOST_RATE", "0.001"),
        ("LAPSEGUARD_REQUEST_PACE_SHARE", "0"),
        ("LAPSEGUARD_UNSEEN_POLICY", "allow"),
        ("LAPSEGUARD_UNKNOWN_POLICY", "deny"),
        ("LAPSEGUARD_DNS", "off"),
    ])
    .await;
    // One request in 1,000 s: the burst of five, then nothing for a long while.
    for i in 0..5 {
        let name = format!("first{i}.com");
        app.rdap.set(&name, active(&name));
        assert_eq!(
            app.check_email(&format!("a@{name}")).await["reason"],
            "domain_active"
        );
    }
    app.rdap.set("second.com", active("second.com"));
    let body = app.check_email("a@second.com").await;
    assert_eq!(body["reason"], "domain_status_unavailable", "{body}");
    assert_eq!(body["eligible"], true);
    assert_eq!(app.rdap.hits("second.com"), 0, "the pace had no room");
    let body = app.check_email("a@example.nl").await;
    assert_eq!(body["reason"], "domain_not_covered");
    assert_eq!(body["eligible"], false);
}

/// Case 1, second reproduction: a domain stored active (registered 2010), since
/// re-registered; the pace is exhausted and the stored status is far past what the
/// background refresh promises. It is no evidence, even under `UNKNOWN_POLICY=deny`
/// where the old code answered `eligible: true, stale: true`.
#[tokio::test]
async fn an_exhausted_pace_does_not_answer_from_a_status_of_any_age() {
    let app = spawn_app_with(&[
        ("LAPSEGUARD_RDAP_HOST_RATE", "1"),
        ("LAPSEGUARD_MAX_STATUS_AGE_SECONDS", "3"),
        ("LAPSEGUARD_STALE_ANSWER_SECONDS", "60"),
        ("LAPSEGUARD_UNKNOWN_POLICY", "deny"),
    ])
    .await;
    app.seed("victim.com", 1, registered(&["active"], days_ago(6000)))
        .await;
    let reregistered = rdap_domain("victim.com", &["active"], days_ago(10), days_ahead(355));
    app.rdap.set("victim.com", Answer::Domain(reregistered));
    submit_reset_forms(&app, 8).await;
    let (_, body) = app
        .check(json!({"email": "ceo@victim.com", "verified_at": "2019-06-01T00:00:00Z"}))
        .await;
    assert_eq!(body["eligible"], false, "{body}");
    assert_ne!(body["stale"], true, "{body}");
}

/// A supplement file that sends names under `uk.com` to `server` (CentralNic's layout).
fn shared_suffix_supplement(server: &FakeRdap) -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().expect("temp file");
    let services = json!({"services": [[["uk.com"], [server.url]]]});
    std::fs::write(file.path(), services.to_string()).expect("write supplement");
    file
}

/// Case 2: `victim.uk.com`, re-registered 3 days ago, used to be judged by `uk.com`'s
/// own registration (`domain_active`). Now its own registry is asked.
#[tokio::test]
async fn a_name_under_a_covered_shared_suffix_is_looked_up_by_its_own_name() {
    let centralnic = FakeRdap::start().await;
    let supplement = shared_suffix_supplement(&centralnic);
    let path = supplement.path().display().to_string();
    let app = spawn_app_with(&[("LAPSEGUARD_RDAP_SUPPLEMENT", &path)]).await;
    app.rdap.set("uk.com", active("uk.com"));
    let reregistered = rdap_domain("victim.uk.com", &["active"], days_ago(3), days_ahead(362));
    centralnic.set("victim.uk.com", Answer::Domain(reregistered));

    let (_, body) = app
        .check(json!({"email": "alice@mail.victim.uk.com", "verified_at": "2024-01-01T00:00:00Z"}))
        .await;
    assert_eq!(body["eligible"], false, "{body}");
    assert_eq!(body["reason"], "domain_reregistered");
    assert_eq!(body["domain"], "victim.uk.com");
    assert_eq!(body["email_domain"], "mail.victim.uk.com");
    assert_eq!(
        app.rdap.hits("uk.com"),
        0,
        "the platform's registration is not asked"
    );
    // Stored under its own name, and the API finds it there.
    let (status, view) = app.get("/v1/domains/victim.uk.com").await;
    assert_eq!(status, axum::http::StatusCode::OK, "{view}");
    assert_eq!(view["domain"], "victim.uk.com");
}

/// Case 2: `alice.ddns.net` (a dynamic-DNS name nobody's RDAP serves) never answers
/// `domain_active` from `ddns.net`'s registration; a lapse of the platform still denies.
#[tokio::test]
async fn a_name_under_an_uncovered_shared_suffix_answers_by_the_unknown_policy() {
    let app = spawn_app().await;
    app.rdap.set("ddns.net", active("ddns.net"));
    let body = app.check_email("alice@alice.ddns.net").await;
    assert_eq!(body["reason"], "domain_under_shared_suffix", "{body}");
    assert_eq!(body["eligible"], true, "the unknown policy's default");
    assert_eq!(body["domain"], "ddns.net");
    assert_eq!(app.rdap.hits("alice.ddns.net"), 0);

    let strict = spawn_app_with(&[("LAPSEGUARD_UNKNOWN_POLICY", "deny")]).await;
    strict.rdap.set("ddns.net", active("ddns.net"));
    let body = strict.check_email("alice@alice.ddns.net").await;
    assert_eq!(body["reason"], "domain_under_shared_suffix");
    assert_eq!(body["eligible"], false);

    // The test app's `io` server is `other_rdap`.
    app.other_rdap.set(
        "github.io",
        with_statuses("github.io", &["redemption period"]),
    );
    let body = app.check_email("alice@alice.github.io").await;
    assert_eq!(body["reason"], "domain_in_redemption_period", "{body}");
    assert_eq!(body["eligible"], false);
}

/// Case 3: `faß.de` is mailed to `fass.de` by IDNA2003 mailers (Python's `idna` codec);
/// with `fass.de` re-registered the check must deny, naming `fass.de`.
#[tokio::test]
async fn both_idna_forms_are_judged_and_the_stricter_wins() {
    let app = spawn_app().await;
    app.rdap.set("xn--fa-hia.de", active("xn--fa-hia.de"));
    let reregistered = rdap_domain("fass.de", &["active"], days_ago(5), days_ahead(360));
    app.rdap.set("fass.de", Answer::Domain(reregistered));
    let (status, body) = app
        .check(json!({"email": "anna@faß.de", "verified_at": "2019-06-01T00:00:00Z"}))
        .await;
    assert_eq!(status, axum::http::StatusCode::OK, "{body}");
    assert_eq!(body["eligible"], false, "{body}");
    assert_eq!(body["reason"], "domain_reregistered");
    assert_eq!(body["domain"], "fass.de");
    assert_eq!(body["email_domain"], "fass.de");

    // Both forms fine: allowed, and the response names the UTS 46 form.
    app.rdap.set("fass.de", active("fass.de"));
    let other = spawn_app().await;
    other.rdap.set("xn--fa-hia.de", active("xn--fa-hia.de"));
    other.rdap.set("fass.de", active("fass.de"));
    let (_, body) = other
        .check(json!({"email": "anna@faß.de", "verified_at": "2019-06-01T00:00:00Z"}))
        .await;
    assert_eq!(body["eligible"], true, "{body}");
    assert_eq!(body["domain"], "xn--fa-hia.de");

    // ZWJ/ZWNJ: judged by the form without them (where IDNA2003 mailers deliver), never
    // an error a fail-open caller would turn into a sent mail.
    app.rdap.set(
        "example.com",
        with_statuses("example.com", &["pending delete"]),
    );
    let body = app.check_email("anna@exa\u{200d}mple.com").await;
    assert_eq!(body["domain"], "example.com");
    assert_eq!(body["eligible"], false);
}

/// Case 6: a list or a display name is not an address; an ideographic full stop at the
/// end is a trailing dot.
#[tokio::test]
async fn only_one_bare_address_is_checked() {
    let app = spawn_app().await;
    for email in [
        "b@lapsed.com,a@example.com",
        "b@lapsed.com <a@example.com",
        "Bob <a@example.com>",
    ] {
        let (status, body) = app.check(json!({ "email": email })).await;
        assert_eq!(
            status,
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "{email}: {body}"
        );
        assert_eq!(body["code"], "email_not_one_address");
        assert!(!body.to_string().contains("lapsed"), "{body}");
    }
    app.rdap.set("example.com", active("example.com"));
    let body = app.check_email("a@example.com\u{3002}").await;
    assert_eq!(body["domain"], "example.com");
}

/// Case 4: eight checks of the attacker's own `.com` domains whose DNS answers SERVFAIL
/// used to open the one DNS breaker; then `lapsed-shop.pl` (DNS-only, NXDOMAIN) answered
/// `eligible: true` without the resolver being asked.
#[tokio::test]
async fn one_names_servfails_do_not_open_the_resolvers_breaker() {
    let app = spawn_app_with(&[("LAPSEGUARD_RDAP_HOST_RATE", "1000000")]).await;
    for i in 0..8 {
        let name = format!("broken{i}.com");
        app.rdap.set(&name, active(&name));
        app.dns.set(&name, Zone::ServFail);
        app.check_email(&format!("a@{name}")).await;
    }
    app.dns.set("lapsed-shop.pl", Zone::NxDomain);
    let body = app.check_email("a@lapsed-shop.pl").await;
    assert_eq!(body["eligible"], false, "{body}");
    assert_eq!(body["reason"], "domain_inactive");
    assert_eq!(
        app.dns.ns_queries("lapsed-shop.pl"),
        1,
        "the resolver was asked"
    );
}

/// Case 5: the attacker checks his own domains into the watch list while active, then
/// lets them lapse together to open the host's hold, which would hide a real lapse that
/// follows. Lapses of domains that checks put on the list count a tenth.
#[tokio::test]
async fn the_attackers_own_lapses_do_not_open_the_hold_that_hides_a_real_one() {
    let app = spawn_app_with(&[("LAPSEGUARD_MASS_CHANGE_LIMIT", "3")]).await;
    let own: Vec<String> = (0..8).map(|i| format!("own{i}.com")).collect();
    for name in &own {
        app.rdap.set(name, active(name));
        assert_eq!(
            app.check_email(&format!("a@{name}")).await["reason"],
            "domain_active"
        );
    }
    // The real domain, watched on purpose by the site.
    crate::holds::watch_active(&app, &["victim.com".to_owned()]).await;

    // The attacker's domains lapse (and are checked again after the freshness limit).
    app.clock.advance(chrono::Duration::hours(7));
    for name in &own {
        app.rdap.set(name, crate::holds::grace(name));
        let body = app.check_email(&format!("a@{name}")).await;
        assert_eq!(body["reason"], "domain_in_grace_period", "{body}");
    }
    assert!(
        crate::holds::holds(&app).await.is_empty(),
        "eight light lapses hold nothing"
    );

    // The real lapse is published.
    app.rdap
        .set("victim.com", crate::holds::grace("victim.com"));
    crate::holds::look_again(&app, &["victim.com".to_owned()]).await;
    let published: Vec<String> = app
        .all_transitions()
        .await
        .iter()
        .filter_map(|t| t["domain"].as_str().map(str::to_owned))
        .collect();
    assert!(
        published.contains(&"victim.com".to_owned()),
        "{published:?}"
    );
    assert!(crate::holds::holds(&app).await.is_empty());
}

/// Case 5, the other side: a registry's bad deploy over the site's own watch list still
/// holds at the limit, even after checks put some of its domains on the list first.
#[tokio::test]
async fn a_domain_the_site_watches_counts_fully_even_if_a_check_added_it_first() {
    let app = spawn_app_with(&[("LAPSEGUARD_MASS_CHANGE_LIMIT", "3")]).await;
    let names = crate::holds::names(5);
    for name in &names {
        app.rdap.set(name, active(name));
        app.check_email(&format!("a@{name}")).await;
    }
    crate::holds::watch_active(&app, &names).await;
    for name in &names {
        app.rdap.set(name, crate::holds::grace(name));
    }
    crate::holds::look_again(&app, &names).await;
    let holds = crate::holds::holds(&app).await;
    assert_eq!(holds.len(), 1, "{holds:?}");
}
