//! `POST /api/v1/patients/import` and `GET /api/v1/patients/export` through HTTP: rows are
//! checked as registrations, bad lines are named with their column, a file with a bad line
//! imports nothing unless `skip_bad`, register numbers twice in the file or already
//! registered are refused, semicolons and a byte-order mark are read, what is imported is
//! audited, an export imports back into a fresh database as it was, and 5 000 rows import in
//! seconds.
use crate::backend_test;
use crate::helpers::{TestApp, spawn_app};
use dcms_domain::Role;
use dcms_store::entity::{audit_log, patient, patient_phone};
use dcms_store::sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use reqwest::Method;
use serde_json::{Value, json};

const HEADER: &str = "register_number,first_name,last_name,email,birthday,gender,phone1,phone1_label,phone2,phone2_label\n";

/// Good rows on lines 2 and 8, bad ones on lines 3 to 7.
fn mixed_file() -> String {
    [
        HEADER,
        "УБ85031512,Бат,Дорж,,,,99112233,гар,88112233,гэр\n",
        "УБ85133512,Сараа,Болд,,,,99112234,,88112234,\n",
        "УБ90121528,Сараа,Болд,not-an-email,,,95112233,,70,ажил\n",
        "УБ92010112,Нараа,Бат,,,,99001122,,,\n",
        ",Дулмаа,Ган,,,,99112235,,88112235,\n",
        "УБ88020212,Оюун,Бат,,1988-02-03,,99112236,,88112236,\n",
        "УБ95051026,Туяа,Цэцэг,t@example.mn,,female,99112237,Self,88112237,Mother\n",
    ]
    .concat()
}

/// The bad (line, column) pairs of [`mixed_file`].
const MIXED_PROBLEMS: [(u64, &str); 6] = [
    (3, "register_number"),
    (4, "email"),
    (4, "phone2"),
    (5, "phones"),
    (6, "register_number"),
    (7, "birthday"),
];

