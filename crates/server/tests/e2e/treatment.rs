//! A visit in Chromium, from the chair to the desk: the doctor records a treatment on two
//! teeth clicked on the odontogram, the receptionist prints the invoice, takes a partial and
//! then the full payment, and finishes the appointment; the chart names the teeth in
//! Mongolian, and the patient's portal greets them by their first name.

use crate::browser::Browser;
use crate::clinic::api;
use crate::helpers::*;
use dcms_domain::Role;

use reqwest::Method;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn record_a_treatment_print_the_invoice_take_payments_and_finish() {
    let Some(app) = spawn_app(TestBackend::Sqlite).await else {
        return;
    };
    let Some(b) = Browser::start(&app.address).await else {
        return;
    };
    app.create_user("boss", Role::Manager).await;
    app.create_user("desk", Role::Receptionist).await;
    let dr_user = app.create_user("dr", Role::Doctor).await;
    app.create_user("owner", Role::Admin).await;
    let boss = app.token("boss").await;
    // Linking the doctor's account to their employee record is an admin's.
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
            "disclaimer": "2 цаг хоол идэхгүй байна уу.",
        }),
    )
    .await["service_id"]
        .as_i64()
        .unwrap();
    let start = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(20);
    let appointment = api(
        &app,
        &boss,
        Method::POST,
        "/api/v1/appointments",
        json!({
            "patient_id": patient, "doctor_id": doctor, "start_at": start.to_string(),
        }),
    )
    .await["appointment_id"]
        .as_i64()
        .unwrap();

    // The doctor records the visit: two teeth clicked on the chart.
    b.login("dr", PASSWORD).await;
    b.goto(&format!(
        "/patients/{patient}/treatments/new?appointment_id={appointment}"
    ))
    .await;
    assert!(b.text("h1").await.contains("Дорж Өлзий"));
    b.choose("#service_id", &service.to_string()).await;
    b.choose("#scope", "multi_tooth").await;
    b.click("svg g.tooth[data-ui-key='P-UR-6']").await;
    b.click("svg g.tooth[data-ui-key='P-UR-7']").await;
    assert_eq!(b.count("svg g.tooth[aria-checked='true']").await, 2);
    b.screenshot("treatment-new-mn").await;
    b.click_and_wait("#treatment-submit").await;
    assert_eq!(b.text("#flash").await, "Эмчилгээ бүртгэгдлээ.");
    // The chart posts its boxes in its own order: upper right from the back, 17 then 16.
    assert!(
        b.text("#treatment-items").await.contains("17, 16"),
        "{}",
        b.text("#treatment-items").await
    );
    assert_eq!(b.text("#treatment-total").await, "90 000 ₮");
    let treatment_path = b.path().await;
    b.screenshot("treatment-mn").await;
    b.logout().await;

    // The receptionist prints the invoice.
    b.login("desk", PASSWORD).await;
    b.goto(&format!("{treatment_path}/invoice")).await;
    assert!(b.text("#invoice-lines").await.contains("Шүд ломбодох"));
    assert!(
        b.text("#invoice-lines")
            .await
            .contains("2 цаг хоол идэхгүй")
    );
    assert_eq!(b.text("#invoice-balance").await, "90 000 ₮");
    // The print button prints (the dialog is replaced: headless Chromium has none).
    b.client
        .execute(
            "window.print = function () { window.printed = true; };",
            vec![],
        )
        .await
        .unwrap();
    b.click("#print-invoice").await;
    let printed = b
        .client
        .execute("return window.printed === true;", vec![])
        .await
        .unwrap();
    assert_eq!(printed, json!(true));
    b.screenshot("invoice-mn").await;

    // A partial payment, then the rest.
    b.goto(&treatment_path).await;
    b.fill("#amount", "40000").await;
    b.choose("#method", "qpay").await;
    b.click_and_wait("#payment-submit").await;
    assert_eq!(b.text("#flash").await, "Төлбөр бүртгэгдлээ.");
    assert_eq!(b.text("#treatment-balance").await, "50 000 ₮");
    b.click_and_wait("#payment-submit").await;
    assert_eq!(b.text("#treatment-balance").await, "0 ₮");
    assert_eq!(b.count("#payment-list tbody tr").await, 2);
    b.screenshot("treatment-paid-mn").await;

    // The visit is over: finish the appointment.
    b.click_and_wait("#treatment-appointment").await;
    assert!(b.text("#appointment-status").await.contains("Ирсэн"));
    b.click_and_wait("#status-form button[value=finished]")
        .await;
    assert_eq!(b.text("#flash").await, "Төлөв өөрчлөгдлөө.");
    assert!(b.text("#appointment-status").await.contains("Дууссан"));

    // The patient's chart: the two teeth filled; a click on one shows what was done to it.
    b.goto(&format!("/patients/{patient}/chart")).await;
    for key in ["P-UR-6", "P-UR-7"] {
        assert!(
            b.exists(&format!("svg .tooth[data-ui-key='{key}'] .glyph.w-done"))
                .await,
            "{key} done"
        );
    }
    assert!(
        !b.exists("svg .tooth[data-ui-key='P-UR-5'] .glyph.w-done")
            .await
    );
    b.click("svg .tooth[data-ui-key='P-UR-6']").await;
    let mut fragment = None;
    for _ in 0..50 {
        fragment = b
            .client
            .current_url()
            .await
            .unwrap()
            .fragment()
            .map(str::to_owned);
        if fragment.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(fragment.as_deref(), Some("chart-tooth-P-UR-6"));
    assert!(
        b.text("#chart-tooth-P-UR-6")
            .await
            .contains("Композит ломбо")
    );
    assert!(
        b.text("#chart-tooth-P-UR-6")
            .await
            .contains("дээд баруун нэгдүгээр том араа"),
        "the tooth's Mongolian name"
    );
    b.screenshot("chart-mn").await;

    // The patient's portal: greeted by their first name, spoken to as a patient.
    let portal_user = app.create_user("ulzii", Role::Patient).await;
    api(
        &app,
        &owner,
        Method::PATCH,
        &format!("/api/v1/patients/{patient}"),
        json!({"user_id": portal_user}),
    )
    .await;
    b.logout().await;
    b.login("ulzii", PASSWORD).await;
    assert_eq!(b.text("#home-greeting").await, "Сайн байна уу, Өлзий");
    assert!(!b.text("main").await.contains("Таны үүрэг"));
    b.screenshot("portal-mn").await;
    b.close().await;
}
