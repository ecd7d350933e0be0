//! The HTTP layer: the JSON API under `/api/v1` with its OpenAPI document, the web pages,
//! operations endpoints, and the middleware every request passes (tracing, timeout, body limit,
//! compression, panic catching, problem+json for every error).

pub mod api;
pub mod auth;
pub mod client;
pub mod cookies;
pub mod csrf;
pub mod error;
pub mod input;
pub mod metrics;
pub mod pages;
pub mod permissions;
pub mod state;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use state::AppState;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// The whole application's router.
pub fn router(state: AppState) -> Router {
    let config = state.config.clone();
    api::routes()
        .merge(pages::routes())
        // Inside the permission check: what a request holds is looked at only once it may.
        .route_layer(axum::middleware::from_fn(input::refuse_control_characters))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authorize,
        ))
        // Outside the permission check, so refused requests are counted by their route too.
        .route_layer(axum::middleware::from_fn(metrics::label_route))
        .with_state(state)
        .layer(CompressionLayer::new())
        .layer(DefaultBodyLimit::max(config.body_limit))
        .layer(RequestBodyLimitLayer::new(config.body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        .layer(CatchPanicLayer::custom(error::panic_to_problem))
        // Outside the limits and the timeout, so their bare answers become problem details.
        .layer(axum::middleware::from_fn(error::problem_for_bare_errors))
        .layer(axum::middleware::from_fn(error::api_headers))
        .layer(TraceLayer::new_for_http())
        // Outermost: every request is counted and timed, whatever answered it.
        .layer(axum::middleware::from_fn(metrics::track))
}
