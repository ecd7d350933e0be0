//! Hostile input to login and search (docs/operations.md, "Limits"): oversized usernames,
//! passwords and search queries are answered 4xx at once, and change nothing.
use crate::backend_test;
use crate::helpers::TestApp;
use dcms_domain::Role;
use serde_json::{Value, json};

backend_test!(spawn_app -> TestApp, async fn oversized_logins_and_searches_are_refused_cheaply(app) {
    app.create_user("reception", Role::Receptionist).await;
    for (username, password) in [
        ("x".repeat(100_000), "whatever-password".to_owned()),
        ("reception".to_owned(), "p".repeat(200_000)),
    ] {
        let started = std::time::Instant::now();
        let response = app
            .login_as(json!({"username": username, "password": password}))
            .await;
        assert_eq!(response.status(), 401);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
    // The real account still logs in.
    let token = app.token("reception").await;

    let long = "Б".repeat(101);
    let response = app
        .with_token(reqwest::Method::GET, &format!("/api/v1/patients?q={long}"), &token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "q", "{problem}");
    let longest = "Б".repeat(100);
    let response = app
        .with_token(reqwest::Method::GET, &format!("/api/v1/patients?q={longest}"), &token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
});
