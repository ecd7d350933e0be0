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

/// A small practice: a manager (`boss`, whose API token it keeps), an admin (`owner`), a
/// dentist who signs in as `dr` (Бат Сарантуяа) and one patient (Дорж Өлзий, УБ85031512).
pub struct Practice {
    pub boss: String,
    /// The dentist's employee id.
    pub doctor: i64,
    pub patient: i64,
}

/// Sets up a [`Practice`].
pub async fn practice(app: &TestApp) -> Practice {
    use dcms_domain::Role;
    use serde_json::json;
    app.create_user("boss", Role::Manager).await;
    let dr_user = app.create_user("dr", Role::Doctor).await;
    app.create_user("owner", Role::Admin).await;
    let boss = app.token("boss").await;
    let owner = app.token("owner").await;
    let position = api(
        app,
        &boss,
        Method::POST,
        "/api/v1/positions",
        json!({"position_type": "DENTIST", "display_name": "Шүдний эмч", "category": "clinical"}),
    )
    .await;
    let doctor = api(
        app,
        &owner,
        Method::POST,
        "/api/v1/employees",
        json!({
            "first_name": "Сарантуяа", "last_name": "Бат", "gender": "female", "user_id": dr_user,
            "phones": [{"number": "99001122", "is_primary": true}, {"number": "88001122"}],
            "positions": [{"position_id": position["position_id"], "is_primary": true}],
        }),
    )
    .await["employee_id"]
        .as_i64()
        .unwrap();
    let patient = api(
        app,
        &boss,
        Method::POST,
        "/api/v1/patients",
        json!({
            "register_number": "УБ85031512", "first_name": "Өлзий", "last_name": "Дорж",
            "phones": [{"number": "99112233", "is_primary": true}, {"number": "88112233"}],
        }),
    )
    .await["patient_id"]
        .as_i64()
        .unwrap();
    Practice {
        boss,
        doctor,
        patient,
    }
}
