//! The pages on a desktop, a tablet and a phone (1280, 768 and 390 px wide): none is wider
//! than the window, the menu folds behind its button on a phone and opens, tables become
//! cards each cell of which is labelled by its column, and each member of staff's start page
//! shows their day. Screenshots at 1280 and 390 px (`NAME-1280-mn.png`, `NAME-390-mn.png`).
//!
//! The appointment book (`/appointments`) is left out here: it has its own layout; its tests
//! can call [`assert_fits`] the same way.

use crate::browser::{Browser, assert_fits};
use crate::clinic::api;
use crate::helpers::*;
use dcms_domain::Role;
use dcms_server::demo::{self, DEMO_PASSWORD, ScaleOptions};
use reqwest::Method;
use serde_json::{Value, json};

const ENTER: &str = "\u{e007}";
const ESCAPE: &str = "\u{e00c}";

/// Screenshots of `path` at 1280 and 390 px: `NAME-1280-mn`, `NAME-390-mn`, and with
/// `lower`, the phone's view scrolled to that element (`NAME-390-lower-mn`).
async fn shots(b: &Browser, path: &str, name: &str, lower: Option<&str>) {
    b.goto(path).await;
    b.screenshot(&format!("{name}-1280-mn")).await;
    b.resize(390, 900).await;
    b.screenshot(&format!("{name}-390-mn")).await;
    if let Some(css) = lower {
        b.scroll_to(css).await;
        b.screenshot(&format!("{name}-390-lower-mn")).await;
    }
    b.resize(1280, 900).await;
}

/// The demo clinic, small: 40 patients with their history, calls and SMS, one patient with a
/// long chart. Its logins' password is [`DEMO_PASSWORD`].
async fn demo_clinic(app: &TestApp) -> demo::DemoSummary {
    let options = ScaleOptions {
        patients: 40,
        chart_visits: 12,
        ..ScaleOptions::demo_clinic()
    };
    demo::generate(&app.store, &app.audit, &options)
        .await
        .expect("the demo clinic")
}

#[tokio::test]
async fn every_page_fits_a_desktop_a_tablet_and_a_phone() {
    let Some(app) = spawn_app(TestBackend::Sqlite).await else {
        return;
    };
    let Some(b) = Browser::start(&app.address).await else {
        return;
    };
    let clinic = demo_clinic(&app).await;
    let patient = clinic
        .chart_patient_id
        .expect("a patient with a long chart");
    let doctor = clinic.doctor_ids[0];

    b.login("admin", DEMO_PASSWORD).await;
    let pages = [
        ("/".to_owned(), "home-admin", None),
        ("/patients".to_owned(), "patients", None),
        (
            format!("/patients/{patient}"),
            "patient",
            Some("#treatments-list"),
        ),
        (
            format!("/patients/{patient}/chart"),
            "chart",
            Some(".chart-tooth"),
        ),
        ("/calls".to_owned(), "calls-admin", None),
        ("/sms".to_owned(), "sms", Some(".sms-log")),
        ("/staff".to_owned(), "staff", None),
        (
            format!("/staff/{doctor}"),
            "employee",
            Some("#employee-positions"),
        ),
        ("/positions".to_owned(), "positions", None),
        ("/services".to_owned(), "services", None),
        (
            "/reports".to_owned(),
            "reports-day",
            Some("#report-appointments"),
        ),
        (
            "/reports/revenue".to_owned(),
            "reports-revenue",
            Some("#chart-charges-figure"),
        ),
        (
            "/reports/revenue?group_by=day".to_owned(),
            "reports-revenue-days",
            Some("#chart-charges-figure"),
        ),
        ("/reports/patients".to_owned(), "reports-patients", None),
        (
            "/reports/no-shows".to_owned(),
            "reports-no-shows",
            Some("#report-no-shows"),
        ),
        (
            "/settings".to_owned(),
            "settings",
            Some("#session-settings"),
        ),
        ("/users".to_owned(), "users", None),
        ("/account".to_owned(), "account", None),
    ];
    for (path, name, lower) in &pages {
        assert_fits(&b, path).await;
        shots(&b, path, name, *lower).await;
    }
    // The revenue report's charts: a visible title and a legend each.
    b.goto("/reports/revenue").await;
    for chart in ["chart-charges", "chart-paid"] {
        let title = b.text(&format!("#{chart}-title")).await;
        assert!(
            title.contains("Бодогдсон төлбөр") || title.contains("Төлсөн"),
            "{title}"
        );
        assert!(
            b.visible(&format!("#{chart}-figure .chart-legend li"))
                .await
        );
    }
    b.logout().await;

    for (user, name) in [
        ("reception", "home-reception"),
        ("doctor1", "home-doctor"),
        ("manager", "home-manager"),
        ("patient", "home-patient"),
    ] {
        b.login(user, DEMO_PASSWORD).await;
        // The start page stays light with a clinic's whole day on it.
        let weight = b
            .client
            .execute(
                "var n = performance.getEntriesByType('navigation')[0];\
                 return [document.documentElement.outerHTML.length, n.responseEnd - n.requestStart];",
                vec![],
            )
            .await
            .unwrap();
        eprintln!(
            "the start page ({user}): {} characters, served in {} ms",
            weight[0], weight[1]
        );
        assert!(weight[0].as_f64().unwrap() < 100_000.0, "{user}: {weight}");
        assert_fits(&b, "/").await;
        shots(&b, "/", name, None).await;
        if user == "reception" {
            // The receptionist's calls page has the form to log a call.
            assert_fits(&b, "/calls").await;
            shots(&b, "/calls", "calls", Some(".call-log")).await;
        }
        b.logout().await;
    }
    b.close().await;
}

