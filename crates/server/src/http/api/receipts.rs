//! e-barimt receipts: a payment's receipt, the cashier's list of receipts not issued yet,
//! and sending one again. Rules: `services::ebarimt`, docs/e-barimt.md.

use crate::http::error::{ApiError, Json, Path, Problem, Query};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::ebarimt::{self, Receipt};
use axum::Extension;
use axum::extract::State;
use dcms_domain::ReceiptState;
use serde::Deserialize;
use utoipa::IntoParams;

/// `?state=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReceiptParams {
    /// queued, sending, done, failed, returned or canceled; default: every receipt not done
    /// yet (failed, queued, sending).
    #[param(value_type = Option<ReceiptState>)]
    pub state: Option<String>,
}

/// A payment's e-barimt receipt.
#[utoipa::path(get, path = "/api/v1/payments/{payment_id}/receipt", operation_id = "receipts_of_payment", tag = "money", security(("bearer" = [])),
    params(("payment_id" = i64, Path, description = "Payment id")),
    responses(
        (status = 200, description = "The receipt: its state, and once issued PosAPI's id, lottery number and QR data", body = Receipt),
        (status = 404, description = "No such payment, or no receipt (e-barimt was off when it was taken)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn of_payment(
    State(state): State<AppState>,
    Path(payment_id): Path<i64>,
) -> Result<Json<Receipt>, ApiError> {
    Ok(Json(ebarimt::of_payment(&state.store, payment_id).await?))
}

/// The cashier's list: receipts not issued yet (or in the state asked for), oldest first.
#[utoipa::path(get, path = "/api/v1/receipts", operation_id = "receipts_list", tag = "money", security(("bearer" = [])),
    params(ReceiptParams),
    responses(
        (status = 200, description = "At most 500 receipts", body = Vec<Receipt>),
        (status = 422, description = "An unknown state", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<ReceiptParams>,
) -> Result<Json<Vec<Receipt>>, ApiError> {
    let mut errors = Vec::new();
    let asked = crate::services::fields::optional_choice::<ReceiptState>(
        &mut errors,
        "state",
        params.state.as_deref(),
    );
    let Some(asked) = asked.filter(|_| errors.is_empty()) else {
        return Err(crate::services::ServiceError::Invalid(errors).into());
    };
    Ok(Json(ebarimt::list(&state.store, asked).await?))
}

/// Sends a failed (or waiting) receipt again, now.
#[utoipa::path(post, path = "/api/v1/receipts/{receipt_id}/retry", operation_id = "receipts_retry", tag = "money", security(("bearer" = [])),
    params(("receipt_id" = i64, Path, description = "Receipt id")),
    responses(
        (status = 200, description = "Queued, due now", body = Receipt),
        (status = 404, description = "No such receipt", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Neither failed nor queued", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn retry(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(receipt_id): Path<i64>,
) -> Result<Json<Receipt>, ApiError> {
    Ok(Json(
        ebarimt::retry(&state.store, &state.audit, caller.actor(), receipt_id).await?,
    ))
}

/// The routes of this module.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/api/v1/payments/{payment_id}/receipt", get(of_payment))
        .route("/api/v1/receipts", get(list))
        .route("/api/v1/receipts/{receipt_id}/retry", post(retry))
}
