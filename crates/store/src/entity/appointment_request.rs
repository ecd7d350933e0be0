use sea_orm::entity::prelude::*;

/// An appointment a patient asked for in the portal, and the clinic's answer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "appointment_request")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub request_id: i64,
    pub patient_id: i64,
    /// JSON: `[{date, from?, to?}]`.
    pub preferred: String,
    pub reason: Option<String>,
    /// `dcms_domain::RequestStatus` code.
    pub status: i16,
    /// The appointment booked for it.
    pub appointment_id: Option<i64>,
    /// Why it was declined.
    pub answer: Option<String>,
    pub created_at: ChronoDateTimeUtc,
    pub created_by: Option<i64>,
    pub answered_at: Option<ChronoDateTimeUtc>,
    pub answered_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
