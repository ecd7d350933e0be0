//! Appointments: booking, moving, the status machine, lists, and a doctor's free slots.
//!
//! Rules (domain.md):
//! * `end_at` is after `start_at` (422 on `end_at`); left out, it is `start_at` plus the
//!   planned service's default duration, or [`DEFAULT_MINUTES`] without one. No appointment
//!   lasts longer than a day (`dcms_store::schedule::LONGEST`, 422 on `end_at`).
//! * The doctor must be allowed (`staff::check_doctor`, 422 on `doctor_id`) when the
//!   request is made; a deactivated or unknown planned service is 422 on
//!   `planned_service_id`; an unknown patient is 422 on `patient_id`.
//! * Neither a doctor nor a patient ever has two overlapping appointments in a blocking
//!   status (reserved, confirmed, came); intervals are half-open, so back-to-back
//!   appointments are fine, and canceled or no-show ones free their slot. An overlap is
//!   [`BookingError::Overlap`] (409 with `conflicting_appointment_id`).
//! * Concurrency: every booking or move runs in `Store::begin_write` (SQLite: `BEGIN
//!   IMMEDIATE`, one writer at a time). On PostgreSQL and MariaDB the transaction first
//!   locks the appointment's row (a move), then the doctor's employee row, then the
//!   patient's row (`SELECT ... FOR UPDATE`, always in this order, so two bookings never
//!   wait on each other crosswise), and only then looks for overlaps and writes: of two
//!   simultaneous bookings of one doctor or one patient, the second waits for the first
//!   to commit and then sees it. A deadlock or serialisation failure (PostgreSQL
//!   40001/40P01, MySQL 1213/1205) runs the whole transaction again, up to [`ATTEMPTS`]
//!   times.
//! * `is_new_patient` is fixed at booking: the patient had no appointment in status came or
//!   finished and no treatment. `receptionist_id` is the employee linked to the booking
//!   user, null for a user without one.
//! * Status moves follow `AppointmentStatus::allowed_moves` (422 naming both statuses
//!   otherwise); came and finished move the patient's `last_seen_at`. Finishing checks the
//!   balance of the treatments recorded on the appointment.
//! * Only an appointment that is not final (canceled, no-show, finished) can be changed.
//!
//! Every write is audited in its transaction (table `appointment`: `create`, `update`, and
//! `status` with `{"status": [from, to]}` and the `reason` when given).

use super::audit::{AuditTrail, changes};
use super::{Actor, FieldError, ServiceError, catalog, fields, patients, settings, staff};
use dcms_domain::AppointmentStatus;
use dcms_store::audit::AuditEntry;
use dcms_store::entity::appointment;
use dcms_store::schedule::{self as repo, AppointmentFilter, Party};
use dcms_store::sea_orm::DatabaseTransaction;
use dcms_store::time::{from_db, now, to_db};
use dcms_store::{Store, StoreError};
use jiff::{Timestamp, ToSpan, Zoned};
use serde::Serialize;
use serde_json::{Value, json};
use std::future::Future;
use std::time::Duration;

/// The table the audit trail names.
const TABLE: &str = "appointment";
/// Minutes an appointment lasts when neither `end_at` nor a planned service says otherwise.
pub const DEFAULT_MINUTES: i64 = 30;
/// The longest appointment, in minutes (`dcms_store::schedule::LONGEST`).
pub const MAX_MINUTES: i64 = 24 * 60;
/// Free slots start at multiples of this many minutes of the clinic's local time.
pub const SLOT_STEP_MINUTES: i64 = 15;
/// Most characters of a note.
/// Most characters of a status change's reason.
pub const REASON_MAX: usize = 1000;
/// Runs of one booking transaction before a deadlock or serialisation failure is given up.
pub const ATTEMPTS: u32 = 5;

// --- what the use cases return -------------------------------------------------------------

