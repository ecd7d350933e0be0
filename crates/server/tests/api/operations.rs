use crate::backend_test;
use serde_json::Value;

backend_test!(spawn_app -> TestApp, async fn healthz_answers_when_the_database_does(app) {
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    let expected = match app.db.backend {
        TestBackend::Sqlite => "sqlite",
        TestBackend::Postgres => "postgres",
        TestBackend::MySql => "mysql",
    };
    assert_eq!(body["database"], expected);
});

backend_test!(spawn_app -> TestApp, async fn the_version_and_api_revision_answer_without_a_session(app) {
    let response = app.get("/api/v1/version").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["name"], "dcms");
    assert_eq!(body["api"], "v1");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["api_revision"], dcms_server::http::api::health::API_REVISION);
});

backend_test!(spawn_app -> TestApp, async fn healthz_is_503_problem_when_the_database_is_gone(app) {
    app.store.clone().close().await.unwrap();
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 503);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], 503);
});

backend_test!(spawn_app -> TestApp, async fn openapi_document_is_3_1_with_full_paths(app) {
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    let doc: Value = response.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.contains_key("/healthz"));
    assert!(paths.contains_key("/api/openapi.json"));
    for (path, _) in paths {
        assert!(
            path == "/healthz" || path == "/metrics" || path.starts_with("/api/"),
            "unexpected path {path}"
        );
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
});
