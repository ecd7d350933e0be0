//! Medical alerts and files in Chromium: a patient with a severe lidocaine allergy who takes
//! anticoagulants shows the alert on the book's block, on the patient's header and on the
//! treatment form (which asks for the acknowledgement); the doctor uploads an X-ray of 36 on
//! the files page and sees its thumbnail on the chart's tooth, opens it in the viewer; the
//! medical history page and the tablet questionnaire. Screenshots at 1280, 768 and 390 px.

use crate::browser::{Browser, assert_fits};
use crate::clinic::{Practice, api, practice};
use crate::helpers::*;
use crate::screens::today_at;
use dcms_domain::Role;
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn alerts_on_the_book_the_patient_and_the_treatment_form_and_an_xray_on_the_chart() {
    let Some(app) = spawn_app(TestBackend::Sqlite).await else {
        return;
    };
    let Some(b) = Browser::start(&app.address).await else {
        return;
    };
    let Practice {
        boss,
        doctor,
        patient,
    } = practice(&app).await;
    app.create_user("desk", Role::Receptionist).await;
    let dr = app.token("dr").await;
    let history = api(
        &app,
        &dr,
        Method::PUT,
        &format!("/api/v1/patients/{patient}/medical-history"),
        json!({
            "version": 0,
            "allergies": [{"substance": "лидокаин", "reaction": "анафилакс", "severity": "severe"}],
            "conditions": [{"code": "anticoagulants", "text": "варфарин"}],
        }),
    )
    .await;
    assert_eq!(history["version"], 1, "{history}");
    let all_day = json!([["00:00", "23:59"]]);
    api(&app, &boss, Method::PATCH, "/api/v1/settings", json!({"opening_hours": {"mon": all_day,
        "tue": all_day, "wed": all_day, "thu": all_day, "fri": all_day, "sat": all_day, "sun": all_day}})).await;
    let booked = api(
        &app,
        &boss,
        Method::POST,
        "/api/v1/appointments",
        json!({"patient_id": patient, "doctor_id": doctor, "start_at": today_at(0)}),
    )
    .await;
    assert!(booked["appointment_id"].is_i64(), "{booked}");

    // The front desk: the alert on the book's block and on the patient's header.
    b.login("desk", PASSWORD).await;
    b.goto("/appointments").await;
    assert_eq!(
        b.count(".appt-block .mark-alert-severe").await,
        1,
        "the block's alert"
    );
    b.screenshot("book-alert-mn").await;
    b.goto(&format!("/patients/{patient}")).await;
    let alerts = b.text("#patient-alerts").await;
    assert!(
        alerts.contains("лидокаин") && alerts.contains("Цус шингэлэх"),
        "{alerts}"
    );
    assert!(
        !b.exists("#open-medical-history").await,
        "receptionists see only the alerts"
    );
    b.screenshot("patient-alerts-mn").await;
    b.logout().await;

    // The doctor: the treatment form asks to acknowledge the allergy.
    b.login("dr", PASSWORD).await;
    b.goto(&format!("/patients/{patient}/treatments/new")).await;
    assert!(b.text("#treatment-alerts").await.contains("лидокаин"));
    assert!(b.exists("#alert_ack").await);
    b.screenshot("treatment-alert-mn").await;

    // An X-ray of 36 uploaded on the files page appears on the chart's tooth.
    let files = format!("/patients/{patient}/files");
    b.goto(&files).await;
    b.choose("#upload-kind", "xray").await;
    b.fill("#upload-teeth", "36").await;
    let png = std::env::temp_dir().join(format!("dcms-e2e-xray-{}.png", std::process::id()));
    let img = image::RgbImage::from_fn(800, 500, |x, y| {
        image::Rgb([((x + y) % 256) as u8, 90, 140])
    });
    img.save(&png).unwrap();
    b.upload("#files-input", &png).await;
    for _ in 0..100 {
        if b.count("#files-pictures .gallery-item").await == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        b.count("#files-pictures .gallery-item").await,
        1,
        "uploaded and listed"
    );
    b.screenshot("files-mn").await;
    b.click("#files-pictures .open-viewer").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(b.visible("#viewer-image").await);
    b.screenshot("files-viewer-mn").await;
    b.click("#viewer-close").await;
    let chart = format!("/patients/{patient}/chart");
    b.goto(&chart).await;
    assert_eq!(
        b.count("#chart-images-P-LL-6 img").await,
        1,
        "the thumbnail on 36"
    );
    b.click("a.tooth[data-ui-key='P-LL-6']").await;
    assert!(
        b.exists("#chart-images-P-LL-6.current").await,
        "clicking 36 shows its pictures"
    );
    assert_eq!(
        b.count("#chart-tooth-images img").await,
        1,
        "under the chart, where the doctor looks"
    );
    b.screenshot("chart-xray-mn").await;

    // The medical history page and the tablet questionnaire.
    let medical = format!("/patients/{patient}/medical-history");
    b.goto(&medical).await;
    assert!(b.text("#medical-facts").await.contains("варфарин"));
    b.screenshot("medical-history-mn").await;
    b.goto(&format!("/patients/{patient}/questionnaire")).await;
    b.screenshot("questionnaire-mn").await;
    for (width, suffix) in [(1280, "1280"), (768, "768"), (390, "390")] {
        b.resize(width, 900).await;
        for (path, name) in [
            (&files, "files"),
            (&chart, "chart-xray"),
            (&medical, "medical-history"),
        ] {
            b.goto(path).await;
            b.screenshot(&format!("{name}-{suffix}")).await;
        }
    }
    b.resize(768, 1024).await;
    b.goto(&format!("/patients/{patient}/questionnaire")).await;
    b.screenshot("questionnaire-768").await;
    for path in [
        files.clone(),
        medical.clone(),
        format!("/patients/{patient}/questionnaire"),
    ] {
        assert_fits(&b, &path).await;
    }
    let _ = std::fs::remove_file(&png);
    b.close().await;
}
