//! The dentist's chart and treatment plans through HTTP: findings with surfaces (and the
//! surfaces refused for a kind or a tooth), resolution by a treatment item, the chart's
//! summary and a tooth's history, the plan's status machine, item changes of an accepted
//! plan, recording from a plan at the plan's price after the catalog changed, the estimate
//! with a discount, who may read and write, and a patient's own plans.
use crate::backend_test;
use crate::helpers::{TestApp, error_fields};
use crate::treatments::{Setup, setup};
use dcms_domain::Role;
use serde_json::{Value, json};

async fn finding(app: &TestApp, s: &Setup, patient: i64, body: Value) -> (u16, Value) {
    app.post_json(
        &format!("/api/v1/patients/{patient}/findings"),
        &s.doctor,
        body,
    )
    .await
}

async fn plan(app: &TestApp, s: &Setup, patient: i64, items: Value) -> Value {
    let (status, plan) = app
        .post_json(
            &format!("/api/v1/patients/{patient}/treatment-plans"),
            &s.doctor,
            json!({"doctor_id": s.c.doctors[0], "title": "Fillings", "items": items}),
        )
        .await;
    assert_eq!(status, 201, "{plan}");
    plan
}

async fn move_to(app: &TestApp, s: &Setup, plan_id: i64, status: &str) -> (u16, Value) {
    app.post_json(
        &format!("/api/v1/treatment-plans/{plan_id}/status"),
        &s.doctor,
        json!({"status": status, "reason": "patient moved away"}),
    )
    .await
}

fn id(v: &Value, key: &str) -> i64 {
    v[key].as_i64().unwrap_or_else(|| panic!("no {key} in {v}"))
}

backend_test!(spawn_app -> TestApp, async fn findings_take_surfaces_where_kind_and_tooth_have_them(app) {
    let s = setup(&app).await;
    let p = s.c.patients[0];
    let (status, caries) = finding(&app, &s, p, json!({"tooth": "36", "system": "fdi", "kind": "caries", "surfaces": ["mesial", "occlusal"], "note": "deep"})).await;
    assert_eq!(status, 201, "{caries}");
    assert_eq!(caries["surfaces"], json!(["mesial", "occlusal"]));
    assert_eq!(caries["tooth"]["code"], "36");
    assert_eq!(caries["resolved_at"], Value::Null);
    let (status, front) = finding(&app, &s, p, json!({"tooth": "11", "system": "fdi", "kind": "filling", "surfaces": ["incisal", "labial"]})).await;
    assert_eq!(status, 201, "{front}");
    assert_eq!(front["surfaces"], json!(["occlusal", "buccal"]));
    let (status, missing) = finding(&app, &s, p, json!({"tooth": "46", "system": "fdi", "kind": "missing"})).await;
    assert_eq!(status, 201, "{missing}");
    for (body, field) in [
        (json!({"tooth": "46", "system": "fdi", "kind": "crown", "surfaces": ["mesial"]}), "surfaces"),
        (json!({"tooth": "36", "system": "fdi", "kind": "caries", "surfaces": ["incisal"]}), "surfaces"),
        (json!({"tooth": "36", "system": "fdi", "kind": "caries", "surfaces": ["top"]}), "surfaces"),
        (json!({"tooth": "99", "system": "fdi", "kind": "caries"}), "tooth"),
        (json!({"tooth": "36", "system": "fdi", "kind": "rot"}), "kind"),
    ] {
        let (status, problem) = finding(&app, &s, p, body.clone()).await;
        assert_eq!(status, 422, "{body}: {problem}");
        assert_eq!(error_fields(&problem), [field], "{body}");
    }
    let (_, open) = app.get_json(&format!("/api/v1/patients/{p}/findings?open=true&system=fdi"), &s.doctor).await;
    assert_eq!(open.as_array().unwrap().len(), 3, "{open}");
    // Closed by the doctor: gone from the open list, kept in the whole one.
    let (status, closed) = app.patch_json(&format!("/api/v1/findings/{}", id(&front, "finding_id")), &s.doctor, json!({"resolved": true})).await;
    assert_eq!(status, 200, "{closed}");
    assert!(closed["resolved_at"].is_string());
    let (_, open) = app.get_json(&format!("/api/v1/patients/{p}/findings?open=true"), &s.doctor).await;
    assert_eq!(open.as_array().unwrap().len(), 2);
    let (_, all) = app.get_json(&format!("/api/v1/patients/{p}/findings"), &s.doctor).await;
    assert_eq!(all.as_array().unwrap().len(), 3);
    // Receptionists and HQ read; they do not write.
    let (status, _) = app.get_json(&format!("/api/v1/patients/{p}/findings"), &s.c.desk).await;
    assert_eq!(status, 200);
    let (status, _) = app.post_json(&format!("/api/v1/patients/{p}/findings"), &s.c.desk, json!({"tooth": "36", "kind": "caries"})).await;
    assert_eq!(status, 403);
    let hq = app.login_with("hq", Role::Manager, "hq").await;
    let (status, _) = app.get_json(&format!("/api/v1/patients/{p}/chart/summary"), &hq).await;
    assert_eq!(status, 200);
    let (status, _) = app.patch_json(&format!("/api/v1/findings/{}", id(&caries, "finding_id")), &hq, json!({"resolved": true})).await;
    assert_eq!(status, 403);
});

