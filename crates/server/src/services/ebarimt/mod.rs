//! e-barimt, Mongolia's electronic VAT receipt, through the clinic's PosAPI 3.0 service
//! (docs/e-barimt.md; domain.md "Money: discounts, e-barimt, closing the day, what is owed").
//!
//! * [`config`]: the clinic's PosAPI settings (off by default).
//! * [`request`]: the body of `POST /rest/receipt`: the treatment's lines that the money
//!   covers, by tax type, with VAT.
//! * [`queue`]: receipts queued with the payment, in its transaction; a refund returns the
//!   receipts it touches and re-issues what remains.
//! * [`worker`]: the crash-safe sending (at most one receipt per `billIdSuffix`, retried with
//!   back-off, failures kept for the cashier) and the daily `sendData`.
//! * [`client`]: the HTTP calls.
//!
//! Here: what the API and pages read (a payment's receipt, the cashier's list) and the retry.

pub mod client;
pub mod config;
pub mod queue;
pub mod request;
pub mod worker;

pub use config::{EbarimtChanges, EbarimtSettings};
pub use worker::{EbarimtOptions, EbarimtWorker};

use super::audit::AuditTrail;
use super::{Actor, ServiceError};
use dcms_domain::{ReceiptKind, ReceiptState};
use dcms_store::Store;
use dcms_store::entity::ebarimt_receipt;
use dcms_store::receipts::{self as repo, Change};
use dcms_store::time::{from_db, now};
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

/// Most receipts on the cashier's list.
pub const LIST_MAX: u64 = 500;

/// A receipt and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Receipt {
    pub receipt_id: i64,
    pub payment_id: i64,
    pub treatment_id: i64,
    pub patient_id: Option<i64>,
    /// `last_name first_name` of the patient.
    pub patient_name: Option<String>,
    pub kind: ReceiptKind,
    /// For a return: the receipt it returns.
    pub returns_receipt_id: Option<i64>,
    /// Whole tugrik it covers.
    pub amount: i64,
    pub state: ReceiptState,
    pub bill_id_suffix: Option<String>,
    /// PosAPI's receipt id (ДДТД), lottery number and QR data, once issued.
    pub ebarimt_id: Option<String>,
    pub lottery: Option<String>,
    pub qr_data: Option<String>,
    pub issued_at: Option<Timestamp>,
    pub attempts: i32,
    pub next_attempt_at: Timestamp,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    pub created_at: Timestamp,
}

fn view(
    row: ebarimt_receipt::Model,
    patient: Option<(i64, String)>,
) -> Result<Receipt, ServiceError> {
    let bad = |what: &str| {
        ServiceError::Internal(format!("receipt {} has an unknown {what}", row.receipt_id))
    };
    Ok(Receipt {
        kind: ReceiptKind::from_code(row.kind).ok_or_else(|| bad("kind"))?,
        state: ReceiptState::from_code(row.state).ok_or_else(|| bad("state"))?,
        receipt_id: row.receipt_id,
        payment_id: row.payment_id,
        treatment_id: row.treatment_id,
        patient_id: patient.as_ref().map(|p| p.0),
        patient_name: patient.map(|p| p.1),
        returns_receipt_id: row.returns_receipt_id,
        amount: row.amount,
        bill_id_suffix: row.bill_id_suffix,
        ebarimt_id: row.ebarimt_id,
        lottery: row.lottery,
        qr_data: row.qr_data,
        issued_at: row.issued_at.map(from_db),
        attempts: row.attempts,
        next_attempt_at: from_db(row.next_attempt_at),
        last_error: row.last_error,
        created_at: from_db(row.created_at),
    })
}

/// Receipts with their patients (two queries beside theirs).
async fn views(
    store: &Store,
    rows: Vec<ebarimt_receipt::Model>,
) -> Result<Vec<Receipt>, ServiceError> {
    let db = store.connection();
    let mut treatment_ids: Vec<i64> = rows.iter().map(|r| r.treatment_id).collect();
    treatment_ids.sort_unstable();
    treatment_ids.dedup();
    let treatments = dcms_store::clinical::find_many(db, &treatment_ids).await?;
    let patient_ids: Vec<i64> = treatments.iter().map(|t| t.patient_id).collect();
    let patients = dcms_store::patients::find_many(db, &patient_ids).await?;
    rows.into_iter()
        .map(|row| {
            let patient = treatments
                .iter()
                .find(|t| t.treatment_id == row.treatment_id)
                .and_then(|t| patients.iter().find(|p| p.patient_id == t.patient_id))
                .map(|p| (p.patient_id, format!("{} {}", p.last_name, p.first_name)));
            view(row, patient)
        })
        .collect()
}

