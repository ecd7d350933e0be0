//! `/api/v1/patients` and `/api/v1/me/patient` through HTTP: what the register number gives,
//! the phone rules (also under concurrent deletes), the patient's own portal, links to portal
//! accounts, the audit trail and the stored status refresh. Search is `patient_search.rs`.
use crate::backend_test;
use crate::helpers::{TestApp, TestBackend};
use dcms_domain::{Role, age_in_years};
use dcms_store::entity::patient;
use dcms_store::sea_orm::sea_query::Expr;
use dcms_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use reqwest::Method;
use serde_json::{Value, json};

pub(crate) fn phones(a: &str, b: &str) -> Value {
    json!([
        {"number": a, "label": "Self", "is_primary": true},
        {"number": b, "label": "Mother", "is_primary": false},
    ])
}

pub(crate) fn new_patient(
    register_number: &str,
    first: &str,
    last: &str,
    phone_a: &str,
    phone_b: &str,
) -> Value {
    json!({
        "register_number": register_number,
        "first_name": first,
        "last_name": last,
        "phones": phones(phone_a, phone_b),
    })
}

pub(crate) async fn register(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    app.call(Method::POST, "/api/v1/patients", token, Some(body))
        .await
}

/// Registers and returns the created patient (asserting 201).
pub(crate) async fn registered(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, patient) = register(app, token, body).await;
    assert_eq!(status, 201, "{patient}");
    patient
}

async fn patient_count(app: &TestApp) -> usize {
    patient::Entity::find()
        .all(app.store.connection())
        .await
        .unwrap()
        .len()
}

async fn phone_count(app: &TestApp) -> usize {
    dcms_store::entity::patient_phone::Entity::find()
        .all(app.store.connection())
        .await
        .unwrap()
        .len()
}

fn today_in_ulaanbaatar() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .in_tz("Asia/Ulaanbaatar")
        .unwrap()
        .date()
}

/// Every page of `GET /api/v1/patients?<query>&limit=<limit>`: the items of each page.
pub(crate) async fn all_pages(
    app: &TestApp,
    token: &str,
    query: &str,
    limit: u32,
) -> Vec<Vec<Value>> {
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/patients?limit={limit}");
        if !query.is_empty() {
            path.push_str(&format!("&q={}", urlencode(query)));
        }
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let (status, page) = app.call(Method::GET, &path, token, None).await;
        assert_eq!(status, 200, "{path}: {page}");
        let items = page["items"].as_array().unwrap().clone();
        assert!(items.len() <= limit as usize);
        pages.push(items);
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
        assert!(pages.len() < 100, "endless pages");
    }
    pages
}

