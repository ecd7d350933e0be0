//! Staff through HTTP: employees with phones and positions, display numbers (also under
//! concurrent creation), the phone rules (also under concurrent deletes), positions (unique
//! type, soft-disable, no DELETE), assignments (one open primary), firing (the linked user is
//! locked out at once), doctors, who may read and write, and the audit rows.
use crate::backend_test;
use crate::helpers::{PASSWORD, TestApp};
use dcms_domain::Role;
use dcms_store::sea_orm::ConnectionTrait;
use dcms_store::sea_orm::sea_query::{Expr, ExprTrait, Query};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn two_phones() -> Value {
    json!([
        {"number": "9911 2233", "label": "Self", "is_primary": true},
        {"number": "+976 8811-2233", "label": "Home", "is_primary": false},
    ])
}

fn employee_body(first_name: &str) -> Value {
    json!({
        "first_name": first_name,
        "last_name": "Бат",
        "gender": "female",
        "phones": two_phones(),
    })
}

/// Creates a position and returns its id.
async fn position(app: &TestApp, token: &str, kind: &str, category: &str) -> i64 {
    let (status, body) = app.post_json("/api/v1/positions",
        token,
        json!({"position_type": kind, "display_name": format!("{kind} name"), "category": category}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["position_id"].as_i64().unwrap()
}

/// Creates an employee and returns the answer.
async fn employee(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, answer) = app.post_json("/api/v1/employees", token, body).await;
    assert_eq!(status, 201, "{answer}");
    answer
}

fn number_of(employee: &Value) -> i64 {
    employee["employee_display_number"].as_i64().unwrap()
}

backend_test!(spawn_app -> TestApp, async fn create_answers_the_whole_employee(app) {
    let manager = app.login("boss", Role::Manager).await;
    let dentist = position(&app, &manager, "DENTIST", "clinical").await;
    let nurse = position(&app, &manager, "NURSE", "support").await;
    let e = employee(&app, &manager, json!({
        "first_name": "  Болормаа ",
        "last_name": "Бат",
        "gender": "female",
        "birthday": "1990-04-05",
        "email": "Bolor@Example.MN",
        "home_address": "Баянзүрх, 5-р хороо",
        "hired_at": "2020-01-15",
        "phones": two_phones(),
        "positions": [
            {"position_id": dentist, "is_primary": true, "started_at": "2020-01-15"},
            {"position_id": nurse, "is_primary": false, "started_at": "2021-02-01"},
        ],
    })).await;
    assert_eq!(e["employee_display_number"], 1, "{e}");
    assert_eq!(e["first_name"], "Болормаа");
    assert_eq!(e["last_name"], "Бат");
    assert_eq!(e["gender"], "female");
    assert_eq!(e["status"], "active", "the default status");
    assert_eq!(e["birthday"], "1990-04-05");
    assert_eq!(e["email"], "Bolor@example.mn");
    assert_eq!(e["home_address"], "Баянзүрх, 5-р хороо");
    assert_eq!(e["hired_at"], "2020-01-15");
    assert_eq!(e["fired_at"], Value::Null);
    assert_eq!(e["user_id"], Value::Null);
    assert_eq!(e["primary_phone"], "99112233");
    let phones = e["phones"].as_array().unwrap();
    assert_eq!(phones.len(), 2);
    assert_eq!(phones[0]["number"], "99112233", "in creation order, normalised");
    assert_eq!(phones[0]["label"], "Self");
    assert_eq!(phones[0]["is_primary"], true);
    assert_eq!(phones[1]["number"], "88112233");
    assert_eq!(phones[1]["is_primary"], false);
    assert!(phones[0]["phone_number_id"].as_i64().is_some());
    let positions = e["positions"].as_array().unwrap();
    assert_eq!(positions.len(), 2);
    assert_eq!(positions[0]["position_id"], dentist);
    assert_eq!(positions[0]["position_type"], "DENTIST");
    assert_eq!(positions[0]["display_name"], "DENTIST name");
    assert_eq!(positions[0]["category"], "clinical");
    assert_eq!(positions[0]["is_primary"], true);
    assert_eq!(positions[0]["started_at"], "2020-01-15");
    assert_eq!(positions[0]["ended_at"], Value::Null);
    assert_eq!(positions[1]["category"], "support");
    assert!(positions[0]["employee_position_id"].as_i64().is_some());

    let id = e["employee_id"].as_i64().unwrap();
    let (status, again) = app.get_json(&format!("/api/v1/employees/{id}"), &manager).await;
    assert_eq!(status, 200);
    assert_eq!(again, e, "GET answers what POST did");
    assert_eq!(app.get_json("/api/v1/employees/999999", &manager).await.0, 404);

    // A started_at left out is today; the list carries the same shape.
    let second = employee(&app, &manager, json!({
        "first_name": "Дорж", "last_name": "Гантулга", "gender": "male", "status": "intern",
        "phones": two_phones(), "positions": [{"position_id": nurse, "is_primary": true}],
    })).await;
    assert_eq!(second["status"], "intern");
    assert_eq!(second["positions"][0]["started_at"].as_str().unwrap().len(), 10);
    let (status, page) = app.get_json("/api/v1/employees?limit=1", &manager).await;
    assert_eq!(status, 200);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0], e);
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let (_, page) = app.get_json(&format!("/api/v1/employees?limit=1&cursor={cursor}"), &manager).await;
    assert_eq!(page["items"][0]["employee_id"], second["employee_id"]);
    assert_eq!(page["next_cursor"], Value::Null);
    let (_, interns) = app.get_json("/api/v1/employees?status=intern", &manager).await;
    assert_eq!(interns["items"].as_array().unwrap().len(), 1);
    assert_eq!(app.get_json("/api/v1/employees?cursor=nonsense", &manager).await.0, 400);
});

