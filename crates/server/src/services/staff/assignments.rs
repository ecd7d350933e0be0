//! An employee's assignments to positions: adding one, ending or reopening it, making it the
//! primary one (at most one open primary).

use super::{
    AssignmentChanges, AssignmentInput, EmployeePosition, Recorder, active_position,
    audited_assignment, invalid_if_any, lock_employee, today,
};
use crate::services::audit::AuditTrail;
use crate::services::fields;
use crate::services::{Actor, FieldError, ServiceError};
use dcms_domain::EmployeeStatus;
use dcms_store::Store;
use dcms_store::staff as repo;
use dcms_store::time::date_to_db;

// --- position assignments ------------------------------------------------------------------

fn open_primary_taken(field: &str) -> ServiceError {
    ServiceError::invalid_coded(FieldError::coded(
        field,
        "positions-one-primary",
        "the employee already has an open primary position: end it or make it not primary first",
    ))
}

fn not_working() -> ServiceError {
    ServiceError::Conflict("the employee is not working (fired): no position can be open".into())
}

/// Assigns a position to an employee (`started_at` default today). The position must exist
/// and be active (422 `position_id`); a second open primary is 422 (`is_primary`); a fired
/// employee is 409.
pub async fn add_position(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    employee_id: i64,
    input: AssignmentInput,
) -> Result<EmployeePosition, ServiceError> {
    let started_at = match input.started_at.as_deref().map(str::trim) {
        None | Some("") => today(store).await?,
        Some(s) => fields::parse_date(s)
            .map_err(|m| ServiceError::invalid_coded(FieldError::coded("started_at", "date", m)))?,
    };
    let txn = store.begin_write().await?;
    let employee = lock_employee(&txn, employee_id).await?;
    if employee.status == EmployeeStatus::NotWorking.code() {
        return Err(not_working());
    }
    let position = active_position(&txn, input.position_id, "position_id").await?;
    let current = repo::assignments_of(&txn, employee_id).await?;
    if input.is_primary
        && current
            .iter()
            .any(|(a, _)| a.ended_at.is_none() && a.is_primary)
    {
        return Err(open_primary_taken("is_primary"));
    }
    let log = Recorder {
        audit,
        txn: &txn,
        actor,
    };
    let row = log
        .add_assignment(repo::NewAssignment {
            employee_id,
            position_id: input.position_id,
            is_primary: input.is_primary,
            started_at: date_to_db(started_at),
        })
        .await?;
    txn.commit().await.map_err(ServiceError::from)?;
    EmployeePosition::from_rows(row, position)
}

/// Ends, reopens, or (un)marks as primary an assignment. `ended_at` before `started_at` is
/// 422; `is_primary: true` on an open assignment moves the primary to it (the previous open
/// primary is no longer primary), on an ended one is 422; reopening a primary while another
/// is open is 422 (`ended_at`); reopening for a fired employee is 409.
pub async fn update_position(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    employee_id: i64,
    employee_position_id: i64,
    asked: AssignmentChanges,
) -> Result<EmployeePosition, ServiceError> {
    let mut errors = Vec::new();
    let ended_at = asked
        .ended_at
        .map(|e| fields::optional_date(&mut errors, "ended_at", e.as_deref()));
    invalid_if_any(errors)?;
    let txn = store.begin_write().await?;
    let employee = lock_employee(&txn, employee_id).await?;
    let current = repo::assignments_of(&txn, employee_id).await?;
    let (before, position) = current
        .iter()
        .find(|(a, _)| a.employee_position_id == employee_position_id)
        .cloned()
        .ok_or(ServiceError::NotFound("employee position"))?;
    let mut row = before.clone();
    if let Some(Some(ended_at)) = ended_at {
        row.ended_at = ended_at.map(date_to_db);
    }
    if let Some(primary) = asked.is_primary {
        row.is_primary = primary;
    }
    if row.ended_at.is_some_and(|e| e < row.started_at) {
        return Err(ServiceError::invalid_coded(FieldError::coded(
            "ended_at",
            "date-order",
            format!("must not be before started_at ({})", row.started_at),
        )));
    }
    // `is_primary: true` on an open assignment moves the primary here (as for phones): the
    // other open primary gives it up in this transaction. Reopening one that was primary
    // while another is open is refused instead (the caller did not ask to move it).
    let moving_primary = asked.is_primary == Some(true)
        && !before.is_primary
        && row.ended_at.is_none()
        && before.ended_at.is_none();
    if asked.is_primary == Some(true) && row.ended_at.is_some() && !before.is_primary {
        return Err(ServiceError::invalid_coded(FieldError::coded(
            "is_primary",
            "position-ended",
            "an ended position cannot become primary",
        )));
    }
    let mut demoted = Vec::new();
    if row.ended_at.is_none() {
        if before.ended_at.is_some() && employee.status == EmployeeStatus::NotWorking.code() {
            return Err(not_working());
        }
        let other_open_primaries: Vec<_> = current
            .iter()
            .filter(|(a, _)| {
                a.employee_position_id != employee_position_id
                    && a.ended_at.is_none()
                    && a.is_primary
            })
            .map(|(a, _)| a.clone())
            .collect();
        if row.is_primary && !other_open_primaries.is_empty() {
            if !moving_primary {
                let field = if before.is_primary {
                    "ended_at"
                } else {
                    "is_primary"
                };
                return Err(open_primary_taken(field));
            }
            demoted = other_open_primaries;
        }
    }
    for other in demoted {
        let other_before = audited_assignment(&other);
        let mut other_row = other.clone();
        other_row.is_primary = false;
        let other_after = audited_assignment(&other_row);
        let other_id = other_row.employee_position_id;
        repo::save_assignment(&txn, other_row).await?;
        Recorder {
            audit,
            txn: &txn,
            actor,
        }
        .record(
            "update",
            "employee_position",
            other_id,
            Some(&other_before),
            Some(&other_after),
        )
        .await?;
    }
    let before_json = audited_assignment(&before);
    let after_json = audited_assignment(&row);
    let saved = if before_json == after_json {
        before
    } else {
        let saved = repo::save_assignment(&txn, row).await?;
        Recorder {
            audit,
            txn: &txn,
            actor,
        }
        .record(
            "update",
            "employee_position",
            employee_position_id,
            Some(&before_json),
            Some(&after_json),
        )
        .await?;
        saved
    };
    txn.commit().await.map_err(ServiceError::from)?;
    EmployeePosition::from_rows(saved, position)
}
