//! The clinic's settings: name and code, time zone, weekly opening hours, tooth notation,
//! language, the SMS reminders (on/off, hour, template) and reply confirmations, and how long
//! sessions last. One row; reading needs the settings capability, changing it writes and audits
//! in one transaction.

use super::audit::{AuditTrail, changes};
use super::{Actor, FieldError, ServiceError};
use dcms_domain::{
    ClinicCode, ClinicName, Language, OpeningHours, OpeningHoursError, REMINDER_PLACEHOLDERS,
    REMINDER_TEMPLATE_MAX, SessionLimit, SessionLimits, TemplateError, TimeZoneName, ToothSystem,
    parse_template, weekday_key,
};
use dcms_store::audit::AuditEntry;
use dcms_store::entity::settings;
use dcms_store::settings::SETTINGS_ID;
use dcms_store::time::from_db;
use dcms_store::{Store, settings as repo};
use serde_json::{Value, json};

/// The clinic's settings, every field validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClinicSettings {
    /// 1 to 255 characters, trimmed ([`ClinicName`]).
    pub clinic_name: String,
    /// "" or up to 32 Latin letters, digits, `-` and `_` ([`ClinicCode`]).
    pub clinic_code: String,
    pub time_zone: TimeZoneName,
    pub opening_hours: OpeningHours,
    pub tooth_notation: ToothSystem,
    pub language: Language,
    /// Whether the day-before reminders are queued.
    pub reminder_enabled: bool,
    /// The local hour (0-23), the day before, from which reminders are queued.
    pub reminder_hour: i8,
    /// The reminder's text with `{patient}`, `{date}`, `{time}`, `{doctor}`, `{clinic}`.
    pub reminder_template: String,
    /// Whether a reply "1" or "тийм" confirms the reminded appointment.
    pub sms_confirm_replies: bool,
    /// How long sessions may stay unused and live, per session type.
    pub sessions: SessionLimits,
    /// How many days an estimate's prices hold (1 to 365).
    pub estimate_valid_days: i32,
    /// The address and phones printed on estimates (one line, at most 300 characters).
    pub clinic_contacts: Option<String>,
    /// The largest attachment accepted, in MiB (1 to 200).
    pub attachment_limit_mib: i32,
    /// The recall SMS with `{patient}`, `{service}`, `{date}`, `{clinic}`.
    pub recall_template: String,
    /// A discount above this percent of the list price is a manager's or an admin's.
    pub discount_threshold_percent: i32,
    /// How payments are receipted through the clinic's PosAPI (e-barimt).
    pub ebarimt: super::ebarimt::EbarimtSettings,
    pub updated_at: jiff::Timestamp,
}

/// How long sessions last (read with every request: the cached row, without parsing the
/// rest of it).
pub async fn sessions(store: &Store) -> Result<SessionLimits, ServiceError> {
    let row = repo::load_cached(store).await?;
    session_limits(&row).map_err(|(field, e)| {
        ServiceError::Internal(format!("the stored setting {field} is invalid: {e}"))
    })
}

/// The session limits of a stored row, each pair as its columns name it.
fn session_limits(row: &settings::Model) -> Result<SessionLimits, (String, String)> {
    let limit = |kind: &str, idle: i32, max: i32| {
        SessionLimit::new(i64::from(idle), i64::from(max)).map_err(|(which, message)| {
            let column = match which {
                "idle_minutes" => format!("{kind}_session_idle_minutes"),
                _ => format!("{kind}_session_max_hours"),
            };
            (column, message)
        })
    };
    Ok(SessionLimits {
        staff: limit(
            "staff",
            row.staff_session_idle_minutes,
            row.staff_session_max_hours,
        )?,
        hq: limit("hq", row.hq_session_idle_minutes, row.hq_session_max_hours)?,
        patient: limit(
            "patient",
            row.patient_session_idle_minutes,
            row.patient_session_max_hours,
        )?,
    })
}