backend_test!(spawn_app -> TestApp, async fn invalid_creations_store_nothing(app) {
    let manager = app.login("boss", Role::Manager).await;
    // An admin: some cases link a user account.
    let admin = app.login("root", Role::Admin).await;
    let patient_user = app.create_user("pat", Role::Patient).await;
    let active = position(&app, &manager, "DENTIST", "clinical").await;
    let retired = position(&app, &manager, "OLD", "clinical").await;
    assert_eq!(app.patch_json(&format!("/api/v1/positions/{retired}"), &manager, json!({"is_active": false})).await.0, 200);

    let with = |changes: Value| {
        let mut body = employee_body("Сараа");
        for (k, v) in changes.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (with(json!({"phones": [{"number": "99112233", "label": "Self", "is_primary": true}]})), vec!["phones"]),
        (with(json!({"phones": []})), vec!["phones"]),
        (with(json!({"phones": [
            {"number": "99112233", "label": "Self", "is_primary": true},
            {"number": "88112233", "label": "Home", "is_primary": true}]})), vec!["phones"]),
        (with(json!({"phones": [
            {"number": "99112233", "label": "Self", "is_primary": false},
            {"number": "88112233", "label": "Home", "is_primary": false}]})), vec!["phones"]),
        (with(json!({"phones": [
            {"number": "99112233", "label": "Self", "is_primary": true},
            {"number": "9911-2233", "label": "Home", "is_primary": false}]})), vec!["phones[1].number"]),
        (with(json!({"phones": [
            {"number": "9911223", "label": "Self", "is_primary": true},
            {"number": "88112233", "label": "Home\nWork", "is_primary": false}]})), vec!["phones[0].number", "phones[1].label"]),
        (with(json!({"first_name": " ", "last_name": "x".repeat(101), "gender": "robot"})), vec!["first_name", "gender", "last_name"]),
        (json!({"phones": two_phones()}), vec!["first_name", "gender", "last_name"]),
        (with(json!({"email": "not-an-address", "birthday": "2999-01-01", "hired_at": "15/01/2020"})), vec!["birthday", "email", "hired_at"]),
        (with(json!({"status": "not_working"})), vec!["status"]),
        (with(json!({"user_id": patient_user})), vec!["user_id"]),
        (with(json!({"user_id": 999999})), vec!["user_id"]),
        (with(json!({"positions": [{"position_id": retired, "is_primary": true}]})), vec!["positions[0].position_id"]),
        (with(json!({"positions": [{"position_id": 999999, "is_primary": true}]})), vec!["positions[0].position_id"]),
        (with(json!({"positions": [
            {"position_id": active, "is_primary": true, "started_at": "2024-01-01"},
            {"position_id": retired, "is_primary": true, "started_at": "2024-01-01"}]})), vec!["positions"]),
    ];
    for (body, fields) in cases {
        let (status, problem) = app.post_json("/api/v1/employees", &admin, body.clone()).await;
        assert_eq!(status, 422, "{body} -> {problem}");
        assert_eq!(error_fields(&problem), fields, "{body}");
    }
    let (status, page) = app.get_json("/api/v1/employees", &manager).await;
    assert_eq!(status, 200);
    assert_eq!(page["items"], json!([]), "nothing was stored");
    let e = employee(&app, &manager, employee_body("Сараа")).await;
    assert_eq!(number_of(&e), 1, "failed creations used up no number");
});

backend_test!(spawn_app -> TestApp, async fn display_numbers_increase_and_are_never_reused(app) {
    let manager = app.login("boss", Role::Manager).await;
    let first = employee(&app, &manager, employee_body("Нэг")).await;
    let second = employee(&app, &manager, employee_body("Хоёр")).await;
    assert_eq!((number_of(&first), number_of(&second)), (1, 2));

    // A failed creation in between changes nothing.
    let (status, _) = app.post_json("/api/v1/employees", &manager, json!({"first_name": "x"})).await;
    assert_eq!(status, 422);

    // The newest employee removed behind the application's back: its number is not given
    // again (MAX()+1 would).
    let second_id = second["employee_id"].as_i64().unwrap();
    let db = app.store.connection();
    for table in ["employee_phone", "employee_position"] {
        let mut stmt = Query::delete();
        stmt.from_table(table).and_where(Expr::col("employee_id").eq(second_id));
        db.execute(&stmt).await.unwrap();
    }
    let mut stmt = Query::delete();
    stmt.from_table("employee").and_where(Expr::col("employee_id").eq(second_id));
    db.execute(&stmt).await.unwrap();
    let third = employee(&app, &manager, employee_body("Гурав")).await;
    assert_eq!(number_of(&third), 3, "number 2 is never given again");

    // Concurrent creations, really in parallel: distinct, consecutive numbers.
    let mut set = tokio::task::JoinSet::new();
    for i in 0..12 {
        let client = app.client.clone();
        let url = app.url("/api/v1/employees");
        let token = manager.clone();
        set.spawn(async move {
            let r = client.post(url).bearer_auth(token).json(&employee_body(&format!("Ажилтан{i}"))).send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap())
        });
    }
    let mut numbers = BTreeSet::new();
    while let Some(joined) = set.join_next().await {
        let (status, body) = joined.unwrap();
        assert_eq!(status, 201, "{body}");
        assert!(numbers.insert(number_of(&body)), "number given twice: {body}");
    }
    assert_eq!(numbers.into_iter().collect::<Vec<_>>(), (4..=15).collect::<Vec<i64>>());
    let after = employee(&app, &manager, employee_body("Сүүлч")).await;
    assert_eq!(number_of(&after), 16);
});

