//! Treatments: what the doctor did in a visit, to which teeth, what it costs and what was
//! paid.
//!
//! Rules (domain.md treatment, treatment_item, treatment_item_tooth, payment):
//! * A treatment and its items are written in one transaction. Each item names an active
//!   service (422 `items[i].service_id` otherwise), a scope, and teeth as the scope wants
//!   (`dcms_domain::select_teeth`: exactly one, two or more without repeats, or an arch or
//!   the mouth of the patient's dentition on the treatment date unless the item names a
//!   dentition or lists teeth in that arch; 422 `items[i].teeth`). Teeth are given in any
//!   notation (the item's `system`, else the clinic's) and stored as FDI rows; answers show
//!   them in the notation asked for.
//! * The catalog's price is copied into the item when it is recorded; an item's charge is
//!   price × teeth for single and multi tooth, price once otherwise. Later price changes
//!   never change an existing treatment or its invoice.
//! * A treatment on an appointment of the same patient moves it to `came` when it was
//!   reserved or confirmed; the patient's `last_seen_at` moves to the treatment date (never
//!   backwards). `next_appointment_id` names the patient's follow-up.
//! * Items of a fully paid treatment (paid, and nothing left to pay) are changed only by a
//!   manager or admin (403 otherwise).
//! * Payments: positive and at most the balance (422), a refund (negative) only by a manager
//!   or admin (403) and at most what was paid (422). The treatment's row is locked first,
//!   so two payments at once never both pass the balance check.
//!
//! Every write is audited in its transaction; reads of a treatment, invoice or chart are
//! audited as reads of the record.

use super::audit::{AuditTrail, changes};
use super::fields::{self, optional_choice, required_choice};
use super::{Actor, FieldError, ServiceError, settings, staff};
use dcms_domain::{
    AppointmentStatus, Dentition, Money, PaymentMethod, ScopeError, ToothCode, ToothSystem,
    TreatmentScope, select_teeth,
};
use dcms_store::Store;
use dcms_store::audit::AuditEntry;
use dcms_store::clinical::{self as repo, NewItem, NewPayment, NewTreatment};
use dcms_store::entity::{payment, treatment, treatment_item, treatment_item_tooth};
use dcms_store::sea_orm::{ConnectionTrait, DatabaseTransaction};
use dcms_store::time::{date_from_db, from_db, now, to_db};
use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use utoipa::ToSchema;

const TABLE: &str = "treatment";
const ITEM_TABLE: &str = "treatment_item";
const PAYMENT_TABLE: &str = "payment";
const PATIENT_TABLE: &str = "patient";
/// Most characters of a treatment's, an item's, a tooth's or a payment's note.
/// Most items in one treatment request.
pub const ITEMS_MAX: usize = 100;
/// Most teeth of one item (the whole mouth of both dentitions).
pub const TEETH_MAX: usize = 52;
/// The largest amount of one payment, in tugrik.
pub const AMOUNT_MAX: i64 = 1_000_000_000_000;

// --- what the use cases answer -------------------------------------------------------------

/// A tooth of an item, in the notation asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ItemTooth {
    /// The FDI row of `tooth_definition` the item is stored against.
    pub tooth_id: i64,
    /// The code in the notation of the answer: `16`, `3`, `UR6`.
    #[schema(example = "16")]
    pub code: String,
    #[schema(example = "P-UR-6")]
    pub ui_key: String,
    pub note: Option<String>,
}

/// A service done in a treatment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TreatmentItem {
    pub treatment_item_id: i64,
    pub service_id: i64,
    /// The service's name for doctors.
    pub service_name: String,
    /// The service's name for patients (invoices, the portal).
    pub patient_service_name: String,
    pub scope: TreatmentScope,
    /// The dentition the item named, if any.
    pub dentition: Option<Dentition>,
    /// The unit price copied from the catalog when the item was recorded.
    pub price: Money,
    /// Teeth for single and multi tooth, else 1.
    pub quantity: i64,
    /// `price × quantity`.
    pub charge: Money,
    pub note: Option<String>,
    pub teeth: Vec<ItemTooth>,
}

/// A treatment with its items, in their order, and its balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Treatment {
    pub treatment_id: i64,
    pub treatment_date: Timestamp,
    pub patient_id: i64,
    pub doctor_id: i64,
    pub assistant_id: Option<i64>,
    pub appointment_id: Option<i64>,
    pub next_appointment_id: Option<i64>,
    pub note: Option<String>,
    /// The notation of the items' tooth codes.
    pub system: ToothSystem,
    pub items: Vec<TreatmentItem>,
    /// The items' charges.
    pub total: Money,
    /// Payments less refunds.
    pub paid: Money,
    /// `total - paid`.
    pub balance: Money,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Treatment {
    /// Paid, and nothing left to pay: its items are then changed only by a manager or admin.
    pub fn fully_paid(&self) -> bool {
        self.paid.amount() > 0 && self.balance.amount() <= 0
    }
}

/// A payment (negative: a refund).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Payment {
    pub payment_id: i64,
    pub treatment_id: i64,
    pub amount: Money,
    pub method: PaymentMethod,
    pub paid_at: Timestamp,
    /// The user who took it.
    pub received_by: Option<i64>,
    pub note: Option<String>,
}

impl Payment {
    fn from_row(row: payment::Model) -> Result<Payment, ServiceError> {
        Ok(Payment {
            method: PaymentMethod::from_code(row.method).ok_or_else(|| {
                ServiceError::Internal(format!(
                    "payment {} has an unknown method code {}",
                    row.payment_id, row.method
                ))
            })?,
            payment_id: row.payment_id,
            treatment_id: row.treatment_id,
            amount: Money::new(row.amount),
            paid_at: from_db(row.paid_at),
            received_by: row.received_by,
            note: row.note,
        })
    }

    fn audited(&self) -> Value {
        json!({
            "treatment_id": self.treatment_id,
            "amount": self.amount.amount(),
            "method": self.method,
            "paid_at": self.paid_at,
            "received_by": self.received_by,
            "note": self.note,
        })
    }
}

// --- reading treatments --------------------------------------------------------------------

fn internal(what: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(what.to_string())
}