impl ClinicSettings {
    /// Reads a stored row; a value that no longer passes its rule (edited behind the
    /// application's back, or a time zone the system's database no longer has) is named.
    pub fn from_row(row: &settings::Model) -> Result<ClinicSettings, ServiceError> {
        let stored = |field: &str, e: &dyn std::fmt::Display| {
            ServiceError::Internal(format!("the stored setting {field} is invalid: {e}"))
        };
        Ok(ClinicSettings {
            clinic_name: ClinicName::parse(&row.clinic_name)
                .map_err(|e| stored("clinic_name", &e))?
                .as_str()
                .to_owned(),
            clinic_code: ClinicCode::parse(&row.clinic_code)
                .map_err(|e| stored("clinic_code", &e))?
                .as_str()
                .to_owned(),
            time_zone: TimeZoneName::parse(&row.time_zone).map_err(|e| stored("time_zone", &e))?,
            opening_hours: OpeningHours::parse_json(&row.opening_hours)
                .map_err(|e| stored("opening_hours", &e))?,
            tooth_notation: ToothSystem::from_code(row.tooth_notation).ok_or_else(|| {
                stored(
                    "tooth_notation",
                    &format!("unknown code {}", row.tooth_notation),
                )
            })?,
            language: Language::parse(&row.language).map_err(|e| stored("language", &e))?,
            reminder_enabled: row.reminder_enabled,
            reminder_hour: i8::try_from(row.reminder_hour)
                .ok()
                .filter(|h| (0..=23).contains(h))
                .ok_or_else(|| stored("reminder_hour", &row.reminder_hour))?,
            reminder_template: row.reminder_template.clone(),
            sms_confirm_replies: row.sms_confirm_replies,
            sessions: session_limits(row).map_err(|(field, e)| stored(&field, &e))?,
            estimate_valid_days: row.estimate_valid_days,
            clinic_contacts: row.clinic_contacts.clone(),
            attachment_limit_mib: row.attachment_limit_mib,
            recall_template: row.recall_template.clone(),
            discount_threshold_percent: row.discount_threshold_percent,
            ebarimt: super::ebarimt::EbarimtSettings::from_row(row),
            updated_at: from_db(row.updated_at),
        })
    }

    /// The clinic's time zone.
    pub fn time_zone(&self) -> jiff::tz::TimeZone {
        self.time_zone.time_zone()
    }

    /// The current instant in the clinic's time zone.
    pub fn now_local(&self) -> jiff::Zoned {
        jiff::Timestamp::now().to_zoned(self.time_zone())
    }

    /// An instant in the clinic's time zone.
    pub fn local(&self, at: jiff::Timestamp) -> jiff::Zoned {
        at.to_zoned(self.time_zone())
    }

    /// Whether the clinic is open at an instant (by its opening hours in its time zone).
    pub fn is_open_at(&self, at: jiff::Timestamp) -> bool {
        let local = self.local(at);
        self.opening_hours.is_open_at(local.weekday(), local.time())
    }
}

/// What a change of the settings asks for: each field as the client sent it (`None`: leave
/// it), validated by [`update`].
#[derive(Debug, Clone, Default)]
pub struct SettingsChanges {
    pub clinic_name: Option<String>,
    pub clinic_code: Option<String>,
    /// An IANA time zone name.
    pub time_zone: Option<String>,
    /// `{"mon": [["09:00","13:00"], ...], ..., "sun": []}`.
    pub opening_hours: Option<Value>,
    /// A tooth notation name: `fdi`, `universal`, `palmer`.
    pub tooth_notation: Option<String>,
    /// `mn` or `en`.
    pub language: Option<String>,
    pub reminder_enabled: Option<bool>,
    /// 0 to 23.
    pub reminder_hour: Option<i64>,
    /// 1 to 480 characters; placeholders `{patient}`, `{date}`, `{time}`, `{doctor}`, `{clinic}`.
    pub reminder_template: Option<String>,
    pub sms_confirm_replies: Option<bool>,
    /// Session limits: minutes unused and hours at most, per session type.
    pub staff_session_idle_minutes: Option<i64>,
    pub staff_session_max_hours: Option<i64>,
    pub hq_session_idle_minutes: Option<i64>,
    pub hq_session_max_hours: Option<i64>,
    pub patient_session_idle_minutes: Option<i64>,
    pub patient_session_max_hours: Option<i64>,
    /// 1 to 365.
    pub estimate_valid_days: Option<i64>,
    /// One line, at most 300 characters; blank clears it.
    pub clinic_contacts: Option<String>,
    /// 1 to 200.
    pub attachment_limit_mib: Option<i64>,
    /// 1 to 480 characters; placeholders `{patient}`, `{service}`, `{date}`, `{clinic}`.
    pub recall_template: Option<String>,
    /// 0 to 100.
    pub discount_threshold_percent: Option<i64>,
    /// The PosAPI settings (checked against what is stored: enabling needs them all).
    pub ebarimt: Option<super::ebarimt::EbarimtChanges>,
}

