//! Repository of chairs (`chair`): the clinic's rooms an appointment may take.

use crate::StoreError;
use crate::entity::chair;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

/// Every chair (or the active ones), by `(position, chair_id)`.
pub async fn list(
    db: &impl ConnectionTrait,
    active_only: bool,
) -> Result<Vec<chair::Model>, StoreError> {
    let mut query = chair::Entity::find();
    if active_only {
        query = query.filter(chair::Column::Active.eq(true));
    }
    Ok(query
        .order_by_asc(chair::Column::Position)
        .order_by_asc(chair::Column::ChairId)
        .all(db)
        .await?)
}

pub async fn find(
    db: &impl ConnectionTrait,
    chair_id: i64,
) -> Result<Option<chair::Model>, StoreError> {
    Ok(chair::Entity::find_by_id(chair_id).one(db).await?)
}

/// A chair, its row locked until the end of the transaction: bookings of one chair take
/// this lock after the doctor's and the patient's rows.
pub async fn lock(
    db: &impl ConnectionTrait,
    chair_id: i64,
) -> Result<Option<chair::Model>, StoreError> {
    Ok(chair::Entity::find_by_id(chair_id)
        .lock_exclusive()
        .one(db)
        .await?)
}

/// A chair by name (names are unique).
pub async fn by_name(
    db: &impl ConnectionTrait,
    name: &str,
) -> Result<Option<chair::Model>, StoreError> {
    Ok(chair::Entity::find()
        .filter(chair::Column::Name.eq(name))
        .one(db)
        .await?)
}

pub async fn insert(
    db: &impl ConnectionTrait,
    name: String,
    active: bool,
    position: i32,
) -> Result<chair::Model, StoreError> {
    Ok(chair::ActiveModel {
        name: Set(name),
        active: Set(active),
        position: Set(position),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

pub async fn save(
    db: &impl ConnectionTrait,
    row: chair::Model,
) -> Result<chair::Model, StoreError> {
    let mut active: chair::ActiveModel = row.clone().into();
    active.name = Set(row.name);
    active.active = Set(row.active);
    active.position = Set(row.position);
    Ok(active.update(db).await?)
}
