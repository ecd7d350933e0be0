//! The clinic's use cases: domain rules, repositories and (later) audit, one place for each.
//! The JSON API, the web pages and the command line all call these.

pub mod appointments;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod balances;
pub mod catalog;
pub mod chairs;
pub mod chart;
pub mod comms;
pub mod cursor;
pub mod day_close;
pub mod discounts;
pub mod ebarimt;
mod error;
pub mod fields;
pub mod hours;
pub mod hq;
pub mod medical;
pub mod outbox;
pub mod passwords;
pub mod patient_csv;
pub mod patient_import;
pub mod patients;
pub mod periodic;
pub mod phones;
pub mod plans;
pub mod positions;
pub mod recalls;
pub mod reminders;
pub mod reports;
pub mod requests;
pub mod settings;
pub mod sms_gateway;
pub mod staff;
pub mod throttle;
pub mod treatments;
pub mod users;

pub use error::{FieldError, ServiceError};

/// Runs a write transaction again when the database refused it as busy (a deadlock victim,
/// a serialization failure, a lock wait that timed out: `ServiceError::Busy`), at most four
/// times with a short growing pause. Two transactions that lock rows in different orders
/// (a role change revoking sessions while a login inserts one, on MariaDB's gap locks) are
/// never the client's fault; InnoDB and PostgreSQL expect the loser to try again.
pub async fn retrying_busy<T, F, Fut>(mut run: F) -> Result<T, ServiceError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, ServiceError>>,
{
    const ATTEMPTS: u64 = 4;
    let mut attempt = 1;
    loop {
        match run().await {
            Err(ServiceError::Busy) if attempt < ATTEMPTS => {
                let jitter = rand::random::<u64>() % 20;
                tokio::time::sleep(std::time::Duration::from_millis(10 * attempt + jitter)).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// Who does something, for the audit trail: a signed-in user and session, or nobody (the
/// command line, start-up).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub session_token_id: Option<i64>,
    /// The employee linked to the user (read with the session), for the records that name
    /// who did something (a booking's receptionist).
    pub employee_id: Option<i64>,
    /// What the signed-in user may do (None: the system, which may do everything), for the
    /// rules a use case checks beyond its route's (linking a user account to a person).
    pub principal: Option<dcms_domain::Principal>,
}

impl Actor {
    /// The command line or the server itself.
    pub const SYSTEM: Actor = Actor {
        user_id: None,
        session_token_id: None,
        employee_id: None,
        principal: None,
    };

    /// Marks an audit entry as done by this actor.
    pub fn stamp(self, entry: dcms_store::audit::AuditEntry) -> dcms_store::audit::AuditEntry {
        entry.by(self.user_id, self.session_token_id)
    }

    /// Whether this actor may `access` `capability` (the system may do everything).
    pub fn may(self, capability: dcms_domain::Capability, access: dcms_domain::Access) -> bool {
        self.principal
            .is_none_or(|p| dcms_domain::permits(p, capability, access))
    }

    /// Whether this actor is a manager or an admin (or the system), who may override the
    /// front desk's rules: finish an unpaid visit with a reason, edit a paid treatment,
    /// book or move an appointment into the past (`Capability::Refunds`).
    pub fn may_override(self) -> bool {
        self.may(dcms_domain::Capability::Refunds, dcms_domain::Access::Write)
    }

    /// Refuses (403) unless this actor may change user accounts: every side effect on an
    /// account (linking it to an employee or a patient, disabling it when its employee is
    /// fired) needs what `/api/v1/users` needs, whatever route reaches it.
    pub fn must_manage_users(self) -> Result<(), ServiceError> {
        if self.may(dcms_domain::Capability::Users, dcms_domain::Access::Write) {
            Ok(())
        } else {
            Err(ServiceError::ForbiddenBecause {
                code: "error-user-accounts-admin-only",
                detail: "only an admin may link, unlink or disable a user account",
            })
        }
    }
}
