use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub settings_id: i64,
    pub clinic_name: String,
    pub clinic_code: String,
    pub time_zone: String,
    /// JSON: `{"mon": [["09:00","13:00"], ...], ..., "sun": []}`.
    pub opening_hours: String,
    pub tooth_notation: i16,
    pub language: String,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
