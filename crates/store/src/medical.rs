//! Repository of medical histories (`medical_history`): one row per version, never changed;
//! the latest version is the history. The service checks the contents and the version.

use crate::StoreError;
use crate::entity::medical_history;
use crate::time::DbTimestamp;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

/// A version to add (values already validated and serialised).
#[derive(Debug, Clone)]
pub struct NewVersion {
    pub patient_id: i64,
    pub version: i32,
    pub allergies: String,
    pub conditions: String,
    pub medications: Option<String>,
    pub notes: Option<String>,
    pub reviewed_at: Option<DbTimestamp>,
    pub updated_by: Option<i64>,
    pub now: DbTimestamp,
}

/// Adds a version; one already there for the patient is [`StoreError::Conflict`].
pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewVersion,
) -> Result<medical_history::Model, StoreError> {
    Ok(medical_history::ActiveModel {
        patient_id: Set(new.patient_id),
        version: Set(new.version),
        allergies: Set(new.allergies),
        conditions: Set(new.conditions),
        medications: Set(new.medications),
        notes: Set(new.notes),
        reviewed_at: Set(new.reviewed_at),
        updated_at: Set(new.now),
        updated_by: Set(new.updated_by),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// A patient's latest version, if any.
pub async fn latest(
    db: &impl ConnectionTrait,
    patient_id: i64,
) -> Result<Option<medical_history::Model>, StoreError> {
    use medical_history::Column;
    Ok(medical_history::Entity::find()
        .filter(Column::PatientId.eq(patient_id))
        .order_by_desc(Column::Version)
        .limit(1)
        .one(db)
        .await?)
}

/// The latest version of each of these patients (for the book's alerts).
pub async fn latest_of(
    db: &impl ConnectionTrait,
    patient_ids: &[i64],
) -> Result<Vec<medical_history::Model>, StoreError> {
    use medical_history::Column;
    if patient_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = medical_history::Entity::find()
        .filter(Column::PatientId.is_in(patient_ids.iter().copied()))
        .order_by_asc(Column::PatientId)
        .order_by_desc(Column::Version)
        .all(db)
        .await?;
    let mut latest: Vec<medical_history::Model> = Vec::new();
    for row in rows {
        if latest.last().is_none_or(|l| l.patient_id != row.patient_id) {
            latest.push(row);
        }
    }
    Ok(latest)
}

/// Every version of a patient's history, newest first (at most `limit`).
pub async fn versions(
    db: &impl ConnectionTrait,
    patient_id: i64,
    limit: u64,
) -> Result<Vec<medical_history::Model>, StoreError> {
    use medical_history::Column;
    Ok(medical_history::Entity::find()
        .filter(Column::PatientId.eq(patient_id))
        .order_by_desc(Column::Version)
        .limit(limit)
        .all(db)
        .await?)
}
