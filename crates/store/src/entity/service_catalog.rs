use sea_orm::entity::prelude::*;

/// A service (treatment) the clinic offers, with its price. Never deleted, only deactivated
/// (`is_active`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "service_catalog")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub service_id: i64,
    /// The group the service is listed under (free text, e.g. "Эмчилгээ").
    pub service_type: String,
    /// Minutes an appointment for this service takes by default (> 0; default 30).
    pub default_duration_time: i32,
    /// Order within `service_type`, 1..n; `(service_type, display_number)` is unique.
    pub display_number: i32,
    pub doctor_display_name: String,
    pub patient_display_name: String,
    pub disclaimer: Option<String>,
    /// The consent the patient signs before this service (printed from the treatment form).
    pub consent_text: Option<String>,
    /// Months until the patient is recalled after it was done.
    pub recall_months: Option<i32>,
    /// The e-barimt tax type (`VAT_ABLE`, `VAT_FREE`, `VAT_ZERO`, `NO_VAT`); None: the clinic's.
    pub tax_type: Option<String>,
    /// The product classification code (ББСК) printed on receipts.
    pub classification_code: Option<String>,
    /// Whole tugrik (`dcms_domain::Money`), >= 0.
    pub price: i64,
    pub is_active: bool,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
