use sea_orm::entity::prelude::*;

/// A tooth an attachment shows (an FDI row of `tooth_definition`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attachment_tooth")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub attachment_tooth_id: i64,
    pub attachment_id: i64,
    pub tooth_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
