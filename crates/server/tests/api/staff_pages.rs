//! The staff and positions pages through HTTP, as a browser speaks to them: hiring through
//! the form (errors beside their fields, what was typed kept), the employee's page (phones,
//! positions, firing with its confirmation: the linked user is locked out), positions added,
//! changed and taken out of use, and who may read and who may write.
use crate::backend_test;
use crate::helpers::{PASSWORD, TestApp};
use crate::page_session::{Session, session};
use dcms_domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

fn today_in_ulaanbaatar() -> String {
    jiff::Timestamp::now()
        .in_tz("Asia/Ulaanbaatar")
        .unwrap()
        .date()
        .to_string()
}

/// Creates a position through the API; its id.
async fn position(app: &TestApp, s: &Session, code: &str, name: &str, category: &str) -> i64 {
    let (status, body) = s
        .api(
            app,
            Method::POST,
            "/api/v1/positions",
            Some(json!({
                "position_type": code, "display_name": name, "category": category,
            })),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["position_id"].as_i64().unwrap()
}

/// Creates an employee through the API with two phones (and `extra` fields); their id.
async fn employee(app: &TestApp, s: &Session, extra: Value) -> i64 {
    let mut body = json!({
        "first_name": "Болормаа", "last_name": "Бат", "gender": "female",
        "phones": [
            {"number": "99112233", "label": "гар утас", "is_primary": true},
            {"number": "88112233", "label": "гэр", "is_primary": false},
        ],
    });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    let (status, answer) = s
        .api(app, Method::POST, "/api/v1/employees", Some(body))
        .await;
    assert_eq!(status, 201, "{answer}");
    answer["employee_id"].as_i64().unwrap()
}

async fn employee_json(app: &TestApp, s: &Session, id: i64) -> Value {
    let (status, body) = s
        .api(app, Method::GET, &format!("/api/v1/employees/{id}"), None)
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

backend_test!(spawn_app -> TestApp, async fn hiring_through_the_form_keeps_what_was_typed(app) {
    let s = session(&app, "manager1", Role::Manager, "en").await;
    let dentist = position(&app, &s, "DENTIST", "Шүдний эмч", "clinical").await;
    let retired = position(&app, &s, "OLD", "Хуучин", "support").await;
    let (status, _) = s.api(&app, Method::PATCH, &format!("/api/v1/positions/{retired}"), Some(json!({"is_active": false}))).await;
    assert_eq!(status, 200);

    let form = s.get(&app, "/staff/new").await;
    assert_eq!(form.status, 200);
    assert!(form.has(&format!("<option value=\"{dentist}\"")), "{}", form.body);
    assert!(form.has("Шүдний эмч (DENTIST)"));
    assert!(!form.has(&format!("<option value=\"{retired}\"")), "a position out of use is not offered");
    assert!(form.has("name=\"phone_number_4\""), "the phone rows of the patients' form");

    // One phone and a bad e-mail: the form comes back with every error beside its field.
    let dentist_id = dentist.to_string();
    let mut fields = vec![
        ("last_name", "Бат"), ("first_name", "Болормаа"), ("gender", "female"),
        ("email", "not-an-address"), ("hired_at", "2024-09-01"), ("birthday", "1990-05-04"),
        ("phone_number_1", "9911 2233"), ("phone_label_1", "гар утас"), ("primary", "1"),
        ("position_id", dentist_id.as_str()), ("position_primary", "on"),
    ];
    let refused = s.post(&app, "/staff", &fields).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.has("id=\"phones-error\""), "{}", refused.body);
    assert!(refused.has("At least 2 phone numbers are needed."));
    assert!(refused.has("id=\"email-error\""));
    assert!(refused.has("Not an e-mail address."));
    for kept in ["value=\"Бат\"", "value=\"Болормаа\"", "value=\"9911 2233\"", "value=\"not-an-address\"", "value=\"2024-09-01\"", "value=\"1990-05-04\""] {
        assert!(refused.has(kept), "{kept} kept");
    }
    assert!(refused.has(&format!("<option value=\"{dentist}\" selected")), "the position chosen is kept");
    assert!(refused.has("<option value=\"female\" selected"));
    let (_, list) = s.api(&app, Method::GET, "/api/v1/employees", None).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0, "nothing hired");

    // A phone number that is not one is shown beside its own row.
    fields.retain(|(k, _)| *k != "email");
    fields.push(("phone_number_3", "12"));
    let bad_row = s.post(&app, "/staff", &fields).await;
    assert_eq!(bad_row.status, 422);
    assert!(bad_row.has("id=\"phone_number_3-error\""), "{}", bad_row.body);

    fields.retain(|(k, _)| *k != "phone_number_3");
    fields.extend([("phone_number_2", "+976 8811-2233"), ("phone_label_2", "гэр"), ("email", "bolor@example.mn")]);
    let hired = s.post(&app, "/staff", &fields).await;
    let location = hired.location().to_owned();
    let id: i64 = location.strip_prefix("/staff/").unwrap().parse().unwrap();
    let e = employee_json(&app, &s, id).await;
    assert_eq!(e["status"], "active");
    assert_eq!(e["employee_display_number"], 1);
    assert_eq!(e["primary_phone"], "99112233");
    assert_eq!(e["phones"][1]["number"], "88112233");
    assert_eq!(e["positions"][0]["position_id"], dentist);
    assert_eq!(e["positions"][0]["is_primary"], true);
    assert_eq!(e["positions"][0]["started_at"], "2024-09-01", "the first position starts when they were hired");

    let page = s.get(&app, &location).await;
    assert_eq!(page.status, 200);
    for text in ["Бат Болормаа", "№ 1", "9911 2233", "8811 2233", "Шүдний эмч", "Working", "2024-09-01", "bolor@example.mn", "id=\"fire-form\""] {
        assert!(page.has(text), "{text} on the page");
    }
    let roll = s.get(&app, "/staff").await;
    assert_eq!(roll.status, 200);
    for text in [format!("href=\"/staff/{id}\""), "Бат Болормаа".into(), "9911 2233".into(), "Шүдний эмч".into(), "id=\"new-employee\"".into()] {
        assert!(roll.has(&text), "{text} on the roll");
    }
    // In Mongolian by default.
    let mn = Session { cookie: format!("dcms_session={}", s.token), ..s };
    let roll = mn.get(&app, "/staff").await;
    assert!(roll.has("Ажилтнууд") && roll.has("Ажиллаж байгаа"), "{}", roll.body);
});