pub(crate) fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A patient's phones as (number, primary), in order.
async fn phone_states(app: &TestApp, token: &str, id: i64) -> Vec<(String, bool)> {
    let (_, p) = app
        .call(Method::GET, &format!("/api/v1/patients/{id}"), token, None)
        .await;
    p["phones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|ph| {
            (
                ph["number"].as_str().unwrap().to_owned(),
                ph["is_primary"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// The last names found by a search, in order, across every page.
pub(crate) async fn search_names(app: &TestApp, token: &str, q: &str) -> Vec<String> {
    all_pages(app, token, q, 500)
        .await
        .into_iter()
        .flatten()
        .map(|p| {
            format!(
                "{} {}",
                p["last_name"].as_str().unwrap(),
                p["first_name"].as_str().unwrap()
            )
        })
        .collect()
}

backend_test!(spawn_app -> TestApp, async fn registration_derives_birthday_gender_and_normalises_phones(app) {
    let token = app.login("desk", Role::Receptionist).await;
    let patient = registered(&app, &token, json!({
        "register_number": " уб 85031512 ",
        "first_name": "  Болд ",
        "last_name": "Бат-Эрдэнэ",
        "email": "Bold@Example.MN",
        "phones": [
            {"number": "+976 9911-2233", "label": "Self", "is_primary": true},
            {"number": "(8811) 22.33", "label": "Mother"},
            {"number": "+7 912 345 67 89", "label": "Work", "is_primary": false},
        ],
    })).await;
    assert_eq!(patient["register_number"], "УБ85031512");
    assert_eq!(patient["first_name"], "Болд");
    assert_eq!(patient["last_name"], "Бат-Эрдэнэ");
    assert_eq!(patient["email"], "Bold@example.mn");
    assert_eq!(patient["birthday"], "1985-03-15");
    assert_eq!(patient["gender"], "male");
    let age = age_in_years(jiff::civil::date(1985, 3, 15), today_in_ulaanbaatar());
    assert_eq!(patient["age"], age);
    assert_eq!(patient["status"], "active");
    assert_eq!(patient["user_id"], Value::Null);
    assert_eq!(patient["last_seen_at"], Value::Null);
    patient["created_at"].as_str().unwrap().parse::<jiff::Timestamp>().unwrap();
    let numbers: Vec<&str> = patient["phones"].as_array().unwrap().iter().map(|p| p["number"].as_str().unwrap()).collect();
    assert_eq!(numbers, ["99112233", "88112233", "+79123456789"], "normalised, in creation order");
    let primaries: Vec<bool> = patient["phones"].as_array().unwrap().iter().map(|p| p["is_primary"].as_bool().unwrap()).collect();
    assert_eq!(primaries, [true, false, false]);
    assert_eq!(patient["phones"][1]["label"], "Mother");

    // Born in 2000 or later (20 added to the month), female; a given birthday and gender that
    // agree are fine.
    let p = registered(&app, &token, json!({
        "register_number": "ӨВ12301260", "first_name": "Сараа", "last_name": "Дорж",
        "birthday": "2012-10-12", "gender": "female",
        "phones": phones("99001122", "99001133"),
    })).await;
    assert_eq!(p["birthday"], "2012-10-12");
    assert_eq!(p["gender"], "female");
    // `other` contradicts nothing.
    let p = registered(&app, &token, json!({
        "register_number": "ЧБ05250931", "first_name": "Тэмүүлэн", "last_name": "Ган",
        "gender": "other", "phones": phones("95001122", "95001133"),
    })).await;
    assert_eq!(p["birthday"], "2005-05-09");
    assert_eq!(p["gender"], "other");

    let (status, read) = app.call(Method::GET, &format!("/api/v1/patients/{}", patient["patient_id"]), &token, None).await;
    assert_eq!(status, 200);
    assert_eq!(read, patient, "GET answers what POST answered");
});

backend_test!(spawn_app -> TestApp, async fn contradictions_and_invalid_fields_are_422_and_store_nothing(app) {
    let token = app.login("desk", Role::Receptionist).await;
    let mut b = new_patient("УБ85031512", "Болд", "Бат", "99112233", "88112233");
    b["birthday"] = json!("1985-03-16");
    let (status, problem) = register(&app, &token, b.clone()).await;
    assert_eq!(status, 422);
    assert_eq!(validation_fields(&problem), ["birthday"]);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("1985-03-15"), "{problem}");

    b["birthday"] = json!("1985-03-15");
    b["gender"] = json!("female");
    let (_, problem) = register(&app, &token, b.clone()).await;
    assert_eq!(validation_fields(&problem), ["gender"]);

    b["birthday"] = json!("1990-01-01");
    let (_, problem) = register(&app, &token, b.clone()).await;
    assert_eq!(validation_fields(&problem), ["birthday", "gender"], "each contradicting field is named");

    b["birthday"] = json!("15/03/1985");
    b["gender"] = json!("man");
    let (_, problem) = register(&app, &token, b.clone()).await;
    assert_eq!(validation_fields(&problem), ["birthday", "gender"]);

    // Everything wrong at once.
    let (_, problem) = register(&app, &token, json!({
        "register_number": "UB85031512",
        "first_name": "  ",
        "last_name": "Х".repeat(31),
        "email": "bold@",
        "phones": [{"number": "12", "is_primary": true}],
    })).await;
    assert_eq!(validation_fields(&problem), ["email", "first_name", "last_name", "phones", "phones[0].number", "register_number"]);
    let (_, problem) = register(&app, &token, json!({})).await;
    assert_eq!(validation_fields(&problem), ["first_name", "last_name", "phones", "phones", "register_number"]);
    for (bad, why) in [("УБ85131512", "month 13"), ("ДА01222907", "no such day"), ("УБ99321512", "in the future")] {
        let (_, problem) = register(&app, &token, new_patient(bad, "Болд", "Бат", "99112233", "88112233")).await;
        assert_eq!(validation_fields(&problem), ["register_number"], "{why}");
    }
    // The check digit is never checked.
    for c in ['0', '7'] {
        registered(&app, &token, new_patient(&format!("УБ8503151{c}"), "Болд", "Бат", &format!("9911223{c}"), &format!("8811223{c}"))).await;
    }
    assert_eq!(patient_count(&app).await, 2);
    assert_eq!(phone_count(&app).await, 4);
});

backend_test!(spawn_app -> TestApp, async fn phone_rules_on_registration(app) {
    let token = app.login("desk", Role::Receptionist).await;
    let base = new_patient("УБ85031512", "Болд", "Бат", "99112233", "88112233");
    let cases = [
        (json!([{"number": "99112233", "label": "Self", "is_primary": true}]), vec!["phones"]),
        (json!([]), vec!["phones", "phones"]),
        (json!([{"number": "99112233", "is_primary": true}, {"number": "88112233", "is_primary": true}]), vec!["phones"]),
        (json!([{"number": "99112233"}, {"number": "88112233"}]), vec!["phones"]),
        (json!([{"number": "99112233", "is_primary": true}, {"number": "+976 9911 2233"}]), vec!["phones[1].number"]),
        (json!([{"number": "99112233", "is_primary": true}, {"number": "9911223"}]), vec!["phones[1].number"]),
        (json!([{"number": "99112233", "is_primary": true}, {"label": "Mother"}]), vec!["phones[1].number"]),
        (json!([{"number": "99112233", "is_primary": true}, {"number": "88112233", "label": "x".repeat(256)}]), vec!["phones[1].label"]),
    ];
    for (list, fields) in cases {
        let mut b = base.clone();
        b["phones"] = list.clone();
        let (status, problem) = register(&app, &token, b).await;
        assert_eq!(status, 422, "{list}: {problem}");
        assert_eq!(validation_fields(&problem), fields, "{list}");
    }
    assert_eq!(patient_count(&app).await, 0, "nothing stored");
    assert_eq!(phone_count(&app).await, 0);
    let audit = dcms_store::audit::list(app.store.connection(), &Default::default()).await.unwrap();
    assert!(audit.iter().all(|r| r.table_name != "patient" && r.table_name != "patient_phone"));
    registered(&app, &token, base).await;
});

backend_test!(spawn_app -> TestApp, async fn a_taken_register_number_is_409(app) {
    let token = app.login("desk", Role::Receptionist).await;
    registered(&app, &token, new_patient("УБ85031512", "Болд", "Бат", "99112233", "88112233")).await;
    let (status, problem) = register(&app, &token, new_patient("уб 8503 1512", "Дорж", "Ган", "99112244", "88112244")).await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["type"], "urn:dcms:problem:conflict");
    assert_eq!(patient_count(&app).await, 1);
    assert_eq!(phone_count(&app).await, 2, "the refused patient's phones are not stored");
});

backend_test!(spawn_app -> TestApp, async fn patch_validates_like_registration(app) {
    let token = app.login("desk", Role::Receptionist).await;
    let p = registered(&app, &token, new_patient("УБ85031512", "Болд", "Бат", "99112233", "88112233")).await;
    let other = registered(&app, &token, new_patient(&rn(40), "Дорж", "Ган", "99112244", "88112244")).await;
    let path = format!("/api/v1/patients/{}", p["patient_id"]);

    let (status, changed) = app.call(Method::PATCH, &path, &token, Some(json!({"first_name": " Өлзий ", "email": "o@x.mn"}))).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["first_name"], "Өлзий");
    assert_eq!(changed["email"], "o@x.mn");
    assert_eq!(changed["last_name"], "Бат", "untouched");
    assert_eq!(changed["phones"].as_array().unwrap().len(), 2);
    let (_, changed) = app.call(Method::PATCH, &path, &token, Some(json!({"email": null}))).await;
    assert_eq!(changed["email"], Value::Null, "null clears");

    // A new register number re-derives birthday and sex.
    let (status, changed) = app.call(Method::PATCH, &path, &token, Some(json!({"register_number": "ӨВ12301260"}))).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["register_number"], "ӨВ12301260");
    assert_eq!(changed["birthday"], "2012-10-12");
    assert_eq!(changed["gender"], "female");

    let before = changed.clone();
    for (patch, fields) in [
        (json!({"birthday": "2012-10-13"}), vec!["birthday"]),
        (json!({"gender": "male"}), vec!["gender"]),
        (json!({"register_number": "УБ85031512", "gender": "female"}), vec!["gender"]),
        (json!({"register_number": "УБ85131512"}), vec!["register_number"]),
        (json!({"email": "not an address"}), vec!["email"]),
        (json!({"first_name": "", "last_name": "Б\nат"}), vec!["first_name", "last_name"]),
        (json!({"gender": "robot"}), vec!["gender"]),
    ] {
        let (status, problem) = app.call(Method::PATCH, &path, &token, Some(patch.clone())).await;
        assert_eq!(status, 422, "{patch}: {problem}");
        assert_eq!(validation_fields(&problem), fields, "{patch}");
    }
    let (status, problem) = app.call(Method::PATCH, &path, &token, Some(json!({"register_number": other["register_number"]}))).await;
    assert_eq!(status, 409, "{problem}");
    let (_, now) = app.call(Method::GET, &path, &token, None).await;
    assert_eq!(now, before, "no refused change went through");
    let (status, _) = app.call(Method::PATCH, "/api/v1/patients/999999", &token, Some(json!({"first_name": "X"}))).await;
    assert_eq!(status, 404);
    let (status, _) = app.call(Method::GET, "/api/v1/patients/999999", &token, None).await;
    assert_eq!(status, 404);
    // `other` survives a change of number; a gender that agrees may be given with it.
    let (_, changed) = app.call(Method::PATCH, &path, &token, Some(json!({"gender": "other"}))).await;
    assert_eq!(changed["gender"], "other");
    let (status, changed) = app.call(Method::PATCH, &path, &token, Some(json!({"register_number": "УБ85031512", "birthday": "1985-03-15"}))).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["gender"], "other");
    assert_eq!(changed["birthday"], "1985-03-15");
});

