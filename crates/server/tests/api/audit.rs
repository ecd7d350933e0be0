//! The audit trail on each backend: the HMAC chain and what `verify` catches when rows are
//! edited or deleted behind its back, concurrent appends, the buffered reads, the change diff
//! and the filtered, newest-first listing.
use crate::backend_test;
use dcms_server::services::audit::{AuditTrail, changes};
use dcms_store::Store;
use dcms_store::audit::{self, AuditEntry, AuditFilter, AuditKey, VerifyReport};
use dcms_store::entity::{audit_chain_head, audit_log};
use dcms_store::sea_orm::sea_query::Expr;
use dcms_store::sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Value,
};
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

/// Sets one column of one audit row, bypassing the audit module.
async fn set(store: &Store, audit_id: i64, column: audit_log::Column, value: impl Into<Value>) {
    audit_log::Entity::update_many()
        .col_expr(column, Expr::value(value.into()))
        .filter(audit_log::Column::AuditId.eq(audit_id))
        .exec(store.connection())
        .await
        .unwrap();
}

backend_test!(TestDatabase::create -> TestDatabase, async fn verify_finds_an_edited_time_or_hmac(db) {
    let store = db.store().await;
    let key = key();
    append_n(&store, &key, 4).await;
    let all = rows(&store).await;

    // Without the key a row cannot be given a valid HMAC: copying another row's fails.
    set(&store, 4, audit_log::Column::Hmac, all[2].hmac.clone()).await;
    let report = verify(&store, &key).await;
    assert_eq!((report.first_bad_row, report.rows_checked), (Some(4), 3), "{report:?}");
    set(&store, 4, audit_log::Column::Hmac, all[3].hmac.clone()).await;
    assert_ok(&verify(&store, &key).await, 4);

    // Moving a row's time by one microsecond is caught.
    set(&store, 2, audit_log::Column::At, all[1].at + chrono::Duration::microseconds(1)).await;
    assert_eq!(verify(&store, &key).await.first_bad_row, Some(2));
    set(&store, 2, audit_log::Column::At, all[1].at).await;
    assert_ok(&verify(&store, &key).await, 4);
});

backend_test!(TestDatabase::create -> TestDatabase, async fn verify_finds_a_deleted_middle_row(db) {
    let store = db.store().await;
    let key = key();
    append_n(&store, &key, 6).await;
    store.connection().execute_unprepared("DELETE FROM audit_log WHERE audit_id = 4").await.unwrap();
    let report = verify(&store, &key).await;
    assert_eq!(report.first_bad_row, Some(4), "{report:?}");
    assert_eq!(report.rows_checked, 3);
    assert!(report.problem.as_deref().unwrap().contains("missing"), "{report:?}");

    store.connection().execute_unprepared("DELETE FROM audit_log WHERE audit_id IN (2, 3)").await.unwrap();
    let report = verify(&store, &key).await;
    assert_eq!(report.first_bad_row, Some(2), "{report:?}");
    assert!(report.problem.as_deref().unwrap().contains("2 to 4"), "{report:?}");
});

backend_test!(TestDatabase::create -> TestDatabase, async fn verify_finds_a_deleted_last_row(db) {
    let store = db.store().await;
    let key = key();
    append_n(&store, &key, 3).await;
    store.connection().execute_unprepared("DELETE FROM audit_log WHERE audit_id = 3").await.unwrap();
    let report = verify(&store, &key).await;
    assert_eq!(report.first_bad_row, Some(3), "{report:?}");
    assert_eq!(report.rows_checked, 2);
    assert!(report.problem.as_deref().unwrap().contains("chain head"), "{report:?}");

    // Every row deleted: the head still names row 3.
    store.connection().execute_unprepared("DELETE FROM audit_log").await.unwrap();
    let report = verify(&store, &key).await;
    assert_eq!((report.first_bad_row, report.rows_checked), (Some(1), 0), "{report:?}");
});

backend_test!(TestDatabase::create -> TestDatabase, async fn verify_with_another_key_fails_at_row_1(db) {
    let store = db.store().await;
    append_n(&store, &key(), 3).await;
    let report = verify(&store, &AuditKey::from_bytes([43; 32])).await;
    assert_eq!(report.first_bad_row, Some(1), "{report:?}");
    assert_eq!(report.rows_checked, 0);
    assert!(report.problem.is_some());
});

