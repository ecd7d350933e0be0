//! The rules a person's phones keep, the same for a patient and an employee (`domain.md`):
//! every number parsed and normalised (`dcms_domain::Phone`), a label of free text (Self,
//! Father, Work, ...), no number twice, at least [`MIN_PHONES`], exactly one primary, and at
//! most [`MAX_PHONES`] given at once. One place for the rules, their field names and error
//! codes (`phone`, `required`, `too-long`, `control-characters`, `duplicate-phone`,
//! `phones-count`, `phones-primary`, `phones-max`); `services::patients` and
//! `services::staff` adapt their own inputs to [`GivenPhone`] and lock and store the rows.

use super::FieldError;
use dcms_domain::Phone;

/// Fewest phones a person has.
pub const MIN_PHONES: usize = 2;
/// Most phones one request may give (a bound on the work of one request).
pub const MAX_PHONES: usize = 20;
/// Longest phone label.
pub const LABEL_MAX_CHARS: usize = 255;

/// Whose phones they are, for the messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Patient,
    Employee,
}

impl Owner {
    fn noun(self) -> &'static str {
        match self {
            Owner::Patient => "patient",
            Owner::Employee => "employee",
        }
    }

    fn article(self) -> &'static str {
        match self {
            Owner::Patient => "a",
            Owner::Employee => "an",
        }
    }

    /// What the "too few" message adds after the minimum (an employee's has always said how
    /// many there would be).
    fn count_note(self, count: usize) -> String {
        match self {
            Owner::Patient => String::new(),
            Owner::Employee => format!(", not {count}"),
        }
    }
}

/// One phone as the client gave it.
#[derive(Debug, Clone, Copy, Default)]
pub struct GivenPhone<'a> {
    /// Any usual writing of the number; None: missing (`required`).
    pub number: Option<&'a str>,
    /// None or blank: "".
    pub label: Option<&'a str>,
    pub is_primary: bool,
}

/// A phone that passed the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPhone {
    pub number: Phone,
    pub label: String,
    pub is_primary: bool,
}