#[tokio::test]
async fn the_menu_folds_on_a_phone_and_opens() {
    let Some(app) = spawn_app(TestBackend::Sqlite).await else {
        return;
    };
    let Some(b) = Browser::start(&app.address).await else {
        return;
    };
    app.create_user("admin1", Role::Admin).await;
    b.login("admin1", PASSWORD).await;

    // Wide: the links show, the button does not; even with the <details> closed.
    assert!(b.visible("nav.mainnav a[href='/patients']").await);
    assert!(!b.visible("#menu-button").await);
    b.client
        .execute("document.getElementById('menu').open = false;", vec![])
        .await
        .unwrap();
    assert!(
        b.visible("nav.mainnav a[href='/patients']").await,
        "wide, the menu shows whether its <details> is open or not"
    );

    // A phone: folded behind its button.
    b.resize(390, 900).await;
    b.goto("/").await;
    assert!(b.visible("#menu-button").await);
    assert!(b.text("#menu-button").await.ends_with("Цэс"));
    for css in ["nav.mainnav a[href='/patients']", "#logout-form button"] {
        assert!(!b.visible(css).await, "{css} is folded away");
    }
    let header_height = b
        .client
        .execute(
            "return document.querySelector('header').getBoundingClientRect().height;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        header_height.as_f64().unwrap() <= 70.0,
        "the folded menu is one line: {header_height}"
    );
    b.screenshot("menu-folded-390-mn").await;
    b.click("#menu-button").await;
    assert!(b.visible("nav.mainnav a[href='/patients']").await);
    assert!(b.visible("#logout-form button").await);
    let expanded = b
        .client
        .execute("return document.getElementById('menu').open;", vec![])
        .await
        .unwrap();
    assert_eq!(expanded, json!(true));
    b.screenshot("menu-open-390-mn").await;
    // A link of the open menu leads to its page; there the menu is folded again.
    b.click_and_wait("nav.mainnav a[href='/patients']").await;
    assert_eq!(b.path().await, "/patients");
    assert!(!b.visible("nav.mainnav a[href='/settings']").await);

    // With the keyboard: Enter on the button opens it, Escape folds it and keeps the focus.
    b.client
        .execute("document.getElementById('menu-button').focus();", vec![])
        .await
        .unwrap();
    b.client
        .active_element()
        .await
        .unwrap()
        .send_keys(ENTER)
        .await
        .unwrap();
    assert!(b.visible("nav.mainnav a[href='/settings']").await);
    b.client
        .active_element()
        .await
        .unwrap()
        .send_keys(ESCAPE)
        .await
        .unwrap();
    assert!(!b.visible("nav.mainnav a[href='/settings']").await);
    let focused = b
        .client
        .execute("return document.activeElement.id;", vec![])
        .await
        .unwrap();
    assert_eq!(focused, json!("menu-button"));

    // Wider again: shown without the button.
    b.resize(1280, 900).await;
    assert!(b.visible("nav.mainnav a[href='/settings']").await);
    assert!(!b.visible("#menu-button").await);
    b.close().await;
}

