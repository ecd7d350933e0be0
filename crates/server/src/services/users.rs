//! User accounts: create, change, set passwords, sessions, and the first admin. Every write
//! is audited in its own transaction (never with the password hash).

use super::audit::{AuditTrail, changes};
use super::{Actor, FieldError, ServiceError, passwords};
use crate::config::PasswordCost;
use dcms_domain::Role;
use dcms_domain::SessionType;
use dcms_store::audit::AuditEntry;
use dcms_store::entity::{session_token, user};
use dcms_store::time::from_db;
use dcms_store::{Store, sessions, users};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

/// A user account as the API and the pages show it (never its password hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub created_at: jiff::Timestamp,
    pub disabled: bool,
    pub disabled_at: Option<jiff::Timestamp>,
}

impl From<user::Model> for UserView {
    fn from(u: user::Model) -> Self {
        UserView {
            user_id: u.user_id,
            username: u.username,
            display_name: u.display_name,
            role: Role::from_code(u.roles).unwrap_or(Role::Patient),
            created_at: from_db(u.created_at),
            disabled: u.disabled_at.is_some(),
            disabled_at: u.disabled_at.map(from_db),
        }
    }
}

/// A session as the API and the pages show it (never its hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub session_token_id: i64,
    pub session_type: SessionType,
    pub device_name: Option<String>,
    pub created_at: jiff::Timestamp,
    pub expires_at: jiff::Timestamp,
    pub last_seen_at: jiff::Timestamp,
    pub revoked_at: Option<jiff::Timestamp>,
    /// Whether this is the session making the request.
    pub current: bool,
}

impl SessionView {
    /// The sessions still open (not revoked, not expired), `current_id` marked.
    pub fn open(sessions: Vec<session_token::Model>, current_id: Option<i64>) -> Vec<SessionView> {
        let now = jiff::Timestamp::now();
        sessions
            .into_iter()
            .map(|s| SessionView::new(s, current_id))
            .filter(|s| s.revoked_at.is_none() && s.expires_at > now)
            .collect()
    }

    pub fn new(s: session_token::Model, current_id: Option<i64>) -> SessionView {
        SessionView {
            current: Some(s.session_token_id) == current_id,
            session_token_id: s.session_token_id,
            session_type: SessionType::from_code(s.session_type).unwrap_or(SessionType::UserPortal),
            device_name: s.device_name,
            created_at: from_db(s.created_at),
            expires_at: from_db(s.expires_at),
            last_seen_at: from_db(s.last_seen_at),
            revoked_at: s.revoked_at.map(from_db),
        }
    }
}

/// What creating a user needs.
#[derive(Debug, Clone)]
pub struct CreateUser {
    pub username: String,
    pub display_name: Option<String>,
    pub password: String,
    pub role: Role,
}

/// What an admin may change on a user.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

/// The audited fields of a user (the hash is never among them).
fn audited(u: &user::Model) -> Value {
    json!({
        "username": u.username,
        "display_name": u.display_name,
        "role": Role::from_code(u.roles).map(|r| r.as_str()),
        "disabled_at": u.disabled_at.map(|t| t.to_rfc3339()),
    })
}

fn check_display_name(name: &str, errors: &mut Vec<FieldError>) {
    if name.is_empty() || name.chars().count() > 255 {
        errors.push(
            FieldError::coded("display_name", "length", "must be 1 to 255 characters")
                .arg("min", 1)
                .arg("max", 255),
        );
    }
}

