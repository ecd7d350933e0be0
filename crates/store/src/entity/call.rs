use sea_orm::entity::prelude::*;

/// A phone call to or from the clinic, with the contact its number resolved to. The table
/// is `call`, a reserved word in MySQL: sea-orm quotes every identifier.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "call")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub call_id: i64,
    /// Normalised like the phone tables (`dcms_domain::Phone`).
    pub phone_number: String,
    /// The direction code (`dcms_domain::Direction`).
    pub direction: i16,
    pub begin_call: ChronoDateTimeUtc,
    /// At or after `begin_call` (CHECK).
    pub end_call: Option<ChronoDateTimeUtc>,
    /// The contact type code (`dcms_domain::ContactType`): 0 new, 1 patient, 2 employee.
    pub contact_type: i16,
    /// The patient or employee id; null exactly when the contact type is new (CHECK).
    pub contacter_id: Option<i64>,
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
