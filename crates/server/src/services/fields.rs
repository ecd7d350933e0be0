//! The rules fields share across the use cases, so every form and every API answer says the
//! same thing with the same codes: short texts (a position's name, a service's names, an
//! address: trimmed, one line, at most so many characters), notes (several lines), instants
//! and dates, choices from an enumeration, and a person's name, e-mail and gender (a patient's
//! and an employee's alike).

use super::FieldError;
use dcms_domain::{Email, Gender, PersonName, TextError};
use jiff::Timestamp;
use jiff::civil::Date;

/// A typed value a transport read from what a client sent (an instant from the API's RFC 3339
/// text, or from a page's local date and time; a date): absent, read, or refused with the
/// reason. Each transport parses its own representation once; the use case takes the value,
/// or reports the reason together with every other invalid field of the request.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Given<T> {
    /// Not sent.
    #[default]
    Absent,
    Value(T),
    /// Sent but not readable as a `T`.
    Invalid(FieldError),
}

impl<T> Given<T> {
    /// The value, if read; a refusal goes to `errors`.
    pub fn take(self, errors: &mut Vec<FieldError>) -> Option<T> {
        match self {
            Given::Value(v) => Some(v),
            Given::Absent => None,
            Given::Invalid(e) => {
                errors.push(e);
                None
            }
        }
    }

    /// The value, which must be given: `required` on `field` when absent.
    pub fn required(self, errors: &mut Vec<FieldError>, field: &str) -> Option<T> {
        if matches!(self, Given::Absent) {
            errors.push(required(field));
            return None;
        }
        self.take(errors)
    }

    /// The value when given (`Some(None)` when absent), None after a refusal.
    pub fn optional(self, errors: &mut Vec<FieldError>) -> Option<Option<T>> {
        match self {
            Given::Absent => Some(None),
            other => other.take(errors).map(Some),
        }
    }

    /// Whether anything was sent.
    pub fn is_given(&self) -> bool {
        !matches!(self, Given::Absent)
    }
}

impl<T> From<Result<T, FieldError>> for Given<T> {
    fn from(result: Result<T, FieldError>) -> Self {
        match result {
            Ok(v) => Given::Value(v),
            Err(e) => Given::Invalid(e),
        }
    }
}

impl Given<Timestamp> {
    /// An instant sent as RFC 3339 text (blank: absent); `timestamp` on `field` when it is
    /// not one.
    pub fn instant(field: &str, text: Option<&str>) -> Given<Timestamp> {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            None => Given::Absent,
            Some(t) => {
                let mut errors = Vec::new();
                match instant(&mut errors, field, t) {
                    Some(ts) => Given::Value(ts),
                    None => Given::Invalid(errors.remove(0)),
                }
            }
        }
    }
}

impl Given<Date> {
    /// A date sent as `YYYY-MM-DD` (blank: absent); `date` on `field` otherwise.
    pub fn date(field: &str, text: Option<&str>) -> Given<Date> {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            None => Given::Absent,
            Some(t) => match parse_date(t) {
                Ok(d) => Given::Value(d),
                Err(message) => Given::Invalid(FieldError::coded(field, "date", message)),
            },
        }
    }
}

/// The longest note (an appointment's, a treatment's, a call's), in characters.
pub const NOTE_MAX: usize = 2000;
/// Dates given by people (birthdays, hiring and firing, report ranges) lie in these years.
pub const YEARS: std::ops::RangeInclusive<i16> = 1900..=2100;

/// `required` on `field`.
pub fn required(field: &str) -> FieldError {
    FieldError::coded(field, "required", "is required")
}

/// A value that must be given: `required` on `field` when it is None.
pub fn present<T>(errors: &mut Vec<FieldError>, field: &str, value: Option<T>) -> Option<T> {
    if value.is_none() {
        errors.push(required(field));
    }
    value
}

/// `value` trimmed when it has 1 to `max` characters and no control character; otherwise the
/// reason is added to `errors` under `field`.
pub fn required_text(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &str,
    max: usize,
) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        errors.push(FieldError::coded(field, "required", "is required"));
        return None;
    }
    single_line(errors, field, value, max).then(|| value.to_owned())
}

