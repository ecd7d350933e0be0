//! The screens the chair and the desk live in, through HTTP: the patient page's header (what
//! is owed, the next appointment, the alerts' place, the quick actions each role may take)
//! and "take payment" on the oldest unpaid treatment and on each unpaid row; the change of a
//! patient's details behind "edit"; the treatment form's scope proposed from the teeth and
//! the service's usual scope, and its errors at their fields; an appointment's page that
//! records a treatment on it and lists the treatments recorded on it.
use crate::appointments::{booked, get, id, set_status};
use crate::backend_test;
use crate::helpers::TestApp;
use crate::page_session::{Answer, Session, hq_session, signed_in};
use crate::treatments::{Setup, setup};
use serde_json::{Value, json};

/// Records a treatment of `patient` by the clinic's doctor through the API (on `date`, or
/// now); its id.
async fn record(app: &TestApp, s: &Setup, patient: i64, date: Option<&str>, items: Value) -> i64 {
    let mut body = json!({"patient_id": patient, "doctor_id": s.c.doctors[0], "items": items});
    if let Some(date) = date {
        body["treatment_date"] = json!(date);
    }
    let (status, t) = app.post_json("/api/v1/treatments", &s.doctor, body).await;
    assert_eq!(status, 201, "{t}");
    t["treatment_id"].as_i64().unwrap()
}

/// The element `id` of a page, from its opening tag to the next `</until>`.
fn element<'a>(page: &'a Answer, id: &str, until: &str) -> &'a str {
    let at = page.at(&format!("id=\"{id}\""));
    let start = page.body[..at].rfind('<').unwrap();
    let rest = &page.body[start..];
    let end = rest
        .find(&format!("</{until}>"))
        .map_or(rest.len(), |e| e + until.len() + 3);
    &rest[..end]
}

/// The first item of the patient's treatment recorded last, as the API answers it.
async fn latest_item(app: &TestApp, s: &Setup, patient: i64) -> Value {
    let (status, list) = get(
        app,
        &format!("/api/v1/patients/{patient}/treatments?limit=100"),
        &s.c.desk,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    let last = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|t| t["treatment_id"].as_i64())
        .unwrap();
    last["items"][0].clone()
}

/// Records a new treatment through the page's form as `who`: the answer.
async fn form_post(
    app: &TestApp,
    who: &Session,
    s: &Setup,
    patient: i64,
    fields: &[(&str, &str)],
) -> Answer {
    let doctor = s.c.doctors[0].to_string();
    let mut form = vec![
        ("doctor_id", doctor.as_str()),
        ("treatment_date", "2020-03-02T10:20"),
    ];
    form.extend_from_slice(fields);
    who.post(app, &format!("/patients/{patient}/treatments"), &form)
        .await
}

