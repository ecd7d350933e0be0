//! A patient's treatments (newest first, paged), their account, and their chart.

use super::{PATIENT_TABLE, Treatment, assemble, internal, tooth_of_id};
use crate::services::audit::AuditTrail;
use crate::services::{Actor, ServiceError};
use dcms_domain::{Money, ToothSystem, TreatmentScope};
use dcms_store::Store;
use dcms_store::clinical as repo;
use dcms_store::time::{from_db, to_db};
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

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
        crate::services::cursor::encode(self.treatment_date, self.treatment_id)
    }

    /// A cursor from [`TreatmentCursor::encode`]; None for anything else.
    pub fn decode(cursor: &str) -> Option<TreatmentCursor> {
        let (treatment_date, treatment_id) = crate::services::cursor::decode(cursor)?;
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
    Ok(dues(store, patient_id).await?.account)
}

/// A treatment with something left to pay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub treatment_id: i64,
    pub treatment_date: Timestamp,
    /// More than zero.
    pub balance: Money,
}

/// What a patient owes: the totals over every treatment, and the treatments with
/// something left to pay, oldest first (the one to pay first leads).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dues {
    pub account: Account,
    pub unpaid: Vec<Due>,
}

/// The patient's account and unpaid treatments, from one read of every treatment (404 for
/// no such patient).
pub async fn dues(store: &Store, patient_id: i64) -> Result<Dues, ServiceError> {
    check_patient(store, patient_id).await?;
    let rows = repo::of_patient(store.connection(), patient_id, None, None).await?;
    let treatments = assemble(store.connection(), rows, ToothSystem::Fdi).await?;
    let total: i64 = treatments.iter().map(|t| t.total.amount()).sum();
    let paid: i64 = treatments.iter().map(|t| t.paid.amount()).sum();
    // Read newest first; the oldest leads.
    let unpaid = treatments
        .iter()
        .rev()
        .filter(|t| t.balance.amount() > 0)
        .map(|t| Due {
            treatment_id: t.treatment_id,
            treatment_date: t.treatment_date,
            balance: t.balance,
        })
        .collect();
    Ok(Dues {
        account: Account {
            total: Money::new(total),
            paid: Money::new(paid),
            balance: Money::new(total - paid),
        },
        unpaid,
    })
}

/// The treatments recorded on an appointment, in the order they were recorded (a read of
/// the patient's record when there are any).
pub async fn of_appointment(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    appointment_id: i64,
    system: ToothSystem,
) -> Result<Vec<Treatment>, ServiceError> {
    let rows = repo::of_appointment(store.connection(), appointment_id).await?;
    let treatments = assemble(store.connection(), rows, system).await?;
    if let Some(first) = treatments.first() {
        audit.record_read(
            actor.user_id,
            actor.session_token_id,
            PATIENT_TABLE,
            first.patient_id,
        );
    }
    Ok(treatments)
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
