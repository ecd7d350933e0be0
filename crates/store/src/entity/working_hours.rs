use sea_orm::entity::prelude::*;

/// One interval of a doctor's weekly template.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "working_hours")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub working_hours_id: i64,
    pub employee_id: i64,
    /// 1 Monday to 7 Sunday.
    pub weekday: i32,
    /// Minutes since local midnight, before `end_minute`.
    pub start_minute: i32,
    /// At most 1440.
    pub end_minute: i32,
    /// The chair the doctor usually works in then.
    pub chair_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
