//! Booking (`/appointments/new`): the patient found by the same search as the patients page
//! (as it is typed, with htmx; a plain form without a script), the doctor, the day, the
//! time, an optional end and planned service. An overlap shows the appointment in the way.

use super::{
    ConflictView, DOCTORS_MAX, FORM_FIELDS, Outcome, back_to_book, doctor_choices, form_id,
    form_instant,
};
use crate::http::pages::common::Choice;
use crate::http::pages::common::patient_search::{ResultRow, SearchParams, find_patients};
use crate::http::pages::{FieldMessages, Layout, OrPage, PageResult, Saved, msg};
use crate::http::state::AppState;
use crate::services::appointments::{self, BookingError, NewAppointment};
use crate::services::auth::Caller;
use crate::services::fields::Given;
use crate::services::{ServiceError, catalog, patients, staff};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

/// Patients offered by the booking form's search.
const PATIENT_OPTIONS: u64 = 10;

/// The booking form, as typed (also its query string: an empty slot's link fills it).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct BookingForm {
    patient_id: String,
    doctor_id: String,
    date: String,
    time: String,
    end_time: String,
    planned_service_id: String,
    note: String,
    /// The patient search.
    q: String,
    /// A chair's id, or blank.
    chair_id: String,
    /// Checked: book outside the doctor's hours (managers and admins).
    override_hours: Option<String>,
}

/// The chair a form names (blank or not a number: none).
fn form_chair(value: &str) -> Option<i64> {
    value.trim().parse().ok()
}

#[derive(Template)]
#[template(path = "appointment_new.html")]
struct NewAppointmentPage<'a> {
    layout: &'a Layout,
    /// The patient search as typed.
    q: String,
    form: BookingForm,
    /// The chosen patient, shown instead of the search.
    patient: Option<ResultRow>,
    results: Vec<ResultRow>,
    doctors: Vec<Choice>,
    services: Vec<Choice>,
    errors: FieldMessages,
    conflict: Option<ConflictView>,
    known_fields: &'static [&'static str],
}

#[derive(Template)]
#[template(path = "_patient_options.html")]
struct PatientOptions<'a> {
    layout: &'a Layout,
    q: String,
    results: Vec<ResultRow>,
}

/// Patients matching `q` (none for an empty `q`).
async fn patient_options(
    state: &AppState,
    layout: &Layout,
    q: &str,
) -> Result<Vec<ResultRow>, Response> {
    if q.trim().is_empty() {
        return Ok(Vec::new());
    }
    let params = SearchParams {
        q: q.to_owned(),
        cursor: None,
    };
    let (results, _) = find_patients(state, layout, &params, PATIENT_OPTIONS).await?;
    Ok(results)
}

/// The patient a form names, when the id is a patient's (a read of their record, audited
/// as every other).
async fn chosen_patient(state: &AppState, caller: &Caller, patient_id: &str) -> Option<ResultRow> {
    let id = patient_id.trim().parse::<i64>().ok()?;
    let patient = patients::get(&state.store, &state.audit, caller.actor(), id)
        .await
        .ok()?;
    Some(ResultRow::of(&patient))
}

async fn service_choices(state: &AppState, layout: &Layout) -> Result<Vec<Choice>, Response> {
    let filter = catalog::ServiceFilter {
        active: Some(true),
        ..catalog::ServiceFilter::default()
    };
    let services = catalog::list(&state.store, filter, catalog::REORDER_MAX as u64)
        .await
        .or_page(layout)?;
    Ok(services
        .iter()
        .map(|s| Choice {
            value: s.service_id.to_string(),
            label: format!(
                "{} {} · {} ({} {})",
                s.service_type,
                s.display_number,
                s.doctor_display_name,
                s.default_duration_time,
                layout.t("minutes-short")
            ),
        })
        .collect())
}

