//! Discounts through HTTP: on a treatment item (an amount or a percent, with a reason), the
//! clinic's threshold by role (a doctor or receptionist up to it, a manager or admin above),
//! the invoice's list price, discount and charge, a change of teeth recomputing a percent,
//! a plan's discount carried to the items recorded from it, and the revenue report's list
//! price, discounts and charges.
use crate::backend_test;
use crate::helpers::TestApp;
use crate::treatments::{setup, tid};
use serde_json::{Value, json};

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"].as_array().map_or_else(Vec::new, |e| {
        e.iter()
            .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
            .collect()
    })
}

backend_test!(spawn_app -> TestApp, async fn discounts_by_role_and_what_the_invoice_says(app) {
    let s = setup(&app).await;
    let p = s.c.patients[0];
    let treat = |token: String, items: Value| {
        let app = &app;
        let body = json!({"patient_id": p, "doctor_id": s.c.doctors[0], "items": items});
        async move { app.post_json("/api/v1/treatments", &token, body).await }
    };
    // Two fillings (60 000 ₮): 10% is the threshold, anyone's; 11% is a manager's.
    let two = |discount: Value, reason: Value| json!([{"service_id": s.filling, "scope": "multi_tooth", "teeth": ["16", "26"], "system": "fdi", "discount": discount, "discount_reason": reason}]);
    let (status, t) = treat(s.doctor.clone(), two(json!({"percent": 10}), json!("Ахмад настан"))).await;
    assert_eq!(status, 201, "{t}");
    let item = &t["items"][0];
    assert_eq!((item["list_price"].as_i64(), item["discount"].as_i64(), item["charge"].as_i64()), (Some(60_000), Some(6_000), Some(54_000)));
    assert_eq!(item["discount_percent"], 10);
    assert_eq!(item["discount_reason"], "Ахмад настан");
    assert_eq!(t["total"], 54_000);
    for token in [s.doctor.clone(), s.c.desk.clone()] {
        let (status, problem) = treat(token, two(json!({"percent": 11}), json!("найз"))).await;
        assert_eq!(status, 403, "{problem}");
        let (status, problem) = treat(s.doctor.clone(), two(json!(6_001), json!("найз"))).await;
        assert_eq!(status, 403, "{problem}");
    }
    let (status, big) = treat(s.c.manager.clone(), two(json!({"amount": 30_000}), json!("Гэмтэл, эмнэлгийн алдаа"))).await;
    assert_eq!(status, 201, "{big}");
    assert_eq!(big["total"], 30_000);
    // Invalid ones: 422 on the field, nothing recorded.
    for (discount, reason, field) in [
        (json!({"percent": 101}), json!("x"), "items[0].discount"),
        (json!(-5), json!("x"), "items[0].discount"),
        (json!(60_001), json!("x"), "items[0].discount"),
        (json!(1_000), Value::Null, "items[0].discount_reason"),
    ] {
        let (status, problem) = treat(s.c.manager.clone(), two(discount, reason)).await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(fields(&problem), [field]);
    }
    let (status, _) = treat(s.c.manager.clone(), two(json!({"percent": 5, "amount": 5}), json!("x"))).await;
    assert!(status == 400 || status == 422, "both amount and percent: {status}");

    // The invoice: list price, discount and charge per line; total after discounts.
    let (status, invoice) = app.get_json(&format!("/api/v1/treatments/{}/invoice", tid(&t)), &s.c.desk).await;
    assert_eq!(status, 200, "{invoice}");
    let line = &invoice["lines"][0];
    assert_eq!((line["unit_price"].as_i64(), line["quantity"].as_i64(), line["list_price"].as_i64(), line["discount"].as_i64(), line["charge"].as_i64()), (Some(30_000), Some(2), Some(60_000), Some(6_000), Some(54_000)));
    assert_eq!(invoice["total"], 54_000);
    assert_eq!(invoice["balance"], 54_000);
    let (status, paid) = app.post_json(&format!("/api/v1/treatments/{}/payments", tid(&t)), &s.c.desk, json!({"amount": 54_001, "method": "cash"})).await;
    assert_eq!(status, 422, "more than the discounted balance: {paid}");

    // Three teeth instead of two: the percent follows the new list price.
    let item_id = t["items"][0]["treatment_item_id"].as_i64().unwrap();
    let (status, changed) = app.call(reqwest::Method::PUT, &format!("/api/v1/treatments/{}/items/{item_id}/teeth", tid(&t)), &s.doctor, Some(json!({"teeth": ["16", "26", "36"], "system": "fdi"}))).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["items"][0]["discount"], 9_000);
    assert_eq!(changed["total"], 81_000);

    // The threshold is the clinic's.
    let (status, _) = app.patch_json("/api/v1/settings", &s.c.manager, json!({"discount_threshold_percent": 20})).await;
    assert_eq!(status, 200);
    let (status, t20) = treat(s.doctor.clone(), two(json!({"percent": 20}), json!("Гэр бүлийн хөнгөлөлт"))).await;
    assert_eq!(status, 201, "{t20}");
    let (status, problem) = app.patch_json("/api/v1/settings", &s.c.manager, json!({"discount_threshold_percent": 101})).await;
    assert_eq!((status, fields(&problem)), (422, vec!["discount_threshold_percent".to_owned()]));

    // The revenue report: list price, discounts, charges.
    let today = jiff::Timestamp::now().in_tz("Asia/Ulaanbaatar").unwrap().date();
    let (status, revenue) = app.get_json(&format!("/api/v1/reports/revenue?from={today}&to={today}&group_by=doctor"), &s.c.manager).await;
    assert_eq!(status, 200, "{revenue}");
    // 90 000 list − 9 000, 60 000 − 30 000, 60 000 − 12 000.
    assert_eq!(revenue["total_list"], 210_000);
    assert_eq!(revenue["total_discounts"], 51_000);
    assert_eq!(revenue["total_charges"], 159_000);
    assert_eq!(revenue["rows"][0]["discounts"], 51_000);
});