backend_test!(spawn_app -> TestApp, async fn phones_can_be_added_moved_and_deleted_within_the_rules(app) {
    let token = app.login("desk", Role::Receptionist).await;
    let p = registered(&app, &token, new_patient("УБ85031512", "Болд", "Бат", "99112233", "88112233")).await;
    let other = registered(&app, &token, new_patient(&rn(40), "Дорж", "Ган", "99112244", "88112244")).await;
    let id = p["patient_id"].as_i64().unwrap();
    let first = p["phones"][0]["phone_number_id"].as_i64().unwrap();
    let second = p["phones"][1]["phone_number_id"].as_i64().unwrap();
    let phones_path = format!("/api/v1/patients/{id}/phones");
    let phone_path = |phone: i64| format!("/api/v1/patients/{id}/phones/{phone}");

    // Deleting below two, or the primary: 422, nothing changes.
    let (status, problem) = app.call(Method::DELETE, &phone_path(second), &token, None).await;
    assert_eq!(status, 422);
    assert_eq!(validation_fields(&problem), ["phones"]);

    let (status, added) = app.call(Method::POST, &phones_path, &token, Some(json!({"number": "+976 9500-1122", "label": "Work"}))).await;
    assert_eq!(status, 201, "{added}");
    assert_eq!(added["number"], "95001122");
    assert_eq!(added["is_primary"], false);
    let third = added["phone_number_id"].as_i64().unwrap();
    let (status, problem) = app.call(Method::POST, &phones_path, &token, Some(json!({"number": "9911 2233"}))).await;
    assert_eq!(status, 422);
    assert_eq!(validation_fields(&problem), ["number"], "a number the patient has already");
    let (status, problem) = app.call(Method::POST, &phones_path, &token, Some(json!({"number": "abc"}))).await;
    assert_eq!(status, 422);
    assert_eq!(validation_fields(&problem), ["number"]);

    let (status, problem) = app.call(Method::DELETE, &phone_path(first), &token, None).await;
    assert_eq!(status, 422, "the primary cannot go: {problem}");
    let (status, problem) = app.call(Method::PATCH, &phone_path(first), &token, Some(json!({"is_primary": false}))).await;
    assert_eq!(status, 422);
    assert_eq!(validation_fields(&problem), ["is_primary"]);

    // Moving the primary.
    let (status, moved) = app.call(Method::PATCH, &phone_path(third), &token, Some(json!({"is_primary": true, "label": "Ажил"}))).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["is_primary"], true);
    assert_eq!(moved["label"], "Ажил");
    assert_eq!(phone_states(&app, &token, id).await, [("99112233".into(), false), ("88112233".into(), false), ("95001122".into(), true)]);
    // A new primary phone takes it over too.
    let (status, added) = app.call(Method::POST, &phones_path, &token, Some(json!({"number": "80001122", "label": "Home", "is_primary": true}))).await;
    assert_eq!(status, 201, "{added}");
    assert_eq!(phone_states(&app, &token, id).await.iter().filter(|(_, primary)| *primary).count(), 1);
    let fourth = added["phone_number_id"].as_i64().unwrap();

    let (status, problem) = app.call(Method::PATCH, &phone_path(first), &token, Some(json!({"number": "+976 8811 2233"}))).await;
    assert_eq!(status, 422);
    assert_eq!(validation_fields(&problem), ["number"]);
    let (status, renumbered) = app.call(Method::PATCH, &phone_path(first), &token, Some(json!({"number": "011 45 2222"}))).await;
    assert_eq!(status, 200, "{renumbered}");
    assert_eq!(renumbered["number"], "11452222");

    // Another patient's phone is not found through this patient.
    let foreign = other["phones"][1]["phone_number_id"].as_i64().unwrap();
    for method in [Method::PATCH, Method::DELETE] {
        let (status, _) = app.call(method.clone(), &phone_path(foreign), &token, Some(json!({"label": "x"}))).await;
        assert_eq!(status, 404, "{method}");
    }
    let (status, _) = app.call(Method::POST, "/api/v1/patients/999999/phones", &token, Some(json!({"number": "99887766"}))).await;
    assert_eq!(status, 404);

    for phone in [first, second] {
        let (status, _) = app.call(Method::DELETE, &phone_path(phone), &token, None).await;
        assert_eq!(status, 204);
    }
    let (status, _) = app.call(Method::DELETE, &phone_path(third), &token, None).await;
    assert_eq!(status, 422, "two left");
    let (status, _) = app.call(Method::DELETE, &phone_path(first), &token, None).await;
    assert_eq!(status, 404, "already deleted");
    assert_eq!(phone_states(&app, &token, id).await, [("95001122".into(), false), ("80001122".into(), true)]);
    let _ = fourth;
});

