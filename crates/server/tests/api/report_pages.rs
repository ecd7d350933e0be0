//! The report pages through HTTP: the day, revenue, patients and no-shows pages show the
//! figures of data built through the API (a paid treatment's amount, a no-show as a rate)
//! with their charts as inline SVG; only admins, managers and HQ see them; a bad date, a
//! range backwards or too long, or an unknown grouping shows the form with the message beside
//! the field (422, never 500); a period with nothing in it says so instead of an empty chart.
use crate::appointments::{booked, clinic, post, set_status};
use crate::backend_test;
use crate::helpers::TestApp;
use crate::page_session::{Answer, hq_session, session, signed_in};
use crate::treatments::{Setup, recorded, service, tid};
use dcms_domain::Role;
use serde_json::json;

/// The page's HTML from `id="{id}"` on, to the end of the element's section.
fn section<'a>(page: &'a Answer, id: &str) -> &'a str {
    let start = page.at(&format!("id=\"{id}\""));
    let rest = &page.body[start..];
    let end = rest.find("</section>").unwrap_or(rest.len());
    &rest[..end]
}

backend_test!(spawn_app -> TestApp, async fn report_pages_show_the_seeded_figures(app) {
    let c = clinic(&app, 2, 2).await;
    app.create_user("dr", Role::Doctor).await;
    let doctor = app.token("dr").await;
    let filling = service(&app, &c.manager, 1, "Filling", 30_000).await;
    let scaling = service(&app, &c.manager, 2, "Scaling", 200_000).await;
    let s = Setup { c, doctor, filling, scaling };
    let d0 = s.c.doctors[0];
    let clinic_settings = dcms_server::services::settings::get(&app.store).await.unwrap();
    let zone = clinic_settings.time_zone();
    let today = clinic_settings.now_local().date();
    let yesterday = today.yesterday().unwrap();

    // Today: a treatment of 30 000 + 200 000 = 230 000 ₮ by the first doctor, 150 000 ₮ paid
    // in cash.
    let t = recorded(&app, &s, s.c.patients[0], json!([
        {"service_id": filling, "scope": "single_tooth", "teeth": ["16"]},
        {"service_id": scaling, "scope": "upper_arch"},
    ])).await;
    let (status, p) = post(&app, &format!("/api/v1/treatments/{}/payments", tid(&t)), &s.c.desk,
        json!({"amount": 150_000, "method": "cash"})).await;
    assert_eq!(status, 201, "{p}");
    // Yesterday: the first doctor's patient did not come to one appointment and came to the
    // other (booked afterwards by the manager: the front desk books the future only).
    for (i, (hour, st)) in [(10, "no_show"), (11, "came")].iter().enumerate() {
        let at = yesterday.at(*hour, 0, 0, 0).to_zoned(zone.clone()).unwrap().timestamp();
        let a = booked(&app, &s.c.manager, json!({
            "patient_id": s.c.patients[i], "doctor_id": d0, "start_at": at.to_string(),
        })).await;
        let id = a["appointment_id"].as_i64().unwrap();
        let (code, body) = set_status(&app, &s.c.desk, id, st).await;
        assert_eq!(code, 200, "{body}");
    }

    let boss = signed_in(&app, "boss", "en").await;
    // --- the day: today's money ---
    let page = boss.get(&app, &format!("/reports?date={today}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.has("<svg"), "{}", page.body);
    assert!(page.has("href=\"/reports\" aria-current=\"page\""), "the sub-navigation marks the day");
    assert!(page.has("href=\"/reports/revenue\"") && page.has("href=\"/reports/no-shows\""));
    let money = section(&page, "report-money");
    assert!(money.contains("id=\"day-treatments\">1<"), "{money}");
    assert!(money.contains("id=\"day-charges\">230 000 ₮<"), "{money}");
    assert!(money.contains("id=\"day-paid\">150 000 ₮<"), "{money}");
    assert!(money.contains("<th scope=\"row\">Cash</th><td class=\"money\">150 000 ₮</td>"), "{money}");
    assert!(money.contains("id=\"chart-payments\"") && money.contains("role=\"img\""), "{money}");
    // The day before and after are links; the book of the day too.
    assert!(page.has(&format!("href=\"/reports?date={yesterday}\"")));
    assert!(page.has(&format!("href=\"/appointments?date={today}\"")));

    // --- the day: yesterday's appointments, per doctor and status ---
    let page = boss.get(&app, &format!("/reports?date={yesterday}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let appointments = section(&page, "report-appointments");
    assert!(appointments.contains("<th scope=\"row\">Бат Ажилтан0</th>"), "{appointments}");
    assert!(appointments.contains("id=\"appointments-total\">2<"), "{appointments}");
    assert!(appointments.contains("id=\"chart-appointments\""), "{appointments}");
    assert!(appointments.contains("chart-swatch fill-no_show"), "a legend of statuses");
    assert!(appointments.contains("Бат Ажилтан0 — No-show: 1"), "{appointments}");
    assert!(section(&page, "report-money").contains("id=\"chart-payments-empty\""));

    // --- revenue: by doctor, by service, by day; and the default range (this month) ---
    let range = format!("from={yesterday}&to={today}");
    let page = boss.get(&app, &format!("/reports/revenue?{range}&group_by=doctor")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let revenue = section(&page, "report-revenue");
    assert!(revenue.contains("id=\"revenue-total-charges\">230 000 ₮<"), "{revenue}");
    assert!(revenue.contains("id=\"revenue-total-paid\">150 000 ₮<"), "{revenue}");
    assert!(revenue.contains("<th scope=\"row\">Бат Ажилтан0</th><td class=\"money\">230 000 ₮</td><td class=\"money\">0 ₮</td><td class=\"money\">230 000 ₮</td><td class=\"money\">150 000 ₮</td>"), "{revenue}");
    assert!(revenue.contains("<svg") && revenue.contains("id=\"chart-charges\"") && revenue.contains("id=\"chart-paid\""));
    assert!(page.has("<option value=\"doctor\" selected>"), "{}", page.body);
    let page = boss.get(&app, &format!("/reports/revenue?{range}&group_by=service")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.has("<th scope=\"row\">Scaling</th><td class=\"money\">200 000 ₮</td>"), "{}", page.body);
    assert!(page.has("<th scope=\"row\">Filling</th><td class=\"money\">30 000 ₮</td>"));
    assert!(page.has("id=\"service-paid-note\""));
    let page = boss.get(&app, &format!("/reports/revenue?{range}&group_by=day")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.has("class=\"chart column-chart\" id=\"chart-charges\""), "{}", page.body);
    assert!(page.has(&format!("<th scope=\"row\">{today}</th><td class=\"money\">230 000 ₮</td><td class=\"money\">0 ₮</td><td class=\"money\">230 000 ₮</td><td class=\"money\">150 000 ₮</td>")));
    assert!(page.has(&format!("<th scope=\"row\">{yesterday}</th><td class=\"money\">0 ₮</td>")));
    let page = boss.get(&app, "/reports/revenue").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.has(&format!("value=\"{}\"", today.first_of_month())) && page.has(&format!("value=\"{today}\"")));
    assert!(page.has("id=\"revenue-total-charges\">230 000 ₮<"), "{}", page.body);

    // --- patients ---
    let page = boss.get(&app, "/reports/patients").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.has("id=\"patients-total\">2<"), "{}", page.body);
    assert!(page.has("<th scope=\"row\">Active</th><td class=\"count\">2</td><td class=\"count\">100.0%</td>"), "{}", page.body);
    assert!(page.has("id=\"new-patients-total\">2<"));
    assert!(page.has("id=\"chart-patient-status\"") && page.has("id=\"chart-new-patients\""));
    assert!(page.has(&format!("<title>{}: 2</title>", today.strftime("%Y-%m"))), "this month's column");

    // --- no-shows: one of the first doctor's two appointments due ---
    let page = boss.get(&app, &format!("/reports/no-shows?{range}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let rows = section(&page, "report-no-shows");
    assert!(rows.contains("id=\"no-shows-due\">2<") && rows.contains("id=\"no-shows-count\">1<"), "{rows}");
    assert!(rows.contains("id=\"no-shows-rate\">50.0%<"), "{rows}");
    assert!(rows.contains(&format!("<td>{}</td><th scope=\"row\">Бат Ажилтан0</th><td class=\"count\">2</td><td class=\"count\">1</td><td class=\"count\">50.0%</td>", yesterday.strftime("%Y-%m"))), "{rows}");
    assert!(rows.contains("id=\"chart-no-shows\"") && rows.contains(">50.0%</text>"), "{rows}");

    // In Mongolian, for a head-office session.
    let hq = hq_session(&app, "hq", "mn").await;
    let page = hq.get(&app, "/reports/patients").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.has("Үйлчлүүлэгчид төлвөөр") && page.has("<svg"), "{}", page.body);
    let page = hq.get(&app, &format!("/reports?date={today}")).await;
    assert!(page.has("Өдрийн тайлан") && page.has("230 000 ₮"), "{}", page.body);
});

backend_test!(spawn_app -> TestApp, async fn report_pages_are_for_managers_admins_and_hq(app) {
    let paths = ["/reports", "/reports/revenue", "/reports/patients", "/reports/no-shows"];
    let admin = session(&app, "adm", Role::Admin, "en").await;
    let manager = session(&app, "mgr", Role::Manager, "en").await;
    let hq = hq_session(&app, "head", "en").await;
    let doctor = session(&app, "doc", Role::Doctor, "en").await;
    let desk = session(&app, "desk", Role::Receptionist, "en").await;
    let patient = session(&app, "pat", Role::Patient, "en").await;
    for path in paths {
        for who in [&admin, &manager, &hq] {
            let page = who.get(&app, path).await;
            assert_eq!(page.status, 200, "{path}: {}", page.body);
            assert!(page.has("id=\"report-nav\""), "{path}");
        }
        for who in [&doctor, &desk, &patient] {
            let page = who.get(&app, path).await;
            assert_eq!(page.status, 403, "{path}: {}", page.body);
            assert!(page.has("id=\"error-403\""), "{path}");
        }
    }
    // The main navigation offers the reports to those who may read them.
    assert!(manager.get(&app, "/").await.has("<a href=\"/reports\""));
    assert!(hq.get(&app, "/account").await.has("<a href=\"/reports\""));
    assert!(!desk.get(&app, "/").await.has("href=\"/reports\""));
    assert!(!doctor.get(&app, "/account").await.has("href=\"/reports\""));
});

backend_test!(spawn_app -> TestApp, async fn bad_report_input_shows_the_form_with_its_error(app) {
    let boss = session(&app, "mgr", Role::Manager, "en").await;
    for (path, field, message) in [
        ("/reports?date=yesterday", "date", "Write a date as YYYY-MM-DD."),
        ("/reports?date=2026-13-01", "date", "Write a date as YYYY-MM-DD."),
        ("/reports?date=9999-12-31", "date", "Write a date as YYYY-MM-DD."),
        ("/reports?date=-009999-01-01", "date", "Write a date as YYYY-MM-DD."),
        ("/reports/revenue?from=2026-02-01&to=2026-01-01", "to", "The end is before the start."),
        ("/reports/revenue?from=2025-01-01&to=2026-01-02", "to", "A report covers at most 366 days."),
        ("/reports/revenue?from=2026-01-01&to=2026-01-31&group_by=week", "group_by", "Group by doctor, service or day."),
        ("/reports/revenue?from=1.1.2026", "from", "Write a date as YYYY-MM-DD."),
        ("/reports/no-shows?from=2026-01-01&to=2026-01-32", "to", "Write a date as YYYY-MM-DD."),
        ("/reports/no-shows?from=2020-01-01&to=2026-01-01", "to", "A report covers at most 366 days."),
    ] {
        let page = boss.get(&app, path).await;
        assert_eq!(page.status, 422, "{path}: {}", page.body);
        assert!(page.has("id=\"report-form\""), "{path}: the form is shown again");
        assert!(page.has("id=\"report-error\""), "{path}");
        let error = &page.body[page.at(&format!("id=\"{field}-error\""))..];
        assert!(error.starts_with(&format!("id=\"{field}-error\">{message}<")), "{path}: {error}");
        assert!(!page.has("<svg"), "{path}: no figures");
    }
    // What was typed is kept.
    let page = boss.get(&app, "/reports/revenue?from=1.1.2026").await;
    assert!(page.has("value=\"1.1.2026\""), "{}", page.body);
    // A full leap year is a report (366 days).
    let page = boss.get(&app, "/reports/revenue?from=2024-01-01&to=2024-12-31&group_by=day").await;
    assert_eq!(page.status, 200, "{}", page.body);
    // In Mongolian.
    let mn = signed_in(&app, "mgr", "mn").await;
    let page = mn.get(&app, "/reports?date=bad").await;
    assert_eq!(page.status, 422);
    assert!(page.has("Огноог ЖЖЖЖ-СС-ӨӨ хэлбэрээр бичнэ үү."), "{}", page.body);
});

backend_test!(spawn_app -> TestApp, async fn empty_periods_say_there_is_no_data(app) {
    let boss = session(&app, "mgr", Role::Manager, "en").await;
    let page = boss.get(&app, "/reports?date=2001-01-01").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.has("id=\"chart-appointments-empty\">No data for this period.<"), "{}", page.body);
    assert!(page.has("id=\"chart-payments-empty\""));
    assert!(!page.has("<svg"), "no empty chart");
    assert!(page.has("id=\"day-charges\">0 ₮<"));
    assert!(page.has("href=\"/reports?date=2000-12-31\"") && page.has("href=\"/reports?date=2001-01-02\""));
    for (path, chart) in [
        ("/reports/revenue?from=2001-01-01&to=2001-01-31", "chart-charges"),
        ("/reports/revenue?from=2001-01-01&to=2001-01-31&group_by=service", "chart-charges"),
        ("/reports/revenue?from=2001-01-01&to=2001-01-31&group_by=day", "chart-paid"),
        ("/reports/no-shows?from=2001-01-01&to=2001-12-31", "chart-no-shows"),
        ("/reports/patients", "chart-patient-status"),
        ("/reports/patients", "chart-new-patients"),
    ] {
        let page = boss.get(&app, path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        assert!(page.has(&format!("id=\"{chart}-empty\">No data for this period.<")), "{path}: {}", page.body);
        assert!(!page.has("<svg"), "{path}");
    }
    let mn = signed_in(&app, "mgr", "mn").await;
    assert!(mn.get(&app, "/reports/no-shows?from=2001-01-01&to=2001-01-31").await.has("Энэ хугацаанд мэдээлэл алга."));
});
