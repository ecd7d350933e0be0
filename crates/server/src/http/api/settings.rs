//! `/api/v1/settings`: the clinic's settings (read: staff and HQ; change: admin, manager).

use crate::http::error::{ApiError, Json, Problem};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::settings::{self, ClinicSettings, SettingsChanges};
use axum::Extension;
use axum::extract::State;
use dcms_domain::{Language, OpeningHours, ToothSystem};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The clinic's settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsView {
    /// The clinic's name.
    #[schema(example = "DCMS")]
    pub clinic_name: String,
    /// A short code (0 to 32 Latin letters, digits, `-`, `_`); "" when none.
    #[schema(example = "")]
    pub clinic_code: String,
    /// The IANA time zone the clinic's local times are in.
    #[schema(example = "Asia/Ulaanbaatar")]
    pub time_zone: String,
    pub opening_hours: OpeningHours,
    /// The tooth notation shown.
    pub tooth_notation: ToothSystem,
    pub language: Language,
    /// Whether an SMS reminder is queued the day before each reserved or confirmed
    /// appointment (to the patient's primary phone, unless they opted out).
    pub reminder_enabled: bool,
    /// The local hour (0-23), the day before, from which reminders are queued.
    #[schema(example = 18, minimum = 0, maximum = 23)]
    pub reminder_hour: i8,
    /// The reminder's text: `{patient}` (first name), `{date}` (YYYY-MM-DD), `{time}`
    /// (HH:MM local), `{doctor}` (last and first name), `{clinic}` (the clinic's name).
    #[schema(
        example = "Сайн байна уу, {patient}! Таныг {date} {time}-д {doctor} эмчид {clinic} эмнэлэгт хүлээж байна. Баталгаажуулах бол 1 гэж хариулна уу."
    )]
    pub reminder_template: String,
    /// Whether a reply "1" or "тийм" to a reminder confirms its appointment.
    pub sms_confirm_replies: bool,
    /// Minutes a staff session (`user_portal`) may stay unused before it ends.
    #[schema(example = 60)]
    pub staff_session_idle_minutes: i64,
    /// Hours a staff session may live at most, however often it is used.
    #[schema(example = 12)]
    pub staff_session_max_hours: i64,
    /// The same for DCMS HQ sessions.
    #[schema(example = 1440)]
    pub hq_session_idle_minutes: i64,
    #[schema(example = 720)]
    pub hq_session_max_hours: i64,
    /// The same for the patient portal.
    #[schema(example = 1440)]
    pub patient_session_idle_minutes: i64,
    #[schema(example = 720)]
    pub patient_session_max_hours: i64,
    /// How many days an estimate's prices hold.
    #[schema(example = 90)]
    pub estimate_valid_days: i32,
    /// The address and phones printed on estimates.
    pub clinic_contacts: Option<String>,
    /// The largest attachment accepted, in MiB.
    #[schema(example = 25)]
    pub attachment_limit_mib: i32,
    /// The recall SMS with `{patient}`, `{service}`, `{date}`, `{clinic}`.
    pub recall_template: String,
    /// A discount above this percent of the list price is a manager's or an admin's (403
    /// for others).
    #[schema(example = 10)]
    pub discount_threshold_percent: i32,
    /// How payments are receipted through the clinic's PosAPI 3.0 (e-barimt).
    pub ebarimt: crate::services::ebarimt::EbarimtSettings,
    pub updated_at: jiff::Timestamp,
}

impl From<ClinicSettings> for SettingsView {
    fn from(s: ClinicSettings) -> Self {
        SettingsView {
            clinic_name: s.clinic_name,
            clinic_code: s.clinic_code,
            time_zone: s.time_zone.as_str().to_owned(),
            opening_hours: s.opening_hours,
            tooth_notation: s.tooth_notation,
            language: s.language,
            reminder_enabled: s.reminder_enabled,
            reminder_hour: s.reminder_hour,
            reminder_template: s.reminder_template,
            sms_confirm_replies: s.sms_confirm_replies,
            staff_session_idle_minutes: s.sessions.staff.idle_minutes,
            staff_session_max_hours: s.sessions.staff.max_hours,
            hq_session_idle_minutes: s.sessions.hq.idle_minutes,
            hq_session_max_hours: s.sessions.hq.max_hours,
            patient_session_idle_minutes: s.sessions.patient.idle_minutes,
            patient_session_max_hours: s.sessions.patient.max_hours,
            estimate_valid_days: s.estimate_valid_days,
            clinic_contacts: s.clinic_contacts,
            attachment_limit_mib: s.attachment_limit_mib,
            recall_template: s.recall_template,
            discount_threshold_percent: s.discount_threshold_percent,
            ebarimt: s.ebarimt,
            updated_at: s.updated_at,
        }
    }
}