/// Like [`required_text`], but blank is no value (`Some(None)`); None when invalid.
pub fn optional_text(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Option<Option<String>> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Some(None);
    };
    single_line(errors, field, value, max).then(|| Some(value.to_owned()))
}

/// Whether a non-empty trimmed value is at most `max` characters and has no control
/// character; the reason goes to `errors` when it is not.
fn single_line(errors: &mut Vec<FieldError>, field: &str, value: &str, max: usize) -> bool {
    if value.chars().count() > max {
        errors.push(
            FieldError::coded(
                field,
                "too-long",
                format!("must be at most {max} characters"),
            )
            .arg("max", max),
        );
        return false;
    }
    if value.chars().any(char::is_control) {
        errors.push(control_characters(field));
        return false;
    }
    true
}

fn control_characters(field: &str) -> FieldError {
    FieldError::coded(
        field,
        "control-characters",
        "must not contain control characters",
    )
}

fn too_long(field: &str, max: usize) -> FieldError {
    FieldError::coded(
        field,
        "too-long",
        format!("must be at most {max} characters"),
    )
    .arg("max", max)
}

/// A note: trimmed, blank is none (`Some(None)`), at most [`NOTE_MAX`] characters, line
/// breaks and tabs allowed, no other control character; None when invalid.
pub fn note(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
) -> Option<Option<String>> {
    multi_line(errors, field, value, NOTE_MAX)
}

/// Like [`note`] with another limit (an SMS's text, a subject of several lines).
pub fn multi_line(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Option<Option<String>> {
    let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else {
        return Some(None);
    };
    if text.chars().count() > max {
        errors.push(too_long(field, max));
        return None;
    }
    if dcms_domain::has_forbidden_control(text) {
        errors.push(control_characters(field));
        return None;
    }
    Some(Some(text.to_owned()))
}

/// The instants a record may hold: from 1970-01-02 to the end of 2037 (UTC). The one
/// supported database with a narrower range than the others decides it: MariaDB takes no
/// instant outside 1970-01-01T00:00:01Z to 2038-01-19T03:14:07Z (the driver binds instants as
/// `TIMESTAMP`), so the rule is the same on every database and a clinic's data moves between
/// them. Nothing a clinic records lies outside it.
pub const STORED_INSTANTS: std::ops::Range<i64> = 86_400..2_145_916_800;

/// Whether an instant lies in [`STORED_INSTANTS`].
pub fn storable(ts: Timestamp) -> bool {
    STORED_INSTANTS.contains(&ts.as_second())
}

/// An instant a record keeps: refused (`timestamp-range` on `field`) outside
/// [`STORED_INSTANTS`]; kept at the database's precision (microseconds), so what is answered
/// equals what is stored.
pub fn stored_instant(field: &str, ts: Timestamp) -> Result<Timestamp, FieldError> {
    if !storable(ts) {
        return Err(FieldError::coded(
            field,
            "timestamp-range",
            "must lie between 1970-01-02 and 2037-12-31",
        ));
    }
    Ok(dcms_store::time::from_db(dcms_store::time::to_db(ts)))
}

/// An instant given as RFC 3339 with an offset, in [`STORED_INSTANTS`], at the database's
/// precision; None otherwise.
pub fn parse_instant(value: &str) -> Option<Timestamp> {
    let ts: Timestamp = value.trim().parse().ok()?;
    stored_instant("", ts).ok()
}

/// An instant given as RFC 3339 with an offset: `timestamp` on `field` when it is not one,
/// `timestamp-range` when it lies outside [`STORED_INSTANTS`].
pub fn instant(errors: &mut Vec<FieldError>, field: &str, value: &str) -> Option<Timestamp> {
    let Ok(ts) = value.trim().parse::<Timestamp>() else {
        errors.push(FieldError::coded(
            field,
            "timestamp",
            "must be a date and time with an offset (RFC 3339), e.g. 2026-03-02T10:00:00+08:00",
        ));
        return None;
    };
    stored_instant(field, ts).map_err(|e| errors.push(e)).ok()
}

/// A calendar date written exactly `YYYY-MM-DD`, in the [`YEARS`].
pub fn parse_date(value: &str) -> Result<Date, String> {
    let value = value.trim();
    let shaped = value.len() == 10
        && value.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    let date = shaped
        .then(|| value.parse::<Date>().ok())
        .flatten()
        .ok_or_else(|| format!("'{value}' is not a date written YYYY-MM-DD"))?;
    if !YEARS.contains(&date.year()) {
        return Err(format!(
            "must be in the years {} to {}",
            YEARS.start(),
            YEARS.end()
        ));
    }
    Ok(date)
}

/// [`parse_date`], or `date` on `field`.
pub fn date(errors: &mut Vec<FieldError>, field: &str, value: &str) -> Option<Date> {
    match parse_date(value) {
        Ok(d) => Some(d),
        Err(message) => {
            errors.push(FieldError::coded(field, "date", message));
            None
        }
    }
}

/// An instant that may not lie in the future (a minute of slack for clocks that differ):
/// `date-future` on `field`; absent means now.
pub fn not_after_now(
    errors: &mut Vec<FieldError>,
    field: &str,
    given: Given<Timestamp>,
) -> Option<Timestamp> {
    let current = Timestamp::now();
    match given {
        Given::Absent => Some(dcms_store::time::from_db(dcms_store::time::to_db(current))),
        Given::Value(at) if at.as_second() > current.as_second() + 60 => {
            errors.push(FieldError::coded(
                field,
                "date-future",
                "must not be in the future",
            ));
            None
        }
        other => other.take(errors),
    }
}

/// An optional date: `Some(None)` for none or blank.
pub fn optional_date(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
) -> Option<Option<Date>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Some(None),
        Some(v) => date(errors, field, v).map(Some),
    }
}

