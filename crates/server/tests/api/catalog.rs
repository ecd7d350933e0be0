//! The service catalog and the tooth dictionary through HTTP: create, list order and
//! filters, get, patch, the unique `(service_type, display_number)`, number checks, no
//! DELETE, reorder (atomic, two-phase on every backend, nothing changed on error),
//! deactivation, who may read and write, the audit rows, and the 156 teeth.
use crate::backend_test;
use crate::helpers::TestApp;
use dcms_domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

fn service_body(service_type: &str, number: i64, name: &str) -> Value {
    json!({
        "service_type": service_type,
        "display_number": number,
        "doctor_display_name": format!("{name} (doctor)"),
        "patient_display_name": name,
        "price": 50_000,
    })
}

/// Creates a service and returns its id.
async fn service(app: &TestApp, token: &str, service_type: &str, number: i64, name: &str) -> i64 {
    let (status, body) = app
        .post_json(
            "/api/v1/services",
            token,
            service_body(service_type, number, name),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["service_id"].as_i64().unwrap()
}

/// `(service_id, display_number)` of every service of a type, in list order.
async fn numbering(app: &TestApp, token: &str, service_type: &str) -> Vec<(i64, i64)> {
    let (status, page) = app
        .get_json(&format!("/api/v1/services?type={service_type}"), token)
        .await;
    assert_eq!(status, 200, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["service_id"].as_i64().unwrap(),
                s["display_number"].as_i64().unwrap(),
            )
        })
        .collect()
}

backend_test!(spawn_app -> TestApp, async fn services_are_created_listed_read_and_changed(app) {
    let root = app.login("root", Role::Admin).await;
    let manager = app.login("boss", Role::Manager).await;
    let (status, created) = app.post_json("/api/v1/services", &manager, json!({
        "service_type": " ORTHO ",
        "display_number": 2,
        "doctor_display_name": " Брекет зүүх ",
        "patient_display_name": "Брекет",
        "disclaimer": "Сард нэг удаа үзүүлнэ",
        "price": 1_250_000,
        "default_duration_time": 90,
    })).await;
    assert_eq!(status, 201, "{created}");
    let braces = created["service_id"].as_i64().unwrap();
    assert_eq!(created["service_type"], "ORTHO");
    assert_eq!(created["display_number"], 2);
    assert_eq!(created["doctor_display_name"], "Брекет зүүх");
    assert_eq!(created["patient_display_name"], "Брекет");
    assert_eq!(created["disclaimer"], "Сард нэг удаа үзүүлнэ");
    assert_eq!(created["price"], 1_250_000);
    assert_eq!(created["default_duration_time"], 90);
    assert_eq!(created["is_active"], true);
    assert!(created["created_at"].is_string() && created["updated_at"].is_string(), "{created}");

    // Defaults: 30 minutes, active, no disclaimer; a price of 0 is allowed.
    let (status, check) = app.post_json("/api/v1/services", &manager, json!({
        "service_type": "ORTHO", "display_number": 1, "doctor_display_name": "Үзлэг",
        "patient_display_name": "Үзлэг", "price": 0,
    })).await;
    assert_eq!(status, 201, "{check}");
    assert_eq!(check["default_duration_time"], 30);
    assert_eq!(check["disclaimer"], Value::Null);
    assert_eq!(check["price"], 0);
    let exam = check["service_id"].as_i64().unwrap();
    let filling = service(&app, &manager, "CHILD", 1, "Ломбо").await;
    let sealant = service(&app, &manager, "CHILD", 3, "Силант").await;

    // Ordered by type, then number.
    let (status, all) = app.get_json("/api/v1/services", &manager).await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(ids(&all, "service_id"), [filling, sealant, exam, braces]);
    assert_eq!(all["next_cursor"], Value::Null);
    let (_, ortho) = app.get_json("/api/v1/services?type=ORTHO", &manager).await;
    assert_eq!(ids(&ortho, "service_id"), [exam, braces]);
    let (_, none) = app.get_json("/api/v1/services?type=ortho", &manager).await;
    assert_eq!(ids(&none, "service_id"), Vec::<i64>::new(), "types compare exactly");
    // Pages follow the same order.
    let (_, first) = app.get_json("/api/v1/services?limit=3", &manager).await;
    assert_eq!(ids(&first, "service_id"), [filling, sealant, exam]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, second) = app.get_json(&format!("/api/v1/services?limit=3&cursor={cursor}"), &manager).await;
    assert_eq!(ids(&second, "service_id"), [braces]);
    assert_eq!(second["next_cursor"], Value::Null);
    let (status, _) = app.get_json("/api/v1/services?cursor=nonsense", &manager).await;
    assert_eq!(status, 400);

    let path = format!("/api/v1/services/{braces}");
    let (status, one) = app.get_json(&path, &manager).await;
    assert_eq!(status, 200);
    assert_eq!(one, created);
    assert_eq!(app.get_json("/api/v1/services/999999", &manager).await.0, 404);
    assert_eq!(app.get_json("/api/v1/services/abc", &manager).await.0, 400);

    let (status, changed) = app.patch_json(&path, &manager, json!({
        "price": 1_300_000, "disclaimer": null, "default_duration_time": 60,
        "patient_display_name": "Брекет (металл)",
    })).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["price"], 1_300_000);
    assert_eq!(changed["disclaimer"], Value::Null);
    assert_eq!(changed["default_duration_time"], 60);
    assert_eq!(changed["patient_display_name"], "Брекет (металл)");
    assert_eq!(changed["doctor_display_name"], "Брекет зүүх");
    assert_eq!(changed["created_at"], created["created_at"]);
    assert_eq!(app.get_json(&path, &manager).await.1, changed);
    // Nothing to change: no write, no audit row.
    let (status, same) = app.patch_json(&path, &manager, json!({"price": 1_300_000})).await;
    assert_eq!(status, 200);
    assert_eq!(same, changed);
    // Moving to another type keeps the number when it is free there.
    let (status, moved) = app.patch_json(&format!("/api/v1/services/{sealant}"), &manager, json!({"service_type": "ORTHO", "display_number": 3})).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(numbering(&app, &manager, "ORTHO").await, [(exam, 1), (braces, 2), (sealant, 3)]);

    let rows = app.audit_rows(&root, "service_catalog", braces).await;
    assert_eq!(actions(&rows), ["update", "create"], "{rows:?}");
    assert_eq!(rows[0]["changes"]["price"], json!([1_250_000, 1_300_000]));
    assert_eq!(rows[0]["changes"]["disclaimer"], json!(["Сард нэг удаа үзүүлнэ", null]));
    assert!(rows[0]["changes"].get("doctor_display_name").is_none(), "{rows:?}");
    assert_eq!(rows[1]["changes"]["service_type"], json!([null, "ORTHO"]));
    assert_eq!(rows[1]["changes"]["price"], json!([null, 1_250_000]));
});

