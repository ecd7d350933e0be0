//! The test harness: every test gets a fresh, migrated database of its own and, when it needs
//! one, a server on port 0, and speaks HTTP to it as a client would.
//!
//! Speed: each backend is migrated once per test run into a template (a SQLite file, a
//! PostgreSQL template database) that every test copies; MariaDB has no template databases, so
//! each test database is migrated. Databases created by a run are dropped when their test ends
//! (even on panic) and the templates at process exit; leftovers of killed runs are collected by
//! the next run (their process id is in the name).
//!
//! SQLite always runs. PostgreSQL and MariaDB run when `DCMS_TEST_POSTGRES_URL` and
//! `DCMS_TEST_MYSQL_URL` name a server (`postgres://postgres@127.0.0.1:5432/postgres`,
//! `mysql://root@127.0.0.1:3306/mysql`); otherwise their variant of each test returns at once.

use dcms_server::Application;
use dcms_server::config::{Config, PasswordCost};
use dcms_store::sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use dcms_store::{Store, StoreOptions};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, Once};
use tokio::sync::OnceCell;

/// The database servers the suite runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    Sqlite,
    Postgres,
    MySql,
}

impl TestBackend {
    /// The server URL for this backend, or None when the suite should skip it.
    fn server_url(self) -> Option<String> {
        match self {
            TestBackend::Sqlite => Some(String::new()),
            TestBackend::Postgres => std::env::var("DCMS_TEST_POSTGRES_URL")
                .ok()
                .filter(|u| !u.is_empty()),
            TestBackend::MySql => std::env::var("DCMS_TEST_MYSQL_URL")
                .ok()
                .filter(|u| !u.is_empty()),
        }
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);
static SQLITE_TEMPLATE: OnceCell<PathBuf> = OnceCell::const_new();
static POSTGRES_TEMPLATE: OnceCell<String> = OnceCell::const_new();
static MYSQL_GC: OnceCell<()> = OnceCell::const_new();
/// What to remove at process exit: the SQLite folder and the PostgreSQL template.
static AT_EXIT: Mutex<Vec<Leftover>> = Mutex::new(Vec::new());
static REGISTER_AT_EXIT: Once = Once::new();

#[derive(Debug, Clone)]
enum Leftover {
    Folder(PathBuf),
    Database { server_url: String, name: String },
}

fn pid() -> u32 {
    std::process::id()
}

fn sqlite_dir() -> PathBuf {
    std::env::temp_dir().join(format!("dcms-tests-{}", pid()))
}

/// `url` with its database name replaced.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{database}?{q}"),
        None => format!("{base}/{database}"),
    }
}

async fn admin_connection(server_url: &str) -> DatabaseConnection {
    Database::connect(server_url)
        .await
        .unwrap_or_else(|e| panic!("cannot reach test database server {server_url}: {e}"))
}

fn register_at_exit(leftover: Leftover) {
    AT_EXIT.lock().unwrap().push(leftover);
    REGISTER_AT_EXIT.call_once(|| {
        extern "C" fn cleanup() {
            let leftovers = std::mem::take(&mut *AT_EXIT.lock().unwrap_or_else(|e| e.into_inner()));
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                for leftover in leftovers {
                    match leftover {
                        Leftover::Folder(dir) => {
                            let _ = std::fs::remove_dir_all(dir);
                        }
                        Leftover::Database { server_url, name } => {
                            rt.block_on(drop_database(&server_url, &name, TestBackend::Postgres));
                        }
                    }
                }
            })
            .join();
        }
        // SAFETY: registering a plain `extern "C" fn` with no captured state.
        unsafe {
            libc::atexit(cleanup);
        }
    });
}

async fn drop_database(server_url: &str, name: &str, backend: TestBackend) {
    let Ok(admin) = Database::connect(server_url).await else {
        return;
    };
    let sql = match backend {
        TestBackend::Postgres => format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
        _ => format!("DROP DATABASE IF EXISTS `{name}`"),
    };
    if backend == TestBackend::MySql {
        // As PostgreSQL's WITH (FORCE): a connection the test's runtime left open in a
        // transaction (a background task stopped mid-way) would hold a metadata lock that
        // DROP DATABASE waits for forever.
        let sessions =
            format!("SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = '{name}'");
        if let Ok(rows) = admin
            .query_all_raw(dcms_store::sea_orm::Statement::from_string(
                admin.get_database_backend(),
                sessions,
            ))
            .await
        {
            for row in rows {
                if let Ok(id) = row.try_get::<u64>("", "id") {
                    let _ = admin.execute_unprepared(&format!("KILL {id}")).await;
                }
            }
        }
    }
    let _ = admin.execute_unprepared(&sql).await;
    let _ = admin.close().await;
}

