//! Errors as RFC 9457 problem details (`application/problem+json`), mapped once.

use crate::services::{FieldError, ServiceError};
use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem details object.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URN naming the kind of problem, e.g. `urn:dcms:problem:validation`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// The invalid fields, for 422.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Extra top-level members (e.g. `conflicting_appointment_id`).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub extra: Map<String, Value>,
}

/// Any error a handler returns.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub problem: Box<Problem>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, slug: &str, detail: impl Into<String>) -> ApiError {
        ApiError {
            status,
            problem: Box::new(Problem {
                kind: format!("urn:dcms:problem:{slug}"),
                title: status.canonical_reason().unwrap_or("Error").to_owned(),
                status: status.as_u16(),
                detail: detail.into(),
                errors: Vec::new(),
                extra: Map::new(),
            }),
            retry_after: None,
        }
    }

    pub fn bad_request(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad-request", detail)
    }

    pub fn unauthenticated() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "sign in first: no valid session (it may have been revoked or expired)",
        )
    }

    pub fn forbidden() -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "your role may not do this",
        )
    }

    pub fn not_found(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not-found", detail)
    }

    pub fn invalid(errors: Vec<FieldError>) -> ApiError {
        let mut err = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            "the request is well-formed but some fields are invalid",
        );
        err.problem.errors = errors;
        err
    }

    /// Adds a top-level member to the problem body.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> ApiError {
        self.problem.extra.insert(key.to_owned(), value.into());
        self
    }

    fn internal(detail: &str) -> ApiError {
        tracing::error!(error = detail, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server could not complete the request; it has been logged",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.problem).unwrap_or_default();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// The HTTP status of a use case's refusal or failure: the one mapping the API and the pages
/// share (each words the answer its own way).
pub fn status_of(err: &ServiceError) -> StatusCode {
    match err {
        ServiceError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
        ServiceError::Conflict(_) => StatusCode::CONFLICT,
        ServiceError::Unauthenticated => StatusCode::UNAUTHORIZED,
        ServiceError::TooManyAttempts { .. } | ServiceError::TooMany(_) => {
            StatusCode::TOO_MANY_REQUESTS
        }
        ServiceError::Busy => StatusCode::SERVICE_UNAVAILABLE,
        ServiceError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        ServiceError::UnsupportedType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ServiceError::Forbidden | ServiceError::ForbiddenBecause { .. } => StatusCode::FORBIDDEN,
        ServiceError::Store(_) | ServiceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Logs what an answer to a use case's error says about security (a 403, on the `security`
/// target) or the server (a 500, with what failed), once for both transports.
pub fn log_service_error(err: &ServiceError) {
    match err {
        ServiceError::Forbidden | ServiceError::ForbiddenBecause { .. } => {
            tracing::warn!(target: "security", error = %err, "refused (403) by a use case's rule");
        }
        ServiceError::Store(_) | ServiceError::Internal(_) => {
            tracing::error!(error = %err, "internal error");
        }
        _ => {}
    }
}

impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> Self {
        log_service_error(&err);
        let status = status_of(&err);
        match err {
            ServiceError::Invalid(errors) => ApiError::invalid(errors),
            ServiceError::NotFound(what) => ApiError::not_found(format!("{what} not found")),
            ServiceError::Conflict(detail) => ApiError::new(status, "conflict", detail),
            ServiceError::Unauthenticated => ApiError::unauthenticated(),
            ServiceError::TooManyAttempts { retry_after } => {
                let mut err = ApiError::new(
                    status,
                    "too-many-attempts",
                    format!("too many failed attempts; try again in {retry_after} s"),
                );
                err.retry_after = Some(retry_after);
                err
            }
            ServiceError::TooMany(detail) => ApiError::new(status, "too-many", detail),
            ServiceError::Busy => {
                ApiError::new(status, "busy", "the server is busy; try again shortly")
            }
            ServiceError::TooLarge { .. } => {
                ApiError::new(status, "payload-too-large", err.to_string())
            }
            ServiceError::UnsupportedType(_) => {
                ApiError::new(status, "unsupported-media-type", err.to_string())
            }
            ServiceError::Forbidden => ApiError::forbidden(),
            ServiceError::ForbiddenBecause { detail, .. } => {
                ApiError::new(status, "forbidden", detail)
            }
            ServiceError::Store(_) | ServiceError::Internal(_) => ApiError::new(
                status,
                "internal",
                "the server could not complete the request; it has been logged",
            ),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonDataError(e) => {
                ApiError::invalid(vec![FieldError::new("body", e.body_text())])
            }
            JsonRejection::JsonSyntaxError(e) => {
                ApiError::bad_request(format!("malformed JSON: {}", e.body_text()))
            }
            JsonRejection::MissingJsonContentType(_) => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "expected a body with Content-Type: application/json",
            ),
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => too_large(),
            other => ApiError::bad_request(other.body_text()),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::bad_request(format!(
            "invalid query parameters: {}",
            rejection.body_text()
        ))
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::bad_request(format!("invalid path: {}", rejection.body_text()))
    }
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload-too-large",
        "the request body is larger than the server accepts",
    )
}

/// A JSON body whose rejections are problem details. Every body of this API is a JSON object:
/// another JSON value (an array, which serde would otherwise read as the struct's fields in
/// order, a string, a number) is 422 before it is deserialized.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json_content_type(request.headers()) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "expected a body with Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    too_large()
                } else {
                    ApiError::bad_request(rejection.body_text())
                }
            })?;
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first.is_some_and(|b| *b != b'{') {
            return Err(
                match serde_json::from_slice::<serde::de::IgnoredAny>(&bytes) {
                    Ok(_) => {
                        ApiError::invalid(vec![FieldError::new("body", "must be a JSON object")])
                    }
                    Err(e) => ApiError::bad_request(format!("malformed JSON: {e}")),
                },
            );
        }
        let axum::Json(value) = axum::Json::<T>::from_bytes(&bytes)?;
        Ok(Json(value))
    }
}

