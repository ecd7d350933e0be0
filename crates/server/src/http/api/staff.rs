//! `/api/v1/employees`, `/api/v1/doctors`: staff, their phones and positions, firing, and
//! who may be the doctor of an appointment (read: staff and HQ; write: admin, manager).
//! Positions themselves are in `positions.rs`.
//!
//! Status codes beyond the conventions: fewer than two phones or not exactly one primary
//! after any change is 422 on the field `phones`; a second open primary position is 422
//! (`positions` on create, `is_primary` or `ended_at` on the sub-resource); firing a fired
//! employee, or giving a fired employee an open position, is 409; a user account linked to
//! another employee is 409.

use super::inputs::{DateText, EmailText, PhoneNumberText};
use super::views::{Page, PageParams, id_page};
use crate::http::error::{ApiError, Json, Path, Problem, Query};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::phones;
use crate::services::staff::{
    self, AssignmentChanges, AssignmentInput, Employee, EmployeeChanges, EmployeePhone,
    EmployeePosition, NewEmployee, PhoneChanges, PhoneInput,
};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use dcms_domain::{EmployeeStatus, Gender};
use dcms_store::phones::PhoneOwner;
use serde::{Deserialize, Deserializer};
use utoipa::{IntoParams, ToSchema};

/// Reads a field that may be absent (`None`), null (`Some(None)`) or a value.
pub(super) fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A phone number of an employee (as a patient's).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = EmployeePhoneBody)]
pub struct PhoneBody {
    /// Spaces, `-`, `.`, `(`, `)` and a leading `+976` are removed; foreign numbers keep `+`.
    #[serde(default)]
    #[schema(required = true, value_type = PhoneNumberText, example = "9911 2233")]
    pub number: String,
    /// Free text, one line, at most 255 characters: Self, Work, Home, ...
    #[serde(default)]
    #[schema(required = true, example = "Self", max_length = 255)]
    pub label: String,
    /// Exactly one phone is primary. On `POST .../phones`, true moves the primary here.
    #[serde(default)]
    pub is_primary: bool,
}

impl From<PhoneBody> for PhoneInput {
    fn from(b: PhoneBody) -> Self {
        PhoneInput {
            number: b.number,
            label: b.label,
            is_primary: b.is_primary,
        }
    }
}

/// An assignment to a position.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignmentBody {
    /// An active position.
    #[schema(minimum = 1)]
    pub position_id: i64,
    /// At most one open assignment is primary (422 otherwise).
    #[serde(default)]
    pub is_primary: bool,
    /// `YYYY-MM-DD`; default today in the clinic's time zone.
    #[schema(value_type = Option<DateText>, example = "2024-09-01")]
    pub started_at: Option<String>,
}

impl From<AssignmentBody> for AssignmentInput {
    fn from(b: AssignmentBody) -> Self {
        AssignmentInput {
            position_id: b.position_id,
            is_primary: b.is_primary,
            started_at: b.started_at,
        }
    }
}

/// A new employee. Invalid fields are all reported together (422), and nothing is stored.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateEmployeeBody {
    /// 1 to 100 characters, one line.
    #[serde(default)]
    #[schema(
        required = true,
        example = "Болормаа",
        min_length = 1,
        max_length = 100
    )]
    pub first_name: String,
    /// 1 to 100 characters, one line.
    #[serde(default)]
    #[schema(required = true, example = "Бат", min_length = 1, max_length = 100)]
    pub last_name: String,
    #[serde(default)]
    #[schema(value_type = Gender, required = true)]
    pub gender: String,
    /// Default `active`; `not_working` is refused (fire instead).
    #[schema(value_type = Option<EmployeeStatus>)]
    pub status: Option<String>,
    /// `YYYY-MM-DD`, not in the future.
    #[schema(value_type = Option<DateText>)]
    pub birthday: Option<String>,
    #[schema(value_type = Option<EmailText>, example = "bolormaa@example.mn")]
    pub email: Option<String>,
    /// At most 255 characters, one line.
    #[schema(max_length = 255)]
    pub home_address: Option<String>,
    /// `YYYY-MM-DD`.
    #[schema(value_type = Option<DateText>)]
    pub hired_at: Option<String>,
    /// A staff user account (not a patient's) not linked to another employee (409).
    #[schema(minimum = 1)]
    pub user_id: Option<i64>,
    /// At least two, at most 20, exactly one primary (422 on `phones` otherwise).
    #[serde(default)]
    #[schema(required = true, min_items = 2, max_items = 20)]
    pub phones: Vec<PhoneBody>,
    /// Active positions, at most 20; at most one primary.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub positions: Vec<AssignmentBody>,
}

