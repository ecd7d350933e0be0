use sea_orm::{DbErr, SqlErr};

/// What can go wrong in the storage layer. The server maps each variant to an HTTP status
/// once, in `http::error`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A row the caller named does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A uniqueness rule would be broken (the constraint's name says which).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database is too busy to answer now (no free connection in time, a lock not
    /// granted in time, a deadlock victim): worth retrying, never the client's fault.
    #[error("the database is busy: {0}")]
    Busy(String),
    /// The database URL or options are unusable.
    #[error("{0}")]
    Config(String),
    /// Anything else the database reported.
    #[error("database error: {0}")]
    Database(DbErr),
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(detail)) => StoreError::Conflict(detail),
            _ if is_busy(&err) => StoreError::Busy(err.to_string()),
            _ => StoreError::Database(err),
        }
    }
}

/// Whether an error means "busy, try again": the pool had no connection in time, or the
/// database gave up waiting for a lock (SQLite `SQLITE_BUSY`/`SQLITE_LOCKED`, MariaDB's lock
/// wait timeout and deadlock, PostgreSQL's serialization failure, deadlock and lock timeout).
fn is_busy(err: &DbErr) -> bool {
    if matches!(err, DbErr::ConnectionAcquire(_)) {
        return true;
    }
    let text = err.to_string();
    [
        "database is locked",
        "database table is locked",
        "Lock wait timeout exceeded",
        "Deadlock found",
        "could not serialize access",
        "deadlock detected",
        "canceling statement due to lock timeout",
    ]
    .iter()
    .any(|needle| text.contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ConnAcquireErr, RuntimeErr};

    #[test]
    fn busy_databases_are_told_apart_from_other_errors() {
        let timeout = DbErr::ConnectionAcquire(ConnAcquireErr::Timeout);
        assert!(matches!(StoreError::from(timeout), StoreError::Busy(_)));
        let locked = DbErr::Exec(RuntimeErr::Internal("database is locked".into()));
        assert!(matches!(StoreError::from(locked), StoreError::Busy(_)));
        let other = DbErr::Exec(RuntimeErr::Internal("no such table: x".into()));
        assert!(matches!(StoreError::from(other), StoreError::Database(_)));
    }
}
