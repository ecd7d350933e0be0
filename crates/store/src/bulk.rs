//! Bulk loading for generated data (the demo clinic and the benchmark's million patients):
//! multi-row `INSERT`s with the ids given by the caller, and the id sequences brought up to
//! date afterwards. Not for the clinic's own writes, which go one use case at a time.

use crate::{Backend, StoreError};
use sea_orm::sea_query::{Alias, Expr, Func, Query};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Iterable};

/// Bind parameters per statement: below SQLite's 32,766 and the 65,535 of PostgreSQL and
/// MariaDB.
const PARAMETERS_PER_STATEMENT: usize = 30_000;

/// Inserts the rows with as few statements as the backends' parameter limits allow.
/// Returns the number of rows inserted.
pub async fn insert<E, A>(db: &impl ConnectionTrait, rows: Vec<E::Model>) -> Result<u64, StoreError>
where
    E: EntityTrait,
    A: ActiveModelTrait<Entity = E>,
    E::Model: IntoActiveModel<A>,
{
    let columns = E::Column::iter().count().max(1);
    let per_statement = (PARAMETERS_PER_STATEMENT / columns).max(1);
    let mut inserted = 0;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<E::Model> = rows.by_ref().take(per_statement).collect();
        inserted += sea_orm::Insert::<A>::many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(inserted)
}

/// The largest value of `column` in `table` (an id column), or 0 for an empty table.
pub async fn max_id(
    db: &impl ConnectionTrait,
    table: &str,
    column: &str,
) -> Result<i64, StoreError> {
    let query = Query::select()
        .expr_as(
            Func::coalesce([
                Func::max(Expr::col(Alias::new(column))).into(),
                Expr::val(0i64),
            ]),
            Alias::new("max_id"),
        )
        .from(Alias::new(table))
        .to_owned();
    let row = db.query_one(&query).await?;
    match row {
        Some(row) => Ok(row.try_get::<i64>("", "max_id")?),
        None => Ok(0),
    }
}

/// After ids were given explicitly, makes the next generated id follow the largest one.
/// SQLite (`AUTOINCREMENT`) and MariaDB (`AUTO_INCREMENT`) do this by themselves; a
/// PostgreSQL identity column's sequence must be set.
pub async fn sync_id_sequence(
    db: &impl ConnectionTrait,
    backend: Backend,
    table: &str,
    column: &str,
) -> Result<(), StoreError> {
    if backend != Backend::Postgres {
        return Ok(());
    }
    // Table and column names come from this crate's entities, never from a client.
    let sql = format!(
        "SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), \
         GREATEST((SELECT MAX(\"{column}\") FROM \"{table}\"), 1))"
    );
    db.execute_unprepared(&sql).await?;
    Ok(())
}
