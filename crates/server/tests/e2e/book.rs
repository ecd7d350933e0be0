//! The appointment book in Chromium, as a receptionist uses it: book from an empty slot with
//! the patient search, see a conflicting booking refused with the appointment in the way,
//! move an appointment by dragging it and change its end by dragging its lower edge, mark
//! that the patient came (to yesterday's visit: a coming appointment offers no such button),
//! cancel another (the browser asks first), and a doctor's week.

use crate::browser::Browser;
use crate::clinic::api;
use crate::helpers::*;
use dcms_domain::Role;
use fantoccini::Locator;
use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

/// A doctor and two patients, booked by the receptionist `desk`. Returns the doctor's id
/// and the patients' ids.
pub async fn small_clinic(app: &TestApp) -> (i64, Vec<i64>) {
    app.create_user("boss", Role::Manager).await;
    app.create_user("desk", Role::Receptionist).await;
    let boss = app.token("boss").await;
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
        &boss,
        Method::POST,
        "/api/v1/employees",
        json!({
            "first_name": "Сарантуяа", "last_name": "Бат", "gender": "female",
            "phones": [{"number": "99001122", "is_primary": true}, {"number": "88001122"}],
            "positions": [{"position_id": position["position_id"], "is_primary": true}],
        }),
    )
    .await;
    let mut patients = Vec::new();
    for (i, (rn, first)) in [("УБ85031512", "Өлзий"), ("УБ90061523", "Тэмүүлэн")]
        .iter()
        .enumerate()
    {
        let p = api(
            app,
            &boss,
            Method::POST,
            "/api/v1/patients",
            json!({
                "register_number": rn, "first_name": first, "last_name": "Дорж",
                "phones": [{"number": format!("9911223{i}"), "is_primary": true},
                           {"number": format!("8811223{i}")}],
            }),
        )
        .await;
        patients.push(p["patient_id"].as_i64().unwrap());
    }
    (doctor["employee_id"].as_i64().unwrap(), patients)
}

/// The next day in Ulaanbaatar that is not a Sunday (the clinic is closed on Sundays).
pub fn next_open_day() -> jiff::civil::Date {
    let mut day = jiff::Timestamp::now()
        .in_tz("Asia/Ulaanbaatar")
        .unwrap()
        .date()
        .tomorrow()
        .unwrap();
    if day.weekday() == jiff::civil::Weekday::Sunday {
        day = day.tomorrow().unwrap();
    }
    day
}

pub async fn wait_for(b: &Browser, css: &str) {
    b.client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} did not appear: {e}"));
}

/// Clicks an appointment's block and waits for its panel.
pub async fn open_panel(b: &Browser, appointment: i64) {
    b.click(&format!("#appointment-{appointment}")).await;
    wait_for(
        b,
        &format!("#book-side:not([hidden]) #appt-panel[data-appointment-id='{appointment}']"),
    )
    .await;
}

/// The empty slot of `doctor` at `time` on `day`.
pub fn slot(doctor: i64, day: jiff::civil::Date, time: &str) -> String {
    format!("a.book-slot[href='/appointments/new?doctor_id={doctor}&date={day}&time={time}']")
}

/// Presses the mouse on `from`, moves past the drag threshold, then to the centre of `to`,
/// and releases.
async fn drag(b: &Browser, from: &str, to: &str) {
    let source = b
        .client
        .find(Locator::Css(from))
        .await
        .expect("drag source");
    // Pointer actions do not scroll: both ends must be on the screen.
    b.client
        .execute(
            "arguments[0].scrollIntoView({block: 'center'});",
            vec![serde_json::to_value(&source).unwrap()],
        )
        .await
        .expect("scroll");
    press_and_move(b, from, to).await;
    release(b).await;
}