backend_test!(spawn_app -> TestApp, async fn the_header_says_what_is_owed_what_comes_next_and_offers_what_each_may_do(app) {
    let s = setup(&app).await;
    let p = s.c.patients[0];
    let older = record(&app, &s, p, Some("2020-03-02T10:20:00+08:00"), json!([
        {"service_id": s.filling, "scope": "single_tooth", "teeth": ["16"]},
    ])).await;
    let newer = record(&app, &s, p, Some("2021-05-04T09:00:00+08:00"), json!([
        {"service_id": s.scaling, "scope": "none"},
    ])).await;
    let paid_off = record(&app, &s, p, Some("2019-01-10T09:00:00+08:00"), json!([
        {"service_id": s.scaling, "scope": "none"},
    ])).await;
    let (status, _) = app
        .post_json(&format!("/api/v1/treatments/{paid_off}/payments"), &s.c.desk, json!({"amount": 200_000, "method": "cash"}))
        .await;
    assert_eq!(status, 201);
    let coming = booked(&app, &s.c.desk, json!({"patient_id": p, "doctor_id": s.c.doctors[0], "start_at": "2030-01-07T10:00:00+08:00"})).await;

    let desk = signed_in(&app, "desk", "en").await;
    let page = desk.get(&app, &format!("/patients/{p}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    // What is owed over every treatment, and the next appointment, in the header.
    let header = element(&page, "patient", "section");
    assert!(header.contains("id=\"patient-balance\" class=\"balance-due\">230 000 ₮<"), "{header}");
    let next = element(&page, "next-appointment", "dd");
    assert!(next.contains(&format!("href=\"/appointments/{}\"", id(&coming))), "{next}");
    assert!(next.contains("2030-01-07 10:00"), "{next}");
    assert!(header.contains("id=\"patient-register-number\""));
    assert!(header.contains("id=\"patient-phone\""));
    // The alerts' place is there, empty and hidden while there are none.
    assert!(header.contains("id=\"patient-alerts\" aria-label=\"Alerts\" hidden>"), "{header}");
    // "Take payment": the oldest unpaid treatment's payment form, and the choice of all.
    let take = element(&page, "take-payment", "a");
    assert!(take.contains(&format!("href=\"/treatments/{older}?pay=1\"")), "{take}");
    assert!(take.contains("30 000 ₮"), "{take}");
    assert!(page.has("href=\"#patient-invoices\" id=\"all-unpaid\">All unpaid (2)<"), "{}", page.body);
    // The receptionist books, takes payments, sends SMS and edits; records no treatment.
    for action in ["book-for-patient", "send-sms", "edit-patient"] {
        assert!(header.contains(&format!("id=\"{action}\"")), "{action}");
    }
    assert!(!page.has("id=\"record-treatment\""));
    assert!(header.contains("href=\"/sms?to=99000000#sms-form\""), "{header}");
    // Each unpaid row offers its payment form; a paid one does not.
    let treatments = element(&page, "treatments-list", "table");
    for t in [older, newer] {
        assert!(treatments.contains(&format!("href=\"/treatments/{t}?pay=1\"")), "{t}");
    }
    assert!(!treatments.contains(&format!("href=\"/treatments/{paid_off}?pay=1")));
    let invoices = element(&page, "invoices-list", "table");
    assert!(invoices.contains(&format!("href=\"/treatments/{newer}?pay=1\"")));
    assert!(!invoices.contains(&format!("href=\"/treatments/{paid_off}?pay=1")));
    // The sections as in-page tabs, and no edit form above the history.
    for tab in ["patient-appointments", "patient-treatments", "patient-invoices", "patient-chart", "patient-details"] {
        assert!(page.has(&format!("href=\"#{tab}\"")), "{tab}");
    }
    assert!(!page.has("id=\"patient-edit-form\""));
    // The payment form, reached by the link, has the amount focused.
    let form = desk.get(&app, &format!("/treatments/{older}?pay=1")).await;
    assert!(form.has("name=\"amount\" value=\"30000\" required autofocus"), "{}", form.body);

    // The doctor records treatments.
    let doctor = signed_in(&app, "dr", "en").await;
    let page = doctor.get(&app, &format!("/patients/{p}")).await;
    assert!(page.has(&format!("href=\"/patients/{p}/treatments/new\" id=\"record-treatment\"")));
    assert!(!page.has("id=\"send-sms\""), "doctors read the SMS log only");
    // HQ reads what is owed and what comes next, and acts on nothing.
    let hq = hq_session(&app, "hq", "en").await;
    let page = hq.get(&app, &format!("/patients/{p}")).await;
    assert_eq!(page.status, 200);
    assert!(page.has("id=\"patient-balance\" class=\"balance-due\">230 000 ₮<"));
    assert!(page.has("id=\"next-appointment\""));
    for action in ["book-for-patient", "record-treatment", "take-payment", "send-sms", "edit-patient"] {
        assert!(!page.has(&format!("id=\"{action}\"")), "{action}");
    }
    assert!(!page.has("?pay=1"));
    // Nothing owed, nothing coming.
    let other = desk.get(&app, &format!("/patients/{}", s.c.patients[1])).await;
    assert!(other.has("id=\"patient-balance\">0 ₮<"), "{}", other.body);
    assert!(other.has("None booked"));
    assert!(!other.has("id=\"take-payment\""));
    // The SMS form comes with the number filled in.
    let sms = desk.get(&app, "/sms?to=9900%200000").await;
    assert!(sms.has("name=\"phone_number\" value=\"9900 0000\""), "{}", sms.body);
});

backend_test!(spawn_app -> TestApp, async fn details_and_phones_are_changed_behind_edit(app) {
    let s = setup(&app).await;
    let p = s.c.patients[0];
    let desk = signed_in(&app, "desk", "en").await;
    let edit = desk.get(&app, &format!("/patients/{p}/edit")).await;
    assert_eq!(edit.status, 200, "{}", edit.body);
    assert!(edit.has("id=\"patient-edit-form\"") && edit.has("id=\"add-phone-form\""));
    // Saved details go back to the patient's page; a refusal stays on the edit page.
    let page = desk.get(&app, &format!("/patients/{p}")).await;
    let rn = element(&page, "patient-register-number", "small");
    let rn = rn[rn.find('>').unwrap() + 1..rn.find("</").unwrap()].to_owned();
    let saved = desk
        .post(&app, &format!("/patients/{p}"), &[("register_number", rn.as_str()), ("last_name", "Дорж"), ("first_name", "Болд"), ("email", "")])
        .await;
    assert_eq!(saved.location(), format!("/patients/{p}"));
    let refused = desk
        .post(&app, &format!("/patients/{p}"), &[("register_number", rn.as_str()), ("last_name", ""), ("first_name", "Болд")])
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.has("id=\"patient-edit-form\"") && refused.has("id=\"last_name-error\""));
    // Phone changes come back to the phones.
    let added = desk.post(&app, &format!("/patients/{p}/phones"), &[("number", "7011 2233"), ("label", "ажил")]).await;
    assert_eq!(added.location(), format!("/patients/{p}/edit#phones"));
    // HQ and doctors: HQ may not change anyone.
    let hq = hq_session(&app, "hq", "en").await;
    assert_eq!(hq.get(&app, &format!("/patients/{p}/edit")).await.status, 403);
    assert_eq!(desk.get(&app, "/patients/999999/edit").await.status, 404);
});

backend_test!(spawn_app -> TestApp, async fn the_scope_follows_the_teeth_and_the_services_usual_scope(app) {
    let s = setup(&app).await;
    let p = s.c.patients[0];
    let dr = signed_in(&app, "dr", "en").await;
    let (filling, scaling) = (s.filling.to_string(), s.scaling.to_string());
    // Nothing recorded yet: no usual scope; the select starts at "by the teeth and the service".
    let form = dr.get(&app, &format!("/patients/{p}/treatments/new")).await;
    assert!(form.has("<option value=\"\">By the teeth and the service</option>"), "{}", form.body);
    assert!(!form.has("data-scope="));
    assert!(form.has("treatment_form.js"));
    // Left to the form: one tooth is one tooth, two are several, none is none.
    let one = form_post(&app, &dr, &s, p, &[("service_id", &filling), ("scope", ""), ("teeth", "P-UR-6")]).await;
    assert_eq!(one.status, 303, "{}", one.body);
    assert_eq!(latest_item(&app, &s, p).await["scope"], "single_tooth");
    let two = form_post(&app, &dr, &s, p, &[("service_id", &filling), ("teeth", "P-UR-6"), ("teeth", "P-UR-7")]).await;
    assert_eq!(two.status, 303, "{}", two.body);
    assert_eq!(latest_item(&app, &s, p).await["scope"], "multi_tooth");
    let none = form_post(&app, &dr, &s, p, &[("service_id", &scaling), ("scope", "")]).await;
    assert_eq!(none.status, 303, "{}", none.body);
    assert_eq!(latest_item(&app, &s, p).await["scope"], "none");
    // Scaling done on the upper arch twice: that is its usual scope now, on the options too.
    for _ in 0..2 {
        record(&app, &s, p, None, json!([{"service_id": s.scaling, "scope": "upper_arch"}])).await;
    }
    let form = dr.get(&app, &format!("/patients/{p}/treatments/new")).await;
    assert!(form.has(&format!("<option value=\"{scaling}\" data-scope=\"upper_arch\">")), "{}", form.body);
    // The filling: once single, once multi; on a tie the latest, multi.
    assert!(form.has(&format!("<option value=\"{filling}\" data-scope=\"multi_tooth\">")), "{}", form.body);
    let arch = form_post(&app, &dr, &s, p, &[("service_id", &scaling), ("scope", "")]).await;
    assert_eq!(arch.status, 303, "{}", arch.body);
    let item = latest_item(&app, &s, p).await;
    assert_eq!((item["scope"].as_str(), item["teeth"].as_array().unwrap().len()), (Some("upper_arch"), 16));
    // Teeth in the usual arch keep it; a tooth outside it is a tooth.
    let listed = form_post(&app, &dr, &s, p, &[("service_id", &scaling), ("teeth", "P-UR-6"), ("teeth", "P-UL-6")]).await;
    assert_eq!(listed.status, 303, "{}", listed.body);
    assert_eq!(latest_item(&app, &s, p).await["scope"], "upper_arch");
    let lower = form_post(&app, &dr, &s, p, &[("service_id", &scaling), ("teeth", "P-LR-6")]).await;
    assert_eq!(lower.status, 303, "{}", lower.body);
    assert_eq!(latest_item(&app, &s, p).await["scope"], "single_tooth");
    // A scope chosen by hand is kept, and teeth that do not fit it are said beside the scope.
    let refused = form_post(&app, &dr, &s, p, &[("service_id", &filling), ("scope", "single_tooth"), ("teeth", "P-UR-6"), ("teeth", "P-UR-7")]).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let scope = element(&refused, "scope", "select");
    assert!(scope.contains("aria-invalid=\"true\" aria-describedby=\"scope-error\""), "{scope}");
    assert!(scope.contains("<option value=\"single_tooth\" selected>"), "{scope}");
    assert!(refused.has("<p class=\"field-error\" id=\"scope-error\">Choose exactly one tooth.</p>"), "{}", refused.body);
    assert!(!refused.has("id=\"odontogram-error\""), "not under the chart");
    assert_eq!(refused.body.matches("aria-checked=\"true\"").count(), 2, "the teeth are kept");
    // The usual scope needs a tooth and none is clicked: proposed, and the tooth asked for.
    let (status, _) = app
        .post_json("/api/v1/treatments", &s.doctor, json!({"patient_id": p, "doctor_id": s.c.doctors[0], "items": [
            {"service_id": s.filling, "scope": "single_tooth", "teeth": ["26"]},
            {"service_id": s.filling, "scope": "single_tooth", "teeth": ["27"]},
        ]}))
        .await;
    assert_eq!(status, 201);
    let asked = form_post(&app, &dr, &s, p, &[("service_id", &filling), ("scope", "")]).await;
    assert_eq!(asked.status, 422, "{}", asked.body);
    assert!(element(&asked, "scope", "select").contains("<option value=\"single_tooth\" selected>"));
    assert!(asked.has("id=\"scope-error\">Choose exactly one tooth.<"), "{}", asked.body);
    // Other fields' errors beside them: the note of the item and of the treatment.
    let long = "x".repeat(2001);
    let notes = form_post(&app, &dr, &s, p, &[("service_id", &scaling), ("scope", "none"), ("item_note", &long), ("note", &long)]).await;
    assert_eq!(notes.status, 422, "{}", notes.body);
    assert!(notes.has("aria-invalid=\"true\" aria-describedby=\"item_note-error\""), "{}", notes.body);
    assert!(notes.has("id=\"item_note-error\""));
    assert!(notes.has("aria-invalid=\"true\" aria-describedby=\"note-error\""));
    // The same on a service added to a treatment.
    let t = record(&app, &s, p, None, json!([])).await;
    let added = dr.post(&app, &format!("/treatments/{t}/items"), &[("service_id", &scaling), ("scope", "")]).await;
    assert_eq!(added.location(), format!("/treatments/{t}"));
    let (_, treatment) = get(&app, &format!("/api/v1/treatments/{t}"), &s.c.desk).await;
    assert_eq!(treatment["items"][0]["scope"], "upper_arch");
    let refused = dr.post(&app, &format!("/treatments/{t}/items"), &[("service_id", &filling), ("scope", "none"), ("teeth", "P-UR-6")]).await;
    assert_eq!(refused.status, 422);
    assert!(refused.has("id=\"scope-error\">This scope takes no teeth.<"), "{}", refused.body);
});

backend_test!(spawn_app -> TestApp, async fn an_appointment_records_its_treatment_and_lists_it(app) {
    let s = setup(&app).await;
    let p = s.c.patients[0];
    let visit = booked(&app, &s.c.manager, json!({
        "patient_id": p, "doctor_id": s.c.doctors[0], "start_at": "2020-03-02T10:00:00+08:00",
        "planned_service_id": s.filling,
    })).await;
    let a = id(&visit);
    let dr = signed_in(&app, "dr", "en").await;
    let desk = signed_in(&app, "desk", "en").await;
    let path = format!("/appointments/{a}");
    // Before the patient came: the treatments listed (none), no "record treatment".
    let page = dr.get(&app, &path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.has("id=\"appointment-no-treatments\""));
    assert!(!page.has("id=\"appointment-record-treatment\""));
    // The patient came: the doctor is offered the treatment form on this appointment.
    let (status, _) = set_status(&app, &s.c.desk, a, "came").await;
    assert_eq!(status, 200);
    let page = dr.get(&app, &path).await;
    let link = format!("/patients/{p}/treatments/new?appointment_id={a}");
    assert!(page.has(&format!("href=\"{link}\" id=\"appointment-record-treatment\"")), "{}", page.body);
    // The receptionist does not record treatments.
    assert!(!desk.get(&app, &path).await.has("id=\"appointment-record-treatment\""));
    // The form: on the appointment, its doctor and its planned service chosen.
    let form = dr.get(&app, &link).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.has("id=\"linked-appointment\""));
    assert!(form.has(&format!("href=\"/appointments/{a}\">2020-03-02 10:00")), "{}", form.body);
    assert!(form.has(&format!("name=\"appointment_id\" value=\"{a}\"")));
    assert!(form.has(&format!("<option value=\"{}\" selected>", s.c.doctors[0])), "the appointment's doctor");
    assert!(element(&form, "service_id", "select").contains(&format!("<option value=\"{}\" selected>", s.filling)), "the planned service");
    let recorded = dr
        .post(&app, &format!("/patients/{p}/treatments"), &[
            ("doctor_id", &s.c.doctors[0].to_string()), ("appointment_id", &a.to_string()),
            ("treatment_date", "2020-03-02T10:20"), ("service_id", &s.filling.to_string()),
            ("teeth", "P-UR-6"),
        ])
        .await;
    let location = recorded.location().to_owned();
    let t: i64 = location.trim_start_matches("/treatments/").parse().unwrap();
    let (_, treatment) = get(&app, &format!("/api/v1/treatments/{t}"), &s.c.desk).await;
    assert_eq!(treatment["appointment_id"], a);
    // The appointment's page lists it, with its payment form for the desk.
    let page = desk.get(&app, &path).await;
    let list = element(&page, "appointment-treatment-list", "table");
    assert!(list.contains(&format!("data-treatment-id=\"{t}\"")), "{list}");
    assert!(list.contains("30 000 ₮"));
    assert!(list.contains(&format!("href=\"/treatments/{t}?pay=1\"")));
    // Another patient's appointment is not shown as linked (the use case refuses it).
    let other = dr.get(&app, &format!("/patients/{}/treatments/new?appointment_id={a}", s.c.patients[1])).await;
    assert_eq!(other.status, 200);
    assert!(!other.has("id=\"linked-appointment\""));
    let refused = dr
        .post(&app, &format!("/patients/{}/treatments", s.c.patients[1]), &[
            ("doctor_id", &s.c.doctors[0].to_string()), ("appointment_id", &a.to_string()),
            ("treatment_date", "2020-03-02T10:20"),
        ])
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.has("id=\"appointment_id-error\""), "{}", refused.body);
});
