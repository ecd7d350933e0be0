//! `/api/v1/auth`: log in and out, who am I, my sessions, my password.

use super::views::{SessionView, UserView};
use crate::http::client::ClientAddress;
use crate::http::error::{ApiError, Json, Path, Problem};
use crate::http::state::AppState;
use crate::services::auth::{Caller, LoginRequest};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use dcms_domain::SessionType;
use dcms_store::time::from_db;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginBody {
    /// Username or e-mail, in any letter case; at most 255 characters.
    #[schema(max_length = 255)]
    pub username: String,
    /// At most 1024 characters.
    #[schema(max_length = 1024)]
    pub password: String,
    pub device_name: Option<String>,
    /// Default `user_portal`; patient accounts always get `patient_web`.
    pub session_type: Option<SessionType>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// `Authorization: Bearer <token>` on every later request.
    pub token: String,
    pub session_token_id: i64,
    pub session_type: SessionType,
    pub expires_at: jiff::Timestamp,
    pub user: UserView,
}

/// Log in with a username and password.
#[utoipa::path(post, path = "/api/v1/auth/login", operation_id = "auth_login", tag = "auth", request_body = LoginBody,
    responses(
        (status = 201, description = "Signed in", body = LoginResponse),
        (status = 401, description = "Unknown user, wrong password or disabled user", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Session type not allowed for this account", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts (Retry-After)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Too many logins at once", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    Json(body): Json<LoginBody>,
) -> Result<(StatusCode, Json<LoginResponse>), ApiError> {
    let new = state
        .auth
        .login(LoginRequest {
            username: body.username,
            password: body.password,
            device_name: body.device_name,
            session_type: body.session_type,
            client,
        })
        .await?;
    let session_type =
        SessionType::from_code(new.session.session_type).unwrap_or(SessionType::UserPortal);
    Ok((
        StatusCode::CREATED,
        Json(LoginResponse {
            token: new.token,
            session_token_id: new.session.session_token_id,
            session_type,
            expires_at: from_db(new.session.expires_at),
            user: new.user.into(),
        }),
    ))
}

/// End this session; its token stops working at once.
#[utoipa::path(post, path = "/api/v1/auth/logout", operation_id = "auth_logout", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
    ))]
pub async fn logout(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<StatusCode, ApiError> {
    state.auth.logout(&caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    pub user: UserView,
    pub session: SessionView,
    /// For a patient account: their patient record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient_id: Option<i64>,
    /// For staff linked to an employee.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employee_id: Option<i64>,
}

/// Who is signed in, with this session.
#[utoipa::path(get, path = "/api/v1/auth/me", operation_id = "auth_me", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in user", body = MeResponse),
    ))]
pub async fn me(Extension(caller): Extension<Caller>) -> Json<MeResponse> {
    let current = Some(caller.session_token_id());
    Json(MeResponse {
        user: caller.user.into(),
        session: SessionView::new(caller.session, current),
        patient_id: caller.patient_id,
        employee_id: caller.employee_id,
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionList {
    pub items: Vec<SessionView>,
    pub next_cursor: Option<String>,
}

/// My sessions, newest first (at most 500).
#[utoipa::path(get, path = "/api/v1/auth/sessions", operation_id = "auth_sessions_list", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, description = "My sessions", body = SessionList),
    ))]
pub async fn my_sessions(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<SessionList>, ApiError> {
    let sessions = crate::services::users::sessions_of(&state.store, caller.user_id()).await?;
    let current = Some(caller.session_token_id());
    Ok(Json(SessionList {
        items: sessions
            .into_iter()
            .map(|s| SessionView::new(s, current))
            .collect(),
        next_cursor: None,
    }))
}

/// End one of my sessions.
#[utoipa::path(delete, path = "/api/v1/auth/sessions/{session_token_id}", operation_id = "auth_sessions_revoke", tag = "auth", security(("bearer" = [])),
    params(("session_token_id" = i64, Path, description = "One of my sessions")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "Not one of my sessions", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn revoke_my_session(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(session_token_id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    crate::services::users::revoke_session(
        &state.store,
        &state.audit,
        caller.actor(),
        caller.user_id(),
        session_token_id,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ChangePasswordBody {
    /// At most 1024 characters.
    #[schema(max_length = 1024)]
    pub current_password: String,
    /// 10 to 1024 characters.
    #[schema(min_length = 10, max_length = 1024)]
    pub new_password: String,
}

/// Change my password; my other sessions are revoked.
#[utoipa::path(post, path = "/api/v1/auth/password", operation_id = "auth_password_change", tag = "auth", security(("bearer" = [])),
    request_body = ChangePasswordBody,
    responses(
        (status = 204, description = "Changed"),
        (status = 403, description = "An HQ session may not write", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong current password or too short a new one", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong current passwords (Retry-After)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ClientAddress(client): ClientAddress,
    Json(body): Json<ChangePasswordBody>,
) -> Result<StatusCode, ApiError> {
    state
        .auth
        .change_password(&caller, body.current_password, body.new_password, client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
