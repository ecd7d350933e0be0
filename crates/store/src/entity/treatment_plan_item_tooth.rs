use sea_orm::entity::prelude::*;

/// A tooth of a planned item (an FDI row of `tooth_definition`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "treatment_plan_item_tooth")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub plan_item_tooth_id: i64,
    pub plan_item_id: i64,
    pub tooth_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