backend_test!(spawn_app -> TestApp, async fn a_treatment_item_resolves_its_finding_and_the_summary_shows_it(app) {
    let s = setup(&app).await;
    let p = s.c.patients[0];
    let (_, caries) = finding(&app, &s, p, json!({"tooth": "36", "system": "fdi", "kind": "caries", "surfaces": ["mesial", "occlusal"]})).await;
    let finding_id = id(&caries, "finding_id");
    // The finding must be on the item's one tooth.
    let (status, problem) = app.post_json("/api/v1/treatments", &s.doctor, json!({
        "patient_id": p, "doctor_id": s.c.doctors[0],
        "items": [{"service_id": s.filling, "scope": "single_tooth", "teeth": ["37"], "system": "fdi", "finding_id": finding_id}],
    })).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(error_fields(&problem), ["items[0].finding_id"]);
    // Surfaces only on one tooth.
    let (status, problem) = app.post_json("/api/v1/treatments", &s.doctor, json!({
        "patient_id": p, "doctor_id": s.c.doctors[0],
        "items": [{"service_id": s.scaling, "scope": "upper_arch", "surfaces": ["mesial"]}],
    })).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(error_fields(&problem), ["items[0].surfaces"]);
    let (status, t) = app.post_json("/api/v1/treatments?system=fdi", &s.doctor, json!({
        "patient_id": p, "doctor_id": s.c.doctors[0],
        "items": [{"service_id": s.filling, "scope": "single_tooth", "teeth": ["36"], "system": "fdi", "surfaces": ["mesial", "occlusal"], "finding_id": finding_id}],
    })).await;
    assert_eq!(status, 201, "{t}");
    let item_id = id(&t["items"][0], "treatment_item_id");
    let (_, all) = app.get_json(&format!("/api/v1/patients/{p}/findings?system=fdi"), &s.doctor).await;
    assert_eq!(all[0]["resolved_by_item_id"], item_id, "{all}");
    let (status, summary) = app.get_json(&format!("/api/v1/patients/{p}/chart/summary?system=fdi"), &s.doctor).await;
    assert_eq!(status, 200, "{summary}");
    let teeth = summary["teeth"].as_array().unwrap();
    assert_eq!(teeth.len(), 1, "{summary}");
    assert_eq!(teeth[0]["code"], "36");
    assert_eq!(teeth[0]["findings"], json!([]));
    assert_eq!(teeth[0]["done"][0]["surfaces"], json!(["mesial", "occlusal"]));
    // The tooth's history: the item, then the finding, a page at a time.
    let (status, page) = app.get_json(&format!("/api/v1/patients/{p}/teeth/36/history?system=fdi&limit=1"), &s.doctor).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let first = page["items"][0]["entry"].as_str().unwrap().to_owned();
    let cursor = page["next_cursor"].as_str().expect("a second page").to_owned();
    let (_, next) = app.get_json(&format!("/api/v1/patients/{p}/teeth/36/history?system=fdi&limit=1&cursor={cursor}"), &s.doctor).await;
    let second = next["items"][0]["entry"].as_str().unwrap().to_owned();
    let mut kinds = [first, second];
    kinds.sort();
    assert_eq!(kinds, ["finding", "treatment_item"]);
    assert_eq!(next["next_cursor"], Value::Null);
    let (status, _) = app.get_json(&format!("/api/v1/patients/{p}/teeth/99/history?system=fdi"), &s.doctor).await;
    assert_eq!(status, 422);
    // Removing the item opens the finding again.
    let tid = id(&t, "treatment_id");
    let (status, _) = app.delete_json(&format!("/api/v1/treatments/{tid}/items/{item_id}"), &s.doctor).await;
    assert_eq!(status, 204);
    let (_, open) = app.get_json(&format!("/api/v1/patients/{p}/findings?open=true"), &s.doctor).await;
    assert_eq!(open.as_array().unwrap().len(), 1, "{open}");
});

