//! `dcms-bench soak`: a bounded load and soak on loopback (issue 10): mixed traffic from many
//! clients for a fixed time, a line every 10 s, the server's memory at the start and the end.

use crate::load::{Load, Window, quantile_ms};
use crate::server::{self, proc_mb};
use crate::session::{self, Paths};
use crate::workload::{BookingPlan, Mix, Registrations, Workload};
use anyhow::Result;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, clap::Args)]
pub struct SoakArgs {
    /// Patients of the database.
    #[arg(long, default_value_t = 20_000)]
    pub patients: u64,
    /// Concurrent clients, each with one keep-alive connection.
    #[arg(long, default_value_t = 32)]
    pub clients: usize,
    /// Seconds in all: a warm-up of a sixth of it (at most 10 s), then measured.
    #[arg(long, default_value_t = 180)]
    pub duration_secs: u64,
    /// Seconds between two report lines.
    #[arg(long, default_value_t = 10)]
    pub report_secs: u64,
    /// Where the database is built (default: the system's temporary directory).
    #[arg(long)]
    pub database_dir: Option<PathBuf>,
    /// The dcms binary (default: as for `run`).
    #[arg(long)]
    pub dcms: Option<PathBuf>,
    /// Keep the database and the server log (their folder is printed).
    #[arg(long)]
    pub keep: bool,
}

fn line(label: &str, window: &Window, seconds: f64) -> String {
    let sorted = window.sorted(None);
    format!(
        "{label:>8} | {:>8} | {:>6} | {:>7.0} | {:>7.3} | {:>8.3}",
        window.requests(),
        window.error_count(),
        window.requests() as f64 / seconds.max(1e-9),
        quantile_ms(&sorted, 0.5),
        quantile_ms(&sorted, 0.99),
    )
}

/// Runs the soak; `Ok(false)` when a request failed or the server died.
pub async fn soak(args: SoakArgs) -> Result<bool> {
    let dcms = server::find_dcms(args.dcms.clone())?;
    println!("dcms binary: {}", dcms.display());
    let dir = crate::work_dir(args.database_dir.as_deref(), args.keep)?;
    let db = server::build_database(dir.path(), "soak", args.patients).await?;
    let mut process = server::start_dcms(&dcms, &db, dir.path(), "soak").await?;
    let pid = process.pid();
    let rss = || {
        pid.and_then(|pid| proc_mb(pid, "VmRSS"))
            .unwrap_or(f64::NAN)
    };
    let session = session::open(process.addr, &db.summary).await?;
    let paths = Paths::new(&db.summary, &session.settings)?;
    paths.check(process.addr, &session.token).await?;
    let mix = Mix {
        register_lookups: paths.register_lookups.clone(),
        phone_lookups: paths.phone_lookups.clone(),
        name_searches: paths.name_searches.clone(),
        book: paths.book.clone(),
        chart: paths.chart.clone(),
        bookings: Arc::new(BookingPlan::new(
            &session.settings,
            db.summary.doctor_ids.clone(),
            db.summary.sample.iter().map(|p| p.patient_id).collect(),
        )?),
        registrations: Registrations::default(),
    };
    let total_secs = args.duration_secs.max(2);
    let warmup = Duration::from_secs((total_secs / 6).clamp(1, 10));
    let report = Duration::from_secs(args.report_secs.max(1));
    let clients = args.clients.max(1);
    println!(
        "soak: {clients} clients of mixed traffic for {total_secs} s ({} s of warm-up), {} patients; RSS {:.1} MB before",
        warmup.as_secs(),
        args.patients,
        rss()
    );
    let mut load = Load::start(
        process.addr,
        Some(&session.token),
        clients,
        Arc::new(Workload::Mixed(Arc::new(mix))),
    );
    tokio::time::sleep(warmup).await;
    load.measure();
    let started = Instant::now();
    let end = started + Duration::from_secs(total_secs) - warmup;
    let rss_first = rss();
    println!("after the warm-up: RSS {rss_first:.1} MB");
    println!("       t | requests | errors |   req/s | p50 ms  |  p99 ms  | RSS MB");
    let mut total = Window::default();
    let mut rss_last = rss_first;
    let mut died = None;
    let mut last_report = started;
    while Instant::now() < end {
        let next = (last_report + report).min(end);
        tokio::time::sleep_until(next.into()).await;
        let window = load.take();
        let seconds = last_report.elapsed().as_secs_f64();
        last_report = Instant::now();
        rss_last = rss();
        println!(
            "{} | {rss_last:.1}",
            line(
                &format!("{:.0} s", started.elapsed().as_secs_f64()),
                &window,
                seconds
            )
        );
        for sample in &window.error_samples {
            println!("  error: {sample}");
        }
        total.merge(window);
        if let Err(e) = process.check_alive() {
            died = Some(e);
            break;
        }
    }
    let (rest, seconds) = load.stop().await;
    total.merge(rest);
    let hwm = pid.and_then(|pid| proc_mb(pid, "VmHWM"));
    if died.is_none() {
        process.stop().await?;
    }

    println!();
    println!("| kind | share % | requests | errors | p50 ms | p99 ms |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (kind, (name, share)) in Mix::KINDS.iter().enumerate() {
        let kind = kind as u8;
        let sorted = total.sorted(Some(kind));
        println!(
            "| {name} | {share} | {} | {} | {:.3} | {:.3} |",
            sorted.len(),
            total.errors.get(usize::from(kind)).copied().unwrap_or(0),
            quantile_ms(&sorted, 0.5),
            quantile_ms(&sorted, 0.99),
        );
    }
    println!();
    println!("       t | requests | errors |   req/s | p50 ms  |  p99 ms");
    println!("{}", line("total", &total, seconds));
    println!(
        "server RSS after the warm-up: {rss_first:.1} MB; at the end: {rss_last:.1} MB; difference {:+.1} MB; peak (VmHWM) {}",
        rss_last - rss_first,
        hwm.map_or("unknown".into(), |mb| format!("{mb:.1} MB"))
    );
    if args.keep {
        println!("database and log kept in {}", dir.path().display());
    }
    if let Some(e) = died {
        println!("FAILED: {e:#}");
        return Ok(false);
    }
    if total.error_count() > 0 {
        println!("FAILED: {} request(s) failed", total.error_count());
        return Ok(false);
    }
    Ok(true)
}
