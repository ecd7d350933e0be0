//! Appointments: booking, moving, the status machine, lists, and a doctor's free slots.
//!
//! Rules (docs/appointments.md):
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
//! * A booking, or a move to another start, more than `dcms_domain::BOOKING_GRACE` in the
//!   past is a manager's or an admin's (422 `appointment-in-past` on `start_at` for the
//!   front desk and doctors); came, finished and no-show wait for the appointment to start
//!   (`AppointmentStatus::move_at`, 422 on `status`).
//!
//! Every write is audited in its transaction (table `appointment`: `create`, `update`, and
//! `status` with `{"status": [from, to]}` and the `reason` when given).

use super::audit::AuditTrail;
use super::fields::Given;
use super::{Actor, FieldError, ServiceError, fields, patients, settings};
use dcms_domain::AppointmentStatus;
use dcms_store::audit::AuditEntry;
use dcms_store::entity::appointment;
use dcms_store::schedule::{self as repo, AppointmentFilter, Party};
use dcms_store::sea_orm::DatabaseTransaction;
use dcms_store::time::{from_db, to_db};
use dcms_store::{Store, StoreError};
use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Value, json};
use std::future::Future;
use std::time::Duration;

mod booking;
pub use booking::{AfterBooking, create, create_then, update};
mod status;
pub use status::set_status;
mod book;
pub use book::{BookEntry, BookMarks, choose_doctors, chosen_doctors, marks, with_names};
mod free_slots;
pub use free_slots::{FreeSlot, SlotQuery, free_slots, free_slots_of_doctor};
mod arrivals;
pub use arrivals::{Arrival, arrivals};

/// The table the audit trail names.
const TABLE: &str = "appointment";

/// Most doctors the book shows, and a user may choose for it.
pub const DOCTORS_MAX: u64 = 500;
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
    /// The chair it takes.
    pub chair_id: Option<i64>,
    /// When the patient arrived (status came).
    pub arrived_at: Option<Timestamp>,
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
            chair_id: row.chair_id,
            arrived_at: row.arrived_at.map(from_db),
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
            "chair_id": self.chair_id,
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
    /// The chair is taken by another blocking appointment at that time.
    #[error("{detail}")]
    ChairTaken {
        conflicting_appointment_id: i64,
        detail: String,
    },
    /// The time is outside the doctor's working hours (and no manager or admin overrode it).
    #[error("{0}")]
    OutsideWorkingHours(String),
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
    pub start_at: Given<Timestamp>,
    /// Default: start plus the planned service's duration, or 30 minutes.
    pub end_at: Given<Timestamp>,
    pub planned_service_id: Option<i64>,
    pub note: Option<String>,
    /// An active chair.
    pub chair_id: Option<i64>,
    /// Book outside the doctor's working hours (managers and admins; 403 otherwise).
    pub override_hours: bool,
}

