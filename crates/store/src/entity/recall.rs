use sea_orm::entity::prelude::*;

/// A patient's next recall for a service (one row per patient and service).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "recall")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub recall_id: i64,
    pub patient_id: i64,
    pub service_id: i64,
    /// The doctor who last did the service.
    pub doctor_id: Option<i64>,
    pub due_date: ChronoDate,
    /// `dcms_domain::RecallState` code.
    pub state: i16,
    /// The appointment that booked it (state booked).
    pub appointment_id: Option<i64>,
    pub last_contact_at: Option<ChronoDateTimeUtc>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
