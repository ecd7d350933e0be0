//! What every run needs from the started server: a manager's bearer token, the size of
//! `/auth/me`'s answer, the clinic's settings, and the request paths built from the
//! generator's sample.

use crate::http::{Conn, encode};
use crate::workload::{ME, Settings};
use anyhow::{Context, Result, anyhow, bail};
use dcms_domain::Role;
use dcms_server::demo::DemoSummary;
use hyper::StatusCode;
use serde::Deserialize;
use serde_json::json;
use std::net::SocketAddr;

pub struct Session {
    pub token: String,
    /// The bytes of GET /api/v1/auth/me's body.
    pub me_bytes: usize,
    pub settings: Settings,
}

/// Logs in as the demo's manager.
pub async fn open(addr: SocketAddr, summary: &DemoSummary) -> Result<Session> {
    let login = summary
        .logins
        .iter()
        .find(|l| l.role == Role::Manager)
        .ok_or_else(|| anyhow!("the demo created no manager login"))?;
    let mut conn = Conn::new(addr, None);
    #[derive(Deserialize)]
    struct LoggedIn {
        token: String,
    }
    let logged_in: LoggedIn = conn
        .post(
            "/api/v1/auth/login",
            &json!({"username": login.username, "password": login.password, "device_name": "dcms-bench"}),
        )
        .await?
        .expect_status(StatusCode::CREATED, "POST /api/v1/auth/login")?
        .json()?;
    conn.set_token(&logged_in.token);
    let me = conn.get(ME).await?.expect_status(StatusCode::OK, ME)?;
    let settings: Settings = conn
        .get("/api/v1/settings")
        .await?
        .expect_status(StatusCode::OK, "GET /api/v1/settings")?
        .json()
        .context("the clinic's settings")?;
    Ok(Session {
        token: logged_in.token,
        me_bytes: me.body.len(),
        settings,
    })
}

/// The request paths of the read scenarios, from the generator's sample.
pub struct Paths {
    pub register_lookups: Vec<String>,
    pub phone_lookups: Vec<String>,
    pub name_searches: Vec<String>,
    /// One day's appointment book (every page).
    pub book: String,
    pub book_day: jiff::civil::Date,
    pub chart: String,
    /// The same patient's chart summary (`/chart/summary`).
    pub chart_summary: String,
}

impl Paths {
    pub fn new(summary: &DemoSummary, settings: &Settings) -> Result<Paths> {
        if summary.sample.is_empty() {
            bail!("the demo generator returned no sample patients");
        }
        let search = |q: &str| format!("/api/v1/patients?q={}", encode(q));
        let chart_patient = summary
            .chart_patient_id
            .ok_or_else(|| anyhow!("the demo generator made no patient with a long chart"))?;
        let day = settings.next_open_day()?;
        Ok(Paths {
            register_lookups: summary
                .sample
                .iter()
                .map(|p| search(&p.register_number))
                .collect(),
            phone_lookups: summary.sample.iter().map(|p| search(&p.phone)).collect(),
            name_searches: summary
                .sample
                .iter()
                .map(|p| search(&p.last_name.chars().take(3).collect::<String>()))
                .collect(),
            book: format!("/api/v1/appointments?from={day}&to={day}&limit=500"),
            book_day: day,
            chart: format!("/api/v1/patients/{chart_patient}/chart"),
            chart_summary: format!("/api/v1/patients/{chart_patient}/chart/summary"),
        })
    }

    /// Checks that each read finds something (a lookup that finds nobody measures a miss),
    /// printing what it found.
    pub async fn check(&self, addr: SocketAddr, token: &str) -> Result<()> {
        #[derive(Deserialize)]
        struct Page {
            items: Vec<serde_json::Value>,
            next_cursor: Option<String>,
        }
        let mut conn = Conn::new(addr, Some(token));
        for (what, path) in [
            ("register number lookup", &self.register_lookups[0]),
            ("phone lookup", &self.phone_lookups[0]),
            ("name-prefix search", &self.name_searches[0]),
            ("appointment book", &self.book),
        ] {
            let page: Page = conn
                .get(path)
                .await?
                .expect_status(StatusCode::OK, path)?
                .json()?;
            if page.items.is_empty() {
                println!("  warning: the {what} {path} finds nothing");
            } else if what == "appointment book" {
                println!(
                    "  the appointment book of {} has {} appointments{}",
                    self.book_day,
                    page.items.len(),
                    if page.next_cursor.is_some() {
                        " on its first page (more pages follow)"
                    } else {
                        ""
                    }
                );
            }
        }
        #[derive(Deserialize)]
        struct Chart {
            teeth: Vec<serde_json::Value>,
        }
        let chart: Chart = conn
            .get(&self.chart)
            .await?
            .expect_status(StatusCode::OK, &self.chart)?
            .json()?;
        println!(
            "  the long chart has {} teeth with items",
            chart.teeth.len()
        );
        Ok(())
    }
}