/// `application/json` or `application/<anything>+json`, any parameters.
fn is_json_content_type(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Query parameters whose rejections are problem details.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// Path parameters whose rejections are problem details.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// Turns every error response of the API and the operations endpoints that has no body of
/// its own (the router's 404 and 405, the timeout's 408, the body limit's 413) into problem
/// details, keeping its headers (`Allow`). A page's is the pages' own layer's to answer.
pub async fn problem_for_bare_errors(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if super::is_page_path(&path) {
        return next.run(request).await;
    }
    let method = request.method().clone();
    let response = next.run(request).await;
    super::replace_bare_error(response, |status| {
        let error = match status {
            StatusCode::NOT_FOUND => ApiError::not_found(format!("no resource at {path}")),
            StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
                status,
                "method-not-allowed",
                format!("{method} is not allowed on {path}"),
            ),
            StatusCode::PAYLOAD_TOO_LARGE => too_large(),
            StatusCode::REQUEST_TIMEOUT => ApiError::new(
                status,
                "timeout",
                "the request took too long and was abandoned",
            ),
            s if s.is_server_error() => {
                ApiError::internal(&format!("bare {s} for {method} {path}"))
            }
            s => ApiError::new(s, "error", s.canonical_reason().unwrap_or("error")),
        };
        error.into_response()
    })
}

/// Every `/api` answer (JSON, CSV, problem details) is marked not to be stored by any cache
/// (it holds patients' data) nor sniffed as another type than it says.
pub async fn api_headers(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    if api {
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
    }
    response
}

/// The answer when a handler panics: 500 problem details (the panic is logged).
pub fn panic_to_problem(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    ApiError::internal(&format!("handler panicked: {message}")).into_response()
}

#[cfg(test)]
mod tests {
    //! Router-level tests of the extractors' rejections, on a route that takes JSON.
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::extract::DefaultBodyLimit;
    use axum::routing::post;
    use serde::Deserialize;
    use tower::ServiceExt;

    #[derive(Deserialize)]
    struct Greeting {
        #[allow(dead_code)]
        name: String,
    }

    async fn greet(Json(_): Json<Greeting>) -> StatusCode {
        StatusCode::NO_CONTENT
    }

    fn app() -> Router {
        Router::new()
            .route("/greet", post(greet))
            .layer(axum::middleware::from_fn(problem_for_bare_errors))
            .layer(DefaultBodyLimit::max(64))
    }

    async fn send(body: &'static str, content_type: Option<&str>) -> (StatusCode, Value) {
        let mut request = Request::post("/greet");
        if let Some(ct) = content_type {
            request = request.header(header::CONTENT_TYPE, ct);
        }
        let response = app()
            .oneshot(request.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = response.status();
        if status == StatusCode::NO_CONTENT {
            return (status, Value::Null);
        }
        assert_eq!(response.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn good_json_passes() {
        let (status, _) = send(r#"{"name":"Бат"}"#, Some("application/json")).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }

    #[tokio::test]
    async fn malformed_json_is_400() {
        let (status, body) = send(r#"{"name":"#, Some("application/json")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["status"], 400);
        assert_eq!(body["type"], "urn:dcms:problem:bad-request");
    }

    #[tokio::test]
    async fn well_formed_but_wrong_shape_is_422() {
        let (status, body) = send(r#"{"name":5}"#, Some("application/json")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["field"], "body");
    }

    #[tokio::test]
    async fn json_other_than_an_object_is_422() {
        for body in [r#"["Бат"]"#, " [null, null]", r#""Бат""#, "5", "null"] {
            let (status, problem) = send(body, Some("application/json")).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(problem["errors"][0]["field"], "body", "{body}");
        }
        let (status, _) = send("[1,", Some("application/json")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = send("", Some("application/json")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = send(
            r#"{"name":"x"}"#,
            Some("application/merge-patch+json; charset=utf-8"),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }

    #[tokio::test]
    async fn missing_content_type_is_415() {
        let (status, _) = send(r#"{"name":"x"}"#, None).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }

    #[tokio::test]
    async fn body_past_the_limit_is_413() {
        let big = r#"{"name":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}"#;
        let (status, body) = send(big, Some("application/json")).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(body["status"], 413);
    }

    #[tokio::test]
    async fn problems_carry_extra_members_and_retry_after() {
        let mut err = ApiError::new(StatusCode::CONFLICT, "double-booking", "taken")
            .with("conflicting_appointment_id", 42);
        err.retry_after = Some(30);
        let response = err.into_response();
        assert_eq!(response.headers()[header::RETRY_AFTER], "30");
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let body: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["conflicting_appointment_id"], 42);
        assert_eq!(body["type"], "urn:dcms:problem:double-booking");
    }
}
