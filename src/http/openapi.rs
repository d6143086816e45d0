//! The OpenAPI document as generated clients need it. utoipa writes the document from
//! the handlers and types; `finish` then applies what a trial with three generators
//! asked for, in one place, over the whole document:
//!
//! - a `servers` entry and a bearer security scheme; each operation's scope (from
//!   `auth::ROUTES`, the table the middleware applies) in its description
//!   and its `security`; open routes say `security: []`;
//! - one shared problem response (`components.responses.Problem`) as every operation's
//!   `default`, so that undeclared statuses (401, 403, 405, 500) still parse as `Problem`;
//! - every property of a response schema listed as `required`: lapseguard always sends
//!   every field, `null` when it has no value;
//! - a property's description on the property, not inside a `oneOf` branch;
//! - open enums: `Reason`, `Lifecycle` and `AuditAction` may gain values, so a response
//!   property of those types also accepts any string (`anyOf: [enum, string]`), and a
//!   generated client does not fail on a value it does not know.

use axum::http::Method;
use serde_json::{Value, json};

use super::auth::{Access, access};

/// Schemas clients send: their optional fields stay optional.
const REQUEST_SCHEMAS: [&str; 5] = [
    "CheckRequest",
    "BatchRequest",
    "BatchItem",
    "WatchRequest",
    "OverrideRequest",
];

/// Enums that may gain values in later versions.
const OPEN_ENUMS: [&str; 3] = ["Reason", "Lifecycle", "AuditAction"];

/// The default `LAPSEGUARD_LISTEN`.
const DEFAULT_SERVER: &str = "http://127.0.0.1:8080";

/// Applies the fixes above to a generated document.
pub fn finish(mut document: Value) -> Value {
    // The docs page tries requests against the first entry: the server that served it.
    document["servers"] = json!([
        { "url": "/", "description": "The server this document came from" },
        {
            "url": DEFAULT_SERVER,
            "description": "The default listen address (LAPSEGUARD_LISTEN)"
        }
    ]);
    document["security"] = json!([{ "bearer": [] }]);
    let components = &mut document["components"];
    components["securitySchemes"] = json!({
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token from `lapseguard token create` (`lg_...`). Scopes: \
                `check` (the recovery check), `read` (every GET under /v1), `admin` (every \
                write under /v1, and read). While no token exists, loopback clients need \
                none (protected mode)."
        }
    });
    components["responses"] = json!({
        "Problem": {
            "description": "A problem (RFC 9457), for any status this operation does not \
                list: 401 `unauthenticated`, 403 `insufficient_scope`, 405, 500, 503, ...",
            "content": {
                "application/problem+json": {
                    "schema": { "$ref": "#/components/schemas/Problem" }
                }
            }
        }
    });
    if let Some(schemas) = components["schemas"].as_object_mut() {
        for (name, schema) in schemas.iter_mut() {
            finish_schema(name, schema);
        }
    }
    if let Some(paths) = document["paths"].as_object_mut() {
        for (path, item) in paths.iter_mut() {
            let Some(operations) = item.as_object_mut() else {
                continue;
            };
            for (method, operation) in operations.iter_mut() {
                finish_operation(path, method, operation);
            }
        }
    }
    document
}

fn finish_operation(path: &str, method: &str, operation: &mut Value) {
    let Ok(method) = Method::from_bytes(method.to_ascii_uppercase().as_bytes()) else {
        return;
    };
    // The document writes paths as the router does: `{domain}` is the router's template.
    match access(&method, Some(path)) {
        Access::Token(scope) => {
            let description = operation["description"].as_str().unwrap_or_default();
            let scoped = format!(
                "{description}{}Scope: `{}`{}.",
                if description.is_empty() { "" } else { "\n\n" },
                scope.as_str(),
                if scope == crate::domain::access::Scope::Read {
                    " (or `admin`)"
                } else {
                    ""
                }
            );
            operation["description"] = Value::String(scoped);
            operation["security"] = json!([{ "bearer": [] }]);
        }
        Access::Open | Access::Console => operation["security"] = json!([]),
    }
    if let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    {
        responses.insert(
            "default".to_owned(),
            json!({ "$ref": "#/components/responses/Problem" }),
        );
    }
}

fn finish_schema(name: &str, schema: &mut Value) {
    let response = !REQUEST_SCHEMAS.contains(&name);
    // `get_mut`, not `schema["properties"]`: indexing mutably would add `null` to enums.
    let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for property in properties.values_mut() {
        hoist_description(property);
        if response {
            open_enum(property);
        }
    }
    if response {
        let names: Vec<Value> = properties.keys().cloned().map(Value::String).collect();
        schema["required"] = Value::Array(names);
    }
}

/// Moves a description from a `oneOf` branch up to the property.
fn hoist_description(property: &mut Value) {
    let Some(branches) = property.get_mut("oneOf").and_then(Value::as_array_mut) else {
        return;
    };
    let mut found = None;
    for branch in branches.iter_mut() {
        if let Some(description) = branch.as_object_mut().and_then(|b| b.remove("description")) {
            found.get_or_insert(description);
        }
    }
    if let (Some(description), Some(object)) = (found, property.as_object_mut()) {
        object.entry("description").or_insert(description);
    }
}

/// `{$ref: Reason}` becomes `{anyOf: [{$ref: Reason}, {type: string}]}`; a nullable one
/// keeps its `null` branch.
fn open_enum(property: &mut Value) {
    let is_open = |value: &Value| {
        value["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .is_some_and(|name| OPEN_ENUMS.contains(&name))
    };
    let Some(object) = property.as_object_mut() else {
        return;
    };
    let branches: Vec<Value> = if is_open(&Value::Object(object.clone())) {
        let reference = object.remove("$ref").unwrap_or_default();
        vec![json!({ "$ref": reference })]
    } else if let Some(Value::Array(one_of)) = object.get("oneOf")
        && one_of.iter().any(is_open)
    {
        let branches = one_of.clone();
        object.remove("oneOf");
        branches
    } else {
        return;
    };
    let mut any_of = Vec::with_capacity(branches.len() + 1);
    for branch in branches {
        let open = is_open(&branch);
        any_of.push(branch);
        if open {
            any_of.push(json!({ "type": "string" }));
        }
    }
    object.insert("anyOf".to_owned(), Value::Array(any_of));
}

/// A `Map` for tests.
#[cfg(test)]
fn object(value: Value) -> serde_json::Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_enum_property_also_takes_any_string() {
        let mut nullable = json!({
            "oneOf": [
                { "$ref": "#/components/schemas/Lifecycle", "description": "The stage." },
                { "type": "null" }
            ]
        });
        hoist_description(&mut nullable);
        open_enum(&mut nullable);
        assert_eq!(
            object(nullable),
            object(json!({
                "description": "The stage.",
                "anyOf": [
                    { "$ref": "#/components/schemas/Lifecycle" },
                    { "type": "string" },
                    { "type": "null" }
                ]
            }))
        );
        let mut closed = json!({ "$ref": "#/components/schemas/EvidenceSource" });
        open_enum(&mut closed);
        assert_eq!(
            closed,
            json!({ "$ref": "#/components/schemas/EvidenceSource" })
        );
    }
}
