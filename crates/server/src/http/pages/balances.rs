//! What patients owe on the pages: `/balances` (oldest debt first, the phone, the last
//! contact, a reminder SMS in one click, the statement) and `/patients/{id}/statement` (every
//! treatment's charge, payments and balance, printed on A4 for the patient). Rules:
//! `services::balances`.

use super::common::shown_number;
use super::{Layout, OrPage, PageResult, Saved, msg};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::{balances, patients, settings, treatments};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};

/// Most treatments a statement lists.
const STATEMENT_MAX: u64 = 200;

/// A patient who owes, as the list shows them.
pub struct OwingRow {
    pub patient_id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub balance: String,
    pub oldest: String,
    pub last_contact: Option<String>,
}

#[derive(Template)]
#[template(path = "balances.html")]
struct BalancesPage<'a> {
    layout: &'a Layout,
    rows: Vec<OwingRow>,
    total: String,
}

/// `GET /balances`.
pub async fn list(State(state): State<AppState>, layout: Layout) -> PageResult {
    let owing = balances::list(&state.store, None).await.or_page(&layout)?;
    let day = |t: jiff::Timestamp| t.to_zoned(layout.time_zone.clone()).date().to_string();
    let total = owing.iter().map(|o| o.balance).sum();
    let rows = owing
        .into_iter()
        .map(|o| OwingRow {
            patient_id: o.patient_id,
            name: o.name,
            phone: o.primary_phone.as_deref().map(shown_number),
            balance: layout.money(o.balance),
            oldest: day(o.oldest_unpaid_at),
            last_contact: o.last_contact_at.map(day),
        })
        .collect();
    Ok(layout.render(&BalancesPage {
        layout: &layout,
        rows,
        total: layout.money(total),
    }))
}

/// `POST /balances/{patient_id}/remind`: queues the reminder SMS; back to the list.
pub async fn remind(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    layout: Layout,
) -> PageResult {
    balances::remind(&state.store, &state.audit, caller.actor(), patient_id)
        .await
        .or_page(&layout)?;
    Ok(layout
        .go(Saved::to("/balances", msg("flash-balance-reminded"))
            .at(&format!("owing-{patient_id}"))))
}

/// One treatment on a statement.
pub struct StatementLine {
    pub treatment_id: i64,
    pub date: String,
    pub services: String,
    pub total: String,
    pub paid: String,
    pub balance: String,
}

#[derive(Template)]
#[template(path = "statement.html")]
struct StatementPage<'a> {
    layout: &'a Layout,
    clinic_name: String,
    clinic_contacts: Option<String>,
    patient_id: i64,
    patient_name: String,
    register_number: String,
    lines: Vec<StatementLine>,
    total: String,
    paid: String,
    balance: String,
    printed: String,
}

/// `GET /patients/{patient_id}/statement`: the account of a patient, to print.
pub async fn statement(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    layout: Layout,
) -> PageResult {
    let clinic = settings::get(&state.store).await.or_page(&layout)?;
    let patient = patients::get(&state.store, &state.audit, caller.actor(), patient_id)
        .await
        .or_page(&layout)?;
    let page = treatments::invoices_of_patient(
        &state.store,
        &state.audit,
        caller.actor(),
        patient_id,
        None,
        STATEMENT_MAX,
        clinic.tooth_notation,
    )
    .await
    .or_page(&layout)?;
    let account = treatments::account(&state.store, patient_id)
        .await
        .or_page(&layout)?;
    let lines = page
        .items
        .into_iter()
        .rev()
        .map(|i| StatementLine {
            treatment_id: i.treatment_id,
            date: i
                .issued_at
                .to_zoned(layout.time_zone.clone())
                .date()
                .to_string(),
            services: i
                .lines
                .iter()
                .map(|l| l.service.clone())
                .collect::<Vec<_>>()
                .join(", "),
            total: layout.money(i.total.amount()),
            paid: layout.money(i.paid.amount()),
            balance: layout.money(i.balance.amount()),
        })
        .collect();
    Ok(layout.render(&StatementPage {
        layout: &layout,
        clinic_name: clinic.clinic_name.clone(),
        clinic_contacts: clinic.clinic_contacts.clone(),
        patient_id,
        patient_name: format!("{} {}", patient.last_name, patient.first_name),
        register_number: patient.register_number.clone(),
        lines,
        total: layout.money(account.total.amount()),
        paid: layout.money(account.paid.amount()),
        balance: layout.money(account.balance.amount()),
        printed: layout.today(),
    }))
}
