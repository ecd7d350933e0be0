//! `/users` (admin): user accounts, their roles, passwords and sessions.

use super::common::accounts::{SessionView, UserView};
use super::{FieldMessages, Layout, OrPage, PageResult, Saved, msg, see_other_with_flash};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::users::{self, CreateUser, UserChanges};
use crate::services::{FieldError, ServiceError};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use dcms_domain::Role;
use serde::Deserialize;

const PAGE_SIZE: u64 = 100;

/// The roles an admin may give, in the order the form offers them.
const ROLES: &[Role] = &[
    Role::Receptionist,
    Role::Doctor,
    Role::Manager,
    Role::Admin,
    Role::Patient,
];

fn role_from_form(value: &str) -> Option<Role> {
    Role::ALL.iter().copied().find(|r| r.as_str() == value)
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage<'a> {
    layout: &'a Layout,
    users: Vec<UserView>,
    next_after: Option<i64>,
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    after: Option<i64>,
}

/// `GET /users`.
pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<ListParams>,
    layout: Layout,
) -> PageResult {
    let found = users::list(&state.store, params.after, PAGE_SIZE)
        .await
        .or_page(&layout)?;
    let next_after = (found.len() as u64 == PAGE_SIZE)
        .then(|| found.last().map(|u| u.user_id))
        .flatten();
    Ok(layout.render(&UsersPage {
        layout: &layout,
        users: found.into_iter().map(UserView::from).collect(),
        next_after,
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewUserForm {
    username: String,
    display_name: String,
    role: String,
    password: String,
}

#[derive(Template)]
#[template(path = "user_new.html")]
struct NewUserPage<'a> {
    layout: &'a Layout,
    form: NewUserForm,
    roles: &'static [Role],
    errors: FieldMessages,
}

/// `GET /users/new`.
pub async fn new_form(layout: Layout) -> PageResult {
    Ok(layout.render(&NewUserPage {
        layout: &layout,
        form: NewUserForm {
            role: Role::Receptionist.as_str().into(),
            ..NewUserForm::default()
        },
        roles: ROLES,
        errors: FieldMessages::default(),
    }))
}

/// `POST /users`: creates the account and shows it.
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    layout: Layout,
    Form(mut form): Form<NewUserForm>,
) -> PageResult {
    let result = match role_from_form(&form.role) {
        None => {
            // Say everything wrong at once: the password's rule too.
            let mut errors = vec![FieldError::coded(
                "role",
                "choose",
                "choose one of the roles",
            )];
            if let Err(ServiceError::Invalid(mut more)) =
                crate::services::passwords::validate_new_password(&form.password, "password")
            {
                errors.append(&mut more);
            }
            Err(ServiceError::Invalid(errors))
        }
        Some(role) => {
            let display_name = form.display_name.trim();
            users::create(
                &state.store,
                &state.audit,
                caller.actor(),
                state.config.password_cost,
                CreateUser {
                    username: form.username.clone(),
                    display_name: (!display_name.is_empty()).then(|| display_name.to_owned()),
                    password: std::mem::take(&mut form.password),
                    role,
                },
            )
            .await
        }
    };
    layout
        .submitted(result)
        .conflict(StatusCode::UNPROCESSABLE_ENTITY, |text| {
            FieldError::coded("username", "username-taken", text)
        })
        .answer(
            |user| {
                Saved::to(
                    format!("/users/{}", user.user_id),
                    msg("flash-user-created"),
                )
            },
            async |refused| {
                let page = NewUserPage {
                    layout: &layout,
                    form,
                    roles: ROLES,
                    errors: refused.messages(&layout),
                };
                Ok(layout.render_status(refused.status, &page))
            },
        )
        .await
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage<'a> {
    layout: &'a Layout,
    user: UserView,
    /// The edit form's values (what was typed, when it comes back with errors).
    form: EditUserForm,
    roles: &'static [Role],
    sessions: Vec<SessionView>,
    /// Where the sessions' revoke forms post (`/users/{id}`).
    revoke_base: String,
    errors: FieldMessages,
}

async fn user_page(
    state: &AppState,
    layout: &Layout,
    user_id: i64,
    form: Option<EditUserForm>,
    errors: FieldMessages,
    status: StatusCode,
) -> PageResult {
    let user = users::get(&state.store, user_id).await.or_page(layout)?;
    let sessions = users::sessions_of(&state.store, user_id)
        .await
        .or_page(layout)?;
    let user = UserView::from(user);
    let form = form.unwrap_or_else(|| EditUserForm {
        display_name: user.display_name.clone(),
        role: user.role.as_str().into(),
        disabled: user.disabled.then(|| "on".into()),
    });
    Ok(layout.render_status(
        status,
        &UserPage {
            layout,
            revoke_base: format!("/users/{}", user.user_id),
            user,
            form,
            roles: ROLES,
            sessions: SessionView::open(sessions, None),
            errors,
        },
    ))
}

/// `GET /users/{id}`.
pub async fn show(
    State(state): State<AppState>,
    Path(user_id): Path<i64>,
    layout: Layout,
) -> PageResult {
    user_page(
        &state,
        &layout,
        user_id,
        None,
        FieldMessages::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EditUserForm {
    display_name: String,
    role: String,
    /// A checkbox: `on` when ticked, absent otherwise.
    disabled: Option<String>,
}

/// `POST /users/{id}`: display name, role, disabled.
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(user_id): Path<i64>,
    layout: Layout,
    Form(form): Form<EditUserForm>,
) -> PageResult {
    let result = match role_from_form(&form.role) {
        None => Err(ServiceError::Invalid(vec![FieldError::coded(
            "role",
            "choose",
            "choose one of the roles",
        )])),
        Some(role) => {
            users::update(
                &state.store,
                &state.audit,
                caller.actor(),
                user_id,
                UserChanges {
                    display_name: Some(form.display_name.clone()),
                    role: Some(role),
                    disabled: Some(form.disabled.is_some()),
                },
            )
            .await
        }
    };
    layout
        .submitted(result)
        .conflict(StatusCode::CONFLICT, |text| {
            FieldError::coded("role", "last-admin", text)
        })
        .answer(
            |_| Saved::to(format!("/users/{user_id}"), msg("flash-saved")),
            async |refused| {
                let errors = refused.messages(&layout);
                user_page(&state, &layout, user_id, Some(form), errors, refused.status).await
            },
        )
        .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SetPasswordForm {
    new_password: String,
}

/// `POST /users/{id}/password`: a new password; the user's sessions end.
pub async fn set_password(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(user_id): Path<i64>,
    layout: Layout,
    Form(form): Form<SetPasswordForm>,
) -> PageResult {
    let result = users::set_password(
        &state.store,
        &state.audit,
        caller.actor(),
        state.config.password_cost,
        user_id,
        form.new_password,
    )
    .await;
    layout
        .submitted(result)
        .answer(
            // One's own password: every session has ended, this one too.
            |()| {
                if user_id == caller.user_id() {
                    Saved::quietly("/login")
                } else {
                    Saved::to(format!("/users/{user_id}"), msg("flash-password-set"))
                }
            },
            async |refused| {
                let errors = refused.messages(&layout);
                user_page(&state, &layout, user_id, None, errors, refused.status).await
            },
        )
        .await
}

/// `POST /users/{id}/sessions/{session_id}/revoke`.
pub async fn revoke_session(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((user_id, session_token_id)): Path<(i64, i64)>,
    layout: Layout,
) -> PageResult {
    users::revoke_session(
        &state.store,
        &state.audit,
        caller.actor(),
        user_id,
        session_token_id,
    )
    .await
    .or_page(&layout)?;
    Ok(see_other_with_flash(
        &format!("/users/{user_id}"),
        msg("flash-session-revoked"),
        layout.secure,
    ))
}
