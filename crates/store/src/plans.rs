//! Repository of treatment plans (`treatment_plan`), their items (`treatment_plan_item`,
//! the catalog's price copied when added) and the items' teeth (`treatment_plan_item_tooth`,
//! FDI rows). Plans are never deleted (canceled instead); a planned item is (a change of the
//! plan while it is a draft or presented, audited by the service).

use crate::StoreError;
use crate::entity::{treatment_plan, treatment_plan_item, treatment_plan_item_tooth};
use crate::time::DbTimestamp;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

/// A plan to insert (values already validated).
#[derive(Debug, Clone)]
pub struct NewPlan {
    pub patient_id: i64,
    pub doctor_id: i64,
    pub title: Option<String>,
    pub note: Option<String>,
    pub status: i16,
    pub now: DbTimestamp,
}

pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewPlan,
) -> Result<treatment_plan::Model, StoreError> {
    Ok(treatment_plan::ActiveModel {
        patient_id: Set(new.patient_id),
        doctor_id: Set(new.doctor_id),
        title: Set(new.title),
        note: Set(new.note),
        status: Set(new.status),
        discount: Set(0),
        cancel_reason: Set(None),
        created_at: Set(new.now),
        updated_at: Set(new.now),
        presented_at: Set(None),
        accepted_at: Set(None),
        closed_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

pub async fn find(
    db: &impl ConnectionTrait,
    plan_id: i64,
) -> Result<Option<treatment_plan::Model>, StoreError> {
    Ok(treatment_plan::Entity::find_by_id(plan_id).one(db).await?)
}

/// A plan locked until the end of the transaction: every change of a plan or its items
/// takes this lock first.
pub async fn lock(
    db: &impl ConnectionTrait,
    plan_id: i64,
) -> Result<Option<treatment_plan::Model>, StoreError> {
    Ok(treatment_plan::Entity::find_by_id(plan_id)
        .lock_exclusive()
        .one(db)
        .await?)
}

/// Writes every column of a changed plan.
pub async fn save(
    db: &impl ConnectionTrait,
    changed: treatment_plan::Model,
) -> Result<treatment_plan::Model, StoreError> {
    let row: treatment_plan::ActiveModel = changed.into();
    Ok(row.reset_all().update(db).await?)
}

/// A patient's plans, newest first.
pub async fn of_patient(
    db: &impl ConnectionTrait,
    patient_id: i64,
) -> Result<Vec<treatment_plan::Model>, StoreError> {
    use treatment_plan::Column;
    Ok(treatment_plan::Entity::find()
        .filter(Column::PatientId.eq(patient_id))
        .order_by_desc(Column::PlanId)
        .all(db)
        .await?)
}

/// An item to insert (values already validated, the price copied from the catalog).
#[derive(Debug, Clone)]
pub struct NewPlanItem {
    pub plan_id: i64,
    pub service_id: i64,
    pub scope: i16,
    pub dentition: Option<i16>,
    pub surfaces: i32,
    pub phase: i32,
    pub price: i64,
    pub status: i16,
    pub finding_id: Option<i64>,
    pub note: Option<String>,
    pub position: i32,
}

/// Inserts an item with its teeth (FDI ids).
pub async fn insert_item(
    db: &impl ConnectionTrait,
    new: NewPlanItem,
    teeth: &[i64],
) -> Result<treatment_plan_item::Model, StoreError> {
    let row = treatment_plan_item::ActiveModel {
        plan_id: Set(new.plan_id),
        service_id: Set(new.service_id),
        scope: Set(new.scope),
        dentition: Set(new.dentition),
        surfaces: Set(new.surfaces),
        phase: Set(new.phase),
        price: Set(new.price),
        status: Set(new.status),
        finding_id: Set(new.finding_id),
        treatment_item_id: Set(None),
        note: Set(new.note),
        position: Set(new.position),
        ..Default::default()
    }
    .insert(db)
    .await?;
    for &tooth_id in teeth {
        treatment_plan_item_tooth::ActiveModel {
            plan_item_id: Set(row.plan_item_id),
            tooth_id: Set(tooth_id),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(row)
}

/// The position after the plan's last item (1 for none).
pub async fn next_position(db: &impl ConnectionTrait, plan_id: i64) -> Result<i32, StoreError> {
    use treatment_plan_item::Column;
    let last: Option<Option<i32>> = treatment_plan_item::Entity::find()
        .select_only()
        .column_as(Column::Position.max(), "last")
        .filter(Column::PlanId.eq(plan_id))
        .into_tuple()
        .one(db)
        .await?;
    Ok(last.flatten().map_or(1, |p| p + 1))
}

pub async fn find_item(
    db: &impl ConnectionTrait,
    plan_item_id: i64,
) -> Result<Option<treatment_plan_item::Model>, StoreError> {
    Ok(treatment_plan_item::Entity::find_by_id(plan_item_id)
        .one(db)
        .await?)
}

/// An item read with a lock (`FOR UPDATE`): what it is now, whatever the transaction read
/// before (InnoDB's repeatable read answers a plain read from the transaction's snapshot).
pub async fn lock_item(
    db: &impl ConnectionTrait,
    plan_item_id: i64,
) -> Result<Option<treatment_plan_item::Model>, StoreError> {
    Ok(treatment_plan_item::Entity::find_by_id(plan_item_id)
        .lock_exclusive()
        .one(db)
        .await?)
}

/// Writes every column of a changed item.
pub async fn save_item(
    db: &impl ConnectionTrait,
    changed: treatment_plan_item::Model,
) -> Result<treatment_plan_item::Model, StoreError> {
    let row: treatment_plan_item::ActiveModel = changed.into();
    Ok(row.reset_all().update(db).await?)
}

/// Deletes an item (its teeth go with it).
pub async fn delete_item(db: &impl ConnectionTrait, plan_item_id: i64) -> Result<(), StoreError> {
    treatment_plan_item::Entity::delete_by_id(plan_item_id)
        .exec(db)
        .await?;
    Ok(())
}

/// The items of several plans, by plan, phase and position.
pub async fn items_of(
    db: &impl ConnectionTrait,
    plan_ids: &[i64],
) -> Result<Vec<treatment_plan_item::Model>, StoreError> {
    if plan_ids.is_empty() {
        return Ok(Vec::new());
    }
    use treatment_plan_item::Column;
    Ok(treatment_plan_item::Entity::find()
        .filter(Column::PlanId.is_in(plan_ids.iter().copied()))
        .order_by_asc(Column::PlanId)
        .order_by_asc(Column::Phase)
        .order_by_asc(Column::Position)
        .order_by_asc(Column::PlanItemId)
        .all(db)
        .await?)
}

/// The teeth of several items, in the dictionary's order.
pub async fn teeth_of(
    db: &impl ConnectionTrait,
    plan_item_ids: &[i64],
) -> Result<Vec<treatment_plan_item_tooth::Model>, StoreError> {
    if plan_item_ids.is_empty() {
        return Ok(Vec::new());
    }
    use treatment_plan_item_tooth::Column;
    Ok(treatment_plan_item_tooth::Entity::find()
        .filter(Column::PlanItemId.is_in(plan_item_ids.iter().copied()))
        .order_by_asc(Column::PlanItemId)
        .order_by_asc(Column::ToothId)
        .all(db)
        .await?)
}

/// The items a treatment item did (normally one).
pub async fn items_done_by(
    db: &impl ConnectionTrait,
    treatment_item_id: i64,
) -> Result<Vec<treatment_plan_item::Model>, StoreError> {
    use treatment_plan_item::Column;
    Ok(treatment_plan_item::Entity::find()
        .filter(Column::TreatmentItemId.eq(treatment_item_id))
        .all(db)
        .await?)
}

/// The items that name a finding (the finding's plan items).
pub async fn items_for_findings(
    db: &impl ConnectionTrait,
    finding_ids: &[i64],
) -> Result<Vec<treatment_plan_item::Model>, StoreError> {
    if finding_ids.is_empty() {
        return Ok(Vec::new());
    }
    use treatment_plan_item::Column;
    Ok(treatment_plan_item::Entity::find()
        .filter(Column::FindingId.is_in(finding_ids.iter().copied()))
        .all(db)
        .await?)
}
