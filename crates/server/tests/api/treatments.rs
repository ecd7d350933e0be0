//! Treatments, invoices and payments through HTTP: each scope's teeth (one, several, an arch
//! or the mouth of the patient's dentition, named dentitions, listed teeth), notations in
//! and out, the price snapshot, the appointment a treatment is recorded on, teeth set
//! afterwards, items of a paid treatment, payments and refunds (also at the same moment),
//! the finish rule, the chart, a patient's invoices and one's own.
use crate::appointments::{Clinic, booked, clinic, id, set_status};
use crate::backend_test;
use crate::helpers::TestApp;
use dcms_domain::Role;
use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};

/// The fields a 422 names.
fn error_fields_in_order(problem: &Value) -> Vec<String> {
    assert_eq!(problem["status"], 422, "{problem}");
    problem["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {problem}"))
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

/// The clinic of the appointment tests, a doctor's login and two services.
pub(crate) struct Setup {
    pub(crate) c: Clinic,
    pub(crate) doctor: String,
    /// 30 000 ₮ a tooth (filling), 200 000 ₮ an arch (scaling).
    pub(crate) filling: i64,
    pub(crate) scaling: i64,
}

pub(crate) async fn service(
    app: &TestApp,
    manager: &str,
    number: i64,
    name: &str,
    price: i64,
) -> i64 {
    let (status, s) = app
        .post_json(
            "/api/v1/services",
            manager,
            json!({
                "service_type": "GEN", "display_number": number,
                "doctor_display_name": name, "patient_display_name": format!("{name} (patient)"),
                "price": price, "default_duration_time": 30,
                "disclaimer": "Хоёр цаг хоол идэхгүй",
            }),
        )
        .await;
    assert_eq!(status, 201, "{s}");
    s["service_id"].as_i64().unwrap()
}

pub(crate) async fn setup(app: &TestApp) -> Setup {
    let c = clinic(app, 1, 2).await;
    app.create_user("dr", Role::Doctor).await;
    let doctor = app.token("dr").await;
    let filling = service(app, &c.manager, 1, "Filling", 30_000).await;
    let scaling = service(app, &c.manager, 2, "Scaling", 200_000).await;
    Setup {
        c,
        doctor,
        filling,
        scaling,
    }
}

/// Records a treatment of patient `patient` by the first doctor; (status, answer).
async fn record(app: &TestApp, s: &Setup, patient: i64, items: Value) -> (u16, Value) {
    app.post_json(
        "/api/v1/treatments",
        &s.doctor,
        json!({"patient_id": patient, "doctor_id": s.c.doctors[0], "items": items}),
    )
    .await
}

pub(crate) async fn recorded(app: &TestApp, s: &Setup, patient: i64, items: Value) -> Value {
    let (status, t) = record(app, s, patient, items).await;
    assert_eq!(status, 201, "{t}");
    t
}

pub(crate) fn tid(t: &Value) -> i64 {
    t["treatment_id"].as_i64().unwrap()
}

fn codes(item: &Value) -> Vec<String> {
    item["teeth"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap().to_owned())
        .collect()
}

/// A patient born on `birthday` (2000s births have 20 added to the month).
async fn patient_born(app: &TestApp, token: &str, register_number: &str) -> i64 {
    let (status, p) = app
        .post_json(
            "/api/v1/patients",
            token,
            json!({
                "register_number": register_number, "first_name": "Хүү", "last_name": "Бат",
                "phones": [{"number": "99887766", "is_primary": true}, {"number": "88887766"}],
            }),
        )
        .await;
    assert_eq!(status, 201, "{p}");
    p["patient_id"].as_i64().unwrap()
}

