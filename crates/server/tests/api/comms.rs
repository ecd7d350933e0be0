//! Calls and SMS through HTTP: who a number resolves to (a primary holder first, patients
//! before employees, the others listed; unknown numbers new; every usual writing of a number
//! normalised), the call log (create, end and note later, every list filter, pages), SMS in
//! (recorded) and out (queued in the outbox, no sms row yet), text limits, "who is calling",
//! the roles (doctors and HQ read, patients nothing) and the audit trail.
use crate::backend_test;
use crate::helpers::{PASSWORD, TestApp};
use dcms_domain::{ContactType, Role};
use dcms_store::entity::{sms, sms_outbox};
use dcms_store::sea_orm::{EntityTrait, PaginatorTrait};
use jiff::Timestamp;
use serde_json::{Value, json};

/// The shared number: held by two patients and two employees.
const SHARED: &str = "95000000";

/// A valid register number for a small `i`, born in 1990.
fn rn_1990(i: u32) -> String {
    format!(
        "УБ90{:02}{:02}{}{}",
        1 + i % 12,
        1 + (i / 12) % 28,
        i % 10,
        (i / 10) % 10
    )
}

/// A patient `Дорж Нэр{i}` with these phones (the first primary).
async fn patient(app: &TestApp, token: &str, i: u32, phones: &[&str]) -> i64 {
    let phones: Vec<Value> = phones
        .iter()
        .enumerate()
        .map(|(k, n)| json!({"number": n, "label": format!("L{k}"), "is_primary": k == 0}))
        .collect();
    let (status, p) = app.post_json("/api/v1/patients", token, json!({
        "register_number": rn_1990(i), "first_name": format!("Нэр{i}"), "last_name": "Дорж", "phones": phones,
    }))
    .await;
    assert_eq!(status, 201, "{p}");
    p["patient_id"].as_i64().unwrap()
}

/// An employee `Бат Ажилтан{i}` with these phones (the first primary).
async fn employee(app: &TestApp, manager: &str, i: u32, phones: &[&str]) -> i64 {
    let phones: Vec<Value> = phones
        .iter()
        .enumerate()
        .map(|(k, n)| json!({"number": n, "label": format!("L{k}"), "is_primary": k == 0}))
        .collect();
    let (status, e) = app.post_json("/api/v1/employees", manager, json!({
        "first_name": format!("Ажилтан{i}"), "last_name": "Бат", "gender": "female", "phones": phones,
    }))
    .await;
    assert_eq!(status, 201, "{e}");
    e["employee_id"].as_i64().unwrap()
}

/// People holding numbers:
/// * patient A: 99000010 (primary), SHARED (other)
/// * patient B: SHARED (primary), 99000020
/// * employee C: SHARED (primary), 88000030
/// * employee D: 88000040 (primary), SHARED (other)
struct People {
    manager: String,
    desk: String,
    a: i64,
    b: i64,
    c: i64,
    d: i64,
}

async fn people(app: &TestApp) -> People {
    let manager = app.login("boss", Role::Manager).await;
    let desk = app.login("desk", Role::Receptionist).await;
    let a = patient(app, &desk, 1, &["99000010", SHARED]).await;
    let b = patient(app, &desk, 2, &[SHARED, "99000020"]).await;
    let c = employee(app, &manager, 3, &[SHARED, "88000030"]).await;
    let d = employee(app, &manager, 4, &["88000040", SHARED]).await;
    People {
        manager,
        desk,
        a,
        b,
        c,
        d,
    }
}

fn candidates(value: &Value) -> Vec<(String, i64)> {
    value["other_candidates"]
        .as_array()
        .unwrap_or_else(|| panic!("no other_candidates in {value}"))
        .iter()
        .map(|c| {
            (
                c["contact_type"].as_str().unwrap().to_owned(),
                c["contacter_id"].as_i64().unwrap(),
            )
        })
        .collect()
}

async fn call_in(app: &TestApp, token: &str, number: &str, begin: &str) -> Value {
    let (status, c) = app
        .post_json(
            "/api/v1/calls",
            token,
            json!({
                "phone_number": number, "direction": "in", "begin_call": begin,
            }),
        )
        .await;
    assert_eq!(status, 201, "{c}");
    c
}

