//! Patient search as the front desk types (issue 19, `docs/patients.md`): keys stored beside
//! the names and numbers, so that every form of a query is a range on an index
//! (`docs/search-plans.md`):
//!
//! - `patient.last_name_fold` and `patient.first_name_fold`: the name keys with `ө`→`о` and
//!   `ү`→`у` (`dcms_domain::fold_name_key`), for a query typed without the Mongolian
//!   letters; indexed `(last_name_fold, first_name_fold, patient_id)` and
//!   `(first_name_fold, last_name_fold, patient_id)`, like the keys;
//! - `patient_phone.phone_number_rev`: the number's digits, last first
//!   (`dcms_domain::reversed_digits`), indexed `(phone_number_rev, patient_id)`: "the last
//!   four digits" are the start of this key;
//! - on PostgreSQL `patient.register_number` gets the byte-order collation `"C"`, so that the
//!   start of a register number is a byte range there as on the other backends (SQLite
//!   compares bytes, MariaDB/MySQL tables are `utf8mb4_bin`).
//!
//! The columns are added with the default `''` (SQLite adds a `NOT NULL` column only with a
//! default), and [`backfill`] then fills them in for every existing row, from the stored key
//! or number, with the domain's own functions. The store writes them with every name and
//! number from then on (`patients`, `phones`; generated data sets them itself).

use super::schema::index;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, QueryResult};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Rows one statement of [`backfill`] updates.
const BATCH: u64 = 1000;

/// A key column: compared byte by byte (`COLLATE "C"` on PostgreSQL), `''` until filled in.
fn key(backend: DbBackend, name: &'static str, len: u32) -> ColumnDef {
    let mut def = ColumnDef::new(name);
    def.string_len(len).not_null().default("");
    if backend == DbBackend::Postgres {
        def.extra("COLLATE \"C\"");
    }
    def
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        for (table, column, len) in [
            ("patient", "last_name_fold", 120),
            ("patient", "first_name_fold", 120),
            ("patient_phone", "phone_number_rev", 32),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(key(backend, column, len))
                        .to_owned(),
                )
                .await?;
        }
        if backend == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    r#"ALTER TABLE "patient" ALTER COLUMN "register_number" TYPE varchar(10) COLLATE "C""#,
                )
                .await?;
        }
        backfill(manager.get_connection()).await?;
        index(
            manager,
            "patient",
            &["last_name_fold", "first_name_fold", "patient_id"],
            false,
        )
        .await?;
        index(
            manager,
            "patient",
            &["first_name_fold", "last_name_fold", "patient_id"],
            false,
        )
        .await?;
        index(
            manager,
            "patient_phone",
            &["phone_number_rev", "patient_id"],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, name) in [
            (
                "patient_phone",
                "idx_patient_phone_phone_number_rev_patient_id",
            ),
            (
                "patient",
                "idx_patient_first_name_fold_last_name_fold_patient_id",
            ),
            (
                "patient",
                "idx_patient_last_name_fold_first_name_fold_patient_id",
            ),
        ] {
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    r#"ALTER TABLE "patient" ALTER COLUMN "register_number" TYPE varchar(10) COLLATE "default""#,
                )
                .await?;
        }
        for (table, column) in [
            ("patient_phone", "phone_number_rev"),
            ("patient", "first_name_fold"),
            ("patient", "last_name_fold"),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// Fills in the search keys of every patient and phone from their stored name keys and
/// numbers, [`BATCH`] rows a statement (`UPDATE ... SET k = CASE id WHEN ... END WHERE id IN
/// (...)`, the same on every backend). Rows already right are written again; the result is the
/// same. Returns the number of patients and phones read.
pub async fn backfill(db: &impl ConnectionTrait) -> Result<(u64, u64), DbErr> {
    let patients = backfill_table(
        db,
        "patient",
        "patient_id",
        |row| {
            let key = |column| {
                Ok::<_, DbErr>(dcms_domain::fold_name_key(
                    &row.try_get::<String>("", column)?,
                ))
            };
            Ok(vec![
                ("last_name_fold", key("last_name_key")?),
                ("first_name_fold", key("first_name_key")?),
            ])
        },
        &["last_name_key", "first_name_key"],
    )
    .await?;
    let phones = backfill_table(
        db,
        "patient_phone",
        "phone_number_id",
        |row| {
            let number = row.try_get::<String>("", "phone_number_val")?;
            Ok(vec![(
                "phone_number_rev",
                dcms_domain::reversed_digits(&number),
            )])
        },
        &["phone_number_val"],
    )
    .await?;
    Ok((patients, phones))
}

/// Sets the columns `keys` computes from each row's `sources`, for every row of `table`,
/// [`BATCH`] rows at a time in `id` order. Returns the number of rows.
async fn backfill_table(
    db: &impl ConnectionTrait,
    table: &'static str,
    id: &'static str,
    keys: impl Fn(&QueryResult) -> Result<Vec<(&'static str, String)>, DbErr>,
    sources: &[&'static str],
) -> Result<u64, DbErr> {
    let mut count = 0;
    let mut after = i64::MIN;
    loop {
        let select = Query::select()
            .column(id)
            .columns(sources.iter().copied())
            .from(table)
            .and_where(Expr::col(id).gt(after))
            .order_by(id, Order::Asc)
            .limit(BATCH)
            .to_owned();
        let rows = db.query_all(&select).await?;
        let Some(last) = rows.last() else {
            return Ok(count);
        };
        after = last.try_get::<i64>("", id)?;
        count += rows.len() as u64;
        let mut ids = Vec::with_capacity(rows.len());
        let mut cases: Vec<(&'static str, CaseStatement)> = Vec::new();
        for row in &rows {
            let row_id = row.try_get::<i64>("", id)?;
            ids.push(row_id);
            for (i, (column, value)) in keys(row)?.into_iter().enumerate() {
                if cases.len() <= i {
                    cases.push((column, CaseStatement::new()));
                }
                let case = std::mem::take(&mut cases[i].1);
                cases[i].1 = case.case(Expr::col(id).eq(row_id), value);
            }
        }
        let mut update = Query::update();
        update.table(table).and_where(Expr::col(id).is_in(ids));
        for (column, case) in cases {
            update.value(column, case);
        }
        db.execute(&update).await?;
    }
}
