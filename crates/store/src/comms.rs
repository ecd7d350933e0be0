//! Repository of the clinic's communications: phone calls (`call`), SMS sent and received
//! (`sms`), the queue of SMS waiting to be sent (`sms_outbox`), and who holds a phone number
//! (the patients' and employees' phone tables), for resolving a caller.
//!
//! `call` is a reserved word in MySQL and MariaDB: every statement here is built from the
//! sea-orm entities, which quote identifiers, never from raw SQL.
//!
//! Lists are newest first and keyset-paginated; each filter a list takes runs on an index:
//! a number on `(phone_number, begin_call)` / `(phone_number, time)`, a contact on
//! `(contact_type, contacter_id, begin_call)` / `(contact_type, contacter_id, time)`,
//! otherwise `(begin_call)` / `(time)`.

use crate::StoreError;
use crate::entity::{call, employee_phone, patient_phone, sms, sms_outbox};
use crate::time::DbTimestamp;
use dcms_domain::SmsState;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

// --- SMS -------------------------------------------------------------------------------------

/// An SMS to record (values already validated; the number normalised, the contact resolved).
/// Written when a message was received, logged by hand, or — by the outbox worker — when a
/// queued message has been sent.
#[derive(Debug, Clone)]
pub struct NewSms {
    /// The normalised number (`dcms_domain::Phone::as_str`).
    pub phone_number: String,
    /// The direction code (`dcms_domain::Direction::code`).
    pub direction: i16,
    pub time: DbTimestamp,
    pub subject: Option<String>,
    pub sms_text: String,
    /// The contact type code (`dcms_domain::ContactType::code`): 0 new, 1 patient, 2 employee.
    pub contact_type: i16,
    /// The patient or employee id; None exactly when the contact type is new (a CHECK).
    pub contacter_id: Option<i64>,
    pub note: Option<String>,
}

