//! Employees: create (with phones and positions, in one transaction), change, fire; their
//! phones and position assignments; the doctors.
//!
//! Rules (docs/staff.md):
//! * display numbers come from the counter row (`dcms_store::staff::next_display_number`):
//!   increasing, never reused, also under concurrent creation;
//! * every employee has at least two phones and exactly one primary, after every change,
//!   also under concurrent requests: each change locks the employee's row first, then reads
//!   and checks the phones (422 on the field `phones` otherwise);
//! * at most one open (no `ended_at`) assignment of an employee is primary (422 otherwise);
//!   only active positions can be assigned;
//! * firing sets status `not_working` and `fired_at`, ends the open assignments on that
//!   date, disables the linked user account and revokes its sessions; firing twice is 409;
//! * the doctor of an appointment or a treatment is an employee not in status `not_working`
//!   with an open assignment to a position of category `clinical` ([`check_doctor`]).
//!
//! Every write is audited in its transaction (tables `employee`, `employee_phone`,
//! `employee_position`, `user`; firing is the action `fire`).

use super::audit::{AuditTrail, changes};
pub use super::fields::parse_date;
use super::phones;
use super::{Actor, FieldError, ServiceError, settings};
use dcms_domain::{EmployeeStatus, Gender, PositionCategory, Role};
use dcms_store::audit::AuditEntry;
use dcms_store::entity::{employee, employee_phone, employee_position, position};
use dcms_store::phones::PhoneRow;
use dcms_store::sea_orm::{ConnectionTrait, DatabaseTransaction};
use dcms_store::staff::{self as repo, EmployeeFilter};
use dcms_store::time::{date_from_db, from_db};
use dcms_store::{Store, StoreError, positions, users};
use jiff::civil::Date;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use utoipa::ToSchema;

/// Most characters of a first or last name.
pub const NAME_MAX: usize = 100;
/// Most characters of a phone label (`services::phones`, as a patient's).
pub const LABEL_MAX: usize = phones::LABEL_MAX_CHARS;
/// Most characters of a home address.
pub const ADDRESS_MAX: usize = 255;
/// Fewest phones an employee has, most phones one request may give (`services::phones`, as
/// a patient's).
pub use super::phones::{MAX_PHONES, MIN_PHONES};
/// Most positions one request may give.
pub const MAX_POSITIONS: usize = 20;

// --- what the use cases return -------------------------------------------------------------

/// One phone number of an employee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct EmployeePhone {
    pub phone_number_id: i64,
    /// The normalised number: 8 digits (9-10 for aimag landlines), or `+` and digits.
    #[schema(example = "99112233")]
    pub number: String,
    #[schema(example = "Self")]
    pub label: String,
    pub is_primary: bool,
}

impl From<PhoneRow> for EmployeePhone {
    fn from(p: PhoneRow) -> Self {
        EmployeePhone {
            phone_number_id: p.phone_number_id,
            number: p.number,
            label: p.label,
            is_primary: p.is_primary,
        }
    }
}

impl From<employee_phone::Model> for EmployeePhone {
    fn from(p: employee_phone::Model) -> Self {
        EmployeePhone {
            phone_number_id: p.phone_number_id,
            number: p.phone_number_val,
            label: p.label,
            is_primary: p.is_primary,
        }
    }
}

/// One assignment of an employee to a position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct EmployeePosition {
    pub employee_position_id: i64,
    pub position_id: i64,
    pub position_type: String,
    pub display_name: String,
    pub category: PositionCategory,
    pub is_primary: bool,
    #[schema(value_type = String, format = Date, example = "2024-09-01")]
    pub started_at: Date,
    /// Null while the assignment is open.
    #[schema(value_type = Option<String>, format = Date)]
    pub ended_at: Option<Date>,
}

impl EmployeePosition {
    fn from_rows(
        a: employee_position::Model,
        p: position::Model,
    ) -> Result<EmployeePosition, ServiceError> {
        Ok(EmployeePosition {
            employee_position_id: a.employee_position_id,
            position_id: a.position_id,
            position_type: p.position_type,
            display_name: p.display_name,
            category: PositionCategory::from_code(p.category).ok_or_else(|| {
                ServiceError::Internal(format!(
                    "position {} has an unknown category code {}",
                    p.position_id, p.category
                ))
            })?,
            is_primary: a.is_primary,
            started_at: date_from_db(a.started_at),
            ended_at: a.ended_at.map(date_from_db),
        })
    }

    /// Whether the assignment is open (no end date).
    pub fn is_open(&self) -> bool {
        self.ended_at.is_none()
    }
}

