//! Appointments through HTTP: default durations and ranges, who booked, new patients, no
//! overlaps per doctor and per patient (also under 50 simultaneous bookings), the status
//! machine, moves, lists, free slots (bookings, opening hours, closing time, the past, a DST
//! change), and a patient's own appointments.
use crate::backend_test;
use crate::helpers::{PASSWORD, TestApp, rn};
use dcms_domain::Role;
use futures_util::future::join_all;
use jiff::Timestamp;
use reqwest::Method;
use serde_json::{Value, json};

/// `2030-01-07` (a Monday) at `hh:mm` in Ulaanbaatar.
fn at(hhmm: &str) -> String {
    format!("2030-01-07T{hhmm}:00+08:00")
}

/// `2025-01-06` (a Monday, in the past) at `hh:mm` in Ulaanbaatar: a day whose
/// appointments may come, finish or be missed (booked by a manager or an admin).
pub(crate) fn past(hhmm: &str) -> String {
    format!("2025-01-06T{hhmm}:00+08:00")
}

pub(crate) fn id(value: &Value) -> i64 {
    value["appointment_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no appointment_id in {value}"))
}

// The page tests import `get`, `post` and `patch` from here; they are the `TestApp` methods.

pub(crate) async fn get(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    app.get_json(path, token).await
}

pub(crate) async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> (u16, Value) {
    app.post_json(path, token, body).await
}

pub(crate) async fn patch(app: &TestApp, path: &str, token: &str, body: Value) -> (u16, Value) {
    app.patch_json(path, token, body).await
}

/// The people of a small clinic: a manager, a receptionist linked to an employee, doctors
/// and patients.
pub(crate) struct Clinic {
    /// An admin: links user accounts to employees and patients.
    pub(crate) admin: String,
    pub(crate) manager: String,
    pub(crate) desk: String,
    pub(crate) desk_employee: i64,
    pub(crate) doctors: Vec<i64>,
    pub(crate) patients: Vec<i64>,
    /// An employee who may not be a doctor (no clinical position).
    pub(crate) nurse: i64,
}

fn two_phones(i: u32) -> Value {
    json!([
        {"number": format!("99{:06}", i), "label": "Self", "is_primary": true},
        {"number": format!("88{:06}", i), "label": "Home", "is_primary": false},
    ])
}

async fn employee(app: &TestApp, manager: &str, i: u32, extra: Value) -> i64 {
    let mut body = json!({
        "first_name": format!("Ажилтан{i}"),
        "last_name": "Бат",
        "gender": "female",
        "phones": two_phones(500 + i),
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (status, e) = app.post_json("/api/v1/employees", manager, body).await;
    assert_eq!(status, 201, "{e}");
    e["employee_id"].as_i64().unwrap()
}

async fn add_patients(app: &TestApp, token: &str, from: u32, count: u32) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in from..from + count {
        let (status, p) = app
            .post_json(
                "/api/v1/patients",
                token,
                json!({
                    "register_number": rn(i),
                    "first_name": format!("Нэр{i}"),
                    "last_name": "Дорж",
                    "phones": two_phones(i),
                }),
            )
            .await;
        assert_eq!(status, 201, "{p}");
        ids.push(p["patient_id"].as_i64().unwrap());
    }
    ids
}

pub(crate) async fn clinic(app: &TestApp, doctors: u32, patients: u32) -> Clinic {
    let manager = app.login("boss", Role::Manager).await;
    let (status, position) = app.post_json("/api/v1/positions",
        &manager,
        json!({"position_type": "DENTIST", "display_name": "Шүдний эмч", "category": "clinical"}),
    )
    .await;
    assert_eq!(status, 201, "{position}");
    let dentist = position["position_id"].as_i64().unwrap();
    let mut ids = Vec::new();
    for i in 0..doctors {
        ids.push(
            employee(
                app,
                &manager,
                i,
                json!({"positions": [{"position_id": dentist, "is_primary": true}]}),
            )
            .await,
        );
    }
    let desk_user = app.create_user("desk", Role::Receptionist).await;
    let admin = app.login("owner", Role::Admin).await;
    let desk_employee = employee(app, &admin, 90, json!({"user_id": desk_user})).await;
    let nurse = employee(app, &manager, 91, json!({})).await;
    let desk = app.token("desk").await;
    let patients = add_patients(app, &desk, 0, patients).await;
    Clinic {
        admin,
        manager,
        desk,
        desk_employee,
        doctors: ids,
        patients,
        nurse,
    }
}

async fn book(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    app.post_json("/api/v1/appointments", token, body).await
}

/// Books and returns the appointment (asserting 201).
pub(crate) async fn booked(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, a) = book(app, token, body).await;
    assert_eq!(status, 201, "{a}");
    a
}

