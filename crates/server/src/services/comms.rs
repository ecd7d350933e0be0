//! Calls and SMS: who a number belongs to, the call log, SMS received and logged by hand,
//! SMS queued for sending, and the histories the patient and staff pages show.
//!
//! Rules (domain.md "call / sms", docs/comms.md):
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

use super::audit::{AuditTrail, changes};
use super::{Actor, FieldError, ServiceError, fields};
use dcms_domain::{ContactType, Direction, Phone, SmsState};
use dcms_store::Store;
use dcms_store::audit::AuditEntry;
use dcms_store::comms::{self as repo, CommsFilter, HolderKind, NumberMatch, PhoneHolder};
use dcms_store::entity::{call, sms, sms_outbox};
use dcms_store::sea_orm::{ConnectionTrait, DatabaseTransaction};
use dcms_store::time::{from_db, now, to_db};
use jiff::Timestamp;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;

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

// --- contact resolution ----------------------------------------------------------------------

/// Another person holding the number of a call or an SMS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Candidate {
    pub contact_type: ContactType,
    /// The patient or employee id.
    pub contacter_id: i64,
}

/// Who a number belongs to: the contact (new and null when nobody holds it) and everyone
/// else who holds it, in the order of [`resolve`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Resolution {
    pub contact_type: ContactType,
    /// The patient or employee id; null when the contact type is new.
    pub contacter_id: Option<i64>,
    /// The other holders of the number, best first.
    pub other_candidates: Vec<Candidate>,
}

impl Resolution {
    /// Nobody holds the number.
    pub const NEW: Resolution = Resolution {
        contact_type: ContactType::New,
        contacter_id: None,
        other_candidates: Vec::new(),
    };

    /// The resolution of people already ranked (best first).
    fn of_ranked(mut ranked: Vec<Candidate>) -> Resolution {
        if ranked.is_empty() {
            return Resolution::NEW;
        }
        let first = ranked.remove(0);
        Resolution {
            contact_type: first.contact_type,
            contacter_id: Some(first.contacter_id),
            other_candidates: ranked,
        }
    }

    /// The contact's codes as stored (`contact_type`, `contacter_id`).
    pub fn codes(&self) -> (i16, Option<i64>) {
        (self.contact_type.code(), self.contacter_id)
    }
}

fn contact_type_of(kind: HolderKind) -> ContactType {
    match kind {
        HolderKind::Patient => ContactType::Patient,
        HolderKind::Employee => ContactType::Employee,
    }
}

/// The holders ranked: primary holders first, patients before employees, then by id; each
/// person once (at their best rank), with the number they were found by.
fn rank(mut holders: Vec<PhoneHolder>) -> Vec<(Candidate, String)> {
    holders.sort_by_key(|h| (!h.is_primary, h.kind, h.id));
    let mut seen = HashSet::new();
    holders
        .into_iter()
        .filter(|h| seen.insert((h.kind, h.id)))
        .map(|h| {
            (
                Candidate {
                    contact_type: contact_type_of(h.kind),
                    contacter_id: h.id,
                },
                h.phone_number,
            )
        })
        .collect()
}

/// Who holds `number` (a normalised number, as `Phone::as_str` gives it; another writing of a
/// valid number is normalised first). Two indexed statements whatever the number of
/// holders; works inside the caller's transaction (the outbox worker's, the inbound
/// webhook's) when `db` is one.
pub async fn resolve(db: &impl ConnectionTrait, number: &str) -> Result<Resolution, ServiceError> {
    let number = Phone::parse(number)
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|_| number.to_owned());
    let holders = repo::holders(db, &NumberMatch::Exact(number), HOLDERS_MAX).await?;
    Ok(Resolution::of_ranked(
        rank(holders).into_iter().map(|(c, _)| c).collect(),
    ))
}

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
    pub begin_call: Option<String>,
    pub end_call: Option<String>,
    pub note: Option<String>,
}

