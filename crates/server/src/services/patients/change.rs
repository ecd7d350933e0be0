//! Changing a patient: their fields (with the register number's rules), their e-mail from the
//! portal, and their phones (the use cases of `services::phones`).

use super::register::{check_against_number, parse_register_number};
use super::{
    Clock, NAME_MAX_CHARS, PATIENT_TABLE, Patient, PatientChanges, audited, invalid_unless_empty,
    own_patient_id,
};
use crate::services::audit::{AuditTrail, changes};
use crate::services::fields;
use crate::services::{Actor, FieldError, ServiceError};
use dcms_domain::{Email, Gender, PersonName, RegisterNumber, Role};
use dcms_store::audit::AuditEntry;
use dcms_store::patients as repo;
use dcms_store::time::date_to_db;
use dcms_store::{Store, users};
use jiff::civil::Date;

/// The changes asked for, each parsed (not yet checked against the stored row).
struct ParsedChanges {
    number: Option<RegisterNumber>,
    first_name: Option<PersonName>,
    last_name: Option<PersonName>,
    email: Option<Option<Email>>,
    birthday: Option<Date>,
    gender: Option<Gender>,
}

fn parse_changes(asked: &PatientChanges, today: Date) -> Result<ParsedChanges, ServiceError> {
    let mut errors = Vec::new();
    let e = &mut errors;
    let parsed = ParsedChanges {
        number: asked
            .register_number
            .as_deref()
            .and_then(|s| parse_register_number(s, today, e)),
        first_name: asked
            .first_name
            .as_deref()
            .and_then(|s| fields::person_name(e, "first_name", s, NAME_MAX_CHARS)),
        last_name: asked
            .last_name
            .as_deref()
            .and_then(|s| fields::person_name(e, "last_name", s, NAME_MAX_CHARS)),
        email: match &asked.email {
            None => None,
            Some(None) => Some(None),
            Some(Some(s)) => fields::email(e, Some(s)),
        },
        birthday: asked
            .birthday
            .as_deref()
            .and_then(|s| fields::date(e, "birthday", s)),
        gender: asked.gender.as_deref().and_then(|s| fields::gender(e, s)),
    };
    invalid_unless_empty(errors)?;
    Ok(parsed)
}

/// Changes a patient's fields (any but the id and the phones) with the rules of
/// registration: a new register number re-derives the birthday and the sex (a gender of
/// `other` is kept); a given birthday or gender must agree with the (new or stored) number.
/// `user_id` links a portal account of role patient (else 422; linked to another patient:
/// 409) or, null, unlinks; that needs the users permission (an admin; others 403) and ends
/// the sessions of the accounts linked before and after. The change and its audit entry are one transaction; a change
/// that changes nothing writes nothing.
pub async fn update(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    patient_id: i64,
    asked: PatientChanges,
) -> Result<Patient, ServiceError> {
    if let Some(user_id) = asked.user_id {
        // Linking or unlinking a portal account changes what that account may see: the
        // users permission (admin only), checked before anything is validated.
        let current = repo::find(store.connection(), patient_id)
            .await?
            .ok_or(ServiceError::NotFound("patient"))?;
        if current.user_id != user_id {
            actor.must_manage_users()?;
        }
    }
    let clock = Clock::now(store).await?;
    let parsed = parse_changes(&asked, clock.today)?;
    let txn = store.begin_write().await?;
    let before = repo::lock(&txn, patient_id)
        .await?
        .ok_or(ServiceError::NotFound("patient"))?;
    let mut row = before.clone();
    let mut errors = Vec::new();

    // The number the patient will have: the new one, or the stored one (parsed without a
    // "future" limit: it was valid when stored).
    let number_changed = parsed.number.is_some();
    let number = parsed
        .number
        .or_else(|| RegisterNumber::parse_on(&before.register_number, Date::MAX).ok());
    if let Some(number) = &number {
        check_against_number(number, parsed.birthday, parsed.gender, &mut errors);
        if number_changed {
            row.register_number = number.as_str().to_owned();
            row.birthday = date_to_db(number.birthday());
            if Gender::from_code(row.gender) != Some(Gender::Other) {
                row.gender = number.sex().code();
            }
        }
    }
    if let Some(birthday) = parsed.birthday {
        row.birthday = date_to_db(birthday);
    }
    if let Some(gender) = parsed.gender {
        row.gender = gender.code();
    }
    if let Some(name) = parsed.first_name {
        row.first_name_key = name.key();
        row.first_name = name.as_str().to_owned();
    }
    if let Some(name) = parsed.last_name {
        row.last_name_key = name.key();
        row.last_name = name.as_str().to_owned();
    }
    if let Some(email) = parsed.email {
        row.email = email.map(|e| e.as_str().to_owned());
    }
    if let Some(opt_out) = asked.sms_reminder_opt_out {
        row.sms_reminder_opt_out = opt_out;
    }
    match asked.user_id {
        None => {}
        Some(None) => row.user_id = None,
        Some(Some(user_id)) => match users::find(&txn, user_id).await? {
            None => errors.push(FieldError::coded(
                "user_id",
                "no-such-user",
                format!("there is no user {user_id}"),
            )),
            Some(user) if user.roles != Role::Patient.code() => {
                errors.push(FieldError::coded(
                    "user_id",
                    "user-patient",
                    format!(
                        "user {user_id} is not a patient's account (role {}); only accounts of role patient can be linked",
                        Role::from_code(user.roles).map_or("unknown", Role::as_str)
                    ),
                ));
            }
            Some(_) => {
                if let Some(other) = repo::find_by_user(&txn, user_id).await?
                    && other.patient_id != patient_id
                {
                    if errors.is_empty() {
                        return Err(ServiceError::Conflict(format!(
                            "user {user_id} is already linked to patient {}",
                            other.patient_id
                        )));
                    }
                } else {
                    row.user_id = Some(user_id);
                }
            }
        },
    }
    invalid_unless_empty(errors)?;
    if before.user_id != row.user_id {
        actor.must_manage_users()?;
        // The accounts that gain or lose this record start afresh.
        let at = dcms_store::time::now();
        for user_id in [before.user_id, row.user_id].into_iter().flatten() {
            users::revoke_sessions(&txn, user_id, at).await?;
        }
    }

    let diff = changes(Some(&audited(&before)), Some(&audited(&row)), &[]);
    let row = match diff {
        None => before,
        Some(diff) => {
            let saved = repo::save(&txn, row).await?;
            let entry =
                AuditEntry::new("update", PATIENT_TABLE, Some(patient_id)).with_changes(Some(diff));
            audit.record(&txn, actor.stamp(entry)).await?;
            saved
        }
    };
    let phones = repo::phones_of(&txn, patient_id).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(clock.patient(row, phones))
}

/// Changes the e-mail address of the patient linked to `user_id` (the patient portal); the
/// only field a patient may change on their record. `None` or blank clears it.
pub async fn update_own_email(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    user_id: i64,
    email: Option<String>,
) -> Result<Patient, ServiceError> {
    let patient_id = own_patient_id(store, user_id).await?;
    update(
        store,
        audit,
        actor,
        patient_id,
        PatientChanges {
            email: Some(email),
            ..Default::default()
        },
    )
    .await
}
