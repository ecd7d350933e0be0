//! Treatments on the pages: the doctor records a visit on the odontogram
//! (`/patients/{id}/treatments/new`), the treatment's page lists its services and takes
//! more, its payments and the payment form (`/treatments/{id}`), and the invoice is a page
//! made for printing (`/treatments/{id}/invoice`).
//!
//! The item form is the same for a new treatment and an added service: the service, its
//! scope, a dentition for an arch or the mouth, a note, and the teeth clicked on the
//! odontogram. The odontogram posts `ui_key`s (the same tooth in every notation); they are
//! turned into FDI codes here and the service checks them against the scope, as for the API.
//! Times are typed in the clinic's local time.

use super::common::Choice;
use super::drawing::odontogram::{Odontogram, dentitions_value, parse_dentitions};
use super::{FieldMessages, Layout, OrPage, PageResult, Refusal, Saved, msg};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::fields::Given;
use crate::services::treatments::{
    self, Invoice, ItemInput, NewTreatmentInput, PaymentInput, ToothInput, Treatment,
};
use crate::services::{FieldError, ServiceError, catalog, patients, staff};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use dcms_domain::permission::{Access, Capability};
use dcms_domain::{Dentition, PaymentMethod, ToothCode, ToothSystem, TreatmentScope};
use serde::Deserialize;

/// Most doctors and services offered in the form's lists.
const CHOICES_MAX: u64 = 1000;

// --- the item form -------------------------------------------------------------------------

/// What the item part of a form posted (every field as typed; `teeth` repeats).
#[derive(Default, Clone)]
pub struct ItemForm {
    service_id: String,
    scope: String,
    dentition: String,
    item_note: String,
    /// `ui_key`s of the teeth ticked.
    teeth: Vec<String>,
}

/// The fields of a treatment form, as typed.
#[derive(Default, Clone)]
pub struct TreatmentForm {
    doctor_id: String,
    assistant_id: String,
    appointment_id: String,
    /// Local `YYYY-MM-DDTHH:MM`.
    treatment_date: String,
    note: String,
    item: ItemForm,
}

/// Reads a posted form whose `teeth` field repeats.
fn pairs(fields: &[(String, String)]) -> (TreatmentForm, Option<String>) {
    let mut form = TreatmentForm::default();
    let mut extra = None;
    for (name, value) in fields {
        let value = value.clone();
        match name.as_str() {
            "doctor_id" => form.doctor_id = value,
            "assistant_id" => form.assistant_id = value,
            "appointment_id" => form.appointment_id = value,
            "treatment_date" => form.treatment_date = value,
            "note" => form.note = value,
            "service_id" => form.item.service_id = value,
            "scope" => form.item.scope = value,
            "dentition" => form.item.dentition = value,
            "item_note" => form.item.item_note = value,
            "teeth" => form.item.teeth.push(value),
            "system" => extra = Some(value),
            _ => {}
        }
    }
    (form, extra)
}

/// An id typed in a form: None for blank; an error on `field` for anything else.
fn form_id(errors: &mut Vec<FieldError>, field: &str, value: &str) -> Option<i64> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let parsed = value.parse::<i64>().ok();
    if parsed.is_none() {
        errors.push(FieldError::coded(
            field,
            "choose",
            "choose one of the options",
        ));
    }
    parsed
}

impl ItemForm {
    /// The item for the service: the ticked teeth as FDI codes. None when no service is
    /// chosen (a treatment may be recorded without items).
    fn input(&self, errors: &mut Vec<FieldError>) -> Option<ItemInput> {
        let service_id = form_id(errors, "service_id", &self.service_id)?;
        let mut teeth = Vec::with_capacity(self.teeth.len());
        for key in &self.teeth {
            match ToothCode::from_ui_key(ToothSystem::Fdi, key) {
                Ok(tooth) => teeth.push(ToothInput {
                    code: tooth.code().to_owned(),
                    note: None,
                }),
                Err(e) => errors.push(
                    FieldError::coded("teeth", "tooth-unknown", e.to_string())
                        .arg("code", key.clone()),
                ),
            }
        }
        Some(ItemInput {
            service_id: Some(service_id),
            scope: Some(self.scope.clone()),
            teeth: Some(teeth),
            system: Some("fdi".into()),
            dentition: Some(self.dentition.clone()),
            note: Some(self.item_note.clone()),
        })
    }
}

