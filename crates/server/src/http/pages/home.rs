//! `GET /`: the start page. Staff see their day (`today.rs`: a receptionist today's
//! arrivals, a doctor their own patients of today, managers and admins the day's figures)
//! and the links their work starts from; a patient sees their portal.
//!
//! The portal shows the patient's own record and nothing else, read through the use cases
//! with the id of the patient linked to the signed-in account
//! (`services::patients::own_patient_id`), never an id from the request:
//! * their coming appointments (from the start of today in the clinic's time zone): time,
//!   doctor, the planned service by the name patients see, status;
//! * their latest treatments: date, doctor, services by the names patients see
//!   (`patient_service_name`; the doctors' names of services never show), teeth, charges;
//! * their invoices: what they owe over every treatment, and each latest treatment's
//!   total, paid and balance.
//!
//! The portal greets the patient by their first name (not the account's login name) and
//! shows no role line. A portal account no patient record is linked to gets a friendly
//! message, not an error.
//! Everything is on this one page, so the permission table needs no portal page of its own
//! (`/` is a `Session` rule).

use super::common::clinical::{self, AccountView, Audience, TreatmentRow};
use super::today::{self, DAY_MAX, Day, StaffDay};
use super::{Layout, OrPage, PageResult};
use crate::http::state::AppState;
use crate::services::appointments::{self, ListQuery};
use crate::services::auth::Caller;
use crate::services::{ServiceError, catalog, patients, settings, staff, treatments};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use dcms_domain::Role;
use jiff::civil::Time;

/// Most coming appointments the portal lists.
const COMING_MAX: u64 = 20;

/// A coming appointment as the portal shows it.
struct PortalAppointment {
    appointment_id: i64,
    /// The local date and times, `2026-11-29`, `10:00`, `10:30`.
    date: String,
    start: String,
    end: String,
    doctor_name: String,
    /// The planned service by the name patients see.
    service_name: Option<String>,
    status: &'static str,
    status_label: String,
}

/// The patient's own record on the portal.
struct PortalRecord {
    /// The patient's first name, to greet them by (not the account's login name).
    first_name: String,
    appointments: Vec<PortalAppointment>,
    /// The latest treatments, newest first (also the latest invoices).
    treatments: Vec<TreatmentRow>,
    /// There are more treatments than those shown.
    more: bool,
    account: AccountView,
    /// Their appointment requests, newest first.
    requests: Vec<PortalRequest>,
    /// The earliest day a request may name (today), `YYYY-MM-DD`.
    today: String,
}

/// An appointment request as the portal shows it.
struct PortalRequest {
    request_id: i64,
    preferred: String,
    reason: Option<String>,
    status: &'static str,
    status_label: String,
    /// Why the clinic declined it.
    answer: Option<String>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    layout: &'a Layout,
    is_patient: bool,
    /// A member of staff's role (a patient is spoken to as a patient, with no role line).
    role: Option<Role>,
    /// The portal of a patient whose account is linked to their record.
    portal: Option<PortalRecord>,
    /// A member of staff's day.
    day: Option<Day>,
    day_max: u64,
    /// e-barimt receipts that failed, for those who take payments (0: none, or not theirs).
    receipts_failed: u64,
}

