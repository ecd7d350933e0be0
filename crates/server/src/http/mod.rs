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
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use state::AppState;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
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
        .layer(axum::middleware::from_fn_with_state(
            config.body_limit,
            limit_body,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        .layer(CatchPanicLayer::custom(error::panic_to_problem))
        // Outside the limits and the timeout, so their bare answers become problem details
        // (the API's) or the error page (a page's).
        .layer(axum::middleware::from_fn(error::problem_for_bare_errors))
        .layer(axum::middleware::from_fn(pages::page_for_bare_errors))
        .layer(axum::middleware::from_fn(error::api_headers))
        .layer(TraceLayer::new_for_http())
        // Outermost: every request is counted and timed, whatever answered it.
        .layer(axum::middleware::from_fn(metrics::track))
}

/// Whether a request is an attachment's upload, which is held to the clinic's attachment
/// limit while it streams to disk (`api::attachments`) rather than to the body limit.
fn is_upload(request: &axum::extract::Request) -> bool {
    let path = request.uri().path();
    request.method() == axum::http::Method::POST
        && path.starts_with("/api/v1/patients/")
        && path.ends_with("/attachments")
}

/// The server's body limit (`--body-limit`) on every request but an upload: a declared
/// `Content-Length` above it is 413 before anything is read, and a body that grows past it
/// fails as it is read (the extractors answer 413).
async fn limit_body(
    axum::extract::State(limit): axum::extract::State<usize>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if is_upload(&request) {
        return next.run(request).await;
    }
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > limit) {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    let request =
        request.map(|body| axum::body::Body::new(http_body_util::Limited::new(body, limit)));
    next.run(request).await
}

/// Whether a path is a page (HTML) rather than the API or an operations endpoint. The one
/// rule every layer asks: pages answer HTML, the rest problem details.
pub fn is_page_path(path: &str) -> bool {
    !(path.starts_with("/api/") || path == "/api" || path == "/healthz" || path == "/metrics")
}

/// An error answer that has no body of its own (the router's 404 and 405, the timeout's 408,
/// the body limit's 413) replaced by `render(status)`, which keeps its headers (`Allow`);
/// any other answer as it is.
pub fn replace_bare_error(
    response: Response,
    render: impl FnOnce(StatusCode) -> Response,
) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let has_own_body = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with(error::PROBLEM_JSON) || ct.starts_with("text/html"));
    if has_own_body {
        return response;
    }
    let (parts, _) = response.into_parts();
    let mut new = render(status);
    keep_headers(&parts.headers, &mut new);
    new
}

/// Copies the headers of a replaced answer (`Allow`, `Retry-After`) onto its new one, but not
/// those that described the old body: its type, length and encoding (a gzip `Content-Encoding`
/// kept over the new, uncompressed body could not be decoded).
fn keep_headers(old: &HeaderMap, new: &mut Response) {
    for (name, value) in old.iter() {
        let describes_body = [
            header::CONTENT_TYPE,
            header::CONTENT_LENGTH,
            header::CONTENT_ENCODING,
            header::TRANSFER_ENCODING,
            header::VARY,
        ]
        .contains(name);
        if !describes_body {
            new.headers_mut().insert(name.clone(), value.clone());
        }
    }
}