/// Drops databases of earlier runs whose process is gone (`dcms_t_<pid>_...`, `dcms_tpl_<pid>`).
async fn collect_garbage(server_url: &str, backend: TestBackend) {
    let admin = admin_connection(server_url).await;
    let sql = match backend {
        TestBackend::Postgres => {
            "SELECT datname AS name FROM pg_database WHERE datname LIKE 'dcms\\_t%'"
        }
        _ => {
            "SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'dcms\\_t%'"
        }
    };
    let rows = admin
        .query_all_raw(dcms_store::sea_orm::Statement::from_string(
            admin.get_database_backend(),
            sql,
        ))
        .await
        .unwrap_or_default();
    for row in rows {
        let Ok(name) = row.try_get::<String>("", "name") else {
            continue;
        };
        let owner: Option<u32> = name
            .trim_start_matches("dcms_tpl_")
            .trim_start_matches("dcms_t_")
            .split('_')
            .next()
            .and_then(|p| p.parse().ok());
        if let Some(owner) = owner
            && owner != pid()
            && !std::path::Path::new(&format!("/proc/{owner}")).exists()
        {
            drop_database(server_url, &name, backend).await;
        }
    }
    let _ = admin.close().await;
}

async fn migrate(url: &str) {
    let store = Store::connect(url, &StoreOptions::default())
        .await
        .unwrap_or_else(|e| panic!("connect {url}: {e}"));
    store.migrate().await.expect("migrations apply");
    store.close().await.expect("close");
}

/// A database of one test, dropped when the value is dropped.
#[derive(Debug)]
pub struct TestDatabase {
    pub backend: TestBackend,
    /// The URL the application uses.
    pub url: String,
    server_url: String,
    name: String,
}

impl TestDatabase {
    /// A fresh, migrated database, or None when the backend is not configured.
    pub async fn create(backend: TestBackend) -> Option<TestDatabase> {
        let server_url = backend.server_url()?;
        let name = format!(
            "dcms_t_{}_{}",
            pid(),
            NEXT_ID.fetch_add(1, Ordering::Relaxed)
        );
        let url = match backend {
            TestBackend::Sqlite => {
                let template = SQLITE_TEMPLATE
                    .get_or_init(|| async {
                        let dir = sqlite_dir();
                        std::fs::create_dir_all(&dir).expect("create test folder");
                        register_at_exit(Leftover::Folder(dir.clone()));
                        let path = dir.join("template.db");
                        migrate(&format!("sqlite://{}", path.display())).await;
                        path
                    })
                    .await;
                let path = sqlite_dir().join(format!("{name}.db"));
                std::fs::copy(template, &path).expect("copy the template database");
                format!("sqlite://{}", path.display())
            }
            TestBackend::Postgres => {
                let template = POSTGRES_TEMPLATE
                    .get_or_init(|| async {
                        collect_garbage(&server_url, backend).await;
                        let template = format!("dcms_tpl_{}", pid());
                        let admin = admin_connection(&server_url).await;
                        admin
                            .execute_unprepared(&format!("CREATE DATABASE \"{template}\""))
                            .await
                            .expect("create template database");
                        admin.close().await.ok();
                        register_at_exit(Leftover::Database {
                            server_url: server_url.clone(),
                            name: template.clone(),
                        });
                        migrate(&with_database(&server_url, &template)).await;
                        template
                    })
                    .await;
                let admin = admin_connection(&server_url).await;
                admin
                    .execute_unprepared(&format!(
                        "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
                    ))
                    .await
                    .expect("copy the template database");
                admin.close().await.ok();
                with_database(&server_url, &name)
            }
            TestBackend::MySql => {
                MYSQL_GC
                    .get_or_init(|| collect_garbage(&server_url, backend))
                    .await;
                let admin = admin_connection(&server_url).await;
                admin
                    .execute_unprepared(&format!(
                        "CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
                    ))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                let url = with_database(&server_url, &name);
                migrate(&url).await;
                url
            }
        };
        Some(TestDatabase {
            backend,
            url,
            server_url,
            name,
        })
    }