/// The dictionary's tooth of a stored FDI `tooth_id` (`position + 1`).
fn tooth_of_id(tooth_id: i64) -> Result<ToothCode, ServiceError> {
    usize::try_from(tooth_id - 1)
        .ok()
        .and_then(ToothCode::from_position)
        .ok_or_else(|| internal(format!("unknown tooth id {tooth_id}")))
}

/// The stored `tooth_id` of a tooth (its FDI row).
fn id_of_tooth(tooth: ToothCode) -> i64 {
    tooth.in_system(ToothSystem::Fdi).position() as i64 + 1
}

/// Treatments with their items, teeth (in `system`) and payments: four queries whatever
/// their number; in the order given.
async fn assemble(
    db: &impl ConnectionTrait,
    rows: Vec<treatment::Model>,
    system: ToothSystem,
) -> Result<Vec<Treatment>, ServiceError> {
    let ids: Vec<i64> = rows.iter().map(|t| t.treatment_id).collect();
    let items = repo::items_of(db, &ids).await?;
    let item_ids: Vec<i64> = items.iter().map(|i| i.treatment_item_id).collect();
    let mut teeth: HashMap<i64, Vec<treatment_item_tooth::Model>> = HashMap::new();
    for tooth in repo::teeth_of(db, &item_ids).await? {
        teeth
            .entry(tooth.treatment_item_id)
            .or_default()
            .push(tooth);
    }
    let mut service_ids: Vec<i64> = items.iter().map(|i| i.service_id).collect();
    service_ids.sort_unstable();
    service_ids.dedup();
    let services: HashMap<i64, (String, String)> = dcms_store::catalog::find_many(db, &service_ids)
        .await?
        .into_iter()
        .map(|s| {
            (
                s.service_id,
                (s.doctor_display_name, s.patient_display_name),
            )
        })
        .collect();
    let mut paid: HashMap<i64, i64> = HashMap::new();
    for p in repo::payments_of(db, &ids).await? {
        *paid.entry(p.treatment_id).or_default() += p.amount;
    }
    let mut items_of: HashMap<i64, Vec<TreatmentItem>> = HashMap::new();
    for item in items {
        let item_teeth = teeth.remove(&item.treatment_item_id).unwrap_or_default();
        let view = item_view(item.clone(), item_teeth, &services, system)?;
        items_of.entry(item.treatment_id).or_default().push(view);
    }
    rows.into_iter()
        .map(|row| {
            let items = items_of.remove(&row.treatment_id).unwrap_or_default();
            let total: i64 = items.iter().map(|i| i.charge.amount()).sum();
            let paid = paid.get(&row.treatment_id).copied().unwrap_or(0);
            Ok(Treatment {
                treatment_id: row.treatment_id,
                treatment_date: from_db(row.treatment_date),
                patient_id: row.patient_id,
                doctor_id: row.doctor_id,
                assistant_id: row.assistant_id,
                appointment_id: row.appointment_id,
                next_appointment_id: row.next_appointment_id,
                note: row.note,
                system,
                items,
                total: Money::new(total),
                paid: Money::new(paid),
                balance: Money::new(total - paid),
                created_at: from_db(row.created_at),
                updated_at: from_db(row.updated_at),
            })
        })
        .collect()
}

fn item_view(
    item: treatment_item::Model,
    teeth: Vec<treatment_item_tooth::Model>,
    services: &HashMap<i64, (String, String)>,
    system: ToothSystem,
) -> Result<TreatmentItem, ServiceError> {
    let scope = TreatmentScope::from_code(item.scope).ok_or_else(|| {
        internal(format!(
            "item {} has an unknown scope {}",
            item.treatment_item_id, item.scope
        ))
    })?;
    let teeth = teeth
        .into_iter()
        .map(|t| {
            let tooth = tooth_of_id(t.tooth_id)?.in_system(system);
            Ok(ItemTooth {
                tooth_id: t.tooth_id,
                code: tooth.code().to_owned(),
                ui_key: tooth.ui_key().to_owned(),
                note: t.note,
            })
        })
        .collect::<Result<Vec<_>, ServiceError>>()?;
    let quantity = scope.quantity(teeth.len());
    let (service_name, patient_service_name) = services
        .get(&item.service_id)
        .cloned()
        .unwrap_or_else(|| (item.service_id.to_string(), item.service_id.to_string()));
    Ok(TreatmentItem {
        treatment_item_id: item.treatment_item_id,
        service_id: item.service_id,
        service_name,
        patient_service_name,
        scope,
        dentition: item.dentition.and_then(Dentition::from_code),
        price: Money::new(item.price),
        quantity,
        charge: Money::new(item.price.saturating_mul(quantity)),
        note: item.note,
        teeth,
    })
}

/// The notation asked for (`universal`, `fdi`, `palmer`), else the clinic's; an unknown one
/// is 422 on `system`.
pub async fn notation(store: &Store, asked: Option<&str>) -> Result<ToothSystem, ServiceError> {
    match asked.map(str::trim).filter(|s| !s.is_empty()) {
        Some(name) => name.parse::<ToothSystem>().map_err(|e| {
            ServiceError::invalid_coded(FieldError::coded("system", "choose", e.to_string()))
        }),
        None => Ok(settings::get(store).await?.tooth_notation),
    }
}

async fn load(
    db: &impl ConnectionTrait,
    treatment_id: i64,
    system: ToothSystem,
) -> Result<Treatment, ServiceError> {
    let row = repo::find(db, treatment_id)
        .await?
        .ok_or(ServiceError::NotFound("treatment"))?;
    assemble(db, vec![row], system)
        .await?
        .pop()
        .ok_or(ServiceError::NotFound("treatment"))
}

/// A treatment (a read of the patient's record, audited).
pub async fn get(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    treatment_id: i64,
    system: ToothSystem,
) -> Result<Treatment, ServiceError> {
    let treatment = load(store.connection(), treatment_id, system).await?;
    audit.record_read(actor.user_id, actor.session_token_id, TABLE, treatment_id);
    Ok(treatment)
}

/// The balance still due on the treatments of an appointment (for finishing it).
pub(super) async fn balance_of_appointment(
    db: &impl ConnectionTrait,
    appointment_id: i64,
) -> Result<i64, ServiceError> {
    let rows = repo::of_appointment(db, appointment_id).await?;
    let treatments = assemble(db, rows, ToothSystem::Fdi).await?;
    Ok(treatments.iter().map(|t| t.balance.amount().max(0)).sum())
}

