//! Bounded growth: old observations and delivered webhook rows are pruned; each domain
//! keeps its latest 20 observations and every transition.

use lapseguard::config::Config;
use lapseguard::domain::delegation::{MailRoute, SeenRoute};
use lapseguard::domain::name::RegistrableDomain;
use lapseguard::domain::status::{EvidenceSource, Observation};
use lapseguard::refresh::retention::Pruned;
use lapseguard::store::{RecordSettings, Recording};

use crate::helpers::*;

async fn history_len(app: &TestApp, domain: &str) -> usize {
    let domain = RegistrableDomain::parse(domain).expect("valid");
    app.store
        .observations(&domain, 1000)
        .await
        .expect("observations")
        .len()
}

#[tokio::test]
async fn old_observations_are_pruned_but_each_domain_keeps_its_latest_twenty_and_transitions_stay()
{
    let app = spawn_app_with(&[("LAPSEGUARD_OBSERVATION_RETENTION_DAYS", "30")]).await;
    for day in (100..130).rev() {
        app.seed("a.com", day, registered(&["active"], days_ago(3000)))
            .await;
    }
    app.seed("a.com", 2, registered(&["active"], days_ago(3000)))
        .await;
    app.seed("a.com", 1, registered(&["active"], days_ago(3000)))
        .await;
    for day in (100..105).rev() {
        app.seed("b.com", day, registered(&["active"], days_ago(3000)))
            .await;
    }
    // A lapse (into grace) 150 days ago, published with a webhook row delivered 140 days ago.
    app.seed("c.com", 200, registered(&["active"], days_ago(3000)))
        .await;
    let lapse = Observation {
        domain: RegistrableDomain::parse("c.com").expect("valid"),
        source: EvidenceSource::Rdap,
        observed_at: days_ago(150),
        http_status: Some(200),
        finding: registered(&["auto renew period"], days_ago(3000)),
        host: None,
        routes: None,
    };
    let settings = RecordSettings {
        schedule: Config::default().schedule,
        webhooks: true,
        guard: Config::default().guard,
    };
    let recorded = app
        .store
        .record(&lapse, Recording::SCHEDULED, &settings)
        .await
        .expect("record");
    let published = recorded.transition.expect("a lapse is published");
    app.store
        .delivery_succeeded(published.id, days_ago(140))
        .await
        .expect("delivered");
    assert_eq!(history_len(&app, "a.com").await, 32);

    let pruned = app.state.pruner.prune().await.expect("prune");
    assert_eq!(
        pruned,
        Pruned {
            observations: 12,
            deliveries: 1,
            mail_routes: 0,
        }
    );
    assert_eq!(history_len(&app, "a.com").await, 20);
    assert_eq!(
        history_len(&app, "b.com").await,
        5,
        "fewer than 20: all kept"
    );
    assert_eq!(history_len(&app, "c.com").await, 2);
    assert_eq!(app.all_transitions().await.len(), 1, "transitions are kept");
    // The newest survive: the two recent ones are still there.
    let (_, view) = app.get("/v1/domains/a.com").await;
    let newest = view["observations"][0]["observed_at"]
        .as_str()
        .unwrap_or_default();
    assert!(
        newest.starts_with(&days_ago(1).format("%Y-%m-%d").to_string()),
        "{newest}"
    );

    assert_eq!(
        app.state.pruner.prune().await.expect("prune"),
        Pruned::default()
    );
}

/// Mail routes are kept a week after DNS last gave them (a check answers by one that long
/// when DNS cannot), then pruned; a later route is not overwritten by an older one.
#[tokio::test]
async fn mail_routes_are_kept_a_week_then_pruned() {
    let app = spawn_app().await;
    let route = |exchange: &str, fetched_at| SeenRoute {
        route: MailRoute {
            exchanges: vec![exchange.to_owned()],
            ..MailRoute::default()
        },
        seen_at: days_ago(30),
        fetched_at,
    };
    let keep = |domain: &'static str, seen: SeenRoute| {
        let store = app.store.clone();
        async move { store.keep_mail_route(domain, &seen).await.expect("keep") }
    };
    keep("old.example.com", route("mx.old.net", days_ago(8))).await;
    keep("new.example.com", route("mx.new.net", days_ago(1))).await;
    // An older answer arriving late (another replica's) leaves the newer one.
    keep("new.example.com", route("mx.older.net", days_ago(2))).await;
    let pruned = app.state.pruner.prune().await.expect("prune");
    assert_eq!(pruned.mail_routes, 1);
    assert_eq!(
        app.store.mail_route("old.example.com").await.expect("read"),
        None
    );
    let kept = app.store.mail_route("new.example.com").await.expect("read");
    assert_eq!(
        kept.map(|k| k.route.exchanges),
        Some(vec!["mx.new.net".to_owned()])
    );
}
