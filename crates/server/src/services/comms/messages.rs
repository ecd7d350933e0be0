//! The SMS log: an incoming message recorded, an outgoing one queued in the outbox, notes.

use super::contacts::resolve;
use super::{Outbox, Recorded, SUBJECT_MAX, Sms, SmsInput, SmsPosted, phone, record, sms_text};
use crate::services::audit::{AuditTrail, changes};
use crate::services::{Actor, FieldError, ServiceError, fields};
use dcms_domain::Direction;
use dcms_store::Store;
use dcms_store::comms as repo;
use dcms_store::time::{now, to_db};

// --- SMS -------------------------------------------------------------------------------------

/// Records an SMS received (direction in, with the resolution) or queues one to send
/// (direction out; see the module's rules).
pub async fn post_sms(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    input: SmsInput,
) -> Result<SmsPosted, ServiceError> {
    let mut errors = Vec::new();
    let e = &mut errors;
    let number = phone(e, "phone_number", input.phone_number.as_deref());
    let direction =
        fields::required_choice::<Direction>(e, "direction", input.direction.as_deref());
    let time = match input.time.as_deref() {
        None => Some(None),
        Some(v) => fields::instant(e, "time", v).map(Some),
    };
    let subject = fields::optional_text(e, "subject", input.subject.as_deref(), SUBJECT_MAX);
    let text = sms_text(e, input.sms_text.as_deref());
    let note = fields::note(e, "note", input.note.as_deref());
    if direction == Some(Direction::Out) && matches!(note, Some(Some(_))) {
        errors.push(FieldError::coded(
            "note",
            "sms-out-note",
            "an SMS to send is only queued: add the note to its sms record once it has been sent",
        ));
    }
    let (Some(number), Some(direction), Some(time), Some(subject), Some(text), Some(note), true) = (
        number,
        direction,
        time,
        subject,
        text,
        note,
        errors.is_empty(),
    ) else {
        return Err(ServiceError::Invalid(errors));
    };
    let at = now();
    let txn = store.begin_write().await?;
    let resolution = resolve(&txn, number.as_str()).await?;
    let posted = match direction {
        Direction::In => {
            let (contact_type, contacter_id) = resolution.codes();
            let row = repo::insert_sms(
                &txn,
                repo::NewSms {
                    phone_number: number.as_str().to_owned(),
                    direction: Direction::In.code(),
                    time: time.map(to_db).unwrap_or(at),
                    subject,
                    sms_text: text,
                    contact_type,
                    contacter_id,
                    note,
                },
            )
            .await?;
            let sms = Sms::from_row(row)?;
            record(
                audit,
                &txn,
                actor,
                "create",
                ("sms", sms.sms_id),
                changes(None, Some(&sms), &["sms_id"]),
            )
            .await?;
            SmsPosted::Logged(Recorded {
                item: sms,
                other_candidates: resolution.other_candidates,
            })
        }
        Direction::Out => {
            let row = repo::insert_outbox(
                &txn,
                repo::NewOutbox {
                    phone_number: number.as_str().to_owned(),
                    subject,
                    sms_text: text,
                    idempotency_key: format!("manual-{:032x}", rand::random::<u128>()),
                    appointment_id: None,
                    reminder_for_start_at: None,
                    next_attempt_at: time.map(to_db).unwrap_or(at),
                    now: at,
                },
            )
            .await?;
            let outbox = Outbox::from_row(row)?;
            record(
                audit,
                &txn,
                actor,
                "create",
                ("sms_outbox", outbox.sms_outbox_id),
                changes(
                    None,
                    Some(&outbox),
                    &["sms_outbox_id", "created_at", "updated_at"],
                ),
            )
            .await?;
            SmsPosted::Queued { outbox, resolution }
        }
    };
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(posted)
}

/// Sets or clears an SMS's note (Some(None) or blank clears it).
pub async fn update_sms(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    sms_id: i64,
    asked_note: Option<Option<String>>,
) -> Result<Sms, ServiceError> {
    let mut errors = Vec::new();
    let note = match &asked_note {
        None => Some(None),
        Some(value) => fields::note(&mut errors, "note", value.as_deref()).map(Some),
    };
    let (Some(note), true) = (note, errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    let txn = store.begin_write().await?;
    let before = repo::lock_sms(&txn, sms_id)
        .await?
        .ok_or(ServiceError::NotFound("sms"))?;
    let current = Sms::from_row(before.clone())?;
    let Some(note) = note.filter(|n| *n != current.note) else {
        txn.commit().await.map_err(ServiceError::from)?;
        return Ok(current);
    };
    let saved = Sms::from_row(repo::save_sms_note(&txn, before, note).await?)?;
    record(
        audit,
        &txn,
        actor,
        "update",
        ("sms", sms_id),
        changes(Some(&current), Some(&saved), &[]),
    )
    .await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(saved)
}

/// An SMS by id.
pub async fn get_sms(store: &Store, sms_id: i64) -> Result<Sms, ServiceError> {
    let row = repo::find_sms(store.connection(), sms_id)
        .await?
        .ok_or(ServiceError::NotFound("sms"))?;
    Sms::from_row(row)
}
