//! Treatments: what the doctor did in a visit, to which teeth, what it costs and what was
//! paid.
//!
//! Rules (docs/treatments.md):
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
//!   reserved or confirmed, which, like every move to came, waits for the appointment to
//!   start (less `dcms_domain::EARLY_ARRIVAL`; 422 `appointment_id` before); the patient's
//!   `last_seen_at` moves to the treatment date (never backwards). `next_appointment_id` names the patient's follow-up.
//! * Items of a fully paid treatment (paid, and nothing left to pay) are changed only by a
//!   manager or admin (403 otherwise).
//! * Payments: positive and at most the balance (422), a refund (negative) only by a manager
//!   or admin (403) and at most what was paid (422). The treatment's row is locked first,
//!   so two payments at once never both pass the balance check.
//!
//! Every write is audited in its transaction; reads of a treatment, invoice or chart are
//! audited as reads of the record.

use super::audit::AuditTrail;
use super::fields::Given;
use super::{Actor, FieldError, ServiceError, settings};
use dcms_domain::{Dentition, Money, PaymentMethod, ToothCode, ToothSystem, TreatmentScope};
use dcms_store::Store;
use dcms_store::audit::AuditEntry;
use dcms_store::clinical as repo;
use dcms_store::entity::{payment, treatment, treatment_item, treatment_item_tooth};
use dcms_store::sea_orm::{ConnectionTrait, DatabaseTransaction};
use dcms_store::time::from_db;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use utoipa::ToSchema;

mod record;
pub use record::create;
mod changes;
pub use changes::{add_item, delete_item, set_teeth, update};
mod payments;
pub use payments::{pay, payments};
mod history;
pub use history::{
    Account, ChartEntry, ChartTooth, Due, Dues, TreatmentCursor, TreatmentPage, account, chart,
    dues, of_appointment, of_patient,
};
mod usual;
pub use usual::usual_scopes;
mod invoices;
pub use invoices::{Invoice, InvoiceLine, InvoicePage, InvoiceParty, invoice, invoices_of_patient};

const TABLE: &str = "treatment";
const ITEM_TABLE: &str = "treatment_item";
const PAYMENT_TABLE: &str = "payment";
const PATIENT_TABLE: &str = "patient";
/// Most characters of a treatment's, an item's, a tooth's or a payment's note.
/// Most items in one treatment request.
pub const ITEMS_MAX: usize = 100;
pub use crate::services::chart::items::{ItemInput, TEETH_MAX, ToothInput};
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
    /// `price × quantity`, before the discount.
    pub list_price: Money,
    /// Whole tugrik off the list price (0 for none).
    pub discount: Money,
    /// The percent the discount was given as, if any.
    pub discount_percent: Option<i32>,
    pub discount_reason: Option<String>,
    /// `list_price - discount`: what the patient pays for the item.
    pub charge: Money,
    pub note: Option<String>,
    pub teeth: Vec<ItemTooth>,
    /// The surfaces done (a single tooth's): mesial, occlusal, distal, buccal, lingual.
    pub surfaces: Vec<dcms_domain::Surface>,
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
    /// The payer organisation's taxpayer number: its e-barimt receipt is B2B.
    pub customer_tin: Option<String>,
}

impl Payment {
    pub(crate) fn from_row(row: payment::Model) -> Result<Payment, ServiceError> {
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
            customer_tin: row.customer_tin,
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
            "customer_tin": self.customer_tin,
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
    let services = super::catalog::names(db, items.iter().map(|i| i.service_id)).await?;
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
    let list_price = item.price.saturating_mul(quantity);
    let discount = item.discount.clamp(0, list_price.max(0));
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
        list_price: Money::new(list_price),
        discount: Money::new(discount),
        discount_percent: item.discount_percent,
        discount_reason: item.discount_reason,
        charge: Money::new(list_price - discount),
        note: item.note,
        teeth,
        surfaces: crate::services::chart::surfaces_of(item.surfaces),
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

/// Which of `appointment_ids` have a balance still due on their treatments (the book's
/// "unpaid" mark): the treatments in one query, their items, teeth and payments in three.
pub async fn unpaid_appointments(
    store: &Store,
    appointment_ids: &[i64],
) -> Result<std::collections::HashSet<i64>, ServiceError> {
    let db = store.connection();
    let rows = repo::of_appointments(db, appointment_ids).await?;
    if rows.is_empty() {
        return Ok(Default::default());
    }
    let treatments = assemble(db, rows, ToothSystem::Fdi).await?;
    Ok(treatments
        .iter()
        .filter(|t| t.balance.amount() > 0)
        .filter_map(|t| t.appointment_id)
        .collect())
}

/// Writes one audit entry inside the use case's transaction.
async fn write_audit(
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

// --- what the use cases take ---------------------------------------------------------------

/// A treatment as the client sent it.
#[derive(Debug, Clone, Default)]
pub struct NewTreatmentInput {
    pub patient_id: Option<i64>,
    pub doctor_id: Option<i64>,
    pub assistant_id: Option<i64>,
    pub appointment_id: Option<i64>,
    pub next_appointment_id: Option<i64>,
    /// RFC 3339; default now; never in the future.
    pub treatment_date: Given<Timestamp>,
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
    pub paid_at: Given<Timestamp>,
    pub note: Option<String>,
    /// A payer organisation's taxpayer number (B2B receipt).
    pub customer_tin: Option<String>,
}
