//! The front desk in Chromium: a receptionist books from the free times of the booking form
//! in two clicks once the patient and the service are chosen; the book greys the hours a
//! doctor does not work, marks their vacation and shows columns by chair; the recall list
//! sends a recall SMS in one click; the start page shows who waits and for how long, and
//! the requests patients sent from the portal. Screenshots at 1280, 768 and 390 px.

use crate::browser::{Browser, assert_fits};
use crate::clinic::{Practice, api, practice};
use crate::helpers::*;
use crate::screens::today_at;
use dcms_domain::Role;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

/// Opening hours all day every day (free times whenever the test runs), a chair, a second
/// doctor who works mornings and is on vacation tomorrow, and a 45-minute check-up that
/// brings patients back after six months. Returns (the service, the chair, the second
/// doctor).
async fn front_desk(app: &TestApp, p: &Practice) -> (i64, i64, i64) {
    let all_day = json!([["00:00", "23:59"]]);
    api(app, &p.boss, Method::PATCH, "/api/v1/settings", json!({"opening_hours": {"mon": all_day,
        "tue": all_day, "wed": all_day, "thu": all_day, "fri": all_day, "sat": all_day, "sun": all_day}})).await;
    let chair = api(
        app,
        &p.boss,
        Method::POST,
        "/api/v1/chairs",
        json!({"name": "Кабинет 1"}),
    )
    .await;
    let service = api(app, &p.boss, Method::POST, "/api/v1/services", json!({
        "service_type": "ҮЗЛ", "display_number": 1, "doctor_display_name": "Урьдчилан сэргийлэх үзлэг",
        "patient_display_name": "Үзлэг", "price": 30000, "default_duration_time": 45, "recall_months": 6,
    })).await;
    let positions = api(app, &p.boss, Method::GET, "/api/v1/positions", Value::Null).await;
    let dentist = positions["items"][0]["position_id"].clone();
    let second = api(
        app,
        &p.boss,
        Method::POST,
        "/api/v1/employees",
        json!({
            "first_name": "Ганбаатар", "last_name": "Болд", "gender": "male",
            "phones": [{"number": "99003344", "is_primary": true}, {"number": "88003344"}],
            "positions": [{"position_id": dentist, "is_primary": true}],
        }),
    )
    .await["employee_id"]
        .as_i64()
        .unwrap();
    let mornings: Vec<Value> = (1..=7).map(|d| json!({"weekday": d, "start": "09:00", "end": "13:00", "chair_id": chair["chair_id"]})).collect();
    api(
        app,
        &p.boss,
        Method::PUT,
        &format!("/api/v1/employees/{second}/working-hours"),
        json!({"weekly": mornings}),
    )
    .await;
    let tomorrow = jiff::Timestamp::now()
        .in_tz("Asia/Ulaanbaatar")
        .unwrap()
        .date()
        .tomorrow()
        .unwrap();
    api(
        app,
        &p.boss,
        Method::POST,
        &format!("/api/v1/employees/{second}/exceptions"),
        json!({"date": tomorrow.to_string(), "kind": "vacation", "note": "Ээлжийн амралт"}),
    )
    .await;
    (
        service["service_id"].as_i64().unwrap(),
        chair["chair_id"].as_i64().unwrap(),
        second,
    )
}

