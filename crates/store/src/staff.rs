//! Repository of employees (`employee`), their phones (`employee_phone`), their position
//! assignments (`employee_position`) and display numbers (`employee_display_number_counter`).
//!
//! The rules that span rows (at least two phones, exactly one primary; at most one open
//! primary assignment) are kept by the services, which lock the employee's row
//! ([`find_for_update`]) before they read and change the rows it owns.

use crate::StoreError;
use crate::entity::{
    employee, employee_display_number_counter as counter, employee_phone, employee_position,
    position,
};
use crate::time::DbTimestamp;
use chrono::NaiveDate;
use dcms_domain::{EmployeeStatus, PositionCategory};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use std::collections::HashMap;

/// The id of the one counter row.
pub const COUNTER_ID: i64 = 1;

/// Takes the next employee display number inside the caller's (write) transaction.
///
/// One atomic `UPDATE ... SET next_value = next_value + 1` advances the counter row, which
/// locks it until the transaction ends (PostgreSQL, MariaDB; SQLite's write transaction
/// already holds the database lock), so concurrent creators are serialised and get distinct,
/// increasing numbers. The value is then read back with a locking read (the newest version,
/// whatever snapshot the transaction has). A rolled-back creation rolls the counter back too,
/// so no stored employee ever shares a number, and a deleted employee's number is never
/// given again (unlike `MAX()+1`).
pub async fn next_display_number(db: &impl ConnectionTrait) -> Result<i64, StoreError> {
    let updated = counter::Entity::update_many()
        .col_expr(
            counter::Column::NextValue,
            Expr::col(counter::Column::NextValue).add(1),
        )
        .filter(counter::Column::CounterId.eq(COUNTER_ID))
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Err(StoreError::NotFound("employee display number counter"));
    }
    let row = counter::Entity::find_by_id(COUNTER_ID)
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("employee display number counter"))?;
    Ok(row.next_value - 1)
}

/// An employee to insert (values already validated).
#[derive(Debug, Clone)]
pub struct NewEmployee {
    pub employee_display_number: i64,
    pub user_id: Option<i64>,
    pub first_name: String,
    pub last_name: String,
    pub first_name_key: String,
    pub last_name_key: String,
    pub gender: i16,
    pub status: i16,
    pub birthday: Option<NaiveDate>,
    pub email: Option<String>,
    pub home_address: Option<String>,
    pub hired_at: Option<NaiveDate>,
    pub now: DbTimestamp,
}