/// The receipt of a payment: the one issued for it (the newest, should a refund have
/// re-issued), or for a refund what it queued; 404 when it has none.
pub async fn of_payment(store: &Store, payment_id: i64) -> Result<Receipt, ServiceError> {
    let rows = repo::of_payment(store.connection(), payment_id).await?;
    let chosen = rows
        .iter()
        .rev()
        .find(|r| r.kind == ReceiptKind::Issue.code())
        .or(rows.last())
        .cloned()
        .ok_or(ServiceError::NotFound("receipt"))?;
    views(store, vec![chosen])
        .await?
        .pop()
        .ok_or(ServiceError::NotFound("receipt"))
}

/// The body sent (or to be sent) for a receipt, as JSON (`{}` for a return).
pub async fn request_of(store: &Store, receipt_id: i64) -> Result<serde_json::Value, ServiceError> {
    let row = repo::find(store.connection(), receipt_id)
        .await?
        .ok_or(ServiceError::NotFound("receipt"))?;
    serde_json::from_str(&row.request)
        .map_err(|e| ServiceError::Internal(format!("receipt {receipt_id}'s request: {e}")))
}

/// The issued receipts of payments (for the invoice: their lottery numbers and QR codes).
pub async fn issued_of_treatment(
    store: &Store,
    treatment_id: i64,
) -> Result<Vec<Receipt>, ServiceError> {
    let rows: Vec<_> = repo::of_treatment(store.connection(), treatment_id)
        .await?
        .into_iter()
        .filter(|r| r.kind == ReceiptKind::Issue.code() && r.state == ReceiptState::Done.code())
        .collect();
    views(store, rows).await
}

/// How many receipts failed (the start page's warning).
pub async fn failed_count(store: &Store) -> Result<u64, ServiceError> {
    Ok(repo::count_in_state(store.connection(), ReceiptState::Failed).await?)
}

/// The cashier's list: receipts in `state`, or, without one, every receipt not done yet
/// (failed, queued, sending), oldest first.
pub async fn list(
    store: &Store,
    state: Option<ReceiptState>,
) -> Result<Vec<Receipt>, ServiceError> {
    let db = store.connection();
    let states = match state {
        Some(s) => vec![s],
        None => vec![
            ReceiptState::Failed,
            ReceiptState::Queued,
            ReceiptState::Sending,
        ],
    };
    let mut rows = Vec::new();
    for s in states {
        rows.extend(repo::in_state(db, s, LIST_MAX).await?);
    }
    rows.truncate(LIST_MAX as usize);
    views(store, rows).await
}

/// Sends a failed receipt again (attempts counted anew), or a queued one now; 409 for any
/// other state.
pub async fn retry(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    receipt_id: i64,
) -> Result<Receipt, ServiceError> {
    let txn = store.begin_write().await?;
    let row = repo::find(&txn, receipt_id)
        .await?
        .ok_or(ServiceError::NotFound("receipt"))?;
    let from = ReceiptState::from_code(row.state)
        .ok_or_else(|| ServiceError::Internal(format!("receipt {receipt_id} state")))?;
    if !matches!(from, ReceiptState::Failed | ReceiptState::Queued) {
        return Err(ServiceError::Conflict(format!(
            "the receipt is {from}: only a failed or queued receipt is sent again"
        )));
    }
    let change = Change {
        reset_attempts: true,
        next_attempt_at: Some(now()),
        ..Change::default()
    };
    worker::move_row(audit, &txn, actor, &row, from, ReceiptState::Queued, change)
        .await?
        .ok_or_else(|| {
            ServiceError::Conflict("the receipt changed meanwhile; look again".into())
        })?;
    txn.commit().await.map_err(ServiceError::from)?;
    let row = repo::find(store.connection(), receipt_id)
        .await?
        .ok_or(ServiceError::NotFound("receipt"))?;
    views(store, vec![row])
        .await?
        .pop()
        .ok_or(ServiceError::NotFound("receipt"))
}
