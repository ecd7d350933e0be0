//! The appointment book's pages through HTTP, as a browser speaks to them: the day with a
//! column per doctor and quarter-hour rows within opening hours, blocks coloured by status
//! and spanning their rows, booking through the form (in the clinic's time zone), the
//! conflict shown with the appointment in the way, moving and resizing (the form the book's
//! drag and drop posts), status buttons, a doctor's week, the patient page's appointments,
//! and who may do what.
use crate::appointments::{Clinic, booked, clinic, get, id, past, set_status};
use crate::backend_test;
use crate::helpers::TestApp;
use crate::page_session::{Session, hq_session, session, signed_in};
use dcms_domain::Role;
use serde_json::{Value, json};

/// Monday 2030-01-07, open 09:00-18:00 (the default hours).
const MONDAY: &str = "2030-01-07";

fn at(hhmm: &str) -> String {
    format!("{MONDAY}T{hhmm}:00+08:00")
}

/// Monday 2025-01-06, in the past ([`past`]): its appointments may come and be missed.
const PAST_MONDAY: &str = "2025-01-06";

/// Books on [`PAST_MONDAY`] as the manager (the front desk books the future only).
async fn book_past(
    app: &TestApp,
    c: &Clinic,
    doctor: usize,
    patient: usize,
    from: &str,
    to: &str,
) -> Value {
    booked(
        app,
        &c.manager,
        json!({
            "patient_id": c.patients[patient],
            "doctor_id": c.doctors[doctor],
            "start_at": past(from),
            "end_at": past(to),
        }),
    )
    .await
}

/// A page's HTML with `&` unescaped, so links read as they are written.
fn links(html: &str) -> String {
    html.replace("&#38;", "&").replace("&amp;", "&")
}

async fn desk_session(app: &TestApp) -> Session {
    signed_in(app, "desk", "en").await
}

async fn book_api(
    app: &TestApp,
    c: &Clinic,
    doctor: usize,
    patient: usize,
    from: &str,
    to: &str,
) -> Value {
    booked(
        app,
        &c.desk,
        json!({
            "patient_id": c.patients[patient],
            "doctor_id": c.doctors[doctor],
            "start_at": at(from),
            "end_at": at(to),
        }),
    )
    .await
}

/// The `<td>` of an appointment block, from its opening tag to the block's id.
fn block_cell(html: &str, appointment_id: i64) -> &str {
    let marker = format!("id=\"appointment-{appointment_id}\"");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no block {appointment_id} in the page"));
    let start = html[..at].rfind("<td").expect("a block sits in a cell");
    &html[start..at]
}