/// A change of a call: None leaves a field as it is; `note: Some(None)` clears the note.
#[derive(Debug, Clone, Default)]
pub struct CallChanges {
    pub end_call: Option<String>,
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

// --- calls -----------------------------------------------------------------------------------

/// Records a call, its contact resolved from the number. Invalid fields are 422, all at once.
pub async fn create_call(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    input: NewCall,
) -> Result<Recorded<Call>, ServiceError> {
    let mut errors = Vec::new();
    let e = &mut errors;
    let number = phone(e, "phone_number", input.phone_number.as_deref());
    let direction =
        fields::required_choice::<Direction>(e, "direction", input.direction.as_deref());
    let begin = match input.begin_call.as_deref() {
        Some(v) => fields::instant(e, "begin_call", v),
        None => {
            e.push(FieldError::coded("begin_call", "required", "is required"));
            None
        }
    };
    let end = match input.end_call.as_deref() {
        None => Some(None),
        Some(v) => fields::instant(e, "end_call", v).map(Some),
    };
    let note = fields::note(e, "note", input.note.as_deref());
    if let (Some(begin), Some(Some(end))) = (begin, end)
        && end < begin
    {
        errors.push(end_before_begin());
    }
    let (Some(number), Some(direction), Some(begin), Some(end), Some(note), true) =
        (number, direction, begin, end, note, errors.is_empty())
    else {
        return Err(ServiceError::Invalid(errors));
    };
    let txn = store.begin_write().await?;
    let resolution = resolve(&txn, number.as_str()).await?;
    let (contact_type, contacter_id) = resolution.codes();
    let row = repo::insert_call(
        &txn,
        repo::NewCall {
            phone_number: number.as_str().to_owned(),
            direction: direction.code(),
            begin_call: to_db(begin),
            end_call: end.map(to_db),
            contact_type,
            contacter_id,
            note,
        },
    )
    .await?;
    let call = Call::from_row(row)?;
    record(
        audit,
        &txn,
        actor,
        "create",
        ("call", call.call_id),
        changes(None, Some(&call), &["call_id"]),
    )
    .await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(Recorded {
        item: call,
        other_candidates: resolution.other_candidates,
    })
}

/// Sets a call's end or note (or clears the note). The end must be at or after the begin.
pub async fn update_call(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    call_id: i64,
    asked: CallChanges,
) -> Result<Call, ServiceError> {
    let mut errors = Vec::new();
    let e = &mut errors;
    let end = asked
        .end_call
        .as_deref()
        .map(|v| fields::instant(e, "end_call", v));
    let note = match &asked.note {
        None => Some(None),
        Some(value) => fields::note(e, "note", value.as_deref()).map(Some),
    };
    let (Some(note), true) = (note, errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    let end = end.flatten();
    let txn = store.begin_write().await?;
    let before = repo::lock_call(&txn, call_id)
        .await?
        .ok_or(ServiceError::NotFound("call"))?;
    let current = Call::from_row(before.clone())?;
    if let Some(end) = end
        && end < current.begin_call
    {
        return Err(ServiceError::invalid_coded(end_before_begin()));
    }
    let mut row = before;
    if let Some(end) = end {
        row.end_call = Some(to_db(end));
    }
    if let Some(note) = note {
        row.note = note;
    }
    let changed = Call::from_row(row.clone())?;
    let Some(diff) = changes(Some(&current), Some(&changed), &[]) else {
        txn.commit().await.map_err(ServiceError::from)?;
        return Ok(current);
    };
    let saved = Call::from_row(repo::save_call(&txn, row).await?)?;
    record(audit, &txn, actor, "update", ("call", call_id), Some(diff)).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(saved)
}

/// A call by id.
pub async fn get_call(store: &Store, call_id: i64) -> Result<Call, ServiceError> {
    let row = repo::find_call(store.connection(), call_id)
        .await?
        .ok_or(ServiceError::NotFound("call"))?;
    Call::from_row(row)
}

// --- SMS -------------------------------------------------------------------------------------

/// Records an SMS received (direction in, with the resolution) or queues one to send
/// (direction out; see the module's rules).
pub async fn post_sms(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    input: SmsInput,
) -> Result<SmsPosted, ServiceError> {
    let mut errors = Vec::new();
    let e = &mut errors;
    let number = phone(e, "phone_number", input.phone_number.as_deref());
    let direction =
        fields::required_choice::<Direction>(e, "direction", input.direction.as_deref());
    let time = match input.time.as_deref() {
        None => Some(None),
        Some(v) => fields::instant(e, "time", v).map(Some),
    };
    let subject = fields::optional_text(e, "subject", input.subject.as_deref(), SUBJECT_MAX);
    let text = sms_text(e, input.sms_text.as_deref());
    let note = fields::note(e, "note", input.note.as_deref());
    if direction == Some(Direction::Out) && matches!(note, Some(Some(_))) {
        errors.push(FieldError::coded(
            "note",
            "sms-out-note",
            "an SMS to send is only queued: add the note to its sms record once it has been sent",
        ));
    }
    let (Some(number), Some(direction), Some(time), Some(subject), Some(text), Some(note), true) = (
        number,
        direction,
        time,
        subject,
        text,
        note,
        errors.is_empty(),
    ) else {
        return Err(ServiceError::Invalid(errors));
    };
    let at = now();
    let txn = store.begin_write().await?;
    let resolution = resolve(&txn, number.as_str()).await?;
    let posted = match direction {
        Direction::In => {
            let (contact_type, contacter_id) = resolution.codes();
            let row = repo::insert_sms(
                &txn,
                repo::NewSms {
                    phone_number: number.as_str().to_owned(),
                    direction: Direction::In.code(),
                    time: time.map(to_db).unwrap_or(at),
                    subject,
                    sms_text: text,
                    contact_type,
                    contacter_id,
                    note,
                },
            )
            .await?;
            let sms = Sms::from_row(row)?;
            record(
                audit,
                &txn,
                actor,
                "create",
                ("sms", sms.sms_id),
                changes(None, Some(&sms), &["sms_id"]),
            )
            .await?;
            SmsPosted::Logged(Recorded {
                item: sms,
                other_candidates: resolution.other_candidates,
            })
        }
        Direction::Out => {
            let row = repo::insert_outbox(
                &txn,
                repo::NewOutbox {
                    phone_number: number.as_str().to_owned(),
                    subject,
                    sms_text: text,
                    idempotency_key: format!("manual-{:032x}", rand::random::<u128>()),
                    appointment_id: None,
                    reminder_for_start_at: None,
                    next_attempt_at: time.map(to_db).unwrap_or(at),
                    now: at,
                },
            )
            .await?;
            let outbox = Outbox::from_row(row)?;
            record(
                audit,
                &txn,
                actor,
                "create",
                ("sms_outbox", outbox.sms_outbox_id),
                changes(
                    None,
                    Some(&outbox),
                    &["sms_outbox_id", "created_at", "updated_at"],
                ),
            )
            .await?;
            SmsPosted::Queued { outbox, resolution }
        }
    };
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(posted)
}

/// Sets or clears an SMS's note (Some(None) or blank clears it).
pub async fn update_sms(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    sms_id: i64,
    asked_note: Option<Option<String>>,
) -> Result<Sms, ServiceError> {
    let mut errors = Vec::new();
    let note = match &asked_note {
        None => Some(None),
        Some(value) => fields::note(&mut errors, "note", value.as_deref()).map(Some),
    };
    let (Some(note), true) = (note, errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    let txn = store.begin_write().await?;
    let before = repo::lock_sms(&txn, sms_id)
        .await?
        .ok_or(ServiceError::NotFound("sms"))?;
    let current = Sms::from_row(before.clone())?;
    let Some(note) = note.filter(|n| *n != current.note) else {
        txn.commit().await.map_err(ServiceError::from)?;
        return Ok(current);
    };
    let saved = Sms::from_row(repo::save_sms_note(&txn, before, note).await?)?;
    record(
        audit,
        &txn,
        actor,
        "update",
        ("sms", sms_id),
        changes(Some(&current), Some(&saved), &[]),
    )
    .await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(saved)
}

/// An SMS by id.
pub async fn get_sms(store: &Store, sms_id: i64) -> Result<Sms, ServiceError> {
    let row = repo::find_sms(store.connection(), sms_id)
        .await?
        .ok_or(ServiceError::NotFound("sms"))?;
    Sms::from_row(row)
}

// --- lists -----------------------------------------------------------------------------------

/// Where the next page of a call or SMS list starts (opaque to clients).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommsCursor {
    pub at: Timestamp,
    pub id: i64,
}

impl CommsCursor {
    /// The cursor as a client carries it (`services::cursor`).
    pub fn encode(&self) -> String {
        super::cursor::encode(self.at, self.id)
    }

    /// A cursor from [`CommsCursor::encode`]; None for anything else.
    pub fn decode(cursor: &str) -> Option<CommsCursor> {
        let (at, id) = super::cursor::decode(cursor)?;
        Some(CommsCursor { at, id })
    }
}

/// What a call or SMS list asks for (bounds already parsed).
#[derive(Debug, Clone, Default)]
pub struct CommsQuery {
    /// Any writing of a number (422 `phone` on `phone` when it is not one).
    pub phone: Option<String>,
    /// The contact type, and with it, optionally, the patient or employee.
    pub contact: Option<(ContactType, Option<i64>)>,
    pub direction: Option<Direction>,
    /// At or after this instant.
    pub from: Option<Timestamp>,
    /// Before this instant.
    pub to: Option<Timestamp>,
}

/// One page of a list.
#[derive(Debug, Clone)]
pub struct CommsPage<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<CommsCursor>,
}

fn filter_of(query: &CommsQuery) -> Result<CommsFilter, ServiceError> {
    let phone_number = match query.phone.as_deref() {
        None => None,
        Some(v) => Some(
            Phone::parse(v)
                .map_err(|e| ServiceError::invalid_coded(FieldError::coded("phone", "phone", e)))?
                .as_str()
                .to_owned(),
        ),
    };
    Ok(CommsFilter {
        phone_number,
        contact: query.contact.map(|(t, id)| (t.code(), id)),
        direction: query.direction.map(Direction::code),
        from: query.from.map(to_db),
        to: query.to.map(to_db),
    })
}

fn page_of<T>(mut items: Vec<T>, limit: u64, key: impl Fn(&T) -> CommsCursor) -> CommsPage<T> {
    let more = items.len() as u64 > limit;
    items.truncate(limit as usize);
    let next_cursor = if more { items.last().map(key) } else { None };
    CommsPage { items, next_cursor }
}

/// Calls matching `query`, newest first, after `cursor`.
pub async fn list_calls(
    store: &Store,
    query: &CommsQuery,
    cursor: Option<CommsCursor>,
    limit: u64,
) -> Result<CommsPage<Call>, ServiceError> {
    let filter = filter_of(query)?;
    let after = cursor.map(|c| (to_db(c.at), c.id));
    let rows = repo::list_calls(store.connection(), &filter, after, limit + 1).await?;
    let items = rows
        .into_iter()
        .map(Call::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(page_of(items, limit, |c| CommsCursor {
        at: c.begin_call,
        id: c.call_id,
    }))
}

/// SMS matching `query`, newest first, after `cursor`.
pub async fn list_sms(
    store: &Store,
    query: &CommsQuery,
    cursor: Option<CommsCursor>,
    limit: u64,
) -> Result<CommsPage<Sms>, ServiceError> {
    let filter = filter_of(query)?;
    let after = cursor.map(|c| (to_db(c.at), c.id));
    let rows = repo::list_sms(store.connection(), &filter, after, limit + 1).await?;
    let items = rows
        .into_iter()
        .map(Sms::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(page_of(items, limit, |s| CommsCursor {
        at: s.time,
        id: s.sms_id,
    }))
}

/// The outbox, newest first, optionally in one state; `after_id` is the last id of the
/// previous page. Returns the page and whether more follow.
pub async fn list_outbox(
    store: &Store,
    state: Option<SmsState>,
    after_id: Option<i64>,
    limit: u64,
) -> Result<(Vec<Outbox>, bool), ServiceError> {
    let mut rows = repo::list_outbox(store.connection(), state, after_id, limit + 1).await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let items = rows
        .into_iter()
        .map(Outbox::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok((items, more))
}

/// The latest `limit` calls of a patient or an employee (the patient's and the employee's
/// pages), newest first.
pub async fn calls_of(
    store: &Store,
    contact_type: ContactType,
    contacter_id: i64,
    limit: u64,
) -> Result<Vec<Call>, ServiceError> {
    let query = CommsQuery {
        contact: Some((contact_type, Some(contacter_id))),
        ..CommsQuery::default()
    };
    Ok(list_calls(store, &query, None, limit).await?.items)
}

/// The latest `limit` SMS of a patient or an employee, newest first.
pub async fn sms_of(
    store: &Store,
    contact_type: ContactType,
    contacter_id: i64,
    limit: u64,
) -> Result<Vec<Sms>, ServiceError> {
    let query = CommsQuery {
        contact: Some((contact_type, Some(contacter_id))),
        ..CommsQuery::default()
    };
    Ok(list_sms(store, &query, None, limit).await?.items)
}

// --- who is calling --------------------------------------------------------------------------

/// A person holding a looked-up number, with their name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct NamedCandidate {
    pub contact_type: ContactType,
    pub contacter_id: i64,
    /// `last_name first_name`.
    pub name: String,
    /// Their number that matched (the whole number, when a part was typed).
    pub phone_number: String,
}

/// Who a number (or the start of one) belongs to, with names: the best match and the rest,
/// in the order of [`resolve`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Lookup {
    pub contact_type: ContactType,
    pub contacter_id: i64,
    /// `last_name first_name`.
    pub name: String,
    pub phone_number: String,
    pub other_candidates: Vec<NamedCandidate>,
}

/// What the desk typed: a whole number (any usual writing) or the first 4 to 7 digits of a
/// Mongolian one (after an optional `+976`). 422 `phone` on `phone` otherwise.
fn lookup_match(typed: &str) -> Result<NumberMatch, ServiceError> {
    if let Ok(phone) = Phone::parse(typed) {
        return Ok(NumberMatch::Exact(phone.as_str().to_owned()));
    }
    let compact: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    let national = compact
        .strip_prefix("+976")
        .or_else(|| compact.strip_prefix("00976"))
        .unwrap_or(&compact);
    dcms_domain::phone::digits_prefix(national)
        .map(NumberMatch::Prefix)
        .ok_or_else(|| {
            ServiceError::invalid_coded(FieldError::coded(
                "phone",
                "phone-lookup",
                "type a whole phone number or its first 4 to 7 digits",
            ))
        })
}

/// Who holds the number typed (whole, or its first digits), with names, for the call log's
/// "who is calling"; None when nobody does. At most [`LOOKUP_MAX`] people; four statements
/// whatever their number.
pub async fn lookup(store: &Store, typed: &str) -> Result<Option<Lookup>, ServiceError> {
    let number = lookup_match(typed)?;
    let db = store.connection();
    let mut ranked = rank(repo::holders(db, &number, HOLDERS_MAX).await?);
    ranked.truncate(LOOKUP_MAX);
    let ids = |kind: ContactType| -> Vec<i64> {
        ranked
            .iter()
            .filter(|(c, _)| c.contact_type == kind)
            .map(|(c, _)| c.contacter_id)
            .collect()
    };
    let mut names: HashMap<(ContactType, i64), String> = HashMap::new();
    for p in dcms_store::patients::find_many(db, &ids(ContactType::Patient)).await? {
        names.insert(
            (ContactType::Patient, p.patient_id),
            format!("{} {}", p.last_name, p.first_name),
        );
    }
    for e in dcms_store::staff::find_many(db, &ids(ContactType::Employee)).await? {
        names.insert(
            (ContactType::Employee, e.employee_id),
            format!("{} {}", e.last_name, e.first_name),
        );
    }
    let mut named = ranked.into_iter().map(|(c, phone_number)| NamedCandidate {
        name: names
            .get(&(c.contact_type, c.contacter_id))
            .cloned()
            .unwrap_or_default(),
        contact_type: c.contact_type,
        contacter_id: c.contacter_id,
        phone_number,
    });
    let Some(first) = named.next() else {
        return Ok(None);
    };
    Ok(Some(Lookup {
        contact_type: first.contact_type,
        contacter_id: first.contacter_id,
        name: first.name,
        phone_number: first.phone_number,
        other_candidates: named.collect(),
    }))
}

/// Who the number typed belongs to and their display name (`last_name first_name`), for the
/// call-log page as the desk types; None when nobody holds it.
pub async fn who_is(
    store: &Store,
    typed: &str,
) -> Result<Option<(Resolution, String)>, ServiceError> {
    Ok(lookup(store, typed).await?.map(|found| {
        (
            Resolution {
                contact_type: found.contact_type,
                contacter_id: Some(found.contacter_id),
                other_candidates: found
                    .other_candidates
                    .iter()
                    .map(|c| Candidate {
                        contact_type: c.contact_type,
                        contacter_id: c.contacter_id,
                    })
                    .collect(),
            },
            found.name,
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(kind: HolderKind, id: i64, is_primary: bool) -> PhoneHolder {
        PhoneHolder {
            kind,
            id,
            is_primary,
            phone_number: "99112233".into(),
        }
    }

    #[test]
    fn primary_holders_first_then_patients_before_employees_then_ids() {
        use HolderKind::{Employee, Patient};
        let ranked = rank(vec![
            holder(Employee, 1, false),
            holder(Patient, 9, false),
            holder(Employee, 3, true),
            holder(Patient, 7, true),
            holder(Patient, 2, false),
            holder(Patient, 4, true),
        ]);
        let order: Vec<_> = ranked
            .iter()
            .map(|(c, _)| (c.contact_type, c.contacter_id))
            .collect();
        assert_eq!(
            order,
            [
                (ContactType::Patient, 4),
                (ContactType::Patient, 7),
                (ContactType::Employee, 3),
                (ContactType::Patient, 2),
                (ContactType::Patient, 9),
                (ContactType::Employee, 1),
            ]
        );
        let r = Resolution::of_ranked(ranked.into_iter().map(|(c, _)| c).collect());
        assert_eq!(r.codes(), (1, Some(4)));
        assert_eq!(r.other_candidates.len(), 5);
        assert_eq!(Resolution::of_ranked(Vec::new()), Resolution::NEW);
    }

    #[test]
    fn a_lookup_takes_a_whole_number_or_its_first_digits() {
        assert_eq!(
            lookup_match("+976 9911-2233").ok(),
            Some(NumberMatch::Exact("99112233".into()))
        );
        assert_eq!(
            lookup_match("9911 2").ok(),
            Some(NumberMatch::Prefix("99112".into()))
        );
        assert_eq!(
            lookup_match("+976 9911").ok(),
            Some(NumberMatch::Prefix("9911".into()))
        );
        assert!(lookup_match("991").is_err());
        assert!(lookup_match("abc").is_err());
    }
}