/// A change of the settings: every field optional, absent or null leaves it as it is.
/// Invalid fields are all reported together (422) and nothing is changed.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PatchSettingsBody {
    /// 1 to 255 characters (trimmed).
    #[schema(example = "Гэгээн шүд", min_length = 1, max_length = 255)]
    pub clinic_name: Option<String>,
    /// 0 to 32 Latin letters, digits, `-` and `_`; "" clears it.
    #[schema(
        pattern = r"^[\t\n\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[A-Za-z0-9_-]{0,32}[\t\n\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub clinic_code: Option<String>,
    /// An IANA time zone name, e.g. `Asia/Ulaanbaatar` or `Asia/Hovd`.
    #[schema(example = "Asia/Ulaanbaatar")]
    pub time_zone: Option<String>,
    /// All seven weekdays; `[]` for a closed day. Errors are reported on
    /// `opening_hours.<weekday>` (e.g. `opening_hours.mon`) or on `opening_hours`.
    #[schema(value_type = Option<OpeningHours>)]
    pub opening_hours: Option<serde_json::Value>,
    #[schema(value_type = Option<ToothSystem>)]
    pub tooth_notation: Option<String>,
    #[schema(value_type = Option<Language>)]
    pub language: Option<String>,
    /// Turns the day-before reminders on or off.
    pub reminder_enabled: Option<bool>,
    /// 0 to 23 (422 `reminder_hour` otherwise).
    #[schema(minimum = 0, maximum = 23)]
    pub reminder_hour: Option<i64>,
    /// 1 to 480 characters; only the placeholders `{patient}`, `{date}`, `{time}`, `{doctor}`,
    /// `{clinic}` (an unknown one is 422 on `reminder_template`).
    #[schema(min_length = 1, max_length = 480)]
    pub reminder_template: Option<String>,
    /// Turns on confirming appointments by a reply "1" or "тийм".
    pub sms_confirm_replies: Option<bool>,
    /// 5 to 10,080 minutes, and no longer than the lifetime (422 otherwise). A change applies
    /// to sessions already open.
    #[schema(minimum = 5, maximum = 10080)]
    pub staff_session_idle_minutes: Option<i64>,
    /// 1 to 2,160 hours.
    #[schema(minimum = 1, maximum = 2160)]
    pub staff_session_max_hours: Option<i64>,
    #[schema(minimum = 5, maximum = 10080)]
    pub hq_session_idle_minutes: Option<i64>,
    #[schema(minimum = 1, maximum = 2160)]
    pub hq_session_max_hours: Option<i64>,
    #[schema(minimum = 5, maximum = 10080)]
    pub patient_session_idle_minutes: Option<i64>,
    #[schema(minimum = 1, maximum = 2160)]
    pub patient_session_max_hours: Option<i64>,
    /// How many days an estimate's prices hold, 1 to 365.
    #[schema(minimum = 1, maximum = 365)]
    pub estimate_valid_days: Option<i64>,
    /// The address and phones printed on estimates: one line, at most 300 characters; blank
    /// clears them.
    #[schema(max_length = 300)]
    pub clinic_contacts: Option<String>,
    /// The largest attachment accepted, 1 to 200 MiB.
    #[schema(minimum = 1, maximum = 200)]
    pub attachment_limit_mib: Option<i64>,
    /// The recall SMS, 1 to 480 characters, with the placeholders `{patient}`, `{service}`,
    /// `{date}`, `{clinic}` (an unknown one is 422 on `recall_template`).
    #[schema(min_length = 1, max_length = 480)]
    pub recall_template: Option<String>,
    /// 0 to 100: a discount above this percent of the list price is a manager's or an
    /// admin's.
    #[schema(minimum = 0, maximum = 100)]
    pub discount_threshold_percent: Option<i64>,
    /// The PosAPI settings; enabling needs the URL, merchant TIN, POS number, branch and
    /// district (422 `ebarimt.<field>` otherwise).
    pub ebarimt: Option<crate::services::ebarimt::EbarimtChanges>,
}

/// The clinic's settings.
#[utoipa::path(get, path = "/api/v1/settings", operation_id = "settings_get", tag = "settings", security(("bearer" = [])),
    responses(
        (status = 200, description = "The settings", body = SettingsView),
    ))]
pub async fn get(State(state): State<AppState>) -> Result<Json<SettingsView>, ApiError> {
    Ok(Json(settings::get(&state.store).await?.into()))
}

/// Change the clinic's settings.
#[utoipa::path(patch, path = "/api/v1/settings", operation_id = "settings_update", tag = "settings", security(("bearer" = [])),
    request_body = PatchSettingsBody,
    responses(
        (status = 200, description = "The settings as they now are", body = SettingsView),
        (status = 422, description = "Invalid fields (unknown time zone, overlapping opening hours, reminder hour out of 0-23, unknown template placeholder, ...), each named", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<PatchSettingsBody>,
) -> Result<Json<SettingsView>, ApiError> {
    let settings = settings::update(
        &state.store,
        &state.audit,
        caller.actor(),
        SettingsChanges {
            clinic_name: body.clinic_name,
            clinic_code: body.clinic_code,
            time_zone: body.time_zone,
            opening_hours: body.opening_hours,
            tooth_notation: body.tooth_notation,
            language: body.language,
            reminder_enabled: body.reminder_enabled,
            reminder_hour: body.reminder_hour,
            reminder_template: body.reminder_template,
            sms_confirm_replies: body.sms_confirm_replies,
            staff_session_idle_minutes: body.staff_session_idle_minutes,
            staff_session_max_hours: body.staff_session_max_hours,
            hq_session_idle_minutes: body.hq_session_idle_minutes,
            hq_session_max_hours: body.hq_session_max_hours,
            patient_session_idle_minutes: body.patient_session_idle_minutes,
            patient_session_max_hours: body.patient_session_max_hours,
            estimate_valid_days: body.estimate_valid_days,
            clinic_contacts: body.clinic_contacts,
            attachment_limit_mib: body.attachment_limit_mib,
            recall_template: body.recall_template,
            discount_threshold_percent: body.discount_threshold_percent,
            ebarimt: body.ebarimt,
        },
    )
    .await?;
    Ok(Json(settings.into()))
}
