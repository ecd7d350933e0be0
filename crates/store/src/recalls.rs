//! Repository of recalls (`recall`, one row per patient and service) and their contacts
//! (`recall_contact`).

use crate::StoreError;
use crate::entity::{recall, recall_contact};
use crate::time::DbTimestamp;
use chrono::NaiveDate;
use dcms_domain::RecallState;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

/// Sets the patient's recall for a service done: due on `due_date`, state due, not booked,
/// the doctor who did it. Creates the row the first time.
pub async fn set_due(
    db: &impl ConnectionTrait,
    patient_id: i64,
    service_id: i64,
    doctor_id: Option<i64>,
    due_date: NaiveDate,
    now: DbTimestamp,
) -> Result<recall::Model, StoreError> {
    use recall::Column;
    let existing = recall::Entity::find()
        .filter(Column::PatientId.eq(patient_id))
        .filter(Column::ServiceId.eq(service_id))
        .one(db)
        .await?;
    match existing {
        Some(row) => {
            let mut active: recall::ActiveModel = row.into();
            active.doctor_id = Set(doctor_id);
            active.due_date = Set(due_date);
            active.state = Set(RecallState::Due.code());
            active.appointment_id = Set(None);
            active.updated_at = Set(now);
            Ok(active.update(db).await?)
        }
        None => Ok(recall::ActiveModel {
            patient_id: Set(patient_id),
            service_id: Set(service_id),
            doctor_id: Set(doctor_id),
            due_date: Set(due_date),
            state: Set(RecallState::Due.code()),
            appointment_id: Set(None),
            last_contact_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?),
    }
}

pub async fn find(
    db: &impl ConnectionTrait,
    recall_id: i64,
) -> Result<Option<recall::Model>, StoreError> {
    Ok(recall::Entity::find_by_id(recall_id).one(db).await?)
}

/// A recall, its row locked until the end of the transaction.
pub async fn lock(
    db: &impl ConnectionTrait,
    recall_id: i64,
) -> Result<Option<recall::Model>, StoreError> {
    Ok(recall::Entity::find_by_id(recall_id)
        .lock_exclusive()
        .one(db)
        .await?)
}

/// Which recalls [`list`] returns.
#[derive(Debug, Clone, Default)]
pub struct RecallFilter {
    /// Any of these states (empty: every state).
    pub states: Vec<RecallState>,
    pub due_from: Option<NaiveDate>,
    pub due_to: Option<NaiveDate>,
    pub doctor_id: Option<i64>,
    pub patient_id: Option<i64>,
}

/// Recalls by `(due_date, recall_id)`, at most `limit`.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &RecallFilter,
    limit: u64,
) -> Result<Vec<recall::Model>, StoreError> {
    use recall::Column;
    let mut query = recall::Entity::find();
    if !filter.states.is_empty() {
        query = query.filter(Column::State.is_in(filter.states.iter().map(|s| s.code())));
    }
    if let Some(from) = filter.due_from {
        query = query.filter(Column::DueDate.gte(from));
    }
    if let Some(to) = filter.due_to {
        query = query.filter(Column::DueDate.lte(to));
    }
    if let Some(id) = filter.doctor_id {
        query = query.filter(Column::DoctorId.eq(id));
    }
    if let Some(id) = filter.patient_id {
        query = query.filter(Column::PatientId.eq(id));
    }
    Ok(query
        .order_by_asc(Column::DueDate)
        .order_by_asc(Column::RecallId)
        .limit(limit)
        .all(db)
        .await?)
}

/// Writes a changed recall's due date, state, appointment, last contact and `updated_at`.
pub async fn save(
    db: &impl ConnectionTrait,
    row: recall::Model,
) -> Result<recall::Model, StoreError> {
    let mut active: recall::ActiveModel = row.clone().into();
    active.due_date = Set(row.due_date);
    active.state = Set(row.state);
    active.appointment_id = Set(row.appointment_id);
    active.last_contact_at = Set(row.last_contact_at);
    active.updated_at = Set(row.updated_at);
    Ok(active.update(db).await?)
}

/// Marks the patient's due recalls with a due date on or before `up_to` booked by
/// `appointment_id`; returns how many.
pub async fn mark_booked(
    db: &impl ConnectionTrait,
    patient_id: i64,
    up_to: NaiveDate,
    appointment_id: i64,
    now: DbTimestamp,
) -> Result<u64, StoreError> {
    use recall::Column;
    Ok(recall::Entity::update_many()
        .col_expr(Column::State, Expr::value(RecallState::Booked.code()))
        .col_expr(Column::AppointmentId, Expr::value(appointment_id))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::PatientId.eq(patient_id))
        .filter(Column::State.eq(RecallState::Due.code()))
        .filter(Column::DueDate.lte(up_to))
        .exec(db)
        .await?
        .rows_affected)
}

/// Returns the recalls booked by `appointment_id` to due (the appointment was canceled or
/// missed).
pub async fn release(
    db: &impl ConnectionTrait,
    appointment_id: i64,
    now: DbTimestamp,
) -> Result<u64, StoreError> {
    use recall::Column;
    Ok(recall::Entity::update_many()
        .col_expr(Column::State, Expr::value(RecallState::Due.code()))
        .col_expr(Column::AppointmentId, Expr::value(Option::<i64>::None))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::AppointmentId.eq(appointment_id))
        .filter(Column::State.eq(RecallState::Booked.code()))
        .exec(db)
        .await?
        .rows_affected)
}

/// A contact to record.
#[derive(Debug, Clone)]
pub struct NewContact {
    pub recall_id: i64,
    pub channel: i16,
    pub note: Option<String>,
    pub sms_outbox_id: Option<i64>,
    pub created_by: Option<i64>,
    pub now: DbTimestamp,
}

pub async fn insert_contact(
    db: &impl ConnectionTrait,
    new: NewContact,
) -> Result<recall_contact::Model, StoreError> {
    Ok(recall_contact::ActiveModel {
        recall_id: Set(new.recall_id),
        channel: Set(new.channel),
        note: Set(new.note),
        sms_outbox_id: Set(new.sms_outbox_id),
        created_at: Set(new.now),
        created_by: Set(new.created_by),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// The contacts of a recall, newest first.
pub async fn contacts_of(
    db: &impl ConnectionTrait,
    recall_id: i64,
) -> Result<Vec<recall_contact::Model>, StoreError> {
    use recall_contact::Column;
    Ok(recall_contact::Entity::find()
        .filter(Column::RecallId.eq(recall_id))
        .order_by_desc(Column::RecallContactId)
        .all(db)
        .await?)
}
