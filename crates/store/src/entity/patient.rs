use sea_orm::entity::prelude::*;

/// A patient of the clinic. Never deleted.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "patient")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub patient_id: i64,
    /// The linked portal account of role patient (unique when set).
    pub user_id: Option<i64>,
    /// The normalised national register number (`dcms_domain::RegisterNumber`, unique).
    pub register_number: String,
    pub first_name: String,
    pub last_name: String,
    /// `dcms_domain::name_key` of `first_name`.
    pub first_name_key: String,
    /// `dcms_domain::name_key` of `last_name`.
    pub last_name_key: String,
    /// `dcms_domain::fold_name_key` of `last_name_key` (ө as о, ү as у), written by the store
    /// with the key.
    pub last_name_fold: String,
    /// `dcms_domain::fold_name_key` of `first_name_key`, written by the store with the key.
    pub first_name_fold: String,
    pub email: Option<String>,
    pub birthday: ChronoDate,
    /// The gender code (`dcms_domain::Gender`).
    pub gender: i16,
    /// The status code (`dcms_domain::PatientStatus`), refreshed at start-up and daily; the
    /// services compute it afresh when they read a patient.
    pub status: i16,
    pub sms_reminder_opt_out: bool,
    /// The first visit (registration).
    pub created_at: ChronoDateTimeUtc,
    /// The last visit, if any since registration.
    pub last_seen_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
