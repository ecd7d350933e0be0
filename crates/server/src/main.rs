//! `dcms`: the Dental Clinic Management System server and command line.

use clap::Parser;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = dcms_server::cli::Cli::parse();
    dcms_server::telemetry::init();
    match cli.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("dcms: {err}");
            ExitCode::FAILURE
        }
    }
}