// --- what the use cases take ---------------------------------------------------------------

/// A tooth as a client gives it: a code in the request's notation, with a note.
#[derive(Debug, Clone, Default)]
pub struct ToothInput {
    pub code: String,
    pub note: Option<String>,
}

/// An item as the client sent it.
#[derive(Debug, Clone, Default)]
pub struct ItemInput {
    pub service_id: Option<i64>,
    pub scope: Option<String>,
    /// None: none given (an arch or the mouth is then chosen from the dentition).
    pub teeth: Option<Vec<ToothInput>>,
    /// The notation of `teeth`; default the clinic's.
    pub system: Option<String>,
    pub dentition: Option<String>,
    pub note: Option<String>,
}

/// A treatment as the client sent it.
#[derive(Debug, Clone, Default)]
pub struct NewTreatmentInput {
    pub patient_id: Option<i64>,
    pub doctor_id: Option<i64>,
    pub assistant_id: Option<i64>,
    pub appointment_id: Option<i64>,
    pub next_appointment_id: Option<i64>,
    /// RFC 3339; default now; never in the future.
    pub treatment_date: Option<String>,
    pub note: Option<String>,
    pub items: Vec<ItemInput>,
}

/// A change of a treatment's own fields: `None` leaves one as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct TreatmentChanges {
    pub note: Option<Option<String>>,
    pub assistant_id: Option<Option<i64>>,
    pub next_appointment_id: Option<Option<i64>>,
}

/// A payment as the client sent it.
#[derive(Debug, Clone, Default)]
pub struct PaymentInput {
    pub amount: Option<i64>,
    pub method: Option<String>,
    /// RFC 3339; default now; never in the future.
    pub paid_at: Option<String>,
    pub note: Option<String>,
}

// --- validation ----------------------------------------------------------------------------

type Errors = Vec<FieldError>;

/// An item whose fields parsed and whose teeth fit its scope (FDI, in the order given).
struct ValidItem {
    service_id: i64,
    price: i64,
    scope: TreatmentScope,
    dentition: Option<Dentition>,
    note: Option<String>,
    teeth: Vec<(ToothCode, Option<String>)>,
}

/// Why teeth do not fit a scope, with a message id for each reason.
fn scope_error(field: &str, err: &ScopeError) -> FieldError {
    let message = err.to_string();
    match err {
        ScopeError::NoTeethAllowed { got } => {
            FieldError::coded(field, "scope-no-teeth", message).arg("got", got)
        }
        ScopeError::NotOneTooth { got } => {
            FieldError::coded(field, "scope-one-tooth", message).arg("got", got)
        }
        ScopeError::TooFewTeeth { got } => {
            FieldError::coded(field, "scope-two-teeth", message).arg("got", got)
        }
        ScopeError::Repeated { tooth } => {
            FieldError::coded(field, "scope-repeated", message).arg("tooth", tooth.code())
        }
        ScopeError::NotInArch { tooth, arch } => FieldError::coded(field, "scope-arch", message)
            .arg("tooth", tooth.code())
            .arg("arch", arch.as_str()),
        ScopeError::WrongDentition { tooth, dentition } => {
            FieldError::coded(field, "scope-dentition", message)
                .arg("tooth", tooth.code())
                .arg("dentition", dentition.as_str())
        }
    }
}

/// Parses the teeth given in `system` and checks them against `scope`; errors on `field`.
fn teeth_for(
    errors: &mut Errors,
    field: &str,
    scope: TreatmentScope,
    given: &[ToothInput],
    system: ToothSystem,
    patient_dentition: Dentition,
    named: Option<Dentition>,
) -> Option<Vec<(ToothCode, Option<String>)>> {
    if given.len() > TEETH_MAX {
        errors.push(
            FieldError::coded(field, "teeth-max", format!("at most {TEETH_MAX} teeth"))
                .arg("max", TEETH_MAX),
        );
        return None;
    }
    let mut codes = Vec::with_capacity(given.len());
    let mut notes = Vec::with_capacity(given.len());
    for tooth in given {
        match ToothCode::parse(system, &tooth.code) {
            Ok(code) => codes.push(code),
            Err(e) => {
                errors.push(
                    FieldError::coded(field, "tooth-unknown", e.to_string())
                        .arg("code", tooth.code.trim()),
                );
                return None;
            }
        }
        let note = fields::note(errors, field, tooth.note.as_deref())?;
        notes.push(note);
    }
    match select_teeth(scope, &codes, patient_dentition, named) {
        Ok(chosen) => {
            // Teeth chosen from the dentition have no note; listed ones keep theirs.
            let notes = notes.into_iter().chain(std::iter::repeat(None));
            Some(chosen.into_iter().zip(notes).collect())
        }
        Err(e) => {
            errors.push(scope_error(field, &e));
            None
        }
    }
}

/// Checks one item: its service (active, priced now), scope, dentition and teeth.
#[allow(clippy::too_many_arguments)]
async fn check_item(
    db: &impl ConnectionTrait,
    errors: &mut Errors,
    prefix: &str,
    item: &ItemInput,
    clinic_system: ToothSystem,
    patient_dentition: Dentition,
) -> Result<Option<ValidItem>, ServiceError> {
    let field = |name: &str| format!("{prefix}{name}");
    let service = match item.service_id {
        None => {
            errors.push(FieldError::coded(
                field("service_id"),
                "required",
                "is required",
            ));
            None
        }
        Some(id) => match dcms_store::catalog::find(db, id).await? {
            None => {
                errors.push(FieldError::coded(
                    field("service_id"),
                    "service-unknown",
                    format!("there is no service {id}"),
                ));
                None
            }
            Some(s) if !s.is_active => {
                errors.push(FieldError::coded(
                    field("service_id"),
                    "service-inactive",
                    format!("service {id} is deactivated"),
                ));
                None
            }
            Some(s) => Some(s),
        },
    };
    let scope = required_choice::<TreatmentScope>(errors, &field("scope"), item.scope.as_deref());
    let system = optional_choice::<ToothSystem>(errors, &field("system"), item.system.as_deref())
        .map(|s| s.unwrap_or(clinic_system));
    let dentition =
        optional_choice::<Dentition>(errors, &field("dentition"), item.dentition.as_deref());
    let note = fields::note(errors, &field("note"), item.note.as_deref());
    let (Some(service), Some(scope), Some(system), Some(dentition), Some(note)) =
        (service, scope, system, dentition, note)
    else {
        return Ok(None);
    };
    let given = item.teeth.as_deref().unwrap_or_default();
    let Some(teeth) = teeth_for(
        errors,
        &field("teeth"),
        scope,
        given,
        system,
        patient_dentition,
        dentition,
    ) else {
        return Ok(None);
    };
    Ok(Some(ValidItem {
        service_id: service.service_id,
        price: service.price,
        scope,
        dentition,
        note,
        teeth,
    }))
}

