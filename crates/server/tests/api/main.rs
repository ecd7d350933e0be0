//! Integration tests: the app spawned on port 0 against a fresh database, spoken to over HTTP
//! (and the `dcms` binary run as a user would). See `helpers.rs` for the backends.

mod helpers;

mod appointments;
mod audit;
mod auth;
mod catalog;
mod cli;
mod errors;
mod operations;
mod pages;
mod patients;
mod patients_csv;
mod schema;
mod settings;
mod staff;
mod staff_pages;