/// A change of an employee: absent fields are kept; null clears the nullable ones. Phones
/// and positions change through their own endpoints.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PatchEmployeeBody {
    /// 1 to 100 characters, one line.
    #[schema(min_length = 1, max_length = 100)]
    pub first_name: Option<String>,
    /// 1 to 100 characters, one line.
    #[schema(min_length = 1, max_length = 100)]
    pub last_name: Option<String>,
    #[schema(value_type = Option<Gender>)]
    pub gender: Option<String>,
    /// Not `not_working` (fire instead). A fired employee given another status works again
    /// (`fired_at` is cleared; the user account stays disabled until an admin enables it).
    #[schema(value_type = Option<EmployeeStatus>)]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DateText>)]
    pub birthday: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<EmailText>)]
    pub email: Option<Option<String>>,
    /// At most 255 characters, one line.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 255)]
    pub home_address: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DateText>)]
    pub hired_at: Option<Option<String>>,
    /// Links a staff user account; null unlinks.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub user_id: Option<Option<i64>>,
}

/// Firing an employee.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FireBody {
    /// `YYYY-MM-DD`; default today in the clinic's time zone. Not before `hired_at` nor the
    /// start of an open position.
    #[schema(value_type = Option<DateText>, example = "2025-03-31")]
    pub fired_at: Option<String>,
}

/// A change of a phone.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = PatchEmployeePhoneBody)]
pub struct PatchPhoneBody {
    #[schema(value_type = Option<PhoneNumberText>)]
    pub number: Option<String>,
    /// One line, at most 255 characters.
    #[schema(max_length = 255)]
    pub label: Option<String>,
    /// true moves the primary here; false on the primary is 422 (one phone must be primary).
    pub is_primary: Option<bool>,
}

/// A change of an assignment.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PatchAssignmentBody {
    /// `YYYY-MM-DD`, not before `started_at`; null reopens the assignment.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DateText>)]
    pub ended_at: Option<Option<String>>,
    /// At most one open assignment is primary (422 otherwise).
    pub is_primary: Option<bool>,
}

/// `?limit=&cursor=&status=` of the employee list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EmployeeListParams {
    /// Items per page, 1 to 500 (default 50; more is taken as 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    #[param(min_length = 1, pattern = r"^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
    /// Only employees in this status.
    pub status: Option<EmployeeStatus>,
}

pub(super) fn page_params(limit: Option<u64>, cursor: Option<String>) -> PageParams {
    PageParams { limit, cursor }
}

// --- employees -----------------------------------------------------------------------------

/// Employees, by id.
#[utoipa::path(get, path = "/api/v1/employees", operation_id = "employees_list", tag = "staff", security(("bearer" = [])),
    params(EmployeeListParams),
    responses(
        (status = 200, description = "A page of employees", body = Page<Employee>),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<EmployeeListParams>,
) -> Result<Json<Page<Employee>>, ApiError> {
    let page = page_params(params.limit, params.cursor);
    let limit = page.limit();
    let rows = staff::list(&state.store, params.status, page.after_id()?, limit + 1).await?;
    Ok(Json(id_page(rows, limit, |e| e.employee_id, |e| e)))
}