/// An instant in the past or now (default now); errors on `field`.
fn past_instant(errors: &mut Errors, field: &str, value: Option<&str>) -> Option<Timestamp> {
    let current = Timestamp::now();
    let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else {
        return Some(from_db(to_db(current)));
    };
    match super::fields::parse_instant(text) {
        None => {
            errors.push(FieldError::coded(
                field,
                "timestamp",
                "must be a date and time with an offset (RFC 3339)",
            ));
            None
        }
        // A minute of slack for clocks that differ.
        Some(at) if at.as_second() > current.as_second() + 60 => {
            errors.push(FieldError::coded(
                field,
                "date-future",
                "must not be in the future",
            ));
            None
        }
        Some(at) => Some(at),
    }
}

/// An appointment of the patient, locked; 422 on `field` when unknown or another patient's.
async fn patients_appointment(
    txn: &DatabaseTransaction,
    errors: &mut Errors,
    field: &str,
    appointment_id: i64,
    patient_id: i64,
) -> Result<Option<dcms_store::entity::appointment::Model>, ServiceError> {
    match dcms_store::schedule::lock(txn, appointment_id).await? {
        None => {
            errors.push(FieldError::coded(
                field,
                "appointment-unknown",
                format!("there is no appointment {appointment_id}"),
            ));
            Ok(None)
        }
        Some(a) if a.patient_id != patient_id => {
            errors.push(FieldError::coded(
                field,
                "appointment-other-patient",
                format!("appointment {appointment_id} is another patient's"),
            ));
            Ok(None)
        }
        Some(a) => Ok(Some(a)),
    }
}

/// An assistant: an employee who exists; 422 otherwise.
async fn check_assistant(
    db: &impl ConnectionTrait,
    errors: &mut Errors,
    assistant_id: i64,
) -> Result<(), ServiceError> {
    if dcms_store::staff::find(db, assistant_id).await?.is_none() {
        errors.push(FieldError::coded(
            "assistant_id",
            "employee-unknown",
            format!("there is no employee {assistant_id}"),
        ));
    }
    Ok(())
}

async fn record(
    audit: &AuditTrail,
    txn: &DatabaseTransaction,
    actor: Actor,
    action: &str,
    table: &str,
    row_id: i64,
    diff: Option<Value>,
) -> Result<(), ServiceError> {
    let entry = AuditEntry::new(action, table, Some(row_id)).with_changes(diff);
    audit.record(txn, actor.stamp(entry)).await
}

fn item_audited(item: &ValidItem) -> Value {
    json!({
        "service_id": item.service_id,
        "scope": item.scope,
        "dentition": item.dentition,
        "price": item.price,
        "note": item.note,
        "teeth": item.teeth.iter().map(|(t, _)| t.code()).collect::<Vec<_>>(),
    })
}

/// Inserts the items at `position` onwards, with their teeth.
async fn insert_items(
    txn: &DatabaseTransaction,
    treatment_id: i64,
    mut position: i32,
    items: &[ValidItem],
) -> Result<Vec<i64>, ServiceError> {
    let mut ids = Vec::with_capacity(items.len());
    for item in items {
        let row = repo::insert_item(
            txn,
            NewItem {
                treatment_id,
                service_id: item.service_id,
                scope: item.scope.code(),
                dentition: item.dentition.map(Dentition::code),
                price: item.price,
                position,
                note: item.note.clone(),
            },
        )
        .await?;
        let teeth: Vec<(i64, Option<String>)> = item
            .teeth
            .iter()
            .map(|(t, note)| (id_of_tooth(*t), note.clone()))
            .collect();
        repo::insert_teeth(txn, row.treatment_item_id, &teeth).await?;
        ids.push(row.treatment_item_id);
        position += 1;
    }
    Ok(ids)
}

// --- recording a treatment -----------------------------------------------------------------