/// The coming appointments of the patient linked to `caller`, with the names a patient
/// may read (one query for the doctors, one for the services).
async fn coming_appointments(
    state: &AppState,
    layout: &Layout,
    caller: &Caller,
) -> Result<Vec<PortalAppointment>, ServiceError> {
    let clinic = settings::get(&state.store).await?;
    let today = clinic.now_local().date();
    let from = today
        .to_datetime(Time::midnight())
        .to_zoned(clinic.time_zone())
        .ok()
        .map(|z| z.timestamp());
    let query = ListQuery {
        from,
        ..ListQuery::default()
    };
    let page =
        appointments::of_own_patient(&state.store, caller.user_id(), query, None, COMING_MAX)
            .await?;
    let doctor_ids: Vec<i64> = page.items.iter().map(|a| a.doctor_id).collect();
    let doctors = staff::names(&state.store, &doctor_ids).await?;
    let service_ids: Vec<i64> = page
        .items
        .iter()
        .filter_map(|a| a.planned_service_id)
        .collect();
    let services = catalog::patient_names(&state.store, &service_ids).await?;
    Ok(page
        .items
        .into_iter()
        .map(|a| {
            let start = a.start_at.to_zoned(layout.time_zone.clone());
            let end = a.end_at.to_zoned(layout.time_zone.clone());
            PortalAppointment {
                appointment_id: a.appointment_id,
                date: start.date().to_string(),
                start: start.strftime("%H:%M").to_string(),
                end: if end.date() == start.date() {
                    end.strftime("%H:%M").to_string()
                } else {
                    end.strftime("%Y-%m-%d %H:%M").to_string()
                },
                doctor_name: doctors
                    .get(&a.doctor_id)
                    .cloned()
                    .unwrap_or_else(|| a.doctor_id.to_string()),
                service_name: a
                    .planned_service_id
                    .and_then(|id| services.get(&id).cloned()),
                status: a.status.as_str(),
                status_label: layout.t(&format!("appointment-status-{}", a.status.as_str())),
            }
        })
        .collect())
}

/// The portal of the patient linked to `caller`; None when no record is linked.
async fn portal(
    state: &AppState,
    layout: &Layout,
    caller: &Caller,
) -> Result<Option<PortalRecord>, Response> {
    let patient_id = match patients::own_patient_id(&state.store, caller.user_id()).await {
        Ok(id) => id,
        Err(ServiceError::NotFound(_)) => return Ok(None),
        Err(other) => return Err(layout.error(other)),
    };
    let first_name = patients::own_first_name(&state.store, caller.user_id())
        .await
        .or_page(layout)?;
    let appointments = coming_appointments(state, layout, caller)
        .await
        .or_page(layout)?;
    let (rows, more) =
        clinical::latest(state, layout, caller, patient_id, Audience::Patient).await?;
    let account = treatments::account(&state.store, patient_id)
        .await
        .or_page(layout)?;
    let requests = crate::services::requests::mine(&state.store, caller.user_id())
        .await
        .or_page(layout)?
        .into_iter()
        .rev()
        .map(|r| PortalRequest {
            request_id: r.request_id,
            preferred: r
                .preferred
                .iter()
                .map(|p| match (&p.from, &p.to) {
                    (None, None) => p.date.to_string(),
                    (f, t) => format!(
                        "{} {}–{}",
                        p.date,
                        f.clone().unwrap_or_default(),
                        t.clone().unwrap_or_default()
                    ),
                })
                .collect::<Vec<_>>()
                .join("; "),
            reason: r.reason,
            status: r.status.as_str(),
            status_label: layout.t(&format!("request-status-{}", r.status.as_str())),
            answer: r.answer,
        })
        .collect();
    Ok(Some(PortalRecord {
        first_name,
        appointments,
        treatments: rows,
        more,
        account: AccountView::of(layout, &account),
        requests,
        today: layout.today(),
    }))
}

/// `GET /`: staff's start page, or a patient's portal.
pub async fn show(State(state): State<AppState>, layout: Layout) -> PageResult {
    let role = layout.caller.as_ref().map(|c| c.role);
    let is_patient = role == Some(Role::Patient);
    let (portal, day) = match &layout.caller {
        Some(caller) if is_patient => (portal(&state, &layout, caller).await?, None),
        Some(caller) => {
            let day = today::of(&state, &layout, caller.principal, caller.employee_id).await?;
            (None, day)
        }
        None => (None, None),
    };
    let receipts_failed = if layout.can.payments_read && !is_patient && layout.caller.is_some() {
        crate::services::ebarimt::failed_count(&state.store)
            .await
            .or_page(&layout)?
    } else {
        0
    };
    Ok(layout.render(&HomePage {
        layout: &layout,
        is_patient,
        role: role.filter(|_| !is_patient),
        portal,
        day,
        day_max: DAY_MAX,
        receipts_failed,
    }))
}
