//! The demo clinic (`dcms serve --demo`, `dcms demo generate`): generated on each backend and
//! checked as the clinic would see it through the API, and directly in the tables: valid
//! register numbers and phones, no double-booked doctor, reports equal to SQL sums, and the
//! ordinary use cases still working after the bulk-written ids.
use crate::backend_test;
use crate::helpers::{TestApp, served_address, spawn_serve};
use crate::reports::{sql_charges, sql_paid, start};
use dcms_domain::{Gender, Phone, RegisterNumber};
use dcms_server::demo::{self, DEMO_PASSWORD, ScaleOptions};
use dcms_store::entity::{
    appointment, call, patient, patient_phone, service_catalog, treatment_item,
    treatment_item_tooth,
};
use dcms_store::sea_orm::EntityTrait;
use dcms_store::time::from_db;
use jiff::ToSpan;
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

async fn demo_login(app: &TestApp, username: &str) -> String {
    app.token_from(json!({"username": username, "password": DEMO_PASSWORD}))
        .await
}

/// `GET` asserting 200; the answer.
async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let (status, body) = app.get_json(path, token).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

backend_test!(spawn_app -> TestApp, async fn the_demo_clinic_is_valid_and_usable(app) {
    let options = ScaleOptions {
        chart_visits: 40,
        ..ScaleOptions::demo_clinic()
    };
    let summary = demo::generate(&app.store, &app.audit, &options).await.unwrap();
    assert_eq!(summary.patients, 300);
    assert!(summary.phones >= 600, "{summary:?}");
    assert!(summary.appointments >= 600 && summary.treatments > 300, "{summary:?}");
    assert!(summary.payments > 0 && summary.calls > 0 && summary.sms > 0, "{summary:?}");
    let usernames: Vec<&str> = summary.logins.iter().map(|l| l.username.as_str()).collect();
    for expected in ["admin", "manager", "reception", "doctor1", "doctor5", "patient"] {
        assert!(usernames.contains(&expected), "{usernames:?}");
    }

    // Staff, doctors and the service list, as the manager sees them.
    let manager = demo_login(&app, "manager").await;
    let doctors = get(&app, &manager, "/api/v1/doctors").await;
    assert_eq!(doctors["items"].as_array().unwrap().len(), 5, "{doctors}");
    let staff = get(&app, &manager, "/api/v1/employees").await;
    assert!(staff["items"].as_array().unwrap().len() >= 8, "{staff}");
    let services = get(&app, &manager, "/api/v1/services").await;
    let services = services["items"].as_array().unwrap();
    assert!(services.len() >= 15);
    assert!(services.iter().all(|s| s["price"].as_i64().unwrap() > 0));
    assert!(services.iter().any(|s| s["doctor_display_name"].as_str().unwrap().contains("ломбо")));

    // Every patient: a valid register number that agrees with the birthday and sex, at
    // least two valid phones, exactly one primary.
    let db = app.store.connection();
    let patients = patient::Entity::find().all(db).await.unwrap();
    assert_eq!(patients.len(), 300);
    let mut phones: HashMap<i64, Vec<patient_phone::Model>> = HashMap::new();
    for phone in patient_phone::Entity::find().all(db).await.unwrap() {
        phones.entry(phone.patient_id).or_default().push(phone);
    }
    for p in &patients {
        let number = RegisterNumber::parse(&p.register_number).unwrap();
        assert_eq!(number.as_str(), p.register_number);
        assert_eq!(dcms_store::time::date_to_db(number.birthday()), p.birthday);
        assert_eq!(number.sex(), Gender::from_code(p.gender).unwrap());
        let own = &phones[&p.patient_id];
        assert!(own.len() >= 2, "patient {} has {} phones", p.patient_id, own.len());
        assert_eq!(own.iter().filter(|f| f.is_primary).count(), 1);
        for f in own {
            assert_eq!(Phone::parse(&f.phone_number_val).unwrap().as_str(), f.phone_number_val);
            // The search keys are written with the bulk rows too.
            assert_eq!(f.phone_number_rev, dcms_domain::reversed_digits(&f.phone_number_val));
        }
        assert_eq!(p.last_name_fold, dcms_domain::fold_name_key(&p.last_name_key));
        assert_eq!(p.first_name_fold, dcms_domain::fold_name_key(&p.first_name_key));
    }

    // A past month and a coming week, and no doctor booked twice at once.
    let now = jiff::Timestamp::now();
    let appointments = appointment::Entity::find().all(db).await.unwrap();
    let starts: Vec<jiff::Timestamp> = appointments.iter().map(|a| from_db(a.start_at)).collect();
    assert!(starts.iter().any(|s| *s < now - 25.days().to_duration(jiff::SpanRelativeTo::days_are_24_hours()).unwrap()));
    assert!(starts.iter().any(|s| *s > now + 5.days().to_duration(jiff::SpanRelativeTo::days_are_24_hours()).unwrap()));
    let mut by_doctor: HashMap<i64, Vec<&appointment::Model>> = HashMap::new();
    for a in appointments.iter().filter(|a| a.status != 1) {
        by_doctor.entry(a.doctor_id).or_default().push(a);
    }
    for list in by_doctor.values_mut() {
        list.sort_by_key(|a| a.start_at);
        for pair in list.windows(2) {
            assert!(pair[0].end_at <= pair[1].start_at, "double booking: {:?} {:?}", pair[0], pair[1]);
        }
    }

    // Came, finished and no-show only for appointments that had started.
    for a in &appointments {
        if matches!(a.status, 3..=5) {
            assert!(from_db(a.start_at) <= now, "{a:?}");
        }
    }
    // Services go to teeth that fit them: a wisdom tooth's extraction to a permanent third
    // molar, a milk tooth's to a primary tooth.
    let service_names: HashMap<i64, String> = service_catalog::Entity::find().all(db).await.unwrap()
        .into_iter().map(|s| (s.service_id, s.doctor_display_name)).collect();
    let items: HashMap<i64, i64> = treatment_item::Entity::find().all(db).await.unwrap()
        .into_iter().map(|i| (i.treatment_item_id, i.service_id)).collect();
    let teeth = treatment_item_tooth::Entity::find().all(db).await.unwrap();
    assert!(!teeth.is_empty());
    let mut wisdom = 0;
    for t in &teeth {
        let tooth = dcms_domain::all_teeth()[t.tooth_id as usize - 1];
        let name = &service_names[&items[&t.treatment_item_id]];
        if name.starts_with("Ухаан шүд") {
            wisdom += 1;
            assert!(tooth.name.contains("third molar"), "{name} on {}", tooth.name);
        }
        if name.starts_with("Сүүн шүд") {
            assert_eq!(tooth.dentition, dcms_domain::Dentition::Primary, "{name} on {}", tooth.name);
        }
    }
    assert!(wisdom > 0, "some wisdom teeth are extracted");
    // Calls come within opening hours (09:00-18:00 on weekdays, 10:00-15:00 on Saturdays).
    let calls = call::Entity::find().all(db).await.unwrap();
    assert!(!calls.is_empty());
    for c in &calls {
        let local = from_db(c.begin_call).to_zoned(jiff::tz::TimeZone::get("Asia/Ulaanbaatar").unwrap());
        let (open, close) = match local.weekday() {
            jiff::civil::Weekday::Sunday => panic!("a call on a Sunday: {c:?}"),
            jiff::civil::Weekday::Saturday => (10, 15),
            _ => (9, 18),
        };
        assert!((open..close).contains(&local.hour()), "a call at {local}");
        assert!(from_db(c.begin_call) <= now, "{c:?}");
    }
    // The reminder asks for a reply "1", and the clinic acts on one.
    let settings = get(&app, &manager, "/api/v1/settings").await;
    assert_eq!(settings["sms_confirm_replies"], true, "{settings}");
    assert!(settings["reminder_template"].as_str().unwrap().contains("1 гэж хариулна"), "{settings}");

    // The reports agree with sums computed in SQL over the demo's month.
    let zone = jiff::tz::TimeZone::get("Asia/Ulaanbaatar").unwrap();
    let today = now.to_zoned(zone.clone()).date();
    let from = today - 40.days();
    let revenue = get(
        &app,
        &manager,
        &format!("/api/v1/reports/revenue?from={from}&to={today}&group_by=doctor"),
    )
    .await;
    let (lo, hi) = (start(from, &zone), start(today + 1.day(), &zone));
    assert_eq!(revenue["total_charges"].as_i64().unwrap(), sql_charges(&app, lo, hi).await);
    assert_eq!(revenue["total_paid"].as_i64().unwrap(), sql_paid(&app, lo, hi, None).await);
    assert!(revenue["total_paid"].as_i64().unwrap() > 0);
    let yesterday = today - 1.day();
    let day = get(&app, &manager, &format!("/api/v1/reports/day?date={yesterday}")).await;
    assert!(day["doctors"].is_array(), "{day}");

    // The long chart, and the patient portal's login linked to that patient.
    let chart_patient = summary.chart_patient_id.unwrap();
    let treatments = get(&app, &manager, &format!("/api/v1/patients/{chart_patient}/treatments")).await;
    assert!(!treatments["items"].as_array().unwrap().is_empty(), "{treatments}");
    get(&app, &manager, &format!("/api/v1/patients/{chart_patient}/chart")).await;
    let patient = demo_login(&app, "patient").await;
    let me = get(&app, &patient, "/api/v1/me/patient").await;
    assert_eq!(me["patient_id"].as_i64(), Some(chart_patient));

    // Ids continue after the bulk-written ones on every backend (PostgreSQL's sequences).
    let reception = demo_login(&app, "reception").await;
    let (status, created) = app.call(Method::POST, "/api/v1/patients", &reception, Some(json!({
        "register_number": "УБ99123112",
        "first_name": "Тэст",
        "last_name": "Демо",
        "phones": [
            {"number": "99112233", "label": "Өөрийн", "is_primary": true},
            {"number": "88112233", "label": "Ээж", "is_primary": false},
        ],
    }))).await;
    assert_eq!(status, 201, "{created}");
    assert!(created["patient_id"].as_i64().unwrap() > patients.iter().map(|p| p.patient_id).max().unwrap());

    // A second generation adds to the clinic (no register number twice) and the audit chain
    // of the clinic's setup still verifies.
    let more = demo::generate(&app.store, &app.audit, &ScaleOptions { patients: 50, seed: 10, ..ScaleOptions::demo_clinic() })
        .await
        .unwrap();
    assert_eq!(more.patients, 50);
    assert!(more.logins.is_empty());
    assert_eq!(patient::Entity::find().all(db).await.unwrap().len(), 351);
    app.audit.flush().await;
    let report = app.audit.verify().await.unwrap();
    assert!(report.first_bad_row.is_none(), "{report:?}");
});