/// Records a treatment with its items in one transaction (see the module's rules). Invalid
/// fields are 422, all together, items named `items[i].field`.
pub async fn create(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    input: NewTreatmentInput,
) -> Result<Treatment, ServiceError> {
    let clinic = settings::get(store).await?;
    let mut errors = Vec::new();
    let e = &mut errors;
    let patient_id = input.patient_id;
    if patient_id.is_none() {
        e.push(FieldError::coded("patient_id", "required", "is required"));
    }
    if input.doctor_id.is_none() {
        e.push(FieldError::coded("doctor_id", "required", "is required"));
    }
    let date = past_instant(e, "treatment_date", input.treatment_date.as_deref());
    let note = fields::note(e, "note", input.note.as_deref());
    if input.items.len() > ITEMS_MAX {
        e.push(
            FieldError::coded("items", "items-max", format!("at most {ITEMS_MAX} items"))
                .arg("max", ITEMS_MAX),
        );
    }
    let txn = store.begin_write().await?;
    // Locks in the one order every writer uses: the appointment, then the patient.
    let appointment = match (input.appointment_id, patient_id) {
        (Some(id), Some(patient)) => {
            patients_appointment(&txn, e, "appointment_id", id, patient).await?
        }
        _ => None,
    };
    let patient = match patient_id {
        Some(id) => {
            let row = dcms_store::patients::lock(&txn, id).await?;
            if row.is_none() {
                e.push(FieldError::coded(
                    "patient_id",
                    "patient-unknown",
                    format!("there is no patient {id}"),
                ));
            }
            row
        }
        None => None,
    };
    if let Some(doctor_id) = input.doctor_id
        && let Err(ServiceError::Invalid(more)) =
            staff::check_doctor(&txn, doctor_id, "doctor_id").await
    {
        e.extend(more);
    }
    if let Some(assistant_id) = input.assistant_id {
        check_assistant(&txn, e, assistant_id).await?;
    }
    if let (Some(next), Some(patient)) = (input.next_appointment_id, patient_id) {
        patients_appointment(&txn, e, "next_appointment_id", next, patient).await?;
    }
    let local_date = date.map(|d| d.to_zoned(clinic.time_zone()).date());
    let mut items = Vec::new();
    if let (Some(patient), Some(on)) = (&patient, local_date) {
        let dentition = Dentition::on(date_from_db(patient.birthday), on);
        for (i, item) in input.items.iter().take(ITEMS_MAX).enumerate() {
            let prefix = format!("items[{i}].");
            if let Some(valid) =
                check_item(&txn, e, &prefix, item, clinic.tooth_notation, dentition).await?
            {
                items.push(valid);
            }
        }
    }
    let (Some(patient), Some(doctor_id), Some(date), Some(note), true) =
        (patient, input.doctor_id, date, note, errors.is_empty())
    else {
        return Err(ServiceError::Invalid(errors));
    };
    let at = now();
    let row = repo::insert(
        &txn,
        NewTreatment {
            treatment_date: to_db(date),
            patient_id: patient.patient_id,
            doctor_id,
            assistant_id: input.assistant_id,
            appointment_id: input.appointment_id,
            next_appointment_id: input.next_appointment_id,
            note: note.clone(),
            now: at,
        },
    )
    .await?;
    let treatment_id = row.treatment_id;
    insert_items(&txn, treatment_id, 1, &items).await?;
    record(
        audit,
        &txn,
        actor,
        "create",
        TABLE,
        treatment_id,
        Some(json!({
            "treatment_date": date,
            "patient_id": patient.patient_id,
            "doctor_id": doctor_id,
            "assistant_id": input.assistant_id,
            "appointment_id": input.appointment_id,
            "next_appointment_id": input.next_appointment_id,
            "note": note,
            "items": items.iter().map(item_audited).collect::<Vec<_>>(),
        })),
    )
    .await?;
    // The visit happened: the appointment's patient came.
    if let Some(mut a) = appointment {
        let from = AppointmentStatus::from_code(a.status)
            .ok_or_else(|| internal(format!("appointment {} status", a.appointment_id)))?;
        if matches!(
            from,
            AppointmentStatus::Reserved | AppointmentStatus::Confirmed
        ) {
            a.status = AppointmentStatus::Came.code();
            a.updated_at = at;
            let id = a.appointment_id;
            dcms_store::schedule::save(&txn, a).await?;
            record(
                audit,
                &txn,
                actor,
                "status",
                "appointment",
                id,
                Some(json!({"status": [from, AppointmentStatus::Came]})),
            )
            .await?;
        }
    }
    dcms_store::patients::touch_last_seen(&txn, patient.patient_id, to_db(date)).await?;
    let treatment = load(&txn, treatment_id, clinic.tooth_notation).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(treatment)
}

