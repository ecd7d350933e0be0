//! `dcms-bench run`: the benchmark of issue 9 (docs/performance.md).

use crate::load::{Load, Window, quantile_ms};
use crate::server::{self, Database, Process, proc_mb};
use crate::session::{self, Paths, Session};
use crate::workload::{BookingPlan, ME, Workload};
use anyhow::Result;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Patients of the big database.
    #[arg(long, default_value_t = 1_000_000)]
    pub patients: u64,
    /// Patients of the small database whose lookup p99 the big one's is compared with
    /// (0: no small database).
    #[arg(long, default_value_t = 10_000)]
    pub small: u64,
    /// Concurrent clients, each with one keep-alive connection.
    #[arg(long, default_value_t = 16)]
    pub clients: usize,
    /// Seconds each scenario is measured (after a warm-up of a fifth of it, 0.5 to 2 s).
    #[arg(long, default_value_t = 5.0)]
    pub duration_secs: f64,
    /// Where the databases are built (default: the system's temporary directory).
    #[arg(long)]
    pub database_dir: Option<PathBuf>,
    /// The dcms binary (default: the one beside this executable, else target/release, else
    /// target/debug).
    #[arg(long)]
    pub dcms: Option<PathBuf>,
    /// Keep the databases and the server logs (their folder is printed).
    #[arg(long)]
    pub keep: bool,
}

/// A scenario's goal.
#[derive(Debug, Clone, Copy)]
enum Goal {
    P99AtMost(f64),
    RateAtLeast(f64),
    /// At least this share of the bare handler's throughput.
    ShareOfBare(f64),
    None,
}

struct Row {
    name: String,
    requests: u64,
    errors: u64,
    rate: f64,
    p50: f64,
    p99: f64,
    goal: Goal,
}

impl Row {
    fn new(name: &str, window: &Window, seconds: f64, goal: Goal) -> Row {
        let sorted = window.sorted(None);
        Row {
            name: name.to_owned(),
            requests: window.requests(),
            errors: window.error_count(),
            rate: window.requests() as f64 / seconds.max(1e-9),
            p50: quantile_ms(&sorted, 0.5),
            p99: quantile_ms(&sorted, 0.99),
            goal,
        }
    }

    fn goal_text(&self, bare_rate: Option<f64>) -> (String, &'static str) {
        let verdict = |ok: bool| if ok { "yes" } else { "NO" };
        match self.goal {
            Goal::P99AtMost(ms) => (format!("p99 ≤ {ms} ms"), verdict(self.p99 <= ms)),
            Goal::RateAtLeast(rate) => (format!("≥ {rate} req/s"), verdict(self.rate >= rate)),
            Goal::ShareOfBare(share) => (
                format!("≥ {share} × bare"),
                match bare_rate {
                    Some(bare) => verdict(self.rate >= share * bare),
                    None => "?",
                },
            ),
            Goal::None => ("(reference)".into(), ""),
        }
    }
}

/// Runs one workload: warm-up, then `duration` measured.
async fn measure(
    addr: SocketAddr,
    token: &str,
    clients: usize,
    workload: Workload,
    warmup: Duration,
    duration: Duration,
) -> (Window, f64) {
    let mut load = Load::start(addr, Some(token), clients, Arc::new(workload));
    tokio::time::sleep(warmup).await;
    load.measure();
    tokio::time::sleep(duration).await;
    load.stop().await
}

fn print_errors(name: &str, window: &Window) {
    for sample in &window.error_samples {
        println!("  error in {name}: {sample}");
    }
}

