use sea_orm::entity::prelude::*;

/// Money taken for a treatment (positive) or given back (a refund, negative).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub payment_id: i64,
    pub treatment_id: i64,
    /// Whole tugrik, never 0 (CHECK).
    pub amount: i64,
    /// The method code (`dcms_domain::PaymentMethod`).
    pub method: i16,
    pub paid_at: ChronoDateTimeUtc,
    /// The user who took it.
    pub received_by: Option<i64>,
    pub note: Option<String>,
    /// The payer organisation's taxpayer number, for a B2B e-barimt receipt.
    pub customer_tin: Option<String>,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
