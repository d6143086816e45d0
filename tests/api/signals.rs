//! Issue 22 (ownership signals), what is built so far: each RDAP observation keeps the
//! registry's handle, the sponsoring registrar's IANA ID and the registry's nameservers,
//! so that a later observation can be compared with it.

use lapseguard::domain::name::RegistrableDomain;
use lapseguard::domain::status::Finding;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn an_rdap_observation_keeps_the_handle_the_registrar_and_the_nameservers() {
    let app = spawn_app().await;
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
