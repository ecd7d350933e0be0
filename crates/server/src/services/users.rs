//! User accounts: create, reset a password, make sure an admin exists.

use super::{ServiceError, passwords};
use crate::config::PasswordCost;
use dcms_domain::Role;
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
) -> Result<dcms_store::entity::user::Model, ServiceError> {
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