/// The item form's lists.
pub struct ItemChoices {
    services: Vec<Choice>,
    scopes: Vec<Choice>,
    dentitions: Vec<Choice>,
}

async fn item_choices(state: &AppState, layout: &Layout) -> Result<ItemChoices, Response> {
    let filter = catalog::ServiceFilter {
        active: Some(true),
        ..catalog::ServiceFilter::default()
    };
    let services = catalog::list(&state.store, filter, CHOICES_MAX)
        .await
        .or_page(layout)?
        .into_iter()
        .map(|s| Choice {
            value: s.service_id.to_string(),
            label: format!(
                "{} {} · {} · {}",
                s.service_type,
                s.display_number,
                s.doctor_display_name,
                layout.money(s.price.amount())
            ),
        })
        .collect();
    let scopes = TreatmentScope::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str().to_owned(),
            label: layout.scope(s),
        })
        .collect();
    let dentitions = Dentition::ALL
        .iter()
        .map(|d| Choice {
            value: d.as_str().to_owned(),
            label: layout.t(&format!("dentition-{}", d.as_str())),
        })
        .collect();
    Ok(ItemChoices {
        services,
        scopes,
        dentitions,
    })
}

/// The errors of an item named `items[0].teeth` (a new treatment) shown as `teeth`.
fn item_errors(layout: &Layout, errors: &[FieldError]) -> FieldMessages {
    let errors: Vec<FieldError> = errors
        .iter()
        .cloned()
        .map(|mut e| {
            if let Some(rest) = e.field.strip_prefix("items[0].") {
                e.field = rest.to_owned();
            }
            e
        })
        .collect();
    layout.field_errors(&errors)
}

/// The odontogram of the item form: the patient's dentition on `on`, the notation asked
/// for, the teeth ticked before; links keep `base` (the page's path).
fn item_chart(
    system: ToothSystem,
    dentitions: &[Dentition],
    selected: &[String],
    base: &str,
    error: Option<&str>,
) -> Odontogram {
    let dentition_value = dentitions_value(dentitions);
    let mut chart = Odontogram::new(system, dentitions)
        .select(selected)
        .notation_links(|s| format!("{base}system={}&dentition={dentition_value}", s.as_str()))
        .dentition_links(|d| format!("{base}system={}&dentition={d}", system.as_str()));
    if let Some(error) = error {
        chart = chart.error(error);
    }
    chart
}

/// `?system=&dentition=` of the form pages.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ChartParams {
    system: Option<String>,
    dentition: Option<String>,
    appointment_id: Option<String>,
}

/// The notation asked for (else the clinic's) and the dentitions shown (asked for, else the
/// patient's on `birthday`'s today: primary under 6, both from 6 to 13, else permanent).
async fn chart_settings(
    state: &AppState,
    layout: &Layout,
    system: Option<&str>,
    dentition: Option<&str>,
    age: i16,
) -> Result<(ToothSystem, &'static [Dentition]), Response> {
    let system = treatments::notation(&state.store, system)
        .await
        .map_err(|_| layout.error_page(StatusCode::BAD_REQUEST, msg("error-invalid"), None))?;
    let dentitions = match dentition.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => parse_dentitions(d).ok_or_else(|| {
            layout.error_page(StatusCode::BAD_REQUEST, msg("error-invalid"), None)
        })?,
        None if age < 6 => &[Dentition::Primary],
        None if age < 14 => &[Dentition::Permanent, Dentition::Primary],
        None => &[Dentition::Permanent],
    };
    Ok((system, dentitions))
}

// --- a new treatment -----------------------------------------------------------------------