/// An employee with their phones (creation order) and position assignments (creation order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Employee {
    pub employee_id: i64,
    /// Assigned in increasing order, never reused.
    pub employee_display_number: i64,
    /// The linked staff user account, if any.
    pub user_id: Option<i64>,
    #[schema(example = "Болормаа")]
    pub first_name: String,
    #[schema(example = "Бат")]
    pub last_name: String,
    pub gender: Gender,
    pub status: EmployeeStatus,
    #[schema(value_type = Option<String>, format = Date)]
    pub birthday: Option<Date>,
    pub email: Option<String>,
    pub home_address: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub hired_at: Option<Date>,
    #[schema(value_type = Option<String>, format = Date)]
    pub fired_at: Option<Date>,
    /// The number of the primary phone.
    #[schema(example = "99112233")]
    pub primary_phone: Option<String>,
    pub phones: Vec<EmployeePhone>,
    pub positions: Vec<EmployeePosition>,
    pub created_at: jiff::Timestamp,
    pub updated_at: jiff::Timestamp,
}

impl Employee {
    fn from_rows(
        e: employee::Model,
        phones: Vec<employee_phone::Model>,
        assignments: Vec<(employee_position::Model, position::Model)>,
    ) -> Result<Employee, ServiceError> {
        let bad = |what: &str, code: i16| {
            ServiceError::Internal(format!(
                "employee {} has an unknown {what} code {code}",
                e.employee_id
            ))
        };
        let gender = Gender::from_code(e.gender).ok_or_else(|| bad("gender", e.gender))?;
        let status = EmployeeStatus::from_code(e.status).ok_or_else(|| bad("status", e.status))?;
        let phones: Vec<EmployeePhone> = phones.into_iter().map(EmployeePhone::from).collect();
        let positions = assignments
            .into_iter()
            .map(|(a, p)| EmployeePosition::from_rows(a, p))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Employee {
            employee_id: e.employee_id,
            employee_display_number: e.employee_display_number,
            user_id: e.user_id,
            first_name: e.first_name,
            last_name: e.last_name,
            gender,
            status,
            birthday: e.birthday.map(date_from_db),
            email: e.email,
            home_address: e.home_address,
            hired_at: e.hired_at.map(date_from_db),
            fired_at: e.fired_at.map(date_from_db),
            primary_phone: phones
                .iter()
                .find(|p| p.is_primary)
                .map(|p| p.number.clone()),
            phones,
            positions,
            created_at: from_db(e.created_at),
            updated_at: from_db(e.last_updated_at),
        })
    }

    /// The full name, last name first.
    pub fn full_name(&self) -> String {
        format!("{} {}", self.last_name, self.first_name)
    }

    /// Whether the employee may be the doctor of an appointment or a treatment now.
    pub fn is_doctor(&self) -> bool {
        self.status != EmployeeStatus::NotWorking
            && self
                .positions
                .iter()
                .any(|p| p.is_open() && p.category == PositionCategory::Clinical)
    }
}

// --- what the use cases take ---------------------------------------------------------------

/// A phone number as the client sent it.
#[derive(Debug, Clone, Default)]
pub struct PhoneInput {
    pub number: String,
    pub label: String,
    pub is_primary: bool,
}

/// An assignment to a position as the client sent it.
#[derive(Debug, Clone, Default)]
pub struct AssignmentInput {
    pub position_id: i64,
    pub is_primary: bool,
    /// `YYYY-MM-DD`; default: today in the clinic's time zone.
    pub started_at: Option<String>,
}

/// What creating an employee needs, as the client sent it (validated by [`create`]).
#[derive(Debug, Clone, Default)]
pub struct NewEmployee {
    pub first_name: String,
    pub last_name: String,
    /// `male`, `female` or `other`.
    pub gender: String,
    /// Default `active`; `not_working` is refused (an employee is not created fired).
    pub status: Option<String>,
    /// `YYYY-MM-DD`, not in the future.
    pub birthday: Option<String>,
    pub email: Option<String>,
    pub home_address: Option<String>,
    /// `YYYY-MM-DD`.
    pub hired_at: Option<String>,
    /// A staff user account (any role but patient) not linked to another employee.
    pub user_id: Option<i64>,
    /// At least two, exactly one primary.
    pub phones: Vec<PhoneInput>,
    /// At most one primary; active positions only.
    pub positions: Vec<AssignmentInput>,
}

/// What changing an employee asks for: `None` leaves a field as it is; for the nullable
/// fields `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct EmployeeChanges {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub gender: Option<String>,
    /// Any status but `not_working` (fire the employee instead); a fired employee given
    /// another status is working again (`fired_at` is cleared).
    pub status: Option<String>,
    pub birthday: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub home_address: Option<Option<String>>,
    pub hired_at: Option<Option<String>>,
    pub user_id: Option<Option<i64>>,
}

