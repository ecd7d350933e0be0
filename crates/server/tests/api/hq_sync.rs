//! DCMS HQ's clinics and sync through HTTP against real clinic servers (issue 24, the part
//! built): adding clinics (fields checked, a code once), connecting each with a manager's
//! login (a wrong password and a doctor refused; the token sealed with HQ's key, opening a
//! session the clinic knows); two demo clinics with different seeds and one that cannot be
//! reached; HQ's own schema on
//! the backend under test; figures by day equal to each clinic's own revenue report to the
//! tugrik; a second sync replacing the days wholly; the unreachable clinic failing without
//! stopping the others; a revoked HQ session said plainly, the figures kept.
use crate::backend_test;
use crate::helpers::{TestApp, TestBackend, TestDatabase, spawn_app};
use dcms_server::demo::{self, DEMO_PASSWORD, ScaleOptions};
use dcms_server::services::ServiceError;
use dcms_server::services::hq::clinics::{self, HqKey, NewClinicInput};
use dcms_server::services::hq::sync::{self, SyncError};
use dcms_store::hq::{self, NewClinic};
use dcms_store::time::{date_to_db, now};
use jiff::ToSpan;
use reqwest::Method;
use serde_json::json;

async fn demo_clinic(app: &TestApp, seed: u64) -> String {
    let options = ScaleOptions {
        patients: 80,
        seed,
        ..ScaleOptions::demo_clinic()
    };
    demo::generate(&app.store, &app.audit, &options)
        .await
        .unwrap();
    // A manager's login opens the HQ session (the password is used once, never kept).
    app.token_from(json!({"username": "manager", "password": DEMO_PASSWORD, "session_type": "hq"}))
        .await
}