#[derive(Template)]
#[template(path = "treatment_new.html")]
struct NewTreatmentPage<'a> {
    layout: &'a Layout,
    patient_id: i64,
    patient_name: String,
    form: TreatmentForm,
    doctors: Vec<Choice>,
    choices: ItemChoices,
    chart: Odontogram,
    system: String,
    errors: FieldMessages,
    known_fields: &'static [&'static str],
}

const TREATMENT_FIELDS: &[&str] = &[
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
    "amount",
    "method",
];

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
            doctors,
            choices: item_choices(state, layout).await?,
            chart,
            system: system.as_str().to_owned(),
            errors,
            known_fields: TREATMENT_FIELDS,
        },
    ))
}

/// `GET /patients/{patient_id}/treatments/new?appointment_id=&system=&dentition=`.
pub async fn new_form(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    Query(params): Query<ChartParams>,
    layout: Layout,
) -> PageResult {
    let doctor = staff::of_user(&state.store, caller.user_id())
        .await
        .or_page(&layout)?
        .map(|e| e.employee_id.to_string())
        .unwrap_or_default();
    let form = TreatmentForm {
        doctor_id: doctor,
        appointment_id: params.appointment_id.clone().unwrap_or_default(),
        treatment_date: jiff::Timestamp::now()
            .to_zoned(layout.time_zone.clone())
            .strftime("%Y-%m-%dT%H:%M")
            .to_string(),
        ..TreatmentForm::default()
    };
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
    let (form, system) = pairs(&fields);
    let mut errors = Vec::new();
    let doctor_id = form_id(&mut errors, "doctor_id", &form.doctor_id);
    let assistant_id = form_id(&mut errors, "assistant_id", &form.assistant_id);
    let appointment_id = form_id(&mut errors, "appointment_id", &form.appointment_id);
    let treatment_date = layout.form_instant("treatment_date", &form.treatment_date);
    let item = form.item.input(&mut errors);
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
                    dentition: None,
                    appointment_id: None,
                };
                let messages = item_errors(&layout, &refused.errors);
                let status = refused.status;
                new_page(
                    &state, &caller, &layout, patient_id, form, &params, messages, status,
                )
                .await
            },
        )
        .await
}

// --- the treatment's page ------------------------------------------------------------------

/// A payment as the page lists it.
pub struct PaymentRow {
    paid_at: String,
    method: String,
    amount: String,
    refund: bool,
    note: Option<String>,
}

#[derive(Template)]
#[template(path = "treatment.html")]
struct TreatmentPage<'a> {
    layout: &'a Layout,
    treatment: Treatment,
    patient_name: String,
    doctor_name: String,
    payments: Vec<PaymentRow>,
    /// The item form (adding a service).
    item: ItemForm,
    choices: ItemChoices,
    chart: Odontogram,
    system: String,
    errors: FieldMessages,
    /// A refused action, in words.
    problem: Option<String>,
    payment: PaymentForm,
    methods: Vec<Choice>,
    known_fields: &'static [&'static str],
}

/// The payment form, as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PaymentForm {
    amount: String,
    method: String,
    payment_note: String,
}

