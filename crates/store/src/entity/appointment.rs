use sea_orm::entity::prelude::*;

/// An appointment of a patient with a doctor. Never deleted: it is canceled or marked a
/// no-show instead.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "appointment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub appointment_id: i64,
    pub patient_id: i64,
    /// The doctor (an employee who may be one when booked: `staff::is_doctor`).
    pub doctor_id: i64,
    /// The employee linked to the user who booked it; null for a user without one.
    pub receptionist_id: Option<i64>,
    pub start_at: ChronoDateTimeUtc,
    /// After `start_at` (CHECK).
    pub end_at: ChronoDateTimeUtc,
    /// The status code (`dcms_domain::AppointmentStatus`).
    pub status: i16,
    /// Fixed at creation: the patient had no arrival (came, finished) and no treatment.
    pub is_new_patient: bool,
    /// The planned service (`service_catalog.service_id`); the seed's column name.
    pub planned_service: Option<i64>,
    pub note: Option<String>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
    /// The chair it takes (`chair.chair_id`, checked by the booking service).
    pub chair_id: Option<i64>,
    /// When the patient arrived (the status became came).
    pub arrived_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
