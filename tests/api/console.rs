//! The admin console as a browser without script sees it: sign-in, the cookie, pages,
//! actions with and without the anti-forgery value, scopes, revocation, protected mode.
//! (`tests/browser/` drives the same pages in Chromium.)

use lapseguard::clock::Clock;
use lapseguard::domain::access::Scope;
use lapseguard::domain::audit::{AuditAction, AuditEntry};
use reqwest::header::{self, HeaderMap};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

/// A browser: no redirects followed, the session cookie carried by hand.
struct Browser<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    cookie: Option<String>,
}

struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The anti-forgery value of the page's forms.
    fn csrf(&self) -> String {
        let marker = r#"name="csrf" value=""#;
        let start = self.body.find(marker).expect("a form with a csrf value") + marker.len();
        let end = self.body[start..].find('"').expect("the value's end");
        self.body[start..start + end].to_owned()
    }
}

impl<'a> Browser<'a> {
    fn new(app: &'a TestApp) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self {
            app,
            client,
            cookie: None,
        }
    }

    async fn send(&mut self, method: Method, path: &str, form: Option<&str>) -> Page {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.app.address));
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, format!("lapseguard_console={cookie}"));
        }
        if let Some(form) = form {
            request = request
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "same-origin")
                .body(form.to_owned());
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let headers = response.headers().clone();
        if let Some(set) = headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
        {
            let value = set
                .strip_prefix("lapseguard_console=")
                .and_then(|rest| rest.split(';').next())
                .unwrap_or_default();
            self.cookie = Some(value.to_owned()).filter(|v| !v.is_empty());
        }
        let body = response.text().await.expect("body");
        Page {
            status,
            headers,
            body,
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        self.send(Method::GET, path, None).await
    }

    async fn post(&mut self, path: &str, form: &str) -> Page {
        self.send(Method::POST, path, Some(form)).await
    }

    async fn sign_in(&mut self, token: &str) -> Page {
        self.post("/admin/sign-in", &format!("token={token}")).await
    }
}

