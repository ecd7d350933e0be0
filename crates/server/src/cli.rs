//! The `dcms` command line (api.md, "Command line"). Every command takes `--database URL`
//! (or `DCMS_DATABASE_URL`); passwords are read from the first line of standard input,
//! never from the arguments.

use crate::app::{Application, shutdown_signal};
use crate::config::Config;
use crate::demo;
use crate::services::audit::AuditTrail;
use crate::services::sms_gateway::HttpGatewayConfig;
use crate::services::{Actor, ServiceError, patient_import, users};
use clap::{Args, Parser, Subcommand};
use dcms_domain::Role;
use dcms_store::Store;
use dcms_store::audit::AuditKey;
use std::io::{BufRead, Read, Write};
use std::net::SocketAddr;

/// DCMS, the Dental Clinic Management System.
#[derive(Debug, Parser)]
#[command(name = "dcms", version, about)]
pub struct Cli {
    /// Database URL: sqlite://PATH, postgres://... or mysql://... (MariaDB too).
    #[arg(long, global = true, env = "DCMS_DATABASE_URL", default_value = Config::DEFAULT_DATABASE_URL)]
    pub database: String,

    /// The audit chain's HMAC key file (created on first start; keep it outside the database
    /// and its backups).
    #[arg(long, global = true, env = "DCMS_AUDIT_KEY_FILE", default_value = Config::DEFAULT_AUDIT_KEY_FILE)]
    pub audit_key_file: std::path::PathBuf,

