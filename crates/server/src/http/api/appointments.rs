//! `/api/v1/appointments`: booking, moving, status moves and lists (staff; HQ reads);
//! `/api/v1/doctors/{doctor_id}/free-slots`; a patient's appointments
//! (`/api/v1/patients/{patient_id}/appointments`) and one's own (`/api/v1/me/appointments`,
//! patients only).
//!
//! Status codes beyond the conventions: an overlap with another blocking appointment of the
//! doctor or the patient is 409 with the top-level member `conflicting_appointment_id`;
//! `end_at` not after `start_at`, or more than a day after it, is 422 on `end_at`; a status
//! move the state machine forbids is 422 on `status`, its message naming both statuses, and
//! so is came, finished or no-show before the appointment has started; a booking or a move
//! whose start is more than 15 minutes in the past is 422 on `start_at` unless a manager or
//! an admin makes it; changing a canceled, no-show or finished appointment is 409.
//!
//! Lists are ordered by `(start_at, appointment_id)` and paginated with `limit` (default 50,
//! at most 500) and `cursor`.

use super::inputs::{DateOrInstant, InstantText};
use super::views::{Page, PageParams};
use crate::http::error::{ApiError, Json, Path, Problem, Query};
use crate::http::state::AppState;
use crate::services::appointments::{
    self, Appointment, AppointmentChanges, AppointmentCursor, AppointmentPage, BookingError,
    ListQuery, NewAppointment,
};
use crate::services::auth::Caller;
use crate::services::fields::Given;
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use dcms_domain::AppointmentStatus;
use dcms_domain::permission::{Access, Capability};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// An appointment.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentView {
    pub appointment_id: i64,
    pub patient_id: i64,
    /// The doctor (an employee).
    pub doctor_id: i64,
    /// The employee linked to the user who booked it; null for a user without one.
    pub receptionist_id: Option<i64>,
    pub start_at: jiff::Timestamp,
    /// After `start_at`; the appointment is `[start_at, end_at)`.
    pub end_at: jiff::Timestamp,
    pub status: AppointmentStatus,
    /// Fixed at booking: the patient had never come (no appointment came or finished, no
    /// treatment).
    pub is_new_patient: bool,
    /// The planned service of the catalog, if any.
    pub planned_service_id: Option<i64>,
    pub note: Option<String>,
    /// The chair it takes, if any.
    pub chair_id: Option<i64>,
    /// When the patient arrived (the move to came).
    pub arrived_at: Option<jiff::Timestamp>,
    pub created_at: jiff::Timestamp,
    pub updated_at: jiff::Timestamp,
}