/// A change of an appointment: `None` leaves a field as it is; `note: Some(None)` clears it,
/// and so does `chair_id: Some(None)`.
#[derive(Debug, Clone, Default)]
pub struct AppointmentChanges {
    /// A new start alone keeps the duration.
    pub start_at: Given<Timestamp>,
    pub end_at: Given<Timestamp>,
    pub doctor_id: Option<i64>,
    pub note: Option<Option<String>>,
    pub chair_id: Option<Option<i64>>,
    /// Move outside the doctor's working hours (managers and admins; 403 otherwise).
    pub override_hours: bool,
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

/// Refuses a start in the past ([`dcms_domain::is_past_booking`]: more than
/// [`dcms_domain::BOOKING_GRACE`] ago) unless `actor` is a manager or an admin: 422
/// `appointment-in-past` on `start_at`. A booking or a move into the past records a visit
/// afterwards, which the front desk leaves to them.
fn check_not_past(actor: Actor, start: Timestamp) -> Result<(), FieldError> {
    if dcms_domain::is_past_booking(start, Timestamp::now()) && !actor.may_override() {
        return Err(FieldError::coded(
            "start_at",
            "appointment-in-past",
            format!(
                "starts more than {} minutes ago: only a manager or an admin books or moves an appointment into the past",
                dcms_domain::BOOKING_GRACE.as_mins()
            ),
        )
        .arg("minutes", dcms_domain::BOOKING_GRACE.as_mins()));
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

/// Locks the rows an overlap check of `doctor_id`, `patient_id` and `chair_id` depends on,
/// in the one order every booking uses: the doctor's employee row, the patient's row, the
/// chair's row. These are the transaction's first reads after the appointment's own lock: on
/// MariaDB a plain read before them would fix the transaction's snapshot before the wait,
/// and the overlap checks would not see the booking it waited for. Returns whether the
/// patient exists; a chair that does not exist or is inactive is 422 on `chair_id`.
async fn lock_parties(
    txn: &DatabaseTransaction,
    doctor_id: i64,
    patient_id: i64,
    chair_id: Option<i64>,
) -> Result<bool, ServiceError> {
    dcms_store::staff::find_for_update(txn, doctor_id).await?;
    let patient = dcms_store::patients::lock(txn, patient_id).await?;
    if let Some(chair_id) = chair_id
        && !dcms_store::chairs::lock(txn, chair_id)
            .await?
            .is_some_and(|c| c.active)
    {
        return Err(ServiceError::invalid_coded(
            FieldError::coded(
                "chair_id",
                "chair-unknown",
                format!("there is no active chair {chair_id}"),
            )
            .arg("id", chair_id),
        ));
    }
    Ok(patient.is_some())
}

/// Refuses `[start, end)` when the chair, the doctor or the patient has a blocking
/// appointment overlapping it (other than `except`). Run after [`lock_parties`].
async fn check_free(
    txn: &DatabaseTransaction,
    doctor_id: i64,
    patient_id: i64,
    chair_id: Option<i64>,
    (start, end): (Timestamp, Timestamp),
    except: Option<i64>,
) -> Result<(), BookingError> {
    let (s, e) = (to_db(start), to_db(end));
    if let Some(chair_id) = chair_id
        && let Some(other) = repo::first_overlap(txn, Party::Chair(chair_id), s, e, except).await?
    {
        return Err(BookingError::ChairTaken {
            conflicting_appointment_id: other.appointment_id,
            detail: format!(
                "chair {chair_id} is taken by appointment {} from {} to {}",
                other.appointment_id,
                from_db(other.start_at),
                from_db(other.end_at)
            ),
        });
    }
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

/// Refuses `[start, end)` outside the doctor's working hours ([`hours::outside_hours`])
/// unless `override_hours` (checked to be a manager's or an admin's by the caller).
async fn check_hours(
    txn: &DatabaseTransaction,
    clinic: &settings::ClinicSettings,
    doctor_id: i64,
    (start, end): (Timestamp, Timestamp),
    override_hours: bool,
) -> Result<(), BookingError> {
    if override_hours {
        return Ok(());
    }
    match super::hours::outside_hours(txn, clinic, doctor_id, start, end).await? {
        None => Ok(()),
        Some(why) => Err(BookingError::OutsideWorkingHours(why)),
    }
}

/// Refuses (403) an override of the working hours by anyone but a manager or an admin.
fn check_override(actor: Actor, override_hours: bool) -> Result<(), ServiceError> {
    if override_hours && !actor.may_override() {
        return Err(ServiceError::Forbidden);
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
/// when it is neither. A bound beyond the instants a record may hold
/// ([`fields::STORED_INSTANTS`]) is moved to the nearest one: nothing lies beyond it, and
/// MariaDB compares no instant outside it.
pub fn parse_bound(clinic: &settings::ClinicSettings, value: &str, end: bool) -> Option<Timestamp> {
    let bound = match value.trim().parse::<Timestamp>() {
        Ok(ts) => ts,
        Err(_) => {
            let date: jiff::civil::Date = value.trim().parse().ok()?;
            let date = if end { date.tomorrow().ok()? } else { date };
            date.to_zoned(clinic.time_zone()).ok()?.timestamp()
        }
    };
    let (first, last) = (
        fields::STORED_INSTANTS.start,
        fields::STORED_INSTANTS.end - 1,
    );
    let second = bound.as_second().clamp(first, last);
    let bound = if second == bound.as_second() {
        bound
    } else {
        Timestamp::from_second(second).ok()?
    };
    fields::stored_instant("", bound).ok()
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
