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
    assert_eq!(reasons.as_array().map(Vec::len), Some(27), "{reasons}");
}

/// Every place the OpenAPI 3.1 schema expects a schema object or a map of them holds one:
/// a `null` there (as `properties: null` once was on enums) breaks validators and fuzzers.
#[test]
fn the_document_holds_objects_where_schemas_go() {
    fn walk(value: &serde_json::Value, path: &str, bad: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, child) in map {
                    let schema_place = matches!(
                        key.as_str(),
                        "properties" | "schema" | "items" | "responses" | "components"
                    );
                    if schema_place && !child.is_object() {
                        bad.push(format!("{path}/{key}"));
                    }
                    walk(child, &format!("{path}/{key}"), bad);
                }
            }
            serde_json::Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(child, &format!("{path}/{i}"), bad);
                }
            }
            _ => {}
        }
    }
    let mut bad = Vec::new();
    walk(&lapseguard::http::openapi(), "", &mut bad);
    assert!(bad.is_empty(), "not objects: {bad:?}");
}
