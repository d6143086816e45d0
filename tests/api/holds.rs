//! The mass-change guard, driven as a registry's bad hour meets it: a host answers
//! "lapsed" for many domains at once; past the limit its transitions and webhooks wait
//! under a hold that an admin releases or discards.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::metrics::{sample as metric, scrape};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// An app whose guard lets 3 lapses of a host through per hour, with a webhook receiver.
async fn guarded_app(receiver: &WebhookReceiver) -> TestApp {
    spawn_app_with(&[
        ("LAPSEGUARD_MASS_CHANGE_LIMIT", "3"),
        ("LAPSEGUARD_WEBHOOK_URL", receiver.url.as_str()),
        ("LAPSEGUARD_WEBHOOK_SECRET", SECRET),
    ])
    .await
}

pub(crate) fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("held{i}.com")).collect()
}

pub(crate) fn grace(name: &str) -> Answer {
    with_statuses(name, &["auto renew period"])
}

/// Watches the domains while the registry calls them active, and checks them once.
pub(crate) async fn watch_active(app: &TestApp, domains: &[String]) {
    for name in domains {
        app.rdap.set(name, active(name));
    }
    let (status, _) = app
        .post_json("/v1/watch", json!({ "domains": domains }))
        .await;
    assert_eq!(status, StatusCode::OK);
    let before = app.all_transitions().await.len();
    app.state.scheduler.run_due().await.expect("round");
    assert_eq!(app.all_transitions().await.len(), before, "active: silent");
}

/// Makes the domains due now (as an admin's refresh does) and runs a scheduler round.
pub(crate) async fn look_again(app: &TestApp, domains: &[String]) {
    app.clock.advance(chrono::Duration::minutes(1));
    for name in domains {
        let (status, _) = app
            .post_json(&format!("/v1/domains/{name}/refresh"), json!({}))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED);
    }
    app.state.scheduler.run_due().await.expect("round");
}

pub(crate) async fn holds(app: &TestApp) -> Vec<Value> {
    let (status, body) = app.get("/v1/holds").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["holds"].as_array().cloned().expect("holds")
}

fn domains_of(transitions: &[Value]) -> Vec<String> {
    let mut names: Vec<String> = transitions
        .iter()
        .filter_map(|t| t["domain"].as_str().map(str::to_owned))
        .collect();
    names.sort();
    names
}

async fn deliver_all(app: &TestApp) {
    let webhooks = app.state.webhooks.as_ref().expect("configured");
    webhooks.deliver_due().await.expect("deliveries");
}

fn delivered_domains(receiver: &WebhookReceiver) -> Vec<String> {
    let bodies: Vec<Value> = receiver
        .received()
        .iter()
        .map(|(_, body)| serde_json::from_str(body).expect("JSON"))
        .collect();
    domains_of(&bodies)
}

async fn audit_actions(app: &TestApp) -> Vec<(String, String, String)> {
    let (_, page) = app.get("/v1/audit?limit=1000").await;
    page["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
            (text("action"), text("actor"), text("target"))
        })
        .filter(|(action, _, _)| action.starts_with("hold_"))
        .collect()
}

