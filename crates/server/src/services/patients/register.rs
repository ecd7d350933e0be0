//! Registering a patient: the rules of a registration (register number, names, e-mail,
//! birthday and gender against the number, phones), shared by the API, the pages and the CSV
//! import, and the registration itself with its audit entries.

use super::{
    Clock, NAME_MAX_CHARS, NewPatientInput, PATIENT_TABLE, PHONE_TABLE, Patient, PhoneInput,
    audited, invalid_unless_empty,
};
use crate::services::audit::{AuditTrail, changes};
use crate::services::fields;
use crate::services::phones::{self, GivenPhone, Owner, ValidPhone};
use crate::services::{Actor, FieldError, ServiceError};
use dcms_domain::{Gender, RegisterNumber};
use dcms_store::Store;
use dcms_store::audit::AuditEntry;
use dcms_store::entity::{patient, patient_phone};
use dcms_store::patients::{self as repo, NewPhone};
use dcms_store::phones::{PhoneOwner, PhoneRow};
use dcms_store::time::{DbTimestamp, date_to_db, from_db};
use jiff::civil::Date;

pub(super) fn parse_register_number(
    input: &str,
    today: Date,
    errors: &mut Vec<FieldError>,
) -> Option<RegisterNumber> {
    match RegisterNumber::parse_on(input, today) {
        Ok(number) => Some(number),
        Err(e) => {
            errors.push(FieldError::coded("register_number", "register-number", e));
            None
        }
    }
}

/// Refuses a birthday or a gender that contradicts the register number.
pub(super) fn check_against_number(
    number: &RegisterNumber,
    birthday: Option<Date>,
    gender: Option<Gender>,
    errors: &mut Vec<FieldError>,
) {
    if let Some(birthday) = birthday
        && birthday != number.birthday()
    {
        errors.push(
            FieldError::coded(
                "birthday",
                "contradicts-register-number",
                format!(
                    "{birthday} contradicts the register number {number}, which gives the birthday {}",
                    number.birthday()
                ),
            )
            .arg("value", number.birthday()),
        );
    }
    if let Some(gender) = gender
        && gender != Gender::Other
        && gender != number.sex()
    {
        errors.push(
            FieldError::coded(
                "gender",
                "contradicts-register-number",
                format!(
                    "{gender} contradicts the register number {number}, whose ninth character says {}",
                    number.sex()
                ),
            )
            .arg("value", number.sex()),
        );
    }
}

impl PhoneInput {
    /// The phone as the phone rules read it (`services::phones`).
    pub fn given(&self) -> GivenPhone<'_> {
        GivenPhone {
            number: self.number.as_deref(),
            label: self.label.as_deref(),
            is_primary: self.is_primary.unwrap_or(false),
        }
    }
}

impl From<ValidPhone> for NewPhone {
    fn from(p: ValidPhone) -> Self {
        NewPhone {
            number: p.number.as_str().to_owned(),
            label: p.label,
            is_primary: p.is_primary,
        }
    }
}

/// The phones of a registration (`services::phones`): each valid, no number twice, at least
/// two, one primary, at most [`MAX_PHONES`].
fn parse_phones(inputs: &[PhoneInput], errors: &mut Vec<FieldError>) -> Vec<NewPhone> {
    let given: Vec<GivenPhone<'_>> = inputs.iter().map(PhoneInput::given).collect();
    phones::parse_set(Owner::Patient, &given, errors)
        .into_iter()
        .map(NewPhone::from)
        .collect()
}

/// A registration that passed every rule of [`register`] (but the uniqueness of the
/// register number, which the database knows): the rows to insert.
#[derive(Debug, Clone)]
pub(in crate::services) struct Registration {
    pub(in crate::services) patient: repo::NewPatient,
    pub(in crate::services) phones: Vec<NewPhone>,
}