impl From<Appointment> for AppointmentView {
    fn from(a: Appointment) -> Self {
        AppointmentView {
            appointment_id: a.appointment_id,
            patient_id: a.patient_id,
            doctor_id: a.doctor_id,
            receptionist_id: a.receptionist_id,
            start_at: a.start_at,
            end_at: a.end_at,
            status: a.status,
            is_new_patient: a.is_new_patient,
            planned_service_id: a.planned_service_id,
            note: a.note,
            chair_id: a.chair_id,
            arrived_at: a.arrived_at,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

impl From<BookingError> for ApiError {
    fn from(err: BookingError) -> Self {
        match err {
            BookingError::Service(e) => e.into(),
            BookingError::Overlap {
                conflicting_appointment_id,
                detail,
            } => ApiError::new(StatusCode::CONFLICT, "double-booking", detail)
                .with("conflicting_appointment_id", conflicting_appointment_id),
            BookingError::ChairTaken {
                conflicting_appointment_id,
                detail,
            } => ApiError::new(StatusCode::CONFLICT, "chair-taken", detail)
                .with("conflicting_appointment_id", conflicting_appointment_id)
                .with("reason", "chair_taken"),
            BookingError::OutsideWorkingHours(detail) => {
                ApiError::new(StatusCode::CONFLICT, "outside-working-hours", detail)
                    .with("reason", "outside_working_hours")
            }
        }
    }
}

/// A booking. Every invalid field is reported at once (422). A start more than 15 minutes
/// in the past is for a manager or an admin (a visit recorded afterwards).
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateAppointmentBody {
    #[schema(required = true, value_type = i64, minimum = 1)]
    pub patient_id: Option<i64>,
    /// An employee who may be a doctor now (working, with an open clinical position).
    #[schema(required = true, value_type = i64, minimum = 1)]
    pub doctor_id: Option<i64>,
    /// RFC 3339 with an offset.
    #[schema(required = true, value_type = InstantText, example = "2026-03-02T10:00:00+08:00")]
    pub start_at: Option<String>,
    /// RFC 3339 with an offset, after `start_at`, at most 24 hours later. Default: the
    /// planned service's duration after `start_at`, or 30 minutes.
    #[schema(value_type = Option<InstantText>, example = "2026-03-02T10:30:00+08:00")]
    pub end_at: Option<String>,
    /// An active service of the catalog.
    #[schema(minimum = 1)]
    pub planned_service_id: Option<i64>,
    /// At most 2000 characters (line breaks allowed); blank is none.
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    /// An active chair; two appointments never share a chair at a time (409 `chair_taken`).
    #[schema(minimum = 1)]
    pub chair_id: Option<i64>,
    /// Book outside the doctor's working hours: managers and admins only (403 otherwise).
    #[serde(default, rename = "override")]
    pub override_hours: Option<bool>,
}

/// A change of an appointment (absent fields are left as they are).
#[derive(Debug, Deserialize, ToSchema)]
pub struct PatchAppointmentBody {
    /// RFC 3339 with an offset; a new start without `end_at` keeps the duration.
    #[schema(value_type = Option<InstantText>, example = "2026-03-02T11:00:00+08:00")]
    pub start_at: Option<String>,
    /// RFC 3339 with an offset, after the start, at most 24 hours later.
    #[schema(value_type = Option<InstantText>)]
    pub end_at: Option<String>,
    #[schema(minimum = 1)]
    pub doctor_id: Option<i64>,
    /// At most 2000 characters (line breaks allowed); null or "" clears it.
    #[serde(default, deserialize_with = "super::staff::nullable")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub note: Option<Option<String>>,
    /// An active chair; null takes it off its chair.
    #[serde(default, deserialize_with = "super::staff::nullable")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub chair_id: Option<Option<i64>>,
    /// Move outside the doctor's working hours: managers and admins only (403 otherwise).
    #[serde(default, rename = "override")]
    pub override_hours: Option<bool>,
}

/// A status move.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StatusBody {
    /// reserved -> confirmed | canceled | no_show | came; confirmed -> canceled | no_show |
    /// came; came -> finished. No-show once the appointment has started, came and finished
    /// from 30 minutes before its start.
    #[schema(required = true, value_type = AppointmentStatus)]
    pub status: Option<String>,
    /// Why (kept in the audit trail); with a manager's or admin's session it lets an
    /// appointment with an unpaid treatment be finished. At most 1000 characters.
    #[schema(max_length = 1000)]
    pub reason: Option<String>,
}

/// `?from=&to=&doctor_id=&patient_id=&status=&limit=&cursor=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Appointments starting at or after this: an RFC 3339 instant, or a date (from the
    /// start of that day in the clinic's time zone).
    #[param(value_type = Option<DateOrInstant>)]
    pub from: Option<String>,
    /// Appointments starting before this: an RFC 3339 instant, or a date (that whole day
    /// included).
    #[param(value_type = Option<DateOrInstant>)]
    pub to: Option<String>,
    pub doctor_id: Option<i64>,
    pub patient_id: Option<i64>,
    /// One status, or several separated by commas (`reserved,confirmed`).
    #[param(
        pattern = r"^[\t\n\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(reserved|confirmed|canceled|no_show|came|finished)?[\t\n\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(,[\t\n\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(reserved|confirmed|canceled|no_show|came|finished)?[\t\n\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)*$"
    )]
    pub status: Option<String>,
    /// Items per page, 1 to 500 (default 50; more is taken as 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page (of the same filters).
    #[param(min_length = 1, pattern = r"^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
}

