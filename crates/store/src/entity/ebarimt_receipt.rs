use sea_orm::entity::prelude::*;

/// An e-barimt receipt to issue for a payment (kind 1) or to return (kind 2), and what
/// PosAPI answered: the outbox row `services::ebarimt` works through.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ebarimt_receipt")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub receipt_id: i64,
    /// The payment it receipts (for a re-issue after a refund: the refund).
    pub payment_id: i64,
    pub treatment_id: i64,
    /// `dcms_domain::ReceiptKind` code.
    pub kind: i16,
    /// For a return: the receipt it returns.
    pub returns_receipt_id: Option<i64>,
    /// Whole tugrik the receipt covers (of a return: the returned receipt's).
    pub amount: i64,
    /// The idempotency key sent as `billIdSuffix` (issues only).
    pub bill_id_suffix: Option<String>,
    /// `dcms_domain::ReceiptState` code.
    pub state: i16,
    /// The JSON body sent to PosAPI, built when the row was queued.
    pub request: String,
    pub ebarimt_id: Option<String>,
    pub lottery: Option<String>,
    pub qr_data: Option<String>,
    /// PosAPI's `date` of the receipt (`YYYY-MM-DD HH:MM:SS`), needed to return it.
    pub ebarimt_date: Option<String>,
    pub attempts: i32,
    pub next_attempt_at: ChronoDateTimeUtc,
    pub last_error: Option<String>,
    pub issued_at: Option<ChronoDateTimeUtc>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
