//! `/api/v1/treatments`: the clinical record of a visit (doctors, managers and admins
//! write; receptionists and HQ read), its items and their teeth, its invoice and its
//! payments (every member of staff takes payments; refunds are for managers and admins);
//! a patient's treatments, chart and invoices; one's own under `/api/v1/me` (patients).
//!
//! Status codes beyond the conventions: an unknown or deactivated service, a tooth unknown in
//! the notation, or teeth that do not fit the item's scope is 422 naming the item
//! (`items[1].teeth`); changing the items of a fully paid treatment without a manager's or
//! admin's session is 403; a payment of 0 or more than the balance, or a refund of more than
//! was paid, is 422; a refund (negative amount) without a manager's or admin's session is
//! 403. `?system=universal|fdi|palmer` chooses the notation of the answer's tooth codes
//! (default: the clinic's).

use super::inputs::InstantText;
use super::views::{Page, PageParams};
use crate::http::error::{ApiError, Json, Path, Problem, Query};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::fields::Given;
use crate::services::patients;
use crate::services::treatments::{
    self, Account, ChartTooth, Invoice, ItemInput, NewTreatmentInput, Payment, PaymentInput,
    ToothInput, Treatment, TreatmentChanges, TreatmentCursor,
};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use dcms_domain::permission::{Access, Capability};
use dcms_domain::{Money, ToothSystem, TreatmentScope};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A tooth: its code in the request's notation, or the code with a note.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum ToothBody {
    #[schema(example = "16")]
    Code(String),
    WithNote {
        #[schema(example = "16")]
        code: String,
        /// At most 2000 characters, one line; blank is none.
        #[schema(max_length = 2000)]
        note: Option<String>,
    },
}

impl From<ToothBody> for ToothInput {
    fn from(t: ToothBody) -> Self {
        match t {
            ToothBody::Code(code) => ToothInput { code, note: None },
            ToothBody::WithNote { code, note } => ToothInput { code, note },
        }
    }
}

/// A discount: whole tugrik off (`5000` or `{"amount": 5000}`) or a percent of the list
/// price (`{"percent": 10}`).
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum DiscountBody {
    Amount(i64),
    Given(DiscountGiven),
}

/// A discount as an amount or a percent (exactly one).
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum DiscountGiven {
    /// Whole tugrik off, at most the list price.
    Amount(i64),
    /// Percent of the list price, 0 to 100 (rounded half up to whole tugrik).
    Percent(i64),
}

impl From<DiscountBody> for dcms_domain::Discount {
    fn from(body: DiscountBody) -> Self {
        match body {
            DiscountBody::Amount(a) | DiscountBody::Given(DiscountGiven::Amount(a)) => {
                dcms_domain::Discount::Amount(a)
            }
            DiscountBody::Given(DiscountGiven::Percent(p)) => dcms_domain::Discount::Percent(p),
        }
    }
}

fn teeth_input(teeth: Option<Vec<ToothBody>>) -> Option<Vec<ToothInput>> {
    teeth.map(|t| t.into_iter().map(ToothInput::from).collect())
}

/// A service done in the treatment.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ItemBody {
    /// An active service of the catalog (its price is copied into the item). Required
    /// unless `plan_item_id` is given.
    #[schema(value_type = i64, minimum = 1)]
    pub service_id: Option<i64>,
    /// Required unless `plan_item_id` is given.
    #[schema(value_type = TreatmentScope)]
    pub scope: Option<String>,
    /// single_tooth: exactly one; multi_tooth: two or more, no repeats; arches and the full
    /// mouth: none (every tooth of the patient's dentition on the treatment date, or of
    /// `dentition`) or the teeth done, which must lie in that arch. At most 52.
    #[schema(max_items = 52)]
    pub teeth: Option<Vec<ToothBody>>,
    /// The notation of `teeth`: universal, fdi or palmer; default the clinic's.
    #[schema(value_type = Option<ToothSystem>)]
    pub system: Option<String>,
    /// permanent or primary: the dentition an arch or the mouth is chosen from.
    #[schema(value_type = Option<dcms_domain::Dentition>)]
    pub dentition: Option<String>,
    /// At most 2000 characters, one line; blank is none.
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    /// Surfaces of a single tooth: mesial, occlusal, distal, buccal, lingual (incisal and
    /// labial on incisors and canines).
    #[schema(max_items = 5, value_type = Option<Vec<String>>)]
    pub surfaces: Option<Vec<String>>,
    /// The finding the item treats: the patient's, open, on the item's one tooth; recording
    /// the item resolves it.
    #[schema(minimum = 1)]
    pub finding_id: Option<i64>,
    /// Records this item of the patient's accepted plan: its service, scope, teeth, surfaces,
    /// finding and price are the plan item's (the other fields are ignored); the plan item
    /// becomes done.
    #[schema(minimum = 1)]
    pub plan_item_id: Option<i64>,
    /// Off the item's list price (`price × quantity`); above the clinic's
    /// `discount_threshold_percent` only a manager or an admin may give one (403).
    pub discount: Option<DiscountBody>,
    /// Why: required with a discount; at most 200 characters, one line.
    #[schema(max_length = 200)]
    pub discount_reason: Option<String>,
}