backend_test!(spawn_app -> TestApp, async fn hq_pulls_each_clinics_days_equal_to_its_own_reports(first) {
    let Some(second) = spawn_app(TestBackend::Sqlite).await else { return };
    let hq_db = TestDatabase::create(first.db.backend).await.unwrap();
    let store = hq_db.store().await;
    hq::migrate(&store).await.unwrap();
    hq::migrate(&store).await.unwrap(); // applying again changes nothing
    demo_clinic(&first, 11).await;
    demo_clinic(&second, 22).await;
    let key_path = std::env::temp_dir().join(format!("dcms-hq-key-{}-{:?}", std::process::id(), first.db.backend));
    let _ = std::fs::remove_file(&key_path);
    let key = HqKey::load_or_create(&key_path).unwrap();
    let http = sync::client();
    // Adding: each field checked; a code once.
    let refused = clinics::add(&store, NewClinicInput { name: Some(" ".into()), code: Some("бад код".into()), base_url: Some("ftp://x".into()) }).await;
    let Err(ServiceError::Invalid(errors)) = refused else { panic!("{refused:?}") };
    assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["name", "code", "base_url"]);
    let mut ids = Vec::new();
    for (i, app) in [&first, &second].into_iter().enumerate() {
        let row = clinics::add(&store, NewClinicInput { name: Some(format!("Салбар {i}")), code: Some(format!("C{i}")), base_url: Some(format!("{}/", app.address)) }).await.unwrap();
        assert!(!row.base_url.ends_with('/'));
        // A wrong password is refused and nothing kept; a doctor may not open an HQ session.
        let wrong = clinics::connect(&store, &http, &key, row.clinic_id, "manager", "wrong password").await;
        assert!(matches!(&wrong, Err(ServiceError::Invalid(e)) if e[0].field == "password"), "{wrong:?}");
        let doctor = clinics::connect(&store, &http, &key, row.clinic_id, "doctor1", DEMO_PASSWORD).await;
        assert!(matches!(&doctor, Err(ServiceError::Invalid(e)) if e[0].field == "username"), "{doctor:?}");
        let connected = clinics::connect(&store, &http, &key, row.clinic_id, "manager", DEMO_PASSWORD).await.unwrap();
        let sealed = connected.session_token.clone().unwrap();
        assert!(!sealed.contains(DEMO_PASSWORD));
        assert!(connected.session_expires_at.is_some());
        // The clinic lists HQ's session among the manager's sessions.
        let token = key.open(&sealed).unwrap();
        let (status, me) = app.get_json("/api/v1/auth/me", &token).await;
        assert_eq!(status, 200, "{me}");
        ids.push(row.clinic_id);
    }
    assert!(matches!(clinics::add(&store, NewClinicInput { name: Some("again".into()), code: Some("C0".into()), base_url: Some("http://x".into()) }).await, Err(ServiceError::Conflict(_))), "a code is unique");
    let mut down = hq::insert_clinic(store.connection(), NewClinic {
        name: "Хаалттай".into(), code: "DOWN".into(), base_url: "http://127.0.0.1:9".into(), now: now(),
    }).await.unwrap();
    down.session_token = Some(key.seal("x").unwrap());
    hq::save_clinic(store.connection(), down.clone()).await.unwrap();

    let today = jiff::Timestamp::now().in_tz("Asia/Ulaanbaatar").unwrap().date();
    let from = today.checked_sub(100.days()).unwrap();
    let outcomes = sync::sync_all(&store, &http, &key, today, Some(from)).await.unwrap();
    assert_eq!(outcomes.len(), 3);
    for (id, outcome) in &outcomes {
        if *id == down.clinic_id {
            assert!(matches!(outcome, Err(SyncError::Unreachable(_))), "{outcome:?}");
        } else {
            assert_eq!(outcome.as_ref().ok(), Some(&101), "every day read: {outcome:?}");
        }
    }
    let down_row = hq::clinic(store.connection(), down.clinic_id).await.unwrap().unwrap();
    assert!(down_row.last_error.unwrap().starts_with("unreachable"));
    assert!(down_row.synced_through.is_none());

    // Equal to the tugrik: each clinic's days summed against its own revenue report.
    let range = (date_to_db(from), date_to_db(today));
    for (app, id) in [(&first, ids[0]), (&second, ids[1])] {
        let token = app.token_from(json!({"username": "manager", "password": DEMO_PASSWORD})).await;
        let (status, revenue) = app.get_json(&format!("/api/v1/reports/revenue?from={from}&to={today}&group_by=doctor"), &token).await;
        assert_eq!(status, 200);
        let days = hq::days(store.connection(), id, range).await.unwrap();
        assert_eq!(days.len(), 101);
        assert_eq!(Some(days.iter().map(|d| d.charges).sum::<i64>()), revenue["total_charges"].as_i64());
        assert_eq!(Some(days.iter().map(|d| d.paid).sum::<i64>()), revenue["total_paid"].as_i64());
        assert!(days.iter().map(|d| d.charges).sum::<i64>() > 0);
        let row = hq::clinic(store.connection(), id).await.unwrap().unwrap();
        assert_eq!(row.api_revision, Some(4));
        assert_eq!(row.synced_through, Some(date_to_db(today.yesterday().unwrap())));
        assert!(row.last_error.is_none() && row.last_success_at.is_some());
    }
    // The clinics differ (different seeds), and a second sync replaces rather than adds.
    let before: Vec<i64> = hq::days(store.connection(), ids[0], range).await.unwrap().iter().map(|d| d.charges).collect();
    let other: Vec<i64> = hq::days(store.connection(), ids[1], range).await.unwrap().iter().map(|d| d.charges).collect();
    assert_ne!(before, other);
    let again = sync::sync_clinic(&store, &http, &key, ids[0], today, Some(from)).await.unwrap();
    assert_eq!(again.ok(), Some(REREAD + 2), "the last complete day less seven, to today");
    let after: Vec<i64> = hq::days(store.connection(), ids[0], range).await.unwrap().iter().map(|d| d.charges).collect();
    assert_eq!(before, after);

    // A clinic added anew reads its whole history on its first sync: from its first day.
    let third = clinics::add(&store, NewClinicInput { name: Some("Дахин".into()), code: Some("C9".into()), base_url: Some(second.address.clone()) }).await.unwrap();
    clinics::connect(&store, &http, &key, third.clinic_id, "manager", DEMO_PASSWORD).await.unwrap();
    let manager = second.token_from(json!({"username": "manager", "password": DEMO_PASSWORD})).await;
    let (_, first_day) = second.get_json("/api/v1/reports/first-day", &manager).await;
    let first_day: jiff::civil::Date = first_day["first_day"].as_str().unwrap().parse().unwrap();
    assert!(first_day < today.checked_sub(20.days()).unwrap(), "the demo's past month: {first_day}");
    let whole = sync::sync_clinic(&store, &http, &key, third.clinic_id, today, None).await.unwrap();
    let expected = usize::try_from(first_day.until(today).unwrap().get_days()).unwrap() + 1;
    assert_eq!(whole.ok(), Some(expected));

    // The clinic revokes HQ's session: HQ says so, and keeps the figures it has.
    let hq_token = key.open(&hq::clinic(store.connection(), ids[0]).await.unwrap().unwrap().session_token.unwrap()).unwrap();
    let out = first.with_token(Method::POST, "/api/v1/auth/logout", &hq_token).send().await.unwrap();
    assert_eq!(out.status(), 204);
    let refused = sync::sync_clinic(&store, &http, &key, ids[0], today, Some(from)).await.unwrap();
    assert_eq!(refused, Err(SyncError::Session));
    let row = hq::clinic(store.connection(), ids[0]).await.unwrap().unwrap();
    assert!(row.last_error.unwrap().contains("connect it again"));
    assert_eq!(hq::days(store.connection(), ids[0], range).await.unwrap().len(), 101);
});

const REREAD: usize = sync::REREAD_DAYS as usize;
