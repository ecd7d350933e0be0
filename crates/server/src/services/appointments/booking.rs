//! Booking an appointment and changing its time, doctor or note: never two overlapping for
//! one doctor or one patient, also under concurrent requests (the parties' rows are locked,
//! a deadlock is retried).

use super::{
    Appointment, AppointmentChanges, BookingError, DEFAULT_MINUTES, NewAppointment, check_free,
    check_hours, check_not_past, check_override, check_range, field_errors, invalid_unless_empty,
    lock_parties, record, retrying,
};
use crate::services::audit::{AuditTrail, changes};
use crate::services::settings::{self, ClinicSettings};
use crate::services::{Actor, FieldError, ServiceError, catalog, fields, recalls, staff};
use dcms_domain::AppointmentStatus;
use dcms_store::Store;
use dcms_store::schedule as repo;
use dcms_store::sea_orm::DatabaseTransaction;
use dcms_store::time::{now, to_db};
use jiff::{Timestamp, ToSpan};
use std::future::Future;
use std::pin::Pin;

// --- booking -------------------------------------------------------------------------------

/// A booking whose fields parsed.
struct ValidBooking {
    patient_id: i64,
    doctor_id: i64,
    start: Timestamp,
    end: Option<Timestamp>,
    planned_service_id: Option<i64>,
    note: Option<String>,
    chair_id: Option<i64>,
    override_hours: bool,
}

/// Books an appointment (status reserved). Invalid fields are 422 (all together), a start
/// in the past among them unless a manager or an admin books it; an overlap for the doctor
/// or the patient is [`BookingError::Overlap`], of the chair [`BookingError::ChairTaken`];
/// outside the doctor's hours it is [`BookingError::OutsideWorkingHours`] unless a manager
/// or an admin overrides (an override by anyone else is 403). Booking marks the patient's due
/// recalls booked (`recalls::booked`).
pub async fn create(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    input: NewAppointment,
) -> Result<Appointment, BookingError> {
    create_then(store, audit, actor, input, None).await
}

/// A step run in a booking's transaction once the appointment is written, before the commit
/// (a portal request linking it): its failure undoes the booking.
pub trait AfterBooking: Sync {
    fn after<'t>(
        &'t self,
        txn: &'t DatabaseTransaction,
        audit: &'t AuditTrail,
        appointment: &'t Appointment,
    ) -> Pin<Box<dyn Future<Output = Result<(), ServiceError>> + Send + 't>>;
}

/// [`create`], with `then` run in the booking's transaction.
pub async fn create_then(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    input: NewAppointment,
    then: Option<&dyn AfterBooking>,
) -> Result<Appointment, BookingError> {
    let mut errors = Vec::new();
    let e = &mut errors;
    let patient_id = fields::present(e, "patient_id", input.patient_id);
    let doctor_id = fields::present(e, "doctor_id", input.doctor_id);
    let start = input.start_at.required(e, "start_at");
    let end = input.end_at.optional(e);
    let note = fields::note(e, "note", input.note.as_deref());
    if let (Some(start), Some(Some(end))) = (start, end)
        && let Err(range) = check_range(start, end)
    {
        errors.push(range);
    }
    if let Some(start) = start
        && let Err(past) = check_not_past(actor, start)
    {
        errors.push(past);
    }
    let (Some(patient_id), Some(doctor_id), Some(start), Some(end), Some(note), true) =
        (patient_id, doctor_id, start, end, note, errors.is_empty())
    else {
        return Err(ServiceError::Invalid(errors).into());
    };
    check_override(actor, input.override_hours)?;
    let valid = ValidBooking {
        patient_id,
        doctor_id,
        start,
        end,
        planned_service_id: input.planned_service_id,
        note,
        chair_id: input.chair_id,
        override_hours: input.override_hours,
    };
    let clinic = settings::get(store).await?;
    retrying(|| book(store, audit, actor, &clinic, &valid, then)).await
}

/// One run of the booking transaction.
async fn book(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    clinic: &ClinicSettings,
    valid: &ValidBooking,
    then: Option<&dyn AfterBooking>,
) -> Result<Appointment, BookingError> {
    let receptionist_id = actor.employee_id;
    let txn = store.begin_write().await?;
    let patient_exists =
        lock_parties(&txn, valid.doctor_id, valid.patient_id, valid.chair_id).await?;
    let mut errors = Vec::new();
    if !patient_exists {
        errors.push(FieldError::coded(
            "patient_id",
            "patient-unknown",
            format!("there is no patient {}", valid.patient_id),
        ));
    }
    field_errors(
        staff::check_doctor(&txn, valid.doctor_id, "doctor_id").await,
        &mut errors,
    )?;
    let mut minutes = DEFAULT_MINUTES;
    if let Some(service_id) = valid.planned_service_id {
        match catalog::bookable_in(&txn, service_id, "planned_service_id").await {
            Ok(service) => minutes = i64::from(service.default_duration_time),
            Err(ServiceError::Invalid(more)) => errors.extend(more),
            Err(other) => return Err(other.into()),
        }
    }
    invalid_unless_empty(errors)?;
    let end = match valid.end {
        Some(end) => end,
        None => {
            let end = valid
                .start
                .checked_add(minutes.minutes())
                .map_err(|e| ServiceError::invalid("start_at", e))?;
            check_range(valid.start, end).map_err(ServiceError::invalid_coded)?;
            end
        }
    };
    check_free(
        &txn,
        valid.doctor_id,
        valid.patient_id,
        valid.chair_id,
        (valid.start, end),
        None,
    )
    .await?;
    check_hours(
        &txn,
        clinic,
        valid.doctor_id,
        (valid.start, end),
        valid.override_hours,
    )
    .await?;
    let is_new_patient = !repo::has_visit(&txn, valid.patient_id).await?;
    let row = repo::insert(
        &txn,
        repo::NewAppointment {
            patient_id: valid.patient_id,
            doctor_id: valid.doctor_id,
            receptionist_id,
            start_at: to_db(valid.start),
            end_at: to_db(end),
            status: AppointmentStatus::Reserved,
            is_new_patient,
            planned_service: valid.planned_service_id,
            note: valid.note.clone(),
            chair_id: valid.chair_id,
            now: now(),
        },
    )
    .await?;
    let appointment = Appointment::from_row(row)?;
    recalls::booked(&txn, clinic, &appointment).await?;
    if let Some(then) = then {
        then.after(&txn, audit, &appointment).await?;
    }
    record(
        audit,
        &txn,
        actor,
        "create",
        appointment.appointment_id,
        changes(None, Some(&appointment.audited()), &[]),
    )
    .await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(appointment)
}