impl From<ItemBody> for ItemInput {
    fn from(b: ItemBody) -> Self {
        ItemInput {
            service_id: b.service_id,
            scope: b.scope,
            teeth: teeth_input(b.teeth),
            system: b.system,
            dentition: b.dentition,
            note: b.note,
            surfaces: b.surfaces,
            finding_id: b.finding_id,
            plan_item_id: b.plan_item_id,
            discount: b.discount.map(Into::into),
            discount_reason: b.discount_reason,
        }
    }
}

/// A treatment with its items, recorded in one transaction.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateTreatmentBody {
    #[schema(required = true, value_type = i64, minimum = 1)]
    pub patient_id: Option<i64>,
    /// An employee who may be a doctor now.
    #[schema(required = true, value_type = i64, minimum = 1)]
    pub doctor_id: Option<i64>,
    #[schema(minimum = 1)]
    pub assistant_id: Option<i64>,
    /// The patient's appointment this visit was: reserved or confirmed, it becomes came,
    /// which needs it to have started (from 30 minutes before its start; 422 before).
    #[schema(minimum = 1)]
    pub appointment_id: Option<i64>,
    /// The patient's follow-up appointment.
    #[schema(minimum = 1)]
    pub next_appointment_id: Option<i64>,
    /// RFC 3339; default now; not in the future.
    #[schema(value_type = Option<InstantText>)]
    pub treatment_date: Option<String>,
    /// At most 2000 characters, one line; blank is none.
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    /// At most 100.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub items: Vec<ItemBody>,
}

/// A change of a treatment's own fields (absent: kept; null: cleared).
#[derive(Debug, Deserialize, ToSchema)]
pub struct PatchTreatmentBody {
    /// At most 2000 characters, one line; null or blank clears it.
    #[serde(default, deserialize_with = "super::staff::nullable")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub note: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::staff::nullable")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub assistant_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "super::staff::nullable")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub next_appointment_id: Option<Option<i64>>,
}

/// The teeth of an item, chosen after the treatment (they replace any it had).
#[derive(Debug, Deserialize, ToSchema)]
pub struct TeethBody {
    /// At most 52.
    #[serde(default)]
    #[schema(max_items = 52)]
    pub teeth: Vec<ToothBody>,
    /// The notation of `teeth`; default the clinic's.
    #[schema(value_type = Option<ToothSystem>)]
    pub system: Option<String>,
}

/// A payment; negative is a refund (managers and admins).
#[derive(Debug, Deserialize, ToSchema)]
pub struct PaymentBody {
    /// Whole tugrik, not 0, at most the balance (a refund at most what was paid); at most
    /// 10^12 either way.
    #[schema(required = true, value_type = i64, minimum = -1_000_000_000_000_i64, maximum = 1_000_000_000_000_i64, example = 50000)]
    pub amount: Option<i64>,
    #[schema(required = true, value_type = dcms_domain::PaymentMethod)]
    pub method: Option<String>,
    /// RFC 3339; default now; not in the future.
    #[schema(value_type = Option<InstantText>)]
    pub paid_at: Option<String>,
    /// At most 2000 characters, one line; blank is none.
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    /// The payer organisation's taxpayer number (7 digits, or 11 or 12): its e-barimt receipt
    /// is B2B. Blank is none (B2C).
    #[schema(max_length = 12)]
    pub customer_tin: Option<String>,
}

/// `?system=`: the notation of the answer's tooth codes.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SystemParams {
    /// universal, fdi or palmer; default the clinic's notation.
    #[param(value_type = Option<ToothSystem>)]
    pub system: Option<String>,
}

