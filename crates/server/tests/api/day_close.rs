//! Closing the day through HTTP: the day's payments per method beside what was counted, the
//! difference, who may close and reopen, a closed day refusing new and back-dated payments
//! until a manager reopens it, and closing again with the new payments.
use crate::backend_test;
use crate::helpers::TestApp;
use crate::treatments::{recorded, setup, tid};
use serde_json::{Value, json};

backend_test!(spawn_app -> TestApp, async fn a_closed_day_takes_no_payment_until_reopened(app) {
    let s = setup(&app).await;
    let t = recorded(&app, &s, s.c.patients[0], json!([{"service_id": s.scaling, "scope": "upper_arch"}])).await;
    let pay_path = format!("/api/v1/treatments/{}/payments", tid(&t));
    let pay = |body: Value| {
        let (app, path, token) = (&app, pay_path.clone(), s.c.desk.clone());
        async move { app.post_json(&path, &token, body).await }
    };
    let now = jiff::Timestamp::now().in_tz("Asia/Ulaanbaatar").unwrap();
    let today = now.date();
    let yesterday = today.yesterday().unwrap();
    let yesterday_noon = yesterday.at(12, 0, 0, 0).in_tz("Asia/Ulaanbaatar").unwrap().timestamp().to_string();
    assert_eq!(pay(json!({"amount": 30_000, "method": "cash"})).await.0, 201);
    assert_eq!(pay(json!({"amount": 20_000, "method": "card"})).await.0, 201);
    assert_eq!(pay(json!({"amount": 5_000, "method": "cash", "paid_at": yesterday_noon})).await.0, 201);

    let (status, open) = app.get_json("/api/v1/day-close", &s.c.desk).await;
    assert_eq!(status, 200, "{open}");
    assert_eq!(open["date"], today.to_string());
    assert_eq!(open["closed"], false);
    assert_eq!(open["expected"], json!({"cash": 30_000, "card": 20_000, "transfer": 0, "qpay": 0}));
    assert_eq!(open["counted"], Value::Null);

    // Who closes: not a doctor; what: today or earlier, amounts not negative.
    let body = json!({"date": today.to_string(), "counted": {"cash": 29_000, "card": 20_000}, "note": "1000 дутуу"});
    assert_eq!(app.post_json("/api/v1/day-close", &s.doctor, body.clone()).await.0, 403);
    let (status, problem) = app.post_json("/api/v1/day-close", &s.c.desk, json!({"date": today.tomorrow().unwrap().to_string(), "counted": {"cash": -1}})).await;
    assert_eq!(status, 422, "{problem}");
    let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["date", "counted.cash"]);
    let (status, closed) = app.post_json("/api/v1/day-close", &s.c.desk, body.clone()).await;
    assert_eq!(status, 201, "{closed}");
    assert_eq!(closed["closed"], true);
    assert_eq!(closed["difference"], json!({"cash": -1_000, "card": 0, "transfer": 0, "qpay": 0}));
    assert_eq!(closed["note"], "1000 дутуу");
    assert_eq!(app.post_json("/api/v1/day-close", &s.c.desk, body).await.0, 409);

    // A closed day takes no payment, new or back-dated; an open one still does.
    let (status, problem) = pay(json!({"amount": 1_000, "method": "cash"})).await;
    assert_eq!(status, 409, "{problem}");
    let (status, _) = app.post_json("/api/v1/day-close", &s.c.manager, json!({"date": yesterday.to_string(), "counted": {"cash": 5_000}})).await;
    assert_eq!(status, 201);
    assert_eq!(pay(json!({"amount": 1_000, "method": "cash", "paid_at": yesterday_noon})).await.0, 409);
    let (_, t_now) = app.get_json(&format!("/api/v1/treatments/{}", tid(&t)), &s.c.desk).await;
    assert_eq!(t_now["paid"], 55_000, "nothing was taken: {t_now}");

    // Reopening is a manager's; then payments go in, and closing again counts them.
    let reopen = format!("/api/v1/day-close/{today}/reopen");
    assert_eq!(app.post_json(&reopen, &s.c.desk, json!({})).await.0, 403);
    let (status, reopened) = app.post_json(&reopen, &s.c.manager, json!({})).await;
    assert_eq!(status, 200, "{reopened}");
    assert_eq!(reopened["closed"], false);
    assert!(reopened["reopened_at"].is_string());
    assert_eq!(app.post_json(&reopen, &s.c.manager, json!({})).await.0, 409);
    assert_eq!(pay(json!({"amount": 1_000, "method": "qpay"})).await.0, 201);
    let (status, again) = app.post_json("/api/v1/day-close", &s.c.desk, json!({"date": today.to_string(), "counted": {"cash": 30_000, "card": 20_000, "qpay": 1_000}})).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again["expected"]["qpay"], 1_000);
    assert_eq!(again["difference"], json!({"cash": 0, "card": 0, "transfer": 0, "qpay": 0}));
    let (_, day) = app.get_json(&format!("/api/v1/day-close?date={today}"), &s.c.desk).await;
    assert_eq!(day, again);
    assert_eq!(app.get_json("/api/v1/day-close?date=2026-13-01", &s.c.desk).await.0, 400);
    // Today's row was the first closed: close, reopen and close again are in its trail.
    let rows = app.audit_rows(&s.c.manager, "day_close", 1).await;
    assert_eq!(crate::helpers::actions(&rows), ["close", "reopen", "close"]);
});