backend_test!(spawn_app -> TestApp, async fn numbers_are_unique_per_type_and_checked(app) {
    let manager = app.login("boss", Role::Manager).await;
    let first = service(&app, &manager, "CHILD", 1, "Ломбо").await;
    let (status, problem) = app.post_json("/api/v1/services", &manager, service_body("CHILD", 1, "Дахин")).await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["status"], 409);
    // The same number in another type is fine.
    let other = service(&app, &manager, "ORTHO", 1, "Брекет").await;
    let second = service(&app, &manager, "CHILD", 2, "Силант").await;
    let (status, _) = app.patch_json(&format!("/api/v1/services/{second}"), &manager, json!({"display_number": 1})).await;
    assert_eq!(status, 409, "renumbering onto a taken number");
    let (status, _) = app.patch_json(&format!("/api/v1/services/{other}"), &manager, json!({"service_type": "CHILD"})).await;
    assert_eq!(status, 409, "moving onto a taken number");
    assert_eq!(numbering(&app, &manager, "CHILD").await, [(first, 1), (second, 2)]);

    // Negative price or duration, zero duration, bad numbers: 422, all fields at once.
    let mut body = service_body("CHILD", 5, "Шинэ");
    body["price"] = json!(-1);
    body["default_duration_time"] = json!(-30);
    let (status, problem) = app.post_json("/api/v1/services", &manager, body).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(error_fields(&problem), ["default_duration_time", "price"]);
    let mut body = service_body("CHILD", 0, "Шинэ");
    body["default_duration_time"] = json!(0);
    let (status, problem) = app.post_json("/api/v1/services", &manager, body).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["default_duration_time", "display_number"]);
    let (status, problem) = app.post_json("/api/v1/services", &manager, json!({"price": 1})).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["display_number", "doctor_display_name", "patient_display_name", "service_type"]);
    let mut body = service_body("CHILD", 6, "Шинэ");
    body["price"] = json!(1.5);
    let (status, problem) = app.post_json("/api/v1/services", &manager, body).await;
    assert_eq!(status, 422, "{problem}");
    let path = format!("/api/v1/services/{first}");
    let (status, problem) = app.patch_json(&path, &manager, json!({"price": -100, "default_duration_time": -1, "doctor_display_name": " "})).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["default_duration_time", "doctor_display_name", "price"]);
    let (_, unchanged) = app.get_json(&path, &manager).await;
    assert_eq!(unchanged["price"], 50_000);
    assert_eq!(unchanged["default_duration_time"], 30);
    let (_, all) = app.get_json("/api/v1/services", &manager).await;
    assert_eq!(ids(&all, "service_id"), [first, second, other], "nothing was stored");

    // Never deleted.
    let r = app.with_token(Method::DELETE, &path, &manager).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert!(r.headers().contains_key("allow"));
    assert_eq!(app.get_json(&path, &manager).await.0, 200);
});

