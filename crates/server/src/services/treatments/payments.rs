//! Payments and refunds of a treatment, under a row lock so that parallel payments never pay
//! more than the balance.

use super::{AMOUNT_MAX, PAYMENT_TABLE, Payment, PaymentInput, assemble, write_audit};
use crate::services::audit::AuditTrail;
use crate::services::fields::{self, required_choice};
use crate::services::{Actor, FieldError, ServiceError};
use dcms_domain::{Money, PaymentMethod, ToothSystem};
use dcms_store::Store;
use dcms_store::clinical::{self as repo, NewPayment};
use dcms_store::time::{now, to_db};

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
    let paid_at = crate::services::fields::not_after_now(&mut errors, "paid_at", input.paid_at);
    let note = fields::note(&mut errors, "note", input.note.as_deref());
    let customer_tin = match input.customer_tin.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(t) => match dcms_domain::Tin::parse(t) {
            Ok(tin) => Some(tin.as_str().to_owned()),
            Err(e) => {
                errors.push(FieldError::coded("customer_tin", "tin", e.to_string()));
                None
            }
        },
    };
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
    crate::services::day_close::check_open(&txn, paid_at).await?;
    let row = repo::insert_payment(
        &txn,
        NewPayment {
            treatment_id,
            amount,
            method: method.code(),
            paid_at: to_db(paid_at),
            received_by: actor.user_id,
            note,
            customer_tin,
            now: now(),
        },
    )
    .await?;
    let payment = Payment::from_row(row)?;
    write_audit(
        audit,
        &txn,
        actor,
        "create",
        PAYMENT_TABLE,
        payment.payment_id,
        Some(payment.audited()),
    )
    .await?;
    crate::services::ebarimt::queue::on_payment(&txn, audit, actor, &current, &payment).await?;
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
