//! The appointment book of a clinic with eight doctors, in Chromium: every doctor visible at
//! 1280×800 without scrolling sideways, no page wider than the window at 1280, 768 and
//! 390 px, drag and drop landing where its outline was drawn while blocks above span into
//! the rows, the place kept and the change highlighted after a drop, a click opening the
//! appointment's panel (came, record treatment), the "now" line, and each user's choice of
//! doctors.

use crate::book::{next_open_day, open_panel, press_and_move, release, slot, wait_for};
use crate::browser::Browser;
use crate::clinic::api;
use crate::helpers::*;
use dcms_domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

const NAMES: [(&str, &str); 8] = [
    ("Сарантуяа", "Батболд"),
    ("Энхтуяа", "Ганбаатар"),
    ("Мөнхзул", "Должинсүрэн"),
    ("Оюунчимэг", "Пүрэвсүрэн"),
    ("Бат-Эрдэнэ", "Цэрэндорж"),
    ("Алтанцэцэг", "Нямдорж"),
    ("Түвшинбаяр", "Лхагвасүрэн"),
    ("Номин-Эрдэнэ", "Жаргалсайхан"),
];

/// Eight doctors and four patients; the manager `boss` and the receptionist `desk`.
async fn eight_doctors(app: &TestApp) -> (Vec<i64>, Vec<i64>) {
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
    let mut doctors = Vec::new();
    for (i, (first, last)) in NAMES.iter().enumerate() {
        let d = api(
            app,
            &boss,
            Method::POST,
            "/api/v1/employees",
            json!({
                "first_name": first, "last_name": last, "gender": "female",
                "phones": [{"number": format!("9900110{i}"), "is_primary": true},
                           {"number": format!("8800110{i}")}],
                "positions": [{"position_id": position["position_id"], "is_primary": true}],
            }),
        )
        .await;
        doctors.push(d["employee_id"].as_i64().unwrap());
    }
    let mut patients = Vec::new();
    for (i, (rn, first)) in [
        ("УБ85031512", "Өлзий"),
        ("УБ90061523", "Тэмүүлэн"),
        ("УБ92010234", "Ариунзаяа"),
        ("УБ88020345", "Хулан"),
    ]
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
    (doctors, patients)
}

async fn book(
    app: &TestApp,
    token: &str,
    patient: i64,
    doctor: i64,
    start: String,
    end: String,
) -> i64 {
    api(
        app,
        token,
        Method::POST,
        "/api/v1/appointments",
        json!({"patient_id": patient, "doctor_id": doctor, "start_at": start, "end_at": end}),
    )
    .await["appointment_id"]
        .as_i64()
        .unwrap()
}

fn local(day: jiff::civil::Date, hhmm: &str) -> String {
    format!("{day}T{hhmm}:00+08:00")
}

/// Runs a script in the page and answers its value.
async fn js(b: &Browser, script: &str) -> Value {
    b.client.execute(script, vec![]).await.expect("script")
}

/// The page's width against the window's, and the grid's content against its box.
async fn widths(b: &Browser) -> (i64, i64, i64, i64) {
    let v = js(
        b,
        "var w = document.getElementById('book-wrap');
         return [document.documentElement.scrollWidth, window.innerWidth,
                 w ? w.scrollWidth : 0, w ? w.clientWidth : 0];",
    )
    .await;
    let n = |i: usize| v[i].as_i64().unwrap();
    (n(0), n(1), n(2), n(3))
}

/// Presses on the block, moves onto `to` and reads the outline drawn there (doctor, date,
/// time), then releases.
async fn drag_reading_outline(b: &Browser, block: &str, to: &str) -> (String, String, String) {
    press_and_move(b, block, to).await;
    let outline = js(
        b,
        "var o = document.getElementById('drop-indicator');
         return o && !o.hidden ? [o.dataset.doctorId, o.dataset.date, o.dataset.time] : null;",
    )
    .await;
    release(b).await;
    let s = |i: usize| outline[i].as_str().unwrap_or_default().to_owned();
    assert!(!outline.is_null(), "no outline while dragging onto {to}");
    (s(0), s(1), s(2))
}

async fn appointment(app: &TestApp, token: &str, id: i64) -> Value {
    api(
        app,
        token,
        Method::GET,
        &format!("/api/v1/appointments/{id}"),
        Value::Null,
    )
    .await
}

