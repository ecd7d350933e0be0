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

/// The revision of the `/api/v1` figures DCMS HQ reads (reports, settings): raised whenever a
/// field HQ relies on is added or changes meaning, so HQ can say plainly that a clinic is too
/// old for it (docs/operations.md). 2: revenue rows carry `list` and `discounts` (issue 23);
/// 3: `GET /api/v1/reports/days`, the figures by day and doctor; 4: `GET
/// /api/v1/reports/first-day`.
pub const API_REVISION: u32 = 4;

/// The answer of `/api/v1/version`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Version {
    /// `dcms`.
    pub name: &'static str,
    /// This build's version (`Cargo.toml`).
    #[schema(example = "0.1.0")]
    pub version: &'static str,
    /// The API's major version: `v1`.
    pub api: &'static str,
    /// See [`API_REVISION`].
    #[schema(example = 2)]
    pub api_revision: u32,
}

/// What this server is: its version and the API revision it serves (no session needed, so a
/// head office can check a clinic before connecting to it).
#[utoipa::path(
    get,
    path = "/api/v1/version", operation_id = "operations_version",
    tag = "operations",
    responses(
        (status = 200, description = "The version", body = Version),
    )
)]
pub async fn version() -> Json<Version> {
    Json(Version {
        name: "dcms",
        version: env!("CARGO_PKG_VERSION"),
        api: "v1",
        api_revision: API_REVISION,
    })
}