/// An appointment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Appointment {
    pub appointment_id: i64,
    pub patient_id: i64,
    pub doctor_id: i64,
    pub receptionist_id: Option<i64>,
    pub start_at: Timestamp,
    pub end_at: Timestamp,
    pub status: AppointmentStatus,
    pub is_new_patient: bool,
    pub planned_service_id: Option<i64>,
    pub note: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Appointment {
    fn from_row(row: appointment::Model) -> Result<Appointment, ServiceError> {
        let status = AppointmentStatus::from_code(row.status).ok_or_else(|| {
            ServiceError::Internal(format!(
                "appointment {} has an unknown status code {}",
                row.appointment_id, row.status
            ))
        })?;
        Ok(Appointment {
            appointment_id: row.appointment_id,
            patient_id: row.patient_id,
            doctor_id: row.doctor_id,
            receptionist_id: row.receptionist_id,
            start_at: from_db(row.start_at),
            end_at: from_db(row.end_at),
            status,
            is_new_patient: row.is_new_patient,
            planned_service_id: row.planned_service,
            note: row.note,
            created_at: from_db(row.created_at),
            updated_at: from_db(row.updated_at),
        })
    }

    /// The audited fields (every field but the timestamps of the row itself).
    fn audited(&self) -> Value {
        json!({
            "patient_id": self.patient_id,
            "doctor_id": self.doctor_id,
            "receptionist_id": self.receptionist_id,
            "start_at": self.start_at,
            "end_at": self.end_at,
            "status": self.status,
            "is_new_patient": self.is_new_patient,
            "planned_service_id": self.planned_service_id,
            "note": self.note,
        })
    }
}

/// Why a booking or a move was refused: a service error, or an overlap (409 naming the
/// appointment in the way).
#[derive(Debug, thiserror::Error)]
pub enum BookingError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// The doctor or the patient already has a blocking appointment overlapping the time.
    #[error("{detail}")]
    Overlap {
        conflicting_appointment_id: i64,
        detail: String,
    },
}

impl From<StoreError> for BookingError {
    fn from(err: StoreError) -> Self {
        BookingError::Service(err.into())
    }
}

// --- what the use cases take ---------------------------------------------------------------

/// A booking as the client sent it (validated by [`create`]).
#[derive(Debug, Clone, Default)]
pub struct NewAppointment {
    pub patient_id: Option<i64>,
    pub doctor_id: Option<i64>,
    /// RFC 3339 with an offset.
    pub start_at: Option<String>,
    /// RFC 3339 with an offset; default: start plus the planned service's duration, or 30
    /// minutes.
    pub end_at: Option<String>,
    pub planned_service_id: Option<i64>,
    pub note: Option<String>,
}

/// A change of an appointment: `None` leaves a field as it is; `note: Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct AppointmentChanges {
    /// A new start alone keeps the duration.
    pub start_at: Option<String>,
    pub end_at: Option<String>,
    pub doctor_id: Option<i64>,
    pub note: Option<Option<String>>,
}

// --- validation ----------------------------------------------------------------------------

type Errors = Vec<FieldError>;

/// Checks `[start, end)`: the end after the start, at most a day long.
fn check_range(start: Timestamp, end: Timestamp) -> Result<(), FieldError> {
    if end <= start {
        return Err(FieldError::coded(
            "end_at",
            "end-not-after-start",
            "must be after start_at",
        ));
    }
    if end.as_second() - start.as_second() > MAX_MINUTES * 60 {
        return Err(FieldError::coded(
            "end_at",
            "appointment-too-long",
            format!("an appointment lasts at most {} hours", MAX_MINUTES / 60),
        )
        .arg("max", MAX_MINUTES / 60));
    }
    Ok(())
}

fn invalid_unless_empty(errors: Errors) -> Result<(), ServiceError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(errors))
    }
}

/// The field errors of a 422, to be reported with others; any other error as it is.
fn field_errors(result: Result<(), ServiceError>, errors: &mut Errors) -> Result<(), ServiceError> {
    match result {
        Ok(()) => Ok(()),
        Err(ServiceError::Invalid(more)) => {
            errors.extend(more);
            Ok(())
        }
        Err(other) => Err(other),
    }
}

// --- transactions --------------------------------------------------------------------------

/// Whether an error is a deadlock or serialisation failure worth running again.
fn is_retryable(err: &BookingError) -> bool {
    matches!(err, BookingError::Service(ServiceError::Store(e)) if repo::is_retryable(e))
}

