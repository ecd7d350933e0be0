//! Repository of doctors' hours: the weekly template (`working_hours`) and the exceptions by
//! date (`schedule_exception`).

use crate::StoreError;
use crate::entity::{schedule_exception, working_hours};
use crate::time::DbTimestamp;
use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

/// The weekly templates of `employee_ids`, by employee, weekday and start.
pub async fn weekly_of(
    db: &impl ConnectionTrait,
    employee_ids: &[i64],
) -> Result<Vec<working_hours::Model>, StoreError> {
    use working_hours::Column;
    Ok(working_hours::Entity::find()
        .filter(Column::EmployeeId.is_in(employee_ids.iter().copied()))
        .order_by_asc(Column::EmployeeId)
        .order_by_asc(Column::Weekday)
        .order_by_asc(Column::StartMinute)
        .all(db)
        .await?)
}

/// One interval of a template to write.
#[derive(Debug, Clone, Copy)]
pub struct NewInterval {
    pub weekday: i32,
    pub start_minute: i32,
    pub end_minute: i32,
    pub chair_id: Option<i64>,
}

/// Replaces an employee's weekly template with `intervals` (none: no template).
pub async fn replace_weekly(
    db: &impl ConnectionTrait,
    employee_id: i64,
    intervals: &[NewInterval],
) -> Result<(), StoreError> {
    working_hours::Entity::delete_many()
        .filter(working_hours::Column::EmployeeId.eq(employee_id))
        .exec(db)
        .await?;
    if intervals.is_empty() {
        return Ok(());
    }
    working_hours::Entity::insert_many(intervals.iter().map(|i| working_hours::ActiveModel {
        employee_id: Set(employee_id),
        weekday: Set(i.weekday),
        start_minute: Set(i.start_minute),
        end_minute: Set(i.end_minute),
        chair_id: Set(i.chair_id),
        ..Default::default()
    }))
    .exec(db)
    .await?;
    Ok(())
}

/// The exceptions of `employee_ids` (every employee when None) from `from` to `to`
/// inclusive, by day and id.
pub async fn exceptions_between(
    db: &impl ConnectionTrait,
    employee_ids: Option<&[i64]>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<schedule_exception::Model>, StoreError> {
    use schedule_exception::Column;
    let mut query = schedule_exception::Entity::find()
        .filter(Column::Day.gte(from))
        .filter(Column::Day.lte(to));
    if let Some(ids) = employee_ids {
        query = query.filter(Column::EmployeeId.is_in(ids.iter().copied()));
    }
    Ok(query
        .order_by_asc(Column::Day)
        .order_by_asc(Column::ExceptionId)
        .all(db)
        .await?)
}

/// An exception to insert (values validated).
#[derive(Debug, Clone)]
pub struct NewException {
    pub employee_id: i64,
    pub day: NaiveDate,
    pub kind: i16,
    pub start_minute: Option<i32>,
    pub end_minute: Option<i32>,
    pub note: Option<String>,
    pub created_by: Option<i64>,
    pub now: DbTimestamp,
}

pub async fn insert_exception(
    db: &impl ConnectionTrait,
    new: NewException,
) -> Result<schedule_exception::Model, StoreError> {
    Ok(schedule_exception::ActiveModel {
        employee_id: Set(new.employee_id),
        day: Set(new.day),
        kind: Set(new.kind),
        start_minute: Set(new.start_minute),
        end_minute: Set(new.end_minute),
        note: Set(new.note),
        created_at: Set(new.now),
        created_by: Set(new.created_by),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

pub async fn find_exception(
    db: &impl ConnectionTrait,
    exception_id: i64,
) -> Result<Option<schedule_exception::Model>, StoreError> {
    Ok(schedule_exception::Entity::find_by_id(exception_id)
        .one(db)
        .await?)
}

pub async fn delete_exception(
    db: &impl ConnectionTrait,
    exception_id: i64,
) -> Result<(), StoreError> {
    schedule_exception::Entity::delete_by_id(exception_id)
        .exec(db)
        .await?;
    Ok(())
}