backend_test!(spawn_app -> TestApp, async fn reorder_renumbers_one_type_atomically(app) {
    let root = app.login("root", Role::Admin).await;
    let manager = app.login("boss", Role::Manager).await;
    let a = service(&app, &manager, "CHILD", 1, "A").await;
    let b = service(&app, &manager, "CHILD", 2, "B").await;
    let c = service(&app, &manager, "CHILD", 5, "C").await;
    let other = service(&app, &manager, "ORTHO", 1, "O").await;

    // Swapping 1 and 2 (and closing the gap) cannot collide on the unique index.
    let (status, page) = app.post_json("/api/v1/services/reorder", &manager, json!({"service_type": "CHILD", "service_ids": [b, a, c]})).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(ids(&page, "service_id"), [b, a, c]);
    let numbers: Vec<i64> = page["items"].as_array().unwrap().iter().map(|s| s["display_number"].as_i64().unwrap()).collect();
    assert_eq!(numbers, [1, 2, 3]);
    assert_eq!(numbering(&app, &manager, "CHILD").await, [(b, 1), (a, 2), (c, 3)]);
    assert_eq!(numbering(&app, &manager, "ORTHO").await, [(other, 1)], "other types untouched");

    // A full reversal.
    let (status, _) = app.post_json("/api/v1/services/reorder", &manager, json!({"service_type": "CHILD", "service_ids": [c, a, b]})).await;
    assert_eq!(status, 200);
    assert_eq!(numbering(&app, &manager, "CHILD").await, [(c, 1), (a, 2), (b, 3)]);

    // Not exactly the services of the type: 422 naming the ids, nothing changes.
    let before = numbering(&app, &manager, "CHILD").await;
    let (status, problem) = app.post_json("/api/v1/services/reorder", &manager, json!({"service_type": "CHILD", "service_ids": [a, b]})).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(error_fields(&problem), ["service_ids"]);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains(&c.to_string()), "{problem}");
    let (status, problem) = app.post_json("/api/v1/services/reorder", &manager, json!({"service_type": "CHILD", "service_ids": [a, b, c, other]})).await;
    assert_eq!(status, 422);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains(&other.to_string()), "{problem}");
    let (status, problem) = app.post_json("/api/v1/services/reorder", &manager, json!({"service_type": "CHILD", "service_ids": [a, b, b, c]})).await;
    assert_eq!(status, 422);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains(&b.to_string()), "{problem}");
    let (status, problem) = app.post_json("/api/v1/services/reorder", &manager, json!({"service_type": "CHILD", "service_ids": [a, 999999, c]})).await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2, "missing {b} and extra 999999: {problem}");
    let (status, problem) = app.post_json("/api/v1/services/reorder", &manager, json!({"service_ids": [a]})).await;
    assert_eq!(status, 422);
    assert_eq!(error_fields(&problem), ["service_type"]);
    assert_eq!(numbering(&app, &manager, "CHILD").await, before);

    // The same order again changes nothing and writes no audit row.
    let (status, _) = app.post_json("/api/v1/services/reorder", &manager, json!({"service_type": "CHILD", "service_ids": [c, a, b]})).await;
    assert_eq!(status, 200);
    // An empty type with an empty list is a no-op.
    let (status, empty) = app.post_json("/api/v1/services/reorder", &manager, json!({"service_type": "NONE", "service_ids": []})).await;
    assert_eq!(status, 200, "{empty}");
    assert_eq!(ids(&empty, "service_id"), Vec::<i64>::new());

    // Audit: one `reorder` row per service whose number changed.
    let rows = app.audit_rows(&root, "service_catalog", a).await;
    assert_eq!(actions(&rows), ["reorder", "create"], "a kept number 2 in the second reorder: {rows:?}");
    assert_eq!(rows[0]["changes"]["display_number"], json!([1, 2]));
    let rows = app.audit_rows(&root, "service_catalog", b).await;
    assert_eq!(actions(&rows), ["reorder", "reorder", "create"]);
    assert_eq!(rows[1]["changes"]["display_number"], json!([2, 1]));
    assert_eq!(rows[0]["changes"]["display_number"], json!([1, 3]));
    let rows = app.audit_rows(&root, "service_catalog", c).await;
    assert_eq!(actions(&rows), ["reorder", "reorder", "create"]);
    assert_eq!(rows[1]["changes"]["display_number"], json!([5, 3]));
    assert_eq!(rows[0]["changes"]["display_number"], json!([3, 1]));
    assert_eq!(app.audit_rows(&root, "service_catalog", other).await.len(), 1);
    let report = app.audit.verify().await.unwrap();
    assert!(report.first_bad_row.is_none(), "{report:?}");
});