backend_test!(TestDatabase::create -> TestDatabase, async fn verify_walks_more_than_one_page(db) {
    let store = db.store().await;
    let key = key();
    for _ in 0..3 {
        let entries = (0..500).map(|i| AuditEntry::read(None, None, "patient", i)).collect();
        audit::append_batch(&store, &key, entries).await.unwrap();
    }
    assert_ok(&verify(&store, &key).await, 1500);
    store.connection().execute_unprepared("DELETE FROM audit_log WHERE audit_id = 1200").await.unwrap();
    assert_eq!(verify(&store, &key).await.first_bad_row, Some(1200));
});

#[derive(serde::Serialize)]
struct Account {
    username: String,
    password_hash: String,
    role: &'static str,
    disabled: Option<bool>,
    phones: Vec<&'static str>,
}

fn account() -> Account {
    Account {
        username: "bat".into(),
        password_hash: "$argon2id$old".into(),
        role: "doctor",
        disabled: None,
        phones: vec!["99112233"],
    }
}

#[test]
fn changes_lists_changed_fields_without_secrets() {
    let secrets = ["password_hash", "session_token_hash"];
    let before = account();

    // create: old values are null; null fields did not change.
    assert_eq!(
        changes(None, Some(&before), &secrets),
        Some(
            json!({"username": [null, "bat"], "role": [null, "doctor"], "phones": [null, ["99112233"]]})
        )
    );
    // update: only what changed, secrets never.
    let after = Account {
        password_hash: "$argon2id$new".into(),
        role: "manager",
        disabled: Some(true),
        ..account()
    };
    assert_eq!(
        changes(Some(&before), Some(&after), &secrets),
        Some(json!({"role": ["doctor", "manager"], "disabled": [null, true]}))
    );
    // a change of a secret alone is no change to record
    let only_secret = Account {
        password_hash: "$argon2id$new".into(),
        ..account()
    };
    assert_eq!(changes(Some(&before), Some(&only_secret), &secrets), None);
    assert_eq!(changes(Some(&before), Some(&account()), &secrets), None);
    // without the secret list the hash would show
    assert_eq!(
        changes(Some(&before), Some(&only_secret), &[]),
        Some(json!({"password_hash": ["$argon2id$old", "$argon2id$new"]}))
    );
    // delete: new values are null
    assert_eq!(
        changes(Some(&before), None, &secrets),
        Some(
            json!({"username": ["bat", null], "role": ["doctor", null], "phones": [["99112233"], null]})
        )
    );
    assert_eq!(changes::<Account>(None, None, &secrets), None);
    // nested values are compared whole
    let more_phones = Account {
        phones: vec!["99112233", "88112233"],
        ..account()
    };
    assert_eq!(
        changes(Some(&before), Some(&more_phones), &secrets),
        Some(json!({"phones": [["99112233"], ["99112233", "88112233"]]}))
    );
    // a value that is not an object is compared as `value`
    assert_eq!(
        changes(Some(&1), Some(&2), &[]),
        Some(json!({"value": [1, 2]}))
    );
}

