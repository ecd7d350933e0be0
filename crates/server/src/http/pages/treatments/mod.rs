//! Treatments on the pages: the doctor records a visit on the odontogram
//! (`/patients/{id}/treatments/new`, `new.rs`), the treatment's page lists its services and
//! takes more, its payments and the payment form (`/treatments/{id}`; a "take payment" link
//! comes to `/treatments/{id}?pay=1`, the amount focused), and the invoice is a
//! page made for printing (`/treatments/{id}/invoice`).
//!
//! The item form (`item.rs`) is the same for a new treatment and an added service.
//! Times are typed in the clinic's local time.

mod item;
mod new;

pub use new::{create, new_form};

use super::common::Choice;
use super::drawing::odontogram::Odontogram;
use super::{FieldMessages, Layout, OrPage, PageResult, Refusal, Saved, msg};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::fields::Given;
use crate::services::treatments::{self, Invoice, PaymentInput, Treatment};
use crate::services::{FieldError, ServiceError, patients, staff};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use dcms_domain::permission::{Access, Capability};
use dcms_domain::{PaymentMethod, ToothSystem};
use item::{
    ChartParams, ItemChoices, ItemForm, bad_request, chart_settings, item_chart, item_choices,
    item_errors, pairs, usual_scopes,
};
use new::TREATMENT_FIELDS;
use serde::Deserialize;

// --- the treatment's page ------------------------------------------------------------------

/// A payment as the page lists it.
pub struct PaymentRow {
    payment_id: i64,
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
    /// Came by a "take payment" link: the amount has the focus.
    pay_focus: bool,
    /// The item form was refused (its errors are shown on it, not on the payment form).
    item_refused: bool,
    known_fields: &'static [&'static str],
    /// The services of its items that carry a consent to print: (service id, name).
    consents: Vec<(i64, String)>,
    /// Its signed consents kept: (attachment id, file name).
    signed: Vec<(i64, String)>,
}

/// The payment form, as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PaymentForm {
    amount: String,
    method: String,
    payment_note: String,
    /// The payer organisation's taxpayer number (a B2B receipt).
    customer_tin: String,
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
        .map_err(|_| bad_request(layout))?;
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
    let pay_focus = params.pay.is_some() && comeback.errors.is_empty();
    let item_refused = comeback.item.is_some() && !comeback.errors.is_empty();
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
            payment_id: p.payment_id,
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
        customer_tin: String::new(),
    });
    let methods = PaymentMethod::ALL
        .iter()
        .map(|m| Choice {
            value: m.as_str().to_owned(),
            label: layout.payment_method(m),
        })
        .collect();
    let (consents, signed) = consents_of(state, caller, layout, &treatment).await?;
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
            pay_focus,
            item_refused,
            known_fields: TREATMENT_FIELDS,
            consents,
            signed,
        },
    ))
}

/// The consents a treatment's services ask for, and the signed ones kept with it.
async fn consents_of(
    state: &AppState,
    caller: &Caller,
    layout: &Layout,
    treatment: &Treatment,
) -> Result<(Vec<(i64, String)>, Vec<(i64, String)>), axum::response::Response> {
    let mut consents: Vec<(i64, String)> = Vec::new();
    for item in &treatment.items {
        if consents.iter().any(|(id, _)| *id == item.service_id) {
            continue;
        }
        let service = crate::services::catalog::get(&state.store, item.service_id)
            .await
            .or_page(layout)?;
        if service.consent_text.is_some() {
            consents.push((item.service_id, item.service_name.clone()));
        }
    }
    let signed = if layout.can.attachments_read {
        let query = crate::services::attachments::ListQuery {
            kind: Some("consent".into()),
            ..Default::default()
        };
        crate::services::attachments::of_patient(
            &state.store,
            &state.audit,
            caller.actor(),
            treatment.patient_id,
            query,
            dcms_domain::ToothSystem::Fdi,
        )
        .await
        .or_page(layout)?
        .into_iter()
        .filter(|a| a.treatment_id == Some(treatment.treatment_id))
        .map(|a| (a.attachment_id, a.file_name))
        .collect()
    } else {
        Vec::new()
    };
    Ok((consents, signed))
}

/// `GET /treatments/{treatment_id}?system=&dentition=&pay=`.
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
                errors: item_errors(layout, &refused.errors, ""),
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
    let (mut form, system) = pairs(&fields);
    let mut errors = Vec::new();
    let usual = usual_scopes(&state, &layout).await?;
    let item = form.item.input(&mut errors, &usual);
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
                customer_tin: Some(form.customer_tin.clone()),
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
                // The payment's note is `payment_note` on the page.
                let comeback = Comeback {
                    errors: refused.messages_at(&layout, |field| {
                        if field == "note" {
                            "payment_note"
                        } else {
                            field
                        }
                    }),
                    payment: Some(form),
                    ..Comeback::default()
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
    /// The e-barimt receipts issued for its payments, printed with it.
    receipts: Vec<crate::http::pages::receipts::PrintedReceipt>,
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
        .map_err(|_| bad_request(&layout))?;
    let invoice = treatments::invoice(
        &state.store,
        &state.audit,
        caller.actor(),
        treatment_id,
        system,
    )
    .await
    .or_page(&layout)?;
    let mut receipts = Vec::new();
    for r in crate::services::ebarimt::issued_of_treatment(&state.store, treatment_id)
        .await
        .or_page(&layout)?
    {
        let request = crate::services::ebarimt::request_of(&state.store, r.receipt_id)
            .await
            .or_page(&layout)?;
        receipts.push(crate::http::pages::receipts::printed(&layout, r, &request));
    }
    Ok(layout.render(&InvoicePage {
        layout: &layout,
        invoice,
        receipts,
    }))
}