backend_test!(spawn_app -> TestApp, async fn numbers_resolve_to_their_holders(app) {
    let p = people(&app).await;

    // A patient's primary number, written in every usual way.
    for written in ["99000010", "+976 9900 0010", "9900-0010", "(9900) 00.10", "00976 99000010"] {
        let c = call_in(&app, &p.desk, written, "2030-01-07T10:00:00+08:00").await;
        assert_eq!(c["phone_number"], "99000010", "{written}");
        assert_eq!(c["contact_type"], "patient", "{written}");
        assert_eq!(c["contacter_id"], p.a, "{written}");
        assert_eq!(candidates(&c), vec![], "{written}");
    }
    // A patient's other number; an employee's other number.
    let c = call_in(&app, &p.desk, "9900 0020", "2030-01-07T10:01:00+08:00").await;
    assert_eq!((c["contact_type"].as_str(), c["contacter_id"].as_i64()), (Some("patient"), Some(p.b)));
    let c = call_in(&app, &p.desk, "+976 8800 0030", "2030-01-07T10:02:00+08:00").await;
    assert_eq!((c["contact_type"].as_str(), c["contacter_id"].as_i64()), (Some("employee"), Some(p.c)));

    // The shared number: primary patient, primary employee, other patient, other employee.
    let c = call_in(&app, &p.desk, "9500 0000", "2030-01-07T10:03:00+08:00").await;
    assert_eq!(c["contact_type"], "patient");
    assert_eq!(c["contacter_id"], p.b);
    assert_eq!(
        candidates(&c),
        vec![("employee".to_owned(), p.c), ("patient".to_owned(), p.a), ("employee".to_owned(), p.d)]
    );

    // Nobody's number.
    let c = call_in(&app, &p.desk, "9123 4567", "2030-01-07T10:04:00+08:00").await;
    assert_eq!(c["contact_type"], "new");
    assert_eq!(c["contacter_id"], Value::Null);
    assert_eq!(candidates(&c), vec![]);

    // Not a number: 422 on phone_number.
    let (status, problem) = app.post_json("/api/v1/calls", &p.desk, json!({
        "phone_number": "12-34", "direction": "in", "begin_call": "2030-01-07T10:00:00+08:00",
    }))
    .await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["phone_number"]);

    // The function the outbox worker and the inbound webhook call.
    let r = dcms_server::services::comms::resolve(app.store.connection(), SHARED).await.unwrap();
    assert_eq!((r.contact_type, r.contacter_id), (ContactType::Patient, Some(p.b)));
    assert_eq!(r.other_candidates.len(), 3);
    let r = dcms_server::services::comms::resolve(app.store.connection(), "88000040").await.unwrap();
    assert_eq!((r.contact_type, r.contacter_id), (ContactType::Employee, Some(p.d)));
    let r = dcms_server::services::comms::resolve(app.store.connection(), "70001111").await.unwrap();
    assert_eq!((r.contact_type, r.contacter_id, r.other_candidates.len()), (ContactType::New, None, 0));
    let _ = &p.manager;
});