/// Runs a transaction's body until it succeeds, fails for a reason other than a deadlock
/// or serialisation failure, or has run [`ATTEMPTS`] times (a short, growing, jittered
/// pause in between).
async fn retrying<T, F, Fut>(mut run: F) -> Result<T, BookingError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, BookingError>>,
{
    let mut attempt = 1;
    loop {
        match run().await {
            Err(e) if attempt < ATTEMPTS && is_retryable(&e) => {
                tracing::info!(error = %e, attempt, "appointment transaction retried");
                let jitter = rand::random::<u64>() % 20;
                tokio::time::sleep(Duration::from_millis(10 * u64::from(attempt) + jitter)).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// Locks the rows an overlap check of `doctor_id` and `patient_id` depends on, in the one
/// order every booking uses: the doctor's employee row, then the patient's row. Returns
/// whether each exists.
async fn lock_parties(
    txn: &DatabaseTransaction,
    doctor_id: i64,
    patient_id: i64,
) -> Result<(bool, bool), ServiceError> {
    let doctor = dcms_store::staff::find_for_update(txn, doctor_id).await?;
    let patient = dcms_store::patients::lock(txn, patient_id).await?;
    Ok((doctor.is_some(), patient.is_some()))
}

/// Refuses `[start, end)` when the doctor or the patient has a blocking appointment
/// overlapping it (other than `except`). Run after [`lock_parties`].
async fn check_free(
    txn: &DatabaseTransaction,
    doctor_id: i64,
    patient_id: i64,
    (start, end): (Timestamp, Timestamp),
    except: Option<i64>,
) -> Result<(), BookingError> {
    let (s, e) = (to_db(start), to_db(end));
    if let Some(other) = repo::first_overlap(txn, Party::Doctor(doctor_id), s, e, except).await? {
        return Err(BookingError::Overlap {
            conflicting_appointment_id: other.appointment_id,
            detail: format!(
                "doctor {doctor_id} already has appointment {} from {} to {}",
                other.appointment_id,
                from_db(other.start_at),
                from_db(other.end_at)
            ),
        });
    }
    if let Some(other) = repo::first_overlap(txn, Party::Patient(patient_id), s, e, except).await? {
        return Err(BookingError::Overlap {
            conflicting_appointment_id: other.appointment_id,
            detail: format!(
                "patient {patient_id} already has appointment {} from {} to {}",
                other.appointment_id,
                from_db(other.start_at),
                from_db(other.end_at)
            ),
        });
    }
    Ok(())
}

async fn record(
    audit: &AuditTrail,
    txn: &DatabaseTransaction,
    actor: Actor,
    action: &str,
    appointment_id: i64,
    diff: Option<Value>,
) -> Result<(), ServiceError> {
    let entry = AuditEntry::new(action, TABLE, Some(appointment_id)).with_changes(diff);
    audit.record(txn, actor.stamp(entry)).await
}

// --- booking -------------------------------------------------------------------------------

/// A booking whose fields parsed.
struct ValidBooking {
    patient_id: i64,
    doctor_id: i64,
    start: Timestamp,
    end: Option<Timestamp>,
    planned_service_id: Option<i64>,
    note: Option<String>,
}

/// Books an appointment (status reserved). Invalid fields are 422 (all together); an
/// overlap for the doctor or the patient is [`BookingError::Overlap`].
pub async fn create(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    input: NewAppointment,
) -> Result<Appointment, BookingError> {
    let mut errors = Vec::new();
    let e = &mut errors;
    let patient_id = fields::present(e, "patient_id", input.patient_id);
    let doctor_id = fields::present(e, "doctor_id", input.doctor_id);
    let start = fields::present(e, "start_at", input.start_at.as_deref())
        .and_then(|s| fields::instant(e, "start_at", s));
    let end = match input.end_at.as_deref() {
        None => Some(None),
        Some(s) => fields::instant(e, "end_at", s).map(Some),
    };
    let note = fields::note(e, "note", input.note.as_deref());
    if let (Some(start), Some(Some(end))) = (start, end)
        && let Err(range) = check_range(start, end)
    {
        errors.push(range);
    }
    let (Some(patient_id), Some(doctor_id), Some(start), Some(end), Some(note), true) =
        (patient_id, doctor_id, start, end, note, errors.is_empty())
    else {
        return Err(ServiceError::Invalid(errors).into());
    };
    let valid = ValidBooking {
        patient_id,
        doctor_id,
        start,
        end,
        planned_service_id: input.planned_service_id,
        note,
    };
    retrying(|| book(store, audit, actor, &valid, actor.employee_id)).await
}

/// One run of the booking transaction.
async fn book(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    valid: &ValidBooking,
    receptionist_id: Option<i64>,
) -> Result<Appointment, BookingError> {
    let txn = store.begin_write().await?;
    let (_, patient_exists) = lock_parties(&txn, valid.doctor_id, valid.patient_id).await?;
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
        (valid.start, end),
        None,
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
            now: now(),
        },
    )
    .await?;
    let appointment = Appointment::from_row(row)?;
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
}

/// Changes an appointment's time, doctor or note, while it is not final (409 otherwise).
/// A new time or doctor is checked like a booking (doctor allowed, no overlap); a new
/// `start_at` without `end_at` keeps the duration.
pub async fn update(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    appointment_id: i64,
    asked: AppointmentChanges,
) -> Result<Appointment, BookingError> {
    let mut errors = Vec::new();
    let e = &mut errors;
    let start = asked
        .start_at
        .as_deref()
        .map(|s| fields::instant(e, "start_at", s));
    let end = asked
        .end_at
        .as_deref()
        .map(|s| fields::instant(e, "end_at", s));
    let note = match &asked.note {
        None => Some(None),
        Some(value) => fields::note(e, "note", value.as_deref()).map(Some),
    };
    let (Some(note), true) = (note, errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors).into());
    };
    let valid = ValidChanges {
        start: start.flatten(),
        end: end.flatten(),
        doctor_id: asked.doctor_id,
        note,
    };
    retrying(|| change(store, audit, actor, appointment_id, &valid)).await
}

