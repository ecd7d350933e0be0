//! The screens the chair and the desk live in, in Chromium: the patient page answers at a
//! glance (what is owed and the next appointment above the fold, on a desk's screen and on
//! a phone) and takes a payment in one click from an unpaid row; the treatment form's scope
//! follows the service and the teeth clicked, and its errors appear at their fields; an
//! appointment's page records the treatment on it. Screenshots at 1280 and 390 px wide.

use crate::browser::Browser;
use crate::clinic::api;
use crate::helpers::*;
use dcms_domain::Role;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

/// A clinic: a manager (`boss`), a receptionist (`desk`), a doctor (`dr`, linked to their
/// employee record), one adult patient and two services.
struct Clinic {
    boss: String,
    doctor: i64,
    /// The doctor's API token.
    dr: String,
    patient: i64,
    /// 45 000 ₮ a tooth.
    filling: i64,
    /// 120 000 ₮ once.
    cleaning: i64,
}

async fn clinic(app: &TestApp) -> Clinic {
    app.create_user("boss", Role::Manager).await;
    app.create_user("desk", Role::Receptionist).await;
    let dr_user = app.create_user("dr", Role::Doctor).await;
    app.create_user("owner", Role::Admin).await;
    let boss = app.token("boss").await;
    let owner = app.token("owner").await;
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
        app,
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
    let service = |number: i64, name: &str, price: i64| {
        json!({
            "service_type": "GEN", "display_number": number, "doctor_display_name": name,
            "patient_display_name": name, "price": price, "default_duration_time": 30,
        })
    };
    let filling = api(
        app,
        &boss,
        Method::POST,
        "/api/v1/services",
        service(1, "Композит ломбо", 45_000),
    )
    .await["service_id"]
        .as_i64()
        .unwrap();
    let cleaning = api(
        app,
        &boss,
        Method::POST,
        "/api/v1/services",
        service(2, "Шүдний чулуу авах", 120_000),
    )
    .await["service_id"]
        .as_i64()
        .unwrap();
    let dr = app.token("dr").await;
    Clinic {
        boss,
        doctor,
        dr,
        patient,
        filling,
        cleaning,
    }
}

/// Records a treatment through the API; its id.
async fn record(app: &TestApp, c: &Clinic, date: &str, items: Value) -> i64 {
    api(
        app,
        &c.dr,
        Method::POST,
        "/api/v1/treatments",
        json!({"patient_id": c.patient, "doctor_id": c.doctor, "treatment_date": date, "items": items}),
    )
    .await["treatment_id"]
        .as_i64()
        .unwrap()
}

/// Runs `script` (which returns a value) in the page.
async fn eval(b: &Browser, script: &str) -> Value {
    b.client.execute(script, vec![]).await.unwrap()
}

/// Whether the element's bottom edge is inside the viewport, with the page at its top.
async fn above_the_fold(b: &Browser, css: &str) -> (bool, Value) {
    let answer = b
        .client
        .execute(
            "window.scrollTo(0, 0);
             const r = document.querySelector(arguments[0]).getBoundingClientRect();
             return [r.bottom, window.innerHeight, window.innerWidth];",
            vec![Value::String(css.to_owned())],
        )
        .await
        .unwrap();
    let bottom = answer[0].as_f64().unwrap();
    let height = answer[1].as_f64().unwrap();
    (bottom > 0.0 && bottom < height, answer)
}

/// Whether the page fits the window's width (no sideways scrolling).
async fn fits_the_width(b: &Browser) -> bool {
    eval(
        b,
        "return document.documentElement.scrollWidth <= window.innerWidth;",
    )
    .await
        == json!(true)
}

/// The elements that reach beyond the window's right edge (to say why a page does not fit).
async fn too_wide(b: &Browser) -> Value {
    eval(
        b,
        "const out = [];
         for (const e of document.querySelectorAll('body *')) {
           const r = e.getBoundingClientRect();
           if (r.right > window.innerWidth + 1 && !(e.parentElement && e.parentElement.closest('.table-wrap, .patient-tabs'))) out.push(e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(r.right));
         }
         return [window.innerWidth, document.documentElement.scrollWidth, out.slice(0, 12)];",
    )
    .await
}

