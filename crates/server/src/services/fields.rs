//! The rules every short text field shares (a position's name, a service's names, an
//! address): trimmed, one line, at most so many characters. One place, so every form says
//! the same thing with the same codes (`required`, `too-long`, `control-characters`).

use super::FieldError;

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
        errors.push(FieldError::coded(
            field,
            "control-characters",
            "must not contain control characters",
        ));
        return false;
    }
    true
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
