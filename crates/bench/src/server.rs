//! The database the benchmark runs on (built in-process by the demo generator) and the
//! `dcms` server process that serves it.

use crate::http::Conn;
use anyhow::{Context, Result, anyhow, bail};
use dcms_server::demo::{self, DemoSummary, ScaleOptions};
use dcms_server::services::audit::AuditTrail;
use dcms_store::audit::AuditKey;
use dcms_store::{Store, StoreOptions};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// A generated database: its URL, the audit key file, and what the generator made.
pub struct Database {
    pub url: String,
    pub key_file: PathBuf,
    pub summary: DemoSummary,
}

/// Builds a SQLite database of `patients` patients in `dir` with the demo generator
/// (20 doctors, 5 past appointments per patient, one chart of 700 visits, seed 1).
pub async fn build_database(dir: &Path, name: &str, patients: u64) -> Result<Database> {
    let path = dir.join(format!("{name}.db"));
    for suffix in ["", "-wal", "-shm"] {
        let stale = PathBuf::from(format!("{}{suffix}", path.display()));
        if stale.exists() {
            std::fs::remove_file(&stale)
                .with_context(|| format!("cannot remove {}", stale.display()))?;
        }
    }
    let url = format!("sqlite://{}", path.display());
    let key_file = dir.join(format!("{name}.audit-key"));
    let started = Instant::now();
    println!("building {name}: {patients} patients in {}", path.display());
    let store = Store::connect(&url, &StoreOptions::default())
        .await
        .with_context(|| format!("cannot open {url}"))?;
    store.migrate().await.context("migrating the database")?;
    let key = AuditKey::load_or_create(&key_file)
        .with_context(|| format!("audit key file {}", key_file.display()))?;
    let audit = AuditTrail::start(store.clone(), key);
    let options = ScaleOptions {
        patients,
        doctors: 20,
        appointments_per_patient: 5,
        chart_visits: 700,
        seed: 1,
    };
    let generated = demo::generate(&store, &audit, &options).await;
    audit.shutdown().await;
    store.close().await.context("closing the database")?;
    let summary = generated.map_err(|e| anyhow!("the demo generator failed: {e}"))?;
    println!(
        "built {name} in {:.1} s: {} patients, {} phones, {} appointments, {} treatments, {} payments, {} calls, {} SMS; {} MB on disk",
        started.elapsed().as_secs_f64(),
        summary.patients,
        summary.phones,
        summary.appointments,
        summary.treatments,
        summary.payments,
        summary.calls,
        summary.sms,
        disk_mb(&path),
    );
    Ok(Database {
        url,
        key_file,
        summary,
    })
}

/// The database file and its WAL, in megabytes.
fn disk_mb(path: &Path) -> u64 {
    ["", "-wal"]
        .iter()
        .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", path.display())).ok())
        .map(|m| m.len())
        .sum::<u64>()
        / 1_000_000
}