backend_test!(spawn_app -> TestApp, async fn each_scope_takes_its_teeth(app) {
    let s = setup(&app).await;
    let adult = s.c.patients[0];
    let t = recorded(
        &app,
        &s,
        adult,
        json!([
            {"service_id": s.filling, "scope": "single_tooth", "teeth": ["16"]},
            {"service_id": s.filling, "scope": "multi_tooth", "teeth": [{"code": "36", "note": "mesial"}, "37", "46"]},
            {"service_id": s.scaling, "scope": "upper_arch"},
            {"service_id": s.scaling, "scope": "full_mouth"},
            {"service_id": s.scaling, "scope": "lower_arch", "teeth": ["31", "41"]},
            {"service_id": s.scaling, "scope": "none"},
        ]),
    )
    .await;
    let items = t["items"].as_array().unwrap();
    assert_eq!(items.len(), 6, "in the order given");
    assert_eq!(codes(&items[0]), ["16"]);
    assert_eq!(codes(&items[1]), ["36", "37", "46"]);
    assert_eq!(items[1]["teeth"][0]["note"], "mesial");
    assert_eq!(items[1]["teeth"][0]["ui_key"], "P-LL-6");
    // An adult's upper arch: 16 permanent teeth, third molars included.
    assert_eq!(codes(&items[2]).len(), 16);
    assert!(codes(&items[2]).iter().all(|c| c.starts_with('1') || c.starts_with('2')));
    assert_eq!(codes(&items[3]).len(), 32);
    assert_eq!(codes(&items[4]), ["31", "41"]);
    assert!(codes(&items[5]).is_empty());
    // Charges: per tooth for single and multi tooth, once otherwise.
    assert_eq!(items[0]["charge"], 30_000);
    assert_eq!(items[1]["quantity"], 3);
    assert_eq!(items[1]["charge"], 90_000);
    assert_eq!(items[2]["charge"], 200_000);
    assert_eq!(items[3]["charge"], 200_000);
    assert_eq!(t["total"], 30_000 + 90_000 + 200_000 * 4);
    assert_eq!(t["balance"], t["total"]);
    assert_eq!(t["system"], "fdi");

    // A four-year-old's lower arch: the 10 lower primary teeth.
    let child = patient_born(&app, &s.c.desk, "УБ22251012").await;
    let t = recorded(&app, &s, child, json!([{"service_id": s.scaling, "scope": "lower_arch"}])).await;
    let teeth = codes(&t["items"][0]);
    assert_eq!(teeth.len(), 10, "{teeth:?}");
    assert!(teeth.iter().all(|c| c.starts_with('7') || c.starts_with('8')), "{teeth:?}");
    assert_eq!(codes(&recorded(&app, &s, child, json!([{"service_id": s.scaling, "scope": "full_mouth"}])).await["items"][0]).len(), 20);
    // A named dentition wins: the child's permanent upper arch.
    let t = recorded(&app, &s, child, json!([{"service_id": s.scaling, "scope": "upper_arch", "dentition": "permanent"}])).await;
    assert_eq!(codes(&t["items"][0]).len(), 16);
    assert_eq!(t["items"][0]["dentition"], "permanent");

    // Universal and Palmer in, Universal and Palmer out: the same physical tooth.
    let t = recorded(&app, &s, adult, json!([
        {"service_id": s.filling, "scope": "single_tooth", "teeth": ["3"], "system": "universal"},
        {"service_id": s.filling, "scope": "single_tooth", "teeth": ["LL6"], "system": "palmer"},
    ])).await;
    assert_eq!(codes(&t["items"][0]), ["16"]);
    assert_eq!(codes(&t["items"][1]), ["36"]);
    let (status, u) = app.get_json(&format!("/api/v1/treatments/{}?system=universal", tid(&t)), &s.c.desk).await;
    assert_eq!(status, 200, "{u}");
    assert_eq!(codes(&u["items"][0]), ["3"]);
    assert_eq!(codes(&u["items"][1]), ["19"]);
    let (_, p) = app.get_json(&format!("/api/v1/treatments/{}?system=palmer", tid(&t)), &s.c.desk).await;
    assert_eq!(codes(&p["items"][0]), ["UR6"]);
    let (status, bad) = app.get_json(&format!("/api/v1/treatments/{}?system=roman", tid(&t)), &s.c.desk).await;
    assert_eq!(status, 422, "{bad}");
});