backend_test!(spawn_app -> TestApp, async fn day_shows_doctors_rows_and_blocks_by_status(app) {
    let c = clinic(&app, 2, 3).await;
    let s = desk_session(&app).await;
    // A day that has passed, so its appointments offer every move and may come.
    let first = book_past(&app, &c, 0, 0, "10:00", "10:45").await;
    let second = book_past(&app, &c, 1, 1, "09:00", "09:30").await;
    let canceled = book_past(&app, &c, 0, 2, "11:00", "11:30").await;
    assert_eq!(set_status(&app, &c.desk, id(&second), "came").await.0, 200);
    assert_eq!(set_status(&app, &c.desk, id(&canceled), "canceled").await.0, 200);

    let page = s.get(&app, &format!("/appointments?date={PAST_MONDAY}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    // One column per doctor, linking to their week.
    for doctor in &c.doctors {
        assert!(
            page.has(&format!("data-doctor-id=\"{doctor}\" data-date=\"{PAST_MONDAY}\"")),
            "no column for doctor {doctor}"
        );
        assert!(links(&page.body).contains(&format!("/appointments/week?doctor_id={doctor}&date={PAST_MONDAY}"
        )));
    }
    // Rows every 15 minutes from opening to closing, and no further.
    assert!(page.has("data-time=\"09:00\" data-end=\"09:15\""));
    assert!(page.has("data-time=\"17:45\" data-end=\"18:00\""));
    assert!(!page.has("data-time=\"08:45\""));
    assert!(!page.has("data-time=\"18:00\""));
    assert_eq!(page.body.matches("<tr data-time=").count(), 36);
    // Blocks: coloured by status, spanning their quarter-hours (10:00-10:45 is three).
    let cell = block_cell(&page.body, id(&first));
    assert!(cell.contains("rowspan=\"3\""), "{cell}");
    assert!(cell.contains("status-reserved"), "{cell}");
    let cell = block_cell(&page.body, id(&second));
    assert!(cell.contains("rowspan=\"2\""), "{cell}");
    assert!(cell.contains("status-came"), "{cell}");
    // The canceled one frees its time: listed under the grid, and its slot can be booked.
    let others = &page.body[page.body.find("id=\"book-others\"").expect("others list")..];
    assert!(others.contains(&format!("id=\"appointment-{}\"", id(&canceled))));
    assert!(links(&page.body).contains(&format!("/appointments/new?doctor_id={}&date={PAST_MONDAY}&time=11:00",
        c.doctors[0]
    )));
    // The booked times are not offered.
    assert!(!links(&page.body).contains(&format!("/appointments/new?doctor_id={}&date={PAST_MONDAY}&time=10:15",
        c.doctors[0]
    )));
    // A compact block: a link to the appointment (its panel with a script), movable.
    let block = &page.body[page.body.find(&format!("id=\"appointment-{}\"", id(&first))).unwrap()..];
    let block = &block[..block.find("</td>").unwrap()];
    assert!(block.contains("data-movable"));
    assert!(block.contains(&format!("href=\"/appointments/{}\"", id(&first))));
    assert!(!block.contains("<button"), "no buttons on the grid: {block}");
    // Its panel has the status moves; cancel asks first; back to the book it came from.
    let panel = s
        .get(&app, &format!("/appointments/{}/panel?back=/appointments%3Fdate%3D{MONDAY}", id(&first)))
        .await;
    assert_eq!(panel.status, 200, "{}", panel.body);
    for status in ["confirmed", "canceled", "no_show", "came"] {
        assert!(panel.has(&format!("value=\"{status}\"")), "{status}: {}", panel.body);
    }
    assert!(panel.has("data-confirm="), "cancel asks first");
    assert!(links(&panel.body).contains(&format!("name=\"back\" value=\"/appointments?date={MONDAY}\"")), "{}", panel.body);
    assert!(!panel.has("<html"), "a fragment, not a page");
    // The one that came offers to record its treatment, linked to it, to those who record
    // treatments (a manager), not to a receptionist.
    let record = format!("/patients/{}/treatments/new?appointment_id={}", c.patients[1], id(&second));
    let came_panel = s.get(&app, &format!("/appointments/{}/panel", id(&second))).await;
    assert!(!links(&came_panel.body).contains(&record), "{}", came_panel.body);
    let boss = signed_in(&app, "boss", "en").await;
    let came_panel = boss.get(&app, &format!("/appointments/{}/panel", id(&second))).await;
    assert!(links(&came_panel.body).contains(&record), "{}", came_panel.body);
    let reserved_panel = boss.get(&app, &format!("/appointments/{}/panel", id(&first))).await;
    assert!(!reserved_panel.has("panel-record-treatment"), "not before the patient came");
    assert_eq!(s.get(&app, "/appointments/999999/panel").await.status, 404);
    // Day navigation.
    assert!(page.has("/appointments?date=2025-01-05"));
    assert!(page.has("/appointments?date=2025-01-07"));
    // A malformed date is a clear 400, not the wrong day.
    assert_eq!(s.get(&app, "/appointments?date=2030-13-01").await.status, 400);
    // A closed day with nothing booked says so.
    let sunday = s.get(&app, "/appointments?date=2025-01-05").await;
    assert!(sunday.has("id=\"book-closed\""), "{}", sunday.body);
});

backend_test!(spawn_app -> TestApp, async fn the_grid_widens_to_appointments_outside_opening_hours(app) {
    let c = clinic(&app, 1, 1).await;
    let s = desk_session(&app).await;
    let late = book_api(&app, &c, 0, 0, "18:30", "19:10").await;
    let page = s.get(&app, &format!("/appointments?date={MONDAY}")).await;
    assert!(page.has("data-time=\"19:00\" data-end=\"19:15\""));
    assert!(!page.has("data-time=\"19:15\""));
    let cell = block_cell(&page.body, id(&late));
    assert!(cell.contains("rowspan=\"3\""), "18:30-19:10 covers three rows: {cell}");
});

backend_test!(spawn_app -> TestApp, async fn booking_through_the_form_in_the_clinic_time_zone(app) {
    let c = clinic(&app, 1, 2).await;
    let s = desk_session(&app).await;
    let doctor = c.doctors[0].to_string();
    let patient = c.patients[0].to_string();
    // The empty slot's link opens the form with the doctor, day and time filled in.
    let form = s
        .get(
            &app,
            &format!("/appointments/new?doctor_id={doctor}&date={MONDAY}&time=10:00"),
        )
        .await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.has("value=\"10:00\""));
    assert!(form.has(&format!("<option value=\"{doctor}\" selected")));
    // The patient search offers radios that belong to the booking form.
    let options = s.get(&app, "/appointments/patient-options?q=Нэр0").await;
    assert_eq!(options.status, 200);
    assert!(options.has(&format!("form=\"booking-form\" name=\"patient_id\" id=\"patient-{patient}\"")));
    // Without a patient: 422, the form again, nothing booked.
    let refused = s
        .post(
            &app,
            "/appointments",
            &[("doctor_id", &doctor), ("date", MONDAY), ("time", "10:00")],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.has("id=\"patient_id-error\""));
    let (_, list) = get(&app, &format!("/api/v1/appointments?from={MONDAY}&to={MONDAY}"), &c.desk).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    // A bad time is named beside the field.
    let refused = s
        .post(
            &app,
            "/appointments",
            &[("patient_id", &patient), ("doctor_id", &doctor), ("date", MONDAY), ("time", "25:00")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.has("id=\"time-error\""), "{}", refused.body);
    // Booked: back to that day, at the appointment.
    let done = s
        .post(
            &app,
            "/appointments",
            &[
                ("patient_id", &patient),
                ("doctor_id", &doctor),
                ("date", MONDAY),
                ("time", "10:00"),
                ("end_time", ""),
                ("planned_service_id", ""),
                ("note", "Шүд өвдөж байна"),
            ],
        )
        .await;
    let location = done.location().to_owned();
    assert!(location.starts_with(&format!("/appointments?date={MONDAY}&changed=")), "{location}");
    let (_, list) = get(&app, &format!("/api/v1/appointments?from={MONDAY}&to={MONDAY}"), &c.desk).await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    // 10:00 in Ulaanbaatar (+08:00) is 02:00 UTC; 30 minutes by default.
    assert_eq!(items[0]["start_at"], "2030-01-07T02:00:00Z");
    assert_eq!(items[0]["end_at"], "2030-01-07T02:30:00Z");
    assert_eq!(items[0]["note"], "Шүд өвдөж байна");
    assert_eq!(items[0]["receptionist_id"], c.desk_employee);
    assert!(location.ends_with(&format!("&changed={}", id(&items[0]))));
    // The book highlights the booked appointment.
    let book = s.get(&app, &location).await;
    assert!(book.has(&format!("changed\" id=\"appointment-{}\"", id(&items[0]))), "{}", book.body);
});

backend_test!(spawn_app -> TestApp, async fn a_conflicting_booking_shows_the_appointment_in_the_way(app) {
    let c = clinic(&app, 1, 2).await;
    let s = desk_session(&app).await;
    let winner = book_api(&app, &c, 0, 0, "10:00", "10:30").await;
    let answer = s
        .post(
            &app,
            "/appointments",
            &[
                ("patient_id", &c.patients[1].to_string()),
                ("doctor_id", &c.doctors[0].to_string()),
                ("date", MONDAY),
                ("time", "10:15"),
            ],
        )
        .await;
    assert_eq!(answer.status, 409, "{}", answer.body);
    assert!(answer.has("id=\"booking-conflict\""));
    assert!(answer.has(&format!("href=\"/appointments/{}\"", id(&winner))));
    assert!(answer.has("10:00–10:30"));
    // What was typed is kept, the chosen patient too.
    assert!(answer.has("value=\"10:15\""));
    assert!(answer.has("id=\"chosen-patient\""));
});

backend_test!(spawn_app -> TestApp, async fn moving_resizing_and_statuses_through_the_pages(app) {
    let c = clinic(&app, 2, 2).await;
    let s = desk_session(&app).await;
    let a = book_api(&app, &c, 0, 0, "10:00", "10:45").await;
    let other = book_api(&app, &c, 1, 1, "12:00", "12:30").await;
    let path = format!("/appointments/{}", id(&a));
    let back = format!("/appointments?date={MONDAY}");
    // A drop on another doctor at 12:15: only date, time and doctor are sent; the
    // duration is kept, and the book comes back.
    let moved = s
        .post(
            &app,
            &path,
            &[
                ("date", MONDAY),
                ("time", "12:45"),
                ("doctor_id", &c.doctors[1].to_string()),
                ("back", &back),
            ],
        )
        .await;
    // Back to the book, which highlights the moved appointment (no fragment: no jump).
    assert_eq!(moved.location(), format!("{back}&changed={}", id(&a)));
    let (_, now) = get(&app, &format!("/api/v1{path}"), &c.desk).await;
    assert_eq!(now["start_at"], "2030-01-07T04:45:00Z");
    assert_eq!(now["end_at"], "2030-01-07T05:30:00Z");
    assert_eq!(now["doctor_id"], c.doctors[1]);
    // Onto the other appointment's time: 409, the page names it, nothing moves.
    let refused = s
        .post(&app, &path, &[("time", "12:00"), ("back", &back)])
        .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.has("id=\"appointment-conflict\""));
    assert!(refused.has(&format!("href=\"/appointments/{}\"", id(&other))));
    let (_, still) = get(&app, &format!("/api/v1{path}"), &c.desk).await;
    assert_eq!(still["start_at"], "2030-01-07T04:45:00Z");
    // The lower edge dragged to 14:00: only the end is sent.
    let resized = s.post(&app, &path, &[("end_time", "14:00")]).await;
    assert!(resized.location().starts_with(&format!("/appointments?date={MONDAY}")));
    let (_, now) = get(&app, &format!("/api/v1{path}"), &c.desk).await;
    assert_eq!(now["start_at"], "2030-01-07T04:45:00Z");
    assert_eq!(now["end_at"], "2030-01-07T06:00:00Z");
    // An end before the start: 422 beside the end.
    let bad = s.post(&app, &path, &[("end_time", "12:00")]).await;
    assert_eq!(bad.status, 422);
    assert!(bad.has("id=\"end_time-error\""), "{}", bad.body);
    // The appointment's page: its details and the move form.
    let page = s.get(&app, &path).await;
    assert_eq!(page.status, 200);
    assert!(page.has("id=\"move-form\""));
    assert!(page.has("12:45–14:00"));
    // Came waits for the appointment to start: the coming one offers no such button, and a
    // stale one is refused in words, changing nothing.
    assert!(page.has("value=\"confirmed\"") && !page.has("value=\"came\""), "{}", page.body);
    let early = s
        .post(&app, &format!("{path}/status"), &[("status", "came"), ("back", &back)])
        .await;
    assert_eq!(early.status, 422, "{}", early.body);
    assert!(early.has("The appointment has not started yet"), "{}", early.body);
    let (_, now) = get(&app, &format!("/api/v1{path}"), &c.desk).await;
    assert_eq!(now["status"], "reserved");
    // A visit that has started (booked afterwards by the manager): one click, came, back to
    // the book.
    let visit = book_past(&app, &c, 0, 1, "10:00", "10:30").await;
    let path = format!("/appointments/{}", id(&visit));
    let back = format!("/appointments?date={PAST_MONDAY}");
    let came = s
        .post(&app, &format!("{path}/status"), &[("status", "came"), ("back", &back)])
        .await;
    assert_eq!(came.location(), format!("{back}&changed={}", id(&visit)));
    let (_, now) = get(&app, &format!("/api/v1{path}"), &c.desk).await;
    assert_eq!(now["status"], "came");
    // A move the machine forbids names both statuses in words.
    let refused = s
        .post(&app, &format!("{path}/status"), &[("status", "confirmed")])
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.has("An appointment cannot move from Came to Confirmed."),
        "{}",
        refused.body
    );
    // Cancel the other with a reason: it goes to the audit trail.
    let canceled = s
        .post(
            &app,
            &format!("/appointments/{}/status", id(&other)),
            &[("status", "canceled"), ("reason", "Өвчтэй")],
        )
        .await;
    assert_eq!(canceled.status, 303);
    let (_, audit) = get(
        &app,
        &format!("/api/v1/audit?table=appointment&row_id={}", id(&other)),
        &c.manager,
    )
    .await;
    assert!(audit.to_string().contains("Өвчтэй"), "{audit}");
    // A final appointment cannot be moved: 409 with the reason in words.
    let final_move = s
        .post(&app, &format!("/appointments/{}", id(&other)), &[("time", "15:00")])
        .await;
    assert_eq!(final_move.status, 409);
    assert!(final_move.has("cannot be changed"), "{}", final_move.body);
    // A bad back address stays on this site.
    let away = s
        .post(
            &app,
            &format!("{path}/status"),
            &[("status", "finished"), ("back", "//evil.example/")],
        )
        .await;
    assert_eq!(away.location(), "/");
});

