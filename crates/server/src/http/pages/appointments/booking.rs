//! Booking (`/appointments/new`): the patient found by the same search as the patients page
//! (as it is typed, with htmx; a plain form without a script), then the next free times for
//! the chosen service's duration across every doctor (or the one chosen), each one click to
//! fill the form; the doctor, the day, the time, an optional end, planned service and chair.
//! An overlap shows the appointment in the way.

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
    /// The portal request this booking answers, or blank.
    request_id: String,
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
    /// The next free times (after a patient is chosen).
    slots: Vec<SlotLink>,
    /// The days the free times were looked for: `2026-12-08 – 2026-12-21`.
    slots_range: String,
    chairs: Vec<Choice>,
}

/// A free time on the booking form: a link that fills the form with it.
pub struct SlotLink {
    pub href: String,
    /// `Мя 12-08`.
    pub day: String,
    pub time: String,
    pub doctor: String,
    pub chair: Option<String>,
    /// The form holds this time now.
    pub chosen: bool,
}

/// Most free times the booking form lists, and the days it looks through for them.
const SLOTS_SHOWN: usize = 12;
const SLOT_DAYS: i64 = 14;

/// The next free times from the form's date (today at the earliest) for the chosen
/// service's duration (30 minutes without one) and doctor (every doctor without one).
async fn next_slots(
    state: &AppState,
    layout: &Layout,
    form: &BookingForm,
    doctors: &[staff::Employee],
    chairs: &[Choice],
) -> Result<(Vec<SlotLink>, String), Response> {
    use jiff::ToSpan;
    let today: jiff::civil::Date = layout.today().parse().unwrap_or_default();
    let first = form
        .date
        .trim()
        .parse::<jiff::civil::Date>()
        .ok()
        .filter(|d| *d >= today)
        .unwrap_or(today);
    let minutes = match form.planned_service_id.trim().parse::<i64>() {
        Ok(id) => catalog::get(&state.store, id)
            .await
            .map(|s| i64::from(s.default_duration_time))
            .unwrap_or(appointments::DEFAULT_MINUTES),
        Err(_) => appointments::DEFAULT_MINUTES,
    };
    let doctor_id = form.doctor_id.trim().parse::<i64>().ok();
    let mut links = Vec::new();
    let mut day = first;
    let mut last = first;
    for _ in 0..SLOT_DAYS {
        let query = appointments::SlotQuery {
            date: day,
            duration_minutes: minutes,
            doctor_id,
            chair_id: None,
        };
        let slots = appointments::free_slots(&state.store, &query)
            .await
            .or_page(layout)?;
        last = day;
        for slot in slots {
            let time = format!("{:02}:{:02}", slot.start_at.hour(), slot.start_at.minute());
            let doctor = doctors
                .iter()
                .find(|d| d.employee_id == slot.doctor_id)
                .map(|d| format!("{} {}", d.last_name, d.first_name))
                .unwrap_or_default();
            let chair = slot.chair_id.and_then(|id| {
                chairs
                    .iter()
                    .find(|c| c.value == id.to_string())
                    .map(|c| c.label.clone())
            });
            let href = format!(
                "/appointments/new?patient_id={}&doctor_id={}&date={day}&time={time}&planned_service_id={}&chair_id={}&request_id={}",
                form.patient_id.trim(),
                slot.doctor_id,
                form.planned_service_id.trim(),
                slot.chair_id.map(|c| c.to_string()).unwrap_or_default(),
                form.request_id.trim(),
            );
            links.push(SlotLink {
                chosen: form.time.trim() == time
                    && form.date.trim() == day.to_string()
                    && form.doctor_id.trim() == slot.doctor_id.to_string(),
                href,
                day: format!(
                    "{} {}",
                    layout.t(&format!(
                        "weekday-short-{}",
                        dcms_domain::weekday_key(day.weekday())
                    )),
                    day.strftime("%m-%d")
                ),
                time,
                doctor,
                chair,
            });
            if links.len() >= SLOTS_SHOWN {
                break;
            }
        }
        if links.len() >= SLOTS_SHOWN {
            break;
        }
        match day.checked_add(1.day()) {
            Ok(next) => day = next,
            Err(_) => break,
        }
    }
    Ok((links, format!("{first} – {last}")))
}

async fn chair_choices(state: &AppState, layout: &Layout) -> Result<Vec<Choice>, Response> {
    Ok(crate::services::chairs::list(&state.store, true)
        .await
        .or_page(layout)?
        .into_iter()
        .map(|c| Choice {
            value: c.chair_id.to_string(),
            label: c.name,
        })
        .collect())
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
    let chairs = chair_choices(state, layout).await?;
    let (slots, slots_range) = if patient.is_some() {
        next_slots(state, layout, &form, &doctors, &chairs).await?
    } else {
        (Vec::new(), String::new())
    };
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
            slots,
            slots_range,
            chairs,
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
    let request_id = form.request_id.trim().parse::<i64>().ok();
    let result = if errors.is_empty() {
        let booking = NewAppointment {
            patient_id,
            doctor_id,
            start_at,
            end_at,
            planned_service_id,
            note: Some(form.note.clone()),
            chair_id: form_chair(&form.chair_id),
            override_hours: form.override_hours.is_some(),
        };
        match request_id {
            Some(id) => {
                crate::services::requests::book(
                    &state.store,
                    &state.audit,
                    caller.actor(),
                    id,
                    booking,
                )
                .await
            }
            None => appointments::create(&state.store, &state.audit, caller.actor(), booking).await,
        }
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
                let flash = if request_id.is_some() {
                    "flash-request-booked"
                } else {
                    "flash-appointment-booked"
                };
                Saved::to(location, msg(flash))
            },
            async |refused| {
                let (errors, status) = (refused.messages(&layout), refused.status);
                booking_page(&state, &caller, &layout, form, errors, None, status).await
            },
        )
        .await
}
