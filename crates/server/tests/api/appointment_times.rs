//! The rules of time on appointments (docs/appointments.md): came, finished and no-show are
//! for appointments that have started (came and finished from half an hour before the
//! start, for a patient who arrives early); booking or moving an appointment more than 15
//! minutes into the past is a manager's or an admin's; a treatment marks its appointment
//! came by the same rule.
use crate::appointments::{booked, clinic, id, set_status};
use crate::backend_test;
use crate::helpers::{TestApp, actions, error_fields};
use dcms_domain::Role;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

/// `minutes` from now (negative: ago), as RFC 3339.
fn from_now(minutes: i64) -> String {
    Timestamp::now()
        .checked_add(SignedDuration::from_mins(minutes))
        .unwrap()
        .to_string()
}

const DAY: i64 = 24 * 60;

/// The appointment as it is now.
async fn current(app: &TestApp, token: &str, appointment: i64) -> Value {
    let (status, a) = app
        .get_json(&format!("/api/v1/appointments/{appointment}"), token)
        .await;
    assert_eq!(status, 200, "{a}");
    a
}

/// Asserts a 422 naming only `field`, with the rule's words in its message.
fn assert_refused(status: u16, problem: &Value, field: &str, words: &str) {
    assert_eq!(status, 422, "{problem}");
    assert_eq!(error_fields(problem), [field], "{problem}");
    let message = problem["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains(words), "{message}");
}

backend_test!(spawn_app -> TestApp, async fn a_future_appointment_cannot_come_finish_or_miss(app) {
    let c = clinic(&app, 1, 4).await;
    let d = c.doctors[0];
    let future = booked(&app, &c.desk, json!({"patient_id": c.patients[0], "doctor_id": d, "start_at": from_now(2 * DAY)})).await;
    let path = format!("/api/v1/appointments/{}", id(&future));
    for to in ["came", "no_show"] {
        for token in [&c.desk, &c.manager, &c.admin] {
            let (status, problem) = set_status(&app, token, id(&future), to).await;
            assert_refused(status, &problem, "status", "has not started");
        }
    }
    let unchanged = current(&app, &c.desk, id(&future)).await;
    assert_eq!(unchanged["status"], "reserved");
    assert_eq!(unchanged["updated_at"], future["updated_at"]);
    let (_, patient) = app.get_json(&format!("/api/v1/patients/{}", c.patients[0]), &c.desk).await;
    assert_eq!(patient["last_seen_at"], Value::Null, "a refused came records no visit");
    let rows = app.audit_rows(&c.manager, "appointment", id(&future)).await;
    assert_eq!(actions(&rows), ["create"], "refused moves leave no trace");
    // What the future allows: confirming, canceling.
    assert_eq!(set_status(&app, &c.desk, id(&future), "confirmed").await.0, 200);
    let (status, problem) = set_status(&app, &c.desk, id(&future), "came").await;
    assert_refused(status, &problem, "status", "has not started");
    assert_eq!(set_status(&app, &c.desk, id(&future), "canceled").await.0, 200);

    // A patient half an hour early may come (and be finished); no-show waits for the start.
    let soon = booked(&app, &c.desk, json!({"patient_id": c.patients[1], "doctor_id": d, "start_at": from_now(20)})).await;
    let (status, problem) = set_status(&app, &c.desk, id(&soon), "no_show").await;
    assert_refused(status, &problem, "status", "has not started");
    let (status, came) = set_status(&app, &c.desk, id(&soon), "came").await;
    assert_eq!(status, 200, "{came}");
    assert_eq!(set_status(&app, &c.desk, id(&soon), "finished").await.0, 200);
    let later = booked(&app, &c.desk, json!({"patient_id": c.patients[2], "doctor_id": d, "start_at": from_now(55), "end_at": from_now(70)})).await;
    let (status, problem) = set_status(&app, &c.desk, id(&later), "came").await;
    assert_refused(status, &problem, "status", "has not started");

    // Finished too: a visit that came in the past and was then moved to next week.
    let visit = booked(&app, &c.manager, json!({"patient_id": c.patients[3], "doctor_id": d, "start_at": from_now(-DAY)})).await;
    assert_eq!(set_status(&app, &c.desk, id(&visit), "came").await.0, 200);
    let (status, moved) = app.patch_json(&format!("/api/v1/appointments/{}", id(&visit)), &c.desk, json!({"start_at": from_now(7 * DAY)})).await;
    assert_eq!(status, 200, "{moved}");
    for token in [&c.desk, &c.manager] {
        let (status, problem) = app.post_json(&format!("/api/v1/appointments/{}/status", id(&visit)), token,
            json!({"status": "finished", "reason": "test"})).await;
        assert_refused(status, &problem, "status", "has not started");
    }
    assert_eq!(current(&app, &c.desk, id(&visit)).await["status"], "came");
    // The state machine speaks first: reserved never goes to finished.
    let (status, problem) = set_status(&app, &c.desk, id(&later), "finished").await;
    assert_refused(status, &problem, "status", "from reserved to finished");
    assert_eq!(app.get_json(&path, &c.desk).await.1["status"], "canceled");
});

backend_test!(spawn_app -> TestApp, async fn booking_the_past_needs_a_manager_or_an_admin(app) {
    let c = clinic(&app, 2, 6).await;
    app.create_user("dr", Role::Doctor).await;
    let doctor = app.token("dr").await;
    let (d, p) = (c.doctors[0], &c.patients);
    let yesterday = from_now(-DAY);
    for token in [&c.desk, &doctor] {
        let (status, problem) = app.post_json("/api/v1/appointments", token,
            json!({"patient_id": p[0], "doctor_id": d, "start_at": yesterday})).await;
        assert_refused(status, &problem, "start_at", "only a manager or an admin");
        // Reported with the other invalid fields.
        let (status, problem) = app.post_json("/api/v1/appointments", token,
            json!({"patient_id": p[0], "start_at": yesterday})).await;
        assert_eq!(status, 422);
        assert_eq!(error_fields(&problem), ["doctor_id", "start_at"], "{problem}");
    }
    let (_, list) = app.get_json("/api/v1/appointments", &c.desk).await;
    assert_eq!(list["items"], json!([]), "nothing was booked");

    let by_manager = booked(&app, &c.manager, json!({"patient_id": p[0], "doctor_id": d, "start_at": yesterday})).await;
    assert_eq!(by_manager["status"], "reserved");
    let by_admin = booked(&app, &c.admin, json!({"patient_id": p[1], "doctor_id": d, "start_at": from_now(-3 * DAY)})).await;
    assert_eq!(by_admin["status"], "reserved");
    // A visit booked afterwards is then recorded as it went.
    assert_eq!(set_status(&app, &c.desk, id(&by_manager), "came").await.0, 200);
    assert_eq!(set_status(&app, &c.desk, id(&by_manager), "finished").await.0, 200);
    assert_eq!(set_status(&app, &c.desk, id(&by_admin), "no_show").await.0, 200);

    // A walk-in booked for the current quarter hour needs no manager; earlier does.
    let walk_in = booked(&app, &c.desk, json!({"patient_id": p[2], "doctor_id": d, "start_at": from_now(-10)})).await;
    assert_eq!(set_status(&app, &c.desk, id(&walk_in), "came").await.0, 200);
    let now = booked(&app, &doctor, json!({"patient_id": p[3], "doctor_id": c.doctors[1], "start_at": from_now(0)})).await;
    assert_eq!(now["status"], "reserved");
    let (status, problem) = app.post_json("/api/v1/appointments", &c.desk,
        json!({"patient_id": p[4], "doctor_id": c.doctors[1], "start_at": from_now(-20), "end_at": from_now(-5)})).await;
    assert_refused(status, &problem, "start_at", "only a manager or an admin");
});

backend_test!(spawn_app -> TestApp, async fn moving_into_the_past_needs_a_manager_or_an_admin(app) {
    let c = clinic(&app, 2, 3).await;
    let (d, p) = (c.doctors[0], &c.patients);
    let coming = booked(&app, &c.desk, json!({"patient_id": p[0], "doctor_id": d, "start_at": from_now(DAY)})).await;
    let path = format!("/api/v1/appointments/{}", id(&coming));
    let (status, problem) = app.patch_json(&path, &c.desk, json!({"start_at": from_now(-DAY)})).await;
    assert_refused(status, &problem, "start_at", "only a manager or an admin");
    let unchanged = current(&app, &c.desk, id(&coming)).await;
    assert_eq!(unchanged["start_at"], coming["start_at"]);
    assert_eq!(actions(&app.audit_rows(&c.manager, "appointment", id(&coming)).await), ["create"]);
    let (status, moved) = app.patch_json(&path, &c.manager, json!({"start_at": from_now(-DAY)})).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(set_status(&app, &c.desk, id(&coming), "came").await.0, 200);

    // An appointment already in the past keeps its start: the front desk still changes its
    // note, its end and its doctor, but not its start to another past time.
    let (status, changed) = app.patch_json(&path, &c.desk, json!({"note": "Рентген авсан", "end_at": from_now(-DAY + 45), "doctor_id": c.doctors[1]})).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["start_at"], moved["start_at"]);
    let (status, problem) = app.patch_json(&path, &c.desk, json!({"start_at": from_now(-DAY - 60)})).await;
    assert_refused(status, &problem, "start_at", "only a manager or an admin");
    // Out of the past, to the future, is anyone's.
    let (status, _) = app.patch_json(&path, &c.desk, json!({"start_at": from_now(2 * DAY)})).await;
    assert_eq!(status, 200);
    let (status, _) = app.patch_json(&path, &c.admin, json!({"start_at": from_now(-2 * DAY)})).await;
    assert_eq!(status, 200);
});

