//! What patients owe: `/api/v1/balances` (oldest debt first) and a reminder SMS to one of
//! them. Rules: `services::balances`, docs/money.md.

use crate::http::error::{ApiError, Json, Path, Problem, Query};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::balances::{self, Owing};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// `?min=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BalanceParams {
    /// Only those who owe at least this many tugrik (default 1).
    #[param(minimum = 1)]
    pub min: Option<i64>,
}

/// The patients who owe.
#[derive(Debug, Serialize, ToSchema)]
pub struct Balances {
    /// Oldest unpaid treatment first (at most 500).
    pub items: Vec<Owing>,
}

/// The patients who owe, oldest debt first, with the last contact.
#[utoipa::path(get, path = "/api/v1/balances", operation_id = "balances_list", tag = "money", security(("bearer" = [])),
    params(BalanceParams),
    responses((status = 200, description = "Who owes, oldest debt first", body = Balances)))]
pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<BalanceParams>,
) -> Result<Json<Balances>, ApiError> {
    Ok(Json(Balances {
        items: balances::list(&state.store, params.min).await?,
    }))
}

/// The reminder queued.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reminded {
    /// The SMS in the outbox.
    pub sms_outbox_id: i64,
}

/// Queue an SMS reminding a patient of what they owe.
#[utoipa::path(post, path = "/api/v1/balances/{patient_id}/reminders", operation_id = "balances_remind", tag = "money", security(("bearer" = [])),
    params(("patient_id" = i64, Path, description = "Patient id")),
    responses(
        (status = 201, description = "Queued in the outbox", body = Reminded),
        (status = 404, description = "No such patient", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The patient owes nothing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The patient has no primary phone", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn remind(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
) -> Result<(StatusCode, Json<Reminded>), ApiError> {
    let sms_outbox_id =
        balances::remind(&state.store, &state.audit, caller.actor(), patient_id).await?;
    Ok((StatusCode::CREATED, Json(Reminded { sms_outbox_id })))
}

/// The routes of this module.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/api/v1/balances", get(list))
        .route("/api/v1/balances/{patient_id}/reminders", post(remind))
}
