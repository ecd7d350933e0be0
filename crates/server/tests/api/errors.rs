//! Every error is RFC 9457 problem details.
use crate::backend_test;
use serde_json::Value;

async fn assert_problem(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json",
        "status {status}"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status);
    assert!(
        body["type"]
            .as_str()
            .unwrap()
            .starts_with("urn:dcms:problem:")
    );
    assert!(!body["title"].as_str().unwrap().is_empty());
    assert!(!body["detail"].as_str().unwrap().is_empty());
    body
}

backend_test!(spawn_app -> TestApp, async fn unknown_route_is_404_problem(app) {
    let body = assert_problem(app.get("/api/v1/no-such-thing").await, 404).await;
    assert!(body["detail"].as_str().unwrap().contains("/api/v1/no-such-thing"));
    // Outside the API the answer is a page, in the same words.
    let page = app.get("/nowhere").await;
    assert_eq!(page.status(), 404);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    assert!(page.text().await.unwrap().contains("id=\"error-404\""));
});

backend_test!(spawn_app -> TestApp, async fn wrong_method_is_405_problem_with_allow(app) {
    let response = app.client.delete(app.url("/healthz")).send().await.unwrap();
    let allow = response.headers().get("allow").cloned();
    assert_problem(response, 405).await;
    let allow = allow.expect("Allow header").to_str().unwrap().to_owned();
    assert!(allow.contains("GET"), "{allow}");
});

