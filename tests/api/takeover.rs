//! Issue 19, as the attacker would try it: the one who bought a victim's lapsed domain and
//! drives the site's password-reset form. Each test is a reproduction that used to end
//! with a reset mail the attacker receives (or with a lapse nobody is told about).

use serde_json::json;

use crate::helpers::*;
use crate::metrics::{sample, scrape};

/// The fake RDAP server's host label, as the pacer and the metrics name it.
fn host_of(url: &str) -> String {
    url.trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned()
}

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
    let host = host_of(&app.rdap.url);
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