backend_test!(spawn_app -> TestApp, async fn concurrent_deletes_never_leave_fewer_than_two_phones(app) {
    let token = app.login("desk", Role::Receptionist).await;
    for round in 0..3u32 {
        let list: Vec<Value> = (0..6)
            .map(|i| json!({"number": format!("9{round}{i}01122"), "label": "x", "is_primary": i == 0}))
            .collect();
        let p = registered(&app, &token, json!({
            "register_number": rn(round), "first_name": "Болд", "last_name": "Бат", "phones": list,
        })).await;
        let id = p["patient_id"].as_i64().unwrap();
        let mut tasks = tokio::task::JoinSet::new();
        // Every non-primary phone (five) at once: four may go, the last one must stay.
        for phone in p["phones"].as_array().unwrap().iter().skip(1) {
            let request = app.with_token(
                Method::DELETE,
                &format!("/api/v1/patients/{id}/phones/{}", phone["phone_number_id"]),
                &token,
            );
            tasks.spawn(async move { request.send().await.unwrap().status().as_u16() });
        }
        let mut statuses = tasks.join_all().await;
        statuses.sort();
        assert_eq!(statuses, [204, 204, 204, 204, 422], "round {round}");
        let left = dcms_store::patients::phones_of(app.store.connection(), id).await.unwrap();
        assert_eq!(left.len(), 2, "round {round}");
        assert_eq!(left.iter().filter(|p| p.is_primary).count(), 1);

        // And two moves of the primary at once leave exactly one primary.
        let mut tasks = tokio::task::JoinSet::new();
        for phone in &left {
            let request = app
                .with_token(Method::PATCH, &format!("/api/v1/patients/{id}/phones/{}", phone.phone_number_id), &token)
                .json(&json!({"is_primary": true}));
            tasks.spawn(async move { request.send().await.unwrap().status().as_u16() });
        }
        assert_eq!(tasks.join_all().await, [200, 200]);
        let left = dcms_store::patients::phones_of(app.store.connection(), id).await.unwrap();
        assert_eq!(left.iter().filter(|p| p.is_primary).count(), 1);
    }
});

