//! A new treatment (`/patients/{id}/treatments/new`): the doctor, the date and time, the
//! first service on the odontogram, a note. Opened from an appointment
//! (`?appointment_id=`, the appointment's "record treatment"), it is recorded on that
//! appointment, and starts with the appointment's doctor and planned service.

use super::item::{
    CHOICES_MAX, ChartParams, ItemChoices, TreatmentForm, chart_settings, form_id, item_chart,
    item_choices, item_errors, pairs, usual_scopes,
};
use crate::http::pages::common::Choice;
use crate::http::pages::common::alerts::AlertView;
use crate::http::pages::common::appointment_block::Block;
use crate::http::pages::drawing::odontogram::Odontogram;
use crate::http::pages::{FieldMessages, Layout, OrPage, PageResult, Saved, msg};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::treatments::{self, NewTreatmentInput};
use crate::services::{ServiceError, appointments, medical, patients, plans, staff};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;

#[derive(Template)]
#[template(path = "treatment_new.html")]
struct NewTreatmentPage<'a> {
    layout: &'a Layout,
    patient_id: i64,
    patient_name: String,
    form: TreatmentForm,
    /// The appointment the treatment is recorded on, when it is one of the patient's.
    appointment: Option<Block>,
    doctors: Vec<Choice>,
    choices: ItemChoices,
    chart: Odontogram,
    system: String,
    errors: FieldMessages,
    known_fields: &'static [&'static str],
    /// The patient's medical alerts, shown above the form.
    alerts: Vec<AlertView>,
    /// A severe allergy: the doctor ticks that they saw it before the first item is saved.
    needs_ack: bool,
}

pub(super) const TREATMENT_FIELDS: &[&str] = &[
    "doctor_id",
    "assistant_id",
    "appointment_id",
    "treatment_date",
    "note",
    "service_id",
    "scope",
    "dentition",
    "teeth",
    "system",
    "item_note",
    "plan_item_id",
    "amount",
    "method",
    "payment_note",
    "alert_ack",
];

/// The appointment `typed` names, when it is one of the patient's (else None: the use case
/// says what is wrong with it when the form is sent).
async fn linked_appointment(
    state: &AppState,
    layout: &Layout,
    patient_id: i64,
    typed: &str,
) -> Option<(Block, Option<i64>)> {
    let id = typed.trim().parse::<i64>().ok()?;
    let appointment = appointments::get(&state.store, id).await.ok()?;
    if appointment.patient_id != patient_id {
        return None;
    }
    let planned = appointment.planned_service_id;
    let entries = appointments::with_names(&state.store, vec![appointment])
        .await
        .ok()?;
    let block = Block::of(layout, entries.first()?, false);
    Some((block, planned))
}

#[allow(clippy::too_many_arguments)]
async fn new_page(
    state: &AppState,
    caller: &Caller,
    layout: &Layout,
    patient_id: i64,
    form: TreatmentForm,
    params: &ChartParams,
    errors: FieldMessages,
    status: StatusCode,
) -> PageResult {
    let patient = patients::get(&state.store, &state.audit, caller.actor(), patient_id)
        .await
        .or_page(layout)?;
    let (system, dentitions) = chart_settings(
        state,
        layout,
        params.system.as_deref(),
        params.dentition.as_deref(),
        patient.age,
    )
    .await?;
    let doctors = staff::doctors(&state.store, None, CHOICES_MAX)
        .await
        .or_page(layout)?
        .iter()
        .map(|d| Choice {
            value: d.employee_id.to_string(),
            label: format!("{} {}", d.last_name, d.first_name),
        })
        .collect();
    let appointment = linked_appointment(state, layout, patient_id, &form.appointment_id)
        .await
        .map(|(block, _)| block);
    let history = medical::current(state.store.connection(), patient_id)
        .await
        .or_page(layout)?;
    let base = format!(
        "/patients/{patient_id}/treatments/new?appointment_id={}&",
        form.appointment_id
    );
    let chart = item_chart(
        system,
        dentitions,
        &form.item.teeth,
        &base,
        errors.get("teeth"),
    );
    Ok(layout.render_status(
        status,
        &NewTreatmentPage {
            layout,
            patient_id,
            patient_name: format!("{} {}", patient.last_name, patient.first_name),
            form,
            appointment,
            doctors,
            choices: item_choices(state, layout).await?,
            chart,
            system: system.as_str().to_owned(),
            errors,
            known_fields: TREATMENT_FIELDS,
            alerts: AlertView::all(layout, &history.alerts),
            needs_ack: history.has_severe_allergy(),
        },
    ))
}

