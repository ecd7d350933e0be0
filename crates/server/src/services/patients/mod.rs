//! Patients: registration with phones, changes, the phone sub-resource, search, and the
//! daily refresh of the stored status.
//!
//! Rules (docs/patients.md): the register number gives the birthday and the sex (a given birthday
//! or gender that contradicts it is refused, field by field; gender `other` contradicts
//! nothing, since the number only knows male and female); a patient always has at least two
//! phones and exactly one primary, also under concurrent edits (every phone change locks the
//! patient's row first); `age` and `status` are computed when read, in the clinic's time
//! zone. Every write and its audit entries are one transaction; reading one patient's record
//! is audited as a `read`.

use super::audit::AuditTrail;
use super::settings::{self, ClinicSettings};
use super::{Actor, FieldError, ServiceError};
use dcms_domain::{Gender, PatientStatus, age_in_years};
use dcms_store::Store;
use dcms_store::entity::{patient, patient_phone};
use dcms_store::patients as repo;
use dcms_store::phones::PhoneRow;
use dcms_store::time::{date_from_db, from_db};
use jiff::civil::Date;
use serde_json::{Value, json};
use std::time::Duration;

/// The audit trail's name of the patient table.
pub const PATIENT_TABLE: &str = "patient";
/// The audit trail's name of the patient phone table.
pub const PHONE_TABLE: &str = "patient_phone";
/// Longest first or last name (the seed's `varchar(30)`).
pub const NAME_MAX_CHARS: usize = 30;
/// Longest phone label, fewest phones a patient has, most phones one request may give
/// (`services::phones`, the same for employees).
pub use super::phones::{LABEL_MAX_CHARS, MAX_PHONES, MIN_PHONES};
/// Patients whose stored status one transaction of [`refresh_statuses`] recomputes.
pub const REFRESH_BATCH: i64 = 1000;
/// How often the stored statuses are refreshed (and once at start-up).
pub const REFRESH_PERIOD: Duration = Duration::from_secs(24 * 60 * 60);

/// One phone of a patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientPhone {
    pub phone_number_id: i64,
    /// The normalised number: national digits, or `+` and digits for a foreign number.
    pub number: String,
    pub label: String,
    pub is_primary: bool,
}

impl From<PhoneRow> for PatientPhone {
    fn from(p: PhoneRow) -> Self {
        PatientPhone {
            phone_number_id: p.phone_number_id,
            number: p.number,
            label: p.label,
            is_primary: p.is_primary,
        }
    }
}

impl From<patient_phone::Model> for PatientPhone {
    fn from(p: patient_phone::Model) -> Self {
        PatientPhone {
            phone_number_id: p.phone_number_id,
            number: p.phone_number_val,
            label: p.label,
            is_primary: p.is_primary,
        }
    }
}

/// A patient as the clinic sees them, with `age` and `status` computed for today in the
/// clinic's time zone and the phones in creation order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patient {
    pub patient_id: i64,
    pub user_id: Option<i64>,
    pub register_number: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub birthday: Date,
    /// Full years today.
    pub age: i16,
    pub gender: Gender,
    /// From the last visit (or the registration when there was none).
    pub status: PatientStatus,
    pub sms_reminder_opt_out: bool,
    pub created_at: jiff::Timestamp,
    pub last_seen_at: Option<jiff::Timestamp>,
    pub phones: Vec<PatientPhone>,
}

/// Today's date and the time zone of the clinic: what `age` and `status` are computed with.
#[derive(Debug, Clone)]
pub(super) struct Clock {
    zone: jiff::tz::TimeZone,
    today: Date,
}

impl Clock {
    fn of(settings: &ClinicSettings) -> Clock {
        Clock {
            zone: settings.time_zone(),
            today: settings.now_local().date(),
        }
    }

    pub(super) async fn now(store: &Store) -> Result<Clock, ServiceError> {
        Ok(Clock::of(&settings::get(store).await?))
    }

    /// Today in the clinic's time zone.
    pub(super) fn today(&self) -> Date {
        self.today
    }

    /// The status of a patient whose last visit (or registration) was at `at`.
    fn status(&self, at: jiff::Timestamp) -> PatientStatus {
        PatientStatus::from_last_visit(at.to_zoned(self.zone.clone()).date(), self.today)
    }

    fn patient(&self, row: patient::Model, phones: Vec<patient_phone::Model>) -> Patient {
        let birthday = date_from_db(row.birthday);
        let created_at = from_db(row.created_at);
        let last_seen_at = row.last_seen_at.map(from_db);
        Patient {
            patient_id: row.patient_id,
            user_id: row.user_id,
            register_number: row.register_number,
            first_name: row.first_name,
            last_name: row.last_name,
            email: row.email,
            birthday,
            age: age_in_years(birthday, self.today),
            gender: Gender::from_code(row.gender).unwrap_or(Gender::Other),
            status: self.status(last_seen_at.unwrap_or(created_at)),
            sms_reminder_opt_out: row.sms_reminder_opt_out,
            created_at,
            last_seen_at,
            phones: phones.into_iter().map(PatientPhone::from).collect(),
        }
    }
}

/// One phone as a client gives it.
#[derive(Debug, Clone, Default)]
pub struct PhoneInput {
    /// Any usual writing of the number (`+976 9911-2233`); stored normalised.
    pub number: Option<String>,
    /// Whose number it is (Self, Father, Work, ...); default "".
    pub label: Option<String>,
    /// Default false.
    pub is_primary: Option<bool>,
}