/// Presses the mouse on `from`, moves past the drag threshold, then to the centre of `to`,
/// and holds it there (the drag is under way until [`release`]).
pub async fn press_and_move(b: &Browser, from: &str, to: &str) {
    let source = b
        .client
        .find(Locator::Css(from))
        .await
        .expect("drag source");
    let target = b.client.find(Locator::Css(to)).await.expect("drop target");
    let mouse = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: source,
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(100)),
            x: 0.0,
            y: 12.0,
        })
        .then(PointerAction::MoveToElement {
            element: target,
            duration: Some(Duration::from_millis(300)),
            x: 0.0,
            y: 0.0,
        });
    b.client
        .perform_actions(mouse)
        .await
        .expect("press and move");
}

/// Releases the mouse: the drop.
pub async fn release(b: &Browser) {
    let mouse = MouseActions::new("mouse".into()).then(PointerAction::Up {
        button: MOUSE_BUTTON_LEFT,
    });
    b.client.perform_actions(mouse).await.expect("release");
}

/// The appointment's start and end as the API gives them.
pub async fn times(app: &TestApp, token: &str, appointment: i64) -> (String, String) {
    let a = api(
        app,
        token,
        Method::GET,
        &format!("/api/v1/appointments/{appointment}"),
        Value::Null,
    )
    .await;
    (
        a["start_at"].as_str().unwrap().to_owned(),
        a["end_at"].as_str().unwrap().to_owned(),
    )
}

/// `HH:MM` on `day` in Ulaanbaatar, as the API writes it (UTC).
pub fn utc(day: jiff::civil::Date, hhmm: &str) -> String {
    let time: jiff::civil::Time = format!("{hhmm}:00").parse().unwrap();
    day.to_datetime(time)
        .in_tz("Asia/Ulaanbaatar")
        .unwrap()
        .timestamp()
        .to_string()
}