backend_test!(spawn_app -> TestApp, async fn user_links_and_changes(app) {
    let root = app.login("root", Role::Admin).await;
    let manager = app.login("boss", Role::Manager).await;
    let doctor_user = app.create_user("doc", Role::Doctor).await;
    let mut body = employee_body("Болд");
    body["user_id"] = json!(doctor_user);
    // Linking an account is an admin's: a manager gets 403 (and nothing is created).
    let (status, problem) = app.post_json("/api/v1/employees", &manager, body.clone()).await;
    assert_eq!(status, 403, "{problem}");
    let e = employee(&app, &root, body.clone()).await;
    let id = e["employee_id"].as_i64().unwrap();
    assert_eq!(e["user_id"], doctor_user);
    let (status, problem) = app.post_json("/api/v1/employees", &root, body).await;
    assert_eq!(status, 409, "a user linked to another employee: {problem}");
    let doc = app.token("doc").await;
    let (_, me) = app.get_json("/api/v1/auth/me", &doc).await;
    assert_eq!(me["employee_id"], id, "{me}");

    let other = employee(&app, &manager, employee_body("Сүрэн")).await;
    let other_id = other["employee_id"].as_i64().unwrap();
    let (status, _) = app.patch_json(&format!("/api/v1/employees/{other_id}"), &manager, json!({"user_id": doctor_user})).await;
    assert_eq!(status, 403);
    let (status, _) = app.patch_json(&format!("/api/v1/employees/{other_id}"), &root, json!({"user_id": doctor_user})).await;
    assert_eq!(status, 409);

    let path = format!("/api/v1/employees/{id}");
    let (status, changed) = app.patch_json(&path, &manager, json!({
        "first_name": "Болдбаатар", "email": "bold@example.mn", "status": "vacation",
        "birthday": "1985-12-31", "phones": [], "employee_display_number": 99,
    })).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["first_name"], "Болдбаатар");
    assert_eq!(changed["last_name"], "Бат", "fields not sent are kept");
    assert_eq!(changed["status"], "vacation");
    assert_eq!(changed["email"], "bold@example.mn");
    assert_eq!(changed["birthday"], "1985-12-31");
    assert_eq!(changed["employee_display_number"], e["employee_display_number"]);
    assert_eq!(changed["phones"], e["phones"], "phones change through their own endpoints");
    let (status, _) = app.patch_json(&path, &manager, json!({"email": null, "user_id": null})).await;
    assert_eq!(status, 403, "unlinking is an admin's too");
    let (status, cleared) = app.patch_json(&path, &root, json!({"email": null, "user_id": null})).await;
    assert_eq!(status, 200);
    assert_eq!(cleared["email"], Value::Null);
    assert_eq!(cleared["user_id"], Value::Null);
    assert_eq!(cleared["birthday"], "1985-12-31");
    let (status, problem) = app.patch_json(&path, &manager, json!({"status": "not_working", "first_name": "", "hired_at": "2020-02-30"})).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["first_name", "hired_at", "status"]);
    assert_eq!(app.patch_json("/api/v1/employees/999999", &manager, json!({"first_name": "A"})).await.0, 404);

    let rows = app.audit_rows(&root, "employee", id).await;
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["update", "update", "create"], "{rows:?}");
    assert_eq!(rows[1]["changes"]["first_name"], json!(["Болд", "Болдбаатар"]));
    assert_eq!(rows[0]["changes"]["user_id"], json!([doctor_user, null]));
    let phone_id = e["phones"][0]["phone_number_id"].as_i64().unwrap();
    let phone_rows = app.audit_rows(&root, "employee_phone", phone_id).await;
    assert_eq!(phone_rows.len(), 1);
    assert_eq!(phone_rows[0]["action"], "create");
    assert_eq!(phone_rows[0]["changes"]["number"], json!([null, "99112233"]));
});