/// What a refused form on the treatment's page brings back.
#[derive(Default)]
struct Comeback {
    item: Option<ItemForm>,
    payment: Option<PaymentForm>,
    errors: FieldMessages,
    problem: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn treatment_page(
    state: &AppState,
    caller: &Caller,
    layout: &Layout,
    treatment_id: i64,
    params: &ChartParams,
    comeback: Comeback,
    status: StatusCode,
) -> PageResult {
    let system = treatments::notation(&state.store, params.system.as_deref())
        .await
        .map_err(|_| layout.error_page(StatusCode::BAD_REQUEST, msg("error-invalid"), None))?;
    let treatment = treatments::get(
        &state.store,
        &state.audit,
        caller.actor(),
        treatment_id,
        system,
    )
    .await
    .or_page(layout)?;
    let paid = treatments::payments(&state.store, treatment_id)
        .await
        .or_page(layout)?;
    let doctor = staff::get(&state.store, treatment.doctor_id)
        .await
        .or_page(layout)?;
    let patient = patients::get(
        &state.store,
        &state.audit,
        caller.actor(),
        treatment.patient_id,
    )
    .await
    .or_page(layout)?;
    let (system, dentitions) = chart_settings(
        state,
        layout,
        Some(system.as_str()),
        params.dentition.as_deref(),
        patient.age,
    )
    .await?;
    let item = comeback.item.unwrap_or_default();
    let base = format!("/treatments/{treatment_id}?");
    let chart = item_chart(
        system,
        dentitions,
        &item.teeth,
        &base,
        comeback.errors.get("teeth"),
    );
    let payments = paid
        .iter()
        .map(|p| PaymentRow {
            paid_at: layout.datetime(&p.paid_at),
            method: layout.payment_method(&p.method),
            amount: layout.money(p.amount.amount()),
            refund: p.amount.amount() < 0,
            note: p.note.clone(),
        })
        .collect();
    let payment = comeback.payment.unwrap_or_else(|| PaymentForm {
        amount: treatment.balance.amount().max(0).to_string(),
        method: PaymentMethod::Cash.as_str().to_owned(),
        payment_note: String::new(),
    });
    let methods = PaymentMethod::ALL
        .iter()
        .map(|m| Choice {
            value: m.as_str().to_owned(),
            label: layout.payment_method(m),
        })
        .collect();
    Ok(layout.render_status(
        status,
        &TreatmentPage {
            layout,
            patient_name: format!("{} {}", patient.last_name, patient.first_name),
            doctor_name: format!("{} {}", doctor.last_name, doctor.first_name),
            treatment,
            payments,
            item,
            choices: item_choices(state, layout).await?,
            chart,
            system: system.as_str().to_owned(),
            errors: comeback.errors,
            problem: comeback.problem,
            payment,
            methods,
            known_fields: TREATMENT_FIELDS,
        },
    ))
}

/// `GET /treatments/{treatment_id}?system=&dentition=`.
pub async fn show(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(treatment_id): Path<i64>,
    Query(params): Query<ChartParams>,
    layout: Layout,
) -> PageResult {
    treatment_page(
        &state,
        &caller,
        &layout,
        treatment_id,
        &params,
        Comeback::default(),
        StatusCode::OK,
    )
    .await
}

/// A paid treatment that the caller may not change: the treatment's page says so in words.
fn paid(err: ServiceError) -> Result<FieldError, ServiceError> {
    match err {
        ServiceError::Forbidden => Ok(FieldError::coded(
            "treatment",
            "treatment-paid",
            "the treatment is paid: only a manager or an admin may change it",
        )),
        other => Err(other),
    }
}

impl Comeback {
    /// A refusal on the treatment's page: the fields' messages, or a paid treatment's
    /// refusal (403) in words above the forms.
    fn of(layout: &Layout, refused: &Refusal) -> Comeback {
        if refused.status == StatusCode::FORBIDDEN {
            Comeback {
                problem: Some(refused.sentence(layout)),
                ..Comeback::default()
            }
        } else {
            Comeback {
                errors: item_errors(layout, &refused.errors),
                ..Comeback::default()
            }
        }
    }
}

/// Back to the treatment's page, saying `flash` there.
fn back_to(treatment_id: i64, flash: &'static str) -> Saved {
    Saved::to(format!("/treatments/{treatment_id}"), flash)
}

/// `POST /treatments/{treatment_id}/items`: adds a service (the price copied now).
pub async fn add_item(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(treatment_id): Path<i64>,
    layout: Layout,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let (form, system) = pairs(&fields);
    let mut errors = Vec::new();
    let item = form.item.input(&mut errors);
    if item.is_none() && errors.is_empty() {
        errors.push(FieldError::coded("service_id", "required", "is required"));
    }
    let result = match item {
        Some(item) if errors.is_empty() => treatments::add_item(
            &state.store,
            &state.audit,
            caller.actor(),
            caller.may(Capability::Refunds, Access::Write),
            treatment_id,
            item,
            ToothSystem::Fdi,
        )
        .await
        .map(|_| ()),
        _ => Err(ServiceError::Invalid(errors)),
    };
    layout
        .submitted(result)
        .or_show(StatusCode::FORBIDDEN, paid)
        .answer(
            |()| back_to(treatment_id, msg("flash-treatment-item-added")),
            async |refused| {
                let comeback = Comeback {
                    item: Some(form.item),
                    ..Comeback::of(&layout, &refused)
                };
                let params = ChartParams {
                    system,
                    ..ChartParams::default()
                };
                let status = refused.status;
                treatment_page(
                    &state,
                    &caller,
                    &layout,
                    treatment_id,
                    &params,
                    comeback,
                    status,
                )
                .await
            },
        )
        .await
}

/// `POST /treatments/{treatment_id}/items/{treatment_item_id}/delete`.
pub async fn delete_item(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((treatment_id, treatment_item_id)): Path<(i64, i64)>,
    layout: Layout,
) -> PageResult {
    let result = treatments::delete_item(
        &state.store,
        &state.audit,
        caller.actor(),
        caller.may(Capability::Refunds, Access::Write),
        treatment_id,
        treatment_item_id,
    )
    .await;
    layout
        .submitted(result)
        .or_show(StatusCode::FORBIDDEN, paid)
        .answer(
            |()| back_to(treatment_id, msg("flash-treatment-item-removed")),
            async |refused| {
                let comeback = Comeback::of(&layout, &refused);
                let (params, status) = (ChartParams::default(), refused.status);
                treatment_page(
                    &state,
                    &caller,
                    &layout,
                    treatment_id,
                    &params,
                    comeback,
                    status,
                )
                .await
            },
        )
        .await
}

/// `POST /treatments/{treatment_id}/payments`: takes a payment (negative: a refund, for
/// managers and admins).
pub async fn pay(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(treatment_id): Path<i64>,
    layout: Layout,
    Form(form): Form<PaymentForm>,
) -> PageResult {
    let typed: String = form
        .amount
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',' && *c != '₮')
        .collect();
    let amount = typed.parse::<i64>();
    let result = match amount {
        Ok(amount) => treatments::pay(
            &state.store,
            &state.audit,
            caller.actor(),
            caller.may(Capability::Refunds, Access::Write),
            treatment_id,
            PaymentInput {
                amount: Some(amount),
                method: Some(form.method.clone()),
                paid_at: Given::Absent,
                note: Some(form.payment_note.clone()),
            },
        )
        .await
        .map(|_| ()),
        Err(_) => Err(ServiceError::invalid_coded(FieldError::coded(
            "amount",
            "amount",
            "write a whole number of tugrik",
        ))),
    };
    // A refund refused (403) is the error page: the payment form is not the item form.
    layout
        .submitted(result)
        .answer(
            |()| back_to(treatment_id, msg("flash-payment-taken")).at("payments"),
            async |refused| {
                let comeback = Comeback {
                    payment: Some(form),
                    ..Comeback::of(&layout, &refused)
                };
                let (params, status) = (ChartParams::default(), refused.status);
                treatment_page(
                    &state,
                    &caller,
                    &layout,
                    treatment_id,
                    &params,
                    comeback,
                    status,
                )
                .await
            },
        )
        .await
}

// --- the invoice ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "invoice.html")]
struct InvoicePage<'a> {
    layout: &'a Layout,
    invoice: Invoice,
}

/// `GET /treatments/{treatment_id}/invoice`: the invoice, made for printing.
pub async fn invoice(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(treatment_id): Path<i64>,
    Query(params): Query<ChartParams>,
    layout: Layout,
) -> PageResult {
    let system = treatments::notation(&state.store, params.system.as_deref())
        .await
        .map_err(|_| layout.error_page(StatusCode::BAD_REQUEST, msg("error-invalid"), None))?;
    let invoice = treatments::invoice(
        &state.store,
        &state.audit,
        caller.actor(),
        treatment_id,
        system,
    )
    .await
    .or_page(&layout)?;
    Ok(layout.render(&InvoicePage {
        layout: &layout,
        invoice,
    }))
}
