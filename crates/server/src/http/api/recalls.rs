//! Bringing patients back: recalls (`/api/v1/recalls`) and the portal's appointment requests
//! (`/api/v1/me/appointment-requests` for a patient, `/api/v1/appointment-requests` for
//! reception). Rules: docs/front-desk.md.

use super::appointments::AppointmentView;
use super::front_desk::date_param;
use crate::http::error::{ApiError, Json, Path, Problem, Query};
use crate::http::state::AppState;
use crate::services::appointments::NewAppointment;
use crate::services::auth::Caller;
use crate::services::fields::Given;
use crate::services::recalls::{self, Contact, ContactInput, Recall, RecallChanges, RecallQuery};
use crate::services::requests::{self, AppointmentRequest, PreferredInput};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// `?state=&due_from=&due_to=&doctor_id=&patient_id=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecallParams {
    /// `due`, `overdue` (due with the date passed), `booked` or `stopped`; default every state.
    #[param(pattern = "^(due|overdue|booked|stopped)?$")]
    pub state: Option<String>,
    /// `YYYY-MM-DD`: due on or after.
    #[param(value_type = Option<String>, format = Date)]
    pub due_from: Option<String>,
    /// `YYYY-MM-DD`: due on or before.
    #[param(value_type = Option<String>, format = Date)]
    pub due_to: Option<String>,
    /// The doctor who last did the service.
    pub doctor_id: Option<i64>,
    pub patient_id: Option<i64>,
}

/// Recalls.
#[derive(Debug, Serialize, ToSchema)]
pub struct Recalls {
    /// By due date (at most 500).
    pub items: Vec<Recall>,
}

/// Recalls due, overdue, booked or stopped, with the patient's primary phone and the last
/// contact.
#[utoipa::path(get, path = "/api/v1/recalls", operation_id = "recalls_list", tag = "front_desk", security(("bearer" = [])),
    params(RecallParams),
    responses(
        (status = 200, description = "The recalls, by due date", body = Recalls),
        (status = 400, description = "A malformed date", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown state", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<RecallParams>,
) -> Result<Json<Recalls>, ApiError> {
    let query = RecallQuery {
        state: params.state,
        due_from: date_param("due_from", params.due_from.as_deref())?,
        due_to: date_param("due_to", params.due_to.as_deref())?,
        doctor_id: params.doctor_id,
        patient_id: params.patient_id,
    };
    Ok(Json(Recalls {
        items: recalls::list(&state.store, query).await?,
    }))
}

/// A change of a recall.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RecallBody {
    /// `YYYY-MM-DD`.
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<String>,
    /// `stopped`, or `due` to start it again.
    #[schema(pattern = "^(stopped|due)$")]
    pub state: Option<String>,
}

/// Move a recall's date, stop it, or start it again.
#[utoipa::path(patch, path = "/api/v1/recalls/{recall_id}", operation_id = "recalls_update", tag = "front_desk", security(("bearer" = [])),
    params(("recall_id" = i64, Path, description = "Recall id")),
    request_body = RecallBody,
    responses(
        (status = 200, description = "The recall as it now is", body = Recall),
        (status = 404, description = "No such recall", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(recall_id): Path<i64>,
    Json(body): Json<RecallBody>,
) -> Result<Json<Recall>, ApiError> {
    let changes = RecallChanges {
        due_date: body.due_date,
        state: body.state,
    };
    Ok(Json(
        recalls::update(
            &state.store,
            &state.audit,
            caller.actor(),
            recall_id,
            changes,
        )
        .await?,
    ))
}

/// A contact about a recall.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ContactBody {
    /// `sms` queues the clinic's recall SMS to the primary phone; `call` logs a call.
    #[schema(required = true, value_type = dcms_domain::ContactChannel)]
    pub channel: Option<String>,
    /// At most 1000 characters.
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

/// Send the recall SMS or log a call.
#[utoipa::path(post, path = "/api/v1/recalls/{recall_id}/contacts", operation_id = "recalls_contact", tag = "front_desk", security(("bearer" = [])),
    params(("recall_id" = i64, Path, description = "Recall id")),
    request_body = ContactBody,
    responses(
        (status = 201, description = "Logged (an SMS queued in the outbox, one per request)", body = Contact),
        (status = 404, description = "No such recall", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or no primary phone for an SMS", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn contact(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(recall_id): Path<i64>,
    Json(body): Json<ContactBody>,
) -> Result<(StatusCode, Json<Contact>), ApiError> {
    let input = ContactInput {
        channel: body.channel,
        note: body.note,
    };
    let contact =
        recalls::contact(&state.store, &state.audit, caller.actor(), recall_id, input).await?;
    Ok((StatusCode::CREATED, Json(contact)))
}

// --- requests from the portal ----------------------------------------------------------------------

/// A preferred day.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PreferredBody {
    /// `YYYY-MM-DD`, today or later.
    #[schema(required = true, value_type = String, format = Date)]
    pub date: Option<String>,
    /// `HH:MM`: from this time.
    #[schema(example = "10:00")]
    pub from: Option<String>,
    /// `HH:MM`: until this time (after `from`).
    #[schema(example = "13:00")]
    pub to: Option<String>,
}

/// An appointment asked for.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RequestBody {
    /// 1 to 5 preferred days.
    #[serde(default)]
    #[schema(min_items = 1, max_items = 5)]
    pub preferred: Vec<PreferredBody>,
    /// At most 1000 characters.
    #[schema(max_length = 1000)]
    pub reason: Option<String>,
}

/// Requests.
#[derive(Debug, Serialize, ToSchema)]
pub struct Requests {
    /// Oldest first (at most 500).
    pub items: Vec<AppointmentRequest>,
}

