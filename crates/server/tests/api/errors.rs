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