backend_test!(spawn_app -> TestApp, async fn patients_reach_only_their_own_record(app) {
    let desk = app.login("desk", Role::Receptionist).await;
    let mine = registered(&app, &desk, new_patient("УБ85031512", "Болд", "Бат", "99112233", "88112233")).await;
    let theirs = registered(&app, &desk, new_patient(&rn(40), "Дорж", "Ган", "99112244", "88112244")).await;
    let me_user = app.create_user("bold", Role::Patient).await;
    let admin = app.login("root", Role::Admin).await;
    let (status, linked) = app.call(Method::PATCH, &format!("/api/v1/patients/{}", mine["patient_id"]), &admin, Some(json!({"user_id": me_user}))).await;
    assert_eq!(status, 200, "{linked}");
    let token = app.token("bold").await;

    let (status, me) = app.call(Method::GET, "/api/v1/me/patient", &token, None).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["patient_id"], mine["patient_id"]);
    assert_eq!(me["user_id"], me_user);
    let (_, auth_me) = app.call(Method::GET, "/api/v1/auth/me", &token, None).await;
    assert_eq!(auth_me["patient_id"], mine["patient_id"]);

    let (status, me) = app.call(Method::PATCH, "/api/v1/me/patient", &token, Some(json!({"email": "Bold@Mail.MN"}))).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["email"], "Bold@mail.mn");
    let (status, problem) = app.call(Method::PATCH, "/api/v1/me/patient", &token,
        Some(json!({"email": "x@y.mn", "first_name": "Other", "register_number": "АР92112748"}))).await;
    assert_eq!(status, 422);
    assert_eq!(validation_fields(&problem), ["first_name", "register_number"]);
    let (status, problem) = app.call(Method::PATCH, "/api/v1/me/patient", &token, Some(json!({"email": "nope"}))).await;
    assert_eq!(status, 422);
    assert_eq!(validation_fields(&problem), ["email"]);
    let (_, me) = app.call(Method::GET, "/api/v1/me/patient", &token, None).await;
    assert_eq!(me["email"], "Bold@mail.mn", "refused changes changed nothing");
    assert_eq!(me["first_name"], "Болд");

    let (status, list) = app.call(Method::GET, "/api/v1/me/patient/phones", &token, None).await;
    assert_eq!(status, 200);
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert_eq!(list["next_cursor"], Value::Null);
    let (status, added) = app.call(Method::POST, "/api/v1/me/patient/phones", &token, Some(json!({"number": "9500 1122", "label": "Ажил"}))).await;
    assert_eq!(status, 201, "{added}");
    let added_id = added["phone_number_id"].as_i64().unwrap();
    let (status, moved) = app.call(Method::PATCH, &format!("/api/v1/me/patient/phones/{added_id}"), &token, Some(json!({"is_primary": true}))).await;
    assert_eq!(status, 200, "{moved}");
    let first = mine["phones"][0]["phone_number_id"].as_i64().unwrap();
    let (status, _) = app.call(Method::DELETE, &format!("/api/v1/me/patient/phones/{first}"), &token, None).await;
    assert_eq!(status, 204);
    let (status, problem) = app.call(Method::DELETE, &format!("/api/v1/me/patient/phones/{added_id}"), &token, None).await;
    assert_eq!(status, 422, "{problem}");

    // Someone else's phone: 404, untouched.
    let foreign = theirs["phones"][0]["phone_number_id"].as_i64().unwrap();
    let (status, _) = app.call(Method::PATCH, &format!("/api/v1/me/patient/phones/{foreign}"), &token, Some(json!({"label": "mine now"}))).await;
    assert_eq!(status, 404);
    let (status, _) = app.call(Method::DELETE, &format!("/api/v1/me/patient/phones/{foreign}"), &token, None).await;
    assert_eq!(status, 404);
    let (_, other) = app.call(Method::GET, &format!("/api/v1/patients/{}", theirs["patient_id"]), &desk, None).await;
    assert_eq!(other["phones"], theirs["phones"]);

    // Staff routes: 403 whatever the body.
    for (method, path) in [
        (Method::GET, "/api/v1/patients".to_owned()),
        (Method::GET, format!("/api/v1/patients/{}", mine["patient_id"])),
        (Method::PATCH, format!("/api/v1/patients/{}", mine["patient_id"])),
        (Method::POST, "/api/v1/patients".to_owned()),
        (Method::POST, format!("/api/v1/patients/{}/phones", mine["patient_id"])),
    ] {
        let (status, _) = app.call(method.clone(), &path, &token, Some(json!({"email": "x@y.mn"}))).await;
        assert_eq!(status, 403, "{method} {path}");
    }
    // Staff have no /me/patient; a patient account without a record: 404.
    let (status, _) = app.call(Method::GET, "/api/v1/me/patient", &desk, None).await;
    assert_eq!(status, 403);
    app.create_user("nobody", Role::Patient).await;
    let lonely = app.token("nobody").await;
    let (status, _) = app.call(Method::GET, "/api/v1/me/patient", &lonely, None).await;
    assert_eq!(status, 404);
    let (status, _) = app.call(Method::GET, "/api/v1/me/patient/phones", &lonely, None).await;
    assert_eq!(status, 404);
});

