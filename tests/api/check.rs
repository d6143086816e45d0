//! Every row of the reason table, as a caller sees it.

use serde_json::json;

use crate::helpers::*;

async fn reason_for(statuses: &[&str]) -> serde_json::Value {
    let app = spawn_app().await;
    app.rdap
        .set("example.com", with_statuses("example.com", statuses));
    app.check_email("alice@example.com").await
}

#[tokio::test]
async fn check_allows_an_old_active_domain() {
    let app = spawn_app().await;
    app.rdap.set("example.com", active("example.com"));
    let body = app.check_email("alice@example.com").await;
    assert_eq!(body["eligible"], true);
    assert_eq!(body["reason"], "domain_active");
    assert_eq!(body["lifecycle"], "active");
    assert_eq!(body["domain"], "example.com");
    assert_eq!(body["email_domain"], "example.com");
    assert_eq!(body["source"], "live");
    assert_eq!(body["evidence"], "rdap");
    assert_eq!(body["stale"], false);
    assert_eq!(body["last_lapse_at"], serde_json::Value::Null);
    assert!(body["registered_at"].is_string());
    assert!(body["expires_at"].is_string());
    assert!(body["checked_at"].is_string());
}

#[tokio::test]
async fn check_denies_a_domain_in_auto_renew_grace() {
    let body = reason_for(&["autoRenewPeriod", "client transfer prohibited"]).await;
    assert_eq!(body["eligible"], false);
    assert_eq!(body["reason"], "domain_in_grace_period");
    assert_eq!(body["lifecycle"], "auto_renew_grace");
    assert!(body["last_lapse_at"].is_string());
}

#[tokio::test]
async fn check_denies_a_domain_in_redemption_period() {
    let body = reason_for(&["redemption period", "pending delete"]).await;
    assert_eq!(body["eligible"], false);
    assert_eq!(body["reason"], "domain_in_redemption_period");
    assert_eq!(body["lifecycle"], "redemption");
}

#[tokio::test]
async fn check_denies_a_domain_pending_restore_as_redemption() {
    let body = reason_for(&["pending restore", "pending delete"]).await;
    assert_eq!(body["reason"], "domain_in_redemption_period");
    assert_eq!(body["lifecycle"], "redemption");
}

#[tokio::test]
async fn check_denies_a_domain_pending_delete() {
    let body = reason_for(&["pendingDelete"]).await;
    assert_eq!(body["eligible"], false);
    assert_eq!(body["reason"], "domain_pending_delete");
    assert_eq!(body["lifecycle"], "pending_delete");
}

#[tokio::test]
async fn check_denies_a_domain_on_client_or_server_hold() {
    for status in ["client hold", "serverHold"] {
        let body = reason_for(&[status]).await;
        assert_eq!(body["eligible"], false, "{status}");
        assert_eq!(body["reason"], "domain_on_hold", "{status}");
        assert_eq!(body["lifecycle"], "on_hold", "{status}");
    }
}

#[tokio::test]
async fn check_denies_an_inactive_domain() {
    let body = reason_for(&["inactive"]).await;
    assert_eq!(body["reason"], "domain_inactive");
    assert_eq!(body["lifecycle"], "inactive");
}

#[tokio::test]
async fn check_denies_a_domain_whose_expiry_has_passed() {
    let app = spawn_app().await;
    let object = rdap_domain("example.com", &["active"], days_ago(3000), days_ago(3));
    app.rdap.set("example.com", Answer::Domain(object));
    let body = app.check_email("alice@example.com").await;
    assert_eq!(body["eligible"], false);
    assert_eq!(body["reason"], "domain_expired");
    assert_eq!(body["lifecycle"], "expired");
}

#[tokio::test]
async fn check_denies_an_unregistered_domain() {
    let app = spawn_app().await;
    app.rdap.set("example.com", Answer::NotFound);
    let body = app.check_email("alice@example.com").await;
    assert_eq!(body["eligible"], false);
    assert_eq!(body["reason"], "domain_unregistered");
    assert_eq!(body["lifecycle"], "unregistered");
    assert_eq!(body["registered_at"], serde_json::Value::Null);
}

#[tokio::test]
async fn check_denies_a_domain_registered_after_verification() {
    let app = spawn_app().await;
    let object = rdap_domain("example.com", &["active"], days_ago(60), days_ahead(300));
    app.rdap.set("example.com", Answer::Domain(object));
    let verified_at = days_ago(400).to_rfc3339();
    let (_, body) = app
        .check(json!({"email": "alice@example.com", "verified_at": verified_at}))
        .await;
    assert_eq!(body["eligible"], false);
    assert_eq!(body["reason"], "domain_reregistered");
}

#[tokio::test]
async fn check_denies_a_domain_whose_registration_date_moved_since_first_seen() {
    let app = spawn_app().await;
    app.seed("example.com", 10, registered(&["active"], days_ago(3000)))
        .await;
    let object = rdap_domain("example.com", &["active"], days_ago(5), days_ahead(360));
    app.rdap.set("example.com", Answer::Domain(object));
    let body = app.check_email("alice@example.com").await;
    assert_eq!(body["eligible"], false);
    assert_eq!(body["reason"], "domain_reregistered");
    assert_eq!(
        app.rdap.hits("example.com"),
        1,
        "a 10-day-old status is re-checked"
    );
}