backend_test!(spawn_app -> TestApp, async fn services_are_deactivated_and_activated(app) {
    let root = app.login("root", Role::Admin).await;
    let manager = app.login("boss", Role::Manager).await;
    let a = service(&app, &manager, "CHILD", 1, "A").await;
    let b = service(&app, &manager, "CHILD", 2, "B").await;
    let mut body = service_body("CHILD", 3, "C");
    body["is_active"] = json!(false);
    let (status, c) = app.post_json("/api/v1/services", &manager, body).await;
    assert_eq!(status, 201);
    assert_eq!(c["is_active"], false);
    let c = c["service_id"].as_i64().unwrap();

    let (status, off) = app.patch_json(&format!("/api/v1/services/{a}"), &manager, json!({"is_active": false})).await;
    assert_eq!(status, 200, "{off}");
    assert_eq!(off["is_active"], false);
    assert_eq!(ids(&app.get_json("/api/v1/services?active=true", &manager).await.1, "service_id"), [b]);
    assert_eq!(ids(&app.get_json("/api/v1/services?active=false", &manager).await.1, "service_id"), [a, c]);
    assert_eq!(ids(&app.get_json("/api/v1/services?type=CHILD&active=false", &manager).await.1, "service_id"), [a, c]);
    assert_eq!(ids(&app.get_json("/api/v1/services", &manager).await.1, "service_id"), [a, b, c]);
    assert_eq!(app.get_json("/api/v1/services?active=maybe", &manager).await.0, 400);

    // Inactive services keep their number and take part in reorders.
    let (status, _) = app.post_json("/api/v1/services/reorder", &manager, json!({"service_type": "CHILD", "service_ids": [c, b, a]})).await;
    assert_eq!(status, 200);
    let (status, on) = app.patch_json(&format!("/api/v1/services/{a}"), &manager, json!({"is_active": true})).await;
    assert_eq!(status, 200);
    assert_eq!(on["is_active"], true);
    assert_eq!(on["display_number"], 3);
    assert_eq!(ids(&app.get_json("/api/v1/services?active=true", &manager).await.1, "service_id"), [b, a]);

    let rows = app.audit_rows(&root, "service_catalog", a).await;
    assert_eq!(actions(&rows), ["update", "reorder", "update", "create"]);
    assert_eq!(rows[0]["changes"]["is_active"], json!([false, true]));
    assert_eq!(rows[2]["changes"]["is_active"], json!([true, false]));
});

backend_test!(spawn_app -> TestApp, async fn staff_read_the_catalog_and_only_admins_and_managers_write(app) {
    let manager = app.login("boss", Role::Manager).await;
    let admin = app.login("root", Role::Admin).await;
    let doctor = app.login("doc", Role::Doctor).await;
    let reception = app.login("desk", Role::Receptionist).await;
    let patient = app.login("pat", Role::Patient).await;
    let id = service(&app, &manager, "CHILD", 1, "A").await;
    service(&app, &admin, "CHILD", 2, "B").await;
    let path = format!("/api/v1/services/{id}");
    for reader in [&doctor, &reception] {
        assert_eq!(app.get_json("/api/v1/services", reader).await.0, 200);
        assert_eq!(app.get_json(&path, reader).await.0, 200);
        assert_eq!(app.get_json("/api/v1/teeth", reader).await.0, 200);
        // Forbidden before the body is looked at.
        assert_eq!(app.post_json("/api/v1/services", reader, service_body("CHILD", 3, "C")).await.0, 403);
        assert_eq!(app.post_json("/api/v1/services", reader, json!({"price": -1})).await.0, 403);
        assert_eq!(app.patch_json(&path, reader, json!({"price": 1})).await.0, 403);
        assert_eq!(app.post_json("/api/v1/services/reorder", reader, json!({"service_type": "CHILD", "service_ids": []})).await.0, 403);
    }
    assert_eq!(app.get_json("/api/v1/services", &patient).await.0, 403);
    assert_eq!(app.get_json("/api/v1/teeth", &patient).await.0, 403);
    assert_eq!(app.get("/api/v1/services").await.status(), 401);
    assert_eq!(app.get("/api/v1/teeth").await.status(), 401);
    let (_, unchanged) = app.get_json(&path, &manager).await;
    assert_eq!(unchanged["price"], 50_000);
    assert_eq!(app.get_json("/api/v1/services", &manager).await.1["items"].as_array().unwrap().len(), 2);
});

