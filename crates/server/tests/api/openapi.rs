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

#[tokio::test]
async fn every_reference_resolves() {
    let doc = document().await;
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut refs = 0;
    walk("", &doc, &mut |key, object| {
        if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
            let name = reference
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("{reference} under {key}"));
            assert!(
                schemas.contains_key(name),
                "{reference} under {key} names nothing"
            );
            refs += 1;
        }
    });
    assert!(refs > 100, "{refs}");
}

/// The schema of a component's property.
fn property<'a>(doc: &'a Value, schema: &str, name: &str) -> &'a Value {
    &doc["components"]["schemas"][schema]["properties"][name]
}

/// The schema of an operation's parameter.
fn parameter<'a>(doc: &'a Value, method: &str, path: &str, name: &str) -> &'a Value {
    doc["paths"][path][method]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .map(|p| &p["schema"])
        .unwrap_or_else(|| panic!("{method} {path} has no parameter {name}"))
}

#[tokio::test]
async fn requests_state_the_rules_the_services_enforce() {
    let doc = document().await;
    // Lengths, counts and ranges.
    let first_name = property(&doc, "CreatePatientBody", "first_name");
    assert_eq!(
        (&first_name["minLength"], &first_name["maxLength"]),
        (&1.into(), &30.into())
    );
    assert_eq!(
        first_name["type"], "string",
        "required, so not null: {first_name}"
    );
    let phones = property(&doc, "CreatePatientBody", "phones");
    assert_eq!(
        (&phones["minItems"], &phones["maxItems"]),
        (&2.into(), &20.into())
    );
    let price = property(&doc, "CreateServiceBody", "price");
    assert_eq!(
        (&price["minimum"], &price["maximum"]),
        (&0.into(), &1_000_000_000_000_i64.into())
    );
    let duration = parameter(
        &doc,
        "get",
        "/api/v1/doctors/{doctor_id}/free-slots",
        "duration_minutes",
    );
    assert_eq!(
        (&duration["minimum"], &duration["maximum"]),
        (&1.into(), &1440.into())
    );
    let password = property(&doc, "CreateUserBody", "password");
    assert_eq!(
        (&password["minLength"], &password["maxLength"]),
        (&10.into(), &1024.into())
    );
    // Every list's page size and cursor.
    for (method, path, operation) in operations(&doc) {
        for param in operation["parameters"].as_array().into_iter().flatten() {
            match param["name"].as_str() {
                Some("limit") => {
                    let schema = &param["schema"];
                    assert_eq!(
                        (&schema["minimum"], &schema["maximum"]),
                        (&1.into(), &500.into()),
                        "{method} {path}"
                    );
                }
                Some("cursor") => {
                    assert_eq!(
                        param["schema"]["pattern"], "^[A-Za-z0-9_-]+$",
                        "{method} {path}"
                    );
                }
                _ => {}
            }
        }
    }
    // Shared shapes.
    assert_eq!(
        property(&doc, "CreatePatientBody", "register_number")["$ref"],
        "#/components/schemas/RegisterNumberText"
    );
    assert_eq!(
        property(&doc, "PatientPhoneBody", "number")["$ref"],
        "#/components/schemas/PhoneNumberText"
    );
    for name in [
        "RegisterNumberText",
        "PhoneNumberText",
        "PhonePrefixText",
        "EmailText",
    ] {
        assert!(
            doc["components"]["schemas"][name]["pattern"].is_string(),
            "{name}"
        );
    }
    let day = parameter(&doc, "get", "/api/v1/reports/day", "date");
    assert_eq!(day["$ref"], "#/components/schemas/DateText");
    assert_eq!(doc["components"]["schemas"]["DateText"]["format"], "date");
    // The control characters `http::input` refuses, on every request string without a
    // pattern of its own.
    let label = property(&doc, "EmployeePhoneBody", "label");
    assert!(
        label["pattern"]
            .as_str()
            .unwrap()
            .contains(r"\u0000-\u0008"),
        "{label}"
    );
    assert_eq!(
        doc["components"]["schemas"]["PatchOwnPatientBody"]["additionalProperties"],
        false
    );
    // A patient's phone and an employee's are two schemas (they differ: an employee's label
    // is required).
    assert_eq!(
        doc["paths"]["/api/v1/patients/{patient_id}/phones"]["post"]["requestBody"]["content"]["application/json"]
            ["schema"]["$ref"],
        "#/components/schemas/PatientPhoneBody"
    );
    assert_eq!(
        doc["paths"]["/api/v1/employees/{employee_id}/phones"]["post"]["requestBody"]["content"]["application/json"]
            ["schema"]["$ref"],
        "#/components/schemas/EmployeePhoneBody"
    );
    // Answers are left alone.
    let view = property(&doc, "PatientView", "first_name");
    assert!(view.get("pattern").is_none(), "{view}");
}