backend_test!(spawn_app -> TestApp, async fn teeth_that_do_not_fit_are_refused_naming_the_item(app) {
    let s = setup(&app).await;
    let p = s.c.patients[0];
    let cases = [
        (json!({"service_id": s.filling, "scope": "single_tooth", "teeth": ["16", "17"]}), "items[1].teeth"),
        (json!({"service_id": s.filling, "scope": "single_tooth"}), "items[1].teeth"),
        (json!({"service_id": s.filling, "scope": "multi_tooth", "teeth": ["16"]}), "items[1].teeth"),
        (json!({"service_id": s.filling, "scope": "multi_tooth", "teeth": ["16", "3"]}), "items[1].teeth"),
        (json!({"service_id": s.filling, "scope": "multi_tooth", "teeth": ["16", "16"]}), "items[1].teeth"),
        (json!({"service_id": s.scaling, "scope": "upper_arch", "teeth": ["36"]}), "items[1].teeth"),
        (json!({"service_id": s.scaling, "scope": "none", "teeth": ["36"]}), "items[1].teeth"),
        (json!({"service_id": s.filling, "scope": "single_tooth", "teeth": ["99"]}), "items[1].teeth"),
        (json!({"service_id": s.filling, "scope": "sideways", "teeth": ["16"]}), "items[1].scope"),
        (json!({"service_id": 999999, "scope": "none"}), "items[1].service_id"),
        (json!({"service_id": s.filling, "scope": "single_tooth", "teeth": ["16"], "system": "roman"}), "items[1].system"),
        (json!({"service_id": s.scaling, "scope": "upper_arch", "dentition": "milk"}), "items[1].dentition"),
    ];
    for (bad, field) in cases {
        let items = json!([{"service_id": s.filling, "scope": "single_tooth", "teeth": ["11"]}, bad]);
        let (status, problem) = record(&app, &s, p, items.clone()).await;
        assert_eq!(status, 422, "{items}: {problem}");
        assert_eq!(error_fields_in_order(&problem), [field], "{items}");
    }
    // A deactivated service cannot be billed anew.
    let (status, _) = app.call(Method::PATCH, &format!("/api/v1/services/{}", s.scaling), &s.c.manager, Some(json!({"is_active": false}))).await;
    assert_eq!(status, 200);
    let (status, problem) = record(&app, &s, p, json!([{"service_id": s.scaling, "scope": "none"}])).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields_in_order(&problem), ["items[0].service_id"]);
    // Everything else together, and nothing written.
    let (status, problem) = app.post_json("/api/v1/treatments", &s.doctor,
        json!({"patient_id": 999999, "doctor_id": s.c.nurse, "treatment_date": "2999-01-01T00:00:00Z", "items": []})).await;
    assert_eq!(status, 422);
    let mut fields = error_fields_in_order(&problem);
    fields.sort();
    assert_eq!(fields, ["doctor_id", "patient_id", "treatment_date"]);
    let (_, list) = app.get_json(&format!("/api/v1/patients/{p}/treatments"), &s.c.desk).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    // Receptionists read treatments but never write them.
    let (status, _) = app.post_json("/api/v1/treatments", &s.c.desk,
        json!({"patient_id": p, "doctor_id": s.c.doctors[0], "items": []})).await;
    assert_eq!(status, 403);
});

