use sea_orm::entity::prelude::*;

/// An outbound SMS on its way through the clinic's provider: queued, sending, sent, failed,
/// or unknown (left in sending by a crash: a person checks it; never resent automatically).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sms_outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub sms_outbox_id: i64,
    /// Normalised like the phone tables.
    pub phone_number: String,
    pub subject: Option<String>,
    pub sms_text: String,
    /// The state code (`dcms_domain::SmsState`).
    pub state: i16,
    pub attempts: i32,
    /// When a queued message may be tried (again).
    pub next_attempt_at: ChronoDateTimeUtc,
    pub last_error: Option<String>,
    /// Unique; sent to the provider where its template has a place for it.
    pub idempotency_key: String,
    /// The appointment a reminder is for.
    pub appointment_id: Option<i64>,
    /// The start time the reminder was for (a moved appointment is reminded again, once).
    pub reminder_for_start_at: Option<ChronoDateTimeUtc>,
    /// The `sms` row written when it was sent.
    pub sms_id: Option<i64>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
