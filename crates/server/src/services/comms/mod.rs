//! Calls and SMS: who a number belongs to, the call log, SMS received and logged by hand,
//! SMS queued for sending, and the histories the patient and staff pages show.
//!
//! Rules (docs/comms.md):
//! * Every number is normalised like the phone tables (`dcms_domain::Phone`); one that is
//!   not a phone number is 422 `phone` on `phone_number`.
//! * The contact is resolved from the number ([`resolve`]): among the patients' and the
//!   employees' phones, a primary holder first, patients before employees (primary patient
//!   phones, primary employee phones, other patient phones, other employee phones; ties by
//!   id). The first is the contact; the rest are `other_candidates`, so the desk can tell a
//!   mother calling about her child from the child. Nobody: contact type new, no contacter.
//!   The contact is fixed when the call or SMS is recorded: a number changing hands later
//!   does not rewrite the log.
//! * A call ends at or after it began (422 `end-call-before-begin` on `end_call`); its end
//!   and note can be set afterwards.
//! * An SMS received (direction in) is recorded at once. An SMS to send (direction out) is
//!   only queued in the outbox (`dcms_store::comms::insert_outbox`): the outbox worker sends
//!   it and records the `sms` row when the provider took it, so the log never shows a
//!   message that did not leave. It carries no note (422 `sms-out-note`): the note belongs
//!   on the `sms` row once it exists.
//! * Texts: `sms_text` 1 to [`SMS_TEXT_MAX`] characters (line breaks allowed), `subject` at
//!   most [`SUBJECT_MAX`] on one line, `note` at most [`fields::NOTE_MAX`].
//!
//! Every write is audited in its transaction (tables `call`, `sms`, `sms_outbox`).

use super::audit::AuditTrail;
use super::fields::Given;
use super::{Actor, FieldError, ServiceError};
use dcms_domain::{ContactType, Direction, Phone, SmsState};
use dcms_store::audit::AuditEntry;
use dcms_store::entity::{call, sms, sms_outbox};
use dcms_store::sea_orm::DatabaseTransaction;
use dcms_store::time::from_db;
use jiff::Timestamp;
use serde::Serialize;

mod contacts;
pub use contacts::{Candidate, Lookup, NamedCandidate, Resolution, lookup, resolve, who_is};
mod calls;
pub use calls::{create_call, get_call, update_call};
mod messages;
pub use messages::{get_sms, post_sms, update_sms};
mod lists;
mod to_patient;
pub use lists::{
    CommsCursor, CommsPage, CommsQuery, calls_of, list_calls, list_outbox, list_sms, sms_of,
};
pub use to_patient::{no_primary_phone, queue_to_patient};

/// Most characters of an SMS text (a long message is split by the provider; a thousand
/// characters is several SMS already).
pub const SMS_TEXT_MAX: usize = 1000;
/// Most characters of an SMS subject (the column's width).
pub const SUBJECT_MAX: usize = 255;
/// Most characters of a note on a call or an SMS.
/// Most holders of one number read for a resolution (a number shared by a whole family and
/// some staff stays far below this).
const HOLDERS_MAX: u64 = 200;
/// Most people a lookup of a partly typed number names.
pub const LOOKUP_MAX: usize = 20;

// --- what the use cases return ---------------------------------------------------------------

/// A call of the call log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Call {
    pub call_id: i64,
    pub phone_number: String,
    pub direction: Direction,
    pub begin_call: Timestamp,
    pub end_call: Option<Timestamp>,
    pub contact_type: ContactType,
    pub contacter_id: Option<i64>,
    pub note: Option<String>,
}

fn bad_code(table: &str, id: i64, what: &str, code: i16) -> ServiceError {
    ServiceError::Internal(format!("{table} {id} has an unknown {what} code {code}"))
}

impl Call {
    fn from_row(row: call::Model) -> Result<Call, ServiceError> {
        Ok(Call {
            direction: Direction::from_code(row.direction)
                .ok_or_else(|| bad_code("call", row.call_id, "direction", row.direction))?,
            contact_type: ContactType::from_code(row.contact_type)
                .ok_or_else(|| bad_code("call", row.call_id, "contact type", row.contact_type))?,
            call_id: row.call_id,
            phone_number: row.phone_number,
            begin_call: from_db(row.begin_call),
            end_call: row.end_call.map(from_db),
            contacter_id: row.contacter_id,
            note: row.note,
        })
    }
}

/// An SMS sent or received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sms {
    pub sms_id: i64,
    pub phone_number: String,
    pub direction: Direction,
    pub time: Timestamp,
    pub subject: Option<String>,
    pub sms_text: String,
    pub contact_type: ContactType,
    pub contacter_id: Option<i64>,
    pub note: Option<String>,
}