    /// Where attachments' contents (X-rays, photos, documents) are kept; default: beside a
    /// SQLite database (`dcms.db.files`), `dcms-files` for PostgreSQL and MariaDB.
    #[arg(long, global = true, env = "DCMS_FILES_DIR")]
    pub files_dir: Option<std::path::PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and serve the API and the web pages.
    Serve(ServeArgs),
    /// Apply pending migrations and exit (a no-op when there is none).
    Migrate,
    /// Manage user accounts.
    #[command(subcommand)]
    Users(UsersCommand),
    /// The audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Patients: import and export their CSV file.
    #[command(subcommand)]
    Patients(PatientsCommand),
    /// A consistent copy of a SQLite database, taken while the server runs, with the
    /// attachments' files in FILE.files (restore: stop the server and put both in place, or
    /// start it on the copy; docs/operations.md).
    Backup {
        /// The new file to write (an existing file is refused).
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Demo data for trying DCMS out and for benchmarks.
    #[command(subcommand)]
    Demo(DemoCommand),
}

#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Adds generated patients with their phones and history (appointments, treatments,
    /// payments, calls, SMS) in bulk; creates the demo clinic and its logins first when the
    /// database has no employees. Stop the server while it runs.
    Generate {
        /// Patients to add.
        #[arg(long)]
        patients: u64,
        /// Doctors of a new demo clinic (at least 5).
        #[arg(long, default_value_t = 20)]
        doctors: u32,
        /// Past appointments per patient on average.
        #[arg(long, default_value_t = 5)]
        appointments_per_patient: u32,
        /// Visits of one patient with a long chart (0: none).
        #[arg(long, default_value_t = 700)]
        chart_visits: u32,
        /// The same seed gives the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum PatientsCommand {
    /// Import patients from a CSV file (`-` reads standard input). Any bad row imports
    /// nothing unless --skip-bad; each problem is printed as `line N: field: message`.
    Import {
        file: std::path::PathBuf,
        /// Import the good rows and report the bad ones.
        #[arg(long)]
        skip_bad: bool,
    },
    /// Export every patient as a CSV file (standard output unless --to).
    Export {
        #[arg(long)]
        to: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the HMAC chain of the audit trail; names the first row that fails.
    Verify,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "DCMS_BIND", default_value = Config::DEFAULT_BIND)]
    pub bind: SocketAddr,
    /// Largest request body in bytes.
    #[arg(long, env = "DCMS_BODY_LIMIT", default_value_t = 1024 * 1024)]
    pub body_limit: usize,
    /// Seconds a request may take before it is answered 408.
    #[arg(long, env = "DCMS_REQUEST_TIMEOUT", default_value_t = 30)]
    pub request_timeout: u64,
    /// Most database connections in the pool (default: 4 for SQLite, 16 for PostgreSQL and
    /// MariaDB).
    #[arg(long, env = "DCMS_DB_MAX_CONNECTIONS")]
    pub db_max_connections: Option<u32>,
    /// The SMS provider's HTTP API (placeholders {to} {text} {idempotency_key} {subject} are
    /// percent-encoded in it). Without it, SMS are only logged.
    #[arg(long, env = "DCMS_SMS_GATEWAY_URL")]
    pub sms_gateway_url: Option<String>,
    /// GET or POST.
    #[arg(long, env = "DCMS_SMS_GATEWAY_METHOD", default_value = "POST")]
    pub sms_gateway_method: String,
    /// A header sent with every request, 'Name: value' (repeatable; in the environment, one
    /// per line).
    #[arg(
        long = "sms-gateway-header",
        env = "DCMS_SMS_GATEWAY_HEADER",
        value_delimiter = '\n',
        hide_env_values = true
    )]
    pub sms_gateway_headers: Vec<String>,
    /// The POST body template, placeholders escaped for the content type (default: a JSON
    /// object with to, text and idempotency_key).
    #[arg(long, env = "DCMS_SMS_GATEWAY_BODY")]
    pub sms_gateway_body: Option<String>,
    /// The body's content type: json, form, or a media type naming one of them.
    #[arg(
        long,
        env = "DCMS_SMS_GATEWAY_CONTENT_TYPE",
        default_value = "application/json"
    )]
    pub sms_gateway_content_type: String,
    /// The shared secret the provider sends in X-DCMS-SMS-Secret with incoming SMS (prefer the
    /// environment: arguments are visible to other users). Without it, inbound posts get 401.
    #[arg(long, env = "DCMS_SMS_INBOUND_SECRET", hide_env_values = true)]
    pub sms_inbound_secret: Option<String>,
    /// Reverse proxies (addresses or CIDR blocks, comma-separated) whose X-Forwarded-For
    /// names the client; without it the connection's peer is the client (docs/operations.md).
    #[arg(
        long = "trusted-proxy",
        env = "DCMS_TRUSTED_PROXY",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<String>,
    /// Milliseconds between two polls of the SMS outbox and the reminders.
    #[arg(long, env = "DCMS_OUTBOX_POLL_MS", default_value_t = 5000)]
    pub outbox_poll_ms: u64,
    /// Milliseconds between two polls of the e-barimt receipts (docs/e-barimt.md).
    #[arg(long, env = "DCMS_EBARIMT_POLL_MS", default_value_t = 5000)]
    pub ebarimt_poll_ms: u64,
    /// Milliseconds DCMS waits for the clinic's PosAPI to answer.
    #[arg(long, env = "DCMS_EBARIMT_TIMEOUT_MS", default_value_t = 15000)]
    pub ebarimt_timeout_ms: u64,
    /// Fill an empty database with a demo clinic (8+ staff, 300 patients, a past month and a
    /// coming week) and print its logins. A database with patients or staff is left alone.
    #[arg(long)]
    pub demo: bool,
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create a user; the password is the first line of standard input.
    Create {
        #[arg(long)]
        username: String,
        /// patient, admin, manager, doctor or receptionist.
        #[arg(long)]
        role: Role,
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from standard input (required: never pass it as an argument).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Set a new password (first line of standard input) and revoke the user's sessions.
    ResetPassword {
        #[arg(long)]
        username: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

/// A command's failure, printed as one line.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Start(#[from] crate::app::StartError),
    #[error("database: {0}")]
    Store(#[from] dcms_store::StoreError),
    #[error("{0}")]
    Service(#[from] ServiceError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Usage(String),
}

impl Cli {
    pub async fn run(self) -> Result<(), CliError> {
        let mut config = Config::new(self.database.clone());
        config.audit_key_file = self.audit_key_file.clone();
        if let Some(dir) = &self.files_dir {
            config.files_dir = dir.clone();
        }
        match self.command {
            Command::Serve(args) => {
                config.bind = args.bind;
                config.body_limit = args.body_limit;
                config.request_timeout = std::time::Duration::from_secs(args.request_timeout);
                config.store.max_connections = args.db_max_connections;
                if let Some(url) = &args.sms_gateway_url {
                    config.sms_gateway = Some(
                        HttpGatewayConfig::new(
                            url,
                            &args.sms_gateway_method,
                            &args.sms_gateway_headers,
                            args.sms_gateway_body.as_deref(),
                            &args.sms_gateway_content_type,
                        )
                        .map_err(CliError::Usage)?,
                    );
                }
                config.sms_inbound_secret = args
                    .sms_inbound_secret
                    .filter(|s| !s.is_empty())
                    .map(crate::config::Secret);
                config.outbox.poll = std::time::Duration::from_millis(args.outbox_poll_ms.max(10));
                config.ebarimt.poll =
                    std::time::Duration::from_millis(args.ebarimt_poll_ms.max(10));
                config.ebarimt.timeout =
                    std::time::Duration::from_millis(args.ebarimt_timeout_ms.max(100));
                config.trusted_proxies =
                    crate::http::client::parse_trusted_proxies(&args.trusted_proxies)
                        .map_err(CliError::Usage)?;
                serve(config, args.demo).await
            }
            Command::Migrate => {
                let store = open(&config).await?;
                let pending = store.pending_migrations().await?;
                store.migrate().await?;
                if pending.is_empty() {
                    println!("database is up to date");
                } else {
                    println!(
                        "applied {} migration(s): {}",
                        pending.len(),
                        pending.join(", ")
                    );
                }
                store.close().await?;
                Ok(())
            }
            Command::Users(UsersCommand::Create {
                username,
                role,
                display_name,
                password_stdin: _,
            }) => {
                let password = read_password()?;
                let (store, audit) = open_audited(&config).await?;
                let user = users::create(
                    &store,
                    &audit,
                    Actor::SYSTEM,
                    config.password_cost,
                    users::CreateUser {
                        username,
                        display_name,
                        password,
                        role,
                    },
                )
                .await?;
                println!(
                    "created user {} (id {}, role {role})",
                    user.username, user.user_id
                );
                store.close().await?;
                Ok(())
            }
            Command::Users(UsersCommand::ResetPassword {
                username,
                password_stdin: _,
            }) => {
                let password = read_password()?;
                let (store, audit) = open_audited(&config).await?;
                let user = users::get_by_username(&store, &username).await?;
                users::set_password(
                    &store,
                    &audit,
                    Actor::SYSTEM,
                    config.password_cost,
                    user.user_id,
                    password,
                )
                .await?;
                println!("password of {username} changed; their sessions are revoked");
                close_audited(store, audit).await
            }
            Command::Patients(PatientsCommand::Import { file, skip_bad }) => {
                let bytes = if file.as_os_str() == "-" {
                    let mut bytes = Vec::new();
                    std::io::stdin().lock().read_to_end(&mut bytes)?;
                    bytes
                } else {
                    std::fs::read(&file).map_err(|e| {
                        CliError::Usage(format!("cannot read {}: {e}", file.display()))
                    })?
                };
                let (store, audit) = open_audited(&config).await?;
                let report =
                    patient_import::import(&store, &audit, Actor::SYSTEM, &bytes, skip_bad).await;
                close_audited(store, audit).await?;
                let report = report?;
                for problem in &report.problems {
                    eprintln!("{problem}");
                }
                if report.refused() {
                    return Err(CliError::Usage(format!(
                        "nothing was imported: {} problem(s){}",
                        report.problems.len(),
                        if skip_bad {
                            ""
                        } else {
                            " (fix them, or import the good rows with --skip-bad)"
                        }
                    )));
                }
                println!("imported {} patients", report.imported);
                Ok(())
            }
            Command::Patients(PatientsCommand::Export { to }) => {
                let (store, audit) = open_audited(&config).await?;
                let csv = patient_import::export(&store, &audit, Actor::SYSTEM).await;
                close_audited(store, audit).await?;
                let csv = csv?;
                match to {
                    Some(path) => {
                        std::fs::write(&path, &csv).map_err(|e| {
                            CliError::Usage(format!("cannot write {}: {e}", path.display()))
                        })?;
                        println!("exported the patients to {}", path.display());
                    }
                    None => {
                        let mut out = std::io::stdout().lock();
                        out.write_all(&csv)?;
                        out.flush()?;
                    }
                }
                Ok(())
            }
            Command::Demo(DemoCommand::Generate {
                patients,
                doctors,
                appointments_per_patient,
                chart_visits,
                seed,
            }) => {
                let (store, audit) = open_audited(&config).await?;
                let started = std::time::Instant::now();
                let options = demo::ScaleOptions {
                    patients,
                    doctors,
                    appointments_per_patient,
                    chart_visits,
                    seed,
                };
                let summary = demo::generate(&store, &audit, &options).await;
                close_audited(store, audit).await?;
                let summary = summary?;
                print_demo_summary(&summary);
                println!("took {:.1} s", started.elapsed().as_secs_f64());
                Ok(())
            }
            Command::Backup { to } => {
                let store = open(&config).await?;
                let started = std::time::Instant::now();
                let copied = store.backup_to(&to).await;
                store.close().await?;
                copied?;
                // After the database's copy: every attachment it names is on disk already
                // (contents are written before their rows commit).
                let files_to = crate::services::attachments::Files::default_dir(&format!(
                    "sqlite://{}",
                    to.display()
                ));
                let files = crate::services::backup::copy_files(&config.files_dir, &files_to)?;
                let database_bytes = std::fs::metadata(&to).map(|m| m.len()).unwrap_or(0);
                println!(
                    "backed up to {} in {:.1} s: database {}, {} attachment files {} in {}",
                    to.display(),
                    started.elapsed().as_secs_f64(),
                    crate::services::backup::size_text(database_bytes),
                    files.count,
                    crate::services::backup::size_text(files.bytes),
                    files_to.display(),
                );
                Ok(())
            }
            Command::Audit(AuditCommand::Verify) => {
                let (store, audit) = open_audited(&config).await?;
                let report = audit.verify().await?;
                close_audited(store, audit).await?;
                // Any problem fails, also one that names no row (the chain head is missing).
                match (report.problem, report.first_bad_row) {
                    (None, _) => {
                        println!("audit chain verified: {} rows", report.rows_checked);
                        Ok(())
                    }
                    (Some(problem), Some(row)) => Err(CliError::Usage(format!(
                        "audit chain broken at row {row}: {problem}"
                    ))),
                    (Some(problem), None) => {
                        Err(CliError::Usage(format!("audit chain broken: {problem}")))
                    }
                }
            }
        }
    }
}

async fn open(config: &Config) -> Result<Store, CliError> {
    Ok(Store::connect(&config.database_url, &config.store).await?)
}

/// The migrated database and its audit trail, for commands that write.
async fn open_audited(config: &Config) -> Result<(Store, AuditTrail), CliError> {
    let store = open(config).await?;
    store.migrate().await?;
    let key = AuditKey::load_or_create(&config.audit_key_file)?;
    let audit = AuditTrail::start(store.clone(), key);
    Ok((store, audit))
}

async fn close_audited(store: Store, audit: AuditTrail) -> Result<(), CliError> {
    audit.shutdown().await;
    store.close().await?;
    Ok(())
}

/// The first line of standard input, without its line ending.
fn read_password() -> Result<String, CliError> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        return Err(CliError::Usage(
            "no password on standard input (pipe it in: echo \"$PW\" | dcms users ...)".into(),
        ));
    }
    Ok(password)
}

/// Prints what a demo generation wrote and its logins.
fn print_demo_summary(summary: &demo::DemoSummary) {
    println!(
        "demo data: {} patients, {} phones, {} appointments, {} treatments, {} payments, {} calls, {} SMS",
        summary.patients,
        summary.phones,
        summary.appointments,
        summary.treatments,
        summary.payments,
        summary.calls,
        summary.sms
    );
    if let Some(id) = summary.chart_patient_id {
        println!("the patient with the long chart: /patients/{id}");
    }
    if !summary.logins.is_empty() {
        println!("demo logins (every password is {}):", demo::DEMO_PASSWORD);
        for login in &summary.logins {
            println!("  {:<12} {}", login.username, login.role);
        }
    }
}

async fn serve(config: Config, demo: bool) -> Result<(), CliError> {
    let app = Application::build(config.clone()).await?;
    let stop = shutdown_signal();
    if demo {
        if demo::is_empty(app.store()).await? {
            let summary =
                demo::generate(app.store(), app.audit(), &demo::ScaleOptions::demo_clinic())
                    .await?;
            print_demo_summary(&summary);
        } else {
            println!("--demo: the database already has patients or staff, so nothing was added");
        }
    }
    if let Some((username, password)) =
        users::ensure_admin(app.store(), app.audit(), config.password_cost).await?
    {
        println!("No admin existed, so one was created. Write this down; it is shown only once:");
        println!("  username: {username}");
        println!("  password: {password}");
    }
    let addr = app.local_addr();
    tracing::info!(%addr, database = ?app.store().backend(), "DCMS is serving on http://{addr}");
    app.run_until(stop).await?;
    Ok(())
}