/// Changes a treatment's note, assistant or follow-up appointment.
pub async fn update(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    treatment_id: i64,
    asked: TreatmentChanges,
    system: ToothSystem,
) -> Result<Treatment, ServiceError> {
    let mut errors = Vec::new();
    let note = asked
        .note
        .as_ref()
        .map(|value| fields::note(&mut errors, "note", value.as_deref()));
    let txn = store.begin_write().await?;
    let mut row = repo::lock(&txn, treatment_id)
        .await?
        .ok_or(ServiceError::NotFound("treatment"))?;
    if let Some(Some(assistant_id)) = asked.assistant_id {
        check_assistant(&txn, &mut errors, assistant_id).await?;
    }
    if let Some(Some(next)) = asked.next_appointment_id {
        patients_appointment(
            &txn,
            &mut errors,
            "next_appointment_id",
            next,
            row.patient_id,
        )
        .await?;
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let before = json!({
        "note": row.note,
        "assistant_id": row.assistant_id,
        "next_appointment_id": row.next_appointment_id,
    });
    if let Some(Some(note)) = note {
        row.note = note;
    }
    if let Some(assistant_id) = asked.assistant_id {
        row.assistant_id = assistant_id;
    }
    if let Some(next) = asked.next_appointment_id {
        row.next_appointment_id = next;
    }
    let after = json!({
        "note": row.note,
        "assistant_id": row.assistant_id,
        "next_appointment_id": row.next_appointment_id,
    });
    if let Some(diff) = changes(Some(&before), Some(&after), &[]) {
        row.updated_at = now();
        repo::save(&txn, row).await?;
        record(
            audit,
            &txn,
            actor,
            "update",
            TABLE,
            treatment_id,
            Some(diff),
        )
        .await?;
    }
    let treatment = load(&txn, treatment_id, system).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(treatment)
}

/// The treatment, locked, and refused (403) when it is fully paid and the caller may not
/// change a paid treatment.
async fn changeable(
    txn: &DatabaseTransaction,
    treatment_id: i64,
    may_change_paid: bool,
) -> Result<(treatment::Model, Treatment), ServiceError> {
    let row = repo::lock(txn, treatment_id)
        .await?
        .ok_or(ServiceError::NotFound("treatment"))?;
    let current = assemble(txn, vec![row.clone()], ToothSystem::Fdi)
        .await?
        .pop()
        .ok_or(ServiceError::NotFound("treatment"))?;
    if current.fully_paid() && !may_change_paid {
        return Err(ServiceError::Forbidden);
    }
    Ok((row, current))
}

async fn patient_dentition(
    txn: &DatabaseTransaction,
    store: &Store,
    row: &treatment::Model,
) -> Result<(Dentition, ToothSystem), ServiceError> {
    let clinic = settings::get(store).await?;
    let patient = dcms_store::patients::find(txn, row.patient_id)
        .await?
        .ok_or(ServiceError::NotFound("patient"))?;
    let on = from_db(row.treatment_date)
        .to_zoned(clinic.time_zone())
        .date();
    Ok((
        Dentition::on(date_from_db(patient.birthday), on),
        clinic.tooth_notation,
    ))
}

/// Adds an item to a treatment (the price copied now). Answers the treatment.
pub async fn add_item(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    may_change_paid: bool,
    treatment_id: i64,
    item: ItemInput,
    system: ToothSystem,
) -> Result<(Treatment, i64), ServiceError> {
    let txn = store.begin_write().await?;
    let (row, _) = changeable(&txn, treatment_id, may_change_paid).await?;
    let (dentition, clinic_system) = patient_dentition(&txn, store, &row).await?;
    let mut errors = Vec::new();
    let valid = check_item(&txn, &mut errors, "", &item, clinic_system, dentition).await?;
    let Some(valid) = valid.filter(|_| errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    let position = repo::next_position(&txn, treatment_id).await?;
    let ids = insert_items(&txn, treatment_id, position, std::slice::from_ref(&valid)).await?;
    let item_id = ids.first().copied().ok_or_else(|| internal("no item id"))?;
    let mut audited = item_audited(&valid);
    audited["treatment_id"] = json!(treatment_id);
    record(
        audit,
        &txn,
        actor,
        "create",
        ITEM_TABLE,
        item_id,
        Some(audited),
    )
    .await?;
    repo::touch(&txn, treatment_id, now()).await?;
    let treatment = load(&txn, treatment_id, system).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok((treatment, item_id))
}

/// Removes an item (and its teeth) from a treatment.
pub async fn delete_item(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    may_change_paid: bool,
    treatment_id: i64,
    treatment_item_id: i64,
) -> Result<(), ServiceError> {
    let txn = store.begin_write().await?;
    let (_, current) = changeable(&txn, treatment_id, may_change_paid).await?;
    let Some(item) = current
        .items
        .iter()
        .find(|i| i.treatment_item_id == treatment_item_id)
    else {
        return Err(ServiceError::NotFound("treatment item"));
    };
    let before = json!({
        "treatment_id": treatment_id,
        "service_id": item.service_id,
        "scope": item.scope,
        "price": item.price.amount(),
        "teeth": item.teeth.iter().map(|t| t.code.clone()).collect::<Vec<_>>(),
    });
    repo::delete_item(&txn, treatment_item_id).await?;
    let entry = AuditEntry::new("delete", ITEM_TABLE, Some(treatment_item_id))
        .with_changes(Some(json!({"deleted": before})));
    audit.record(&txn, actor.stamp(entry)).await?;
    repo::touch(&txn, treatment_id, now()).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(())
}

/// Sets the teeth of an item after the treatment (replacing any), checked against its
/// scope as when it was recorded. Answers the treatment.
#[allow(clippy::too_many_arguments)]
pub async fn set_teeth(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    may_change_paid: bool,
    treatment_id: i64,
    treatment_item_id: i64,
    teeth: Vec<ToothInput>,
    system: Option<String>,
    answer_system: ToothSystem,
) -> Result<Treatment, ServiceError> {
    let txn = store.begin_write().await?;
    let (row, current) = changeable(&txn, treatment_id, may_change_paid).await?;
    let Some(item) = current
        .items
        .iter()
        .find(|i| i.treatment_item_id == treatment_item_id)
    else {
        return Err(ServiceError::NotFound("treatment item"));
    };
    let (dentition, clinic_system) = patient_dentition(&txn, store, &row).await?;
    let mut errors = Vec::new();
    let given_system = optional_choice::<ToothSystem>(&mut errors, "system", system.as_deref())
        .map(|s| s.unwrap_or(clinic_system));
    let chosen = given_system.and_then(|system| {
        teeth_for(
            &mut errors,
            "teeth",
            item.scope,
            &teeth,
            system,
            dentition,
            item.dentition,
        )
    });
    let Some(chosen) = chosen.filter(|_| errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    let before: Vec<String> = item.teeth.iter().map(|t| t.code.clone()).collect();
    let after: Vec<&str> = chosen.iter().map(|(t, _)| t.code()).collect();
    repo::delete_teeth(&txn, treatment_item_id).await?;
    let rows: Vec<(i64, Option<String>)> = chosen
        .iter()
        .map(|(t, note)| (id_of_tooth(*t), note.clone()))
        .collect();
    repo::insert_teeth(&txn, treatment_item_id, &rows).await?;
    record(
        audit,
        &txn,
        actor,
        "update",
        ITEM_TABLE,
        treatment_item_id,
        Some(json!({"teeth": [before, after]})),
    )
    .await?;
    repo::touch(&txn, treatment_id, now()).await?;
    let treatment = load(&txn, treatment_id, answer_system).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(treatment)
}

// --- payments ------------------------------------------------------------------------------

/// Takes a payment (or, negative, gives a refund) for a treatment; see the module's rules.
pub async fn pay(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    may_refund: bool,
    treatment_id: i64,
    input: PaymentInput,
) -> Result<Payment, ServiceError> {
    let mut errors = Vec::new();
    let amount = match input.amount {
        None => {
            errors.push(FieldError::coded("amount", "required", "is required"));
            None
        }
        Some(0) => {
            errors.push(FieldError::coded("amount", "payment-zero", "must not be 0"));
            None
        }
        // unsigned_abs: `abs` of i64::MIN overflows (a panic in debug builds, and a wrapped,
        // negative amount that passed this check in release builds).
        Some(a) if a.unsigned_abs() > AMOUNT_MAX.unsigned_abs() => {
            errors.push(
                FieldError::coded("amount", "payment-amount", "is too large")
                    .arg("max", AMOUNT_MAX),
            );
            None
        }
        Some(a) => Some(a),
    };
    if amount.is_some_and(|a| a < 0) && !may_refund {
        return Err(ServiceError::Forbidden);
    }
    let method = required_choice::<PaymentMethod>(&mut errors, "method", input.method.as_deref());
    let paid_at = past_instant(&mut errors, "paid_at", input.paid_at.as_deref());
    let note = fields::note(&mut errors, "note", input.note.as_deref());
    let (Some(amount), Some(method), Some(paid_at), Some(note), true) =
        (amount, method, paid_at, note, errors.is_empty())
    else {
        return Err(ServiceError::Invalid(errors));
    };
    let txn = store.begin_write().await?;
    let row = repo::lock(&txn, treatment_id)
        .await?
        .ok_or(ServiceError::NotFound("treatment"))?;
    let current = assemble(&txn, vec![row], ToothSystem::Fdi)
        .await?
        .pop()
        .ok_or(ServiceError::NotFound("treatment"))?;
    let (balance, paid) = (current.balance.amount(), current.paid.amount());
    if amount > 0 && amount > balance {
        return Err(ServiceError::invalid_coded(
            FieldError::coded(
                "amount",
                "payment-over-balance",
                format!("is more than the balance of {balance} ₮"),
            )
            .arg("balance", Money::new(balance.max(0))),
        ));
    }
    if amount < 0 && -amount > paid {
        return Err(ServiceError::invalid_coded(
            FieldError::coded(
                "amount",
                "refund-over-paid",
                format!("a refund of more than the {paid} ₮ paid"),
            )
            .arg("paid", Money::new(paid.max(0))),
        ));
    }
    let row = repo::insert_payment(
        &txn,
        NewPayment {
            treatment_id,
            amount,
            method: method.code(),
            paid_at: to_db(paid_at),
            received_by: actor.user_id,
            note,
            now: now(),
        },
    )
    .await?;
    let payment = Payment::from_row(row)?;
    record(
        audit,
        &txn,
        actor,
        "create",
        PAYMENT_TABLE,
        payment.payment_id,
        Some(payment.audited()),
    )
    .await?;
    repo::touch(&txn, treatment_id, now()).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(payment)
}

/// A treatment's payments, oldest first.
pub async fn payments(store: &Store, treatment_id: i64) -> Result<Vec<Payment>, ServiceError> {
    if repo::find(store.connection(), treatment_id)
        .await?
        .is_none()
    {
        return Err(ServiceError::NotFound("treatment"));
    }
    repo::payments_of(store.connection(), &[treatment_id])
        .await?
        .into_iter()
        .map(Payment::from_row)
        .collect()
}

// --- a patient's treatments, invoices and chart --------------------------------------------

/// Where the next page of a patient's treatments starts (opaque to clients).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreatmentCursor {
    pub treatment_date: Timestamp,
    pub treatment_id: i64,
}

impl TreatmentCursor {
    /// The cursor as a client carries it (`services::cursor`).
    pub fn encode(&self) -> String {
        super::cursor::encode(self.treatment_date, self.treatment_id)
    }

    /// A cursor from [`TreatmentCursor::encode`]; None for anything else.
    pub fn decode(cursor: &str) -> Option<TreatmentCursor> {
        let (treatment_date, treatment_id) = super::cursor::decode(cursor)?;
        Some(TreatmentCursor {
            treatment_date,
            treatment_id,
        })
    }
}

/// One page of a patient's treatments, newest first, and the patient's totals over all of
/// them.
#[derive(Debug, Clone)]
pub struct TreatmentPage {
    pub items: Vec<Treatment>,
    pub next_cursor: Option<TreatmentCursor>,
}

async fn check_patient(store: &Store, patient_id: i64) -> Result<(), ServiceError> {
    if dcms_store::patients::find(store.connection(), patient_id)
        .await?
        .is_none()
    {
        return Err(ServiceError::NotFound("patient"));
    }
    Ok(())
}

/// A patient's treatments, newest first (404 for no such patient; a read of the record).
pub async fn of_patient(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    patient_id: i64,
    cursor: Option<TreatmentCursor>,
    limit: u64,
    system: ToothSystem,
) -> Result<TreatmentPage, ServiceError> {
    check_patient(store, patient_id).await?;
    let after = cursor.map(|c| (to_db(c.treatment_date), c.treatment_id));
    let mut rows = repo::of_patient(store.connection(), patient_id, after, Some(limit + 1)).await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let items = assemble(store.connection(), rows, system).await?;
    let next_cursor = match items.last() {
        Some(last) if more => Some(TreatmentCursor {
            treatment_date: last.treatment_date,
            treatment_id: last.treatment_id,
        }),
        _ => None,
    };
    audit.record_read(
        actor.user_id,
        actor.session_token_id,
        PATIENT_TABLE,
        patient_id,
    );
    Ok(TreatmentPage { items, next_cursor })
}

/// What a patient owes over all their treatments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Account {
    pub total: Money,
    pub paid: Money,
    pub balance: Money,
}

/// The totals over every treatment of a patient.
pub async fn account(store: &Store, patient_id: i64) -> Result<Account, ServiceError> {
    check_patient(store, patient_id).await?;
    let rows = repo::of_patient(store.connection(), patient_id, None, None).await?;
    let treatments = assemble(store.connection(), rows, ToothSystem::Fdi).await?;
    let total: i64 = treatments.iter().map(|t| t.total.amount()).sum();
    let paid: i64 = treatments.iter().map(|t| t.paid.amount()).sum();
    Ok(Account {
        total: Money::new(total),
        paid: Money::new(paid),
        balance: Money::new(total - paid),
    })
}

/// One item on a tooth of the chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ChartEntry {
    pub treatment_id: i64,
    pub treatment_item_id: i64,
    pub treatment_date: Timestamp,
    pub doctor_id: i64,
    pub service_id: i64,
    pub service_name: String,
    pub scope: TreatmentScope,
    pub item_note: Option<String>,
    pub tooth_note: Option<String>,
}

