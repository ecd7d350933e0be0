//! What patients owe through HTTP: the balances list (only those who owe, oldest unpaid
//! treatment first, a minimum), the last call with them, and a reminder SMS queued.
use crate::backend_test;
use crate::helpers::TestApp;
use crate::treatments::{setup, tid};
use serde_json::{Value, json};

backend_test!(spawn_app -> TestApp, async fn who_owes_oldest_first_and_a_reminder(app) {
    let s = setup(&app).await;
    let (p0, p1) = (s.c.patients[0], s.c.patients[1]);
    let record = |patient: i64, date: Option<&str>, items: Value| {
        let mut body = json!({"patient_id": patient, "doctor_id": s.c.doctors[0], "items": items});
        if let Some(d) = date {
            body["treatment_date"] = json!(d);
        }
        let (app, token) = (&app, s.doctor.clone());
        async move {
            let (status, t) = app.post_json("/api/v1/treatments", &token, body).await;
            assert_eq!(status, 201, "{t}");
            t
        }
    };
    let pay = |t: &Value, amount: i64| {
        let (app, path, token) = (&app, format!("/api/v1/treatments/{}/payments", tid(t)), s.c.desk.clone());
        async move {
            let (status, p) = app.post_json(&path, &token, json!({"amount": amount, "method": "cash"})).await;
            assert_eq!(status, 201, "{p}");
        }
    };
    let filling = json!([{"service_id": s.filling, "scope": "single_tooth", "teeth": ["16"]}]);
    // p0: a filling two years ago, partly paid; an arch scaling today, paid in full.
    let old = record(p0, Some("2025-01-06T10:00:00+08:00"), filling.clone()).await;
    pay(&old, 10_000).await;
    let paid = record(p0, None, json!([{"service_id": s.scaling, "scope": "upper_arch"}])).await;
    pay(&paid, 200_000).await;
    // p1: a filling today, unpaid.
    let owed = record(p1, None, filling).await;

    let (status, list) = app.get_json("/api/v1/balances", &s.c.desk).await;
    assert_eq!(status, 200, "{list}");
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{list}");
    assert_eq!((items[0]["patient_id"].as_i64(), items[0]["balance"].as_i64()), (Some(p0), Some(20_000)));
    assert!(items[0]["oldest_unpaid_at"].as_str().unwrap().starts_with("2025-01-06"), "{list}");
    assert_eq!((items[1]["patient_id"].as_i64(), items[1]["balance"].as_i64()), (Some(p1), Some(30_000)));
    assert!(items[0]["primary_phone"].as_str().unwrap().ends_with("99000000"), "{list}");
    assert_eq!(items[0]["last_contact_at"], Value::Null);
    let (_, some) = app.get_json("/api/v1/balances?min=25000", &s.c.desk).await;
    assert_eq!(some["items"].as_array().unwrap().len(), 1, "{some}");
    assert_eq!(some["items"][0]["patient_id"], p1);

    // A call from p0's number is the last contact.
    let (status, call) = app.post_json("/api/v1/calls", &s.c.desk, json!({
        "phone_number": "99000000", "direction": "in", "begin_call": "2026-01-05T10:00:00+08:00",
    })).await;
    assert_eq!(status, 201, "{call}");
    let (_, list) = app.get_json("/api/v1/balances", &s.c.desk).await;
    assert!(list["items"][0]["last_contact_at"].as_str().is_some_and(|t| t.starts_with("2026-01-05")), "{call} {list}");

    // A reminder: one SMS in the outbox with the amount; none for who owes nothing.
    let (status, queued) = app.post_json(&format!("/api/v1/balances/{p0}/reminders"), &s.c.desk, json!({})).await;
    assert_eq!(status, 201, "{queued}");
    let (_, outbox) = app.get_json("/api/v1/sms-outbox", &s.c.desk).await;
    let text = outbox["items"].as_array().unwrap().iter()
        .find(|o| o["sms_outbox_id"] == queued["sms_outbox_id"]).unwrap()["sms_text"].as_str().unwrap().to_owned();
    assert!(text.contains("20 000"), "{text}");
    pay(&owed, 30_000).await;
    assert_eq!(app.post_json(&format!("/api/v1/balances/{p1}/reminders"), &s.c.desk, json!({})).await.0, 409);
    let (_, list) = app.get_json("/api/v1/balances", &s.c.desk).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "paid in full, off the list: {list}");
    assert_eq!(app.post_json("/api/v1/balances/999999/reminders", &s.c.desk, json!({})).await.0, 404);
    // A doctor reads balances but sends no SMS.
    assert_eq!(app.post_json(&format!("/api/v1/balances/{p0}/reminders"), &s.doctor, json!({})).await.0, 403);
});