backend_test!(spawn_app -> TestApp, async fn firing_through_the_form_locks_the_linked_user_out(app) {
    // Firing disables the linked account: an admin's to do.
    let s = session(&app, "admin1", Role::Admin, "en").await;
    let doctor_user = app.create_user("dr.bold", Role::Doctor).await;
    let dentist = position(&app, &s, "DENTIST", "Шүдний эмч", "clinical").await;
    let id = employee(&app, &s, json!({
        "user_id": doctor_user, "hired_at": "2024-01-10",
        "positions": [{"position_id": dentist, "is_primary": true, "started_at": "2024-01-10"}],
    })).await;
    let doctor_token = app.token("dr.bold").await;
    // A manager is told so, without a form, and a post anyway is refused.
    let manager = session(&app, "manager1", Role::Manager, "mn").await;
    let page = manager.get(&app, &format!("/staff/{id}")).await;
    assert!(page.has("id=\"fire-admin-only\""), "{}", page.body);
    assert!(!page.has("id=\"fire-form\""));
    let refused = manager.post(&app, &format!("/staff/{id}/fire"), &[("fired_at", "2025-03-01"), ("confirm", "on")]).await;
    assert_eq!(refused.status, 403);
    assert!(refused.has("зөвхөн админд"), "{}", refused.body);
    assert_eq!(employee_json(&app, &s, id).await["status"], "active");
    let page = s.get(&app, &format!("/staff/{id}")).await;
    assert!(page.has("dr.bold"), "the linked account is named");
    assert!(page.has(&format!("value=\"{}\"", today_in_ulaanbaatar())), "fired_at defaults to today");

    // Not confirmed: nothing happens, the form says why.
    let path = format!("/staff/{id}/fire");
    let unconfirmed = s.post(&app, &path, &[("fired_at", "2025-03-01")]).await;
    assert_eq!(unconfirmed.status, 422);
    assert!(unconfirmed.has("id=\"confirm-error\""), "{}", unconfirmed.body);
    assert!(unconfirmed.has("<details id=\"fire\" open>"), "the form stays open");
    assert!(unconfirmed.has("value=\"2025-03-01\""), "the date typed is kept");
    assert_eq!(employee_json(&app, &s, id).await["status"], "active");

    // Before they were hired: refused beside the date.
    let early = s.post(&app, &path, &[("fired_at", "2023-12-31"), ("confirm", "on")]).await;
    assert_eq!(early.status, 422);
    assert!(early.has("id=\"fired_at-error\""), "{}", early.body);
    assert_eq!(employee_json(&app, &s, id).await["status"], "active");

    let today = today_in_ulaanbaatar();
    let fired = s.post(&app, &path, &[("fired_at", today.as_str()), ("confirm", "on")]).await;
    assert_eq!(fired.location(), format!("/staff/{id}"));
    let page = s.get(&app, &format!("/staff/{id}")).await;
    assert!(page.has("id=\"employee-status\"><span class=\"badge muted\">Not working</span>"), "{}", page.body);
    assert!(page.has(&format!("id=\"employee-fired-at\">{today}</dd>")));
    assert!(!page.has("id=\"fire-form\""), "no firing twice");
    assert!(!page.has("id=\"add-position-form\""));
    let e = employee_json(&app, &s, id).await;
    assert_eq!(e["status"], "not_working");
    assert_eq!(e["fired_at"], today.as_str());
    assert_eq!(e["positions"][0]["ended_at"], today.as_str(), "open positions end");

    // The linked user is out at once and cannot log in again.
    let me = app.with_token(Method::GET, "/api/v1/auth/me", &doctor_token).send().await.unwrap();
    assert_eq!(me.status(), 401);
    let login = app.login_as(json!({"username": "dr.bold", "password": PASSWORD})).await;
    assert_eq!(login.status(), 401);

    let again = s.post(&app, &path, &[("fired_at", today.as_str()), ("confirm", "on")]).await;
    assert_eq!(again.status, 409);
    assert!(again.has("already been fired"), "{}", again.body);
    let roll = s.get(&app, "/staff").await;
    assert!(roll.has("<span class=\"badge muted\">Not working</span>"));

    // Taken back on: another status clears the date.
    let back = s.post(&app, &format!("/staff/{id}"), &[
        ("last_name", "Бат"), ("first_name", "Болормаа"), ("gender", "female"), ("status", "active"),
    ]).await;
    assert_eq!(back.status, 303, "{}", back.body);
    let e = employee_json(&app, &s, id).await;
    assert_eq!(e["status"], "active");
    assert_eq!(e["fired_at"], Value::Null);
});