backend_test!(spawn_app -> TestApp, async fn phones_keep_two_and_one_primary(app) {
    let root = app.login("root", Role::Admin).await;
    let manager = app.login("boss", Role::Manager).await;
    let e = employee(&app, &manager, employee_body("Номин")).await;
    let id = e["employee_id"].as_i64().unwrap();
    let first = e["phones"][0]["phone_number_id"].as_i64().unwrap();
    let second = e["phones"][1]["phone_number_id"].as_i64().unwrap();
    let phones = format!("/api/v1/employees/{id}/phones");

    // Two phones: neither can go.
    let (status, problem) = app.delete_json(&format!("{phones}/{second}"), &manager).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["phones"]);
    // The primary cannot be un-marked (named on is_primary, as for a patient's phones: one
    // use case serves both).
    let (status, problem) = app.patch_json(&format!("{phones}/{first}"), &manager, json!({"is_primary": false})).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["is_primary"]);

    let (status, third) = app.post_json(&phones, &manager, json!({"number": "(+976) 9500 1122", "label": "Work"})).await;
    assert_eq!(status, 201, "{third}");
    assert_eq!(third["number"], "95001122");
    assert_eq!(third["is_primary"], false);
    let third_id = third["phone_number_id"].as_i64().unwrap();
    let (status, problem) = app.post_json(&phones, &manager, json!({"number": "9500-1122", "label": "Again"})).await;
    assert_eq!(status, 422, "a number the employee has");
    assert_eq!(error_fields(&problem), ["number"]);
    let (status, problem) = app.post_json(&phones, &manager, json!({"number": "12", "label": "a\u{7}b"})).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["label"], "a control character is refused first, wherever it is");
    let (status, problem) = app.post_json(&phones, &manager, json!({"number": "12", "label": "a\nb"})).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["label", "number"]);
    assert_eq!(app.post_json("/api/v1/employees/999999/phones", &manager, json!({"number": "99001122", "label": "x"})).await.0, 404);

    // Moving the primary.
    let (status, moved) = app.patch_json(&format!("{phones}/{third_id}"), &manager, json!({"is_primary": true, "label": "Ажил"})).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["is_primary"], true);
    assert_eq!(moved["label"], "Ажил");
    let (_, now) = app.get_json(&format!("/api/v1/employees/{id}"), &manager).await;
    assert_eq!(now["primary_phone"], "95001122");
    assert_eq!(now["phones"].as_array().unwrap().iter().filter(|p| p["is_primary"] == true).count(), 1);
    let (status, problem) = app.patch_json(&format!("{phones}/{first}"), &manager, json!({"number": "95001122"})).await;
    assert_eq!(status, 422, "{problem}");

    // The primary cannot be deleted; a non-primary can while three remain.
    let (status, _) = app.delete_json(&format!("{phones}/{third_id}"), &manager).await;
    assert_eq!(status, 422);
    let (status, _) = app.delete_json(&format!("{phones}/{first}"), &manager).await;
    assert_eq!(status, 204);
    assert_eq!(app.delete_json(&format!("{phones}/{first}"), &manager).await.0, 404);
    let other = employee(&app, &manager, employee_body("Бусад")).await;
    let other_phone = other["phones"][1]["phone_number_id"].as_i64().unwrap();
    assert_eq!(app.delete_json(&format!("{phones}/{other_phone}"), &manager).await.0, 404, "not this employee's phone");

    let rows = app.audit_rows(&root, "employee_phone", first).await;
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["delete", "update", "create"], "the primary moved away, then it was deleted");
});

backend_test!(spawn_app -> TestApp, async fn concurrent_phone_changes_keep_the_rules(app) {
    let manager = app.login("boss", Role::Manager).await;
    let mut body = employee_body("Оюун");
    body["phones"] = json!([
        {"number": "99000001", "label": "a", "is_primary": true},
        {"number": "99000002", "label": "b", "is_primary": false},
        {"number": "99000003", "label": "c", "is_primary": false},
        {"number": "99000004", "label": "d", "is_primary": false},
        {"number": "99000005", "label": "e", "is_primary": false},
    ]);
    let e = employee(&app, &manager, body).await;
    let id = e["employee_id"].as_i64().unwrap();
    let ids: Vec<i64> = e["phones"].as_array().unwrap().iter().map(|p| p["phone_number_id"].as_i64().unwrap()).collect();

    // Four deletes of the non-primary phones at once: three may succeed, one must fail.
    let mut set = tokio::task::JoinSet::new();
    for &phone in &ids[1..] {
        let client = app.client.clone();
        let url = app.url(&format!("/api/v1/employees/{id}/phones/{phone}"));
        let token = manager.clone();
        set.spawn(async move { client.delete(url).bearer_auth(token).send().await.unwrap().status().as_u16() });
    }
    let mut statuses = Vec::new();
    while let Some(status) = set.join_next().await {
        statuses.push(status.unwrap());
    }
    statuses.sort();
    assert_eq!(statuses, [204, 204, 204, 422]);
    let (_, now) = app.get_json(&format!("/api/v1/employees/{id}"), &manager).await;
    let left = now["phones"].as_array().unwrap();
    assert_eq!(left.len(), 2, "{now}");
    assert_eq!(left.iter().filter(|p| p["is_primary"] == true).count(), 1);

    // Moving the primary from several requests at once leaves exactly one.
    let mut ids = Vec::new();
    for n in 6..=9 {
        let (status, p) = app.post_json(&format!("/api/v1/employees/{id}/phones"), &manager, json!({"number": format!("9900000{n}"), "label": "x"})).await;
        assert_eq!(status, 201);
        ids.push(p["phone_number_id"].as_i64().unwrap());
    }
    let mut set = tokio::task::JoinSet::new();
    for phone in ids {
        let client = app.client.clone();
        let url = app.url(&format!("/api/v1/employees/{id}/phones/{phone}"));
        let token = manager.clone();
        set.spawn(async move {
            client.patch(url).bearer_auth(token).json(&json!({"is_primary": true})).send().await.unwrap().status().as_u16()
        });
    }
    while let Some(status) = set.join_next().await {
        assert_eq!(status.unwrap(), 200);
    }
    let (_, now) = app.get_json(&format!("/api/v1/employees/{id}"), &manager).await;
    assert_eq!(now["phones"].as_array().unwrap().iter().filter(|p| p["is_primary"] == true).count(), 1, "{now}");
});

