//! The migrated schema on each backend: the tooth dictionary, the default rows, and the
//! constraints that keep bad rows out even when a query bypasses the services.
use crate::backend_test;
use dcms_store::entity::{settings, tooth_definition};
use dcms_store::sea_orm::sea_query::{Expr, Query, SimpleExpr};
use dcms_store::sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryOrder};

const SYSTEMS: [&str; 3] = ["UNIVERSAL", "FDI", "PALMER"];

fn teeth_csv() -> String {
    let shared = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/teeth.csv"
    );
    let local = concat!(env!("CARGO_MANIFEST_DIR"), "/../domain/data/teeth.csv");
    std::fs::read_to_string(shared)
        .or_else(|_| std::fs::read_to_string(local))
        .expect("teeth.csv")
}

backend_test!(TestDatabase::create -> TestDatabase, async fn tooth_definition_is_teeth_csv_row_by_row(db) {
    let store = db.store().await;
    let rows = tooth_definition::Entity::find()
        .order_by_asc(tooth_definition::Column::ToothId)
        .all(store.connection())
        .await
        .unwrap();
    let csv = teeth_csv();
    let lines: Vec<&str> = csv.lines().skip(1).filter(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), 156);
    assert_eq!(lines.len(), 156);
    for (i, (row, line)) in rows.iter().zip(&lines).enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        let arch = ["upper", "lower"][row.arch as usize];
        let dentition = ["permanent", "primary"][row.dentition as usize];
        let got = format!(
            "{},{},{},{},{},{},{},{}",
            SYSTEMS[row.system as usize], row.code, arch, row.quadrant,
            row.index_in_quadrant, dentition, row.ui_key, row.name
        );
        assert_eq!(got, f.join(","), "row {}", i + 1);
        assert_eq!(row.tooth_id, i as i64 + 1);
    }
});

backend_test!(TestDatabase::create -> TestDatabase, async fn settings_has_one_row_of_defaults(db) {
    let store = db.store().await;
    let rows = settings::Entity::find().all(store.connection()).await.unwrap();
    assert_eq!(rows.len(), 1);
    let s = &rows[0];
    assert_eq!(s.time_zone, "Asia/Ulaanbaatar");
    assert_eq!(s.tooth_notation, 1, "FDI");
    assert_eq!(s.language, "mn");
    let hours: serde_json::Value = serde_json::from_str(&s.opening_hours).unwrap();
    assert_eq!(hours["sun"], serde_json::json!([]));
});

backend_test!(TestDatabase::create -> TestDatabase, async fn migrating_twice_is_a_no_op(db) {
    let store = db.store().await;
    assert!(store.pending_migrations().await.unwrap().is_empty());
    store.migrate().await.unwrap();
    let teeth = tooth_definition::Entity::find().all(store.connection()).await.unwrap();
    assert_eq!(teeth.len(), 156);
});

async fn insert(
    db: &impl ConnectionTrait,
    table: &str,
    values: &[(&str, SimpleExpr)],
) -> Result<(), DbErr> {
    let mut stmt = Query::insert();
    stmt.into_table(table.to_owned())
        .columns(values.iter().map(|(c, _)| c.to_string()))
        .values(values.iter().map(|(_, v)| v.clone()))
        .map_err(|e| DbErr::Custom(e.to_string()))?;
    db.execute(&stmt).await.map(|_| ())
}

fn v(x: impl Into<SimpleExpr>) -> SimpleExpr {
    x.into()
}

fn now() -> SimpleExpr {
    v(dcms_store::time::now())
}

fn user(id: i64, key: &str, role: i16) -> Vec<(&'static str, SimpleExpr)> {
    vec![
        ("user_id", v(id)),
        ("username", v(key.to_owned())),
        ("username_key", v(key.to_owned())),
        ("display_name", v("X")),
        ("password_hash", v("h")),
        ("roles", v(role)),
        ("created_at", now()),
    ]
}

fn session(id: i64, session_type: i16) -> Vec<(&'static str, SimpleExpr)> {
    vec![
        ("session_token_id", v(id)),
        ("user_id", v(1i64)),
        ("session_token_hash", v("h")),
        ("session_type", v(session_type)),
        ("expires_at", now()),
        ("created_at", now()),
        ("last_seen_at", now()),
    ]
}

fn patient(id: i64, register: &str, user_id: Option<i64>) -> Vec<(&'static str, SimpleExpr)> {
    vec![
        ("patient_id", v(id)),
        ("user_id", v(user_id)),
        ("register_number", v(register.to_owned())),
        ("first_name", v("Бат")),
        ("last_name", v("Дорж")),
        ("first_name_key", v("бат")),
        ("last_name_key", v("дорж")),
        (
            "birthday",
            v(chrono::NaiveDate::from_ymd_opt(1985, 3, 15).unwrap()),
        ),
        ("gender", v(0i16)),
        ("status", v(0i16)),
        ("created_at", now()),
    ]
}