/// The filters of a patient's own list (as [`ListParams`] without doctor and patient).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OwnListParams {
    /// As for `/api/v1/appointments`.
    #[param(value_type = Option<DateOrInstant>)]
    pub from: Option<String>,
    /// As for `/api/v1/appointments`.
    #[param(value_type = Option<DateOrInstant>)]
    pub to: Option<String>,
    /// One status, or several separated by commas.
    #[param(
        pattern = r"^[\t\n\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(reserved|confirmed|canceled|no_show|came|finished)?[\t\n\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(,[\t\n\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(reserved|confirmed|canceled|no_show|came|finished)?[\t\n\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)*$"
    )]
    pub status: Option<String>,
    /// Items per page, 1 to 500 (default 50; more is taken as 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    #[param(min_length = 1, pattern = r"^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
}

impl From<OwnListParams> for ListParams {
    fn from(p: OwnListParams) -> Self {
        ListParams {
            from: p.from,
            to: p.to,
            doctor_id: None,
            patient_id: None,
            status: p.status,
            limit: p.limit,
            cursor: p.cursor,
        }
    }
}

/// `?date=&duration_minutes=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FreeSlotParams {
    /// `YYYY-MM-DD`, a day of the clinic's calendar.
    #[param(required = true, value_type = String, format = Date, example = "2026-03-02")]
    pub date: Option<String>,
    /// 1 to 1440; default 30.
    #[param(example = 30, minimum = 1, maximum = 1440)]
    pub duration_minutes: Option<i64>,
}

/// A doctor's free start times on a day.
#[derive(Debug, Serialize, ToSchema)]
pub struct FreeSlots {
    /// RFC 3339 with the clinic's offset, in order.
    #[schema(example = json!(["2026-03-02T09:00:00+08:00", "2026-03-02T09:15:00+08:00"]))]
    pub slots: Vec<String>,
}

/// The parsed filters, cursor and limit of a list; malformed ones are 400.
async fn list_query(
    state: &AppState,
    params: ListParams,
) -> Result<(ListQuery, Option<AppointmentCursor>, u64), ApiError> {
    let limit = params
        .limit
        .unwrap_or(PageParams::DEFAULT_LIMIT)
        .clamp(1, PageParams::MAX_LIMIT);
    let cursor = match params.cursor.as_deref() {
        None => None,
        Some(c) => Some(
            AppointmentCursor::decode(c).ok_or_else(|| ApiError::bad_request("invalid cursor"))?,
        ),
    };
    let mut query = ListQuery {
        doctor_id: params.doctor_id,
        patient_id: params.patient_id,
        ..ListQuery::default()
    };
    if params.from.is_some() || params.to.is_some() {
        let clinic = appointments::clinic(&state.store).await?;
        let bound = |name: &str, value: &Option<String>, end: bool| match value {
            None => Ok(None),
            Some(v) => appointments::parse_bound(&clinic, v, end)
                .map(Some)
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "{name} must be a date (YYYY-MM-DD) or an RFC 3339 instant"
                    ))
                }),
        };
        query.from = bound("from", &params.from, false)?;
        query.to = bound("to", &params.to, true)?;
    }
    if let Some(statuses) = params.status.as_deref() {
        for name in statuses.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let status = name
                .parse::<AppointmentStatus>()
                .map_err(|e| ApiError::bad_request(format!("status: {e}")))?;
            if !query.statuses.contains(&status) {
                query.statuses.push(status);
            }
        }
    }
    Ok((query, cursor, limit))
}

fn page(page: AppointmentPage) -> Page<AppointmentView> {
    Page {
        items: page.items.into_iter().map(AppointmentView::from).collect(),
        next_cursor: page.next_cursor.map(|c| c.encode()),
    }
}