backend_test!(spawn_app -> TestApp, async fn positions_are_unique_soft_disabled_and_never_deleted(app) {
    let root = app.login("root", Role::Admin).await;
    let manager = app.login("boss", Role::Manager).await;
    let (status, created) = app.post_json("/api/v1/positions", &manager, json!({
        "position_type": " DENTIST ", "display_name": "Шүдний эмч", "category": "clinical",
        "description": "Эмчилгээ хийнэ",
    })).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["position_type"], "DENTIST");
    assert_eq!(created["is_active"], true);
    assert_eq!(created["category"], "clinical");
    assert_eq!(created["description"], "Эмчилгээ хийнэ");
    let id = created["position_id"].as_i64().unwrap();
    let (status, problem) = app.post_json("/api/v1/positions", &manager, json!({"position_type": "DENTIST", "display_name": "Дахин", "category": "support"})).await;
    assert_eq!(status, 409, "{problem}");
    let (status, problem) = app.post_json("/api/v1/positions", &manager, json!({"position_type": "", "display_name": "x", "category": "doctor"})).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["category", "position_type"]);
    let nurse = position(&app, &manager, "NURSE", "support").await;
    let (status, _) = app.patch_json(&format!("/api/v1/positions/{nurse}"), &manager, json!({"position_type": "DENTIST"})).await;
    assert_eq!(status, 409, "renaming onto a taken type");

    let path = format!("/api/v1/positions/{id}");
    let (status, disabled) = app.patch_json(&path, &manager, json!({"is_active": false, "description": null})).await;
    assert_eq!(status, 200, "{disabled}");
    assert_eq!(disabled["is_active"], false);
    assert_eq!(disabled["description"], Value::Null);
    assert_eq!(disabled["position_type"], "DENTIST");
    let (_, active) = app.get_json("/api/v1/positions?active=true", &manager).await;
    let active_ids: Vec<i64> = active["items"].as_array().unwrap().iter().map(|p| p["position_id"].as_i64().unwrap()).collect();
    assert_eq!(active_ids, [nurse]);
    let (_, all) = app.get_json("/api/v1/positions", &manager).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    assert_eq!(app.get_json(&path, &manager).await.1, disabled);

    let r = app.with_token(Method::DELETE, &path, &manager).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert!(r.headers().contains_key("allow"));
    let (status, still) = app.get_json(&path, &manager).await;
    assert_eq!(status, 200, "{still}");

    // An inactive position cannot be assigned.
    let e = employee(&app, &manager, employee_body("Туяа")).await;
    let eid = e["employee_id"].as_i64().unwrap();
    let (status, problem) = app.post_json(&format!("/api/v1/employees/{eid}/positions"), &manager, json!({"position_id": id, "is_primary": true})).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["position_id"]);

    let rows = app.audit_rows(&root, "position", id).await;
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["update", "create"]);
    assert_eq!(rows[0]["changes"]["is_active"], json!([true, false]));
});