#[tokio::test]
async fn eight_doctors_fit_and_drops_land_where_outlined() {
    let Some(app) = spawn_app(TestBackend::Sqlite).await else {
        return;
    };
    let Some(b) = Browser::start(&app.address).await else {
        return;
    };
    let (doctors, patients) = eight_doctors(&app).await;
    let desk = app.token("desk").await;
    let day = next_open_day();
    // Blocks above that span into the rows the drops aim at (10:00-11:30 is six rows).
    book(
        &app,
        &desk,
        patients[0],
        doctors[0],
        local(day, "10:00"),
        local(day, "11:30"),
    )
    .await;
    book(
        &app,
        &desk,
        patients[1],
        doctors[1],
        local(day, "10:00"),
        local(day, "11:00"),
    )
    .await;
    book(
        &app,
        &desk,
        patients[2],
        doctors[2],
        local(day, "10:15"),
        local(day, "11:15"),
    )
    .await;
    let moving = book(
        &app,
        &desk,
        patients[3],
        doctors[7],
        local(day, "12:30"),
        local(day, "13:00"),
    )
    .await;

    b.resize(1280, 800).await;
    b.login("desk", PASSWORD).await;
    b.goto(&format!("/appointments?date={day}")).await;
    assert_eq!(b.count("#book thead th[data-doctor-id]").await, 8);
    let (page, window, grid, grid_box) = widths(&b).await;
    assert!(
        page <= window,
        "the page is {page} px wide in a {window} px window"
    );
    assert!(
        grid <= grid_box,
        "the grid scrolls sideways at 1280: {grid} > {grid_box}"
    );
    let right = js(
        &b,
        "var h = document.querySelectorAll('#book thead th[data-doctor-id]');
         return h[h.length - 1].getBoundingClientRect().right;",
    )
    .await;
    assert!(
        right.as_f64().unwrap() <= 1280.0,
        "the last doctor is off screen: {right}"
    );
    b.screenshot("book-8-doctors-1280-mn").await;

    // Drops next to and below the spanning blocks: the outline names the doctor and time
    // under the pointer, and the appointment lands exactly there.
    js(
        &b,
        "document.getElementById('book-wrap').scrollTop = 40; return null;",
    )
    .await;
    let tries = [
        (3, "10:30"),
        (4, "10:45"),
        (5, "11:00"),
        (6, "10:15"),
        (3, "11:15"),
        (1, "11:15"),
    ];
    for (n, (doctor, time)) in tries.into_iter().enumerate() {
        let doctor = doctors[doctor];
        // The highlight of the last drop goes, so the next one's is that of the new page.
        js(&b, "document.querySelectorAll('.changed').forEach(function (e) { e.classList.remove('changed'); }); return null;").await;
        let outlined = drag_reading_outline(
            &b,
            &format!("#appointment-{moving} .appt-time"),
            &slot(doctor, day, time),
        )
        .await;
        assert_eq!(
            outlined,
            (doctor.to_string(), day.to_string(), time.to_owned()),
            "the outline of drop {n}"
        );
        wait_for(
            &b,
            &format!("tr[data-time='{time}'] #appointment-{moving}.changed"),
        )
        .await;
        let a = appointment(&app, &desk, moving).await;
        assert_eq!(a["doctor_id"], doctor, "drop {n}");
        assert_eq!(
            ts(&a["start_at"]),
            local(day, time).parse::<jiff::Timestamp>().unwrap(),
            "drop {n}"
        );
        assert_eq!(
            b.count(&format!("th[data-doctor-id='{doctor}']")).await,
            1,
            "drop {n}"
        );
        if n == 0 {
            // The grid kept its place (or scrolled just enough to show the change), the
            // doctors' names are on the screen, and the moved block is in view, highlighted.
            let place = js(
                &b,
                "var w = document.getElementById('book-wrap').getBoundingClientRect();
                 var h = document.querySelector('#book thead th[data-doctor-id]').getBoundingClientRect();
                 var c = document.querySelector('.appt-block.changed').getBoundingClientRect();
                 return [document.getElementById('book-wrap').scrollTop, h.top >= 0 && h.bottom <= window.innerHeight,
                         c.top >= h.bottom - 1 && c.bottom <= Math.min(w.bottom, window.innerHeight) + 1];",
            )
            .await;
            assert_eq!(place[1], true, "the doctors' names scrolled away: {place}");
            assert_eq!(place[2], true, "the moved block is out of view: {place}");
            b.screenshot("book-dropped-highlighted-mn").await;
        }
    }

    // The page is never wider than the window; the grid scrolls inside its box.
    for (width, name) in [(768, "book-768-mn"), (390, "book-390-mn")] {
        b.resize(width, 800).await;
        b.goto(&format!("/appointments?date={day}")).await;
        let (page, window, _, _) = widths(&b).await;
        assert!(
            page <= window,
            "{width}: the page is {page} px wide in a {window} px window"
        );
        b.screenshot(name).await;
    }

    // Fewer doctors, remembered: the receptionist keeps two of them.
    b.resize(1280, 800).await;
    b.goto(&format!("/appointments?date={day}")).await;
    b.click("#doctor-choice summary").await;
    for doctor in &doctors[2..] {
        b.click(&format!("#doctor-choice input[value='{doctor}']"))
            .await;
    }
    b.screenshot("book-doctor-choice-mn").await;
    b.click_and_wait("#doctor-choice-save").await;
    assert_eq!(b.count("#book thead th[data-doctor-id]").await, 2);
    b.goto("/patients").await;
    b.goto(&format!("/appointments?date={day}")).await;
    assert_eq!(
        b.count("#book thead th[data-doctor-id]").await,
        2,
        "remembered"
    );
    assert!(b.text("#doctor-choice summary").await.contains("2/8"));
    b.screenshot("book-two-doctors-mn").await;
    b.close().await;
}