/// Creates a user account after checking the username and password rules.
pub async fn create(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    cost: PasswordCost,
    input: CreateUser,
) -> Result<user::Model, ServiceError> {
    let username = input.username.trim().to_owned();
    let mut errors = Vec::new();
    if username.is_empty() || username.chars().count() > 255 {
        errors.push(
            FieldError::coded("username", "length", "must be 1 to 255 characters")
                .arg("min", 1)
                .arg("max", 255),
        );
    } else if username.chars().any(char::is_control) {
        errors.push(FieldError::coded(
            "username",
            "control-characters",
            "must not contain control characters",
        ));
    }
    let display_name = input
        .display_name
        .map(|d| d.trim().to_owned())
        .unwrap_or_else(|| username.clone());
    if !username.is_empty() {
        check_display_name(&display_name, &mut errors);
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
    let txn = store.begin_write().await?;
    let user = users::create(
        &txn,
        users::NewUser {
            username,
            display_name,
            password_hash,
            role: input.role,
        },
    )
    .await?;
    let entry = AuditEntry::new("create", "user", Some(user.user_id)).with_changes(changes(
        None,
        Some(&audited(&user)),
        &[],
    ));
    audit.record(&txn, actor.stamp(entry)).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(user)
}

/// A user by id.
pub async fn get(store: &Store, user_id: i64) -> Result<user::Model, ServiceError> {
    users::find(store.connection(), user_id)
        .await?
        .ok_or(ServiceError::NotFound("user"))
}

/// A user by username (any letter case).
pub async fn get_by_username(store: &Store, username: &str) -> Result<user::Model, ServiceError> {
    users::find_by_username(store.connection(), username)
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

/// Changes a user's display name, role or disabled state. Disabling or a new role revokes
/// the user's sessions. The last active admin cannot be disabled or demoted (409), also when two
/// admins try it on each other at the same moment (the active admins' rows are locked).
pub async fn update(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    user_id: i64,
    changes_asked: UserChanges,
) -> Result<user::Model, ServiceError> {
    let display_name = changes_asked.display_name.map(|n| n.trim().to_owned());
    if let Some(name) = &display_name {
        let mut errors = Vec::new();
        check_display_name(name, &mut errors);
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
    }
    super::retrying_busy(|| async {
        let txn = store.begin_write().await?;
        let active_admins = users::lock_active_admins(&txn).await?;
        let before = users::find(&txn, user_id)
            .await?
            .ok_or(ServiceError::NotFound("user"))?;
        let mut user = before.clone();
        if let Some(name) = &display_name {
            user.display_name = name.clone();
        }
        if let Some(role) = changes_asked.role {
            user.roles = role.code();
        }
        let now = dcms_store::time::now();
        let newly_disabled = changes_asked.disabled == Some(true) && user.disabled_at.is_none();
        match changes_asked.disabled {
            Some(true) if user.disabled_at.is_none() => user.disabled_at = Some(now),
            Some(false) => user.disabled_at = None,
            _ => {}
        }
        let was_active_admin = active_admins.contains(&user.user_id);
        let still_active_admin = user.roles == Role::Admin.code() && user.disabled_at.is_none();
        if was_active_admin && !still_active_admin && active_admins.len() <= 1 {
            return Err(ServiceError::Conflict(
                "this is the last active admin: make another user admin first".into(),
            ));
        }
        let role_changed = user.roles != before.roles;
        let saved = users::save(&txn, user).await?;
        if newly_disabled || role_changed {
            // What the account may do changed: its sessions, opened under the old rights (an
            // HQ session of a manager turned doctor), end now.
            users::revoke_sessions(&txn, user_id, now).await?;
        }
        if let Some(diff) = changes(Some(&audited(&before)), Some(&audited(&saved)), &[]) {
            let entry = AuditEntry::new("update", "user", Some(user_id)).with_changes(Some(diff));
            audit.record(&txn, actor.stamp(entry)).await?;
        }
        txn.commit().await.map_err(ServiceError::from)?;
        Ok(saved)
    })
    .await
}

/// Sets a user's password (an admin's reset, or `dcms users reset-password`); every session
/// of that user is revoked.
pub async fn set_password(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    cost: PasswordCost,
    user_id: i64,
    new_password: String,
) -> Result<(), ServiceError> {
    passwords::validate_new_password(&new_password, "new_password")?;
    get(store, user_id).await?;
    let hash = passwords::hash(new_password, cost).await?;
    super::retrying_busy(|| async {
        let txn = store.begin_write().await?;
        let mut user = users::find(&txn, user_id)
            .await?
            .ok_or(ServiceError::NotFound("user"))?;
        user.password_hash = hash.clone();
        users::save(&txn, user).await?;
        users::revoke_sessions(&txn, user_id, dcms_store::time::now()).await?;
        audit
            .record(
                &txn,
                actor.stamp(AuditEntry::new("password", "user", Some(user_id))),
            )
            .await?;
        txn.commit().await.map_err(ServiceError::from)?;
        Ok(())
    })
    .await
}

/// A user's sessions, newest first.
pub async fn sessions_of(
    store: &Store,
    user_id: i64,
) -> Result<Vec<session_token::Model>, ServiceError> {
    get(store, user_id).await?;
    Ok(sessions::list_for_user(store.connection(), user_id, 500).await?)
}

/// Revokes one session of a user; a session that is not theirs is not found.
pub async fn revoke_session(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    user_id: i64,
    session_token_id: i64,
) -> Result<(), ServiceError> {
    super::retrying_busy(|| async {
        let txn = store.begin_write().await?;
        let session = sessions::find(&txn, session_token_id)
            .await?
            .filter(|s| s.user_id == user_id)
            .ok_or(ServiceError::NotFound("session"))?;
        if sessions::revoke(&txn, session.session_token_id, dcms_store::time::now()).await? {
            let entry = AuditEntry::new("revoke", "session_token", Some(session_token_id));
            audit.record(&txn, actor.stamp(entry)).await?;
        }
        txn.commit().await.map_err(ServiceError::from)?;
        Ok(())
    })
    .await
}

/// When no active admin exists, creates `admin` with a random password and returns the
/// username and password (to be shown once). Returns `None` when an admin exists.
pub async fn ensure_admin(
    store: &Store,
    audit: &AuditTrail,
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
        audit,
        Actor::SYSTEM,
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
