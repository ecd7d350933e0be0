//! `dcms backup --to FILE`: a consistent copy of a live SQLite database, taken while patients
//! are being registered; the copy holds every patient acknowledged before the backup started,
//! with their phones, passes SQLite's integrity check, its audit chain verifies, and a server
//! started on it (the documented restore) serves those patients.
use crate::backend_test;
use crate::helpers::{
    TestApp, TestBackend, TestDatabase, assert_sqlite_integrity, register_number, spawn_app,
    test_config,
};
use dcms_domain::Role;
use dcms_server::app::Application;
use dcms_store::entity::{patient, patient_phone};
use dcms_store::sea_orm::EntityTrait;
use dcms_store::{Store, StoreOptions};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn backup(url: &str, key: &std::path::Path, to: &std::path::Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_dcms"))
        .args(["backup", "--to"])
        .arg(to)
        .args(["--database", url])
        .env("DCMS_AUDIT_KEY_FILE", key)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

#[tokio::test]
async fn a_backup_taken_under_load_has_every_record_committed_before_it_started() {
    let app: TestApp = spawn_app(TestBackend::Sqlite).await.unwrap();
    app.create_user("reception", Role::Receptionist).await;
    let token = app.token("reception").await;
    let acknowledged: Arc<Mutex<Vec<(Instant, i64)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let next = Arc::new(AtomicU32::new(0));
    let mut writers = Vec::new();
    for _ in 0..4 {
        let (client, url, token) = (
            app.client.clone(),
            app.url("/api/v1/patients"),
            token.clone(),
        );
        let (acknowledged, stop, next) = (acknowledged.clone(), stop.clone(), next.clone());
        writers.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let response = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({
                        "register_number": register_number(i),
                        "first_name": "Болд",
                        "last_name": "Бат",
                        "phones": [
                            {"number": format!("99{:06}", i), "label": "Өөрийн", "is_primary": true},
                            {"number": format!("88{:06}", i), "label": "Ээж", "is_primary": false},
                        ],
                    }))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 201);
                let body: Value = response.json().await.unwrap();
                let id = body["patient_id"].as_i64().unwrap();
                acknowledged.lock().unwrap().push((Instant::now(), id));
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let dir = std::env::temp_dir().join(format!("dcms-backup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let copy = dir.join("copy.db");
    let started = Instant::now();
    let (url, key, to) = (app.db.url.clone(), app.db.audit_key_file(), copy.clone());
    let out = tokio::task::spawn_blocking(move || backup(&url, &key, &to))
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("backed up to"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    let before: Vec<i64> = acknowledged
        .iter()
        .filter(|(at, _)| *at < started)
        .map(|(_, id)| *id)
        .collect();
    let during = acknowledged.iter().filter(|(at, _)| *at >= started).count();
    assert!(
        before.len() >= 10,
        "writes before the backup: {}",
        before.len()
    );
    assert!(during > 0, "the writes went on while the backup ran");

    // Refused: writing over an existing file.
    let (url, key, to) = (app.db.url.clone(), app.db.audit_key_file(), copy.clone());
    let again = tokio::task::spawn_blocking(move || backup(&url, &key, &to))
        .await
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists"));

    // The copy, read directly.
    let copy_url = format!("sqlite://{}", copy.display());
    let store = Store::connect(&copy_url, &StoreOptions::default())
        .await
        .unwrap();
    assert_sqlite_integrity(&store).await;
    let db = store.connection();
    let ids: HashSet<i64> = patient::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.patient_id)
        .collect();
    let missing: Vec<&i64> = before.iter().filter(|id| !ids.contains(id)).collect();
    assert!(
        missing.is_empty(),
        "acknowledged before the backup but missing: {missing:?}"
    );
    let mut phones: HashMap<i64, usize> = HashMap::new();
    for phone in patient_phone::Entity::find().all(db).await.unwrap() {
        *phones.entry(phone.patient_id).or_default() += 1;
    }
    assert!(
        ids.iter()
            .all(|id| phones.get(id).copied().unwrap_or(0) >= 2)
    );
    store.close().await.unwrap();

    // Restoring is starting the server on the copy.
    let mut config = test_config(&copy_url);
    config.audit_key_file = app.db.audit_key_file();
    let restored = Application::build(config).await.unwrap();
    let verified = restored.audit().verify().await.unwrap();
    assert!(verified.first_bad_row.is_none(), "{verified:?}");
    let address = format!("http://{}", restored.local_addr());
    let restored_store = restored.store().clone();
    tokio::spawn(restored.run_until(std::future::pending()));
    let last = before.iter().max().unwrap();
    let response = app
        .client
        .get(format!("{address}/api/v1/patients/{last}"))
        .bearer_auth(
            // Sessions are in the copy too: the same token works on the restored server.
            &token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    restored_store.close().await.unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

backend_test!(TestDatabase::create -> TestDatabase, async fn backup_names_the_tools_for_database_servers(db) {
    let dir = std::env::temp_dir().join(format!("dcms-backup-tools-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let to = dir.join(format!("{:?}.db", db.backend));
    let out = backup(&db.url, &db.audit_key_file(), &to);
    let stderr = String::from_utf8_lossy(&out.stderr);
    match db.backend {
        TestBackend::Sqlite => assert!(out.status.success(), "{stderr}"),
        TestBackend::Postgres => {
            assert!(!out.status.success());
            assert!(stderr.contains("pg_dump"), "{stderr}");
        }
        TestBackend::MySql => {
            assert!(!out.status.success());
            assert!(stderr.contains("mariadb-dump"), "{stderr}");
        }
    }
    let _ = std::fs::remove_file(&to);
});
