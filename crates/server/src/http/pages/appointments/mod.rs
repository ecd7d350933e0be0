//! `/appointments`: the appointment book.
//!
//! * The day (`/appointments?date=`): one column per doctor, one row per 15 minutes of the
//!   clinic's opening hours that day (widened to show every appointment of the day), each
//!   appointment a block spanning its rows, coloured by status, with its status moves as
//!   one-click buttons. An empty cell is a link to book that doctor at that time. Canceled
//!   and no-show appointments free their time, so they are listed under the grid, as are
//!   appointments that share a row with another (a 10:20 start after a 10:00-10:20 one).
//! * The week of one doctor (`/appointments/week?doctor_id=&date=`): the same grid with a
//!   column per day, Monday to Sunday.
//! * Booking (`/appointments/new`): the patient found by the same search as the patients
//!   page (as it is typed, with htmx; a plain form without a script), the doctor, the day,
//!   the time, an optional end and planned service. An overlap shows the appointment in the
//!   way.
//! * An appointment's page (`/appointments/{id}`): its details, its status moves (with an
//!   optional reason, for the audit trail) and the form that moves it. The book's drag and
//!   drop (`static/book.js`) posts the same form, so there is one path for a move.
//!
//! Times on these pages are the clinic's local time; they become instants in the clinic's
//! time zone here, before the service sees them.

mod appointment;
mod book;
mod booking;
mod grid;
mod panel;

pub use appointment::{set_status, show, update};
pub use book::{choose_doctors, day, week};
pub use booking::{create, new_form, patient_choices};
pub use panel::panel;

use crate::http::pages::common::Choice;
use crate::http::pages::common::appointment_block::Block;
use crate::http::pages::common::local_instant;
use crate::http::pages::{Layout, OrPage};
use crate::http::state::AppState;
use crate::services::appointments::{self, BookingError};
use crate::services::fields::Given;
use crate::services::{FieldError, ServiceError, staff};
use axum::response::Response;
use dcms_domain::parse_hhmm;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::services::appointments::DOCTORS_MAX;

pub(crate) fn doctor_choices(doctors: &[staff::Employee]) -> Vec<Choice> {
    doctors
        .iter()
        .map(|d| Choice {
            value: d.employee_id.to_string(),
            label: format!("{} {}", d.last_name, d.first_name),
        })
        .collect()
}

/// A book's query parameters without the highlight of the last change (`changed=`).
fn without_change(query: &str) -> Vec<&str> {
    query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("changed="))
        .collect()
}

/// Where a page goes after `appointment_id` was booked, moved or changed: `back` (a path of
/// ours, else the appointment's day in the book); back in the book, with the change to
/// highlight and no fragment, so the book keeps its place instead of jumping to the block.
fn back_to_book(back: Option<&str>, date: Date, appointment_id: i64) -> String {
    let back = back
        .map(|b| crate::http::pages::safe_next(Some(b)))
        .unwrap_or_else(|| format!("/appointments?date={date}"));
    let without_fragment = back.split('#').next().unwrap_or_default();
    let (path, query) = without_fragment
        .split_once('?')
        .unwrap_or((without_fragment, ""));
    if !matches!(path, "/appointments" | "/appointments/week") {
        return back;
    }
    let mut params = without_change(query);
    let changed = format!("changed={appointment_id}");
    params.push(&changed);
    format!("{path}?{}", params.join("&"))
}

/// The appointment in the way of a booking or a move.
pub struct ConflictView {
    block: Block,
}

/// The fields the booking and move forms show their errors beside.
const FORM_FIELDS: &[&str] = &[
    "patient_id",
    "doctor_id",
    "date",
    "start_at",
    "end_at",
    "planned_service_id",
    "note",
    "chair_id",
];

/// An id typed in a form: None for blank, an error for anything but a number.
fn form_id(errors: &mut Vec<FieldError>, field: &str, value: &str) -> Option<i64> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match value.parse::<i64>() {
        Ok(id) => Some(id),
        Err(_) => {
            errors.push(FieldError::coded(
                field,
                "choose",
                "choose one of the options",
            ));
            None
        }
    }
}

/// A local date and time of the form as the instant the service takes; a refusal names
/// `date`, or `field` (`start_at` or `end_at`) for the time.
fn form_instant(tz: &TimeZone, field: &str, date: &str, time: &str) -> Given<Timestamp> {
    let Ok(date) = date.trim().parse::<Date>() else {
        return Given::Invalid(FieldError::coded(
            "date",
            "date",
            "write a date as YYYY-MM-DD",
        ));
    };
    match parse_hhmm(time.trim()).and_then(|t| local_instant(tz, date, t)) {
        Some(instant) => crate::services::fields::stored_instant(field, instant).into(),
        None => Given::Invalid(FieldError::coded(field, "time", "write a time as HH:MM")),
    }
}

/// A field the form gave, trimmed; None when left out or blank.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// A booking's or a move's result: the appointment in the way of an overlap, or what the use
/// case said otherwise (answered as any form's).
enum Outcome<T> {
    Said(Result<T, ServiceError>),
    /// The appointment in the way (None: it could not be read back).
    InTheWay(Option<Box<ConflictView>>),
}

impl<T> Outcome<T> {
    async fn of(
        state: &AppState,
        layout: &Layout,
        result: Result<T, BookingError>,
    ) -> Result<Outcome<T>, Response> {
        match result {
            Ok(value) => Ok(Outcome::Said(Ok(value))),
            Err(BookingError::Service(err)) => Ok(Outcome::Said(Err(err))),
            Err(BookingError::OutsideWorkingHours(detail)) => {
                Ok(Outcome::Said(Err(ServiceError::invalid_coded(
                    crate::services::FieldError::coded("start_at", "outside-working-hours", detail),
                ))))
            }
            Err(
                BookingError::Overlap {
                    conflicting_appointment_id,
                    ..
                }
                | BookingError::ChairTaken {
                    conflicting_appointment_id,
                    ..
                },
            ) => {
                let other = appointments::get(&state.store, conflicting_appointment_id)
                    .await
                    .or_page(layout)?;
                let entries = appointments::with_names(&state.store, vec![other])
                    .await
                    .or_page(layout)?;
                Ok(Outcome::InTheWay(entries.first().map(|e| {
                    Box::new(ConflictView {
                        block: Block::of(layout, e, true),
                    })
                })))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::back_to_book;
    use jiff::civil::date;

    #[test]
    fn back_to_the_book_highlights_the_change_without_a_fragment() {
        let day = date(2026, 12, 7);
        assert_eq!(
            back_to_book(None, day, 5),
            "/appointments?date=2026-12-07&changed=5"
        );
        assert_eq!(
            back_to_book(
                Some("/appointments?date=2026-12-08&changed=3#appointment-3"),
                day,
                5
            ),
            "/appointments?date=2026-12-08&changed=5"
        );
        assert_eq!(
            back_to_book(Some("/appointments/week?doctor_id=2"), day, 5),
            "/appointments/week?doctor_id=2&changed=5"
        );
        assert_eq!(back_to_book(Some("/patients/9#x"), day, 5), "/patients/9#x");
        assert_eq!(back_to_book(Some("https://evil.example/"), day, 5), "/");
    }
}