pub use super::phones::PhoneChanges;

mod employees;
pub use employees::{create, fire, update};
mod assignments;
pub use assignments::{add_position, update_position};

/// What changing an assignment asks for (`ended_at: Some(None)` reopens it).
#[derive(Debug, Clone, Default)]
pub struct AssignmentChanges {
    pub ended_at: Option<Option<String>>,
    pub is_primary: Option<bool>,
}

fn invalid_if_any(errors: Vec<FieldError>) -> Result<(), ServiceError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(errors))
    }
}

/// Today in the clinic's time zone.
async fn today(store: &Store) -> Result<Date, ServiceError> {
    Ok(settings::get(store).await?.now_local().date())
}

// --- audit ---------------------------------------------------------------------------------

fn audited(e: &employee::Model) -> Value {
    json!({
        "employee_display_number": e.employee_display_number,
        "user_id": e.user_id,
        "first_name": e.first_name,
        "last_name": e.last_name,
        "gender": Gender::from_code(e.gender).map_or_else(|| json!(e.gender), |g| json!(g.as_str())),
        "status": EmployeeStatus::from_code(e.status)
            .map_or_else(|| json!(e.status), |s| json!(s.as_str())),
        "birthday": e.birthday.map(|d| d.to_string()),
        "email": e.email,
        "home_address": e.home_address,
        "hired_at": e.hired_at.map(|d| d.to_string()),
        "fired_at": e.fired_at.map(|d| d.to_string()),
    })
}

fn audited_assignment(a: &employee_position::Model) -> Value {
    json!({
        "employee_id": a.employee_id,
        "position_id": a.position_id,
        "is_primary": a.is_primary,
        "started_at": a.started_at.to_string(),
        "ended_at": a.ended_at.map(|d| d.to_string()),
    })
}

/// Where a use case's audit entries go: its trail, its transaction and who acts.
struct Recorder<'a> {
    audit: &'a AuditTrail,
    txn: &'a DatabaseTransaction,
    actor: Actor,
}

impl Recorder<'_> {
    /// Records a create, update, delete (or named action) of one row; an update that
    /// changed nothing is not recorded.
    async fn record(
        &self,
        action: &str,
        table: &str,
        row_id: i64,
        before: Option<&Value>,
        after: Option<&Value>,
    ) -> Result<(), ServiceError> {
        let diff = changes(before, after, &[]);
        if diff.is_none() && action == "update" {
            return Ok(());
        }
        let entry = AuditEntry::new(action, table, Some(row_id)).with_changes(diff);
        self.audit.record(self.txn, self.actor.stamp(entry)).await
    }

    /// Inserts an assignment of an employee to a position and records its creation.
    async fn add_assignment(
        &self,
        new: repo::NewAssignment,
    ) -> Result<employee_position::Model, ServiceError> {
        let row = repo::insert_assignment(self.txn, new).await?;
        self.record(
            "create",
            "employee_position",
            row.employee_position_id,
            None,
            Some(&audited_assignment(&row)),
        )
        .await?;
        Ok(row)
    }
}

/// A unique violation on `employee.user_id` said plainly.
fn user_link_conflict(err: StoreError) -> ServiceError {
    match err {
        StoreError::Conflict(detail) if detail.contains("user_id") => linked_elsewhere(),
        other => other.into(),
    }
}

fn linked_elsewhere() -> ServiceError {
    ServiceError::Conflict("this user account is linked to another employee".into())
}

/// Checks that `user_id` names a staff account not linked to another employee than
/// `employee_id`: unknown or patient accounts are 422 (`user_id`), a link elsewhere is 409.
async fn check_user_link(
    db: &impl ConnectionTrait,
    user_id: i64,
    employee_id: Option<i64>,
) -> Result<(), ServiceError> {
    let Some(user) = users::find(db, user_id).await? else {
        return Err(ServiceError::invalid_coded(FieldError::coded(
            "user_id",
            "user-unknown",
            format!("there is no user {user_id}"),
        )));
    };
    if user.roles == Role::Patient.code() {
        return Err(ServiceError::invalid_coded(FieldError::coded(
            "user_id",
            "user-not-staff",
            "a patient's account cannot be linked to an employee",
        )));
    }
    if let Some(other) = repo::find_by_user(db, user_id).await?
        && Some(other.employee_id) != employee_id
    {
        return Err(linked_elsewhere());
    }
    Ok(())
}

