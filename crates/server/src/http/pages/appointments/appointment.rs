//! One appointment's page (`/appointments/{id}`): its details, the treatments recorded on
//! it (and, once the patient came, "record treatment" for those who write treatments: the
//! treatment form with `?appointment_id=`, which links the two), its status moves (with an
//! optional reason, for the audit trail) and the form that moves it. The book's drag and
//! drop (`static/book.js`) posts the same form, so there is one path for a move.

use super::{
    ConflictView, DOCTORS_MAX, FORM_FIELDS, Outcome, back_to_book, doctor_choices, form_id,
    form_instant, given,
};
use crate::http::pages::common::Choice;
use crate::http::pages::common::appointment_block::Block;
use crate::http::pages::common::clinical::{self, Audience, TreatmentRow};
use crate::http::pages::{FieldMessages, Layout, OrPage, PageResult, Saved, msg};
use crate::http::state::AppState;
use crate::services::appointments::{self, AppointmentChanges, BookingError};
use crate::services::auth::Caller;
use crate::services::fields::Given;
use crate::services::{FieldError, ServiceError, staff, treatments};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use dcms_domain::AppointmentStatus;
use dcms_domain::permission::{Access, Capability};
use serde::Deserialize;

/// The move form, as typed. A field left out is not changed (the book's drag and drop
/// sends only what it moves); the page's form sends every field.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct MoveForm {
    date: Option<String>,
    time: Option<String>,
    end_time: Option<String>,
    doctor_id: Option<String>,
    note: Option<String>,
    /// Where to go afterwards (a path of ours).
    back: Option<String>,
}

/// A status move, with its optional reason.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatusForm {
    status: String,
    reason: String,
    back: Option<String>,
}

#[derive(Template)]
#[template(path = "appointment.html")]
struct AppointmentPage<'a> {
    layout: &'a Layout,
    block: Block,
    /// The move form's values.
    form: MoveForm,
    doctors: Vec<Choice>,
    errors: FieldMessages,
    /// A refused status move or a refused move, as one message.
    problem: Option<String>,
    conflict: Option<ConflictView>,
    reason: String,
    back: String,
    known_fields: &'static [&'static str],
    /// The treatments recorded on it, for those who read treatments.
    treatments: Option<Vec<TreatmentRow>>,
    /// The treatment form on this appointment: the patient came and the caller records
    /// treatments.
    record_treatment: Option<String>,
}

struct Shown {
    errors: FieldMessages,
    problem: Option<String>,
    conflict: Option<ConflictView>,
    status: StatusCode,
}

impl Shown {
    fn ok() -> Shown {
        Shown {
            errors: FieldMessages::default(),
            problem: None,
            conflict: None,
            status: StatusCode::OK,
        }
    }
}

/// The treatments recorded on the appointment, as rows, when the caller reads treatments.
async fn treatments_on(
    state: &AppState,
    caller: &Caller,
    layout: &Layout,
    appointment_id: i64,
) -> Result<Option<Vec<TreatmentRow>>, axum::response::Response> {
    if !layout.can.treatments_read {
        return Ok(None);
    }
    let system = treatments::notation(&state.store, None)
        .await
        .or_page(layout)?;
    let recorded = treatments::of_appointment(
        &state.store,
        &state.audit,
        caller.actor(),
        appointment_id,
        system,
    )
    .await
    .or_page(layout)?;
    let rows = clinical::treatment_rows(state, layout, &recorded, Audience::Staff).await?;
    Ok(Some(rows))
}

async fn appointment_page(
    state: &AppState,
    caller: &Caller,
    layout: &Layout,
    appointment_id: i64,
    form: Option<MoveForm>,
    reason: String,
    shown: Shown,
) -> PageResult {
    let appointment = appointments::get(&state.store, appointment_id)
        .await
        .or_page(layout)?;
    let entries = appointments::with_names(&state.store, vec![appointment])
        .await
        .or_page(layout)?;
    let Some(entry) = entries.first() else {
        return Err(layout.error(ServiceError::NotFound("appointment")));
    };
    let can_write = layout.can.appointments_write;
    let block = Block::of(layout, entry, can_write);
    let record_treatment = (entry.appointment.status == AppointmentStatus::Came
        && layout.can.treatments_write)
        .then(|| {
            format!(
                "/patients/{}/treatments/new?appointment_id={appointment_id}",
                block.patient_id
            )
        });
    let treatments = treatments_on(state, caller, layout, appointment_id).await?;
    let form = form.unwrap_or_else(|| MoveForm {
        date: Some(block.date.clone()),
        time: Some(block.start.clone()),
        end_time: Some(
            entry
                .appointment
                .end_at
                .to_zoned(layout.time_zone.clone())
                .strftime("%H:%M")
                .to_string(),
        ),
        doctor_id: Some(block.doctor_id.to_string()),
        note: block.note.clone(),
        back: None,
    });
    let mut doctors = staff::doctors(&state.store, None, DOCTORS_MAX)
        .await
        .or_page(layout)?;
    if !doctors.iter().any(|d| d.employee_id == block.doctor_id)
        && let Ok(current) = staff::get(&state.store, block.doctor_id).await
    {
        doctors.push(current);
    }
    let back = format!("/appointments?date={}", block.date);
    Ok(layout.render_status(
        shown.status,
        &AppointmentPage {
            layout,
            block,
            form,
            doctors: doctor_choices(&doctors),
            errors: shown.errors,
            problem: shown.problem,
            conflict: shown.conflict,
            reason,
            back,
            known_fields: FORM_FIELDS,
            treatments,
            record_treatment,
        },
    ))
}

