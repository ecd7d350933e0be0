//! Invoices: a treatment's lines at the prices recorded, what was paid and what is owed.

use super::history::{TreatmentCursor, of_patient};
use super::{Payment, TABLE, Treatment, internal, load};
use crate::services::audit::AuditTrail;
use crate::services::{Actor, ServiceError, settings};
use dcms_domain::{Money, ToothSystem, TreatmentScope};
use dcms_store::Store;
use dcms_store::clinical as repo;
use jiff::Timestamp;
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

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
    /// `unit_price × quantity`, before the discount.
    pub list_price: Money,
    /// Whole tugrik off (0 for none), and why.
    pub discount: Money,
    pub discount_reason: Option<String>,
    /// `list_price - discount`.
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
                        list_price: i.list_price,
                        discount: i.discount,
                        discount_reason: i.discount_reason.clone(),
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
