//! The treatment pages through HTTP, as a browser speaks to them: recording a visit with
//! teeth clicked on the odontogram (posted as `ui_key`s), refusals shown beside the chart
//! with the teeth kept, adding and removing services, payments through the form (partial,
//! too much, not a number, the full balance), a paid treatment closed to doctors, the
//! printable invoice, and who may do what.
use crate::appointments::{booked, get, id};
use crate::backend_test;
use crate::helpers::TestApp;
use crate::page_session::{Session, signed_in};
use crate::treatments::{recorded, setup, tid};
use serde_json::json;

async fn doctor_session(app: &TestApp) -> Session {
    signed_in(app, "dr", "en").await
}

backend_test!(spawn_app -> TestApp, async fn recording_a_treatment_on_the_odontogram(app) {
    let s = setup(&app).await;
    let p = s.c.patients[0];
    let dr = doctor_session(&app).await;
    // A visit of 2020, booked afterwards by the manager (the front desk books the future).
    let visit = booked(&app, &s.c.manager, json!({"patient_id": p, "doctor_id": s.c.doctors[0], "start_at": "2020-03-02T10:00:00+08:00"})).await;
    let form = dr
        .get(&app, &format!("/patients/{p}/treatments/new?appointment_id={}", id(&visit)))
        .await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert_eq!(form.body.matches("name=\"teeth\" value=\"P-").count(), 32, "an adult's 32 teeth");
    assert!(form.has(&format!("name=\"appointment_id\" value=\"{}\"", id(&visit))));
    let (filling, doctor, appointment) =
        (s.filling.to_string(), s.c.doctors[0].to_string(), id(&visit).to_string());
    // One tooth asked, two clicked: 422, the chart keeps them, nothing written.
    let refused = dr
        .post(&app, &format!("/patients/{p}/treatments"), &[
            ("doctor_id", doctor.as_str()), ("appointment_id", &appointment),
            ("treatment_date", "2020-03-02T10:20"), ("service_id", &filling),
            ("scope", "single_tooth"), ("teeth", "P-UR-6"), ("teeth", "P-UR-7"),
        ])
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.has("Choose exactly one tooth."), "{}", refused.body);
    assert_eq!(refused.body.matches("aria-checked=\"true\"").count(), 2, "the teeth are kept");
    let (_, list) = get(&app, &format!("/api/v1/patients/{p}/treatments"), &s.c.desk).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    // Two teeth, multi tooth: recorded, and the appointment's patient came.
    let done = dr
        .post(&app, &format!("/patients/{p}/treatments"), &[
            ("doctor_id", doctor.as_str()), ("appointment_id", &appointment),
            ("treatment_date", "2020-03-02T10:20"), ("service_id", &filling),
            ("scope", "multi_tooth"), ("teeth", "P-UR-6"), ("teeth", "P-UR-7"),
            ("item_note", "composite"), ("note", "Өвдөлт намдсан"),
        ])
        .await;
    let location = done.location().to_owned();
    assert!(location.starts_with("/treatments/"), "{location}");
    let (_, list) = get(&app, &format!("/api/v1/patients/{p}/treatments"), &s.c.desk).await;
    let t = &list["items"][0];
    assert_eq!(t["items"][0]["teeth"].as_array().unwrap().len(), 2);
    assert_eq!(t["items"][0]["charge"], 60_000);
    assert_eq!(t["items"][0]["note"], "composite");
    assert_eq!(t["treatment_date"], "2020-03-02T02:20:00Z", "local time in Ulaanbaatar");
    let (_, a) = get(&app, &format!("/api/v1/appointments/{}", id(&visit)), &s.c.desk).await;
    assert_eq!(a["status"], "came");
    // The treatment's page: its services and totals.
    let page = dr.get(&app, &location).await;
    assert_eq!(page.status, 200, "{}", page.body);
    // The teeth by their codes, each with its name (in the page's language) on hover.
    assert!(page.has("<span title=\"upper right first molar\">16</span>, <span title=\"upper right second molar\">17</span>"), "{}", page.body);
    assert!(page.has("id=\"treatment-total\">60 000 ₮"), "{}", page.body);
    // A bad date and time is named.
    let bad = dr
        .post(&app, &format!("/patients/{p}/treatments"), &[("doctor_id", doctor.as_str()), ("treatment_date", "yesterday")])
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.has("id=\"treatment_date-error\""));
    // A child's form shows primary teeth; the notation can be switched.
    let universal = dr.get(&app, &format!("/patients/{p}/treatments/new?system=universal")).await;
    assert_eq!(universal.status, 200);
    assert_eq!(dr.get(&app, &format!("/patients/{p}/treatments/new?system=roman")).await.status, 400);
});