pub(crate) async fn set_status(
    app: &TestApp,
    token: &str,
    appointment: i64,
    status: &str,
) -> (u16, Value) {
    app.post_json(
        &format!("/api/v1/appointments/{appointment}/status"),
        token,
        json!({"status": status}),
    )
    .await
}

/// Asserts a 409 double booking naming `conflicting`.
fn assert_overlap(status: u16, problem: &Value, conflicting: i64) {
    assert_eq!(status, 409, "{problem}");
    assert_eq!(
        problem["type"], "urn:dcms:problem:double-booking",
        "{problem}"
    );
    assert_eq!(
        problem["conflicting_appointment_id"], conflicting,
        "{problem}"
    );
}

backend_test!(spawn_app -> TestApp, async fn booking_defaults_ranges_and_who_booked(app) {
    let c = clinic(&app, 2, 3).await;
    let (d, p) = (c.doctors[0], c.patients[0]);

    // No end: 30 minutes; the receptionist is the desk's employee.
    let a = booked(&app, &c.desk, json!({
        "patient_id": p, "doctor_id": d, "start_at": at("10:00"), "note": "  эхний үзлэг  ",
    })).await;
    assert_eq!(ts(&a["start_at"]), at("10:00").parse::<Timestamp>().unwrap());
    assert_eq!(ts(&a["end_at"]), at("10:30").parse::<Timestamp>().unwrap());
    assert_eq!(a["status"], "reserved");
    assert_eq!(a["patient_id"], p);
    assert_eq!(a["doctor_id"], d);
    assert_eq!(a["receptionist_id"], c.desk_employee);
    assert_eq!(a["is_new_patient"], true);
    assert_eq!(a["planned_service_id"], Value::Null);
    assert_eq!(a["note"], "эхний үзлэг");
    assert_eq!(a["created_at"], a["updated_at"]);
    let (status, again) = app.get_json(&format!("/api/v1/appointments/{}", id(&a)), &c.desk).await;
    assert_eq!(status, 200);
    assert_eq!(again, a, "GET answers what POST did");
    assert_eq!(app.get_json("/api/v1/appointments/999999", &c.desk).await.0, 404);

    // A user without an employee books with receptionist_id null; an explicit end is kept.
    let b = booked(&app, &c.manager, json!({
        "patient_id": c.patients[1], "doctor_id": d, "start_at": at("11:00"), "end_at": at("11:50"),
    })).await;
    assert_eq!(b["receptionist_id"], Value::Null);
    assert_eq!(ts(&b["end_at"]), at("11:50").parse::<Timestamp>().unwrap());

    // The planned service's default duration; a deactivated or unknown service is 422.
    let (status, service) = app.post_json("/api/v1/services", &c.manager, json!({
        "service_type": "ORTHO", "display_number": 1, "doctor_display_name": "Сувгийн эмчилгээ",
        "patient_display_name": "Сувгийн эмчилгээ", "price": 120000, "default_duration_time": 45,
    })).await;
    assert_eq!(status, 201, "{service}");
    let service_id = service["service_id"].as_i64().unwrap();
    let s = booked(&app, &c.desk, json!({
        "patient_id": c.patients[2], "doctor_id": d, "start_at": at("13:00"), "planned_service_id": service_id,
    })).await;
    assert_eq!(s["planned_service_id"], service_id);
    assert_eq!(ts(&s["end_at"]), at("13:45").parse::<Timestamp>().unwrap());
    let (status, off) = app.patch_json(&format!("/api/v1/services/{service_id}"), &c.manager, json!({"is_active": false})).await;
    assert_eq!(status, 200, "{off}");
    let (status, problem) = book(&app, &c.desk, json!({
        "patient_id": c.patients[2], "doctor_id": d, "start_at": at("15:00"), "planned_service_id": service_id,
    })).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(error_fields(&problem), ["planned_service_id"]);
    let (status, problem) = book(&app, &c.desk, json!({
        "patient_id": c.patients[2], "doctor_id": d, "start_at": at("15:00"), "planned_service_id": 999999,
    })).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(error_fields(&problem), ["planned_service_id"]);

    // Ranges: the end must be after the start, at most a day later.
    for end in [at("15:00"), at("14:59")] {
        let (status, problem) = book(&app, &c.desk, json!({
            "patient_id": p, "doctor_id": d, "start_at": at("15:00"), "end_at": end,
        })).await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(error_fields(&problem), ["end_at"]);
    }
    let (status, problem) = book(&app, &c.desk, json!({
        "patient_id": p, "doctor_id": d, "start_at": at("15:00"), "end_at": "2030-01-08T15:01:00+08:00",
    })).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["end_at"]);

    // Missing and malformed fields, all at once; unknown patient; not a doctor.
    let (status, problem) = book(&app, &c.desk, json!({"note": "?"})).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["doctor_id", "patient_id", "start_at"]);
    let (status, problem) = book(&app, &c.desk, json!({
        "patient_id": p, "doctor_id": d, "start_at": "2030-01-07 15:00", "end_at": "soon",
    })).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["end_at", "start_at"]);
    let (status, problem) = book(&app, &c.desk, json!({
        "patient_id": 999999, "doctor_id": c.nurse, "start_at": at("15:00"),
    })).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(error_fields(&problem), ["doctor_id", "patient_id"]);
    let (status, problem) = book(&app, &c.desk, json!({
        "patient_id": p, "doctor_id": 999999, "start_at": at("15:00"),
    })).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["doctor_id"]);

    // HQ reads but never books.
    let hq = app.token_from(json!({"username": "boss", "password": PASSWORD, "session_type": "hq"})).await;
    assert_eq!(app.get_json(&format!("/api/v1/appointments/{}", id(&a)), &hq).await.0, 200);
    let (status, _) = book(&app, &hq, json!({"patient_id": p, "doctor_id": d, "start_at": at("16:00")})).await;
    assert_eq!(status, 403);

    // The booking is audited.
    let rows = app.audit_rows(&c.manager, "appointment", id(&a)).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["action"], "create");
    assert_eq!(rows[0]["changes"]["status"], json!([null, "reserved"]));
    assert_eq!(rows[0]["changes"]["doctor_id"], json!([null, d]));
});

