//! DCMS storage: the database connection for SQLite, PostgreSQL or MariaDB/MySQL (chosen by
//! the URL), the versioned migrations, the entities, and one repository module per
//! aggregate. Nothing here knows about HTTP.

pub mod attachments;
pub mod audit;
pub mod bulk;
pub mod catalog;
pub mod chairs;
pub mod clinical;
pub mod comms;
pub mod day_close;
pub mod entity;
mod error;
pub mod findings;
pub mod hours;
pub mod hq;
pub mod key_file;
pub mod medical;
pub mod migration;
pub mod outbox;
pub mod patients;
pub mod phones;
pub mod plans;
pub mod positions;
pub mod recalls;
pub mod receipts;
pub mod reports;
pub mod requests;
pub mod schedule;
pub mod sessions;
pub mod settings;
pub mod staff;
pub mod time;
pub mod users;

pub use error::StoreError;
pub use sea_orm;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use std::sync::Arc;
use std::time::Duration;

/// Which database server a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    MySql,
}

impl Backend {
    /// The backend a database URL names: `sqlite:`, `postgres:`/`postgresql:`, `mysql:`/`mariadb:`.
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            "mysql" | "mariadb" => Ok(Backend::MySql),
            _ => Err(StoreError::Config(format!(
                "unsupported database URL scheme '{scheme}': use sqlite://PATH, postgres://... or mysql://..."
            ))),
        }
    }

    /// The pool's size unless configured. A SQLite connection is a thread of its own that
    /// every statement is handed to and back from; on a small machine more of them than
    /// cores mostly add thread switches (measured: 4 gave 20-40% more requests a second than
    /// 16 on 2 cores, docs/performance.md), and SQLite writes one at a time anyway.
    /// PostgreSQL and MariaDB work in their own processes.
    pub fn default_max_connections(self) -> u32 {
        match self {
            Backend::Sqlite => 4,
            Backend::Postgres | Backend::MySql => 16,
        }
    }

    fn compiled_in(self) -> bool {
        match self {
            Backend::Sqlite => cfg!(feature = "sqlite"),
            Backend::Postgres => cfg!(feature = "postgres"),
            Backend::MySql => cfg!(feature = "mysql"),
        }
    }
}

/// Connection settings besides the URL.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Most connections in the pool; `None`: [`Backend::default_max_connections`].
    pub max_connections: Option<u32>,
    /// How long a request waits for a free connection before failing.
    pub acquire_timeout: Duration,
    /// SQLite only: how long a writer waits for the write lock.
    pub sqlite_busy_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            max_connections: None,
            acquire_timeout: Duration::from_secs(10),
            sqlite_busy_timeout: Duration::from_secs(10),
        }
    }
}

/// A pool's connections at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    pub open: u32,
    pub idle: u32,
    pub in_use: u32,
    pub max: u32,
}

/// The clinic's database.
#[derive(Debug, Clone)]
pub struct Store {
    conn: DatabaseConnection,
    backend: Backend,
    max_connections: u32,
    /// The settings row as last read (`settings::load_cached`).
    settings: Arc<settings::Cache>,
}

impl Store {
    /// Opens the database the URL names. A SQLite file is created if missing, in WAL mode with
    /// `synchronous=FULL` (every acknowledged commit survives a power cut), foreign keys on
    /// and a busy timeout.
    pub async fn connect(url: &str, options: &StoreOptions) -> Result<Store, StoreError> {
        let backend = Backend::from_url(url)?;
        if !backend.compiled_in() {
            return Err(StoreError::Config(format!(
                "this dcms was built without support for {backend:?} databases"
            )));
        }
        let url = match url.strip_prefix("mariadb:") {
            Some(rest) => format!("mysql:{rest}"),
            None => url.to_owned(),
        };
        let sqlite_path = sqlite_file(&url);
        let mut opts = ConnectOptions::new(url);
        let max_connections = options
            .max_connections
            .unwrap_or(backend.default_max_connections())
            .max(1);
        opts.max_connections(max_connections)
            .min_connections(0)
            .acquire_timeout(options.acquire_timeout)
            // A ping on every checkout was a second round trip for every statement; a
            // connection idle this long (one a server or a firewall may have dropped) is
            // still pinged first.
            .test_before_acquire_if_idle_for(Duration::from_secs(30))
            .sqlx_logging(false);
        #[cfg(feature = "sqlite")]
        {
            use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
            let busy = options.sqlite_busy_timeout;
            opts.map_sqlx_sqlite_opts(move |o| {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(busy)
                    // The connection's thread hands rows over through a channel of this
                    // many; at sqlx's 50 it stopped every 50 rows of a long answer (a
                    // chart's thousands) to wait for the request's task to catch up.
                    .row_buffer_size(1024)
            });
        }
        if let Some(path) = sqlite_path.filter(|_| backend == Backend::Sqlite) {
            create_private(&path)?;
        }
        let conn = Database::connect(opts).await?;
        Ok(Store {
            conn,
            backend,
            max_connections,
            settings: Arc::default(),
        })
    }