/// `dcms serve --demo` on an empty SQLite file prints the logins and serves the clinic; on
/// the second start it adds nothing.
#[test]
fn serve_demo_fills_an_empty_database_once() {
    let dir = std::env::temp_dir().join(format!("dcms-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("demo.db").display());
    let start = |expect: &str| {
        let mut child = spawn_serve(&url, &dir.join("audit.key"), &["--demo"], Stdio::piped());
        let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut seen = Vec::new();
        while let Some(Ok(line)) = out.next() {
            let done = line.contains(expect);
            seen.push(line);
            if done {
                break;
            }
        }
        assert!(seen.iter().any(|l| l.contains(expect)), "{seen:?}");
        let mut err = BufReader::new(child.stderr.take().unwrap()).lines();
        let address = served_address(&mut err);
        let drain = std::thread::spawn(move || err.map_while(Result::ok).collect::<Vec<_>>());
        let rest = std::thread::spawn(move || out.map_while(Result::ok).collect::<Vec<_>>());
        (child, seen, address.unwrap(), (drain, rest))
    };

    let (mut child, seen, address, drain) = start("patient ");
    assert!(seen.iter().any(|l| l.contains("300 patients")), "{seen:?}");
    assert!(seen.iter().any(|l| l.contains(DEMO_PASSWORD)), "{seen:?}");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = reqwest::Client::new();
        let login: Value = client
            .post(format!("http://{address}/api/v1/auth/login"))
            .json(&json!({"username": "manager", "password": DEMO_PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = login["token"].as_str().unwrap();
        let patients: Value = client
            .get(format!("http://{address}/api/v1/patients?limit=200"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            patients["items"].as_array().unwrap().len(),
            200,
            "{patients}"
        );
    });
    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    let (log, out) = (drain.0.join().unwrap(), drain.1.join().unwrap());
    assert!(status.success(), "{status:?} {log:?} {out:?}");

    let (mut child, _, _, drain) = start("nothing was added");
    // SAFETY: as above.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    let (log, out) = (drain.0.join().unwrap(), drain.1.join().unwrap());
    assert!(status.success(), "{status:?} {log:?} {out:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

backend_test!(spawn_app -> TestApp, async fn the_days_figures_equal_the_day_and_revenue_reports(app) {
    // What a head office pulls (GET /api/v1/reports/days) against the clinic's own reports, on
    // a demo clinic's past month: equal to the tugrik, day by day and doctor by doctor.
    let options = ScaleOptions { patients: 120, seed: 77, ..ScaleOptions::demo_clinic() };
    demo::generate(&app.store, &app.audit, &options).await.unwrap();
    let manager = demo_login(&app, "manager").await;
    let today = jiff::Timestamp::now().in_tz("Asia/Ulaanbaatar").unwrap().date();
    let from = today.checked_sub(35.days()).unwrap();
    let days = get(&app, &manager, &format!("/api/v1/reports/days?from={from}&to={today}")).await;
    let days = days.as_array().unwrap();
    assert_eq!(days.len(), 36);
    let mut total_charges = 0;
    let mut doctor_charges: HashMap<i64, i64> = HashMap::new();
    let mut doctor_paid: HashMap<i64, i64> = HashMap::new();
    for d in days {
        let date = d["date"].as_str().unwrap();
        let report = get(&app, &manager, &format!("/api/v1/reports/day?date={date}")).await;
        assert_eq!(d["charges"], report["charges"], "{date}");
        let paid: i64 = report["payments_by_method"].as_object().unwrap().values().map(|v| v.as_i64().unwrap()).sum();
        assert_eq!(d["paid"].as_i64(), Some(paid), "{date}");
        for status in ["reserved", "canceled", "confirmed", "no_show", "came", "finished"] {
            let by_doctors: i64 = report["doctors"].as_array().unwrap().iter().map(|r| r["by_status"][status].as_i64().unwrap()).sum();
            assert_eq!(d["appointments"][status].as_i64(), Some(by_doctors), "{date} {status}");
        }
        let sum = |key: &str| d["doctors"].as_array().unwrap().iter().map(|r| r[key].as_i64().unwrap()).sum::<i64>();
        assert_eq!(d["charges"].as_i64(), Some(sum("charges")));
        assert_eq!(d["paid"].as_i64(), Some(sum("paid")));
        for r in d["doctors"].as_array().unwrap() {
            let id = r["doctor_id"].as_i64().unwrap();
            *doctor_charges.entry(id).or_default() += r["charges"].as_i64().unwrap();
            *doctor_paid.entry(id).or_default() += r["paid"].as_i64().unwrap();
            assert!(!r["name"].as_str().unwrap().starts_with('#'), "{r}");
        }
        total_charges += d["charges"].as_i64().unwrap();
    }
    assert!(total_charges > 0, "the demo month has charges");
    let revenue = get(&app, &manager, &format!("/api/v1/reports/revenue?from={from}&to={today}&group_by=doctor")).await;
    assert_eq!(revenue["total_charges"].as_i64(), Some(total_charges));
    for row in revenue["rows"].as_array().unwrap() {
        let id = row["key"].as_i64().unwrap();
        assert_eq!(row["charges"].as_i64(), Some(doctor_charges.get(&id).copied().unwrap_or(0)), "{row}");
        assert_eq!(row["paid"].as_i64(), Some(doctor_paid.get(&id).copied().unwrap_or(0)), "{row}");
    }
    // New patients: the demo registers its patients over the past; the days' sum is the
    // number created in the range.
    let created_in_range = patient::Entity::find().all(app.store.connection()).await.unwrap().into_iter()
        .filter(|p| {
            let day = from_db(p.created_at).in_tz("Asia/Ulaanbaatar").unwrap().date();
            day >= from && day <= today
        })
        .count() as i64;
    assert!(created_in_range > 0, "the demo registers patients in the month");
    assert_eq!(days.iter().map(|d| d["new_patients"].as_i64().unwrap()).sum::<i64>(), created_in_range);
    // HQ reads it; a doctor does not; a bad range is 422.
    assert_eq!(app.get_json(&format!("/api/v1/reports/days?from={today}&to={from}"), &manager).await.0, 422);
    let doctor = demo_login(&app, "doctor1").await;
    assert_eq!(app.get_json(&format!("/api/v1/reports/days?from={from}&to={today}"), &doctor).await.0, 403);
});
