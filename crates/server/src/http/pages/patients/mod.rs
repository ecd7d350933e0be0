//! `/patients`: find a patient as you type, register one (with their phones, the register
//! number decoded on the fly), the patient's page (`page.rs`: the header with the quick
//! actions, then the appointments, treatments, invoices, chart and calls) and the change of
//! their details and phones (`edit.rs`).

mod edit;
mod page;
pub mod register_number;

pub use edit::{add_phone, delete_phone, edit_form, make_primary, update};
pub use page::show;

use super::common::patient_search::{ResultRow, SearchParams, find_patients};
use super::common::phones::{PhoneFields, PhoneRow, placed_messages};
use super::{FieldMessages, Layout, PageResult, Saved, msg};
use crate::http::state::AppState;
use crate::services::FieldError;
use crate::services::auth::Caller;
use crate::services::patients::{self, NewPatientInput, PhoneInput};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use dcms_domain::RegisterNumber;
use serde::Deserialize;

const PAGE_SIZE: u64 = 25;

#[derive(Template)]
#[template(path = "patients.html")]
struct PatientsPage<'a> {
    layout: &'a Layout,
    q: String,
    results: Vec<ResultRow>,
    next_url: Option<String>,
}

#[derive(Template)]
#[template(path = "_patient_results.html")]
struct ResultsFragment<'a> {
    layout: &'a Layout,
    q: String,
    results: Vec<ResultRow>,
    next_url: Option<String>,
}

/// `GET /patients?q=`: the search page (it works without a script too).
pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<SearchParams>,
    layout: Layout,
) -> PageResult {
    let (results, next_url) = find_patients(&state, &layout, &params, PAGE_SIZE).await?;
    Ok(layout.render(&PatientsPage {
        layout: &layout,
        q: params.q.trim().to_owned(),
        results,
        next_url,
    }))
}

/// `GET /patients/search?q=`: the results alone, for the search box as it is typed in.
pub async fn search(
    State(state): State<AppState>,
    Query(params): Query<SearchParams>,
    layout: Layout,
) -> PageResult {
    let (results, next_url) = find_patients(&state, &layout, &params, PAGE_SIZE).await?;
    Ok(layout.render(&ResultsFragment {
        layout: &layout,
        q: params.q.trim().to_owned(),
        results,
        next_url,
    }))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct NewPatientForm {
    register_number: String,
    last_name: String,
    first_name: String,
    email: String,
    #[serde(flatten)]
    phones: PhoneFields,
}

#[derive(Template)]
#[template(path = "patient_new.html")]
struct NewPatientPage<'a> {
    layout: &'a Layout,
    form: NewPatientForm,
    decoded: Option<String>,
    phone_rows: Vec<PhoneRow>,
    errors: FieldMessages,
    known_fields: &'static [&'static str],
}

const NEW_PATIENT_FIELDS: &[&str] = &[
    "register_number",
    "last_name",
    "first_name",
    "email",
    "phones",
];

fn new_patient_page<'a>(
    layout: &'a Layout,
    form: NewPatientForm,
    errors: FieldMessages,
    row_errors: Vec<(usize, String)>,
) -> NewPatientPage<'a> {
    let phone_rows = form.phones.typed().shown(&row_errors);
    let decoded = RegisterNumber::parse(form.register_number.trim())
        .ok()
        .map(|_| register_number::describe(layout, form.register_number.trim()).1);
    NewPatientPage {
        layout,
        form,
        decoded,
        phone_rows,
        errors,
        known_fields: NEW_PATIENT_FIELDS,
    }
}

/// `GET /patients/new`.
pub async fn new_form(layout: Layout) -> PageResult {
    let form = NewPatientForm {
        phones: PhoneFields::blank(),
        ..NewPatientForm::default()
    };
    Ok(layout.render(&new_patient_page(
        &layout,
        form,
        FieldMessages::default(),
        Vec::new(),
    )))
}

/// A service's field error as the page words it, with the register number's own reasons.
fn translate(layout: &Layout, typed_register_number: &str, e: &FieldError) -> String {
    if e.code == Some("register-number-taken") {
        return layout.t("error-register-number-taken");
    }
    if e.field == "register_number"
        && let Err(reason) = RegisterNumber::parse(typed_register_number.trim())
    {
        return register_number::error_text(layout, &reason);
    }
    layout.field_error(e)
}

/// `POST /patients`: registers the patient with their phones, then shows them.
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    layout: Layout,
    Form(form): Form<NewPatientForm>,
) -> PageResult {
    let phones = form.phones.typed();
    let given = phones.given();
    let input = NewPatientInput {
        register_number: Some(form.register_number.clone()),
        first_name: Some(form.first_name.clone()),
        last_name: Some(form.last_name.clone()),
        email: Some(form.email.clone()).filter(|e| !e.trim().is_empty()),
        birthday: None,
        gender: None,
        phones: given
            .iter()
            .map(|p| PhoneInput {
                number: Some(p.number.to_owned()),
                label: Some(p.label.to_owned()),
                is_primary: Some(p.is_primary),
            })
            .collect(),
    };
    let result = patients::register(&state.store, &state.audit, caller.actor(), input).await;
    layout
        .submitted(result)
        .conflict(StatusCode::UNPROCESSABLE_ENTITY, register_number_taken)
        .answer(
            |patient| {
                let location = format!("/patients/{}", patient.patient_id);
                Saved::to(location, msg("flash-patient-registered"))
            },
            async |refused| {
                let text = |e: &FieldError| translate(&layout, &form.register_number, e);
                let (messages, row_errors) =
                    placed_messages(&refused.errors, &given, text, |field| field);
                let page = new_patient_page(&layout, form.clone(), messages, row_errors);
                Ok(layout.render_status(refused.status, &page))
            },
        )
        .await
}

/// A taken register number, beside it.
fn register_number_taken(text: String) -> FieldError {
    FieldError::coded("register_number", "register-number-taken", text)
}