#[tokio::test]
async fn check_denies_a_recently_registered_domain_without_verified_at() {
    let app = spawn_app().await;
    let object = rdap_domain("example.com", &["add period"], days_ago(3), days_ahead(362));
    app.rdap.set("example.com", Answer::Domain(object));
    let body = app.check_email("alice@example.com").await;
    assert_eq!(body["eligible"], false);
    assert_eq!(body["reason"], "domain_recently_registered");

    // With a verification after the registration, the young domain is fine.
    let (_, body) = app
        .check(json!({"email": "alice@example.com", "verified_at": days_ago(1).to_rfc3339()}))
        .await;
    assert_eq!(body["reason"], "domain_active");
    assert_eq!(body["eligible"], true);
}

#[tokio::test]
async fn check_denies_a_domain_that_lapsed_since_verification() {
    let app = spawn_app().await;
    app.seed(
        "example.com",
        20,
        registered(&["redemption period", "pending delete"], days_ago(3000)),
    )
    .await;
    app.rdap.set("example.com", active("example.com"));

    let (_, body) = app
        .check(json!({"email": "alice@example.com", "verified_at": days_ago(100).to_rfc3339()}))
        .await;
    assert_eq!(body["lifecycle"], "active");
    assert_eq!(body["eligible"], false);
    assert_eq!(body["reason"], "domain_lapsed_since_verification");
    assert!(body["last_lapse_at"].is_string());

    // Verified again after the lapse: continuity is restored.
    let (_, body) = app
        .check(json!({"email": "alice@example.com", "verified_at": days_ago(10).to_rfc3339()}))
        .await;
    assert_eq!(body["reason"], "domain_active");

    // No verified_at: the lapse memory (365 days) decides.
    let body = app.check_email("alice@example.com").await;
    assert_eq!(body["reason"], "domain_lapsed_since_verification");
}

#[tokio::test]
async fn check_follows_the_unknown_policy_for_a_tld_without_rdap_when_dns_is_off() {
    let app = spawn_app_with(&[("LAPSEGUARD_DNS", "off")]).await;
    let body = app.check_email("alice@example.nl").await;
    assert_eq!(body["reason"], "domain_not_covered");
    assert_eq!(body["eligible"], true);
    assert_eq!(body["lifecycle"], "unknown");

    let strict = spawn_app_with(&[
        ("LAPSEGUARD_UNKNOWN_POLICY", "deny"),
        ("LAPSEGUARD_DNS", "off"),
    ])
    .await;
    let body = strict.check_email("alice@example.nl").await;
    assert_eq!(body["reason"], "domain_not_covered");
    assert_eq!(body["eligible"], false);
}

#[tokio::test]
async fn a_domain_never_seen_is_denied_when_the_lookup_fails_whatever_the_unknown_policy() {
    // The defaults: `LAPSEGUARD_UNKNOWN_POLICY=allow`, `LAPSEGUARD_UNSEEN_POLICY=deny`.
    let app = spawn_app().await;
    app.rdap.set("example.com", Answer::Status(503));
    let body = app.check_email("alice@example.com").await;
    assert_eq!(body["reason"], "domain_status_unavailable");
    assert_eq!(body["eligible"], false);
    assert_eq!(body["lifecycle"], "unknown");
    assert_eq!(body["checked_at"], serde_json::Value::Null);

    let lenient = spawn_app_with(&[
        ("LAPSEGUARD_UNSEEN_POLICY", "allow"),
        ("LAPSEGUARD_UNKNOWN_POLICY", "deny"),
    ])
    .await;
    lenient.rdap.set("example.com", Answer::Status(500));
    let body = lenient.check_email("alice@example.com").await;
    assert_eq!(body["reason"], "domain_status_unavailable");
    assert_eq!(body["eligible"], true);
}

#[tokio::test]
async fn check_answers_from_a_stale_status_when_the_lookup_fails() {
    // On hold, the schedule looks daily: a status from yesterday (24 to 48 hours old) is
    // within the promise of a day plus the freshness limit of a day.
    let app = spawn_app_with(&[("LAPSEGUARD_MAX_STATUS_AGE_SECONDS", "86400")]).await;
    app.seed(
        "example.com",
        1,
        registered(&["client hold"], days_ago(3000)),
    )
    .await;
    app.rdap.set("example.com", Answer::Status(503));
    let body = app.check_email("alice@example.com").await;
    assert_eq!(body["stale"], true);
    assert_eq!(body["source"], "cache");
    assert_eq!(body["reason"], "domain_on_hold");
    assert_eq!(app.rdap.hits("example.com"), 1);
}

