//! End-to-end tests of the web pages in headless Chromium, as the clinic's staff use them:
//! log in and out in both languages, change a password, end a session, create a user, be
//! refused a page, change the settings. Each saves screenshots under `target/screenshots/`.
//! Run by `.ci/run` with `DCMS_E2E=1`; skipped (with a message) where chromedriver is absent.

#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;

mod book;
mod book_layout;
mod browser;
mod calls;
mod chart;
mod clinic;
mod ebarimt;
mod flows;
mod front_desk;
mod medical;
mod money;
mod patient;
#[allow(dead_code)]
#[path = "../api/posapi.rs"]
mod posapi;
mod screens;
mod treatment;