backend_test!(spawn_app -> TestApp, async fn prices_are_kept_and_invoices_never_change(app) {
    let s = setup(&app).await;
    let p = s.c.patients[0];
    let t = recorded(&app, &s, p, json!([
        {"service_id": s.filling, "scope": "multi_tooth", "teeth": ["16", "17"]},
        {"service_id": s.scaling, "scope": "upper_arch"},
    ])).await;
    let path = format!("/api/v1/treatments/{}/invoice", tid(&t));
    let (status, before) = app.get_json(&path, &s.c.desk).await;
    assert_eq!(status, 200, "{before}");
    assert_eq!(before["total"], 260_000);
    assert_eq!(before["lines"][0]["service"], "Filling (patient)");
    assert_eq!(before["lines"][0]["unit_price"], 30_000);
    assert_eq!(before["lines"][0]["quantity"], 2);
    assert_eq!(before["lines"][0]["teeth"], json!(["16", "17"]));
    assert_eq!(before["lines"][0]["disclaimer"], "Хоёр цаг хоол идэхгүй");
    assert_eq!(before["patient"]["id"], p);
    // The catalog's price goes up; the invoice does not move.
    let (status, _) = app.call(Method::PATCH, &format!("/api/v1/services/{}", s.filling), &s.c.manager, Some(json!({"price": 45_000}))).await;
    assert_eq!(status, 200);
    let (_, after) = app.get_json(&path, &s.c.desk).await;
    assert_eq!(after["lines"], before["lines"]);
    assert_eq!(after["total"], 260_000);
    // A new item takes today's price.
    let (status, t2) = app.post_json(&format!("/api/v1/treatments/{}/items", tid(&t)), &s.doctor,
        json!({"service_id": s.filling, "scope": "single_tooth", "teeth": ["26"]})).await;
    assert_eq!(status, 201, "{t2}");
    assert_eq!(t2["items"][2]["price"], 45_000);
    assert_eq!(t2["total"], 305_000);
});

backend_test!(spawn_app -> TestApp, async fn a_treatment_on_an_appointment_marks_the_visit(app) {
    let s = setup(&app).await;
    let p = s.c.patients[0];
    // Visits of 2020 are booked afterwards, by the manager (the front desk books the future).
    let visit = booked(&app, &s.c.manager, json!({"patient_id": p, "doctor_id": s.c.doctors[0], "start_at": "2020-03-02T10:00:00+08:00"})).await;
    let follow_up = booked(&app, &s.c.desk, json!({"patient_id": p, "doctor_id": s.c.doctors[0], "start_at": "2030-03-09T10:00:00+08:00"})).await;
    let other = booked(&app, &s.c.desk, json!({"patient_id": s.c.patients[1], "doctor_id": s.c.doctors[0], "start_at": "2030-03-09T11:00:00+08:00"})).await;
    // Another patient's appointment is refused.
    let (status, problem) = app.post_json("/api/v1/treatments", &s.doctor, json!({
        "patient_id": p, "doctor_id": s.c.doctors[0], "appointment_id": id(&other), "items": []})).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields_in_order(&problem), ["appointment_id"]);
    let (status, t) = app.post_json("/api/v1/treatments", &s.doctor, json!({
        "patient_id": p, "doctor_id": s.c.doctors[0], "appointment_id": id(&visit),
        "next_appointment_id": id(&follow_up), "treatment_date": "2020-03-02T10:20:00+08:00",
        "items": [{"service_id": s.filling, "scope": "single_tooth", "teeth": ["16"]}]})).await;
    assert_eq!(status, 201, "{t}");
    assert_eq!(t["next_appointment_id"], id(&follow_up));
    let (_, a) = app.get_json(&format!("/api/v1/appointments/{}", id(&visit)), &s.c.desk).await;
    assert_eq!(a["status"], "came", "reserved becomes came");
    let (_, patient) = app.get_json(&format!("/api/v1/patients/{p}"), &s.c.desk).await;
    assert!(patient["last_seen_at"].as_str().unwrap().starts_with("2020-03-02T02:20:00"), "{patient}");

    // Finishing with a balance: 409; a manager with a reason may; after the payment anyone.
    let (status, problem) = set_status(&app, &s.doctor, id(&visit), "finished").await;
    assert_eq!(status, 409, "{problem}");
    let (status, _) = app.post_json(&format!("/api/v1/appointments/{}/status", id(&visit)), &s.c.manager,
        json!({"status": "finished", "reason": "Дараа төлнө"})).await;
    assert_eq!(status, 200);
    // The other one: a treatment, then paid, then finished by the receptionist.
    let second = booked(&app, &s.c.manager, json!({"patient_id": p, "doctor_id": s.c.doctors[0], "start_at": "2020-03-05T10:00:00+08:00"})).await;
    let t = recorded(&app, &s, p, json!([])).await;
    assert_eq!(t["appointment_id"], Value::Null);
    let (status, t) = app.post_json("/api/v1/treatments", &s.doctor, json!({
        "patient_id": p, "doctor_id": s.c.doctors[0], "appointment_id": id(&second),
        "treatment_date": "2020-03-05T10:10:00+08:00",
        "items": [{"service_id": s.filling, "scope": "single_tooth", "teeth": ["17"]}]})).await;
    assert_eq!(status, 201);
    let (status, _) = set_status(&app, &s.c.desk, id(&second), "finished").await;
    assert_eq!(status, 409);
    let (status, pay) = app.post_json(&format!("/api/v1/treatments/{}/payments", tid(&t)), &s.c.desk,
        json!({"amount": 30_000, "method": "qpay"})).await;
    assert_eq!(status, 201, "{pay}");
    let (status, _) = set_status(&app, &s.c.desk, id(&second), "finished").await;
    assert_eq!(status, 200);
    // The patch of a treatment's own fields.
    let (status, changed) = app.patch_json(&format!("/api/v1/treatments/{}", tid(&t)), &s.doctor,
        json!({"note": "Дахин шалгах", "next_appointment_id": null})).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["note"], "Дахин шалгах");
    let (status, _) = app.patch_json(&format!("/api/v1/treatments/{}", tid(&t)), &s.doctor,
        json!({"next_appointment_id": id(&other)})).await;
    assert_eq!(status, 422);
});

