use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub settings_id: i64,
    pub clinic_name: String,
    pub clinic_code: String,
    pub time_zone: String,
    /// JSON: `{"mon": [["09:00","13:00"], ...], ..., "sun": []}`.
    pub opening_hours: String,
    pub tooth_notation: i16,
    pub language: String,
    /// Whether the day-before reminders are queued (default off).
    pub reminder_enabled: bool,
    /// The local hour (0-23), the day before, from which reminders are queued (default 18).
    pub reminder_hour: i32,
    /// The reminder's text: `{patient}`, `{date}`, `{time}`, `{doctor}`, `{clinic}`.
    pub reminder_template: String,
    /// Whether a reply "1" or "тийм" confirms the reminded appointment (default off).
    pub sms_confirm_replies: bool,
    /// How long a staff (`user_portal`) session may stay unused, in minutes (default 60).
    pub staff_session_idle_minutes: i32,
    /// How long a staff session may live at most, in hours (default 12).
    pub staff_session_max_hours: i32,
    /// The same for DCMS HQ sessions (defaults 1,440 minutes and 720 hours).
    pub hq_session_idle_minutes: i32,
    pub hq_session_max_hours: i32,
    /// The same for the patient portal (defaults 1,440 minutes and 720 hours).
    pub patient_session_idle_minutes: i32,
    pub patient_session_max_hours: i32,
    /// How many days an estimate's prices hold (default 90).
    pub estimate_valid_days: i32,
    /// The largest attachment accepted, in MiB (25 by default).
    pub attachment_limit_mib: i32,
    /// The recall SMS, with `{patient}`, `{service}`, `{date}`, `{clinic}`.
    pub recall_template: String,
    /// The address and phones printed on estimates.
    pub clinic_contacts: Option<String>,
    /// A discount above this percent of the list price needs a manager or admin (default 10).
    pub discount_threshold_percent: i32,
    /// Whether payments are receipted through the clinic's PosAPI (default off).
    pub ebarimt_enabled: bool,
    /// The PosAPI 3.0 service's base URL (`http://127.0.0.1:7080`).
    pub ebarimt_url: Option<String>,
    pub ebarimt_merchant_tin: Option<String>,
    pub ebarimt_pos_no: Option<String>,
    pub ebarimt_branch_no: Option<String>,
    pub ebarimt_district_code: Option<String>,
    /// The tax type of a service that names none (`VAT_FREE` by default).
    pub ebarimt_default_tax_type: String,
    /// The local date `GET /rest/sendData` last succeeded (`YYYY-MM-DD`).
    pub ebarimt_data_sent_on: Option<String>,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