/// What registering a patient asks for, as the client sent it (validated by [`register`]).
#[derive(Debug, Clone, Default)]
pub struct NewPatientInput {
    pub register_number: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// None or blank: no address.
    pub email: Option<String>,
    /// `YYYY-MM-DD`; derived from the register number when absent, refused when it differs.
    pub birthday: Option<String>,
    /// `male`, `female` or `other`; derived from the register number when absent, refused
    /// when it is male or female and differs.
    pub gender: Option<String>,
    pub phones: Vec<PhoneInput>,
}

/// What a change of a patient asks for: `None` leaves a field as it is; for the nullable
/// fields `Some(None)` clears them.
#[derive(Debug, Clone, Default)]
pub struct PatientChanges {
    pub register_number: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// `Some(None)` or blank clears the address.
    pub email: Option<Option<String>>,
    pub birthday: Option<String>,
    pub gender: Option<String>,
    /// `Some(Some(id))` links the portal account `id` (role patient); `Some(None)` unlinks.
    pub user_id: Option<Option<i64>>,
    pub sms_reminder_opt_out: Option<bool>,
}

pub use super::phones::PhoneChanges;

mod register;
pub use register::register;
pub(in crate::services) use register::{Registration, check_registration, creation_entries};
mod change;
pub use change::{update, update_own_email};
mod search;
pub use search::{PatientCursor, PatientPage, SEARCH_MAX_CHARS, search};
mod status;
pub use status::{StatusRefresher, refresh_statuses};

fn invalid_unless_empty(errors: Vec<FieldError>) -> Result<(), ServiceError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(errors))
    }
}

// --- audit ------------------------------------------------------------------------------

/// The audited fields of a patient, as the API names them.
fn audited(p: &patient::Model) -> Value {
    json!({
        "user_id": p.user_id,
        "register_number": p.register_number,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "email": p.email,
        "birthday": date_from_db(p.birthday).to_string(),
        "gender": Gender::from_code(p.gender).map_or_else(|| json!(p.gender), |g| json!(g.as_str())),
        "sms_reminder_opt_out": p.sms_reminder_opt_out,
        "last_seen_at": p.last_seen_at.map(|t| from_db(t).to_string()),
    })
}

/// One patient's record; the read is audited (`read` on `patient`).
pub async fn get(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    patient_id: i64,
) -> Result<Patient, ServiceError> {
    let row = repo::find(store.connection(), patient_id)
        .await?
        .ok_or(ServiceError::NotFound("patient"))?;
    let phones = repo::phones_of(store.connection(), patient_id).await?;
    let patient = Clock::now(store).await?.patient(row, phones);
    audit.record_read(
        actor.user_id,
        actor.session_token_id,
        PATIENT_TABLE,
        patient_id,
    );
    Ok(patient)
}

/// The names (`last_name first_name`) of patients by id, in one query (lists that name
/// their patients: the call log, the SMS log).
pub async fn names(
    store: &Store,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>, ServiceError> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    Ok(repo::find_many(store.connection(), &ids)
        .await?
        .into_iter()
        .map(|p| (p.patient_id, format!("{} {}", p.last_name, p.first_name)))
        .collect())
}

/// The names (`last_name first_name`) and primary phones (as stored) of the patients of
/// `ids` that exist: two queries whatever their number.
pub async fn names_and_phones(
    store: &Store,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, (String, Option<String>)>, ServiceError> {
    let db = store.connection();
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut people: std::collections::HashMap<i64, (String, Option<String>)> =
        repo::find_many(db, &ids)
            .await?
            .into_iter()
            .map(|p| {
                (
                    p.patient_id,
                    (format!("{} {}", p.last_name, p.first_name), None),
                )
            })
            .collect();
    for phone in repo::phones_of_many(db, &ids).await? {
        if let (true, Some(person)) = (phone.is_primary, people.get_mut(&phone.patient_id)) {
            person.1 = Some(phone.phone_number_val);
        }
    }
    Ok(people)
}

/// The id of the patient linked to a portal account; not found when none is.
pub async fn own_patient_id(store: &Store, user_id: i64) -> Result<i64, ServiceError> {
    repo::find_by_user(store.connection(), user_id)
        .await?
        .map(|p| p.patient_id)
        .ok_or(ServiceError::NotFound("patient"))
}

/// The first name of the patient linked to a portal account, to greet them by; not found
/// when none is (not audited: a name the patient reads of themselves).
pub async fn own_first_name(store: &Store, user_id: i64) -> Result<String, ServiceError> {
    repo::find_by_user(store.connection(), user_id)
        .await?
        .map(|p| p.first_name)
        .ok_or(ServiceError::NotFound("patient"))
}

/// A patient's phones in creation order (not audited: contact numbers, not the record).
pub async fn phones(store: &Store, patient_id: i64) -> Result<Vec<PatientPhone>, ServiceError> {
    repo::find(store.connection(), patient_id)
        .await?
        .ok_or(ServiceError::NotFound("patient"))?;
    Ok(repo::phones_of(store.connection(), patient_id)
        .await?
        .into_iter()
        .map(PatientPhone::from)
        .collect())
}
