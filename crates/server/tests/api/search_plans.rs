//! The query plan of every form of the patient search on each backend
//! (`docs/search-plans.md` is this test's output), and the migration that filled in the
//! search keys of the rows already stored.
use crate::backend_test;
use crate::helpers::{TestBackend, TestDatabase};
use dcms_domain::{SearchForm, SearchShape, fold_name_key, reversed_digits};
use dcms_store::entity::patient;
use dcms_store::sea_orm::sea_query::Query;
use dcms_store::sea_orm::{ConnectionTrait, DbBackend, EntityTrait, QueryTrait, Statement};

/// A form, as the plans name it.
fn describe(form: &SearchForm) -> String {
    match form {
        SearchForm::RegisterNumber(_) => "the register number".into(),
        SearchForm::RegisterNumberPrefix(_) => "register numbers starting so".into(),
        SearchForm::Phone(_) => "the phone number".into(),
        SearchForm::PhoneDigits { first: None, .. } => "numbers ending so".into(),
        SearchForm::PhoneDigits { .. } => "numbers ending or starting so".into(),
        SearchForm::Names(n) => {
            let which = match (&n.last, &n.first) {
                (Some(_), Some(_)) => "last and first name",
                (Some(_), None) => "last name",
                _ => "first name",
            };
            format!("{which}{}", if n.folded { ", folded" } else { "" })
        }
    }
}

/// Fills the tables with enough rows that every planner prefers an index where one helps.
async fn fill(db: &impl ConnectionTrait, patients: i64) {
    let syllables = [
        "бат",
        "болд",
        "өлзий",
        "ган",
        "дорж",
        "сараа",
        "үүр",
        "нар",
        "оюу",
        "тэмүүлэн",
        "anna",
        "smith",
    ];
    let now = dcms_store::time::now();
    let birthday = dcms_store::time::date_to_db(jiff::civil::date(1985, 3, 15));
    for chunk in (1..=patients).collect::<Vec<_>>().chunks(500) {
        let mut insert = Query::insert();
        insert.into_table(patient::Entity).columns([
            patient::Column::RegisterNumber,
            patient::Column::FirstName,
            patient::Column::LastName,
            patient::Column::FirstNameKey,
            patient::Column::LastNameKey,
            patient::Column::FirstNameFold,
            patient::Column::LastNameFold,
            patient::Column::Birthday,
            patient::Column::Gender,
            patient::Column::Status,
            patient::Column::SmsReminderOptOut,
            patient::Column::CreatedAt,
        ]);
        for i in chunk {
            let i = *i;
            let first = format!("{}{}", syllables[(i % 12) as usize], i);
            let last = format!("{}{}", syllables[((i / 12) % 12) as usize], i % 97);
            insert.values_panic([
                format!("ТТ{i:08}").into(),
                first.clone().into(),
                last.clone().into(),
                first.clone().into(),
                last.clone().into(),
                fold_name_key(&first).into(),
                fold_name_key(&last).into(),
                birthday.into(),
                0i16.into(),
                0i16.into(),
                false.into(),
                (now - chrono::Duration::minutes(i)).into(),
            ]);
        }
        db.execute(&insert).await.unwrap();
        let mut insert = Query::insert();
        use dcms_store::entity::patient_phone::Column as P;
        insert
            .into_table(dcms_store::entity::patient_phone::Entity)
            .columns([
                P::PatientId,
                P::PhoneNumberVal,
                P::PhoneNumberRev,
                P::Label,
                P::IsPrimary,
                P::CreatedAt,
                P::UpdatedAt,
            ]);
        for i in chunk {
            let i = *i;
            for (n, primary) in [
                (format!("9{:07}", i * 7919 % 10_000_000), true),
                (format!("8{:07}", i), false),
            ] {
                insert.values_panic([
                    i.into(),
                    n.clone().into(),
                    reversed_digits(&n).into(),
                    "".into(),
                    primary.into(),
                    now.into(),
                    now.into(),
                ]);
            }
        }
        db.execute(&insert).await.unwrap();
    }
}