    /// The audit key file of this test (removed with the database).
    pub fn audit_key_file(&self) -> PathBuf {
        let dir = sqlite_dir();
        let _ = std::fs::create_dir_all(&dir);
        register_at_exit(Leftover::Folder(dir.clone()));
        dir.join(format!("{}.key", self.name))
    }

    /// The attachments' folder of this test (removed with the test folder).
    pub fn files_dir(&self) -> PathBuf {
        sqlite_dir().join(format!("{}.files", self.name))
    }

    /// A connection to this database.
    pub async fn store(&self) -> Store {
        Store::connect(&self.url, &StoreOptions::default())
            .await
            .expect("connect to the test database")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(sqlite_dir().join(format!("{}.key", self.name)));
        match self.backend {
            TestBackend::Sqlite => {
                let base = sqlite_dir().join(format!("{}.db", self.name));
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", base.display()));
                }
            }
            backend => {
                let (server_url, name) = (self.server_url.clone(), self.name.clone());
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    rt.block_on(drop_database(&server_url, &name, backend));
                })
                .join();
            }
        }
    }
}

/// A running server on its own database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    pub client: reqwest::Client,
    pub store: Store,
    pub audit: dcms_server::services::audit::AuditTrail,
    pub db: TestDatabase,
}

/// The configuration tests use: port 0 and the cheapest Argon2 parameters.
pub fn test_config(url: &str) -> Config {
    let mut config = Config::new(url);
    config.bind = "127.0.0.1:0".parse().unwrap();
    config.password_cost = PasswordCost::TEST_ONLY;
    // The background tasks run only in the tests about them, which turn them on or start
    // them: the SMS worker (`sms_sending`) and the status refresher, which would otherwise
    // race a test that sets statuses by hand.
    config.outbox_worker = false;
    config.status_refresher = false;
    config
}

/// Starts the application on a fresh database; None when the backend is not configured.
pub async fn spawn_app(backend: TestBackend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

/// Like [`spawn_app`], with a chance to change the configuration first.
pub async fn spawn_app_with(
    backend: TestBackend,
    configure: impl FnOnce(&mut Config),
) -> Option<TestApp> {
    let db = TestDatabase::create(backend).await?;
    let mut config = test_config(&db.url);
    config.audit_key_file = db.audit_key_file();
    config.files_dir = db.files_dir();
    configure(&mut config);
    let app = Application::build(config).await.expect("the app starts");
    let address = format!("http://{}", app.local_addr());
    let store = app.store().clone();
    let audit = app.audit().clone();
    tokio::spawn(app.run_until(std::future::pending()));
    Some(TestApp {
        address,
        client: reqwest::Client::new(),
        store,
        audit,
        db,
    })
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }
}

/// Defines one test per backend: `NAME::sqlite`, `NAME::postgres`, `NAME::mysql`. The body
/// receives what `$setup(backend)` gives (`spawn_app -> TestApp`,
/// `TestDatabase::create -> TestDatabase`, or [`no_setup`]` -> TestBackend`); a backend that is
/// not configured passes without running.
#[macro_export]
macro_rules! backend_test {
    ($($setup:ident)::+ -> $ty:ty, async fn $name:ident($arg:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[allow(unused_imports)]
            use $crate::helpers::*;

            async fn body($arg: $ty) $body

            async fn run(backend: TestBackend) {
                if let Some(arg) = $($setup)::+(backend).await {
                    body(arg).await;
                }
            }

            #[tokio::test]
            async fn sqlite() {
                run(TestBackend::Sqlite).await
            }
            #[tokio::test]
            async fn postgres() {
                run(TestBackend::Postgres).await
            }
            #[tokio::test]
            async fn mysql() {
                run(TestBackend::MySql).await
            }
        }
    };
}

/// A `backend_test!` setup that hands the body the backend itself, for a test that starts
/// its own app (its own configuration, something else first); the body returns at once when
/// `spawn_app_with` gives None.
pub async fn no_setup(backend: TestBackend) -> Option<TestBackend> {
    Some(backend)
}

/// A password every test user gets.
pub const PASSWORD: &str = "correct horse battery";

