//! Fastly's status API for TLDs with no RDAP server, for operators with a key.

use serde_json::json;

use crate::helpers::*;

async fn spawn_with_fastly() -> (TestApp, FakeFastly) {
    let fastly = FakeFastly::start().await;
    let app = spawn_app_with(&[
        ("LAPSEGUARD_FASTLY_API_KEY", FAKE_FASTLY_KEY),
        ("LAPSEGUARD_FASTLY_URL", &fastly.url),
        ("LAPSEGUARD_FASTLY_RATE", "1000"),
    ])
    .await;
    (app, fastly)
}

#[tokio::test]
async fn fastly_answers_for_tlds_without_rdap_and_its_flags_decide() {
    let (app, fastly) = spawn_with_fastly().await;
    for (name, flags, reason) in [
        ("kept.it", "active", "domain_active"),
        ("parked.it", "active parked", "domain_active"),
        ("free.it", "undelegated inactive", "domain_unregistered"),
        ("going.it", "active deleting", "domain_pending_delete"),
        (
            "late.it",
            "undelegated active expiring",
            "domain_in_redemption_period",
        ),
        ("dark.it", "undelegated active", "domain_inactive"),
    ] {
        fastly.set(name, Status::Flags(flags));
        let body = app.check_email(&format!("a@{name}")).await;
        assert_eq!(body["reason"], reason, "{name}: {body}");
        assert_eq!(body["evidence"], "fastly", "{name}");
    }
    let rows = app.history("going.it", "fastly").await;
    assert_eq!(rows[0]["outcome"], "flagged");
    assert_eq!(rows[0]["statuses"], json!(["active", "deleting"]));
    assert_eq!(rows[0]["lifecycle"], "pending_delete");

    // A TLD with an RDAP server never goes to Fastly.
    app.rdap.set("example.com", active("example.com"));
    let body = app.check_email("a@example.com").await;
    assert_eq!(body["evidence"], "rdap");
    assert_eq!(fastly.hits("example.com"), 0);
}

#[tokio::test]
async fn a_best_effort_answer_counts_only_when_dns_agrees() {
    let (app, fastly) = spawn_with_fastly().await;
    fastly.set("timeout.it", Status::Flags("undelegated"));
    app.dns.set("timeout.it", Zone::NxDomain);
    let body = app.check_email("a@timeout.it").await;
    assert_eq!(body["reason"], "domain_inactive", "{body}");
    assert_eq!(body["evidence"], "fastly");

    fastly.set("maintenance.it", Status::Flags("unknown"));
    let body = app.check_email("a@maintenance.it").await;
    assert_eq!(body["reason"], "domain_status_unavailable", "{body}");
    let rows = app.history("maintenance.it", "fastly").await;
    assert_eq!(rows[0]["error"], "inconclusive");
}

#[tokio::test]
async fn errors_bad_keys_and_rate_limits_are_failed_lookups() {
    let (app, fastly) = spawn_with_fastly().await;
    fastly.set("typo.it", Status::Errors);
    let body = app.check_email("a@typo.it").await;
    assert_eq!(body["reason"], "domain_status_unavailable");
    let rows = app.history("typo.it", "fastly").await;
    assert_eq!(rows[0]["outcome"], "failed");
    assert_eq!(rows[0]["error"], "error_body");

    fastly.set("busy.it", Status::RateLimited);
    let body = app.check_email("a@busy.it").await;
    assert_eq!(body["reason"], "domain_status_unavailable");
    let rows = app.history("busy.it", "fastly").await;
    assert_eq!(rows[0]["error"], "rate_limited");
    // The host is paused: the next domain is not asked.
    fastly.set("next.it", Status::Flags("active"));
    let body = app.check_email("a@next.it").await;
    assert_eq!(body["reason"], "domain_status_unavailable");
    assert_eq!(fastly.hits("next.it"), 0);

    let wrong_key = spawn_app_with(&[
        ("LAPSEGUARD_FASTLY_API_KEY", "not-the-key"),
        ("LAPSEGUARD_FASTLY_URL", &fastly.url),
    ])
    .await;
    let body = wrong_key.check_email("a@kept.it").await;
    assert_eq!(body["reason"], "domain_status_unavailable");
    let rows = wrong_key.history("kept.it", "fastly").await;
    assert_eq!(rows[0]["http_status"], 401);
}