backend_test!(spawn_app -> TestApp, async fn payments_partial_full_and_refunds(app) {
    let s = setup(&app).await;
    let p = s.c.patients[0];
    let t = recorded(&app, &s, p, json!([{"service_id": s.filling, "scope": "multi_tooth", "teeth": ["16", "17", "26", "27"]}])).await;
    let pay_path = format!("/api/v1/treatments/{}/payments", tid(&t));
    let pay = |token: &str, body: Value| {
        let (app, path, token) = (&app, pay_path.clone(), token.to_owned());
        async move { app.post_json(&path, &token, body).await }
    };
    // 120 000 due.
    for (amount, field) in [(0, "amount"), (120_001, "amount")] {
        let (status, problem) = pay(&s.c.desk, json!({"amount": amount, "method": "cash"})).await;
        assert_eq!(status, 422, "{amount}: {problem}");
        assert_eq!(error_fields_in_order(&problem), [field]);
    }
    let (status, problem) = pay(&s.c.desk, json!({"amount": 100, "method": "cheque"})).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields_in_order(&problem), ["method"]);
    let (status, problem) = pay(&s.c.desk, json!({"amount": 100, "method": "cash", "paid_at": "2999-01-01T00:00:00Z"})).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields_in_order(&problem), ["paid_at"]);
    let (status, first) = pay(&s.c.desk, json!({"amount": 50_000, "method": "cash", "note": "эхний"})).await;
    assert_eq!(status, 201, "{first}");
    assert!(first["received_by"].as_i64().is_some());
    let (_, inv) = app.get_json(&format!("/api/v1/treatments/{}/invoice", tid(&t)), &s.c.desk).await;
    assert_eq!((inv["total"].as_i64(), inv["paid"].as_i64(), inv["balance"].as_i64()), (Some(120_000), Some(50_000), Some(70_000)));
    assert_eq!(inv["payments"].as_array().unwrap().len(), 1);
    // A refund is for managers and admins, at most what was paid.
    let (status, _) = pay(&s.doctor, json!({"amount": -10_000, "method": "cash"})).await;
    assert_eq!(status, 403);
    let (status, problem) = pay(&s.c.manager, json!({"amount": -50_001, "method": "cash"})).await;
    assert_eq!(status, 422, "{problem}");
    let (status, _) = pay(&s.c.manager, json!({"amount": -10_000, "method": "cash"})).await;
    assert_eq!(status, 201);
    // 80 000 due: ten clients pay 40 000 at once; exactly two succeed.
    let results = join_all((0..10).map(|_| pay(&s.c.desk, json!({"amount": 40_000, "method": "card"})))).await;
    let ok = results.iter().filter(|(status, _)| *status == 201).count();
    let over = results.iter().filter(|(status, _)| *status == 422).count();
    assert_eq!((ok, over), (2, 8), "{results:?}");
    let (_, list) = app.get_json(&pay_path, &s.c.desk).await;
    assert_eq!(list.as_array().unwrap().len(), 4);
    let (_, t) = app.get_json(&format!("/api/v1/treatments/{}", tid(&t)), &s.c.desk).await;
    assert_eq!(t["balance"], 0);
    assert_eq!(t["paid"], 120_000);
    // Fully paid: a doctor may no longer change its items; a manager may.
    let items_path = format!("/api/v1/treatments/{}/items", tid(&t));
    let item = t["items"][0]["treatment_item_id"].as_i64().unwrap();
    let (status, _) = app.post_json(&items_path, &s.doctor, json!({"service_id": s.filling, "scope": "single_tooth", "teeth": ["11"]})).await;
    assert_eq!(status, 403);
    let (status, _) = app.call(Method::PUT, &format!("{items_path}/{item}/teeth"), &s.doctor, Some(json!({"teeth": ["11", "12"]}))).await;
    assert_eq!(status, 403);
    let (status, _) = app.call(Method::DELETE, &format!("{items_path}/{item}"), &s.doctor, None).await;
    assert_eq!(status, 403);
    let (status, t) = app.call(Method::PUT, &format!("{items_path}/{item}/teeth"), &s.c.manager, Some(json!({"teeth": ["11", "12"]}))).await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["balance"], -60_000, "paid for four teeth, two remain");
    // Account over every treatment.
    recorded(&app, &s, p, json!([{"service_id": s.scaling, "scope": "none"}])).await;
    let (status, invoices) = app.get_json(&format!("/api/v1/patients/{p}/invoices"), &s.c.desk).await;
    assert_eq!(status, 200, "{invoices}");
    assert_eq!(invoices["items"].as_array().unwrap().len(), 2);
    assert_eq!(invoices["account"], json!({"total": 260_000, "paid": 120_000, "balance": 140_000}));
});