/// Records an SMS, inside the caller's transaction when `db` is one.
pub async fn insert_sms(db: &impl ConnectionTrait, new: NewSms) -> Result<sms::Model, StoreError> {
    Ok(sms::ActiveModel {
        phone_number: Set(new.phone_number),
        direction: Set(new.direction),
        time: Set(new.time),
        subject: Set(new.subject),
        sms_text: Set(new.sms_text),
        contact_type: Set(new.contact_type),
        contacter_id: Set(new.contacter_id),
        note: Set(new.note),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// An SMS by id.
pub async fn find_sms(
    db: &impl ConnectionTrait,
    sms_id: i64,
) -> Result<Option<sms::Model>, StoreError> {
    Ok(sms::Entity::find_by_id(sms_id).one(db).await?)
}

/// An SMS by id, its row locked until the end of the transaction (`FOR UPDATE`).
pub async fn lock_sms(
    db: &impl ConnectionTrait,
    sms_id: i64,
) -> Result<Option<sms::Model>, StoreError> {
    Ok(sms::Entity::find_by_id(sms_id)
        .lock_exclusive()
        .one(db)
        .await?)
}

/// Writes an SMS's note (the only thing that changes after it was recorded).
pub async fn save_sms_note(
    db: &impl ConnectionTrait,
    row: sms::Model,
    note: Option<String>,
) -> Result<sms::Model, StoreError> {
    let mut active: sms::ActiveModel = row.into();
    active.note = Set(note);
    Ok(active.update(db).await?)
}

// --- the outbox ------------------------------------------------------------------------------

/// An SMS to queue for sending (values already validated). It starts `queued` with no
/// attempt; the outbox worker sends it and records the `sms` row when it has been sent.
#[derive(Debug, Clone)]
pub struct NewOutbox {
    /// The normalised number.
    pub phone_number: String,
    pub subject: Option<String>,
    pub sms_text: String,
    /// Unique (at most 64 characters): the same key twice is a conflict, so a retried
    /// request or a reminder run twice never sends twice.
    pub idempotency_key: String,
    /// The appointment a reminder is for.
    pub appointment_id: Option<i64>,
    /// The start time the reminder is for.
    pub reminder_for_start_at: Option<DbTimestamp>,
    /// Not sent before this.
    pub next_attempt_at: DbTimestamp,
    pub now: DbTimestamp,
}

/// Queues an SMS (state queued, 0 attempts). A taken idempotency key (or reminder) is
/// [`StoreError::Conflict`].
pub async fn insert_outbox(
    db: &impl ConnectionTrait,
    new: NewOutbox,
) -> Result<sms_outbox::Model, StoreError> {
    Ok(sms_outbox::ActiveModel {
        phone_number: Set(new.phone_number),
        subject: Set(new.subject),
        sms_text: Set(new.sms_text),
        state: Set(SmsState::Queued.code()),
        attempts: Set(0),
        next_attempt_at: Set(new.next_attempt_at),
        last_error: Set(None),
        idempotency_key: Set(new.idempotency_key),
        appointment_id: Set(new.appointment_id),
        reminder_for_start_at: Set(new.reminder_for_start_at),
        sms_id: Set(None),
        created_at: Set(new.now),
        updated_at: Set(new.now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// The outbox, newest first (by id, the order they were queued in), after `after_id`,
/// optionally only those in `state`.
pub async fn list_outbox(
    db: &impl ConnectionTrait,
    state: Option<SmsState>,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Vec<sms_outbox::Model>, StoreError> {
    use sms_outbox::Column;
    let mut query = sms_outbox::Entity::find();
    if let Some(state) = state {
        query = query.filter(Column::State.eq(state.code()));
    }
    if let Some(id) = after_id {
        query = query.filter(Column::SmsOutboxId.lt(id));
    }
    Ok(query
        .order_by_desc(Column::SmsOutboxId)
        .limit(limit)
        .all(db)
        .await?)
}

// --- calls -----------------------------------------------------------------------------------

/// A call to record (values already validated; the number normalised, the contact resolved).
#[derive(Debug, Clone)]
pub struct NewCall {
    pub phone_number: String,
    pub direction: i16,
    pub begin_call: DbTimestamp,
    /// At or after `begin_call` (a CHECK).
    pub end_call: Option<DbTimestamp>,
    pub contact_type: i16,
    pub contacter_id: Option<i64>,
    pub note: Option<String>,
}

pub async fn insert_call(
    db: &impl ConnectionTrait,
    new: NewCall,
) -> Result<call::Model, StoreError> {
    Ok(call::ActiveModel {
        phone_number: Set(new.phone_number),
        direction: Set(new.direction),
        begin_call: Set(new.begin_call),
        end_call: Set(new.end_call),
        contact_type: Set(new.contact_type),
        contacter_id: Set(new.contacter_id),
        note: Set(new.note),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// A call by id.
pub async fn find_call(
    db: &impl ConnectionTrait,
    call_id: i64,
) -> Result<Option<call::Model>, StoreError> {
    Ok(call::Entity::find_by_id(call_id).one(db).await?)
}

/// A call by id, its row locked until the end of the transaction (`FOR UPDATE`).
pub async fn lock_call(
    db: &impl ConnectionTrait,
    call_id: i64,
) -> Result<Option<call::Model>, StoreError> {
    Ok(call::Entity::find_by_id(call_id)
        .lock_exclusive()
        .one(db)
        .await?)
}

/// Writes what may change of a call after it was recorded: its end and its note.
pub async fn save_call(
    db: &impl ConnectionTrait,
    changed: call::Model,
) -> Result<call::Model, StoreError> {
    let mut active: call::ActiveModel = changed.clone().into();
    active.end_call = Set(changed.end_call);
    active.note = Set(changed.note);
    Ok(active.update(db).await?)
}

// --- lists -----------------------------------------------------------------------------------

/// Which calls or SMS a list returns.
#[derive(Debug, Clone, Default)]
pub struct CommsFilter {
    /// Exactly this normalised number.
    pub phone_number: Option<String>,
    /// This contact type code, and with it, optionally, this patient or employee.
    pub contact: Option<(i16, Option<i64>)>,
    /// This direction code.
    pub direction: Option<i16>,
    /// At or after this instant.
    pub from: Option<DbTimestamp>,
    /// Before this instant.
    pub to: Option<DbTimestamp>,
}

/// The conditions of `filter` and the keyset `after` on a list whose time column is `at`
/// and id column `id`, newest first.
fn list_condition<C: ColumnTrait>(
    filter: &CommsFilter,
    after: Option<(DbTimestamp, i64)>,
    (phone, contact_type, contacter_id, direction, at, id): (C, C, C, C, C, C),
) -> Condition {
    let mut cond = Condition::all();
    if let Some(number) = &filter.phone_number {
        cond = cond.add(phone.eq(number.as_str()));
    }
    if let Some((kind, who)) = filter.contact {
        cond = cond.add(contact_type.eq(kind));
        cond = match who {
            Some(who) => cond.add(contacter_id.eq(who)),
            // A new number has no contacter (a CHECK): say so, so that the index
            // (contact_type, contacter_id, time) is read in order.
            None if kind == 0 => cond.add(contacter_id.is_null()),
            None => cond,
        };
    }
    if let Some(code) = filter.direction {
        cond = cond.add(direction.eq(code));
    }
    if let Some(from) = filter.from {
        cond = cond.add(at.gte(from));
    }
    if let Some(to) = filter.to {
        cond = cond.add(at.lt(to));
    }
    if let Some((t, last)) = after {
        // `(at, id) < (t, last)` written out, with `at <= t` repeated so the index range
        // starts there.
        cond = cond.add(at.lte(t)).add(
            Condition::any()
                .add(at.lt(t))
                .add(Condition::all().add(at.eq(t)).add(id.lt(last))),
        );
    }
    cond
}

/// Calls matching `filter`, newest first (`(begin_call, call_id)` descending), after `after`.
pub async fn list_calls(
    db: &impl ConnectionTrait,
    filter: &CommsFilter,
    after: Option<(DbTimestamp, i64)>,
    limit: u64,
) -> Result<Vec<call::Model>, StoreError> {
    use call::Column;
    let cond = list_condition(
        filter,
        after,
        (
            Column::PhoneNumber,
            Column::ContactType,
            Column::ContacterId,
            Column::Direction,
            Column::BeginCall,
            Column::CallId,
        ),
    );
    Ok(call::Entity::find()
        .filter(cond)
        .order_by_desc(Column::BeginCall)
        .order_by_desc(Column::CallId)
        .limit(limit)
        .all(db)
        .await?)
}

/// SMS matching `filter`, newest first (`(time, sms_id)` descending), after `after`.
pub async fn list_sms(
    db: &impl ConnectionTrait,
    filter: &CommsFilter,
    after: Option<(DbTimestamp, i64)>,
    limit: u64,
) -> Result<Vec<sms::Model>, StoreError> {
    use sms::Column;
    let cond = list_condition(
        filter,
        after,
        (
            Column::PhoneNumber,
            Column::ContactType,
            Column::ContacterId,
            Column::Direction,
            Column::Time,
            Column::SmsId,
        ),
    );
    Ok(sms::Entity::find()
        .filter(cond)
        .order_by_desc(Column::Time)
        .order_by_desc(Column::SmsId)
        .limit(limit)
        .all(db)
        .await?)
}

// --- who holds a number ----------------------------------------------------------------------

/// Whose phone table a holder was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HolderKind {
    Patient,
    Employee,
}

/// A person who has a matching number among their phones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneHolder {
    pub kind: HolderKind,
    /// The patient or employee id.
    pub id: i64,
    /// Whether the matching number is that person's primary phone.
    pub is_primary: bool,
    /// The matching number, as stored.
    pub phone_number: String,
}

/// Which numbers [`holders`] looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberMatch {
    /// Exactly this normalised number.
    Exact(String),
    /// Numbers starting with these digits (a number being typed).
    Prefix(String),
}

/// The string just above every string starting with `digits` (a string of ASCII digits):
/// the last digit below 9 raised by one, the 9s after it dropped (`9911` -> `9912`, `9919`
/// -> `992`); None when every digit is 9. A range `[digits, above)` holds exactly the digit
/// strings starting with `digits`, in any collation that orders digits as digits, which
/// keeps a prefix search a range on the `phone_number_val` index on every backend (the
/// employees' numbers do not have PostgreSQL's byte collation the patients' have).
fn digits_above(digits: &str) -> Option<String> {
    let bytes = digits.as_bytes();
    let last = bytes
        .iter()
        .rposition(|&b| b.is_ascii_digit() && b != b'9')?;
    let mut above = digits[..last].to_owned();
    above.push(char::from(bytes[last] + 1));
    Some(above)
}

fn number_condition(col: impl ColumnTrait, number: &NumberMatch) -> Condition {
    match number {
        NumberMatch::Exact(n) => Condition::all().add(col.eq(n.as_str())),
        NumberMatch::Prefix(digits) => {
            let mut cond = Condition::all().add(col.gte(digits.as_str()));
            if let Some(above) = digits_above(digits) {
                cond = cond.add(col.lt(above));
            }
            cond
        }
    }
}

/// Everyone holding a matching number: two statements (the patients' phones, the
/// employees' phones), each a range on its `phone_number_val` index, at most `limit` rows
/// from each. Unordered; the services rank them.
pub async fn holders(
    db: &impl ConnectionTrait,
    number: &NumberMatch,
    limit: u64,
) -> Result<Vec<PhoneHolder>, StoreError> {
    let patients = patient_phone::Entity::find()
        .filter(number_condition(
            patient_phone::Column::PhoneNumberVal,
            number,
        ))
        .order_by_asc(patient_phone::Column::PhoneNumberVal)
        .limit(limit)
        .all(db)
        .await?;
    let employees = employee_phone::Entity::find()
        .filter(number_condition(
            employee_phone::Column::PhoneNumberVal,
            number,
        ))
        .order_by_asc(employee_phone::Column::PhoneNumberVal)
        .limit(limit)
        .all(db)
        .await?;
    Ok(patients
        .into_iter()
        .map(|p| PhoneHolder {
            kind: HolderKind::Patient,
            id: p.patient_id,
            is_primary: p.is_primary,
            phone_number: p.phone_number_val,
        })
        .chain(employees.into_iter().map(|e| PhoneHolder {
            kind: HolderKind::Employee,
            id: e.employee_id,
            is_primary: e.is_primary,
            phone_number: e.phone_number_val,
        }))
        .collect())
}

/// The latest call or SMS with each of the contacts `ids` of `contact_type`,
/// `(contacter_id, when)`: two grouped queries.
pub async fn last_contacts(
    db: &impl ConnectionTrait,
    contact_type: i16,
    ids: &[i64],
) -> Result<Vec<(i64, DbTimestamp)>, StoreError> {
    use sea_orm::QuerySelect;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let calls: Vec<(Option<i64>, Option<DbTimestamp>)> = call::Entity::find()
        .select_only()
        .column(call::Column::ContacterId)
        .column_as(call::Column::BeginCall.max(), "at")
        .filter(call::Column::ContactType.eq(contact_type))
        .filter(call::Column::ContacterId.is_in(ids.iter().copied()))
        .group_by(call::Column::ContacterId)
        .into_tuple()
        .all(db)
        .await?;
    let messages: Vec<(Option<i64>, Option<DbTimestamp>)> = sms::Entity::find()
        .select_only()
        .column(sms::Column::ContacterId)
        .column_as(sms::Column::Time.max(), "at")
        .filter(sms::Column::ContactType.eq(contact_type))
        .filter(sms::Column::ContacterId.is_in(ids.iter().copied()))
        .group_by(sms::Column::ContacterId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(calls
        .into_iter()
        .chain(messages)
        .filter_map(|(id, at)| id.zip(at))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::digits_above;

    #[test]
    fn the_string_above_a_digit_prefix() {
        assert_eq!(digits_above("9911").as_deref(), Some("9912"));
        assert_eq!(digits_above("9919").as_deref(), Some("992"));
        assert_eq!(digits_above("8899").as_deref(), Some("89"));
        assert_eq!(digits_above("0").as_deref(), Some("1"));
        assert_eq!(digits_above("9999"), None);
    }
}