backend_test!(spawn_app -> TestApp, async fn teeth_are_the_whole_dictionary(app) {
    let doctor = app.login("doc", Role::Doctor).await;
    let (status, all) = app.get_json("/api/v1/teeth", &doctor).await;
    assert_eq!(status, 200, "{all}");
    let items = all["items"].as_array().unwrap();
    assert_eq!(items.len(), 156);
    assert_eq!(all["next_cursor"], Value::Null);
    let ids: Vec<i64> = items.iter().map(|t| t["tooth_id"].as_i64().unwrap()).collect();
    assert_eq!(ids, (1..=156).collect::<Vec<_>>());
    let first = &items[0];
    for field in ["tooth_id", "system", "code", "arch", "quadrant", "index_in_quadrant", "dentition", "ui_key"] {
        assert!(first.get(field).is_some(), "{field} missing in {first}");
    }

    for (query, count) in [
        ("system=universal", 52),
        ("system=fdi", 52),
        ("system=palmer", 52),
        ("dentition=permanent", 96),
        ("dentition=primary", 60),
        ("system=fdi&dentition=permanent", 32),
        ("system=fdi&dentition=primary", 20),
        ("system=palmer&dentition=primary", 20),
    ] {
        let (status, page) = app.get_json(&format!("/api/v1/teeth?{query}"), &doctor).await;
        assert_eq!(status, 200, "{query}: {page}");
        assert_eq!(page["items"].as_array().unwrap().len(), count, "{query}");
        assert_eq!(page["next_cursor"], Value::Null);
    }
    let (_, fdi) = app.get_json("/api/v1/teeth?system=fdi&dentition=permanent", &doctor).await;
    let sixteen = fdi["items"].as_array().unwrap().iter().find(|t| t["code"] == "16").unwrap();
    assert_eq!(sixteen["system"], "fdi");
    assert_eq!(sixteen["arch"], "upper");
    assert_eq!(sixteen["quadrant"], 1);
    assert_eq!(sixteen["index_in_quadrant"], 6);
    assert_eq!(sixteen["dentition"], "permanent");
    assert_eq!(sixteen["ui_key"], "P-UR-6");
    assert!(fdi["items"].as_array().unwrap().iter().all(|t| t["system"] == "fdi" && t["dentition"] == "permanent"));

    for bad in ["system=iso", "dentition=adult", "system=FDI"] {
        let (status, problem) = app.get_json(&format!("/api/v1/teeth?{bad}"), &doctor).await;
        assert_eq!(status, 400, "{bad}: {problem}");
    }
});

backend_test!(spawn_app -> TestApp, async fn concurrent_reorders_leave_one_consistent_order(app) {
    let manager = app.login("boss", Role::Manager).await;
    let mut all = Vec::new();
    for n in 1..=4 {
        all.push(service(&app, &manager, "CHILD", n, &format!("S{n}")).await);
    }
    let orders: Vec<Vec<i64>> = (0..6)
        .map(|k| {
            let mut order = all.clone();
            order.rotate_left(k % all.len());
            if k % 2 == 1 {
                order.reverse();
            }
            order
        })
        .collect();
    let requests = orders.iter().map(|order| {
        app.post_json("/api/v1/services/reorder", &manager, json!({"service_type": "CHILD", "service_ids": order}))
    });
    let answers = futures_util::future::join_all(requests).await;
    for (status, body) in &answers {
        assert_eq!(*status, 200, "{body}");
    }
    let numbering = numbering(&app, &manager, "CHILD").await;
    let numbers: Vec<i64> = numbering.iter().map(|(_, n)| *n).collect();
    assert_eq!(numbers, [1, 2, 3, 4]);
    let final_order: Vec<i64> = numbering.iter().map(|(id, _)| *id).collect();
    assert!(orders.contains(&final_order), "{final_order:?} is one of the orders asked");
});
