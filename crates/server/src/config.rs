//! Server configuration. Every value has a documented default (README, "Configuration");
//! the command line and `DCMS_*` environment variables override them.

use crate::services::auth::LoginLimits;
use crate::services::outbox::OutboxOptions;
use crate::services::sms_gateway::HttpGatewayConfig;
use dcms_store::StoreOptions;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Argon2id cost of password hashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordCost {
    /// Memory in KiB (OWASP minimum: 19 MiB = 19456 KiB).
    pub memory_kib: u32,
    /// Iterations (OWASP minimum with 19 MiB: 2).
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl PasswordCost {
    /// OWASP's minimum for Argon2id: m = 19 MiB, t = 2, p = 1.
    pub const OWASP: PasswordCost = PasswordCost {
        memory_kib: 19 * 1024,
        iterations: 2,
        parallelism: 1,
    };
    /// The cheapest parameters Argon2 accepts; for tests only, never for a clinic.
    pub const TEST_ONLY: PasswordCost = PasswordCost {
        memory_kib: 8,
        iterations: 1,
        parallelism: 1,
    };
}

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// The database URL: `sqlite://PATH`, `postgres://...` or `mysql://...`.
    pub database_url: String,
    /// Address to listen on (port 0 picks a free port).
    pub bind: SocketAddr,
    /// Largest request body accepted (default 1 MiB); larger gets 413.
    pub body_limit: usize,
    /// Longest a request may take before it is answered 408 (default 30 s).
    pub request_timeout: Duration,
    /// Database pool and timeouts.
    pub store: StoreOptions,
    /// Cost of password hashes.
    pub password_cost: PasswordCost,
    /// Login throttling and concurrency.
    pub login: LoginLimits,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`); empty:
    /// the connection's peer is the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The audit chain's HMAC key, kept outside the database (created on first start).
    pub audit_key_file: PathBuf,
    /// Where attachments' contents are kept (`--files-dir`; default beside a SQLite database,
    /// `dcms-files` for a database server).
    pub files_dir: PathBuf,
    /// The SMS provider's HTTP API; None sends nothing and logs each message (the default).
    pub sms_gateway: Option<HttpGatewayConfig>,
    /// The shared secret the provider sends in `X-DCMS-SMS-Secret` when it posts an incoming
    /// SMS; None refuses every inbound post (401).
    pub sms_inbound_secret: Option<Secret>,
    /// The outbox worker's poll interval and back-off.
    pub outbox: OutboxOptions,
    /// The e-barimt worker's poll interval, back-off and time-out.
    pub ebarimt: crate::services::ebarimt::EbarimtOptions,
    /// Whether the server runs the outbox worker (sending and reminders); tests that drive
    /// the worker's steps themselves turn it off.
    pub outbox_worker: bool,
    /// Whether the server refreshes the patients' stored statuses at start-up and daily;
    /// tests that set statuses by hand turn it off (they start the refresher themselves).
    pub status_refresher: bool,
}

/// A secret setting: never shown by `Debug` (the configuration is logged in places).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl Config {
    pub const DEFAULT_DATABASE_URL: &'static str = "sqlite://dcms.db";
    pub const DEFAULT_BIND: &'static str = "127.0.0.1:8080";
    pub const DEFAULT_AUDIT_KEY_FILE: &'static str = "dcms-audit.key";

    /// The defaults for a database URL.
    pub fn new(database_url: impl Into<String>) -> Config {
        let database_url = database_url.into();
        Config {
            files_dir: crate::services::attachments::Files::default_dir(&database_url),
            database_url,
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            body_limit: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            store: StoreOptions::default(),
            password_cost: PasswordCost::OWASP,
            login: LoginLimits::default(),
            trusted_proxies: Vec::new(),
            audit_key_file: PathBuf::from(Self::DEFAULT_AUDIT_KEY_FILE),
            sms_gateway: None,
            sms_inbound_secret: None,
            outbox: OutboxOptions::default(),
            ebarimt: crate::services::ebarimt::EbarimtOptions::default(),
            outbox_worker: true,
            status_refresher: true,
        }
    }
}
