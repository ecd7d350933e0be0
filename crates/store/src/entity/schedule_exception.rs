use sea_orm::entity::prelude::*;

/// A date on which a doctor's hours differ from the weekly template.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "schedule_exception")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub exception_id: i64,
    pub employee_id: i64,
    /// The clinic's local date.
    pub day: ChronoDate,
    /// `dcms_domain::ExceptionKind` code.
    pub kind: i16,
    /// Minutes since local midnight; both or neither.
    pub start_minute: Option<i32>,
    pub end_minute: Option<i32>,
    pub note: Option<String>,
    pub created_at: ChronoDateTimeUtc,
    pub created_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
