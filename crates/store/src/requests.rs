//! Repository of the portal's appointment requests (`appointment_request`).

use crate::StoreError;
use crate::entity::appointment_request as request;
use crate::time::DbTimestamp;
use dcms_domain::RequestStatus;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

/// A request to insert (values validated; status open).
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub patient_id: i64,
    /// JSON `[{date, from?, to?}]`.
    pub preferred: String,
    pub reason: Option<String>,
    pub created_by: Option<i64>,
    pub now: DbTimestamp,
}

pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewRequest,
) -> Result<request::Model, StoreError> {
    Ok(request::ActiveModel {
        patient_id: Set(new.patient_id),
        preferred: Set(new.preferred),
        reason: Set(new.reason),
        status: Set(RequestStatus::Open.code()),
        appointment_id: Set(None),
        answer: Set(None),
        created_at: Set(new.now),
        created_by: Set(new.created_by),
        answered_at: Set(None),
        answered_by: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// How many open requests the patient has.
pub async fn open_count(db: &impl ConnectionTrait, patient_id: i64) -> Result<u64, StoreError> {
    use request::Column;
    Ok(request::Entity::find()
        .filter(Column::PatientId.eq(patient_id))
        .filter(Column::Status.eq(RequestStatus::Open.code()))
        .count(db)
        .await?)
}

/// A request, its row locked until the end of the transaction.
pub async fn lock(
    db: &impl ConnectionTrait,
    request_id: i64,
) -> Result<Option<request::Model>, StoreError> {
    Ok(request::Entity::find_by_id(request_id)
        .lock_exclusive()
        .one(db)
        .await?)
}

pub async fn find(
    db: &impl ConnectionTrait,
    request_id: i64,
) -> Result<Option<request::Model>, StoreError> {
    Ok(request::Entity::find_by_id(request_id).one(db).await?)
}

/// Requests in `status` (every status when None) of `patient_id` (everyone's when None),
/// oldest first, at most `limit`.
pub async fn list(
    db: &impl ConnectionTrait,
    status: Option<RequestStatus>,
    patient_id: Option<i64>,
    limit: u64,
) -> Result<Vec<request::Model>, StoreError> {
    use request::Column;
    let mut query = request::Entity::find();
    if let Some(status) = status {
        query = query.filter(Column::Status.eq(status.code()));
    }
    if let Some(id) = patient_id {
        query = query.filter(Column::PatientId.eq(id));
    }
    Ok(query
        .order_by_asc(Column::RequestId)
        .limit(limit)
        .all(db)
        .await?)
}

/// Records the answer: booked with an appointment, or declined with a reason.
pub async fn answer(
    db: &impl ConnectionTrait,
    row: request::Model,
    status: RequestStatus,
    appointment_id: Option<i64>,
    answer: Option<String>,
    by: Option<i64>,
    now: DbTimestamp,
) -> Result<request::Model, StoreError> {
    let mut active: request::ActiveModel = row.into();
    active.status = Set(status.code());
    active.appointment_id = Set(appointment_id);
    active.answer = Set(answer);
    active.answered_at = Set(Some(now));
    active.answered_by = Set(by);
    Ok(active.update(db).await?)
}