/// The plan of a statement as lines of text, and whether it reads a table whole.
async fn explain(
    db: &impl ConnectionTrait,
    backend: TestBackend,
    statement: &Statement,
) -> (Vec<String>, Vec<String>) {
    let (prefix, db_backend) = match backend {
        TestBackend::Sqlite => ("EXPLAIN QUERY PLAN ", DbBackend::Sqlite),
        TestBackend::Postgres => ("EXPLAIN ", DbBackend::Postgres),
        TestBackend::MySql => ("EXPLAIN ", DbBackend::MySql),
    };
    let explained = Statement {
        sql: format!("{prefix}{}", statement.sql),
        values: statement.values.clone(),
        db_backend,
    };
    let rows = db.query_all_raw(explained).await.unwrap();
    let mut lines = Vec::new();
    let mut full_scans = Vec::new();
    for row in rows {
        match backend {
            TestBackend::Sqlite => {
                let detail: String = row.try_get("", "detail").unwrap();
                // `SCAN t` reads the table; `SCAN t USING [COVERING] INDEX i` walks an index.
                if detail.starts_with("SCAN ") && !detail.contains(" USING ") {
                    full_scans.push(detail.clone());
                }
                lines.push(detail);
            }
            TestBackend::Postgres => {
                let line: String = row.try_get("", "QUERY PLAN").unwrap();
                if line.contains("Seq Scan") {
                    full_scans.push(line.clone());
                }
                lines.push(line);
            }
            TestBackend::MySql => {
                let get = |col: &str| {
                    row.try_get::<Option<String>>("", col)
                        .ok()
                        .flatten()
                        .unwrap_or_default()
                };
                let (table, access, key, extra) =
                    (get("table"), get("type"), get("key"), get("Extra"));
                let line = format!("table={table} type={access} key={key} extra={extra}");
                if (table == "patient" || table == "patient_phone")
                    && (access == "ALL" || key.is_empty())
                {
                    full_scans.push(line.clone());
                }
                lines.push(line);
            }
        }
    }
    (lines, full_scans)
}

backend_test!(TestDatabase::create -> TestDatabase, async fn every_search_form_is_index_backed(db) {
    use dcms_store::patients::{Keyset, NewestKeyset, PatientQuery, PhoneMatch, PhoneSearch};
    let store = db.store().await;
    let conn = store.connection();
    // A clinic of some size: with a few thousand rows a planner may rightly prefer reading
    // a table whole; at twenty thousand every form must use its index.
    fill(conn, 20_000).await;
    match db.backend {
        TestBackend::MySql => {
            conn.execute_unprepared("ANALYZE TABLE `patient`, `patient_phone`").await.unwrap();
        }
        _ => {
            conn.execute_unprepared("ANALYZE").await.unwrap();
        }
    }
    let backend = store.db_backend();
    let primary_key = ["patient_pkey", "key=PRIMARY", "INTEGER PRIMARY KEY"];
    let register_number = ["uq_patient_register_number"];
    let last = "idx_patient_last_name_key_first_name_key_patient_id";
    let first = "idx_patient_first_name_key_last_name_key_patient_id";
    let folded_last = "idx_patient_last_name_fold_first_name_fold_patient_id";
    let folded_first = "idx_patient_first_name_fold_last_name_fold_patient_id";
    // (what, statement, indexes one of which the plan must use)
    let mut shapes: Vec<(String, Statement, Vec<&str>)> = Vec::new();
    let newest = vec!["idx_patient_created_at_patient_id"];
    shapes.push(("all, newest first".into(), PatientQuery::Newest { after: None }.select(51).build(backend), newest.clone()));
    let after = NewestKeyset { created_at: dcms_store::time::now() - chrono::Duration::minutes(500), patient_id: 500 };
    shapes.push(("all, newest first, next page".into(), PatientQuery::Newest { after: Some(after) }.select(51).build(backend), newest));
    // Every rank of these queries, as the search runs it (`PatientQuery::of_form`), on its
    // first page and on a next one.
    let queries = [
        ("register number", "ТТ00000042"),
        ("start of a register number", "ТТ000123"),
        ("8 digits", "80000042"),
        ("last or first 4 digits", "0042"),
        ("last or first 6 digits", "800012"),
        ("one word", "бат5"),
        ("one word with Ө", "өлзий12"),
        ("two words with У", "оюу3 дорж1"),
        ("a name with %, _ and \\", "a%_\\"),
    ];
    for (what, q) in queries {
        let forms = SearchShape::of(q).unwrap().forms();
        for (rank, form) in forms.iter().enumerate() {
            let name = format!("{what} `{q}`, rank {rank} ({})", describe(form));
            // A cursor within the rank: keys that start as the form asks.
            let next = match form {
                // One patient at most: never a next page.
                SearchForm::RegisterNumber(_) => None,
                SearchForm::RegisterNumberPrefix(p) => {
                    Some(Keyset { major: format!("{p}4"), minor: String::new(), patient_id: 12345 })
                }
                SearchForm::Names(n) => Some(Keyset {
                    major: n.last.clone().unwrap_or_else(|| "бат5".into()),
                    minor: n.first.clone().unwrap_or_else(|| "ган12".into()),
                    patient_id: 100,
                }),
                _ => Some(Keyset { major: "бат5".into(), minor: "ган12".into(), patient_id: 100 }),
            };
            let indexes: Vec<&str> = match form {
                SearchForm::RegisterNumber(_) | SearchForm::RegisterNumberPrefix(_) => register_number.to_vec(),
                SearchForm::Names(n) => match (n.folded, n.last.is_some()) {
                    (false, true) => vec![last, first],
                    (false, false) => vec![first],
                    (true, true) => vec![folded_last, folded_first],
                    (true, false) => vec![folded_first],
                },
                SearchForm::Phone(_) | SearchForm::PhoneDigits { .. } => {
                    // A search of numbers: the owners of each match, then those patients.
                    let PatientQuery::Phone { phones, .. } = PatientQuery::of_form(&forms, rank, None) else { unreachable!() };
                    let PhoneSearch { any_of, none_of } = &phones;
                    for (step, m) in any_of.iter().map(|m| ("owners", m)).chain(none_of.iter().map(|m| ("owners found by an earlier rank", m))) {
                        let index = match m {
                            PhoneMatch::Ending(_) => "idx_patient_phone_phone_number_rev_patient_id",
                            _ => "idx_patient_phone_phone_number_val_patient_id",
                        };
                        shapes.push((format!("{name}, step 1: {step} of {m:?}"), backend.build(&m.owners_select(1001)), vec![index]));
                    }
                    let owners = phones.owners(conn).await.unwrap().expect("at most 1000 owners");
                    if owners.is_empty() {
                        continue;
                    }
                    for (page, after) in [("", None), (", next page", next.clone())] {
                        let ids = PatientQuery::Ids { patient_ids: owners.clone(), after };
                        shapes.push((format!("{name}, step 2: those patients ({}){page}", owners.len()), ids.select(51).build(backend), primary_key.to_vec()));
                    }
                    continue;
                }
            };
            for (page, after) in [("", None), (", next page", next)] {
                if !page.is_empty() && after.is_none() {
                    continue;
                }
                let query = PatientQuery::of_form(&forms, rank, after);
                shapes.push((format!("{name}{page}"), query.select(51).build(backend), indexes.clone()));
            }
        }
    }
    let mut report = format!("### {:?}\n", db.backend);
    let mut failures = Vec::new();
    for (name, statement, indexes) in &shapes {
        let (lines, full_scans) = explain(conn, db.backend, statement).await;
        report.push_str(&format!("\n{name}:\n    -- {}\n", statement.sql));
        for line in &lines {
            report.push_str(&format!("    {line}\n"));
        }
        if !full_scans.is_empty() {
            failures.push(format!("{name}: reads a table whole: {full_scans:?}"));
        }
        if !indexes.iter().any(|index| lines.iter().any(|line| line.contains(index))) {
            failures.push(format!("{name}: uses none of {indexes:?}"));
        }
    }
    println!("{report}");
    if let Ok(dir) = std::env::var("DCMS_SEARCH_PLANS_DIR") {
        std::fs::write(format!("{dir}/{:?}.txt", db.backend), &report).unwrap();
    }
    assert!(failures.is_empty(), "{}\n\n{report}", failures.join("\n"));
});

