//! What patients owe (docs/money.md, "What is owed"): every patient whose treatments' charges
//! exceed what they paid, oldest unpaid treatment first, with the primary phone and the last
//! call or SMS with them; a reminder SMS queued through the outbox.
//!
//! A patient's balance is the sum over their treatments with something left to pay (charge −
//! payments, refunds subtracted, above 0); `oldest_unpaid_at` is the date of the oldest of
//! those treatments. The list holds the patients whose balance is at least `min` (default 1
//! tugrik), at most [`LIST_MAX`].

use super::audit::{AuditTrail, changes};
use super::{Actor, ServiceError, settings};
use dcms_domain::{ContactType, Money};
use dcms_store::Store;
use dcms_store::audit::AuditEntry;
use dcms_store::comms as comms_repo;
use dcms_store::time::from_db;
use jiff::Timestamp;
use serde::Serialize;
use std::collections::HashMap;

/// Most patients the list holds.
pub const LIST_MAX: usize = 500;

/// A patient who owes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Owing {
    pub patient_id: i64,
    /// `last_name first_name`.
    pub name: String,
    pub primary_phone: Option<String>,
    /// Whole tugrik still to pay.
    pub balance: i64,
    /// When the oldest treatment with something left to pay was done.
    pub oldest_unpaid_at: Timestamp,
    /// The latest call or SMS with them.
    pub last_contact_at: Option<Timestamp>,
}

/// The patients who owe at least `min` tugrik, oldest debt first.
pub async fn list(store: &Store, min: Option<i64>) -> Result<Vec<Owing>, ServiceError> {
    let min = min.unwrap_or(1).max(1);
    let db = store.connection();
    let paid: HashMap<i64, i64> = dcms_store::reports::paid_per_treatment(db)
        .await?
        .into_iter()
        .collect();
    let unpaid: HashMap<i64, i64> = dcms_store::reports::charge_per_treatment(db)
        .await?
        .into_iter()
        .filter_map(|(id, charge)| {
            let left = charge - paid.get(&id).copied().unwrap_or(0);
            (left > 0).then_some((id, left))
        })
        .collect();
    let ids: Vec<i64> = unpaid.keys().copied().collect();
    let mut per_patient: HashMap<i64, (i64, Timestamp)> = HashMap::new();
    for treatment in dcms_store::clinical::find_many(db, &ids).await? {
        let left = unpaid.get(&treatment.treatment_id).copied().unwrap_or(0);
        let at = from_db(treatment.treatment_date);
        let entry = per_patient.entry(treatment.patient_id).or_insert((0, at));
        entry.0 += left;
        entry.1 = entry.1.min(at);
    }
    let mut owing: Vec<(i64, i64, Timestamp)> = per_patient
        .into_iter()
        .filter(|(_, (balance, _))| *balance >= min)
        .map(|(patient, (balance, at))| (patient, balance, at))
        .collect();
    owing.sort_by_key(|&(patient, _, at)| (at, patient));
    owing.truncate(LIST_MAX);
    let patient_ids: Vec<i64> = owing.iter().map(|o| o.0).collect();
    let people = super::patients::names_and_phones(store, &patient_ids).await?;
    let mut last: HashMap<i64, Timestamp> = HashMap::new();
    for (id, at) in comms_repo::last_contacts(db, ContactType::Patient.code(), &patient_ids).await?
    {
        let at = from_db(at);
        let slot = last.entry(id).or_insert(at);
        *slot = (*slot).max(at);
    }
    Ok(owing
        .into_iter()
        .map(|(patient_id, balance, oldest_unpaid_at)| {
            let (name, primary_phone) = people.get(&patient_id).cloned().unwrap_or_default();
            Owing {
                patient_id,
                name,
                primary_phone,
                balance,
                oldest_unpaid_at,
                last_contact_at: last.get(&patient_id).copied(),
            }
        })
        .collect())
}

/// Queues a reminder of what a patient owes to their primary phone (422 `no-primary-phone`
/// without one, 409 when they owe nothing); audited.
pub async fn remind(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    patient_id: i64,
) -> Result<i64, ServiceError> {
    if dcms_store::patients::find(store.connection(), patient_id)
        .await?
        .is_none()
    {
        return Err(ServiceError::NotFound("patient"));
    }
    let account = super::treatments::account(store, patient_id).await?;
    let balance = account.balance.amount();
    if balance <= 0 {
        return Err(ServiceError::Conflict(format!(
            "patient {patient_id} owes nothing"
        )));
    }
    let clinic = settings::get(store).await?;
    let text = format!(
        "{}: Сайн байна уу! Таны эмчилгээний төлбөрөөс {} үлдсэн байна. Лавлах: эмнэлгийн ресепшн.",
        clinic.clinic_name,
        Money::new(balance)
    );
    let txn = store.begin_write().await?;
    let key = format!("owed-{patient_id}-{:032x}", rand::random::<u128>());
    let sms_outbox_id = super::comms::queue_to_patient(&txn, patient_id, text.clone(), key)
        .await?
        .ok_or_else(|| super::comms::no_primary_phone("patient_id"))?;
    let entry = AuditEntry::new("create", "sms_outbox", Some(sms_outbox_id)).with_changes(changes(
        None,
        Some(&serde_json::json!({"patient_id": patient_id, "sms_text": text, "balance": balance})),
        &[],
    ));
    audit.record(&txn, actor.stamp(entry)).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(sms_outbox_id)
}