backend_test!(spawn_app -> TestApp, async fn overlaps_per_doctor_and_per_patient(app) {
    let c = clinic(&app, 2, 5).await;
    // A day in the past, booked by the manager, so that its appointments may be missed and
    // come (the front desk books the future only).
    let (d1, d2) = (c.doctors[0], c.doctors[1]);
    let p = &c.patients;
    let a = booked(&app, &c.manager, json!({"patient_id": p[0], "doctor_id": d1, "start_at": past("10:00"), "end_at": past("10:30")})).await;
    let a_id = id(&a);

    // The doctor is busy: any overlap, whoever the patient.
    for (start, end) in [("10:15", "10:45"), ("09:45", "10:01"), ("09:00", "12:00"), ("10:10", "10:20"), ("10:00", "10:30")] {
        let (status, problem) = book(&app, &c.manager, json!({"patient_id": p[1], "doctor_id": d1, "start_at": past(start), "end_at": past(end)})).await;
        assert_overlap(status, &problem, a_id);
    }
    // The patient is busy: with another doctor too.
    let (status, problem) = book(&app, &c.manager, json!({"patient_id": p[0], "doctor_id": d2, "start_at": past("10:29"), "end_at": past("11:00")})).await;
    assert_overlap(status, &problem, a_id);

    // Back to back is fine, before and after; so is the same time with others.
    let before = booked(&app, &c.manager, json!({"patient_id": p[1], "doctor_id": d1, "start_at": past("09:30"), "end_at": past("10:00")})).await;
    let after = booked(&app, &c.manager, json!({"patient_id": p[0], "doctor_id": d2, "start_at": past("10:30"), "end_at": past("11:00")})).await;
    booked(&app, &c.manager, json!({"patient_id": p[2], "doctor_id": d2, "start_at": past("10:00"), "end_at": past("10:30")})).await;

    // Canceled and no-show free the slot.
    assert_eq!(set_status(&app, &c.manager, a_id, "canceled").await.0, 200);
    let a2 = booked(&app, &c.manager, json!({"patient_id": p[3], "doctor_id": d1, "start_at": past("10:00"), "end_at": past("10:30")})).await;
    assert_eq!(set_status(&app, &c.manager, id(&a2), "no_show").await.0, 200);
    let a3 = booked(&app, &c.manager, json!({"patient_id": p[4], "doctor_id": d1, "start_at": past("10:00"), "end_at": past("10:30")})).await;
    // Came still blocks.
    assert_eq!(set_status(&app, &c.manager, id(&a3), "came").await.0, 200);
    let (status, problem) = book(&app, &c.manager, json!({"patient_id": p[3], "doctor_id": d1, "start_at": past("10:15")})).await;
    assert_overlap(status, &problem, id(&a3));

    // Moves follow the same rule, ignoring the appointment itself.
    let path = format!("/api/v1/appointments/{}", id(&before));
    let (status, problem) = app.patch_json(&path, &c.manager, json!({"start_at": past("09:45")})).await;
    assert_overlap(status, &problem, id(&a3));
    let (status, moved) = app.patch_json(&path, &c.manager, json!({"start_at": past("09:20")})).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(ts(&moved["end_at"]), past("09:50").parse::<Timestamp>().unwrap(), "a new start keeps the duration");
    let (status, moved) = app.patch_json(&path, &c.manager, json!({"end_at": past("10:00"), "note": "урт"})).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(ts(&moved["start_at"]), past("09:20").parse::<Timestamp>().unwrap());
    assert_eq!(moved["note"], "урт");
    let (status, moved) = app.patch_json(&path, &c.manager, json!({"note": null})).await;
    assert_eq!(status, 200);
    assert_eq!(moved["note"], Value::Null);
    // To the other doctor: p[1] is free there, but d2 has `after` at 10:30.
    let (status, moved) = app.patch_json(&path, &c.manager, json!({"doctor_id": d2, "start_at": past("10:30"), "end_at": past("10:45")})).await;
    assert_overlap(status, &moved, id(&after));
    let (status, moved) = app.patch_json(&path, &c.manager, json!({"doctor_id": d2})).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["doctor_id"], d2);
    let (status, problem) = app.patch_json(&path, &c.manager, json!({"doctor_id": c.nurse})).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["doctor_id"]);
    let (status, problem) = app.patch_json(&path, &c.manager, json!({"end_at": past("09:00")})).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["end_at"]);
    // A final appointment cannot be changed.
    let (status, _) = app.patch_json(&format!("/api/v1/appointments/{a_id}"), &c.manager, json!({"note": "late"})).await;
    assert_eq!(status, 409);
    assert_eq!(app.patch_json("/api/v1/appointments/999999", &c.manager, json!({"note": "x"})).await.0, 404);

    let rows = app.audit_rows(&c.manager, "appointment", id(&before)).await;
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["update", "update", "update", "update", "create"], "refused moves leave no trace");
    assert_eq!(rows[0]["changes"]["doctor_id"], json!([d1, d2]));
});

