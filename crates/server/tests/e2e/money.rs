//! The cashier's end of the day in Chromium: the day's payments listed, the counted amounts
//! typed beside the expected ones, the difference once closed, a payment refused into the
//! closed day, a manager reopening it; who owes, a reminder SMS and the statement.
//! Screenshots at 1280, 768 and 390 px.

use crate::browser::{Browser, assert_fits};
use crate::clinic::{api, practice};
use crate::helpers::*;
use dcms_domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn the_cashier_closes_the_day_and_a_manager_reopens_it() {
    let Some(app) = spawn_app(TestBackend::Sqlite).await else {
        return;
    };
    let Some(b) = Browser::start(&app.address).await else {
        return;
    };
    let p = practice(&app).await;
    let service = api(
        &app,
        &p.boss,
        Method::POST,
        "/api/v1/services",
        json!({
            "service_type": "ЛОМ", "display_number": 1, "doctor_display_name": "Ломбо",
            "patient_display_name": "Ломбо", "price": 80000,
        }),
    )
    .await;
    let dr = app.token("dr").await;
    let t = api(&app, &dr, Method::POST, "/api/v1/treatments", json!({
        "patient_id": p.patient, "doctor_id": p.doctor,
        "items": [{"service_id": service["service_id"], "scope": "single_tooth", "teeth": ["36"]}],
    })).await;
    let pay = format!("/api/v1/treatments/{}/payments", t["treatment_id"]);
    api(
        &app,
        &p.boss,
        Method::POST,
        &pay,
        json!({"amount": 50_000, "method": "cash"}),
    )
    .await;
    api(
        &app,
        &p.boss,
        Method::POST,
        &pay,
        json!({"amount": 20_000, "method": "card"}),
    )
    .await;
    app.create_user("desk", Role::Receptionist).await;
    b.login("desk", PASSWORD).await;
    b.goto("/day-close").await;
    assert!(b.text("#day-payments").await.contains("Дорж Өлзий"));
    assert!(b.text("#expected-total").await.contains("70 000"));
    b.fill("#counted-cash", "49 000").await;
    b.fill("#counted-card", "20000").await;
    b.fill("#note", "1 000 дутсан").await;
    b.screenshot("day-close-open-mn").await;
    b.click_and_wait("#day-close-submit").await;
    assert!(
        b.text("#difference-total").await.contains("1 000"),
        "the difference"
    );
    assert!(b.text("#day-state").await.contains("Хаагдсан"));
    b.screenshot("day-close-closed-mn").await;
    let token = app.token("desk").await;
    let refused = app
        .post_json(&pay, &token, json!({"amount": 1_000, "method": "cash"}))
        .await;
    assert_eq!(refused.0, 409, "{}", refused.1);
    assert!(
        !b.exists("#day-reopen").await,
        "a receptionist does not reopen"
    );
    for (width, suffix) in [(1280, "1280"), (768, "768"), (390, "390")] {
        b.resize(width, 900).await;
        b.goto("/day-close").await;
        b.screenshot(&format!("day-close-{suffix}")).await;
    }
    assert_fits(&b, "/day-close").await;
    // Who owes: 10 000 of the filling; a reminder in one click; the statement to print.
    b.goto("/balances").await;
    assert!(b.text("#balances").await.contains("10 000"));
    b.click_and_wait(".balance-remind button").await;
    let outbox = api(
        &app,
        &p.boss,
        Method::GET,
        "/api/v1/sms-outbox",
        Value::Null,
    )
    .await;
    assert_eq!(outbox["items"].as_array().unwrap().len(), 1, "{outbox}");
    b.screenshot("balances-mn").await;
    b.goto(&format!("/patients/{}/statement", p.patient)).await;
    assert!(b.text("#statement-balance").await.contains("10 000"));
    b.screenshot("statement-mn").await;
    for (width, suffix) in [(1280, "1280"), (390, "390")] {
        b.resize(width, 900).await;
        b.goto("/balances").await;
        b.screenshot(&format!("balances-{suffix}")).await;
    }
    assert_fits(&b, "/balances").await;
    b.logout().await;
    b.login("boss", PASSWORD).await;
    b.goto("/day-close").await;
    b.click_and_wait("#day-reopen").await;
    assert!(b.text("#day-state").await.contains("Нээлттэй"));
    let day = api(&app, &p.boss, Method::GET, "/api/v1/day-close", Value::Null).await;
    assert_eq!(day["closed"], false, "{day}");
    b.close().await;
}
