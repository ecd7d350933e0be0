//! Repository of the SMS outbox (`sms_outbox`) as the sending worker and the reminders use
//! it: claiming a due message, moving it between states, and the reads the reminders need.
//! Rows are created by `comms::insert_outbox`.
//!
//! Every state change is a guarded `UPDATE ... WHERE sms_outbox_id = ? AND state = <from>`:
//! it changes the row only if no one else moved it first, and says whether it did. That is
//! what keeps two workers (two servers on one PostgreSQL or MariaDB database) from both
//! taking one message: the loser's `UPDATE` waits for the winner's row lock, then finds the
//! state changed and touches nothing. On SQLite the write transaction already serialises
//! them.

use crate::StoreError;
use crate::entity::{appointment, sms_outbox};
use crate::time::DbTimestamp;
use dcms_domain::SmsState;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// What a state change writes besides the state and `updated_at`.
#[derive(Debug, Clone, Default)]
pub struct Change {
    /// Adds one to `attempts` (a claim for sending).
    pub count_attempt: bool,
    /// Sets `next_attempt_at`.
    pub next_attempt_at: Option<DbTimestamp>,
    /// Sets `last_error` (`Some(None)` clears it).
    pub last_error: Option<Option<String>>,
    /// Sets `sms_id` (the `sms` row of a sent message).
    pub sms_id: Option<i64>,
}

