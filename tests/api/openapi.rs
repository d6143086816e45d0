//! The committed OpenAPI document is the one the code generates.
//! `UPDATE_OPENAPI=1 cargo test` rewrites it.

use axum::http::StatusCode;

use crate::helpers::*;

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");

#[tokio::test]
async fn the_committed_openapi_document_matches_the_code() {
    let generated =
        serde_json::to_string_pretty(&lapseguard::http::openapi()).expect("serialisable");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(COMMITTED, format!("{generated}\n")).expect("write openapi.json");
    }
    let committed = std::fs::read_to_string(COMMITTED).expect("openapi/openapi.json exists");
    assert!(
        committed.trim_end() == generated,
        "openapi/openapi.json is out of date: run UPDATE_OPENAPI=1 cargo test"
    );

    let app = spawn_app().await;
    let (status, served) = app.get("/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let committed: serde_json::Value = serde_json::from_str(&committed).expect("JSON");
    assert_eq!(served, committed);
    let reasons = &committed["components"]["schemas"]["Reason"]["enum"];
    assert_eq!(reasons.as_array().map(Vec::len), Some(15), "{reasons}");
}