#[tokio::test]
async fn a_stale_status_past_the_stale_answer_limit_is_no_evidence() {
    // Stored active (registered 2010), since re-registered by someone else; the registry
    // does not answer in time.
    let app = spawn_app_with(&[("LAPSEGUARD_UNKNOWN_POLICY", "deny")]).await;
    app.seed("victim.com", 100, registered(&["active"], days_ago(6000)))
        .await;
    app.rdap.set("victim.com", Answer::Status(503));
    // Default limit: six hours plus the 90 days the schedule promises for it.
    let body = app
        .check(json!({"email": "ceo@victim.com", "verified_at": "2019-01-01T00:00:00Z"}))
        .await
        .1;
    assert_eq!(body["reason"], "domain_status_unavailable", "{body}");
    assert_eq!(body["eligible"], false);
    assert_eq!(body["stale"], false);

    // Within the limit it answers stale; an explicit limit shortens it.
    let app = spawn_app().await;
    app.seed("victim.com", 10, registered(&["active"], days_ago(6000)))
        .await;
    app.rdap.set("victim.com", Answer::Status(503));
    let body = app.check_email("ceo@victim.com").await;
    assert_eq!(
        (body["stale"].clone(), body["eligible"].clone()),
        (json!(true), json!(true))
    );
    let strict = spawn_app_with(&[
        ("LAPSEGUARD_STALE_ANSWER_SECONDS", "86400"),
        ("LAPSEGUARD_UNSEEN_POLICY", "deny"),
    ])
    .await;
    strict
        .seed("victim.com", 10, registered(&["active"], days_ago(6000)))
        .await;
    strict.rdap.set("victim.com", Answer::Status(503));
    let body = strict.check_email("ceo@victim.com").await;
    assert_eq!(body["reason"], "domain_status_unavailable", "{body}");
    assert_eq!(body["eligible"], false);
}

#[tokio::test]
async fn check_answers_a_fresh_stored_status_without_a_lookup() {
    let app = spawn_app().await;
    app.rdap.set("example.com", active("example.com"));
    let first = app.check_email("alice@example.com").await;
    assert_eq!(first["source"], "live");

    let restarted = app.restart().await;
    let body = restarted.check_email("bob@example.com").await;
    assert_eq!(body["source"], "cache");
    assert_eq!(body["reason"], "domain_active");
    assert_eq!(body["checked_at"], first["checked_at"]);
    assert_eq!(app.rdap.hits("example.com"), 1, "nothing lost on restart");
}

#[tokio::test]
async fn every_lookup_is_kept_in_the_history() {
    let app = spawn_app().await;
    app.rdap.set("example.com", Answer::Status(502));
    app.check_email("alice@example.com").await;
    app.rdap.set(
        "example.com",
        with_statuses("example.com", &["redemption period", "pending delete"]),
    );
    let restarted = app.restart().await;
    restarted.check_email("alice@example.com").await;

    let domain = lapseguard::domain::name::RegistrableDomain::parse("example.com").expect("valid");
    let history = app.store.observations(&domain, 10).await.expect("history");
    let history: Vec<_> = history
        .into_iter()
        .filter(|h| h.observation.source == lapseguard::domain::status::EvidenceSource::Rdap)
        .collect();
    assert_eq!(history.len(), 2);
    assert_eq!(
        history[0].observation.lifecycle(),
        Some(lapseguard::domain::lifecycle::Lifecycle::Redemption)
    );
    assert_eq!(history[1].observation.http_status, Some(502));
    assert!(
        history
            .iter()
            .all(|h| h.observation.source == lapseguard::domain::status::EvidenceSource::Rdap),
        "each observation names its source"
    );
    assert_eq!(history[1].observation.lifecycle(), None);
}

#[tokio::test]
async fn an_offset_without_a_colon_is_read_as_markmonitor_writes_it() {
    let app = spawn_app().await;
    let mut object = rdap_domain("example.com", &["active"], days_ago(3000), days_ahead(200));
    object["events"] = json!([
        {"eventAction": "registration", "eventDate": "2025-03-20T07:00:00.000+0000"},
        {"eventAction": "expiration", "eventDate": days_ago(3).format("%Y-%m-%dT%H:%M:%S.000+0000").to_string()}
    ]);
    app.rdap.set("example.com", Answer::Domain(object));
    let verified_at = "2025-01-01T00:00:00Z";
    let (_, body) = app
        .check(json!({"email": "a@example.com", "verified_at": verified_at}))
        .await;
    assert_eq!(body["registered_at"], "2025-03-20T07:00:00Z");
    assert_eq!(body["eligible"], false);
    // Registered after verification and expired: re-registration outranks expiry.
    assert_eq!(body["reason"], "domain_reregistered");
}

#[tokio::test]
async fn an_unreadable_registration_date_never_reads_as_active() {
    let app = spawn_app().await;
    let mut object = rdap_domain("example.com", &["active"], days_ago(3000), days_ahead(200));
    object["events"][0]["eventDate"] = json!("20/03/2025 07:00");
    app.rdap.set("example.com", Answer::Domain(object));
    let body = app.check_email("a@example.com").await;
    assert_ne!(body["reason"], "domain_active");
    assert_eq!(body["reason"], "domain_status_unavailable");
    assert_eq!(body["lifecycle"], "unknown");

    let observations = app.history("example.com", "rdap").await;
    assert_eq!(observations[0]["unreadable_dates"], json!(["registration"]));
}