backend_test!(spawn_app -> TestApp, async fn the_status_machine(app) {
    let c = clinic(&app, 1, 3).await;
    let d = c.doctors[0];
    let all = ["reserved", "canceled", "confirmed", "no_show", "came", "finished"];
    let allowed = [
        ("reserved", "confirmed"), ("reserved", "canceled"), ("reserved", "no_show"), ("reserved", "came"),
        ("confirmed", "canceled"), ("confirmed", "no_show"), ("confirmed", "came"), ("came", "finished"),
    ];
    let path_to = |status: &str| -> Vec<&'static str> {
        match status {
            "reserved" => vec![],
            "canceled" => vec!["canceled"],
            "confirmed" => vec!["confirmed"],
            "no_show" => vec!["no_show"],
            "came" => vec!["came"],
            _ => vec!["came", "finished"],
        }
    };
    let mut hour = 0;
    for from in all {
        for to in all {
            // A fresh appointment of its own hour, brought to `from`.
            // In the past (2025-01-01 on), booked by the manager: every status may be reached.
            let start = Timestamp::from_second(1_735_689_600 + hour * 3600).unwrap();
            hour += 1;
            let a = booked(&app, &c.manager, json!({"patient_id": c.patients[0], "doctor_id": d, "start_at": start.to_string()})).await;
            for step in path_to(from) {
                assert_eq!(set_status(&app, &c.desk, id(&a), step).await.0, 200, "to {step}");
            }
            let (status, answer) = set_status(&app, &c.desk, id(&a), to).await;
            if allowed.contains(&(from, to)) {
                assert_eq!(status, 200, "{from} -> {to}: {answer}");
                assert_eq!(answer["status"], to);
            } else {
                assert_eq!(status, 422, "{from} -> {to}: {answer}");
                assert_eq!(error_fields(&answer), ["status"]);
                let message = answer["errors"][0]["message"].as_str().unwrap();
                assert!(message.contains(from) && message.contains(to), "{message}");
                let (_, now) = app.get_json(&format!("/api/v1/appointments/{}", id(&a)), &c.desk).await;
                assert_eq!(now["status"], from, "a refused move changes nothing");
            }
        }
    }
    let a = booked(&app, &c.desk, json!({"patient_id": c.patients[1], "doctor_id": d, "start_at": at("10:00")})).await;
    let (status, problem) = set_status(&app, &c.desk, id(&a), "gone").await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["status"]);
    let (status, problem) = app.post_json(&format!("/api/v1/appointments/{}/status", id(&a)), &c.desk, json!({})).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(set_status(&app, &c.desk, 999999, "came").await.0, 404);

    // New patients: true until the patient has come; a canceled visit does not count.
    assert_eq!(a["is_new_patient"], true);
    let (status, _) = app.post_json(&format!("/api/v1/appointments/{}/status", id(&a)), &c.desk,
        json!({"status": "canceled", "reason": "Өвчтөн утсаар цуцалсан"})).await;
    assert_eq!(status, 200);
    let (_, patient) = app.get_json(&format!("/api/v1/patients/{}", c.patients[1]), &c.desk).await;
    assert_eq!(patient["last_seen_at"], Value::Null);
    let b = booked(&app, &c.manager, json!({"patient_id": c.patients[1], "doctor_id": d, "start_at": past("11:00")})).await;
    assert_eq!(b["is_new_patient"], true);
    let before = Timestamp::now();
    let (status, came) = set_status(&app, &c.desk, id(&b), "came").await;
    assert_eq!(status, 200, "{came}");
    assert!(ts(&came["updated_at"]) >= ts(&b["updated_at"]));
    let (_, patient) = app.get_json(&format!("/api/v1/patients/{}", c.patients[1]), &c.desk).await;
    assert!(ts(&patient["last_seen_at"]) >= before.checked_sub(jiff::SignedDuration::from_secs(1)).unwrap(), "{patient}");
    let e = booked(&app, &c.desk, json!({"patient_id": c.patients[1], "doctor_id": d, "start_at": at("12:00")})).await;
    assert_eq!(e["is_new_patient"], false);
    assert_eq!(b["is_new_patient"], true, "fixed at booking");
    let (_, b_now) = app.get_json(&format!("/api/v1/appointments/{}", id(&b)), &c.desk).await;
    assert_eq!(b_now["is_new_patient"], true);
    // Finishing: no treatment is linked, so it is allowed.
    let (status, finished) = set_status(&app, &c.desk, id(&b), "finished").await;
    assert_eq!(status, 200, "{finished}");
    assert_eq!(finished["status"], "finished");

    // Status moves are audited as `status` with from and to (and the reason).
    let rows = app.audit_rows(&c.manager, "appointment", id(&a)).await;
    assert_eq!(rows[0]["action"], "status");
    assert_eq!(rows[0]["changes"]["status"], json!(["reserved", "canceled"]));
    assert_eq!(rows[0]["changes"]["reason"], json!([null, "Өвчтөн утсаар цуцалсан"]));
    let rows = app.audit_rows(&c.manager, "appointment", id(&b)).await;
    let moves: Vec<Value> = rows.iter().map(|r| r["changes"]["status"].clone()).collect();
    assert_eq!(moves, [json!(["came", "finished"]), json!(["reserved", "came"]), json!([null, "reserved"])]);
});