backend_test!(spawn_app -> TestApp, async fn the_plan_moves_only_as_its_state_machine_allows(app) {
    let s = setup(&app).await;
    let p = s.c.patients[0];
    let empty = plan(&app, &s, p, json!([])).await;
    assert_eq!(empty["status"], "draft");
    let (status, problem) = move_to(&app, &s, id(&empty, "plan_id"), "presented").await;
    assert_eq!(status, 422, "an empty plan is not presented: {problem}");
    let pl = plan(&app, &s, p, json!([
        {"service_id": s.filling, "scope": "single_tooth", "teeth": ["36"], "system": "fdi", "phase": 1},
        {"service_id": s.scaling, "scope": "upper_arch", "phase": 2},
    ])).await;
    let plan_id = id(&pl, "plan_id");
    assert_eq!(pl["total"], 230_000, "{pl}");
    assert_eq!(pl["total_by_phase"], json!([{"phase": 1, "total": 30_000}, {"phase": 2, "total": 200_000}]));
    for to in ["accepted", "rejected", "completed"] {
        let (status, problem) = move_to(&app, &s, plan_id, to).await;
        assert_eq!(status, 422, "draft → {to}: {problem}");
        assert_eq!(error_fields(&problem), ["status"]);
    }
    let (status, presented) = move_to(&app, &s, plan_id, "presented").await;
    assert_eq!(status, 200, "{presented}");
    assert!(presented["presented_at"].is_string());
    let (status, _) = move_to(&app, &s, plan_id, "completed").await;
    assert_eq!(status, 422);
    let (status, accepted) = move_to(&app, &s, plan_id, "accepted").await;
    assert_eq!(status, 200, "{accepted}");
    // Its items and discount no longer change.
    let item = id(&accepted["items"][0], "plan_item_id");
    let (status, _) = app.post_json(&format!("/api/v1/treatment-plans/{plan_id}/items"), &s.doctor, json!({"items": [{"service_id": s.filling, "scope": "single_tooth", "teeth": ["37"], "system": "fdi"}]})).await;
    assert_eq!(status, 409);
    let (status, _) = app.delete_json(&format!("/api/v1/treatment-plans/{plan_id}/items/{item}"), &s.doctor).await;
    assert_eq!(status, 409);
    let (status, _) = app.patch_json(&format!("/api/v1/treatment-plans/{plan_id}/items/{item}"), &s.doctor, json!({"phase": 3})).await;
    assert_eq!(status, 409);
    let (status, _) = app.patch_json(&format!("/api/v1/treatment-plans/{plan_id}"), &s.doctor, json!({"discount": 1000})).await;
    assert_eq!(status, 409);
    let (status, _) = move_to(&app, &s, plan_id, "completed").await;
    assert_eq!(status, 422, "items still planned");
    // Dropping every item lets it complete.
    for item in accepted["items"].as_array().unwrap() {
        let (status, _) = app.patch_json(&format!("/api/v1/treatment-plans/{plan_id}/items/{}", id(item, "plan_item_id")), &s.doctor, json!({"status": "dropped"})).await;
        assert_eq!(status, 200);
    }
    let (status, done) = move_to(&app, &s, plan_id, "completed").await;
    assert_eq!(status, 200, "{done}");
    let (status, _) = move_to(&app, &s, plan_id, "canceled").await;
    assert_eq!(status, 422, "a completed plan is not canceled");
    // Canceling needs a reason.
    let (status, problem) = app.post_json(&format!("/api/v1/treatment-plans/{}/status", id(&empty, "plan_id")), &s.doctor, json!({"status": "canceled"})).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["reason"]);
    let (status, canceled) = move_to(&app, &s, id(&empty, "plan_id"), "canceled").await;
    assert_eq!(status, 200);
    assert_eq!(canceled["cancel_reason"], "patient moved away");
    // A receptionist reads; does not write.
    let (status, _) = app.get_json(&format!("/api/v1/treatment-plans/{plan_id}"), &s.c.desk).await;
    assert_eq!(status, 200);
    let (status, _) = app.post_json(&format!("/api/v1/patients/{p}/treatment-plans"), &s.c.desk, json!({"doctor_id": s.c.doctors[0]})).await;
    assert_eq!(status, 403);
});