/// `?system=&limit=&cursor=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// universal, fdi or palmer; default the clinic's notation.
    #[param(value_type = Option<ToothSystem>)]
    pub system: Option<String>,
    /// Items per page, 1 to 500 (default 50; more is taken as 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    #[param(min_length = 1, pattern = r"^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
}

/// A patient's invoices, newest first, and what they owe over all of them.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceList {
    pub items: Vec<Invoice>,
    pub next_cursor: Option<String>,
    /// Over every treatment of the patient, not only this page.
    pub account: Account,
}

/// A patient's chart.
#[derive(Debug, Serialize, ToSchema)]
pub struct Chart {
    pub patient_id: i64,
    pub system: ToothSystem,
    /// Every tooth that has items, in the dictionary's order, each with its items newest
    /// first.
    pub teeth: Vec<ChartTooth>,
}

/// A service of one's own treatment, as the patient sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyItem {
    /// The service's name for patients.
    pub service: String,
    pub scope: TreatmentScope,
    pub teeth: Vec<String>,
    pub charge: Money,
}

/// One's own treatment.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyTreatment {
    pub treatment_id: i64,
    pub treatment_date: jiff::Timestamp,
    pub doctor_id: i64,
    pub items: Vec<MyItem>,
    pub total: Money,
    pub paid: Money,
    pub balance: Money,
}

impl From<Treatment> for MyTreatment {
    fn from(t: Treatment) -> Self {
        MyTreatment {
            treatment_id: t.treatment_id,
            treatment_date: t.treatment_date,
            doctor_id: t.doctor_id,
            items: t
                .items
                .into_iter()
                .map(|i| MyItem {
                    service: i.patient_service_name,
                    scope: i.scope,
                    teeth: i.teeth.into_iter().map(|t| t.code).collect(),
                    charge: i.charge,
                })
                .collect(),
            total: t.total,
            paid: t.paid,
            balance: t.balance,
        }
    }
}

fn may_change_paid(caller: &Caller) -> bool {
    caller.may(Capability::Refunds, Access::Write)
}

/// The notation asked for (`?system=`), else the clinic's; an unknown one is 422.
pub(super) async fn system(state: &AppState, asked: Option<&str>) -> Result<ToothSystem, ApiError> {
    Ok(treatments::notation(&state.store, asked).await?)
}

fn cursor(params: &ListParams) -> Result<Option<TreatmentCursor>, ApiError> {
    match params.cursor.as_deref() {
        None => Ok(None),
        Some(c) => TreatmentCursor::decode(c)
            .map(Some)
            .ok_or_else(|| ApiError::bad_request("invalid cursor")),
    }
}

fn limit(params: &ListParams) -> u64 {
    params
        .limit
        .unwrap_or(PageParams::DEFAULT_LIMIT)
        .clamp(1, PageParams::MAX_LIMIT)
}