/// One run of the change transaction.
async fn change(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
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
    let doctor_id = valid.doctor_id.unwrap_or(current.doctor_id);
    let moved =
        start != current.start_at || end != current.end_at || doctor_id != current.doctor_id;
    if moved {
        lock_parties(&txn, doctor_id, current.patient_id).await?;
        if doctor_id != current.doctor_id {
            staff::check_doctor(&txn, doctor_id, "doctor_id").await?;
        }
        if current.status.blocks_slot() {
            check_free(
                &txn,
                doctor_id,
                current.patient_id,
                (start, end),
                Some(appointment_id),
            )
            .await?;
        }
    }
    let mut row = before;
    row.start_at = to_db(start);
    row.end_at = to_db(end);
    row.doctor_id = doctor_id;
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

// --- status --------------------------------------------------------------------------------

/// Moves an appointment to another status, as the state machine allows (422 naming both
/// statuses otherwise). Came and finished record the patient's visit (`last_seen_at`).
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
        Err(overlap @ BookingError::Overlap { .. }) => {
            Err(ServiceError::Internal(overlap.to_string()))
        }
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
    let from = Appointment::from_row(row.clone())?.status;
    if let Err(refused) = from.move_to(to) {
        return Err(ServiceError::invalid_coded(
            FieldError::coded("status", "status-move", refused)
                .arg("from", from)
                .arg("to", to),
        ));
    }
    if to == AppointmentStatus::Finished {
        let due = super::treatments::balance_of_appointment(&txn, appointment_id).await?;
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

// --- reading -------------------------------------------------------------------------------

/// An appointment by id.
pub async fn get(store: &Store, appointment_id: i64) -> Result<Appointment, ServiceError> {
    let row = repo::find(store.connection(), appointment_id)
        .await?
        .ok_or(ServiceError::NotFound("appointment"))?;
    Appointment::from_row(row)
}

/// Where the next page of a list starts (opaque to clients).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppointmentCursor {
    pub start_at: Timestamp,
    pub appointment_id: i64,
}

impl AppointmentCursor {
    /// The cursor as a client carries it (`services::cursor`).
    pub fn encode(&self) -> String {
        super::cursor::encode(self.start_at, self.appointment_id)
    }

    /// A cursor from [`AppointmentCursor::encode`]; None for anything else.
    pub fn decode(cursor: &str) -> Option<AppointmentCursor> {
        let (start_at, appointment_id) = super::cursor::decode(cursor)?;
        Some(AppointmentCursor {
            start_at,
            appointment_id,
        })
    }
}

/// What a list asks for (bounds already parsed: [`parse_bound`]).
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Appointments starting at or after this instant.
    pub from: Option<Timestamp>,
    /// Appointments starting before this instant.
    pub to: Option<Timestamp>,
    pub doctor_id: Option<i64>,
    pub patient_id: Option<i64>,
    /// Any of these (empty: all).
    pub statuses: Vec<AppointmentStatus>,
}

/// One page of appointments.
#[derive(Debug, Clone)]
pub struct AppointmentPage {
    pub items: Vec<Appointment>,
    pub next_cursor: Option<AppointmentCursor>,
}

