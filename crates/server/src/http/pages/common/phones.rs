//! Phones on the pages: the numbered rows of the registration and hiring forms
//! (`_phone_fields.html`), and a phone as a patient's or an employee's page lists it.

use super::shown_number;
use crate::http::pages::FieldMessages;
use crate::services::FieldError;
use serde::Deserialize;

/// Phone rows on the registration and hiring forms (blank ones are ignored).
pub const PHONE_ROWS: usize = 4;

/// The phone rows of a registration or hiring form, as posted (blank ones are ignored).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PhoneFields {
    phone_number_1: String,
    phone_label_1: String,
    phone_number_2: String,
    phone_label_2: String,
    phone_number_3: String,
    phone_label_3: String,
    phone_number_4: String,
    phone_label_4: String,
    /// The primary row's number.
    primary: String,
}

impl PhoneFields {
    /// Rows to fill in, the first primary.
    pub fn blank() -> PhoneFields {
        PhoneFields {
            primary: "1".into(),
            ..PhoneFields::default()
        }
    }

    pub fn typed(&self) -> TypedPhones<'_> {
        let rows = [
            (self.phone_number_1.as_str(), self.phone_label_1.as_str()),
            (&self.phone_number_2, &self.phone_label_2),
            (&self.phone_number_3, &self.phone_label_3),
            (&self.phone_number_4, &self.phone_label_4),
        ];
        TypedPhones::new(rows, &self.primary)
    }
}

/// The phone rows of a form as typed: (number, label) each, and the primary row (from 1).
pub struct TypedPhones<'a> {
    rows: [(&'a str, &'a str); PHONE_ROWS],
    primary: usize,
}

/// A row that has a number.
pub struct GivenPhone<'a> {
    /// The row, from 1.
    pub row: usize,
    pub number: &'a str,
    pub label: &'a str,
    pub is_primary: bool,
}

/// One phone row as `_phone_fields.html` shows it.
pub struct PhoneRow {
    pub index: usize,
    pub number: String,
    pub label: String,
    pub primary: bool,
    pub error: Option<String>,
}

impl<'a> TypedPhones<'a> {
    /// The rows, and the form's `primary` field (the primary row's number; else the first).
    pub fn new(rows: [(&'a str, &'a str); PHONE_ROWS], primary: &str) -> TypedPhones<'a> {
        TypedPhones {
            rows,
            primary: primary.parse().unwrap_or(1),
        }
    }

    /// The rows with a number, in order: the use case numbers them `phones[0]`, `phones[1]`...
    pub fn given(&self) -> Vec<GivenPhone<'a>> {
        (1..)
            .zip(self.rows)
            .filter(|(_, (number, _))| !number.trim().is_empty())
            .map(|(row, (number, label))| GivenPhone {
                row,
                number,
                label,
                is_primary: row == self.primary,
            })
            .collect()
    }

    /// Every row as the form shows it, with its message from `row_errors` (row, message).
    pub fn shown(&self, row_errors: &[(usize, String)]) -> Vec<PhoneRow> {
        (1..)
            .zip(self.rows)
            .map(|(index, (number, label))| PhoneRow {
                index,
                number: number.to_owned(),
                label: label.to_owned(),
                primary: index == self.primary,
                error: row_errors
                    .iter()
                    .find(|(row, _)| *row == index)
                    .map(|(_, m)| m.clone()),
            })
            .collect()
    }
}

/// A refused form's messages, each worded by `text`: those about a phone given
/// (`phones[1].number`, the second row with a number) go to its row, the others beside the
/// field `place` gives.
pub fn placed_messages(
    errors: &[FieldError],
    given: &[GivenPhone],
    text: impl Fn(&FieldError) -> String,
    place: impl Fn(&str) -> &str,
) -> (FieldMessages, Vec<(usize, String)>) {
    let mut messages = FieldMessages::default();
    let mut row_errors = Vec::new();
    for e in errors {
        let text = text(e);
        if let Some(rest) = e.field.strip_prefix("phones[")
            && let Some((i, _)) = rest.split_once(']')
            && let Ok(i) = i.parse::<usize>()
            && let Some(phone) = given.get(i)
        {
            row_errors.push((phone.row, text));
            continue;
        }
        messages.push(place(&e.field), text);
    }
    (messages, row_errors)
}

/// A phone as a patient's or an employee's page lists it.
pub struct PhoneView {
    pub phone_number_id: i64,
    pub number: String,
    pub label: Option<String>,
    pub is_primary: bool,
}

impl PhoneView {
    pub fn new(phone_number_id: i64, number: &str, label: &str, is_primary: bool) -> PhoneView {
        PhoneView {
            phone_number_id,
            number: shown_number(number),
            label: Some(label.to_owned()).filter(|l| !l.is_empty()),
            is_primary,
        }
    }
}