backend_test!(spawn_app -> TestApp, async fn calls_are_recorded_changed_and_audited(app) {
    let p = people(&app).await;
    let (status, c) = app.post_json("/api/v1/calls", &p.desk, json!({
        "phone_number": "99000010", "direction": "out",
        "begin_call": "2030-01-07T10:00:00+08:00", "end_call": "2030-01-07T10:03:30+08:00",
        "note": "  цаг баталгаажуулсан  ",
    }))
    .await;
    assert_eq!(status, 201, "{c}");
    let id = c["call_id"].as_i64().unwrap();
    assert_eq!(c["direction"], "out");
    assert_eq!(ts(&c["begin_call"]), "2030-01-07T02:00:00Z".parse::<Timestamp>().unwrap());
    assert_eq!(ts(&c["end_call"]), "2030-01-07T02:03:30Z".parse::<Timestamp>().unwrap());
    assert_eq!(c["note"], "цаг баталгаажуулсан");

    // The end before the begin: 422 on end_call, on create and on change.
    let (status, problem) = app.post_json("/api/v1/calls", &p.desk, json!({
        "phone_number": "99000010", "direction": "in",
        "begin_call": "2030-01-07T10:00:00+08:00", "end_call": "2030-01-07T09:59:59+08:00",
    }))
    .await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["end_call"]);
    let (status, problem) = app.patch_json(&format!("/api/v1/calls/{id}"), &p.desk, json!({"end_call": "2030-01-07T09:00:00+08:00"})).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["end_call"]);
    // Every missing or bad field at once.
    let (status, problem) = app.post_json("/api/v1/calls", &p.desk, json!({"direction": "sideways", "end_call": "soon", "note": "x".repeat(2001)})).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["begin_call", "direction", "end_call", "note", "phone_number"]);

    // A call begun without an end gets one later; the note is cleared with null.
    let open = call_in(&app, &p.desk, "99000020", "2030-01-07T11:00:00+08:00").await;
    let open_id = open["call_id"].as_i64().unwrap();
    assert_eq!(open["end_call"], Value::Null);
    let (status, changed) = app.patch_json(&format!("/api/v1/calls/{open_id}"), &p.desk, json!({"end_call": "2030-01-07T11:05:00+08:00", "note": "дахин залгана"})).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(ts(&changed["end_call"]), "2030-01-07T03:05:00Z".parse::<Timestamp>().unwrap());
    assert_eq!(changed["note"], "дахин залгана");
    let (status, changed) = app.patch_json(&format!("/api/v1/calls/{open_id}"), &p.desk, json!({"note": null})).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["note"], Value::Null);
    assert_eq!(changed["contacter_id"], p.b, "the contact stays");
    let (status, one) = app.get_json(&format!("/api/v1/calls/{open_id}"), &p.desk).await;
    assert_eq!(status, 200);
    assert_eq!(one["note"], Value::Null);
    assert_eq!(ts(&one["end_call"]), "2030-01-07T03:05:00Z".parse::<Timestamp>().unwrap());
    assert_eq!(app.get_json("/api/v1/calls/999999", &p.desk).await.0, 404);
    assert_eq!(app.patch_json("/api/v1/calls/999999", &p.desk, json!({"note": "x"})).await.0, 404);

    // Audited: a create and two updates, newest first.
    assert_eq!(actions(&app.audit_rows(&p.manager, "call", open_id).await), ["update", "update", "create"]);
    assert_eq!(actions(&app.audit_rows(&p.manager, "call", id).await), ["create"]);
});

