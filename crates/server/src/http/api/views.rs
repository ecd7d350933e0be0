//! JSON shapes shared by several endpoints.

use dcms_domain::{Role, SessionType};
use dcms_store::entity::{session_token, user};
use dcms_store::time::from_db;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A user account (never its password hash).
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

/// A session (never its hash).
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

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// `?limit=&cursor=` of every list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1 to 500 (default 50; more is taken as 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    #[param(min_length = 1, pattern = r"^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
}

impl PageParams {
    pub const DEFAULT_LIMIT: u64 = 50;
    pub const MAX_LIMIT: u64 = 500;

    pub fn limit(&self) -> u64 {
        self.limit
            .unwrap_or(Self::DEFAULT_LIMIT)
            .clamp(1, Self::MAX_LIMIT)
    }

    /// The id a simple id-ordered cursor carries.
    pub fn after_id(&self) -> Result<Option<i64>, crate::http::error::ApiError> {
        match &self.cursor {
            None => Ok(None),
            Some(c) => decode_id_cursor(c)
                .map(Some)
                .ok_or_else(|| crate::http::error::ApiError::bad_request("invalid cursor")),
        }
    }
}

/// An opaque cursor for lists ordered by id.
pub fn encode_id_cursor(id: i64) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("id:{id}"))
}

pub fn decode_id_cursor(cursor: &str) -> Option<i64> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    std::str::from_utf8(&bytes)
        .ok()?
        .strip_prefix("id:")?
        .parse()
        .ok()
}

/// A page of rows ordered by id, fetched with one extra row to know whether more follow.
pub fn id_page<R, T: ToSchema>(
    mut rows: Vec<R>,
    limit: u64,
    id: impl Fn(&R) -> i64,
    view: impl Fn(R) -> T,
) -> Page<T> {
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more {
        rows.last().map(|r| encode_id_cursor(id(r)))
    } else {
        None
    };
    Page {
        items: rows.into_iter().map(view).collect(),
        next_cursor,
    }
}