/// Fires `count` bookings at once and returns (status, answer) of each.
async fn race(app: &TestApp, token: &str, bodies: Vec<Value>) -> Vec<(u16, Value)> {
    let requests = bodies.into_iter().map(|body| {
        let request = app
            .with_token(Method::POST, "/api/v1/appointments", token)
            .json(&body);
        async move {
            let r = request.send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap())
        }
    });
    join_all(requests).await
}

/// Exactly one 201, every other answer a 409 naming the winner; returns the winner's id.
fn one_winner(results: &[(u16, Value)]) -> i64 {
    let winners: Vec<&Value> = results
        .iter()
        .filter(|(s, _)| *s == 201)
        .map(|(_, v)| v)
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    let winner = id(winners[0]);
    for (status, answer) in results.iter().filter(|(s, _)| *s != 201) {
        assert_overlap(*status, answer, winner);
    }
    winner
}

backend_test!(spawn_app -> TestApp, async fn fifty_simultaneous_bookings_of_one_slot(app) {
    let c = clinic(&app, 2, 50).await;
    // One doctor, fifty patients, the same slot.
    let bodies = c.patients.iter().map(|p| json!({
        "patient_id": p, "doctor_id": c.doctors[0], "start_at": at("10:00"), "end_at": at("10:30"),
    })).collect();
    let results = race(&app, &c.desk, bodies).await;
    assert_eq!(results.len(), 50);
    let winner = one_winner(&results);
    let (_, page) = app.get_json(&format!("/api/v1/appointments?doctor_id={}", c.doctors[0]), &c.desk).await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{page}");
    assert_eq!(id(&items[0]), winner);

    // One patient at two doctors, fifty times at once (overlapping, not equal, times).
    let bodies = (0..50).map(|i| json!({
        "patient_id": c.patients[7], "doctor_id": c.doctors[i % 2],
        "start_at": at(&format!("14:{:02}", i)), "end_at": at("15:00"),
    })).collect();
    let results = race(&app, &c.desk, bodies).await;
    let winner = one_winner(&results);
    let (_, page) = app.get_json(&format!("/api/v1/patients/{}/appointments?from=2030-01-07T13:00:00%2B08:00", c.patients[7]), &c.desk).await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{page}");
    assert_eq!(id(&items[0]), winner);
    let report = app.audit.verify().await.unwrap();
    assert!(report.first_bad_row.is_none(), "{report:?}");
});

