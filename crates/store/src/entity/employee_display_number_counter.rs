use sea_orm::entity::prelude::*;

/// The single row (`counter_id` = 1) holding the next employee display number; creators
/// advance it with an atomic `UPDATE` inside their transaction.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "employee_display_number_counter")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub counter_id: i64,
    pub next_value: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