    /// Applies every pending migration; a no-op when there is none. On SQLite, whose DDL is
    /// transactional, all of them run in one write transaction: a crash or an error halfway
    /// leaves the database as it was, never half-migrated. PostgreSQL runs each migration in
    /// a transaction (sea-orm-migration's default there); MariaDB commits DDL statement by
    /// statement, whatever is asked.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => {
                let txn = self.begin_write().await?;
                migration::Migrator::up(&txn, None).await?;
                txn.commit().await?;
            }
            _ => migration::Migrator::up(&self.conn, None).await?,
        }
        Ok(())
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a transaction that reads before it writes can never fail to
    /// upgrade its lock; PostgreSQL and MariaDB lock rows as they go (`FOR UPDATE`).
    pub async fn begin_write(&self) -> Result<DatabaseTransaction, StoreError> {
        let options = TransactionOptions {
            sqlite_transaction_mode: match self.backend {
                Backend::Sqlite => Some(SqliteTransactionMode::Immediate),
                _ => None,
            },
            ..Default::default()
        };
        Ok(self.conn.begin_with_options(options).await?)
    }

    /// Names of the migrations not yet applied.
    pub async fn pending_migrations(&self) -> Result<Vec<String>, StoreError> {
        Ok(migration::Migrator::get_pending_migrations(&self.conn)
            .await?
            .iter()
            .map(|m| m.name().to_owned())
            .collect())
    }

    /// Writes a consistent copy of a SQLite database to `to` while the server keeps
    /// running: `VACUUM INTO` reads one snapshot (writers go on in the WAL) into a temporary
    /// file beside `to`, which is synced to disk and then renamed, so `to` is either absent
    /// or complete. An existing `to` is refused. PostgreSQL and MariaDB have their own tools
    /// (`pg_dump`, `mariadb-dump`): [`StoreError::Config`] names them.
    pub async fn backup_to(&self, to: &std::path::Path) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => {}
            Backend::Postgres => {
                return Err(StoreError::Config(
                    "dcms backup copies SQLite databases; back PostgreSQL up with pg_dump (see docs/operations.md)".into(),
                ));
            }
            Backend::MySql => {
                return Err(StoreError::Config(
                    "dcms backup copies SQLite databases; back MariaDB/MySQL up with mariadb-dump --single-transaction (see docs/operations.md)".into(),
                ));
            }
        }
        if to.exists() {
            return Err(StoreError::Config(format!(
                "{} exists; give a new file name (a backup never overwrites)",
                to.display()
            )));
        }
        let name = to
            .file_name()
            .ok_or_else(|| StoreError::Config(format!("{} is not a file name", to.display())))?;
        let mut partial_name = name.to_os_string();
        partial_name.push(".partial");
        let partial = to.with_file_name(partial_name);
        let io = |what: &str, e: std::io::Error| StoreError::Config(format!("{what}: {e}"));
        if partial.exists() {
            std::fs::remove_file(&partial)
                .map_err(|e| io(&format!("cannot remove {}", partial.display()), e))?;
        }
        // VACUUM INTO writes into an empty file: made first, readable by its owner only.
        create_private(&partial)?;
        let path = partial
            .to_str()
            .ok_or_else(|| StoreError::Config("the backup path is not UTF-8".into()))?
            .to_owned();
        self.conn
            .execute_raw(sea_orm::Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "VACUUM INTO ?",
                [path.into()],
            ))
            .await?;
        std::fs::File::open(&partial)
            .and_then(|f| f.sync_all())
            .map_err(|e| io(&format!("cannot sync {}", partial.display()), e))?;
        std::fs::rename(&partial, to)
            .map_err(|e| io(&format!("cannot rename to {}", to.display()), e))?;
        if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
            // The rename itself reaches the disk with the directory's sync.
            std::fs::File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(|e| io(&format!("cannot sync {}", dir.display()), e))?;
        }
        Ok(())
    }

    /// Answers when the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.conn.execute_unprepared("SELECT 1").await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool's connections now: open, and of those idle (for `/metrics`).
    pub fn pool_stats(&self) -> PoolStats {
        let (open, idle) = match self.backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite => {
                let pool = self.conn.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres => {
                let pool = self.conn.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            #[cfg(feature = "mysql")]
            Backend::MySql => {
                let pool = self.conn.get_mysql_connection_pool();
                (pool.size(), pool.num_idle())
            }
            #[allow(unreachable_patterns)]
            _ => (0, 0),
        };
        let idle = u32::try_from(idle).unwrap_or(u32::MAX).min(open);
        PoolStats {
            open,
            idle,
            in_use: open - idle,
            max: self.max_connections,
        }
    }

    /// The underlying connection pool, for the repositories.
    pub fn connection(&self) -> &DatabaseConnection {
        &self.conn
    }

    pub fn db_backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// Closes every pooled connection (SQLite checkpoints its WAL into the main file).
    pub async fn close(self) -> Result<(), StoreError> {
        self.conn.close().await?;
        Ok(())
    }
}