backend_test!(spawn_app -> TestApp, async fn lists_filter_and_page(app) {
    let c = clinic(&app, 2, 3).await;
    let (d1, d2) = (c.doctors[0], c.doctors[1]);
    let mut made = Vec::new();
    for (i, (p, d, start)) in [
        (0, d1, "2030-01-07T09:00:00+08:00"), (1, d2, "2030-01-07T09:00:00+08:00"),
        (2, d1, "2030-01-08T07:30:00+08:00"), (0, d2, "2030-01-06T23:30:00+08:00"),
        (1, d1, "2030-01-07T23:30:00+08:00"),
    ].into_iter().enumerate() {
        let a = booked(&app, &c.desk, json!({"patient_id": c.patients[p], "doctor_id": d, "start_at": start})).await;
        made.push((i, id(&a)));
    }
    let ids = |page: &Value| -> Vec<i64> { page["items"].as_array().unwrap().iter().map(id).collect() };
    let (status, page) = app.get_json("/api/v1/appointments", &c.desk).await;
    assert_eq!(status, 200);
    // Ordered by start, then id.
    assert_eq!(ids(&page), [made[3].1, made[0].1, made[1].1, made[4].1, made[2].1]);
    assert_eq!(page["next_cursor"], Value::Null);
    // A date is that whole day in the clinic's time zone.
    let (_, page) = app.get_json("/api/v1/appointments?from=2030-01-07&to=2030-01-07", &c.desk).await;
    assert_eq!(ids(&page), [made[0].1, made[1].1, made[4].1]);
    let (_, page) = app.get_json(&format!("/api/v1/appointments?doctor_id={d1}&from=2030-01-07"), &c.desk).await;
    assert_eq!(ids(&page), [made[0].1, made[4].1, made[2].1]);
    assert_eq!(set_status(&app, &c.desk, made[1].1, "confirmed").await.0, 200);
    let (_, page) = app.get_json("/api/v1/appointments?status=confirmed", &c.desk).await;
    assert_eq!(ids(&page), [made[1].1]);
    let (_, page) = app.get_json(&format!("/api/v1/appointments?status=confirmed,reserved&patient_id={}", c.patients[1]), &c.desk).await;
    assert_eq!(ids(&page), [made[1].1, made[4].1]);
    // Pages of two cover everything once, in order.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            None => "/api/v1/appointments?limit=2".to_owned(),
            Some(c) => format!("/api/v1/appointments?limit=2&cursor={c}"),
        };
        let (status, page) = app.get_json(&path, &c.desk).await;
        assert_eq!(status, 200, "{page}");
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, [made[3].1, made[0].1, made[1].1, made[4].1, made[2].1]);
    for bad in ["status=gone", "from=yesterday", "to=2030-13-01", "cursor=zzz", "doctor_id=x"] {
        let (status, _) = app.get_json(&format!("/api/v1/appointments?{bad}"), &c.desk).await;
        assert_eq!(status, 400, "{bad}");
    }
    // A patient's appointments.
    let (status, page) = app.get_json(&format!("/api/v1/patients/{}/appointments", c.patients[0]), &c.desk).await;
    assert_eq!(status, 200);
    assert_eq!(ids(&page), [made[3].1, made[0].1]);
    assert_eq!(app.get_json("/api/v1/patients/999999/appointments", &c.desk).await.0, 404);
});

backend_test!(spawn_app -> TestApp, async fn patients_see_only_their_own_appointments(app) {
    let c = clinic(&app, 1, 2).await;
    let me_user = app.create_user("bold", Role::Patient).await;
    let (status, linked) = app.patch_json(&format!("/api/v1/patients/{}", c.patients[0]), &c.admin, json!({"user_id": me_user})).await;
    assert_eq!(status, 200, "{linked}");
    let mine = booked(&app, &c.desk, json!({"patient_id": c.patients[0], "doctor_id": c.doctors[0], "start_at": at("10:00")})).await;
    let theirs = booked(&app, &c.desk, json!({"patient_id": c.patients[1], "doctor_id": c.doctors[0], "start_at": at("11:00")})).await;
    let token = app.token("bold").await;
    let (status, page) = app.get_json("/api/v1/me/appointments", &token).await;
    assert_eq!(status, 200, "{page}");
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0], mine);
    // Every staff route is 403 for a patient, also with someone else's id.
    for (method, path) in [
        (Method::GET, "/api/v1/appointments".to_owned()),
        (Method::POST, "/api/v1/appointments".to_owned()),
        (Method::GET, format!("/api/v1/appointments/{}", id(&theirs))),
        (Method::GET, format!("/api/v1/appointments/{}", id(&mine))),
        (Method::PATCH, format!("/api/v1/appointments/{}", id(&mine))),
        (Method::POST, format!("/api/v1/appointments/{}/status", id(&mine))),
        (Method::GET, format!("/api/v1/patients/{}/appointments", c.patients[1])),
        (Method::GET, format!("/api/v1/doctors/{}/free-slots?date=2030-01-07", c.doctors[0])),
    ] {
        let (status, _) = app.call(method.clone(), &path, &token, Some(json!({"status": "canceled"}))).await;
        assert_eq!(status, 403, "{method} {path}");
    }
    let (_, still) = app.get_json(&format!("/api/v1/appointments/{}", id(&mine)), &c.desk).await;
    assert_eq!(still["status"], "reserved");
    // Staff have no /me/appointments; a patient account without a record: 404.
    assert_eq!(app.get_json("/api/v1/me/appointments", &c.desk).await.0, 403);
    app.create_user("nobody", Role::Patient).await;
    let lonely = app.token("nobody").await;
    assert_eq!(app.get_json("/api/v1/me/appointments", &lonely).await.0, 404);
});

