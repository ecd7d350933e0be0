//! The JSON API (`/api/v1`), its OpenAPI 3.1 document and the operations endpoints.

mod health;

use super::state::AppState;
use axum::Router;
use axum::routing::get;
use utoipa::OpenApi;

/// The OpenAPI document, generated from the handlers and their types.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "DCMS API",
        description = "Dental Clinic Management System: patients, staff, appointments, treatments, invoices, calls and SMS. Errors are RFC 9457 problem details (application/problem+json).",
        license(name = "MIT")
    ),
    paths(health::healthz, openapi_json),
    components(schemas(super::error::Problem, crate::services::FieldError)),
    tags(
        (name = "operations", description = "Health and API description"),
    )
)]
pub struct ApiDoc;

/// Every route of the application.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/api/openapi.json", get(openapi_json))
}

/// The OpenAPI 3.1 document of this API.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "operations",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json", body = Object))
)]
async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
