//! `dcms-bench`: the DCMS benchmark (`run`, issue 9) and the bounded load and soak (`soak`,
//! issue 10). Both build a SQLite database with the demo generator in this process, start
//! the real `dcms serve` on a loopback port and drive it over HTTP; see docs/performance.md.

mod http;
mod load;
mod run;
mod server;
mod session;
mod soak;
mod workload;

use clap::{Parser, Subcommand};
use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "dcms-bench",
    about = "Benchmarks and soaks the dcms server on loopback"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The benchmark: each scenario for a fixed time, then the table of figures and goals.
    Run(run::RunArgs),
    /// A bounded load and soak: mixed traffic for a fixed time, reported every 10 s.
    Soak(soak::SoakArgs),
    /// The bare handler the authenticated GET is compared with (started by `run`).
    #[command(hide = true)]
    BareServer {
        #[arg(long)]
        bind: SocketAddr,
        #[arg(long)]
        body_bytes: usize,
    },
}

/// The folder of the databases and logs: a new one inside `parent` (or the system's
/// temporary directory), removed at the end unless `keep`.
pub(crate) fn work_dir(parent: Option<&Path>, keep: bool) -> anyhow::Result<tempfile::TempDir> {
    let mut builder = tempfile::Builder::new();
    builder.prefix("dcms-bench-").disable_cleanup(keep);
    let dir = match parent {
        Some(parent) => {
            std::fs::create_dir_all(parent)?;
            builder.tempdir_in(parent)?
        }
        None => builder.tempdir()?,
    };
    Ok(dir)
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(args).await,
        Command::Soak(args) => soak::soak(args).await,
        Command::BareServer { bind, body_bytes } => {
            server::serve_bare(bind, body_bytes).await.map(|()| true)
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "dcms-bench: {err:#}");
            ExitCode::from(2)
        }
    }
}
