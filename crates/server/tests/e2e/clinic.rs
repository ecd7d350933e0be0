//! What the flows share beyond the browser: calling the API to set up a clinic.

use crate::helpers::TestApp;
use reqwest::Method;
use serde_json::Value;

/// Calls the JSON API as `token` and answers the JSON (asserting success): the flows set
/// up their clinic this way and check what the pages did.
pub async fn api(app: &TestApp, token: &str, method: Method, path: &str, body: Value) -> Value {
    let r = app
        .with_token(method, path, token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let value: Value = r.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{path}: {status} {value}");
    value
}