/// The local `HH:MM` of each slot (the offset checked against `offset`).
fn local_times(answer: &Value, offset: &str) -> Vec<String> {
    answer["slots"]
        .as_array()
        .unwrap_or_else(|| panic!("no slots in {answer}"))
        .iter()
        .map(|s| {
            let s = s.as_str().unwrap();
            assert!(s.ends_with(offset), "{s}");
            s[11..16].to_owned()
        })
        .collect()
}

fn quarter_hours(from: &str, to: &str) -> Vec<String> {
    let minutes = |t: &str| t[..2].parse::<u32>().unwrap() * 60 + t[3..].parse::<u32>().unwrap();
    (minutes(from)..=minutes(to))
        .step_by(15)
        .map(|m| format!("{:02}:{:02}", m / 60, m % 60))
        .collect()
}

backend_test!(spawn_app -> TestApp, async fn free_slots_around_bookings_hours_and_the_past(app) {
    let c = clinic(&app, 2, 3).await;
    let (d1, d2) = (c.doctors[0], c.doctors[1]);
    let week = |mon: Value| json!({"mon": mon, "tue": [], "wed": [], "thu": [], "fri": [], "sat": [], "sun": []});
    let (status, s) = app.patch_json("/api/v1/settings", &c.manager,
        json!({"opening_hours": week(json!([["09:05", "12:00"], ["13:00", "14:10"]]))})).await;
    assert_eq!(status, 200, "{s}");
    let slots = |d: i64, date: &str, minutes: u32| format!("/api/v1/doctors/{d}/free-slots?date={date}&duration_minutes={minutes}");

    // Quarter hours from the first one in each interval; the whole duration before closing.
    let (status, free) = app.get_json(&slots(d1, "2030-01-07", 30), &c.desk).await;
    assert_eq!(status, 200, "{free}");
    let mut expected = quarter_hours("09:15", "11:30");
    expected.extend(quarter_hours("13:00", "13:30"));
    assert_eq!(local_times(&free, "+08:00"), expected);

    // Bookings take their slots (back to back is free); canceled ones and other doctors'
    // do not; neither do bookings outside the opening hours beyond their own time.
    booked(&app, &c.desk, json!({"patient_id": c.patients[0], "doctor_id": d1, "start_at": at("10:00"), "end_at": at("10:30")})).await;
    let gone = booked(&app, &c.desk, json!({"patient_id": c.patients[1], "doctor_id": d1, "start_at": at("11:00")})).await;
    assert_eq!(set_status(&app, &c.desk, id(&gone), "canceled").await.0, 200);
    booked(&app, &c.desk, json!({"patient_id": c.patients[1], "doctor_id": d2, "start_at": at("11:00")})).await;
    booked(&app, &c.desk, json!({"patient_id": c.patients[2], "doctor_id": d1, "start_at": at("12:20"), "end_at": at("13:20")})).await;
    let (_, free) = app.get_json(&slots(d1, "2030-01-07", 30), &c.desk).await;
    let mut expected: Vec<String> = quarter_hours("09:15", "11:30")
        .into_iter()
        .filter(|t| !["09:45", "10:00", "10:15"].contains(&t.as_str()))
        .collect();
    expected.extend(quarter_hours("13:30", "13:30"));
    assert_eq!(local_times(&free, "+08:00"), expected);
    let (_, free) = app.get_json(&slots(d1, "2030-01-07", 60), &c.desk).await;
    assert_eq!(local_times(&free, "+08:00"), ["10:30", "10:45", "11:00"]);
    let (_, free) = app.get_json(&format!("/api/v1/doctors/{d2}/free-slots?date=2030-01-07"), &c.desk).await;
    assert_eq!(
        local_times(&free, "+08:00"),
        ["09:15", "09:30", "09:45", "10:00", "10:15", "10:30", "11:30", "13:00", "13:15", "13:30"],
        "default 30 minutes; 11:00-11:30 taken",
    );
    // A closed day, and a day in the past, have none.
    let (_, free) = app.get_json(&slots(d1, "2030-01-08", 30), &c.desk).await;
    assert_eq!(free["slots"], json!([]));
    let (_, free) = app.get_json(&slots(d1, "2020-01-06", 30), &c.desk).await;
    assert_eq!(free["slots"], json!([]));

    // Today: open all day; nothing before now.
    let all_day = json!([["00:00", "23:45"]]);
    let days = json!({"mon": all_day, "tue": all_day, "wed": all_day, "thu": all_day, "fri": all_day, "sat": all_day, "sun": all_day});
    assert_eq!(app.patch_json("/api/v1/settings", &c.manager, json!({"opening_hours": days})).await.0, 200);
    let now = Timestamp::now();
    let today = now.in_tz("Asia/Ulaanbaatar").unwrap().date();
    let (_, free) = app.get_json(&slots(d1, &today.to_string(), 15), &c.desk).await;
    let starts: Vec<Timestamp> = free["slots"].as_array().unwrap().iter().map(ts).collect();
    assert!(starts.iter().all(|s| *s >= now.checked_sub(jiff::SignedDuration::from_secs(1)).unwrap()), "{free}");
    let latest_first = now.checked_add(jiff::SignedDuration::from_mins(16)).unwrap();
    let closing = today.at(23, 30, 0, 0).in_tz("Asia/Ulaanbaatar").unwrap().timestamp();
    match starts.first() {
        Some(first) => assert!(*first <= latest_first, "the first slot is the next quarter hour: {free}"),
        None => assert!(latest_first > closing, "no slot although the day is open: {free}"),
    }

    // Unknown doctor 404, not a doctor 422, no date 400, a bad duration 422.
    assert_eq!(app.get_json(&slots(999999, "2030-01-07", 30), &c.desk).await.0, 404);
    let (status, problem) = app.get_json(&slots(c.nurse, "2030-01-07", 30), &c.desk).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["doctor_id"]);
    assert_eq!(app.get_json(&format!("/api/v1/doctors/{d1}/free-slots"), &c.desk).await.0, 400);
    assert_eq!(app.get_json(&format!("/api/v1/doctors/{d1}/free-slots?date=07.01.2030"), &c.desk).await.0, 400);
    let (status, problem) = app.get_json(&slots(d1, "2030-01-07", 0), &c.desk).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["duration_minutes"]);
});

