use sea_orm::entity::prelude::*;

/// A user's choices for their own screens (one row per user who has chosen anything).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_preference")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    /// The appointment book's doctors, employee ids comma-separated in the order chosen;
    /// null: every doctor.
    pub book_doctor_ids: Option<String>,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