backend_test!(spawn_app -> TestApp, async fn portal_accounts_link_and_unlink(app) {
    let desk = app.login("desk", Role::Receptionist).await;
    let admin = app.login("root", Role::Admin).await;
    let a = registered(&app, &desk, new_patient("УБ85031512", "Болд", "Бат", "99112233", "88112233")).await;
    let b = registered(&app, &desk, new_patient(&rn(40), "Дорж", "Ган", "99112244", "88112244")).await;
    let path_a = format!("/api/v1/patients/{}", a["patient_id"]);
    let path_b = format!("/api/v1/patients/{}", b["patient_id"]);
    let doctor = app.create_user("doc", Role::Doctor).await;
    let portal = app.create_user("bold", Role::Patient).await;

    // Linking an account is the users permission's: a receptionist gets 403 before anything
    // is validated, and nothing changes.
    for user_id in [json!(portal), json!(999999), json!(null)] {
        let (status, problem) = app.call(Method::PATCH, &path_a, &desk, Some(json!({"user_id": user_id, "first_name": ""}))).await;
        if user_id.is_null() {
            assert_eq!(status, 422, "unlinking what is not linked changes no account: {problem}");
        } else {
            assert_eq!(status, 403, "{user_id}: {problem}");
        }
    }
    let (_, unchanged) = app.call(Method::GET, &path_a, &desk, None).await;
    assert_eq!(unchanged["user_id"], Value::Null);

    let (status, problem) = app.call(Method::PATCH, &path_a, &admin, Some(json!({"user_id": doctor}))).await;
    assert_eq!(status, 422);
    assert_eq!(validation_fields(&problem), ["user_id"]);
    let (status, problem) = app.call(Method::PATCH, &path_a, &admin, Some(json!({"user_id": 999999}))).await;
    assert_eq!(status, 422);
    assert_eq!(validation_fields(&problem), ["user_id"]);

    let (status, linked) = app.call(Method::PATCH, &path_a, &admin, Some(json!({"user_id": portal}))).await;
    assert_eq!(status, 200);
    assert_eq!(linked["user_id"], portal);
    let (status, _) = app.call(Method::PATCH, &path_a, &admin, Some(json!({"user_id": portal}))).await;
    assert_eq!(status, 200, "linking again is a no-op");
    let (status, _) = app.call(Method::PATCH, &path_a, &desk, Some(json!({"user_id": portal, "first_name": "Болдоо"}))).await;
    assert_eq!(status, 200, "the same link sent back by a receptionist changes no account");
    let (status, problem) = app.call(Method::PATCH, &path_b, &admin, Some(json!({"user_id": portal}))).await;
    assert_eq!(status, 409, "{problem}");
    // The portal session opened while linked to A ends when the account moves to B.
    let before_move = app.token("bold").await;
    let (status, unlinked) = app.call(Method::PATCH, &path_a, &admin, Some(json!({"user_id": null}))).await;
    assert_eq!(status, 200);
    assert_eq!(unlinked["user_id"], Value::Null);
    let (status, _) = app.call(Method::GET, "/api/v1/me/patient", &before_move, None).await;
    assert_eq!(status, 401, "unlinking ends the account's sessions");
    let (status, linked) = app.call(Method::PATCH, &path_b, &admin, Some(json!({"user_id": portal}))).await;
    assert_eq!(status, 200);
    assert_eq!(linked["user_id"], portal);
    let token = app.token("bold").await;
    let (_, me) = app.call(Method::GET, "/api/v1/me/patient", &token, None).await;
    assert_eq!(me["patient_id"], b["patient_id"]);
});