/// Runs the benchmark; `Ok(false)` when a scenario had errors.
pub async fn run(args: RunArgs) -> Result<bool> {
    let dcms = server::find_dcms(args.dcms.clone())?;
    println!("dcms binary: {}", dcms.display());
    let dir = crate::work_dir(args.database_dir.as_deref(), args.keep)?;
    let duration = Duration::from_secs_f64(args.duration_secs.max(0.1));
    let warmup = Duration::from_secs_f64((args.duration_secs / 5.0).clamp(0.5, 2.0));
    let clients = args.clients.max(1);
    let mut all_ok = true;

    // The register-number lookup on the small database first.
    let mut small = None;
    if args.small > 0 {
        let db = server::build_database(dir.path(), "small", args.small).await?;
        let mut process = server::start_dcms(&dcms, &db, dir.path(), "small").await?;
        let session = session::open(process.addr, &db.summary).await?;
        let paths = Paths::new(&db.summary, &session.settings)?;
        paths.check(process.addr, &session.token).await?;
        let (window, seconds) = measure(
            process.addr,
            &session.token,
            clients,
            Workload::Get(paths.register_lookups.clone()),
            warmup,
            duration,
        )
        .await;
        process.check_alive()?;
        let row = Row::new(
            &format!("lookup by register number at {} patients", args.small),
            &window,
            seconds,
            Goal::P99AtMost(2.0),
        );
        print_errors(&row.name, &window);
        all_ok &= row.errors == 0;
        println!(
            "  {}: {} requests, {} errors, {:.0} req/s, p50 {:.3} ms, p99 {:.3} ms",
            row.name, row.requests, row.errors, row.rate, row.p50, row.p99
        );
        let hwm = process.pid().and_then(|pid| proc_mb(pid, "VmHWM"));
        process.stop().await?;
        small = Some((row, hwm));
    }

    let db = server::build_database(dir.path(), "big", args.patients).await?;
    let mut process = server::start_dcms(&dcms, &db, dir.path(), "big").await?;
    let session = session::open(process.addr, &db.summary).await?;
    let paths = Paths::new(&db.summary, &session.settings)?;
    paths.check(process.addr, &session.token).await?;
    let rss_start = process.pid().and_then(|pid| proc_mb(pid, "VmRSS"));
    let rows = big_scenarios(
        &db,
        &mut process,
        &session,
        &paths,
        clients,
        warmup,
        duration,
        dir.path(),
    )
    .await?;
    let hwm = process.pid().and_then(|pid| proc_mb(pid, "VmHWM"));
    let rss_end = process.pid().and_then(|pid| proc_mb(pid, "VmRSS"));
    process.stop().await?;

    // The table.
    let bare_rate = rows
        .iter()
        .find(|r| r.name.starts_with("bare"))
        .map(|r| r.rate);
    println!();
    println!(
        "DCMS benchmark: {} patients (SQLite), {clients} clients, {:.1} s per scenario after {:.1} s of warm-up",
        args.patients,
        duration.as_secs_f64(),
        warmup.as_secs_f64()
    );
    println!();
    println!("| scenario | requests | errors | req/s | p50 ms | p99 ms | goal | met |");
    println!("|---|---:|---:|---:|---:|---:|---|---|");
    for row in &rows {
        all_ok &= row.errors == 0;
        let (goal, met) = row.goal_text(bare_rate);
        println!(
            "| {} | {} | {} | {:.0} | {:.3} | {:.3} | {goal} | {met} |",
            row.name, row.requests, row.errors, row.rate, row.p50, row.p99
        );
    }
    println!();
    let me_rate = rows
        .iter()
        .find(|r| r.name.starts_with("GET /auth/me"))
        .map(|r| r.rate);
    if let (Some(me), Some(bare)) = (me_rate, bare_rate) {
        println!(
            "authenticated GET / bare handler throughput: {:.2} (goal ≥ 0.5)",
            me / bare.max(1e-9)
        );
    }
    if let Some((small_row, small_hwm)) = &small {
        let big_p99 = rows
            .iter()
            .find(|r| r.name.starts_with("lookup by register number"))
            .map_or(f64::NAN, |r| r.p99);
        println!(
            "lookup p99 at {} patients: {:.3} ms; at {} patients: {:.3} ms; growth {:.2}× (goal ≤ 1.5×)",
            args.small,
            small_row.p99,
            args.patients,
            big_p99,
            big_p99 / small_row.p99
        );
        if let Some(mb) = small_hwm {
            println!(
                "peak RSS of the server at {} patients: {mb:.1} MB",
                args.small
            );
        }
    }
    match hwm {
        Some(mb) => println!(
            "peak RSS of the server at {} patients: {mb:.1} MB (goal ≤ 200 MB){}",
            args.patients,
            match (rss_start, rss_end) {
                (Some(a), Some(b)) => format!("; RSS {a:.1} MB after start, {b:.1} MB at the end"),
                _ => String::new(),
            }
        ),
        None => println!("peak RSS of the server: unknown (no /proc/PID/status)"),
    }
    if args.keep {
        println!("databases and logs kept in {}", dir.path().display());
    }
    Ok(all_ok)
}