/// `GET /appointments/{appointment_id}`.
pub async fn show(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(appointment_id): Path<i64>,
    layout: Layout,
) -> PageResult {
    appointment_page(
        &state,
        &caller,
        &layout,
        appointment_id,
        None,
        String::new(),
        Shown::ok(),
    )
    .await
}

/// `POST /appointments/{appointment_id}`: moves or edits it (the page's form, or the
/// book's drag and drop with only the fields it changes).
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(appointment_id): Path<i64>,
    layout: Layout,
    Form(form): Form<MoveForm>,
) -> PageResult {
    let current = appointments::get(&state.store, appointment_id)
        .await
        .or_page(&layout)?;
    let tz = layout.time_zone.clone();
    let start_date = current.start_at.to_zoned(tz.clone()).date().to_string();
    let date = form
        .date
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .unwrap_or(&start_date);
    let mut errors = Vec::new();

    let start_at =
        given(&form.time).map_or(Given::Absent, |t| form_instant(&tz, "start_at", date, t));
    let end_at =
        given(&form.end_time).map_or(Given::Absent, |t| form_instant(&tz, "end_at", date, t));
    let doctor_id = given(&form.doctor_id).and_then(|d| form_id(&mut errors, "doctor_id", d));
    let changes = AppointmentChanges {
        start_at,
        end_at,
        doctor_id,
        note: form.note.clone().map(Some),
        chair_id: None,
        override_hours: false,
    };
    let result = if errors.is_empty() {
        appointments::update(
            &state.store,
            &state.audit,
            caller.actor(),
            appointment_id,
            changes,
        )
        .await
    } else {
        Err(BookingError::Service(ServiceError::Invalid(errors)))
    };
    let result = match Outcome::of(&state, &layout, result).await? {
        Outcome::InTheWay(conflict) => {
            let conflict = conflict.map(|c| *c);
            let shown = Shown {
                problem: conflict.as_ref().map(|_| layout.t("appointment-conflict")),
                conflict,
                status: StatusCode::CONFLICT,
                ..Shown::ok()
            };
            let form = Some(form);
            return appointment_page(
                &state,
                &caller,
                &layout,
                appointment_id,
                form,
                String::new(),
                shown,
            )
            .await;
        }
        Outcome::Said(result) => result,
    };
    let back = form.back.clone();
    layout
        .submitted(result)
        .conflict(StatusCode::CONFLICT, |text| {
            FieldError::coded("appointment", "appointment-final", text)
        })
        .answer(
            |moved| {
                let date = moved.start_at.to_zoned(tz).date();
                let back = back_to_book(back.as_deref(), date, appointment_id);
                Saved::to(back, msg("flash-appointment-moved"))
            },
            async |refused| {
                // A final appointment is said in words; the rest beside the fields.
                let shown = if refused.status == StatusCode::CONFLICT {
                    Shown {
                        problem: Some(refused.sentence(&layout)),
                        status: refused.status,
                        ..Shown::ok()
                    }
                } else {
                    let errors = refused.messages(&layout);
                    Shown {
                        problem: (!errors.is_empty()).then(|| layout.t("error-invalid")),
                        errors,
                        conflict: None,
                        status: refused.status,
                    }
                };
                let form = Some(form);
                appointment_page(
                    &state,
                    &caller,
                    &layout,
                    appointment_id,
                    form,
                    String::new(),
                    shown,
                )
                .await
            },
        )
        .await
}

/// `POST /appointments/{appointment_id}/status`: one status move; back to where the
/// button was, or the appointment's page saying why not.
pub async fn set_status(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(appointment_id): Path<i64>,
    layout: Layout,
    Form(form): Form<StatusForm>,
) -> PageResult {
    let result = appointments::set_status(
        &state.store,
        &state.audit,
        caller.actor(),
        caller.may(Capability::Refunds, Access::Write),
        appointment_id,
        &form.status,
        Some(form.reason.as_str()),
    )
    .await;
    let back = form.back.clone();
    layout
        .submitted(result)
        .conflict(StatusCode::CONFLICT, |text| {
            FieldError::coded("status", "appointment-unpaid", text)
        })
        .answer(
            |appointment| {
                let date = appointment
                    .start_at
                    .to_zoned(layout.time_zone.clone())
                    .date();
                let back = back_to_book(back.as_deref(), date, appointment_id);
                Saved::to(back, msg("flash-appointment-status"))
            },
            async |refused| {
                let shown = Shown {
                    problem: Some(refused.sentence(&layout)),
                    status: refused.status,
                    ..Shown::ok()
                };
                appointment_page(
                    &state,
                    &caller,
                    &layout,
                    appointment_id,
                    None,
                    form.reason,
                    shown,
                )
                .await
            },
        )
        .await
}
