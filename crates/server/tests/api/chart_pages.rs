//! The dental chart, the patient page's treatments and invoices, and the patient portal
//! through HTTP, as a browser reads them: teeth marked by their history (treated, treated
//! within the year), each tooth's items newest first under its anchor, the notation and
//! dentition switches (a child's primary teeth), the latest treatments with their totals and
//! the patient's account, and a patient who sees only their own record on the start page
//! (services by the names patients see) and none of the staff's pages.
use crate::appointments::{Clinic, booked, clinic, patch};
use crate::backend_test;
use crate::helpers::TestApp;
use crate::page_session::{Answer, Session, hq_session, session, signed_in};
use dcms_domain::Role;
use dcms_server::http::permissions::rule_for;
use reqwest::Method;
use serde_json::{Value, json};

/// A clinic (one doctor, two adult patients), a doctor's login and two services.
struct Setup {
    c: Clinic,
    /// The doctor's API token (doctors record treatments).
    doctor: String,
    /// 30 000 ₮ a tooth.
    filling: i64,
    /// 200 000 ₮ once.
    scaling: i64,
}

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> (u16, Value) {
    let r = app
        .with_token(Method::POST, path, token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn service(app: &TestApp, manager: &str, number: i64, name: &str, price: i64) -> i64 {
    let (status, s) = post(
        app,
        "/api/v1/services",
        manager,
        json!({
            "service_type": "GEN", "display_number": number,
            "doctor_display_name": name, "patient_display_name": format!("{name} (patient)"),
            "price": price, "default_duration_time": 30,
        }),
    )
    .await;
    assert_eq!(status, 201, "{s}");
    s["service_id"].as_i64().unwrap()
}

async fn setup(app: &TestApp) -> Setup {
    let c = clinic(app, 1, 2).await;
    app.create_user("dr", Role::Doctor).await;
    let doctor = app.token("dr").await;
    let filling = service(app, &c.manager, 1, "Filling", 30_000).await;
    let scaling = service(app, &c.manager, 2, "Scaling", 200_000).await;
    Setup {
        c,
        doctor,
        filling,
        scaling,
    }
}

/// Records a treatment of `patient` by the clinic's doctor (now, or on `date`); its id.
async fn record(app: &TestApp, s: &Setup, patient: i64, date: Option<&str>, items: Value) -> i64 {
    let mut body = json!({"patient_id": patient, "doctor_id": s.c.doctors[0], "items": items});
    if let Some(date) = date {
        body["treatment_date"] = json!(date);
    }
    let (status, t) = post(app, "/api/v1/treatments", &s.doctor, body).await;
    assert_eq!(status, 201, "{t}");
    t["treatment_id"].as_i64().unwrap()
}

/// The doctor's name as the pages show it (`last_name first_name` of the clinic's first
/// employee).
const DOCTOR: &str = "Бат Ажилтан0";

/// A page's HTML with `&` unescaped, so links read as they are written.
fn links(html: &str) -> String {
    html.replace("&#38;", "&").replace("&amp;", "&")
}

/// The opening tag of the drawn tooth `ui_key` (its `<a ...>` in chart mode).
fn tooth_tag<'a>(page: &'a Answer, ui_key: &str) -> &'a str {
    let at = page.at(&format!("data-ui-key=\"{ui_key}\""));
    let start = page.body[..at].rfind('<').unwrap();
    let end = at + page.body[at..].find('>').unwrap();
    &page.body[start..=end]
}

/// The drawn tooth `ui_key`, from its opening tag to its end (title, shapes, label).
fn tooth_element<'a>(page: &'a Answer, ui_key: &str) -> &'a str {
    let tag = tooth_tag(page, ui_key);
    let start = page.at(tag);
    let end = start + page.body[start..].find("</a>").unwrap();
    &page.body[start..end]
}

/// The HTML of the element with `id`, up to the next element of the same kind (`marker`).
fn part<'a>(page: &'a Answer, id: &str, until: &str) -> &'a str {
    let start = page.at(&format!("id=\"{id}\""));
    let rest = &page.body[start..];
    let end = rest[1..].find(until).map(|e| e + 1).unwrap_or(rest.len());
    &rest[..end]
}

