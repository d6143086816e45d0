//! Issue 22 (ownership signals), what is built so far: each RDAP observation keeps the
//! registry's handle, the sponsoring registrar's IANA ID and the registry's nameservers,
//! so that a later observation can be compared with it.

use chrono::{DateTime, Utc};
use lapseguard::clock::Clock;
use lapseguard::config::Config;
use lapseguard::domain::access::Scope;
use lapseguard::domain::name::RegistrableDomain;
use lapseguard::domain::status::Finding;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn an_rdap_observation_keeps_the_handle_the_registrar_and_the_nameservers() {
    let app = spawn().await;
    let mut object = rdap_domain("kept.com", &["active"], days_ago(4000), days_ahead(200));
    object["handle"] = json!("123_DOMAIN_COM-VRSN");
    object["entities"] = json!([{
        "objectClassName": "entity", "roles": ["registrar"],
        "publicIds": [{"type": "IANA Registrar ID", "identifier": "292"}]
    }]);
    object["nameservers"] = json!([
        {"objectClassName": "nameserver", "ldhName": "NS2.SEDOPARKING.COM"},
        {"objectClassName": "nameserver", "ldhName": "ns1.sedoparking.com"}
    ]);
    app.rdap.set("kept.com", Answer::Domain(object));
    let body = app.check_email("a@kept.com").await;
    assert_eq!(body["reason"], "domain_active", "{body}");
    app.state.checker.settled().await;

    let domain = RegistrableDomain::parse("kept.com").expect("valid");
    let history = app.store.observations(&domain, 10).await.expect("history");
    let registered = history
        .iter()
        .find_map(|entry| match &entry.observation.finding {
            Finding::Registered(record) => Some(record.clone()),
            _ => None,
        })
        .expect("the RDAP observation was kept");
    assert_eq!(registered.handle.as_deref(), Some("123_DOMAIN_COM-VRSN"));
    assert_eq!(registered.registrar_id.as_deref(), Some("292"));
    assert_eq!(
        registered.nameservers,
        ["ns1.sedoparking.com", "ns2.sedoparking.com"]
    );
    // The API's history is unchanged: its `nameservers` are DNS answers' only.
    let rows = app.history("kept.com", "rdap").await;
    assert_eq!(rows[0]["nameservers"], serde_json::Value::Null, "{rows:?}");
}

/// The app, with the nameservers' providers in these tests active (their domains are
/// routes: a check looks them up).
async fn spawn() -> TestApp {
    spawn_with(&[]).await
}

async fn spawn_with(settings: &[(&str, &str)]) -> TestApp {
    let app = spawn_app_with(settings).await;
    for provider in [
        "example.net",
        "sedoparking.com",
        "dan.com",
        "renewyourname.net",
        "bodis.com",
        "afternic.com",
        "namecheap.com",
    ] {
        app.rdap.set(provider, active(provider));
    }
    app
}

/// A registry answer for `name` with these nameservers, registrar ID and handle.
fn held_by(name: &str, nameservers: &[&str], registrar: &str, handle: &str) -> Value {
    let mut object = rdap_domain(name, &["active"], days_ago(4700), days_ahead(200));
    object["handle"] = json!(handle);
    object["entities"] = json!([{
        "objectClassName": "entity", "roles": ["registrar"],
        "publicIds": [{"type": "IANA Registrar ID", "identifier": registrar}]
    }]);
    object["nameservers"] = json!(
        nameservers
            .iter()
            .map(|ns| json!({"objectClassName": "nameserver", "ldhName": ns}))
            .collect::<Vec<_>>()
    );
    object
}

fn with_transfer(mut object: Value, transferred: DateTime<Utc>, expires: DateTime<Utc>) -> Value {
    let events = object["events"].as_array_mut().expect("events");
    events.retain(|e| e["eventAction"] != "expiration");
    events.push(json!({"eventAction": "expiration", "eventDate": expires.to_rfc3339()}));
    events.push(json!({"eventAction": "transfer", "eventDate": transferred.to_rfc3339()}));
    object
}