#[tokio::test]
async fn a_glitch_past_the_limit_is_held_and_a_discard_publishes_only_what_a_second_look_confirms()
{
    let receiver = WebhookReceiver::start().await;
    let app = guarded_app(&receiver).await;
    let domains = names(10);
    watch_active(&app, &domains).await;

    // The registry's bad deploy: every domain in its grace period.
    for name in &domains {
        app.rdap.set(name, grace(name));
    }
    look_again(&app, &domains).await;

    let published = app.all_transitions().await;
    assert_eq!(published.len(), 3, "the limit's worth is published");
    let held = holds(&app).await;
    assert_eq!(held.len(), 1, "{held:?}");
    let hold = &held[0];
    let host = hold["host"].as_str().expect("host").to_owned();
    assert!(app.rdap.url.contains(&host), "{host} is the fake's");
    assert_eq!(hold["transitions"], 7);
    assert_eq!(hold["domains"], 7);
    let sample: Vec<String> = serde_json::from_value(hold["sample"].clone()).expect("sample");
    assert_eq!(sample.len(), 7);
    let mut all: Vec<String> = sample.clone();
    all.extend(domains_of(&published));
    all.sort();
    let mut expected = domains.clone();
    expected.sort();
    assert_eq!(all, expected, "each domain published or held, never both");

    // No webhook for what is held; /v1/stats and the audit log show the hold.
    deliver_all(&app).await;
    assert_eq!(delivered_domains(&receiver), domains_of(&published));
    let (_, stats) = app.get("/v1/stats").await;
    assert_eq!(stats["holds"][&host], 7, "{stats}");
    let (_, text) = scrape(&app, None).await;
    let labels = [("host", host.as_str())];
    assert_eq!(metric(&text, "lapseguard_held_transitions", &labels), 7.0);
    let held_to = [("to", "auto_renew_grace")];
    assert!(metric(&text, "lapseguard_transitions_held_total", &held_to) >= 7.0);
    assert_eq!(
        audit_actions(&app).await,
        [("hold_opened".to_owned(), "guard".to_owned(), host.clone())]
    );

    // Checks answer from what was observed: a held lapse still denies a reset.
    let denied = app.check_email(&format!("someone@{}", sample[0])).await;
    assert_eq!(denied["eligible"], false, "{denied}");
    assert_eq!(denied["lifecycle"], "auto_renew_grace");

    // The registry heals, except for one domain that really is in its grace period.
    let really_lapsed = sample[0].clone();
    for name in &sample[1..] {
        app.rdap.set(name, active(name));
    }
    let (status, discarded) = app
        .post_json(&format!("/v1/holds/{host}/discard"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{discarded}");
    assert_eq!(discarded["discarded"], 7);
    assert_eq!(discarded["rechecking"], 7);
    assert!(holds(&app).await.is_empty());

    // The second look: every held domain is due now.
    app.state.scheduler.run_due().await.expect("round");
    let after = app.all_transitions().await;
    assert_eq!(after.len(), 4, "{after:?}");
    let confirmed = after.last().expect("one more");
    assert_eq!(confirmed["domain"], really_lapsed.as_str());
    assert_eq!(
        (&confirmed["from"], &confirmed["to"]),
        (&json!("active"), &json!("auto_renew_grace"))
    );
    let healed = app.check_email(&format!("someone@{}", sample[1])).await;
    assert_eq!(healed["eligible"], true, "{healed}");
    deliver_all(&app).await;
    assert_eq!(delivered_domains(&receiver), domains_of(&after));
    // The stats (and the gauge) are shared for 5 s: a scrape after that shows the hold
    // gone.
    let mut held_gauge = f64::NAN;
    for _ in 0..16 {
        let (_, text) = scrape(&app, None).await;
        held_gauge = metric(&text, "lapseguard_held_transitions", &labels);
        if held_gauge == 0.0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    assert_eq!(held_gauge, 0.0);
    let actions = audit_actions(&app).await;
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert_eq!(actions[1].0, "hold_discarded");
    assert_eq!(actions[1].2, host);
}

#[tokio::test]
async fn a_release_publishes_what_was_held_in_order_and_the_limit_counts_afresh() {
    let receiver = WebhookReceiver::start().await;
    let app = guarded_app(&receiver).await;
    let domains = names(7);
    watch_active(&app, &domains[..6]).await;
    for name in &domains[..6] {
        app.rdap.set(name, grace(name));
    }
    look_again(&app, &domains[..6]).await;
    let before = app.all_transitions().await;
    assert_eq!(before.len(), 3);
    let host = holds(&app).await[0]["host"]
        .as_str()
        .expect("host")
        .to_owned();

    // A held domain moves on: held too, so that a release keeps its order.
    let held_names: Vec<String> = domains[..6]
        .iter()
        .filter(|d| !domains_of(&before).contains(d))
        .cloned()
        .collect();
    let moving = &held_names[0];
    app.rdap.set(
        moving,
        with_statuses(moving, &["redemption period", "pending delete"]),
    );
    look_again(&app, std::slice::from_ref(moving)).await;
    assert_eq!(app.all_transitions().await.len(), 3);
    assert_eq!(holds(&app).await[0]["transitions"], 4);

    // Read scope may look but not act.
    let reader = app
        .create_token("reader", &[lapseguard::domain::access::Scope::Read])
        .await;
    app.use_token(Some(&reader));
    assert_eq!(app.get("/v1/holds").await.0, StatusCode::OK);
    let (status, _) = app
        .post_json(&format!("/v1/holds/{host}/release"), json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let admin = app
        .create_token("agent", &[lapseguard::domain::access::Scope::Admin])
        .await;
    app.use_token(Some(&admin));

    let (status, released) = app
        .post_json(&format!("/v1/holds/{host}/release"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{released}");
    assert_eq!(released["published"], 4);
    let after = app.all_transitions().await;
    assert_eq!(after.len(), 7);
    let last_before = before.last().and_then(|t| t["id"].as_i64()).expect("id");
    assert_eq!(released["first_id"].as_i64(), Some(last_before + 1));
    let moves: Vec<(String, String)> = after[3..]
        .iter()
        .filter(|t| t["domain"] == moving.as_str())
        .map(|t| (t["from"].to_string(), t["to"].to_string()))
        .collect();
    assert_eq!(
        moves,
        [
            ("\"active\"".to_owned(), "\"auto_renew_grace\"".to_owned()),
            (
                "\"auto_renew_grace\"".to_owned(),
                "\"redemption\"".to_owned()
            )
        ],
        "in the order they were held"
    );
    assert!(holds(&app).await.is_empty());
    deliver_all(&app).await;
    assert_eq!(delivered_domains(&receiver), domains_of(&after));
    let actions = audit_actions(&app).await;
    assert_eq!(actions.last().map(|a| a.0.as_str()), Some("hold_released"));
    assert_eq!(actions.last().map(|a| a.1.as_str()), Some("agent"));

    // What the admin released is not counted again: the next lapse within the hour is
    // published.
    let next = &domains[6];
    watch_active(&app, std::slice::from_ref(next)).await;
    app.rdap.set(next, grace(next));
    look_again(&app, std::slice::from_ref(next)).await;
    assert_eq!(app.all_transitions().await.len(), 8);
    assert!(holds(&app).await.is_empty());

    // Nothing to release or discard any more.
    for action in ["release", "discard"] {
        let (status, problem) = app
            .post_json(&format!("/v1/holds/{host}/{action}"), json!({}))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
        assert_eq!(problem["code"], "not_found");
    }
}

#[tokio::test]
async fn a_limit_of_zero_turns_the_guard_off() {
    let app = spawn_app_with(&[("LAPSEGUARD_MASS_CHANGE_LIMIT", "0")]).await;
    let domains = names(60);
    watch_active(&app, &domains).await;
    for name in &domains {
        app.rdap.set(name, grace(name));
    }
    look_again(&app, &domains).await;
    assert_eq!(app.all_transitions().await.len(), 60);
    assert!(holds(&app).await.is_empty());
}

/// A registrar that moves every name to a marketplace's nameservers at once (or a registry
/// that renumbers its handles) would publish a signal for each: past the limit, the
/// appearances wait under the host's hold, still deny checks, and are published by the
/// first look after a release.
#[tokio::test]
async fn signal_appearances_past_the_limit_are_held_and_published_after_a_release() {
    let receiver = WebhookReceiver::start().await;
    let app = guarded_app(&receiver).await;
    let domains = names(5);
    watch_active(&app, &domains).await;
    app.rdap.set("dan.com", active("dan.com"));
    for name in &domains {
        let mut listed = rdap_domain(name, &["active"], days_ago(3000), days_ahead(200));
        listed["nameservers"] =
            json!([{"objectClassName": "nameserver", "ldhName": "ns1.dan.com"}]);
        app.rdap.set(name, Answer::Domain(listed));
    }
    let appeared = |all: &[Value]| {
        all.iter()
            .filter(|t| t["kind"] == "signal" && t["change"] == "appeared")
            .count()
    };
    // First sighting, then the confirming look a while later.
    look_again(&app, &domains).await;
    app.clock.advance(chrono::Duration::hours(1));
    look_again(&app, &domains).await;
    assert_eq!(appeared(&app.all_transitions().await), 3, "the limit");
    let open = holds(&app).await;
    assert_eq!(open.len(), 1, "{open:?}");
    let host = open[0]["host"].as_str().expect("host").to_owned();
    // Held appearances still deny.
    let held = app.check_email("a@held4.com").await;
    assert_eq!(held["reason"], "domain_for_sale", "{held}");
    // Released: the next look publishes what waited.
    let (status, _) = app
        .post_json(&format!("/v1/holds/{host}/release"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    app.clock.advance(chrono::Duration::hours(1));
    look_again(&app, &domains).await;
    assert_eq!(appeared(&app.all_transitions().await), 5);
    assert!(holds(&app).await.is_empty());
}