#[tokio::test]
async fn book_move_mark_came_and_cancel() {
    let Some(app) = spawn_app(TestBackend::Sqlite).await else {
        return;
    };
    let Some(b) = Browser::start(&app.address).await else {
        return;
    };
    let (doctor, patients) = small_clinic(&app).await;
    let desk = app.token("desk").await;
    let day = next_open_day();
    b.login("desk", PASSWORD).await;
    b.click_and_wait("nav.mainnav a[href='/appointments']")
        .await;
    assert!(b.text("h1").await.starts_with("Цаг захиалга"));
    b.goto(&format!("/appointments?date={day}")).await;
    assert!(b.text("#book thead").await.contains("Бат Сарантуяа"));
    b.screenshot("book-empty-mn").await;

    // Book from the empty 10:00 slot: the patient is found as their name is typed.
    b.click_and_wait(&slot(doctor, day, "10:00")).await;
    assert!(b.path().await.starts_with("/appointments/new?"));
    b.fill("#q", "Өлзий").await;
    wait_for(&b, &format!("#patient-{}", patients[0])).await;
    b.screenshot("book-new-mn").await;
    b.click(&format!("#patient-{}", patients[0])).await;
    b.click_and_wait("#book-submit").await;
    assert_eq!(b.text("#flash").await, "Цаг захиалагдлаа.");
    let block = "#book td.appt .appt-block.status-reserved";
    wait_for(&b, block).await;
    let first: i64 = b
        .client
        .find(Locator::Css(block))
        .await
        .unwrap()
        .attr("data-appointment-id")
        .await
        .unwrap()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        b.exists(&format!("tr[data-time='10:00'] #appointment-{first}"))
            .await
    );
    b.screenshot("book-booked-mn").await;

    // The other patient at 10:15 with the same doctor: refused, the 10:00 one named.
    b.goto(&format!(
        "/appointments/new?doctor_id={doctor}&date={day}&time=10:15&patient_id={}",
        patients[1]
    ))
    .await;
    b.click_and_wait("#book-submit").await;
    assert!(
        b.text("#booking-conflict").await.contains("10:00–10:30"),
        "the appointment in the way is shown"
    );
    b.screenshot("book-conflict-mn").await;

    // Drag the appointment to 11:00: it moves, keeping its half hour.
    b.goto(&format!("/appointments?date={day}")).await;
    drag(
        &b,
        &format!("#appointment-{first} .appt-time"),
        &slot(doctor, day, "11:00"),
    )
    .await;
    wait_for(&b, &format!("tr[data-time='11:00'] #appointment-{first}")).await;
    assert_eq!(
        times(&app, &desk, first).await,
        (utc(day, "11:00"), utc(day, "11:30"))
    );
    // Drag its lower edge down to the 11:45 row: it now ends at 12:00.
    drag(
        &b,
        &format!("#appointment-{first} .resize-handle"),
        &slot(doctor, day, "11:45"),
    )
    .await;
    wait_for(&b, "tr[data-time='11:00'] td.appt[rowspan='4']").await;
    assert_eq!(
        times(&app, &desk, first).await,
        (utc(day, "11:00"), utc(day, "12:00"))
    );
    b.screenshot("book-moved-mn").await;

    // Dropped onto another booking: refused, said above the grid, nothing moves.
    let second = api(
        &app,
        &desk,
        Method::POST,
        "/api/v1/appointments",
        json!({"patient_id": patients[1], "doctor_id": doctor,
               "start_at": format!("{day}T14:00:00+08:00")}),
    )
    .await["appointment_id"]
        .as_i64()
        .unwrap();
    b.goto(&format!("/appointments?date={day}")).await;
    drag(
        &b,
        &format!("#appointment-{second} .appt-time"),
        &slot(doctor, day, "12:00"),
    )
    .await;
    // 12:00 is free for the doctor, so this one moves; now onto the first one (11:00-12:00).
    wait_for(&b, &format!("tr[data-time='12:00'] #appointment-{second}")).await;
    drag(
        &b,
        &format!("#appointment-{second} .appt-time"),
        &format!("#appointment-{first}"),
    )
    .await;
    assert_eq!(
        times(&app, &desk, second).await.0,
        utc(day, "12:00"),
        "the overlapping drop is refused"
    );
    wait_for(&b, "#book-problem:not([hidden])").await;
    assert!(
        b.text("#book-problem").await.contains("давхцаж"),
        "{}",
        b.text("#book-problem").await
    );
    b.screenshot("book-drop-refused-mn").await;

    // Came is for an appointment that has started: the coming one's panel offers no such
    // button (book_layout.rs marks a begun one came).
    b.goto(&format!("/appointments?date={day}")).await;
    open_panel(&b, first).await;
    assert!(
        !b.exists("#appt-panel button[name=status][value=came]")
            .await
    );
    assert!(
        b.exists("#appt-panel button[name=status][value=confirmed]")
            .await
    );
    b.click("#appt-panel [data-close-panel]").await;

    // Cancel the other from its panel: the browser asks first; dismissed, nothing happens.
    open_panel(&b, second).await;
    b.click("#appt-panel button[name=status][value=canceled]")
        .await;
    b.client.dismiss_alert().await.expect("a confirmation");
    assert!(
        b.exists(&format!("td.appt #appointment-{second}.status-reserved"))
            .await
    );
    b.click("#appt-panel button[name=status][value=canceled]")
        .await;
    b.client.accept_alert().await.expect("a confirmation");
    wait_for(&b, &format!("#book-others #appointment-{second}")).await;
    let a = api(
        &app,
        &desk,
        Method::GET,
        &format!("/api/v1/appointments/{second}"),
        Value::Null,
    )
    .await;
    assert_eq!(a["status"], "canceled");
    // Its time is free again.
    assert!(b.exists(&slot(doctor, day, "12:00")).await);
    b.screenshot("book-canceled-mn").await;

    // The doctor's week, from the column's heading.
    b.click_and_wait(&format!("#book thead th[data-doctor-id='{doctor}'] a"))
        .await;
    assert!(b.path().await.starts_with("/appointments/week?"));
    assert_eq!(b.count("#book thead th[data-date]").await, 7);
    assert!(b.exists(&format!("#appointment-{first}")).await);
    b.screenshot("book-week-mn").await;

    // The patient's page lists the appointment.
    b.goto(&format!("/patients/{}", patients[0])).await;
    assert!(b.text("#coming-appointments").await.contains("11:00–12:00"));
    b.close().await;
}