backend_test!(spawn_app -> TestApp, async fn call_lists_filter_and_page_newest_first(app) {
    let p = people(&app).await;
    // Monday 2030-01-07 and Tuesday 2030-01-08, Ulaanbaatar time.
    let a1 = call_in(&app, &p.desk, "99000010", "2030-01-07T09:00:00+08:00").await["call_id"].as_i64().unwrap();
    let b1 = call_in(&app, &p.desk, "99000020", "2030-01-07T10:00:00+08:00").await["call_id"].as_i64().unwrap();
    let (status, out) = app.post_json("/api/v1/calls", &p.desk, json!({"phone_number": "99000010", "direction": "out", "begin_call": "2030-01-07T23:30:00+08:00"})).await;
    assert_eq!(status, 201, "{out}");
    let a2 = out["call_id"].as_i64().unwrap();
    let n1 = call_in(&app, &p.desk, "91234567", "2030-01-08T00:30:00+08:00").await["call_id"].as_i64().unwrap();
    let c1 = call_in(&app, &p.desk, "88000030", "2030-01-08T12:00:00+08:00").await["call_id"].as_i64().unwrap();
    // Two at the same instant: the later id first.
    let s1 = call_in(&app, &p.desk, SHARED, "2030-01-08T13:00:00+08:00").await["call_id"].as_i64().unwrap();
    let s2 = call_in(&app, &p.desk, SHARED, "2030-01-08T13:00:00+08:00").await["call_id"].as_i64().unwrap();

    let list = |q: &str| {
        let app = &app;
        let token = p.desk.clone();
        let q = q.to_owned();
        async move {
            let (status, page) = app.get_json(&format!("/api/v1/calls{q}"), &token).await;
            assert_eq!(status, 200, "{q}: {page}");
            ids(&page, "call_id")
        }
    };
    assert_eq!(list("").await, [s2, s1, c1, n1, a2, b1, a1]);
    assert_eq!(list("?phone=%2B976%209900%200010").await, [a2, a1]);
    assert_eq!(list(&format!("?contact_type=patient&contacter_id={}", p.a)).await, [a2, a1]);
    assert_eq!(list(&format!("?contact_type=patient&contacter_id={}", p.b)).await, [s2, s1, b1]);
    assert_eq!(list("?contact_type=employee").await, [c1]);
    assert_eq!(list("?contact_type=new").await, [n1]);
    assert_eq!(list("?direction=out").await, [a2]);
    assert_eq!(list("?direction=in&phone=99000010").await, [a1]);
    // A date is that whole day in the clinic's zone; an instant is exact.
    assert_eq!(list("?from=2030-01-07&to=2030-01-07").await, [a2, b1, a1]);
    assert_eq!(list("?from=2030-01-08").await, [s2, s1, c1, n1]);
    assert_eq!(list("?from=2030-01-07T10:00:00%2B08:00&to=2030-01-08T00:30:00%2B08:00").await, [a2, b1]);

    // Pages of two, through the cursor, cover the log once in order.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            None => "/api/v1/calls?limit=2".to_owned(),
            Some(c) => format!("/api/v1/calls?limit=2&cursor={c}"),
        };
        let (status, page) = app.get_json(&path, &p.desk).await;
        assert_eq!(status, 200, "{page}");
        let items = ids(&page, "call_id");
        assert!(items.len() <= 2);
        seen.extend(items);
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, [s2, s1, c1, n1, a2, b1, a1]);
    // The same with a filter.
    let (_, page) = app.get_json(&format!("/api/v1/calls?limit=1&contact_type=patient&contacter_id={}", p.b), &p.desk).await;
    assert_eq!(ids(&page, "call_id"), [s2]);
    let next = page["next_cursor"].as_str().unwrap();
    let (_, page) = app.get_json(&format!("/api/v1/calls?limit=5&contact_type=patient&contacter_id={}&cursor={next}", p.b), &p.desk).await;
    assert_eq!(ids(&page, "call_id"), [s1, b1]);
    assert_eq!(page["next_cursor"], Value::Null);

    // Malformed parameters are 400; a bad number 422 on phone.
    for q in ["?contacter_id=1", "?contact_type=friend", "?direction=up", "?from=yesterday", "?cursor=zzz"] {
        assert_eq!(app.get_json(&format!("/api/v1/calls{q}"), &p.desk).await.0, 400, "{q}");
    }
    let (status, problem) = app.get_json("/api/v1/calls?phone=12", &p.desk).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["phone"]);

    // The patient page's history.
    let history = dcms_server::services::comms::calls_of(&app.store, ContactType::Patient, p.a, 10).await.unwrap();
    assert_eq!(history.iter().map(|c| c.call_id).collect::<Vec<_>>(), [a2, a1]);
    let history = dcms_server::services::comms::calls_of(&app.store, ContactType::Patient, p.b, 2).await.unwrap();
    assert_eq!(history.iter().map(|c| c.call_id).collect::<Vec<_>>(), [s2, s1]);
    let _ = (&p.manager, p.c, p.d);
});