/// A watched domain in redemption, with its transition published.
async fn lapsed_domain(app: &TestApp, admin: &str) {
    let (status, _, _) = app
        .request_with(
            Some(admin),
            Method::POST,
            "/v1/watch",
            Some(json!({"domains": ["lapsed-shop.com"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    app.seed(
        "lapsed-shop.com",
        30,
        registered(&["client transfer prohibited"], days_ago(3000)),
    )
    .await;
    // Skipping the grace stage, the change is published on its second sighting.
    for days in [2, 1] {
        app.seed(
            "lapsed-shop.com",
            days,
            registered(&["redemption period"], days_ago(3000)),
        )
        .await;
    }
    app.use_token(Some(admin));
    assert_eq!(app.all_transitions().await.len(), 1);
    app.use_token(None);
}

#[tokio::test]
async fn an_agent_signs_in_finds_a_lapsed_domain_allows_it_with_a_note_and_signs_out() {
    let app = spawn_app().await;
    let admin = app.create_token("agent-ana", &[Scope::Admin]).await;
    let service = app.create_token("reset-service", &[Scope::Check]).await;
    lapsed_domain(&app, &admin).await;
    let mut browser = Browser::new(&app);

    // Without a session every page leads to sign-in.
    for path in ["/admin", "/admin/domains/lapsed-shop.com", "/admin/audit"] {
        let page = browser.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(page.location(), "/admin/sign-in");
    }
    let page = browser.get("/admin/sign-in").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"type="password""#));

    // Tokens that cannot view, or that nobody made, are refused.
    assert_eq!(
        browser.sign_in(&service).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        browser.sign_in("lg_nope").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(browser.cookie.is_none());

    let page = browser.sign_in(&admin).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/admin");
    let set_cookie = page.headers[header::SET_COOKIE].to_str().expect("ascii");
    for attribute in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/admin",
        "Max-Age=28800",
    ] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    assert!(!set_cookie.contains("Secure"), "loopback: {set_cookie}");
    assert!(!set_cookie.contains(&admin), "the token is not the cookie");

    let overview = browser.get("/admin").await;
    assert_eq!(overview.status, StatusCode::OK);
    assert!(overview.body.contains("agent-ana"), "who is signed in");
    assert!(overview.body.contains("<svg"), "the chart");
    assert!(
        overview.body.contains("lapsed-shop.com"),
        "a recent transition"
    );
    assert_eq!(overview.headers[header::CACHE_CONTROL], "no-store");
    let policy = overview.headers["content-security-policy"]
        .to_str()
        .expect("ascii");
    assert!(policy.contains("default-src 'none'"), "{policy}");
    let css = browser.get("/admin/console.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/css")
    );

    let found = browser
        .get("/admin/domains?q=lapsed&lifecycle=redemption")
        .await;
    assert!(
        found
            .body
            .contains(r#"href="/admin/domains/lapsed-shop.com""#),
        "{}",
        found.body
    );
    let none = browser.get("/admin/domains?q=zzz").await;
    assert!(none.body.contains("No watched domain matches"));

    let domain = browser.get("/admin/domains/lapsed-shop.com").await;
    assert_eq!(domain.status, StatusCode::OK);
    assert!(domain.body.contains("not eligible"));
    assert!(domain.body.contains("domain_in_redemption_period"));
    assert!(
        domain.body.contains("active → redemption"),
        "the timeline's transition"
    );
    // Verified before the lapse began the decision is still a denial (a lapse is not
    // forgiven by an older verification); the page says which date it used.
    let dated = browser
        .get("/admin/domains/lapsed-shop.com?verified_on=2020-01-01")
        .await;
    assert!(dated.body.contains("verified on 2020-01-01"));
    let csrf = domain.csrf();

    // A form without the session's anti-forgery value changes nothing.
    let note = "ticket+4411%3A+owner+confirmed+by+phone";
    let forged = browser
        .post(
            "/admin/domains/lapsed-shop.com/override",
            &format!("decision=allow&note={note}"),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let wrong = browser
        .post(
            "/admin/domains/lapsed-shop.com/override",
            &format!("csrf=x{csrf}&decision=allow&note={note}"),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let (_, _, overrides) = app
        .request_with(Some(&admin), Method::GET, "/v1/overrides", None)
        .await;
    assert_eq!(overrides["overrides"], json!([]));

    // A note with an address in it is refused with the API's reason.
    let address = browser
        .post(
            "/admin/domains/lapsed-shop.com/override",
            &format!("csrf={csrf}&decision=allow&note=mail+bob%40example.com"),
        )
        .await;
    assert_eq!(address.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!address.body.contains("bob@"), "the address is not echoed");

    let undecided = browser
        .post(
            "/admin/domains/lapsed-shop.com/override",
            &format!("csrf={csrf}&decision=maybe&note={note}"),
        )
        .await;
    assert_eq!(undecided.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(undecided.body.contains("allow or deny"));
    let not_a_date = browser
        .get("/admin/domains/lapsed-shop.com?verified_on=yesterday")
        .await;
    assert!(not_a_date.body.contains("Not a date"));

    let saved = browser
        .post(
            "/admin/domains/lapsed-shop.com/override",
            &format!("csrf={csrf}&decision=allow&note={note}&expires_on="),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        saved.location(),
        "/admin/domains/lapsed-shop.com?done=override"
    );
    let after = browser.get(saved.location()).await;
    assert!(after.body.contains("Override saved."));
    assert!(after.body.contains("ticket 4411: owner confirmed by phone"));
    assert!(after.body.contains("override_allow"), "the decision now");

    let audit = browser.get("/admin/audit").await;
    assert!(audit.body.contains("override_set"));
    assert!(audit.body.contains("agent-ana"));
    let (_, _, log) = app
        .request_with(Some(&admin), Method::GET, "/v1/audit?after=0", None)
        .await;
    let entry = log["entries"]
        .as_array()
        .and_then(|entries| entries.iter().find(|e| e["action"] == "override_set"))
        .cloned()
        .expect("the override is audited");
    assert_eq!(entry["actor"], "agent-ana");
    assert_eq!(entry["target"], "lapsed-shop.com");

    let listed = browser.get("/admin/overrides").await;
    assert!(listed.body.contains("lapsed-shop.com"));

    let checked = browser
        .post(
            "/admin/domains/lapsed-shop.com/refresh",
            &format!("csrf={csrf}"),
        )
        .await;
    assert_eq!(
        checked.location(),
        "/admin/domains/lapsed-shop.com?done=refresh"
    );

    // Sign-out needs the value too, then the cookie is gone and so is the session.
    let kept = browser.cookie.clone().expect("a session");
    assert_eq!(
        browser.post("/admin/sign-out", "csrf=").await.status,
        StatusCode::FORBIDDEN
    );
    let out = browser
        .post("/admin/sign-out", &format!("csrf={csrf}"))
        .await;
    assert_eq!(out.location(), "/admin/sign-in");
    assert!(browser.cookie.is_none());
    browser.cookie = Some(kept);
    assert_eq!(browser.get("/admin").await.status, StatusCode::SEE_OTHER);

    // Both ends of the session are in the audit log, under the token's name.
    let (_, _, log) = app
        .request_with(Some(&admin), Method::GET, "/v1/audit?after=0", None)
        .await;
    let sessions: Vec<(String, String)> = log["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["target"] == "console")
        .map(|e| {
            let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
            (text(&e["action"]), text(&e["actor"]))
        })
        .collect();
    assert_eq!(
        sessions,
        [
            ("console_signed_in".to_owned(), "agent-ana".to_owned()),
            ("console_signed_out".to_owned(), "agent-ana".to_owned())
        ]
    );
}

#[tokio::test]
async fn a_read_token_views_but_cannot_act_and_revoking_it_signs_it_out() {
    let app = spawn_app().await;
    let admin = app.create_token("agent-ana", &[Scope::Admin]).await;
    let viewer = app.create_token("viewer", &[Scope::Read]).await;
    lapsed_domain(&app, &admin).await;
    let mut browser = Browser::new(&app);
    assert_eq!(browser.sign_in(&viewer).await.status, StatusCode::SEE_OTHER);

    let domain = browser.get("/admin/domains/lapsed-shop.com").await;
    assert_eq!(domain.status, StatusCode::OK);
    assert!(
        !domain.body.contains("Set override"),
        "no action for a viewer"
    );
    let csrf = domain.csrf(); // the sign-out form's
    let refused = browser
        .post(
            "/admin/domains/lapsed-shop.com/override",
            &format!("csrf={csrf}&decision=deny&note=no"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let now = app.clock.now();
    let audit = AuditEntry::new(now, "cli", AuditAction::TokenRevoked, "viewer", json!({}));
    assert!(
        app.store
            .revoke_token("viewer", &audit)
            .await
            .expect("store")
    );
    app.state
        .tokens
        .reload(app.store.as_ref())
        .await
        .expect("reload");
    let page = browser.get("/admin").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/admin/sign-in");
}

#[tokio::test]
async fn sign_in_from_another_site_is_refused_and_protected_mode_signs_in_loopback() {
    let app = spawn_app().await;
    let mut browser = Browser::new(&app);
    // No token exists: a browser on this machine signs in with an empty token.
    let page = browser.get("/admin/sign-in").await;
    assert!(page.body.contains("protected mode"));
    let response = browser
        .client
        .post(format!("{}/admin/sign-in", app.address))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .body("token=")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    assert_eq!(browser.sign_in("").await.status, StatusCode::SEE_OTHER);
    let overview = browser.get("/admin").await;
    assert_eq!(overview.status, StatusCode::OK);
    assert!(overview.body.contains("loopback"));

    // Once a token exists, the protected-mode session no longer opens anything.
    app.create_token("agent-ana", &[Scope::Admin]).await;
    assert_eq!(browser.get("/admin").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_admin_releases_a_hold_from_the_overview() {
    use crate::holds::{grace, holds, look_again, names, watch_active};
    let app = spawn_app_with(&[("LAPSEGUARD_MASS_CHANGE_LIMIT", "3")]).await;
    let domains = names(5);
    watch_active(&app, &domains).await;
    for name in &domains {
        app.rdap.set(name, grace(name));
    }
    look_again(&app, &domains).await;
    assert_eq!(app.all_transitions().await.len(), 3);
    let host = holds(&app).await[0]["host"]
        .as_str()
        .expect("host")
        .to_owned();

    // Protected mode (no token yet): the loopback browser may act.
    let mut browser = Browser::new(&app);
    assert_eq!(browser.sign_in("").await.status, StatusCode::SEE_OTHER);
    let overview = browser.get("/admin").await;
    assert!(overview.body.contains(&host), "{}", overview.body);
    assert!(overview.body.contains("2 held"));
    let release = format!("/admin/holds/{host}/release");
    assert!(overview.body.contains(&format!(r#"action="{release}""#)));
    assert_eq!(
        browser.post(&release, "csrf=").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(holds(&app).await.len(), 1, "a forged form released nothing");

    let csrf = overview.csrf();
    let done = browser.post(&release, &format!("csrf={csrf}")).await;
    assert_eq!(done.location(), "/admin?done=released");
    assert!(
        browser
            .get(done.location())
            .await
            .body
            .contains("Hold released")
    );
    assert_eq!(app.all_transitions().await.len(), 5);
    assert!(holds(&app).await.is_empty());
    // A second release finds no hold: the API's 404, as a page.
    let again = browser.post(&release, &format!("csrf={csrf}")).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_domain_search_pages_by_name() {
    let app = spawn_app().await;
    let domains: Vec<String> = (0..105).map(|i| format!("page-{i:03}.com")).collect();
    let (status, _) = app
        .post_json("/v1/watch", json!({ "domains": domains }))
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut browser = Browser::new(&app);
    assert_eq!(browser.sign_in("").await.status, StatusCode::SEE_OTHER);
    let first = browser.get("/admin/domains?q=page&lifecycle=").await;
    assert!(first.body.contains("page-099.com"));
    assert!(!first.body.contains("page-100.com"));
    let next =
        r#"href="/admin/domains?q=page&amp;lifecycle=&amp;expiring_days=&amp;after=page-099.com""#;
    assert!(first.body.contains(next), "{}", first.body);
    let second = browser
        .get("/admin/domains?q=page&lifecycle=&after=page-099.com")
        .await;
    assert!(second.body.contains("page-104.com"));
    assert!(!second.body.contains("page-099.com"));
    assert!(!second.body.contains(r#"rel="next""#));

    // The audit log, newest first, pages back: the watch call, 100 refreshes, the sign-in.
    for name in &domains[..100] {
        let (status, _) = app
            .post_json(&format!("/v1/domains/{name}/refresh"), json!({}))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED);
    }
    let newest = browser.get("/admin/audit").await;
    assert_eq!(
        newest.body.matches(">refresh<").count(),
        100,
        "{}",
        newest.body
    );
    let marker = r#"href="/admin/audit?before="#;
    let start = newest.body.find(marker).expect("an older page") + marker.len();
    let end = newest.body[start..].find('"').expect("the link's end");
    let older = browser
        .get(&format!(
            "/admin/audit?before={}",
            &newest.body[start..start + end]
        ))
        .await;
    assert!(older.body.contains(">console_signed_in<"));
    assert!(older.body.contains(">watch<"));
    assert!(!older.body.contains(">refresh<"));
    assert!(!older.body.contains(marker));
    let junk = browser.get("/admin/audit?before=soon").await;
    assert_eq!(
        junk.status,
        StatusCode::OK,
        "an unreadable cursor shows the newest"
    );
}

/// The domain page shows the ownership signals: in the status card with their `since`,
/// on the timeline's signal lane, and the published ones in the transitions table.
#[tokio::test]
async fn the_domain_page_shows_the_signals() {
    let app = spawn_app().await;
    let mut object = rdap_domain(
        "listed-shop.com",
        &["active"],
        days_ago(3000),
        days_ahead(200),
    );
    object["nameservers"] = serde_json::json!([
        {"objectClassName": "nameserver", "ldhName": "ns1.dan.com"}
    ]);
    app.rdap.set("listed-shop.com", Answer::Domain(object));
    app.rdap.set("dan.com", active("dan.com"));
    let answer = app.check_email("a@listed-shop.com").await;
    assert_eq!(answer["reason"], "domain_for_sale", "{answer}");
    app.state.checker.settled().await;
    let admin = app.create_token("agent-ana", &[Scope::Admin]).await;
    let mut browser = Browser::new(&app);
    browser.sign_in(&admin).await;
    let page = browser.get("/admin/domains/listed-shop.com").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Ownership signals"), "{}", page.body);
    assert!(
        page.body.contains("<code>for_sale</code> since"),
        "{}",
        page.body
    );
    assert!(page.body.contains("nameserver ns1.dan.com"));
    assert!(page.body.contains("class=\"mark signal\""), "the lane");
    assert!(
        page.body.contains("for_sale</code> appeared"),
        "the published signal in the transitions table: {}",
        page.body
    );
}

/// The overview counts the domains expiring in the next 30 days and links to them; the
/// search lists them with their expiration date.
#[tokio::test]
async fn the_overview_counts_the_domains_expiring_soon_and_links_to_them() {
    let app = spawn_app().await;
    for (name, days) in [("soon-one.com", 10), ("soon-two.com", 25), ("far.com", 300)] {
        app.rdap.set(name, expiring(name, days));
        app.check_email(&format!("a@{name}")).await;
    }
    let mut browser = Browser::new(&app);
    assert_eq!(browser.sign_in("").await.status, StatusCode::SEE_OTHER);
    let overview = browser.get("/admin").await;
    let link = r#"<a href="/admin/domains?expiring_days=30">Expiring in 30 days</a><b>2</b>"#;
    assert!(overview.body.contains(link), "{}", overview.body);
    let listed = browser.get("/admin/domains?expiring_days=30").await;
    assert!(listed.body.contains("soon-one.com"), "{}", listed.body);
    assert!(listed.body.contains("soon-two.com"));
    assert!(!listed.body.contains("far.com"));
    let (_, stats) = app.get("/v1/stats").await;
    assert_eq!(stats["expiring_30_days"], 2, "{stats}");
}

/// The domain page's decision for a verification date judges the routes from what is
/// held: a nameserver domain registered anew denies there as in a check.
#[tokio::test]
async fn the_decision_for_a_date_judges_the_routes() {
    let app = spawn_app().await;
    let mut victim = rdap_domain(
        "victim-corp.com",
        &["active"],
        days_ago(8800),
        days_ahead(200),
    );
    victim["nameservers"] =
        json!([{"objectClassName": "nameserver", "ldhName": "ns1.lapsed-dns.net"}]);
    app.rdap.set("victim-corp.com", Answer::Domain(victim));
    app.rdap.set(
        "lapsed-dns.net",
        Answer::Domain(rdap_domain(
            "lapsed-dns.net",
            &["active"],
            days_ago(3),
            days_ahead(362),
        )),
    );
    let checked = app
        .check(json!({"email": "ceo@victim-corp.com", "verified_at": days_ago(200).to_rfc3339()}))
        .await
        .1;
    assert_eq!(checked["reason"], "domain_nameserver_lapsed", "{checked}");
    let restarted = app.restart().await;
    let mut browser = Browser::new(&restarted);
    assert_eq!(browser.sign_in("").await.status, StatusCode::SEE_OTHER);
    let verified_on = days_ago(200).format("%Y-%m-%d");
    let page = browser
        .get(&format!(
            "/admin/domains/victim-corp.com?verified_on={verified_on}"
        ))
        .await;
    assert!(
        page.body.contains("domain_nameserver_lapsed"),
        "{}",
        page.body
    );
    let recent = browser
        .get(&format!(
            "/admin/domains/victim-corp.com?verified_on={}",
            days_ago(1).format("%Y-%m-%d")
        ))
        .await;
    assert!(
        !recent.body.contains("domain_nameserver_lapsed"),
        "{}",
        recent.body
    );
}