/// Waits until the log holds `n` rows; how long it took.
async fn wait_for_rows(store: &Store, n: u64, limit: Duration) -> Duration {
    let start = Instant::now();
    loop {
        let have = count(store).await;
        if have >= n {
            assert_eq!(have, n);
            return start.elapsed();
        }
        assert!(
            start.elapsed() < limit,
            "{have} of {n} rows after {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

backend_test!(TestDatabase::create -> TestDatabase, async fn reads_are_written_within_a_second(db) {
    let store = db.store().await;
    let doctor = user(&store, "doctor").await;
    let trail = AuditTrail::start(store.clone(), key());

    let queued = Instant::now();
    trail.record_read(Some(doctor), None, "patient", 1);
    trail.record_read(Some(doctor), None, "patient", 2);
    trail.record_read(None, None, "patient", 3);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(count(&store).await, 0, "buffered, not written at once");
    wait_for_rows(&store, 3, Duration::from_secs(3)).await;
    let waited = queued.elapsed();
    assert!(waited >= Duration::from_millis(900), "written after {waited:?}");
    assert!(waited < Duration::from_millis(2500), "written after {waited:?}");

    let all = rows(&store).await;
    assert_eq!(all.iter().map(|r| r.row_id.unwrap()).collect::<Vec<_>>(), vec![1, 2, 3], "in order");
    assert!(all.iter().all(|r| r.action == "read" && r.table_name == "patient"));
    assert_eq!(all[0].user_id, Some(doctor));
    assert_eq!(all[2].user_id, None);

    // A full batch does not wait for the second.
    let queued = Instant::now();
    for i in 0..500 {
        trail.record_read(None, None, "patient", i);
    }
    wait_for_rows(&store, 503, Duration::from_secs(3)).await;
    assert!(queued.elapsed() < Duration::from_millis(900), "a full batch took {:?}", queued.elapsed());

    // flush() writes what is queued now.
    trail.record_read(None, None, "treatment", 10);
    trail.flush().await;
    assert_eq!(count(&store).await, 504);

    assert_ok(&trail.verify().await.unwrap(), 504);
    trail.shutdown().await;
});

backend_test!(TestDatabase::create -> TestDatabase, async fn shutdown_writes_queued_reads(db) {
    let store = db.store().await;
    let trail = AuditTrail::start(store.clone(), key());
    let clone = trail.clone();
    for i in 1..=5 {
        clone.record_read(None, None, "patient", i);
    }
    trail.shutdown().await;
    assert_eq!(count(&store).await, 5, "written by the time shutdown returns");
    clone.shutdown().await;

    // After shutdown reads are logged, not written, and nothing panics.
    trail.record_read(None, None, "patient", 6);
    trail.flush().await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(count(&store).await, 5);
    assert_ok(&trail.verify().await.unwrap(), 5);
});

backend_test!(TestDatabase::create -> TestDatabase, async fn list_filters_newest_first(db) {
    let store = db.store().await;
    let key = key();
    let doctor = user(&store, "doctor").await;
    let nurse = user(&store, "nurse").await;
    let entries = [
        AuditEntry::new("create", "patient", Some(1)).by(Some(doctor), None),
        AuditEntry::read(Some(nurse), None, "patient", 1),
        AuditEntry::new("update", "patient", Some(2)).by(Some(doctor), None),
        AuditEntry::new("create", "treatment", Some(1)).by(Some(nurse), None),
        AuditEntry::read(Some(doctor), None, "patient", 1),
        AuditEntry::new("login", "user", Some(doctor)),
    ];
    for entry in entries {
        let txn = store.begin_write().await.unwrap();
        audit::append(&txn, &key, entry).await.unwrap();
        txn.commit().await.unwrap();
        // Distinct instants on every backend.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let trail = AuditTrail::start(store.clone(), key.clone());
    let ids = |rows: Vec<audit_log::Model>| rows.into_iter().map(|r| r.audit_id).collect::<Vec<_>>();
    let all = AuditFilter { limit: 100, ..Default::default() };
    let list = |f: AuditFilter| {
        let trail = trail.clone();
        async move { ids(trail.list(&f).await.unwrap()) }
    };

    assert_eq!(list(all.clone()).await, vec![6, 5, 4, 3, 2, 1]);
    assert_eq!(list(AuditFilter { table_name: Some("patient".into()), ..all.clone() }).await, vec![5, 3, 2, 1]);
    assert_eq!(
        list(AuditFilter { table_name: Some("patient".into()), row_id: Some(1), ..all.clone() }).await,
        vec![5, 2, 1]
    );
    // Row 6 is the login of user 1 (the doctor): row_id 1 of table user.
    assert_eq!(list(AuditFilter { row_id: Some(1), ..all.clone() }).await, vec![6, 5, 4, 2, 1]);
    assert_eq!(list(AuditFilter { user_id: Some(nurse), ..all.clone() }).await, vec![4, 2]);
    assert_eq!(list(AuditFilter { table_name: Some("appointment".into()), ..all.clone() }).await, Vec::<i64>::new());

    // Time range: from inclusive, to exclusive.
    let stored = rows(&store).await;
    let (t2, t5) = (stored[1].at, stored[4].at);
    assert_eq!(list(AuditFilter { from: Some(t2), to: Some(t5), ..all.clone() }).await, vec![4, 3, 2]);
    assert_eq!(list(AuditFilter { from: Some(t5), ..all.clone() }).await, vec![6, 5]);
    assert_eq!(list(AuditFilter { to: Some(t2), ..all.clone() }).await, vec![1]);

    // Keyset pages of two.
    let page = AuditFilter { limit: 2, ..Default::default() };
    let mut seen = Vec::new();
    let mut before_id = None;
    loop {
        let got = list(AuditFilter { before_id, ..page.clone() }).await;
        if got.is_empty() {
            break;
        }
        assert!(got.len() <= 2);
        before_id = got.last().copied();
        seen.extend(got);
    }
    assert_eq!(seen, vec![6, 5, 4, 3, 2, 1]);
    assert_eq!(
        list(AuditFilter { before_id: Some(5), user_id: Some(doctor), ..all.clone() }).await,
        vec![3, 1]
    );
    trail.shutdown().await;
});
