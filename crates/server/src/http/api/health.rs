use crate::http::error::{ApiError, Json};
use crate::http::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

/// The answer of `/healthz`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: &'static str,
    /// The database backend (`sqlite`, `postgres` or `mysql`).
    pub database: &'static str,
}

/// 200 when the database answers, 503 otherwise.
#[utoipa::path(
    get,
    path = "/healthz", operation_id = "operations_health",
    tag = "operations",
    responses(
        (status = 200, description = "The server and its database answer", body = Health),
        (status = 503, description = "The database does not answer", content_type = "application/problem+json", body = crate::http::error::Problem),
    )
)]
pub async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    match state.store.ping().await {
        Ok(()) => Ok(Json(Health {
            status: "ok",
            database: match state.store.backend() {
                dcms_store::Backend::Sqlite => "sqlite",
                dcms_store::Backend::Postgres => "postgres",
                dcms_store::Backend::MySql => "mysql",
            },
        })),
        Err(err) => {
            tracing::warn!(error = %err, "health check: database does not answer");
            Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "database-unavailable",
                "the database does not answer",
            ))
        }
    }
}