/// `GET /patients/{patient_id}/treatments/new?appointment_id=&system=&dentition=`: the
/// doctor is the appointment's, else the caller when they are staff; the service the
/// appointment's planned one.
pub async fn new_form(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    Query(params): Query<ChartParams>,
    layout: Layout,
) -> PageResult {
    let me = staff::of_user(&state.store, caller.user_id())
        .await
        .or_page(&layout)?
        .map(|e| e.employee_id.to_string())
        .unwrap_or_default();
    let appointment_id = params.appointment_id.clone().unwrap_or_default();
    let linked = linked_appointment(&state, &layout, patient_id, &appointment_id).await;
    let mut form = TreatmentForm {
        doctor_id: me,
        appointment_id,
        treatment_date: jiff::Timestamp::now()
            .to_zoned(layout.time_zone.clone())
            .strftime("%Y-%m-%dT%H:%M")
            .to_string(),
        ..TreatmentForm::default()
    };
    if let Some((block, planned)) = linked {
        form.doctor_id = block.doctor_id.to_string();
        form.item.service_id = planned.map(|s| s.to_string()).unwrap_or_default();
    }
    if let Some(typed) = params.plan_item_id.as_deref().filter(|t| !t.is_empty()) {
        let plan_item_id = typed
            .parse::<i64>()
            .map_err(|_| layout.error(ServiceError::NotFound("treatment plan item")))?;
        let (plan, item) = plans::find_item(
            &state.store,
            &state.audit,
            caller.actor(),
            plan_item_id,
            dcms_domain::ToothSystem::Fdi,
        )
        .await
        .or_page(&layout)?;
        if plan.patient_id != patient_id {
            return Err(layout.error(ServiceError::NotFound("treatment plan item")));
        }
        form.doctor_id = plan.doctor_id.to_string();
        form.item.plan_item_id = plan_item_id.to_string();
        let teeth: Vec<&str> = item.teeth.iter().map(|t| t.code.as_str()).collect();
        let surfaces: String = item.surfaces.iter().map(|s| s.letter()).collect();
        form.item.plan_note = crate::http::pages::i18n::t_args(
            layout.lang,
            "plan-from",
            &[
                ("service", item.service_name.clone()),
                (
                    "teeth",
                    format!("{} {surfaces}", teeth.join(", ")).trim().to_owned(),
                ),
                ("price", layout.money(item.charge.amount())),
            ],
        );
    }
    new_page(
        &state,
        &caller,
        &layout,
        patient_id,
        form,
        &params,
        FieldMessages::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /patients/{patient_id}/treatments`: records the treatment (with its first service,
/// when one is chosen) and goes to its page.
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    layout: Layout,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let (mut form, system) = pairs(&fields);
    let mut errors = Vec::new();
    let doctor_id = form_id(&mut errors, "doctor_id", &form.doctor_id);
    let assistant_id = form_id(&mut errors, "assistant_id", &form.assistant_id);
    let appointment_id = form_id(&mut errors, "appointment_id", &form.appointment_id);
    let treatment_date = layout.form_instant("treatment_date", &form.treatment_date);
    let usual = usual_scopes(&state, &layout).await?;
    let item = form.item.input(&mut errors, &usual);
    // A severe allergy is acknowledged before the first item is saved (and the
    // acknowledgement audited).
    let acknowledged = crate::http::pages::field(&fields, "alert_ack") == "yes";
    if item.is_some() {
        let history = medical::current(state.store.connection(), patient_id)
            .await
            .or_page(&layout)?;
        if history.has_severe_allergy() {
            if acknowledged {
                medical::acknowledge(&state.store, &state.audit, caller.actor(), patient_id)
                    .await
                    .or_page(&layout)?;
            } else {
                errors.push(crate::services::FieldError::coded(
                    "alert_ack",
                    "alert-not-acknowledged",
                    "acknowledge the patient's severe allergy first",
                ));
            }
        }
    }
    let result = if errors.is_empty() {
        treatments::create(
            &state.store,
            &state.audit,
            caller.actor(),
            NewTreatmentInput {
                patient_id: Some(patient_id),
                doctor_id,
                assistant_id,
                appointment_id,
                next_appointment_id: None,
                treatment_date,
                note: Some(form.note.clone()),
                items: item.into_iter().collect(),
            },
        )
        .await
    } else {
        Err(ServiceError::Invalid(errors))
    };
    layout
        .submitted(result)
        .answer(
            |t| {
                let location = format!("/treatments/{}", t.treatment_id);
                Saved::to(location, msg("flash-treatment-recorded"))
            },
            async |refused| {
                let params = ChartParams {
                    system,
                    ..ChartParams::default()
                };
                let messages = item_errors(&layout, &refused.errors, "items[0].");
                let status = refused.status;
                new_page(
                    &state, &caller, &layout, patient_id, form, &params, messages, status,
                )
                .await
            },
        )
        .await
}