backend_test!(spawn_app -> TestApp, async fn at_most_one_open_primary_position(app) {
    let root = app.login("root", Role::Admin).await;
    let manager = app.login("boss", Role::Manager).await;
    let dentist = position(&app, &manager, "DENTIST", "clinical").await;
    let nurse = position(&app, &manager, "NURSE", "support").await;
    let head = position(&app, &manager, "HEAD", "admin").await;
    let e = employee(&app, &manager, employee_body("Ганаа")).await;
    let id = e["employee_id"].as_i64().unwrap();
    let path = format!("/api/v1/employees/{id}/positions");

    let (status, primary) = app.post_json(&path, &manager, json!({"position_id": dentist, "is_primary": true, "started_at": "2024-01-01"})).await;
    assert_eq!(status, 201, "{primary}");
    assert_eq!(primary["position_type"], "DENTIST");
    assert_eq!(primary["category"], "clinical");
    assert_eq!(primary["started_at"], "2024-01-01");
    let primary_id = primary["employee_position_id"].as_i64().unwrap();
    let (status, problem) = app.post_json(&path, &manager, json!({"position_id": nurse, "is_primary": true, "started_at": "2024-02-01"})).await;
    assert_eq!(status, 422, "a second open primary");
    assert_eq!(error_fields(&problem), ["is_primary"]);
    let (status, second) = app.post_json(&path, &manager, json!({"position_id": nurse, "is_primary": false, "started_at": "2024-02-01"})).await;
    assert_eq!(status, 201);
    let second_id = second["employee_position_id"].as_i64().unwrap();
    // `is_primary: true` moves the primary, in one step, and back.
    let (status, moved) = app.patch_json(&format!("{path}/{second_id}"), &manager, json!({"is_primary": true})).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["is_primary"], true);
    let (_, now) = app.get_json(&format!("/api/v1/employees/{id}"), &manager).await;
    let first = now["positions"].as_array().unwrap().iter()
        .find(|p| p["employee_position_id"] == primary_id).unwrap().clone();
    assert_eq!(first["is_primary"], false, "{now}");
    let (status, back) = app.patch_json(&format!("{path}/{primary_id}"), &manager, json!({"is_primary": true})).await;
    assert_eq!(status, 200, "{back}");
    let (status, problem) = app.post_json(&path, &manager, json!({"position_id": head, "started_at": "2024-13-01"})).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["started_at"]);

    // Ending the primary frees the place; an end before the start is refused.
    let (status, problem) = app.patch_json(&format!("{path}/{primary_id}"), &manager, json!({"ended_at": "2023-12-31"})).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["ended_at"]);
    let (status, ended) = app.patch_json(&format!("{path}/{primary_id}"), &manager, json!({"ended_at": "2024-06-30"})).await;
    assert_eq!(status, 200, "{ended}");
    assert_eq!(ended["ended_at"], "2024-06-30");
    assert_eq!(ended["is_primary"], true, "an ended primary is history");
    let (status, now_primary) = app.patch_json(&format!("{path}/{second_id}"), &manager, json!({"is_primary": true})).await;
    assert_eq!(status, 200, "{now_primary}");
    let (status, problem) = app.patch_json(&format!("{path}/{primary_id}"), &manager, json!({"is_primary": true})).await;
    assert_eq!(status, 200, "an ended primary stays primary history: {problem}");
    // Reopening the old primary would make two open primaries.
    let (status, problem) = app.patch_json(&format!("{path}/{primary_id}"), &manager, json!({"ended_at": null})).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["ended_at"]);
    let (status, reopened) = app.patch_json(&format!("{path}/{primary_id}"), &manager, json!({"ended_at": null, "is_primary": false})).await;
    assert_eq!(status, 200, "{reopened}");
    assert_eq!(reopened["ended_at"], Value::Null);

    let (_, now) = app.get_json(&format!("/api/v1/employees/{id}"), &manager).await;
    let open_primaries = now["positions"].as_array().unwrap().iter()
        .filter(|p| p["is_primary"] == true && Value::is_null(&p["ended_at"])).count();
    assert_eq!(open_primaries, 1, "{now}");
    assert_eq!(app.patch_json(&format!("{path}/999999"), &manager, json!({"is_primary": false})).await.0, 404);
    assert_eq!(app.post_json("/api/v1/employees/999999/positions", &manager, json!({"position_id": nurse})).await.0, 404);

    let rows = app.audit_rows(&root, "employee_position", primary_id).await;
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    // Created, lost the primary, took it back, ended, reopened.
    assert_eq!(actions, ["update", "update", "update", "update", "create"]);
});