backend_test!(spawn_app -> TestApp, async fn oversized_body_is_413_problem(app) {
    let body = vec![b'x'; 1024 * 1024 + 1];
    let response = app
        .client
        .post(app.url("/healthz"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    // The body limit answers before routing looks at the method.
    assert_problem(response, 413).await;
});

// --- what API fuzzing (`.ci/schemathesis`) found -------------------------------------------

/// The statuses an operation of the OpenAPI document says it may answer.
fn documented(doc: &Value, path: &str, method: &str) -> Vec<String> {
    doc["paths"][path][method]["responses"]
        .as_object()
        .unwrap_or_else(|| panic!("{method} {path} is not documented"))
        .keys()
        .cloned()
        .collect()
}

backend_test!(spawn_app -> TestApp, async fn every_operation_documents_the_errors_the_shared_machinery_answers(app) {
    // Schemathesis found answers that the document did not list: 415 for a JSON body sent
    // without its Content-Type, 400 for an id past i64, 422 for a bad notation on /me lists.
    let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let statuses = documented(&doc, path, method);
            let has = |s: &str| statuses.iter().any(|d| d == s);
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            let has_params = op["parameters"].as_array().is_some_and(|p| !p.is_empty());
            let body = op["requestBody"]["content"].as_object();
            if secured {
                assert!(has("401") && has("403"), "{method} {path}: {statuses:?}");
            }
            if has_params || body.is_some() {
                assert!(has("400"), "{method} {path}: {statuses:?}");
            }
            if let Some(content) = body {
                assert!(has("413"), "{method} {path}: {statuses:?}");
                if content.keys().eq(["application/json"]) {
                    assert!(has("415") && has("422"), "{method} {path}: {statuses:?}");
                }
            }
            for (status, response) in op["responses"].as_object().unwrap() {
                if status.starts_with('4') || status.starts_with('5') {
                    assert_eq!(
                        response["content"]["application/problem+json"]["schema"]["$ref"],
                        "#/components/schemas/Problem",
                        "{method} {path} {status}"
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 80, "{checked} operations");
    for (path, method, status) in [
        ("/api/v1/me/treatments", "get", "422"),
        ("/api/v1/me/invoices", "get", "422"),
    ] {
        assert!(documented(&doc, path, method).iter().any(|s| s == status), "{method} {path} {status}");
    }

    // And the server answers them as documented.
    app.create_user("boss", dcms_domain::Role::Admin).await;
    let token = app.token("boss").await;
    let response = app
        .with_token(reqwest::Method::POST, "/api/v1/positions", &token)
        .body(r#"{"position_type":"X","display_name":"X","category":"clinical"}"#)
        .send()
        .await
        .unwrap();
    assert_problem(response, 415).await;
    let response = app
        .with_token(reqwest::Method::PATCH, "/api/v1/settings", &token)
        .send()
        .await
        .unwrap();
    assert_problem(response, 415).await;
    for path in [
        "/api/v1/treatments/9223372036854775808",
        "/api/v1/treatments/1/items/9223372036854775808",
        "/api/v1/patients/-9223372036854775809/chart",
    ] {
        let method = if path.contains("/items/") { reqwest::Method::DELETE } else { reqwest::Method::GET };
        let response = app.with_token(method, path, &token).send().await.unwrap();
        assert_problem(response, 400).await;
    }
});

backend_test!(spawn_app -> TestApp, async fn extreme_payment_amounts_are_422_and_change_nothing(app) {
    // `i64::MIN.abs()` overflowed: a panic (500) in debug builds; in release builds a wrapped
    // negative amount that slipped past the size check.
    let s = crate::treatments::setup(&app).await;
    let t = crate::treatments::recorded(&app, &s, s.c.patients[0],
        serde_json::json!([{"service_id": s.filling, "scope": "single_tooth", "teeth": ["16"]}])).await;
    let t = crate::treatments::tid(&t);
    let payments = format!("/api/v1/treatments/{t}/payments");
    for amount in [i64::MIN, i64::MIN + 1, i64::MAX, -1_000_000_000_001, 1_000_000_000_001] {
        let response = app
            .with_token(reqwest::Method::POST, &payments, &s.c.manager)
            .json(&serde_json::json!({"amount": amount, "method": "cash"}))
            .send()
            .await
            .unwrap();
        let body = assert_problem(response, 422).await;
        assert_eq!(body["errors"][0]["field"], "amount", "{amount}: {body}");
    }
    let (status, list) = crate::appointments::get(&app, &payments, &s.c.manager).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 0, "{list}");
    let (_, invoice) = crate::appointments::get(&app, &format!("/api/v1/treatments/{t}/invoice"), &s.c.manager).await;
    assert_eq!((invoice["paid"].as_i64(), invoice["balance"].as_i64()), (Some(0), Some(30_000)));
});

backend_test!(spawn_app -> TestApp, async fn a_json_body_that_is_not_an_object_is_422_and_changes_nothing(app) {
    // serde reads a JSON array as a struct's fields in order: `[null, null]` on a PATCH was
    // 200 and cleared the fields it named.
    app.create_user("boss", dcms_domain::Role::Admin).await;
    let token = app.token("boss").await;
    let (status, call) = crate::appointments::post(&app, "/api/v1/calls", &token, serde_json::json!({
        "phone_number": "99112233", "direction": "in",
        "begin_call": "2030-01-06T09:00:00+08:00", "end_call": "2030-01-06T09:05:00+08:00",
        "note": "асуусан",
    })).await;
    assert_eq!(status, 201, "{call}");
    let path = format!("/api/v1/calls/{}", call["call_id"]);
    for body in ["[null, null]", "[]", r#""note""#, "42", "null", "true"] {
        let response = app
            .with_token(reqwest::Method::PATCH, &path, &token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let problem = assert_problem(response, 422).await;
        assert_eq!(problem["errors"][0]["field"], "body", "{body}");
    }
    let response = app
        .with_token(reqwest::Method::PATCH, &path, &token)
        .header("content-type", "application/json")
        .body("[null,")
        .send()
        .await
        .unwrap();
    assert_problem(response, 400).await;
    let (status, now) = crate::appointments::get(&app, &path, &token).await;
    assert_eq!(status, 200);
    for field in ["note", "end_call", "begin_call", "phone_number"] {
        assert_eq!(now[field], call[field], "{field} unchanged");
    }
});