backend_test!(spawn_app -> TestApp, async fn free_slots_across_a_dst_change(app) {
    let c = clinic(&app, 1, 1).await;
    // Berlin moves from +01:00 to +02:00 at 02:00 on Sunday 2030-03-31.
    let night = json!([["00:00", "06:00"]]);
    let (status, s) = app.patch_json("/api/v1/settings", &c.manager, json!({
        "time_zone": "Europe/Berlin",
        "opening_hours": {"mon": [], "tue": [], "wed": [], "thu": [], "fri": [], "sat": [], "sun": night},
    })).await;
    assert_eq!(status, 200, "{s}");
    let (status, free) = app.get_json(&format!("/api/v1/doctors/{}/free-slots?date=2030-03-31&duration_minutes=60", c.doctors[0]), &c.desk).await;
    assert_eq!(status, 200, "{free}");
    let slots: Vec<&str> = free["slots"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    // Five real hours of opening: an hour-long visit may start at 17 quarter hours.
    assert_eq!(slots.len(), 17, "{slots:?}");
    assert_eq!(slots[0], "2030-03-31T00:00:00+01:00");
    assert_eq!(slots[7], "2030-03-31T01:45:00+01:00");
    assert_eq!(slots[8], "2030-03-31T03:00:00+02:00");
    assert_eq!(slots[16], "2030-03-31T05:00:00+02:00");
    // A booking across the change takes exactly its real hour (00:30Z-01:30Z).
    let a = booked(&app, &c.desk, json!({"patient_id": c.patients[0], "doctor_id": c.doctors[0], "start_at": "2030-03-31T01:30:00+01:00", "end_at": "2030-03-31T03:30:00+02:00"})).await;
    assert_eq!(ts(&a["end_at"]).duration_since(ts(&a["start_at"])), jiff::SignedDuration::from_hours(1));
    let (_, free) = app.get_json(&format!("/api/v1/doctors/{}/free-slots?date=2030-03-31&duration_minutes=60", c.doctors[0]), &c.desk).await;
    let slots: Vec<&str> = free["slots"].as_array().unwrap().iter().map(|s| &s.as_str().unwrap()[11..22]).collect();
    assert_eq!(slots, ["00:00:00+01", "00:15:00+01", "00:30:00+01", "03:30:00+02", "03:45:00+02", "04:00:00+02", "04:15:00+02", "04:30:00+02", "04:45:00+02", "05:00:00+02"]);
});
