//! The audit trail on each backend: the HMAC chain and what `verify` catches when rows are
//! edited or deleted behind its back, concurrent appends, the buffered reads, the change diff
//! and the filtered, newest-first listing.
use crate::backend_test;
use dcms_server::services::audit::{AuditTrail, changes};
use dcms_store::Store;
use dcms_store::audit::{self, AuditEntry, AuditFilter, AuditKey, VerifyReport};
use dcms_store::entity::{audit_chain_head, audit_log};
use dcms_store::sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, QueryOrder};
use serde_json::json;
use std::time::{Duration, Instant};

fn key() -> AuditKey {
    AuditKey::from_bytes([42; 32])
}

/// Appends `n` entries, each in a write transaction of its own, and returns their ids.
async fn append_n(store: &Store, key: &AuditKey, n: i64) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 1..=n {
        let txn = store.begin_write().await.unwrap();
        let entry = AuditEntry::new("update", "patient", Some(i))
            .with_changes(Some(json!({"first_name": [format!("Бат{i}"), "Дорж"]})));
        ids.push(audit::append(&txn, key, entry).await.unwrap());
        txn.commit().await.unwrap();
    }
    ids
}

async fn rows(store: &Store) -> Vec<audit_log::Model> {
    audit_log::Entity::find()
        .order_by_asc(audit_log::Column::AuditId)
        .all(store.connection())
        .await
        .unwrap()
}

async fn count(store: &Store) -> u64 {
    audit_log::Entity::find()
        .count(store.connection())
        .await
        .unwrap()
}

async fn head(store: &Store) -> audit_chain_head::Model {
    audit_chain_head::Entity::find_by_id(1)
        .one(store.connection())
        .await
        .unwrap()
        .expect("the chain head row")
}

async fn verify(store: &Store, key: &AuditKey) -> VerifyReport {
    audit::verify(store.connection(), key).await.unwrap()
}

fn assert_ok(report: &VerifyReport, rows: u64) {
    assert_eq!(
        report,
        &VerifyReport {
            rows_checked: rows,
            first_bad_row: None,
            problem: None
        }
    );
    assert!(report.is_ok());
}

/// A user row for the foreign keys.
async fn user(store: &Store, name: &str) -> i64 {
    dcms_store::users::create(
        store.connection(),
        dcms_store::users::NewUser {
            username: name.to_owned(),
            display_name: name.to_owned(),
            password_hash: "not-a-hash".to_owned(),
            role: dcms_domain::Role::Doctor,
        },
    )
    .await
    .unwrap()
    .user_id
}

backend_test!(TestDatabase::create -> TestDatabase, async fn appends_chain_consecutive_rows(db) {
    let store = db.store().await;
    let key = key();
    assert_ok(&verify(&store, &key).await, 0);

    let doctor = user(&store, "doctor").await;
    assert_eq!(append_n(&store, &key, 3).await, vec![1, 2, 3]);
    let last = audit::append_batch(&store, &key, vec![
        AuditEntry::read(Some(doctor), None, "patient", 7),
        AuditEntry::new("login", "user", Some(doctor)).by(Some(doctor), None),
    ])
    .await
    .unwrap();
    assert_eq!(last, Some(5));
    assert_eq!(audit::append_batch(&store, &key, vec![]).await.unwrap(), None);

    let all = rows(&store).await;
    assert_eq!(all.iter().map(|r| r.audit_id).collect::<Vec<_>>(), vec![1, 2, 3, 4, 5]);
    assert!(all.windows(2).all(|w| w[0].at <= w[1].at), "times follow ids");
    assert!(all.iter().all(|r| r.hmac.len() == 64));
    assert_eq!(all[3].action, "read");
    assert_eq!(all[3].user_id, Some(doctor));
    assert_eq!(all[3].changes, None);
    let changes: serde_json::Value = serde_json::from_str(all[0].changes.as_deref().unwrap()).unwrap();
    assert_eq!(changes, json!({"first_name": ["Бат1", "Дорж"]}));
    let h = head(&store).await;
    assert_eq!((h.last_audit_id, h.last_hmac.as_str()), (5, all[4].hmac.as_str()));

    assert_ok(&verify(&store, &key).await, 5);
});

backend_test!(TestDatabase::create -> TestDatabase, async fn an_append_rolls_back_with_its_transaction(db) {
    let store = db.store().await;
    let trail = AuditTrail::start(store.clone(), key());
    append_n(&store, &key(), 2).await;

    let txn = store.begin_write().await.unwrap();
    trail.record(&txn, AuditEntry::new("delete", "patient", Some(9))).await.unwrap();
    txn.rollback().await.unwrap();
    assert_eq!(count(&store).await, 2);
    assert_eq!(head(&store).await.last_audit_id, 2);

    let txn = store.begin_write().await.unwrap();
    trail.record(&txn, AuditEntry::new("delete", "patient", Some(9))).await.unwrap();
    txn.commit().await.unwrap();
    assert_eq!(rows(&store).await[2].audit_id, 3, "no id was used up by the rollback");
    assert_ok(&trail.verify().await.unwrap(), 3);
    trail.shutdown().await;
});

