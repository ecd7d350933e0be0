//! The call log: logging a call with its contact resolved, changing its end and note.

use super::contacts::resolve;
use super::{Call, CallChanges, NewCall, Recorded, end_before_begin, phone, record};
use crate::services::audit::{AuditTrail, changes};
use crate::services::{Actor, ServiceError, fields};
use dcms_domain::Direction;
use dcms_store::Store;
use dcms_store::comms as repo;
use dcms_store::time::to_db;

// --- calls -----------------------------------------------------------------------------------

/// Records a call, its contact resolved from the number. Invalid fields are 422, all at once.
pub async fn create_call(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    input: NewCall,
) -> Result<Recorded<Call>, ServiceError> {
    let mut errors = Vec::new();
    let e = &mut errors;
    let number = phone(e, "phone_number", input.phone_number.as_deref());
    let direction =
        fields::required_choice::<Direction>(e, "direction", input.direction.as_deref());
    let begin = input.begin_call.required(e, "begin_call");
    let end = input.end_call.optional(e);
    let note = fields::note(e, "note", input.note.as_deref());
    if let (Some(begin), Some(Some(end))) = (begin, end)
        && end < begin
    {
        errors.push(end_before_begin());
    }
    let (Some(number), Some(direction), Some(begin), Some(end), Some(note), true) =
        (number, direction, begin, end, note, errors.is_empty())
    else {
        return Err(ServiceError::Invalid(errors));
    };
    let txn = store.begin_write().await?;
    let resolution = resolve(&txn, number.as_str()).await?;
    let (contact_type, contacter_id) = resolution.codes();
    let row = repo::insert_call(
        &txn,
        repo::NewCall {
            phone_number: number.as_str().to_owned(),
            direction: direction.code(),
            begin_call: to_db(begin),
            end_call: end.map(to_db),
            contact_type,
            contacter_id,
            note,
        },
    )
    .await?;
    let call = Call::from_row(row)?;
    record(
        audit,
        &txn,
        actor,
        "create",
        ("call", call.call_id),
        changes(None, Some(&call), &["call_id"]),
    )
    .await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(Recorded {
        item: call,
        other_candidates: resolution.other_candidates,
    })
}

/// Sets a call's end or note (or clears the note). The end must be at or after the begin.
pub async fn update_call(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    call_id: i64,
    asked: CallChanges,
) -> Result<Call, ServiceError> {
    let mut errors = Vec::new();
    let e = &mut errors;
    let end = asked.end_call.optional(e);
    let note = match &asked.note {
        None => Some(None),
        Some(value) => fields::note(e, "note", value.as_deref()).map(Some),
    };
    let (Some(note), true) = (note, errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    let end = end.flatten();
    let txn = store.begin_write().await?;
    let before = repo::lock_call(&txn, call_id)
        .await?
        .ok_or(ServiceError::NotFound("call"))?;
    let current = Call::from_row(before.clone())?;
    if let Some(end) = end
        && end < current.begin_call
    {
        return Err(ServiceError::invalid_coded(end_before_begin()));
    }
    let mut row = before;
    if let Some(end) = end {
        row.end_call = Some(to_db(end));
    }
    if let Some(note) = note {
        row.note = note;
    }
    let changed = Call::from_row(row.clone())?;
    let Some(diff) = changes(Some(&current), Some(&changed), &[]) else {
        txn.commit().await.map_err(ServiceError::from)?;
        return Ok(current);
    };
    let saved = Call::from_row(repo::save_call(&txn, row).await?)?;
    record(audit, &txn, actor, "update", ("call", call_id), Some(diff)).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(saved)
}

/// A call by id.
pub async fn get_call(store: &Store, call_id: i64) -> Result<Call, ServiceError> {
    let row = repo::find_call(store.connection(), call_id)
        .await?
        .ok_or(ServiceError::NotFound("call"))?;
    Call::from_row(row)
}
