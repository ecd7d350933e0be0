//! User accounts: create, reset a password, make sure an admin exists.

use super::{ServiceError, passwords};
use crate::config::PasswordCost;
use dcms_domain::Role;
use dcms_store::entity::user;
use dcms_store::{Store, users};

/// What creating a user needs.
#[derive(Debug, Clone)]
pub struct CreateUser {
    pub username: String,
    pub display_name: Option<String>,
    pub password: String,
    pub role: Role,
}

/// Creates a user account after checking the username and password rules.
pub async fn create(
    store: &Store,
    cost: PasswordCost,
    input: CreateUser,
) -> Result<user::Model, ServiceError> {
    let username = input.username.trim().to_owned();
    let mut errors = Vec::new();
    if username.is_empty() || username.chars().count() > 255 {
        errors.push(super::FieldError::new(
            "username",
            "must be 1 to 255 characters",
        ));
    } else if username.chars().any(char::is_control) {
        errors.push(super::FieldError::new(
            "username",
            "must not contain control characters",
        ));
    }
    let display_name = input
        .display_name
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| username.clone());
    if display_name.chars().count() > 255 {
        errors.push(super::FieldError::new(
            "display_name",
            "must be at most 255 characters",
        ));
    }
    if let Err(ServiceError::Invalid(mut e)) =
        passwords::validate_new_password(&input.password, "password")
    {
        errors.append(&mut e);
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let password_hash = passwords::hash(input.password, cost).await?;
    Ok(users::create(
        store.connection(),
        users::NewUser {
            username,
            display_name,
            password_hash,
            role: input.role,
        },
    )
    .await?)
}

/// Sets a new password for the user and revokes all of that user's sessions.
pub async fn reset_password(
    store: &Store,
    cost: PasswordCost,
    username: &str,
    new_password: String,
) -> Result<(), ServiceError> {
    passwords::validate_new_password(&new_password, "new_password")?;
    let user = users::find_by_username(store.connection(), username)
        .await?
        .ok_or(ServiceError::NotFound("user"))?;
    let hash = passwords::hash(new_password, cost).await?;
    users::reset_password(store.connection(), user.user_id, hash).await?;
    Ok(())
}

/// When no active admin exists, creates `admin` with a random password and returns that
/// password (to be shown once). Returns `None` when an admin exists.
pub async fn ensure_admin(
    store: &Store,
    cost: PasswordCost,
) -> Result<Option<(String, String)>, ServiceError> {
    if users::count_active_admins(store.connection()).await? > 0 {
        return Ok(None);
    }
    let mut username = "admin".to_owned();
    let mut n = 1;
    while users::find_by_username(store.connection(), &username)
        .await?
        .is_some()
    {
        n += 1;
        username = format!("admin{n}");
    }
    let password = passwords::random_password();
    create(
        store,
        cost,
        CreateUser {
            username: username.clone(),
            display_name: Some("Administrator".into()),
            password: password.clone(),
            role: Role::Admin,
        },
    )
    .await?;
    Ok(Some((username, password)))
}

/// What an admin may change on a user.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

/// A user by id.
pub async fn get(store: &Store, user_id: i64) -> Result<user::Model, ServiceError> {
    users::find(store.connection(), user_id)
        .await?
        .ok_or(ServiceError::NotFound("user"))
}

/// Users by id, after a cursor.
pub async fn list(
    store: &Store,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Vec<user::Model>, ServiceError> {
    Ok(users::list(store.connection(), after_id, limit).await?)
}

/// Changes a user's display name, role or disabled state. Disabling revokes the user's
/// sessions. The last active admin cannot be disabled or demoted (409), also when two
/// admins try it on each other at the same moment (the active admins' rows are locked).
pub async fn update(
    store: &Store,
    user_id: i64,
    changes: UserChanges,
) -> Result<user::Model, ServiceError> {
    let display_name = match changes.display_name {
        Some(name) => {
            let name = name.trim().to_owned();
            if name.is_empty() || name.chars().count() > 255 {
                return Err(ServiceError::invalid(
                    "display_name",
                    "must be 1 to 255 characters",
                ));
            }
            Some(name)
        }
        None => None,
    };
    let txn = store.begin_write().await?;
    let active_admins = users::lock_active_admins(&txn).await?;
    let mut user = users::find(&txn, user_id)
        .await?
        .ok_or(ServiceError::NotFound("user"))?;
    let was_active_admin = active_admins.contains(&user.user_id);
    if let Some(name) = display_name {
        user.display_name = name;
    }
    if let Some(role) = changes.role {
        user.roles = role.code();
    }
    let now = dcms_store::time::now();
    let newly_disabled = changes.disabled == Some(true) && user.disabled_at.is_none();
    match changes.disabled {
        Some(true) if user.disabled_at.is_none() => user.disabled_at = Some(now),
        Some(false) => user.disabled_at = None,
        _ => {}
    }
    let still_active_admin = user.roles == Role::Admin.code() && user.disabled_at.is_none();
    if was_active_admin && !still_active_admin && active_admins.len() <= 1 {
        return Err(ServiceError::Conflict(
            "this is the last active admin: make another user admin first".into(),
        ));
    }
    let saved = users::save(&txn, user).await?;
    if newly_disabled {
        users::revoke_sessions(&txn, user_id, now).await?;
    }
    txn.commit().await.map_err(dcms_store::StoreError::from)?;
    Ok(saved)
}

/// An admin sets a user's password; every session of that user is revoked.
pub async fn set_password(
    store: &Store,
    cost: PasswordCost,
    user_id: i64,
    new_password: String,
) -> Result<(), ServiceError> {
    passwords::validate_new_password(&new_password, "new_password")?;
    get(store, user_id).await?;
    let hash = passwords::hash(new_password, cost).await?;
    users::reset_password(store.connection(), user_id, hash).await?;
    Ok(())
}

/// A user's sessions, newest first.
pub async fn sessions_of(
    store: &Store,
    user_id: i64,
) -> Result<Vec<dcms_store::entity::session_token::Model>, ServiceError> {
    get(store, user_id).await?;
    Ok(dcms_store::sessions::list_for_user(store.connection(), user_id, 500).await?)
}

/// Revokes one session of a user; a session that is not theirs is not found.
pub async fn revoke_session(
    store: &Store,
    user_id: i64,
    session_token_id: i64,
) -> Result<(), ServiceError> {
    let session = dcms_store::sessions::find(store.connection(), session_token_id)
        .await?
        .filter(|s| s.user_id == user_id)
        .ok_or(ServiceError::NotFound("session"))?;
    dcms_store::sessions::revoke(
        store.connection(),
        session.session_token_id,
        dcms_store::time::now(),
    )
    .await?;
    Ok(())
}
