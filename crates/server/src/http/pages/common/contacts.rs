//! Calls and SMS as the logs and a contact's page list them, each with its contact named
//! and linked.

use super::shown_number;
use crate::http::pages::{Layout, OrPage};
use crate::http::state::AppState;
use crate::services::comms::{self, Call, Sms};
use crate::services::{ServiceError, patients, staff};
use axum::response::Response;
use dcms_domain::{ContactType, Direction};
use std::collections::HashMap;

/// Calls and SMS the patient's page lists.
pub const LATEST: u64 = 10;

/// A patient's or an employee's latest calls and SMS (their page's section).
pub struct ContactHistory {
    pub call_list: Vec<CallRow>,
    pub sms_list: Vec<SmsRow>,
}

impl ContactHistory {
    pub fn is_empty(&self) -> bool {
        self.call_list.is_empty() && self.sms_list.is_empty()
    }
}

/// The latest [`LATEST`] calls and SMS of a contact.
pub async fn of_contact(
    state: &AppState,
    layout: &Layout,
    kind: ContactType,
    id: i64,
) -> Result<ContactHistory, Response> {
    let calls = comms::calls_of(&state.store, kind, id, LATEST)
        .await
        .or_page(layout)?;
    let messages = comms::sms_of(&state.store, kind, id, LATEST)
        .await
        .or_page(layout)?;
    Ok(ContactHistory {
        call_list: call_rows(state, layout, &calls).await?,
        sms_list: sms_rows(state, layout, &messages).await?,
    })
}

/// Who a row's number belongs to, named, with a link to their page.
pub struct ContactView {
    pub name: String,
    pub href: Option<String>,
}

/// The names of the contacts of calls and SMS: one query for the patients and one for the
/// employees.
pub async fn contact_names(
    state: &AppState,
    contacts: &[(ContactType, Option<i64>)],
) -> Result<HashMap<(ContactType, i64), String>, ServiceError> {
    let ids = |kind: ContactType| -> Vec<i64> {
        contacts
            .iter()
            .filter(|(k, _)| *k == kind)
            .filter_map(|(_, id)| *id)
            .collect()
    };
    let mut names = HashMap::new();
    for (id, name) in patients::names(&state.store, &ids(ContactType::Patient)).await? {
        names.insert((ContactType::Patient, id), name);
    }
    for (id, name) in staff::names(&state.store, &ids(ContactType::Employee)).await? {
        names.insert((ContactType::Employee, id), name);
    }
    Ok(names)
}

fn contact_view(
    layout: &Layout,
    names: &HashMap<(ContactType, i64), String>,
    kind: ContactType,
    id: Option<i64>,
) -> ContactView {
    match (kind, id) {
        (ContactType::Patient, Some(id)) => ContactView {
            name: names.get(&(kind, id)).cloned().unwrap_or_default(),
            href: Some(format!("/patients/{id}")),
        },
        (ContactType::Employee, Some(id)) => ContactView {
            name: names.get(&(kind, id)).cloned().unwrap_or_default(),
            href: Some(format!("/staff/{id}")),
        },
        _ => ContactView {
            name: layout.t("contact-new"),
            href: None,
        },
    }
}

/// A call as the logs show it.
pub struct CallRow {
    pub call_id: i64,
    pub begin: String,
    /// `12 min`, or empty while it is not ended.
    pub duration: String,
    pub incoming: bool,
    pub direction: String,
    pub number: String,
    pub contact: ContactView,
    pub note: Option<String>,
}

/// An SMS as the logs show it.
pub struct SmsRow {
    pub sms_id: i64,
    pub time: String,
    pub incoming: bool,
    pub direction: String,
    pub number: String,
    pub contact: ContactView,
    pub text: String,
}

pub fn direction_label(layout: &Layout, d: Direction) -> String {
    layout.t(&format!("direction-{}", d.as_str()))
}

/// Rows of calls with their contacts named.
pub async fn call_rows(
    state: &AppState,
    layout: &Layout,
    calls: &[Call],
) -> Result<Vec<CallRow>, Response> {
    let contacts: Vec<_> = calls
        .iter()
        .map(|c| (c.contact_type, c.contacter_id))
        .collect();
    let names = contact_names(state, &contacts).await.or_page(layout)?;
    Ok(calls
        .iter()
        .map(|c| CallRow {
            call_id: c.call_id,
            begin: layout.datetime(&c.begin_call),
            duration: c
                .end_call
                .map(|end| {
                    let minutes = (end.as_second() - c.begin_call.as_second()).max(0) / 60;
                    layout.t1("duration-minutes", "minutes", minutes)
                })
                .unwrap_or_default(),
            incoming: c.direction == Direction::In,
            direction: direction_label(layout, c.direction),
            number: shown_number(&c.phone_number),
            contact: contact_view(layout, &names, c.contact_type, c.contacter_id),
            note: c.note.clone(),
        })
        .collect())
}

/// Rows of SMS with their contacts named.
pub async fn sms_rows(
    state: &AppState,
    layout: &Layout,
    messages: &[Sms],
) -> Result<Vec<SmsRow>, Response> {
    let contacts: Vec<_> = messages
        .iter()
        .map(|s| (s.contact_type, s.contacter_id))
        .collect();
    let names = contact_names(state, &contacts).await.or_page(layout)?;
    Ok(messages
        .iter()
        .map(|s| SmsRow {
            sms_id: s.sms_id,
            time: layout.datetime(&s.time),
            incoming: s.direction == Direction::In,
            direction: direction_label(layout, s.direction),
            number: shown_number(&s.phone_number),
            contact: contact_view(layout, &names, s.contact_type, s.contacter_id),
            text: s.sms_text.clone(),
        })
        .collect())
}