impl TestApp {
    /// Creates a user straight through the service (no HTTP, no session needed).
    pub async fn create_user(&self, username: &str, role: dcms_domain::Role) -> i64 {
        dcms_server::services::users::create(
            &self.store,
            &self.audit,
            dcms_server::services::Actor::SYSTEM,
            PasswordCost::TEST_ONLY,
            dcms_server::services::users::CreateUser {
                username: username.into(),
                display_name: None,
                password: PASSWORD.into(),
                role,
            },
        )
        .await
        .expect("create user")
        .user_id
    }

    /// `POST /api/v1/auth/login` with a JSON body.
    pub async fn login_as(&self, body: serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/auth/login"))
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    /// Logs in and returns the token.
    pub async fn token(&self, username: &str) -> String {
        self.token_from(serde_json::json!({"username": username, "password": PASSWORD}))
            .await
    }

    /// Logs in with this body (asserting 201) and returns the token.
    pub async fn token_from(&self, body: serde_json::Value) -> String {
        let username = body["username"].as_str().unwrap_or_default().to_owned();
        let response = self.login_as(body).await;
        assert_eq!(response.status(), 201, "login of {username}");
        json_of(response).await["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// A request with a bearer token.
    pub fn with_token(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
    ) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
    }
}

/// The test's requests as a client makes them: one place for what the test files share.
impl TestApp {
    /// Creates a user of `role` and logs them in; returns the token.
    pub async fn login(&self, username: &str, role: dcms_domain::Role) -> String {
        self.create_user(username, role).await;
        self.token(username).await
    }

    /// Creates a user of `role` and logs them in with a session type (`hq`, ...); returns the
    /// token.
    pub async fn login_with(
        &self,
        username: &str,
        role: dcms_domain::Role,
        session_type: &str,
    ) -> String {
        self.create_user(username, role).await;
        self.token_from(serde_json::json!({
            "username": username, "password": PASSWORD, "session_type": session_type,
        }))
        .await
    }

    /// Sends a request with a bearer token and a JSON body (or none); returns the status and
    /// the answer as JSON (null when empty, a JSON string when it is not JSON).
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut request = self.with_token(method, path, token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        let value = if text.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
        };
        (status, value)
    }

    /// `GET` with a bearer token: the status and the answer as JSON (see [`TestApp::call`]).
    pub async fn get_json(&self, path: &str, token: &str) -> (u16, serde_json::Value) {
        self.call(reqwest::Method::GET, path, token, None).await
    }

    /// `POST` of a JSON body with a bearer token: the status and the answer as JSON.
    pub async fn post_json(
        &self,
        path: &str,
        token: &str,
        body: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        self.call(reqwest::Method::POST, path, token, Some(body))
            .await
    }

    /// `PATCH` of a JSON body with a bearer token: the status and the answer as JSON.
    pub async fn patch_json(
        &self,
        path: &str,
        token: &str,
        body: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        self.call(reqwest::Method::PATCH, path, token, Some(body))
            .await
    }

    /// `DELETE` with a bearer token: the status and the answer as JSON.
    pub async fn delete_json(&self, path: &str, token: &str) -> (u16, serde_json::Value) {
        self.call(reqwest::Method::DELETE, path, token, None).await
    }

    /// The audit rows of one row of `table`, newest first (asserting 200).
    pub async fn audit_rows(
        &self,
        token: &str,
        table: &str,
        row_id: i64,
    ) -> Vec<serde_json::Value> {
        let (status, page) = self
            .get_json(
                &format!("/api/v1/audit?table={table}&row_id={row_id}"),
                token,
            )
            .await;
        assert_eq!(status, 200, "{page}");
        page["items"].as_array().unwrap().clone()
    }
}

// --- reading answers, and test data the files share -----------------------------------------

/// The answer of a response as JSON.
pub async fn json_of(response: reqwest::Response) -> serde_json::Value {
    response.json().await.unwrap()
}

/// The sorted field names of a 422 problem, each once.
pub fn error_fields(problem: &serde_json::Value) -> Vec<String> {
    assert_eq!(problem["status"], 422, "{problem}");
    let mut fields: Vec<String> = problem["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {problem}"))
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    fields.sort();
    fields.dedup();
    fields
}

