//! An SMS the clinic sends a patient of its own accord (a recall, the answer to a portal
//! request, a reminder of what is owed): queued in the outbox to their primary phone, in the
//! caller's transaction.

use crate::services::ServiceError;
use dcms_store::comms::{self as repo, NewOutbox};
use dcms_store::sea_orm::DatabaseTransaction;
use dcms_store::time::now;

/// Queues `text` to the patient's primary phone under the idempotency key `key`; the outbox
/// row's id, or None when the patient has no primary phone.
pub async fn queue_to_patient(
    txn: &DatabaseTransaction,
    patient_id: i64,
    text: String,
    key: String,
) -> Result<Option<i64>, ServiceError> {
    let Some(phone) = dcms_store::patients::phones_of_many(txn, &[patient_id])
        .await?
        .into_iter()
        .find(|p| p.is_primary)
    else {
        return Ok(None);
    };
    let at = now();
    let row = repo::insert_outbox(
        txn,
        NewOutbox {
            phone_number: phone.phone_number_val,
            subject: None,
            sms_text: text,
            idempotency_key: key,
            appointment_id: None,
            reminder_for_start_at: None,
            next_attempt_at: at,
            now: at,
        },
    )
    .await?;
    Ok(Some(row.sms_outbox_id))
}

/// The refusal of an SMS to a patient without a primary phone (422 `no-primary-phone` on
/// `field`).
pub fn no_primary_phone(field: &str) -> ServiceError {
    ServiceError::invalid_coded(crate::services::FieldError::coded(
        field,
        "no-primary-phone",
        "the patient has no primary phone to send an SMS to",
    ))
}
