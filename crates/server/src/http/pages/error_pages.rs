//! Error pages: a service's refusal, a request the permission table refuses, and the
//! answers that have no body of their own (no route, wrong method, too large, too slow).

use super::layout::Layout;
use super::msg;
use crate::http::error::{log_service_error, status_of};
use crate::http::state::AppState;
use crate::services::ServiceError;
use crate::services::auth::Caller;
use askama::Template;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::Response;

use super::respond::{LoginNotice, to_login};

impl Layout {
    /// The error page for a service's refusal; no session sends the user to log in.
    pub fn error(&self, err: ServiceError) -> Response {
        if let ServiceError::Unauthenticated = err {
            return to_login(&self.here, LoginNotice::None, self.secure);
        }
        log_service_error(&err);
        let id = match &err {
            ServiceError::ForbiddenBecause { code, .. } => *code,
            ServiceError::Forbidden => msg("error-forbidden"),
            ServiceError::NotFound(_) => msg("error-not-found"),
            ServiceError::Conflict(_) => msg("error-conflict"),
            ServiceError::Invalid(_) => msg("error-invalid"),
            ServiceError::TooManyAttempts { .. } | ServiceError::TooMany(_) => {
                msg("error-too-many")
            }
            ServiceError::Busy => msg("error-busy"),
            ServiceError::TooLarge { .. } => msg("error-file-too-large"),
            ServiceError::UnsupportedType(_) => msg("error-file-type"),
            ServiceError::Unauthenticated | ServiceError::Store(_) | ServiceError::Internal(_) => {
                msg("error-internal")
            }
        };
        let status = status_of(&err);
        let detail = match &err {
            ServiceError::Conflict(text) | ServiceError::TooMany(text) => Some(text.clone()),
            _ => None,
        };
        let mut response = self.error_page(status, id, detail);
        if let ServiceError::TooManyAttempts { retry_after } = err {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, retry_after.into());
        }
        response
    }

    /// An error page with a status and a message id.
    pub fn error_page(&self, status: StatusCode, id: &str, detail: Option<String>) -> Response {
        let page = ErrorPage {
            layout: self,
            status: status.as_u16(),
            message: self.t(id),
            detail,
        };
        self.render_status(status, &page)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    layout: &'a Layout,
    status: u16,
    message: String,
    detail: Option<String>,
}

/// The answer to a page request the permission table refuses, or with no valid session.
pub async fn refused(
    state: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    caller: Option<Caller>,
    csrf_failed: bool,
) -> Response {
    let layout = Layout::build(state, headers, uri, caller, None).await;
    let id = if csrf_failed {
        msg("error-csrf")
    } else {
        msg("error-forbidden")
    };
    layout.error_page(StatusCode::FORBIDDEN, id, None)
}

/// The HTML page for an error answer that has no body of its own (no route, wrong method,
/// too large, too slow), without touching the database.
pub fn bare_error_page(headers: &HeaderMap, uri: &Uri, status: StatusCode) -> Response {
    let layout = Layout::anonymous(headers, uri);
    let id = match status {
        StatusCode::NOT_FOUND => msg("error-not-found"),
        StatusCode::METHOD_NOT_ALLOWED => msg("error-method"),
        StatusCode::PAYLOAD_TOO_LARGE => msg("error-too-large"),
        StatusCode::REQUEST_TIMEOUT => msg("error-timeout"),
        s if s.is_server_error() => msg("error-internal"),
        _ => msg("error-invalid"),
    };
    let mut response = layout.error_page(status, id, None);
    // No new login cookie from an error page.
    response.headers_mut().remove(header::SET_COOKIE);
    response
}

/// The layer that shows the error page for a page's answer that has no body of its own;
/// other paths' answers are left to `error::problem_for_bare_errors`.
pub async fn page_for_bare_errors(request: Request, next: Next) -> Response {
    if !crate::http::is_page_path(request.uri().path()) {
        return next.run(request).await;
    }
    let (headers, uri) = (request.headers().clone(), request.uri().clone());
    let response = next.run(request).await;
    crate::http::replace_bare_error(response, |status| bare_error_page(&headers, &uri, status))
}
