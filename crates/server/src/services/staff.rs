//! Employees: create (with phones and positions, in one transaction), change, fire; their
//! phones and position assignments; the doctors.
//!
//! Rules (domain.md):
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
use super::fields::{self, optional_text};
use super::phones::{self, GivenPhone, Owner, ValidPhone};
use super::{Actor, FieldError, ServiceError, settings};
use dcms_domain::{EmployeeStatus, Gender, PositionCategory, Role};
use dcms_store::audit::AuditEntry;
use dcms_store::entity::{employee, employee_phone, employee_position, position};
use dcms_store::phones::{PhoneOwner, PhoneRow};
use dcms_store::sea_orm::{ConnectionTrait, DatabaseTransaction};
use dcms_store::staff::{self as repo, EmployeeFilter};
use dcms_store::time::{date_from_db, date_to_db, from_db, now};
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

/// What changing an assignment asks for (`ended_at: Some(None)` reopens it).
#[derive(Debug, Clone, Default)]
pub struct AssignmentChanges {
    pub ended_at: Option<Option<String>>,
    pub is_primary: Option<bool>,
}

// --- validation ----------------------------------------------------------------------------

type Errors = Vec<FieldError>;

/// A status an employee may be given by a create or a change (not `not_working`).
fn status(errors: &mut Errors, value: &str) -> Option<EmployeeStatus> {
    match value.trim().parse::<EmployeeStatus>() {
        Ok(EmployeeStatus::NotWorking) => {
            errors.push(FieldError::coded(
                "status",
                "status-fire",
                "an employee becomes not_working only by being fired (POST .../fire)",
            ));
            None
        }
        Ok(s) => Some(s),
        Err(e) => {
            errors.push(FieldError::coded("status", "choose", e));
            None
        }
    }
}

impl PhoneInput {
    fn given(&self) -> GivenPhone<'_> {
        GivenPhone {
            number: Some(&self.number),
            label: Some(&self.label),
            is_primary: self.is_primary,
        }
    }
}

/// The phones of a new employee (`services::phones`): each valid, no number twice
/// (`phones[i].number`), at most [`MAX_PHONES`], at least two, exactly one primary
/// (`phones`).
fn phones(errors: &mut Errors, input: &[PhoneInput]) -> Vec<ValidPhone> {
    let given: Vec<GivenPhone<'_>> = input.iter().map(PhoneInput::given).collect();
    phones::parse_set(Owner::Employee, &given, errors)
}

/// A valid assignment (the position is checked against the database later).
#[derive(Debug, Clone)]
struct ValidAssignment {
    position_id: i64,
    is_primary: bool,
    started_at: Date,
}

fn assignments(
    errors: &mut Errors,
    input: &[AssignmentInput],
    today: Date,
) -> Vec<ValidAssignment> {
    let mut valid = Vec::new();
    if input.len() > MAX_POSITIONS {
        errors.push(
            FieldError::coded(
                "positions",
                "positions-max",
                format!("at most {MAX_POSITIONS} positions at once"),
            )
            .arg("max", MAX_POSITIONS),
        );
        return valid;
    }
    for (i, a) in input.iter().enumerate() {
        let started_at = match a.started_at.as_deref().map(str::trim) {
            None | Some("") => Some(today),
            Some(s) => fields::date(errors, &format!("positions[{i}].started_at"), s),
        };
        if let Some(started_at) = started_at {
            valid.push(ValidAssignment {
                position_id: a.position_id,
                is_primary: a.is_primary,
                started_at,
            });
        }
    }
    let primaries = input.iter().filter(|a| a.is_primary).count();
    if primaries > 1 {
        errors.push(FieldError::coded(
            "positions",
            "positions-one-primary",
            format!("at most one open position may be primary, got {primaries}"),
        ));
    }
    let mut ids: Vec<i64> = input.iter().map(|a| a.position_id).collect();
    ids.sort_unstable();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        errors.push(FieldError::coded(
            "positions",
            "positions-repeated",
            format!("position {} is listed twice", w[0]),
        ));
    }
    valid
}

