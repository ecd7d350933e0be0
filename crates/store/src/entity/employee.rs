use sea_orm::entity::prelude::*;

/// An employee of the clinic. Never deleted: firing sets `fired_at` and status 0.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "employee")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub employee_id: i64,
    /// Assigned from `employee_display_number_counter`: increasing, never reused (unique).
    pub employee_display_number: i64,
    /// The linked staff user account (unique when set).
    pub user_id: Option<i64>,
    pub first_name: String,
    pub last_name: String,
    /// `dcms_domain::name_key` of `first_name`.
    pub first_name_key: String,
    /// `dcms_domain::name_key` of `last_name`.
    pub last_name_key: String,
    /// The gender code (`dcms_domain::Gender`).
    pub gender: i16,
    /// The status code (`dcms_domain::EmployeeStatus`).
    pub status: i16,
    pub birthday: Option<ChronoDate>,
    pub email: Option<String>,
    pub home_address: Option<String>,
    pub hired_at: Option<ChronoDate>,
    pub fired_at: Option<ChronoDate>,
    pub created_at: ChronoDateTimeUtc,
    pub last_updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
