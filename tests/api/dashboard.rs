//! What an admin dashboard reads: the watch list, filtered and paged, and the counts.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;
use lapseguard::clock::Clock;
use reqwest::Method;

/// Every page of `GET /v1/domains` with this query, followed to the end.
async fn all_pages(app: &TestApp, query: &str, limit: u32) -> Vec<Value> {
    let mut rows = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..1000 {
        let cursor = after
            .as_ref()
            .map(|a| format!("&after={a}"))
            .unwrap_or_default();
        let (status, page) = app
            .get(&format!("/v1/domains?limit={limit}{query}{cursor}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let batch = page["domains"].as_array().expect("domains").clone();
        assert!(batch.len() <= limit as usize);
        rows.extend(batch);
        match page["next_after"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => return rows,
        }
    }
    panic!("pagination does not end");
}

fn names(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["domain"].as_str().expect("domain").to_owned())
        .collect()
}

#[tokio::test]
async fn the_watch_list_pages_by_name_without_gaps_and_filters_by_lifecycle_and_prefix() {
    let app = spawn_app().await;
    let mut all: Vec<String> = (0..130).map(|n| format!("shop-{n:03}.com")).collect();
    all.extend((0..40).map(|n| format!("mail{n}.example.org")));
    let reduced: Vec<String> = all
        .iter()
        .map(|d| {
            d.strip_prefix("mail")
                .map_or(d.clone(), |_| "example.org".to_owned())
        })
        .collect();
    let (status, _) = app.post_json("/v1/watch", json!({ "domains": all })).await;
    assert_eq!(status, StatusCode::OK);
    for n in 0..10 {
        let name = format!("shop-{n:03}.com");
        app.seed(&name, 1, registered(&["redemption period"], days_ago(900)))
            .await;
    }
    for n in 10..30 {
        app.seed(
            &format!("shop-{n:03}.com"),
            1,
            registered(&["active"], days_ago(900)),
        )
        .await;
    }

    let mut expected: Vec<String> = reduced.clone();
    expected.sort();
    expected.dedup();
    let listed = all_pages(&app, "", 17).await;
    assert_eq!(
        names(&listed),
        expected,
        "every watched domain once, by name"
    );

    // Unwatched and watched again, a domain keeps the lifecycle its status shows.
    app.send(reqwest::Method::DELETE, "/v1/watch/shop-000.com")
        .await;
    app.post_json("/v1/watch", json!({ "domains": ["shop-000.com"] }))
        .await;

    let redemption = all_pages(&app, "&lifecycle=redemption", 3).await;
    assert_eq!(
        names(&redemption),
        (0..10)
            .map(|n| format!("shop-{n:03}.com"))
            .collect::<Vec<_>>()
    );
    assert!(
        redemption
            .iter()
            .all(|r| r["lifecycle"] == "redemption" && r["evidence"] == "rdap")
    );
    let unknown = all_pages(&app, "&lifecycle=unknown", 50).await;
    assert_eq!(unknown.len(), expected.len() - 30);
    assert!(
        unknown
            .iter()
            .all(|r| r["lifecycle"] == "unknown" && r["checked_at"].is_null())
    );

    let prefixed = all_pages(&app, "&q=SHOP-01", 4).await;
    assert_eq!(
        names(&prefixed),
        (10..20)
            .map(|n| format!("shop-{n:03}.com"))
            .collect::<Vec<_>>()
    );
    let both = all_pages(&app, "&q=shop-0&lifecycle=active", 100).await;
    assert_eq!(
        names(&both),
        (10..30)
            .map(|n| format!("shop-{n:03}.com"))
            .collect::<Vec<_>>()
    );

    for bad in [
        "limit=0",
        "limit=1001",
        "lifecycle=dormant",
        "q=a%40b.com",
        "after=%27%3B",
    ] {
        let (status, problem) = app.get(&format!("/v1/domains?{bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(problem["code"], "invalid_query");
        assert!(!problem.to_string().contains("a@b"), "{problem}");
    }
}

#[tokio::test]
async fn stats_count_the_watch_list_the_backlog_and_failures() {
    let app = spawn_app().await;
    app.post_json(
        "/v1/watch",
        json!({ "domains": ["a.com", "b.com", "c.com", "d.com"] }),
    )
    .await;
    app.seed("a.com", 1, registered(&["active"], days_ago(900)))
        .await;
    app.seed("b.com", 2, registered(&["pending delete"], days_ago(900)))
        .await;

    let (status, stats) = app.get("/v1/stats").await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    assert_eq!(stats["watched"], 4);
    assert_eq!(
        stats["lifecycles"],
        json!({ "active": 1, "pending_delete": 1, "unknown": 2 })
    );
    // c.com and d.com are due from now; b.com, pending delete two days ago, was due
    // hours after that observation (overdue); a.com, active, is not due for days.
    assert_eq!(
        (stats["due"].clone(), stats["overdue"].clone()),
        (json!(3), json!(1))
    );
    assert_eq!(stats["failing"], 0);
    assert_eq!(stats["webhooks_pending"], 0);
    assert!(
        stats["oldest_check_age_seconds"]
            .as_i64()
            .is_some_and(|s| s >= 2 * 86_400)
    );
    // Tests run without the scheduler: nobody holds its lease.
    assert!(stats["scheduler_holder"].is_null());

    // Counts are shared for a few seconds: a dashboard's polling costs no queries.
    app.post_json("/v1/watch", json!({ "domains": ["e.com"] }))
        .await;
    let (_, cached) = app.get("/v1/stats").await;
    assert_eq!(cached["watched"], 4);
    assert_eq!(cached["computed_at"], stats["computed_at"]);
}

#[tokio::test]
async fn the_counts_by_lifecycle_follow_every_change_of_the_watch_list() {
    let app = spawn_app().await;
    let name = |i: usize| format!("count{i}.com");
    for i in 0..300 {
        let answer = if i % 2 == 0 {
            active(&name(i))
        } else {
            with_statuses(&name(i), &["redemption period"])
        };
        app.rdap.set(&name(i), answer);
        // One request each: on PostgreSQL each statement appends a count row, enough
        // rows to be folded together below.
        let (status, _) = app
            .post_json("/v1/watch", json!({ "domains": [name(i)] }))
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let counts = async || {
        let stats = app
            .store
            .stats(app.clock.now(), "scheduler")
            .await
            .expect("stats");
        let mut counts: Vec<(String, u64)> = stats
            .lifecycles
            .iter()
            .map(|(l, n)| (l.as_str().to_owned(), *n))
            .collect();
        counts.sort();
        (counts, stats.watched)
    };
    assert_eq!(counts().await, (vec![("unknown".to_owned(), 300)], 300));

    app.state.scheduler.run_due().await.expect("round");
    let looked_up = vec![("active".to_owned(), 150), ("redemption".to_owned(), 150)];
    assert_eq!(counts().await, (looked_up.clone(), 300));
    assert_eq!(counts().await, (looked_up, 300), "the same after folding");

    for i in 0..30 {
        let (status, _) = app
            .send(Method::DELETE, &format!("/v1/watch/{}", name(i)))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
    // Watched again, they take their stored lifecycle back.
    let again: Vec<String> = (0..5).map(name).collect();
    app.post_json("/v1/watch", json!({ "domains": again }))
        .await;
    let expected = vec![("active".to_owned(), 138), ("redemption".to_owned(), 137)];
    assert_eq!(counts().await, (expected.clone(), 275));
    let (_, page) = app.get("/v1/domains?lifecycle=active&limit=1000").await;
    assert_eq!(page["domains"].as_array().map(Vec::len), Some(138));
    assert_eq!(counts().await, (expected, 275));
}

/// `?expiring_before=` lists the watched domains whose registry expiration date lies
/// before a date (a site asks those domains' users for a second address in time), paged
/// by name like the other filters.
#[tokio::test]
async fn the_watch_list_filters_by_expiration_date() {
    let app = spawn_app().await;
    let names_and_days = [("soon-a.com", 5), ("soon-b.com", 20), ("later.com", 200)];
    for (name, days) in names_and_days {
        app.rdap.set(name, expiring(name, days));
        app.check_email(&format!("a@{name}")).await;
    }
    let before = (days_ahead(30)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let soon = all_pages(&app, &format!("&expiring_before={before}"), 1).await;
    assert_eq!(names(&soon), ["soon-a.com", "soon-b.com"]);
    let (status, problem) = app.get("/v1/domains?expiring_before=next-week").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["code"], "invalid_query");
}
