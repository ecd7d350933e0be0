//! `dcms`: the Dental Clinic Management System server and command line.

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = dcms_server::cli::Cli::parse();
    dcms_server::telemetry::init();
    match cli.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // Not `eprintln!`: with standard error closed it would panic instead of exiting.
            let _ = writeln!(std::io::stderr(), "dcms: {err}");
            ExitCode::FAILURE
        }
    }
}
