//! Repository of positions (`position`): never deleted, only deactivated (`is_active`).

use crate::StoreError;
use crate::entity::position;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

/// A position to insert (values already validated).
#[derive(Debug, Clone)]
pub struct NewPosition {
    pub position_type: String,
    pub display_name: String,
    pub category: i16,
    pub is_active: bool,
    pub description: Option<String>,
}

/// Inserts a position; a taken `position_type` is [`StoreError::Conflict`].
pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewPosition,
) -> Result<position::Model, StoreError> {
    if find_by_type(db, &new.position_type).await?.is_some() {
        return Err(taken(&new.position_type));
    }
    Ok(position::ActiveModel {
        position_type: Set(new.position_type),
        display_name: Set(new.display_name),
        category: Set(new.category),
        is_active: Set(new.is_active),
        description: Set(new.description),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// The conflict of a `position_type` already in use.
pub fn taken(position_type: &str) -> StoreError {
    StoreError::Conflict(format!("position type '{position_type}' is taken"))
}

/// A position by id.
pub async fn find(
    db: &impl ConnectionTrait,
    position_id: i64,
) -> Result<Option<position::Model>, StoreError> {
    Ok(position::Entity::find_by_id(position_id).one(db).await?)
}

/// A position by id, locked until the end of the transaction (`FOR UPDATE`).
pub async fn find_for_update(
    db: &impl ConnectionTrait,
    position_id: i64,
) -> Result<Option<position::Model>, StoreError> {
    Ok(position::Entity::find_by_id(position_id)
        .lock_exclusive()
        .one(db)
        .await?)
}

/// The position with this type (compared exactly).
pub async fn find_by_type(
    db: &impl ConnectionTrait,
    position_type: &str,
) -> Result<Option<position::Model>, StoreError> {
    Ok(position::Entity::find()
        .filter(position::Column::PositionType.eq(position_type))
        .one(db)
        .await?)
}

/// Positions ordered by id, after `after_id`; `active` keeps only active (true) or inactive
/// (false) ones.
pub async fn list(
    db: &impl ConnectionTrait,
    active: Option<bool>,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Vec<position::Model>, StoreError> {
    let mut query = position::Entity::find().order_by_asc(position::Column::PositionId);
    if let Some(after) = after_id {
        query = query.filter(position::Column::PositionId.gt(after));
    }
    if let Some(active) = active {
        query = query.filter(position::Column::IsActive.eq(active));
    }
    Ok(query.limit(limit).all(db).await?)
}

/// Writes a changed position; a taken `position_type` is [`StoreError::Conflict`].
pub async fn save(
    db: &impl ConnectionTrait,
    changed: position::Model,
) -> Result<position::Model, StoreError> {
    if let Some(other) = find_by_type(db, &changed.position_type).await?
        && other.position_id != changed.position_id
    {
        return Err(taken(&changed.position_type));
    }
    let mut row: position::ActiveModel = changed.clone().into();
    row.position_type = Set(changed.position_type);
    row.display_name = Set(changed.display_name);
    row.category = Set(changed.category);
    row.is_active = Set(changed.is_active);
    row.description = Set(changed.description);
    Ok(row.update(db).await?)
}