#[tokio::test]
async fn a_click_opens_the_panel_came_and_record_treatment() {
    let Some(app) = spawn_app(TestBackend::Sqlite).await else {
        return;
    };
    let Some(b) = Browser::start(&app.address).await else {
        return;
    };
    let (doctors, patients) = eight_doctors(&app).await;
    let boss = app.token("boss").await;
    // An appointment that has begun (a quarter of an hour ago, or at midnight), booked by a
    // manager, who may book the past.
    let now = jiff::Timestamp::now().in_tz("Asia/Ulaanbaatar").unwrap();
    let today = now.date();
    let minute = i32::from(now.hour()) * 60 + i32::from(now.minute());
    let start = (minute / 15 * 15 - 15).max(0);
    let hhmm = |m: i32| format!("{:02}:{:02}", m / 60, m % 60);
    let begun = book(
        &app,
        &boss,
        patients[0],
        doctors[0],
        local(today, &hhmm(start)),
        local(today, &hhmm((start + 45).min(23 * 60 + 59))),
    )
    .await;

    b.resize(1280, 800).await;
    b.login("desk", PASSWORD).await;
    b.goto("/appointments").await;
    // Now is marked across today's columns.
    wait_for(&b, "#now-line:not([hidden])").await;
    open_panel(&b, begun).await;
    assert!(b.text("#appt-panel").await.contains("Дорж Өлзий"));
    assert!(
        !b.exists("#panel-record-treatment").await,
        "a receptionist records no treatment"
    );
    b.screenshot("book-panel-1280-mn").await;
    b.click_and_wait("#appt-panel button[name=status][value=came]")
        .await;
    assert_eq!(b.text("#flash").await, "Төлөв өөрчлөгдлөө.");
    assert!(b.path().await.contains(&format!("changed={begun}")));
    assert!(
        b.exists(&format!("td.appt #appointment-{begun}.status-came.changed"))
            .await
    );
    b.logout().await;

    // The manager records the visit's treatment from the panel: the form is linked to it.
    b.login("boss", PASSWORD).await;
    b.goto("/appointments").await;
    open_panel(&b, begun).await;
    b.click_and_wait("#panel-record-treatment").await;
    assert_eq!(
        b.path().await,
        format!(
            "/patients/{}/treatments/new?appointment_id={begun}",
            patients[0]
        )
    );
    // On a phone the panel is a sheet at the bottom, within the screen.
    b.resize(390, 800).await;
    b.goto("/appointments").await;
    open_panel(&b, begun).await;
    let (page, window, _, _) = widths(&b).await;
    assert!(
        page <= window,
        "390: the page is {page} px wide in a {window} px window"
    );
    b.screenshot("book-panel-390-mn").await;
    // Escape closes it.
    b.client
        .active_element()
        .await
        .unwrap()
        .send_keys("\u{E00C}")
        .await
        .unwrap();
    wait_for(&b, "#book-side[hidden]").await;
    b.close().await;
}