/// A tooth with what was done to it, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ChartTooth {
    pub tooth_id: i64,
    #[schema(example = "16")]
    pub code: String,
    #[schema(example = "P-UR-6")]
    pub ui_key: String,
    pub items: Vec<ChartEntry>,
}

/// The patient's chart: every tooth that has items, in the dictionary's order, each with
/// its items newest first (a read of the record).
pub async fn chart(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    patient_id: i64,
    system: ToothSystem,
) -> Result<Vec<ChartTooth>, ServiceError> {
    check_patient(store, patient_id).await?;
    // Rows come by tooth, each tooth's newest first: one chart tooth per run of rows.
    let mut chart: Vec<ChartTooth> = Vec::new();
    for row in repo::chart_of(store.connection(), patient_id).await? {
        let scope = TreatmentScope::from_code(row.scope).ok_or_else(|| {
            internal(format!(
                "item {} has an unknown scope {}",
                row.treatment_item_id, row.scope
            ))
        })?;
        let entry = ChartEntry {
            treatment_id: row.treatment_id,
            treatment_item_id: row.treatment_item_id,
            treatment_date: from_db(row.treatment_date),
            doctor_id: row.doctor_id,
            service_id: row.service_id,
            service_name: row.service_name,
            scope,
            item_note: row.item_note,
            tooth_note: row.tooth_note,
        };
        match chart.last_mut() {
            Some(tooth) if tooth.tooth_id == row.tooth_id => tooth.items.push(entry),
            _ => {
                let tooth = tooth_of_id(row.tooth_id)?.in_system(system);
                chart.push(ChartTooth {
                    tooth_id: row.tooth_id,
                    code: tooth.code().to_owned(),
                    ui_key: tooth.ui_key().to_owned(),
                    items: vec![entry],
                });
            }
        }
    }
    audit.record_read(
        actor.user_id,
        actor.session_token_id,
        PATIENT_TABLE,
        patient_id,
    );
    Ok(chart)
}

