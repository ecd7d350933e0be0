//! Repository of appointments (`appointment`): the schedule of every doctor and patient.
//!
//! The rule that spans rows (no two overlapping appointments in a blocking status for one
//! doctor, nor for one patient) is kept by the services: a booking or a move locks the
//! doctor's employee row and the patient's row (`staff::find_for_update`,
//! `patients::lock`; SQLite's write transaction holds the database lock already) before it
//! looks for an overlap with [`first_overlap`] and writes.
//!
//! Intervals are half-open, `[start_at, end_at)`: an appointment ending at 10:00 and one
//! starting at 10:00 do not overlap. No appointment lasts longer than [`LONGEST`], so an
//! overlap search is a bounded range on the index `(doctor_id, start_at)` or
//! `(patient_id, start_at)`.

use crate::StoreError;
use crate::entity::appointment;
use crate::time::DbTimestamp;
use dcms_domain::AppointmentStatus;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, RuntimeErr, Set,
};

/// The longest an appointment may last. The services refuse longer ones; the overlap search
/// relies on it (an appointment overlapping `[start, end)` starts after `start - LONGEST`).
pub const LONGEST: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// The codes of the statuses that occupy a slot (reserved, confirmed, came).
pub fn blocking_codes() -> Vec<i16> {
    AppointmentStatus::ALL
        .iter()
        .filter(|s| s.blocks_slot())
        .map(|s| s.code())
        .collect()
}

/// An appointment to insert (values already validated).
#[derive(Debug, Clone)]
pub struct NewAppointment {
    pub patient_id: i64,
    pub doctor_id: i64,
    pub receptionist_id: Option<i64>,
    pub start_at: DbTimestamp,
    pub end_at: DbTimestamp,
    pub status: AppointmentStatus,
    pub is_new_patient: bool,
    pub planned_service: Option<i64>,
    pub note: Option<String>,
    pub chair_id: Option<i64>,
    pub now: DbTimestamp,
}

pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewAppointment,
) -> Result<appointment::Model, StoreError> {
    Ok(appointment::ActiveModel {
        patient_id: Set(new.patient_id),
        doctor_id: Set(new.doctor_id),
        receptionist_id: Set(new.receptionist_id),
        start_at: Set(new.start_at),
        end_at: Set(new.end_at),
        status: Set(new.status.code()),
        is_new_patient: Set(new.is_new_patient),
        planned_service: Set(new.planned_service),
        note: Set(new.note),
        chair_id: Set(new.chair_id),
        arrived_at: Set(None),
        created_at: Set(new.now),
        updated_at: Set(new.now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// An appointment by id.
pub async fn find(
    db: &impl ConnectionTrait,
    appointment_id: i64,
) -> Result<Option<appointment::Model>, StoreError> {
    Ok(appointment::Entity::find_by_id(appointment_id)
        .one(db)
        .await?)
}

/// An appointment by id, its row locked until the end of the transaction (`FOR UPDATE`; on
/// SQLite the write transaction already holds the lock). Changes of one appointment take
/// this lock first, before the doctor's and the patient's rows.
pub async fn lock(
    db: &impl ConnectionTrait,
    appointment_id: i64,
) -> Result<Option<appointment::Model>, StoreError> {
    Ok(appointment::Entity::find_by_id(appointment_id)
        .lock_exclusive()
        .one(db)
        .await?)
}

/// Writes a changed appointment (every column but the id, the patient, the receptionist,
/// `is_new_patient` and `created_at`).
pub async fn save(
    db: &impl ConnectionTrait,
    changed: appointment::Model,
) -> Result<appointment::Model, StoreError> {
    let mut row: appointment::ActiveModel = changed.clone().into();
    row.doctor_id = Set(changed.doctor_id);
    row.start_at = Set(changed.start_at);
    row.end_at = Set(changed.end_at);
    row.status = Set(changed.status);
    row.planned_service = Set(changed.planned_service);
    row.note = Set(changed.note);
    row.chair_id = Set(changed.chair_id);
    row.arrived_at = Set(changed.arrived_at);
    row.updated_at = Set(changed.updated_at);
    Ok(row.update(db).await?)
}

/// Whose schedule an overlap search looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Doctor(i64),
    Patient(i64),
    Chair(i64),
}

/// The earliest appointment of `party` in a blocking status that overlaps `[start, end)`
/// (other than `except`, the appointment being moved), if any. Run it after the party's
/// row is locked, so that it sees every booking committed before.
pub async fn first_overlap(
    db: &impl ConnectionTrait,
    party: Party,
    start: DbTimestamp,
    end: DbTimestamp,
    except: Option<i64>,
) -> Result<Option<appointment::Model>, StoreError> {
    use appointment::Column;
    let mut query = appointment::Entity::find()
        .filter(match party {
            Party::Doctor(id) => Column::DoctorId.eq(id),
            Party::Patient(id) => Column::PatientId.eq(id),
            Party::Chair(id) => Column::ChairId.eq(id),
        })
        // A bounded range on the index: nothing longer than LONGEST starts earlier.
        .filter(Column::StartAt.gt(start - LONGEST))
        .filter(Column::StartAt.lt(end))
        .filter(Column::EndAt.gt(start))
        .filter(Column::Status.is_in(blocking_codes()));
    if let Some(id) = except {
        query = query.filter(Column::AppointmentId.ne(id));
    }
    Ok(query
        .order_by_asc(Column::StartAt)
        .order_by_asc(Column::AppointmentId)
        .one(db)
        .await?)
}

/// The doctor's appointments in a blocking status that overlap `[from, to)`, by start.
pub async fn blocking_of_doctor(
    db: &impl ConnectionTrait,
    doctor_id: i64,
    from: DbTimestamp,
    to: DbTimestamp,
) -> Result<Vec<appointment::Model>, StoreError> {
    use appointment::Column;
    Ok(appointment::Entity::find()
        .filter(Column::DoctorId.eq(doctor_id))
        .filter(Column::StartAt.gt(from - LONGEST))
        .filter(Column::StartAt.lt(to))
        .filter(Column::EndAt.gt(from))
        .filter(Column::Status.is_in(blocking_codes()))
        .order_by_asc(Column::StartAt)
        .order_by_asc(Column::AppointmentId)
        .all(db)
        .await?)
}

/// Every appointment in a blocking status that overlaps `[from, to)` (of the doctors given,
/// or of every doctor), by start.
pub async fn blocking_between(
    db: &impl ConnectionTrait,
    doctor_ids: Option<&[i64]>,
    from: DbTimestamp,
    to: DbTimestamp,
) -> Result<Vec<appointment::Model>, StoreError> {
    use appointment::Column;
    let mut query = appointment::Entity::find()
        .filter(Column::StartAt.gt(from - LONGEST))
        .filter(Column::StartAt.lt(to))
        .filter(Column::EndAt.gt(from))
        .filter(Column::Status.is_in(blocking_codes()));
    if let Some(ids) = doctor_ids {
        query = query.filter(Column::DoctorId.is_in(ids.iter().copied()));
    }
    Ok(query
        .order_by_asc(Column::StartAt)
        .order_by_asc(Column::AppointmentId)
        .all(db)
        .await?)
}

/// The appointments in status came that start in `[from, to)`: the waiting room, by arrival.
pub async fn arrived(
    db: &impl ConnectionTrait,
    from: DbTimestamp,
    to: DbTimestamp,
) -> Result<Vec<appointment::Model>, StoreError> {
    use appointment::Column;
    Ok(appointment::Entity::find()
        .filter(Column::StartAt.gte(from))
        .filter(Column::StartAt.lt(to))
        .filter(Column::Status.eq(AppointmentStatus::Came.code()))
        .order_by_asc(Column::ArrivedAt)
        .order_by_asc(Column::AppointmentId)
        .all(db)
        .await?)
}

/// Whether the patient has been seen: an appointment in status came or finished, or a
/// treatment (`is_new_patient` is its negation at booking time).
pub async fn has_visit(db: &impl ConnectionTrait, patient_id: i64) -> Result<bool, StoreError> {
    use appointment::Column;
    let arrived = appointment::Entity::find()
        .filter(Column::PatientId.eq(patient_id))
        .filter(Column::Status.is_in([
            AppointmentStatus::Came.code(),
            AppointmentStatus::Finished.code(),
        ]))
        .one(db)
        .await?;
    if arrived.is_some() {
        return Ok(true);
    }
    let treated = crate::entity::treatment::Entity::find()
        .filter(crate::entity::treatment::Column::PatientId.eq(patient_id))
        .one(db)
        .await?;
    Ok(treated.is_some())
}

/// Which appointments [`list`] returns.
#[derive(Debug, Clone, Default)]
pub struct AppointmentFilter {
    /// Starting at or after this instant.
    pub from: Option<DbTimestamp>,
    /// Starting before this instant.
    pub to: Option<DbTimestamp>,
    pub doctor_id: Option<i64>,
    pub patient_id: Option<i64>,
    /// Any of these statuses (empty: every status).
    pub statuses: Vec<AppointmentStatus>,
}

/// Appointments ordered by `(start_at, appointment_id)`, after `after` (keyset pagination).
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &AppointmentFilter,
    after: Option<(DbTimestamp, i64)>,
    limit: u64,
) -> Result<Vec<appointment::Model>, StoreError> {
    use appointment::Column;
    let mut query = appointment::Entity::find();
    if let Some(from) = filter.from {
        query = query.filter(Column::StartAt.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(Column::StartAt.lt(to));
    }
    if let Some(id) = filter.doctor_id {
        query = query.filter(Column::DoctorId.eq(id));
    }
    if let Some(id) = filter.patient_id {
        query = query.filter(Column::PatientId.eq(id));
    }
    if !filter.statuses.is_empty() {
        query = query.filter(Column::Status.is_in(filter.statuses.iter().map(|s| s.code())));
    }
    if let Some((start_at, id)) = after {
        query = query.filter(
            Condition::all().add(Column::StartAt.gte(start_at)).add(
                Condition::any().add(Column::StartAt.gt(start_at)).add(
                    Condition::all()
                        .add(Column::StartAt.eq(start_at))
                        .add(Column::AppointmentId.gt(id)),
                ),
            ),
        );
    }
    Ok(query
        .order_by_asc(Column::StartAt)
        .order_by_asc(Column::AppointmentId)
        .limit(limit)
        .all(db)
        .await?)
}

/// Whether a failed transaction may succeed when run again from the start: a deadlock or a
/// serialisation failure (PostgreSQL `40001`, `40P01`; MySQL/MariaDB 1213 deadlock, 1205
/// lock wait timeout), or SQLite reporting the database busy or locked.
pub fn is_retryable(err: &StoreError) -> bool {
    match err {
        StoreError::Database(e) => is_retryable_db(e),
        _ => false,
    }
}

/// [`is_retryable`] of a database error.
pub fn is_retryable_db(err: &DbErr) -> bool {
    let (DbErr::Exec(RuntimeErr::SqlxError(e))
    | DbErr::Query(RuntimeErr::SqlxError(e))
    | DbErr::Conn(RuntimeErr::SqlxError(e))) = err
    else {
        return false;
    };
    let sea_orm::sqlx::Error::Database(db_err) = e.as_ref() else {
        return false;
    };
    #[cfg(feature = "mysql")]
    if let Some(my) = db_err.try_downcast_ref::<sea_orm::sqlx::mysql::MySqlDatabaseError>() {
        return matches!(my.number(), 1213 | 1205);
    }
    #[cfg(feature = "sqlite")]
    if db_err
        .try_downcast_ref::<sea_orm::sqlx::sqlite::SqliteError>()
        .is_some()
    {
        // SQLITE_BUSY (5), SQLITE_LOCKED (6) and their extended codes.
        return db_err
            .code()
            .and_then(|c| c.parse::<i32>().ok())
            .is_some_and(|c| matches!(c & 0xff, 5 | 6));
    }
    // PostgreSQL: serialization_failure, deadlock_detected.
    matches!(db_err.code().as_deref(), Some("40001" | "40P01"))
}
