//! `/api/v1/users`: user accounts and their sessions (admin only).

use super::views::{Page, PageParams, SessionView, UserView, id_page};
use crate::http::error::{ApiError, Json, Path, Problem, Query};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::users::{self, CreateUser, UserChanges};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use dcms_domain::Role;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateUserBody {
    /// Username or e-mail, 1 to 255 characters (trimmed), one line; unique in any letter
    /// case.
    #[schema(min_length = 1, max_length = 255)]
    pub username: String,
    /// 10 to 1024 characters.
    #[schema(min_length = 10, max_length = 1024)]
    pub password: String,
    pub role: Role,
    /// 1 to 255 characters (trimmed); defaults to the username.
    #[schema(min_length = 1, max_length = 255)]
    pub display_name: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PatchUserBody {
    /// 1 to 255 characters (trimmed).
    #[schema(min_length = 1, max_length = 255)]
    pub display_name: Option<String>,
    pub role: Option<Role>,
    /// true disables the account and revokes its sessions; false enables it again.
    pub disabled: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SetPasswordBody {
    /// 10 to 1024 characters.
    #[schema(min_length = 10, max_length = 1024)]
    pub new_password: String,
}

#[derive(Debug, serde::Serialize, ToSchema)]
pub struct UserSessions {
    pub items: Vec<SessionView>,
    pub next_cursor: Option<String>,
}

/// Users, by id.
#[utoipa::path(get, path = "/api/v1/users", operation_id = "users_list", tag = "users", security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of users", body = Page<UserView>),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<PageParams>,
) -> Result<Json<Page<UserView>>, ApiError> {
    let limit = params.limit();
    let rows = users::list(&state.store, params.after_id()?, limit + 1).await?;
    Ok(Json(id_page(rows, limit, |u| u.user_id, UserView::from)))
}

/// Create a user.
#[utoipa::path(post, path = "/api/v1/users", operation_id = "users_create", tag = "users", security(("bearer" = [])),
    request_body = CreateUserBody,
    responses(
        (status = 201, description = "Created", body = UserView),
        (status = 409, description = "Username taken in some letter case", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (password under 10 characters, ...)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<CreateUserBody>,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    let user = users::create(
        &state.store,
        &state.audit,
        caller.actor(),
        state.config.password_cost,
        CreateUser {
            username: body.username,
            display_name: body.display_name,
            password: body.password,
            role: body.role,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

/// One user.
#[utoipa::path(get, path = "/api/v1/users/{user_id}", operation_id = "users_get", tag = "users", security(("bearer" = [])),
    params(("user_id" = i64, Path, description = "User id")),
    responses(
        (status = 200, description = "The user", body = UserView),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Path(user_id): Path<i64>,
) -> Result<Json<UserView>, ApiError> {
    Ok(Json(users::get(&state.store, user_id).await?.into()))
}

/// Change a user's display name, role, or disabled state.
#[utoipa::path(patch, path = "/api/v1/users/{user_id}", operation_id = "users_update", tag = "users", security(("bearer" = [])),
    params(("user_id" = i64, Path, description = "User id")),
    request_body = PatchUserBody,
    responses(
        (status = 200, description = "The user as it now is", body = UserView),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "That would leave no active admin", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(user_id): Path<i64>,
    Json(body): Json<PatchUserBody>,
) -> Result<Json<UserView>, ApiError> {
    let user = users::update(
        &state.store,
        &state.audit,
        caller.actor(),
        user_id,
        UserChanges {
            display_name: body.display_name,
            role: body.role,
            disabled: body.disabled,
        },
    )
    .await?;
    Ok(Json(user.into()))
}

/// Set a user's password; all of their sessions are revoked.
#[utoipa::path(post, path = "/api/v1/users/{user_id}/password", operation_id = "users_password_set", tag = "users", security(("bearer" = [])),
    params(("user_id" = i64, Path, description = "User id")),
    request_body = SetPasswordBody,
    responses(
        (status = 204, description = "Changed"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Password under 10 characters", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn set_password(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(user_id): Path<i64>,
    Json(body): Json<SetPasswordBody>,
) -> Result<StatusCode, ApiError> {
    users::set_password(
        &state.store,
        &state.audit,
        caller.actor(),
        state.config.password_cost,
        user_id,
        body.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A user's sessions, newest first (at most 500).
#[utoipa::path(get, path = "/api/v1/users/{user_id}/sessions", operation_id = "users_sessions_list", tag = "users", security(("bearer" = [])),
    params(("user_id" = i64, Path, description = "User id")),
    responses(
        (status = 200, description = "The sessions", body = UserSessions),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn sessions(
    State(state): State<AppState>,
    Path(user_id): Path<i64>,
) -> Result<Json<UserSessions>, ApiError> {
    let rows = users::sessions_of(&state.store, user_id).await?;
    Ok(Json(UserSessions {
        items: rows
            .into_iter()
            .map(|s| SessionView::new(s, None))
            .collect(),
        next_cursor: None,
    }))
}

/// Revoke one session of a user.
#[utoipa::path(delete, path = "/api/v1/users/{user_id}/sessions/{session_token_id}", operation_id = "users_sessions_revoke", tag = "users", security(("bearer" = [])),
    params(("user_id" = i64, Path, description = "User id"), ("session_token_id" = i64, Path, description = "One of that user's sessions")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such session of that user", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn revoke_session(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((user_id, session_token_id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    users::revoke_session(
        &state.store,
        &state.audit,
        caller.actor(),
        user_id,
        session_token_id,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
