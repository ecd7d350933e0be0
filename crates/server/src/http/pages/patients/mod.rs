//! `/patients`: find a patient as you type, register one (with their phones, the register
//! number decoded on the fly), and the patient's page (details, phones, and the sections the
//! schedule, clinical records, invoices and calls fill).
//!
//! The patient's page shows each section to those the permission table lets read it: the
//! appointments (the book's rule), the latest treatments with their doctors, services,
//! totals and balances (the rule of the patient's treatments), a link to the dental chart
//! (`dental_chart.rs`), and the account over every treatment with the latest invoices (the rule of
//! the patient's invoices). Treatments and invoices come from one read of the latest
//! treatments (an invoice is a treatment's bill: same date, total, paid and balance).

pub mod register_number;

use super::common::appointment_block::Block;
use super::common::clinical::{self, AccountView, Audience, TreatmentRow};
use super::common::contacts::{self, ContactHistory};
use super::common::local_instant;
use super::common::patient_search::{ResultRow, SearchParams, find_patients};
use super::common::phones::{PhoneFields, PhoneRow, PhoneView, placed_messages};
use super::{FieldMessages, Layout, OrPage, PageResult, Saved, msg};
use crate::http::state::AppState;
use crate::services::appointments::{self, ListQuery};
use crate::services::auth::Caller;
use crate::services::patients::{self, NewPatientInput, PatientChanges, PhoneChanges, PhoneInput};
use crate::services::phones;
use crate::services::{FieldError, ServiceError, settings, treatments};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use dcms_domain::{ContactType, RegisterNumber};
use dcms_store::phones::PhoneOwner;
use jiff::ToSpan;
use jiff::civil::Time;
use serde::Deserialize;

const PAGE_SIZE: u64 = 25;
/// Upcoming and past appointments the patient page lists.
const APPOINTMENTS_LISTED: usize = 20;
/// How far back the patient page looks for past appointments.
const PAST_DAYS: i64 = 730;
/// Most past appointments read to find the latest.
const PAST_READ_MAX: u64 = 3000;

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

/// The patient's details as the page shows them.
pub struct PatientView {
    patient_id: i64,
    register_number: String,
    first_name: String,
    last_name: String,
    email: Option<String>,
    birthday: Option<String>,
    age: Option<i16>,
    gender_id: String,
    status_id: String,
    created_at: jiff::Timestamp,
}

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
#[template(path = "patient.html")]
struct PatientPage<'a> {
    layout: &'a Layout,
    patient: PatientView,
    phones: Vec<PhoneView>,
    edit: EditForm,
    add_phone: AddPhoneForm,
    errors: FieldMessages,
    /// The patient's coming and latest past appointments, for those who see the book.
    appointments: Option<PatientAppointments>,
    /// The patient's latest calls and SMS, for those who read the logs.
    contacts: Option<ContactHistory>,
    /// The latest treatments and the account, for those who read them.
    clinical: Option<ClinicalSections>,
}

/// The patient page's treatments and invoices sections.
struct ClinicalSections {
    /// The latest treatments, newest first; also the latest invoices (one per treatment).
    rows: Vec<TreatmentRow>,
    /// The patient has more treatments than those shown.
    more: bool,
    /// The treatments section is shown.
    show_treatments: bool,
    /// The account over every treatment, when the invoices section is shown.
    account: Option<AccountView>,
}

/// The treatments and invoices sections, each when the caller may read it (the rules of
/// the API's `/patients/{patient_id}/treatments` and `/invoices`, as the page reads the same
/// use cases); None when neither is shown.
async fn clinical_sections(
    state: &AppState,
    caller: &Caller,
    layout: &Layout,
    patient_id: i64,
) -> Result<Option<ClinicalSections>, Response> {
    let show_treatments = layout.can.treatments_read;
    let show_invoices = layout.can.payments_read;
    if !show_treatments && !show_invoices {
        return Ok(None);
    }
    let (rows, more) = clinical::latest(state, layout, caller, patient_id, Audience::Staff).await?;
    let account = if show_invoices {
        let account = treatments::account(&state.store, patient_id)
            .await
            .or_page(layout)?;
        Some(AccountView::of(layout, &account))
    } else {
        None
    };
    Ok(Some(ClinicalSections {
        rows,
        more,
        show_treatments,
        account,
    }))
}

/// The patient page's appointments section: the coming ones, then the latest past ones.
struct PatientAppointments {
    groups: [AppointmentGroup; 2],
}

impl PatientAppointments {
    fn is_empty(&self) -> bool {
        self.groups.iter().all(|g| g.items.is_empty())
    }
}

struct AppointmentGroup {
    /// The table's id.
    id: &'static str,
    title_id: &'static str,
    items: Vec<Block>,
}