backend_test!(spawn_app -> TestApp, async fn a_treatment_marks_came_only_a_started_appointment(app) {
    let s = crate::treatments::setup(&app).await;
    let (d, p) = (s.c.doctors[0], s.c.patients[0]);
    let future = booked(&app, &s.c.desk, json!({"patient_id": p, "doctor_id": d, "start_at": from_now(DAY)})).await;
    let item = json!([{"service_id": s.filling, "scope": "single_tooth", "teeth": ["16"]}]);
    let (status, problem) = app.post_json("/api/v1/treatments", &s.doctor,
        json!({"patient_id": p, "doctor_id": d, "appointment_id": id(&future), "items": item})).await;
    assert_refused(status, &problem, "appointment_id", "has not started");
    assert_eq!(current(&app, &s.c.desk, id(&future)).await["status"], "reserved");
    let (_, list) = app.get_json(&format!("/api/v1/patients/{p}/treatments"), &s.c.desk).await;
    assert_eq!(list["items"], json!([]), "nothing was recorded");

    // Started (or about to, the patient early): recorded, and the appointment came.
    for (patient, start) in [(p, from_now(-30)), (s.c.patients[1], from_now(15))] {
        let visit = booked(&app, &s.c.manager, json!({"patient_id": patient, "doctor_id": d, "start_at": start})).await;
        let (status, t) = app.post_json("/api/v1/treatments", &s.doctor,
            json!({"patient_id": patient, "doctor_id": d, "appointment_id": id(&visit), "items": item})).await;
        assert_eq!(status, 201, "{t}");
        assert_eq!(current(&app, &s.c.desk, id(&visit)).await["status"], "came");
    }
});