backend_test!(spawn_app -> TestApp, async fn teeth_set_afterwards_items_removed_and_the_chart(app) {
    let s = setup(&app).await;
    let p = s.c.patients[0];
    let old = recorded(&app, &s, p, json!([{"service_id": s.filling, "scope": "single_tooth", "teeth": ["16"]}])).await;
    let new = recorded(&app, &s, p, json!([
        {"service_id": s.filling, "scope": "multi_tooth", "teeth": ["16", "17"]},
        {"service_id": s.scaling, "scope": "none"},
    ])).await;
    let item = new["items"][0]["treatment_item_id"].as_i64().unwrap();
    let teeth_path = format!("/api/v1/treatments/{}/items/{item}/teeth", tid(&new));
    // Replaced, given in Universal, with a note; checked against the scope.
    let (status, t) = app.call(Method::PUT, &teeth_path, &s.doctor, Some(json!({"teeth": ["3", {"code": "2", "note": "crack"}], "system": "universal"}))).await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(codes(&t["items"][0]), ["16", "17"]);
    assert_eq!(t["items"][0]["teeth"][1]["note"], "crack");
    let (status, problem) = app.call(Method::PUT, &teeth_path, &s.doctor, Some(json!({"teeth": ["16"]}))).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields_in_order(&problem), ["teeth"]);
    let (status, _) = app.call(Method::PUT, &format!("/api/v1/treatments/{}/items/999999/teeth", tid(&new)), &s.doctor, Some(json!({"teeth": ["16"]}))).await;
    assert_eq!(status, 404);
    // The chart: tooth 16 has two items, newest first; 17 one.
    let (status, chart) = app.get_json(&format!("/api/v1/patients/{p}/chart"), &s.c.desk).await;
    assert_eq!(status, 200, "{chart}");
    let teeth = chart["teeth"].as_array().unwrap();
    let codes_: Vec<&str> = teeth.iter().map(|t| t["code"].as_str().unwrap()).collect();
    assert_eq!(codes_, ["16", "17"]);
    let on_16 = teeth[0]["items"].as_array().unwrap();
    assert_eq!(on_16.len(), 2);
    assert_eq!(on_16[0]["treatment_id"], tid(&new));
    assert_eq!(on_16[1]["treatment_id"], tid(&old));
    assert_eq!(teeth[1]["items"][0]["tooth_note"], "crack");
    let (_, chart) = app.get_json(&format!("/api/v1/patients/{p}/chart?system=palmer"), &s.c.desk).await;
    assert_eq!(chart["teeth"][0]["code"], "UR6");
    // Removing an item.
    let second = new["items"][1]["treatment_item_id"].as_i64().unwrap();
    let (status, _) = app.call(Method::DELETE, &format!("/api/v1/treatments/{}/items/{second}", tid(&new)), &s.doctor, None).await;
    assert_eq!(status, 204);
    let (_, t) = app.get_json(&format!("/api/v1/treatments/{}", tid(&new)), &s.c.desk).await;
    assert_eq!(t["items"].as_array().unwrap().len(), 1);
    assert_eq!(t["total"], 60_000);
    // Every write is audited.
    let (_, audit) = app.get_json(&format!("/api/v1/audit?table=treatment_item&row_id={second}"), &s.c.manager).await;
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"delete"), "{audit}");
    let (_, audit) = app.get_json(&format!("/api/v1/audit?table=treatment&row_id={}", tid(&new)), &s.c.manager).await;
    assert!(audit.to_string().contains("\"create\""), "{audit}");
    // The patient's treatments, newest first, paginated.
    let (_, page) = app.get_json(&format!("/api/v1/patients/{p}/treatments?limit=1"), &s.c.desk).await;
    assert_eq!(page["items"][0]["treatment_id"], tid(&new));
    let cursor = page["next_cursor"].as_str().unwrap();
    let (_, page) = app.get_json(&format!("/api/v1/patients/{p}/treatments?limit=1&cursor={cursor}"), &s.c.desk).await;
    assert_eq!(page["items"][0]["treatment_id"], tid(&old));
    assert_eq!(page["next_cursor"], Value::Null);
    let (status, _) = app.get_json(&format!("/api/v1/patients/{p}/treatments?cursor=nonsense"), &s.c.desk).await;
    assert_eq!(status, 400);
    let (status, _) = app.get_json("/api/v1/patients/999999/chart", &s.c.desk).await;
    assert_eq!(status, 404);
});