/// The rules of registration, without the database: every invalid field at once
/// ([`ServiceError::Invalid`]). The clinic's `clock` says what "in the future" is; `now` is
/// the registration's time. The API, the pages and the CSV import all register through this.
pub(in crate::services) fn check_registration(
    input: &NewPatientInput,
    clock: &Clock,
    now: DbTimestamp,
) -> Result<Registration, ServiceError> {
    let mut errors = Vec::new();
    let number = match input.register_number.as_deref() {
        Some(s) => parse_register_number(s, clock.today, &mut errors),
        None => {
            errors.push(fields::required("register_number"));
            None
        }
    };
    let first_name = match input.first_name.as_deref() {
        Some(s) => fields::person_name(&mut errors, "first_name", s, NAME_MAX_CHARS),
        None => {
            errors.push(fields::required("first_name"));
            None
        }
    };
    let last_name = match input.last_name.as_deref() {
        Some(s) => fields::person_name(&mut errors, "last_name", s, NAME_MAX_CHARS),
        None => {
            errors.push(fields::required("last_name"));
            None
        }
    };
    let email = match input.email.as_deref() {
        Some(s) => fields::email(&mut errors, Some(s)),
        None => Some(None),
    };
    let birthday = input
        .birthday
        .as_deref()
        .and_then(|s| fields::date(&mut errors, "birthday", s));
    let gender = input
        .gender
        .as_deref()
        .and_then(|s| fields::gender(&mut errors, s));
    if let Some(number) = &number {
        check_against_number(number, birthday, gender, &mut errors);
    }
    let phones = parse_phones(&input.phones, &mut errors);
    invalid_unless_empty(errors)?;
    let (Some(number), Some(first_name), Some(last_name), Some(email)) =
        (number, first_name, last_name, email)
    else {
        return Err(ServiceError::Internal(
            "a registration passed validation with a field missing".into(),
        ));
    };
    Ok(Registration {
        patient: repo::NewPatient {
            user_id: None,
            register_number: number.as_str().to_owned(),
            first_name_key: first_name.key(),
            last_name_key: last_name.key(),
            first_name: first_name.as_str().to_owned(),
            last_name: last_name.as_str().to_owned(),
            email: email.map(|e| e.as_str().to_owned()),
            birthday: date_to_db(number.birthday()),
            gender: gender.unwrap_or(number.sex()).code(),
            status: clock.status(from_db(now)).code(),
            created_at: now,
        },
        phones,
    })
}

/// The audit entries of a registered patient: `create` on `patient`, then one on
/// `patient_phone` a phone.
pub(in crate::services) fn creation_entries(
    actor: Actor,
    row: &patient::Model,
    phones: &[patient_phone::Model],
) -> Vec<AuditEntry> {
    let patient = AuditEntry::new("create", PATIENT_TABLE, Some(row.patient_id))
        .with_changes(changes(None, Some(&audited(row)), &[]));
    std::iter::once(patient)
        .chain(phones.iter().map(|phone| {
            AuditEntry::new("create", PHONE_TABLE, Some(phone.phone_number_id)).with_changes(
                changes(
                    None,
                    Some(&phones::audited(
                        PhoneOwner::Patient(phone.patient_id),
                        &PhoneRow::from(phone.clone()),
                    )),
                    &[],
                ),
            )
        }))
        .map(|entry| actor.stamp(entry))
        .collect()
}

/// Registers a patient with their phones, in one transaction with its audit entries (any
/// error: nothing is stored). Every invalid field is reported at once (422); a register
/// number that belongs to another patient is a conflict (409).
pub async fn register(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    input: NewPatientInput,
) -> Result<Patient, ServiceError> {
    let clock = Clock::now(store).await?;
    let new = check_registration(&input, &clock, dcms_store::time::now())?;
    let txn = store.begin_write().await?;
    let (row, phones) = repo::create(&txn, new.patient, new.phones).await?;
    audit
        .record_many(&txn, creation_entries(actor, &row, &phones))
        .await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(clock.patient(row, phones))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(err: ServiceError) -> Vec<String> {
        match err {
            ServiceError::Invalid(errors) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn phones_are_checked_together() {
        let phone = |n: &str, primary: bool| PhoneInput {
            number: Some(n.into()),
            label: Some("Self".into()),
            is_primary: Some(primary),
        };
        let mut errors = Vec::new();
        let ok = parse_phones(
            &[phone("+976 9911-2233", true), phone("8811 2233", false)],
            &mut errors,
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(ok[0].number, "99112233");
        assert_eq!(ok[1].number, "88112233");

        let mut errors = Vec::new();
        parse_phones(&[phone("99112233", true)], &mut errors);
        assert_eq!(fields(ServiceError::Invalid(errors)), ["phones"]);

        let mut errors = Vec::new();
        parse_phones(
            &[phone("99112233", true), phone("88112233", true)],
            &mut errors,
        );
        assert_eq!(fields(ServiceError::Invalid(errors)), ["phones"]);

        let mut errors = Vec::new();
        parse_phones(
            &[
                phone("99112233", true),
                phone("9911 2233", false),
                phone("12", false),
            ],
            &mut errors,
        );
        assert_eq!(
            fields(ServiceError::Invalid(errors)),
            ["phones[1].number", "phones[2].number"]
        );
    }

    #[test]
    fn contradictions_name_each_field() {
        let today = jiff::civil::date(2026, 1, 1);
        let number = RegisterNumber::parse_on("УБ85031512", today).unwrap();
        let mut errors = Vec::new();
        check_against_number(
            &number,
            Some(jiff::civil::date(1985, 3, 16)),
            Some(Gender::Female),
            &mut errors,
        );
        assert_eq!(
            fields(ServiceError::Invalid(errors)),
            ["birthday", "gender"]
        );
        let mut errors = Vec::new();
        check_against_number(
            &number,
            Some(jiff::civil::date(1985, 3, 15)),
            Some(Gender::Other),
            &mut errors,
        );
        assert!(errors.is_empty());
    }
}
