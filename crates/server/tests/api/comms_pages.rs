//! The call log and the SMS pages through HTTP: a call logged in a few fields (began now),
//! the caller's name found as the number is typed, the patient's page listing their calls
//! and SMS, an SMS queued from the page appearing in the outbox, filters, and who may do
//! what.
use crate::appointments::{clinic, get};
use crate::backend_test;
use crate::helpers::TestApp;
use crate::page_session::{hq_session, signed_in};

backend_test!(spawn_app -> TestApp, async fn logging_a_call_names_the_caller(app) {
    let c = clinic(&app, 1, 2).await;
    let desk = signed_in(&app, "desk", "en").await;
    let page = desk.get(&app, "/calls").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.has("id=\"call-form\""));
    // The first patient's primary phone is 99000000 (see appointments::two_phones).
    let who = desk.get(&app, "/calls/lookup?phone_number=9900%200000").await;
    assert_eq!(who.status, 200);
    assert!(who.has("id=\"caller-name\""), "{}", who.body);
    assert!(who.has(&format!("href=\"/patients/{}\"", c.patients[0])));
    let nobody = desk.get(&app, "/calls/lookup?phone_number=95551234").await;
    assert!(nobody.has("id=\"caller-new\""), "{}", nobody.body);
    // A bad number: 422 beside the number, nothing logged.
    let refused = desk
        .post(&app, "/calls", &[("phone_number", "12"), ("direction", "in")])
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.has("id=\"phone_number-error\""));
    // Logged with the number and a note; began now.
    let done = desk
        .post(&app, "/calls", &[("phone_number", "+976 9900-0000"), ("direction", "in"), ("note", "Цаг асуув")])
        .await;
    assert_eq!(done.location(), "/calls");
    let (status, calls) = get(&app, "/api/v1/calls", &c.desk).await;
    assert_eq!(status, 200, "{calls}");
    let call = &calls["items"][0];
    assert_eq!(call["phone_number"], "99000000");
    assert_eq!(call["contact_type"], "patient");
    assert_eq!(call["contacter_id"], c.patients[0]);
    assert_eq!(call["note"], "Цаг асуув");
    let begun: jiff::Timestamp = call["begin_call"].as_str().unwrap().parse().unwrap();
    assert!((jiff::Timestamp::now().as_second() - begun.as_second()).abs() < 120);
    // The log and the patient's page list it with the patient's name.
    let log = desk.get(&app, "/calls").await;
    assert!(log.has("Цаг асуув"));
    assert!(log.has("Дорж Нэр0"), "{}", log.body);
    let patient = desk.get(&app, &format!("/patients/{}", c.patients[0])).await;
    let section = &patient.body[patient.body.find("id=\"patient-calls\"").expect("calls section")..];
    assert!(section.contains("Цаг асуув"));
    // Filters: by number and by day.
    assert!(desk.get(&app, "/calls?phone=99000000").await.has("Цаг асуув"));
    assert!(desk.get(&app, "/calls?phone=88112233").await.has("id=\"no-calls\""));
    assert!(desk.get(&app, "/calls?date=2001-01-01").await.has("id=\"no-calls\""));
    assert_eq!(desk.get(&app, "/calls?date=yesterday").await.status, 400);
});