backend_test!(spawn_app -> TestApp, async fn sms_in_is_recorded_and_sms_out_is_queued(app) {
    let p = people(&app).await;
    // In: recorded at once, with the resolution.
    let (status, s) = app.post_json("/api/v1/sms", &p.desk, json!({
        "phone_number": "+976 9500-0000", "direction": "in", "time": "2030-01-07T09:00:00+08:00",
        "subject": " Цаг ", "sms_text": "Сайн байна уу?\nМаргааш ирж болох уу?", "note": "хариу өгөх",
    }))
    .await;
    assert_eq!(status, 201, "{s}");
    let sms_id = s["sms_id"].as_i64().unwrap();
    assert_eq!(s["phone_number"], SHARED);
    assert_eq!(s["direction"], "in");
    assert_eq!(s["subject"], "Цаг");
    assert_eq!(s["sms_text"], "Сайн байна уу?\nМаргааш ирж болох уу?");
    assert_eq!(s["contact_type"], "patient");
    assert_eq!(s["contacter_id"], p.b);
    assert_eq!(candidates(&s).len(), 3);
    assert_eq!(ts(&s["time"]), "2030-01-07T01:00:00Z".parse::<Timestamp>().unwrap());
    // Without a time: now.
    let before = Timestamp::now();
    let (status, now_in) = app.post_json("/api/v1/sms", &p.desk, json!({"phone_number": "91234567", "direction": "in", "sms_text": "hi"})).await;
    assert_eq!(status, 201, "{now_in}");
    assert!(ts(&now_in["time"]) >= before - jiff::SignedDuration::from_secs(1));
    assert_eq!(now_in["contact_type"], "new");

    // Out: queued in the outbox (201 with the outbox row), no sms row yet.
    let rows_before = sms::Entity::find().count(app.store.connection()).await.unwrap();
    let (status, q) = app.post_json("/api/v1/sms", &p.desk, json!({
        "phone_number": "9900 0010", "direction": "out", "sms_text": "Таны цаг маргааш 10:00.",
    }))
    .await;
    assert_eq!(status, 201, "{q}");
    let outbox_id = q["sms_outbox_id"].as_i64().unwrap();
    assert_eq!(q["state"], "queued");
    assert_eq!(q["attempts"], 0);
    assert_eq!(q["phone_number"], "99000010");
    assert_eq!(q["sms_id"], Value::Null);
    assert_eq!(q["contact_type"], "patient");
    assert_eq!(q["contacter_id"], p.a);
    assert_eq!(sms::Entity::find().count(app.store.connection()).await.unwrap(), rows_before);
    let (status, sms_list) = app.get_json("/api/v1/sms?phone=99000010", &p.desk).await;
    assert_eq!(status, 200);
    assert_eq!(ids(&sms_list, "sms_id"), Vec::<i64>::new(), "not in the log until sent");
    let row = sms_outbox::Entity::find_by_id(outbox_id).one(app.store.connection()).await.unwrap().unwrap();
    assert_eq!(row.state, 0);
    assert!(row.idempotency_key.starts_with("manual-"));
    // A second one, later; the queue is newest first, by state, in pages.
    let (status, q2) = app.post_json("/api/v1/sms", &p.desk, json!({"phone_number": "88000030", "direction": "out", "sms_text": "Хурал 15:00", "time": "2030-01-07T08:00:00+08:00"})).await;
    assert_eq!(status, 201, "{q2}");
    let outbox2 = q2["sms_outbox_id"].as_i64().unwrap();
    assert_eq!(ts(&q2["next_attempt_at"]), "2030-01-07T00:00:00Z".parse::<Timestamp>().unwrap());
    let (status, queue) = app.get_json("/api/v1/sms-outbox?state=queued", &p.desk).await;
    assert_eq!(status, 200, "{queue}");
    assert_eq!(ids(&queue, "sms_outbox_id"), [outbox2, outbox_id]);
    let (_, queue) = app.get_json("/api/v1/sms-outbox?state=sent", &p.desk).await;
    assert_eq!(ids(&queue, "sms_outbox_id"), Vec::<i64>::new());
    let (_, queue) = app.get_json("/api/v1/sms-outbox?limit=1", &p.desk).await;
    assert_eq!(ids(&queue, "sms_outbox_id"), [outbox2]);
    let next = queue["next_cursor"].as_str().unwrap();
    let (_, queue) = app.get_json(&format!("/api/v1/sms-outbox?limit=1&cursor={next}"), &p.desk).await;
    assert_eq!(ids(&queue, "sms_outbox_id"), [outbox_id]);
    assert_eq!(queue["next_cursor"], Value::Null);
    assert_eq!(app.get_json("/api/v1/sms-outbox?state=lost", &p.desk).await.0, 400);

    // The limits, each on its field.
    let (status, problem) = app.post_json("/api/v1/sms", &p.desk, json!({
        "phone_number": "99000010", "direction": "out", "sms_text": "x", "note": "a note",
    }))
    .await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["note"]);
    let (status, problem) = app.post_json("/api/v1/sms", &p.desk, json!({
        "phone_number": "99000010", "direction": "in", "sms_text": "я".repeat(1001),
        "subject": "s".repeat(256), "note": "n".repeat(2001),
    }))
    .await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["note", "sms_text", "subject"]);
    let (status, problem) = app.post_json("/api/v1/sms", &p.desk, json!({"phone_number": "x", "direction": "in", "sms_text": "   ", "time": "now"})).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["phone_number", "sms_text", "time"]);
    let (status, ok) = app.post_json("/api/v1/sms", &p.desk, json!({"phone_number": "99000010", "direction": "in", "sms_text": "я".repeat(1000)})).await;
    assert_eq!(status, 201, "{ok}");

    // The note is changed and cleared.
    let (status, changed) = app.patch_json(&format!("/api/v1/sms/{sms_id}"), &p.desk, json!({"note": "хариулсан"})).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["note"], "хариулсан");
    let (status, changed) = app.patch_json(&format!("/api/v1/sms/{sms_id}"), &p.desk, json!({"note": null})).await;
    assert_eq!(status, 200);
    assert_eq!(changed["note"], Value::Null);
    let (status, one) = app.get_json(&format!("/api/v1/sms/{sms_id}"), &p.desk).await;
    assert_eq!(status, 200);
    assert_eq!(one["sms_text"], "Сайн байна уу?\nМаргааш ирж болох уу?");
    assert_eq!(app.get_json("/api/v1/sms/999999", &p.desk).await.0, 404);

    // Lists: by contact, by direction, by day.
    let (_, page) = app.get_json(&format!("/api/v1/sms?contact_type=patient&contacter_id={}", p.b), &p.desk).await;
    assert_eq!(ids(&page, "sms_id"), [sms_id]);
    let (_, page) = app.get_json("/api/v1/sms?direction=out", &p.desk).await;
    assert_eq!(ids(&page, "sms_id"), Vec::<i64>::new());
    let (_, page) = app.get_json("/api/v1/sms?from=2030-01-07&to=2030-01-07", &p.desk).await;
    assert_eq!(ids(&page, "sms_id"), [sms_id]);
    let history = dcms_server::services::comms::sms_of(&app.store, ContactType::Patient, p.b, 10).await.unwrap();
    assert_eq!(history.iter().map(|s| s.sms_id).collect::<Vec<_>>(), [sms_id]);

    // What the outbox worker writes when a message has been sent, in its transaction.
    let sent = dcms_store::comms::insert_sms(app.store.connection(), dcms_store::comms::NewSms {
        phone_number: "99000010".into(),
        direction: 1,
        time: dcms_store::time::now(),
        subject: None,
        sms_text: "Таны цаг маргааш 10:00.".into(),
        contact_type: 1,
        contacter_id: Some(p.a),
        note: None,
    })
    .await
    .unwrap();
    let (_, page) = app.get_json("/api/v1/sms?direction=out&phone=99000010", &p.desk).await;
    assert_eq!(ids(&page, "sms_id"), [sent.sms_id]);

    // Audited, each in its table.
    assert_eq!(actions(&app.audit_rows(&p.manager, "sms", sms_id).await), ["update", "update", "create"]);
    assert_eq!(actions(&app.audit_rows(&p.manager, "sms_outbox", outbox_id).await), ["create"]);
    let _ = (p.c, p.d);
});

