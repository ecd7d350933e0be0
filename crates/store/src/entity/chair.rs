use sea_orm::entity::prelude::*;

/// A chair (a treatment room) of the clinic. Never deleted: deactivated instead.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "chair")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub chair_id: i64,
    /// Unique.
    pub name: String,
    pub active: bool,
    /// The order chairs are shown in (then by id).
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