/// The `data-treatment-id`s in `html`, in order.
fn treatment_ids(html: &str) -> Vec<i64> {
    html.split("data-treatment-id=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().parse().unwrap())
        .collect()
}

async fn desk(app: &TestApp) -> Session {
    signed_in(app, "desk", "en").await
}

backend_test!(spawn_app -> TestApp, async fn the_chart_marks_teeth_and_lists_their_items_newest_first(app) {
    let s = setup(&app).await;
    let p = s.c.patients[0];
    let old = record(&app, &s, p, Some("2020-03-02T10:20:00+08:00"), json!([
        {"service_id": s.filling, "scope": "single_tooth", "teeth": [{"code": "16", "note": "mesial crack"}], "note": "old filling"},
        {"service_id": s.filling, "scope": "single_tooth", "teeth": ["26"]},
    ])).await;
    let new = record(&app, &s, p, None, json!([
        {"service_id": s.filling, "scope": "multi_tooth", "teeth": ["16", "17"], "note": "deep caries"},
    ])).await;
    let desk = desk(&app).await;
    let page = desk.get(&app, &format!("/patients/{p}/chart")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    // An adult: the permanent teeth only, in the clinic's notation (FDI).
    assert_eq!(page.body.matches("data-ui-key=").count(), 32);
    assert!(!page.has("data-dentition=\"primary\""));
    // Done items fill the whole tooth's glyph (none named surfaces): 16, 17 and 26; 15 none.
    for key in ["P-UR-6", "P-UR-7", "P-UL-6"] {
        let tooth = tooth_element(&page, key);
        assert!(tooth.contains("glyph w-done"), "{tooth}");
        assert!(tooth_tag(&page, key).contains(&format!("href=\"#chart-tooth-{key}\"")));
    }
    let tooth = tooth_element(&page, "P-UR-5");
    assert!(!tooth.contains("w-done") && !tooth.contains("s-done"), "{tooth}");
    assert!(tooth_tag(&page, "P-UR-5").contains("href=\"#chart-history\""), "a tooth without history");
    assert!(page.has("odontogram-legend"));
    // Each tooth with anything has its section, in the dictionary's order: the done items
    // that make it as it is now (16: the newer item covers the older whole-tooth one).
    let sixteen = part(&page, "chart-tooth-P-UR-6", "<section");
    assert!(sixteen.contains("Tooth 16"), "{sixteen}");
    assert!(sixteen.contains("upper right first molar"));
    assert!(sixteen.contains(&format!("href=\"/treatments/{new}\"")), "{sixteen}");
    assert!(!sixteen.contains(&format!("href=\"/treatments/{old}\"")), "{sixteen}");
    assert!(sixteen.contains(DOCTOR), "the doctor's name");
    assert!(sixteen.contains(">Filling</a>"), "the doctors' name of the service");
    let twenty_six = part(&page, "chart-tooth-P-UL-6", "<section");
    assert!(twenty_six.contains(&format!("href=\"/treatments/{old}\"")));
    assert!(twenty_six.contains("2020-03-02 10:20"), "the date in the clinic's time zone");
    assert!(part(&page, "chart-tooth-P-UR-7", "<section").contains(&format!("href=\"/treatments/{new}\"")));
    assert!(!page.has("id=\"chart-tooth-P-UR-5\""));
    assert!(page.at("id=\"chart-tooth-P-UR-6\"") < page.at("id=\"chart-tooth-P-UR-7\""));
    assert!(!page.has("id=\"chart-empty\""));
    assert!(!page.has("style="), "no inline styles under the CSP");
    assert!(!page.has("style="), "no inline styles under the CSP");

    // The notation switch: Universal labels 16 as 3, and keeps the dentition.
    assert!(links(&page.body).contains(&format!("href=\"/patients/{p}/chart?system=universal&dentition=permanent\"")));
    assert!(links(&page.body).contains(&format!("href=\"/patients/{p}/chart?system=fdi&dentition=both\"")));
    let universal = desk.get(&app, &format!("/patients/{p}/chart?system=universal")).await;
    assert_eq!(universal.status, 200);
    assert!(tooth_element(&universal, "P-UR-6").contains(">3</text>"), "{}", tooth_element(&universal, "P-UR-6"));
    assert!(part(&universal, "chart-tooth-P-UR-6", "<section").contains("Tooth 3"));
    let palmer = desk.get(&app, &format!("/patients/{p}/chart?system=palmer&dentition=both")).await;
    assert_eq!(palmer.status, 200);
    assert_eq!(palmer.body.matches("data-ui-key=").count(), 52, "both dentitions");
    assert!(tooth_element(&palmer, "P-UR-6").contains(">UR6</text>"));

    // In Mongolian the teeth are named in Mongolian: the sections and the tooltips.
    let mn = signed_in(&app, "desk", "mn").await;
    let page = mn.get(&app, &format!("/patients/{p}/chart")).await;
    assert_eq!(page.status, 200);
    assert!(part(&page, "chart-tooth-P-UR-6", "<section").contains("дээд баруун нэгдүгээр том араа"));
    assert!(tooth_element(&page, "P-LL-8").contains("<title>38 · доод зүүн гуравдугаар том араа (ухаан шүд)"), "{}", tooth_element(&page, "P-LL-8"));
    assert!(tooth_element(&page, "P-UL-1").contains("дээд зүүн төв хөрөөч шүд"));
    assert!(!page.has("upper right") && !page.has("lower left") && !page.has("first molar"), "no English tooth names");
    let both = mn.get(&app, &format!("/patients/{p}/chart?dentition=both")).await;
    assert!(tooth_element(&both, "D-LR-3").contains("доод баруун сүүн соёо шүд"));

    // Bad choices are a clear 400; an unknown patient 404.
    let bad = desk.get(&app, &format!("/patients/{p}/chart?system=roman")).await;
    assert_eq!(bad.status, 400);
    assert!(bad.has("Unknown tooth notation"), "{}", bad.body);
    let bad = desk.get(&app, &format!("/patients/{p}/chart?dentition=mixed")).await;
    assert_eq!(bad.status, 400);
    assert!(bad.has("Unknown set of teeth"), "{}", bad.body);
    assert_eq!(desk.get(&app, "/patients/999999/chart").await.status, 404);
    assert_eq!(desk.get(&app, "/patients/abc/chart").await.status, 400);
    let twice = desk.get(&app, &format!("/patients/{p}/chart?system=fdi&system=palmer")).await;
    assert_eq!(twice.status, 400);
    assert!(twice.has("id=\"error-400\""), "an error page, not a 500: {}", twice.body);
    assert_eq!(desk.get(&app, "/patients/999999/chart?system=roman").await.status, 400);

    // No history: a friendly line, nothing marked.
    let empty = desk.get(&app, &format!("/patients/{}/chart", s.c.patients[1])).await;
    assert_eq!(empty.status, 200);
    assert!(empty.has("id=\"chart-empty\""));
    assert!(!empty.has("w-done"));

    // HQ reads the chart; in Mongolian too.
    let hq = hq_session(&app, "hq", "mn").await;
    let page = hq.get(&app, &format!("/patients/{p}/chart")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.has("Шүд 16"));
    assert!(tooth_element(&page, "P-UR-6").contains("w-done"));
});

backend_test!(spawn_app -> TestApp, async fn a_childs_chart_shows_the_primary_teeth(app) {
    let s = setup(&app).await;
    // Born 10 May 2022 (month 25: born in the 2000s).
    let (status, child) = post(&app, "/api/v1/patients", &s.c.desk, json!({
        "register_number": "УБ22251012", "first_name": "Хүү", "last_name": "Бат",
        "phones": [{"number": "99887766", "is_primary": true}, {"number": "88887766"}],
    })).await;
    assert_eq!(status, 201, "{child}");
    let child = child["patient_id"].as_i64().unwrap();
    let t = record(&app, &s, child, None, json!([
        {"service_id": s.filling, "scope": "single_tooth", "teeth": ["55"]},
    ])).await;
    let desk = desk(&app).await;
    // Under 14: both dentitions by default, the primary tooth 55 marked.
    let page = desk.get(&app, &format!("/patients/{child}/chart")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.body.matches("data-ui-key=").count(), 52);
    assert!(page.has("data-dentition=\"primary\""));
    let tag = tooth_tag(&page, "D-UR-5");
    assert!(tag.contains("primary"), "{tag}");
    assert!(tooth_element(&page, "D-UR-5").contains("w-done"));
    assert!(tooth_element(&page, "D-UR-5").contains(">55</text>"));
    assert!(part(&page, "chart-tooth-D-UR-5", "<section").contains(&format!("href=\"/treatments/{t}\"")));
    assert!(links(&page.body).contains("dentition=both\" aria-current=\"true\""));
    // The primary teeth alone; Universal letters them.
    let primary = desk.get(&app, &format!("/patients/{child}/chart?dentition=primary&system=universal")).await;
    assert_eq!(primary.status, 200);
    assert_eq!(primary.body.matches("data-ui-key=").count(), 20);
    assert!(tooth_element(&primary, "D-UR-5").contains(">A</text>"));
    // The permanent teeth alone: 55 is not drawn, the page says so and offers both.
    let permanent = desk.get(&app, &format!("/patients/{child}/chart?dentition=permanent")).await;
    assert_eq!(permanent.body.matches("data-ui-key=").count(), 32);
    let hidden = part(&permanent, "chart-hidden", "</p>");
    assert!(hidden.contains("55"), "{hidden}");
    assert!(links(hidden).contains(&format!("href=\"/patients/{child}/chart?system=fdi&dentition=both\"")));
    assert!(permanent.has("id=\"chart-tooth-D-UR-5\""), "its items are still listed");
});

backend_test!(spawn_app -> TestApp, async fn the_patient_page_shows_treatments_the_chart_and_invoices(app) {
    let s = setup(&app).await;
    let p = s.c.patients[0];
    let first = record(&app, &s, p, Some("2020-03-02T10:20:00+08:00"), json!([
        {"service_id": s.filling, "scope": "multi_tooth", "teeth": ["16", "17"]},
    ])).await;
    let second = record(&app, &s, p, None, json!([
        {"service_id": s.scaling, "scope": "none"},
        {"service_id": s.filling, "scope": "single_tooth", "teeth": ["26"]},
    ])).await;
    let (status, paid) = post(&app, &format!("/api/v1/treatments/{first}/payments"), &s.c.desk,
        json!({"amount": 50_000, "method": "cash"})).await;
    assert_eq!(status, 201, "{paid}");

    let desk = desk(&app).await;
    let page = desk.get(&app, &format!("/patients/{p}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    // Treatments, newest first: date, doctor, services (doctors' names, with teeth), totals.
    let treatments = part(&page, "patient-treatments", "<section");
    assert_eq!(treatment_ids(treatments), [second, first]);
    assert!(treatments.contains(&format!("href=\"/treatments/{first}\"")));
    assert!(treatments.contains(&format!("href=\"/treatments/{second}\"")));
    assert!(treatments.contains("2020-03-02 10:20"));
    assert!(treatments.contains(DOCTOR));
    assert!(treatments.contains("<li>Filling <span class=\"service-teeth\">(16, 17)</span></li>"), "{treatments}");
    assert!(treatments.contains("<li>Scaling</li><li>Filling <span class=\"service-teeth\">(26)</span></li>"), "{treatments}");
    assert!(treatments.contains("60 000 ₮") && treatments.contains("10 000 ₮"), "total and balance of the first");
    assert!(treatments.contains("230 000 ₮"), "total of the second");
    assert!(!treatments.contains("(patient)"), "staff read the doctors' names");
    // A receptionist does not record treatments.
    assert!(!treatments.contains("id=\"record-treatment\""));
    // The chart's link.
    assert!(part(&page, "patient-chart", "<section").contains(&format!("href=\"/patients/{p}/chart\"")));
    // The account over every treatment, and the invoices.
    let invoices = part(&page, "patient-invoices", "<section");
    assert!(invoices.contains("id=\"account-total\">290 000 ₮<"), "{invoices}");
    assert!(invoices.contains("id=\"account-paid\">50 000 ₮<"), "{invoices}");
    assert!(invoices.contains("id=\"account-balance\" class=\"balance-due\">240 000 ₮<"), "{invoices}");
    assert_eq!(treatment_ids(invoices), [second, first]);
    assert!(invoices.contains(&format!("href=\"/treatments/{first}/invoice\"")));
    assert!(invoices.contains(&format!("href=\"/treatments/{second}/invoice\"")));
    assert!(!page.has("class=\"panel later\" id=\"patient-treatments\""), "no placeholder left");

    // A doctor may record one (once the treatment form's rule exists).
    let doctor = signed_in(&app, "dr", "en").await;
    let page = doctor.get(&app, &format!("/patients/{p}")).await;
    assert_eq!(page.status, 200);
    let button = format!("href=\"/patients/{p}/treatments/new\" id=\"record-treatment\"");
    assert_eq!(
        page.has(&button),
        rule_for("POST", "/patients/{patient_id}/treatments").is_some(),
        "{}",
        page.body
    );
    // HQ reads everything, records nothing.
    let hq = hq_session(&app, "hq", "en").await;
    let page = hq.get(&app, &format!("/patients/{p}")).await;
    assert_eq!(page.status, 200);
    assert_eq!(treatment_ids(part(&page, "patient-treatments", "<section")), [second, first]);
    assert!(page.has("id=\"account-balance\" class=\"balance-due\">240 000 ₮<"));
    assert!(page.has(&format!("href=\"/patients/{p}/chart\"")));
    assert!(!page.has("id=\"record-treatment\""));

    // Nothing yet: friendly lines and a zero account.
    let other = s.c.patients[1];
    let page = desk.get(&app, &format!("/patients/{other}")).await;
    assert!(page.has("id=\"no-treatments\"") && page.has("id=\"no-invoices\""));
    assert!(page.has("id=\"account-balance\">0 ₮<"), "{}", page.body);
    // Only the latest ten are listed; the account counts every one.
    for _ in 0..11 {
        record(&app, &s, other, None, json!([{"service_id": s.scaling, "scope": "none"}])).await;
    }
    let page = desk.get(&app, &format!("/patients/{other}")).await;
    assert_eq!(treatment_ids(part(&page, "treatments-list", "</table>")).len(), 10);
    assert!(page.has("The latest 10 are shown."));
    assert!(page.has("id=\"account-total\">2 200 000 ₮<"));
});

backend_test!(spawn_app -> TestApp, async fn a_patient_sees_only_their_own_record_on_the_portal(app) {
    let s = setup(&app).await;
    let (mine, theirs) = (s.c.patients[0], s.c.patients[1]);
    let portal_user = app.create_user("portal", Role::Patient).await;
    let (status, linked) = patch(&app, &format!("/api/v1/patients/{mine}"), &s.c.admin, json!({"user_id": portal_user})).await;
    assert_eq!(status, 200, "{linked}");
    let t = record(&app, &s, mine, None, json!([
        {"service_id": s.filling, "scope": "multi_tooth", "teeth": ["16", "17"]},
    ])).await;
    let other_t = record(&app, &s, theirs, None, json!([{"service_id": s.scaling, "scope": "none"}])).await;
    let (status, _) = post(&app, &format!("/api/v1/treatments/{t}/payments"), &s.c.desk,
        json!({"amount": 20_000, "method": "qpay"})).await;
    assert_eq!(status, 201);
    let visit = booked(&app, &s.c.desk, json!({
        "patient_id": mine, "doctor_id": s.c.doctors[0],
        "start_at": "2030-01-07T10:00:00+08:00", "planned_service_id": s.filling,
    })).await;
    let other_visit = booked(&app, &s.c.desk, json!({
        "patient_id": theirs, "doctor_id": s.c.doctors[0],
        "start_at": "2030-01-07T11:00:00+08:00", "planned_service_id": s.scaling,
    })).await;

    let me = signed_in(&app, "portal", "en").await;
    let home = me.get(&app, "/").await;
    assert_eq!(home.status, 200, "{}", home.body);
    // Greeted by their first name (not the login), spoken to as a patient (no role line).
    assert!(home.has("<h1 id=\"home-greeting\">Welcome, Нэр0</h1>"), "{}", home.body);
    assert!(!home.has("Welcome, portal") && !home.has("Your role"), "{}", home.body);
    // My coming appointment, by the service's name for patients.
    let appointments = part(&home, "portal-appointments", "<section");
    assert!(appointments.contains(&format!("data-appointment-id=\"{}\"", visit["appointment_id"])));
    assert!(!appointments.contains(&format!("data-appointment-id=\"{}\"", other_visit["appointment_id"])));
    assert!(appointments.contains("2030-01-07 10:00–10:30"), "{appointments}");
    assert!(appointments.contains("<td>Filling (patient)</td>"), "{appointments}");
    assert!(appointments.contains(DOCTOR));
    // My treatment: services by the names patients see, teeth, charges.
    let treatments = part(&home, "portal-treatments", "<section");
    assert_eq!(treatment_ids(treatments), [t]);
    assert!(treatments.contains("<td>Filling (patient)</td>"), "{treatments}");
    assert!(treatments.contains("<td>16, 17</td>"));
    assert!(treatments.contains("60 000 ₮"));
    // My invoices and what I owe.
    let invoices = part(&home, "portal-invoices", "<section");
    assert!(invoices.contains("id=\"account-total\">60 000 ₮<"), "{invoices}");
    assert!(invoices.contains("id=\"account-paid\">20 000 ₮<"));
    assert!(invoices.contains("Left to pay: 40 000 ₮."));
    assert_eq!(treatment_ids(invoices), [t]);
    // Nothing of anyone else's, and never the doctors' names of services.
    assert!(!home.has(&format!("data-treatment-id=\"{other_t}\"")));
    assert!(!home.has("Scaling"));
    assert!(!home.has("<td>Filling</td>") && !home.has(">Filling<"));
    assert!(!home.has("/treatments/"), "no links to staff pages");
    // The staff's pages of the record are refused.
    for path in [
        format!("/patients/{mine}/chart"),
        format!("/patients/{mine}"),
        format!("/patients/{theirs}/chart"),
    ] {
        let refused = me.get(&app, &path).await;
        assert_eq!(refused.status, 403, "{path}");
        assert!(refused.has("id=\"error-403\""));
    }
    // In Mongolian.
    let mn = signed_in(&app, "portal", "mn").await.get(&app, "/").await;
    assert!(mn.has("Таны эмчилгээ") && mn.has("Төлөх үлдэгдэл: 40 000 ₮."), "{}", mn.body);
    assert!(mn.has("Сайн байна уу, Нэр0") && !mn.has("Таны үүрэг"), "{}", mn.body);

    // A portal account with no record linked: a friendly message, not an error.
    let lonely = session(&app, "lonely", Role::Patient, "en").await;
    let home = lonely.get(&app, "/").await;
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(home.has("id=\"portal-no-record\""));
    assert!(!home.has("id=\"portal-treatments\""));
    // Staff keep their start page.
    let staff_home = desk(&app).await.get(&app, "/").await;
    assert_eq!(staff_home.status, 200);
    assert!(!staff_home.has("portal-"), "{}", staff_home.body);
});

backend_test!(spawn_app -> TestApp, async fn the_chart_and_the_patient_page_show_findings_and_the_plan(app) {
    let s = setup(&app).await;
    let p = s.c.patients[0];
    let (status, caries) = post(&app, &format!("/api/v1/patients/{p}/findings"), &s.doctor,
        json!({"tooth": "36", "system": "fdi", "kind": "caries", "surfaces": ["distal"]})).await;
    assert_eq!(status, 201, "{caries}");
    let (status, _) = post(&app, &format!("/api/v1/patients/{p}/findings"), &s.doctor,
        json!({"tooth": "46", "system": "fdi", "kind": "missing"})).await;
    assert_eq!(status, 201);
    let (status, plan) = post(&app, &format!("/api/v1/patients/{p}/treatment-plans"), &s.doctor, json!({
        "doctor_id": s.c.doctors[0], "title": "Fillings",
        "items": [{"service_id": s.filling, "scope": "single_tooth", "teeth": ["36"], "system": "fdi",
                   "surfaces": ["distal"], "finding_id": caries["finding_id"]}],
    })).await;
    assert_eq!(status, 201, "{plan}");
    let desk = desk(&app).await;
    let chart = desk.get(&app, &format!("/patients/{p}/chart")).await;
    assert_eq!(chart.status, 200);
    let tooth = tooth_element(&chart, "P-LL-6");
    assert!(tooth.contains("surface surface-distal s-path s-planned"), "{tooth}");
    assert!(tooth_element(&chart, "P-LR-6").contains("glyph missing"));
    assert!(part(&chart, "chart-findings", "<section").contains("Caries"));
    assert!(part(&chart, "chart-plans", "<section").contains("Fillings"));
    assert!(!chart.has("id=\"chart-form\""), "a receptionist does not chart");
    let page = desk.get(&app, &format!("/patients/{p}")).await;
    assert_eq!(page.status, 200);
    let findings = part(&page, "patient-findings", "</p>");
    assert!(findings.contains("36 Caries D") && findings.contains("46 Missing"), "{findings}");
    let plan_line = part(&page, "patient-plan", "</p>");
    assert!(plan_line.contains("Fillings") && plan_line.contains("0 of 1 done"), "{plan_line}");
    assert!(plan_line.contains("30 000 ₮ still to do"), "{plan_line}");
    // The doctor charts; the plan page and estimate open for the desk too.
    let dr = signed_in(&app, "dr", "en").await;
    assert!(dr.get(&app, &format!("/patients/{p}/chart")).await.has("id=\"chart-form\""));
    let plan_id = plan["plan_id"].as_i64().unwrap();
    let plan_page = desk.get(&app, &format!("/treatment-plans/{plan_id}")).await;
    assert_eq!(plan_page.status, 200);
    assert!(!plan_page.has("plan-move-presented"), "a receptionist does not move it");
    let estimate = desk.get(&app, &format!("/treatment-plans/{plan_id}/estimate")).await;
    assert_eq!(estimate.status, 200);
    assert!(estimate.has("30 000 ₮"));
});