backend_test!(TestDatabase::create -> TestDatabase, async fn entries_that_do_not_fit_are_refused(db) {
    let store = db.store().await;
    let txn = store.begin_write().await.unwrap();
    assert!(audit::append(&txn, &key(), AuditEntry::new("x".repeat(33), "patient", None)).await.is_err());
    assert!(audit::append(&txn, &key(), AuditEntry::new("read", "", None)).await.is_err());
    assert!(audit::append(&txn, &key(), AuditEntry::new("read", "t".repeat(65), None)).await.is_err());
    txn.rollback().await.unwrap();
    assert_eq!(count(&store).await, 0);
});

backend_test!(TestDatabase::create -> TestDatabase, async fn concurrent_appends_never_fork_the_chain(db) {
    let store = db.store().await;
    let key = std::sync::Arc::new(key());
    let tasks: Vec<_> = (0..30)
        .map(|i| {
            let (store, key) = (store.clone(), key.clone());
            tokio::spawn(async move {
                let txn = store.begin_write().await.unwrap();
                let id = audit::append(&txn, &key, AuditEntry::new("update", "patient", Some(i)))
                    .await
                    .unwrap();
                tokio::task::yield_now().await;
                txn.commit().await.unwrap();
                id
            })
        })
        .collect();
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await.unwrap());
    }
    ids.sort_unstable();
    assert_eq!(ids, (1..=30).collect::<Vec<_>>());

    let all = rows(&store).await;
    assert_eq!(all.iter().map(|r| r.audit_id).collect::<Vec<_>>(), (1..=30).collect::<Vec<_>>());
    let mut row_ids: Vec<_> = all.iter().map(|r| r.row_id.unwrap()).collect();
    row_ids.sort_unstable();
    assert_eq!(row_ids, (0..30).collect::<Vec<_>>(), "every task's entry is there once");
    assert_ok(&verify(&store, &key).await, 30);
    assert_eq!(head(&store).await.last_audit_id, 30);
});

backend_test!(TestDatabase::create -> TestDatabase, async fn verify_finds_an_edited_row(db) {
    let store = db.store().await;
    let key = key();
    append_n(&store, &key, 5).await;
    let c = store.connection();
    let original = rows(&store).await[2].changes.clone().unwrap();

    c.execute_unprepared(r#"UPDATE audit_log SET changes = '{"first_name":["X","Y"]}' WHERE audit_id = 3"#)
        .await
        .unwrap();
    let report = verify(&store, &key).await;
    assert_eq!(report.first_bad_row, Some(3), "{report:?}");
    assert_eq!(report.rows_checked, 2);
    assert!(report.problem.as_deref().unwrap().contains("row 3"), "{report:?}");

    // Put it back: intact again (the HMAC covers exactly the stored text).
    c.execute_unprepared(&format!(
        "UPDATE audit_log SET changes = '{}' WHERE audit_id = 3",
        original.replace('\'', "''")
    ))
    .await
    .unwrap();
    assert_ok(&verify(&store, &key).await, 5);

    c.execute_unprepared("UPDATE audit_log SET action = 'read' WHERE audit_id = 2")
        .await
        .unwrap();
    let report = verify(&store, &key).await;
    assert_eq!(report.first_bad_row, Some(2), "{report:?}");
    c.execute_unprepared("UPDATE audit_log SET action = 'update', user_id = NULL, row_id = 99 WHERE audit_id = 2")
        .await
        .unwrap();
    assert_eq!(verify(&store, &key).await.first_bad_row, Some(2), "row_id edited");
});

backend_test!(TestDatabase::create -> TestDatabase, async fn verify_finds_an_edited_time_or_hmac(db) {
    let store = db.store().await;
    let key = key();
    append_n(&store, &key, 4).await;
    let all = rows(&store).await;
    let c = store.connection();

    // Re-stamping row 4 with a valid HMAC is impossible without the key: copying row 3's
    // HMAC onto it fails, and so does moving its time.
    dcms_store::audit_test_support_update(c, 4, "hmac", &all[2].hmac).await;
    assert_eq!(verify(&store, &key).await.first_bad_row, Some(4));
    dcms_store::audit_test_support_update(c, 4, "hmac", &all[3].hmac).await;
    assert_ok(&verify(&store, &key).await, 4);
});