/// Records a treatment with its items.
#[utoipa::path(post, path = "/api/v1/treatments", operation_id = "treatments_create", tag = "treatments", security(("bearer" = [])),
    params(SystemParams),
    request_body = CreateTreatmentBody,
    responses(
        (status = 201, description = "Recorded; items in the order given, teeth in the requested or the clinic's notation", body = Treatment),
        (status = 422, description = "Invalid fields, all together; an item's are named `items[i].field`; `appointment_id` another patient's, unknown, or reserved or confirmed but not started yet", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<SystemParams>,
    Json(body): Json<CreateTreatmentBody>,
) -> Result<(StatusCode, Json<Treatment>), ApiError> {
    let answer_system = system(&state, params.system.as_deref()).await?;
    let input = NewTreatmentInput {
        patient_id: body.patient_id,
        doctor_id: body.doctor_id,
        assistant_id: body.assistant_id,
        appointment_id: body.appointment_id,
        next_appointment_id: body.next_appointment_id,
        treatment_date: Given::instant("treatment_date", body.treatment_date.as_deref()),
        note: body.note,
        items: body.items.into_iter().map(ItemInput::from).collect(),
    };
    let created = treatments::create(&state.store, &state.audit, caller.actor(), input).await?;
    let treatment = if created.system == answer_system {
        created
    } else {
        treatments::get(
            &state.store,
            &state.audit,
            caller.actor(),
            created.treatment_id,
            answer_system,
        )
        .await?
    };
    Ok((StatusCode::CREATED, Json(treatment)))
}

/// A treatment.
#[utoipa::path(get, path = "/api/v1/treatments/{treatment_id}", operation_id = "treatments_get", tag = "treatments", security(("bearer" = [])),
    params(("treatment_id" = i64, Path, description = "Treatment id"), SystemParams),
    responses(
        (status = 200, description = "The treatment, its items in order, its total, paid and balance", body = Treatment),
        (status = 404, description = "No such treatment", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown notation", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(treatment_id): Path<i64>,
    Query(params): Query<SystemParams>,
) -> Result<Json<Treatment>, ApiError> {
    let system = system(&state, params.system.as_deref()).await?;
    Ok(Json(
        treatments::get(
            &state.store,
            &state.audit,
            caller.actor(),
            treatment_id,
            system,
        )
        .await?,
    ))
}

/// Changes a treatment's note, assistant or follow-up appointment.
#[utoipa::path(patch, path = "/api/v1/treatments/{treatment_id}", operation_id = "treatments_update", tag = "treatments", security(("bearer" = [])),
    params(("treatment_id" = i64, Path, description = "Treatment id"), SystemParams),
    request_body = PatchTreatmentBody,
    responses(
        (status = 200, description = "Changed", body = Treatment),
        (status = 404, description = "No such treatment", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(treatment_id): Path<i64>,
    Query(params): Query<SystemParams>,
    Json(body): Json<PatchTreatmentBody>,
) -> Result<Json<Treatment>, ApiError> {
    let system = system(&state, params.system.as_deref()).await?;
    let changes = TreatmentChanges {
        note: body.note,
        assistant_id: body.assistant_id,
        next_appointment_id: body.next_appointment_id,
    };
    Ok(Json(
        treatments::update(
            &state.store,
            &state.audit,
            caller.actor(),
            treatment_id,
            changes,
            system,
        )
        .await?,
    ))
}

/// Adds an item to a treatment.
#[utoipa::path(post, path = "/api/v1/treatments/{treatment_id}/items", operation_id = "treatments_items_add", tag = "treatments", security(("bearer" = [])),
    params(("treatment_id" = i64, Path, description = "Treatment id"), SystemParams),
    request_body = ItemBody,
    responses(
        (status = 201, description = "Added (the price copied now); the whole treatment", body = Treatment),
        (status = 403, description = "Doctors, managers and admins only; a fully paid treatment: managers and admins only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such treatment", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_item(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(treatment_id): Path<i64>,
    Query(params): Query<SystemParams>,
    Json(body): Json<ItemBody>,
) -> Result<(StatusCode, Json<Treatment>), ApiError> {
    let system = system(&state, params.system.as_deref()).await?;
    let (treatment, _) = treatments::add_item(
        &state.store,
        &state.audit,
        caller.actor(),
        may_change_paid(&caller),
        treatment_id,
        body.into(),
        system,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(treatment)))
}

/// Removes an item from a treatment.
#[utoipa::path(delete, path = "/api/v1/treatments/{treatment_id}/items/{treatment_item_id}", operation_id = "treatments_items_delete", tag = "treatments", security(("bearer" = [])),
    params(("treatment_id" = i64, Path, description = "Treatment id"), ("treatment_item_id" = i64, Path, description = "Item id")),
    responses(
        (status = 204, description = "Removed with its teeth"),
        (status = 403, description = "Doctors, managers and admins only; a fully paid treatment: managers and admins only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such treatment or item", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_item(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((treatment_id, treatment_item_id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    treatments::delete_item(
        &state.store,
        &state.audit,
        caller.actor(),
        may_change_paid(&caller),
        treatment_id,
        treatment_item_id,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets the teeth of an item (chosen after the treatment).
#[utoipa::path(put, path = "/api/v1/treatments/{treatment_id}/items/{treatment_item_id}/teeth", operation_id = "treatments_items_teeth_set", tag = "treatments", security(("bearer" = [])),
    params(("treatment_id" = i64, Path, description = "Treatment id"), ("treatment_item_id" = i64, Path, description = "Item id"), SystemParams),
    request_body = TeethBody,
    responses(
        (status = 200, description = "The teeth replaced; the whole treatment", body = Treatment),
        (status = 403, description = "Doctors, managers and admins only; a fully paid treatment: managers and admins only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such treatment or item", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown teeth, or teeth that do not fit the item's scope", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn set_teeth(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((treatment_id, treatment_item_id)): Path<(i64, i64)>,
    Query(params): Query<SystemParams>,
    Json(body): Json<TeethBody>,
) -> Result<Json<Treatment>, ApiError> {
    let system = system(&state, params.system.as_deref()).await?;
    Ok(Json(
        treatments::set_teeth(
            &state.store,
            &state.audit,
            caller.actor(),
            may_change_paid(&caller),
            treatment_id,
            treatment_item_id,
            body.teeth.into_iter().map(ToothInput::from).collect(),
            body.system,
            system,
        )
        .await?,
    ))
}

/// A treatment's invoice.
#[utoipa::path(get, path = "/api/v1/treatments/{treatment_id}/invoice", operation_id = "treatments_invoice_get", tag = "treatments", security(("bearer" = [])),
    params(("treatment_id" = i64, Path, description = "Treatment id"), SystemParams),
    responses(
        (status = 200, description = "Lines at the prices recorded with the items, payments, total, paid and balance", body = Invoice),
        (status = 404, description = "No such treatment", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown notation", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn invoice(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(treatment_id): Path<i64>,
    Query(params): Query<SystemParams>,
) -> Result<Json<Invoice>, ApiError> {
    let system = system(&state, params.system.as_deref()).await?;
    Ok(Json(
        treatments::invoice(
            &state.store,
            &state.audit,
            caller.actor(),
            treatment_id,
            system,
        )
        .await?,
    ))
}

/// Takes a payment (or gives a refund) for a treatment.
#[utoipa::path(post, path = "/api/v1/treatments/{treatment_id}/payments", operation_id = "treatments_payments_create", tag = "treatments", security(("bearer" = [])),
    params(("treatment_id" = i64, Path, description = "Treatment id")),
    request_body = PaymentBody,
    responses(
        (status = 201, description = "Taken; `received_by` is the user who took it", body = Payment),
        (status = 403, description = "Staff only; a refund (negative amount): managers and admins only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such treatment", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "0, more than the balance, a refund of more than was paid, an unknown method, or a time in the future", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn pay(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(treatment_id): Path<i64>,
    Json(body): Json<PaymentBody>,
) -> Result<(StatusCode, Json<Payment>), ApiError> {
    let payment = treatments::pay(
        &state.store,
        &state.audit,
        caller.actor(),
        may_change_paid(&caller),
        treatment_id,
        PaymentInput {
            amount: body.amount,
            method: body.method,
            paid_at: Given::instant("paid_at", body.paid_at.as_deref()),
            note: body.note,
            customer_tin: body.customer_tin,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(payment)))
}

/// A treatment's payments, oldest first.
#[utoipa::path(get, path = "/api/v1/treatments/{treatment_id}/payments", operation_id = "treatments_payments_list", tag = "treatments", security(("bearer" = [])),
    params(("treatment_id" = i64, Path, description = "Treatment id")),
    responses(
        (status = 200, description = "Payments and refunds by `paid_at`", body = Vec<Payment>),
        (status = 404, description = "No such treatment", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn payments(
    State(state): State<AppState>,
    Path(treatment_id): Path<i64>,
) -> Result<Json<Vec<Payment>>, ApiError> {
    Ok(Json(
        treatments::payments(&state.store, treatment_id).await?,
    ))
}

/// A patient's treatments, newest first.
#[utoipa::path(get, path = "/api/v1/patients/{patient_id}/treatments", operation_id = "patients_treatments_list", tag = "treatments", security(("bearer" = [])),
    params(("patient_id" = i64, Path, description = "Patient id"), ListParams),
    responses(
        (status = 200, description = "A page of the patient's treatments, newest first", body = Page<Treatment>),
        (status = 404, description = "No such patient", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown notation", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn of_patient(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    Query(params): Query<ListParams>,
) -> Result<Json<Page<Treatment>>, ApiError> {
    let system = system(&state, params.system.as_deref()).await?;
    let page = treatments::of_patient(
        &state.store,
        &state.audit,
        caller.actor(),
        patient_id,
        cursor(&params)?,
        limit(&params),
        system,
    )
    .await?;
    Ok(Json(Page {
        items: page.items,
        next_cursor: page.next_cursor.map(|c| c.encode()),
    }))
}

/// A patient's chart: each tooth with what was done to it.
#[utoipa::path(get, path = "/api/v1/patients/{patient_id}/chart", operation_id = "patients_chart_get", tag = "treatments", security(("bearer" = [])),
    params(("patient_id" = i64, Path, description = "Patient id"), SystemParams),
    responses(
        (status = 200, description = "Every tooth that has items, each with its items newest first", body = Chart),
        (status = 404, description = "No such patient", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown notation", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn chart(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    Query(params): Query<SystemParams>,
) -> Result<Json<Chart>, ApiError> {
    let system = system(&state, params.system.as_deref()).await?;
    let teeth = treatments::chart(
        &state.store,
        &state.audit,
        caller.actor(),
        patient_id,
        system,
    )
    .await?;
    Ok(Json(Chart {
        patient_id,
        system,
        teeth,
    }))
}

async fn invoice_list(
    state: &AppState,
    caller: &Caller,
    patient_id: i64,
    params: &ListParams,
) -> Result<InvoiceList, ApiError> {
    let system = system(state, params.system.as_deref()).await?;
    let page = treatments::invoices_of_patient(
        &state.store,
        &state.audit,
        caller.actor(),
        patient_id,
        cursor(params)?,
        limit(params),
        system,
    )
    .await?;
    Ok(InvoiceList {
        items: page.items,
        next_cursor: page.next_cursor.map(|c| c.encode()),
        account: treatments::account(&state.store, patient_id).await?,
    })
}

/// A patient's invoices, newest first, with what they owe in all.
#[utoipa::path(get, path = "/api/v1/patients/{patient_id}/invoices", operation_id = "patients_invoices_list", tag = "treatments", security(("bearer" = [])),
    params(("patient_id" = i64, Path, description = "Patient id"), ListParams),
    responses(
        (status = 200, description = "A page of invoices and the patient's account", body = InvoiceList),
        (status = 404, description = "No such patient", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown notation", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn invoices_of_patient(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    Query(params): Query<ListParams>,
) -> Result<Json<InvoiceList>, ApiError> {
    Ok(Json(
        invoice_list(&state, &caller, patient_id, &params).await?,
    ))
}

/// My treatments, newest first (services by the names patients see).
#[utoipa::path(get, path = "/api/v1/me/treatments", operation_id = "me_treatments_list", tag = "treatments", security(("bearer" = [])),
    params(ListParams),
    responses(
        (status = 200, description = "A page of my treatments", body = Page<MyTreatment>),
        (status = 404, description = "No patient record is linked to this account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown notation", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn my_treatments(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<ListParams>,
) -> Result<Json<Page<MyTreatment>>, ApiError> {
    let patient_id = patients::own_patient_id(&state.store, caller.user_id()).await?;
    let system = system(&state, params.system.as_deref()).await?;
    let page = treatments::of_patient(
        &state.store,
        &state.audit,
        caller.actor(),
        patient_id,
        cursor(&params)?,
        limit(&params),
        system,
    )
    .await?;
    Ok(Json(Page {
        items: page.items.into_iter().map(MyTreatment::from).collect(),
        next_cursor: page.next_cursor.map(|c| c.encode()),
    }))
}

/// My invoices, newest first, with what I owe in all.
#[utoipa::path(get, path = "/api/v1/me/invoices", operation_id = "me_invoices_list", tag = "treatments", security(("bearer" = [])),
    params(ListParams),
    responses(
        (status = 200, description = "A page of my invoices and my account", body = InvoiceList),
        (status = 404, description = "No patient record is linked to this account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown notation", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn my_invoices(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<ListParams>,
) -> Result<Json<InvoiceList>, ApiError> {
    let patient_id = patients::own_patient_id(&state.store, caller.user_id()).await?;
    Ok(Json(
        invoice_list(&state, &caller, patient_id, &params).await?,
    ))
}

/// The routes of this module.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{self, post, put};
    axum::Router::new()
        .route("/api/v1/treatments", post(create))
        .route(
            "/api/v1/treatments/{treatment_id}",
            routing::get(get).patch(update),
        )
        .route("/api/v1/treatments/{treatment_id}/items", post(add_item))
        .route(
            "/api/v1/treatments/{treatment_id}/items/{treatment_item_id}",
            routing::delete(delete_item),
        )
        .route(
            "/api/v1/treatments/{treatment_id}/items/{treatment_item_id}/teeth",
            put(set_teeth),
        )
        .route(
            "/api/v1/treatments/{treatment_id}/invoice",
            routing::get(invoice),
        )
        .route(
            "/api/v1/treatments/{treatment_id}/payments",
            routing::get(payments).post(pay),
        )
        .route(
            "/api/v1/patients/{patient_id}/treatments",
            routing::get(of_patient),
        )
        .route("/api/v1/patients/{patient_id}/chart", routing::get(chart))
        .route(
            "/api/v1/patients/{patient_id}/invoices",
            routing::get(invoices_of_patient),
        )
        .route("/api/v1/me/treatments", routing::get(my_treatments))
        .route("/api/v1/me/invoices", routing::get(my_invoices))
}