backend_test!(spawn_app -> TestApp, async fn recording_from_a_plan_charges_the_plans_price(app) {
    let s = setup(&app).await;
    let p = s.c.patients[0];
    let (_, caries) = finding(&app, &s, p, json!({"tooth": "36", "system": "fdi", "kind": "caries", "surfaces": ["distal"]})).await;
    let pl = plan(&app, &s, p, json!([
        {"service_id": s.filling, "scope": "single_tooth", "teeth": ["36"], "system": "fdi", "surfaces": ["distal"], "finding_id": id(&caries, "finding_id")},
    ])).await;
    let plan_id = id(&pl, "plan_id");
    let plan_item = id(&pl["items"][0], "plan_item_id");
    let record = |token: String| {
        let app = &app;
        let doctor = s.c.doctors[0];
        async move {
            app.post_json("/api/v1/treatments?system=fdi", &token, json!({
                "patient_id": p, "doctor_id": doctor, "items": [{"plan_item_id": plan_item}],
            })).await
        }
    };
    // Not from a draft.
    let (status, problem) = record(s.doctor.clone()).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(error_fields(&problem), ["items[0].plan_item_id"]);
    move_to(&app, &s, plan_id, "presented").await;
    move_to(&app, &s, plan_id, "accepted").await;
    // The catalog's price changes after the plan was accepted.
    let (status, _) = app.patch_json(&format!("/api/v1/services/{}", s.filling), &s.c.manager, json!({"price": 45_000})).await;
    assert_eq!(status, 200);
    let (_, still) = app.get_json(&format!("/api/v1/treatment-plans/{plan_id}"), &s.doctor).await;
    assert_eq!(still["total"], 30_000, "an accepted plan's prices do not move");
    // Another patient may not use it.
    let (status, _) = app.post_json("/api/v1/treatments", &s.doctor, json!({
        "patient_id": s.c.patients[1], "doctor_id": s.c.doctors[0], "items": [{"plan_item_id": plan_item}],
    })).await;
    assert_eq!(status, 422);
    let (status, t) = record(s.doctor.clone()).await;
    assert_eq!(status, 201, "{t}");
    assert_eq!(t["items"][0]["price"], 30_000, "{t}");
    assert_eq!(t["items"][0]["teeth"][0]["code"], "36");
    assert_eq!(t["items"][0]["surfaces"], json!(["distal"]), "the plan item's surfaces");
    let (_, after) = app.get_json(&format!("/api/v1/treatment-plans/{plan_id}"), &s.doctor).await;
    assert_eq!(after["items"][0]["status"], "done");
    assert_eq!(after["items"][0]["treatment_item_id"], t["items"][0]["treatment_item_id"]);
    assert_eq!(after["status"], "completed", "the last item done completes the plan");
    let (_, open) = app.get_json(&format!("/api/v1/patients/{p}/findings?open=true"), &s.doctor).await;
    assert_eq!(open, json!([]), "the plan item's finding is resolved");
    // Done once only.
    let (status, _) = record(s.doctor.clone()).await;
    assert_eq!(status, 422);
});

