//! Changing a patient (`/patients/{id}/edit`, behind the patient page's "edit"): the
//! register number, names and e-mail, and the phones (add one, make one primary, remove
//! one, never below two). Saved details go back to the patient's page; a phone change
//! stays here, at the phones.

use super::page::PatientView;
use super::{register_number_taken, translate};
use crate::http::pages::{FieldMessages, Layout, OrPage, PageResult, Saved, msg};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::patients::{self, PatientChanges, PhoneChanges, PhoneInput};
use crate::services::phones;
use crate::services::{FieldError, ServiceError};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use dcms_store::phones::PhoneOwner;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EditForm {
    register_number: String,
    last_name: String,
    first_name: String,
    email: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AddPhoneForm {
    number: String,
    label: String,
}

#[derive(Template)]
#[template(path = "patient_edit.html")]
struct EditPage<'a> {
    layout: &'a Layout,
    patient: PatientView,
    edit: EditForm,
    add_phone: AddPhoneForm,
    errors: FieldMessages,
}

/// What a refused form of the page brings back.
#[derive(Default)]
struct Comeback {
    edit: Option<EditForm>,
    add_phone: Option<AddPhoneForm>,
    errors: FieldMessages,
}

async fn edit_page(
    state: &AppState,
    caller: &Caller,
    layout: &Layout,
    patient_id: i64,
    comeback: Comeback,
    status: StatusCode,
) -> PageResult {
    let p = patients::get(&state.store, &state.audit, caller.actor(), patient_id)
        .await
        .or_page(layout)?;
    let edit = comeback.edit.unwrap_or_else(|| EditForm {
        register_number: p.register_number.clone(),
        last_name: p.last_name.clone(),
        first_name: p.first_name.clone(),
        email: p.email.clone().unwrap_or_default(),
    });
    Ok(layout.render_status(
        status,
        &EditPage {
            layout,
            patient: PatientView::of(&p),
            edit,
            add_phone: comeback.add_phone.unwrap_or_default(),
            errors: comeback.errors,
        },
    ))
}

/// `GET /patients/{id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    layout: Layout,
) -> PageResult {
    edit_page(
        &state,
        &caller,
        &layout,
        patient_id,
        Comeback::default(),
        StatusCode::OK,
    )
    .await
}

/// Back to the edit page's phones, saying `flash` there.
fn back_to_phones(patient_id: i64, flash: &'static str) -> Saved {
    Saved::to(format!("/patients/{patient_id}/edit"), flash).at("phones")
}

/// `POST /patients/{id}`: register number, names, e-mail; back to the patient's page.
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    layout: Layout,
    Form(form): Form<EditForm>,
) -> PageResult {
    let changes = PatientChanges {
        register_number: Some(form.register_number.clone()),
        first_name: Some(form.first_name.clone()),
        last_name: Some(form.last_name.clone()),
        email: Some(Some(form.email.clone()).filter(|e| !e.trim().is_empty())),
        ..PatientChanges::default()
    };
    let result = patients::update(
        &state.store,
        &state.audit,
        caller.actor(),
        patient_id,
        changes,
    )
    .await;
    layout
        .submitted(result)
        .conflict(StatusCode::CONFLICT, register_number_taken)
        .answer(
            |_| Saved::to(format!("/patients/{patient_id}"), msg("flash-saved")),
            async |refused| {
                let text = |e: &FieldError| translate(&layout, &form.register_number, e);
                let comeback = Comeback {
                    errors: refused.worded(text, |field| field),
                    edit: Some(form),
                    ..Comeback::default()
                };
                edit_page(
                    &state,
                    &caller,
                    &layout,
                    patient_id,
                    comeback,
                    refused.status,
                )
                .await
            },
        )
        .await
}

/// `POST /patients/{id}/phones`: adds a phone.
pub async fn add_phone(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    layout: Layout,
    Form(form): Form<AddPhoneForm>,
) -> PageResult {
    let input = PhoneInput {
        number: Some(form.number.clone()),
        label: Some(form.label.clone()),
        is_primary: Some(false),
    };
    let result = phones::add(
        &state.store,
        &state.audit,
        caller.actor(),
        PhoneOwner::Patient(patient_id),
        input.given(),
    )
    .await;
    layout
        .submitted(result)
        .answer(
            |_| back_to_phones(patient_id, msg("flash-phone-added")),
            async |refused| {
                let comeback = Comeback {
                    errors: refused.worded(|e| translate(&layout, "", e), |field| field),
                    add_phone: Some(form),
                    ..Comeback::default()
                };
                edit_page(
                    &state,
                    &caller,
                    &layout,
                    patient_id,
                    comeback,
                    refused.status,
                )
                .await
            },
        )
        .await
}

/// A phone change's answer: back to the phones saying `flash`, or the page saying why not
/// above them.
async fn phone_changed<T>(
    state: &AppState,
    caller: &Caller,
    layout: &Layout,
    patient_id: i64,
    result: Result<T, ServiceError>,
    flash: &'static str,
) -> PageResult {
    layout
        .submitted(result)
        .answer(
            |_| back_to_phones(patient_id, flash),
            async |refused| {
                let comeback = Comeback {
                    errors: refused.worded(|e| translate(layout, "", e), |_| "phones"),
                    ..Comeback::default()
                };
                edit_page(state, caller, layout, patient_id, comeback, refused.status).await
            },
        )
        .await
}

/// `POST /patients/{id}/phones/{phone_id}/primary`: makes this phone the primary one.
pub async fn make_primary(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((patient_id, phone_id)): Path<(i64, i64)>,
    layout: Layout,
) -> PageResult {
    let changes = PhoneChanges {
        is_primary: Some(true),
        ..PhoneChanges::default()
    };
    let result = phones::update(
        &state.store,
        &state.audit,
        caller.actor(),
        PhoneOwner::Patient(patient_id),
        phone_id,
        changes,
    )
    .await;
    let flash = msg("flash-primary-moved");
    phone_changed(&state, &caller, &layout, patient_id, result, flash).await
}

/// `POST /patients/{id}/phones/{phone_id}/delete`: removes a phone (not below two).
pub async fn delete_phone(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((patient_id, phone_id)): Path<(i64, i64)>,
    layout: Layout,
) -> PageResult {
    let result = phones::delete(
        &state.store,
        &state.audit,
        caller.actor(),
        PhoneOwner::Patient(patient_id),
        phone_id,
    )
    .await;
    let flash = msg("flash-phone-deleted");
    phone_changed(&state, &caller, &layout, patient_id, result, flash).await
}