backend_test!(spawn_app -> TestApp, async fn positions_are_added_changed_and_taken_out_of_use(app) {
    let s = session(&app, "manager1", Role::Manager, "en").await;
    let empty = s.get(&app, "/positions").await;
    assert_eq!(empty.status, 200);
    assert!(empty.has("id=\"no-positions\"") && empty.has("action=\"/positions\""));

    let refused = s.post(&app, "/positions", &[("position_type", ""), ("display_name", ""), ("category", ""), ("description", "keeps <this>"), ("is_active", "on")]).await;
    assert_eq!(refused.status, 422);
    for id in ["position_type-error", "display_name-error", "category-error"] {
        assert!(refused.has(&format!("id=\"{id}\"")), "{id}: {}", refused.body);
    }
    assert!(refused.has("keeps &#60;this&#62;") || refused.has("keeps &lt;this&gt;"), "the description typed is kept, escaped");

    let form = [("position_type", "ASSIST"), ("display_name", "Туслах эмч"), ("category", "support"), ("description", "Эмчид туслана"), ("is_active", "on")];
    let created = s.post(&app, "/positions", &form).await;
    assert_eq!(created.location(), "/positions");
    let (_, list) = s.api(&app, Method::GET, "/api/v1/positions", None).await;
    let p = &list["items"][0];
    assert_eq!((p["position_type"].as_str(), p["category"].as_str(), p["is_active"].as_bool()), (Some("ASSIST"), Some("support"), Some(true)));
    let id = p["position_id"].as_i64().unwrap();
    let page = s.get(&app, "/positions").await;
    assert!(page.has("Туслах эмч") && page.has("Эмчид туслана") && page.has("In use"));
    assert!(page.has(&format!("href=\"/positions?edit={id}#position-form\"")));

    let taken = s.post(&app, "/positions", &form).await;
    assert_eq!(taken.status, 409);
    assert!(taken.has("id=\"position_type-error\"") && taken.has("A position with this code already exists."), "{}", taken.body);

    let edit = s.get(&app, &format!("/positions?edit={id}")).await;
    assert_eq!(edit.status, 200);
    assert!(edit.has(&format!("action=\"/positions/{id}\"")) && edit.has("value=\"ASSIST\""), "{}", edit.body);
    assert!(edit.has("<option value=\"support\" selected"));
    assert_eq!(s.get(&app, "/positions?edit=999999").await.status, 404);

    // Unticking "in use" takes it out of use; nothing is deleted.
    let changed = s.post(&app, &format!("/positions/{id}"), &[("position_type", "ASSIST"), ("display_name", "Сувилагч"), ("category", "clinical"), ("description", "")]).await;
    assert_eq!(changed.location(), "/positions");
    let (_, p) = s.api(&app, Method::GET, &format!("/api/v1/positions/{id}"), None).await;
    assert_eq!(p["display_name"], "Сувилагч");
    assert_eq!(p["category"], "clinical");
    assert_eq!(p["is_active"], false);
    assert_eq!(p["description"], Value::Null);
    let page = s.get(&app, "/positions").await;
    assert!(page.has("Out of use"));
    assert!(!s.get(&app, "/staff/new").await.has(&format!("<option value=\"{id}\"")));

    let bad = s.post(&app, &format!("/positions/{id}"), &[("position_type", "ASSIST"), ("display_name", " "), ("category", "nurse")]).await;
    assert_eq!(bad.status, 422);
    assert!(bad.has("id=\"display_name-error\"") && bad.has("id=\"category-error\""));
    assert!(bad.has(&format!("action=\"/positions/{id}\"")), "the edit form comes back");
    let missing = s.post(&app, "/positions/999999", &form).await;
    assert_eq!(missing.status, 404);
    let delete = s.client.delete(app.url(&format!("/positions/{id}"))).header("cookie", &s.cookie).send().await.unwrap();
    assert_eq!(delete.status(), 405, "positions are never deleted");
});