backend_test!(spawn_app -> TestApp, async fn services_payments_and_the_invoice(app) {
    let s = setup(&app).await;
    let p = s.c.patients[0];
    let dr = doctor_session(&app).await;
    let desk = signed_in(&app, "desk", "en").await;
    let t = recorded(&app, &s, p, json!([{"service_id": s.filling, "scope": "multi_tooth", "teeth": ["16", "17"]}])).await;
    let path = format!("/treatments/{}", tid(&t));
    // Add a service (the upper arch, no teeth clicked: every upper tooth).
    let added = dr
        .post(&app, &format!("{path}/items"), &[("service_id", &s.scaling.to_string()), ("scope", "upper_arch")])
        .await;
    assert_eq!(added.location(), path);
    let page = desk.get(&app, &path).await;
    assert!(page.has("id=\"treatment-total\">260 000 ₮"), "{}", page.body);
    // The receptionist sees no item form but the payment form, the balance proposed.
    assert!(!page.has("id=\"item-form\""));
    assert!(page.has("id=\"payment-form\""));
    assert!(page.has("name=\"amount\" value=\"260000\""));
    // Too much, and not a number: 422 beside the amount, nothing taken.
    for amount in ["300000", "abc"] {
        let refused = desk.post(&app, &format!("{path}/payments"), &[("amount", amount), ("method", "cash")]).await;
        assert_eq!(refused.status, 422, "{amount}");
        assert!(refused.has("id=\"amount-error\""), "{}", refused.body);
    }
    // A partial payment, then the rest.
    let paid = desk.post(&app, &format!("{path}/payments"), &[("amount", "100 000"), ("method", "qpay"), ("payment_note", "эхний")]).await;
    assert_eq!(paid.location(), format!("{path}#payments"));
    let invoice = desk.get(&app, &format!("{path}/invoice")).await;
    assert_eq!(invoice.status, 200);
    assert!(invoice.has("id=\"invoice-paid\">100 000 ₮"), "{}", invoice.body);
    assert!(invoice.has("id=\"invoice-balance\">160 000 ₮"));
    assert!(invoice.has("Filling (patient)"), "the patient's names of the services");
    assert!(!invoice.has(">Filling<"));
    assert!(invoice.has("Хоёр цаг хоол идэхгүй"), "the disclaimer");
    assert!(invoice.has("data-print"));
    desk.post(&app, &format!("{path}/payments"), &[("amount", "160000"), ("method", "card")]).await.location();
    let (_, api) = get(&app, &format!("/api/v1{path}"), &s.c.desk).await;
    assert_eq!(api["balance"], 0);
    // Paid in full: the doctor can no longer change its services; a manager can.
    let item = api["items"][0]["treatment_item_id"].as_i64().unwrap();
    let refused = dr.post(&app, &format!("{path}/items/{item}/delete"), &[]).await;
    assert_eq!(refused.status, 403);
    assert!(refused.has("id=\"treatment-problem\""), "{}", refused.body);
    let boss = signed_in(&app, "boss", "en").await;
    assert_eq!(boss.post(&app, &format!("{path}/items/{item}/delete"), &[]).await.location(), path);
    // A refund by the manager through the same form.
    let refund = boss.post(&app, &format!("{path}/payments"), &[("amount", "-60000"), ("method", "cash")]).await;
    assert_eq!(refund.status, 303, "{}", refund.body);
    let (_, api) = get(&app, &format!("/api/v1{path}"), &s.c.desk).await;
    assert_eq!((api["total"].as_i64(), api["paid"].as_i64()), (Some(200_000), Some(200_000)));
    // Receptionists record no treatments.
    assert_eq!(desk.get(&app, &format!("/patients/{p}/treatments/new")).await.status, 403);
    assert_eq!(desk.post(&app, &format!("{path}/items"), &[("service_id", "1"), ("scope", "none")]).await.status, 403);
    assert_eq!(desk.get(&app, "/treatments/999999").await.status, 404);
});
