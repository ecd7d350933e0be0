//! Authentication and authorisation of every request, before any handler or body extractor
//! runs: the session from `Authorization: Bearer <token>` or, from a browser, the
//! `dcms_session` cookie; then the route's rule from the permission table; then, for a
//! cookie-authenticated unsafe request, its CSRF token. The signed-in [`Caller`] (and for a
//! browser its [`CsrfToken`]) is put in the request's extensions.
//!
//! API routes answer problem details; pages send a visitor without a session to the login
//! page (and back afterwards) and show a refused one a friendly 403 page.

use super::cookies;
use super::csrf::{self, CsrfToken};
use super::error::ApiError;
use super::pages;
use super::pages::LoginNotice;
use super::permissions::{Rule, rule_for};
use super::state::AppState;
use crate::services::auth::{Caller, NotSignedIn};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use dcms_domain::SessionEnd;

/// The bearer token of a request, if any.
pub fn bearer_token(request: &Request) -> Option<&str> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The route layer that enforces the permission table.
pub async fn authorize(
    State(state): State<AppState>,
    matched: Option<MatchedPath>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(path) = matched.map(|m| m.as_str().to_owned()) else {
        return next.run(request).await;
    };
    let method = request.method().clone();
    let page = super::is_page_path(&path);
    let Some(rule) = rule_for(method.as_str(), &path) else {
        // A method this path does not route: let the router answer 405.
        if super::permissions::all_routes().any(|(_, p, _)| *p == path) {
            return next.run(request).await;
        }
        tracing::error!(%method, %path, "route missing from the permission table");
        return ApiError::forbidden().into_response();
    };
    let limit = state.config.body_limit;

    if rule == Rule::Public {
        // The login form has no session yet: its token is the double-submitted cookie.
        if page && !is_safe(&method) {
            let expected = cookies::get(request.headers(), cookies::LOGIN_CSRF)
                .map(|t| CsrfToken(t.to_owned()));
            let (checked, submitted) = csrf::submitted(request, limit).await;
            request = checked;
            let ok = matches!((expected, submitted), (Some(e), Some(s)) if e.matches(&s));
            if !ok {
                tracing::warn!(
                    target: "security",
                    %method,
                    route = %path,
                    "refused: missing or wrong CSRF token on the login form"
                );
                return pages::expired_form(request.uri());
            }
        }
        return next.run(request).await;
    }

    let (token, from_cookie) = match bearer_token(&request) {
        Some(token) => (token.to_owned(), false),
        None => match cookies::get(request.headers(), cookies::SESSION) {
            Some(token) => (token.to_owned(), true),
            None => return unauthenticated(page, &request, LoginNotice::None),
        },
    };
    let caller: Caller = match state.auth.check_token(&token).await {
        Ok(caller) => caller,
        Err(NotSignedIn::Error(err)) => return ApiError::from(err).into_response(),
        Err(refusal) => {
            let notice = match refusal {
                _ if !from_cookie => LoginNotice::None,
                NotSignedIn::Ended(SessionEnd::Idle) => LoginNotice::Idle,
                _ => LoginNotice::Ended,
            };
            return unauthenticated(page, &request, notice);
        }
    };
    if !rule.allows(caller.principal) {
        tracing::warn!(
            target: "security",
            user_id = caller.user_id(),
            principal = caller.principal.as_str(),
            %method,
            route = %path,
            "refused (403): the role may not use this route"
        );
        if page {
            return pages::refused(
                &state,
                request.headers(),
                request.uri(),
                Some(caller),
                false,
            )
            .await;
        }
        return ApiError::forbidden().into_response();
    }
    if from_cookie {
        let expected = CsrfToken::for_session(&token);
        if !is_safe(&method) {
            let (checked, submitted) = csrf::submitted(request, limit).await;
            request = checked;
            if !submitted.is_some_and(|s| expected.matches(&s)) {
                tracing::warn!(
                    target: "security",
                    user_id = caller.user_id(),
                    %method,
                    route = %path,
                    "refused (403): missing or wrong CSRF token"
                );
                if page {
                    return pages::refused(
                        &state,
                        request.headers(),
                        request.uri(),
                        Some(caller),
                        true,
                    )
                    .await;
                }
                return ApiError::new(
                    StatusCode::FORBIDDEN,
                    "csrf",
                    "a cookie-authenticated request must carry the CSRF token (X-CSRF-Token)",
                )
                .into_response();
            }
        }
        request.extensions_mut().insert(expected);
    }
    request.extensions_mut().insert(caller);
    next.run(request).await
}

/// No valid session: 401 problem details for the API; for a page, the login page, coming
/// back here afterwards when this was a page view, saying why the session ended if it did.
fn unauthenticated(page: bool, request: &Request, notice: LoginNotice) -> Response {
    let had_cookie = notice != LoginNotice::None;
    if !page {
        let mut response = ApiError::unauthenticated().into_response();
        if had_cookie {
            let secure = cookies::is_https(request.headers());
            response
                .headers_mut()
                .append(header::SET_COOKIE, cookies::clear(cookies::SESSION, secure));
        }
        return response;
    }
    let next = if is_safe(request.method()) {
        request
            .uri()
            .path_and_query()
            .map(|pq| pages::encode_component(pq.as_str()))
            .unwrap_or_default()
    } else {
        String::new()
    };
    pages::to_login(&next, notice, cookies::is_https(request.headers()))
}