/// The sorted field names of a 422 validation problem (its type checked too), a field named
/// twice listed twice.
pub fn validation_fields(problem: &serde_json::Value) -> Vec<String> {
    assert_eq!(problem["status"], 422, "{problem}");
    assert_eq!(problem["type"], "urn:dcms:problem:validation", "{problem}");
    let mut fields: Vec<String> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    fields.sort();
    fields
}

/// A timestamp of an answer.
pub fn ts(value: &serde_json::Value) -> jiff::Timestamp {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a timestamp: {value}"))
        .parse()
        .unwrap()
}

/// A valid register number for a small `i` (distinct for i < 336), born in 1985.
pub fn rn(i: u32) -> String {
    format!(
        "УБ85{:02}{:02}{}{}",
        1 + i % 12,
        1 + (i / 12) % 28,
        i % 10,
        (i / 10) % 10
    )
}

/// A valid register number, distinct for every i below 1,680,000 (born 1950-1999).
pub fn register_number(i: u32) -> String {
    format!(
        "ЧД{:02}{:02}{:02}{:02}",
        50 + i % 50,
        1 + (i / 50) % 12,
        1 + (i / 600) % 28,
        (i / 16_800) % 100
    )
}

/// The actions of audit rows, in their order.
pub fn actions(rows: &[serde_json::Value]) -> Vec<&str> {
    rows.iter().map(|r| r["action"].as_str().unwrap()).collect()
}

// --- the `dcms` binary and its database file ------------------------------------------------

/// `dcms ARGS --database URL` with this audit key, `stdin` written to it, run to the end.
pub fn run_dcms(
    url: &str,
    key: &std::path::Path,
    args: &[&str],
    stdin: Option<&str>,
) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_dcms"))
        .args(args)
        .args(["--database", url])
        .env_remove("DCMS_DATABASE_URL")
        .env("DCMS_AUDIT_KEY_FILE", key)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dcms runs");
    {
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
    }
    child.wait_with_output().unwrap()
}

/// `dcms serve ARGS` on `url` (port 0) with this audit key, its log (at info) on a pipe and its
/// standard output where `stdout` says; the caller reads them.
pub fn spawn_serve(
    url: &str,
    key: &std::path::Path,
    args: &[&str],
    stdout: std::process::Stdio,
) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_dcms"))
        .args(["serve", "--bind", "127.0.0.1:0", "--database", url])
        .args(args)
        .env_remove("DCMS_DATABASE_URL")
        .env("DCMS_AUDIT_KEY_FILE", key)
        .env("RUST_LOG", "info")
        .stdout(stdout)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// The address (`127.0.0.1:PORT`) in the log line that says where the server listens.
fn address_in(line: &str) -> Option<String> {
    let rest = line.split("serving on http://").nth(1)?;
    Some(
        rest.split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned(),
    )
}

/// Reads a server's log up to the line that says where it listens; that address.
pub fn served_address(lines: &mut impl Iterator<Item = std::io::Result<String>>) -> Option<String> {
    lines.find_map(|line| address_in(&line.unwrap()))
}

/// Starts `dcms serve ARGS` on `url` (port 0) and returns it with its address
/// (`127.0.0.1:PORT`), once it logs it. Its standard error is read to the end by a thread (a
/// server is never run with a full pipe), each line shown to `on_line` first.
pub fn serve_dcms(
    url: &str,
    key: &std::path::Path,
    args: &[&str],
    mut on_line: impl FnMut(&str) + Send + 'static,
) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    let mut child = spawn_serve(url, key, args, std::process::Stdio::null());
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            on_line(&line);
            if let Some(address) = address_in(&line)
                && let Some(tx) = tx.take()
            {
                let _ = tx.send(address);
            }
        }
    });
    let address = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the server logs its address");
    (child, address)
}

/// Asserts that SQLite's `PRAGMA integrity_check` of this store answers `ok`.
pub async fn assert_sqlite_integrity(store: &Store) {
    let check = store
        .connection()
        .query_one_raw(dcms_store::sea_orm::Statement::from_string(
            store.db_backend(),
            "PRAGMA integrity_check",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(check.try_get_by_index::<String>(0).unwrap(), "ok");
}

/// The `key` (an id) of every item of a page, in order.
pub fn ids(page: &serde_json::Value, key: &str) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {page}"))
        .iter()
        .map(|item| item[key].as_i64().unwrap())
        .collect()
}
