use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tooth_definition")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tooth_id: i64,
    pub system: i16,
    pub code: String,
    pub arch: i16,
    pub quadrant: i32,
    pub index_in_quadrant: i32,
    pub dentition: i16,
    pub ui_key: String,
    pub name: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
