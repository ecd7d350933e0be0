//! The dentist's chart: `/api/v1/patients/{id}/findings`, `/api/v1/findings/{id}`, the
//! chart's summary and a tooth's history (doctors, managers and admins write; receptionists
//! and HQ read). A surface on a kind without surfaces or a surface the tooth lacks is 422.
//! `?system=` chooses the notation of the answer's tooth codes (default: the clinic's).

use super::treatments::{SystemParams, system};
use super::views::PageParams;
use crate::http::error::{ApiError, Json, Path, Problem, Query};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::chart::{
    self, ChartSummary, Finding, FindingChanges, NewFindingInput, ToothHistory,
};
use crate::services::cursor;
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use dcms_domain::{FindingKind, ToothCode, ToothSystem};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// A finding to record.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FindingBody {
    /// The tooth's code in `system`.
    #[schema(required = true, value_type = String, example = "36")]
    pub tooth: Option<String>,
    /// The notation of `tooth`: universal, fdi or palmer; default the clinic's.
    #[schema(value_type = Option<ToothSystem>)]
    pub system: Option<String>,
    #[schema(required = true, value_type = FindingKind)]
    pub kind: Option<String>,
    /// For caries, filling, veneer and fracture: mesial, occlusal, distal, buccal, lingual
    /// (incisal and labial on incisors and canines).
    #[schema(max_items = 5, example = json!(["mesial", "occlusal"]))]
    pub surfaces: Option<Vec<String>>,
    /// At most 2000 characters; blank is none.
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// A change of a finding (absent: kept).
#[derive(Debug, Deserialize, ToSchema)]
pub struct PatchFindingBody {
    /// Null or blank clears it.
    #[serde(default, deserialize_with = "super::staff::nullable")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub note: Option<Option<String>>,
    #[schema(max_items = 5)]
    pub surfaces: Option<Vec<String>>,
    /// true closes the finding (the doctor decided it needs nothing); false opens again one
    /// the doctor closed (not one a treatment item resolved: 422).
    pub resolved: Option<bool>,
}

/// `?open=&system=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FindingsParams {
    /// true: only open findings.
    pub open: Option<bool>,
    #[param(value_type = Option<ToothSystem>)]
    pub system: Option<String>,
}

/// `?system=&limit=&cursor=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    #[param(value_type = Option<ToothSystem>)]
    pub system: Option<String>,
    /// Entries per page, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    #[param(min_length = 1, pattern = r"^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
}

