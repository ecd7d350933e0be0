use sea_orm::entity::prelude::*;

/// A closed (or reopened) day of the till.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "day_close")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub day_close_id: i64,
    /// The clinic's local date (unique).
    pub day: ChronoDate,
    pub expected_cash: i64,
    pub expected_card: i64,
    pub expected_transfer: i64,
    pub expected_qpay: i64,
    pub counted_cash: i64,
    pub counted_card: i64,
    pub counted_transfer: i64,
    pub counted_qpay: i64,
    pub note: Option<String>,
    pub closed_at: ChronoDateTimeUtc,
    pub closed_by: Option<i64>,
    /// Set when a manager reopened it: the day takes payments again.
    pub reopened_at: Option<ChronoDateTimeUtc>,
    pub reopened_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
