//! Repository of medical histories (`medical_history`): one row per version, never changed;
//! the latest version is the history. The service checks the contents and the version.

use crate::StoreError;
use crate::entity::{medical_history, medical_questionnaire};
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

/// A questionnaire answered on the tablet.
pub async fn insert_questionnaire(
    db: &impl ConnectionTrait,
    patient_id: i64,
    answers: String,
    signature: Option<String>,
    submitted_by: Option<i64>,
    now: DbTimestamp,
) -> Result<medical_questionnaire::Model, StoreError> {
    Ok(medical_questionnaire::ActiveModel {
        patient_id: Set(patient_id),
        answers: Set(answers),
        signature: Set(signature),
        submitted_at: Set(now),
        submitted_by: Set(submitted_by),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// The patient's questionnaires not yet reviewed, oldest first.
pub async fn pending_questionnaires(
    db: &impl ConnectionTrait,
    patient_id: i64,
) -> Result<Vec<medical_questionnaire::Model>, StoreError> {
    use medical_questionnaire::Column;
    Ok(medical_questionnaire::Entity::find()
        .filter(Column::PatientId.eq(patient_id))
        .filter(Column::ReviewedAt.is_null())
        .order_by_asc(Column::QuestionnaireId)
        .limit(20)
        .all(db)
        .await?)
}

/// Marks a questionnaire reviewed into `version` (only one not reviewed yet; whether it was).
pub async fn mark_reviewed(
    db: &impl ConnectionTrait,
    questionnaire_id: i64,
    patient_id: i64,
    reviewed_by: Option<i64>,
    version: i32,
    now: DbTimestamp,
) -> Result<bool, StoreError> {
    use medical_questionnaire::Column;
    use sea_orm::sea_query::Expr;
    let done = medical_questionnaire::Entity::update_many()
        .col_expr(Column::ReviewedAt, Expr::value(now))
        .col_expr(Column::ReviewedBy, Expr::value(reviewed_by))
        .col_expr(Column::Version, Expr::value(version))
        .filter(Column::QuestionnaireId.eq(questionnaire_id))
        .filter(Column::PatientId.eq(patient_id))
        .filter(Column::ReviewedAt.is_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}
