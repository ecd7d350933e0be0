//! Queuing receipts with the payment that needs them, in the payment's transaction: a
//! payment is receipted when it is taken; a refund returns the receipts it touches (the
//! newest first, until they hold the refund) and re-issues one receipt for what they held
//! beyond it. So every tugrik received is covered by exactly one receipt.

use super::config::EbarimtSettings;
use super::request::{self, Line};
use crate::services::Actor;
use crate::services::ServiceError;
use crate::services::audit::AuditTrail;
use crate::services::treatments::{Payment, Treatment};
use dcms_domain::{ReceiptKind, ReceiptState};
use dcms_store::audit::AuditEntry;
use dcms_store::entity::ebarimt_receipt;
use dcms_store::receipts::{self as repo, Change, NewReceipt};
use dcms_store::sea_orm::DatabaseTransaction;
use dcms_store::time::now;
use serde_json::json;

/// The treatment's lines as receipts see them: the services' patient names, tax types and
/// classification codes.
async fn lines(
    txn: &DatabaseTransaction,
    settings: &EbarimtSettings,
    treatment: &Treatment,
) -> Result<Vec<Line>, ServiceError> {
    let ids: Vec<i64> = treatment.items.iter().map(|i| i.service_id).collect();
    let services = dcms_store::catalog::find_many(txn, &ids).await?;
    Ok(treatment
        .items
        .iter()
        .map(|i| {
            let service = services.iter().find(|s| s.service_id == i.service_id);
            Line {
                name: i.patient_service_name.clone(),
                tax_type: settings.tax_type_of(service.and_then(|s| s.tax_type.as_deref())),
                classification_code: service.and_then(|s| s.classification_code.clone()),
                quantity: i.quantity,
                charge: i.charge.amount(),
            }
        })
        .collect())
}

async fn audit_row(
    audit: &AuditTrail,
    txn: &DatabaseTransaction,
    actor: Actor,
    row: &ebarimt_receipt::Model,
) -> Result<(), ServiceError> {
    let entry = AuditEntry::new("create", "ebarimt_receipt", Some(row.receipt_id)).with_changes(
        Some(json!({
            "payment_id": row.payment_id,
            "kind": ReceiptKind::from_code(row.kind),
            "amount": row.amount,
            "returns_receipt_id": row.returns_receipt_id,
        })),
    );
    audit.record(txn, actor.stamp(entry)).await
}

/// Queues an issue of the money `(from, amount)`: from `from` to `from + amount` of
/// `treatment`'s lines.
async fn queue_issue(
    txn: &DatabaseTransaction,
    audit: &AuditTrail,
    actor: Actor,
    settings: &EbarimtSettings,
    (treatment, payment): (&Treatment, &Payment),
    (from, amount): (i64, i64),
) -> Result<(), ServiceError> {
    let lines = lines(txn, settings, treatment).await?;
    let parts = request::allocate(&lines, from, amount);
    let row = repo::insert(
        txn,
        NewReceipt {
            payment_id: payment.payment_id,
            treatment_id: treatment.treatment_id,
            kind: ReceiptKind::Issue.code(),
            returns_receipt_id: None,
            amount,
            request: "{}".into(),
            now: now(),
        },
    )
    .await?;
    let suffix = request::bill_id_suffix(row.receipt_id);
    let body = request::issue(
        settings,
        &suffix,
        &parts,
        payment.method,
        payment.customer_tin.as_deref(),
    );
    repo::set_request(txn, row.receipt_id, Some(suffix), body.to_string()).await?;
    audit_row(audit, txn, actor, &row).await
}

/// Queues what `payment` (just inserted, in `txn`) needs when the clinic receipts through
/// PosAPI: `treatment` is as it was before the payment.
pub async fn on_payment(
    txn: &DatabaseTransaction,
    audit: &AuditTrail,
    actor: Actor,
    treatment: &Treatment,
    payment: &Payment,
) -> Result<(), ServiceError> {
    let row = dcms_store::settings::load(txn).await?;
    let settings = EbarimtSettings::from_row(&row);
    if !settings.enabled {
        return Ok(());
    }
    let amount = payment.amount.amount();
    let paid_before = treatment.paid.amount();
    if amount > 0 {
        return queue_issue(
            txn,
            audit,
            actor,
            &settings,
            (treatment, payment),
            (paid_before, amount),
        )
        .await;
    }
    // A refund: the newest live receipts until they hold it.
    let refund = -amount;
    let live: Vec<ebarimt_receipt::Model> = repo::of_treatment(txn, treatment.treatment_id)
        .await?
        .into_iter()
        .filter(|r| r.kind == ReceiptKind::Issue.code())
        .filter(|r| {
            !matches!(
                ReceiptState::from_code(r.state),
                Some(ReceiptState::Returned | ReceiptState::Canceled)
            )
        })
        .collect();
    let mut held = 0i64;
    for receipt in live.iter().rev() {
        if held >= refund {
            break;
        }
        held += receipt.amount;
        if receipt.state == ReceiptState::Queued.code() {
            // Never sent: it is not issued at all.
            let change = Change {
                last_error: Some(Some(format!(
                    "refunded: payment {} took the money back before it was sent",
                    payment.payment_id
                ))),
                ..Change::default()
            };
            if repo::transition(
                txn,
                receipt.receipt_id,
                ReceiptState::Queued,
                ReceiptState::Canceled,
                change,
                now(),
            )
            .await?
            {
                continue;
            }
        }
        let row = repo::insert(
            txn,
            NewReceipt {
                payment_id: payment.payment_id,
                treatment_id: treatment.treatment_id,
                kind: ReceiptKind::Return.code(),
                returns_receipt_id: Some(receipt.receipt_id),
                amount: receipt.amount,
                request: "{}".into(),
                now: now(),
            },
        )
        .await?;
        audit_row(audit, txn, actor, &row).await?;
    }
    // What the touched receipts held beyond the refund is receipted anew: the slice of the
    // lines from where they began to what remains paid.
    let remains = held - refund;
    if remains > 0 {
        let from = paid_before - held;
        queue_issue(
            txn,
            audit,
            actor,
            &settings,
            (treatment, payment),
            (from, remains),
        )
        .await?;
    }
    Ok(())
}