async fn import(app: &TestApp, token: &str, query: &str, csv: &str) -> (u16, Value) {
    let r = app
        .with_token(
            Method::POST,
            &format!("/api/v1/patients/import{query}"),
            token,
        )
        .header("content-type", "text/csv; charset=utf-8")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

async fn export(app: &TestApp, token: &str) -> String {
    let r = app
        .with_token(Method::GET, "/api/v1/patients/export", token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename=\"patients.csv\""
    );
    r.text().await.unwrap()
}

/// The (line, field) pairs of a report's or a problem's `problems`.
fn problem_pairs(body: &Value) -> Vec<(u64, String)> {
    body["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("no problems in {body}"))
        .iter()
        .map(|p| {
            (
                p["line"].as_u64().unwrap(),
                p["field"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pairs(expected: &[(u64, &str)]) -> Vec<(u64, String)> {
    expected
        .iter()
        .map(|(l, f)| (*l, (*f).to_owned()))
        .collect()
}

async fn counts(app: &TestApp) -> (u64, u64) {
    let db = app.store.connection();
    (
        patient::Entity::find().count(db).await.unwrap(),
        patient_phone::Entity::find().count(db).await.unwrap(),
    )
}

/// How many audit rows of `action` on `table` there are.
async fn audited(app: &TestApp, action: &str, table: &str) -> u64 {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .filter(audit_log::Column::TableName.eq(table))
        .count(app.store.connection())
        .await
        .unwrap()
}

/// The patient found by a search for `q` (exactly one).
async fn found(app: &TestApp, token: &str, q: &str) -> Value {
    let r = app
        .with_token(Method::GET, "/api/v1/patients", token)
        .query(&[("q", q)])
        .send()
        .await
        .unwrap();
    let page: Value = r.json().await.unwrap();
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{q}: {page}");
    items[0].clone()
}

backend_test!(spawn_app -> TestApp, async fn patients_import_nothing_when_a_line_is_bad_unless_skip_bad(app) {
    let token = app.login("sarnai", Role::Receptionist).await;

    let (status, problem) = import(&app, &token, "", &mixed_file()).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["type"], "urn:dcms:problem:validation");
    assert_eq!(problem_pairs(&problem), pairs(&MIXED_PROBLEMS), "{problem}");
    let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["line 3: register_number", "line 4: email", "line 4: phone2", "line 5: phones", "line 6: register_number", "line 7: birthday"]);
    assert!(problem["errors"][5]["message"].as_str().unwrap().contains("contradicts"), "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("5 line"), "{problem}");
    assert_eq!(counts(&app).await, (0, 0), "nothing is stored");
    assert_eq!(audited(&app, "import", "patient").await, 0);
    assert_eq!(audited(&app, "create", "patient").await, 0);

    let (status, report) = import(&app, &token, "?skip_bad=true", &mixed_file()).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["imported"], 2);
    assert_eq!(problem_pairs(&report), pairs(&MIXED_PROBLEMS));
    assert_eq!(counts(&app).await, (2, 4));

    // Stored as a registration would store them: normalised, the first phone primary, the
    // labels kept, the birthday and the sex from the register number.
    let bat = found(&app, &token, "УБ85031512").await;
    assert_eq!(bat["birthday"], "1985-03-15");
    assert_eq!(bat["gender"], "male");
    assert_eq!(bat["phones"], json!([
        {"phone_number_id": bat["phones"][0]["phone_number_id"], "number": "99112233", "label": "гар", "is_primary": true},
        {"phone_number_id": bat["phones"][1]["phone_number_id"], "number": "88112233", "label": "гэр", "is_primary": false},
    ]));
    let tuyaa = found(&app, &token, "УБ95051026").await;
    assert_eq!(tuyaa["email"], "t@example.mn");
    assert_eq!(tuyaa["gender"], "female");

    // One transaction with its audit entries: a `create` a row, as registration writes them.
    assert_eq!(audited(&app, "create", "patient").await, 2);
    assert_eq!(audited(&app, "create", "patient_phone").await, 4);
    assert_eq!(audited(&app, "import", "patient").await, 1);
    let report = app.audit.verify().await.unwrap();
    assert!(report.first_bad_row.is_none(), "{report:?}");

    // Importing them again: every line is now a registered number.
    let (status, problem) = import(&app, &token, "?skip_bad=true", &mixed_file()).await;
    assert_eq!(status, 422, "nothing imported because of bad rows: {problem}");
    let taken: Vec<_> = problem_pairs(&problem).into_iter().filter(|(l, _)| *l == 2 || *l == 8).collect();
    assert_eq!(taken, pairs(&[(2, "register_number"), (8, "register_number")]));
    assert_eq!(counts(&app).await, (2, 4));
});

backend_test!(spawn_app -> TestApp, async fn patients_import_refuses_register_numbers_twice_or_taken(app) {
    let token = app.login("sarnai", Role::Receptionist).await;
    let r = app.with_token(Method::POST, "/api/v1/patients", &token)
        .json(&json!({"register_number": "УБ85031512", "first_name": "Бат", "last_name": "Дорж",
            "phones": [{"number": "99112233", "is_primary": true}, {"number": "88112233"}]}))
        .send().await.unwrap();
    assert_eq!(r.status(), 201);

    let file = [
        HEADER,
        "уб 85031512,Бат,Дорж,,,,99112233,,88112233,\n",
        "УБ90121528,Сараа,Болд,,,,95112233,,70112233,\n",
        "УБ95051026,Туяа,Цэцэг,,,,99112237,,88112237,\n",
        "уб90121528,Сараа,Болд,,,,95112233,,70112233,\n",
    ].concat();
    let (status, problem) = import(&app, &token, "", &file).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem_pairs(&problem), pairs(&[(2, "register_number"), (3, "register_number"), (5, "register_number")]));
    let messages: Vec<&str> = problem["problems"].as_array().unwrap().iter().map(|p| p["message"].as_str().unwrap()).collect();
    assert!(messages[0].contains("already registered"), "{messages:?}");
    assert!(messages[1].contains("also on line 5"), "{messages:?}");
    assert!(messages[2].contains("also on line 3"), "{messages:?}");
    assert_eq!(counts(&app).await, (1, 2));

    let (status, report) = import(&app, &token, "?skip_bad=true", &file).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["imported"], 1);
    assert_eq!(counts(&app).await, (2, 4));
    found(&app, &token, "УБ95051026").await;
});

backend_test!(spawn_app -> TestApp, async fn patients_import_reads_semicolons_a_bom_and_crlf(app) {
    let token = app.login("sarnai", Role::Doctor).await;
    let file = "\u{feff}register_number;first_name;last_name;phone1;phone1_label;phone2;phone2_label;phone3\r\n\
                УБ85031512;Бат;Дорж;+976 9911-2233;гар;8811 2233;\"ажил; гэр\";\r\n\
                \r\n\
                УБ95051026;Туяа;Цэцэг;99112237;;88112237;;77112237\r\n";
    let (status, report) = import(&app, &token, "", file).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report, json!({"imported": 2, "problems": []}));
    let bat = found(&app, &token, "УБ85031512").await;
    assert_eq!(bat["phones"][0]["number"], "99112233");
    assert_eq!(bat["phones"][1]["label"], "ажил; гэр");
    assert_eq!(found(&app, &token, "УБ95051026").await["phones"].as_array().unwrap().len(), 3);

    // A header without a required column: the file is refused, naming it.
    let (status, problem) = import(&app, &token, "", "register_number;first_name;surname\r\n").await;
    assert_eq!(status, 422);
    assert_eq!(problem_pairs(&problem), pairs(&[(1, "last_name"), (1, "surname")]));
    assert_eq!(problem["errors"][0]["field"], "line 1: last_name");
});

/// The patients of an app as the API shows them, by register number, without ids and
/// computed fields; phones as (number, label, primary), primary first.
async fn snapshot(app: &TestApp, token: &str) -> Vec<Value> {
    let r = app
        .with_token(Method::GET, "/api/v1/patients?limit=500", token)
        .send()
        .await
        .unwrap();
    let page: Value = r.json().await.unwrap();
    let mut patients: Vec<Value> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let mut phones: Vec<(bool, String, String)> = p["phones"]
                .as_array()
                .unwrap()
                .iter()
                .map(|ph| {
                    (
                        !ph["is_primary"].as_bool().unwrap(),
                        ph["number"].as_str().unwrap().to_owned(),
                        ph["label"].as_str().unwrap().to_owned(),
                    )
                })
                .collect();
            phones.sort();
            json!({
                "register_number": p["register_number"], "first_name": p["first_name"],
                "last_name": p["last_name"], "email": p["email"], "birthday": p["birthday"],
                "gender": p["gender"], "phones": phones,
            })
        })
        .collect();
    patients.sort_by_key(|p| p["register_number"].as_str().unwrap().to_owned());
    patients
}

