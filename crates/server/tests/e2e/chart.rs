//! The dentist's chart in Chromium: the doctor charts a caries on two surfaces of 36 by
//! clicking them, plans a filling for it in one action, the plan is accepted and the filling
//! recorded from it, and the tooth turns from red to filled. Screenshots at 1280, 768 and
//! 390 px.

use crate::browser::Browser;
use crate::clinic::api;
use crate::helpers::*;
use dcms_domain::Role;
use reqwest::Method;
use serde_json::json;

const TOOTH: &str = "a.tooth[data-ui-key='P-LL-6']";

#[tokio::test]
async fn chart_a_caries_plan_a_filling_record_it_and_see_the_tooth_filled() {
    let Some(app) = spawn_app(TestBackend::Sqlite).await else {
        return;
    };
    let Some(b) = Browser::start(&app.address).await else {
        return;
    };
    app.create_user("boss", Role::Manager).await;
    let dr_user = app.create_user("dr", Role::Doctor).await;
    app.create_user("owner", Role::Admin).await;
    let boss = app.token("boss").await;
    let owner = app.token("owner").await;
    let position = api(
        &app,
        &boss,
        Method::POST,
        "/api/v1/positions",
        json!({"position_type": "DENTIST", "display_name": "Шүдний эмч", "category": "clinical"}),
    )
    .await;
    let doctor = api(
        &app,
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
        &app,
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
    let service = api(
        &app,
        &boss,
        Method::POST,
        "/api/v1/services",
        json!({
            "service_type": "GEN", "display_number": 1, "doctor_display_name": "Композит ломбо",
            "patient_display_name": "Шүд ломбодох", "price": 45000, "default_duration_time": 30,
        }),
    )
    .await["service_id"]
        .as_i64()
        .unwrap();

    b.login("dr", PASSWORD).await;
    let chart = format!("/patients/{patient}/chart");
    b.goto(&chart).await;
    b.choose("#chart-what", "finding:caries").await;
    b.click(&format!("{TOOTH} polygon[data-surface='mesial']"))
        .await;
    b.click(&format!("{TOOTH} polygon[data-surface='occlusal']"))
        .await;
    assert_eq!(b.text("#chart-chosen").await, "36 MO");
    b.screenshot("chart-charting-mn").await;
    b.click_and_wait("#chart-form button[type=submit]").await;
    assert_eq!(
        b.count(&format!("{TOOTH} polygon.s-path")).await,
        2,
        "two red surfaces"
    );
    assert!(b.text("#chart-findings").await.contains("Цоорол"));

    // "Plan a filling for this caries": one action on the finding.
    b.choose("#chart-findings select", &format!("service:{service}"))
        .await;
    b.click_and_wait("#chart-findings form[action$='/plan'] button")
        .await;
    assert_eq!(
        b.count(&format!("{TOOTH} polygon.s-planned")).await,
        2,
        "planned, outlined"
    );
    assert!(
        b.text("#chart-plans").await.contains("0 хийгдсэн"),
        "{}",
        b.text("#chart-plans").await
    );
    b.screenshot("chart-planned-mn").await;

    // The plan is presented and accepted, and the filling recorded from it (API: the plan
    // page is not built yet).
    let dr = app.token("dr").await;
    let plans = api(
        &app,
        &dr,
        Method::GET,
        &format!("/api/v1/patients/{patient}/treatment-plans"),
        json!(null),
    )
    .await;
    let plan_id = plans[0]["plan_id"].as_i64().unwrap();
    let plan_item = plans[0]["items"][0]["plan_item_id"].as_i64().unwrap();
    assert_eq!(
        plans[0]["items"][0]["surfaces"],
        json!(["mesial", "occlusal"])
    );
    for status in ["presented", "accepted"] {
        api(
            &app,
            &dr,
            Method::POST,
            &format!("/api/v1/treatment-plans/{plan_id}/status"),
            json!({"status": status}),
        )
        .await;
    }
    let t = api(
        &app,
        &dr,
        Method::POST,
        "/api/v1/treatments",
        json!({
            "patient_id": patient, "doctor_id": doctor, "items": [{"plan_item_id": plan_item}],
        }),
    )
    .await;
    assert_eq!(t["items"][0]["price"], 45000, "{t}");

    b.goto(&chart).await;
    assert_eq!(
        b.count(&format!("{TOOTH} polygon.s-done")).await,
        2,
        "filled"
    );
    assert_eq!(
        b.count(&format!("{TOOTH} polygon.s-path")).await,
        0,
        "no longer red"
    );
    assert_eq!(b.count(&format!("{TOOTH} polygon.s-planned")).await, 0);
    for (width, name) in [
        (1280, "chart-done-1280"),
        (768, "chart-done-768"),
        (390, "chart-done-390"),
    ] {
        b.resize(width, 900).await;
        b.goto(&chart).await;
        b.screenshot(name).await;
    }
    b.close().await;
}