backend_test!(spawn_app -> TestApp, async fn a_plans_discount_by_role_and_on_the_items_done(app) {
    let s = setup(&app).await;
    let p = s.c.patients[1];
    let (status, plan) = app.post_json(&format!("/api/v1/patients/{p}/treatment-plans"), &s.doctor, json!({"doctor_id": s.c.doctors[0], "items": [
        {"service_id": s.filling, "scope": "single_tooth", "teeth": ["16"], "system": "fdi"},
        {"service_id": s.filling, "scope": "single_tooth", "teeth": ["26"], "system": "fdi"},
    ]})).await;
    assert_eq!(status, 201, "{plan}");
    let plan_id = plan["plan_id"].as_i64().unwrap();
    let path = format!("/api/v1/treatment-plans/{plan_id}");
    let (status, problem) = app.patch_json(&path, &s.doctor, json!({"discount": {"percent": 25}, "discount_reason": "Багц"})).await;
    assert_eq!(status, 403, "{problem}");
    let (status, problem) = app.patch_json(&path, &s.c.manager, json!({"discount": {"percent": 25}})).await;
    assert_eq!((status, fields(&problem)), (422, vec!["discount_reason".to_owned()]), "{problem}");
    let (status, plan) = app.patch_json(&path, &s.c.manager, json!({"discount": {"percent": 25}, "discount_reason": "Багц"})).await;
    assert_eq!(status, 200, "{plan}");
    assert_eq!((plan["subtotal"].as_i64(), plan["discount"].as_i64(), plan["total"].as_i64()), (Some(60_000), Some(15_000), Some(45_000)));
    assert_eq!(plan["discount_percent"], 25);
    // The old integer form is still an amount, anyone's up to the threshold.
    let (status, plan_amount) = app.patch_json(&path, &s.doctor, json!({"discount": 6_000, "discount_reason": "Багц"})).await;
    assert_eq!(status, 200, "{plan_amount}");
    assert_eq!(plan_amount["total"], 54_000);
    let (status, plan) = app.patch_json(&path, &s.c.manager, json!({"discount": {"percent": 25}, "discount_reason": "Багц"})).await;
    assert_eq!(status, 200, "{plan}");
    for to in ["presented", "accepted"] {
        let (status, moved) = app.post_json(&format!("{path}/status"), &s.doctor, json!({"status": to})).await;
        assert_eq!(status, 200, "{moved}");
    }
    // An item done from the plan carries the plan's 25%, even recorded by a doctor.
    let plan_item = plan["items"][0]["plan_item_id"].as_i64().unwrap();
    let (status, t) = app.post_json("/api/v1/treatments", &s.doctor, json!({"patient_id": p, "doctor_id": s.c.doctors[0], "items": [{"plan_item_id": plan_item}]})).await;
    assert_eq!(status, 201, "{t}");
    assert_eq!((t["items"][0]["discount"].as_i64(), t["total"].as_i64()), (Some(7_500), Some(22_500)));
    assert_eq!(t["items"][0]["discount_reason"], "Багц");
    // The estimate shows the plan's discount.
    let (status, estimate) = app.get_json(&format!("{path}/estimate"), &s.doctor).await;
    assert_eq!(status, 200, "{estimate}");
    assert_eq!(estimate["discount"], 15_000);
});