/// The audited fields of the settings row, as the API names them.
fn audited(row: &settings::Model) -> Value {
    json!({
        "clinic_name": row.clinic_name,
        "clinic_code": row.clinic_code,
        "time_zone": row.time_zone,
        "opening_hours": serde_json::from_str::<Value>(&row.opening_hours)
            .unwrap_or_else(|_| Value::String(row.opening_hours.clone())),
        "tooth_notation": ToothSystem::from_code(row.tooth_notation)
            .map_or_else(|| json!(row.tooth_notation), |t| json!(t.as_str())),
        "language": row.language,
        "reminder_enabled": row.reminder_enabled,
        "reminder_hour": row.reminder_hour,
        "reminder_template": row.reminder_template,
        "sms_confirm_replies": row.sms_confirm_replies,
        "staff_session_idle_minutes": row.staff_session_idle_minutes,
        "staff_session_max_hours": row.staff_session_max_hours,
        "hq_session_idle_minutes": row.hq_session_idle_minutes,
        "hq_session_max_hours": row.hq_session_max_hours,
        "patient_session_idle_minutes": row.patient_session_idle_minutes,
        "patient_session_max_hours": row.patient_session_max_hours,
        "estimate_valid_days": row.estimate_valid_days,
        "clinic_contacts": row.clinic_contacts,
        "attachment_limit_mib": row.attachment_limit_mib,
        "recall_template": row.recall_template,
        "discount_threshold_percent": row.discount_threshold_percent,
        "ebarimt": super::ebarimt::config::audited(row),
    })
}

/// The field an opening-hours error is reported on: `opening_hours.mon` for one weekday,
/// `opening_hours` otherwise.
fn opening_hours_field(e: &OpeningHoursError) -> String {
    match e.weekday() {
        Some(day) => format!("opening_hours.{}", weekday_key(day)),
        None => "opening_hours".to_owned(),
    }
}