/// Inserts an employee; a taken display number or user link is [`StoreError::Conflict`].
pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewEmployee,
) -> Result<employee::Model, StoreError> {
    Ok(employee::ActiveModel {
        employee_display_number: Set(new.employee_display_number),
        user_id: Set(new.user_id),
        first_name: Set(new.first_name),
        last_name: Set(new.last_name),
        first_name_key: Set(new.first_name_key),
        last_name_key: Set(new.last_name_key),
        gender: Set(new.gender),
        status: Set(new.status),
        birthday: Set(new.birthday),
        email: Set(new.email),
        home_address: Set(new.home_address),
        hired_at: Set(new.hired_at),
        fired_at: Set(None),
        created_at: Set(new.now),
        last_updated_at: Set(new.now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// An employee by id.
pub async fn find(
    db: &impl ConnectionTrait,
    employee_id: i64,
) -> Result<Option<employee::Model>, StoreError> {
    Ok(employee::Entity::find_by_id(employee_id).one(db).await?)
}

/// Employees by id, in id order; ids that name no employee are left out.
pub async fn find_many(
    db: &impl ConnectionTrait,
    employee_ids: &[i64],
) -> Result<Vec<employee::Model>, StoreError> {
    if employee_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(employee::Entity::find()
        .filter(employee::Column::EmployeeId.is_in(employee_ids.iter().copied()))
        .order_by_asc(employee::Column::EmployeeId)
        .all(db)
        .await?)
}

/// An employee by id, its row locked until the end of the transaction (`FOR UPDATE`; on
/// SQLite the write transaction already holds the lock). Changes to the rows an employee
/// owns (phones, assignments) take this lock first, so concurrent changes of one employee
/// are serialised and each sees the other's result.
pub async fn find_for_update(
    db: &impl ConnectionTrait,
    employee_id: i64,
) -> Result<Option<employee::Model>, StoreError> {
    Ok(employee::Entity::find_by_id(employee_id)
        .lock_exclusive()
        .one(db)
        .await?)
}

/// The employee linked to a user account, if any.
pub async fn find_by_user(
    db: &impl ConnectionTrait,
    user_id: i64,
) -> Result<Option<employee::Model>, StoreError> {
    Ok(employee::Entity::find()
        .filter(employee::Column::UserId.eq(user_id))
        .one(db)
        .await?)
}

/// Which employees [`list`] returns.
#[derive(Debug, Clone, Default)]
pub struct EmployeeFilter {
    pub status: Option<EmployeeStatus>,
    /// Only employees who may be the doctor of an appointment ([`doctor_condition`]).
    pub doctors_only: bool,
}

/// The employees who may be the doctor of an appointment or a treatment (docs/staff.md):
/// not in status 0 (not working), with an open assignment (no `ended_at`) to a position of
/// category clinical.
fn doctor_condition() -> sea_orm::Condition {
    use sea_orm::sea_query::Query;
    let open_clinical = Query::select()
        .expr(Expr::val(1))
        .from(employee_position::Entity)
        .inner_join(
            position::Entity,
            Expr::col((position::Entity, position::Column::PositionId)).equals((
                employee_position::Entity,
                employee_position::Column::PositionId,
            )),
        )
        .and_where(
            Expr::col((
                employee_position::Entity,
                employee_position::Column::EmployeeId,
            ))
            .equals((employee::Entity, employee::Column::EmployeeId)),
        )
        .and_where(
            Expr::col((
                employee_position::Entity,
                employee_position::Column::EndedAt,
            ))
            .is_null(),
        )
        .and_where(
            Expr::col((position::Entity, position::Column::Category))
                .eq(PositionCategory::Clinical.code()),
        )
        .to_owned();
    sea_orm::Condition::all()
        .add(employee::Column::Status.ne(EmployeeStatus::NotWorking.code()))
        .add(Expr::exists(open_clinical))
}

/// Employees ordered by id, after `after_id` (keyset pagination).
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &EmployeeFilter,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Vec<employee::Model>, StoreError> {
    let mut query = employee::Entity::find().order_by_asc(employee::Column::EmployeeId);
    if let Some(after) = after_id {
        query = query.filter(employee::Column::EmployeeId.gt(after));
    }
    if let Some(status) = filter.status {
        query = query.filter(employee::Column::Status.eq(status.code()));
    }
    if filter.doctors_only {
        query = query.filter(doctor_condition());
    }
    Ok(query.limit(limit).all(db).await?)
}

/// Whether the employee may be the doctor of an appointment or a treatment now: not in
/// status 0, with an open assignment to a clinical position. False for an unknown id.
pub async fn is_doctor(db: &impl ConnectionTrait, employee_id: i64) -> Result<bool, StoreError> {
    Ok(employee::Entity::find()
        .filter(employee::Column::EmployeeId.eq(employee_id))
        .filter(doctor_condition())
        .one(db)
        .await?
        .is_some())
}

/// Writes a changed employee row (every column but the id, the display number and
/// `created_at`).
pub async fn save(
    db: &impl ConnectionTrait,
    changed: employee::Model,
) -> Result<employee::Model, StoreError> {
    let mut row: employee::ActiveModel = changed.clone().into();
    row.user_id = Set(changed.user_id);
    row.first_name = Set(changed.first_name);
    row.last_name = Set(changed.last_name);
    row.first_name_key = Set(changed.first_name_key);
    row.last_name_key = Set(changed.last_name_key);
    row.gender = Set(changed.gender);
    row.status = Set(changed.status);
    row.birthday = Set(changed.birthday);
    row.email = Set(changed.email);
    row.home_address = Set(changed.home_address);
    row.hired_at = Set(changed.hired_at);
    row.fired_at = Set(changed.fired_at);
    row.last_updated_at = Set(changed.last_updated_at);
    Ok(row.update(db).await?)
}

// --- phones --------------------------------------------------------------------------------

/// A phone number to insert (already normalised).
#[derive(Debug, Clone)]
pub struct NewPhone {
    pub employee_id: i64,
    pub number: String,
    pub label: String,
    pub is_primary: bool,
    pub now: DbTimestamp,
}

pub async fn insert_phone(
    db: &impl ConnectionTrait,
    new: NewPhone,
) -> Result<employee_phone::Model, StoreError> {
    Ok(employee_phone::ActiveModel {
        employee_id: Set(new.employee_id),
        phone_number_val: Set(new.number),
        label: Set(new.label),
        is_primary: Set(new.is_primary),
        created_at: Set(new.now),
        updated_at: Set(new.now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// An employee's phones in creation order. Inside a transaction that holds the employee's
/// lock this is a locking read, so it sees the newest committed rows on every backend.
pub async fn phones_of(
    db: &impl ConnectionTrait,
    employee_id: i64,
) -> Result<Vec<employee_phone::Model>, StoreError> {
    Ok(employee_phone::Entity::find()
        .filter(employee_phone::Column::EmployeeId.eq(employee_id))
        .order_by_asc(employee_phone::Column::PhoneNumberId)
        .lock_exclusive()
        .all(db)
        .await?)
}

/// The phones of several employees, each list in creation order.
pub async fn phones_of_many(
    db: &impl ConnectionTrait,
    employee_ids: &[i64],
) -> Result<HashMap<i64, Vec<employee_phone::Model>>, StoreError> {
    let mut by_employee: HashMap<i64, Vec<employee_phone::Model>> = HashMap::new();
    if employee_ids.is_empty() {
        return Ok(by_employee);
    }
    let rows = employee_phone::Entity::find()
        .filter(employee_phone::Column::EmployeeId.is_in(employee_ids.iter().copied()))
        .order_by_asc(employee_phone::Column::PhoneNumberId)
        .all(db)
        .await?;
    for row in rows {
        by_employee.entry(row.employee_id).or_default().push(row);
    }
    Ok(by_employee)
}

// --- position assignments ------------------------------------------------------------------

/// An assignment to insert.
#[derive(Debug, Clone)]
pub struct NewAssignment {
    pub employee_id: i64,
    pub position_id: i64,
    pub is_primary: bool,
    pub started_at: NaiveDate,
}

pub async fn insert_assignment(
    db: &impl ConnectionTrait,
    new: NewAssignment,
) -> Result<employee_position::Model, StoreError> {
    Ok(employee_position::ActiveModel {
        employee_id: Set(new.employee_id),
        position_id: Set(new.position_id),
        is_primary: Set(new.is_primary),
        started_at: Set(new.started_at),
        ended_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// An employee's assignments in creation order, each with its position. Inside a
/// transaction that holds the employee's lock this is a locking read.
pub async fn assignments_of(
    db: &impl ConnectionTrait,
    employee_id: i64,
) -> Result<Vec<(employee_position::Model, position::Model)>, StoreError> {
    let rows = employee_position::Entity::find()
        .filter(employee_position::Column::EmployeeId.eq(employee_id))
        .order_by_asc(employee_position::Column::EmployeePositionId)
        .lock_exclusive()
        .all(db)
        .await?;
    with_positions(db, rows).await
}

/// The assignments of several employees, each list in creation order, with their positions.
pub async fn assignments_of_many(
    db: &impl ConnectionTrait,
    employee_ids: &[i64],
) -> Result<HashMap<i64, Vec<(employee_position::Model, position::Model)>>, StoreError> {
    let mut by_employee: HashMap<i64, Vec<_>> = HashMap::new();
    if employee_ids.is_empty() {
        return Ok(by_employee);
    }
    let rows = employee_position::Entity::find()
        .filter(employee_position::Column::EmployeeId.is_in(employee_ids.iter().copied()))
        .order_by_asc(employee_position::Column::EmployeePositionId)
        .all(db)
        .await?;
    for (assignment, position) in with_positions(db, rows).await? {
        by_employee
            .entry(assignment.employee_id)
            .or_default()
            .push((assignment, position));
    }
    Ok(by_employee)
}

/// Pairs assignments with their positions (one query for all the positions).
async fn with_positions(
    db: &impl ConnectionTrait,
    rows: Vec<employee_position::Model>,
) -> Result<Vec<(employee_position::Model, position::Model)>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut ids: Vec<i64> = rows.iter().map(|r| r.position_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let positions: HashMap<i64, position::Model> = position::Entity::find()
        .filter(position::Column::PositionId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.position_id, p))
        .collect();
    rows.into_iter()
        .map(|row| {
            let position = positions
                .get(&row.position_id)
                .cloned()
                .ok_or(StoreError::NotFound("position"))?;
            Ok((row, position))
        })
        .collect()
}

/// Writes a changed assignment (primary flag and end date).
pub async fn save_assignment(
    db: &impl ConnectionTrait,
    changed: employee_position::Model,
) -> Result<employee_position::Model, StoreError> {
    let mut row: employee_position::ActiveModel = changed.clone().into();
    row.is_primary = Set(changed.is_primary);
    row.ended_at = Set(changed.ended_at);
    Ok(row.update(db).await?)
}