/// Waits until `css` is on the page (htmx swapped it in).
async fn wait_for(b: &Browser, css: &str) {
    for _ in 0..100 {
        if b.exists(css).await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never appeared");
}

#[tokio::test]
async fn booking_from_the_free_times_takes_two_clicks_and_the_book_shows_hours_and_chairs() {
    let Some(app) = spawn_app(TestBackend::Sqlite).await else {
        return;
    };
    let Some(b) = Browser::start(&app.address).await else {
        return;
    };
    let p = practice(&app).await;
    let (service, chair, second) = front_desk(&app, &p).await;
    app.create_user("desk", Role::Receptionist).await;
    b.login("desk", PASSWORD).await;

    // The patient is chosen (from the search, as the booking tests do), then the service.
    b.goto(&format!("/appointments/new?patient_id={}", p.patient))
        .await;
    assert!(
        b.exists("#free-slots").await,
        "free times once the patient is chosen"
    );
    b.choose("#finder-service", &service.to_string()).await;
    let with_service = format!("a.slot-link[href*=\"planned_service_id={service}\"]");
    wait_for(&b, &with_service).await;
    b.screenshot("booking-free-slots-mn").await;
    // Click one: the first free time fills the form.
    b.click_and_wait(&with_service).await;
    assert!(
        b.exists(".slot-link.chosen").await,
        "the chosen time is marked"
    );
    // Click two: book.
    b.click_and_wait("#book-submit").await;
    assert!(
        b.path().await.starts_with("/appointments?date="),
        "back on the book"
    );
    let list = api(
        &app,
        &p.boss,
        Method::GET,
        &format!("/api/v1/patients/{}/appointments", p.patient),
        Value::Null,
    )
    .await;
    let booked = &list["items"][0];
    assert_eq!(booked["planned_service_id"], service, "{list}");
    assert_eq!(
        booked["chair_id"], chair,
        "the free chair came with the time: {list}"
    );
    let minutes = (ts(&booked["end_at"]).as_second() - ts(&booked["start_at"]).as_second()) / 60;
    assert_eq!(minutes, 45, "the service's duration: {list}");
    b.screenshot("book-after-free-slot-mn").await;

    // Tomorrow's book: the second doctor's afternoon greyed, their vacation in the header.
    let tomorrow = jiff::Timestamp::now()
        .in_tz("Asia/Ulaanbaatar")
        .unwrap()
        .date()
        .tomorrow()
        .unwrap();
    b.goto(&format!("/appointments?date={tomorrow}")).await;
    let header = b.text(&format!("th[data-doctor-id=\"{second}\"]")).await;
    assert!(header.contains("Амралт"), "{header}");
    assert!(
        b.count("td.free.off").await > 0,
        "hours the doctors do not work are greyed"
    );
    b.screenshot("book-hours-mn").await;
    // Columns by chair.
    let day = ts(&booked["start_at"])
        .in_tz("Asia/Ulaanbaatar")
        .unwrap()
        .date();
    b.goto(&format!("/appointments?date={day}")).await;
    b.click_and_wait("#book-by-chair").await;
    assert!(b.text("#book thead").await.contains("Кабинет 1"));
    assert_eq!(
        b.count(".appt-block").await,
        1,
        "the booking in its chair's column"
    );
    b.screenshot("book-by-chair-mn").await;

    // A manager's side: the chairs and a doctor's hours and days off.
    b.logout().await;
    b.login("boss", PASSWORD).await;
    b.goto("/chairs").await;
    b.fill("#new-chair", "Кабинет 2").await;
    b.click_and_wait("#chair-new button").await;
    assert_eq!(b.count("#chairs li").await, 2, "two chairs");
    b.screenshot("chairs-mn").await;
    b.goto(&format!("/staff/{second}/hours")).await;
    b.fill("#hours_6", "10:00-12:00").await;
    b.click_and_wait("#hours-save").await;
    let weekly = api(
        &app,
        &p.boss,
        Method::GET,
        &format!("/api/v1/employees/{second}/working-hours"),
        Value::Null,
    )
    .await;
    assert!(
        weekly["weekly"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["weekday"] == 6 && w["start"] == "10:00"),
        "{weekly}"
    );
    let in_a_week = tomorrow.checked_add(jiff::ToSpan::days(6)).unwrap();
    b.fill("#x-date", &in_a_week.to_string()).await;
    b.choose("#x-kind", "sick").await;
    b.fill("#x-note", "Ханиад").await;
    b.click_and_wait("#exception-add").await;
    assert!(b.text("#exception-list").await.contains("Өвчтэй"));
    b.screenshot("doctor-hours-mn").await;
    // A typo is shown beside its day, and nothing is saved.
    b.fill("#hours_1", "09:00 13:00").await;
    b.click_and_wait("#hours-save").await;
    assert!(
        b.exists("#weekly-form .field-error").await,
        "the day with the typo is named"
    );
    b.screenshot("doctor-hours-error-mn").await;

    for (width, suffix) in [(1280, "1280"), (768, "768"), (390, "390")] {
        b.resize(width, 900).await;
        b.goto(&format!("/staff/{second}/hours")).await;
        b.screenshot(&format!("doctor-hours-{suffix}")).await;
        b.goto(&format!(
            "/appointments/new?patient_id={}&planned_service_id={service}",
            p.patient
        ))
        .await;
        b.screenshot(&format!("booking-free-slots-{suffix}")).await;
        b.goto(&format!("/appointments?date={tomorrow}")).await;
        b.screenshot(&format!("book-hours-{suffix}")).await;
    }
    assert_fits(
        &b,
        &format!(
            "/appointments/new?patient_id={}&planned_service_id={service}",
            p.patient
        ),
    )
    .await;
    b.close().await;
}

#[tokio::test]
async fn a_recall_sms_in_one_click_the_waiting_room_and_portal_requests() {
    let Some(app) = spawn_app(TestBackend::Sqlite).await else {
        return;
    };
    let Some(b) = Browser::start(&app.address).await else {
        return;
    };
    let p = practice(&app).await;
    let (service, _, _) = front_desk(&app, &p).await;
    let dr = app.token("dr").await;
    // A check-up a year ago: the recall is overdue.
    api(&app, &dr, Method::POST, "/api/v1/treatments", json!({
        "patient_id": p.patient, "doctor_id": p.doctor, "treatment_date": "2025-11-02T10:00:00+08:00",
        "items": [{"service_id": service, "scope": "full_mouth"}],
    })).await;
    app.create_user("desk", Role::Receptionist).await;
    b.login("desk", PASSWORD).await;
    b.goto("/recalls?tab=overdue").await;
    assert!(b.text("#recalls").await.contains("Дорж Өлзий"));
    assert_eq!(b.text("#recalls .last-contact").await.trim(), "—");
    b.screenshot("recalls-mn").await;
    b.click_and_wait(".recall-sms button").await;
    assert_ne!(
        b.text("#recalls .last-contact").await.trim(),
        "—",
        "the contact is kept"
    );
    let outbox = api(
        &app,
        &p.boss,
        Method::GET,
        "/api/v1/sms-outbox",
        Value::Null,
    )
    .await;
    let items = outbox["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "one SMS for one click: {outbox}");
    assert!(
        items[0]["sms_text"].as_str().unwrap().contains("Өлзий"),
        "{outbox}"
    );
    b.screenshot("recalls-sms-sent-mn").await;

    // The waiting room: a patient who came ten minutes into their appointment.
    let booked = api(
        &app,
        &p.boss,
        Method::POST,
        "/api/v1/appointments",
        json!({"patient_id": p.patient, "doctor_id": p.doctor, "start_at": today_at(0)}),
    )
    .await;
    b.goto("/").await;
    b.click_and_wait(&format!(
        "#arrival-{} button[value=came]",
        booked["appointment_id"]
    ))
    .await;
    let waiting = b.text("#waiting").await;
    assert!(
        waiting.contains("Дорж Өлзий") && waiting.contains("мин"),
        "{waiting}"
    );

    // A request from the portal, seen on reception's start page.
    let user = app.create_user("olzii", Role::Patient).await;
    let owner = app.token("owner").await;
    api(
        &app,
        &owner,
        Method::PATCH,
        &format!("/api/v1/patients/{}", p.patient),
        json!({"user_id": user}),
    )
    .await;
    b.logout().await;
    b.login("olzii", PASSWORD).await;
    let tomorrow = jiff::Timestamp::now()
        .in_tz("Asia/Ulaanbaatar")
        .unwrap()
        .date()
        .tomorrow()
        .unwrap();
    b.fill("#request-date", &tomorrow.to_string()).await;
    b.fill("#request-reason", "Шүд өвдөж байна").await;
    b.click_and_wait("#request-submit").await;
    assert!(b.text("#request-list").await.contains("Шүд өвдөж байна"));
    b.screenshot("portal-request-mn").await;
    b.logout().await;
    b.login("desk", PASSWORD).await;
    assert!(b.text("#open-requests").await.contains("Шүд өвдөж байна"));
    b.screenshot("home-waiting-requests-mn").await;
    for (width, suffix) in [(1280, "1280"), (768, "768"), (390, "390")] {
        b.resize(width, 900).await;
        b.goto("/recalls?tab=all").await;
        b.screenshot(&format!("recalls-{suffix}")).await;
        b.goto("/").await;
        b.screenshot(&format!("home-waiting-requests-{suffix}"))
            .await;
    }
    assert_fits(&b, "/recalls?tab=all").await;
    assert_fits(&b, "/").await;
    // Booking the request: the form for the patient and the asked day, a free time, book.
    b.click_and_wait(".book-request").await;
    assert!(
        b.exists("#booking-request").await,
        "the form says it answers a request"
    );
    b.click_and_wait("a.slot-link").await;
    b.click_and_wait("#book-submit").await;
    let mine = api(
        &app,
        &app.token("olzii").await,
        Method::GET,
        "/api/v1/me/appointment-requests",
        Value::Null,
    )
    .await;
    assert_eq!(mine["items"][0]["status"], "booked", "{mine}");
    assert!(mine["items"][0]["appointment_id"].is_i64(), "{mine}");
    b.goto("/").await;
    assert!(
        !b.exists("#open-requests").await,
        "answered requests leave the start page"
    );
    b.close().await;
}