backend_test!(spawn_app -> TestApp, async fn a_doctors_week(app) {
    let c = clinic(&app, 2, 2).await;
    let s = desk_session(&app).await;
    let wednesday = booked(
        &app,
        &c.desk,
        json!({"patient_id": c.patients[0], "doctor_id": c.doctors[1],
               "start_at": "2030-01-09T15:00:00+08:00"}),
    )
    .await;
    let elsewhere = book_api(&app, &c, 0, 1, "10:00", "10:30").await;
    // Asked for a Thursday: the week from Monday 7 to Sunday 13.
    let page = s
        .get(
            &app,
            &format!("/appointments/week?doctor_id={}&date=2030-01-10", c.doctors[1]),
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    for day in 7..=13 {
        assert!(page.has(&format!("data-date=\"2030-01-{day:02}\"")), "day {day}");
    }
    assert!(page.has("Wednesday"));
    assert!(page.has("id=\"appointment-"));
    assert!(page.has(&format!("id=\"appointment-{}\"", id(&wednesday))));
    assert!(!page.has(&format!("id=\"appointment-{}\"", id(&elsewhere))), "another doctor's");
    // Saturday opens 10:00-15:00 and Sunday is closed, the grid runs 09:00-18:00.
    assert!(page.has("data-time=\"09:00\""));
    assert!(page.has("data-time=\"17:45\""));
    assert!(links(&page.body).contains(&format!("/appointments/new?doctor_id={}&date=2030-01-08&time=09:00",
        c.doctors[1]
    )));
    assert!(page.has("/appointments/week?doctor_id="));
    assert!(page.has("date=2029-12-31"), "the previous week");
    assert!(page.has("date=2030-01-14"), "the next week");
    // An unknown doctor is 404.
    assert_eq!(s.get(&app, "/appointments/week?doctor_id=999999").await.status, 404);
});

backend_test!(spawn_app -> TestApp, async fn the_patient_page_lists_appointments(app) {
    let c = clinic(&app, 1, 2).await;
    let s = desk_session(&app).await;
    let coming = book_api(&app, &c, 0, 0, "10:00", "10:30").await;
    let page = s.get(&app, &format!("/patients/{}", c.patients[0])).await;
    assert_eq!(page.status, 200);
    let section = &page.body[page.body.find("id=\"patient-appointments\"").unwrap()..];
    assert!(section.contains("id=\"coming-appointments\""));
    assert!(section.contains(&format!("href=\"/appointments/{}\"", id(&coming))));
    assert!(section.contains("2030-01-07 10:00–10:30"));
    // Booking is one of the header's quick actions.
    assert!(page.has(&format!(
        "href=\"/appointments/new?patient_id={}\"",
        c.patients[0]
    )));
    // Booking from there starts with the patient chosen.
    let form = s
        .get(&app, &format!("/appointments/new?patient_id={}", c.patients[0]))
        .await;
    assert!(form.has("id=\"chosen-patient\""));
    let other = s.get(&app, &format!("/patients/{}", c.patients[1])).await;
    assert!(other.has("id=\"no-appointments\""));
});

backend_test!(spawn_app -> TestApp, async fn who_sees_and_who_changes_the_book(app) {
    let c = clinic(&app, 1, 1).await;
    let a = book_api(&app, &c, 0, 0, "10:00", "10:30").await;
    let doctor = session(&app, "doc", Role::Doctor, "mn").await;
    let page = doctor.get(&app, &format!("/appointments?date={MONDAY}")).await;
    assert_eq!(page.status, 200);
    assert!(page.has("Захиалсан"), "the status in Mongolian");
    assert!(page.has("/appointments/new?doctor_id="));
    let hq = hq_session(&app, "hq", "en").await;
    let page = hq.get(&app, &format!("/appointments?date={MONDAY}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.has(&format!("id=\"appointment-{}\"", id(&a))));
    assert!(!page.has("/appointments/new"), "HQ reads, does not book");
    assert!(!page.has("data-movable"));
    assert!(!page.has("name=\"status\""));
    let refused = hq
        .post(&app, &format!("/appointments/{}/status", id(&a)), &[("status", "came")])
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(hq.get(&app, "/appointments/new").await.status, 403);
});

