//! Repository of findings (`finding`): what a doctor found on a patient's tooth. Findings are
//! resolved, never deleted; the service checks kinds, surfaces and teeth.

use crate::StoreError;
use crate::entity::finding;
use crate::time::DbTimestamp;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

/// A finding to insert (values already validated).
#[derive(Debug, Clone)]
pub struct NewFinding {
    pub patient_id: i64,
    pub tooth_id: i64,
    pub kind: i16,
    pub surfaces: i32,
    pub note: Option<String>,
    pub recorded_by: Option<i64>,
    pub now: DbTimestamp,
}

pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewFinding,
) -> Result<finding::Model, StoreError> {
    Ok(finding::ActiveModel {
        patient_id: Set(new.patient_id),
        tooth_id: Set(new.tooth_id),
        kind: Set(new.kind),
        surfaces: Set(new.surfaces),
        note: Set(new.note),
        recorded_at: Set(new.now),
        recorded_by: Set(new.recorded_by),
        resolved_at: Set(None),
        resolved_by_item_id: Set(None),
        updated_at: Set(new.now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

pub async fn find(
    db: &impl ConnectionTrait,
    finding_id: i64,
) -> Result<Option<finding::Model>, StoreError> {
    Ok(finding::Entity::find_by_id(finding_id).one(db).await?)
}

/// A finding locked until the end of the transaction.
pub async fn lock(
    db: &impl ConnectionTrait,
    finding_id: i64,
) -> Result<Option<finding::Model>, StoreError> {
    Ok(finding::Entity::find_by_id(finding_id)
        .lock_exclusive()
        .one(db)
        .await?)
}

/// Writes every column of a changed finding.
pub async fn save(
    db: &impl ConnectionTrait,
    changed: finding::Model,
) -> Result<finding::Model, StoreError> {
    let row: finding::ActiveModel = changed.into();
    Ok(row.reset_all().update(db).await?)
}

/// A patient's findings (open ones only when `open_only`), by tooth, newest first.
pub async fn of_patient(
    db: &impl ConnectionTrait,
    patient_id: i64,
    open_only: bool,
) -> Result<Vec<finding::Model>, StoreError> {
    use finding::Column;
    let mut query = finding::Entity::find().filter(Column::PatientId.eq(patient_id));
    if open_only {
        query = query.filter(Column::ResolvedAt.is_null());
    }
    Ok(query
        .order_by_asc(Column::ToothId)
        .order_by_desc(Column::RecordedAt)
        .order_by_desc(Column::FindingId)
        .all(db)
        .await?)
}

/// The findings of one tooth of a patient, newest first (recorded, then lowest id first),
/// before a keyset position `(instant, signed id)` of a tooth's history (see the service:
/// items carry positive ids, findings negative), at most `limit`.
pub async fn of_tooth(
    db: &impl ConnectionTrait,
    patient_id: i64,
    tooth_id: i64,
    before: Option<(DbTimestamp, i64)>,
    limit: u64,
) -> Result<Vec<finding::Model>, StoreError> {
    use finding::Column;
    let mut query = finding::Entity::find()
        .filter(Column::PatientId.eq(patient_id))
        .filter(Column::ToothId.eq(tooth_id));
    if let Some((at, signed)) = before {
        let same = if signed > 0 {
            Condition::all().add(Column::RecordedAt.eq(at))
        } else {
            Condition::all()
                .add(Column::RecordedAt.eq(at))
                .add(Column::FindingId.gt(-signed))
        };
        query = query.filter(Condition::any().add(Column::RecordedAt.lt(at)).add(same));
    }
    Ok(query
        .order_by_desc(Column::RecordedAt)
        .order_by_asc(Column::FindingId)
        .limit(limit)
        .all(db)
        .await?)
}

/// Marks open findings resolved by a treatment item at `at`; answers how many changed.
pub async fn resolve_by_item(
    db: &impl ConnectionTrait,
    finding_ids: &[i64],
    treatment_item_id: i64,
    at: DbTimestamp,
) -> Result<u64, StoreError> {
    if finding_ids.is_empty() {
        return Ok(0);
    }
    use finding::Column;
    Ok(finding::Entity::update_many()
        .col_expr(Column::ResolvedAt, Expr::value(at))
        .col_expr(Column::ResolvedByItemId, Expr::value(treatment_item_id))
        .col_expr(Column::UpdatedAt, Expr::value(at))
        .filter(Column::FindingId.is_in(finding_ids.iter().copied()))
        .filter(Column::ResolvedAt.is_null())
        .exec(db)
        .await?
        .rows_affected)
}

/// Opens again the findings a treatment item resolved (the item is being removed); answers
/// their ids.
pub async fn reopen_resolved_by(
    db: &impl ConnectionTrait,
    treatment_item_id: i64,
    at: DbTimestamp,
) -> Result<Vec<i64>, StoreError> {
    use finding::Column;
    let ids: Vec<i64> = finding::Entity::find()
        .select_only()
        .column(Column::FindingId)
        .filter(Column::ResolvedByItemId.eq(treatment_item_id))
        .into_tuple()
        .all(db)
        .await?;
    if !ids.is_empty() {
        finding::Entity::update_many()
            .col_expr(Column::ResolvedAt, Expr::value(Option::<DbTimestamp>::None))
            .col_expr(Column::ResolvedByItemId, Expr::value(Option::<i64>::None))
            .col_expr(Column::UpdatedAt, Expr::value(at))
            .filter(Column::FindingId.is_in(ids.iter().copied()))
            .exec(db)
            .await?;
    }
    Ok(ids)
}
