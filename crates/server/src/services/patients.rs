//! Patients: registration with phones, changes, the phone sub-resource, search, and the
//! daily refresh of the stored status.
//!
//! Rules (`domain.md`): the register number gives the birthday and the sex (a given birthday
//! or gender that contradicts it is refused, field by field; gender `other` contradicts
//! nothing, since the number only knows male and female); a patient always has at least two
//! phones and exactly one primary, also under concurrent edits (every phone change locks the
//! patient's row first); `age` and `status` are computed when read, in the clinic's time
//! zone. Every write and its audit entries are one transaction; reading one patient's record
//! is audited as a `read`.

use super::audit::{AuditTrail, changes};
use super::fields;
use super::phones::{self, GivenPhone, Owner, ValidPhone};
use super::settings::{self, ClinicSettings};
use super::{Actor, FieldError, ServiceError};
use dcms_domain::{
    Email, Gender, PatientStatus, PersonName, Phone, RegisterNumber, Role,
    age_in_years, digits_prefix, name_key,
};
use dcms_store::audit::AuditEntry;
use dcms_store::entity::{patient, patient_phone};
use dcms_store::patients::{
    self as repo, NameKeyset, NewPhone, NewestKeyset, PatientQuery, PhoneMatch,
};
use dcms_store::phones::{PhoneOwner, PhoneRow};
use dcms_store::time::{DbTimestamp, date_from_db, date_to_db, from_db, to_db};
use dcms_store::{Store, users};
use jiff::civil::Date;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

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

// --- validation -------------------------------------------------------------------------

