//! Lists of calls, SMS and the outbox, filtered and paged newest first.

use super::{Call, Outbox, Sms};
use crate::services::{FieldError, ServiceError};
use dcms_domain::{ContactType, Direction, Phone, SmsState};
use dcms_store::Store;
use dcms_store::comms::{self as repo, CommsFilter};
use dcms_store::time::to_db;
use jiff::Timestamp;

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
        crate::services::cursor::encode(self.at, self.id)
    }

    /// A cursor from [`CommsCursor::encode`]; None for anything else.
    pub fn decode(cursor: &str) -> Option<CommsCursor> {
        let (at, id) = crate::services::cursor::decode(cursor)?;
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