backend_test!(spawn_app -> TestApp, async fn a_patient_reads_their_own_treatments_and_invoices(app) {
    let s = setup(&app).await;
    let p = s.c.patients[0];
    let portal = app.create_user("portal", Role::Patient).await;
    let (status, _) = app.patch_json(&format!("/api/v1/patients/{p}"), &s.c.admin, json!({"user_id": portal})).await;
    assert_eq!(status, 200);
    let t = recorded(&app, &s, p, json!([{"service_id": s.filling, "scope": "single_tooth", "teeth": ["16"]}])).await;
    recorded(&app, &s, s.c.patients[1], json!([{"service_id": s.scaling, "scope": "none"}])).await;
    let token = app.token("portal").await;
    let (status, mine) = app.get_json("/api/v1/me/treatments", &token).await;
    assert_eq!(status, 200, "{mine}");
    let items = mine["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "only their own");
    assert_eq!(items[0]["treatment_id"], tid(&t));
    assert_eq!(items[0]["items"][0]["service"], "Filling (patient)");
    assert_eq!(items[0]["items"][0]["teeth"], json!(["16"]));
    let (status, invoices) = app.get_json("/api/v1/me/invoices", &token).await;
    assert_eq!(status, 200);
    assert_eq!(invoices["account"]["balance"], 30_000);
    // Nothing else of the clinical record.
    for path in [
        format!("/api/v1/treatments/{}", tid(&t)),
        format!("/api/v1/patients/{p}/chart"),
        format!("/api/v1/treatments/{}/invoice", tid(&t)),
    ] {
        assert_eq!(app.get_json(&path, &token).await.0, 403, "{path}");
    }
});