fn parse_register_number(
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
fn check_against_number(
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
    fn given(&self) -> GivenPhone<'_> {
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

// --- use cases --------------------------------------------------------------------------

/// A registration that passed every rule of [`register`] (but the uniqueness of the
/// register number, which the database knows): the rows to insert.
#[derive(Debug, Clone)]
pub(super) struct Registration {
    pub(super) patient: repo::NewPatient,
    pub(super) phones: Vec<NewPhone>,
}

/// The rules of registration, without the database: every invalid field at once
/// ([`ServiceError::Invalid`]). The clinic's `clock` says what "in the future" is; `now` is
/// the registration's time. The API, the pages and the CSV import all register through this.
pub(super) fn check_registration(
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
pub(super) fn creation_entries(
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

/// The id of the patient linked to a portal account; not found when none is.
pub async fn own_patient_id(store: &Store, user_id: i64) -> Result<i64, ServiceError> {
    repo::find_by_user(store.connection(), user_id)
        .await?
        .map(|p| p.patient_id)
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
        birthday: asked.birthday.as_deref().and_then(|s| fields::date(e, "birthday", s)),
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

/// Adds a phone to a patient (the rules and the audit: [`phones::add`]).
pub async fn add_phone(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    patient_id: i64,
    input: PhoneInput,
) -> Result<PatientPhone, ServiceError> {
    let owner = PhoneOwner::Patient(patient_id);
    Ok(phones::add(store, audit, actor, owner, input.given()).await?.into())
}

/// Changes one phone of a patient ([`phones::update`]).
pub async fn update_phone(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    patient_id: i64,
    phone_number_id: i64,
    asked: PhoneChanges,
) -> Result<PatientPhone, ServiceError> {
    let owner = PhoneOwner::Patient(patient_id);
    Ok(phones::update(store, audit, actor, owner, phone_number_id, asked)
        .await?
        .into())
}

/// Deletes one phone of a patient ([`phones::delete`]).
pub async fn delete_phone(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    patient_id: i64,
    phone_number_id: i64,
) -> Result<(), ServiceError> {
    phones::delete(store, audit, actor, PhoneOwner::Patient(patient_id), phone_number_id).await
}

// --- search -----------------------------------------------------------------------------

/// Where the next page of a list or search starts (opaque to clients: [`PatientCursor::encode`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatientCursor {
    /// After this patient in the newest-first list.
    Newest {
        created_at: jiff::Timestamp,
        patient_id: i64,
    },
    /// After this patient in a search's `(rank, last name key, first name key, id)` order.
    Ranked {
        rank: u8,
        last_name_key: String,
        first_name_key: String,
        patient_id: i64,
    },
}

impl PatientCursor {
    /// The cursor as a client carries it (base64url of a small JSON array).
    pub fn encode(&self) -> String {
        use base64::Engine;
        let value = match self {
            PatientCursor::Newest {
                created_at,
                patient_id,
            } => json!(["n", created_at.as_microsecond(), patient_id]),
            PatientCursor::Ranked {
                rank,
                last_name_key,
                first_name_key,
                patient_id,
            } => json!(["r", rank, last_name_key, first_name_key, patient_id]),
        };
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
    }

    /// A cursor from [`PatientCursor::encode`]; None for anything else.
    pub fn decode(cursor: &str) -> Option<PatientCursor> {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(cursor.trim())
            .ok()?;
        let value: Value = serde_json::from_slice(&bytes).ok()?;
        let parts = value.as_array()?;
        match (parts.first()?.as_str()?, parts.len()) {
            ("n", 3) => Some(PatientCursor::Newest {
                created_at: jiff::Timestamp::from_microsecond(parts[1].as_i64()?).ok()?,
                patient_id: parts[2].as_i64()?,
            }),
            ("r", 5) => Some(PatientCursor::Ranked {
                rank: u8::try_from(parts[1].as_u64()?).ok().filter(|r| *r <= 1)?,
                last_name_key: parts[2].as_str()?.to_owned(),
                first_name_key: parts[3].as_str()?.to_owned(),
                patient_id: parts[4].as_i64()?,
            }),
            _ => None,
        }
    }

    fn names(&self) -> Option<(u8, NameKeyset)> {
        match self {
            PatientCursor::Ranked {
                rank,
                last_name_key,
                first_name_key,
                patient_id,
            } => Some((
                *rank,
                NameKeyset {
                    last_name_key: last_name_key.clone(),
                    first_name_key: first_name_key.clone(),
                    patient_id: *patient_id,
                },
            )),
            PatientCursor::Newest { .. } => None,
        }
    }
}

/// What a search query is, by its shape (`domain.md`, "Patient search").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchKind {
    /// No query (or a blank one): every patient, newest first.
    All,
    /// Two Mongolian letters and eight digits: that register number exactly (normalised).
    RegisterNumber(String),
    /// A phone number: that number exactly (normalised).
    Phone(String),
    /// 4 to 7 digits: phone numbers starting with them.
    PhonePrefix(String),
    /// Anything else: first or last name keys starting with this key.
    Name(String),
}


impl SearchKind {
    /// The kind of a query.
    pub fn of(query: Option<&str>) -> SearchKind {
        let Some(query) = query.map(str::trim).filter(|q| !q.is_empty()) else {
            return SearchKind::All;
        };
        if let Some(number) = RegisterNumber::shape_of(query) {
            return SearchKind::RegisterNumber(number);
        }
        if let Ok(phone) = Phone::parse(query) {
            return SearchKind::Phone(phone.as_str().to_owned());
        }
        if let Some(digits) = digits_prefix(query) {
            return SearchKind::PhonePrefix(digits);
        }
        SearchKind::Name(name_key(query))
    }
}

/// The longest search query: longer than any name, number or phone.
pub const SEARCH_MAX_CHARS: usize = 100;

/// One page of patients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientPage {
    pub items: Vec<Patient>,
    /// Where the next page starts; None on the last page.
    pub next_cursor: Option<PatientCursor>,
}

fn wrong_cursor() -> ServiceError {
    ServiceError::invalid("cursor", "this cursor belongs to another query")
}

/// Patients matching `query` (`domain.md`, "Patient search"), `limit` at a time: a register
/// number exactly, a phone number exactly, 4 to 7 digits as the start of a phone number,
/// anything else as the start of a last name (rank 0) or, failing that, of a first name
/// (rank 1); ordered by (rank, last name key, first name key, id). Without a query, every
/// patient, newest first. Every shape is one index-backed statement (two for a name
/// search that crosses from rank 0 to rank 1). Searches are not audited (no record is
/// opened).
pub async fn search(
    store: &Store,
    query: Option<&str>,
    cursor: Option<&PatientCursor>,
    limit: u64,
) -> Result<PatientPage, ServiceError> {
    if query.is_some_and(|q| q.chars().count() > SEARCH_MAX_CHARS) {
        return Err(ServiceError::Invalid(vec![
            FieldError::coded(
                "q",
                "too-long",
                format!("must be at most {SEARCH_MAX_CHARS} characters"),
            )
            .arg("max", SEARCH_MAX_CHARS),
        ]));
    }
    let limit = limit.max(1);
    let db = store.connection();
    let names_after =
        |cursor: Option<&PatientCursor>| -> Result<(u8, Option<NameKeyset>), ServiceError> {
            match cursor {
                None => Ok((0, None)),
                Some(c) => c
                    .names()
                    .map(|(r, k)| (r, Some(k)))
                    .ok_or_else(wrong_cursor),
            }
        };
    // Rows with their rank, one more than a page to know whether another follows.
    let mut rows: Vec<(u8, patient::Model)> = Vec::new();
    let fetch = limit + 1;
    match SearchKind::of(query) {
        SearchKind::All => {
            let after = match cursor {
                None => None,
                Some(PatientCursor::Newest {
                    created_at,
                    patient_id,
                }) => Some(NewestKeyset {
                    created_at: to_db(*created_at),
                    patient_id: *patient_id,
                }),
                Some(_) => return Err(wrong_cursor()),
            };
            let found = repo::query(db, &PatientQuery::Newest { after }, fetch).await?;
            rows.extend(found.into_iter().map(|p| (0, p)));
        }
        SearchKind::Name(prefix) => {
            let (rank, after) = names_after(cursor)?;
            if rank == 0 {
                let q = PatientQuery::LastNamePrefix {
                    prefix: prefix.clone(),
                    after,
                };
                rows.extend(
                    repo::query(db, &q, fetch)
                        .await?
                        .into_iter()
                        .map(|p| (0, p)),
                );
            }
            let missing = fetch - rows.len() as u64;
            if missing > 0 {
                let q = PatientQuery::FirstNameOnlyPrefix {
                    prefix,
                    after: if rank == 1 {
                        names_after(cursor)?.1
                    } else {
                        None
                    },
                };
                rows.extend(
                    repo::query(db, &q, missing)
                        .await?
                        .into_iter()
                        .map(|p| (1, p)),
                );
            }
        }
        kind => {
            let (rank, after) = names_after(cursor)?;
            if rank != 0 {
                return Err(wrong_cursor());
            }
            let q = match kind {
                SearchKind::RegisterNumber(register_number) => PatientQuery::RegisterNumber {
                    register_number,
                    after,
                },
                SearchKind::Phone(number) => PatientQuery::Phone {
                    phone: PhoneMatch::Exact(number),
                    after,
                },
                SearchKind::PhonePrefix(digits) => PatientQuery::Phone {
                    phone: PhoneMatch::Prefix(digits),
                    after,
                },
                SearchKind::All | SearchKind::Name(_) => {
                    return Err(ServiceError::Internal("unreachable search kind".into()));
                }
            };
            rows.extend(
                repo::query(db, &q, fetch)
                    .await?
                    .into_iter()
                    .map(|p| (0, p)),
            );
        }
    }

    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more {
        rows.last().map(|(rank, p)| match SearchKind::of(query) {
            SearchKind::All => PatientCursor::Newest {
                created_at: from_db(p.created_at),
                patient_id: p.patient_id,
            },
            _ => PatientCursor::Ranked {
                rank: *rank,
                last_name_key: p.last_name_key.clone(),
                first_name_key: p.first_name_key.clone(),
                patient_id: p.patient_id,
            },
        })
    } else {
        None
    };
    let ids: Vec<i64> = rows.iter().map(|(_, p)| p.patient_id).collect();
    let mut phones: HashMap<i64, Vec<patient_phone::Model>> = HashMap::new();
    for phone in repo::phones_of_many(db, &ids).await? {
        phones.entry(phone.patient_id).or_default().push(phone);
    }
    let clock = Clock::now(store).await?;
    let items = rows
        .into_iter()
        .map(|(_, p)| {
            let own = phones.remove(&p.patient_id).unwrap_or_default();
            clock.patient(p, own)
        })
        .collect();
    Ok(PatientPage { items, next_cursor })
}

// --- status refresh ---------------------------------------------------------------------

/// The first instant of `date` in `zone`.
fn start_of(date: Date, zone: &jiff::tz::TimeZone) -> Result<jiff::Timestamp, ServiceError> {
    date.to_zoned(zone.clone())
        .and_then(|z| z.start_of_day())
        .map(|z| z.timestamp())
        .map_err(|e| ServiceError::Internal(format!("the start of {date}: {e}")))
}

/// Recomputes the stored `status` of every patient for `today` in the clinic's time zone,
/// from the last visit (`last_seen_at`, or `created_at` when there was none), exactly as
/// [`PatientStatus::from_last_visit`] does when a patient is read: so plain SQL on the
/// column agrees with the API. Works through the patients by id, [`REFRESH_BATCH`] at a time,
/// one short transaction per batch, each status set by one `UPDATE` comparing the last visit
/// with the first instant of the period's first day. Not audited: the column is derived, no
/// fact changes. Returns how many rows changed.
pub async fn refresh_statuses(store: &Store, today: Date) -> Result<u64, ServiceError> {
    let zone = settings::get(store).await?.time_zone();
    // Each status holds from the first instant of its period's first day (the domain's
    // periods) up to the next newer one's.
    let mut periods = Vec::new();
    let mut until = None;
    for (status, first_day) in PatientStatus::period_starts(today) {
        let since = to_db(start_of(first_day, &zone)?);
        periods.push((Some(since), until, status));
        until = Some(since);
    }
    periods.push((None, until, PatientStatus::Older));
    let Some(max_id) = repo::max_id(store.connection()).await? else {
        return Ok(0);
    };
    let mut changed = 0;
    let mut from = 0;
    while from <= max_id {
        let to = from.saturating_add(REFRESH_BATCH);
        let txn = store.begin_write().await?;
        for &(since, until, status) in &periods {
            changed +=
                repo::set_status_where_last_visit(&txn, (from, to), since, until, status.code())
                    .await?;
        }
        txn.commit().await.map_err(ServiceError::from)?;
        from = to;
    }
    Ok(changed)
}

/// Refreshes the stored statuses for today in the clinic's time zone.
async fn refresh_now(store: &Store) -> Result<u64, ServiceError> {
    let today = settings::get(store).await?.now_local().date();
    refresh_statuses(store, today).await
}

/// The background task that refreshes the stored statuses at start-up and then every
/// [`REFRESH_PERIOD`]. Stop it with [`StatusRefresher::shutdown`] (dropping it stops it too).
#[derive(Debug)]
pub struct StatusRefresher {
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl StatusRefresher {
    /// Starts the task (inside a Tokio runtime).
    pub fn start(store: Store, period: Duration) -> StatusRefresher {
        let (stop, mut stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(period);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = &mut stopped => return,
                    _ = ticks.tick() => {}
                }
                // A refresh cut short by shutdown loses nothing: each batch is its own
                // transaction, and an unfinished one rolls back.
                tokio::select! {
                    _ = &mut stopped => return,
                    result = refresh_now(&store) => match result {
                        Ok(changed) => tracing::info!(changed, "patient statuses refreshed"),
                        Err(e) => tracing::error!(error = %e, "refreshing patient statuses failed"),
                    },
                }
            }
        });
        StatusRefresher {
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops the task and waits for it to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take()
            && let Err(e) = task.await
        {
            tracing::error!(error = %e, "the patient status task failed");
        }
    }
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
    fn query_kinds() {
        use SearchKind::*;
        assert_eq!(SearchKind::of(None), All);
        assert_eq!(SearchKind::of(Some("  ")), All);
        assert_eq!(
            SearchKind::of(Some(" уб 85031512")),
            RegisterNumber("УБ85031512".into())
        );
        assert_eq!(
            SearchKind::of(Some("єв12301260")),
            RegisterNumber("ӨВ12301260".into())
        );
        // Shaped like one, even when no such date exists: an exact match finds nobody.
        assert_eq!(
            SearchKind::of(Some("УБ85131512")),
            RegisterNumber("УБ85131512".into())
        );
        assert_eq!(
            SearchKind::of(Some("UB85031512")),
            Name("ub85031512".into())
        );
        assert_eq!(
            SearchKind::of(Some("+976 9911-2233")),
            Phone("99112233".into())
        );
        assert_eq!(SearchKind::of(Some("99112233")), Phone("99112233".into()));
        assert_eq!(
            SearchKind::of(Some("+7 912 345 67 89")),
            Phone("+79123456789".into())
        );
        assert_eq!(SearchKind::of(Some("9911")), PhonePrefix("9911".into()));
        assert_eq!(
            SearchKind::of(Some("99-11-223")),
            PhonePrefix("9911223".into())
        );
        assert_eq!(SearchKind::of(Some("991")), Name("991".into()));
        assert_eq!(SearchKind::of(Some(" ЄНХ ")), Name("өнх".into()));
        assert_eq!(SearchKind::of(Some("Ї")), Name("ү".into()));
        assert_eq!(SearchKind::of(Some("a%_\\")), Name("a%_\\".into()));
    }

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        let cursors = [
            PatientCursor::Newest {
                created_at: "2026-01-02T03:04:05.123456Z".parse().unwrap(),
                patient_id: 7,
            },
            PatientCursor::Ranked {
                rank: 1,
                last_name_key: "бат%_\\".into(),
                first_name_key: "өлзий".into(),
                patient_id: 42,
            },
        ];
        for c in cursors {
            assert_eq!(PatientCursor::decode(&c.encode()), Some(c));
        }
        for bad in ["", "x", "WyJyIiw5LCJhIiwiYiIsMV0", "bnVsbA", "WyJuIl0"] {
            assert_eq!(PatientCursor::decode(bad), None, "{bad}");
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
