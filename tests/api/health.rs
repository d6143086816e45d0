//! Liveness and readiness.

use axum::http::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn healthz_and_readyz_answer_when_all_is_well() {
    let app = spawn_app().await;
    let (status, body) = app.get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    let (status, body) = app.get("/readyz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ready");
}

#[tokio::test]
async fn readyz_is_503_until_a_bootstrap_url_has_loaded() {
    let unreachable = "http://127.0.0.1:9/dns.json";
    let app = spawn_app_with(&[("LAPSEGUARD_RDAP_BOOTSTRAP", unreachable)]).await;
    let (status, body) = app.get("/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["code"], "bootstrap_not_loaded");
    let (status, _) = app.get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    let body = app.check_email("a@example.com").await;
    assert_eq!(body["reason"], "domain_status_unavailable");
}