/// The `dcms` binary: `--dcms`, or the one beside this executable, or in target/release, or
/// in target/debug.
pub fn find_dcms(given: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(path) = given {
        if path.is_file() {
            return Ok(path);
        }
        bail!("--dcms {}: no such file", path.display());
    }
    let exe = std::env::current_exe().context("cannot find this executable")?;
    let mut candidates = Vec::new();
    if let Some(dir) = exe.parent() {
        candidates.push(dir.join("dcms"));
        if let Some(target) = dir.parent() {
            candidates.push(target.join("release").join("dcms"));
            candidates.push(target.join("debug").join("dcms"));
        }
    }
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .ok_or_else(|| {
            anyhow!(
                "no dcms binary found (looked at {}); build it (cargo build --release -p dcms-server) or pass --dcms PATH",
                candidates
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
}

/// A free port on the loopback interface (bound and released).
pub fn free_addr() -> Result<SocketAddr> {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").context("cannot bind a loopback port")?;
    Ok(listener.local_addr()?)
}

/// A child process that is killed when dropped.
pub struct Process {
    pub child: Child,
    pub addr: SocketAddr,
    pub log: PathBuf,
    pub name: String,
}

impl Process {
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Fails when the process has exited.
    pub fn check_alive(&mut self) -> Result<()> {
        if let Some(status) = self.child.try_wait()? {
            bail!(
                "{} exited ({status}); the end of its log {}:\n{}",
                self.name,
                self.log.display(),
                log_tail(&self.log)
            );
        }
        Ok(())
    }

    /// Waits until GET `path` answers 200.
    pub async fn wait_ready(&mut self, path: &str) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut conn = Conn::new(self.addr, None);
        loop {
            self.check_alive()?;
            if let Ok(response) = conn.get(path).await
                && response.status == hyper::StatusCode::OK
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("{} did not answer {path} within 120 s", self.name);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// SIGTERM, then SIGKILL after 10 s.
    pub async fn stop(mut self) -> Result<()> {
        if let Some(pid) = self.child.id() {
            let pid = libc::pid_t::try_from(pid)?;
            // SAFETY: kill(2) on our own child's pid; no memory is involved.
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
            if tokio::time::timeout(Duration::from_secs(10), self.child.wait())
                .await
                .is_ok()
            {
                return Ok(());
            }
        }
        self.child.kill().await?;
        Ok(())
    }
}

/// Starts `dcms serve` on a free loopback port for `db`, and waits for /healthz.
pub async fn start_dcms(dcms: &Path, db: &Database, dir: &Path, name: &str) -> Result<Process> {
    let addr = free_addr()?;
    let log = dir.join(format!("{name}.log"));
    let log_file =
        std::fs::File::create(&log).with_context(|| format!("cannot create {}", log.display()))?;
    let child = Command::new(dcms)
        .arg("--database")
        .arg(&db.url)
        .arg("--audit-key-file")
        .arg(&db.key_file)
        .arg("serve")
        .arg("--bind")
        .arg(addr.to_string())
        .stdin(Stdio::null())
        .stdout(log_file.try_clone()?)
        .stderr(log_file)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("cannot start {}", dcms.display()))?;
    let mut process = Process {
        child,
        addr,
        log,
        name: format!("the dcms server ({name})"),
    };
    process.wait_ready("/healthz").await?;
    Ok(process)
}

/// Starts this executable's hidden `bare-server` on a free loopback port.
pub async fn start_bare(body_bytes: usize, dir: &Path) -> Result<Process> {
    let addr = free_addr()?;
    let exe = std::env::current_exe().context("cannot find this executable")?;
    let log = dir.join("bare.log");
    let log_file =
        std::fs::File::create(&log).with_context(|| format!("cannot create {}", log.display()))?;
    let child = Command::new(exe)
        .arg("bare-server")
        .arg("--bind")
        .arg(addr.to_string())
        .arg("--body-bytes")
        .arg(body_bytes.to_string())
        .stdin(Stdio::null())
        .stdout(log_file.try_clone()?)
        .stderr(log_file)
        .kill_on_drop(true)
        .spawn()
        .context("cannot start the bare server")?;
    let mut process = Process {
        child,
        addr,
        log,
        name: "the bare server".into(),
    };
    process.wait_ready("/").await?;
    Ok(process)
}

/// The last lines of a log file.
fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// A field of /proc/PID/status in kilobytes (VmRSS, VmHWM), as megabytes.
pub fn proc_mb(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status
        .lines()
        .find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))?;
    let kb: f64 = line[field.len() + 1..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// The bare handler the authenticated GET is compared with: any GET answers 200 with a JSON
/// body of `body_bytes` bytes, no middleware, no database.
pub async fn serve_bare(bind: SocketAddr, body_bytes: usize) -> Result<()> {
    let body = bare_body(body_bytes);
    let app = axum::Router::new().fallback(move || {
        let body = body.clone();
        async move { ([(hyper::header::CONTENT_TYPE, "application/json")], body) }
    });
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    axum::serve(listener, app).await?;
    Ok(())
}

/// `{"pad":"xxx…"}` of exactly `bytes` bytes (at least the 10 of `{"pad":""}`).
pub fn bare_body(bytes: usize) -> hyper::body::Bytes {
    let pad = bytes.saturating_sub(10);
    hyper::body::Bytes::from(format!("{{\"pad\":\"{}\"}}", "x".repeat(pad)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bare_body_has_the_size_asked() {
        assert_eq!(bare_body(400).len(), 400);
        assert_eq!(bare_body(10).len(), 10);
        let parsed: serde_json::Value = serde_json::from_slice(&bare_body(57)).unwrap();
        assert!(parsed["pad"].is_string());
    }
}
