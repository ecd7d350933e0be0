//! The reports API: each figure is compared with a hand-computed expectation and with a sum
//! computed directly in SQL on the entities (a different formulation from the server's:
//! charges by joining the teeth rather than counting them in a subquery). Appointments are
//! booked through the API in the future and then moved into the past in the database, since
//! the API (rightly) refuses to book in the past; their statuses are set through the API.
use crate::appointments::{booked, clinic, set_status};
use crate::backend_test;
use crate::helpers::TestApp;
use crate::treatments::{Setup, recorded, service, tid};
use dcms_domain::Role;
use dcms_store::entity::{appointment, payment, treatment, treatment_item, treatment_item_tooth};
use dcms_store::sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query, SelectStatement};
use dcms_store::sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter,
};
use dcms_store::time::to_db;
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde_json::{Value, json};

/// `SELECT CAST(SUM(..) AS int64)` of a statement whose only column is aliased `v`.
async fn sql_value(app: &TestApp, select: &SelectStatement) -> i64 {
    let db = app.store.connection();
    let row = db.query_one(select).await.unwrap().unwrap();
    row.try_get::<Option<i64>>("", "v").unwrap().unwrap_or(0)
}

fn int64(backend: DbBackend, e: Expr) -> Expr {
    let t = match backend {
        DbBackend::MySql => "SIGNED",
        DbBackend::Postgres => "BIGINT",
        _ => "INTEGER",
    };
    Func::cast_as(e, Alias::new(t)).into()
}

/// Charges of treatments dated in [from, to), straight from the tables: per-tooth items
/// joined with their teeth (one row per tooth), plus the other items once.
pub(crate) async fn sql_charges(app: &TestApp, from: Timestamp, to: Timestamp) -> i64 {
    let b = app.store.connection().get_database_backend();
    let date = Expr::col((treatment::Entity, treatment::Column::TreatmentDate));
    let base = |per_tooth: bool| {
        let mut q = Query::select();
        q.expr_as(
            int64(
                b,
                Expr::col((treatment_item::Entity, treatment_item::Column::Price)).sum(),
            ),
            Alias::new("v"),
        )
        .from(treatment_item::Entity)
        .inner_join(
            treatment::Entity,
            Expr::col((treatment::Entity, treatment::Column::TreatmentId))
                .equals((treatment_item::Entity, treatment_item::Column::TreatmentId)),
        )
        .and_where(date.clone().gte(to_db(from)))
        .and_where(date.clone().lt(to_db(to)));
        let scope = Expr::col((treatment_item::Entity, treatment_item::Column::Scope));
        if per_tooth {
            q.inner_join(
                treatment_item_tooth::Entity,
                Expr::col((
                    treatment_item_tooth::Entity,
                    treatment_item_tooth::Column::TreatmentItemId,
                ))
                .equals((
                    treatment_item::Entity,
                    treatment_item::Column::TreatmentItemId,
                )),
            )
            .and_where(scope.is_in([1i16, 2]));
        } else {
            q.and_where(scope.is_not_in([1i16, 2]));
        }
        q
    };
    sql_value(app, &base(true)).await + sql_value(app, &base(false)).await
}

/// Payments made in [from, to), straight from the table; of one method if given.
pub(crate) async fn sql_paid(
    app: &TestApp,
    from: Timestamp,
    to: Timestamp,
    method: Option<i16>,
) -> i64 {
    let b = app.store.connection().get_database_backend();
    let at = Expr::col((payment::Entity, payment::Column::PaidAt));
    let mut q = Query::select();
    q.expr_as(
        int64(
            b,
            Expr::col((payment::Entity, payment::Column::Amount)).sum(),
        ),
        Alias::new("v"),
    )
    .from(payment::Entity)
    .and_where(at.clone().gte(to_db(from)))
    .and_where(at.lt(to_db(to)));
    if let Some(m) = method {
        q.and_where(Expr::col((payment::Entity, payment::Column::Method)).eq(m));
    }
    sql_value(app, &q).await
}

/// The first instant of a local date in the clinic's zone.
pub(crate) fn start(date: Date, zone: &jiff::tz::TimeZone) -> Timestamp {
    date.to_zoned(zone.clone())
        .unwrap()
        .start_of_day()
        .unwrap()
        .timestamp()
}

async fn pay(app: &TestApp, token: &str, treatment: i64, amount: i64, method: &str) {
    let (status, p) = app
        .post_json(
            &format!("/api/v1/treatments/{treatment}/payments"),
            token,
            json!({"amount": amount, "method": method}),
        )
        .await;
    assert_eq!(status, 201, "{p}");
}

