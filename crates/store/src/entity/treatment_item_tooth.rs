use sea_orm::entity::prelude::*;

/// A tooth a treatment item was done on (an FDI row of `tooth_definition`), with a note.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "treatment_item_tooth")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub treatment_item_tooth_id: i64,
    pub treatment_item_id: i64,
    pub tooth_id: i64,
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