backend_test!(spawn_app -> TestApp, async fn writes_and_reads_are_audited(app) {
    let admin = app.login("root", Role::Admin).await;
    let desk_user = app.create_user("desk", Role::Receptionist).await;
    let desk = app.token("desk").await;
    let p = registered(&app, &desk, new_patient("УБ85031512", "Болд", "Бат", "99112233", "88112233")).await;
    let id = p["patient_id"].as_i64().unwrap();
    app.call(Method::PATCH, &format!("/api/v1/patients/{id}"), &desk, Some(json!({"first_name": "Өлзий"}))).await;
    let (_, added) = app.call(Method::POST, &format!("/api/v1/patients/{id}/phones"), &desk, Some(json!({"number": "95001122"}))).await;
    let added_id = added["phone_number_id"].as_i64().unwrap();
    let (status, _) = app.call(Method::DELETE, &format!("/api/v1/patients/{id}/phones/{added_id}"), &desk, None).await;
    assert_eq!(status, 204);
    // A refused change leaves no trace.
    app.call(Method::PATCH, &format!("/api/v1/patients/{id}"), &desk, Some(json!({"email": "bad"}))).await;
    let (status, _) = app.call(Method::GET, &format!("/api/v1/patients/{id}"), &desk, None).await;
    assert_eq!(status, 200);
    app.audit.flush().await;

    let (_, rows) = app.call(Method::GET, &format!("/api/v1/audit?table=patient&row_id={id}"), &admin, None).await;
    let rows = rows["items"].as_array().unwrap().clone();
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["read", "update", "create"], "{rows:?}");
    assert!(rows.iter().all(|r| r["user_id"] == desk_user));
    assert_eq!(rows[1]["changes"], json!({"first_name": ["Болд", "Өлзий"]}));
    assert_eq!(rows[2]["changes"]["register_number"], json!([null, "УБ85031512"]));

    let (_, rows) = app.call(Method::GET, "/api/v1/audit?table=patient_phone", &admin, None).await;
    let rows = rows["items"].as_array().unwrap().clone();
    let actions: Vec<(&str, i64)> = rows.iter().map(|r| (r["action"].as_str().unwrap(), r["row_id"].as_i64().unwrap())).collect();
    let first = p["phones"][0]["phone_number_id"].as_i64().unwrap();
    let second = p["phones"][1]["phone_number_id"].as_i64().unwrap();
    assert_eq!(actions, [("delete", added_id), ("create", added_id), ("create", second), ("create", first)]);
    assert_eq!(rows[0]["changes"]["number"], json!(["95001122", null]));

    let report = app.audit.verify().await.unwrap();
    assert!(report.first_bad_row.is_none(), "{report:?}");
});

