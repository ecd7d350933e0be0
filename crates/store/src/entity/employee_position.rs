use sea_orm::entity::prelude::*;

/// An employee's assignment to a position; open while `ended_at` is null. At most one open
/// assignment of an employee is primary.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "employee_position")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub employee_position_id: i64,
    pub employee_id: i64,
    pub position_id: i64,
    pub is_primary: bool,
    pub started_at: ChronoDate,
    /// Not before `started_at` (CHECK).
    pub ended_at: Option<ChronoDate>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