/// Ask the clinic for an appointment.
#[utoipa::path(post, path = "/api/v1/me/appointment-requests", operation_id = "me_appointment_requests_create", tag = "front_desk", security(("bearer" = [])),
    request_body = RequestBody,
    responses(
        (status = 201, description = "Asked; reception answers it", body = AppointmentRequest),
        (status = 404, description = "No patient record is linked to this account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named (`preferred[i].date` in the past, ...)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Three requests are open already", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn ask(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<RequestBody>,
) -> Result<(StatusCode, Json<AppointmentRequest>), ApiError> {
    let preferred: Vec<PreferredInput> = body
        .preferred
        .into_iter()
        .map(|p| PreferredInput {
            date: p.date,
            from: p.from,
            to: p.to,
        })
        .collect();
    let asked = requests::ask(
        &state.store,
        &state.audit,
        caller.actor(),
        &preferred,
        body.reason.as_deref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(asked)))
}

/// My appointment requests and their answers.
#[utoipa::path(get, path = "/api/v1/me/appointment-requests", operation_id = "me_appointment_requests_list", tag = "front_desk", security(("bearer" = [])),
    responses(
        (status = 200, description = "My requests, oldest first", body = Requests),
        (status = 404, description = "No patient record is linked to this account", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn mine(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Requests>, ApiError> {
    Ok(Json(Requests {
        items: requests::mine(&state.store, caller.user_id()).await?,
    }))
}

/// `?status=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestParams {
    /// `open`, `booked` or `declined`; default every status.
    #[param(value_type = Option<dcms_domain::RequestStatus>)]
    pub status: Option<String>,
}

/// Appointment requests from the portal.
#[utoipa::path(get, path = "/api/v1/appointment-requests", operation_id = "appointment_requests_list", tag = "front_desk", security(("bearer" = [])),
    params(RequestParams),
    responses(
        (status = 200, description = "The requests, oldest first", body = Requests),
        (status = 422, description = "An unknown status", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_requests(
    State(state): State<AppState>,
    Query(params): Query<RequestParams>,
) -> Result<Json<Requests>, ApiError> {
    Ok(Json(Requests {
        items: requests::list(&state.store, params.status.as_deref()).await?,
    }))
}

/// The appointment booked for a request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BookRequestBody {
    #[schema(required = true, value_type = i64, minimum = 1)]
    pub doctor_id: Option<i64>,
    /// RFC 3339 with an offset.
    #[schema(required = true, value_type = String, example = "2026-03-02T10:00:00+08:00")]
    pub start_at: Option<String>,
    /// RFC 3339 with an offset; default 30 minutes after the start.
    #[schema(value_type = Option<String>)]
    pub end_at: Option<String>,
    #[schema(minimum = 1)]
    pub chair_id: Option<i64>,
    #[schema(minimum = 1)]
    pub planned_service_id: Option<i64>,
}

/// Book an open request: an appointment for its patient (every rule of a booking), linked to
/// the request; the patient gets an SMS.
#[utoipa::path(post, path = "/api/v1/appointment-requests/{request_id}/book", operation_id = "appointment_requests_book", tag = "front_desk", security(("bearer" = [])),
    params(("request_id" = i64, Path, description = "Request id")),
    request_body = BookRequestBody,
    responses(
        (status = 201, description = "Booked", body = AppointmentView),
        (status = 404, description = "No such request", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The request was answered already, or the booking's conflicts (overlap, chair taken, outside working hours)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn book(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(request_id): Path<i64>,
    Json(body): Json<BookRequestBody>,
) -> Result<(StatusCode, Json<AppointmentView>), ApiError> {
    let booking = NewAppointment {
        patient_id: None,
        doctor_id: body.doctor_id,
        start_at: Given::instant("start_at", body.start_at.as_deref()),
        end_at: Given::instant("end_at", body.end_at.as_deref()),
        planned_service_id: body.planned_service_id,
        note: None,
        chair_id: body.chair_id,
        override_hours: false,
    };
    let appointment = requests::book(
        &state.store,
        &state.audit,
        caller.actor(),
        request_id,
        booking,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(appointment.into())))
}

/// Why a request is declined.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeclineBody {
    /// 1 to 1000 characters; the patient reads it.
    #[schema(required = true, min_length = 1, max_length = 1000)]
    pub reason: Option<String>,
}

/// Decline an open request with a reason; the patient gets an SMS.
#[utoipa::path(post, path = "/api/v1/appointment-requests/{request_id}/decline", operation_id = "appointment_requests_decline", tag = "front_desk", security(("bearer" = [])),
    params(("request_id" = i64, Path, description = "Request id")),
    request_body = DeclineBody,
    responses(
        (status = 200, description = "Declined", body = AppointmentRequest),
        (status = 404, description = "No such request", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The request was answered already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason, or too long", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn decline(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(request_id): Path<i64>,
    Json(body): Json<DeclineBody>,
) -> Result<Json<AppointmentRequest>, ApiError> {
    Ok(Json(
        requests::decline(
            &state.store,
            &state.audit,
            caller.actor(),
            request_id,
            body.reason.as_deref(),
        )
        .await?,
    ))
}

/// The routes of this module.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, patch, post};
    axum::Router::new()
        .route("/api/v1/recalls", get(list))
        .route("/api/v1/recalls/{recall_id}", patch(update))
        .route("/api/v1/recalls/{recall_id}/contacts", post(contact))
        .route("/api/v1/me/appointment-requests", get(mine).post(ask))
        .route("/api/v1/appointment-requests", get(list_requests))
        .route("/api/v1/appointment-requests/{request_id}/book", post(book))
        .route(
            "/api/v1/appointment-requests/{request_id}/decline",
            post(decline),
        )
}
