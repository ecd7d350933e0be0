//! The clinic's use cases: domain rules, repositories and (later) audit, one place for each.
//! The JSON API, the web pages and the command line all call these.

pub mod appointments;
pub mod audit;
pub mod auth;
pub mod catalog;
pub mod comms;
pub mod cursor;
mod error;
pub mod fields;
pub mod outbox;
pub mod passwords;
pub mod patient_csv;
pub mod patient_import;
pub mod patients;
pub mod phones;
pub mod positions;
pub mod reminders;
pub mod reports;
pub mod settings;
pub mod sms_gateway;
pub mod staff;
pub mod treatments;
pub mod users;

pub use error::{FieldError, ServiceError};

/// Who does something, for the audit trail: a signed-in user and session, or nobody (the
/// command line, start-up).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub session_token_id: Option<i64>,
    /// The employee linked to the user (read with the session), for the records that name
    /// who did something (a booking's receptionist).
    pub employee_id: Option<i64>,
}

impl Actor {
    /// The command line or the server itself.
    pub const SYSTEM: Actor = Actor {
        user_id: None,
        session_token_id: None,
        employee_id: None,
    };

    /// Marks an audit entry as done by this actor.
    pub fn stamp(self, entry: dcms_store::audit::AuditEntry) -> dcms_store::audit::AuditEntry {
        entry.by(self.user_id, self.session_token_id)
    }
}