/// Moves row `id` from state `from` to `to` with `change`; false when the row is not (or no
/// longer) in `from`, in which case nothing was written.
pub async fn transition(
    db: &impl ConnectionTrait,
    id: i64,
    from: SmsState,
    to: SmsState,
    change: Change,
    now: DbTimestamp,
) -> Result<bool, StoreError> {
    use sms_outbox::Column as C;
    let mut update = sms_outbox::Entity::update_many()
        .col_expr(C::State, Expr::value(to.code()))
        .col_expr(C::UpdatedAt, Expr::value(now));
    if change.count_attempt {
        update = update.col_expr(C::Attempts, Expr::col(C::Attempts).add(1));
    }
    if let Some(at) = change.next_attempt_at {
        update = update.col_expr(C::NextAttemptAt, Expr::value(at));
    }
    if let Some(error) = change.last_error {
        update = update.col_expr(C::LastError, Expr::value(error));
    }
    if let Some(sms_id) = change.sms_id {
        update = update.col_expr(C::SmsId, Expr::value(sms_id));
    }
    let result = update
        .filter(C::SmsOutboxId.eq(id))
        .filter(C::State.eq(from.code()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// One row by id.
pub async fn find(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<sms_outbox::Model>, StoreError> {
    Ok(sms_outbox::Entity::find_by_id(id).one(db).await?)
}

/// The rows in one state, oldest first (at start-up: the ones a crash left in `sending`).
pub async fn in_state(
    db: &impl ConnectionTrait,
    state: SmsState,
) -> Result<Vec<sms_outbox::Model>, StoreError> {
    Ok(sms_outbox::Entity::find()
        .filter(sms_outbox::Column::State.eq(state.code()))
        .order_by_asc(sms_outbox::Column::SmsOutboxId)
        .all(db)
        .await?)
}

/// The queued message that is due first (`next_attempt_at <= now`), if any; read through
/// the index `(state, next_attempt_at)`.
pub async fn next_due(
    db: &impl ConnectionTrait,
    now: DbTimestamp,
) -> Result<Option<sms_outbox::Model>, StoreError> {
    Ok(sms_outbox::Entity::find()
        .filter(sms_outbox::Column::State.eq(SmsState::Queued.code()))
        .filter(sms_outbox::Column::NextAttemptAt.lte(now))
        .order_by_asc(sms_outbox::Column::NextAttemptAt)
        .order_by_asc(sms_outbox::Column::SmsOutboxId)
        .limit(1)
        .one(db)
        .await?)
}

/// Whether a reminder of this appointment for this start time exists (in any state).
pub async fn reminder_exists(
    db: &impl ConnectionTrait,
    appointment_id: i64,
    start_at: DbTimestamp,
) -> Result<bool, StoreError> {
    Ok(sms_outbox::Entity::find()
        .filter(sms_outbox::Column::AppointmentId.eq(appointment_id))
        .filter(sms_outbox::Column::ReminderForStartAt.eq(start_at))
        .one(db)
        .await?
        .is_some())
}

/// Which of `appointment_ids` had a reminder sent (state sent).
pub async fn reminded(
    db: &impl ConnectionTrait,
    appointment_ids: &[i64],
) -> Result<Vec<i64>, StoreError> {
    if appointment_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(sms_outbox::Entity::find()
        .select_only()
        .column(sms_outbox::Column::AppointmentId)
        .filter(sms_outbox::Column::AppointmentId.is_in(appointment_ids.iter().copied()))
        .filter(sms_outbox::Column::State.eq(SmsState::Sent.code()))
        .into_tuple::<Option<i64>>()
        .all(db)
        .await?
        .into_iter()
        .flatten()
        .collect())
}

/// The reminder most recently sent to a number (state sent, with an appointment), if any.
pub async fn last_sent_reminder_to(
    db: &impl ConnectionTrait,
    phone_number: &str,
) -> Result<Option<sms_outbox::Model>, StoreError> {
    Ok(sms_outbox::Entity::find()
        .filter(sms_outbox::Column::PhoneNumber.eq(phone_number))
        .filter(sms_outbox::Column::State.eq(SmsState::Sent.code()))
        .filter(sms_outbox::Column::AppointmentId.is_not_null())
        .order_by_desc(sms_outbox::Column::UpdatedAt)
        .order_by_desc(sms_outbox::Column::SmsOutboxId)
        .one(db)
        .await?)
}

/// The appointments in the given statuses starting in `[from, to)`, by start time.
pub async fn appointments_starting(
    db: &impl ConnectionTrait,
    from: DbTimestamp,
    to: DbTimestamp,
    statuses: &[i16],
) -> Result<Vec<appointment::Model>, StoreError> {
    Ok(appointment::Entity::find()
        .filter(appointment::Column::StartAt.gte(from))
        .filter(appointment::Column::StartAt.lt(to))
        .filter(appointment::Column::Status.is_in(statuses.iter().copied()))
        .order_by_asc(appointment::Column::StartAt)
        .order_by_asc(appointment::Column::AppointmentId)
        .all(db)
        .await?)
}

/// Who a reminder is for and from: the patient, their primary phone number (None if, against
/// the rules, they have none) and the doctor (None if the row is missing).
pub async fn reminder_parties(
    db: &impl ConnectionTrait,
    patient_id: i64,
    doctor_id: i64,
) -> Result<
    Option<(
        crate::entity::patient::Model,
        Option<String>,
        Option<crate::entity::employee::Model>,
    )>,
    StoreError,
> {
    use crate::entity::{employee, patient, patient_phone};
    let Some(patient) = patient::Entity::find_by_id(patient_id).one(db).await? else {
        return Ok(None);
    };
    let phone = patient_phone::Entity::find()
        .filter(patient_phone::Column::PatientId.eq(patient_id))
        .filter(patient_phone::Column::IsPrimary.eq(true))
        .order_by_asc(patient_phone::Column::PhoneNumberId)
        .one(db)
        .await?
        .map(|p| p.phone_number_val);
    let doctor = employee::Entity::find_by_id(doctor_id).one(db).await?;
    Ok(Some((patient, phone, doctor)))
}

/// One appointment by id.
pub async fn appointment(
    db: &impl ConnectionTrait,
    appointment_id: i64,
) -> Result<Option<appointment::Model>, StoreError> {
    Ok(appointment::Entity::find_by_id(appointment_id)
        .one(db)
        .await?)
}

/// How many messages wait in each state but `sent` (the outbox's depth, for `/metrics`):
/// counted through the index on `state`, never over the sent ones, which only grow.
pub async fn depth(db: &impl ConnectionTrait) -> Result<Vec<(SmsState, u64)>, StoreError> {
    let waiting: Vec<i16> = SmsState::ALL
        .iter()
        .filter(|s| **s != SmsState::Sent)
        .map(|s| s.code())
        .collect();
    let rows: Vec<(i16, i64)> = sms_outbox::Entity::find()
        .select_only()
        .column(sms_outbox::Column::State)
        .column_as(sms_outbox::Column::SmsOutboxId.count(), "n")
        .filter(sms_outbox::Column::State.is_in(waiting))
        .group_by(sms_outbox::Column::State)
        .into_tuple()
        .all(db)
        .await?;
    Ok(SmsState::ALL
        .iter()
        .filter(|s| **s != SmsState::Sent)
        .map(|state| {
            let n = rows
                .iter()
                .find(|(code, _)| *code == state.code())
                .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0));
            (*state, n)
        })
        .collect())
}
