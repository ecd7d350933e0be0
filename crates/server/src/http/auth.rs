//! Authentication and authorisation of every API request, before any handler or body
//! extractor runs: the session from `Authorization: Bearer <token>`, then the route's rule
//! from `permissions::ROUTES`. The signed-in [`Caller`] is put in the request's extensions.

use super::error::ApiError;
use super::permissions::{Rule, rule_for};
use super::state::AppState;
use crate::services::auth::Caller;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

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
    let method = request.method().as_str().to_owned();
    let Some(rule) = rule_for(&method, &path) else {
        // A method this path does not route: let the router answer 405.
        if super::permissions::ROUTES
            .iter()
            .any(|(_, p, _)| *p == path)
        {
            return next.run(request).await;
        }
        tracing::error!(%method, %path, "route missing from the permission table");
        return ApiError::forbidden().into_response();
    };
    if rule == Rule::Public {
        return next.run(request).await;
    }
    let Some(token) = bearer_token(&request) else {
        return ApiError::unauthenticated().into_response();
    };
    let caller: Caller = match state.auth.authenticate(token).await {
        Ok(caller) => caller,
        Err(err) => return ApiError::from(err).into_response(),
    };
    if !rule.allows(caller.principal) {
        return ApiError::forbidden().into_response();
    }
    request.extensions_mut().insert(caller);
    next.run(request).await
}
