//! The OpenAPI document as client tools read it (issue 18): unique operationIds, schemas that
//! common generators accept, the services' constraints stated. `.ci/openapi-check` goes
//! further (openapi-spec-validator, a generated Python client); these are the cheap checks of
//! every test run. The document does not depend on the database, so SQLite only.

use crate::helpers::{TestBackend, spawn_app};
use serde_json::Value;
use std::collections::BTreeMap;

async fn document() -> Value {
    let app = spawn_app(TestBackend::Sqlite).await.unwrap();
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Every operation: (method, path, operation).
fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            all.push((method.clone(), path.clone(), operation));
        }
    }
    all
}

/// `<area>_<action>`: lower-case ASCII words joined by `_`, at least two.
fn descriptive(id: &str) -> bool {
    let words: Vec<&str> = id.split('_').collect();
    words.len() >= 2
        && words
            .iter()
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
}

#[tokio::test]
async fn every_operation_has_a_unique_descriptive_operation_id() {
    let doc = document().await;
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (method, path, operation) in operations(&doc) {
        let id = operation["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
        assert!(descriptive(id), "{method} {path}: operationId {id:?}");
        if let Some(other) = seen.insert(id.to_owned(), format!("{method} {path}")) {
            panic!("operationId {id} is on both {other} and {method} {path}");
        }
    }
    assert!(seen.len() > 80, "{} operations", seen.len());
    for (id, operation) in [
        ("patients_list", "get /api/v1/patients"),
        ("patients_create", "post /api/v1/patients"),
        ("patients_import", "post /api/v1/patients/import"),
        ("audit_list", "get /api/v1/audit"),
        ("auth_login", "post /api/v1/auth/login"),
        ("users_list", "get /api/v1/users"),
    ] {
        assert_eq!(seen.get(id).map(String::as_str), Some(operation), "{id}");
    }
}

/// Calls `visit` on every JSON object of `value`, with the key it is under.
fn walk<'a>(key: &str, value: &'a Value, visit: &mut impl FnMut(&str, &'a Value)) {
    match value {
        Value::Object(map) => {
            visit(key, value);
            for (k, v) in map {
                walk(k, v, visit);
            }
        }
        Value::Array(items) => {
            for v in items {
                walk(key, v, visit);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn schemas_are_what_client_generators_read() {
    let doc = document().await;
    // No tuple schemas (`prefixItems`, `items: false`): openapi-python-client refuses a
    // boolean schema, and other generators know no tuples.
    let mut objects = 0;
    walk("", &doc, &mut |key, object| {
        objects += 1;
        assert!(
            object.get("prefixItems").is_none(),
            "a tuple schema under {key}: {object}"
        );
        if let Some(items) = object.get("items") {
            assert!(items.is_object(), "`items: {items}` under {key}: {object}");
        }
    });
    assert!(objects > 100);

    // The opening hours' [start, end) pair: two HH:MM strings.
    let hours = &doc["components"]["schemas"]["OpeningHours"];
    let pair = &hours["properties"]["mon"]["items"];
    assert_eq!(pair["type"], "array");
    assert_eq!(pair["minItems"], 2);
    assert_eq!(pair["maxItems"], 2);
    assert_eq!(pair["items"]["type"], "string");
    assert!(pair["items"]["pattern"].is_string(), "{pair}");

    // The CSV import: a file body (a binary string), as generators read an upload.
    let content = &doc["paths"]["/api/v1/patients/import"]["post"]["requestBody"]["content"];
    let schema = &content["application/octet-stream"]["schema"];
    assert_eq!(schema["type"], "string", "{content}");
    assert_eq!(schema["format"], "binary", "{content}");

    // One body type per operation: openapi-python-client 0.29 makes a body of several
    // optional and sends it as the last type whatever it is.
    for (method, path, operation) in operations(&doc) {
        if let Some(content) = operation["requestBody"]["content"].as_object() {
            assert_eq!(content.len(), 1, "{method} {path}: {content:?}");
        }
    }
}