/// The doctors' columns of a day's page, in order.
fn columns(html: &str) -> Vec<i64> {
    html.split("<th scope=\"col\" data-doctor-id=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].parse().unwrap())
        .collect()
}

backend_test!(spawn_app -> TestApp, async fn each_user_chooses_the_doctors_their_book_shows(app) {
    let c = clinic(&app, 3, 2).await;
    let s = desk_session(&app).await;
    let hidden = book_api(&app, &c, 1, 0, "10:00", "10:30").await;
    let day = format!("/appointments?date={MONDAY}");
    let page = s.get(&app, &day).await;
    assert_eq!(columns(&page.body), c.doctors, "every doctor before a choice");
    assert!(page.has("id=\"doctor-choice\""));
    // Two of three, in the order chosen: only those columns, the other's appointments gone.
    let (d0, d2) = (c.doctors[0].to_string(), c.doctors[2].to_string());
    let saved = s
        .post(&app, "/appointments/doctors", &[("doctor", &d2), ("doctor", &d0), ("date", MONDAY)])
        .await;
    assert_eq!(saved.location(), day);
    let page = s.get(&app, &day).await;
    assert_eq!(columns(&page.body), vec![c.doctors[2], c.doctors[0]]);
    assert!(!page.has(&format!("id=\"appointment-{}\"", id(&hidden))));
    assert!(page.has(&format!("value=\"{}\" checked", c.doctors[0])));
    assert!(!page.has(&format!("value=\"{}\" checked", c.doctors[1])));
    // Remembered for this user only.
    let boss = signed_in(&app, "boss", "en").await;
    assert_eq!(columns(&boss.get(&app, &day).await.body), c.doctors);
    assert_eq!(columns(&s.get(&app, &day).await.body), vec![c.doctors[2], c.doctors[0]]);
    // Someone who is not a doctor, or not a number: refused, the choice unchanged.
    let nurse = c.nurse.to_string();
    assert_eq!(s.post(&app, "/appointments/doctors", &[("doctor", &nurse)]).await.status, 422);
    assert_eq!(s.post(&app, "/appointments/doctors", &[("doctor", "x")]).await.status, 422);
    assert_eq!(columns(&s.get(&app, &day).await.body), vec![c.doctors[2], c.doctors[0]]);
    // None chosen: every doctor again.
    let saved = s.post(&app, "/appointments/doctors", &[("date", MONDAY)]).await;
    assert_eq!(saved.status, 303);
    assert_eq!(columns(&s.get(&app, &day).await.body), c.doctors);
    // HQ reads every doctor and may not choose (it writes nothing).
    let hq = hq_session(&app, "hq", "en").await;
    assert_eq!(hq.post(&app, "/appointments/doctors", &[("doctor", &d0)]).await.status, 403);
    assert!(!hq.get(&app, &day).await.has("id=\"doctor-choice\""));
});