async fn booking_page(
    state: &AppState,
    caller: &Caller,
    layout: &Layout,
    form: BookingForm,
    errors: FieldMessages,
    conflict: Option<ConflictView>,
    status: StatusCode,
) -> PageResult {
    let patient = chosen_patient(state, caller, &form.patient_id).await;
    let results = if patient.is_none() {
        patient_options(state, layout, &form.q).await?
    } else {
        Vec::new()
    };
    let doctors = staff::doctors(&state.store, None, DOCTORS_MAX)
        .await
        .or_page(layout)?;
    let services = service_choices(state, layout).await?;
    Ok(layout.render_status(
        status,
        &NewAppointmentPage {
            layout,
            q: form.q.trim().to_owned(),
            form,
            patient,
            results,
            doctors: doctor_choices(&doctors),
            services,
            errors,
            conflict,
            known_fields: FORM_FIELDS,
        },
    ))
}

/// `GET /appointments/new?doctor_id=&date=&time=&patient_id=&q=`: the booking form.
pub async fn new_form(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(mut form): Query<BookingForm>,
    layout: Layout,
) -> PageResult {
    if form.date.trim().is_empty() {
        form.date = layout.today();
    }
    booking_page(
        &state,
        &caller,
        &layout,
        form,
        FieldMessages::default(),
        None,
        StatusCode::OK,
    )
    .await
}

/// `GET /appointments/patient-options?q=`: the booking form's patient choices alone.
pub async fn patient_choices(
    State(state): State<AppState>,
    Query(params): Query<BookingForm>,
    layout: Layout,
) -> PageResult {
    let results = patient_options(&state, &layout, &params.q).await?;
    Ok(layout.render(&PatientOptions {
        layout: &layout,
        q: params.q.trim().to_owned(),
        results,
    }))
}

/// `POST /appointments`: books; back to the day with the appointment, or the form again
/// with what is wrong or the appointment in the way.
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    layout: Layout,
    Form(form): Form<BookingForm>,
) -> PageResult {
    let tz = layout.time_zone.clone();
    let mut errors = Vec::new();
    let patient_id = form_id(&mut errors, "patient_id", &form.patient_id);
    let doctor_id = form_id(&mut errors, "doctor_id", &form.doctor_id);
    let planned_service_id = form_id(&mut errors, "planned_service_id", &form.planned_service_id);
    let start_at = if form.time.trim().is_empty() {
        Given::Absent
    } else {
        form_instant(&tz, "start_at", &form.date, &form.time)
    };
    let end_at = if form.end_time.trim().is_empty() {
        Given::Absent
    } else {
        form_instant(&tz, "end_at", &form.date, &form.end_time)
    };
    let result = if errors.is_empty() {
        appointments::create(
            &state.store,
            &state.audit,
            caller.actor(),
            NewAppointment {
                patient_id,
                doctor_id,
                start_at,
                end_at,
                planned_service_id,
                note: Some(form.note.clone()),
                chair_id: form_chair(&form.chair_id),
                override_hours: form.override_hours.is_some(),
            },
        )
        .await
    } else {
        Err(BookingError::Service(ServiceError::Invalid(errors)))
    };
    let result = match Outcome::of(&state, &layout, result).await? {
        Outcome::InTheWay(conflict) => {
            let conflict = conflict.map(|c| *c);
            let (errors, status) = (FieldMessages::default(), StatusCode::CONFLICT);
            return booking_page(&state, &caller, &layout, form, errors, conflict, status).await;
        }
        Outcome::Said(result) => result,
    };
    layout
        .submitted(result)
        .answer(
            |appointment| {
                let date = appointment
                    .start_at
                    .to_zoned(layout.time_zone.clone())
                    .date();
                let location = back_to_book(None, date, appointment.appointment_id);
                Saved::to(location, msg("flash-appointment-booked"))
            },
            async |refused| {
                let (errors, status) = (refused.messages(&layout), refused.status);
                booking_page(&state, &caller, &layout, form, errors, None, status).await
            },
        )
        .await
}