/// Checks that a position exists and is active; 422 on `field` otherwise.
async fn active_position(
    db: &impl ConnectionTrait,
    position_id: i64,
    field: &str,
) -> Result<position::Model, ServiceError> {
    match positions::find(db, position_id).await? {
        Some(p) if p.is_active => Ok(p),
        Some(_) => Err(ServiceError::invalid_coded(FieldError::coded(
            field,
            "position-inactive",
            format!("position {position_id} is not active"),
        ))),
        None => Err(ServiceError::invalid_coded(FieldError::coded(
            field,
            "position-unknown",
            format!("there is no position {position_id}"),
        ))),
    }
}

/// An employee with their phones and assignments, read through `db`.
async fn load(db: &impl ConnectionTrait, row: employee::Model) -> Result<Employee, ServiceError> {
    let id = row.employee_id;
    let mut phones = repo::phones_of_many(db, &[id]).await?;
    let mut assignments = repo::assignments_of_many(db, &[id]).await?;
    Employee::from_rows(
        row,
        phones.remove(&id).unwrap_or_default(),
        assignments.remove(&id).unwrap_or_default(),
    )
}

/// Employees with their phones and assignments (two queries for the whole page).
async fn load_many(
    db: &impl ConnectionTrait,
    rows: Vec<employee::Model>,
) -> Result<Vec<Employee>, ServiceError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.employee_id).collect();
    let mut phones = repo::phones_of_many(db, &ids).await?;
    let mut assignments: HashMap<i64, Vec<_>> = repo::assignments_of_many(db, &ids).await?;
    rows.into_iter()
        .map(|row| {
            let id = row.employee_id;
            Employee::from_rows(
                row,
                phones.remove(&id).unwrap_or_default(),
                assignments.remove(&id).unwrap_or_default(),
            )
        })
        .collect()
}

/// Locks an employee's row for the rest of the transaction; 404 when there is none.
async fn lock_employee(
    txn: &DatabaseTransaction,
    employee_id: i64,
) -> Result<employee::Model, ServiceError> {
    repo::find_for_update(txn, employee_id)
        .await?
        .ok_or(ServiceError::NotFound("employee"))
}

/// An employee by id, with phones and assignments.
pub async fn get(store: &Store, employee_id: i64) -> Result<Employee, ServiceError> {
    let row = repo::find(store.connection(), employee_id)
        .await?
        .ok_or(ServiceError::NotFound("employee"))?;
    load(store.connection(), row).await
}

/// The employee linked to a user account, if any.
pub async fn of_user(store: &Store, user_id: i64) -> Result<Option<Employee>, ServiceError> {
    match repo::find_by_user(store.connection(), user_id).await? {
        Some(row) => Ok(Some(load(store.connection(), row).await?)),
        None => Ok(None),
    }
}

/// The names (`last_name first_name`) of employees by id, in one query whatever their
/// number; ids that name no employee are left out (for pages that list doctors beside
/// treatments or appointments).
pub async fn names(store: &Store, ids: &[i64]) -> Result<HashMap<i64, String>, ServiceError> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    Ok(repo::find_many(store.connection(), &ids)
        .await?
        .into_iter()
        .map(|e| (e.employee_id, format!("{} {}", e.last_name, e.first_name)))
        .collect())
}

/// Employees by id after a cursor (`status` keeps one status only).
pub async fn list(
    store: &Store,
    status: Option<EmployeeStatus>,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Vec<Employee>, ServiceError> {
    let filter = EmployeeFilter {
        status,
        doctors_only: false,
    };
    let rows = repo::list(store.connection(), &filter, after_id, limit).await?;
    load_many(store.connection(), rows).await
}

/// The employees who may be the doctor of an appointment or a treatment (not `not_working`,
/// with an open assignment to a `clinical` position), by id after a cursor.
pub async fn doctors(
    store: &Store,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Vec<Employee>, ServiceError> {
    let filter = EmployeeFilter {
        status: None,
        doctors_only: true,
    };
    let rows = repo::list(store.connection(), &filter, after_id, limit).await?;
    load_many(store.connection(), rows).await
}

/// Checks, inside any transaction or connection, that `employee_id` may be the doctor of an
/// appointment or a treatment now; otherwise 422 on `field` (for the appointment and
/// treatment use cases).
pub async fn check_doctor(
    db: &impl ConnectionTrait,
    employee_id: i64,
    field: &str,
) -> Result<(), ServiceError> {
    if repo::is_doctor(db, employee_id).await? {
        return Ok(());
    }
    let message = if repo::find(db, employee_id).await?.is_none() {
        format!("there is no employee {employee_id}")
    } else {
        format!(
            "employee {employee_id} is not working or holds no open clinical position, so cannot be a doctor"
        )
    };
    Err(ServiceError::invalid_coded(FieldError::coded(
        field,
        "not-a-doctor",
        message,
    )))
}