fn invalid_if_any(errors: Errors) -> Result<(), ServiceError> {
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

// --- employees -----------------------------------------------------------------------------

/// Creates an employee with their phones and position assignments in one transaction: on
/// any error nothing is stored (and the display number is not used up). Invalid fields are
/// 422 (all reported together); a user account linked to another employee is 409.
pub async fn create(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    input: NewEmployee,
) -> Result<Employee, ServiceError> {
    if input.user_id.is_some() {
        actor.must_manage_users()?;
    }
    let today = today(store).await?;
    let mut errors = Vec::new();
    let e = &mut errors;
    let first_name = fields::person_name(e, "first_name", &input.first_name, NAME_MAX);
    let last_name = fields::person_name(e, "last_name", &input.last_name, NAME_MAX);
    let gender = fields::gender(e, &input.gender);
    let status = match input.status.as_deref().map(str::trim) {
        None | Some("") => Some(EmployeeStatus::Active),
        Some(s) => status(e, s),
    };
    let birthday = fields::optional_date(e, "birthday", input.birthday.as_deref());
    let hired_at = fields::optional_date(e, "hired_at", input.hired_at.as_deref());
    let email = fields::email(e, input.email.as_deref()).map(|m| m.map(|m| m.as_str().to_owned()));
    let home_address = optional_text(
        e,
        "home_address",
        input.home_address.as_deref(),
        ADDRESS_MAX,
    );
    let phones = phones(e, &input.phones);
    let assignments = assignments(e, &input.positions, today);
    if let Some(Some(b)) = birthday {
        fields::not_in_future(e, "birthday", Some(b), today);
    }
    let (
        Some(first_name),
        Some(last_name),
        Some(gender),
        Some(status),
        Some(birthday),
        Some(hired_at),
        Some(email),
        Some(home_address),
        true,
    ) = (
        first_name,
        last_name,
        gender,
        status,
        birthday,
        hired_at,
        email,
        home_address,
        errors.is_empty(),
    )
    else {
        return Err(ServiceError::Invalid(errors));
    };

    let txn = store.begin_write().await?;
    if let Some(user_id) = input.user_id {
        check_user_link(&txn, user_id, None).await?;
    }
    let mut held = Vec::new();
    for (i, a) in assignments.iter().enumerate() {
        held.push(
            active_position(&txn, a.position_id, &format!("positions[{i}].position_id")).await?,
        );
    }
    let number = repo::next_display_number(&txn).await?;
    let at = now();
    let row = repo::insert(
        &txn,
        repo::NewEmployee {
            employee_display_number: number,
            user_id: input.user_id,
            first_name_key: first_name.key(),
            last_name_key: last_name.key(),
            first_name: first_name.as_str().to_owned(),
            last_name: last_name.as_str().to_owned(),
            gender: gender.code(),
            status: status.code(),
            birthday: birthday.map(date_to_db),
            email,
            home_address,
            hired_at: hired_at.map(date_to_db),
            now: at,
        },
    )
    .await
    .map_err(user_link_conflict)?;
    let id = row.employee_id;
    Recorder {
        audit,
        txn: &txn,
        actor,
    }
    .record("create", "employee", id, None, Some(&audited(&row)))
    .await?;
    let mut phone_rows = Vec::new();
    for p in phones {
        let phone = repo::insert_phone(
            &txn,
            repo::NewPhone {
                employee_id: id,
                number: p.number.as_str().to_owned(),
                label: p.label,
                is_primary: p.is_primary,
                now: at,
            },
        )
        .await?;
        Recorder {
            audit,
            txn: &txn,
            actor,
        }
        .record(
            "create",
            "employee_phone",
            phone.phone_number_id,
            None,
            Some(&phones::audited(
                PhoneOwner::Employee(id),
                &PhoneRow::from(phone.clone()),
            )),
        )
        .await?;
        phone_rows.push(phone);
    }
    let mut assignment_rows = Vec::new();
    for (a, position) in assignments.into_iter().zip(held) {
        let assignment = repo::insert_assignment(
            &txn,
            repo::NewAssignment {
                employee_id: id,
                position_id: a.position_id,
                is_primary: a.is_primary,
                started_at: date_to_db(a.started_at),
            },
        )
        .await?;
        Recorder {
            audit,
            txn: &txn,
            actor,
        }
        .record(
            "create",
            "employee_position",
            assignment.employee_position_id,
            None,
            Some(&audited_assignment(&assignment)),
        )
        .await?;
        assignment_rows.push((assignment, position));
    }
    let employee = Employee::from_rows(row, phone_rows, assignment_rows)?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(employee)
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

/// Changes an employee's own fields (not phones or positions, which have their own use
/// cases). Invalid fields are 422, all together; a user account linked to another employee
/// is 409.
pub async fn update(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    employee_id: i64,
    asked: EmployeeChanges,
) -> Result<Employee, ServiceError> {
    if let Some(user_id) = asked.user_id {
        // Before anything is validated, like the route's own permission.
        let current = repo::find(store.connection(), employee_id)
            .await?
            .ok_or(ServiceError::NotFound("employee"))?;
        if current.user_id != user_id {
            actor.must_manage_users()?;
        }
    }
    let today = today(store).await?;
    let mut errors = Vec::new();
    let e = &mut errors;
    let first_name = asked
        .first_name
        .map(|n| fields::person_name(e, "first_name", &n, NAME_MAX));
    let last_name = asked
        .last_name
        .map(|n| fields::person_name(e, "last_name", &n, NAME_MAX));
    let gender = asked.gender.map(|g| fields::gender(e, &g));
    let status = asked.status.map(|s| status(e, &s));
    let birthday = asked
        .birthday
        .map(|b| fields::optional_date(e, "birthday", b.as_deref()));
    let hired_at = asked
        .hired_at
        .map(|h| fields::optional_date(e, "hired_at", h.as_deref()));
    let email = asked
        .email
        .map(|m| fields::email(e, m.as_deref()).map(|m| m.map(|m| m.as_str().to_owned())));
    let home_address = asked
        .home_address
        .map(|a| optional_text(e, "home_address", a.as_deref(), ADDRESS_MAX));
    if let Some(Some(b)) = birthday {
        fields::not_in_future(e, "birthday", b, today);
    }
    invalid_if_any(errors)?;

    let txn = store.begin_write().await?;
    let before = lock_employee(&txn, employee_id).await?;
    let mut row = before.clone();
    if let Some(Some(n)) = first_name {
        row.first_name_key = n.key();
        row.first_name = n.as_str().to_owned();
    }
    if let Some(Some(n)) = last_name {
        row.last_name_key = n.key();
        row.last_name = n.as_str().to_owned();
    }
    if let Some(Some(g)) = gender {
        row.gender = g.code();
    }
    if let Some(Some(s)) = status {
        row.status = s.code();
        // Working again after being fired.
        row.fired_at = None;
    }
    if let Some(Some(b)) = birthday {
        row.birthday = b.map(date_to_db);
    }
    if let Some(Some(h)) = hired_at {
        row.hired_at = h.map(date_to_db);
    }
    if let Some(Some(m)) = email {
        row.email = m;
    }
    if let Some(Some(a)) = home_address {
        row.home_address = a;
    }
    if let Some(user_id) = asked.user_id {
        if before.user_id != user_id {
            actor.must_manage_users()?;
        }
        if let Some(user_id) = user_id
            && before.user_id != Some(user_id)
        {
            check_user_link(&txn, user_id, Some(employee_id)).await?;
        }
        row.user_id = user_id;
    }
    if let (Some(hired), Some(fired)) = (row.hired_at, row.fired_at)
        && fired < hired
    {
        return Err(ServiceError::invalid_coded(FieldError::coded(
            "hired_at",
            "date-order",
            "must not be after fired_at",
        )));
    }
    let before_json = audited(&before);
    let after_json = audited(&row);
    if before_json == after_json {
        txn.commit().await.map_err(ServiceError::from)?;
        return get(store, employee_id).await;
    }
    row.last_updated_at = now();
    let saved = repo::save(&txn, row).await.map_err(user_link_conflict)?;
    Recorder {
        audit,
        txn: &txn,
        actor,
    }
    .record(
        "update",
        "employee",
        employee_id,
        Some(&before_json),
        Some(&after_json),
    )
    .await?;
    let employee = load(&txn, saved).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(employee)
}

/// Fires an employee on `fired_at` (`YYYY-MM-DD`; default today): status `not_working`,
/// `fired_at` set, open assignments ended on that date, the linked user account disabled
/// and its sessions revoked at once. Firing a fired employee is 409; a date before
/// `hired_at` or before the start of an open assignment is 422. Disabling the last active
/// admin this way is refused too (409). An employee with a linked account is fired by
/// someone who may change user accounts (an admin; others 403), since it disables the
/// account.
pub async fn fire(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    employee_id: i64,
    fired_at: Option<String>,
) -> Result<Employee, ServiceError> {
    let fired_at = match fired_at.as_deref().map(str::trim) {
        None | Some("") => today(store).await?,
        Some(s) => fields::parse_date(s)
            .map_err(|m| ServiceError::invalid_coded(FieldError::coded("fired_at", "date", m)))?,
    };
    let txn = store.begin_write().await?;
    let before = lock_employee(&txn, employee_id).await?;
    if before.user_id.is_some() {
        // Firing disables the linked account: a side effect on a user account.
        actor.must_manage_users()?;
    }
    if before.status == EmployeeStatus::NotWorking.code() || before.fired_at.is_some() {
        return Err(ServiceError::Conflict(
            "this employee has already been fired".into(),
        ));
    }
    let fired_db = date_to_db(fired_at);
    if before.hired_at.is_some_and(|h| fired_db < h) {
        return Err(ServiceError::invalid_coded(FieldError::coded(
            "fired_at",
            "date-order",
            "must not be before hired_at",
        )));
    }
    let assignments = repo::assignments_of(&txn, employee_id).await?;
    if let Some((late, _)) = assignments
        .iter()
        .find(|(a, _)| a.ended_at.is_none() && a.started_at > fired_db)
    {
        return Err(ServiceError::invalid_coded(FieldError::coded(
            "fired_at",
            "date-order",
            format!(
                "must not be before the start ({}) of the open position assignment {}",
                late.started_at, late.employee_position_id
            ),
        )));
    }
    let mut row = before.clone();
    row.status = EmployeeStatus::NotWorking.code();
    row.fired_at = Some(fired_db);
    row.last_updated_at = now();
    let saved = repo::save(&txn, row).await?;
    Recorder {
        audit,
        txn: &txn,
        actor,
    }
    .record(
        "fire",
        "employee",
        employee_id,
        Some(&audited(&before)),
        Some(&audited(&saved)),
    )
    .await?;
    for (a, _) in assignments
        .into_iter()
        .filter(|(a, _)| a.ended_at.is_none())
    {
        let mut ended = a.clone();
        ended.ended_at = Some(fired_db);
        let ended = repo::save_assignment(&txn, ended).await?;
        Recorder {
            audit,
            txn: &txn,
            actor,
        }
        .record(
            "update",
            "employee_position",
            a.employee_position_id,
            Some(&audited_assignment(&a)),
            Some(&audited_assignment(&ended)),
        )
        .await?;
    }
    if let Some(user_id) = saved.user_id {
        disable_user(&txn, audit, actor, user_id).await?;
    }
    let employee = load(&txn, saved).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(employee)
}

/// Disables a fired employee's user account (unless it is already) and revokes every open
/// session of it. The last active admin is never disabled (409).
async fn disable_user(
    txn: &DatabaseTransaction,
    audit: &AuditTrail,
    actor: Actor,
    user_id: i64,
) -> Result<(), ServiceError> {
    let at = now();
    let Some(user) = users::find(txn, user_id).await? else {
        return Ok(());
    };
    if user.disabled_at.is_none() {
        if user.roles == Role::Admin.code() {
            let admins = users::lock_active_admins(txn).await?;
            if admins.contains(&user_id) && admins.len() <= 1 {
                return Err(ServiceError::Conflict(
                    "the employee's user account is the last active admin: make another user admin first".into(),
                ));
            }
        }
        let mut disabled = user.clone();
        disabled.disabled_at = Some(at);
        users::save(txn, disabled).await?;
        let entry = AuditEntry::new("update", "user", Some(user_id)).with_changes(Some(json!({
            "disabled_at": [Value::Null, at.to_rfc3339()],
        })));
        audit.record(txn, actor.stamp(entry)).await?;
    }
    users::revoke_sessions(txn, user_id, at).await?;
    Ok(())
}

// --- phones --------------------------------------------------------------------------------

/// Adds a phone number to an employee (the rules and the audit: [`phones::add`]).
pub async fn add_phone(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    employee_id: i64,
    input: PhoneInput,
) -> Result<EmployeePhone, ServiceError> {
    let owner = PhoneOwner::Employee(employee_id);
    Ok(phones::add(store, audit, actor, owner, input.given())
        .await?
        .into())
}

/// Changes a phone's number, label or primary flag ([`phones::update`]).
pub async fn update_phone(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    employee_id: i64,
    phone_number_id: i64,
    asked: PhoneChanges,
) -> Result<EmployeePhone, ServiceError> {
    let owner = PhoneOwner::Employee(employee_id);
    Ok(
        phones::update(store, audit, actor, owner, phone_number_id, asked)
            .await?
            .into(),
    )
}

/// Deletes a phone number ([`phones::delete`]).
pub async fn delete_phone(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    employee_id: i64,
    phone_number_id: i64,
) -> Result<(), ServiceError> {
    let owner = PhoneOwner::Employee(employee_id);
    phones::delete(store, audit, actor, owner, phone_number_id).await
}

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
    let row = repo::insert_assignment(
        &txn,
        repo::NewAssignment {
            employee_id,
            position_id: input.position_id,
            is_primary: input.is_primary,
            started_at: date_to_db(started_at),
        },
    )
    .await?;
    Recorder {
        audit,
        txn: &txn,
        actor,
    }
    .record(
        "create",
        "employee_position",
        row.employee_position_id,
        None,
        Some(&audited_assignment(&row)),
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    fn phone(number: &str, is_primary: bool) -> PhoneInput {
        PhoneInput {
            number: number.into(),
            label: "Self".into(),
            is_primary,
        }
    }

    #[test]
    fn dates_are_strict() {
        assert_eq!(
            fields::parse_date(" 2024-06-01 "),
            Ok(jiff::civil::date(2024, 6, 1))
        );
        for bad in [
            "2024-6-1",
            "20240601",
            "2024-06-01T10:00",
            "2024-02-30",
            "",
            "1899-12-31",
        ] {
            assert!(fields::parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phone_sets() {
        let mut errors = Vec::new();
        let valid = phones(
            &mut errors,
            &[phone("9911 2233", true), phone("+976 88112233", false)],
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(valid[0].number.as_str(), "99112233");
        assert_eq!(valid[1].number.as_str(), "88112233");

        let mut errors = Vec::new();
        phones(&mut errors, &[phone("99112233", true)]);
        assert_eq!(fields(&errors), ["phones"]);

        let mut errors = Vec::new();
        phones(
            &mut errors,
            &[phone("99112233", true), phone("88112233", true)],
        );
        assert_eq!(fields(&errors), ["phones"]);

        let mut errors = Vec::new();
        phones(
            &mut errors,
            &[phone("99112233", false), phone("88112233", false)],
        );
        assert_eq!(fields(&errors), ["phones"]);

        let mut errors = Vec::new();
        phones(
            &mut errors,
            &[phone("99112233", true), phone("9911-2233", false)],
        );
        assert_eq!(fields(&errors), ["phones[1].number"]);
        assert!(errors[0].message.contains("already has"));

        let mut errors = Vec::new();
        phones(&mut errors, &[phone("12", true)]);
        assert_eq!(fields(&errors), ["phones[0].number", "phones"]);

        let mut errors = Vec::new();
        let mut unlabelled = phone("99112233", true);
        unlabelled.label = "  ".into();
        let valid = phones(&mut errors, &[unlabelled, phone("88112233", false)]);
        assert!(errors.is_empty(), "a label may be empty, as a patient's");
        assert_eq!(valid[0].label, "");

        let mut errors = Vec::new();
        let mut bad_label = phone("99112233", true);
        bad_label.label = "a\tb".into();
        phones(&mut errors, &[bad_label, phone("88112233", false)]);
        assert_eq!(fields(&errors), ["phones[0].label"]);

        let mut errors = Vec::new();
        let many: Vec<PhoneInput> = (0..=MAX_PHONES)
            .map(|i| phone(&format!("9900{i:04}"), i == 0))
            .collect();
        assert!(phones(&mut errors, &many).is_empty());
        assert_eq!(fields(&errors), ["phones"]);
    }

    #[test]
    fn assignment_rules() {
        let today = jiff::civil::date(2025, 1, 2);
        let a = |id, is_primary, started_at: Option<&str>| AssignmentInput {
            position_id: id,
            is_primary,
            started_at: started_at.map(str::to_owned),
        };
        let mut errors = Vec::new();
        let valid = assignments(
            &mut errors,
            &[a(1, true, None), a(2, false, Some("2024-01-01"))],
            today,
        );
        assert!(errors.is_empty());
        assert_eq!(valid[0].started_at, today);
        assert_eq!(valid[1].started_at, jiff::civil::date(2024, 1, 1));
        let mut errors = Vec::new();
        assignments(
            &mut errors,
            &[a(1, true, None), a(2, true, Some("x"))],
            today,
        );
        assert_eq!(fields(&errors), ["positions[1].started_at", "positions"]);
        let mut errors = Vec::new();
        assignments(&mut errors, &[a(1, false, None), a(1, false, None)], today);
        assert_eq!(fields(&errors), ["positions"]);
    }

    #[test]
    fn statuses_and_genders() {
        let mut errors = Vec::new();
        assert_eq!(
            status(&mut errors, "vacation"),
            Some(EmployeeStatus::Vacation)
        );
        assert_eq!(status(&mut errors, "not_working"), None);
        assert_eq!(status(&mut errors, "asleep"), None);
        assert_eq!(fields::gender(&mut errors, ""), None);
        assert_eq!(fields::gender(&mut errors, "female"), Some(Gender::Female));
        assert_eq!(fields(&errors), ["status", "status", "gender"]);
    }
}
