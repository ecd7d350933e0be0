//! Repository of the closed days of the till (`day_close`, one row per local date).

use crate::StoreError;
use crate::entity::day_close;
use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};

/// The row of `day`, if it was ever closed.
pub async fn of_day(
    db: &impl ConnectionTrait,
    day: NaiveDate,
) -> Result<Option<day_close::Model>, StoreError> {
    Ok(day_close::Entity::find()
        .filter(day_close::Column::Day.eq(day))
        .one(db)
        .await?)
}

/// The row of `day`, locked until the end of the transaction.
pub async fn lock_day(
    db: &impl ConnectionTrait,
    day: NaiveDate,
) -> Result<Option<day_close::Model>, StoreError> {
    Ok(day_close::Entity::find()
        .filter(day_close::Column::Day.eq(day))
        .lock_exclusive()
        .one(db)
        .await?)
}

/// Writes a close: a new row, or the row of a reopened day closed anew.
pub async fn save(
    db: &impl ConnectionTrait,
    existing: Option<day_close::Model>,
    row: day_close::Model,
) -> Result<day_close::Model, StoreError> {
    use sea_orm::Set;
    let new = existing.is_none();
    let mut active: day_close::ActiveModel = match existing {
        Some(old) => old.into(),
        None => day_close::ActiveModel {
            day: Set(row.day),
            ..Default::default()
        },
    };
    active.expected_cash = Set(row.expected_cash);
    active.expected_card = Set(row.expected_card);
    active.expected_transfer = Set(row.expected_transfer);
    active.expected_qpay = Set(row.expected_qpay);
    active.counted_cash = Set(row.counted_cash);
    active.counted_card = Set(row.counted_card);
    active.counted_transfer = Set(row.counted_transfer);
    active.counted_qpay = Set(row.counted_qpay);
    active.note = Set(row.note);
    active.closed_at = Set(row.closed_at);
    active.closed_by = Set(row.closed_by);
    active.reopened_at = Set(row.reopened_at);
    active.reopened_by = Set(row.reopened_by);
    Ok(if new {
        active.insert(db).await?
    } else {
        active.update(db).await?
    })
}