/// The CSS `display` of the element `css`, and the text its `::before` writes.
async fn display_and_label(b: &Browser, css: &str) -> (String, String) {
    let v = b
        .client
        .execute(
            "var e = document.querySelector(arguments[0]);\
             return [getComputedStyle(e).display, getComputedStyle(e, '::before').content];",
            vec![json!(css)],
        )
        .await
        .unwrap();
    (
        v[0].as_str().unwrap().to_owned(),
        v[1].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn tables_are_labelled_cards_on_a_phone() {
    let Some(app) = spawn_app(TestBackend::Sqlite).await else {
        return;
    };
    let Some(b) = Browser::start(&app.address).await else {
        return;
    };
    app.create_user("desk", Role::Receptionist).await;
    let desk = app.token("desk").await;
    for (i, (rn, first)) in [("УБ85031512", "Өлзий"), ("УБ90061523", "Тэмүүлэн")]
        .iter()
        .enumerate()
    {
        api(
            &app,
            &desk,
            Method::POST,
            "/api/v1/patients",
            json!({
                "register_number": rn, "first_name": first, "last_name": "Дорж",
                "phones": [{"number": format!("9911223{i}"), "is_primary": true},
                           {"number": format!("8811223{i}")}],
            }),
        )
        .await;
    }
    b.login("desk", PASSWORD).await;
    b.goto("/patients").await;
    // Wide: a table.
    assert_eq!(b.count("#patient-table tbody tr").await, 2);
    let (display, label) = display_and_label(&b, "#patient-table tbody td").await;
    assert_eq!((display.as_str(), label.as_str()), ("table-cell", "none"));

    // A phone: a card per row, each cell labelled by its column's header.
    b.resize(390, 900).await;
    let (display, _) = display_and_label(&b, "#patient-table tbody tr").await;
    assert_eq!(display, "block");
    assert!(
        !b.visible("#patient-table thead th").await
            || {
                // Kept for screen readers, out of sight: one pixel.
                b.client
            .execute(
                "return document.querySelector('#patient-table thead').getBoundingClientRect().height <= 1;",
                vec![],
            )
            .await
            .unwrap()
            == json!(true)
            }
    );
    let headers: Vec<String> = {
        let v = b
            .client
            .execute(
                "return Array.from(document.querySelectorAll('#patient-table thead th')).map(function (th) { return th.textContent.trim(); });",
                vec![],
            )
            .await
            .unwrap();
        serde_json::from_value(v).unwrap()
    };
    for (i, header) in headers.iter().enumerate() {
        let css = format!(
            "#patient-table tbody tr:first-child td:nth-child({})",
            i + 1
        );
        let (display, label) = display_and_label(&b, &css).await;
        assert_eq!(display, "table", "{css}");
        assert_eq!(label, format!("\"{header}\""), "{css}");
    }
    b.screenshot("patients-cards-390-mn").await;

    // Rows that the search brings as it is typed are labelled too.
    b.fill("#q", "Тэмүүлэн").await;
    for _ in 0..50 {
        if b.count("#patient-table tbody tr").await == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(b.count("#patient-table tbody tr").await, 1);
    let (_, label) = display_and_label(&b, "#patient-table tbody td").await;
    assert_eq!(label, format!("\"{}\"", headers[0]));
    b.close().await;
}

/// Today in Ulaanbaatar, `minutes` after the day's latest quarter hour that has begun (at
/// least 00:30 and at most 22:30, so that the slots stay in the day), RFC 3339: the day's
/// appointments of the start page whatever the hour the test runs at.
pub(crate) fn today_at(minutes: i64) -> String {
    let now = jiff::Timestamp::now().in_tz("Asia/Ulaanbaatar").unwrap();
    let quarter = (i64::from(now.hour()) * 60 + i64::from(now.minute())) / 15 * 15;
    let start = quarter.clamp(30, 22 * 60 + 30) + minutes;
    now.date()
        .at((start / 60) as i8, (start % 60) as i8, 0, 0)
        .in_tz("Asia/Ulaanbaatar")
        .unwrap()
        .timestamp()
        .to_string()
}

fn id_of(v: Value, key: &str) -> i64 {
    v[key].as_i64().unwrap_or_else(|| panic!("no {key} in {v}"))
}

#[tokio::test]
async fn each_role_sees_its_day() {
    let Some(app) = spawn_app(TestBackend::Sqlite).await else {
        return;
    };
    let Some(b) = Browser::start(&app.address).await else {
        return;
    };
    app.create_user("boss", Role::Manager).await;
    app.create_user("desk", Role::Receptionist).await;
    app.create_user("owner", Role::Admin).await;
    let dr_user = app.create_user("dr", Role::Doctor).await;
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
    let mut doctors = Vec::new();
    for (i, (first, user)) in [("Сарантуяа", Some(dr_user)), ("Ганбат", None)]
        .into_iter()
        .enumerate()
    {
        let employee = api(
            &app,
            &owner,
            Method::POST,
            "/api/v1/employees",
            json!({
                "first_name": first, "last_name": "Бат", "gender": "female", "user_id": user,
                "phones": [{"number": format!("9900112{i}"), "is_primary": true},
                           {"number": format!("8800112{i}")}],
                "positions": [{"position_id": position["position_id"], "is_primary": true}],
            }),
        )
        .await;
        doctors.push(id_of(employee, "employee_id"));
    }
    let mut patients = Vec::new();
    for (i, (rn, first)) in [
        ("УБ85031512", "Өлзий"),
        ("УБ90061523", "Тэмүүлэн"),
        ("УБ92041234", "Номин"),
    ]
    .iter()
    .enumerate()
    {
        let p = api(
            &app,
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
        patients.push(id_of(p, "patient_id"));
    }
    let mut booked = Vec::new();
    // Open the whole day: the test runs at any hour, and its first two patients have come.
    let all_day = json!([["00:00", "23:59"]]);
    api(
        &app,
        &boss,
        Method::PATCH,
        "/api/v1/settings",
        json!({"opening_hours": {"mon": all_day, "tue": all_day, "wed": all_day,
            "thu": all_day, "fri": all_day, "sat": all_day, "sun": all_day}}),
    )
    .await;
    for (patient, doctor, minutes) in [(0, 0, -30), (1, 1, 0), (2, 0, 30)] {
        let a = api(
            &app,
            &boss,
            Method::POST,
            "/api/v1/appointments",
            json!({"patient_id": patients[patient], "doctor_id": doctors[doctor],
                   "start_at": today_at(minutes)}),
        )
        .await;
        booked.push(id_of(a, "appointment_id"));
    }
    // Тэмүүлэн came and waits.
    api(
        &app,
        &boss,
        Method::POST,
        &format!("/api/v1/appointments/{}/status", booked[1]),
        json!({"status": "came"}),
    )
    .await;

    // The receptionist: who is expected, who waits; one click marks that Өлзий came.
    b.login("desk", PASSWORD).await;
    assert_eq!(b.text("#arrivals h2").await, "Өнөөдөр ирэх үйлчлүүлэгчид");
    assert_eq!(b.count("#expected tbody tr").await, 2);
    assert_eq!(b.count("#waiting tbody tr").await, 1);
    assert!(b.text("#waiting").await.contains("Дорж Тэмүүлэн"));
    assert_eq!(b.text("#count-expected").await, "2");
    b.screenshot("home-reception-day-1280-mn").await;
    b.resize(390, 900).await;
    let (display, label) =
        display_and_label(&b, &format!("#arrival-{} td:nth-child(2)", booked[0])).await;
    assert_eq!(
        (display.as_str(), label.as_str()),
        ("table", "\"Үйлчлүүлэгч\"")
    );
    b.screenshot("home-reception-day-390-mn").await;
    b.resize(1280, 900).await;
    b.click_and_wait(&format!("#arrival-{} .mark-came button", booked[0]))
        .await;
    assert_eq!(b.path().await, "/");
    assert_eq!(b.text("#flash").await, "Төлөв өөрчлөгдлөө.");
    // The banner lines up with the panels under it.
    let edges = b
        .client
        .execute(
            "var f = document.getElementById('flash').getBoundingClientRect(),\
                 p = document.getElementById('arrivals').getBoundingClientRect();\
             return [f.left - p.left, f.right - p.right];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        edges,
        json!([0, 0]),
        "the banner's edges against the panel's"
    );
    assert_eq!(b.count("#expected tbody tr").await, 1);
    assert!(b.text("#waiting").await.contains("Дорж Өлзий"));
    assert_eq!(b.text("#count-waiting").await, "2");
    assert!(!b.exists("a[href='/reports']").await);
    // A wrong phone keeps its red border.
    b.goto("/calls").await;
    b.fill("#phone_number", "12").await;
    b.click_and_wait("#call-submit").await;
    let border = b
        .client
        .execute(
            "return getComputedStyle(document.getElementById('phone_number')).borderTopColor;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(border, json!("rgb(164, 38, 44)"), "the danger colour");
    b.logout().await;

    // The doctor: their own patients of today, each a link to the patient's page.
    b.login("dr", PASSWORD).await;
    assert_eq!(b.count("#my-appointments tbody tr").await, 2);
    let mine = b.text("#my-appointments").await;
    assert!(
        mine.contains("Дорж Өлзий") && mine.contains("Дорж Номин"),
        "{mine}"
    );
    assert!(
        !mine.contains("Тэмүүлэн"),
        "another doctor's patient: {mine}"
    );
    assert!(
        mine.contains("Ирсэн") && mine.contains("Захиалсан"),
        "{mine}"
    );
    b.screenshot("home-doctor-day-1280-mn").await;
    b.click_and_wait(&format!(
        "#my-appointments a[href='/patients/{}']",
        patients[2]
    ))
    .await;
    assert_eq!(b.path().await, format!("/patients/{}", patients[2]));
    b.logout().await;

    // The manager: the day's figures.
    b.login("boss", PASSWORD).await;
    assert_eq!(b.text("#day-appointments").await, "3");
    assert_eq!(b.text("#day-came").await, "2");
    assert_eq!(b.text("#day-reserved").await, "1");
    assert_eq!(b.text("#day-no-show").await, "0");
    assert_eq!(b.text("#day-new-patients").await, "3");
    assert_eq!(b.text("#day-paid").await, "0 ₮");
    b.screenshot("home-manager-day-1280-mn").await;
    b.resize(390, 900).await;
    b.screenshot("home-manager-day-390-mn").await;
    b.resize(1280, 900).await;
    b.click_and_wait("#home-day-report").await;
    assert!(b.path().await.starts_with("/reports?date="));
    b.close().await;
}