backend_test!(spawn_app -> TestApp, async fn who_is_calling(app) {
    let p = people(&app).await;
    let (status, found) = app.get_json("/api/v1/contacts/lookup?phone=%2B976%209900%200010", &p.desk).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["contact_type"], "patient");
    assert_eq!(found["contacter_id"], p.a);
    assert_eq!(found["name"], "Дорж Нэр1");
    assert_eq!(found["phone_number"], "99000010");
    assert_eq!(found["other_candidates"], json!([]));

    let (status, found) = app.get_json(&format!("/api/v1/contacts/lookup?phone={SHARED}"), &p.desk).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!((found["contact_type"].as_str(), found["contacter_id"].as_i64()), (Some("patient"), Some(p.b)));
    assert_eq!(found["name"], "Дорж Нэр2");
    let others: Vec<_> = found["other_candidates"].as_array().unwrap().iter()
        .map(|c| (c["contacter_id"].as_i64().unwrap(), c["name"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(others, [(p.c, "Бат Ажилтан3".to_owned()), (p.a, "Дорж Нэр1".to_owned()), (p.d, "Бат Ажилтан4".to_owned())]);

    // The first digits as they are typed.
    let (status, found) = app.get_json("/api/v1/contacts/lookup?phone=8800%2000", &p.desk).await;
    assert_eq!(status, 200, "{found}");
    // 88000040 is D's primary number, 88000030 only C's other one: D first.
    assert_eq!((found["contact_type"].as_str(), found["contacter_id"].as_i64()), (Some("employee"), Some(p.d)));
    assert_eq!(found["phone_number"], "88000040");
    assert_eq!(found["other_candidates"][0]["contacter_id"], p.c);
    assert_eq!(found["other_candidates"][0]["phone_number"], "88000030");
    let (resolution, name) = dcms_server::services::comms::who_is(&app.store, "9900 00").await.unwrap().unwrap();
    assert_eq!((resolution.contact_type, resolution.contacter_id), (ContactType::Patient, Some(p.a)));
    assert_eq!(name, "Дорж Нэр1");
    assert_eq!(resolution.other_candidates.len(), 1, "99000010 and 99000020");

    assert_eq!(app.get_json("/api/v1/contacts/lookup?phone=9123%204567", &p.desk).await.0, 404);
    assert_eq!(app.get_json("/api/v1/contacts/lookup?phone=7777", &p.desk).await.0, 404);
    for bad in ["12", "abc", ""] {
        let (status, problem) = app.get_json(&format!("/api/v1/contacts/lookup?phone={bad}"), &p.desk).await;
        assert_eq!(status, 422, "{bad}: {problem}");
        assert_eq!(error_fields(&problem), ["phone"]);
    }
    let _ = &p.manager;
});

backend_test!(spawn_app -> TestApp, async fn doctors_and_hq_read_patients_do_not(app) {
    let p = people(&app).await;
    let c = call_in(&app, &p.desk, "99000010", "2030-01-07T10:00:00+08:00").await;
    let call_id = c["call_id"].as_i64().unwrap();
    let doctor = app.login("doc", Role::Doctor).await;
    let hq = app.token_from(json!({"username": "boss", "password": PASSWORD, "session_type": "hq"})).await;
    let portal = app.login("pat", Role::Patient).await;
    let admin = app.login("root", Role::Admin).await;

    let new_call = json!({"phone_number": "99000010", "direction": "in", "begin_call": "2030-01-07T10:00:00+08:00"});
    let new_sms = json!({"phone_number": "99000010", "direction": "out", "sms_text": "x"});
    for reader in [&doctor, &hq] {
        assert_eq!(app.get_json("/api/v1/calls", reader).await.0, 200);
        assert_eq!(app.get_json(&format!("/api/v1/calls/{call_id}"), reader).await.0, 200);
        assert_eq!(app.get_json("/api/v1/sms", reader).await.0, 200);
        assert_eq!(app.get_json("/api/v1/sms-outbox", reader).await.0, 200);
        assert_eq!(app.get_json("/api/v1/contacts/lookup?phone=99000010", reader).await.0, 200);
        assert_eq!(app.post_json("/api/v1/calls", reader, new_call.clone()).await.0, 403);
        assert_eq!(app.patch_json(&format!("/api/v1/calls/{call_id}"), reader, json!({"note": "x"})).await.0, 403);
        assert_eq!(app.post_json("/api/v1/sms", reader, new_sms.clone()).await.0, 403);
    }
    for path in ["/api/v1/calls", "/api/v1/sms", "/api/v1/sms-outbox", "/api/v1/contacts/lookup?phone=99000010"] {
        assert_eq!(app.get_json(path, &portal).await.0, 403, "{path}");
    }
    assert_eq!(app.post_json("/api/v1/calls", &portal, new_call.clone()).await.0, 403);
    // Admins, managers and receptionists write.
    for writer in [&admin, &p.manager, &p.desk] {
        assert_eq!(app.post_json("/api/v1/calls", writer, new_call.clone()).await.0, 201);
        assert_eq!(app.post_json("/api/v1/sms", writer, new_sms.clone()).await.0, 201);
    }
    // Who did it is in the trail.
    let (status, page) = app.get_json(&format!("/api/v1/audit?table=call&row_id={call_id}"), &p.manager).await;
    assert_eq!(status, 200);
    assert_eq!(page["items"][0]["changes"]["phone_number"], json!([null, "99000010"]));
    assert_eq!(page["items"][0]["changes"]["contact_type"], json!([null, "patient"]));
});
