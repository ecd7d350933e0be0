//! `/account`: one's own sessions (see and end them) and one's password.

use super::common::accounts::SessionView;
use super::{FieldMessages, Layout, OrPage, PageResult, Saved, msg, see_other_with_flash};
use crate::http::client::ClientAddress;
use crate::http::cookies;
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::{FieldError, ServiceError};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::{StatusCode, header};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    layout: &'a Layout,
    sessions: Vec<SessionView>,
    errors: FieldMessages,
}

async fn page(
    state: &AppState,
    caller: &Caller,
    layout: &Layout,
    errors: FieldMessages,
    status: StatusCode,
) -> PageResult {
    let sessions = crate::services::users::sessions_of(&state.store, caller.user_id())
        .await
        .or_page(layout)?;
    let current = Some(caller.session_token_id());
    let page = AccountPage {
        layout,
        sessions: SessionView::open(sessions, current),
        errors,
    };
    Ok(layout.render_status(status, &page))
}

/// `GET /account`.
pub async fn show(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    layout: Layout,
) -> PageResult {
    page(
        &state,
        &caller,
        &layout,
        FieldMessages::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

/// `POST /account/password`: needs the current password; ends one's other sessions.
pub async fn change_password(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ClientAddress(client): ClientAddress,
    layout: Layout,
    Form(form): Form<PasswordForm>,
) -> PageResult {
    let result = if form.new_password != form.confirm_password {
        Err(ServiceError::Invalid(vec![FieldError::coded(
            "confirm_password",
            "password-mismatch",
            "does not match the new password",
        )]))
    } else {
        state
            .auth
            .change_password(&caller, form.current_password, form.new_password, client)
            .await
    };
    layout
        .submitted(result)
        .answer(
            |()| Saved::to("/account", msg("flash-password-changed")),
            async |refused| {
                let errors = refused.messages(&layout);
                page(&state, &caller, &layout, errors, refused.status).await
            },
        )
        .await
}

/// `POST /account/sessions/{id}/revoke`: ends one of one's sessions (this one: logs out).
pub async fn revoke_session(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(session_token_id): Path<i64>,
    layout: Layout,
) -> PageResult {
    crate::services::users::revoke_session(
        &state.store,
        &state.audit,
        caller.actor(),
        caller.user_id(),
        session_token_id,
    )
    .await
    .or_page(&layout)?;
    if session_token_id == caller.session_token_id() {
        let mut response = see_other_with_flash("/login", msg("flash-logged-out"), layout.secure);
        response.headers_mut().append(
            header::SET_COOKIE,
            cookies::clear(cookies::SESSION, layout.secure),
        );
        return Ok(response);
    }
    Ok(see_other_with_flash(
        "/account",
        msg("flash-session-revoked"),
        layout.secure,
    ))
}