// --- changing ------------------------------------------------------------------------------

/// A change whose fields parsed.
struct ValidChanges {
    start: Option<Timestamp>,
    end: Option<Timestamp>,
    doctor_id: Option<i64>,
    note: Option<Option<String>>,
    chair_id: Option<Option<i64>>,
    override_hours: bool,
}

/// Changes an appointment's time, doctor or note, while it is not final (409 otherwise).
/// A new time or doctor is checked like a booking (doctor allowed, no overlap, a new start
/// in the past only by a manager or an admin); a new `start_at` without `end_at` keeps the
/// duration.
pub async fn update(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    appointment_id: i64,
    asked: AppointmentChanges,
) -> Result<Appointment, BookingError> {
    let mut errors = Vec::new();
    let e = &mut errors;
    let start = asked.start_at.optional(e);
    let end = asked.end_at.optional(e);
    let note = match &asked.note {
        None => Some(None),
        Some(value) => fields::note(e, "note", value.as_deref()).map(Some),
    };
    let (Some(note), true) = (note, errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors).into());
    };
    check_override(actor, asked.override_hours)?;
    let valid = ValidChanges {
        start: start.flatten(),
        end: end.flatten(),
        doctor_id: asked.doctor_id,
        note,
        chair_id: asked.chair_id,
        override_hours: asked.override_hours,
    };
    let clinic = settings::get(store).await?;
    retrying(|| change(store, audit, actor, &clinic, appointment_id, &valid)).await
}

/// One run of the change transaction.
async fn change(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    clinic: &ClinicSettings,
    appointment_id: i64,
    valid: &ValidChanges,
) -> Result<Appointment, BookingError> {
    let txn = store.begin_write().await?;
    let before = repo::lock(&txn, appointment_id)
        .await?
        .ok_or(ServiceError::NotFound("appointment"))?;
    let current = Appointment::from_row(before.clone())?;
    if current.status.is_final() {
        return Err(ServiceError::Conflict(format!(
            "appointment {appointment_id} is {}: it can no longer be changed",
            current.status
        ))
        .into());
    }
    let start = valid.start.unwrap_or(current.start_at);
    let end = match (valid.start, valid.end) {
        (_, Some(end)) => end,
        (Some(start), None) => start
            .checked_add(current.end_at.duration_since(current.start_at))
            .map_err(|e| ServiceError::invalid("start_at", e))?,
        (None, None) => current.end_at,
    };
    check_range(start, end).map_err(ServiceError::invalid_coded)?;
    if start != current.start_at {
        check_not_past(actor, start).map_err(ServiceError::invalid_coded)?;
    }
    let doctor_id = valid.doctor_id.unwrap_or(current.doctor_id);
    let chair_id = valid.chair_id.unwrap_or(current.chair_id);
    let moved =
        start != current.start_at || end != current.end_at || doctor_id != current.doctor_id;
    if moved || chair_id != current.chair_id {
        lock_parties(&txn, doctor_id, current.patient_id, chair_id).await?;
        if doctor_id != current.doctor_id {
            staff::check_doctor(&txn, doctor_id, "doctor_id").await?;
        }
        if current.status.blocks_slot() {
            check_free(
                &txn,
                doctor_id,
                current.patient_id,
                chair_id,
                (start, end),
                Some(appointment_id),
            )
            .await?;
        }
    }
    if moved {
        check_hours(&txn, clinic, doctor_id, (start, end), valid.override_hours).await?;
    }
    let mut row = before;
    row.start_at = to_db(start);
    row.end_at = to_db(end);
    row.doctor_id = doctor_id;
    row.chair_id = chair_id;
    if let Some(note) = &valid.note {
        row.note = note.clone();
    }
    let changed_row = Appointment::from_row(row.clone())?;
    let Some(diff) = changes(Some(&current.audited()), Some(&changed_row.audited()), &[]) else {
        txn.commit().await.map_err(ServiceError::from)?;
        return Ok(current);
    };
    row.updated_at = now();
    let saved = Appointment::from_row(repo::save(&txn, row).await?)?;
    record(audit, &txn, actor, "update", appointment_id, Some(diff)).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(saved)
}