backend_test!(spawn_app -> TestApp, async fn stored_statuses_are_refreshed_from_the_last_visit(app) {
    use dcms_server::services::patients::refresh_statuses;
    use dcms_store::time::to_db;
    let token = app.login("desk", Role::Receptionist).await;
    let today = jiff::civil::date(2026, 6, 15);
    let zone = jiff::tz::TimeZone::get("Asia/Ulaanbaatar").unwrap();
    let at = |y: i16, m: i8, d: i8, h: i8| to_db(jiff::civil::date(y, m, d).at(h, 0, 0, 0).to_zoned(zone.clone()).unwrap().timestamp());
    // (created_at, last_seen_at, expected)
    let cases = [
        (at(2026, 6, 1, 9), None, "active"),
        (at(2020, 1, 1, 9), Some(at(2025, 12, 15, 0)), "active"), // exactly 6 months, local midnight
        (at(2020, 1, 1, 9), Some(at(2025, 12, 14, 23)), "within_1y"),
        (at(2025, 6, 15, 0), None, "within_1y"), // exactly one year
        (at(2025, 6, 14, 23), None, "within_5y"),
        (at(2015, 1, 1, 9), Some(at(2021, 6, 15, 0)), "within_5y"),
        (at(2015, 1, 1, 9), Some(at(2021, 6, 14, 23)), "older"),
        (at(2001, 1, 1, 9), None, "older"),
        (at(2020, 1, 1, 9), Some(at(2027, 1, 1, 9)), "active"), // a visit after "today"
    ];
    let mut ids = Vec::new();
    for (i, (created_at, last_seen_at, _)) in cases.iter().enumerate() {
        let i = i as u32;
        let p = registered(&app, &token, new_patient(&rn(i), "Болд", "Бат", &format!("991100{i:02}"), &format!("881100{i:02}"))).await;
        let id = p["patient_id"].as_i64().unwrap();
        // A wrong stored status, to see it corrected.
        patient::Entity::update_many()
            .col_expr(patient::Column::CreatedAt, Expr::value(*created_at))
            .col_expr(patient::Column::LastSeenAt, Expr::value(*last_seen_at))
            .col_expr(patient::Column::Status, Expr::value(if i.is_multiple_of(2) { 3i16 } else { 0i16 }))
            .filter(patient::Column::PatientId.eq(id))
            .exec(app.store.connection())
            .await
            .unwrap();
        ids.push(id);
    }
    let changed = refresh_statuses(&app.store, today).await.unwrap();
    assert!(changed > 0);
    for (id, (_, _, expected)) in ids.iter().zip(cases.iter()) {
        let row = patient::Entity::find_by_id(*id).one(app.store.connection()).await.unwrap().unwrap();
        let status = dcms_domain::PatientStatus::from_code(row.status).unwrap();
        assert_eq!(status.as_str(), *expected, "patient {id}");
    }
    assert_eq!(refresh_statuses(&app.store, today).await.unwrap(), 0, "a second run changes nothing");

    // On the real today the stored column agrees with what the API computes.
    refresh_statuses(&app.store, today_in_ulaanbaatar()).await.unwrap();
    for id in &ids {
        let (_, p) = app.call(Method::GET, &format!("/api/v1/patients/{id}"), &token, None).await;
        let row = patient::Entity::find_by_id(*id).one(app.store.connection()).await.unwrap().unwrap();
        assert_eq!(p["status"], dcms_domain::PatientStatus::from_code(row.status).unwrap().as_str(), "patient {id}");
    }

    // The background task stops cleanly.
    let refresher = dcms_server::services::patients::StatusRefresher::start(app.store.clone(), std::time::Duration::from_millis(20));
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    tokio::time::timeout(std::time::Duration::from_secs(10), refresher.shutdown()).await.expect("stops");
});
