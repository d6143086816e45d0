//! `lapseguard check` as an operator runs it. Multi-threaded: the fake RDAP server must
//! answer while the test waits for the child process.

use std::process::Command;

use axum::http::StatusCode;

use crate::helpers::*;

fn lapseguard(app: &TestApp) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lapseguard"));
    command
        .env_clear()
        .env("DATABASE_URL", &app.database.url)
        .env("LAPSEGUARD_ALLOW_HTTP_UPSTREAMS", "true")
        .envs(app.settings.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    command
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_prints_the_decision_and_exits_by_eligibility() {
    let app = spawn_app().await;
    app.rdap.set("good.com", active("good.com"));
    app.rdap.set("gone.com", Answer::NotFound);

    let output = lapseguard(&app)
        .args(["check", "a@good.com"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let body: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(body["reason"], "domain_active");

    let output = lapseguard(&app)
        .args(["check", "a@gone.com"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let body: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(body["reason"], "domain_unregistered");
    // What the command saw was written before it exited.
    let (_, view) = app.get("/v1/domains/gone.com").await;
    assert_eq!(view["lifecycle"], "unregistered");

    let output = lapseguard(&app)
        .args(["check", "not-an-address"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let output = lapseguard(&app)
        .args(["check", "a@good.com", "--verified-at", "soon"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_setting_stops_the_start_with_its_name() {
    let app = spawn_app().await;
    let output = lapseguard(&app)
        .env("LAPSEGUARD_UNKNOWN_POLICY", "sometimes")
        .args(["check", "a@good.com"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("LAPSEGUARD_UNKNOWN_POLICY"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_address_reaches_neither_the_logs_nor_the_store() {
    let app = spawn_app().await;
    app.rdap.set("example.com", Answer::Status(503));
    let address = "very-private-local-part@mail.example.com";
    let output = lapseguard(&app)
        .env("RUST_LOG", "trace")
        .env("LAPSEGUARD_UNSEEN_POLICY", "allow")
        .args(["check", address])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "the unseen policy allows");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("example.com"),
        "the trace log names the domain: {stderr}"
    );
    assert!(!stderr.contains("very-private-local-part"), "{stderr}");

    app.rdap.set("example.com", active("example.com"));
    let body = app.check_email(address).await;
    assert_eq!(body["reason"], "domain_active");
    let stored = raw_database_text(&app.database.url).await;
    assert!(stored.contains("example.com"), "the dump is readable");
    assert!(!stored.contains("very-private-local-part"));
}

#[tokio::test]
async fn migrate_prepares_an_empty_database() {
    let database = TestDatabase::new().await;
    let output = Command::new(env!("CARGO_BIN_EXE_lapseguard"))
        .env_clear()
        .env("DATABASE_URL", &database.url)
        .arg("migrate")
        .output()
        .expect("runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let store = lapseguard::store::connect(&database.url)
        .await
        .expect("connects");
    let domain = lapseguard::domain::name::RegistrableDomain::parse("example.com").expect("valid");
    assert_eq!(store.status(&domain).await.expect("tables exist"), None);
}

#[test]
fn simulate_prints_the_three_policies_as_json() {
    let output = Command::new(env!("CARGO_BIN_EXE_lapseguard"))
        .env_clear()
        .args([
            "simulate",
            "--domains",
            "2000",
            "--days",
            "90",
            "--seed",
            "7",
            "--json",
        ])
        .output()
        .expect("runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["params"]["domains"], 2000);
    for policy in ["lapseguard", "baseline", "baseline_equal_cost"] {
        assert!(
            report[policy]["queries_per_domain_year"].is_number(),
            "{policy}"
        );
        assert!(
            report[policy]["detection_delay_days"]["p99"].is_number(),
            "{policy}"
        );
    }
    let table = Command::new(env!("CARGO_BIN_EXE_lapseguard"))
        .env_clear()
        .args(["simulate", "--domains", "500", "--days", "30"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("detected before the name could change hands"),
        "{text}"
    );

    let bad = Command::new(env!("CARGO_BIN_EXE_lapseguard"))
        .env_clear()
        .args(["simulate", "--lapse-rate", "2"])
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(2));
}

#[tokio::test]
async fn coverage_says_which_source_answers_each_entry_without_the_network() {
    let app = spawn_app().await;
    let input = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(
        input.path(),
        "a@example.com\nb@example.io\nc@example.de\nd@example.ru\ne@example.ru\nnonsense\n",
    )
    .expect("write");
    let output = lapseguard(&app)
        .env("LAPSEGUARD_RDAP_SUPPLEMENT", "on")
        .args(["coverage", "--json"])
        .arg(input.path())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["entries"], 6);
    assert_eq!(report["rejected"], 1);
    // .com and .de from the test bootstrap file, .io from the override.
    assert_eq!(report["by_source"]["rdap"], 3, "{report}");
    assert_eq!(report["rdap_by_origin"]["iana"], 2);
    assert_eq!(report["rdap_by_origin"]["override"], 1);
    assert_eq!(report["by_source"]["dns"], 2);
    assert_eq!(
        report["tlds_without_registry_data"],
        serde_json::json!([{"tld": "ru", "entries": 2}])
    );
    // Nothing was asked of the fake servers.
    assert_eq!(app.rdap.hits("example.com"), 0);
    assert_eq!(app.dns.ns_queries("example.ru"), 0);
}

/// Polls `GET /v1/stats` with this token until it answers `want`, for up to five seconds:
/// replicas pick token changes up within about two.
async fn answers_within_seconds(app: &TestApp, token: Option<&str>, want: StatusCode) {
    let mut last = StatusCode::OK;
    for _ in 0..50 {
        let (status, _, _) = app
            .request_with(token, reqwest::Method::GET, "/v1/stats", None)
            .await;
        if status == want {
            return;
        }
        last = status;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("still {last} after five seconds, wanted {want}");
}

fn token_cli(app: &TestApp, args: &[&str]) -> std::process::Output {
    lapseguard(app)
        .arg("token")
        .args(args)
        .output()
        .expect("runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_made_and_revoked_by_the_cli_take_effect_in_a_running_server_within_seconds() {
    let app = spawn_app().await;
    let output = token_cli(
        &app,
        &["create", "--name", "support-desk", "--scope", "read"],
    );
    assert!(output.status.success(), "{output:?}");
    let token = String::from_utf8(output.stdout)
        .expect("utf-8")
        .trim()
        .to_owned();
    assert!(token.starts_with("lg_") && token.len() >= 46, "{token}");
    // The store keeps only a hash.
    let records = app.store.tokens().await.expect("tokens");
    assert!(records.iter().all(|r| !r.hash.contains(&token[3..])));

    answers_within_seconds(&app, None, StatusCode::UNAUTHORIZED).await;
    answers_within_seconds(&app, Some(&token), StatusCode::OK).await;

    let again = token_cli(
        &app,
        &["create", "--name", "support-desk", "--scope", "admin"],
    );
    assert_eq!(again.status.code(), Some(2), "a taken name is refused");
    let bad = token_cli(&app, &["create", "--name", "x", "--scope", "root"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown scope"));

    let list = token_cli(&app, &["list", "--json"]);
    let listed: serde_json::Value = serde_json::from_slice(&list.stdout).expect("JSON");
    assert_eq!(listed[0]["name"], "support-desk");
    assert_eq!(listed[0]["scopes"], serde_json::json!(["read"]));
    assert!(!String::from_utf8_lossy(&list.stdout).contains(&token));

    let revoke = token_cli(&app, &["revoke", "support-desk"]);
    assert!(revoke.status.success(), "{revoke:?}");
    answers_within_seconds(&app, Some(&token), StatusCode::UNAUTHORIZED).await;

    // Both changes are in the audit log, by the CLI; the token itself is not.
    let other = app
        .create_token("auditor", &[lapseguard::domain::access::Scope::Read])
        .await;
    app.use_token(Some(&other));
    let (_, audit) = app.get("/v1/audit").await;
    let actions: Vec<(String, String, String)> = audit["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap_or_default().to_owned(),
                e["action"].as_str().unwrap_or_default().to_owned(),
                e["target"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let cli = |action: &str| {
        (
            "cli".to_owned(),
            action.to_owned(),
            "support-desk".to_owned(),
        )
    };
    assert_eq!(actions[0], cli("token_created"));
    assert_eq!(actions[1], cli("token_revoked"));
    assert!(!audit.to_string().contains(&token[3..]));
}