impl Sms {
    fn from_row(row: sms::Model) -> Result<Sms, ServiceError> {
        Ok(Sms {
            direction: Direction::from_code(row.direction)
                .ok_or_else(|| bad_code("sms", row.sms_id, "direction", row.direction))?,
            contact_type: ContactType::from_code(row.contact_type)
                .ok_or_else(|| bad_code("sms", row.sms_id, "contact type", row.contact_type))?,
            sms_id: row.sms_id,
            phone_number: row.phone_number,
            time: from_db(row.time),
            subject: row.subject,
            sms_text: row.sms_text,
            contacter_id: row.contacter_id,
            note: row.note,
        })
    }
}

/// An SMS of the outbox, on its way out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outbox {
    pub sms_outbox_id: i64,
    pub phone_number: String,
    pub subject: Option<String>,
    pub sms_text: String,
    pub state: SmsState,
    pub attempts: i32,
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
    pub idempotency_key: String,
    pub appointment_id: Option<i64>,
    pub reminder_for_start_at: Option<Timestamp>,
    pub sms_id: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Outbox {
    fn from_row(row: sms_outbox::Model) -> Result<Outbox, ServiceError> {
        Ok(Outbox {
            state: SmsState::from_code(row.state)
                .ok_or_else(|| bad_code("sms_outbox", row.sms_outbox_id, "state", row.state))?,
            sms_outbox_id: row.sms_outbox_id,
            phone_number: row.phone_number,
            subject: row.subject,
            sms_text: row.sms_text,
            attempts: row.attempts,
            next_attempt_at: from_db(row.next_attempt_at),
            last_error: row.last_error,
            idempotency_key: row.idempotency_key,
            appointment_id: row.appointment_id,
            reminder_for_start_at: row.reminder_for_start_at.map(from_db),
            sms_id: row.sms_id,
            created_at: from_db(row.created_at),
            updated_at: from_db(row.updated_at),
        })
    }
}

/// Something just recorded, with the other holders of its number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded<T> {
    pub item: T,
    pub other_candidates: Vec<Candidate>,
}

/// What `POST /sms` did: an incoming SMS recorded, or an outgoing one queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsPosted {
    Logged(Recorded<Sms>),
    /// Queued; `resolution` says who it will reach (the `sms` row, written when it is sent,
    /// resolves the number again then).
    Queued {
        outbox: Outbox,
        resolution: Resolution,
    },
}

// --- what the use cases take -----------------------------------------------------------------

/// A call as the client sent it (validated by [`create_call`]).
#[derive(Debug, Clone, Default)]
pub struct NewCall {
    pub phone_number: Option<String>,
    /// `in` or `out`.
    pub direction: Option<String>,
    /// RFC 3339 with an offset.
    pub begin_call: Given<Timestamp>,
    pub end_call: Given<Timestamp>,
    pub note: Option<String>,
}

/// A change of a call: None leaves a field as it is; `note: Some(None)` clears the note.
#[derive(Debug, Clone, Default)]
pub struct CallChanges {
    pub end_call: Given<Timestamp>,
    pub note: Option<Option<String>>,
}

/// An SMS as the client sent it (validated by [`post_sms`]).
#[derive(Debug, Clone, Default)]
pub struct SmsInput {
    pub phone_number: Option<String>,
    /// `in` (received: recorded now) or `out` (to send: queued).
    pub direction: Option<String>,
    /// In: when it was received (default now). Out: not sent before this (default now).
    pub time: Option<String>,
    pub subject: Option<String>,
    pub sms_text: Option<String>,
    pub note: Option<String>,
}

// --- validation ------------------------------------------------------------------------------

type Errors = Vec<FieldError>;

fn phone(errors: &mut Errors, field: &str, value: Option<&str>) -> Option<Phone> {
    super::phones::parse_number(field, value, errors)
}

fn too_long(field: &str, max: usize) -> FieldError {
    FieldError::coded(
        field,
        "too-long",
        format!("must be at most {max} characters"),
    )
    .arg("max", max)
}

/// The text of an SMS: 1 to [`SMS_TEXT_MAX`] characters once trimmed, line breaks and tabs
/// allowed, no other control character.
fn sms_text(errors: &mut Errors, value: Option<&str>) -> Option<String> {
    let text = value.map(str::trim).unwrap_or_default();
    if text.is_empty() {
        errors.push(FieldError::coded("sms_text", "required", "is required"));
        return None;
    }
    if text.chars().count() > SMS_TEXT_MAX {
        errors.push(too_long("sms_text", SMS_TEXT_MAX));
        return None;
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        errors.push(FieldError::coded(
            "sms_text",
            "control-characters",
            "must not contain control characters",
        ));
        return None;
    }
    Some(text.to_owned())
}

fn end_before_begin() -> FieldError {
    FieldError::coded(
        "end_call",
        "end-call-before-begin",
        "must be at or after begin_call",
    )
}

async fn record(
    audit: &AuditTrail,
    txn: &DatabaseTransaction,
    actor: Actor,
    action: &str,
    (table, row_id): (&str, i64),
    diff: Option<serde_json::Value>,
) -> Result<(), ServiceError> {
    let entry = AuditEntry::new(action, table, Some(row_id)).with_changes(diff);
    audit.record(txn, actor.stamp(entry)).await
}
