//! Moving an appointment through its statuses (the state machine of the domain), with the
//! finishing rule: an unpaid treatment needs a manager's or admin's reason. Came keeps the
//! arrival time (the first time); canceled and no-show return the recalls the appointment
//! booked to due.

use super::{Appointment, BookingError, REASON_MAX, record, retrying};
use crate::services::audit::AuditTrail;
use crate::services::{Actor, FieldError, ServiceError};
use dcms_domain::{AppointmentStatus, MoveRefused};
use dcms_store::Store;
use dcms_store::schedule as repo;
use dcms_store::time::now;
use jiff::Timestamp;
use serde_json::{Value, json};

// --- status --------------------------------------------------------------------------------

/// Moves an appointment to another status, as the state machine allows (422 `status-move`
/// naming both statuses otherwise) and when it allows: came, finished and no-show only once
/// the appointment has started (`AppointmentStatus::move_at`; 422 `appointment-not-started`
/// on `status`). Came and finished record the patient's visit (`last_seen_at`).
/// `may_override` (a manager or admin) with a `reason` finishes despite an unpaid balance.
pub async fn set_status(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    may_override: bool,
    appointment_id: i64,
    status: &str,
    reason: Option<&str>,
) -> Result<Appointment, ServiceError> {
    let mut errors = Vec::new();
    let to = match status.trim().parse::<AppointmentStatus>() {
        Ok(s) => Some(s),
        Err(e) => {
            errors.push(FieldError::coded("status", "choose", e));
            None
        }
    };
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > REASON_MAX) {
        errors.push(
            FieldError::coded(
                "reason",
                "too-long",
                format!("must be at most {REASON_MAX} characters"),
            )
            .arg("max", REASON_MAX),
        );
    }
    let (Some(to), true) = (to, errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    let result = retrying(|| async {
        move_status(
            store,
            audit,
            actor,
            may_override,
            appointment_id,
            to,
            reason,
        )
        .await
        .map_err(BookingError::from)
    })
    .await;
    match result {
        Ok(appointment) => Ok(appointment),
        Err(BookingError::Service(e)) => Err(e),
        Err(
            other @ (BookingError::Overlap { .. }
            | BookingError::ChairTaken { .. }
            | BookingError::OutsideWorkingHours(_)),
        ) => Err(ServiceError::Internal(other.to_string())),
    }
}

/// One run of the status transaction.
async fn move_status(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    may_override: bool,
    appointment_id: i64,
    to: AppointmentStatus,
    reason: Option<&str>,
) -> Result<Appointment, ServiceError> {
    let txn = store.begin_write().await?;
    let mut row = repo::lock(&txn, appointment_id)
        .await?
        .ok_or(ServiceError::NotFound("appointment"))?;
    let current = Appointment::from_row(row.clone())?;
    let from = current.status;
    match from.move_at(to, current.start_at, Timestamp::now()) {
        Ok(_) => {}
        Err(MoveRefused::Machine(refused)) => {
            return Err(ServiceError::invalid_coded(
                FieldError::coded("status", "status-move", refused)
                    .arg("from", from)
                    .arg("to", to),
            ));
        }
        Err(refused @ MoveRefused::NotStarted { .. }) => {
            return Err(ServiceError::invalid_coded(
                FieldError::coded("status", "appointment-not-started", refused).arg("to", to),
            ));
        }
    }
    if to == AppointmentStatus::Finished {
        let due = crate::services::treatments::balance_of_appointment(&txn, appointment_id).await?;
        if due > 0 && !(may_override && reason.is_some()) {
            return Err(ServiceError::Conflict(format!(
                "appointment {appointment_id} has an unpaid balance of {due} ₮: take the payment first, or a manager or admin finishes it with a reason"
            )));
        }
    }
    let at = now();
    if matches!(to, AppointmentStatus::Came | AppointmentStatus::Finished) {
        dcms_store::patients::touch_last_seen(&txn, row.patient_id, at).await?;
    }
    if to == AppointmentStatus::Came && row.arrived_at.is_none() {
        row.arrived_at = Some(at);
    }
    if matches!(to, AppointmentStatus::Canceled | AppointmentStatus::NoShow) {
        dcms_store::recalls::release(&txn, appointment_id, at).await?;
    }
    row.status = to.code();
    row.updated_at = at;
    let saved = Appointment::from_row(repo::save(&txn, row).await?)?;
    let mut diff = serde_json::Map::new();
    diff.insert("status".into(), json!([from, to]));
    if let Some(reason) = reason {
        diff.insert("reason".into(), json!([null, reason]));
    }
    record(
        audit,
        &txn,
        actor,
        "status",
        appointment_id,
        Some(Value::Object(diff)),
    )
    .await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(saved)
}
