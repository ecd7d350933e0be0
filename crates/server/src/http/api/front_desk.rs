//! The front desk's schedule: `/api/v1/chairs`, a doctor's weekly hours and exceptions
//! (`/api/v1/employees/{id}/working-hours`, `/exceptions`), free time across doctors
//! (`/api/v1/free-slots`) and the waiting room (`/api/v1/arrivals`). Rules: docs/front-desk.md.

use crate::http::error::{ApiError, Json, Path, Problem, Query};
use crate::http::state::AppState;
use crate::services::appointments::{self, SlotQuery};
use crate::services::auth::Caller;
use crate::services::chairs::{self, Chair, ChairInput};
use crate::services::hours::{self, Exception, ExceptionInput, IntervalInput, WeeklyInterval};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A new chair, or a change of one (absent fields are left as they are).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ChairBody {
    /// 1 to 100 characters, unique.
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    /// Default true for a new chair.
    pub active: Option<bool>,
    /// The order chairs are shown in, 0 to 10000 (default 0).
    #[schema(minimum = 0, maximum = 10000)]
    pub position: Option<i64>,
}

impl From<ChairBody> for ChairInput {
    fn from(body: ChairBody) -> Self {
        ChairInput {
            name: body.name,
            active: body.active,
            position: body.position,
        }
    }
}

/// The chairs.
#[derive(Debug, Serialize, ToSchema)]
pub struct Chairs {
    pub items: Vec<Chair>,
}

/// The clinic's chairs, in their order.
#[utoipa::path(get, path = "/api/v1/chairs", operation_id = "chairs_list", tag = "front_desk", security(("bearer" = [])),
    responses((status = 200, description = "Every chair, active or not, by position", body = Chairs)))]
pub async fn list_chairs(State(state): State<AppState>) -> Result<Json<Chairs>, ApiError> {
    Ok(Json(Chairs {
        items: chairs::list(&state.store, false).await?,
    }))
}

