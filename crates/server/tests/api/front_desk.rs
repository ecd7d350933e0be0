//! The front desk through HTTP: doctors' hours and exceptions holding bookings (and a
//! manager's override), chairs (also 50 simultaneous bookings of one chair), free slots
//! against a brute-force computation over generated weeks, recalls set by treatments and
//! listed by state with their SMS, arrivals with waiting time, and the portal's requests.
use crate::appointments::{Clinic, booked, clinic, id, set_status};
use crate::backend_test;
use crate::helpers::TestApp;
use dcms_domain::Role;
use futures_util::future::join_all;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// `2030-01-07` + `day` days (0: a Monday) at `hh:mm` in Ulaanbaatar.
fn on(day: i64, hhmm: &str) -> String {
    format!("2030-01-{:02}T{hhmm}:00+08:00", 7 + day)
}

async fn chair(app: &TestApp, token: &str, name: &str, position: i64) -> i64 {
    let (status, c) = app
        .post_json(
            "/api/v1/chairs",
            token,
            json!({"name": name, "position": position}),
        )
        .await;
    assert_eq!(status, 201, "{c}");
    c["chair_id"].as_i64().unwrap()
}

fn reason(problem: &Value) -> &str {
    problem["reason"].as_str().unwrap_or_default()
}

backend_test!(spawn_app -> TestApp, async fn working_hours_and_exceptions_hold_bookings(app) {
    let c = clinic(&app, 2, 6).await;
    let (d0, d1) = (c.doctors[0], c.doctors[1]);
    let hours = format!("/api/v1/employees/{d0}/working-hours");
    // Without a template: the opening hours, and bookings as before.
    let (status, none) = app.get_json(&hours, &c.desk).await;
    assert_eq!(status, 200);
    assert_eq!(none["weekly"], json!([]));
    // Outside the opening hours (09:00-18:00 on weekdays), overlapping, end before start.
    let (status, problem) = app.call(Method::PUT, &hours, &c.manager, Some(json!({"weekly": [
        {"weekday": 1, "start": "08:00", "end": "10:00"},
        {"weekday": 2, "start": "09:00", "end": "12:00"},
        {"weekday": 2, "start": "11:00", "end": "13:00"},
        {"weekday": 3, "start": "12:00", "end": "11:00"},
        {"weekday": 8, "start": "09:00", "end": "10:00"},
    ]}))).await;
    assert_eq!(status, 422, "{problem}");
    let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["weekly[0].start", "weekly[2].start", "weekly[3].end", "weekly[4].weekday"]);
    // Receptionists read the hours but do not set them.
    let week = json!({"weekly": [
        {"weekday": 1, "start": "09:00", "end": "13:00"},
        {"weekday": 3, "start": "14:00", "end": "18:00"},
    ]});
    assert_eq!(app.call(Method::PUT, &hours, &c.desk, Some(week.clone())).await.0, 403);
    let (status, set) = app.call(Method::PUT, &hours, &c.manager, Some(week)).await;
    assert_eq!(status, 200, "{set}");
    assert_eq!(set["weekly"][1], json!({"weekday": 3, "start": "14:00", "end": "18:00", "chair_id": null}));
    assert_eq!(app.get_json(&hours, &c.desk).await.1, set);

    let body = |p: usize, d: i64, start: String| json!({"patient_id": c.patients[p], "doctor_id": d, "start_at": start});
    // Monday morning: inside.
    booked(&app, &c.desk, body(0, d0, on(0, "10:00"))).await;
    // Monday afternoon and Tuesday: outside, 409 with the reason; nothing written.
    for start in [on(0, "12:45"), on(0, "14:00"), on(1, "10:00")] {
        let (status, problem) = app.post_json("/api/v1/appointments", &c.desk, body(1, d0, start)).await;
        assert_eq!(status, 409, "{problem}");
        assert_eq!(reason(&problem), "outside_working_hours", "{problem}");
    }
    // A receptionist may not override; a manager may.
    let mut over = body(1, d0, on(0, "14:00"));
    over["override"] = json!(true);
    assert_eq!(app.post_json("/api/v1/appointments", &c.desk, over.clone()).await.0, 403);
    let overridden = booked(&app, &c.manager, over).await;
    // The other doctor has no template: any time, as before.
    booked(&app, &c.desk, body(2, d1, on(0, "19:00"))).await;

    // Exceptions: d1 on vacation on Wednesday, d0 works extra on Tuesday afternoon and has
    // Monday 09:00-11:00 off.
    let exceptions = |d: i64| format!("/api/v1/employees/{d}/exceptions");
    let (status, problem) = app.post_json(&exceptions(d0), &c.manager, json!({"date": "2030-01-08", "kind": "extra"})).await;
    assert_eq!(status, 422, "extra needs hours: {problem}");
    let (status, problem) = app.post_json(&exceptions(d0), &c.manager, json!({"date": "2030-02-30", "kind": "holiday", "start": "9", "end": "10:00"})).await;
    assert_eq!(status, 422, "{problem}");
    let (status, vacation) = app.post_json(&exceptions(d1), &c.manager, json!({"date": "2030-01-09", "kind": "vacation", "note": "Амралт"})).await;
    assert_eq!(status, 201, "{vacation}");
    let (status, extra) = app.post_json(&exceptions(d0), &c.manager, json!({"date": "2030-01-08", "kind": "extra", "start": "15:00", "end": "17:00"})).await;
    assert_eq!(status, 201, "{extra}");
    let (status, _) = app.post_json(&exceptions(d0), &c.manager, json!({"date": "2030-01-07", "kind": "off", "start": "09:00", "end": "11:00"})).await;
    assert_eq!(status, 201);
    let (status, problem) = app.post_json("/api/v1/appointments", &c.desk, body(3, d1, on(2, "10:00"))).await;
    assert_eq!((status, reason(&problem)), (409, "outside_working_hours"), "{problem}");
    booked(&app, &c.desk, body(3, d0, on(1, "15:30"))).await;
    let (status, problem) = app.post_json("/api/v1/appointments", &c.desk, body(4, d0, on(0, "11:00").replace("11:00", "10:30"))).await;
    assert_eq!((status, reason(&problem)), (409, "outside_working_hours"), "{problem}");
    booked(&app, &c.desk, body(4, d0, on(0, "11:00"))).await;
    // Moving into hours the doctor does not work is refused too.
    let (status, problem) = app.patch_json(&format!("/api/v1/appointments/{}", id(&overridden)), &c.desk, json!({"start_at": on(1, "10:00")})).await;
    assert_eq!((status, reason(&problem)), (409, "outside_working_hours"), "{problem}");
    // Listing and removing an exception.
    let (_, list) = app.get_json(&format!("{}?from=2030-01-01&to=2030-01-31", exceptions(d1)), &c.desk).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list["items"][0]["kind"], "vacation");
    let gone = format!("{}/{}", exceptions(d1), vacation["exception_id"]);
    assert_eq!(app.call(Method::DELETE, &format!("{}/{}", exceptions(d0), vacation["exception_id"]), &c.manager, None).await.0, 404);
    assert_eq!(app.call(Method::DELETE, &gone, &c.manager, None).await.0, 204);
    booked(&app, &c.desk, body(3, d1, on(2, "10:00"))).await;
    let rows = app.audit_rows(&c.manager, "working_hours", d0).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
});