/// A phone number (422 `phone` on `field`; `required` when missing).
pub fn parse_number(
    field: &str,
    input: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<Phone> {
    let Some(input) = input else {
        errors.push(FieldError::coded(field, "required", "is required"));
        return None;
    };
    match Phone::parse(input) {
        Ok(phone) => Some(phone),
        Err(e) => {
            errors.push(FieldError::coded(field, "phone", e));
            None
        }
    }
}

/// A label: trimmed, possibly empty, at most [`LABEL_MAX_CHARS`] characters, no control
/// characters.
pub fn parse_label(
    field: &str,
    input: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let label = input.unwrap_or_default().trim();
    if label.chars().count() > LABEL_MAX_CHARS {
        errors.push(
            FieldError::coded(
                field,
                "too-long",
                format!("must be at most {LABEL_MAX_CHARS} characters"),
            )
            .arg("max", LABEL_MAX_CHARS),
        );
        return None;
    }
    if label.chars().any(char::is_control) {
        errors.push(FieldError::coded(
            field,
            "control-characters",
            "must not contain control characters",
        ));
        return None;
    }
    Some(label.to_owned())
}

/// One phone, its fields named `<prefix>number` and `<prefix>label`.
pub fn parse_phone(
    prefix: &str,
    given: GivenPhone<'_>,
    errors: &mut Vec<FieldError>,
) -> Option<ValidPhone> {
    let number = parse_number(&format!("{prefix}number"), given.number, errors);
    let label = parse_label(&format!("{prefix}label"), given.label, errors);
    Some(ValidPhone {
        number: number?,
        label: label?,
        is_primary: given.is_primary,
    })
}

/// `number` is already one of the owner's (422 `duplicate-phone` on `field`).
pub fn duplicate(owner: Owner, field: &str, number: &str) -> FieldError {
    FieldError::coded(
        field,
        "duplicate-phone",
        format!("the {} already has the number {number}", owner.noun()),
    )
}

/// The rule a person's phones keep after any change: at least [`MIN_PHONES`] and exactly one
/// primary (422 on `phones`). `when_too_few` and `when_not_one_primary` end the messages
/// (what the client should do instead).
pub fn check_set(
    owner: Owner,
    count: usize,
    primaries: usize,
    errors: &mut Vec<FieldError>,
    when_too_few: &str,
    when_not_one_primary: &str,
) {
    if count < MIN_PHONES {
        errors.push(
            FieldError::coded(
                "phones",
                "phones-count",
                format!(
                    "{} {} needs at least {MIN_PHONES} phone numbers{}{when_too_few}",
                    owner.article(),
                    owner.noun(),
                    owner.count_note(count)
                ),
            )
            .arg("min", MIN_PHONES),
        );
    }
    if primaries != 1 {
        errors.push(FieldError::coded(
            "phones",
            "phones-primary",
            format!(
                "exactly one phone number must be primary, not {primaries}{when_not_one_primary}"
            ),
        ));
    }
}

/// The phones of a new person: at most [`MAX_PHONES`] (else only that error), each valid
/// (`phones[i].number`, `phones[i].label`), no number twice (`phones[i].number`), then
/// [`check_set`] over everything given. Returns the valid phones in the order given.
pub fn parse_set(
    owner: Owner,
    given: &[GivenPhone<'_>],
    errors: &mut Vec<FieldError>,
) -> Vec<ValidPhone> {
    if given.len() > MAX_PHONES {
        errors.push(
            FieldError::coded(
                "phones",
                "phones-max",
                format!("at most {MAX_PHONES} phone numbers at once"),
            )
            .arg("max", MAX_PHONES),
        );
        return Vec::new();
    }
    let mut valid: Vec<ValidPhone> = Vec::new();
    for (i, phone) in given.iter().enumerate() {
        let prefix = format!("phones[{i}].");
        let Some(phone) = parse_phone(&prefix, *phone, errors) else {
            continue;
        };
        if valid.iter().any(|v| v.number == phone.number) {
            errors.push(duplicate(
                owner,
                &format!("{prefix}number"),
                phone.number.as_str(),
            ));
            continue;
        }
        valid.push(phone);
    }
    let primaries = given.iter().filter(|p| p.is_primary).count();
    check_set(owner, given.len(), primaries, errors, "", "");
    valid
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(errors: &[FieldError]) -> Vec<(&str, Option<&str>, &str)> {
        errors
            .iter()
            .map(|e| (e.field.as_str(), e.code, e.message.as_str()))
            .collect()
    }

    #[test]
    fn the_messages_name_the_owner() {
        let one = [GivenPhone {
            number: Some("99112233"),
            label: None,
            is_primary: false,
        }];
        let mut errors = Vec::new();
        parse_set(Owner::Patient, &one, &mut errors);
        assert_eq!(
            messages(&errors),
            [
                (
                    "phones",
                    Some("phones-count"),
                    "a patient needs at least 2 phone numbers"
                ),
                (
                    "phones",
                    Some("phones-primary"),
                    "exactly one phone number must be primary, not 0"
                ),
            ]
        );
        let mut errors = Vec::new();
        parse_set(Owner::Employee, &one, &mut errors);
        assert_eq!(
            errors[0].message,
            "an employee needs at least 2 phone numbers, not 1"
        );
        assert_eq!(
            duplicate(Owner::Employee, "number", "99112233").message,
            "the employee already has the number 99112233"
        );
        let mut errors = Vec::new();
        check_set(
            Owner::Patient,
            1,
            0,
            &mut errors,
            ": add another number before deleting this one",
            ": make another number primary before deleting this one",
        );
        assert_eq!(
            errors[0].message,
            "a patient needs at least 2 phone numbers: add another number before deleting this one"
        );
    }

    #[test]
    fn a_missing_number_is_required_and_labels_are_checked() {
        let given = [
            GivenPhone {
                number: None,
                label: Some("Self"),
                is_primary: true,
            },
            GivenPhone {
                number: Some("+976 8811-2233"),
                label: Some("a\u{7}b"),
                is_primary: false,
            },
            GivenPhone {
                number: Some("88112233"),
                label: Some(&"x".repeat(LABEL_MAX_CHARS + 1)),
                is_primary: false,
            },
        ];
        let mut errors = Vec::new();
        assert!(parse_set(Owner::Patient, &given, &mut errors).is_empty());
        let codes: Vec<_> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.unwrap_or("")))
            .collect();
        assert_eq!(
            codes,
            [
                ("phones[0].number", "required"),
                ("phones[1].label", "control-characters"),
                ("phones[2].label", "too-long"),
            ]
        );
    }
}