/// The treatment form's scope, as the select holds it now.
async fn scope(b: &Browser) -> String {
    eval(b, "return document.getElementById('scope').value;")
        .await
        .as_str()
        .unwrap()
        .to_owned()
}

/// Waits until the scope select holds `expected` (the script answers a click at once; the
/// wait only covers the browser's own pace).
async fn scope_becomes(b: &Browser, expected: &str) {
    for _ in 0..50 {
        if scope(b).await == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(scope(b).await, expected);
}

#[tokio::test]
async fn the_patient_page_answers_at_a_glance_and_takes_a_payment_in_one_click() {
    let Some(app) = spawn_app(TestBackend::Sqlite).await else {
        return;
    };
    let Some(b) = Browser::start(&app.address).await else {
        return;
    };
    let c = clinic(&app).await;
    let older = record(
        &app,
        &c,
        "2024-03-02T10:20:00+08:00",
        json!([
            {"service_id": c.filling, "scope": "multi_tooth", "teeth": ["16", "17"]},
        ]),
    )
    .await;
    record(
        &app,
        &c,
        "2025-05-04T09:00:00+08:00",
        json!([
            {"service_id": c.cleaning, "scope": "full_mouth"},
        ]),
    )
    .await;
    let tomorrow = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(26);
    let start = tomorrow.to_zoned(jiff::tz::TimeZone::get("Asia/Ulaanbaatar").unwrap());
    let start = start
        .with()
        .hour(10)
        .minute(0)
        .second(0)
        .subsec_nanosecond(0)
        .build()
        .unwrap();
    api(
        &app,
        &c.boss,
        Method::POST,
        "/api/v1/appointments",
        json!({"patient_id": c.patient, "doctor_id": c.doctor, "start_at": start.timestamp().to_string()}),
    )
    .await;

    b.login("desk", PASSWORD).await;
    let patient_path = format!("/patients/{}", c.patient);
    for (width, name) in [(1280, "patient-1280-mn"), (390, "patient-390-mn")] {
        b.resize_viewport(width, 800).await;
        b.goto(&patient_path).await;
        assert_eq!(b.text("#patient-balance").await, "210 000 ₮");
        let next = b.text("#next-appointment").await;
        assert!(
            next.contains(&start.strftime("%Y-%m-%d 10:00").to_string()),
            "{next}"
        );
        assert!(next.contains("Бат Сарантуяа"), "{next}");
        for css in [
            "#patient-balance",
            "#next-appointment",
            "#patient-phone",
            "#patient-age",
        ] {
            let (seen, at) = above_the_fold(&b, css).await;
            assert_eq!(
                (at[1].as_f64(), at[2].as_f64()),
                (Some(800.0), Some(f64::from(width))),
                "the viewport"
            );
            assert!(seen, "{css} is below the fold at {width}×800: {at}");
        }
        let wide = too_wide(&b).await;
        assert!(
            fits_the_width(&b).await,
            "the patient page scrolls sideways at {width} px: {wide}"
        );
        // The payment of the oldest unpaid treatment is a quick action.
        assert!(b.text("#take-payment").await.contains("90 000 ₮"));
        assert!(b.exists("#book-for-patient").await && b.exists("#send-sms").await);
        assert!(
            !b.exists("#patient-edit-form").await,
            "the edit form is behind \"edit\""
        );
        b.screenshot(name).await;
    }
    b.resize_viewport(1280, 800).await;
    b.scroll_to("#patient-treatments").await;
    b.screenshot("patient-treatments-1280-mn").await;

    // One click on an unpaid row's "take payment": its payment form, the balance proposed.
    b.click_and_wait(&format!(
        "#treatments-list tr[data-treatment-id='{older}'] a.take-payment"
    ))
    .await;
    assert_eq!(b.path().await, format!("/treatments/{older}?pay=1"));
    let focused = eval(
        &b,
        "return document.activeElement && document.activeElement.id;",
    )
    .await;
    assert_eq!(focused, json!("amount"), "the amount is ready to type in");
    let amount = b
        .client
        .find(fantoccini::Locator::Css("#amount"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(amount.as_deref(), Some("90000"));
    b.screenshot("patient-take-payment-mn").await;
    b.click_and_wait("#payment-submit").await;
    assert_eq!(b.text("#flash").await, "Төлбөр бүртгэгдлээ.");
    assert_eq!(b.text("#treatment-balance").await, "0 ₮");
    assert_eq!(b.count("#payment-list tbody tr").await, 1);
    // Back on the patient's page: what is owed now, and the next one to pay.
    b.goto(&patient_path).await;
    assert_eq!(b.text("#patient-balance").await, "120 000 ₮");
    assert!(b.text("#take-payment").await.contains("120 000 ₮"));
    assert!(
        !b.exists(&format!(
            "#treatments-list tr[data-treatment-id='{older}'] a.take-payment"
        ))
        .await
    );
    b.close().await;
}

#[tokio::test]
async fn the_treatment_forms_scope_follows_the_service_and_the_teeth() {
    let Some(app) = spawn_app(TestBackend::Sqlite).await else {
        return;
    };
    let Some(b) = Browser::start(&app.address).await else {
        return;
    };
    let c = clinic(&app).await;
    // The cleaning is done on the whole mouth: its usual scope.
    for date in ["2024-03-02T10:20:00+08:00", "2024-09-02T10:20:00+08:00"] {
        record(
            &app,
            &c,
            date,
            json!([{"service_id": c.cleaning, "scope": "full_mouth"}]),
        )
        .await;
    }
    b.login("dr", PASSWORD).await;
    b.resize_viewport(1280, 800).await;
    let form_path = format!("/patients/{}/treatments/new", c.patient);
    b.goto(&form_path).await;
    assert_eq!(
        scope(&b).await,
        "",
        "nothing chosen yet: by the teeth and the service"
    );
    b.choose("#service_id", &c.cleaning.to_string()).await;
    scope_becomes(&b, "full_mouth").await;
    b.choose("#service_id", &c.filling.to_string()).await;
    scope_becomes(&b, "none").await;
    b.click("svg g.tooth[data-ui-key='P-UR-6']").await;
    scope_becomes(&b, "single_tooth").await;
    // The form as the doctor sees it, on a desk's screen and on a phone.
    for (width, name) in [
        (1280, "treatment-form-1280-mn"),
        (390, "treatment-form-390-mn"),
    ] {
        b.resize_viewport(width, 800).await;
        eval(&b, "window.scrollTo(0, 0); return true;").await;
        let wide = too_wide(&b).await;
        assert!(
            fits_the_width(&b).await,
            "the treatment form scrolls sideways at {width} px: {wide}"
        );
        b.screenshot(name).await;
    }
    b.resize_viewport(1280, 800).await;
    b.click("svg g.tooth[data-ui-key='P-UR-7']").await;
    scope_becomes(&b, "multi_tooth").await;
    b.click("svg g.tooth[data-ui-key='P-UR-7']").await;
    scope_becomes(&b, "single_tooth").await;
    b.click(".odontogram-scopes button[data-select='upper']")
        .await;
    scope_becomes(&b, "upper_arch").await;
    b.click(".odontogram-scopes button[data-select='none']")
        .await;
    scope_becomes(&b, "none").await;
    // Two teeth, then one tooth chosen by hand: refused, the error beside the scope.
    b.click("svg g.tooth[data-ui-key='P-UR-6']").await;
    b.click("svg g.tooth[data-ui-key='P-UR-7']").await;
    scope_becomes(&b, "multi_tooth").await;
    b.choose("#scope", "single_tooth").await;
    b.click_and_wait("#treatment-submit").await;
    assert_eq!(b.text("#scope-error").await, "Яг нэг шүд сонгоно уу.");
    let scope_field = b
        .client
        .find(fantoccini::Locator::Css("#scope"))
        .await
        .unwrap();
    assert_eq!(
        scope_field.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    assert_eq!(
        scope_field
            .attr("aria-describedby")
            .await
            .unwrap()
            .as_deref(),
        Some("scope-error")
    );
    assert!(
        !b.exists("#odontogram-error").await,
        "no longer under the chart"
    );
    // Beside the scope: right under its select, above the chart.
    let places = eval(
        &b,
        "const s = document.getElementById('scope').getBoundingClientRect();
         const e = document.getElementById('scope-error').getBoundingClientRect();
         const chart = document.querySelector('.odontogram svg').getBoundingClientRect();
         return [e.top - s.bottom, chart.top - e.bottom];",
    )
    .await;
    let (gap, before_chart) = (places[0].as_f64().unwrap(), places[1].as_f64().unwrap());
    assert!(
        (0.0..40.0).contains(&gap),
        "the error is under the scope: {places}"
    );
    assert!(before_chart > 0.0, "the error is above the chart: {places}");
    let focused = eval(
        &b,
        "return document.activeElement && document.activeElement.id;",
    )
    .await;
    assert_eq!(
        focused,
        json!("scope"),
        "the first invalid field has the focus"
    );
    assert_eq!(
        b.count("svg g.tooth[aria-checked='true']").await,
        2,
        "the teeth are kept"
    );
    b.screenshot("treatment-form-errors-1280-mn").await;
    // At a phone's width the form with its errors fits too.
    b.resize_viewport(390, 800).await;
    let wide = too_wide(&b).await;
    assert!(
        fits_the_width(&b).await,
        "the refused form scrolls sideways at 390 px: {wide}"
    );
    b.scroll_to("#scope").await;
    b.screenshot("treatment-form-errors-390-mn").await;
    b.resize_viewport(1280, 800).await;
    // One tooth off: the scope follows again, and the treatment is recorded.
    b.click("svg g.tooth[data-ui-key='P-UR-7']").await;
    scope_becomes(&b, "single_tooth").await;
    b.click_and_wait("#treatment-submit").await;
    assert_eq!(b.text("#flash").await, "Эмчилгээ бүртгэгдлээ.");
    assert_eq!(b.text("#treatment-total").await, "45 000 ₮");
    b.close().await;
}

#[tokio::test]
async fn the_appointment_page_records_the_treatment_on_the_appointment() {
    let Some(app) = spawn_app(TestBackend::Sqlite).await else {
        return;
    };
    let Some(b) = Browser::start(&app.address).await else {
        return;
    };
    let c = clinic(&app).await;
    let start = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(20);
    let appointment = api(
        &app,
        &c.boss,
        Method::POST,
        "/api/v1/appointments",
        json!({
            "patient_id": c.patient, "doctor_id": c.doctor, "start_at": start.to_string(),
            "planned_service_id": c.filling,
        }),
    )
    .await["appointment_id"]
        .as_i64()
        .unwrap();
    api(
        &app,
        &c.boss,
        Method::POST,
        &format!("/api/v1/appointments/{appointment}/status"),
        json!({"status": "came"}),
    )
    .await;

    b.login("dr", PASSWORD).await;
    b.goto(&format!("/appointments/{appointment}")).await;
    assert!(b.exists("#appointment-no-treatments").await);
    b.screenshot("appointment-came-mn").await;
    b.click_and_wait("#appointment-record-treatment").await;
    assert_eq!(
        b.path().await,
        format!(
            "/patients/{}/treatments/new?appointment_id={appointment}",
            c.patient
        )
    );
    assert!(
        b.text("#linked-appointment")
            .await
            .contains("Бат Сарантуяа")
    );
    // The appointment's planned service is chosen; one tooth makes it one tooth.
    let chosen = eval(&b, "return document.getElementById('service_id').value;").await;
    assert_eq!(chosen, json!(c.filling.to_string()));
    b.click("svg g.tooth[data-ui-key='P-LL-6']").await;
    scope_becomes(&b, "single_tooth").await;
    b.click_and_wait("#treatment-submit").await;
    assert_eq!(b.text("#flash").await, "Эмчилгээ бүртгэгдлээ.");
    let treatment: i64 = b
        .path()
        .await
        .trim_start_matches("/treatments/")
        .parse()
        .unwrap();
    let recorded: Value = app
        .with_token(
            Method::GET,
            &format!("/api/v1/treatments/{treatment}"),
            &c.boss,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(recorded["appointment_id"], json!(appointment));
    // From the treatment back to its appointment, which lists it.
    b.click_and_wait("#treatment-appointment").await;
    let list = b.text("#appointment-treatment-list").await;
    assert!(
        list.contains("Композит ломбо") && list.contains("45 000 ₮"),
        "{list}"
    );
    assert!(
        b.exists(&format!(
            "#appointment-treatment-list tr[data-treatment-id='{treatment}']"
        ))
        .await
    );
    b.screenshot("appointment-treatments-mn").await;
    b.close().await;
}