backend_test!(spawn_app -> TestApp, async fn firing_locks_the_user_out(app) {
    let root = app.login("root", Role::Admin).await;
    let manager = app.login("boss", Role::Manager).await;
    let dentist = position(&app, &manager, "DENTIST", "clinical").await;
    let doctor_user = app.create_user("doc", Role::Doctor).await;
    let doctor_token = app.token("doc").await;
    let mut body = employee_body("Эрдэнэ");
    body["user_id"] = json!(doctor_user);
    body["hired_at"] = json!("2020-01-01");
    body["positions"] = json!([{"position_id": dentist, "is_primary": true, "started_at": "2020-01-01"}]);
    let e = employee(&app, &root, body).await;
    let id = e["employee_id"].as_i64().unwrap();
    let (_, doctors) = app.get_json("/api/v1/doctors", &manager).await;
    assert_eq!(doctors["items"].as_array().unwrap().len(), 1);
    assert_eq!(app.get_json("/api/v1/auth/me", &doctor_token).await.0, 200);

    let fire = format!("/api/v1/employees/{id}/fire");
    // Firing disables the linked account: an admin's to do (a manager disabled an admin
    // this way). The manager's attempt changes nothing.
    let (status, problem) = app.post_json(&fire, &manager, json!({"fired_at": "2025-03-31"})).await;
    assert_eq!(status, 403, "{problem}");
    assert_eq!(app.get_json("/api/v1/auth/me", &doctor_token).await.0, 200);
    let (_, still) = app.get_json(&format!("/api/v1/employees/{id}"), &manager).await;
    assert_eq!(still["status"], "active");
    let (status, problem) = app.post_json(&fire, &root, json!({"fired_at": "2019-12-31"})).await;
    assert_eq!(status, 422, "before hired_at: {problem}");
    assert_eq!(error_fields(&problem), ["fired_at"]);
    let (status, fired) = app.post_json(&fire, &root, json!({"fired_at": "2025-03-31"})).await;
    assert_eq!(status, 200, "{fired}");
    assert_eq!(fired["status"], "not_working");
    assert_eq!(fired["fired_at"], "2025-03-31");
    assert_eq!(fired["positions"][0]["ended_at"], "2025-03-31", "open positions end that day");

    // The linked user: its token stops working at once, and it cannot log in.
    assert_eq!(app.get_json("/api/v1/auth/me", &doctor_token).await.0, 401);
    let r = app.login_as(json!({"username": "doc", "password": PASSWORD})).await;
    assert_eq!(r.status(), 401);
    let (_, user) = app.get_json(&format!("/api/v1/users/{doctor_user}"), &root).await;
    assert_eq!(user["disabled"], true, "{user}");

    let (status, problem) = app.post_json(&fire, &root, json!({"fired_at": "2025-04-01"})).await;
    assert_eq!(status, 409, "firing twice: {problem}");
    let (status, _) = app.post_json(&format!("/api/v1/employees/{id}/positions"), &manager, json!({"position_id": dentist})).await;
    assert_eq!(status, 409, "a fired employee holds no open position");
    assert_eq!(app.post_json("/api/v1/employees/999999/fire", &manager, json!({})).await.0, 404);
    let (_, doctors) = app.get_json("/api/v1/doctors", &manager).await;
    assert_eq!(doctors["items"], json!([]));

    let rows = app.audit_rows(&root, "employee", id).await;
    assert_eq!(rows[0]["action"], "fire");
    assert_eq!(rows[0]["changes"]["status"], json!(["active", "not_working"]));
    assert_eq!(rows[0]["changes"]["fired_at"], json!([null, "2025-03-31"]));
    let user_rows = app.audit_rows(&root, "user", doctor_user).await;
    assert_eq!(user_rows[0]["action"], "update");
    assert!(user_rows[0]["changes"]["disabled_at"][1].is_string());

    // Working again: the status is set back, the account stays disabled until an admin acts.
    let (status, back) = app.patch_json(&format!("/api/v1/employees/{id}"), &manager, json!({"status": "active"})).await;
    assert_eq!(status, 200);
    assert_eq!(back["fired_at"], Value::Null);
    let report = app.audit.verify().await.unwrap();
    assert!(report.first_bad_row.is_none(), "{report:?}");
});

backend_test!(spawn_app -> TestApp, async fn the_last_admin_is_not_fired_out(app) {
    let root_id = app.create_user("root", Role::Admin).await;
    let root = app.token("root").await;
    let mut body = employee_body("Админ");
    body["user_id"] = json!(root_id);
    let e = employee(&app, &root, body).await;
    let id = e["employee_id"].as_i64().unwrap();
    let (status, problem) = app.post_json(&format!("/api/v1/employees/{id}/fire"), &root, json!({})).await;
    assert_eq!(status, 409, "{problem}");
    let (_, still) = app.get_json(&format!("/api/v1/employees/{id}"), &root).await;
    assert_eq!(still["status"], "active", "nothing changed");
    assert_eq!(app.get_json("/api/v1/auth/me", &root).await.0, 200);
});

backend_test!(spawn_app -> TestApp, async fn doctors_are_working_clinical_staff(app) {
    let manager = app.login("boss", Role::Manager).await;
    let dentist = position(&app, &manager, "DENTIST", "clinical").await;
    let nurse = position(&app, &manager, "NURSE", "support").await;
    let office = position(&app, &manager, "OFFICE", "admin").await;
    let make = |name: &str, status: &str, positions: Value| {
        let mut body = employee_body(name);
        body["status"] = json!(status);
        body["positions"] = positions;
        body
    };
    let working = employee(&app, &manager, make("Ажилтай", "active", json!([{"position_id": dentist, "is_primary": true, "started_at": "2024-01-01"}]))).await;
    let on_leave = employee(&app, &manager, make("Амралттай", "vacation", json!([
        {"position_id": office, "is_primary": true, "started_at": "2024-01-01"},
        {"position_id": dentist, "is_primary": false, "started_at": "2024-01-01"}]))).await;
    employee(&app, &manager, make("Сувилагч", "active", json!([{"position_id": nurse, "is_primary": true, "started_at": "2024-01-01"}]))).await;
    employee(&app, &manager, make("Албагүй", "active", json!([]))).await;
    let ended = employee(&app, &manager, make("Дууссан", "active", json!([{"position_id": dentist, "is_primary": true, "started_at": "2024-01-01"}]))).await;
    let ended_id = ended["employee_id"].as_i64().unwrap();
    let assignment = ended["positions"][0]["employee_position_id"].as_i64().unwrap();
    assert_eq!(app.patch_json(&format!("/api/v1/employees/{ended_id}/positions/{assignment}"), &manager, json!({"ended_at": "2024-12-31"})).await.0, 200);
    let fired = employee(&app, &manager, make("Халагдсан", "active", json!([{"position_id": dentist, "is_primary": true, "started_at": "2024-01-01"}]))).await;
    let fired_id = fired["employee_id"].as_i64().unwrap();
    assert_eq!(app.post_json(&format!("/api/v1/employees/{fired_id}/fire"), &manager, json!({"fired_at": "2025-01-31"})).await.0, 200);

    let (status, page) = app.get_json("/api/v1/doctors", &manager).await;
    assert_eq!(status, 200, "{page}");
    let ids: Vec<&Value> = page["items"].as_array().unwrap().iter().map(|d| &d["employee_id"]).collect();
    assert_eq!(ids, [&working["employee_id"], &on_leave["employee_id"]]);
    assert_eq!(page["items"][0]["positions"][0]["category"], "clinical");
    let (_, first) = app.get_json("/api/v1/doctors?limit=1", &manager).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 1);
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let (_, rest) = app.get_json(&format!("/api/v1/doctors?limit=1&cursor={cursor}"), &manager).await;
    assert_eq!(rest["items"][0]["employee_id"], on_leave["employee_id"]);
    assert_eq!(rest["next_cursor"], Value::Null);

    let store = &app.store;
    let db = store.connection();
    let working_id = working["employee_id"].as_i64().unwrap();
    assert!(dcms_server::services::staff::check_doctor(db, working_id, "doctor_id").await.is_ok());
    for not_a_doctor in [ended_id, fired_id, 999999] {
        let err = dcms_server::services::staff::check_doctor(db, not_a_doctor, "doctor_id").await.unwrap_err();
        assert!(matches!(err, dcms_server::services::ServiceError::Invalid(ref e) if e[0].field == "doctor_id"), "{err:?}");
    }
});