/// What a failed form on the patient's page brings back.
#[derive(Default)]
struct Comeback {
    edit: Option<EditForm>,
    add_phone: Option<AddPhoneForm>,
    errors: FieldMessages,
}

async fn patient_page(
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
    let phones = p
        .phones
        .iter()
        .map(|ph| PhoneView::new(ph.phone_number_id, &ph.number, &ph.label, ph.is_primary))
        .collect();
    let patient = PatientView {
        patient_id: p.patient_id,
        register_number: p.register_number,
        first_name: p.first_name,
        last_name: p.last_name,
        email: p.email,
        birthday: Some(p.birthday.to_string()),
        age: Some(p.age),
        gender_id: format!("gender-{}", p.gender.as_str()),
        status_id: format!("patient-status-{}", p.status.as_str()),
        created_at: p.created_at,
    };
    let appointments = if layout.can.appointments_read {
        let (coming, past) = appointments_of(state, layout, patient_id).await?;
        Some(PatientAppointments {
            groups: [
                AppointmentGroup {
                    id: "coming-appointments",
                    title_id: msg("patient-appointments-coming"),
                    items: coming,
                },
                AppointmentGroup {
                    id: "past-appointments",
                    title_id: msg("patient-appointments-past"),
                    items: past,
                },
            ],
        })
    } else {
        None
    };
    let clinical = clinical_sections(state, caller, layout, patient_id).await?;
    let contacts = if layout.can.communications_read {
        Some(contacts::of_contact(state, layout, ContactType::Patient, patient_id).await?)
    } else {
        None
    };
    Ok(layout.render_status(
        status,
        &PatientPage {
            layout,
            patient,
            phones,
            edit,
            add_phone: comeback.add_phone.unwrap_or_default(),
            errors: comeback.errors,
            appointments,
            clinical,
            contacts,
        },
    ))
}

/// `GET /patients/{id}` (a read of the patient's record, audited).
pub async fn show(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    layout: Layout,
) -> PageResult {
    patient_page(
        &state,
        &caller,
        &layout,
        patient_id,
        Comeback::default(),
        StatusCode::OK,
    )
    .await
}

/// Back to the patient's page, saying `flash` there.
fn back_to(patient_id: i64, flash: &'static str) -> Saved {
    Saved::to(format!("/patients/{patient_id}"), flash)
}

/// `POST /patients/{id}`: register number, names, e-mail.
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
            |_| back_to(patient_id, msg("flash-saved")),
            async |refused| {
                let text = |e: &FieldError| translate(&layout, &form.register_number, e);
                let comeback = Comeback {
                    errors: refused.worded(text, |field| field),
                    edit: Some(form),
                    ..Comeback::default()
                };
                patient_page(
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
            |_| back_to(patient_id, msg("flash-phone-added")),
            async |refused| {
                let comeback = Comeback {
                    errors: refused.worded(|e| translate(&layout, "", e), |field| field),
                    add_phone: Some(form),
                    ..Comeback::default()
                };
                patient_page(
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

/// A phone change's answer: back to the patient's page saying `flash`, or the page saying
/// why not above the phones.
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
            |_| back_to(patient_id, flash),
            async |refused| {
                let comeback = Comeback {
                    errors: refused.worded(|e| translate(layout, "", e), |_| "phones"),
                    ..Comeback::default()
                };
                patient_page(state, caller, layout, patient_id, comeback, refused.status).await
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

/// A patient's coming appointments (from the start of today) and the latest past ones,
/// newest first, for the patient page.
async fn appointments_of(
    state: &AppState,
    layout: &Layout,
    patient_id: i64,
) -> Result<(Vec<Block>, Vec<Block>), Response> {
    let clinic = settings::get(&state.store).await.or_page(layout)?;
    let tz = clinic.time_zone();
    let today = clinic.now_local().date();
    let today_start = local_instant(&tz, today, Time::midnight());
    let past_from = today
        .checked_sub(PAST_DAYS.days())
        .ok()
        .and_then(|d| local_instant(&tz, d, Time::midnight()));
    let list = |from, to, limit| {
        let query = ListQuery {
            from,
            to,
            ..ListQuery::default()
        };
        appointments::of_patient(&state.store, patient_id, query, None, limit)
    };
    let coming = list(today_start, None, APPOINTMENTS_LISTED as u64)
        .await
        .or_page(layout)?
        .items;
    let mut past = list(past_from, today_start, PAST_READ_MAX)
        .await
        .or_page(layout)?
        .items;
    past.reverse();
    past.truncate(APPOINTMENTS_LISTED);
    let shown = |items| async {
        appointments::with_names(&state.store, items)
            .await
            .or_page(layout)
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| Block::of(layout, e, false))
                    .collect::<Vec<_>>()
            })
    };
    Ok((shown(coming).await?, shown(past).await?))
}
