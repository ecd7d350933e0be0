//! The medical history's page and the tablet questionnaire through HTTP, as a browser sends
//! them: the doctor saves the whole history from the form, a form sent against an older
//! version is refused (409) and shown on the latest; the receptionist hands over the
//! questionnaire (answers and signature kept, no history changed, the history page closed to
//! them); the doctor finds the answers in the form and saves them as the next version, which
//! marks the questionnaire reviewed; the alerts on the patient's page; the files page's rule
//! and an admin's list of hidden files to purge.
use crate::appointments::clinic;
use crate::backend_test;
use crate::helpers::TestApp;
use crate::page_session::{hq_session, session, signed_in};
use dcms_domain::Role;
use reqwest::Method;

backend_test!(spawn_app -> TestApp, async fn the_history_form_the_questionnaire_and_its_review(app) {
    let c = clinic(&app, 1, 1).await;
    let p = c.patients[0];
    let dr = session(&app, "dr", Role::Doctor, "mn").await;
    let page = format!("/patients/{p}/medical-history");
    let empty = dr.get(&app, &page).await;
    assert_eq!(empty.status, 200);
    assert!(empty.has("id=\"medical-empty\""));
    let saved = dr.post(&app, &page, &[
        ("version", "0"),
        ("substance", "лидокаин"), ("reaction", "анафилакс"), ("severity", "severe"),
        ("substance", ""), ("reaction", ""), ("severity", "mild"),
        ("cond", "anticoagulants"), ("cond_text_anticoagulants", "варфарин"),
        ("medications", "варфарин 5 мг"), ("notes", ""), ("reviewed", "yes"),
    ]).await;
    assert_eq!(saved.location(), page);
    let (status, h) = dr.api(&app, Method::GET, &format!("/api/v1/patients/{p}/medical-history"), None).await;
    assert_eq!(status, 200);
    assert_eq!(h["version"], 1);
    assert_eq!(h["allergies"].as_array().unwrap().len(), 1, "{h}");
    assert_eq!(h["conditions"][0]["text"], "варфарин");
    assert!(h["reviewed_at"].is_string());
    // Sent again against version 0: refused, the latest shown to change again.
    let stale = dr.post(&app, &page, &[("version", "0"), ("notes", "late")]).await;
    assert_eq!(stale.status, 409);
    assert!(stale.has("id=\"medical-problem\"") && stale.has("name=\"version\" value=\"1\""), "{}", stale.body);

    // The receptionist hands the questionnaire over; the history page is not theirs.
    let desk = signed_in(&app, "desk", "mn").await;
    assert_eq!(desk.get(&app, &page).await.status, 403);
    let patient_page = desk.get(&app, &format!("/patients/{p}")).await;
    assert!(patient_page.has("лидокаин") && patient_page.has("alert-severe"));
    let q = format!("/patients/{p}/questionnaire");
    assert_eq!(desk.get(&app, &q).await.status, 200);
    let sent = desk.post(&app, &q, &[
        ("cond_diabetes", "yes"), ("cond_asthma", "no"),
        ("substance", "пенициллин"), ("reaction", ""), ("severity", "mild"),
        ("medications", "метформин"), ("other", ""),
        ("signature", "data:image/png;base64,iVBORw0KGgo="),
    ]).await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(sent.has("id=\"questionnaire-sent\""));
    let bad = desk.post(&app, &q, &[("signature", "javascript:alert(1)")]).await;
    assert_eq!(bad.status, 422);
    let (_, unchanged) = dr.api(&app, Method::GET, &format!("/api/v1/patients/{p}/medical-history"), None).await;
    assert_eq!(unchanged["version"], 1, "a questionnaire changes no history by itself");

    // The doctor reviews: the answers are in the form, saving marks it reviewed.
    let review = dr.get(&app, &page).await;
    assert!(review.has("id=\"questionnaire-pending\"") && review.has("пенициллин"), "{}", review.body);
    let at = review.at("name=\"questionnaire_id\" value=\"") + "name=\"questionnaire_id\" value=\"".len();
    let qid: String = review.body[at..].chars().take_while(|c| c.is_ascii_digit()).collect();
    let reviewed = dr.post(&app, &page, &[
        ("version", "1"), ("questionnaire_id", &qid),
        ("substance", "лидокаин"), ("reaction", "анафилакс"), ("severity", "severe"),
        ("substance", "пенициллин"), ("reaction", ""), ("severity", "mild"),
        ("cond", "anticoagulants"), ("cond_text_anticoagulants", "варфарин"),
        ("cond", "diabetes"), ("cond_text_diabetes", ""),
        ("medications", "варфарин 5 мг\nметформин"), ("notes", ""), ("reviewed", "yes"),
    ]).await;
    assert_eq!(reviewed.location(), page);
    let (_, h) = dr.api(&app, Method::GET, &format!("/api/v1/patients/{p}/medical-history"), None).await;
    assert_eq!(h["version"], 2);
    assert_eq!(h["allergies"].as_array().unwrap().len(), 2);
    let after = dr.get(&app, &page).await;
    assert!(!after.has("id=\"questionnaire-pending\""), "reviewed once");
    let again = dr.post(&app, &page, &[("version", "2"), ("questionnaire_id", &qid)]).await;
    assert_eq!(again.status, 409, "a questionnaire is reviewed once");

    // An admin lists the hidden files to purge them; others are not shown them.
    let (status, a) = crate::attachments::upload(&app, &dr.token, p, "scan.pdf", b"%PDF-1.4\n%%EOF\n".to_vec(), &[("kind", "document")]).await;
    assert_eq!(status, 201, "{a}");
    let (status, _) = app.delete_json(&format!("/api/v1/attachments/{}", a["attachment_id"]), &dr.token).await;
    assert_eq!(status, 204);
    let owner = signed_in(&app, "owner", "mn").await;
    let hidden = owner.get(&app, &format!("/patients/{p}/files?hidden=true")).await;
    assert!(hidden.has("class=\"danger purge-file\"") && hidden.has("scan.pdf"), "{}", hidden.body);
    let not_admin = dr.get(&app, &format!("/patients/{p}/files?hidden=true")).await;
    assert!(!not_admin.has("scan.pdf") && !not_admin.has("id=\"files-hidden\""));

    // The files page: staff; HQ nothing.
    assert_eq!(desk.get(&app, &format!("/patients/{p}/files")).await.status, 200);
    assert_eq!(dr.get(&app, &format!("/patients/{p}/files")).await.status, 200);
    let hq = hq_session(&app, "hq", "mn").await;
    assert_eq!(hq.get(&app, &format!("/patients/{p}/files")).await.status, 403);
    assert_eq!(hq.get(&app, &page).await.status, 403);
    let hq_patient = hq.get(&app, &format!("/patients/{p}")).await;
    assert!(!hq_patient.has("лидокаин"), "HQ sees no alerts");
});
