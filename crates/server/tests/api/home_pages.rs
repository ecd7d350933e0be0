//! The start page of each member of staff through HTTP, on each database: a receptionist
//! sees today's arrivals (who is expected, with the button that marks that they came, and who
//! came and is waiting), a doctor their own patients of today, a manager, an admin and an HQ
//! session the day's figures (from the day report); other days' appointments never show.
//! The page stays light: its size and time are measured.
use crate::appointments::{booked, clinic, patch, post, set_status};
use crate::backend_test;
use crate::helpers::TestApp;
use crate::page_session::{Answer, hq_session, session, signed_in};
use dcms_domain::Role;
use serde_json::json;
use std::time::{Duration, Instant};

/// `hour`:00 of the day `days` from today in Ulaanbaatar (the clinic's zone), RFC 3339.
fn at(days: i64, hour: i8) -> String {
    let today = jiff::Timestamp::now()
        .in_tz("Asia/Ulaanbaatar")
        .unwrap()
        .date();
    today
        .checked_add(jiff::Span::new().days(days))
        .unwrap()
        .at(hour, 0, 0, 0)
        .in_tz("Asia/Ulaanbaatar")
        .unwrap()
        .timestamp()
        .to_string()
}

/// Minutes since midnight of today in Ulaanbaatar, RFC 3339, and now's minute.
fn today_minute(minute: i32) -> String {
    let today = jiff::Timestamp::now()
        .in_tz("Asia/Ulaanbaatar")
        .unwrap()
        .date();
    today
        .at((minute / 60) as i8, (minute % 60) as i8, 0, 0)
        .in_tz("Asia/Ulaanbaatar")
        .unwrap()
        .timestamp()
        .to_string()
}

fn minute_now() -> i32 {
    let now = jiff::Timestamp::now().in_tz("Asia/Ulaanbaatar").unwrap();
    i32::from(now.hour()) * 60 + i32::from(now.minute())
}

/// The part of the page from the element `id` to the next `</section>`.
fn section<'a>(page: &'a Answer, id: &str) -> &'a str {
    let start = page.at(&format!("id=\"{id}\""));
    let end = page.body[start..]
        .find("</section>")
        .map_or(page.body.len(), |e| start + e);
    &page.body[start..end]
}

/// The start page of `who`, its size and time checked: one page of the day in well under
/// a second and 60 KB.
async fn home(app: &TestApp, who: &crate::page_session::Session, role: &str) -> Answer {
    let started = Instant::now();
    let page = who.get(app, "/").await;
    let took = started.elapsed();
    assert_eq!(page.status, 200, "{}", page.body);
    eprintln!(
        "the start page ({role}): {} bytes in {took:?}",
        page.body.len()
    );
    assert!(
        page.body.len() < 60_000,
        "{role}: {} bytes",
        page.body.len()
    );
    assert!(took < Duration::from_secs(2), "{role}: {took:?}");
    page
}