/// `date-future` on `field` when `date` is after `today`.
pub fn not_in_future(errors: &mut Vec<FieldError>, field: &str, date: Option<Date>, today: Date) {
    if date.is_some_and(|d| d > today) {
        errors.push(FieldError::coded(
            field,
            "date-future",
            "must not be in the future",
        ));
    }
}

/// A person's first or last name: 1 to `max` characters once trimmed, no control character.
pub fn person_name(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &str,
    max: usize,
) -> Option<PersonName> {
    match PersonName::parse(value, max) {
        Ok(n) => Some(n),
        Err(TextError::EmptyName) => {
            errors.push(required(field));
            None
        }
        Err(TextError::NameTooLong { max, .. }) => {
            errors.push(too_long(field, max));
            None
        }
        Err(_) => {
            errors.push(control_characters(field));
            None
        }
    }
}

/// An e-mail address on `email`; blank is none.
pub fn email(errors: &mut Vec<FieldError>, value: Option<&str>) -> Option<Option<Email>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Some(None),
        Some(v) => match Email::parse(v) {
            Ok(e) => Some(Some(e)),
            Err(e) => {
                errors.push(FieldError::coded("email", "email", e));
                None
            }
        },
    }
}

/// A gender (`male`, `female`, `other`) on `gender`: `required` when blank, `choose` when
/// unknown.
pub fn gender(errors: &mut Vec<FieldError>, value: &str) -> Option<Gender> {
    required_choice(errors, "gender", Some(value))
}
/// A value of a named enumeration (a scope, a notation, a payment method) given as text:
/// `Some(None)` when left out or blank, `Some(Some(value))`, or None after a `choose` error
/// on `field` naming the values allowed.
pub fn optional_choice<T>(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
) -> Option<Option<T>>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let Some(text) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Some(None);
    };
    match text.parse::<T>() {
        Ok(v) => Some(Some(v)),
        Err(e) => {
            errors.push(FieldError::coded(field, "choose", e.to_string()));
            None
        }
    }
}

/// As [`optional_choice`], for a value that must be given (`required` when blank).
pub fn required_choice<T>(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
) -> Option<T>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let chosen = optional_choice(errors, field, value)?;
    if chosen.is_none() {
        errors.push(FieldError::coded(field, "required", "is required"));
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_strict() {
        assert_eq!(
            parse_date(" 2024-06-01 "),
            Ok(jiff::civil::date(2024, 6, 1))
        );
        for bad in [
            "2024-6-1",
            "20240601",
            "2024-06-01T10:00",
            "2024-02-30",
            "",
            "1899-12-31",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }
}
