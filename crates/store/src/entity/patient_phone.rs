use sea_orm::entity::prelude::*;

/// One phone number of a patient. Every patient has at least two and exactly one primary
/// (kept by the services under a lock of the patient's row).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "patient_phone")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub phone_number_id: i64,
    pub patient_id: i64,
    /// The normalised number (`dcms_domain::Phone`).
    pub phone_number_val: String,
    /// `dcms_domain::reversed_digits` of `phone_number_val` (its digits, last first), written
    /// by the store with the number: the last digits of a number are the start of this key.
    pub phone_number_rev: String,
    pub label: String,
    pub is_primary: bool,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