backend_test!(spawn_app -> TestApp, async fn who_may_read_and_write_staff(app) {
    let admin = app.login("root", Role::Admin).await;
    let manager = app.login("boss", Role::Manager).await;
    let doctor = app.login("doc", Role::Doctor).await;
    let receptionist = app.login("desk", Role::Receptionist).await;
    let patient = app.login("pat", Role::Patient).await;
    app.create_user("head", Role::Manager).await;
    let hq = app.token_from(json!({"username": "head", "password": PASSWORD, "session_type": "hq"})).await;

    let by_manager = employee(&app, &manager, employee_body("Менежер")).await;
    let by_admin = employee(&app, &admin, employee_body("Админ")).await;
    let id = by_manager["employee_id"].as_i64().unwrap();
    let phone = by_manager["phones"][1]["phone_number_id"].as_i64().unwrap();
    let assignment_position = position(&app, &admin, "DENTIST", "clinical").await;
    assert!(by_admin["employee_id"].as_i64().is_some());

    let reads = [
        "/api/v1/employees".to_owned(),
        format!("/api/v1/employees/{id}"),
        "/api/v1/doctors".to_owned(),
        "/api/v1/positions".to_owned(),
        format!("/api/v1/positions/{assignment_position}"),
    ];
    for (who, token) in [("doctor", &doctor), ("receptionist", &receptionist), ("hq", &hq), ("manager", &manager)] {
        for path in &reads {
            let (status, body) = app.get_json(path, token).await;
            assert_eq!(status, 200, "{who} GET {path}: {body}");
        }
    }
    for path in &reads {
        assert_eq!(app.get_json(path, &patient).await.0, 403, "patient GET {path}");
        assert_eq!(app.get(path).await.status(), 401, "anonymous GET {path}");
    }

    let writes: Vec<(Method, String, Value)> = vec![
        (Method::POST, "/api/v1/employees".into(), employee_body("Шинэ")),
        (Method::POST, "/api/v1/employees".into(), json!({"phones": "not even a list"})),
        (Method::PATCH, format!("/api/v1/employees/{id}"), json!({"first_name": "Өөр"})),
        (Method::POST, format!("/api/v1/employees/{id}/fire"), json!({})),
        (Method::POST, format!("/api/v1/employees/{id}/phones"), json!({"number": "99887766", "label": "x"})),
        (Method::PATCH, format!("/api/v1/employees/{id}/phones/{phone}"), json!({"label": "y"})),
        (Method::DELETE, format!("/api/v1/employees/{id}/phones/{phone}"), Value::Null),
        (Method::POST, format!("/api/v1/employees/{id}/positions"), json!({"position_id": assignment_position})),
        (Method::PATCH, format!("/api/v1/employees/{id}/positions/1"), json!({"is_primary": false})),
        (Method::POST, "/api/v1/positions".into(), json!({"position_type": "X", "display_name": "X", "category": "admin"})),
        (Method::PATCH, format!("/api/v1/positions/{assignment_position}"), json!({"is_active": false})),
    ];
    for (who, token) in [("doctor", &doctor), ("receptionist", &receptionist), ("hq", &hq), ("patient", &patient)] {
        for (method, path, body) in &writes {
            let body = (!body.is_null()).then(|| body.clone());
            let (status, answer) = app.call(method.clone(), path, token, body).await;
            assert_eq!(status, 403, "{who} {method} {path}: {answer}");
        }
    }
    let (_, unchanged) = app.get_json(&format!("/api/v1/employees/{id}"), &manager).await;
    assert_eq!(unchanged, by_manager, "nothing was changed by the refused requests");
});
