use sea_orm::entity::prelude::*;

/// An SMS sent or received, with the contact its number resolved to. Every message the
/// outbox delivers becomes one of these (direction out).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sms")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub sms_id: i64,
    /// Normalised like the phone tables.
    pub phone_number: String,
    /// The direction code (`dcms_domain::Direction`).
    pub direction: i16,
    pub time: ChronoDateTimeUtc,
    pub subject: Option<String>,
    pub sms_text: String,
    /// The contact type code (`dcms_domain::ContactType`).
    pub contact_type: i16,
    pub contacter_id: Option<i64>,
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
