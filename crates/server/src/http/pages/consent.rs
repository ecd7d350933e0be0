//! A treatment's consent to print (`/treatments/{id}/consent?service_id=`): the consent text
//! of one of its services with the clinic's name, the patient, the date and lines to sign,
//! and, on screen only, the upload of the signed scan, kept as a `consent` attachment of the
//! treatment (`static/files.js` sends it to the API).

use super::{Layout, OrPage, PageResult};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::{ServiceError, catalog, patients, settings, treatments};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use dcms_domain::ToothSystem;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct ConsentParams {
    pub service_id: Option<i64>,
}

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage<'a> {
    layout: &'a Layout,
    clinic_name: String,
    clinic_contacts: Option<String>,
    treatment_id: i64,
    patient_id: i64,
    patient_name: String,
    register_number: String,
    date: String,
    service_name: String,
    text: String,
}

/// `GET /treatments/{treatment_id}/consent?service_id=`: 404 for a service the treatment
/// does not hold or one without a consent text.
pub async fn show(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(treatment_id): Path<i64>,
    Query(params): Query<ConsentParams>,
    layout: Layout,
) -> PageResult {
    let treatment = treatments::get(
        &state.store,
        &state.audit,
        caller.actor(),
        treatment_id,
        ToothSystem::Fdi,
    )
    .await
    .or_page(&layout)?;
    let service_id = params
        .service_id
        .filter(|id| treatment.items.iter().any(|i| i.service_id == *id))
        .ok_or_else(|| layout.error(ServiceError::NotFound("consent")))?;
    let service = catalog::get(&state.store, service_id)
        .await
        .or_page(&layout)?;
    let text = service
        .consent_text
        .clone()
        .ok_or_else(|| layout.error(ServiceError::NotFound("consent")))?;
    let patient = patients::get(
        &state.store,
        &state.audit,
        caller.actor(),
        treatment.patient_id,
    )
    .await
    .or_page(&layout)?;
    let clinic = settings::get(&state.store).await.or_page(&layout)?;
    Ok(layout.render(&ConsentPage {
        layout: &layout,
        clinic_name: clinic.clinic_name.to_string(),
        clinic_contacts: clinic.clinic_contacts.clone(),
        treatment_id,
        patient_id: patient.patient_id,
        patient_name: format!("{} {}", patient.last_name, patient.first_name),
        register_number: patient.register_number.clone(),
        date: layout.datetime(&treatment.treatment_date),
        service_name: service.patient_display_name.clone(),
        text,
    }))
}