backend_test!(spawn_app -> TestApp, async fn each_member_of_staff_sees_their_day(app) {
    let c = clinic(&app, 2, 4).await;
    let dr_user = app.create_user("dr", Role::Doctor).await;
    let (status, linked) = patch(&app, &format!("/api/v1/employees/{}", c.doctors[0]), &c.admin,
        json!({"user_id": dr_user})).await;
    assert_eq!(status, 200, "{linked}");
    // Today's visits around now, so that they may be marked came whatever the hour the test
    // runs (came is for a visit that has begun, or is about to): booked by the manager, who
    // may book the past. `s` is now (less five minutes), kept within today.
    let s = (minute_now() - 5).clamp(0, 23 * 60);
    let book = |patient: usize, doctor: usize, from: i32| {
        json!({"patient_id": c.patients[patient], "doctor_id": c.doctors[doctor],
               "start_at": today_minute(from), "end_at": today_minute(from + 30)})
    };
    let before_or_after = |minutes: i32| if s >= minutes { s - minutes } else { s + minutes };
    let expected = booked(&app, &c.manager, book(0, 0, s)).await["appointment_id"].as_i64().unwrap();
    let waiting = booked(&app, &c.manager, book(1, 1, s)).await["appointment_id"].as_i64().unwrap();
    let finished = booked(&app, &c.manager, book(2, 0, before_or_after(30))).await["appointment_id"].as_i64().unwrap();
    let canceled = booked(&app, &c.manager, book(3, 1, before_or_after(60))).await["appointment_id"].as_i64().unwrap();
    let on_day = |patient: usize, days: i64| {
        json!({"patient_id": c.patients[patient], "doctor_id": c.doctors[0], "start_at": at(days, 9)})
    };
    let tomorrow = booked(&app, &c.desk, on_day(0, 1)).await["appointment_id"].as_i64().unwrap();
    let yesterday = booked(&app, &c.manager, on_day(1, -1)).await["appointment_id"].as_i64().unwrap();
    for (id, moves) in [(waiting, &["came"][..]), (finished, &["came", "finished"]), (canceled, &["canceled"])] {
        for to in moves {
            let (status, a) = set_status(&app, &c.desk, id, to).await;
            assert_eq!(status, 200, "{a}");
        }
    }
    // A treatment today with a payment: the day's charges and payments.
    let (status, service) = post(&app, "/api/v1/services", &c.manager, json!({
        "service_type": "GEN", "display_number": 1, "doctor_display_name": "Ломбо",
        "patient_display_name": "Ломбо", "price": 30_000, "default_duration_time": 30,
    })).await;
    assert_eq!(status, 201, "{service}");
    let (status, t) = post(&app, "/api/v1/treatments", &c.manager, json!({
        "patient_id": c.patients[1], "doctor_id": c.doctors[1],
        "items": [{"service_id": service["service_id"], "scope": "none"}],
    })).await;
    assert_eq!(status, 201, "{t}");
    let (status, paid) = post(&app, &format!("/api/v1/treatments/{}/payments", t["treatment_id"]),
        &c.desk, json!({"amount": 20_000, "method": "cash"})).await;
    assert_eq!(status, 201, "{paid}");
    let row = |id: i64| format!("data-appointment-id=\"{id}\"");

    // The receptionist: today's arrivals.
    let desk = signed_in(&app, "desk", "mn").await;
    let page = home(&app, &desk, "receptionist").await;
    assert!(page.has("Өнөөдөр ирэх үйлчлүүлэгчид"), "{}", page.body);
    let coming = section(&page, "arrivals");
    let expected_rows = &coming[..coming.find("id=\"waiting-title\"").unwrap()];
    assert!(expected_rows.contains(&row(expected)), "{coming}");
    assert!(expected_rows.contains(&format!("action=\"/appointments/{expected}/status\"")));
    assert!(expected_rows.contains("name=\"status\" value=\"came\""));
    let waiting_rows = &coming[coming.find("id=\"waiting-title\"").unwrap()..];
    assert!(waiting_rows.contains(&row(waiting)) && !waiting_rows.contains("value=\"came\""), "{coming}");
    for other in [finished, canceled, tomorrow, yesterday] {
        assert!(!page.has(&row(other)), "{other} is not expected today");
    }
    assert!(page.has("id=\"count-expected\">1<") && page.has("id=\"count-waiting\">1<"));
    assert!(page.has("id=\"count-finished\">1<") && page.has("id=\"count-missed\">1<"));
    assert!(!page.has("id=\"day-figures\"") && !page.has("href=\"/reports"));
    // One click: the patient came; the page comes back with them waiting.
    let came = desk.post(&app, &format!("/appointments/{expected}/status"),
        &[("status", "came"), ("back", "/#arrivals")]).await;
    assert_eq!(came.location(), "/#arrivals");
    let page = home(&app, &desk, "receptionist").await;
    assert!(page.has("id=\"no-expected\""), "{}", page.body);
    assert!(page.has("id=\"count-waiting\">2<"));

    // A doctor: their own appointments of today, links to their patients.
    let dr = signed_in(&app, "dr", "mn").await;
    let page = home(&app, &dr, "doctor").await;
    let mine = section(&page, "my-day");
    assert!(mine.contains(&row(expected)) && mine.contains(&row(finished)), "{mine}");
    assert!(mine.contains(&format!("href=\"/patients/{}\"", c.patients[0])));
    for other in [waiting, canceled, tomorrow, yesterday] {
        assert!(!page.has(&row(other)), "{other} is not this doctor's today");
    }
    assert!(mine.contains("Дууссан") && mine.contains("Ирсэн"), "{mine}");
    // A doctor whose account is linked to no employee is told so.
    let lone = session(&app, "dr2", Role::Doctor, "en").await;
    let page = home(&app, &lone, "doctor").await;
    assert!(page.has("id=\"my-day-unlinked\""), "{}", page.body);

    // Managers, admins and HQ: the day's figures.
    let manager = signed_in(&app, "boss", "mn").await;
    let owner = signed_in(&app, "owner", "en").await;
    let hq = hq_session(&app, "hq", "mn").await;
    for (who, role) in [(&manager, "manager"), (&owner, "admin"), (&hq, "hq")] {
        let page = home(&app, who, role).await;
        let figures = section(&page, "day-figures");
        for (id, value) in [
            ("day-appointments", "4"), ("day-came", "2"), ("day-finished", "1"),
            ("day-canceled", "1"), ("day-reserved", "0"), ("day-no-show", "0"),
            ("day-new-patients", "3"), ("day-treatments", "1"),
            ("day-charges", "30 000 ₮"), ("day-paid", "20 000 ₮"),
        ] {
            assert!(figures.contains(&format!("id=\"{id}\">{value}<")), "{role} {id}: {figures}");
        }
        assert!(figures.contains("href=\"/reports?date="), "{figures}");
        assert!(!page.has(&row(expected)), "figures, not the list");
    }
});
