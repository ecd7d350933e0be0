//! The phone rings: the receptionist types the caller's number, sees who it is, logs the
//! call, and finds it on the patient's page.

use crate::browser::Browser;
use crate::clinic::api;
use crate::helpers::*;
use dcms_domain::Role;
use fantoccini::Locator;
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn log_a_call_from_a_patients_number() {
    let Some(app) = spawn_app(TestBackend::Sqlite).await else {
        return;
    };
    let Some(b) = Browser::start(&app.address).await else {
        return;
    };
    app.create_user("desk", Role::Receptionist).await;
    let desk = app.token("desk").await;
    let patient = api(
        &app,
        &desk,
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

    b.login("desk", PASSWORD).await;
    b.click_and_wait("nav.mainnav a[href='/calls']").await;
    // The number as people say it; the name appears while it is typed.
    b.fill("#phone_number", "9911 2233").await;
    b.client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#caller-name"))
        .await
        .expect("the caller's name");
    assert!(b.text("#caller-name").await.contains("Дорж Өлзий"));
    b.fill("#note", "Маргаашийн цагаа асуув").await;
    b.screenshot("call-typed-mn").await;
    b.click_and_wait("#call-submit").await;
    assert_eq!(b.text("#flash").await, "Дуудлага бүртгэгдлээ.");
    assert!(b.text(".call-log").await.contains("Дорж Өлзий"));

    // The patient's page lists it.
    b.goto(&format!("/patients/{patient}")).await;
    let section = b.text("#patient-calls").await;
    assert!(section.contains("Маргаашийн цагаа асуув"), "{section}");
    assert!(section.contains("9911 2233"), "{section}");
    b.screenshot("patient-calls-mn").await;
    b.close().await;
}