/// Records a finding on a patient's tooth.
#[utoipa::path(post, path = "/api/v1/patients/{patient_id}/findings", operation_id = "findings_create", tag = "chart", security(("bearer" = [])),
    params(("patient_id" = i64, Path, description = "Patient id"), SystemParams),
    request_body = FindingBody,
    responses(
        (status = 201, description = "Recorded", body = Finding),
        (status = 404, description = "No such patient", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: an unknown tooth or kind, a surface on a kind without surfaces or one the tooth lacks", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    Query(params): Query<SystemParams>,
    Json(body): Json<FindingBody>,
) -> Result<(StatusCode, Json<Finding>), ApiError> {
    let answer = system(&state, params.system.as_deref()).await?;
    let input = NewFindingInput {
        tooth: body.tooth,
        system: body.system,
        kind: body.kind,
        surfaces: body.surfaces,
        note: body.note,
    };
    let mut finding = chart::record(
        &state.store,
        &state.audit,
        caller.actor(),
        patient_id,
        input,
    )
    .await?;
    if let Ok(tooth) = chart::ToothRef::from_id(finding.tooth.tooth_id, answer) {
        finding.tooth = tooth;
    }
    Ok((StatusCode::CREATED, Json(finding)))
}

/// A patient's findings, by tooth, newest first.
#[utoipa::path(get, path = "/api/v1/patients/{patient_id}/findings", operation_id = "findings_list", tag = "chart", security(("bearer" = [])),
    params(("patient_id" = i64, Path, description = "Patient id"), FindingsParams),
    responses(
        (status = 200, description = "The findings", body = Vec<Finding>),
        (status = 404, description = "No such patient", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown notation", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    Query(params): Query<FindingsParams>,
) -> Result<Json<Vec<Finding>>, ApiError> {
    let system = system(&state, params.system.as_deref()).await?;
    Ok(Json(
        chart::of_patient(
            &state.store,
            &state.audit,
            caller.actor(),
            patient_id,
            params.open.unwrap_or(false),
            system,
        )
        .await?,
    ))
}

/// Changes a finding's note or surfaces, or resolves it.
#[utoipa::path(patch, path = "/api/v1/findings/{finding_id}", operation_id = "findings_update", tag = "chart", security(("bearer" = [])),
    params(("finding_id" = i64, Path, description = "Finding id"), SystemParams),
    request_body = PatchFindingBody,
    responses(
        (status = 200, description = "The finding as it is now", body = Finding),
        (status = 404, description = "No such finding", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(finding_id): Path<i64>,
    Query(params): Query<SystemParams>,
    Json(body): Json<PatchFindingBody>,
) -> Result<Json<Finding>, ApiError> {
    let system = system(&state, params.system.as_deref()).await?;
    let changes = FindingChanges {
        note: body.note,
        surfaces: body.surfaces,
        resolved: body.resolved,
    };
    Ok(Json(
        chart::change(
            &state.store,
            &state.audit,
            caller.actor(),
            finding_id,
            changes,
            system,
        )
        .await?,
    ))
}

/// The chart's summary: the latest state of each tooth with anything on it.
#[utoipa::path(get, path = "/api/v1/patients/{patient_id}/chart/summary", operation_id = "chart_summary", tag = "chart", security(("bearer" = [])),
    params(("patient_id" = i64, Path, description = "Patient id"), SystemParams),
    responses(
        (status = 200, description = "Open findings, planned items of open plans and the done items that make each tooth as it is now", body = ChartSummary),
        (status = 404, description = "No such patient", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown notation", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn summary(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    Query(params): Query<SystemParams>,
) -> Result<Json<ChartSummary>, ApiError> {
    let system = system(&state, params.system.as_deref()).await?;
    Ok(Json(
        chart::summary(
            &state.store,
            &state.audit,
            caller.actor(),
            patient_id,
            system,
        )
        .await?,
    ))
}

/// A tooth's history: findings and done items, newest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/patients/{patient_id}/teeth/{code}/history", operation_id = "chart_tooth_history", tag = "chart", security(("bearer" = [])),
    params(("patient_id" = i64, Path, description = "Patient id"), ("code" = String, Path, description = "The tooth's code in `system`"), HistoryParams),
    responses(
        (status = 200, description = "A page of the tooth's history", body = ToothHistory),
        (status = 400, description = "A cursor that is not this list's", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such patient", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A tooth unknown in the notation", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn history(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((patient_id, code)): Path<(i64, String)>,
    Query(params): Query<HistoryParams>,
) -> Result<Json<ToothHistory>, ApiError> {
    let system = system(&state, params.system.as_deref()).await?;
    let tooth = ToothCode::parse(system, &code).map_err(|e| {
        crate::services::ServiceError::invalid_coded(
            crate::services::FieldError::coded("code", "tooth-unknown", e.to_string())
                .arg("code", code.trim()),
        )
    })?;
    let after = match params.cursor.as_deref() {
        None => None,
        Some(c) => Some(cursor::decode(c).ok_or_else(|| ApiError::bad_request("invalid cursor"))?),
    };
    let limit = params
        .limit
        .unwrap_or(PageParams::DEFAULT_LIMIT)
        .clamp(1, PageParams::MAX_LIMIT);
    Ok(Json(
        chart::tooth_history(
            &state.store,
            &state.audit,
            caller.actor(),
            patient_id,
            tooth,
            system,
            after,
            limit,
        )
        .await?,
    ))
}

/// The routes of this module.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, patch};
    axum::Router::new()
        .route(
            "/api/v1/patients/{patient_id}/findings",
            get(list).post(create),
        )
        .route("/api/v1/findings/{finding_id}", patch(update))
        .route("/api/v1/patients/{patient_id}/chart/summary", get(summary))
        .route(
            "/api/v1/patients/{patient_id}/teeth/{code}/history",
            get(history),
        )
}