/// Add a chair.
#[utoipa::path(post, path = "/api/v1/chairs", operation_id = "chairs_create", tag = "front_desk", security(("bearer" = [])),
    request_body = ChairBody,
    responses(
        (status = 201, description = "Added", body = Chair),
        (status = 409, description = "The clinic has 200 chairs already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named (`name` required or taken, `position`)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_chair(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<ChairBody>,
) -> Result<(StatusCode, Json<Chair>), ApiError> {
    let chair = chairs::create(&state.store, &state.audit, caller.actor(), body.into()).await?;
    Ok((StatusCode::CREATED, Json(chair)))
}

/// Rename, reorder, deactivate or reactivate a chair.
#[utoipa::path(patch, path = "/api/v1/chairs/{chair_id}", operation_id = "chairs_update", tag = "front_desk", security(("bearer" = [])),
    params(("chair_id" = i64, Path, description = "Chair id")),
    request_body = ChairBody,
    responses(
        (status = 200, description = "The chair as it now is", body = Chair),
        (status = 404, description = "No such chair", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_chair(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(chair_id): Path<i64>,
    Json(body): Json<ChairBody>,
) -> Result<Json<Chair>, ApiError> {
    Ok(Json(
        chairs::update(
            &state.store,
            &state.audit,
            caller.actor(),
            chair_id,
            body.into(),
        )
        .await?,
    ))
}

/// One interval of a weekly template.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IntervalBody {
    /// 1 Monday to 7 Sunday.
    #[schema(required = true, value_type = i64, minimum = 1, maximum = 7)]
    pub weekday: Option<i64>,
    /// `HH:MM`, local time.
    #[schema(required = true, value_type = String, example = "09:00")]
    pub start: Option<String>,
    /// `HH:MM` after `start` (`24:00` for midnight).
    #[schema(required = true, value_type = String, example = "13:00")]
    pub end: Option<String>,
    /// The chair the doctor usually works in then (an active chair).
    #[schema(minimum = 1)]
    pub chair_id: Option<i64>,
}

/// A weekly template: every interval (none removes the template: the opening hours apply).
#[derive(Debug, Deserialize, ToSchema)]
pub struct WorkingHoursBody {
    #[schema(required = true, max_items = 50)]
    pub weekly: Option<Vec<IntervalBody>>,
}

/// A doctor's weekly template.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkingHours {
    /// By weekday and start; empty: no template (the clinic's opening hours apply).
    pub weekly: Vec<WeeklyInterval>,
}

/// An employee's weekly working hours.
#[utoipa::path(get, path = "/api/v1/employees/{employee_id}/working-hours", operation_id = "working_hours_get", tag = "front_desk", security(("bearer" = [])),
    params(("employee_id" = i64, Path, description = "Employee id")),
    responses(
        (status = 200, description = "The weekly template", body = WorkingHours),
        (status = 404, description = "No such employee", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_hours(
    State(state): State<AppState>,
    Path(employee_id): Path<i64>,
) -> Result<Json<WorkingHours>, ApiError> {
    Ok(Json(WorkingHours {
        weekly: hours::weekly(&state.store, employee_id).await?,
    }))
}

/// Replace an employee's weekly working hours.
#[utoipa::path(put, path = "/api/v1/employees/{employee_id}/working-hours", operation_id = "working_hours_put", tag = "front_desk", security(("bearer" = [])),
    params(("employee_id" = i64, Path, description = "Employee id")),
    request_body = WorkingHoursBody,
    responses(
        (status = 200, description = "The template as it now is", body = WorkingHours),
        (status = 404, description = "No such employee", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid intervals, each named `weekly[i].field`: outside the opening hours of that weekday, overlapping another, end not after start, an unknown chair", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn put_hours(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(employee_id): Path<i64>,
    Json(body): Json<WorkingHoursBody>,
) -> Result<Json<WorkingHours>, ApiError> {
    let Some(weekly) = body.weekly else {
        return Err(crate::services::ServiceError::invalid_coded(
            crate::services::fields::required("weekly"),
        )
        .into());
    };
    let input = weekly
        .into_iter()
        .map(|i| IntervalInput {
            weekday: i.weekday,
            start: i.start,
            end: i.end,
            chair_id: i.chair_id,
        })
        .collect();
    Ok(Json(WorkingHours {
        weekly: hours::set_weekly(
            &state.store,
            &state.audit,
            caller.actor(),
            employee_id,
            input,
        )
        .await?,
    }))
}

/// `?from=&to=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExceptionParams {
    /// `YYYY-MM-DD`: exceptions on or after this date.
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<String>,
    /// `YYYY-MM-DD`: exceptions on or before this date.
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<String>,
}

/// An exception to add.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ExceptionBody {
    /// `YYYY-MM-DD`.
    #[schema(required = true, value_type = String, format = Date)]
    pub date: Option<String>,
    /// `off`, `vacation`, `sick` (the whole day, or the hours given) or `extra` (hours
    /// required).
    #[schema(required = true, value_type = dcms_domain::ExceptionKind)]
    pub kind: Option<String>,
    /// `HH:MM`; with `end`, or neither.
    #[schema(example = "14:00")]
    pub start: Option<String>,
    /// `HH:MM` after `start`.
    #[schema(example = "18:00")]
    pub end: Option<String>,
    /// At most 500 characters.
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

/// An employee's exceptions.
#[derive(Debug, Serialize, ToSchema)]
pub struct Exceptions {
    /// By date.
    pub items: Vec<Exception>,
}

/// An optional `YYYY-MM-DD` parameter; a malformed one is 400 naming it.
pub(super) fn date_param(
    name: &str,
    value: Option<&str>,
) -> Result<Option<jiff::civil::Date>, ApiError> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| {
            crate::services::fields::parse_date(v)
                .map_err(|e| ApiError::bad_request(format!("{name}: {e}")))
        })
        .transpose()
}

/// An employee's exceptions to the weekly hours.
#[utoipa::path(get, path = "/api/v1/employees/{employee_id}/exceptions", operation_id = "exceptions_list", tag = "front_desk", security(("bearer" = [])),
    params(("employee_id" = i64, Path, description = "Employee id"), ExceptionParams),
    responses(
        (status = 200, description = "The exceptions in the range, by date", body = Exceptions),
        (status = 400, description = "A malformed date", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such employee", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_exceptions(
    State(state): State<AppState>,
    Path(employee_id): Path<i64>,
    Query(params): Query<ExceptionParams>,
) -> Result<Json<Exceptions>, ApiError> {
    let from = date_param("from", params.from.as_deref())?;
    let to = date_param("to", params.to.as_deref())?;
    Ok(Json(Exceptions {
        items: hours::exceptions(&state.store, employee_id, from, to).await?,
    }))
}

/// Add an exception (a day off, vacation, sick, extra hours).
#[utoipa::path(post, path = "/api/v1/employees/{employee_id}/exceptions", operation_id = "exceptions_create", tag = "front_desk", security(("bearer" = [])),
    params(("employee_id" = i64, Path, description = "Employee id")),
    request_body = ExceptionBody,
    responses(
        (status = 201, description = "Added", body = Exception),
        (status = 404, description = "No such employee", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_exception(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(employee_id): Path<i64>,
    Json(body): Json<ExceptionBody>,
) -> Result<(StatusCode, Json<Exception>), ApiError> {
    let input = ExceptionInput {
        date: body.date,
        kind: body.kind,
        start: body.start,
        end: body.end,
        note: body.note,
    };
    let exception = hours::add_exception(
        &state.store,
        &state.audit,
        caller.actor(),
        employee_id,
        input,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(exception)))
}

/// Remove an exception.
#[utoipa::path(delete, path = "/api/v1/employees/{employee_id}/exceptions/{exception_id}", operation_id = "exceptions_delete", tag = "front_desk", security(("bearer" = [])),
    params(("employee_id" = i64, Path, description = "Employee id"), ("exception_id" = i64, Path, description = "Exception id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "The employee has no such exception", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_exception(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((employee_id, exception_id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    hours::remove_exception(
        &state.store,
        &state.audit,
        caller.actor(),
        employee_id,
        exception_id,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `?date=&duration_minutes=&doctor_id=&chair_id=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FreeSlotParams {
    /// `YYYY-MM-DD`, a day of the clinic's calendar.
    #[param(required = true, value_type = String, format = Date, example = "2026-03-02")]
    pub date: Option<String>,
    /// 1 to 1440; default 30.
    #[param(example = 30, minimum = 1, maximum = 1440)]
    pub duration_minutes: Option<i64>,
    /// One doctor (default: every doctor).
    #[param(minimum = 1)]
    pub doctor_id: Option<i64>,
    /// One chair (default: any active chair, the doctor's usual one first).
    #[param(minimum = 1)]
    pub chair_id: Option<i64>,
}

/// A free start time.
#[derive(Debug, Serialize, ToSchema)]
pub struct FreeSlotView {
    /// RFC 3339 with the clinic's offset.
    #[schema(example = "2026-03-02T09:00:00+08:00")]
    pub start_at: String,
    pub doctor_id: i64,
    /// The chair free for the whole duration; null when the clinic has no chairs.
    pub chair_id: Option<i64>,
}

/// Free start times.
#[derive(Debug, Serialize, ToSchema)]
pub struct FreeSlotList {
    /// By start, then by the doctors' order.
    pub slots: Vec<FreeSlotView>,
}

/// Free time on a day, across every doctor or for one.
#[utoipa::path(get, path = "/api/v1/free-slots", operation_id = "free_slots", tag = "front_desk", security(("bearer" = [])),
    params(FreeSlotParams),
    responses(
        (status = 200, description = "Start times every 15 minutes of local time inside each doctor's hours (weekly template or opening hours, less exceptions, plus extra hours) where the duration fits, the doctor has no reserved, confirmed or came appointment, a chair is free when the clinic has chairs, and not in the past", body = FreeSlotList),
        (status = 400, description = "Missing or malformed date", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such doctor", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`duration_minutes` not from 1 to 1440, `doctor_id` not a doctor, `chair_id` unknown or inactive", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn free_slots(
    State(state): State<AppState>,
    Query(params): Query<FreeSlotParams>,
) -> Result<Json<FreeSlotList>, ApiError> {
    let date = date_param("date", params.date.as_deref())?
        .ok_or_else(|| ApiError::bad_request("date must be given as YYYY-MM-DD"))?;
    let query = SlotQuery {
        date,
        duration_minutes: params
            .duration_minutes
            .unwrap_or(appointments::DEFAULT_MINUTES),
        doctor_id: params.doctor_id,
        chair_id: params.chair_id,
    };
    let slots = appointments::free_slots(&state.store, &query).await?;
    Ok(Json(FreeSlotList {
        slots: slots
            .into_iter()
            .map(|s| FreeSlotView {
                start_at: s
                    .start_at
                    .timestamp()
                    .display_with_offset(s.start_at.offset())
                    .to_string(),
                doctor_id: s.doctor_id,
                chair_id: s.chair_id,
            })
            .collect(),
    }))
}

/// `?date=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArrivalParams {
    /// `YYYY-MM-DD` (default: today in the clinic).
    #[param(value_type = Option<String>, format = Date)]
    pub date: Option<String>,
}

/// A patient in the waiting room.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArrivalView {
    pub appointment_id: i64,
    pub patient_id: i64,
    /// `last_name first_name`.
    pub patient_name: String,
    pub doctor_id: i64,
    pub doctor_name: String,
    pub start_at: jiff::Timestamp,
    pub arrived_at: jiff::Timestamp,
    /// Whole minutes since they came.
    pub minutes_waited: i64,
}

/// The waiting room.
#[derive(Debug, Serialize, ToSchema)]
pub struct Arrivals {
    /// By arrival.
    pub items: Vec<ArrivalView>,
}

/// Who came and is not finished yet, with how long they have waited.
#[utoipa::path(get, path = "/api/v1/arrivals", operation_id = "arrivals_list", tag = "front_desk", security(("bearer" = [])),
    params(ArrivalParams),
    responses(
        (status = 200, description = "The day's appointments in status came, by arrival", body = Arrivals),
        (status = 400, description = "A malformed date", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn arrivals(
    State(state): State<AppState>,
    Query(params): Query<ArrivalParams>,
) -> Result<Json<Arrivals>, ApiError> {
    let date = match date_param("date", params.date.as_deref())? {
        Some(date) => date,
        None => {
            let clinic = crate::services::settings::get(&state.store).await?;
            jiff::Timestamp::now().to_zoned(clinic.time_zone()).date()
        }
    };
    let items = appointments::arrivals(&state.store, date)
        .await?
        .into_iter()
        .map(|a| ArrivalView {
            appointment_id: a.appointment.appointment_id,
            patient_id: a.appointment.patient_id,
            patient_name: a.patient_name,
            doctor_id: a.appointment.doctor_id,
            doctor_name: a.doctor_name,
            start_at: a.appointment.start_at,
            arrived_at: a.arrived_at,
            minutes_waited: a.minutes_waiting,
        })
        .collect();
    Ok(Json(Arrivals { items }))
}

/// The routes of this module.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{delete, get};
    axum::Router::new()
        .route("/api/v1/chairs", get(list_chairs).post(create_chair))
        .route(
            "/api/v1/chairs/{chair_id}",
            axum::routing::patch(update_chair),
        )
        .route(
            "/api/v1/employees/{employee_id}/working-hours",
            get(get_hours).put(put_hours),
        )
        .route(
            "/api/v1/employees/{employee_id}/exceptions",
            get(list_exceptions).post(create_exception),
        )
        .route(
            "/api/v1/employees/{employee_id}/exceptions/{exception_id}",
            delete(delete_exception),
        )
        .route("/api/v1/free-slots", get(free_slots))
        .route("/api/v1/arrivals", get(arrivals))
}