backend_test!(spawn_app -> TestApp, async fn patients_export_imports_back_into_a_fresh_database(app) {
    let token = app.login("sarnai", Role::Receptionist).await;
    let (status, _) = import(&app, &token, "?skip_bad=true", &mixed_file()).await;
    assert_eq!(status, 200);
    // One with three phones, the primary moved to the last one, gender other, quotes and a
    // comma in a name.
    let r = app.with_token(Method::POST, "/api/v1/patients", &token)
        .json(&json!({"register_number": "ӨВ12301260", "first_name": "Ган, \"Бага\"", "last_name": "Од",
            "gender": "other", "email": "od@example.mn",
            "phones": [{"number": "99000001", "label": "Self", "is_primary": true},
                       {"number": "+7 912 345 67 89", "label": "@Москва"},
                       {"number": "7011-2233", "label": "=HYPERLINK(\"http://x.example\",\"Дуудах\")"}]}))
        .send().await.unwrap();
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    let last_phone = created["phones"][2]["phone_number_id"].as_i64().unwrap();
    let id = created["patient_id"].as_i64().unwrap();
    let r = app.with_token(Method::PATCH, &format!("/api/v1/patients/{id}/phones/{last_phone}"), &token)
        .json(&json!({"is_primary": true})).send().await.unwrap();
    assert_eq!(r.status(), 200);

    let csv = export(&app, &token).await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert_eq!(lines[0], "\u{feff}register_number,first_name,last_name,email,birthday,gender,phone1,phone1_label,phone2,phone2_label,phone3,phone3_label");
    let od = lines.iter().find(|l| l.starts_with("ӨВ12301260")).unwrap();
    // Cells a spreadsheet would run as formulas start with a ' (CSV injection); the import
    // below reads them back exactly.
    assert!(
        od.contains(r#",other,70112233,"'=HYPERLINK(""http://x.example"",""Дуудах"")",99000001,Self,'+79123456789,'@Москва"#),
        "the primary first, formulas neutralised: {od}"
    );
    assert_eq!(audited(&app, "export", "patient").await, 1);
    let entry = audit_log::Entity::find().filter(audit_log::Column::Action.eq("export")).one(app.store.connection()).await.unwrap().unwrap();
    assert_eq!(entry.changes.as_deref(), Some(r#"{"patients":3}"#));
    assert!(entry.user_id.is_some());

    // HQ reads, so it exports; it never writes, so it does not import.
    let hq = app.login_with("hq", Role::Manager, "hq").await;
    assert_eq!(export(&app, &hq).await, csv);
    let r = app.with_token(Method::POST, "/api/v1/patients/import", &hq).body(csv.clone()).send().await.unwrap();
    assert_eq!(r.status(), 403);

    let fresh = spawn_app(app.db.backend).await.unwrap();
    let fresh_token = fresh.login("sarnai", Role::Receptionist).await;
    let (status, report) = import(&fresh, &fresh_token, "", &csv).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["imported"], 3);
    let before = snapshot(&app, &token).await;
    assert_eq!(before.len(), 3);
    assert_eq!(snapshot(&fresh, &fresh_token).await, before);
    assert_eq!(export(&fresh, &fresh_token).await, csv, "and it exports the same file");
});

/// A valid register number for `i` < 33 600, born in 1985.
fn rn_wide(i: u32) -> String {
    format!(
        "УБ85{:02}{:02}{:02}",
        1 + i % 12,
        1 + (i / 12) % 28,
        (i / 336) % 100
    )
}

backend_test!(spawn_app -> TestApp, async fn patients_import_five_thousand_rows_in_seconds(app) {
    const ROWS: u32 = 5_000;
    let token = app.login("sarnai", Role::Receptionist).await;
    let mut file = String::from(HEADER);
    for i in 0..ROWS {
        file.push_str(&format!("{},Нэр{i},Овог{i},p{i}@example.mn,,,99{i:06},Self,88{i:06},Ээж\n", rn_wide(i)));
    }
    assert!(file.len() < 1024 * 1024, "fits the default body limit");
    let started = std::time::Instant::now();
    let (status, report) = import(&app, &token, "", &file).await;
    let took = started.elapsed();
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["imported"], ROWS);
    eprintln!("imported {ROWS} patients on {:?} in {took:?}", app.db.backend);
    assert!(took < std::time::Duration::from_secs(60), "{took:?}");
    assert_eq!(counts(&app).await, (u64::from(ROWS), 2 * u64::from(ROWS)));
    assert_eq!(audited(&app, "create", "patient_phone").await, 2 * u64::from(ROWS));
    let one = found(&app, &token, &rn_wide(4321)).await;
    assert_eq!(one["first_name"], "Нэр4321");
    assert_eq!(one["phones"][0]["number"], "99004321");
    assert_eq!(one["phones"][0]["is_primary"], true);
});

/// The file is the request body, so the body limit bounds it (413, nothing stored): larger
/// files go through `dcms patients import`.
#[tokio::test]
async fn patients_import_larger_than_the_body_limit_is_413() {
    let app = crate::helpers::spawn_app_with(crate::helpers::TestBackend::Sqlite, |config| {
        config.body_limit = 4096;
    })
    .await
    .unwrap();
    let token = app.login("sarnai", Role::Receptionist).await;
    let mut file = String::from(HEADER);
    for i in 0..100 {
        file.push_str(&format!("{},Нэр,Овог,,,,99{i:06},,88{i:06},\n", rn_wide(i)));
    }
    assert!(file.len() > 4096);
    let (status, problem) = import(&app, &token, "", &file).await;
    assert_eq!(status, 413, "{problem}");
    assert_eq!(problem["type"], "urn:dcms:problem:payload-too-large");
    assert_eq!(counts(&app).await, (0, 0));
}
