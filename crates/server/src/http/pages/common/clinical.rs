//! The clinical record as the patient's page and the patient portal list it: treatments
//! with their doctors and services, invoices (one per treatment) and the patient's account,
//! built from `services::treatments` answers.
//!
//! The doctors' names are looked up once for all the rows (`services::staff::names`), never
//! per row. Staff pages show the services by the names doctors use; the portal
//! ([`Audience::Patient`]) by the names patients see (`patient_service_name`), so a doctor's
//! internal wording never reaches a patient.

use crate::http::pages::{Layout, OrPage};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::staff;
use crate::services::treatments::{self, Account, Treatment};
use axum::response::Response;

/// Most treatments and invoices the patient's page and the portal list (the latest).
pub const LATEST: u64 = 10;

/// Who reads the rows: which name of a service they see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The clinic's staff: the services' names for doctors.
    Staff,
    /// The patient (the portal): the services' names for patients.
    Patient,
}

/// One service done in a treatment, as a row shows it.
pub struct ServiceLine {
    pub name: String,
    /// The teeth in the treatment's notation, `16, 17` (empty when none).
    pub teeth: String,
    /// The item's charge, `60 000 ₮`.
    pub charge: String,
}

/// One treatment (and its invoice) as the lists show it.
pub struct TreatmentRow {
    pub treatment_id: i64,
    /// The treatment's date in the clinic's time zone, `2026-11-29 14:30`.
    pub date: String,
    pub doctor_name: String,
    /// The items, in their order.
    pub services: Vec<ServiceLine>,
    pub total: String,
    pub paid: String,
    pub balance: String,
    /// Something is left to pay.
    pub due: bool,
}

/// What a patient owes over all their treatments, as the pages show it.
pub struct AccountView {
    pub total: String,
    pub paid: String,
    pub balance: String,
    /// Something is left to pay.
    pub due: bool,
}

impl AccountView {
    pub fn of(layout: &Layout, account: &Account) -> AccountView {
        AccountView {
            total: layout.money(account.total.amount()),
            paid: layout.money(account.paid.amount()),
            balance: layout.money(account.balance.amount()),
            due: account.balance.amount() > 0,
        }
    }
}

/// The latest [`LATEST`] treatments of a patient, newest first, as rows for `audience`
/// (a read of the record), and whether the patient has more.
pub async fn latest(
    state: &AppState,
    layout: &Layout,
    caller: &Caller,
    patient_id: i64,
    audience: Audience,
) -> Result<(Vec<TreatmentRow>, bool), Response> {
    let system = treatments::notation(&state.store, None)
        .await
        .or_page(layout)?;
    let page = treatments::of_patient(
        &state.store,
        &state.audit,
        caller.actor(),
        patient_id,
        None,
        LATEST,
        system,
    )
    .await
    .or_page(layout)?;
    let rows = treatment_rows(state, layout, &page.items, audience).await?;
    Ok((rows, page.next_cursor.is_some()))
}

/// The rows of `treatments`, in their order, with their doctors' names (one query for all).
pub async fn treatment_rows(
    state: &AppState,
    layout: &Layout,
    treatments: &[Treatment],
    audience: Audience,
) -> Result<Vec<TreatmentRow>, Response> {
    let doctor_ids: Vec<i64> = treatments.iter().map(|t| t.doctor_id).collect();
    let doctors = staff::names(&state.store, &doctor_ids)
        .await
        .or_page(layout)?;
    Ok(treatments
        .iter()
        .map(|t| TreatmentRow {
            treatment_id: t.treatment_id,
            date: layout.datetime(&t.treatment_date),
            doctor_name: doctors
                .get(&t.doctor_id)
                .cloned()
                .unwrap_or_else(|| t.doctor_id.to_string()),
            services: t
                .items
                .iter()
                .map(|item| ServiceLine {
                    name: match audience {
                        Audience::Staff => item.service_name.clone(),
                        Audience::Patient => item.patient_service_name.clone(),
                    },
                    teeth: item
                        .teeth
                        .iter()
                        .map(|tooth| tooth.code.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    charge: layout.money(item.charge.amount()),
                })
                .collect(),
            total: layout.money(t.total.amount()),
            paid: layout.money(t.paid.amount()),
            balance: layout.money(t.balance.amount()),
            due: t.balance.amount() > 0,
        })
        .collect())
}