#[allow(clippy::too_many_arguments)]
async fn big_scenarios(
    db: &Database,
    process: &mut Process,
    session: &Session,
    paths: &Paths,
    clients: usize,
    warmup: Duration,
    duration: Duration,
    dir: &std::path::Path,
) -> Result<Vec<Row>> {
    let addr = process.addr;
    let token = session.token.as_str();
    let doctors = db.summary.doctor_ids.len();
    let bookings = Arc::new(BookingPlan::new(
        &session.settings,
        db.summary.doctor_ids.clone(),
        db.summary.sample.iter().map(|p| p.patient_id).collect(),
    )?);
    let scenarios: Vec<(String, Workload, Goal)> = vec![
        (
            "lookup by register number".into(),
            Workload::Get(paths.register_lookups.clone()),
            Goal::P99AtMost(2.0),
        ),
        (
            "lookup by phone".into(),
            Workload::Get(paths.phone_lookups.clone()),
            Goal::P99AtMost(2.0),
        ),
        (
            "name-prefix search (3 letters)".into(),
            Workload::Get(paths.name_searches.clone()),
            Goal::P99AtMost(10.0),
        ),
        (
            format!("one day's appointment book ({doctors} doctors)"),
            Workload::AllPages(paths.book.clone()),
            Goal::P99AtMost(10.0),
        ),
        (
            "chart with 700 visits".into(),
            Workload::Get(vec![paths.chart.clone()]),
            Goal::P99AtMost(30.0),
        ),
        (
            "booking with the conflict check".into(),
            Workload::Booking(bookings),
            Goal::RateAtLeast(1000.0),
        ),
        (
            "GET /auth/me (authenticated)".into(),
            Workload::Get(vec![ME.to_owned()]),
            Goal::ShareOfBare(0.5),
        ),
    ];
    let mut rows = Vec::new();
    for (name, workload, goal) in scenarios {
        println!("measuring: {name}");
        let (window, seconds) = measure(addr, token, clients, workload, warmup, duration).await;
        process.check_alive()?;
        print_errors(&name, &window);
        rows.push(Row::new(&name, &window, seconds, goal));
    }
    // The chart's summary (what the chart page draws) of the same patient, on one client:
    // the goal of the chart issue is a doctor opening the chart, not 16 at once.
    let name = "chart summary with 700 visits (1 client)".to_owned();
    println!("measuring: {name}");
    let (window, seconds) = measure(
        addr,
        token,
        1,
        Workload::Get(vec![paths.chart_summary.clone()]),
        warmup,
        duration,
    )
    .await;
    process.check_alive()?;
    print_errors(&name, &window);
    rows.push(Row::new(&name, &window, seconds, Goal::P99AtMost(30.0)));
    // The bare handler, driven identically (same request, same body size).
    let name = format!("bare axum handler ({} B body)", session.me_bytes);
    println!("measuring: {name}");
    let bare = server::start_bare(session.me_bytes, dir).await?;
    let (window, seconds) = measure(
        bare.addr,
        token,
        clients,
        Workload::Get(vec![ME.to_owned()]),
        warmup,
        duration,
    )
    .await;
    bare.stop().await?;
    print_errors(&name, &window);
    rows.push(Row::new(&name, &window, seconds, Goal::None));
    Ok(rows)
}