backend_test!(spawn_app -> TestApp, async fn reports_agree_with_sql_and_by_hand(app) {
    let c = clinic(&app, 2, 3).await;
    app.create_user("dr", Role::Doctor).await;
    let doctor = app.token("dr").await;
    let filling = service(&app, &c.manager, 1, "Filling", 30_000).await;
    let scaling = service(&app, &c.manager, 2, "Scaling", 200_000).await;
    let s = Setup { c, doctor, filling, scaling };
    let (d0, d1) = (s.c.doctors[0], s.c.doctors[1]);
    let clinic_settings = dcms_server::services::settings::get(&app.store).await.unwrap();
    let zone = clinic_settings.time_zone();
    let today = clinic_settings.now_local().date();
    let yesterday = today.yesterday().unwrap();
    let before = today.saturating_sub(2.days());

    // Treatments today: 30 000 + 3 × 30 000 + 200 000 = 320 000 (d0); 200 000 + 2 × 30 000
    // = 260 000 (d1); two days ago 30 000 (d0).
    let t1 = recorded(&app, &s, s.c.patients[0], json!([
        {"service_id": filling, "scope": "single_tooth", "teeth": ["16"]},
        {"service_id": filling, "scope": "multi_tooth", "teeth": ["36", "37", "46"]},
        {"service_id": scaling, "scope": "upper_arch"},
    ])).await;
    let (status, t2) = app.post_json("/api/v1/treatments", &s.doctor, json!({
        "patient_id": s.c.patients[1], "doctor_id": d1, "items": [
            {"service_id": scaling, "scope": "none"},
            {"service_id": filling, "scope": "multi_tooth", "teeth": ["11", "21"]},
        ]})).await;
    assert_eq!(status, 201, "{t2}");
    let two_days_ago = (Timestamp::now() - 48.hours()).to_string();
    let (status, t3) = app.post_json("/api/v1/treatments", &s.doctor, json!({
        "patient_id": s.c.patients[2], "doctor_id": d0, "treatment_date": two_days_ago,
        "items": [{"service_id": filling, "scope": "single_tooth", "teeth": ["26"]}]})).await;
    assert_eq!(status, 201, "{t3}");
    pay(&app, &s.c.desk, tid(&t1), 100_000, "cash").await;
    pay(&app, &s.c.desk, tid(&t1), 50_000, "card").await;
    pay(&app, &s.c.desk, tid(&t2), 60_000, "qpay").await;
    pay(&app, &s.c.desk, tid(&t3), 30_000, "transfer").await;

    // Appointments yesterday: d0 no-show, came, reserved (never marked); d1 canceled, no-show;
    // and one of d0 in 2030 (not due).
    let plan = [(d0, 10, "no_show"), (d0, 11, "came"), (d0, 12, ""), (d1, 10, "canceled"), (d1, 11, "no_show"), (d0, 9, "")];
    for (i, (d, hour, status)) in plan.iter().enumerate() {
        // Yesterday's are booked afterwards, by the manager (the front desk books the future),
        // each patient at one place at a time.
        let (by, start_at) = if i < 5 {
            let at = yesterday.at(*hour, 0, 0, 0).to_zoned(zone.clone()).unwrap().timestamp();
            (&s.c.manager, at.to_string())
        } else {
            (&s.c.desk, format!("2030-01-{:02}T{hour:02}:00:00+08:00", 7 + i))
        };
        let a = booked(&app, by, json!({
            "patient_id": s.c.patients[[0, 1, 2, 2, 0, 2][i]], "doctor_id": d, "start_at": start_at,
        })).await;
        let id = a["appointment_id"].as_i64().unwrap();
        if !status.is_empty() {
            let (code, body) = set_status(&app, &s.c.desk, id, status).await;
            assert_eq!(code, 200, "{body}");
        }
    }

    let manager = &s.c.manager;
    // --- the day ---
    let (status, day) = app.get_json(&format!("/api/v1/reports/day?date={today}"), manager).await;
    assert_eq!(status, 200, "{day}");
    let (from, to) = (start(today, &zone), start(today.tomorrow().unwrap(), &zone));
    assert_eq!(day["date"], today.to_string());
    assert_eq!(day["treatments"], 2);
    assert_eq!(day["charges"], 580_000);
    assert_eq!(day["charges"], sql_charges(&app, from, to).await);
    assert_eq!(day["payments_by_method"], json!({"cash": 100_000, "card": 50_000, "transfer": 30_000, "qpay": 60_000}));
    for (name, code) in [("cash", 0), ("card", 1), ("transfer", 2), ("qpay", 3)] {
        assert_eq!(day["payments_by_method"][name], sql_paid(&app, from, to, Some(code)).await);
    }
    let treatments_sql = treatment::Entity::find()
        .filter(treatment::Column::TreatmentDate.gte(to_db(from)))
        .filter(treatment::Column::TreatmentDate.lt(to_db(to)))
        .count(app.store.connection()).await.unwrap();
    assert_eq!(day["treatments"], treatments_sql);

    let (status, day) = app.get_json(&format!("/api/v1/reports/day?date={yesterday}"), manager).await;
    assert_eq!(status, 200, "{day}");
    let doctors = day["doctors"].as_array().unwrap();
    assert_eq!(doctors.len(), 2, "{day}");
    let of = |d: i64| doctors.iter().find(|r| r["doctor_id"] == d).unwrap()["by_status"].clone();
    assert_eq!(of(d0), json!({"reserved": 1, "canceled": 0, "confirmed": 0, "no_show": 1, "came": 1, "finished": 0}));
    assert_eq!(of(d1), json!({"reserved": 0, "canceled": 1, "confirmed": 0, "no_show": 1, "came": 0, "finished": 0}));
    let (from_y, to_y) = (start(yesterday, &zone), from);
    for r in doctors {
        for (name, code) in [("reserved", 0i16), ("canceled", 1), ("confirmed", 2), ("no_show", 3), ("came", 4), ("finished", 5)] {
            let n = appointment::Entity::find()
                .filter(appointment::Column::DoctorId.eq(r["doctor_id"].as_i64().unwrap()))
                .filter(appointment::Column::Status.eq(code))
                .filter(appointment::Column::StartAt.gte(to_db(from_y)))
                .filter(appointment::Column::StartAt.lt(to_db(to_y)))
                .count(app.store.connection()).await.unwrap();
            assert_eq!(r["by_status"][name], n, "{r}");
        }
    }
    assert_eq!(day["treatments"], 0);
    assert_eq!(day["charges"], 0);

    // --- revenue ---
    let range = format!("from={before}&to={today}");
    let (from_r, to_r) = (start(before, &zone), to);
    let (status, by_doctor) = app.get_json(&format!("/api/v1/reports/revenue?{range}&group_by=doctor"), manager).await;
    assert_eq!(status, 200, "{by_doctor}");
    assert_eq!(by_doctor["total_charges"], 610_000);
    assert_eq!(by_doctor["total_paid"], 240_000);
    assert_eq!(by_doctor["total_charges"], sql_charges(&app, from_r, to_r).await);
    assert_eq!(by_doctor["total_paid"], sql_paid(&app, from_r, to_r, None).await);
    let rows = by_doctor["rows"].as_array().unwrap();
    let row = |rows: &[Value], key: Value| rows.iter().find(|r| r["key"] == key).cloned().unwrap();
    assert_eq!((row(rows, json!(d0))["charges"].clone(), row(rows, json!(d0))["paid"].clone()), (json!(350_000), json!(180_000)));
    assert_eq!((row(rows, json!(d1))["charges"].clone(), row(rows, json!(d1))["paid"].clone()), (json!(260_000), json!(60_000)));

    let (status, by_service) = app.get_json(&format!("/api/v1/reports/revenue?{range}&group_by=service"), manager).await;
    assert_eq!(status, 200, "{by_service}");
    let rows = by_service["rows"].as_array().unwrap();
    assert_eq!(row(rows, json!(filling))["charges"], 210_000);
    assert_eq!(row(rows, json!(scaling))["charges"], 400_000);
    assert_eq!(row(rows, json!(scaling))["label"], "Scaling");

    let (status, by_day) = app.get_json(&format!("/api/v1/reports/revenue?{range}&group_by=day"), manager).await;
    assert_eq!(status, 200, "{by_day}");
    let rows = by_day["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for (i, date) in [before, yesterday, today].iter().enumerate() {
        assert_eq!(rows[i]["key"], date.to_string());
        let (f, t) = (start(*date, &zone), start(date.tomorrow().unwrap(), &zone));
        assert_eq!(rows[i]["charges"], sql_charges(&app, f, t).await, "{date}");
        assert_eq!(rows[i]["paid"], sql_paid(&app, f, t, None).await, "{date}");
    }
    assert_eq!((rows[0]["charges"].clone(), rows[2]["charges"].clone(), rows[2]["paid"].clone()),
        (json!(30_000), json!(580_000), json!(240_000)));

    // --- patients ---
    let (status, patients) = app.get_json("/api/v1/reports/patients", manager).await;
    assert_eq!(status, 200, "{patients}");
    let all = dcms_store::entity::patient::Entity::find().count(app.store.connection()).await.unwrap();
    assert_eq!(patients["by_status"], json!({"active": all, "within_1y": 0, "within_5y": 0, "older": 0}));
    let months = patients["new_per_month"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    assert_eq!(months[11], json!({"month": today.strftime("%Y-%m").to_string(), "count": all}));

    // --- no-shows: d0 1 of 3 due, d1 1 of 1 (the canceled one was never due) ---
    let (status, ns) = app.get_json(&format!("/api/v1/reports/no-shows?from={before}&to={today}"), manager).await;
    assert_eq!(status, 200, "{ns}");
    assert_eq!((ns["due"].clone(), ns["no_shows"].clone()), (json!(4), json!(2)), "{ns}");
    let rows = ns["rows"].as_array().unwrap();
    let r0 = rows.iter().find(|r| r["doctor_id"] == d0).unwrap();
    assert_eq!((r0["due"].clone(), r0["no_shows"].clone()), (json!(3), json!(1)));
    assert!((r0["rate"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);
    assert_eq!(r0["month"], yesterday.strftime("%Y-%m").to_string());
    let r1 = rows.iter().find(|r| r["doctor_id"] == d1).unwrap();
    assert_eq!((r1["due"].clone(), r1["no_shows"].clone(), r1["rate"].clone()), (json!(1), json!(1), json!(1.0)));
    let due_sql = appointment::Entity::find()
        .filter(appointment::Column::StartAt.gte(to_db(from_r)))
        .filter(appointment::Column::StartAt.lt(to_db(Timestamp::now())))
        .filter(appointment::Column::Status.is_in([0i16, 2, 3, 4, 5]))
        .count(app.store.connection()).await.unwrap();
    assert_eq!(ns["due"], due_sql);
});

backend_test!(spawn_app -> TestApp, async fn reports_are_for_managers_admins_and_hq(app) {
    for (name, role) in [("adm", Role::Admin), ("mgr", Role::Manager), ("doc", Role::Doctor), ("desk", Role::Receptionist)] {
        app.create_user(name, role).await;
    }
    let hq = app.token_from(json!({"username": "mgr", "password": PASSWORD, "session_type": "hq"})).await;
    let paths = ["/api/v1/reports/day?date=2026-01-05", "/api/v1/reports/revenue?from=2026-01-01&to=2026-01-31&group_by=day",
        "/api/v1/reports/patients", "/api/v1/reports/no-shows?from=2026-01-01&to=2026-03-31"];
    let tokens = [(app.token("adm").await, 200), (app.token("mgr").await, 200), (hq, 200),
        (app.token("doc").await, 403), (app.token("desk").await, 403)];
    for path in paths {
        for (token, expected) in &tokens {
            let (status, body) = app.get_json(path, token).await;
            assert_eq!(status, *expected, "{path}: {body}");
        }
    }
    // Bad parameters are 422 problems naming the parameter, never 500.
    let admin = &tokens[0].0;
    for (path, field) in [
        ("/api/v1/reports/day", "date"),
        ("/api/v1/reports/day?date=2026-13-01", "date"),
        ("/api/v1/reports/day?date=yesterday", "date"),
        ("/api/v1/reports/revenue?from=2026-02-01&to=2026-01-01", "to"),
        ("/api/v1/reports/revenue?from=2025-01-01&to=2026-01-02", "to"),
        ("/api/v1/reports/revenue?from=2026-01-01&to=2026-01-02&group_by=week", "group_by"),
        ("/api/v1/reports/no-shows?from=2026-01-01", "to"),
        ("/api/v1/reports/no-shows?from=2020-01-01&to=2026-01-01", "to"),
    ] {
        let (status, body) = app.get_json(path, admin).await;
        assert_eq!(status, 422, "{path}: {body}");
        assert!(body["errors"].as_array().unwrap().iter().any(|e| e["field"] == field), "{path}: {body}");
    }
    // A full leap year is allowed (366 days).
    let (status, body) = app.get_json("/api/v1/reports/revenue?from=2024-01-01&to=2024-12-31&group_by=day", admin).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["rows"].as_array().unwrap().len(), 366);
});
