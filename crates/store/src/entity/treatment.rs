use sea_orm::entity::prelude::*;

/// One visit's clinical record: when, which patient, which doctor (and assistant), the
/// appointment it happened in and the follow-up booked. Its items are the services done.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "treatment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub treatment_id: i64,
    pub treatment_date: ChronoDateTimeUtc,
    pub patient_id: i64,
    pub doctor_id: i64,
    pub assistant_id: Option<i64>,
    pub appointment_id: Option<i64>,
    pub next_appointment_id: Option<i64>,
    pub note: Option<String>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
