use sea_orm::entity::prelude::*;

/// A position employees may hold. Never deleted, only deactivated (`is_active`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "position")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub position_id: i64,
    /// Unique.
    pub position_type: String,
    pub display_name: String,
    /// The category code (`dcms_domain::PositionCategory`).
    pub category: i16,
    pub is_active: bool,
    pub description: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