/// Create an employee with their phones and positions (one transaction).
#[utoipa::path(post, path = "/api/v1/employees", operation_id = "employees_create", tag = "staff", security(("bearer" = [])),
    request_body = CreateEmployeeBody,
    responses(
        (status = 201, description = "Created", body = Employee),
        (status = 409, description = "The user account is linked to another employee", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: fewer than 2 phones or not exactly one primary (`phones`), more than one primary position (`positions`), an unknown or inactive position, a patient's user account, ...", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<CreateEmployeeBody>,
) -> Result<(StatusCode, Json<Employee>), ApiError> {
    let employee = staff::create(
        &state.store,
        &state.audit,
        caller.actor(),
        NewEmployee {
            first_name: body.first_name,
            last_name: body.last_name,
            gender: body.gender,
            status: body.status,
            birthday: body.birthday,
            email: body.email,
            home_address: body.home_address,
            hired_at: body.hired_at,
            user_id: body.user_id,
            phones: body.phones.into_iter().map(PhoneInput::from).collect(),
            positions: body
                .positions
                .into_iter()
                .map(AssignmentInput::from)
                .collect(),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(employee)))
}

/// One employee.
#[utoipa::path(get, path = "/api/v1/employees/{employee_id}", operation_id = "employees_get", tag = "staff", security(("bearer" = [])),
    params(("employee_id" = i64, Path, description = "Employee id")),
    responses(
        (status = 200, description = "The employee", body = Employee),
        (status = 404, description = "No such employee", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Path(employee_id): Path<i64>,
) -> Result<Json<Employee>, ApiError> {
    Ok(Json(staff::get(&state.store, employee_id).await?))
}

/// Change an employee's fields.
#[utoipa::path(patch, path = "/api/v1/employees/{employee_id}", operation_id = "employees_update", tag = "staff", security(("bearer" = [])),
    params(("employee_id" = i64, Path, description = "Employee id")),
    request_body = PatchEmployeeBody,
    responses(
        (status = 200, description = "The employee as they now are", body = Employee),
        (status = 404, description = "No such employee", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The user account is linked to another employee", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(employee_id): Path<i64>,
    Json(body): Json<PatchEmployeeBody>,
) -> Result<Json<Employee>, ApiError> {
    let employee = staff::update(
        &state.store,
        &state.audit,
        caller.actor(),
        employee_id,
        EmployeeChanges {
            first_name: body.first_name,
            last_name: body.last_name,
            gender: body.gender,
            status: body.status,
            birthday: body.birthday,
            email: body.email,
            home_address: body.home_address,
            hired_at: body.hired_at,
            user_id: body.user_id,
        },
    )
    .await?;
    Ok(Json(employee))
}

/// Fire an employee: status `not_working`, `fired_at` set, open positions ended that day, the
/// linked user account disabled and its sessions revoked.
#[utoipa::path(post, path = "/api/v1/employees/{employee_id}/fire", operation_id = "employees_fire", tag = "staff", security(("bearer" = [])),
    params(("employee_id" = i64, Path, description = "Employee id")),
    request_body = FireBody,
    responses(
        (status = 200, description = "The employee as they now are", body = Employee),
        (status = 404, description = "No such employee", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already fired, or the linked account is the last active admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`fired_at` invalid, before `hired_at` or before the start of an open position", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn fire(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(employee_id): Path<i64>,
    Json(body): Json<FireBody>,
) -> Result<Json<Employee>, ApiError> {
    let employee = staff::fire(
        &state.store,
        &state.audit,
        caller.actor(),
        employee_id,
        body.fired_at,
    )
    .await?;
    Ok(Json(employee))
}

// --- phones --------------------------------------------------------------------------------

/// Add a phone number to an employee.
#[utoipa::path(post, path = "/api/v1/employees/{employee_id}/phones", operation_id = "employees_phones_add", tag = "staff", security(("bearer" = [])),
    params(("employee_id" = i64, Path, description = "Employee id")),
    request_body = PhoneBody,
    responses(
        (status = 201, description = "Added", body = EmployeePhone),
        (status = 404, description = "No such employee", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid number or label, or a number the employee already has", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_phone(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(employee_id): Path<i64>,
    Json(body): Json<PhoneBody>,
) -> Result<(StatusCode, Json<EmployeePhone>), ApiError> {
    let phone = phones::add(
        &state.store,
        &state.audit,
        caller.actor(),
        PhoneOwner::Employee(employee_id),
        PhoneInput::from(body).given(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(EmployeePhone::from(phone))))
}

/// Change a phone number, its label, or make it the primary.
#[utoipa::path(patch, path = "/api/v1/employees/{employee_id}/phones/{phone_id}", operation_id = "employees_phones_update", tag = "staff", security(("bearer" = [])),
    params(("employee_id" = i64, Path, description = "Employee id"), ("phone_id" = i64, Path, description = "One of that employee's phones")),
    request_body = PatchPhoneBody,
    responses(
        (status = 200, description = "The phone as it now is", body = EmployeePhone),
        (status = 404, description = "No such phone of that employee", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or no primary would be left (`phones`)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_phone(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((employee_id, phone_id)): Path<(i64, i64)>,
    Json(body): Json<PatchPhoneBody>,
) -> Result<Json<EmployeePhone>, ApiError> {
    let phone = phones::update(
        &state.store,
        &state.audit,
        caller.actor(),
        PhoneOwner::Employee(employee_id),
        phone_id,
        PhoneChanges {
            number: body.number,
            label: body.label,
            is_primary: body.is_primary,
        },
    )
    .await?;
    Ok(Json(EmployeePhone::from(phone)))
}

/// Delete a phone number.
#[utoipa::path(delete, path = "/api/v1/employees/{employee_id}/phones/{phone_id}", operation_id = "employees_phones_delete", tag = "staff", security(("bearer" = [])),
    params(("employee_id" = i64, Path, description = "Employee id"), ("phone_id" = i64, Path, description = "One of that employee's phones")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such phone of that employee", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fewer than two phones would be left, or it is the primary (`phones`)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_phone(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((employee_id, phone_id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    phones::delete(
        &state.store,
        &state.audit,
        caller.actor(),
        PhoneOwner::Employee(employee_id),
        phone_id,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

// --- employee positions --------------------------------------------------------------------

/// Assign a position to an employee.
#[utoipa::path(post, path = "/api/v1/employees/{employee_id}/positions", operation_id = "employees_positions_add", tag = "staff", security(("bearer" = [])),
    params(("employee_id" = i64, Path, description = "Employee id")),
    request_body = AssignmentBody,
    responses(
        (status = 201, description = "Assigned", body = EmployeePosition),
        (status = 404, description = "No such employee", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The employee has been fired", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown or inactive position (`position_id`), bad date, or the employee already has an open primary position (`is_primary`)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_position(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(employee_id): Path<i64>,
    Json(body): Json<AssignmentBody>,
) -> Result<(StatusCode, Json<EmployeePosition>), ApiError> {
    let assignment = staff::add_position(
        &state.store,
        &state.audit,
        caller.actor(),
        employee_id,
        body.into(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(assignment)))
}

/// End, reopen, or (un)mark as primary an assignment.
#[utoipa::path(patch, path = "/api/v1/employees/{employee_id}/positions/{employee_position_id}", operation_id = "employees_positions_update", tag = "staff", security(("bearer" = [])),
    params(("employee_id" = i64, Path, description = "Employee id"), ("employee_position_id" = i64, Path, description = "One of that employee's assignments")),
    request_body = PatchAssignmentBody,
    responses(
        (status = 200, description = "The assignment as it now is", body = EmployeePosition),
        (status = 404, description = "No such assignment of that employee", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Reopening an assignment of a fired employee", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`ended_at` before `started_at`, or a second open primary (`is_primary` / `ended_at`)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_position(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((employee_id, employee_position_id)): Path<(i64, i64)>,
    Json(body): Json<PatchAssignmentBody>,
) -> Result<Json<EmployeePosition>, ApiError> {
    let assignment = staff::update_position(
        &state.store,
        &state.audit,
        caller.actor(),
        employee_id,
        employee_position_id,
        AssignmentChanges {
            ended_at: body.ended_at,
            is_primary: body.is_primary,
        },
    )
    .await?;
    Ok(Json(assignment))
}

// --- doctors -------------------------------------------------------------------------------

/// Employees who may be the doctor of an appointment: not `not_working`, with an open
/// assignment to a `clinical` position. By id.
#[utoipa::path(get, path = "/api/v1/doctors", operation_id = "doctors_list", tag = "staff", security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of doctors", body = Page<Employee>),
    ))]
pub async fn doctors(
    State(state): State<AppState>,
    Query(params): Query<PageParams>,
) -> Result<Json<Page<Employee>>, ApiError> {
    let limit = params.limit();
    let rows = staff::doctors(&state.store, params.after_id()?, limit + 1).await?;
    Ok(Json(id_page(rows, limit, |e| e.employee_id, |e| e)))
}

/// The routes of employees, doctors and positions. Positions have no DELETE: axum answers
/// 405 (the permission layer lets a known path's unrouted method through to it).
pub fn routes() -> axum::Router<AppState> {
    use super::positions;
    use axum::routing;
    axum::Router::new()
        .route("/api/v1/employees", routing::get(list).post(create))
        .route(
            "/api/v1/employees/{employee_id}",
            routing::get(get).patch(update),
        )
        .route("/api/v1/employees/{employee_id}/fire", routing::post(fire))
        .route(
            "/api/v1/employees/{employee_id}/phones",
            routing::post(add_phone),
        )
        .route(
            "/api/v1/employees/{employee_id}/phones/{phone_id}",
            routing::patch(update_phone).delete(delete_phone),
        )
        .route(
            "/api/v1/employees/{employee_id}/positions",
            routing::post(add_position),
        )
        .route(
            "/api/v1/employees/{employee_id}/positions/{employee_position_id}",
            routing::patch(update_position),
        )
        .route("/api/v1/doctors", routing::get(doctors))
        .route(
            "/api/v1/positions",
            routing::get(positions::list).post(positions::create),
        )
        .route(
            "/api/v1/positions/{position_id}",
            routing::get(positions::get).patch(positions::update),
        )
}