backend_test!(spawn_app -> TestApp, async fn an_sms_from_the_page_waits_in_the_outbox(app) {
    let c = clinic(&app, 1, 1).await;
    let desk = signed_in(&app, "desk", "mn").await;
    let refused = desk
        .post(&app, "/sms", &[("phone_number", "99000000"), ("direction", "out"), ("sms_text", "")])
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let queued = desk
        .post(&app, "/sms", &[("phone_number", "99000000"), ("direction", "out"), ("sms_text", "Маргааш 10:00-д хүлээж байна")])
        .await;
    assert_eq!(queued.location(), "/sms#outbox");
    let page = desk.get(&app, "/sms").await;
    let outbox = &page.body[page.body.find("id=\"outbox\"").unwrap()..];
    assert!(outbox.contains("Маргааш 10:00-д хүлээж байна"), "{}", page.body);
    assert!(outbox.contains("sms-state-"), "a state is shown");
    // A received one logged by hand appears in the log with its sender.
    let logged = desk
        .post(&app, "/sms", &[("phone_number", "99000000"), ("direction", "in"), ("sms_text", "Тийм, ирнэ")])
        .await;
    assert_eq!(logged.location(), "/sms");
    let page = desk.get(&app, "/sms").await;
    assert!(page.has("Тийм, ирнэ"));
    assert!(page.has(&format!("href=\"/patients/{}\"", c.patients[0])));
    let patient = desk.get(&app, &format!("/patients/{}", c.patients[0])).await;
    assert!(patient.body[patient.body.find("id=\"patient-calls\"").unwrap()..].contains("Тийм, ирнэ"));
});

backend_test!(spawn_app -> TestApp, async fn doctors_and_hq_read_the_logs_only(app) {
    let _c = clinic(&app, 1, 1).await;
    let doctor = crate::page_session::session(&app, "doc", dcms_domain::Role::Doctor, "en").await;
    let page = doctor.get(&app, "/calls").await;
    assert_eq!(page.status, 200);
    assert!(!page.has("id=\"call-form\""));
    assert_eq!(doctor.post(&app, "/calls", &[("phone_number", "99000000"), ("direction", "in")]).await.status, 403);
    assert!(!doctor.get(&app, "/sms").await.has("id=\"sms-form\""));
    let hq = hq_session(&app, "hq", "en").await;
    assert_eq!(hq.get(&app, "/sms").await.status, 200);
    assert_eq!(hq.post(&app, "/sms", &[("phone_number", "99000000"), ("direction", "out"), ("sms_text", "x")]).await.status, 403);
});

backend_test!(spawn_app -> TestApp, async fn reminder_settings_on_the_settings_page(app) {
    let c = clinic(&app, 1, 1).await;
    let boss = signed_in(&app, "boss", "en").await;
    let page = boss.get(&app, "/settings").await;
    assert!(page.has("id=\"reminder-settings\""), "{}", page.body);
    let form = |hour: &'static str, template: &'static str| {
        vec![
            ("clinic_name", "Инээмсэглэл"), ("clinic_code", ""), ("time_zone", "Asia/Ulaanbaatar"),
            ("tooth_notation", "fdi"), ("language", "mn"),
            ("hours_mon", "09:00-18:00"), ("hours_tue", "09:00-18:00"), ("hours_wed", "09:00-18:00"),
            ("hours_thu", "09:00-18:00"), ("hours_fri", "09:00-18:00"), ("hours_sat", ""), ("hours_sun", ""),
            ("reminder_enabled", "on"), ("reminder_hour", hour), ("reminder_template", template),
            ("sms_confirm_replies", "on"),
        ]
    };
    // An hour that is not one, and a fill-in nobody knows: 422 beside each, nothing saved.
    let refused = boss.post(&app, "/settings", &form("25", "Сайн байна уу {patient}")).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.has("id=\"reminder_hour-error\""));
    let refused = boss.post(&app, "/settings", &form("17", "Сайн байна уу {name}")).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.has("id=\"reminder_template-error\""), "{}", refused.body);
    let (_, settings) = get(&app, "/api/v1/settings", &c.manager).await;
    assert_eq!(settings["reminder_enabled"], false);
    // Saved.
    let saved = boss.post(&app, "/settings", &form("17", "{patient}, {date} {time}-д {doctor} эмчид ирээрэй. {clinic}")).await;
    assert_eq!(saved.location(), "/settings");
    let (_, settings) = get(&app, "/api/v1/settings", &c.manager).await;
    assert_eq!(settings["reminder_enabled"], true);
    assert_eq!(settings["reminder_hour"], 17);
    assert_eq!(settings["sms_confirm_replies"], true);
    assert_eq!(settings["reminder_template"], "{patient}, {date} {time}-д {doctor} эмчид ирээрэй. {clinic}");
});