backend_test!(spawn_app -> TestApp, async fn phones_and_positions_change_on_the_employee_page(app) {
    let s = session(&app, "manager1", Role::Manager, "en").await;
    let dentist = position(&app, &s, "DENTIST", "Шүдний эмч", "clinical").await;
    let head = position(&app, &s, "HEAD", "Ерөнхий эмч", "admin").await;
    let id = employee(&app, &s, json!({
        "positions": [{"position_id": dentist, "is_primary": true, "started_at": "2024-01-10"}],
    })).await;
    let base = format!("/staff/{id}");

    // Phones: a bad number beside the field; two is the least; the primary moves.
    let bad = s.post(&app, &format!("{base}/phones"), &[("number", "12"), ("label", "ажил")]).await;
    assert_eq!(bad.status, 422);
    assert!(bad.has("id=\"number-error\"") && bad.has("value=\"ажил\""), "{}", bad.body);
    let e = employee_json(&app, &s, id).await;
    let second = e["phones"][1]["phone_number_id"].as_i64().unwrap();
    let too_few = s.post(&app, &format!("{base}/phones/{second}/delete"), &[]).await;
    assert_eq!(too_few.status, 422);
    assert!(too_few.has("id=\"phones-error\"") && too_few.has("At least 2 phone numbers are needed."), "{}", too_few.body);
    assert_eq!(s.post(&app, &format!("{base}/phones"), &[("number", "7011 2233"), ("label", "ажил")]).await.location(), base);
    let e = employee_json(&app, &s, id).await;
    let third = e["phones"][2]["phone_number_id"].as_i64().unwrap();
    assert_eq!(s.post(&app, &format!("{base}/phones/{third}/primary"), &[]).await.location(), base);
    assert_eq!(s.post(&app, &format!("{base}/phones/{second}/delete"), &[]).await.location(), base);
    let e = employee_json(&app, &s, id).await;
    assert_eq!(e["primary_phone"], "70112233");
    assert_eq!(e["phones"].as_array().unwrap().len(), 2);

    // Positions: a second open primary is refused beside the checkbox; the primary moves.
    let head_id = head.to_string();
    let two_primaries = s.post(&app, &format!("{base}/positions"), &[("position_id", head_id.as_str()), ("is_primary", "on"), ("started_at", "2025-01-01")]).await;
    assert_eq!(two_primaries.status, 422);
    assert!(two_primaries.has("id=\"position_primary-error\""), "{}", two_primaries.body);
    assert!(two_primaries.has(&format!("<option value=\"{head}\" selected")));
    let none = s.post(&app, &format!("{base}/positions"), &[("position_id", ""), ("started_at", "2025-01-01")]).await;
    assert_eq!(none.status, 422);
    assert!(none.has("id=\"position_id-error\""));
    assert_eq!(s.post(&app, &format!("{base}/positions"), &[("position_id", head_id.as_str()), ("started_at", "2025-01-01")]).await.location(), base);
    let e = employee_json(&app, &s, id).await;
    let (first, added) = (e["positions"][0]["employee_position_id"].as_i64().unwrap(), e["positions"][1]["employee_position_id"].as_i64().unwrap());
    assert_eq!(s.post(&app, &format!("{base}/positions/{added}/primary"), &[]).await.location(), base);
    let e = employee_json(&app, &s, id).await;
    assert_eq!((e["positions"][0]["is_primary"].as_bool(), e["positions"][1]["is_primary"].as_bool()), (Some(false), Some(true)));
    let page = s.get(&app, &base).await;
    assert!(page.has("id=\"employee-position\">Ерөнхий эмч</dd>"), "{}", page.body);

    let early = s.post(&app, &format!("{base}/positions/{first}/end"), &[("ended_at", "2020-01-01")]).await;
    assert_eq!(early.status, 422);
    assert!(early.has("id=\"positions-error\""), "{}", early.body);
    assert_eq!(s.post(&app, &format!("{base}/positions/{first}/end"), &[("ended_at", "2025-02-01")]).await.location(), base);
    let e = employee_json(&app, &s, id).await;
    assert_eq!(e["positions"][0]["ended_at"], "2025-02-01");

    // The details: a birthday in the future is refused beside the field, the rest kept.
    let future = s.post(&app, &base, &[("last_name", "Бат"), ("first_name", "Сараа"), ("gender", "female"), ("status", "vacation"), ("birthday", "2999-01-01")]).await;
    assert_eq!(future.status, 422);
    assert!(future.has("id=\"birthday-error\"") && future.has("value=\"Сараа\""), "{}", future.body);
    let saved = s.post(&app, &base, &[("last_name", "Бат"), ("first_name", "Сараа"), ("gender", "female"), ("status", "vacation"), ("home_address", "БЗД, 3-р хороо")]).await;
    assert_eq!(saved.location(), base);
    let e = employee_json(&app, &s, id).await;
    assert_eq!((e["first_name"].as_str(), e["status"].as_str(), e["home_address"].as_str()), (Some("Сараа"), Some("vacation"), Some("БЗД, 3-р хороо")));
    assert_eq!(s.get(&app, "/staff/999999").await.status, 404);
});