// --- invoices ------------------------------------------------------------------------------

/// Who an invoice is for or from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct InvoiceParty {
    pub id: i64,
    /// `last_name first_name`.
    pub name: String,
    /// The patient's register number (none for the doctor).
    pub register_number: Option<String>,
}

/// One line of an invoice: a service as the patient sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct InvoiceLine {
    pub treatment_item_id: i64,
    /// The service's name for patients.
    pub service: String,
    pub scope: TreatmentScope,
    /// Tooth codes in the invoice's notation.
    pub teeth: Vec<String>,
    pub unit_price: Money,
    pub quantity: i64,
    pub charge: Money,
    /// What the clinic tells the patient about this service (the catalog's disclaimer).
    pub disclaimer: Option<String>,
}

/// A treatment's invoice: amounts from the prices recorded with the items, so they never
/// change when the catalog does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Invoice {
    pub treatment_id: i64,
    /// The treatment's date.
    pub issued_at: Timestamp,
    pub clinic_name: String,
    pub patient: InvoiceParty,
    pub doctor: InvoiceParty,
    pub lines: Vec<InvoiceLine>,
    pub payments: Vec<Payment>,
    pub total: Money,
    pub paid: Money,
    pub balance: Money,
}

/// The invoices of treatments (five queries beside theirs, whatever their number).
async fn invoices_of(
    store: &Store,
    treatments: Vec<Treatment>,
) -> Result<Vec<Invoice>, ServiceError> {
    let db = store.connection();
    let clinic = settings::get(store).await?;
    let mut patient_ids: Vec<i64> = treatments.iter().map(|t| t.patient_id).collect();
    patient_ids.sort_unstable();
    patient_ids.dedup();
    let patients: HashMap<i64, InvoiceParty> = dcms_store::patients::find_many(db, &patient_ids)
        .await?
        .into_iter()
        .map(|p| {
            (
                p.patient_id,
                InvoiceParty {
                    id: p.patient_id,
                    name: format!("{} {}", p.last_name, p.first_name),
                    register_number: Some(p.register_number),
                },
            )
        })
        .collect();
    let mut doctor_ids: Vec<i64> = treatments.iter().map(|t| t.doctor_id).collect();
    doctor_ids.sort_unstable();
    doctor_ids.dedup();
    let doctors: HashMap<i64, InvoiceParty> = dcms_store::staff::find_many(db, &doctor_ids)
        .await?
        .into_iter()
        .map(|e| {
            (
                e.employee_id,
                InvoiceParty {
                    id: e.employee_id,
                    name: format!("{} {}", e.last_name, e.first_name),
                    register_number: None,
                },
            )
        })
        .collect();
    let mut service_ids: Vec<i64> = treatments
        .iter()
        .flat_map(|t| t.items.iter().map(|i| i.service_id))
        .collect();
    service_ids.sort_unstable();
    service_ids.dedup();
    let disclaimers: HashMap<i64, Option<String>> =
        dcms_store::catalog::find_many(db, &service_ids)
            .await?
            .into_iter()
            .map(|s| (s.service_id, s.disclaimer))
            .collect();
    let ids: Vec<i64> = treatments.iter().map(|t| t.treatment_id).collect();
    let mut payments: HashMap<i64, Vec<Payment>> = HashMap::new();
    for row in repo::payments_of(db, &ids).await? {
        let p = Payment::from_row(row)?;
        payments.entry(p.treatment_id).or_default().push(p);
    }
    treatments
        .into_iter()
        .map(|t| {
            let party = |map: &HashMap<i64, InvoiceParty>, id: i64| {
                map.get(&id).cloned().ok_or_else(|| {
                    internal(format!("treatment {} names a missing {id}", t.treatment_id))
                })
            };
            Ok(Invoice {
                treatment_id: t.treatment_id,
                issued_at: t.treatment_date,
                clinic_name: clinic.clinic_name.clone(),
                patient: party(&patients, t.patient_id)?,
                doctor: party(&doctors, t.doctor_id)?,
                lines: t
                    .items
                    .iter()
                    .map(|i| InvoiceLine {
                        treatment_item_id: i.treatment_item_id,
                        service: i.patient_service_name.clone(),
                        scope: i.scope,
                        teeth: i.teeth.iter().map(|tooth| tooth.code.clone()).collect(),
                        unit_price: i.price,
                        quantity: i.quantity,
                        charge: i.charge,
                        disclaimer: disclaimers.get(&i.service_id).cloned().flatten(),
                    })
                    .collect(),
                payments: payments.remove(&t.treatment_id).unwrap_or_default(),
                total: t.total,
                paid: t.paid,
                balance: t.balance,
            })
        })
        .collect()
}

/// A treatment's invoice (a read of the record, audited).
pub async fn invoice(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    treatment_id: i64,
    system: ToothSystem,
) -> Result<Invoice, ServiceError> {
    let treatment = load(store.connection(), treatment_id, system).await?;
    let invoice = invoices_of(store, vec![treatment])
        .await?
        .pop()
        .ok_or(ServiceError::NotFound("treatment"))?;
    audit.record_read(actor.user_id, actor.session_token_id, TABLE, treatment_id);
    Ok(invoice)
}

/// One page of a patient's invoices, newest first.
pub struct InvoicePage {
    pub items: Vec<Invoice>,
    pub next_cursor: Option<TreatmentCursor>,
}

/// A patient's invoices, newest first (404 for no such patient; a read of the record).
pub async fn invoices_of_patient(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    patient_id: i64,
    cursor: Option<TreatmentCursor>,
    limit: u64,
    system: ToothSystem,
) -> Result<InvoicePage, ServiceError> {
    let page = of_patient(store, audit, actor, patient_id, cursor, limit, system).await?;
    Ok(InvoicePage {
        items: invoices_of(store, page.items).await?,
        next_cursor: page.next_cursor,
    })
}
