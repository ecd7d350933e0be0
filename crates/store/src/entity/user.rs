use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub user_id: i64,
    pub username: String,
    /// `username` trimmed and lower-cased (unique).
    pub username_key: String,
    pub display_name: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// The role code (`dcms_domain::Role`).
    pub roles: i16,
    pub created_at: ChronoDateTimeUtc,
    pub disabled_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
