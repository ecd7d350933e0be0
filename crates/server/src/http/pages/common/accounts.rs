//! User accounts and sessions as the account pages show them (`/account`, `/users`), built
//! from the stored rows the use cases give (never a password or a token hash).

use dcms_domain::{Role, SessionType};
use dcms_store::entity::{session_token, user};
use dcms_store::time::from_db;

/// A user account.
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

/// A session, as `_sessions.html` lists it.
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

    fn new(s: session_token::Model, current_id: Option<i64>) -> SessionView {
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