/// The changes asked for, every one valid.
#[derive(Debug, Clone, Default)]
struct Valid {
    clinic_name: Option<ClinicName>,
    clinic_code: Option<ClinicCode>,
    time_zone: Option<TimeZoneName>,
    opening_hours: Option<OpeningHours>,
    tooth_notation: Option<ToothSystem>,
    language: Option<Language>,
    reminder_enabled: Option<bool>,
    reminder_hour: Option<i32>,
    reminder_template: Option<String>,
    sms_confirm_replies: Option<bool>,
    /// `(column, value)` of the session limits asked for, each within its range.
    session_limits: Vec<(&'static str, i32)>,
    estimate_valid_days: Option<i32>,
    /// `Some(None)` clears the contacts.
    clinic_contacts: Option<Option<String>>,
    attachment_limit_mib: Option<i32>,
    recall_template: Option<String>,
    discount_threshold_percent: Option<i32>,
}

/// Parses one field if it was given; an error is added to `errors` under `field`.
fn field<T, E: std::fmt::Display>(
    errors: &mut Vec<FieldError>,
    field: &str,
    input: Option<String>,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Option<T> {
    match parse(input.as_deref()?) {
        Ok(value) => Some(value),
        Err(e) => {
            errors.push(FieldError::new(field, e));
            None
        }
    }
}

/// A reminder template as it will be stored (trimmed), or the reason it is refused.
fn check_reminder_template(template: &str) -> Result<String, FieldError> {
    check_template("reminder_template", template, REMINDER_PLACEHOLDERS)
}

/// An SMS template of `field` with the placeholders `allowed`, as it will be stored
/// (trimmed), or the reason it is refused.
fn check_template(field: &str, template: &str, allowed: &[&str]) -> Result<String, FieldError> {
    let template = template.trim();
    let length = template.chars().count();
    if length == 0 || length > REMINDER_TEMPLATE_MAX {
        return Err(FieldError::coded(
            field,
            "length",
            format!("must be 1 to {REMINDER_TEMPLATE_MAX} characters"),
        )
        .arg("min", 1)
        .arg("max", REMINDER_TEMPLATE_MAX));
    }
    let names = allowed
        .iter()
        .map(|p| format!("{{{p}}}"))
        .collect::<Vec<_>>()
        .join(", ");
    match parse_template(template, allowed) {
        Ok(_) => Ok(template.to_owned()),
        Err(TemplateError::Unknown(name)) => Err(FieldError::coded(
            field,
            "sms-template-placeholder",
            format!("unknown placeholder {{{name}}}: use {names}"),
        )
        .arg("name", format!("{{{name}}}"))),
        Err(TemplateError::Unclosed) => Err(FieldError::coded(
            field,
            "sms-template-brace",
            "a '{' without its '}'",
        )),
    }
}

/// Validates every field asked for, reporting all invalid ones together.
fn validate(asked: SettingsChanges) -> Result<Valid, ServiceError> {
    let mut errors = Vec::new();
    let e = &mut errors;
    let valid = Valid {
        clinic_name: field(e, "clinic_name", asked.clinic_name, ClinicName::parse),
        clinic_code: field(e, "clinic_code", asked.clinic_code, ClinicCode::parse),
        time_zone: field(e, "time_zone", asked.time_zone, TimeZoneName::parse),
        tooth_notation: field(e, "tooth_notation", asked.tooth_notation, |s| {
            s.trim().parse::<ToothSystem>()
        }),
        language: field(e, "language", asked.language, |s| Language::parse(s.trim())),
        reminder_enabled: asked.reminder_enabled,
        reminder_hour: asked
            .reminder_hour
            .and_then(|hour| match i32::try_from(hour) {
                Ok(h) if (0..=23).contains(&h) => Some(h),
                _ => {
                    e.push(FieldError::coded(
                        "reminder_hour",
                        "reminder-hour",
                        "must be an hour from 0 to 23",
                    ));
                    None
                }
            }),
        reminder_template: asked.reminder_template.and_then(
            |template| match check_reminder_template(&template) {
                Ok(valid) => Some(valid),
                Err(err) => {
                    e.push(err);
                    None
                }
            },
        ),
        sms_confirm_replies: asked.sms_confirm_replies,
        recall_template: asked.recall_template.and_then(|template| {
            match check_template(
                "recall_template",
                &template,
                dcms_domain::RECALL_PLACEHOLDERS,
            ) {
                Ok(valid) => Some(valid),
                Err(err) => {
                    e.push(err);
                    None
                }
            }
        }),
        estimate_valid_days: asked
            .estimate_valid_days
            .and_then(|days| match i32::try_from(days) {
                Ok(d) if (1..=365).contains(&d) => Some(d),
                _ => {
                    e.push(
                        FieldError::coded("estimate_valid_days", "range", "must be 1 to 365 days")
                            .arg("min", 1)
                            .arg("max", 365),
                    );
                    None
                }
            }),
        attachment_limit_mib: asked
            .attachment_limit_mib
            .and_then(|mib| match i32::try_from(mib) {
                Ok(m) if (1..=200).contains(&m) => Some(m),
                _ => {
                    e.push(
                        FieldError::coded("attachment_limit_mib", "range", "must be 1 to 200 MiB")
                            .arg("min", 1)
                            .arg("max", 200),
                    );
                    None
                }
            }),
        discount_threshold_percent: asked.discount_threshold_percent.and_then(|p| {
            match i32::try_from(p) {
                Ok(p) if (0..=100).contains(&p) => Some(p),
                _ => {
                    e.push(
                        FieldError::coded(
                            "discount_threshold_percent",
                            "range",
                            "must be 0 to 100",
                        )
                        .arg("min", 0)
                        .arg("max", 100),
                    );
                    None
                }
            }
        }),
        clinic_contacts: asked
            .clinic_contacts
            .and_then(|text| super::fields::optional_text(e, "clinic_contacts", Some(&text), 300)),
        session_limits: [
            (
                "staff_session_idle_minutes",
                asked.staff_session_idle_minutes,
            ),
            ("staff_session_max_hours", asked.staff_session_max_hours),
            ("hq_session_idle_minutes", asked.hq_session_idle_minutes),
            ("hq_session_max_hours", asked.hq_session_max_hours),
            (
                "patient_session_idle_minutes",
                asked.patient_session_idle_minutes,
            ),
            ("patient_session_max_hours", asked.patient_session_max_hours),
        ]
        .into_iter()
        .filter_map(|(column, value)| {
            let value = value?;
            let (range, unit) = if column.ends_with("minutes") {
                (dcms_domain::IDLE_MINUTES_RANGE, "minutes")
            } else {
                (dcms_domain::MAX_HOURS_RANGE, "hours")
            };
            match i32::try_from(value) {
                Ok(v) if range.contains(&value) => Some((column, v)),
                _ => {
                    e.push(
                        FieldError::coded(
                            column,
                            "range",
                            format!("must be {} to {} {unit}", range.start(), range.end()),
                        )
                        .arg("min", range.start())
                        .arg("max", range.end()),
                    );
                    None
                }
            }
        })
        .collect(),
        opening_hours: asked.opening_hours.and_then(|value| {
            match OpeningHours::from_value(&value) {
                Ok(hours) => Some(hours),
                Err(err) => {
                    e.push(FieldError::new(opening_hours_field(&err), err));
                    None
                }
            }
        }),
    };
    if errors.is_empty() {
        Ok(valid)
    } else {
        Err(ServiceError::Invalid(errors))
    }
}

/// Writes valid changes into a row.
fn apply(row: &mut settings::Model, valid: Valid) {
    if let Some(v) = valid.clinic_name {
        row.clinic_name = v.as_str().to_owned();
    }
    if let Some(v) = valid.clinic_code {
        row.clinic_code = v.as_str().to_owned();
    }
    if let Some(v) = valid.time_zone {
        row.time_zone = v.as_str().to_owned();
    }
    if let Some(v) = valid.opening_hours {
        row.opening_hours = v.to_json();
    }
    if let Some(v) = valid.tooth_notation {
        row.tooth_notation = v.code();
    }
    if let Some(v) = valid.language {
        row.language = v.as_str().to_owned();
    }
    if let Some(v) = valid.reminder_enabled {
        row.reminder_enabled = v;
    }
    if let Some(v) = valid.reminder_hour {
        row.reminder_hour = v;
    }
    if let Some(v) = valid.reminder_template {
        row.reminder_template = v;
    }
    if let Some(v) = valid.sms_confirm_replies {
        row.sms_confirm_replies = v;
    }
    if let Some(v) = valid.estimate_valid_days {
        row.estimate_valid_days = v;
    }
    if let Some(v) = valid.clinic_contacts {
        row.clinic_contacts = v;
    }
    if let Some(v) = valid.attachment_limit_mib {
        row.attachment_limit_mib = v;
    }
    if let Some(v) = valid.recall_template {
        row.recall_template = v;
    }
    if let Some(v) = valid.discount_threshold_percent {
        row.discount_threshold_percent = v;
    }
    for (column, value) in valid.session_limits {
        let field = match column {
            "staff_session_idle_minutes" => &mut row.staff_session_idle_minutes,
            "staff_session_max_hours" => &mut row.staff_session_max_hours,
            "hq_session_idle_minutes" => &mut row.hq_session_idle_minutes,
            "hq_session_max_hours" => &mut row.hq_session_max_hours,
            "patient_session_idle_minutes" => &mut row.patient_session_idle_minutes,
            _ => &mut row.patient_session_max_hours,
        };
        *field = value;
    }
}

/// The clinic's settings.
pub async fn get(store: &Store) -> Result<ClinicSettings, ServiceError> {
    ClinicSettings::from_row(&repo::load_cached(store).await?)
}

/// Changes the settings asked for. Every field is validated first and all invalid fields
/// are reported together (422, nothing changed). The change and its audit entry
/// (`{field: [old, new]}` of the fields that changed) are written in one transaction; a
/// change that changes nothing writes nothing.
pub async fn update(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    mut asked: SettingsChanges,
) -> Result<ClinicSettings, ServiceError> {
    let ebarimt = asked.ebarimt.take();
    // Validated before the write lock is taken: a bad request never waits for it.
    let valid = validate(asked)?;
    let txn = store.begin_write().await?;
    let before = repo::load_for_update(&txn).await?;
    let mut row = before.clone();
    apply(&mut row, valid);
    if let Some(ebarimt) = ebarimt {
        let mut errors = Vec::new();
        super::ebarimt::config::apply(&mut errors, &ebarimt, &mut row);
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
    }
    // Together with what is stored: an idle time no longer than the lifetime.
    if let Err((field, message)) = session_limits(&row) {
        return Err(ServiceError::invalid_coded(FieldError::coded(
            field,
            "session-idle-longer",
            message,
        )));
    }
    let Some(diff) = changes(Some(&audited(&before)), Some(&audited(&row)), &[]) else {
        txn.commit().await.map_err(ServiceError::from)?;
        return ClinicSettings::from_row(&before);
    };
    let saved = repo::save(&txn, row).await?;
    let entry = AuditEntry::new("update", "settings", Some(SETTINGS_ID)).with_changes(Some(diff));
    audit.record(&txn, actor.stamp(entry)).await?;
    // Refuse to commit what could not be read back.
    let settings = ClinicSettings::from_row(&saved)?;
    let committed = txn.commit().await;
    // Whatever the commit's outcome, the next read goes to the database.
    repo::forget_cached(store);
    committed.map_err(ServiceError::from)?;
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> settings::Model {
        settings::Model {
            settings_id: 1,
            clinic_name: "DCMS".into(),
            clinic_code: String::new(),
            time_zone: "Asia/Ulaanbaatar".into(),
            opening_hours: OpeningHours::default().to_json(),
            tooth_notation: ToothSystem::Fdi.code(),
            language: "mn".into(),
            reminder_enabled: false,
            reminder_hour: 18,
            reminder_template: "{patient}".into(),
            sms_confirm_replies: false,
            staff_session_idle_minutes: 60,
            staff_session_max_hours: 12,
            hq_session_idle_minutes: 1440,
            hq_session_max_hours: 720,
            patient_session_idle_minutes: 1440,
            patient_session_max_hours: 720,
            estimate_valid_days: 90,
            clinic_contacts: None,
            attachment_limit_mib: 25,
            discount_threshold_percent: 10,
            ebarimt_enabled: false,
            ebarimt_url: None,
            ebarimt_merchant_tin: None,
            ebarimt_pos_no: None,
            ebarimt_branch_no: None,
            ebarimt_district_code: None,
            ebarimt_default_tax_type: "VAT_FREE".into(),
            ebarimt_data_sent_on: None,
            recall_template: "{patient}".into(),
            updated_at: dcms_store::time::now(),
        }
    }

    fn fields(err: ServiceError) -> Vec<String> {
        match err {
            ServiceError::Invalid(errors) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn templates_are_checked() {
        assert_eq!(
            check_reminder_template("  Сайн уу {patient} ").unwrap(),
            "Сайн уу {patient}"
        );
        let e = check_reminder_template("{patient} {phone}").unwrap_err();
        assert_eq!(e.code, Some("sms-template-placeholder"));
        assert!(e.message.contains("{phone}"));
        assert_eq!(
            check_reminder_template("   ").unwrap_err().code,
            Some("length")
        );
        assert_eq!(
            check_reminder_template(&"я".repeat(481)).unwrap_err().code,
            Some("length")
        );
        assert!(check_reminder_template(&"я".repeat(480)).is_ok());
        assert!(
            check_reminder_template(
                dcms_store::migration::m20261130_000003_sms_settings::DEFAULT_REMINDER_TEMPLATE
            )
            .is_ok()
        );
    }

    #[test]
    fn every_invalid_field_is_reported() {
        let err = validate(SettingsChanges {
            clinic_name: Some("  ".into()),
            clinic_code: Some("УБ 1".into()),
            time_zone: Some("Mars/Olympus".into()),
            opening_hours: Some(json!({"mon": [["09:00", "13:00"], ["12:00", "18:00"]],
                    "tue": [], "wed": [], "thu": [], "fri": [], "sat": [], "sun": []})),
            tooth_notation: Some("roman".into()),
            language: Some("fr".into()),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(
            fields(err),
            [
                "clinic_name",
                "clinic_code",
                "time_zone",
                "tooth_notation",
                "language",
                "opening_hours.mon"
            ]
        );
        let err = validate(SettingsChanges {
            opening_hours: Some(json!([])),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(fields(err), ["opening_hours"]);
    }

    #[test]
    fn valid_fields_are_normalised() {
        let mut r = row();
        let valid = validate(SettingsChanges {
            clinic_name: Some(" Гэгээн шүд ".into()),
            clinic_code: Some(" HOV-2 ".into()),
            time_zone: Some("asia/hovd".into()),
            opening_hours: Some(json!({"mon": [["14:00", "19:00"], ["09:00", "13:00"]],
                    "tue": [], "wed": [], "thu": [], "fri": [], "sat": [], "sun": []})),
            tooth_notation: Some("palmer".into()),
            language: Some("en".into()),
            ..Default::default()
        })
        .unwrap();
        apply(&mut r, valid);
        assert_eq!(r.clinic_name, "Гэгээн шүд");
        assert_eq!(r.clinic_code, "HOV-2");
        assert_eq!(r.time_zone, "Asia/Hovd");
        assert!(
            r.opening_hours
                .starts_with(r#"{"mon":[["09:00","13:00"],["14:00","19:00"]]"#)
        );
        assert_eq!(r.tooth_notation, ToothSystem::Palmer.code());
        assert_eq!(r.language, "en");
        let settings = ClinicSettings::from_row(&r).unwrap();
        assert_eq!(settings.time_zone().iana_name(), Some("Asia/Hovd"));
        assert_eq!(settings.now_local().offset().seconds(), 7 * 3600);
        let monday_10_hovd: jiff::Timestamp = "2025-06-09T03:00:00Z".parse().unwrap();
        assert!(settings.is_open_at(monday_10_hovd));
        let monday_13_30_hovd: jiff::Timestamp = "2025-06-09T06:30:00Z".parse().unwrap();
        assert!(!settings.is_open_at(monday_13_30_hovd));
    }

    #[test]
    fn audit_diff_names_only_changed_fields() {
        let before = row();
        let mut after = row();
        after.tooth_notation = ToothSystem::Universal.code();
        after.updated_at = dcms_store::time::now();
        let diff = changes(Some(&audited(&before)), Some(&audited(&after)), &[]).unwrap();
        assert_eq!(diff, json!({"tooth_notation": ["fdi", "universal"]}));
        assert_eq!(
            changes(Some(&audited(&before)), Some(&audited(&before)), &[]),
            None
        );
    }
}