/// The file a `sqlite:` URL names; None for an in-memory database.
fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    Some(std::path::PathBuf::from(path))
}

/// Creates a missing SQLite database file readable by its owner only (0600 on Unix): it holds
/// patients' records. SQLite gives the WAL and shared-memory files the database file's mode.
/// An existing file is left as it is.
fn create_private(path: &std::path::Path) -> Result<(), StoreError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Config(format!(
            "cannot create the database file {}: {e}",
            path.display()
        ))),
    }
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use super::*;

    /// The first migration failing halfway (here on a table that is in the way; a crash is
    /// the same) leaves no half-made schema behind, and the next start migrates cleanly.
    #[tokio::test]
    async fn a_failed_migration_leaves_a_sqlite_database_as_it_was() {
        let dir = std::env::temp_dir().join(format!("dcms-store-migrate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("half.db").display());
        let store = Store::connect(&url, &StoreOptions::default())
            .await
            .unwrap();
        let db = store.connection();
        db.execute_unprepared("CREATE TABLE \"payment\" (x integer)")
            .await
            .unwrap();
        assert!(store.migrate().await.is_err());
        let tables: Vec<String> = db
            .query_all_raw(sea_orm::Statement::from_string(
                DbBackend::Sqlite,
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            ))
            .await
            .unwrap()
            .into_iter()
            .map(|row| row.try_get_by_index::<String>(0).unwrap())
            .collect();
        assert_eq!(tables, ["payment"]);

        db.execute_unprepared("DROP TABLE \"payment\"")
            .await
            .unwrap();
        store.migrate().await.unwrap();
        assert!(store.pending_migrations().await.unwrap().is_empty());
        store.close().await.unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The database, its WAL and a backup are readable by their owner only: they hold
    /// patients' records.
    #[cfg(unix)]
    #[tokio::test]
    async fn database_files_are_created_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("dcms-store-mode-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("clinic.db");
        let store = Store::connect(
            &format!("sqlite://{}?mode=rwc", db.display()),
            &StoreOptions::default(),
        )
        .await
        .unwrap();
        store.migrate().await.unwrap();
        let backup = dir.join("copy.db");
        store.backup_to(&backup).await.unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let wal = dir.join("clinic.db-wal");
        assert!(wal.exists(), "the WAL exists while the store is open");
        for file in [&db, &wal, &backup] {
            assert_eq!(mode(file), 0o600, "{}", file.display());
        }
        store.close().await.unwrap();
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(
            sqlite_file("sqlite://dcms.db?mode=rwc"),
            Some("dcms.db".into())
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
