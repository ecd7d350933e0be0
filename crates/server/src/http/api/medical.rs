//! Medical history: `/api/v1/patients/{id}/medical-history` (clinical staff), its versions,
//! the acknowledgement of a severe allergy, and `/api/v1/me/medical-history` (the patient's
//! own). A write names the version it read; another is 409.

use crate::http::error::{ApiError, Json, Path, Problem};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::medical::{self, History, HistoryInput};
use crate::services::patients;
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use dcms_domain::{Allergy, ConditionEntry};
use serde::Deserialize;
use utoipa::ToSchema;

/// A new version of the history: the whole of it, with the version read.
#[derive(Debug, Deserialize, ToSchema)]
pub struct HistoryBody {
    /// The version read (0 when there was none); another is 409.
    #[schema(required = true, value_type = i64, minimum = 0)]
    pub version: Option<i64>,
    /// At most 30.
    #[serde(default)]
    #[schema(max_items = 30)]
    pub allergies: Vec<Allergy>,
    /// At most 30; each code once (`other` may repeat, with its text).
    #[serde(default)]
    #[schema(max_items = 30)]
    pub conditions: Vec<ConditionEntry>,
    /// At most 4000 characters; blank is none.
    #[schema(max_length = 4000)]
    pub medications: Option<String>,
    /// At most 4000 characters; blank is none.
    #[schema(max_length = 4000)]
    pub notes: Option<String>,
    /// When it was gone through with the patient (RFC 3339, not in the future).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub reviewed_at: Option<String>,
}

/// A patient's medical history (version 0 when none is recorded; the read is audited).
#[utoipa::path(get, path = "/api/v1/patients/{patient_id}/medical-history", operation_id = "medical_history_get", tag = "medical", security(("bearer" = [])),
    params(("patient_id" = i64, Path, description = "Patient id")),
    responses(
        (status = 200, description = "The history with its alerts", body = History),
        (status = 404, description = "No such patient", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
) -> Result<Json<History>, ApiError> {
    Ok(Json(
        medical::get(&state.store, &state.audit, caller.actor(), patient_id).await?,
    ))
}

/// Writes a new version of a patient's medical history.
#[utoipa::path(put, path = "/api/v1/patients/{patient_id}/medical-history", operation_id = "medical_history_put", tag = "medical", security(("bearer" = [])),
    params(("patient_id" = i64, Path, description = "Patient id")),
    request_body = HistoryBody,
    responses(
        (status = 200, description = "The new version", body = History),
        (status = 404, description = "No such patient", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The history changed since `version` was read; nothing was written", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn put(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    Json(body): Json<HistoryBody>,
) -> Result<Json<History>, ApiError> {
    let input = HistoryInput {
        version: body.version,
        allergies: body.allergies,
        conditions: body.conditions,
        medications: body.medications,
        notes: body.notes,
        reviewed_at: body.reviewed_at,
        questionnaire_id: None,
    };
    Ok(Json(
        medical::put(
            &state.store,
            &state.audit,
            caller.actor(),
            patient_id,
            input,
        )
        .await?,
    ))
}

/// Every version of a patient's medical history, newest first (at most 200).
#[utoipa::path(get, path = "/api/v1/patients/{patient_id}/medical-history/versions", operation_id = "medical_history_versions", tag = "medical", security(("bearer" = [])),
    params(("patient_id" = i64, Path, description = "Patient id")),
    responses(
        (status = 200, description = "The versions", body = Vec<History>),
        (status = 404, description = "No such patient", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn versions(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
) -> Result<Json<Vec<History>>, ApiError> {
    Ok(Json(
        medical::versions(&state.store, &state.audit, caller.actor(), patient_id).await?,
    ))
}

/// Records that the doctor saw the patient's severe allergy before treating (audited).
#[utoipa::path(post, path = "/api/v1/patients/{patient_id}/medical-history/acknowledgements", operation_id = "medical_history_acknowledge", tag = "medical", security(("bearer" = [])),
    params(("patient_id" = i64, Path, description = "Patient id")),
    responses(
        (status = 204, description = "Recorded"),
        (status = 404, description = "No such patient", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn acknowledge(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    medical::acknowledge(&state.store, &state.audit, caller.actor(), patient_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in patient's own medical history.
#[utoipa::path(get, path = "/api/v1/me/medical-history", operation_id = "me_medical_history", tag = "me", security(("bearer" = [])),
    responses(
        (status = 200, description = "The history", body = History),
        (status = 404, description = "The account is linked to no patient", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn mine(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<History>, ApiError> {
    let patient_id = patients::own_patient_id(&state.store, caller.user_id()).await?;
    Ok(Json(
        medical::get(&state.store, &state.audit, caller.actor(), patient_id).await?,
    ))
}

pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{self, get, post};
    axum::Router::new()
        .route(
            "/api/v1/patients/{patient_id}/medical-history",
            routing::get(self::get).put(put),
        )
        .route(
            "/api/v1/patients/{patient_id}/medical-history/versions",
            get(versions),
        )
        .route(
            "/api/v1/patients/{patient_id}/medical-history/acknowledgements",
            post(acknowledge),
        )
        .route("/api/v1/me/medical-history", get(mine))
}