fn employee(id: i64, number: i64, user_id: Option<i64>) -> Vec<(&'static str, SimpleExpr)> {
    vec![
        ("employee_id", v(id)),
        ("employee_display_number", v(number)),
        ("user_id", v(user_id)),
        ("first_name", v("Сараа")),
        ("last_name", v("Бат")),
        ("first_name_key", v("сараа")),
        ("last_name_key", v("бат")),
        ("gender", v(1i16)),
        ("status", v(1i16)),
        ("created_at", now()),
        ("last_updated_at", now()),
    ]
}

fn service(id: i64, kind: &str, number: i32, price: i64) -> Vec<(&'static str, SimpleExpr)> {
    vec![
        ("service_id", v(id)),
        ("service_type", v(kind.to_owned())),
        ("display_number", v(number)),
        ("doctor_display_name", v("Filling")),
        ("patient_display_name", v("Ломбо")),
        ("price", v(price)),
        ("created_at", now()),
        ("updated_at", now()),
    ]
}

fn with(
    mut row: Vec<(&'static str, SimpleExpr)>,
    col: &'static str,
    value: SimpleExpr,
) -> Vec<(&'static str, SimpleExpr)> {
    row.retain(|(c, _)| *c != col);
    row.push((col, value));
    row
}

backend_test!(TestDatabase::create -> TestDatabase, async fn constraints_refuse_bad_rows(db) {
    let store = db.store().await;
    let c = store.connection();
    insert(c, "user", &user(1, "admin", 1)).await.unwrap();
    // username is unique through its normalised key
    assert!(insert(c, "user", &user(2, "admin", 1)).await.is_err(), "duplicate username_key");
    // every enumeration is checked
    assert!(insert(c, "user", &user(3, "x", 5)).await.is_err(), "role 5");
    // mandatory columns are NOT NULL
    assert!(insert(c, "user", &with(user(4, "y", 1), "display_name", Expr::value(Option::<String>::None))).await.is_err(), "null display_name");

    insert(c, "session_token", &session(1, 1)).await.unwrap();
    assert!(insert(c, "session_token", &session(2, 0)).await.is_err(), "session_type 0 is refused");
    assert!(insert(c, "session_token", &session(3, 4)).await.is_err(), "session_type 4");
    // foreign keys
    assert!(insert(c, "session_token", &with(session(4, 1), "user_id", v(999i64))).await.is_err(), "unknown user");

    insert(c, "patient", &patient(1, "УБ85031512", Some(1))).await.unwrap();
    assert!(insert(c, "patient", &patient(2, "УБ85031512", None)).await.is_err(), "register_number unique");
    assert!(insert(c, "patient", &patient(3, "УБ85031513", Some(1))).await.is_err(), "patient.user_id unique");
    insert(c, "patient", &patient(4, "УБ85031514", None)).await.unwrap();
    insert(c, "patient", &patient(5, "УБ85031515", None)).await.expect("several patients without a portal user");
    assert!(insert(c, "patient", &with(patient(6, "УБ85031516", None), "status", v(4i16))).await.is_err(), "patient status 4");

    insert(c, "employee", &employee(1, 1, Some(1))).await.unwrap();
    assert!(insert(c, "employee", &employee(2, 1, None)).await.is_err(), "display number unique");
    assert!(insert(c, "employee", &employee(3, 2, Some(1))).await.is_err(), "employee.user_id unique");
    assert!(insert(c, "employee", &with(employee(4, 3, None), "status", v(5i16))).await.is_err(), "employee status 5");

    insert(c, "position", &[("position_id", v(1i64)), ("position_type", v("DOCTOR")), ("display_name", v("Doctor")), ("category", v(0i16))]).await.unwrap();
    assert!(insert(c, "position", &[("position_id", v(2i64)), ("position_type", v("DOCTOR")), ("display_name", v("Dr")), ("category", v(0i16))]).await.is_err(), "position_type unique");
    assert!(insert(c, "position", &[("position_id", v(3i64)), ("position_type", v("X")), ("display_name", v("X")), ("category", v(3i16))]).await.is_err(), "category 3");

    insert(c, "service_catalog", &service(1, "CHILD", 1, 50_000)).await.unwrap();
    insert(c, "service_catalog", &service(2, "ORTHO", 1, 50_000)).await.expect("each type has its own numbering");
    assert!(insert(c, "service_catalog", &service(3, "CHILD", 1, 50_000)).await.is_err(), "(service_type, display_number) unique");
    assert!(insert(c, "service_catalog", &service(4, "CHILD", 2, -1)).await.is_err(), "negative price");

    assert!(insert(c, "tooth_definition", &[
        ("tooth_id", v(1000i64)), ("system", v(1i16)), ("code", v("11")), ("arch", v(0i16)),
        ("quadrant", v(1)), ("index_in_quadrant", v(1)), ("dentition", v(0i16)),
        ("ui_key", v("X-1")), ("name", v("x")),
    ]).await.is_err(), "tooth (system, code) unique");

    let start = dcms_store::time::now();
    let appointment = |id: i64, end: dcms_store::time::DbTimestamp| vec![
        ("appointment_id", v(id)), ("patient_id", v(1i64)), ("doctor_id", v(1i64)),
        ("start_at", v(start)), ("end_at", v(end)), ("status", v(0i16)),
        ("created_at", now()), ("updated_at", now()),
    ];
    insert(c, "appointment", &appointment(1, start + chrono::Duration::minutes(30))).await.unwrap();
    assert!(insert(c, "appointment", &appointment(2, start)).await.is_err(), "end_at after start_at");

    insert(c, "treatment", &[
        ("treatment_id", v(1i64)), ("treatment_date", now()), ("patient_id", v(1i64)),
        ("doctor_id", v(1i64)), ("created_at", now()), ("updated_at", now()),
    ]).await.unwrap();
    insert(c, "treatment_item", &[
        ("treatment_item_id", v(1i64)), ("treatment_id", v(1i64)), ("service_id", v(1i64)),
        ("scope", v(1i16)), ("price", v(50_000i64)), ("position", v(0)),
    ]).await.unwrap();
    assert!(insert(c, "treatment_item", &[
        ("treatment_item_id", v(2i64)), ("treatment_id", v(1i64)), ("service_id", v(1i64)),
        ("scope", v(6i16)), ("price", v(50_000i64)), ("position", v(1)),
    ]).await.is_err(), "scope 6");
    let tooth = |id: i64| vec![("treatment_item_tooth_id", v(id)), ("treatment_item_id", v(1i64)), ("tooth_id", v(59i64))];
    insert(c, "treatment_item_tooth", &tooth(1)).await.unwrap();
    assert!(insert(c, "treatment_item_tooth", &tooth(2)).await.is_err(), "(treatment_item_id, tooth_id) unique");

    let payment = |id: i64, amount: i64, method: i16| vec![
        ("payment_id", v(id)), ("treatment_id", v(1i64)), ("amount", v(amount)),
        ("method", v(method)), ("paid_at", now()), ("created_at", now()),
    ];
    insert(c, "payment", &payment(1, 20_000, 3)).await.unwrap();
    assert!(insert(c, "payment", &payment(2, 0, 0)).await.is_err(), "zero payment");
    assert!(insert(c, "payment", &payment(3, 10, 4)).await.is_err(), "method 4");

    let call = |id: i64, contact_type: i16, contacter: Option<i64>| vec![
        ("call_id", v(id)), ("phone_number", v("99112233")), ("direction", v(0i16)),
        ("begin_call", now()), ("contact_type", v(contact_type)), ("contacter_id", v(contacter)),
    ];
    insert(c, "call", &call(1, 0, None)).await.unwrap();
    insert(c, "call", &call(2, 1, Some(1))).await.unwrap();
    assert!(insert(c, "call", &call(3, 1, None)).await.is_err(), "patient contact without id");
    assert!(insert(c, "call", &call(4, 0, Some(1))).await.is_err(), "new contact with an id");
    assert!(insert(c, "call", &call(5, 3, Some(1))).await.is_err(), "contact_type 3");

    assert!(insert(c, "settings", &[("settings_id", v(2i64)), ("opening_hours", v("{}")), ("tooth_notation", v(1i16)), ("updated_at", now())]).await.is_err(), "settings is one row");
});

backend_test!(TestDatabase::create -> TestDatabase, async fn timestamps_keep_microseconds(db) {
    use dcms_store::entity::user;
    use dcms_store::sea_orm::{ActiveModelTrait, Set};
    let store = db.store().await;
    let at: jiff::Timestamp = "2016-07-01T03:04:05.123456Z".parse().unwrap();
    let row = user::ActiveModel {
        username: Set("clock".into()),
        username_key: Set("clock".into()),
        display_name: Set("Clock".into()),
        password_hash: Set("x".into()),
        roles: Set(4),
        created_at: Set(dcms_store::time::to_db(at)),
        disabled_at: Set(None),
        ..Default::default()
    }
    .insert(store.connection())
    .await
    .unwrap();
    let back = user::Entity::find_by_id(row.user_id).one(store.connection()).await.unwrap().unwrap();
    assert_eq!(dcms_store::time::from_db(back.created_at), at);
});