backend_test!(spawn_app -> TestApp, async fn fifty_doctors_race_for_one_chair(app) {
    let c = clinic(&app, 50, 50).await;
    let chair_id = chair(&app, &c.manager, "Кабинет 1", 1).await;
    // Chairs: listed by everyone who books, changed by managers.
    assert_eq!(app.post_json("/api/v1/chairs", &c.desk, json!({"name": "X"})).await.0, 403);
    let (status, problem) = app.post_json("/api/v1/chairs", &c.manager, json!({"name": "Кабинет 1"})).await;
    assert_eq!(status, 422, "{problem}");
    let bodies: Vec<Value> = (0..50).map(|i| json!({
        "patient_id": c.patients[i], "doctor_id": c.doctors[i], "chair_id": chair_id,
        "start_at": on(0, "10:00"), "end_at": on(0, "10:30"),
    })).collect();
    let requests = bodies.into_iter().map(|body| {
        let request = app.with_token(Method::POST, "/api/v1/appointments", &c.desk).json(&body);
        async move {
            let r = request.send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    });
    let results = join_all(requests).await;
    let winners: Vec<&Value> = results.iter().filter(|(s, _)| *s == 201).map(|(_, v)| v).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    let winner = id(winners[0]);
    for (status, problem) in results.iter().filter(|(s, _)| *s != 201) {
        assert_eq!(*status, 409, "{problem}");
        assert_eq!(reason(problem), "chair_taken", "{problem}");
        assert_eq!(problem["conflicting_appointment_id"], winner, "{problem}");
    }
    let (_, page) = app.get_json("/api/v1/appointments?from=2030-01-07&to=2030-01-07", &c.desk).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1, "{page}");
    assert_eq!(page["items"][0]["chair_id"], chair_id);
    // Back to back in the chair is fine; a deactivated chair takes no booking.
    booked(&app, &c.desk, json!({"patient_id": c.patients[1], "doctor_id": c.doctors[1], "chair_id": chair_id, "start_at": on(0, "10:30")})).await;
    let (status, _) = app.patch_json(&format!("/api/v1/chairs/{chair_id}"), &c.manager, json!({"active": false})).await;
    assert_eq!(status, 200);
    let (status, problem) = app.post_json("/api/v1/appointments", &c.desk, json!({"patient_id": c.patients[2], "doctor_id": c.doctors[2], "chair_id": chair_id, "start_at": on(0, "12:00")})).await;
    assert_eq!(status, 422, "{problem}");
    let (_, chairs) = app.get_json("/api/v1/chairs", &c.desk).await;
    assert_eq!(chairs["items"][0]["active"], false);
});