backend_test!(spawn_app -> TestApp, async fn a_doctor_reads_the_staff_pages_but_cannot_write(app) {
    let manager = session(&app, "manager1", Role::Manager, "en").await;
    let dentist = position(&app, &manager, "DENTIST", "Шүдний эмч", "clinical").await;
    let id = employee(&app, &manager, json!({
        "positions": [{"position_id": dentist, "is_primary": true}],
    })).await;
    let doctor = session(&app, "dr.bold", Role::Doctor, "en").await;

    let roll = doctor.get(&app, "/staff").await;
    assert_eq!(roll.status, 200);
    assert!(roll.has("href=\"/staff\"") && roll.has(&format!("href=\"/staff/{id}\"")), "in the navigation and listed");
    assert!(!roll.has("id=\"new-employee\""));
    let page = doctor.get(&app, &format!("/staff/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.has("Бат Болормаа"));
    for form in ["employee-edit-form", "fire-form", "add-phone-form", "add-position-form", "class=\"make-primary\""] {
        assert!(!page.has(form), "{form} shown to a doctor");
    }
    let positions = doctor.get(&app, "/positions").await;
    assert_eq!(positions.status, 200);
    assert!(positions.has("Шүдний эмч") && !positions.has("id=\"position-form\""));
    assert!(!doctor.get(&app, "/positions?edit=1").await.has("id=\"position-form\""));

    assert_eq!(doctor.get(&app, "/staff/new").await.status, 403);
    let hire = doctor.post(&app, "/staff", &[("last_name", "Бат"), ("first_name", "Дорж"), ("gender", "male"), ("phone_number_1", "99001122"), ("phone_number_2", "99001133"), ("primary", "1")]).await;
    assert_eq!(hire.status, 403);
    assert!(hire.has("id=\"error-403\""));
    assert_eq!(doctor.post(&app, &format!("/staff/{id}/fire"), &[("fired_at", "2025-01-01"), ("confirm", "on")]).await.status, 403);
    assert_eq!(doctor.post(&app, "/positions", &[("position_type", "X"), ("display_name", "X"), ("category", "support")]).await.status, 403);
    let (_, list) = manager.api(&app, Method::GET, "/api/v1/employees", None).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "nothing hired");
    assert_eq!(list["items"][0]["status"], "active", "nobody fired");
    let (_, positions) = manager.api(&app, Method::GET, "/api/v1/positions", None).await;
    assert_eq!(positions["items"].as_array().unwrap().len(), 1);

    // A patient's account sees neither.
    let patient = session(&app, "patient1", Role::Patient, "en").await;
    assert_eq!(patient.get(&app, "/staff").await.status, 403);
    assert_eq!(patient.get(&app, "/positions").await.status, 403);
});