/// Appointments, ordered by start.
#[utoipa::path(get, path = "/api/v1/appointments", operation_id = "appointments_list", tag = "appointments", security(("bearer" = [])),
    params(ListParams),
    responses(
        (status = 200, description = "A page of appointments ordered by (start_at, appointment_id)", body = Page<AppointmentView>),
        (status = 400, description = "Bad parameters (from, to, status, cursor)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<ListParams>,
) -> Result<Json<Page<AppointmentView>>, ApiError> {
    let (query, cursor, limit) = list_query(&state, params).await?;
    Ok(Json(page(
        appointments::list(&state.store, &query, cursor, limit).await?,
    )))
}

/// Book an appointment (status reserved).
#[utoipa::path(post, path = "/api/v1/appointments", operation_id = "appointments_create", tag = "appointments", security(("bearer" = [])),
    request_body = CreateAppointmentBody,
    responses(
        (status = 201, description = "Booked", body = AppointmentView),
        (status = 409, description = "The doctor or the patient has an overlapping appointment (reserved, confirmed or came; `conflicting_appointment_id` names it), the chair is taken (`reason: chair_taken` and `conflicting_appointment_id`), or the time is outside the doctor's working hours (`reason: outside_working_hours`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named: `start_at` more than 15 minutes in the past without a manager's or admin's session, `end_at` not after `start_at` (or more than 24 h after), `doctor_id` not a doctor, `patient_id` unknown, `planned_service_id` unknown or deactivated, ...", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<CreateAppointmentBody>,
) -> Result<(StatusCode, Json<AppointmentView>), ApiError> {
    let appointment = appointments::create(
        &state.store,
        &state.audit,
        caller.actor(),
        NewAppointment {
            patient_id: body.patient_id,
            doctor_id: body.doctor_id,
            start_at: Given::instant("start_at", body.start_at.as_deref()),
            end_at: Given::instant("end_at", body.end_at.as_deref()),
            planned_service_id: body.planned_service_id,
            note: body.note,
            chair_id: body.chair_id,
            override_hours: body.override_hours.unwrap_or(false),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(appointment.into())))
}

/// One appointment.
#[utoipa::path(get, path = "/api/v1/appointments/{appointment_id}", operation_id = "appointments_get", tag = "appointments", security(("bearer" = [])),
    params(("appointment_id" = i64, Path, description = "Appointment id")),
    responses(
        (status = 200, description = "The appointment", body = AppointmentView),
        (status = 404, description = "No such appointment", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Path(appointment_id): Path<i64>,
) -> Result<Json<AppointmentView>, ApiError> {
    Ok(Json(
        appointments::get(&state.store, appointment_id)
            .await?
            .into(),
    ))
}

/// Move an appointment (time, doctor) or change its note, while it is not canceled, a
/// no-show or finished.
#[utoipa::path(patch, path = "/api/v1/appointments/{appointment_id}", operation_id = "appointments_update", tag = "appointments", security(("bearer" = [])),
    params(("appointment_id" = i64, Path, description = "Appointment id")),
    request_body = PatchAppointmentBody,
    responses(
        (status = 200, description = "The appointment as it now is", body = AppointmentView),
        (status = 404, description = "No such appointment", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An overlap (with `conflicting_appointment_id`), the chair taken (`reason: chair_taken`), outside the doctor's working hours (`reason: outside_working_hours`), or the appointment is final", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named: a new `start_at` more than 15 minutes in the past without a manager's or admin's session, `end_at` not after the start (or more than 24 h after), `doctor_id` not a doctor, `note` too long, ...", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(appointment_id): Path<i64>,
    Json(body): Json<PatchAppointmentBody>,
) -> Result<Json<AppointmentView>, ApiError> {
    let appointment = appointments::update(
        &state.store,
        &state.audit,
        caller.actor(),
        appointment_id,
        AppointmentChanges {
            start_at: Given::instant("start_at", body.start_at.as_deref()),
            end_at: Given::instant("end_at", body.end_at.as_deref()),
            doctor_id: body.doctor_id,
            note: body.note,
            chair_id: body.chair_id,
            override_hours: body.override_hours.unwrap_or(false),
        },
    )
    .await?;
    Ok(Json(appointment.into()))
}

/// Move an appointment to another status.
#[utoipa::path(post, path = "/api/v1/appointments/{appointment_id}/status", operation_id = "appointments_status_set", tag = "appointments", security(("bearer" = [])),
    params(("appointment_id" = i64, Path, description = "Appointment id")),
    request_body = StatusBody,
    responses(
        (status = 200, description = "The appointment as it now is (came and finished record the patient's visit)", body = AppointmentView),
        (status = 404, description = "No such appointment", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Finishing with an unpaid treatment, without a manager's or admin's reason", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "On `status`: an unknown status, a move the state machine forbids (the message names both statuses), or came, finished or no-show for an appointment that has not started (came and finished from 30 minutes before its start, no-show from its start)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn set_status(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(appointment_id): Path<i64>,
    Json(body): Json<StatusBody>,
) -> Result<Json<AppointmentView>, ApiError> {
    let may_override = caller.may(Capability::Refunds, Access::Write);
    let appointment = appointments::set_status(
        &state.store,
        &state.audit,
        caller.actor(),
        may_override,
        appointment_id,
        body.status.as_deref().unwrap_or_default(),
        body.reason.as_deref(),
    )
    .await?;
    Ok(Json(appointment.into()))
}

/// A doctor's free start times on a day.
#[utoipa::path(get, path = "/api/v1/doctors/{doctor_id}/free-slots", operation_id = "doctors_free_slots", tag = "appointments", security(("bearer" = [])),
    params(("doctor_id" = i64, Path, description = "The doctor (employee id)"), FreeSlotParams),
    responses(
        (status = 200, description = "Start times every 15 minutes of the clinic's local time at which the duration fits inside one opening interval of that weekday, overlaps none of the doctor's reserved, confirmed or came appointments, and is not in the past", body = FreeSlots),
        (status = 400, description = "Missing or malformed date", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such employee", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The employee may not be a doctor (`doctor_id`), or `duration_minutes` is not from 1 to 1440", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn free_slots(
    State(state): State<AppState>,
    Path(doctor_id): Path<i64>,
    Query(params): Query<FreeSlotParams>,
) -> Result<Json<FreeSlots>, ApiError> {
    let date: jiff::civil::Date = params
        .date
        .as_deref()
        .map(str::trim)
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| ApiError::bad_request("date must be given as YYYY-MM-DD"))?;
    let duration = params
        .duration_minutes
        .unwrap_or(appointments::DEFAULT_MINUTES);
    let slots = appointments::free_slots_of_doctor(&state.store, doctor_id, date, duration).await?;
    Ok(Json(FreeSlots {
        slots: slots
            .iter()
            .map(|z| z.timestamp().display_with_offset(z.offset()).to_string())
            .collect(),
    }))
}

/// A patient's appointments, ordered by start.
#[utoipa::path(get, path = "/api/v1/patients/{patient_id}/appointments", operation_id = "patients_appointments_list", tag = "appointments", security(("bearer" = [])),
    params(("patient_id" = i64, Path, description = "Patient id"), OwnListParams),
    responses(
        (status = 200, description = "A page of the patient's appointments ordered by (start_at, appointment_id)", body = Page<AppointmentView>),
        (status = 404, description = "No such patient", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn of_patient(
    State(state): State<AppState>,
    Path(patient_id): Path<i64>,
    Query(params): Query<OwnListParams>,
) -> Result<Json<Page<AppointmentView>>, ApiError> {
    let (query, cursor, limit) = list_query(&state, params.into()).await?;
    Ok(Json(page(
        appointments::of_patient(&state.store, patient_id, query, cursor, limit).await?,
    )))
}

/// My appointments, ordered by start.
#[utoipa::path(get, path = "/api/v1/me/appointments", operation_id = "me_appointments_list", tag = "appointments", security(("bearer" = [])),
    params(OwnListParams),
    responses(
        (status = 200, description = "A page of my appointments ordered by (start_at, appointment_id)", body = Page<AppointmentView>),
        (status = 404, description = "No patient record is linked to this account", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn mine(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<OwnListParams>,
) -> Result<Json<Page<AppointmentView>>, ApiError> {
    let (query, cursor, limit) = list_query(&state, params.into()).await?;
    Ok(Json(page(
        appointments::of_own_patient(&state.store, caller.user_id(), query, cursor, limit).await?,
    )))
}

/// The routes of this module.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{self, post};
    axum::Router::new()
        .route("/api/v1/appointments", routing::get(list).post(create))
        .route(
            "/api/v1/appointments/{appointment_id}",
            routing::get(get).patch(update),
        )
        .route(
            "/api/v1/appointments/{appointment_id}/status",
            post(set_status),
        )
        .route(
            "/api/v1/doctors/{doctor_id}/free-slots",
            routing::get(free_slots),
        )
        .route(
            "/api/v1/patients/{patient_id}/appointments",
            routing::get(of_patient),
        )
        .route("/api/v1/me/appointments", routing::get(mine))
}
