//! Integration tests: the app spawned on port 0 against a fresh database, spoken to over HTTP
//! (and the `dcms` binary run as a user would). See `helpers.rs` for the backends.

mod helpers;

mod appointment_pages;
mod appointment_times;
mod appointments;
mod attachments;
mod audit;
mod auth;
mod backup;
mod balances;
mod catalog;
mod catalog_pages;
mod chart_pages;
mod cli;
mod comms;
mod comms_pages;
mod crash;
mod day_close;
mod demo;
mod errors;
mod front_desk;
mod home_pages;
mod limits;
mod medical;
mod medical_pages;
mod openapi;
mod operations;
mod page_session;
mod pages;
mod patient_page;
mod patient_search;
mod patients;
mod patients_csv;
mod plans;
mod report_pages;
mod reports;
mod schema;
mod search_plans;
mod security;
mod settings;
mod sms_sending;
mod staff;
mod staff_pages;
mod treatment_pages;
mod treatments;