async fn check_verified(app: &TestApp, email: &str, verified_at: Option<DateTime<Utc>>) -> Value {
    let mut body = json!({ "email": email });
    if let Some(verified) = verified_at {
        body["verified_at"] = json!(verified.to_rfc3339());
    }
    let (status, answer) = app.check(body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

fn signal_names(answer: &Value) -> Vec<String> {
    answer["signals"]
        .as_array()
        .unwrap_or_else(|| panic!("signals is a list: {answer}"))
        .iter()
        .map(|s| s["signal"].as_str().expect("a name").to_owned())
        .collect()
}

/// The check of an address verified 200 days ago at `name`, whose record shows a
/// transfer 4 days ago and expires at `expires`.
async fn transferred_4_days_ago(app: &TestApp, name: &str, expires: DateTime<Utc>) -> Value {
    let object = held_by(name, &["ns1.example.net"], "1068", "9-VRSN");
    let object = with_transfer(object, days_ago(4), expires);
    app.rdap.set(name, Answer::Domain(object));
    check_verified(app, &format!("ceo@{name}"), Some(days_ago(200))).await
}

/// The reproduction: a `.com` created in 2013, in the weeks after its expiry date,
/// transferred 4 days ago to an expired-domain auction's winner. The registration date
/// did not change; the account holder verified the address 200 days ago.
#[tokio::test]
async fn an_expired_domain_auction_transfer_is_refused() {
    let app = spawn().await;
    // Expired 30 days ago; the auction's registrar renewed it for a year.
    let answer = transferred_4_days_ago(&app, "auctioned.com", days_ahead(335)).await;
    assert_eq!(answer["eligible"], false, "{answer}");
    assert_eq!(answer["reason"], "domain_transferred_after_expiry");
    assert_eq!(answer["lifecycle"], "active");
    assert_eq!(
        signal_names(&answer),
        ["transferred_since_verified", "transferred_in_grace_window"]
    );
    let since: DateTime<Utc> = answer["signals"][1]["since"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .expect("a date");
    assert_eq!(since, days_ago(4), "the transfer's date");
    // From the cache, and without verified_at (an event within the lapse memory): the same.
    let cached = check_verified(&app, "ceo@auctioned.com", None).await;
    assert_eq!(cached["source"], "cache");
    assert_eq!(cached["reason"], "domain_transferred_after_expiry");
    // The new holder verifying the address afterwards is forgiven, as for a lapse.
    let after = check_verified(&app, "ceo@auctioned.com", Some(days_ago(1))).await;
    assert_eq!(after["eligible"], true, "{after}");
    assert_eq!(after["signals"], json!([]));
}

/// The false-positive side: a transfer long after the expiry anniversary (a holder
/// moving registrars) is listed as a flag and allowed.
#[tokio::test]
async fn an_ordinary_transfer_is_listed_not_refused() {
    let app = spawn().await;
    let answer = transferred_4_days_ago(&app, "moved.com", days_ahead(200)).await;
    assert_eq!(answer["eligible"], true, "{answer}");
    assert_eq!(answer["reason"], "domain_active");
    assert_eq!(signal_names(&answer), ["transferred_since_verified"]);
    let evidence = answer["signals"][0]["evidence"].as_str().expect("text");
    assert!(evidence.starts_with("transfer event "), "{evidence}");
}

#[tokio::test]
async fn sale_and_registrar_expiry_nameservers_deny_parking_flags() {
    let app = spawn().await;
    let cases = [
        (
            "sold.com",
            "NS1.DAN.COM",
            false,
            "domain_for_sale",
            "for_sale",
        ),
        (
            "lapsing.com",
            "ns1.renewyourname.net",
            false,
            "domain_registrar_expired",
            "registrar_expired",
        ),
        (
            "parked.com",
            "ns1.sedoparking.com",
            true,
            "domain_active",
            "parked",
        ),
        (
            "held.com",
            "dns1.failed-whois-verification.namecheap.com",
            true,
            "domain_active",
            "registrar_hold",
        ),
    ];
    for (name, ns, eligible, reason, signal) in cases {
        app.rdap.set(
            name,
            Answer::Domain(held_by(name, &[ns, "ns2.example.net"], "292", "1-VRSN")),
        );
        let answer = check_verified(&app, &format!("a@{name}"), None).await;
        assert_eq!(answer["eligible"], eligible, "{name}: {answer}");
        assert_eq!(answer["reason"], reason, "{name}");
        assert_eq!(signal_names(&answer), [signal], "{name}");
        assert_eq!(
            answer["signals"][0]["evidence"],
            format!("nameserver {}", ns.to_ascii_lowercase())
        );
    }
    app.state.checker.settled().await;
    // A first look publishes what it shows at once, as a first lifecycle is.
    let published: Vec<(String, String)> = app
        .all_transitions()
        .await
        .iter()
        .filter(|t| t["kind"] == "signal")
        .map(|t| {
            (
                t["domain"].as_str().unwrap_or_default().to_owned(),
                t["signal"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert!(
        published.contains(&("sold.com".into(), "for_sale".into())),
        "{published:?}"
    );
    assert_eq!(published.len(), 4, "{published:?}");
    // A registrar's "expired" placeholder is checked again within a day.
    let (_, view) = app.get("/v1/domains/lapsing.com").await;
    let next: DateTime<Utc> = view["next_check_at"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .expect("scheduled");
    assert!(
        next <= app.clock.now() + chrono::Duration::days(1),
        "{view}"
    );
    assert_eq!(view["signals"][0]["signal"], "registrar_expired", "{view}");
    // The dashboard's filter.
    let (status, page) = app.get("/v1/domains?signal=for_sale").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let listed: Vec<&str> = page["domains"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|d| d["domain"].as_str().expect("a name"))
        .collect();
    assert_eq!(listed, ["sold.com"]);
    assert_eq!(page["domains"][0]["signals"], json!(["for_sale"]));
    let (status, problem) = app.get("/v1/domains?signal=sold").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["code"], "invalid_query");
}

#[tokio::test]
async fn the_signal_policy_and_the_class_table_are_the_operators() {
    let app = spawn_with(&[("LAPSEGUARD_SIGNAL_POLICY", "parked=deny,for_sale=ignore")]).await;
    for (name, ns) in [
        ("parked.com", "ns1.bodis.com"),
        ("sold.com", "ns1.afternic.com"),
    ] {
        app.rdap
            .set(name, Answer::Domain(held_by(name, &[ns], "292", "1-VRSN")));
    }
    let parked = check_verified(&app, "a@parked.com", None).await;
    assert_eq!(parked["reason"], "domain_parked", "{parked}");
    assert_eq!(parked["eligible"], false);
    let sold = check_verified(&app, "a@sold.com", None).await;
    assert_eq!(sold["reason"], "domain_active", "{sold}");
    assert_eq!(sold["signals"], json!([]), "ignored: not listed");

    let off = spawn_with(&[("LAPSEGUARD_NAMESERVER_CLASSES", "off")]).await;
    off.rdap.set(
        "sold.com",
        Answer::Domain(held_by("sold.com", &["ns1.dan.com"], "292", "1-VRSN")),
    );
    let answer = check_verified(&off, "a@sold.com", None).await;
    assert_eq!(answer["reason"], "domain_active", "{answer}");

    let table = tempfile::NamedTempFile::new().expect("temp file");
    let cited =
        r#"[{"url": "https://example.org/list", "published": "2026", "read": "2026-12-06"}]"#;
    std::fs::write(
        table.path(),
        format!(
            r#"{{"about": "ours", "classes": [{{"class": "for_sale", "suffix": "sale.example", "sources": {cited}}}]}}"#
        ),
    )
    .expect("write");
    let own = spawn_with(&[(
        "LAPSEGUARD_NAMESERVER_CLASSES",
        table.path().to_str().expect("utf-8 path"),
    )])
    .await;
    for (name, ns) in [("ours.com", "ns.sale.example"), ("dan.com", "ns1.dan.com")] {
        own.rdap
            .set(name, Answer::Domain(held_by(name, &[ns], "292", "1-VRSN")));
    }
    let ours = check_verified(&own, "a@ours.com", None).await;
    assert_eq!(ours["reason"], "domain_for_sale", "{ours}");
    let shipped_only = check_verified(&own, "a@dan.com", None).await;
    assert_eq!(
        shipped_only["reason"], "domain_active",
        "the file replaces the table"
    );
}

#[test]
fn a_bad_signal_setting_stops_the_start_naming_the_variable() {
    let with = |name: &str, value: &str| {
        let vars = [(name.to_owned(), value.to_owned())].into_iter().collect();
        Config::from_vars(vars).map(|_| ()).expect_err("refused")
    };
    let error = with("LAPSEGUARD_SIGNAL_POLICY", "sold=deny");
    assert_eq!(error.variable, "LAPSEGUARD_SIGNAL_POLICY");
    let error = with("LAPSEGUARD_SIGNAL_POLICY", "parked=block");
    assert_eq!(error.variable, "LAPSEGUARD_SIGNAL_POLICY");
    let error = with("LAPSEGUARD_NAMESERVER_CLASSES", "/nonexistent/classes.json");
    assert_eq!(error.variable, "LAPSEGUARD_NAMESERVER_CLASSES");
    let uncited = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(
        uncited.path(),
        r#"{"about": "x", "classes": [{"class": "parked", "suffix": "p.example", "sources": []}]}"#,
    )
    .expect("write");
    let error = with(
        "LAPSEGUARD_NAMESERVER_CLASSES",
        uncited.path().to_str().expect("utf-8"),
    );
    assert_eq!(error.variable, "LAPSEGUARD_NAMESERVER_CLASSES");
    assert!(error.problem.contains("no source"), "{error}");
}

/// The registry answers for `name` with this registrar and handle.
/// `name` registered anew three days ago, by someone else.
fn registered_anew(app: &TestApp, name: &str) {
    app.rdap.set(
        name,
        Answer::Domain(rdap_domain(name, &["active"], days_ago(3), days_ahead(362))),
    );
}

fn set_holder(app: &TestApp, name: &str, registrar: &str, handle: &str) {
    let object = held_by(name, &["ns1.example.net"], registrar, handle);
    app.rdap.set(name, Answer::Domain(object));
}

/// A new registrar or a new registry handle is seen by comparing two observations; the
/// signal survives a restart with its `since`.
#[tokio::test]
async fn a_new_registrar_or_handle_between_two_looks_is_a_signal() {
    let app = spawn_with(&[(
        "LAPSEGUARD_SIGNAL_POLICY",
        "transferred_since_verified=deny",
    )])
    .await;
    set_holder(&app, "sold-quietly.com", "292", "1-VRSN");
    set_holder(&app, "recreated.com", "292", "1-VRSN");
    let verified = app.clock.now() - chrono::Duration::days(10);
    for name in ["sold-quietly.com", "recreated.com"] {
        let first = check_verified(&app, &format!("a@{name}"), Some(verified)).await;
        assert_eq!(first["reason"], "domain_active", "{first}");
    }
    app.state.checker.settled().await;
    set_holder(&app, "sold-quietly.com", "1068", "1-VRSN");
    set_holder(&app, "recreated.com", "292", "2-VRSN");
    app.run_next_check("sold-quietly.com").await;
    app.run_next_check("recreated.com").await;
    let seen_at = app.clock.now();
    let (_, before_restart) = app.get("/v1/domains/sold-quietly.com").await;
    let restarted = app.restart().await;
    restarted.clock.set(seen_at);
    let sold = check_verified(&restarted, "a@sold-quietly.com", Some(verified)).await;
    assert_eq!(
        sold["signals"][0]["since"], before_restart["signals"][0]["since"],
        "kept in the store: {sold}"
    );
    assert_eq!(sold["reason"], "domain_transferred", "{sold}");
    assert_eq!(sold["signals"][0]["evidence"], "registrar 292 -> 1068");
    let recreated = check_verified(&restarted, "a@recreated.com", Some(verified)).await;
    assert_eq!(recreated["reason"], "domain_handle_changed", "{recreated}");
    let since: DateTime<Utc> = recreated["signals"][0]["since"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .expect("a date");
    assert!(since <= seen_at && since > verified, "{recreated}");
    // Verified after the change: forgiven.
    let after = seen_at + chrono::Duration::seconds(1);
    let later = check_verified(&restarted, "a@recreated.com", Some(after)).await;
    assert_eq!(later["reason"], "domain_active", "{later}");
}

/// The reproduction's DNS half: `victim-corp.com` (active since 2002) is served by
/// `ns1.lapsed-dns.net`, whose domain somebody registered anew three days ago. Whoever
/// holds it controls the victim's DNS, and so its mail.
#[tokio::test]
async fn a_nameserver_domain_registered_anew_denies_the_domains_it_serves() {
    let app = spawn().await;
    let mut victim = held_by(
        "victim-corp.com",
        &["ns1.lapsed-dns.net", "ns2.lapsed-dns.net"],
        "292",
        "1-VRSN",
    );
    victim["events"][0]["eventDate"] = json!(days_ago(8800).to_rfc3339());
    app.rdap.set("victim-corp.com", Answer::Domain(victim));
    registered_anew(&app, "lapsed-dns.net");
    let answer = check_verified(&app, "ceo@victim-corp.com", Some(days_ago(200))).await;
    assert_eq!(answer["eligible"], false, "{answer}");
    assert_eq!(answer["reason"], "domain_nameserver_lapsed");
    assert_eq!(answer["domain"], "victim-corp.com");
    assert_eq!(answer["lifecycle"], "active");
    assert_eq!(signal_names(&answer), ["nameserver_domain_lapsed"]);
    assert_eq!(
        answer["signals"][0]["evidence"],
        "lapsed-dns.net was registered anew"
    );
    // The route domain is on the watch list, one row however many names use it.
    app.state.checker.settled().await;
    let (status, route) = app.get("/v1/domains/lapsed-dns.net").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(route["watched"], true, "{route}");
    // From the cache too; and a user who verified after the new registration is allowed.
    let cached = check_verified(&app, "ceo@victim-corp.com", Some(days_ago(200))).await;
    assert_eq!(cached["reason"], "domain_nameserver_lapsed", "{cached}");
    let after = check_verified(&app, "ceo@victim-corp.com", Some(days_ago(1))).await;
    assert_eq!(after["reason"], "domain_active", "{after}");
    // An override still wins.
    let token = app
        .create_token("agent", &[Scope::Admin, Scope::Check])
        .await;
    app.use_token(Some(&token));
    let (status, _) = app
        .put_json(
            "/v1/overrides/victim-corp.com",
            json!({"decision": "allow", "note": "checked with the customer"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let allowed = check_verified(&app, "ceo@victim-corp.com", Some(days_ago(200))).await;
    assert_eq!(allowed["reason"], "override_allow", "{allowed}");
}

#[tokio::test]
async fn a_nameserver_domain_in_redemption_or_gone_denies_a_failing_one_is_unseen() {
    let app = spawn().await;
    let served_by = |name: &str, ns: &str| {
        app.rdap
            .set(name, Answer::Domain(held_by(name, &[ns], "292", "1-VRSN")));
    };
    served_by("a-corp.com", "ns1.redeeming-dns.com");
    app.rdap.set(
        "redeeming-dns.com",
        Answer::Domain(rdap_domain(
            "redeeming-dns.com",
            &["redemption period"],
            days_ago(3000),
            days_ago(40),
        )),
    );
    served_by("b-corp.com", "ns1.gone-dns.com");
    // gone-dns.com is not set: the registry answers 404, anyone may register it.
    served_by("c-corp.com", "ns1.flaky-dns.com");
    app.rdap.set("flaky-dns.com", Answer::Status(503));
    let redeeming = check_verified(&app, "a@a-corp.com", Some(days_ago(200))).await;
    assert_eq!(
        redeeming["reason"], "domain_nameserver_lapsed",
        "{redeeming}"
    );
    assert_eq!(
        redeeming["signals"][0]["evidence"],
        "redeeming-dns.com is redemption"
    );
    let gone = check_verified(&app, "b@b-corp.com", Some(days_ago(200))).await;
    assert_eq!(gone["reason"], "domain_nameserver_lapsed", "{gone}");
    // A registry that fails for the route domain is no evidence either way: the route is
    // unseen, and the unseen policy answers (deny by default), as it would for the domain
    // itself; an attacker who holds the route domain could cause the failure.
    let flaky = check_verified(&app, "c@c-corp.com", Some(days_ago(200))).await;
    assert_eq!(flaky["eligible"], false, "{flaky}");
    assert_eq!(flaky["reason"], "domain_status_unavailable", "{flaky}");
    assert_eq!(flaky["signals"], json!([]));
    // Once the route domain answers (here at a "check now"; the cooldown after a failure
    // would delay a check's own lookup), the check allows.
    app.rdap.set(
        "flaky-dns.com",
        Answer::Domain(held_by("flaky-dns.com", &[], "292", "1-VRSN")),
    );
    check_now(&app, "flaky-dns.com").await;
    app.run_next_check("flaky-dns.com").await;
    let answered = check_verified(&app, "c@c-corp.com", Some(days_ago(200))).await;
    assert_eq!(answered["reason"], "domain_active", "{answered}");
    // The policy can make it a flag.
    let flagging =
        spawn_with(&[("LAPSEGUARD_SIGNAL_POLICY", "nameserver_domain_lapsed=flag")]).await;
    flagging.rdap.set(
        "b-corp.com",
        Answer::Domain(held_by(
            "b-corp.com",
            &["ns1.gone-dns.com"],
            "292",
            "1-VRSN",
        )),
    );
    let flagged = check_verified(&flagging, "b@b-corp.com", Some(days_ago(200))).await;
    assert_eq!(flagged["eligible"], true, "{flagged}");
    assert_eq!(signal_names(&flagged), ["nameserver_domain_lapsed"]);
}

/// The reproduction's mail half: the mail for `victim-corp.com` is delivered by
/// `mx.lapsed-mail.net`, whose domain somebody registered anew three days ago: whoever
/// holds it receives the reset mail.
#[tokio::test]
async fn a_mail_route_through_a_domain_registered_anew_is_refused() {
    let app = spawn().await;
    set_holder(&app, "victim-corp.com", "292", "1-VRSN");
    app.dns.set(
        "victim-corp.com",
        Zone::MailVia(vec![
            "mx.lapsed-mail.net".into(),
            "mx2.lapsed-mail.net".into(),
        ]),
    );
    registered_anew(&app, "lapsed-mail.net");
    let answer = check_verified(&app, "ceo@victim-corp.com", Some(days_ago(200))).await;
    assert_eq!(answer["eligible"], false, "{answer}");
    assert_eq!(answer["reason"], "domain_mail_route_lapsed");
    assert_eq!(signal_names(&answer), ["mail_route_lapsed"]);
    assert_eq!(
        answer["signals"][0]["evidence"],
        "lapsed-mail.net was registered anew"
    );
    let after = check_verified(&app, "ceo@victim-corp.com", Some(days_ago(1))).await;
    assert_eq!(after["reason"], "domain_active", "{after}");
    // The route domain is watched like any other.
    app.state.checker.settled().await;
    let (_, route) = app.get("/v1/domains/lapsed-mail.net").await;
    assert_eq!(route["watched"], true, "{route}");
    // When DNS cannot answer (the attacker used up its pace, or it fails), the route seen
    // last still answers.
    app.dns.set("victim-corp.com", Zone::ServFail);
    app.clock.advance(chrono::Duration::hours(7));
    let stale = check_verified(&app, "ceo@victim-corp.com", Some(days_ago(200))).await;
    assert_eq!(stale["reason"], "domain_mail_route_lapsed", "{stale}");
    // A restart (or another replica) knows the route from the store.
    let restarted = app.restart().await;
    let stored = check_verified(&restarted, "ceo@victim-corp.com", Some(days_ago(200))).await;
    assert_eq!(stored["reason"], "domain_mail_route_lapsed", "{stored}");
    // A week after DNS last gave it, the route no longer answers: unseen, not allowed.
    restarted.clock.advance(chrono::Duration::days(8));
    let forgotten = check_verified(&restarted, "ceo@victim-corp.com", Some(days_ago(200))).await;
    assert_eq!(
        forgotten["reason"], "domain_status_unavailable",
        "{forgotten}"
    );
    assert_eq!(forgotten["eligible"], false, "{forgotten}");
}

/// The delegation sweep keeps each watched domain's own mail route: a check of one of its
/// addresses knows the route before it asks, after a restart, and while DNS cannot answer
/// the check itself.
#[tokio::test]
async fn the_delegation_sweep_keeps_each_watched_domains_mail_route() {
    let app = spawn().await;
    set_holder(&app, "swept.com", "292", "1-VRSN");
    app.dns.set(
        "swept.com",
        Zone::MailVia(vec!["mx.lapsed-mail.net".into()]),
    );
    registered_anew(&app, "lapsed-mail.net");
    app.watch(&["swept.com"]).await;
    assert!(app.sweep_dns().await >= 1);
    // From now on DNS fails for the mail domain, and this process is new.
    app.dns.set("swept.com", Zone::ServFail);
    let restarted = app.restart().await;
    let answer = check_verified(&restarted, "ceo@swept.com", Some(days_ago(200))).await;
    assert_eq!(answer["reason"], "domain_mail_route_lapsed", "{answer}");
}

/// A watched domain whose own mail stopped (here: neither MX nor address) gets `no_mail`
/// on its status from the delegation sweep: listed in its view and by `?signal=`,
/// published once a later look confirms it and again when it goes. A check lists it once
/// (its own judgement of the mail domain).
#[tokio::test]
async fn a_watched_domain_whose_mail_stopped_gets_a_published_no_mail() {
    let app = spawn().await;
    set_holder(&app, "mailless.com", "292", "1-VRSN");
    app.dns
        .set("mailless.com", Zone::MailVia(vec!["mx.example.net".into()]));
    app.watch(&["mailless.com"]).await;
    app.run_next_check("mailless.com").await;
    app.sweep_dns().await;
    let (_, view) = app.get("/v1/domains/mailless.com").await;
    assert_eq!(signal_names(&view), Vec::<String>::new(), "{view}");
    // The mail stops.
    app.dns.set("mailless.com", Zone::NoMail);
    app.clock
        .advance(chrono::Duration::days(1) + chrono::Duration::hours(1));
    app.sweep_dns().await;
    let (_, view) = app.get("/v1/domains/mailless.com").await;
    assert_eq!(signal_names(&view), ["no_mail"], "{view}");
    let (_, listed) = app.get("/v1/domains?signal=no_mail").await;
    assert_eq!(listed["domains"][0]["domain"], "mailless.com", "{listed}");
    let check = check_verified(&app, "a@mailless.com", None).await;
    assert_eq!(signal_names(&check), ["no_mail"], "listed once: {check}");
    // The confirming look (the registry check the signal brings back) publishes it; the
    // mail coming back publishes its end.
    app.clock.advance(chrono::Duration::hours(1));
    app.run_next_check("mailless.com").await;
    app.dns
        .set("mailless.com", Zone::MailVia(vec!["mx.example.net".into()]));
    app.clock
        .advance(chrono::Duration::days(1) + chrono::Duration::hours(1));
    app.sweep_dns().await;
    let changes: Vec<(String, String)> = app
        .all_transitions()
        .await
        .iter()
        .filter(|t| t["signal"] == "no_mail")
        .map(|t| {
            (
                t["change"].as_str().unwrap_or_default().to_owned(),
                t["domain"].to_string(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            ("appeared".to_owned(), "\"mailless.com\"".to_owned()),
            ("gone".to_owned(), "\"mailless.com\"".to_owned())
        ]
    );
}

/// A watched domain whose nameserver domain was registered anew gets
/// `nameserver_domain_lapsed` on its status at the delegation sweep's look: listed by
/// `?signal=`, published once confirmed. A check judges the route itself and lists the
/// signal once.
#[tokio::test]
async fn the_sweep_keeps_a_route_domains_lapse_on_the_status_and_publishes_it() {
    let app = spawn().await;
    let mut victim = held_by("victim-corp.com", &["ns1.lapsed-dns.net"], "292", "1-VRSN");
    victim["events"][0]["eventDate"] = json!(days_ago(8800).to_rfc3339());
    app.rdap.set("victim-corp.com", Answer::Domain(victim));
    app.dns.set(
        "victim-corp.com",
        Zone::Delegated(vec!["ns1.lapsed-dns.net".into()]),
    );
    registered_anew(&app, "lapsed-dns.net");
    app.watch(&["victim-corp.com"]).await;
    let check = check_verified(&app, "ceo@victim-corp.com", Some(days_ago(200))).await;
    assert_eq!(
        signal_names(&check),
        ["nameserver_domain_lapsed"],
        "{check}"
    );
    // The next day's sweep.
    app.clock
        .advance(chrono::Duration::days(1) + chrono::Duration::hours(1));
    app.sweep_dns().await;
    let (_, view) = app.get("/v1/domains/victim-corp.com").await;
    assert_eq!(signal_names(&view), ["nameserver_domain_lapsed"], "{view}");
    let (_, listed) = app.get("/v1/domains?signal=nameserver_domain_lapsed").await;
    assert_eq!(
        listed["domains"][0]["domain"], "victim-corp.com",
        "{listed}"
    );
    let again = check_verified(&app, "ceo@victim-corp.com", Some(days_ago(200))).await;
    assert_eq!(
        signal_names(&again),
        ["nameserver_domain_lapsed"],
        "once: {again}"
    );
    app.clock.advance(chrono::Duration::hours(1));
    app.run_next_check("victim-corp.com").await;
    let published: Vec<Value> = app
        .all_transitions()
        .await
        .into_iter()
        .filter(|t| t["signal"] == "nameserver_domain_lapsed")
        .collect();
    assert_eq!(published.len(), 1, "{published:?}");
    assert_eq!(published[0]["change"], "appeared");
    assert_eq!(published[0]["domain"], "victim-corp.com");
}

/// The same for the domain's own mail: an MX domain registered anew is kept as
/// `mail_route_lapsed` on the status at the sweep's look.
#[tokio::test]
async fn the_sweep_keeps_a_mail_route_domains_lapse_on_the_status() {
    let app = spawn().await;
    set_holder(&app, "mailer.com", "292", "1-VRSN");
    app.dns.set(
        "mailer.com",
        Zone::MailVia(vec!["mx.lapsed-mail.net".into()]),
    );
    registered_anew(&app, "lapsed-mail.net");
    app.watch(&["mailer.com"]).await;
    let check = check_verified(&app, "a@mailer.com", Some(days_ago(200))).await;
    assert_eq!(check["reason"], "domain_mail_route_lapsed", "{check}");
    app.clock
        .advance(chrono::Duration::days(1) + chrono::Duration::hours(1));
    app.sweep_dns().await;
    let (_, view) = app.get("/v1/domains/mailer.com").await;
    assert_eq!(signal_names(&view), ["mail_route_lapsed"], "{view}");
    assert_eq!(
        view["signals"][0]["evidence"],
        "lapsed-mail.net was registered anew"
    );
}

/// A resolver that answers NXDOMAIN for everything makes no watched domain "without
/// mail": the sweep's lookup fails (its NXDOMAIN is not believed) and the status keeps
/// what it had.
#[tokio::test]
async fn a_lying_resolver_raises_no_no_mail_on_the_status() {
    let app = spawn().await;
    set_holder(&app, "fine.com", "292", "1-VRSN");
    app.dns.lie_nxdomain(true);
    let lying = app.restart().await;
    lying.watch(&["fine.com"]).await;
    lying.run_next_check("fine.com").await;
    lying.sweep_dns().await;
    let (_, view) = lying.get("/v1/domains/fine.com").await;
    assert_eq!(view["lifecycle"], "active", "{view}");
    assert_eq!(signal_names(&view), Vec::<String>::new(), "{view}");
}

/// Without MX records the mail goes to the host the address's CNAME names; the mail
/// domain as written (`mail.corp-two.com`) is the one asked.
#[tokio::test]
async fn an_alias_to_a_gone_provider_is_a_lapsed_mail_route() {
    let app = spawn().await;
    set_holder(&app, "corp-two.com", "292", "1-VRSN");
    app.dns.set(
        "mail.corp-two.com",
        Zone::AliasTo("host.gone-provider.net".into()),
    );
    // gone-provider.net is not set: the registry answers 404.
    let answer = check_verified(&app, "a@mail.corp-two.com", Some(days_ago(200))).await;
    assert_eq!(answer["reason"], "domain_mail_route_lapsed", "{answer}");
    assert_eq!(
        answer["signals"][0]["evidence"],
        "gone-provider.net is unregistered"
    );
    // The registrable domain itself routes elsewhere: it answers for itself.
    let other = check_verified(&app, "a@corp-two.com", Some(days_ago(200))).await;
    assert_eq!(other["reason"], "domain_active", "{other}");
}

#[tokio::test]
async fn a_name_without_mail_is_flagged_and_a_lying_resolver_leaves_the_route_unseen() {
    let app = spawn().await;
    set_holder(&app, "null-mx.com", "292", "1-VRSN");
    set_holder(&app, "nothing.com", "292", "1-VRSN");
    app.dns.set("null-mx.com", Zone::MailVia(vec![".".into()]));
    app.dns.set("nothing.com", Zone::NoMail);
    let null = check_verified(&app, "a@null-mx.com", None).await;
    assert_eq!(null["eligible"], true, "a flag: {null}");
    assert_eq!(signal_names(&null), ["no_mail"]);
    assert_eq!(null["signals"][0]["evidence"], "null MX");
    let nothing = check_verified(&app, "a@nothing.com", None).await;
    assert_eq!(
        nothing["signals"][0]["evidence"],
        "neither MX nor address records"
    );

    let strict = spawn_with(&[("LAPSEGUARD_SIGNAL_POLICY", "no_mail=deny")]).await;
    set_holder(&strict, "nothing.com", "292", "1-VRSN");
    strict.dns.set("nothing.com", Zone::NoMail);
    let denied = check_verified(&strict, "a@nothing.com", None).await;
    assert_eq!(denied["reason"], "domain_without_mail", "{denied}");
    // A resolver that answers NXDOMAIN for everything (from the start: its probes meet
    // the lie): the mail route is unknown, not absent: no `no_mail`, and the unseen policy
    // answers (an attacker can make the resolver fail; it must not buy an allow).
    set_holder(&strict, "fine.com", "292", "1-VRSN");
    strict.dns.lie_nxdomain(true);
    let lying = strict.restart().await;
    let lied_to = check_verified(&lying, "a@fine.com", None).await;
    assert_eq!(lied_to["reason"], "domain_status_unavailable", "{lied_to}");
    assert_eq!(lied_to["eligible"], false, "{lied_to}");
    assert_eq!(lied_to["signals"], json!([]));
    // A resolver that fails says nothing either.
    strict.dns.lie_nxdomain(false);
    set_holder(&strict, "servfail.com", "292", "1-VRSN");
    strict.dns.set("servfail.com", Zone::ServFail);
    let failed = check_verified(&strict, "a@servfail.com", None).await;
    assert_eq!(failed["reason"], "domain_status_unavailable", "{failed}");
    assert_eq!(failed["signals"], json!([]));
    // Where neither mail signal denies, an unknown route changes nothing.
    let flags = spawn_with(&[(
        "LAPSEGUARD_SIGNAL_POLICY",
        "no_mail=flag,mail_route_lapsed=flag",
    )])
    .await;
    set_holder(&flags, "servfail.com", "292", "1-VRSN");
    flags.dns.set("servfail.com", Zone::ServFail);
    let flagged = check_verified(&flags, "a@servfail.com", None).await;
    assert_eq!(flagged["reason"], "domain_active", "{flagged}");
    // With the unseen policy `allow`, the answer says why it allows.
    let lenient = spawn_with(&[("LAPSEGUARD_UNSEEN_POLICY", "allow")]).await;
    set_holder(&lenient, "servfail.com", "292", "1-VRSN");
    lenient.dns.set("servfail.com", Zone::ServFail);
    let allowed = check_verified(&lenient, "a@servfail.com", None).await;
    assert_eq!(allowed["eligible"], true, "{allowed}");
    assert_eq!(allowed["reason"], "domain_status_unavailable", "{allowed}");
    // A route seen once answers while the resolver fails later.
    lenient.dns.set(
        "servfail.com",
        Zone::MailVia(vec!["mx.servfail.com".into()]),
    );
    let seen = check_verified(&lenient, "b@servfail.com", None).await;
    assert_eq!(seen["reason"], "domain_active", "{seen}");
    lenient.dns.set("servfail.com", Zone::ServFail);
    lenient.clock.advance(chrono::Duration::hours(7));
    let kept = check_verified(&lenient, "c@servfail.com", None).await;
    assert_eq!(kept["reason"], "domain_active", "{kept}");
}

/// "Check now" through the API.
async fn check_now(app: &TestApp, domain: &str) {
    let (status, body) = app
        .post_json(&format!("/v1/domains/{domain}/refresh"), json!({}))
        .await;
    assert!(status.is_success(), "{body}");
}

/// A signal that appears is published as a transition of its own kind once a second look
/// confirms it, and again when it goes; each is a webhook of type `domain.signal`, beside
/// lifecycle transitions of type `domain.transition`.
#[tokio::test]
async fn a_signal_that_appears_and_goes_is_published_and_sent() {
    let receiver = WebhookReceiver::start().await;
    let app = spawn_with(&[
        ("LAPSEGUARD_WEBHOOK_URL", receiver.url.as_str()),
        (
            "LAPSEGUARD_WEBHOOK_SECRET",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ),
    ])
    .await;
    let (status, _) = app
        .post_json(
            "/v1/watch",
            json!({"domains": ["listed.com", "lapsing.com"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let on = |ns: &str| Answer::Domain(held_by("listed.com", &[ns], "292", "1-VRSN"));
    app.rdap.set("listed.com", on("ns1.example.net"));
    app.rdap.set(
        "lapsing.com",
        Answer::Domain(rdap_domain(
            "lapsing.com",
            &["redemption period"],
            days_ago(3000),
            days_ago(40),
        )),
    );
    app.run_next_check("listed.com").await;
    app.run_next_check("lapsing.com").await;
    // Put on a marketplace's nameservers: seen once, not yet published.
    app.rdap.set("listed.com", on("ns1.undeveloped.com"));
    app.rdap.set("undeveloped.com", active("undeveloped.com"));
    check_now(&app, "listed.com").await;
    app.run_next_check("listed.com").await;
    let signal_items = |all: &[Value]| {
        all.iter()
            .filter(|t| t["kind"] == "signal")
            .cloned()
            .collect::<Vec<_>>()
    };
    assert!(
        signal_items(&app.all_transitions().await).is_empty(),
        "unconfirmed"
    );
    // The confirming look comes within the confirmation delay, and publishes it.
    app.run_next_check("listed.com").await;
    let published = signal_items(&app.all_transitions().await);
    assert_eq!(published.len(), 1, "{published:?}");
    assert_eq!(published[0]["signal"], "for_sale");
    assert_eq!(published[0]["change"], "appeared");
    assert_eq!(published[0]["domain"], "listed.com");
    assert_eq!(published[0]["from"], published[0]["to"]);
    // Off the marketplace: gone, at once.
    app.rdap.set("listed.com", on("ns1.example.net"));
    check_now(&app, "listed.com").await;
    app.run_next_check("listed.com").await;
    let published = signal_items(&app.all_transitions().await);
    assert_eq!(published.len(), 2, "{published:?}");
    assert_eq!(published[1]["change"], "gone");
    // Lifecycle transitions say so.
    let all = app.all_transitions().await;
    assert!(
        all.iter()
            .any(|t| t["kind"] == "lifecycle" && t["domain"] == "lapsing.com"),
        "{all:?}"
    );
    let webhooks = app.state.webhooks.as_ref().expect("configured");
    webhooks.deliver_due().await.expect("deliveries");
    let types: Vec<(String, String)> = receiver
        .received()
        .iter()
        .map(|(_, body)| {
            let body: Value = serde_json::from_str(body).expect("JSON");
            (
                body["type"].as_str().unwrap_or_default().to_owned(),
                body["kind"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert!(
        types.contains(&("domain.signal".into(), "signal".into())),
        "{types:?}"
    );
    assert!(
        types.contains(&("domain.transition".into(), "lifecycle".into())),
        "{types:?}"
    );
    assert_eq!(
        types.iter().filter(|(t, _)| t == "domain.signal").count(),
        2
    );
}

/// The current nameservers are the registry's and DNS's: a name whose registry still
/// lists its old nameservers while DNS already serves it from a marketplace's is for sale.
#[tokio::test]
async fn dns_nameservers_count_beside_the_registrys() {
    let app = spawn().await;
    set_holder(&app, "moving.com", "292", "1-VRSN");
    app.dns.set(
        "moving.com",
        Zone::delegated_to(&["ns1.afternic.com", "ns2.afternic.com"]),
    );
    // The live answer folds DNS's set as the store does: the cached one says the same.
    let live = check_verified(&app, "a@moving.com", None).await;
    assert_eq!(live["reason"], "domain_for_sale", "{live}");
    assert_eq!(live["source"], "live");
    app.state.checker.settled().await;
    let cached = check_verified(&app, "a@moving.com", None).await;
    assert_eq!(cached["source"], "cache");
    assert_eq!(cached["reason"], "domain_for_sale", "{cached}");
    assert_eq!(
        cached["signals"][0]["evidence"],
        "nameserver ns1.afternic.com"
    );
    // The registry's next answer keeps it (DNS's set is kept on the status).
    app.run_next_check("moving.com").await;
    let (_, view) = app.get("/v1/domains/moving.com").await;
    assert_eq!(view["signals"][0]["signal"], "for_sale", "{view}");
}