/// A `from` or `to` bound: an RFC 3339 instant, or a date meaning that whole day in the
/// clinic's time zone (`from`: its start; `to` (`end`): the start of the next day). None
/// when it is neither.
pub fn parse_bound(clinic: &settings::ClinicSettings, value: &str, end: bool) -> Option<Timestamp> {
    if let Some(ts) = fields::parse_instant(value) {
        return Some(ts);
    }
    let date: jiff::civil::Date = value.trim().parse().ok()?;
    let date = if end { date.tomorrow().ok()? } else { date };
    date.to_zoned(clinic.time_zone())
        .ok()
        .map(|z| z.timestamp())
}

/// The clinic's settings (for [`parse_bound`]).
pub async fn clinic(store: &Store) -> Result<settings::ClinicSettings, ServiceError> {
    settings::get(store).await
}

/// Appointments matching `query`, ordered by `(start_at, appointment_id)`, after `cursor`.
pub async fn list(
    store: &Store,
    query: &ListQuery,
    cursor: Option<AppointmentCursor>,
    limit: u64,
) -> Result<AppointmentPage, ServiceError> {
    let filter = AppointmentFilter {
        from: query.from.map(to_db),
        to: query.to.map(to_db),
        doctor_id: query.doctor_id,
        patient_id: query.patient_id,
        statuses: query.statuses.clone(),
    };
    let after = cursor.map(|c| (to_db(c.start_at), c.appointment_id));
    let mut rows = repo::list(store.connection(), &filter, after, limit + 1).await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let items = rows
        .into_iter()
        .map(Appointment::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let next_cursor = match items.last() {
        Some(last) if more => Some(AppointmentCursor {
            start_at: last.start_at,
            appointment_id: last.appointment_id,
        }),
        _ => None,
    };
    Ok(AppointmentPage { items, next_cursor })
}

/// A patient's appointments (404 when there is no such patient).
pub async fn of_patient(
    store: &Store,
    patient_id: i64,
    mut query: ListQuery,
    cursor: Option<AppointmentCursor>,
    limit: u64,
) -> Result<AppointmentPage, ServiceError> {
    if dcms_store::patients::find(store.connection(), patient_id)
        .await?
        .is_none()
    {
        return Err(ServiceError::NotFound("patient"));
    }
    query.patient_id = Some(patient_id);
    list(store, &query, cursor, limit).await
}

/// The appointments of the patient linked to a portal account (404 when none is).
pub async fn of_own_patient(
    store: &Store,
    user_id: i64,
    query: ListQuery,
    cursor: Option<AppointmentCursor>,
    limit: u64,
) -> Result<AppointmentPage, ServiceError> {
    let patient_id = patients::own_patient_id(store, user_id).await?;
    of_patient(store, patient_id, query, cursor, limit).await
}

// --- with names, for the appointment book ---------------------------------------------------

/// An appointment with the names the appointment book shows beside it.
#[derive(Debug, Clone)]
pub struct BookEntry {
    pub appointment: Appointment,
    /// `last_name first_name`.
    pub patient_name: String,
    pub patient_register_number: String,
    /// The patient's primary phone, as stored.
    pub patient_phone: Option<String>,
    /// `last_name first_name` of the doctor.
    pub doctor_name: String,
    /// The planned service's name for doctors.
    pub service_name: Option<String>,
}

/// `appointments` with the names of their patients, doctors and planned services, in the
/// same order: four queries whatever their number.
pub async fn with_names(
    store: &Store,
    appointments: Vec<Appointment>,
) -> Result<Vec<BookEntry>, ServiceError> {
    use std::collections::HashMap;
    let db = store.connection();
    let ids = |f: fn(&Appointment) -> Option<i64>| {
        let mut ids: Vec<i64> = appointments.iter().filter_map(f).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let patient_ids = ids(|a| Some(a.patient_id));
    let patients: HashMap<i64, _> = dcms_store::patients::find_many(db, &patient_ids)
        .await?
        .into_iter()
        .map(|p| (p.patient_id, p))
        .collect();
    let phones: HashMap<i64, String> = dcms_store::patients::phones_of_many(db, &patient_ids)
        .await?
        .into_iter()
        .filter(|ph| ph.is_primary)
        .map(|ph| (ph.patient_id, ph.phone_number_val))
        .collect();
    let doctors: HashMap<i64, String> =
        dcms_store::staff::find_many(db, &ids(|a| Some(a.doctor_id)))
            .await?
            .into_iter()
            .map(|e| (e.employee_id, format!("{} {}", e.last_name, e.first_name)))
            .collect();
    let services: HashMap<i64, String> =
        dcms_store::catalog::find_many(db, &ids(|a| a.planned_service_id))
            .await?
            .into_iter()
            .map(|s| (s.service_id, s.doctor_display_name))
            .collect();
    appointments
        .into_iter()
        .map(|appointment| {
            let patient = patients.get(&appointment.patient_id).ok_or_else(|| {
                ServiceError::Internal(format!(
                    "appointment {} names patient {}, who does not exist",
                    appointment.appointment_id, appointment.patient_id
                ))
            })?;
            Ok(BookEntry {
                patient_name: format!("{} {}", patient.last_name, patient.first_name),
                patient_register_number: patient.register_number.clone(),
                patient_phone: phones.get(&appointment.patient_id).cloned(),
                doctor_name: doctors
                    .get(&appointment.doctor_id)
                    .cloned()
                    .unwrap_or_else(|| appointment.doctor_id.to_string()),
                service_name: appointment
                    .planned_service_id
                    .and_then(|id| services.get(&id).cloned()),
                appointment,
            })
        })
        .collect()
}

// --- free slots ----------------------------------------------------------------------------

/// The start times, in the clinic's time zone, at which the doctor could see someone for
/// `duration_minutes` on `date`: every [`SLOT_STEP_MINUTES`] minutes of local time from
/// the start of each opening interval of that weekday (rounded up to a multiple of the
/// step), such that the whole duration fits in that one interval, overlaps none of the
/// doctor's blocking appointments, and does not start in the past. Times are stepped as
/// instants (`Zoned` arithmetic), so a day with a DST change gets the slots it really has.
/// An unknown employee is 404; one who may not be a doctor is 422 on `doctor_id`.
pub async fn free_slots(
    store: &Store,
    doctor_id: i64,
    date: jiff::civil::Date,
    duration_minutes: i64,
) -> Result<Vec<Zoned>, ServiceError> {
    if !(1..=MAX_MINUTES).contains(&duration_minutes) {
        return Err(ServiceError::invalid_coded(
            FieldError::coded(
                "duration_minutes",
                "duration",
                format!("must be from 1 to {MAX_MINUTES} minutes"),
            )
            .arg("max", MAX_MINUTES),
        ));
    }
    if dcms_store::staff::find(store.connection(), doctor_id)
        .await?
        .is_none()
    {
        return Err(ServiceError::NotFound("doctor"));
    }
    staff::check_doctor(store.connection(), doctor_id, "doctor_id").await?;
    let clinic = settings::get(store).await?;
    let tz = clinic.time_zone();
    let intervals = clinic.opening_hours.intervals(date.weekday());
    let local = |time: jiff::civil::Time| -> Result<Zoned, ServiceError> {
        date.to_datetime(time)
            .to_zoned(tz.clone())
            .map_err(|e| ServiceError::Internal(format!("opening hours on {date}: {e}")))
    };
    let mut windows = Vec::with_capacity(intervals.len());
    for &(open, close) in intervals {
        let minute = i64::from(open.hour()) * 60 + i64::from(open.minute());
        let late = (SLOT_STEP_MINUTES - minute % SLOT_STEP_MINUTES) % SLOT_STEP_MINUTES;
        let first = local(open)?
            .checked_add(late.minutes())
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        windows.push((first, local(close)?));
    }
    let (Some(day_from), Some(day_to)) = (
        windows.first().map(|w| w.0.timestamp()),
        windows.last().map(|w| w.1.timestamp()),
    ) else {
        return Ok(Vec::new());
    };
    let busy: Vec<(Timestamp, Timestamp)> = repo::blocking_of_doctor(
        store.connection(),
        doctor_id,
        to_db(day_from),
        to_db(day_to),
    )
    .await?
    .into_iter()
    .map(|a| (from_db(a.start_at), from_db(a.end_at)))
    .collect();
    let current = Timestamp::now();
    let duration = duration_minutes.minutes();
    let step = SLOT_STEP_MINUTES.minutes();
    let mut slots = Vec::new();
    for (first, close) in windows {
        let mut start = first;
        loop {
            let Ok(end) = start.checked_add(duration) else {
                break;
            };
            if end.timestamp() > close.timestamp() {
                break;
            }
            let (s, e) = (start.timestamp(), end.timestamp());
            let taken = busy.iter().any(|&(bs, be)| bs < e && s < be);
            if s >= current && !taken {
                slots.push(start.clone());
            }
            match start.checked_add(step) {
                Ok(next) => start = next,
                Err(_) => break,
            }
        }
    }
    Ok(slots)
}