backend_test!(TestDatabase::create -> TestDatabase, async fn the_migration_fills_in_the_keys_of_stored_rows(db) {
    use dcms_store::entity::patient_phone;
    use dcms_store::migration::m20261207_000005_search_keys::backfill;
    let store = db.store().await;
    let conn = store.connection();
    // Rows as an older binary wrote them: without the search keys ('' by default), more than
    // one batch of them.
    fill(conn, 1_500).await;
    conn.execute(&Query::update().table(patient::Entity).value(patient::Column::LastNameFold, "").value(patient::Column::FirstNameFold, "").to_owned()).await.unwrap();
    conn.execute(&Query::update().table(patient_phone::Entity).value(patient_phone::Column::PhoneNumberRev, "").to_owned()).await.unwrap();
    assert_eq!(backfill(conn).await.unwrap(), (1_500, 3_000));
    for p in patient::Entity::find().all(conn).await.unwrap() {
        assert_eq!(p.last_name_fold, fold_name_key(&p.last_name_key));
        assert_eq!(p.first_name_fold, fold_name_key(&p.first_name_key));
    }
    assert!(patient::Entity::find().all(conn).await.unwrap().iter().any(|p| p.first_name_fold.starts_with("олзий")));
    for f in patient_phone::Entity::find().all(conn).await.unwrap() {
        assert_eq!(f.phone_number_rev, reversed_digits(&f.phone_number_val));
    }
    // A second run changes nothing.
    assert_eq!(backfill(conn).await.unwrap(), (1_500, 3_000));
});