backend_test!(spawn_app -> TestApp, async fn the_estimate_totals_phases_and_discount_for_the_patient(app) {
    let s = setup(&app).await;
    let p = s.c.patients[0];
    let (status, _) = app.patch_json("/api/v1/settings", &s.c.manager, json!({"clinic_contacts": "Сүхбаатар дүүрэг · 7700-1234", "estimate_valid_days": 30})).await;
    assert_eq!(status, 200);
    let pl = plan(&app, &s, p, json!([
        {"service_id": s.filling, "scope": "multi_tooth", "teeth": ["36", "37"], "system": "fdi", "phase": 1},
        {"service_id": s.scaling, "scope": "upper_arch", "phase": 2},
    ])).await;
    let plan_id = id(&pl, "plan_id");
    let (status, problem) = app.patch_json(&format!("/api/v1/treatment-plans/{plan_id}"), &s.doctor, json!({"discount": 260_001})).await;
    assert_eq!(status, 422, "{problem}");
    let (status, discounted) = app.patch_json(&format!("/api/v1/treatment-plans/{plan_id}"), &s.doctor, json!({"discount": 10_000, "discount_reason": "Багц"})).await;
    assert_eq!(status, 200, "{discounted}");
    move_to(&app, &s, plan_id, "presented").await;
    let (status, e) = app.get_json(&format!("/api/v1/treatment-plans/{plan_id}/estimate?system=fdi"), &s.c.desk).await;
    assert_eq!(status, 200, "{e}");
    assert_eq!(e["clinic"]["contacts"], "Сүхбаатар дүүрэг · 7700-1234");
    assert_eq!(e["phases"][0]["subtotal"], 60_000, "{e}");
    assert_eq!(e["phases"][0]["lines"][0]["teeth"], json!(["36", "37"]));
    assert_eq!(e["phases"][0]["lines"][0]["service"], "Filling (patient)");
    assert_eq!(e["phases"][1]["subtotal"], 200_000);
    assert_eq!(e["subtotal"], 260_000);
    assert_eq!(e["discount"], 10_000);
    assert_eq!(e["total"], 250_000);
    let issued: jiff::civil::Date = e["issued_on"].as_str().unwrap().parse().unwrap();
    let until: jiff::civil::Date = e["valid_until"].as_str().unwrap().parse().unwrap();
    assert_eq!((until - issued).get_days(), 30);
    // The patient reads their own plans and estimates, not another's.
    let portal = app.create_user("portal", Role::Patient).await;
    let (status, _) = app.patch_json(&format!("/api/v1/patients/{p}"), &s.c.admin, json!({"user_id": portal})).await;
    assert_eq!(status, 200);
    let token = app.token("portal").await;
    let (status, mine) = app.get_json("/api/v1/me/treatment-plans", &token).await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let (status, _) = app.get_json(&format!("/api/v1/me/treatment-plans/{plan_id}/estimate"), &token).await;
    assert_eq!(status, 200);
    let other = plan(&app, &s, s.c.patients[1], json!([])).await;
    let (status, _) = app.get_json(&format!("/api/v1/me/treatment-plans/{}/estimate", id(&other, "plan_id")), &token).await;
    assert_eq!(status, 404);
    let (status, _) = app.get_json(&format!("/api/v1/treatment-plans/{plan_id}"), &token).await;
    assert_eq!(status, 403, "the staff route is not the patient's");
});

backend_test!(spawn_app -> TestApp, async fn a_plan_item_is_recorded_once_when_many_try_at_once(app) {
    let s = setup(&app).await;
    let p = s.c.patients[0];
    let pl = plan(&app, &s, p, json!([
        {"service_id": s.filling, "scope": "single_tooth", "teeth": ["36"], "system": "fdi"},
        {"service_id": s.filling, "scope": "single_tooth", "teeth": ["37"], "system": "fdi"},
    ])).await;
    let plan_id = id(&pl, "plan_id");
    let plan_item = id(&pl["items"][0], "plan_item_id");
    move_to(&app, &s, plan_id, "presented").await;
    move_to(&app, &s, plan_id, "accepted").await;
    let attempts = (0..10).map(|_| {
        app.post_json("/api/v1/treatments", &s.doctor, json!({
            "patient_id": p, "doctor_id": s.c.doctors[0], "items": [{"plan_item_id": plan_item}],
        }))
    });
    let answers = futures_util::future::join_all(attempts).await;
    let created = answers.iter().filter(|(status, _)| *status == 201).count();
    assert_eq!(created, 1, "{answers:?}");
    assert!(answers.iter().all(|(status, _)| *status == 201 || *status == 422), "{answers:?}");
    let (_, after) = app.get_json(&format!("/api/v1/treatment-plans/{plan_id}"), &s.doctor).await;
    assert_eq!(after["items"][0]["status"], "done");
    assert_eq!(after["status"], "accepted", "one item is still planned");
});