// --- free slots against brute force ----------------------------------------------------------

/// A template interval: (weekday 1..7, start, end, chair).
type Interval = (i64, u32, u32, Option<i64>);
/// An exception: (doctor index, day 0..7, kind, hours).
type Exception = (usize, i64, &'static str, Option<(u32, u32)>);

/// What a generated week holds, as the brute force reads it.
#[derive(Default)]
struct Week {
    /// Per doctor: None (no template) or the intervals `(weekday 1..7, start, end, chair)`.
    templates: Vec<Option<Vec<Interval>>>,
    /// `(doctor index, day 0..7, kind, hours)`.
    exceptions: Vec<Exception>,
    /// `(doctor id, chair, start minute of the week, end minute of the week)`.
    appointments: Vec<(i64, Option<i64>, u32, u32)>,
}

/// The default opening hours: Monday to Friday 09:00-18:00, Saturday 10:00-15:00.
fn opening(weekday: i64) -> Option<(u32, u32)> {
    match weekday {
        1..=5 => Some((540, 1080)),
        6 => Some((600, 900)),
        _ => None,
    }
}

fn hhmm(m: u32) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// Whether the doctor works the minute `m` of day `day` (brute force, minute by minute).
fn works(week: &Week, doctor: usize, day: i64, m: u32) -> bool {
    let weekday = day + 1;
    let open = opening(weekday).is_some_and(|(s, e)| s <= m && m < e);
    let mut working = match &week.templates[doctor] {
        None => open,
        Some(t) => {
            open && t
                .iter()
                .any(|&(wd, s, e, _)| wd == weekday && s <= m && m < e)
        }
    };
    for &(d, x_day, kind, hours) in &week.exceptions {
        if d != doctor || x_day != day || kind == "extra" {
            continue;
        }
        if hours.is_none_or(|(s, e)| s <= m && m < e) {
            working = false;
        }
    }
    working
        || week.exceptions.iter().any(|&(d, x_day, kind, hours)| {
            d == doctor
                && x_day == day
                && kind == "extra"
                && hours.is_some_and(|(s, e)| s <= m && m < e)
        })
}

/// The slots `(local HH:MM, doctor, chair)` of `day` by brute force.
fn brute_force(
    week: &Week,
    doctors: &[i64],
    chairs: &[i64],
    day: i64,
    minutes: u32,
    doctor: Option<i64>,
    chair: Option<i64>,
) -> BTreeSet<(String, i64, Option<i64>)> {
    let mut slots = BTreeSet::new();
    let base = day as u32 * 1440;
    let chairs: Vec<i64> = match chair {
        Some(c) => vec![c],
        None => chairs.to_vec(),
    };
    for (i, &d) in doctors.iter().enumerate() {
        if doctor.is_some_and(|x| x != d) {
            continue;
        }
        for t in (0..1440).step_by(15) {
            if t + minutes > 1440 || !(t..t + minutes).all(|m| works(week, i, day, m)) {
                continue;
            }
            let (s, e) = (base + t, base + t + minutes);
            let busy = |f: &dyn Fn(i64, Option<i64>) -> bool| {
                week.appointments
                    .iter()
                    .any(|&(ad, ac, as_, ae)| f(ad, ac) && as_ < e && s < ae)
            };
            if busy(&|ad, _| ad == d) {
                continue;
            }
            let usual = week.templates[i]
                .as_ref()
                .and_then(|tpl| {
                    tpl.iter()
                        .find(|&&(wd, ts, te, _)| wd == day + 1 && ts <= t && t < te)
                })
                .and_then(|x| x.3)
                .filter(|c| chairs.contains(c));
            let picked = if chairs.is_empty() {
                Some(None)
            } else {
                usual
                    .into_iter()
                    .chain(chairs.iter().copied())
                    .find(|&c| !busy(&|_, ac| ac == Some(c)))
                    .map(Some)
            };
            if let Some(c) = picked {
                slots.insert((hhmm(t), d, c));
            }
        }
    }
    slots
}

backend_test!(spawn_app -> TestApp, async fn free_slots_equal_a_brute_force_over_generated_weeks(app) {
    let c: Clinic = clinic(&app, 3, 60).await;
    let chairs = vec![chair(&app, &c.manager, "A", 1).await, chair(&app, &c.manager, "B", 2).await];
    let (mut compared, mut days_without) = (0, 0);
    for seed in [7_u64, 2030] {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut week = Week::default();
        // Templates: two doctors of three have one; a weekday gets zero to two intervals
        // inside its opening hours, starting on any five minutes, sometimes with a chair.
        for (i, &d) in c.doctors.iter().enumerate() {
            let template = (i < 2).then(|| {
                let mut t = Vec::new();
                for weekday in 1..=6 {
                    let Some((open, close)) = opening(weekday) else { continue };
                    let mut from = open;
                    for _ in 0..rng.gen_range(0..=2) {
                        let start = from + 5 * rng.gen_range(0..12);
                        let end = (start + 30 + 5 * rng.gen_range(0..40)).min(close);
                        if start >= end { break; }
                        let chair = rng.gen_bool(0.5).then(|| chairs[rng.gen_range(0..2)]);
                        t.push((weekday, start, end, chair));
                        from = end;
                    }
                }
                t
            });
            let weekly: Vec<Value> = template.iter().flatten().map(|&(wd, s, e, ch)| json!({"weekday": wd, "start": hhmm(s), "end": hhmm(e), "chair_id": ch})).collect();
            let (status, answer) = app.call(Method::PUT, &format!("/api/v1/employees/{d}/working-hours"), &c.manager, Some(json!({"weekly": weekly}))).await;
            assert_eq!(status, 200, "{answer}");
            week.templates.push(template);
        }
        // Exceptions of the week.
        for (i, &d) in c.doctors.iter().enumerate() {
            let (_, old) = app.get_json(&format!("/api/v1/employees/{d}/exceptions"), &c.manager).await;
            for x in old["items"].as_array().unwrap() {
                app.call(Method::DELETE, &format!("/api/v1/employees/{d}/exceptions/{}", x["exception_id"]), &c.manager, None).await;
            }
            for _ in 0..rng.gen_range(0..=3) {
                let day = rng.gen_range(0..7);
                let kind = ["off", "vacation", "sick", "extra"][rng.gen_range(0..4)];
                let hours = (kind == "extra" || rng.gen_bool(0.5)).then(|| {
                    let s = 8 * 60 + 5 * rng.gen_range(0..120);
                    (s, s + 15 + 5 * rng.gen_range(0..30))
                });
                let mut body = json!({"date": format!("2030-01-{:02}", 7 + day), "kind": kind});
                if let Some((s, e)) = hours {
                    body["start"] = json!(hhmm(s));
                    body["end"] = json!(hhmm(e));
                }
                let (status, x) = app.post_json(&format!("/api/v1/employees/{d}/exceptions"), &c.manager, body).await;
                assert_eq!(status, 201, "{x}");
                week.exceptions.push((i, day, kind, hours));
            }
        }
        // Appointments booked with the manager's override, anywhere; some canceled.
        let (_, old) = app.get_json("/api/v1/appointments?from=2030-01-07&to=2030-01-13&status=reserved&limit=500", &c.manager).await;
        for a in old["items"].as_array().unwrap() {
            set_status(&app, &c.manager, id(a), "canceled").await;
        }
        for p in 0..40 {
            let day = rng.gen_range(0..7);
            let start = 8 * 60 + 5 * rng.gen_range(0..132);
            let end = start + 15 + 5 * rng.gen_range(0..16);
            let doctor = c.doctors[rng.gen_range(0..3)];
            let chair = rng.gen_bool(0.6).then(|| chairs[rng.gen_range(0..2)]);
            let (status, a) = app.post_json("/api/v1/appointments", &c.manager, json!({
                "patient_id": c.patients[p + 20 * (seed as usize % 2)], "doctor_id": doctor, "chair_id": chair,
                "start_at": on(day, &hhmm(start)), "end_at": on(day, &hhmm(end)), "override": true,
            })).await;
            if status != 201 {
                assert_eq!(status, 409, "{a}");
                continue;
            }
            if rng.gen_bool(0.2) {
                assert_eq!(set_status(&app, &c.manager, id(&a), "canceled").await.0, 200);
                continue;
            }
            week.appointments.push((doctor, chair, day as u32 * 1440 + start, day as u32 * 1440 + end));
        }
        // Every day, three durations, every doctor or one, any chair or one.
        for day in 0..7 {
            for minutes in [15, 30, 50] {
                for (doctor, chair) in [(None, None), (Some(c.doctors[1]), None), (None, Some(chairs[1]))] {
                    let mut path = format!("/api/v1/free-slots?date=2030-01-{:02}&duration_minutes={minutes}", 7 + day);
                    if let Some(d) = doctor { path += &format!("&doctor_id={d}"); }
                    if let Some(ch) = chair { path += &format!("&chair_id={ch}"); }
                    let (status, answer) = app.get_json(&path, &c.desk).await;
                    assert_eq!(status, 200, "{answer}");
                    let got: BTreeSet<(String, i64, Option<i64>)> = answer["slots"].as_array().unwrap().iter().map(|s| {
                        let start = s["start_at"].as_str().unwrap();
                        assert!(start.ends_with("+08:00"), "{start}");
                        (start[11..16].to_owned(), s["doctor_id"].as_i64().unwrap(), s["chair_id"].as_i64())
                    }).collect();
                    let want = brute_force(&week, &c.doctors, &chairs, day, minutes, doctor, chair);
                    assert_eq!(got, want, "seed {seed}, day {day}, {minutes} minutes, doctor {doctor:?}, chair {chair:?}");
                    compared += got.len();
                    days_without += usize::from(got.is_empty());
                }
            }
        }
    }
    // The weeks had free time to compare, and days without any.
    assert!(compared > 500 && days_without > 0, "{compared} slots, {days_without} empty answers");
    // Bad input: 400 without a date, 422 for a duration, 404 for an unknown doctor.
    assert_eq!(app.get_json("/api/v1/free-slots", &c.desk).await.0, 400);
    assert_eq!(app.get_json("/api/v1/free-slots?date=2030-01-07&duration_minutes=0", &c.desk).await.0, 422);
    assert_eq!(app.get_json("/api/v1/free-slots?date=2030-01-07&doctor_id=999999", &c.desk).await.0, 404);
    assert_eq!(app.get_json("/api/v1/free-slots?date=2030-01-07&chair_id=999999", &c.desk).await.0, 422);
});

// --- recalls -------------------------------------------------------------------------------------

async fn outbox_count(app: &TestApp, token: &str) -> usize {
    let (status, page) = app.get_json("/api/v1/sms-outbox?limit=500", token).await;
    assert_eq!(status, 200, "{page}");
    page["items"].as_array().unwrap().len()
}

backend_test!(spawn_app -> TestApp, async fn recalls_set_by_treatments_listed_and_contacted(app) {
    let c = clinic(&app, 1, 3).await;
    app.create_user("dr", Role::Doctor).await;
    let doctor = app.token("dr").await;
    let (status, checkup) = app.post_json("/api/v1/services", &c.manager, json!({
        "service_type": "GEN", "display_number": 1, "doctor_display_name": "Үзлэг",
        "patient_display_name": "Урьдчилан сэргийлэх үзлэг", "price": 20000, "recall_months": 6,
    })).await;
    assert_eq!(status, 201, "{checkup}");
    assert_eq!(checkup["recall_months"], 6);
    let checkup = checkup["service_id"].as_i64().unwrap();
    let (status, problem) = app.patch_json(&format!("/api/v1/services/{checkup}"), &c.manager, json!({"recall_months": 61})).await;
    assert_eq!(status, 422, "{problem}");
    // Treated a year ago (overdue by now), and today (due in six months).
    let treat = |patient: i64, date: Option<&str>| {
        let mut body = json!({"patient_id": patient, "doctor_id": c.doctors[0], "items": [{"service_id": checkup, "scope": "full_mouth"}]});
        if let Some(date) = date { body["treatment_date"] = json!(date); }
        body
    };
    let (status, t) = app.post_json("/api/v1/treatments", &doctor, treat(c.patients[0], Some("2025-01-06T10:00:00+08:00"))).await;
    assert_eq!(status, 201, "{t}");
    let (status, t) = app.post_json("/api/v1/treatments", &doctor, treat(c.patients[1], None)).await;
    assert_eq!(status, 201, "{t}");
    let (_, all) = app.get_json("/api/v1/recalls", &c.desk).await;
    let items = all["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{all}");
    assert_eq!(items[0]["patient_id"], c.patients[0]);
    assert_eq!(items[0]["due_date"], "2025-07-06");
    assert_eq!(items[0]["overdue"], true);
    assert!(items[0]["primary_phone"].as_str().unwrap().ends_with("99000000"), "{all}");
    assert_eq!(items[0]["service_name"], "Үзлэг");
    assert_eq!(items[1]["overdue"], false);
    let overdue = items[0]["recall_id"].as_i64().unwrap();
    let (_, list) = app.get_json("/api/v1/recalls?state=overdue", &c.desk).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    let (_, list) = app.get_json("/api/v1/recalls?state=due&due_from=2026-01-01", &c.desk).await;
    assert_eq!(list["items"][0]["patient_id"], c.patients[1], "{list}");
    assert_eq!(app.get_json("/api/v1/recalls?state=soon", &c.desk).await.0, 422);

    // One SMS per click, through the outbox; a call logged; the last contact kept.
    let before = outbox_count(&app, &c.desk).await;
    let contacts = format!("/api/v1/recalls/{overdue}/contacts");
    let (status, sent) = app.post_json(&contacts, &c.desk, json!({"channel": "sms"})).await;
    assert_eq!(status, 201, "{sent}");
    assert_eq!(outbox_count(&app, &c.desk).await, before + 1);
    let (_, page) = app.get_json("/api/v1/sms-outbox?limit=500", &c.desk).await;
    let text = page["items"].as_array().unwrap().iter().find(|o| o["sms_outbox_id"] == sent["sms_outbox_id"]).unwrap()["sms_text"].as_str().unwrap().to_owned();
    assert!(text.contains("Нэр0") && text.contains("Үзлэг") && text.contains("2025-07-06"), "{text}");
    app.post_json(&contacts, &c.desk, json!({"channel": "sms"})).await;
    assert_eq!(outbox_count(&app, &c.desk).await, before + 2);
    let (status, call) = app.post_json(&contacts, &c.desk, json!({"channel": "call", "note": "Утсаа авсангүй"})).await;
    assert_eq!(status, 201, "{call}");
    assert_eq!(call["sms_outbox_id"], Value::Null);
    assert_eq!(outbox_count(&app, &c.desk).await, before + 2);
    assert_eq!(app.post_json(&contacts, &c.desk, json!({"channel": "fax"})).await.0, 422);
    let (_, list) = app.get_json("/api/v1/recalls?state=overdue", &c.desk).await;
    assert!(list["items"][0]["last_contact_at"].is_string(), "{list}");

    // Booking marks it booked; canceling returns it to due; stopping stops it.
    let a = booked(&app, &c.desk, json!({"patient_id": c.patients[0], "doctor_id": c.doctors[0], "start_at": on(0, "10:00")})).await;
    let (_, list) = app.get_json("/api/v1/recalls?state=booked", &c.desk).await;
    assert_eq!(list["items"][0]["appointment_id"], id(&a), "{list}");
    assert_eq!(set_status(&app, &c.desk, id(&a), "canceled").await.0, 200);
    let (_, list) = app.get_json("/api/v1/recalls?state=overdue", &c.desk).await;
    assert_eq!(list["items"][0]["recall_id"], overdue, "{list}");
    let (status, stopped) = app.patch_json(&format!("/api/v1/recalls/{overdue}"), &c.desk, json!({"state": "stopped"})).await;
    assert_eq!((status, stopped["state"].as_str()), (200, Some("stopped")), "{stopped}");
    let (_, list) = app.get_json("/api/v1/recalls?state=stopped", &c.desk).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    // Doing the service again sets the recall anew.
    let (status, _) = app.post_json("/api/v1/treatments", &doctor, treat(c.patients[0], None)).await;
    assert_eq!(status, 201);
    let (_, list) = app.get_json(&format!("/api/v1/recalls?patient_id={}", c.patients[0]), &c.desk).await;
    assert_eq!(list["items"][0]["state"], "due", "{list}");
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let rows = app.audit_rows(&c.manager, "recall", overdue).await;
    assert!(rows.len() >= 4, "{rows:?}");
});

backend_test!(spawn_app -> TestApp, async fn arrivals_show_who_waits_and_for_how_long(app) {
    let c = clinic(&app, 2, 3).await;
    let now = jiff::Timestamp::now();
    let start = |minutes_ago: i64| (now - jiff::SignedDuration::from_mins(minutes_ago)).to_string();
    // Booked by a manager a little in the past (a visit that started), then came.
    let a = booked(&app, &c.manager, json!({"patient_id": c.patients[0], "doctor_id": c.doctors[0], "start_at": start(20), "override": true})).await;
    let b = booked(&app, &c.manager, json!({"patient_id": c.patients[1], "doctor_id": c.doctors[1], "start_at": start(10), "override": true})).await;
    booked(&app, &c.manager, json!({"patient_id": c.patients[2], "doctor_id": c.doctors[0], "start_at": start(-300), "override": true})).await;
    let (_, empty) = app.get_json("/api/v1/arrivals", &c.desk).await;
    assert_eq!(empty["items"], json!([]), "{empty}");
    let (status, came) = set_status(&app, &c.desk, id(&a), "came").await;
    assert_eq!(status, 200, "{came}");
    assert!(came["arrived_at"].is_string(), "{came}");
    set_status(&app, &c.desk, id(&b), "came").await;
    let (status, list) = app.get_json("/api/v1/arrivals", &c.desk).await;
    assert_eq!(status, 200, "{list}");
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{list}");
    assert_eq!(items[0]["appointment_id"], id(&a));
    assert!(items[0]["minutes_waited"].as_i64().unwrap() >= 0);
    assert!(items[0]["doctor_name"].is_string() && items[0]["patient_name"].is_string());
    // Finished: out of the waiting room.
    app.post_json(&format!("/api/v1/appointments/{}/status", id(&a)), &c.manager, json!({"status": "finished", "reason": "шалгалт"})).await;
    let (_, list) = app.get_json("/api/v1/arrivals", &c.desk).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(app.get_json("/api/v1/arrivals?date=2030-13-01", &c.desk).await.0, 400);
});

backend_test!(spawn_app -> TestApp, async fn portal_requests_booked_and_declined(app) {
    let c = clinic(&app, 1, 3).await;
    for (name, patient) in [("bold", c.patients[0]), ("saraa", c.patients[1])] {
        let user = app.create_user(name, Role::Patient).await;
        let (status, linked) = app.patch_json(&format!("/api/v1/patients/{patient}"), &c.admin, json!({"user_id": user})).await;
        assert_eq!(status, 200, "{linked}");
    }
    let bold = app.token("bold").await;
    let saraa = app.token("saraa").await;
    let ask = json!({"preferred": [{"date": "2030-01-07", "from": "10:00", "to": "12:00"}, {"date": "2030-01-08"}], "reason": "Шүд өвдөж байна"});
    let mut asked = Vec::new();
    for _ in 0..3 {
        let (status, r) = app.post_json("/api/v1/me/appointment-requests", &bold, ask.clone()).await;
        assert_eq!(status, 201, "{r}");
        assert_eq!(r["status"], "open");
        asked.push(r["request_id"].as_i64().unwrap());
    }
    let (status, problem) = app.post_json("/api/v1/me/appointment-requests", &bold, ask.clone()).await;
    assert_eq!(status, 429, "{problem}");
    // Bad input changes nothing.
    for bad in [json!({"preferred": []}), json!({"preferred": [{"date": "2020-01-01"}]}), json!({"preferred": [{"date": "2030-01-07", "from": "12:00", "to": "10:00"}]})] {
        let (status, problem) = app.post_json("/api/v1/me/appointment-requests", &saraa, bad).await;
        assert_eq!(status, 422, "{problem}");
    }
    let (status, theirs) = app.post_json("/api/v1/me/appointment-requests", &saraa, json!({"preferred": [{"date": "2030-01-09"}]})).await;
    assert_eq!(status, 201, "{theirs}");
    // Each patient sees only their own; staff see all; patients cannot list all.
    let (_, mine) = app.get_json("/api/v1/me/appointment-requests", &saraa).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1, "{mine}");
    assert_eq!(app.get_json("/api/v1/appointment-requests", &saraa).await.0, 403);
    let (_, open) = app.get_json("/api/v1/appointment-requests?status=open", &c.desk).await;
    assert_eq!(open["items"].as_array().unwrap().len(), 4, "{open}");

    let sms_before = outbox_count(&app, &c.desk).await;
    let (status, a) = app.post_json(&format!("/api/v1/appointment-requests/{}/book", asked[0]), &c.desk,
        json!({"doctor_id": c.doctors[0], "start_at": on(0, "10:30")})).await;
    assert_eq!(status, 201, "{a}");
    assert_eq!(a["patient_id"], c.patients[0]);
    let (status, problem) = app.post_json(&format!("/api/v1/appointment-requests/{}/book", asked[0]), &c.desk,
        json!({"doctor_id": c.doctors[0], "start_at": on(0, "11:30")})).await;
    assert_eq!(status, 409, "answered already: {problem}");
    // A booking refused (the slot is taken) leaves the request open.
    let (status, _) = app.post_json(&format!("/api/v1/appointment-requests/{}/book", asked[1]), &c.desk,
        json!({"doctor_id": c.doctors[0], "start_at": on(0, "10:30")})).await;
    assert_eq!(status, 409);
    assert_eq!(app.post_json(&format!("/api/v1/appointment-requests/{}/decline", asked[1]), &c.desk, json!({})).await.0, 422);
    let (status, declined) = app.post_json(&format!("/api/v1/appointment-requests/{}/decline", asked[1]), &c.desk, json!({"reason": "Эмч амралттай"})).await;
    assert_eq!(status, 200, "{declined}");
    assert_eq!(declined["status"], "declined");
    assert_eq!(app.post_json(&format!("/api/v1/appointment-requests/{}/decline", asked[1]), &c.desk, json!({"reason": "x"})).await.0, 409);
    assert_eq!(outbox_count(&app, &c.desk).await, sms_before + 2);
    let (_, mine) = app.get_json("/api/v1/me/appointment-requests", &bold).await;
    let items = mine["items"].as_array().unwrap();
    assert_eq!(items[0]["status"], "booked");
    assert_eq!(items[0]["appointment_id"], id(&a));
    assert_eq!(items[1]["status"], "declined");
    assert_eq!(items[1]["answer"], "Эмч амралттай");
    // Answered requests free the limit.
    let (status, _) = app.post_json("/api/v1/me/appointment-requests", &bold, ask).await;
    assert_eq!(status, 201);
});
